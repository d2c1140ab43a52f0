package picture

// JPEG decoding through libjpeg-turbo (https://libjpeg-turbo.org), the
// decoder browsers, Pillow and libvips use: every chroma sampling layout,
// progressive and arithmetic-coded files, and DCT-domain scaling (a JPEG
// decoded straight to 1/2, 1/4 or 1/8 of its size, which is how Pillow's
// draft mode and libvips's shrink-on-load make phone photos cheap). The
// static library is linked into the binary, so a Lambda bootstrap needs no
// shared library beside it (Debian: libjpeg62-turbo-dev; its symbols need
// nothing newer than glibc 2.34, which make test-cloud checks).

/*
#cgo LDFLAGS: -l:libjpeg.a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char message[JMSG_LENGTH_MAX];
	int unsupported; // the error is a feature this build lacks, not damage
	int damaged;     // a warning said the image data is corrupt or cut short
	int eof;         // the data ended before the end-of-image marker
	char warning[JMSG_LENGTH_MAX];
} vg_error;

typedef struct {
	int width, height;         // the stored size
	int components;            // 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK/YCCK)
	int progressive, arithmetic;
} vg_info;

static void vg_error_exit(j_common_ptr c) {
	vg_error *e = (vg_error *)c->err;
	int code = c->err->msg_code;
	e->unsupported = code == JERR_BAD_PRECISION || code == JERR_NOT_COMPILED ||
		code == JERR_CONVERSION_NOTIMPL || code == JERR_ARITH_NOTIMPL ||
		code == JERR_BAD_J_COLORSPACE || code == JERR_SOF_UNSUPPORTED;
	(*c->err->format_message)(c, e->message);
	longjmp(e->jump, 1);
}

// Warnings (level -1) that mean pixels are missing or wrong. Others (bytes
// between markers, a damaged profile, a missing end-of-image marker on its
// own) leave every pixel intact, and viewers show such files.
static void vg_emit_message(j_common_ptr c, int level) {
	vg_error *e = (vg_error *)c->err;
	if (level >= 0) return; // trace messages
	int code = c->err->msg_code;
	if (code == JWRN_JPEG_EOF) e->eof = 1;
	if (code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC ||
		code == JWRN_NOT_SEQUENTIAL || code == JWRN_ARITH_BAD_CODE || code == JWRN_BOGUS_PROGRESSION) {
		if (!e->damaged) (*c->err->format_message)(c, e->warning);
		e->damaged = 1;
	}
}

static void vg_setup(struct jpeg_decompress_struct *d, vg_error *e) {
	memset(e, 0, sizeof *e);
	d->err = jpeg_std_error(&e->pub);
	e->pub.error_exit = vg_error_exit;
	e->pub.emit_message = vg_emit_message;
}

// vg_begin reads the header of data and asks for scale 1/denom. Call it
// after setjmp: its errors jump there.
static void vg_begin(struct jpeg_decompress_struct *d, const unsigned char *data, unsigned long size, int denom) {
	jpeg_create_decompress(d);
	jpeg_mem_src(d, data, size);
	jpeg_read_header(d, TRUE);
	d->scale_num = 1;
	d->scale_denom = denom;
}

// vg_read_header reads the header. It returns 0, or 1 with e->message set.
static int vg_read_header(const unsigned char *data, unsigned long size, vg_info *info, vg_error *e) {
	struct jpeg_decompress_struct d;
	vg_setup(&d, e);
	if (setjmp(e->jump)) {
		jpeg_destroy_decompress(&d);
		return 1;
	}
	vg_begin(&d, data, size, 1);
	info->width = d.image_width;
	info->height = d.image_height;
	info->components = d.num_components;
	info->progressive = d.progressive_mode;
	info->arithmetic = d.arith_code;
	jpeg_destroy_decompress(&d);
	return 0;
}

// vg_decode decodes at scale 1/denom into out (out_width x out_height
// pixels of RGBA, alpha 255, or of grey when grey is set; stride bytes per
// row). It returns 0, or 1 with e->message set.
static int vg_decode(const unsigned char *data, unsigned long size, int denom, int grey,
		unsigned char *out, int out_width, int out_height, int stride, vg_error *e) {
	struct jpeg_decompress_struct d;
	vg_setup(&d, e);
	if (setjmp(e->jump)) {
		jpeg_destroy_decompress(&d);
		return 1;
	}
	vg_begin(&d, data, size, denom);
	d.out_color_space = grey ? JCS_GRAYSCALE : JCS_EXT_RGBA;
	jpeg_start_decompress(&d);
	if ((int)d.output_width != out_width || (int)d.output_height != out_height) {
		snprintf(e->message, sizeof e->message, "output size changed while decoding");
		jpeg_destroy_decompress(&d);
		return 1;
	}
	while (d.output_scanline < d.output_height) {
		JSAMPROW row = out + (size_t)d.output_scanline * stride;
		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// jpegInfo is what a JPEG's header says.
type jpegInfo struct {
	width, height int
	components    int
	progressive   bool
	arithmetic    bool
}

// libjpegError is a failure libjpeg-turbo reported, in its own words.
type libjpegError struct {
	msg         string
	unsupported bool // a feature this build lacks (12-bit samples, say), not damage
}

func (e *libjpegError) Error() string { return e.msg }

func errorOf(e *C.vg_error) *libjpegError {
	return &libjpegError{msg: C.GoString(&e.message[0]), unsupported: e.unsupported != 0}
}

// libjpegHeader reads a JPEG's header.
func libjpegHeader(data []byte) (jpegInfo, error) {
	if len(data) == 0 {
		return jpegInfo{}, &libjpegError{msg: "empty JPEG"}
	}
	var info C.vg_info
	var e C.vg_error
	if C.vg_read_header((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), &info, &e) != 0 {
		return jpegInfo{}, errorOf(&e)
	}
	return jpegInfo{
		width: int(info.width), height: int(info.height), components: int(info.components),
		progressive: info.progressive != 0, arithmetic: info.arithmetic != 0,
	}, nil
}

// errDamagedScan is returned for a JPEG whose image data is corrupt or cut
// short inside a scan: libjpeg-turbo would fill the missing blocks with grey.
var errDamagedScan = errors.New("corrupt or incomplete image data")

// libjpegDecode decodes a one- or three-component JPEG whose header is
// info at scale 1/denom: an *image.Gray for greyscale files, else an opaque
// *image.RGBA. Four-component (CMYK, YCCK) files are not decoded here. The
// output is ceil(side/denom) on each side, as jpeg_calc_output_dimensions
// computes it (vg_decode checks that it agrees).
func libjpegDecode(data []byte, info jpegInfo, denom int) (image.Image, error) {
	size := image.Pt((info.width+denom-1)/denom, (info.height+denom-1)/denom)
	if info.components == 4 {
		return nil, fmt.Errorf("libjpeg: %d-component JPEG", info.components)
	}
	grey := info.components == 1
	var pix []byte
	var stride int
	var img image.Image
	r := image.Rect(0, 0, size.X, size.Y)
	if grey {
		g := image.NewGray(r)
		pix, stride, img = g.Pix, g.Stride, g
	} else {
		m := image.NewRGBA(r)
		pix, stride, img = m.Pix, m.Stride, m
	}
	var e C.vg_error
	g := C.int(0)
	if grey {
		g = 1
	}
	if C.vg_decode((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), C.int(denom), g,
		(*C.uchar)(unsafe.Pointer(&pix[0])), C.int(size.X), C.int(size.Y), C.int(stride), &e) != 0 {
		return nil, errorOf(&e)
	}
	if e.damaged != 0 {
		return nil, fmt.Errorf("%w (%s)", errDamagedScan, C.GoString(&e.warning[0]))
	}
	if e.eof != 0 && info.arithmetic {
		// libjpeg-turbo's arithmetic decoder reads zeros past the end of the
		// data without a warning, so a missing end-of-image marker cannot be
		// told from a file cut short.
		return nil, fmt.Errorf("%w (arithmetic-coded data without its end-of-image marker)", errDamagedScan)
	}
	return img, nil
}

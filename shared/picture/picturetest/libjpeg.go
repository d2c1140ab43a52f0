package picturetest

// JPEG encoding through libjpeg-turbo, for tests that need files Go's
// image/jpeg cannot write: any chroma sampling layout, arithmetic coding,
// progressive scans. The same static library the decoder links.

/*
#cgo LDFLAGS: -l:libjpeg.a
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char message[JMSG_LENGTH_MAX];
} vgt_error;

static void vgt_error_exit(j_common_ptr c) {
	vgt_error *e = (vgt_error *)c->err;
	(*c->err->format_message)(c, e->message);
	longjmp(e->jump, 1);
}

// vgt_encode writes width x height RGB pixels (3 bytes each, rows packed)
// as a JPEG into *out (malloc'd; free it). sampling holds h,v for the
// three components. It returns 0, or 1 with e->message set.
static int vgt_encode(const unsigned char *rgb, int width, int height, int quality,
		const int *sampling, int arithmetic, int progressive,
		unsigned char **out, unsigned long *out_size, vgt_error *e) {
	struct jpeg_compress_struct c;
	c.err = jpeg_std_error(&e->pub);
	e->pub.error_exit = vgt_error_exit;
	*out = NULL;
	*out_size = 0;
	if (setjmp(e->jump)) {
		jpeg_destroy_compress(&c);
		return 1;
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, out, out_size);
	c.image_width = width;
	c.image_height = height;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	for (int i = 0; i < 3; i++) {
		c.comp_info[i].h_samp_factor = sampling[2 * i];
		c.comp_info[i].v_samp_factor = sampling[2 * i + 1];
	}
	c.arith_code = arithmetic;
	if (progressive) jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * width * 3);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return 0;
}
*/
import "C"

import (
	"image"
	"testing"
	"unsafe"
)

// JPEGOptions say how EncodeJPEG writes a file.
type JPEGOptions struct {
	// Quality is libjpeg's 1-100 quality; 0 means 90.
	Quality int
	// Sampling holds each component's horizontal and vertical sampling
	// factor (Y, Cb, Cr; 1-4 each), as cjpeg's -sample 2x2,1x1,1x1 does;
	// the zero value means 2x2,1x1,1x1 (4:2:0).
	Sampling [3][2]int
	// Arithmetic selects arithmetic coding instead of Huffman coding.
	Arithmetic bool
	// Progressive writes libjpeg's standard progressive scan script.
	Progressive bool
}

// EncodeJPEG encodes img with libjpeg-turbo as opts say.
func EncodeJPEG(t testing.TB, img image.Image, opts JPEGOptions) []byte {
	t.Helper()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	rgb := make([]byte, 0, 3*w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			rgb = append(rgb, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	if opts.Quality == 0 {
		opts.Quality = 90
	}
	if opts.Sampling == ([3][2]int{}) {
		opts.Sampling = [3][2]int{{2, 2}, {1, 1}, {1, 1}}
	}
	var sampling [6]C.int
	for i, s := range opts.Sampling {
		sampling[2*i], sampling[2*i+1] = C.int(s[0]), C.int(s[1])
	}
	flag := func(b bool) C.int {
		if b {
			return 1
		}
		return 0
	}
	var out *C.uchar
	var size C.ulong
	var e C.vgt_error
	if C.vgt_encode((*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), C.int(opts.Quality), &sampling[0],
		flag(opts.Arithmetic), flag(opts.Progressive), &out, &size, &e) != 0 {
		C.free(unsafe.Pointer(out))
		t.Fatalf("libjpeg-turbo: encode: %s", C.GoString(&e.message[0]))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(size))
}

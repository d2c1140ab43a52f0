package picture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/veglens/veglens/shared/veglens"
	"golang.org/x/image/webp"
)

// Limits bound what Decode accepts. They are checked against the image
// header before any pixel is decoded, so a small file that claims huge
// dimensions costs nothing.
type Limits struct {
	// MaxPixels is the largest width*height accepted.
	MaxPixels int64
	// MinSide is the shortest side accepted, in pixels.
	MinSide int
	// MaxBytes is the largest encoded size accepted; 0 means no limit.
	MaxBytes int64
	// ShrinkTo, when > 0, lets a large JPEG decode straight to a smaller
	// size in the DCT domain (shrink-on-load): at the smallest of 1/2, 1/4
	// and 1/8 of its size whose long side is still at least ShrinkTo
	// pixels. A 4032x3024 phone photo with ShrinkTo 768 decodes to
	// 1008x756 in a fraction of the time and memory. Picture.Width and
	// Height still give the full size.
	ShrinkTo int
}

// DefaultLimits are the limits the service applies to uploads.
var DefaultLimits = Limits{MaxPixels: 40_000_000, MinSide: 32, MaxBytes: 50 << 20}

// Picture is a decoded upload.
type Picture struct {
	// Image has the EXIF orientation applied and is opaque RGB: its
	// concrete type is *image.YCbCr, *image.Gray or *image.RGBA (alpha
	// already composited over white). With Limits.ShrinkTo it may be
	// smaller than Width x Height.
	Image image.Image
	// Format is "jpeg", "png", "webp", "gif", "heic" or "avif".
	Format string
	// Width and Height are the displayed size of the photo (after
	// orientation), whatever size Image was decoded at.
	Width, Height int
	// Orientation is the EXIF orientation (1-8) that was applied; 1 when the
	// file has none.
	Orientation int
	// Profile says what became of an embedded ICC colour profile (see
	// icc.go): the pixels are sRGB in every case but ProfileUnsupported.
	Profile Profile
}

// Profile is what Decode did with a picture's embedded ICC profile.
type Profile string

// Profiles.
const (
	ProfileNone        Profile = "none"        // no profile: the pixels are taken as sRGB
	ProfileSRGB        Profile = "srgb"        // an sRGB profile: nothing to convert
	ProfileConverted   Profile = "converted"   // a matrix/TRC RGB profile (Display P3, Adobe RGB...): converted to sRGB
	ProfileUnsupported Profile = "unsupported" // a profile of another kind (LUT-based, damaged): taken as sRGB
)

// decoders are the accepted formats. Decoding goes through this table rather
// than image.Decode so that formats other packages register (BMP, TIFF...)
// are refused rather than silently accepted.
var decoders = map[string]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	"png":  {png.DecodeConfig, png.Decode},
	"gif":  {gif.DecodeConfig, gif.Decode}, // gif.Decode returns the first frame
	"webp": {webp.DecodeConfig, webp.Decode},
	"heic": {heicConfig, heicDecode},
	"avif": {avifConfig, avifDecode},
}

// Decode reads one picture from r. It refuses, with an *InputError, empty
// input, formats other than JPEG, PNG, WebP, GIF, HEIC and AVIF, damaged data, and
// pictures outside lim (checked on the header, before decoding). A failure
// to read r itself is returned wrapped, not as an *InputError: it is not the
// picture's fault.
func Decode(r io.Reader, lim Limits) (*Picture, error) {
	data, err := readLimited(r, lim.MaxBytes)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, inputErrorf(Empty, nil, "the file is empty (0 bytes)")
	}
	format := sniff(data)
	dec, ok := decoders[format]
	if !ok && format != "jpeg" { // JPEGs go through libjpeg-turbo (decodeJPEG)
		return nil, inputErrorf(Unsupported, nil,
			"the file is not a supported picture: send a JPEG, PNG, WebP, GIF, HEIC or AVIF image")
	}

	var img image.Image
	var w, h int // the stored size
	if format == "jpeg" {
		var err error
		if img, w, h, err = decodeJPEG(data, lim); err != nil {
			return nil, err
		}
	} else {
		var cfg image.Config
		if err := guard(func() (err error) { cfg, err = dec.config(bytes.NewReader(data)); return }); err != nil {
			return nil, decodeError(format, err, "its header cannot be read")
		}
		if err := checkSize(cfg.Width, cfg.Height, lim); err != nil {
			return nil, err
		}
		if err := guard(func() (err error) { img, err = dec.decode(bytes.NewReader(data)); return }); err != nil {
			return nil, decodeError(format, err, "its pixels cannot be decoded")
		}
		b := img.Bounds()
		if err := checkSize(b.Dx(), b.Dy(), lim); err != nil { // a GIF frame may be smaller than its screen
			return nil, err
		}
		w, h = b.Dx(), b.Dy()
	}

	if format == "webp" {
		img = webpRGB(img)
	}
	img = opaque(img)
	img, profile := toSRGB(img, embeddedICC(format, data))
	orientation := exifOrientation(format, data)
	img = orient(img, orientation)
	if orientation >= 5 { // the transposing orientations swap the sides
		w, h = h, w
	}
	return &Picture{Image: img, Format: format, Width: w, Height: h, Orientation: orientation, Profile: profile}, nil
}

// decodeJPEG decodes a JPEG through libjpeg-turbo (libjpeg.go), at the
// DCT scale lim.ShrinkTo allows, after checking the stored size (w, h)
// against lim. A file whose only flaw is a missing end-of-image marker or
// data after it decodes as viewers show it; one whose image data is corrupt
// or cut short inside a scan is refused. (A progressive file cut between
// two of its scans decodes at the detail of the scans it has, as browsers
// show it.) Four-component files (CMYK and YCCK, from print work) go
// through Go's image/jpeg.
func decodeJPEG(data []byte, lim Limits) (img image.Image, w, h int, err error) {
	info, err := libjpegHeader(data)
	if err != nil {
		return nil, 0, 0, decodeError("jpeg", err, "its header cannot be read")
	}
	if err := checkSize(info.width, info.height, lim); err != nil {
		return nil, 0, 0, err
	}
	if info.components == 4 {
		if err := guard(func() (err error) { img, err = decodeGoJPEG(data); return }); err != nil {
			return nil, 0, 0, decodeError("jpeg", err, "its pixels cannot be decoded")
		}
		return img, info.width, info.height, nil
	}
	denom := 1
	for _, d := range []int{8, 4, 2} {
		if lim.ShrinkTo > 0 && (max(info.width, info.height)+d-1)/d >= lim.ShrinkTo {
			denom = d
			break
		}
	}
	if img, err = libjpegDecode(data, info, denom); err != nil {
		return nil, 0, 0, decodeError("jpeg", err, "its pixels cannot be decoded")
	}
	return img, info.width, info.height, nil
}

// decodeGoJPEG decodes a JPEG with Go's image/jpeg; one whose only flaw is
// a missing end-of-image marker is decoded as viewers show it.
func decodeGoJPEG(data []byte) (image.Image, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if errors.Is(err, io.ErrUnexpectedEOF) && !bytes.HasSuffix(data, []byte{0xFF, 0xD9}) {
		if fixed, err2 := jpeg.Decode(bytes.NewReader(append(data[:len(data):len(data)], 0xFF, 0xD9))); err2 == nil {
			return fixed, nil
		}
	}
	return img, err
}

// toSRGB converts img to sRGB through its embedded ICC profile (none: as
// it is). A profile that cannot be read, or whose use would fail, leaves
// the pixels as they are (ProfileUnsupported): a damaged profile is not a
// reason to refuse a photo.
func toSRGB(img image.Image, icc []byte) (out image.Image, profile Profile) {
	if len(icc) == 0 {
		return img, ProfileNone
	}
	defer func() {
		if recover() != nil {
			out, profile = img, ProfileUnsupported
		}
	}()
	p, err := parseICC(icc)
	if err != nil {
		return img, ProfileUnsupported
	}
	t := p.toSRGB()
	if t == nil {
		return img, ProfileSRGB
	}
	return t.apply(img), ProfileConverted
}

// readLimited reads all of r, refusing more than maxBytes (when > 0).
func readLimited(r io.Reader, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("read picture: %w", err)
		}
		return data, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read picture: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, inputErrorf(TooLarge, nil, "the file is larger than the limit of %s", veglens.FormatBytes(maxBytes))
	}
	return data, nil
}

// sniff names the format from the file's magic bytes ("" if unknown).
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8")):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return heifBrand(b)
}

var formatNames = map[string]string{"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP", "heic": "HEIC", "avif": "AVIF"}

// decodeError explains a decoder failure: a feature the decoder does not
// implement (12-bit or arithmetic-coded JPEG, for example) is Unsupported,
// anything else means the data is damaged.
func decodeError(format string, err error, what string) *InputError {
	var jerr jpeg.UnsupportedError
	var perr png.UnsupportedError
	var lerr *libjpegError
	var herr heicSizeError
	if errors.As(err, &jerr) || errors.As(err, &perr) || (errors.As(err, &lerr) && lerr.unsupported) || errors.As(err, &herr) {
		return inputErrorf(Unsupported, err, "the %s file uses a feature this service cannot read (%v)", formatNames[format], err)
	}
	return inputErrorf(Corrupt, err, "the %s file is damaged or incomplete: %s", formatNames[format], what)
}

func checkSize(w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return inputErrorf(Corrupt, nil, "the picture claims an impossible size of %dx%d pixels", w, h)
	}
	if lim.MaxPixels > 0 && int64(w)*int64(h) > lim.MaxPixels {
		return inputErrorf(TooLarge, nil, "the picture is %dx%d pixels (%.1f megapixels); the limit is %.0f megapixels",
			w, h, float64(w)*float64(h)/1e6, float64(lim.MaxPixels)/1e6)
	}
	if lim.MinSide > 0 && (w < lim.MinSide || h < lim.MinSide) {
		return inputErrorf(TooSmall, nil, "the picture is %dx%d pixels; each side must be at least %d pixels",
			w, h, lim.MinSide)
	}
	return nil
}

// guard runs a decoder, turning a panic into an error: a damaged file must
// never take the process down.
func guard(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panic: %v", p)
		}
	}()
	err = f()
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// opaque returns img as opaque RGB: *image.YCbCr and *image.Gray are kept,
// opaque *image.RGBA and *image.NRGBA are reused without copying, and every
// other kind (CMYK, palette, 16-bit, images with transparency) is drawn over
// a white background into a new *image.RGBA.
func opaque(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.YCbCr, *image.Gray:
		return m
	case *image.RGBA:
		if m.Opaque() {
			return m
		}
	case *image.NRGBA:
		if m.Opaque() { // opaque NRGBA and RGBA share a pixel layout
			return &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	}
	b := img.Bounds()
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, image.White, image.Point{}, draw.Src)
	draw.Draw(dst, b, img, b.Min, draw.Over)
	return dst
}

// webpRGB converts lossy WebP pixels to RGB. VP8 stores "studio range"
// BT.601 YCbCr (Y in 16..235), but golang.org/x/image/webp returns it as an
// *image.YCbCr or *image.NYCbCrA whose colour model assumes the full JPEG
// range, which would wash colours out. Lossless WebP (*image.NRGBA) is
// returned as is.
func webpRGB(img image.Image) image.Image {
	var ycc *image.YCbCr
	var alpha []uint8
	var astride int
	switch m := img.(type) {
	case *image.YCbCr:
		ycc = m
	case *image.NYCbCrA:
		ycc, alpha, astride = &m.YCbCr, m.A, m.AStride
	default:
		return img
	}
	b := ycc.Rect
	dst := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			ci := ycc.COffset(x, y)
			yy := 1.164383 * (float64(ycc.Y[ycc.YOffset(x, y)]) - 16)
			cb := float64(ycc.Cb[ci]) - 128
			cr := float64(ycc.Cr[ci]) - 128
			i := dst.PixOffset(x, y)
			dst.Pix[i+0] = clamp8(yy + 1.596027*cr)
			dst.Pix[i+1] = clamp8(yy - 0.391762*cb - 0.812968*cr)
			dst.Pix[i+2] = clamp8(yy + 2.017232*cb)
			dst.Pix[i+3] = 0xff
			if alpha != nil {
				dst.Pix[i+3] = alpha[(y-b.Min.Y)*astride+(x-b.Min.X)]
			}
		}
	}
	return dst
}

func clamp8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

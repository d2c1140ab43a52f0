// Package picture reads uploaded photos into pixels: Decode takes JPEG,
// PNG, WebP, the first frame of a GIF, HEIC or AVIF (heif.go), checks its header against Limits
// before decoding any pixels, applies the EXIF orientation and returns a
// Picture whose Image is opaque RGB (greyscale, CMYK, palette and alpha
// images are converted; transparent areas are composited over white).
// Every refusal is an *InputError whose Kind says why and whose message a
// person can read. Thumbnail scales a picture down for previews.
//
// JPEGs are decoded by libjpeg-turbo (libjpeg.go, through cgo, linked
// statically), as browsers and Pillow decode them: any chroma sampling
// layout, progressive and arithmetic-coded files, a missing end-of-image
// marker, and shrink-on-load (Limits.ShrinkTo: decoding straight to 1/2,
// 1/4 or 1/8 scale in the DCT domain). The model was trained on Pillow's
// pixels, and the Go path now gives the very same ones. PNG, WebP and GIF
// are decoded in pure Go (image/png, golang.org/x/image/webp, image/gif),
// and so are the rare four-component (CMYK) JPEGs.
//
// Pixels are sRGB after Decode: a picture that embeds an ICC colour profile
// (JPEG APP2, PNG iCCP, WebP ICCP) of the matrix/TRC kind that phones and
// cameras write (Display P3, Adobe RGB) is converted to sRGB as the ICC
// specification describes (icc.go), so the model, the colour rules and the
// thumbnails all see the colours a colour-managed browser shows;
// Picture.Profile says what was done. This is our own code, not a library's:
// no maintained pure-Go colour-management library could be had, and Little
// CMS would be a second C library to build and link for Lambda. Tests check
// it against Little CMS (through Pillow) on fixtures with both profiles.
//
// Decoding happens once per image; the classifier (package vision) and the
// colour rules (package colour) both read the Picture it returns.
package picture

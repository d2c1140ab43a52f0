// Package picture reads uploaded photos into pixels, in pure Go: Decode
// takes JPEG, PNG, WebP or the first frame of a GIF, checks its header
// against Limits before decoding any pixels, applies the EXIF orientation
// and returns a Picture whose Image is opaque RGB (greyscale, CMYK, palette
// and alpha images are converted; transparent areas are composited over
// white). Every refusal is an *InputError whose Kind says why and whose
// message a person can read. Thumbnail scales a picture down for previews.
//
// Pixels are sRGB after Decode: a picture that embeds an ICC colour profile
// (JPEG APP2, PNG iCCP, WebP ICCP) of the matrix/TRC kind that phones and
// cameras write (Display P3, Adobe RGB) is converted to sRGB as the ICC
// specification describes (icc.go), so the model, the colour rules and the
// thumbnails all see the colours a colour-managed browser shows;
// Picture.Profile says what was done. This is our own code, not a library's:
// no maintained pure-Go colour-management library could be had, and Little
// CMS through cgo would tie every build, test and Lambda binary to a C
// toolchain and to Lambda's glibc. Tests check it against Little CMS
// (through Pillow) on fixtures with both profiles.
//
// Decoding happens once per image; the classifier (package vision) and the
// colour rules (package colour) both read the Picture it returns.
package picture

// Package picture reads uploaded photos into pixels, in pure Go: Decode
// takes JPEG, PNG, WebP or the first frame of a GIF, checks its header
// against Limits before decoding any pixels, applies the EXIF orientation
// and returns a Picture whose Image is opaque RGB (greyscale, CMYK, palette
// and alpha images are converted; transparent areas are composited over
// white). Every refusal is an *InputError whose Kind says why and whose
// message a person can read. Thumbnail scales a picture down for previews.
//
// Decoding happens once per image; the classifier (package vision) and the
// colour rules (package colour) both read the Picture it returns.
package picture

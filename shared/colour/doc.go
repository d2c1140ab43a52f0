// Package colour names the dominant colour of a picture on two fixed
// 12-colour wheels, RGBWheel and RYBWheel, with two methods. Analyze computes
// both methods on both wheels in one pass over the pixels.
//
// # Pixels
//
// Every method sees a pixel as its 8-bit sRGB value composited over white
// (r8 = (R + 0xffff - A) >> 8 with the 16-bit premultiplied values of
// color.Color.RGBA). For opaque pictures this is exactly what image.At
// gives; transparent areas count as white, which is how the site shows them
// and how picture.Decode flattens them. Y'CbCr pictures are converted exactly
// as the image/color package does.
//
// # Reference method
//
// The rule the product was specified with: for each palette colour, the mean
// over every pixel of the Euclidean distance in (R, G, B) between the pixel
// and that colour; the smallest mean wins, ties go to the earlier entry.
// It is exact: 8-bit values, no gamma, no sampling. Distances come from a
// float64 table of math.Sqrt over all 195,076 possible squared distances, so
// the sums are the very float64 sums a plain per-pixel loop forms. Pictures
// above one megapixel are summed in bands of 256 rows on several cores and
// the band sums are added in image order, so the answer never depends on
// scheduling (it can differ from a single running sum only by float
// rounding, about 1e-13 of the mean).
//
// This rule is dominated by backgrounds and by neutral pixels: a white plate
// or a wooden table decides the colour, and any greyish picture ends up on
// one of the six entries that sit at the same distance from mid-grey
// (orange, chartreuse, spring green, azure, violet, rose).
//
// # Foreground method
//
// The colour a person would name for the subject. Steps:
//
//  1. Working copy. The picture is box-averaged (in 8-bit sRGB) to a copy
//     whose long side is at most 48 cells (a 224x224 photo becomes 45x45
//     cells of 5x5 pixels, a 4000x3000 one 48x36); the averaging happens in
//     the same pass as the reference sums. The answers hardly depend on this
//     size (the golden set scores the same from 32 to 128). Each cell is converted to OKLab (L lightness 0..1,
//     chroma C = hypot(a, b), hue angle h).
//  2. Background. The border band (8% of each side) is binned in OKLab
//     (bins 0.10 in L, 0.05 in a and b); every bin holding at least 15% of
//     the border cells is a candidate background colour (its mean colour; at
//     most four). A candidate is dropped again when it is nearly as common in
//     the centre (the middle quarter of the area) as at the border
//     (centre share >= 0.75 x border share): then it is the subject filling
//     the frame (a pile of beans), not a backdrop. Cells within OKLab
//     distance 0.07 of a remaining background colour are ignored.
//  3. Weights. Each remaining cell is weighted by a centre-weighted Gaussian
//     (sigma 0.3 of each side); photographers centre the subject. Cells
//     darker than L = 0.25 are shadows or black backdrops and are ignored.
//  4. Neutral cells. Cells with chroma below 0.03 (white, grey, cream,
//     beige-white) are neutral: they count towards the neutral share but do
//     not vote for a hue.
//  5. Hue votes. Every other cell votes, with weight (centre weight x
//     chroma), for the palette entry whose OKLab hue is nearest to its own,
//     with three naming rules that follow how people name object colours
//     rather than light sources:
//     - Basic names first. Only entries named by a basic colour word (RGB:
//     red, orange, yellow, green, cyan, blue, violet, magenta; RYB: red,
//     orange, yellow, green, blue, violet) take dull colours; the in-between
//     names (chartreuse, spring green, azure, rose, red-orange,
//     yellow-green, ...) are given only to cells with at least 70% of that
//     entry's own chroma. A leaf-green bean sits at the hue of chartreuse
//     in every colour space, yet everybody calls it green.
//     - Yellow needs light. "yellow" is only given to cells with L >= 0.75;
//     a darker yellow is olive or khaki and goes to the next nearest entry.
//     - Dull red is brown. A red-hued cell with less than half of red's
//     chroma is brown, which both wheels call orange.
//  6. Result. The shares are the normalised hue votes (every entry of the
//     palette, summing to 1). If neutral cells make up at least half of the
//     weight the subject is neutral (a white cauliflower, a pale radish):
//     Neutral is true and the entry is the name of the neutral cells' mean
//     tint (same rules, basic names only), so search still gets the closest
//     hue; a neutral subject without a tint (mean chroma below 0.005) is
//     named by its largest share instead. Otherwise the entry is the largest
//     share, ties to the earlier entry. A picture without any hue at all
//     (greyscale) reports the reference entry, Neutral true.
//
// The golden test (testdata/golden.csv, photos from infra/gallery labelled
// by looking at them) measures both methods against what people name; see
// testdata/README.md.
package colour

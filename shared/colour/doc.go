// Package colour names the dominant colour of a picture on two fixed
// 12-colour wheels (veglens.RGBWheel and veglens.RYBWheel) with two methods,
// and, for the vegetable itself, with one of 12 everyday words
// (veglens.CommonNames). Analyze computes everything in one pass over the
// pixels.
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
// Both methods measure the picture pixel for pixel up to AnalysisSide (768
// px) on the long side. A larger one is first box-averaged by the smallest
// whole factor that brings it within that size (a 4032x3024 phone photo by
// 6, to 672x504; Y'CbCr pictures are averaged before they are converted),
// so a 12 MP photo costs one pass over its pixels, not 24 distances per
// pixel.
//
// # Reference method
//
// The rule the product was specified with: for each palette colour, the mean
// over every pixel of the Euclidean distance in (R, G, B) between the pixel
// and that colour; the smallest mean wins, ties go to the earlier entry.
// It is exact on the analysed picture (see Pixels): 8-bit values, no gamma,
// no sampling, and the winner is always the one a plain per-pixel float64
// loop with math.Sqrt names. Getting there costs 24 square roots per
// pixel, so it is done in two steps:
//
//  1. Estimate. Where the CPU has AVX and FMA (golang.org/x/sys/cpu says
//     so), a short assembly kernel (reference_amd64.s) takes each pixel's
//     squared distances to the 24 colours in float32, eight colours per
//     instruction (exact: they are integers below 2^24), their correctly
//     rounded square roots (VSQRTPS), and sums them per row in float32;
//     the row sums are added in float64. Each estimate is within
//     w * 2^-24 (relative; w the row width, 1.3e-5 at 224 px) of the exact
//     sum: one rounding per square root and recursive summation of
//     nonnegative terms (Higham, "Accuracy and Stability of Numerical
//     Algorithms", 2nd ed., section 4.2).
//  2. Prove or redo. If the smallest estimate stays smaller than every
//     other even when both are moved by that bound and by the plain loop's
//     own rounding, its entry is the exact winner. Otherwise (entries
//     within that bound of each other, as the six entries that tie for a
//     grey picture) that wheel is summed again exactly, pixel by pixel, from
//     a float64 table of math.Sqrt over all 195,076 possible squared
//     distances, so the sums are the very float64 sums a plain loop forms.
//     One gallery photo in 150 needs this second pass.
//
// Without the kernel (other CPUs, or built with -tags purego) every wheel is
// summed exactly from the start. Pictures above a quarter megapixel are
// summed in bands of 256 rows on several cores and the band sums added in
// image order, which can differ from one running sum by float rounding
// (about 1e-13 of the mean): step 2 checks those sums the same way, with
// that rounding as the bound, and sums a wheel again in image order when
// two entries are that close. The mean distances the analysis reports are
// the sums divided by the pixel count: estimates unless redone.
//
// This rule is dominated by backgrounds and by neutral pixels: a white plate
// or a wooden table decides the colour, and any greyish picture ends up on
// one of the six entries that sit at the same distance from mid-grey
// (orange, chartreuse, spring green, azure, violet, rose).
//
// # Foreground method
//
// The colour a person would name for the vegetable. Steps:
//
//  1. Working copy. The picture is box-averaged (in 8-bit sRGB) to a copy
//     whose long side is at most 48 cells (a 224x224 photo becomes 45x45
//     cells of 5x5 pixels, a 4000x3000 one 48x36); the averaging happens in
//     the same pass as the reference sums, so a 12 MP photo costs one read
//     of its pixels. Each cell is converted to OKLab (Ottosson 2020: L
//     lightness 0..1, chroma C = hypot(a, b), hue angle h).
//  2. Where the vegetable is. With the classifier's class-activation map
//     (Zhou et al. 2016, "Learning Deep Features for Discriminative
//     Localization"; 7x7 over the whole picture, from the model's graph),
//     each cell is weighted by the map, sampled bilinearly at its centre and
//     divided by the map's peak; cells below 20 % of the peak weigh nothing,
//     the threshold Zhou et al. use to outline the object. Leaves, bowls,
//     hands and other vegetables beside it then count little. Without a map
//     (or with a malformed or all-zero one) the fallback is a centre-weighted
//     Gaussian (sigma 0.3 of each side): photographers centre the subject.
//     Foreground.Focus says which ran. When the map points only at cells
//     the background rule (step 3) drops, the fallback runs instead.
//  3. Background. Either way, the border band (8 % of each side) is binned
//     in OKLab (bins 0.10 in L, 0.05 in a and b); every bin holding at least
//     15 % of the border cells is a candidate background colour (its mean
//     colour; at most four). A candidate is dropped again when it is nearly
//     as common in the centre (the middle quarter of the area) as at the
//     border (centre share >= 0.75 x border share): then it is the subject
//     filling the frame (a pile of beans), not a backdrop. Cells within
//     OKLab distance 0.07 of a remaining background colour are ignored.
//  4. Dark cells. Cells darker than L = 0.25 are shadow or near-black
//     noise, whose hue cannot be trusted: they never vote for a hue. When
//     they make up at least 60 % of the weight, the vegetable is too dark to
//     measure: neutral, common name black, no wheel colour.
//  5. Neutral cells. Cells with chroma below 0.03 (scaled down in proportion
//     below L = 0.7, since dark colours carry less chroma: a dark green
//     pumpkin at L 0.5 is coloured from C 0.021) are neutral: they count
//     towards the neutral share but do not vote for a hue. If they make up at
//     least half of the lit weight, the vegetable is neutral (a white
//     cauliflower, a pale radish, a greyscale picture): common name white
//     (mean L >= 0.62) or grey, and no wheel colour (the shares still show
//     the faint tints present). Foreground searches never return a neutral
//     vegetable for a wheel colour; it is found by its common name.
//  6. Hue votes. Every other cell votes, with weight (focus weight x
//     chroma), for a wheel entry chosen by hue bands in OKLCh rather than by
//     the nearest entry, because people name object colours by a few basic
//     words whose borders do not sit midway between the wheels' entries:
//     red from 345 to 41 degrees, orange to 68, yellow to 92, green to 180,
//     cyan (RYB: blue-green) to 215, blue to 285, violet to 315, magenta
//     (RYB: red-violet) to 345. A warm-lit yellow pepper sits at 80-90
//     degrees, nearer the wheel's orange (53) than its yellow (110), and a
//     pale cabbage at 95-110, nearer yellow than green; the bands were set
//     where the golden photos' names change. Three adjustments follow how
//     people name object colours rather than lights:
//     - In-between names (chartreuse, spring green, azure, rose, red-orange,
//     yellow-green, ...) take a cell only when its hue is nearer to them than
//     to its band's entry and it has at least 70 % of that entry's own
//     chroma: a leaf-green bean sits at the hue of chartreuse in every colour
//     space, yet everybody calls it green.
//     - A yellow darker than L = 0.45 is olive, and a red below half of
//     red's chroma and darker than L = 0.6 is brown: both wheels call them
//     orange. A light, saturated hue just past yellow's band (below 115
//     degrees, L >= 0.78, C >= 0.12: a lemon) stays yellow.
//     - The two wheels never name opposite hues: when the RYB vote's winner
//     lies more than 60 degrees of hue from the RGB winner (a subject of two
//     colours), the RYB answer is its largest share within 60 degrees of the
//     RGB answer.
//  7. Result. The shares are the normalised hue votes (every entry of the
//     palette, summing to 1); the RGB wheel names its largest share, ties to
//     the earlier entry, and the RYB wheel its largest share too unless the
//     60-degree rule of step 6 picks a smaller one next to the RGB answer.
//  8. Memory colour. People name a familiar object by the colour they know
//     it has when its light misleads (Hansen et al. 2006, "Memory modulates
//     color appearance", Nature Neuroscience 9). When the model names the
//     kind (veglens.ActivationMap.Kind; never for a refused photo) and the
//     answer is not one of the colours the kind comes in
//     (veglens.KindColours, commonest first), and only then, the names
//     follow the kind where the measurement cannot be trusted; the shares
//     stay as measured and Foreground.MemoryColour says so:
//     - muted (mean chroma of the answer's voters below beige's 0.075) and
//     light (mean L >= 0.62, white's boundary): white, neutral, when the
//     kind comes in white (a cauliflower curd in yellowish light);
//     - muted and dark (mean L < 0.5): the first listed colour whose hue
//     band lies within 120 degrees (under warm shop light a dark purple
//     aubergine measures dark red or brown, OKLCh L 0.35-0.45, C 0.04-0.06,
//     hue 30-55);
//     - a brown, beige or pink answer whose band's plain word (orange,
//     yellow, red) the kind comes in: that word (a cream pepper is a pale
//     yellow one);
//     - any other unmuted answer within 8 degrees of the band of a listed
//     colour: that colour (hue names have soft borders, Berlin and Kay
//     1969: a carrot at 36 degrees, just inside red, is orange);
//     - a subject found grey (step 5) whose kind never comes in grey, when
//     at least 15 % of its lit weight is coloured and those cells name a
//     listed colour: that colour, not neutral (a dark green pumpkin whose
//     skin is mostly below the neutral chroma limit).
//     A picture with no coloured cells (greyscale, uniform, too dark) stays
//     neutral whatever the kind.
//
// # Common names
//
// One everyday word per vegetable (veglens.CommonNames). A neutral
// vegetable is white, grey or black (steps 4 and 5). Otherwise the word
// follows the RGB answer, refined by the mean lightness L and chroma C
// (OKLCh) of the cells that voted for it:
//
//	RGB answer                  word
//	red, rose                   pink when L >= 0.75 and C < 0.17, else red
//	magenta                     pink when L >= 0.75 and C < 0.17, else purple
//	violet                      purple
//	orange                      brown when L < 0.48 or C < 0.045 (dark or greyish
//	                            orange), beige when C < 0.075 (low-chroma orange:
//	                            in shop light a pale potato is L 0.5-0.6), else
//	                            orange
//	yellow                      beige when C < 0.075 and L >= 0.65 (tan, cream),
//	                            else yellow
//	chartreuse, green, spring   green
//	cyan, azure, blue           blue
//
// So the word and the wheels never disagree about the hue: brown is the
// wheel's orange, beige its orange or yellow, pink its red, rose or magenta.
// CommonShares gives each word's share, from the RGB shares, so a subject of
// several hues can have a larger share of another word than its own.
//
// The golden tests (testdata/golden.csv: gallery photos; testdata/realworld.csv:
// real shop photos; both labelled by looking at them) measure every method
// against what people name; see testdata/README.md.
package colour

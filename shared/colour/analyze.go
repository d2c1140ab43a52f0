package colour

import (
	"bytes"
	"cmp"
	"encoding/json"
	"image"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/veglens/veglens/shared/veglens"
)

// Analysis is everything Analyze computes for one image. It marshals to
// JSON as
//
//	{"reference": {"rgb": {"name": ..., "hex": ...}, "ryb": {...}},
//	 "foreground": {"rgb": {...}, "ryb": {...}, "common": {...},
//	                "neutral": false, "focus": "activation map",
//	                "neutral_share": 0.12, "background_share": 0.3,
//	                "rgb_shares": {"red": 0.01, ...}, "ryb_shares": {...},
//	                "common_shares": {"white": 0, ...}}}
type Analysis struct {
	Reference  Reference  `json:"reference"`
	Foreground Foreground `json:"foreground"`
}

// Reference is the reference method's dominant colour on each wheel: the
// entry with the smallest mean Euclidean RGB distance over every pixel.
type Reference struct {
	RGB veglens.Colour `json:"rgb"`
	RYB veglens.Colour `json:"ryb"`
	// RGBDistances and RYBDistances are the mean distances, in palette
	// order: exact, or estimates within 1.3e-5 (relative; 4.6e-5 for
	// 768 px rows) where the winner was proven from estimates (doc.go,
	// Reference method).
	RGBDistances []float64 `json:"rgb_distances"`
	RYBDistances []float64 `json:"ryb_distances"`
}

// Foreground is the foreground method's answer: the colour of the subject.
type Foreground struct {
	// RGB and RYB name the subject's hue on each wheel; the zero Colour when
	// it has none that can be measured (see Neutral).
	RGB veglens.Colour `json:"rgb"`
	RYB veglens.Colour `json:"ryb"`
	// Common is the everyday name (veglens.CommonNames).
	Common veglens.Colour `json:"common"`
	// Neutral reports a subject without a measurable tint: mostly white,
	// grey or colourless, or too dark to measure. RGB and RYB are then
	// empty: a neutral subject is found by its common name only.
	Neutral bool `json:"neutral"`
	// Focus says how the subject was found: FocusActivationMap or
	// FocusBorder.
	Focus string `json:"focus"`
	// MemoryColour reports that the subject's measured hue could not be
	// trusted (too dark and dull, or on the border of two names) and the
	// names are the colour its kind is known to come in nearest to it
	// (veglens.KindColours; doc.go, step 8). The shares stay as measured.
	MemoryColour bool `json:"memory_colour"`
	// NeutralShare is the weight of neutral pixels in the subject, 0..1.
	NeutralShare float64 `json:"neutral_share"`
	// BackgroundShare is the part of the weighted picture (focus or centre
	// weights) dropped as background, 0..1.
	BackgroundShare float64 `json:"background_share"`
	// RGBShares and RYBShares give every entry's share of the subject's
	// hue (0..1, summing to 1 unless the image has no hue at all).
	RGBShares Shares `json:"rgb_shares"`
	RYBShares Shares `json:"ryb_shares"`
	// CommonShares gives every common name's share: the RGB shares, each
	// entry named in words as its voters' lightness and chroma say (so the
	// largest share can differ from Common, which follows the RGB answer);
	// a neutral subject's word alone when neutral.
	CommonShares Shares `json:"common_shares"`
}

// How the foreground method found the subject.
const (
	// FocusActivationMap: cells weighted by the classifier's
	// class-activation map.
	FocusActivationMap = "activation map"
	// FocusBorder: the fallback, a centre Gaussian with the border's
	// background colours left out.
	FocusBorder = "border background"
)

// Share is one palette entry's share of the foreground.
type Share struct {
	veglens.Colour
	Share float64 `json:"share"`
}

// Shares lists every entry of a palette in palette order. It marshals to a
// JSON object keyed by entry name, in palette order, with shares rounded to
// four decimals.
type Shares []Share

// MarshalJSON writes {"red": 0.1234, ...}.
func (s Shares) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range s {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(e.Name)
		buf.Write(k)
		buf.WriteByte(':')
		buf.WriteString(strconv.FormatFloat(math.Round(e.Share*1e4)/1e4, 'f', -1, 64))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Get returns the share of the entry with the given name.
func (s Shares) Get(name string) float64 {
	for _, e := range s {
		if e.Name == name {
			return e.Share
		}
	}
	return 0
}

// Analyze computes both methods on both wheels in one pass over the pixels:
// each row is converted once, added to the reference sums and averaged into
// the foreground method's working copy. focus says where the subject is (the
// classifier's class-activation map over the whole picture); the zero
// ActivationMap, or one that is malformed or all zero, makes the foreground
// method fall back to its centre weighting and background rule. An empty
// image gives the zero Analysis.
func Analyze(img image.Image, focus veglens.ActivationMap) Analysis {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return Analysis{}
	}
	read := rowReader(img)
	row := func(y int, dst []byte) { read(b.Min.Y+y, dst) }
	if long := max(w, h); long > AnalysisSide {
		s := shrink(img, (long+AnalysisSide-1)/AnalysisSide)
		row, w, h = s.rows(), s.w, s.h
	}
	// Working copy: box averages of f x f blocks, long side <= workSide.
	f := (max(w, h) + workSide - 1) / workSide
	gw, gh := (w+f-1)/f, (h+f-1)/f
	ref, sums := scan(row, w, h, f, gw, gh)
	ref.settle(row, w, h)
	work := make([]uint8, 3*gw*gh)
	for i := range gw * gh {
		n := sums[4*i+3]
		for c := range 3 {
			work[3*i+c] = uint8((sums[4*i+c] + n/2) / n)
		}
	}
	fg := foreground(work, gw, gh, focus)
	if fg.empty && fg.focused {
		// The map pointed only at background colours: measure without it.
		fg = foreground(work, gw, gh, veglens.ActivationMap{Kind: focus.Kind})
	}

	var a Analysis
	for p, pal := range veglens.Wheels() {
		rw := ref.winner(p)
		dist := make([]float64, 12)
		for k := range dist {
			dist[k] = ref.mean(p, k)
		}
		shares := make(Shares, 12)
		for k, e := range pal.Colours {
			shares[k] = Share{Colour: e, Share: fg.pal[p].shares[k]}
		}
		var named veglens.Colour // none when the subject has no measurable hue
		if fw := fg.pal[p].winner; fw >= 0 {
			named = pal.Colours[fw]
		}
		if p == 0 {
			a.Reference.RGB, a.Reference.RGBDistances = pal.Colours[rw], dist
			a.Foreground.RGB, a.Foreground.RGBShares = named, shares
		} else {
			a.Reference.RYB, a.Reference.RYBDistances = pal.Colours[rw], dist
			a.Foreground.RYB, a.Foreground.RYBShares = named, shares
		}
	}
	a.Foreground.Common = commonColour(fg.common)
	a.Foreground.CommonShares = make(Shares, 12)
	for k, e := range veglens.CommonNames.Colours {
		a.Foreground.CommonShares[k] = Share{Colour: e, Share: fg.commonShares[k]}
	}
	a.Foreground.Focus = FocusBorder
	if fg.focused {
		a.Foreground.Focus = FocusActivationMap
	}
	a.Foreground.Neutral = fg.neutral
	a.Foreground.MemoryColour = fg.memory
	a.Foreground.NeutralShare = math.Round(fg.neutralShare*1e4) / 1e4
	a.Foreground.BackgroundShare = math.Round(fg.background*1e4) / 1e4
	return a
}

// bandRows is the height of the row bands that large pictures are split
// into; bands are scanned concurrently and combined in order.
const bandRows = 256

// parallelPixels is the size above which scan uses several goroutines
// (a phone photo analysed at AnalysisSide, 768x576, is scanned on all cores).
const parallelPixels = 1 << 18

// scan is the single pass over the w x h pixels that row reads (rows
// 0..h-1): it returns the reference sums and the per-cell R, G, B sums and
// counts of the working copy (cells of f x f pixels, gw x gh of them).
func scan(row rowFunc, w, h, f, gw, gh int) (refSums, []uint32) {
	band := func(y0, y1 int, ref *refSums, sums []uint32) {
		buf := make([]byte, 3*w)
		for y := y0; y < y1; y++ {
			row(y, buf)
			ref.addRow(buf)
			// Add the row to its cells: cell cx covers columns cx*f up to
			// (cx+1)*f (the last one may be narrower).
			gs := sums[4*gw*(y/f) : 4*gw*(y/f+1)]
			px := buf
			for cx := 0; len(px) > 0; cx++ {
				n := min(3*f, len(px))
				var sr, sg, sb uint32
				for p := px[:n]; len(p) >= 3; p = p[3:] {
					sr += uint32(p[0])
					sg += uint32(p[1])
					sb += uint32(p[2])
				}
				c := gs[4*cx : 4*cx+4 : 4*cx+4]
				c[0] += sr
				c[1] += sg
				c[2] += sb
				c[3] += uint32(n / 3)
				px = px[n:]
			}
		}
	}
	sums := make([]uint32, 4*gw*gh)
	var ref refSums
	if w*h <= parallelPixels {
		band(0, h, &ref, sums)
		return ref, sums
	}
	nb := (h + bandRows - 1) / bandRows
	refs := make([]refSums, nb)
	bandSums := make([][]uint32, nb)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), nb) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				bandSums[i] = make([]uint32, 4*gw*gh)
				y0 := i * bandRows
				band(y0, min(y0+bandRows, h), &refs[i], bandSums[i])
			}
		}()
	}
	for i := range nb {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i := range nb { // combine in image order: the result does not depend on scheduling
		ref.merge(&refs[i])
		for j, v := range bandSums[i] {
			sums[j] += v
		}
	}
	return ref, sums
}

// Colours is the analysis as the service stores and serves it: each
// method's dominant colour on both wheels; for the foreground method also
// whether the subject is neutral and the share of every wheel colour
// present (largest first, ties in wheel order).
func (a Analysis) Colours() veglens.Colours {
	ref := func(c veglens.Colour) veglens.PaletteResult {
		return veglens.PaletteResult{Dominant: c, Shares: []veglens.ColourShare{}}
	}
	fg := func(c veglens.Colour, shares Shares) veglens.PaletteResult {
		r := veglens.PaletteResult{Dominant: c, Neutral: a.Foreground.Neutral, Shares: []veglens.ColourShare{}, MemoryColour: a.Foreground.MemoryColour}
		for _, s := range shares {
			if s.Share > 0 {
				r.Shares = append(r.Shares, veglens.ColourShare{Name: s.Name, Hex: s.Hex, Share: min(s.Share, 1)})
			}
		}
		slices.SortStableFunc(r.Shares, func(x, y veglens.ColourShare) int { return cmp.Compare(y.Share, x.Share) })
		return r
	}
	common := fg(a.Foreground.Common, a.Foreground.CommonShares)
	return veglens.Colours{
		Foreground: veglens.MethodColours{
			RGB:    fg(a.Foreground.RGB, a.Foreground.RGBShares),
			RYB:    fg(a.Foreground.RYB, a.Foreground.RYBShares),
			Common: &common,
		},
		Reference: veglens.MethodColours{RGB: ref(a.Reference.RGB), RYB: ref(a.Reference.RYB)},
	}
}

// Measure is Analyze in the service's terms: Analyze(img, focus).Colours().
func Measure(img image.Image, focus veglens.ActivationMap) veglens.Colours {
	return Analyze(img, focus).Colours()
}

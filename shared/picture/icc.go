package picture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"sort"
)

// Colour management: pixels in an embedded ICC profile's colour space
// (Display P3 from phones, Adobe RGB from cameras) are converted to sRGB,
// which the model was trained on, the colour rules assume and browsers show
// thumbnails in. The conversion follows the ICC specification (ICC.1:2022,
// "Image technology colour management"): a matrix/TRC ("matrix-shaper")
// RGB profile maps its pixels to the profile connection space, CIE XYZ
// under D50, through three tone curves (rTRC, gTRC, bTRC) and the
// columns rXYZ, gXYZ, bXYZ; the sRGB profile's own matrix (IEC 61966-2-1
// primaries, adapted to D50 with the Bradford transform, as the ICC's
// sRGB profile carries them) maps XYZ back, with relative colorimetric
// intent and out-of-gamut values clipped, as Little CMS does for these
// profiles. Profiles of other kinds (LUT-based, CMYK, grey) are left
// alone: the pixels are taken as sRGB.

// maxICCBytes bounds an embedded profile (real ones are a few KB; a
// Display P3 profile is 536 bytes).
const maxICCBytes = 4 << 20

// srgbToXYZD50 is sRGB's matrix to the D50 connection space: the
// IEC 61966-2-1 primaries and D65 white adapted to D50 with the Bradford
// transform (B. Lindbloom, "RGB/XYZ Matrices"; the same matrix Little
// CMS builds for its sRGB profile).
var srgbToXYZD50 = [3][3]float64{
	{0.4360747, 0.3850649, 0.1430804},
	{0.2225045, 0.7168786, 0.0606169},
	{0.0139322, 0.0971045, 0.7141733},
}

// iccProfile is a parsed matrix/TRC RGB profile.
type iccProfile struct {
	toXYZ [3][3]float64 // rows X, Y, Z; columns R, G, B
	trc   [3]toneCurve
}

// toneCurve maps an encoded value 0..1 to linear light 0..1.
type toneCurve func(float64) float64

// errNotMatrixRGB: the profile is valid ICC but not a matrix/TRC RGB one.
var errNotMatrixRGB = errors.New("not a matrix/TRC RGB profile")

// parseICC reads the header and the six tags of a matrix/TRC RGB profile.
func parseICC(p []byte) (*iccProfile, error) {
	if len(p) < 132 || string(p[36:40]) != "acsp" {
		return nil, errors.New("not an ICC profile (no 'acsp' signature)")
	}
	if string(p[16:20]) != "RGB " || string(p[20:24]) != "XYZ " {
		return nil, errNotMatrixRGB
	}
	n := int(binary.BigEndian.Uint32(p[128:132]))
	if n > (len(p)-132)/12 {
		return nil, errors.New("ICC tag table runs past the profile")
	}
	tags := map[string][]byte{}
	for i := range n {
		e := p[132+12*i:]
		off, size := binary.BigEndian.Uint32(e[4:8]), binary.BigEndian.Uint32(e[8:12])
		if uint64(off)+uint64(size) > uint64(len(p)) || size < 8 {
			return nil, fmt.Errorf("ICC tag %q runs past the profile", e[:4])
		}
		tags[string(e[:4])] = p[off : off+size]
	}
	var prof iccProfile
	for c, name := range []string{"r", "g", "b"} {
		xyz, ok := tags[name+"XYZ"]
		trc, ok2 := tags[name+"TRC"]
		if !ok || !ok2 {
			return nil, errNotMatrixRGB
		}
		if string(xyz[:4]) != "XYZ " || len(xyz) < 20 {
			return nil, fmt.Errorf("ICC tag %sXYZ is not an XYZ value", name)
		}
		for k := range 3 {
			prof.toXYZ[k][c] = s15Fixed16(xyz[8+4*k:])
		}
		curve, err := parseCurve(trc)
		if err != nil {
			return nil, fmt.Errorf("ICC tag %sTRC: %w", name, err)
		}
		// A curve must map 0..1 into 0..1; a crafted one (a negative gamma,
		// say) gives infinities or NaN, and the profile is not used.
		for v := range 256 {
			if l := curve(float64(v) / 255); math.IsNaN(l) || l < -1e-6 || l > 1+1e-6 {
				return nil, fmt.Errorf("ICC tag %sTRC maps %d/255 to %v, outside 0..1", name, v, l)
			}
		}
		prof.trc[c] = curve
	}
	for _, row := range prof.toXYZ {
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errors.New("ICC colorant matrix is not finite")
			}
		}
	}
	return &prof, nil
}

func s15Fixed16(b []byte) float64 { return float64(int32(binary.BigEndian.Uint32(b))) / 65536 }

// parseCurve reads a curveType ('curv': identity, a gamma, or a table) or
// a parametricCurveType ('para', function types 0 to 4).
func parseCurve(t []byte) (toneCurve, error) {
	switch string(t[:4]) {
	case "curv":
		if len(t) < 12 {
			return nil, errors.New("curve too short")
		}
		n := int(binary.BigEndian.Uint32(t[8:12]))
		if n > (len(t)-12)/2 {
			return nil, errors.New("curve table runs past its tag")
		}
		switch n {
		case 0:
			return func(x float64) float64 { return x }, nil
		case 1:
			g := float64(binary.BigEndian.Uint16(t[12:14])) / 256
			return func(x float64) float64 { return math.Pow(x, g) }, nil
		}
		table := make([]float64, n)
		for i := range table {
			table[i] = float64(binary.BigEndian.Uint16(t[12+2*i:])) / 65535
		}
		return func(x float64) float64 { // linear interpolation, as the spec says
			pos := x * float64(n-1)
			i := min(int(pos), n-2)
			f := pos - float64(i)
			return table[i]*(1-f) + table[i+1]*f
		}, nil
	case "para":
		if len(t) < 16 {
			return nil, errors.New("parametric curve too short")
		}
		kind := binary.BigEndian.Uint16(t[8:10])
		counts := map[uint16]int{0: 1, 1: 3, 2: 4, 3: 5, 4: 7}
		k, ok := counts[kind]
		if !ok || len(t) < 12+4*k {
			return nil, fmt.Errorf("unknown parametric curve type %d", kind)
		}
		var v [7]float64
		for i := range k {
			v[i] = s15Fixed16(t[12+4*i:])
		}
		g, a, b, c, d, e, f := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
		pow := func(x float64) float64 { return math.Pow(max(x, 0), g) }
		switch kind {
		case 0:
			return func(x float64) float64 { return pow(x) }, nil
		case 1:
			return func(x float64) float64 {
				if x >= -b/a {
					return pow(a*x + b)
				}
				return 0
			}, nil
		case 2:
			return func(x float64) float64 {
				if x >= -b/a {
					return pow(a*x+b) + c
				}
				return c
			}, nil
		case 3:
			return func(x float64) float64 {
				if x >= d {
					return pow(a*x + b)
				}
				return c * x
			}, nil
		default:
			return func(x float64) float64 {
				if x >= d {
					return pow(a*x+b) + e
				}
				return c*x + f
			}, nil
		}
	}
	return nil, fmt.Errorf("unknown curve type %q", t[:4])
}

// srgbEncode is the sRGB transfer function (IEC 61966-2-1), linear 0..1 to
// encoded 0..1.
func srgbEncode(l float64) float64 {
	if l <= 0.0031308 {
		return 12.92 * l
	}
	return 1.055*math.Pow(l, 1/2.4) - 0.055
}

// srgbDecode is its inverse.
func srgbDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// transform is a profile's conversion to sRGB for 8-bit pixels.
type transform struct {
	lin [3][256]float32 // encoded 8-bit value -> linear light, per channel
	m   [3][3]float32   // linear source RGB -> linear sRGB
	enc [4096]uint8     // linear sRGB (0..1 in 4096 steps) -> encoded 8-bit
}

// encSteps is the resolution of the linear-to-encoded table: 4096 steps
// keep every 8-bit output within one level of the exact function.
const encSteps = 4096

// toSRGB builds the transform from the profile to sRGB, or returns nil when
// the profile is sRGB already (its matrix and curves within half an 8-bit
// level of sRGB's), so that such pictures keep their decoded pixels.
func (p *iccProfile) toSRGB() *transform {
	inv := invert3(srgbToXYZD50)
	var t transform
	for r := range 3 {
		for c := range 3 {
			var s float64
			for k := range 3 {
				s += inv[r][k] * p.toXYZ[k][c]
			}
			t.m[r][c] = float32(s)
		}
	}
	same := true
	for r := range 3 {
		for c := range 3 {
			want := 0.0
			if r == c {
				want = 1
			}
			if math.Abs(float64(t.m[r][c])-want) > 0.002 {
				same = false
			}
		}
	}
	for c := range 3 {
		for v := range 256 {
			l := min(max(p.trc[c](float64(v)/255), 0), 1)
			t.lin[c][v] = float32(l)
			if math.Abs(l-srgbDecode(float64(v)/255))*255 > 0.5 {
				same = false
			}
		}
	}
	if same {
		return nil
	}
	for i := range t.enc {
		t.enc[i] = uint8(math.Round(255 * srgbEncode(float64(i)/(encSteps-1))))
	}
	return &t
}

// apply converts an opaque picture's pixels to sRGB, returning a new
// *image.RGBA.
func (t *transform) apply(img image.Image) *image.RGBA {
	b := img.Bounds()
	out, ok := img.(*image.RGBA)
	if !ok {
		out = image.NewRGBA(b)
		draw.Draw(out, b, img, b.Min, draw.Src)
	}
	px := out.Pix
	for i := 0; i+3 < len(px); i += 4 {
		r, g, bl := t.lin[0][px[i]], t.lin[1][px[i+1]], t.lin[2][px[i+2]]
		for c := range 3 {
			v := t.m[c][0]*r + t.m[c][1]*g + t.m[c][2]*bl
			if !(v > 0) { // also NaN
				v = 0
			} else if v > 1 {
				v = 1
			}
			px[i+c] = t.enc[int(v*(encSteps-1)+0.5)]
		}
	}
	return out
}

func invert3(m [3][3]float64) [3][3]float64 {
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	var r [3][3]float64
	r[0][0] = (m[1][1]*m[2][2] - m[1][2]*m[2][1]) / det
	r[0][1] = (m[0][2]*m[2][1] - m[0][1]*m[2][2]) / det
	r[0][2] = (m[0][1]*m[1][2] - m[0][2]*m[1][1]) / det
	r[1][0] = (m[1][2]*m[2][0] - m[1][0]*m[2][2]) / det
	r[1][1] = (m[0][0]*m[2][2] - m[0][2]*m[2][0]) / det
	r[1][2] = (m[0][2]*m[1][0] - m[0][0]*m[1][2]) / det
	r[2][0] = (m[1][0]*m[2][1] - m[1][1]*m[2][0]) / det
	r[2][1] = (m[0][1]*m[2][0] - m[0][0]*m[2][1]) / det
	r[2][2] = (m[0][0]*m[1][1] - m[0][1]*m[1][0]) / det
	return r
}

// embeddedICC returns the ICC profile a JPEG (APP2 "ICC_PROFILE" segments,
// joined in sequence order), PNG (iCCP chunk, zlib) or WebP (ICCP chunk)
// file carries, or nil.
func embeddedICC(format string, data []byte) []byte {
	switch format {
	case "jpeg":
		return jpegICC(data)
	case "png":
		return pngICC(data)
	case "webp":
		return webpICC(data)
	case "heic", "avif":
		return heifICC(data)
	}
	return nil
}

func jpegICC(b []byte) []byte {
	type part struct {
		seq  byte
		data []byte
	}
	var parts []part
	for marker, seg := range jpegSegments(b) {
		if marker == 0xE2 && len(seg) > 14 && string(seg[:12]) == "ICC_PROFILE\x00" {
			parts = append(parts, part{seg[12], seg[14:]})
		}
	}
	sort.SliceStable(parts, func(a, c int) bool { return parts[a].seq < parts[c].seq })
	var out []byte
	for _, p := range parts {
		out = append(out, p.data...)
	}
	return out
}

// pngICC inflates the profile of the iCCP chunk (name, NUL, method 0, zlib).
func pngICC(b []byte) []byte {
	c := pngChunk(b, "iCCP")
	z := bytes.IndexByte(c, 0)
	if z < 0 || z+2 > len(c) || c[z+1] != 0 {
		return nil
	}
	r, err := zlib.NewReader(bytes.NewReader(c[z+2:]))
	if err != nil {
		return nil
	}
	p, err := io.ReadAll(io.LimitReader(r, maxICCBytes+1))
	if err != nil || len(p) > maxICCBytes {
		return nil
	}
	return p
}

func webpICC(b []byte) []byte { return webpChunk(b, "ICCP") }

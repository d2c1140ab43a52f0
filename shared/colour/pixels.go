package colour

import (
	"image"
)

// Every method sees a pixel as 8-bit sRGB composited over white:
//
//	r8 = min(255, (R + 0xffff - A) >> 8)
//
// where R and A are the 16-bit premultiplied values of color.Color.RGBA().
// For an opaque pixel this is simply R >> 8, the value image.At gives; a
// transparent pixel counts as white, as it looks on the site and as
// picture.Decode composites it. The fast paths below compute exactly the same
// bytes as this formula applied to img.At(x, y) (a test checks every kind).

// rowFunc writes the pixels of row y into dst as
// R, G, B triples; dst holds 3*width bytes.
type rowFunc func(y int, dst []byte)

// over composites one 16-bit premultiplied channel over white and returns it
// as 8 bits.
func over(c, a uint32) uint8 {
	v := (c + 0xffff - a) >> 8
	if v > 255 {
		v = 255
	}
	return uint8(v)
}

// rowReader returns a rowFunc for img that takes y in img's own
// coordinates (img.Bounds().Min.Y up), with fast paths for the concrete
// types decoders produce. Analyze numbers rows from 0 from there on.
func rowReader(img image.Image) rowFunc {
	b := img.Bounds()
	x0, x1 := b.Min.X, b.Max.X
	switch m := img.(type) {
	case *image.YCbCr:
		return ycbcrRows(m)
	case *image.RGBA:
		return func(y int, dst []byte) {
			i := m.PixOffset(x0, y)
			src := m.Pix[i : i+4*(x1-x0)]
			for j := 0; j < len(src); j += 4 {
				d := dst[3*(j/4) : 3*(j/4)+3 : 3*(j/4)+3]
				a := src[j+3]
				if a == 255 {
					d[0], d[1], d[2] = src[j], src[j+1], src[j+2]
					continue
				}
				a16 := uint32(a) * 0x101
				d[0] = over(uint32(src[j])*0x101, a16)
				d[1] = over(uint32(src[j+1])*0x101, a16)
				d[2] = over(uint32(src[j+2])*0x101, a16)
			}
		}
	case *image.NRGBA:
		return func(y int, dst []byte) {
			i := m.PixOffset(x0, y)
			src := m.Pix[i : i+4*(x1-x0)]
			for j := 0; j < len(src); j += 4 {
				d := dst[3*(j/4) : 3*(j/4)+3 : 3*(j/4)+3]
				a := uint32(src[j+3])
				if a == 255 {
					d[0], d[1], d[2] = src[j], src[j+1], src[j+2]
					continue
				}
				a16 := a * 0x101
				d[0] = over(uint32(src[j])*0x101*a/0xff, a16)
				d[1] = over(uint32(src[j+1])*0x101*a/0xff, a16)
				d[2] = over(uint32(src[j+2])*0x101*a/0xff, a16)
			}
		}
	case *image.Gray:
		return func(y int, dst []byte) {
			i := m.PixOffset(x0, y)
			src := m.Pix[i : i+(x1-x0)]
			for j, v := range src {
				dst[3*j], dst[3*j+1], dst[3*j+2] = v, v, v
			}
		}
	case *image.CMYK:
		return func(y int, dst []byte) {
			i := m.PixOffset(x0, y)
			src := m.Pix[i : i+4*(x1-x0)]
			for j := 0; j < len(src); j += 4 {
				d := dst[3*(j/4) : 3*(j/4)+3 : 3*(j/4)+3]
				w := 0xffff - uint32(src[j+3])*0x101
				d[0] = uint8(((0xffff - uint32(src[j])*0x101) * w / 0xffff) >> 8)
				d[1] = uint8(((0xffff - uint32(src[j+1])*0x101) * w / 0xffff) >> 8)
				d[2] = uint8(((0xffff - uint32(src[j+2])*0x101) * w / 0xffff) >> 8)
			}
		}
	}
	return func(y int, dst []byte) {
		for x := x0; x < x1; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			j := 3 * (x - x0)
			dst[j], dst[j+1], dst[j+2] = over(r, a), over(g, a), over(bl, a)
		}
	}
}

// ycbcrRows converts Y'CbCr rows the way color.YCbCr.RGBA does (its result
// shifted to 8 bits, which equals color.YCbCrToRGB). The conversion is
// ycbcrToRGB's, written out in the loop: the compiler does not inline the
// call here, which costs about 5 % of a 224 px analysis.
func ycbcrRows(m *image.YCbCr) rowFunc {
	b := m.Rect
	x0, x1 := b.Min.X, b.Max.X
	hd, vd := chromaDivisors(m.SubsampleRatio)
	// cx[x-x0] is the chroma column offset of column x.
	cx := make([]int32, x1-x0)
	for x := x0; x < x1; x++ {
		cx[x-x0] = int32(x/hd - x0/hd)
	}
	return func(y int, dst []byte) {
		yi := (y-b.Min.Y)*m.YStride + 0
		ci := (y/vd - b.Min.Y/vd) * m.CStride
		yrow := m.Y[yi : yi+(x1-x0)]
		cb := m.Cb[ci:]
		cr := m.Cr[ci:]
		dst = dst[:3*len(yrow)]
		for j, yv := range yrow {
			c := cx[j]
			yy1 := int32(yv) * 0x10101
			cb1 := int32(cb[c]) - 128
			cr1 := int32(cr[c]) - 128
			r := yy1 + 91881*cr1
			if uint32(r)&0xff000000 == 0 {
				r >>= 16
			} else {
				r = ^(r >> 31)
			}
			g := yy1 - 22554*cb1 - 46802*cr1
			if uint32(g)&0xff000000 == 0 {
				g >>= 16
			} else {
				g = ^(g >> 31)
			}
			bb := yy1 + 116130*cb1
			if uint32(bb)&0xff000000 == 0 {
				bb >>= 16
			} else {
				bb = ^(bb >> 31)
			}
			d := dst[3*j : 3*j+3 : 3*j+3]
			d[0], d[1], d[2] = uint8(r), uint8(g), uint8(bb)
		}
	}
}

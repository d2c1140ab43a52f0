package colour

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"testing"

	"golang.org/x/image/draw"
)

func loadImage(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

// upscaled returns src scaled to w x h (Catmull-Rom) as RGBA, and the same
// picture through a quality-90 JPEG, as a phone photo is decoded (a real
// *image.YCbCr 4:2:0 picture).
func upscaled(t testing.TB, src image.Image, w, h int) (*image.RGBA, image.Image) {
	t.Helper()
	big := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(big, big.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, big, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	ycc, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return big, ycc
}

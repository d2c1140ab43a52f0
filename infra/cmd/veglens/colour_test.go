package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
)

func galleryPhoto(t *testing.T, rel string) string {
	t.Helper()
	return sourcetreetest.Path(t, "infra", "gallery", filepath.FromSlash(rel))
}

// TestColourCommand runs the subcommand on good and bad files: one JSON
// line per file in order, errors for the bad ones, exit status 1, and the
// good files still analysed.
func TestColourCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	carrot := galleryPhoto(t, "Carrot/1211.jpg")
	photo, err := os.ReadFile(carrot)
	if err != nil {
		t.Fatal(err)
	}

	// A PNG with a red subject on a transparent background.
	img := image.NewNRGBA(image.Rect(0, 0, 120, 90))
	for y := 30; y < 60; y++ {
		for x := 40; x < 80; x++ {
			img.SetNRGBA(x, y, color.NRGBA{220, 30, 30, 255})
		}
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	var blue bytes.Buffer
	solid := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := 0; i < len(solid.Pix); i += 4 {
		solid.Pix[i+2], solid.Pix[i+3] = 255, 255
	}
	if err := jpeg.Encode(&blue, solid, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}

	files := []struct {
		path    string
		wantErr string // substring of the error; "" for a good file
	}{
		{carrot, ""},
		{write("empty.jpg", nil), "empty"},
		{write("notes.jpg", []byte("this is not a picture\n")), "not a supported picture"},
		{write("red.png", pngBuf.Bytes()), ""},
		{filepath.Join(dir, "missing.jpg"), "cannot read"},
		{write("truncated.jpg", photo[:len(photo)/3]), "damaged"},
		{write("blue.jpg", blue.Bytes()), ""},
	}
	args := make([]string, len(files))
	for i, f := range files {
		args[i] = f.path
	}
	var out bytes.Buffer
	status := colourFiles(context.Background(), &out, args)
	if status != 1 {
		t.Errorf("exit status %d, want 1 (some files are bad)", status)
	}
	sc := bufio.NewScanner(&out)
	var lines []map[string]json.RawMessage
	for sc.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != len(files) {
		t.Fatalf("%d lines for %d files:\n%s", len(lines), len(files), out.String())
	}
	for i, f := range files {
		m := lines[i]
		var file string
		json.Unmarshal(m["file"], &file)
		if file != f.path {
			t.Errorf("line %d is for %q, want %q", i, file, f.path)
		}
		if f.wantErr != "" {
			var msg string
			json.Unmarshal(m["error"], &msg)
			if !strings.Contains(msg, f.wantErr) {
				t.Errorf("%s: error %q, want it to mention %q", filepath.Base(f.path), msg, f.wantErr)
			}
			if _, ok := m["reference"]; ok {
				t.Errorf("%s: error line also has colours", filepath.Base(f.path))
			}
			continue
		}
		if _, ok := m["error"]; ok {
			t.Errorf("%s: unexpected error %s", filepath.Base(f.path), m["error"])
			continue
		}
		var ref map[string]any
		var fg map[string]json.RawMessage
		json.Unmarshal(m["reference"], &ref)
		json.Unmarshal(m["foreground"], &fg)
		for _, p := range []struct {
			key string
			pal veglens.Palette
		}{{"rgb", veglens.RGBWheel}, {"ryb", veglens.RYBWheel}} {
			hex, _ := ref[p.key].(string)
			if _, ok := p.pal.Lookup(hex); !ok || !strings.HasPrefix(hex, "#") || hex != strings.ToUpper(hex) {
				t.Errorf("%s: reference.%s = %q, not an upper-case %s entry", filepath.Base(f.path), p.key, hex, p.pal.ID)
			}
			var fhex string
			json.Unmarshal(fg[p.key], &fhex)
			if _, ok := p.pal.Lookup(fhex); !ok {
				t.Errorf("%s: foreground.%s = %q, not a %s entry", filepath.Base(f.path), p.key, fhex, p.pal.ID)
			}
			var shares map[string]float64
			if err := json.Unmarshal(fg[p.key+"_shares"], &shares); err != nil || len(shares) != 12 {
				t.Errorf("%s: foreground.%s_shares = %s", filepath.Base(f.path), p.key, fg[p.key+"_shares"])
			}
		}
		var neutral *bool
		if err := json.Unmarshal(fg["neutral"], &neutral); err != nil || neutral == nil {
			t.Errorf("%s: foreground.neutral missing or not a bool", filepath.Base(f.path))
		}
	}
	// What people see: the carrot is orange, the red square on transparent
	// (white) is red, the solid blue picture is blue.
	for i, want := range map[int]string{0: "#FF8000", 3: "#FF0000", 6: "#0000FF"} {
		var fg map[string]any
		json.Unmarshal(lines[i]["foreground"], &fg)
		if fg["rgb"] != want {
			t.Errorf("%s: foreground rgb %v, want %s", filepath.Base(files[i].path), fg["rgb"], want)
		}
	}
}

func TestColourCommandAllGood(t *testing.T) {
	var out bytes.Buffer
	if status := colourFiles(context.Background(), &out, []string{galleryPhoto(t, "Tomato/1388.jpg")}); status != 0 {
		t.Errorf("exit status %d for a good photo:\n%s", status, out.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("%d lines, want 1", n)
	}
}

func TestColourCommandUsage(t *testing.T) {
	if status := runColour(context.Background(), nil); status != 2 {
		t.Errorf("no files: exit status %d, want 2", status)
	}
}

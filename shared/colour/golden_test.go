package colour

import (
	"encoding/csv"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
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

type goldenRow struct {
	file, label string
	neutral     bool
	notes       string
}

func readGolden(t testing.TB) []goldenRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "golden.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 || strings.Join(recs[0], ",") != "file,label,neutral,notes" {
		t.Fatalf("golden.csv: want header file,label,neutral,notes")
	}
	var rows []goldenRow
	for _, r := range recs[1:] {
		if _, ok := veglens.RGBWheel.Lookup(r[1]); !ok {
			t.Fatalf("golden.csv: %s: label %q is not an RGB wheel name", r[0], r[1])
		}
		rows = append(rows, goldenRow{file: r[0], label: r[1], neutral: r[2] == "true", notes: r[3]})
	}
	return rows
}

// TestGoldenAgreement compares both methods with colours people named by
// looking at each photo. The foreground method must agree clearly more
// often than the reference method.
func TestGoldenAgreement(t *testing.T) {
	rows := readGolden(t)
	gallery := filepath.Join(sourcetreetest.Path(t), "infra", "gallery")
	perKind := map[string]int{}
	var refHits, fgHits, fgStrict, neutralRight int
	for _, r := range rows {
		perKind[strings.Split(r.file, "/")[0]]++
		a := Analyze(loadImage(t, filepath.Join(gallery, filepath.FromSlash(r.file))))
		ref, fg := a.Reference.RGB.Name, a.Foreground.RGB.Name
		if ref == r.label {
			refHits++
		}
		if fg == r.label {
			fgHits++
			if a.Foreground.Neutral == r.neutral {
				fgStrict++
			}
		}
		if a.Foreground.Neutral == r.neutral {
			neutralRight++
		}
		if fg != r.label || a.Foreground.Neutral != r.neutral {
			t.Logf("miss %-24s label=%-10s neutral=%-5v  foreground=%-12s neutral=%-5v (%.2f)  reference=%s",
				r.file, r.label, r.neutral, fg, a.Foreground.Neutral, a.Foreground.NeutralShare, ref)
		}
	}
	if len(rows) < 90 {
		t.Errorf("golden set has %d images, want at least 90", len(rows))
	}
	for kind, n := range perKind {
		if n < 6 {
			t.Errorf("golden set has %d images of %s, want at least 6", n, kind)
		}
	}
	if len(perKind) != 15 {
		t.Errorf("golden set covers %d kinds, want 15", len(perKind))
	}
	n := float64(len(rows))
	refPct, fgPct := 100*float64(refHits)/n, 100*float64(fgHits)/n
	t.Logf("golden set: %d images of %d kinds", len(rows), len(perKind))
	t.Logf("reference method agrees with the RGB-wheel label on %d/%d = %.1f%%", refHits, len(rows), refPct)
	t.Logf("foreground method agrees with the RGB-wheel label on %d/%d = %.1f%%", fgHits, len(rows), fgPct)
	t.Logf("foreground method agrees on label and neutral flag on %d/%d = %.1f%%; neutral flag right on %.1f%%",
		fgStrict, len(rows), 100*float64(fgStrict)/n, 100*float64(neutralRight)/n)
	if fgPct < refPct+15 {
		t.Errorf("foreground agreement %.1f%% is not at least 15 points above the reference's %.1f%%", fgPct, refPct)
	}
}

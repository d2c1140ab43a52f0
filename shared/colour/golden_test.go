package colour_test

import (
	"encoding/csv"
	"fmt"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/infra/services/servicestest"
	"github.com/veglens/veglens/shared/colour"
	"github.com/veglens/veglens/shared/sourcetree/sourcetreetest"
	"github.com/veglens/veglens/shared/veglens"
	"github.com/veglens/veglens/shared/vision"
)

// goldenSet is one hand-labelled set of photos (testdata/README.md).
type goldenSet struct {
	name, csv string
	dir       func(t testing.TB) string // the folder the csv's paths start in
	minRows   int
	floor     float64 // the service method's agreement (percent) may not fall below this
}

var goldenSets = []goldenSet{
	{"dataset", "golden.csv", func(t testing.TB) string { return sourcetreetest.Path(t, "infra", "gallery") }, 90, 88},
	{"real", "realworld.csv", func(testing.TB) string { return filepath.Join("testdata", "realworld") }, 60, 88},
}

type goldenRow struct {
	file, label, common string
	neutral             bool
	img                 image.Image
}

func readGolden(t testing.TB, set goldenSet) []goldenRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", set.csv))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 || strings.Join(recs[0], ",") != "file,label,common,neutral,notes" {
		t.Fatalf("%s: want header file,label,common,neutral,notes", set.csv)
	}
	dir := set.dir(t)
	var rows []goldenRow
	for _, r := range recs[1:] {
		if _, ok := veglens.RGBWheel.Lookup(r[1]); !ok {
			t.Fatalf("%s: %s: label %q is not an RGB wheel name", set.csv, r[0], r[1])
		}
		if _, ok := veglens.CommonNames.Lookup(r[2]); !ok {
			t.Fatalf("%s: %s: %q is not a common colour name", set.csv, r[0], r[2])
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(r[0])))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", r[0], err)
		}
		rows = append(rows, goldenRow{file: r[0], label: r[1], common: r[2], neutral: r[3] == "true", img: img})
	}
	if len(rows) < set.minRows {
		t.Errorf("%s has %d photos, want at least %d", set.csv, len(rows), set.minRows)
	}
	return rows
}

// agreement counts how often a method's answers match the labels.
type agreement struct {
	n, wheel, common, neutral int
}

// add scores one answer. The wheel answer agrees when it is what a search
// finds the photo under: no wheel colour for a neutral label, the label's
// RGB entry otherwise.
func (a *agreement) add(t *testing.T, method string, r goldenRow, rgb veglens.Colour, neutral bool, common string, neutralShare float64) {
	a.n++
	wheelOK := neutral == r.neutral && (r.neutral || rgb.Name == r.label)
	if wheelOK {
		a.wheel++
	}
	if common == r.common {
		a.common++
	}
	if neutral == r.neutral {
		a.neutral++
	}
	if !wheelOK || (common != "" && common != r.common) {
		t.Logf("%-15s miss %-46s label %-10s %-6s neutral=%-5v | got %-12s %-6s neutral=%-5v (neutral share %.2f)",
			method, r.file, r.label, r.common, r.neutral, rgb.Name, common, neutral, neutralShare)
	}
}

func (a agreement) pct(k int) float64 { return 100 * float64(k) / float64(max(a.n, 1)) }

func (a agreement) String() string {
	return fmt.Sprintf("wheel %d/%d = %.1f%%, common name %d/%d = %.1f%%, neutral flag %.1f%%",
		a.wheel, a.n, a.pct(a.wheel), a.common, a.n, a.pct(a.common), a.pct(a.neutral))
}

// TestGoldenAgreementBorderRule measures the fallback (no activation map)
// and the reference rule against the labels of both golden sets. It needs
// no model. Run with -v to see the figures and every miss.
func TestGoldenAgreementBorderRule(t *testing.T) {
	for _, set := range goldenSets {
		t.Run(set.name, func(t *testing.T) {
			var border, ref agreement
			for _, r := range readGolden(t, set) {
				a := colour.Analyze(r.img, veglens.ActivationMap{})
				border.add(t, "border rule", r, a.Foreground.RGB, a.Foreground.Neutral, a.Foreground.Common.Name, a.Foreground.NeutralShare)
				ref.add(t, "reference", r, a.Reference.RGB, false, "", 0)
			}
			t.Logf("%s photos, border rule: %v", set.name, border)
			t.Logf("%s photos, reference rule (whole photo, never neutral, no common name): wheel %d/%d = %.1f%%",
				set.name, ref.wheel, ref.n, ref.pct(ref.wheel))
			if border.pct(border.wheel) < ref.pct(ref.wheel)+15 {
				t.Errorf("border rule's wheel agreement %.1f%% is not 15 points above the reference rule's %.1f%%",
					border.pct(border.wheel), ref.pct(ref.wheel))
			}
		})
	}
}

// TestGoldenAgreementActivationMap measures the service's method: the
// foreground rule weighted by the committed model's class-activation map.
// It needs the ONNX Runtime library (skipped without it, except where
// services are required).
func TestGoldenAgreementActivationMap(t *testing.T) {
	lib := servicestest.ORTLib(t)
	m, err := vision.LoadModel(sourcetreetest.Path(t, "models"), vision.ModelOptions{LibraryPath: lib, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	for _, set := range goldenSets {
		t.Run(set.name, func(t *testing.T) {
			var got agreement
			for _, r := range readGolden(t, set) {
				p, err := m.Classify(t.Context(), r.img, 1)
				if err != nil {
					t.Fatalf("%s: %v", r.file, err)
				}
				a := colour.Analyze(r.img, p.ActivationMap)
				if a.Foreground.Focus != colour.FocusActivationMap {
					t.Fatalf("%s: focus %q, want the activation map", r.file, a.Foreground.Focus)
				}
				got.add(t, "activation map", r, a.Foreground.RGB, a.Foreground.Neutral, a.Foreground.Common.Name, a.Foreground.NeutralShare)
			}
			t.Logf("%s photos, activation map: %v", set.name, got)
			// Regression floors a little under what the committed model
			// gives (dataset 90.4 % / 91.1 %, real 90.3 % / 90.3 %; the aim
			// is 90 % on both; testdata/README.md lists the known misses).
			if w, c := got.pct(got.wheel), got.pct(got.common); w < set.floor || c < set.floor {
				t.Errorf("agreement with the labels fell: wheel %.1f%%, common name %.1f%% (floor %.0f%%)", w, c, set.floor)
			}
		})
	}
}

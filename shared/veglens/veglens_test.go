package veglens_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/veglens/veglens/shared/veglens"
)

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"},
		{1023, "1023 bytes"},
		{1024, "1 KB"},
		{1025, "1.1 KB"},
		{1<<20 - 1, "1 MB"}, // the unit follows the rounding: never "1024 KB"
		{1<<20 - 200, "1023.9 KB"},
		{10<<20 - 1, "10 MB"},
		{10 << 20, "10 MB"},
		{10<<20 + 1, "10.1 MB"}, // never "10 MB" or "10.0 MB": that reads like the limit
		{12 << 20, "12 MB"},
		{15<<20 + 300<<10, "15.3 MB"},
	}
	for _, tc := range tests {
		if got := veglens.FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestFormatBytesNeverReadsAsTheLimit: any size over the limit is written
// differently from the limit itself.
func TestFormatBytesNeverReadsAsTheLimit(t *testing.T) {
	limit := veglens.FormatBytes(veglens.MaxImageBytes)
	for _, over := range []int64{1, 2, 100, 1 << 10, 100 << 10, 1 << 20} {
		if got := veglens.FormatBytes(veglens.MaxImageBytes + over); got == limit {
			t.Errorf("%d bytes over the limit reads %q, like the limit", over, got)
		}
	}
}

func TestObjectKeys(t *testing.T) {
	const id = "0b6f2a4e-9c1d-4f3a-8e2b-1c2d3e4f5a6b"
	tests := []struct {
		key  string
		ok   bool
		want veglens.ObjectKey
	}{
		{veglens.UploadKey(id, "jpg"), true, veglens.ObjectKey{Key: "uploads/" + id + ".jpg", Source: veglens.SourceUpload, ID: id}},
		{"uploads/0B6F2A4E-9C1D-4F3A-8E2B-1C2D3E4F5A6B.png", true, veglens.ObjectKey{Key: "uploads/0B6F2A4E-9C1D-4F3A-8E2B-1C2D3E4F5A6B.png", Source: veglens.SourceUpload, ID: id}},
		{"uploads/holiday.jpg", true, veglens.ObjectKey{Key: "uploads/holiday.jpg", Source: veglens.SourceUpload}},
		{"uploads/sub/" + id + ".jpg", true, veglens.ObjectKey{Key: "uploads/sub/" + id + ".jpg", Source: veglens.SourceUpload}},
		{veglens.DatasetKey("Bitter_Gourd", "my photo.jpg"), true, veglens.ObjectKey{Key: "dataset/Bitter_Gourd/my photo.jpg", Source: veglens.SourceDataset, Folder: "Bitter_Gourd"}},
		{"dataset/loose.jpg", true, veglens.ObjectKey{Key: "dataset/loose.jpg", Source: veglens.SourceDataset}},
		{"dataset/Tomato/", false, veglens.ObjectKey{}},
		{veglens.ThumbnailKey("uploads/" + id + ".png"), false, veglens.ObjectKey{}},
		{"elsewhere/x.jpg", false, veglens.ObjectKey{}},
	}
	for _, tc := range tests {
		got, ok := veglens.ParseKey(tc.key)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseKey(%q) = %+v, %v; want %+v, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
	if got := veglens.ThumbnailKey("dataset/Tomato/a.b.png"); got != "thumbnails/dataset/Tomato/a.b.jpg" {
		t.Errorf("ThumbnailKey = %q", got)
	}
}

func TestKinds(t *testing.T) {
	k := veglens.NewKinds([]string{"Bean", "Bitter_Gourd", "Tomato"})
	for _, s := range []string{"Bitter_Gourd", "bitter gourd", "BITTER-GOURD", " Bitter Gourd "} {
		if got, ok := k.Lookup(s); !ok || got != "Bitter_Gourd" {
			t.Errorf("Lookup(%q) = %q, %v", s, got, ok)
		}
	}
	if _, ok := k.Lookup("banana"); ok {
		t.Error("banana is a kind")
	}
	if got := veglens.KindLabel("Bitter_Gourd"); got != "Bitter gourd" {
		t.Errorf("KindLabel = %q", got)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		p     veglens.Palette
		query string
		want  string
		ok    bool
	}{
		{veglens.RGBWheel, "Spring Green", "#00FF80", true},
		{veglens.RGBWheel, "  spring   green ", "#00FF80", true},
		{veglens.RGBWheel, "#00ff80", "#00FF80", true},
		{veglens.RGBWheel, "00FF80", "#00FF80", true},
		{veglens.RGBWheel, "ROSE", "#FF0080", true},
		{veglens.RYBWheel, "red-violet", "#C21460", true},
		{veglens.RYBWheel, "#fe2712", "#FE2712", true},
		{veglens.RYBWheel, "spring green", "", false},
		{veglens.RGBWheel, "#FE2712", "", false},
		{veglens.RGBWheel, "", "", false},
		{veglens.RGBWheel, "#", "", false},
	}
	for _, tt := range tests {
		e, ok := tt.p.Lookup(tt.query)
		if ok != tt.ok || e.Hex != tt.want {
			t.Errorf("%s.Lookup(%q) = %v, %v; want %s, %v", tt.p.ID, tt.query, e, ok, tt.want, tt.ok)
		}
	}
	if p, ok := veglens.PaletteByID(" RYB "); !ok || p.ID != "ryb" {
		t.Errorf("veglens.PaletteByID(RYB) = %v, %v", p.ID, ok)
	}
	if _, ok := veglens.PaletteByID("cmyk"); ok {
		t.Error("veglens.PaletteByID(cmyk) found a palette")
	}
}

func TestPalettesAreAsSpecified(t *testing.T) {
	want := map[string]string{
		"rgb": "red #FF0000,orange #FF8000,yellow #FFFF00,chartreuse #80FF00,green #00FF00,spring green #00FF80,cyan #00FFFF,azure #0080FF,blue #0000FF,violet #8000FF,magenta #FF00FF,rose #FF0080",
		"ryb": "red #FE2712,red-orange #FC600A,orange #FB9902,yellow-orange #FCCC1A,yellow #FEFE33,yellow-green #B2D732,green #66B032,blue-green #347C98,blue #0247FE,blue-violet #4424D6,violet #8601AF,red-violet #C21460",
		// the fixed everyday vocabulary; the swatches are only for showing it
		"common": "white #FFFFFF,grey #7A7A7A,black #1A1A1A,brown #7B4A2A,beige #E2CFA6,red #D7261E,orange #F28C1E,yellow #F5D324,green #3F9B2F,blue #2A62C9,purple #7B3F9E,pink #F49AC1",
	}
	if len(veglens.Palettes()) != len(want) {
		t.Errorf("%d palettes, want %d", len(veglens.Palettes()), len(want))
	}
	for _, p := range veglens.Palettes() {
		s := ""
		for i, e := range p.Colours {
			if i > 0 {
				s += ","
			}
			s += e.Name + " " + e.Hex
		}
		if s != want[string(p.ID)] {
			t.Errorf("palette %s:\n got %s\nwant %s", p.ID, s, want[string(p.ID)])
		}
	}
}

// A wheel result without a measurable hue says so with a null dominant
// colour, and reads back as the zero Colour.
func TestPaletteResultJSONWithoutHue(t *testing.T) {
	red, _ := veglens.RGBWheel.Lookup("red")
	for _, tc := range []struct {
		in   veglens.PaletteResult
		want string
	}{
		{veglens.PaletteResult{Neutral: true, Shares: []veglens.ColourShare{}}, `{"dominant":null,"neutral":true,"shares":[]}`},
		{veglens.PaletteResult{Dominant: red, Shares: []veglens.ColourShare{}}, `{"dominant":{"name":"red","hex":"#FF0000"},"neutral":false,"shares":[]}`},
	} {
		b, err := json.Marshal(tc.in)
		var got, want any
		_ = json.Unmarshal(b, &got)
		_ = json.Unmarshal([]byte(tc.want), &want)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("marshal %+v = %s, %v; want %s", tc.in, b, err, tc.want)
		}
		var back veglens.PaletteResult
		if err := json.Unmarshal(b, &back); err != nil || back.Dominant != tc.in.Dominant || back.Neutral != tc.in.Neutral {
			t.Errorf("round trip of %s = %+v, %v", b, back, err)
		}
	}
}

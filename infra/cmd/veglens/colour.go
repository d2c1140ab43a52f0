package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/veglens/veglens/shared/colour"
	"github.com/veglens/veglens/shared/picture"
	"github.com/veglens/veglens/shared/veglens"
)

func init() {
	register("colour", "dominant colours of pictures, one JSON line per file", runColour)
}

// colourLine is the JSON object printed for one file: either the colours or
// an error.
type colourLine struct {
	File       string            `json:"file"`
	Error      string            `json:"error,omitempty"`
	Reference  *colourReference  `json:"reference,omitempty"`
	Foreground *colourForeground `json:"foreground,omitempty"`
}

type colourReference struct {
	RGB     string `json:"rgb"`
	RYB     string `json:"ryb"`
	RGBName string `json:"rgb_name"`
	RYBName string `json:"ryb_name"`
}

type colourForeground struct {
	RGB          string        `json:"rgb"`
	RYB          string        `json:"ryb"`
	RGBName      string        `json:"rgb_name"`
	RYBName      string        `json:"ryb_name"`
	Common       string        `json:"common"`
	Focus        string        `json:"focus"`
	Neutral      bool          `json:"neutral"`
	NeutralShare float64       `json:"neutral_share"`
	Background   float64       `json:"background_share"`
	RGBShares    colour.Shares `json:"rgb_shares"`
	RYBShares    colour.Shares `json:"ryb_shares"`
}

func runColour(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("colour", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: veglens colour FILE...\n\n"+
			"Prints one JSON object per line for each picture (JPEG, PNG, WebP, GIF), decoded as the\n"+
			"service decodes uploads (EXIF orientation applied), measured without the model's activation\n"+
			"map (the foreground method's fallback: centre weighting and the border background rule):\n"+
			`  {"file": ..., "reference": {"rgb": "#RRGGBB", "ryb": ...}, "foreground": {"rgb": ..., "ryb": ...,`+"\n"+
			`   "common": "red", "neutral": false, "rgb_shares": {"red": 0.01, ...}, "ryb_shares": {...}}}`+"\n"+
			"(a neutral picture without a measurable tint has empty rgb and ryb)"+"\n"+
			"(plus the entry names). A file that cannot be read or is not a picture gets\n"+
			`{"file": ..., "error": "..."}; the other files are still processed and the exit status is 1.`)
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	return colourFiles(ctx, os.Stdout, fs.Args())
}

// colourFiles writes one line per file to w and returns the exit status:
// 0 when every file was analysed, 1 otherwise.
func colourFiles(ctx context.Context, w io.Writer, files []string) int {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	status := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "veglens colour: interrupted")
			return 1
		}
		line, err := colourOf(file)
		if err != nil {
			line = colourLine{File: file, Error: err.Error()}
			status = 1
		}
		if err := enc.Encode(line); err != nil {
			fmt.Fprintln(os.Stderr, "veglens colour: write:", err)
			return 1
		}
	}
	return status
}

func colourOf(file string) (colourLine, error) {
	f, err := os.Open(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return colourLine{}, fmt.Errorf("cannot read the file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return colourLine{}, errors.New("cannot read the file: it is a directory")
	}
	pic, err := picture.Decode(f, picture.DefaultLimits)
	if err != nil {
		return colourLine{}, err
	}
	a := colour.Analyze(pic.Image, veglens.ActivationMap{})
	return colourLine{
		File: file,
		Reference: &colourReference{
			RGB: a.Reference.RGB.Hex, RYB: a.Reference.RYB.Hex,
			RGBName: a.Reference.RGB.Name, RYBName: a.Reference.RYB.Name,
		},
		Foreground: &colourForeground{
			RGB: a.Foreground.RGB.Hex, RYB: a.Foreground.RYB.Hex,
			RGBName: a.Foreground.RGB.Name, RYBName: a.Foreground.RYB.Name,
			Common: a.Foreground.Common.Name, Focus: a.Foreground.Focus,
			Neutral: a.Foreground.Neutral, NeutralShare: a.Foreground.NeutralShare,
			Background: a.Foreground.BackgroundShare,
			RGBShares:  a.Foreground.RGBShares, RYBShares: a.Foreground.RYBShares,
		},
	}, nil
}

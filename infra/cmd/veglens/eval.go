package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/veglens/veglens/shared/vision"
	"github.com/veglens/veglens/shared/vision/evaluation"
)

func init() {
	register("eval", "measure the model on a folder of <Class>/<photo> files", runEval)
}

// runEval prints a per-class table and, as the very last line, one JSON
// object with the overall results. Diagnostics go to stderr.
func runEval(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	defaultDir := os.Getenv("MODEL_DIR")
	if defaultDir == "" {
		defaultDir = "models"
	}
	ortLib := os.Getenv("ORT_LIB")
	modelDir := fs.String("model-dir", defaultDir, "folder with veglens.onnx and model.json (default $MODEL_DIR or models)")
	workers := fs.Int("workers", 1, "photos classified at once; 1 keeps the latencies those of an idle machine")
	threads := fs.Int("threads", 1, "ONNX Runtime intra-op threads per photo")
	quiet := fs.Bool("q", false, "do not list the files that could not be classified")
	reference := fs.Bool("fp32", false, "measure the float model the shipped int8 one was made from (model.json's reference)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: veglens eval [flags] <folder>\n\n"+
			"Classifies every file in <folder>/<Class>/ through the service's path (decode, resize,\n"+
			"model) and prints a per-class table, then one JSON line: model, quantized, embedding_dim,\n"+
			"n, accuracy, refused_known, refused_unknown, p50_ms, p99_ms, errors. Folders not named after one of\n"+
			"the model's kinds hold photos that should be refused.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	m, err := vision.LoadModel(*modelDir, vision.ModelOptions{LibraryPath: ortLib, Threads: *threads, Concurrency: *workers, Reference: *reference})
	if err != nil {
		fmt.Fprintln(os.Stderr, "veglens eval:", err)
		return 1
	}
	defer m.Close()

	opts := evaluation.Options{Workers: *workers}
	if !*quiet {
		opts.Log = os.Stderr
	}
	rep, err := evaluation.Run(ctx, m, fs.Arg(0), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "veglens eval:", err)
		return 1
	}
	if err := rep.WriteTable(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "veglens eval:", err)
		return 1
	}
	if err := rep.WriteSummary(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "veglens eval:", err)
		return 1
	}
	return 0
}

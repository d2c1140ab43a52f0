// Package sourcetree finds the veglens source tree — the folder holding
// go.mod — from the working directory. Local tools use it to reach committed
// files (the sample gallery, the model) and local builds (bin/); tests use
// its sourcetreetest companion. Nothing deployed depends on it.
package sourcetree

import (
	"errors"
	"os"
	"path/filepath"
)

// Root walks up from the working directory to the folder holding go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

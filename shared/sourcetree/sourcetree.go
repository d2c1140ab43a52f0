// Package sourcetree finds the veglens source tree — the folder holding
// go.mod — from the working directory. Tests and local tools use it to reach
// committed files (the sample gallery, the model) and local builds (bin/).
// Nothing deployed depends on it.
package sourcetree

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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

// Path joins elem to the source tree's root, failing the test when there is
// no source tree above the working directory.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root}, elem...)...)
}

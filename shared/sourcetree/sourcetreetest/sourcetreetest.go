// Package sourcetreetest gives tests the paths of committed files (the
// sample gallery, the model) in the veglens source tree.
package sourcetreetest

import (
	"path/filepath"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree"
)

// Path joins elem to the source tree's root, failing the test when there is
// no source tree above the working directory.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	root, err := sourcetree.Root()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root}, elem...)...)
}

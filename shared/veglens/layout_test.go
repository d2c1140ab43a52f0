package veglens_test

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veglens/veglens/shared/sourcetree"
)

const module = "github.com/veglens/veglens/"

// allowed lists, per package (or folder prefix ending in "/"), the packages
// of ours its non-test code may import: the layering the README's "How the
// code is laid out" describes. The first matching entry applies.
var allowed = []struct {
	pkg     string
	imports []string
}{
	{"shared/veglens", nil},
	{"shared/api", nil},
	{"shared/config", nil},
	{"shared/metrics", nil},
	{"shared/sourcetree", nil},
	{"shared/catalog", []string{"shared/veglens"}},
	{"shared/objects", []string{"shared/veglens"}},
	{"shared/colour", []string{"shared/veglens"}},
	{"shared/picture", []string{"shared/veglens"}},
	{"shared/picture/picturetest", nil},
	{"shared/objects/objectstest", []string{"shared/veglens"}},
	{"shared/vision", []string{"shared/veglens", "shared/picture"}},
	{"shared/vision/evaluation", []string{"shared/veglens", "shared/picture", "shared/vision"}},
	{"shared/fakes", []string{"shared/veglens"}},
	{"shared/labelling", []string{"shared/veglens", "shared/picture", "shared/colour"}},
	{"shared/phrase", []string{"shared/veglens"}},
	{"shared/sourcetree/sourcetreetest", []string{"shared/sourcetree"}},
	// Handlers speak the domain; only their mains know the adapters.
	{"functions/upload/upload", []string{"shared/veglens", "shared/api"}},
	{"functions/query/query", []string{"shared/veglens", "shared/api", "shared/phrase"}},
	// classify knows no adapter either (picture decodes pixels, through
	// libjpeg-turbo and WebAssembly decoders it links itself).
	{"functions/classify/classify", []string{"shared/veglens", "shared/labelling", "shared/metrics", "shared/picture"}},
	{"functions/sweep/sweep", []string{"shared/veglens"}},
	{"functions/migrate/migration", nil},
	{"functions/", []string{"functions/", "shared/veglens", "shared/labelling", "shared/config", "shared/catalog", "shared/objects", "shared/vision"}},
	{"infra/local/gateway", []string{"shared/api"}},
	{"infra/local/ingest", []string{"shared/veglens"}},
	{"infra/", []string{"infra/", "functions/", "shared/"}},
}

// TestPackageLayering: every package imports only what its layer may, and
// nothing outside infra/ imports infra/ (tests aside).
func TestPackageLayering(t *testing.T) {
	root, err := sourcetree.Root()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "site" || name == "models") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files here
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		rule := -1
		for i, a := range allowed {
			if rel == a.pkg || strings.HasSuffix(a.pkg, "/") && strings.HasPrefix(rel, a.pkg) {
				rule = i
				break
			}
		}
		if rule < 0 {
			t.Errorf("package %s has no layering rule: add it to this test and to the README", rel)
			return nil
		}
		checked++
		for _, imp := range pkg.Imports {
			ours, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			fine := false
			for _, a := range allowed[rule].imports {
				if ours == a || strings.HasSuffix(a, "/") && strings.HasPrefix(ours, a) {
					fine = true
				}
			}
			if !fine {
				t.Errorf("%s imports %s, which its layer may not (see the README's code layout)", rel, ours)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Errorf("only %d packages checked: is the walk finding the source tree?", checked)
	}
}

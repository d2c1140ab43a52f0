// Package catalog is veglens's PostgreSQL store (veglens.ImageStore): one
// row per image, the single record of its status, prediction, colours,
// timings and model version. Writes are idempotent on the object's key. The
// schema is managed by migrations embedded in the package (Migrate).
package catalog

import (
	"fmt"

	"github.com/veglens/veglens/shared/veglens"
)

// colourColumn returns the column holding the dominant colour for a method
// and palette. Only these five fixed names ever reach SQL.
func colourColumn(m veglens.Method, p veglens.PaletteID) (string, error) {
	switch {
	case m == veglens.MethodForeground && p == veglens.PaletteCommon:
		return "fg_common", nil
	case m == veglens.MethodReference && p == veglens.PaletteCommon:
		return "", fmt.Errorf("the reference method names wheel colours only, not common names")
	case m == veglens.MethodForeground && p == veglens.PaletteRGB:
		return "fg_rgb", nil
	case m == veglens.MethodForeground && p == veglens.PaletteRYB:
		return "fg_ryb", nil
	case m == veglens.MethodReference && p == veglens.PaletteRGB:
		return "ref_rgb", nil
	case m == veglens.MethodReference && p == veglens.PaletteRYB:
		return "ref_ryb", nil
	}
	return "", fmt.Errorf("unknown colour method %q or palette %q", m, p)
}

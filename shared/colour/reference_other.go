//go:build !amd64 || purego

package colour

// useVectorSums is false where there is no vector kernel: the reference
// sums are then always exact (see refSums).
var useVectorSums = false

func rowSumsVector(px *byte, n int, pal *[9][8]float32, acc *[3][8]float32, levels *[256]float32) {
	panic("colour: no vector kernel on this platform")
}

//go:build !purego

package colour

import "golang.org/x/sys/cpu"

// useVectorSums selects the vector kernel for the reference sums (see
// refSums). Tests switch it off to check the exact path.
var useVectorSums = cpu.X86.HasAVX && cpu.X86.HasFMA

// rowSumsVector adds to acc[g][l], for every pixel of the n R, G, B triples
// at px, the float32 Euclidean distance between the pixel and palette
// colour 8*g+l (pal[3*g], pal[3*g+1], pal[3*g+2] hold the R, G and B of
// colours 8*g..8*g+7). levels[v] must be float32(v). AVX and FMA; in
// reference_amd64.s.
//
//go:noescape
func rowSumsVector(px *byte, n int, pal *[9][8]float32, acc *[3][8]float32, levels *[256]float32)

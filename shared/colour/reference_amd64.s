//go:build !purego

#include "textflag.h"

// func rowSumsVector(px *byte, n int, pal *[9][8]float32, acc *[3][8]float32, levels *[256]float32)
//
// For each pixel (R, G, B bytes at SI), and each group g of eight palette
// colours (R, G, B vectors at DX+96g, +32, +64):
//
//	acc[g] += sqrt((R-pr)^2 + (G-pg)^2 + (B-pb)^2)   in eight float32 lanes
//
// The squared distance is an integer below 2^24, so it is exact in float32;
// VSQRTPS rounds it correctly. Y0..Y2 hold the three accumulators.
TEXT ·rowSumsVector(SB), NOSPLIT, $0-40
	MOVQ px+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ pal+16(FP), DX
	MOVQ acc+24(FP), DI
	MOVQ levels+32(FP), R8
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	TESTQ CX, CX
	JZ done

pixel:
	// Y3, Y4, Y5 = the pixel's R, G, B in every lane.
	MOVBLZX 0(SI), AX
	MOVBLZX 1(SI), BX
	MOVBLZX 2(SI), R9
	VBROADCASTSS (R8)(AX*4), Y3
	VBROADCASTSS (R8)(BX*4), Y4
	VBROADCASTSS (R8)(R9*4), Y5

	// Colours 0..7.
	VSUBPS 0(DX), Y3, Y6
	VMULPS Y6, Y6, Y6
	VSUBPS 32(DX), Y4, Y7
	VFMADD231PS Y7, Y7, Y6
	VSUBPS 64(DX), Y5, Y7
	VFMADD231PS Y7, Y7, Y6
	VSQRTPS Y6, Y6
	VADDPS Y6, Y0, Y0

	// Colours 8..15.
	VSUBPS 96(DX), Y3, Y8
	VMULPS Y8, Y8, Y8
	VSUBPS 128(DX), Y4, Y9
	VFMADD231PS Y9, Y9, Y8
	VSUBPS 160(DX), Y5, Y9
	VFMADD231PS Y9, Y9, Y8
	VSQRTPS Y8, Y8
	VADDPS Y8, Y1, Y1

	// Colours 16..23.
	VSUBPS 192(DX), Y3, Y10
	VMULPS Y10, Y10, Y10
	VSUBPS 224(DX), Y4, Y11
	VFMADD231PS Y11, Y11, Y10
	VSUBPS 256(DX), Y5, Y11
	VFMADD231PS Y11, Y11, Y10
	VSQRTPS Y10, Y10
	VADDPS Y10, Y2, Y2

	ADDQ $3, SI
	DECQ CX
	JNZ pixel

done:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VZEROUPPER
	RET

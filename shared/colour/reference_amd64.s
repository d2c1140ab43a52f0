//go:build !purego

#include "textflag.h"

// GROUP adds one pixel's distances to eight palette colours: the colours'
// R, G, B vectors are at off(DX), off+32(DX), off+64(DX); the pixel's R, G,
// B are broadcast in Y3, Y4, Y5; acc is the group's accumulator, d and t
// are scratch.
//
//	acc += sqrt((R-pr)^2 + (G-pg)^2 + (B-pb)^2)   in eight float32 lanes
//
// The squared distance is an integer below 2^24, so it is exact in float32;
// VSQRTPS rounds it correctly.
#define GROUP(off, acc, d, t) \
	VSUBPS off(DX), Y3, d; \
	VMULPS d, d, d; \
	VSUBPS off+32(DX), Y4, t; \
	VFMADD231PS t, t, d; \
	VSUBPS off+64(DX), Y5, t; \
	VFMADD231PS t, t, d; \
	VSQRTPS d, d; \
	VADDPS d, acc, acc

// func rowSumsVector(px *byte, n int, pal *[9][8]float32, acc *[3][8]float32, levels *[256]float32)
//
// For each pixel (R, G, B bytes at SI) and each group g of eight palette
// colours (at DX+96g), GROUP adds the pixel's distances to the group's
// accumulator; Y0..Y2 hold the three accumulators.
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

	GROUP(0, Y0, Y6, Y7)    // colours 0..7
	GROUP(96, Y1, Y8, Y9)   // colours 8..15
	GROUP(192, Y2, Y10, Y11) // colours 16..23

	ADDQ $3, SI
	DECQ CX
	JNZ pixel

done:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VZEROUPPER
	RET

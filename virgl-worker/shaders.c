/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu-virgl-worker: the compute shaders (shaders.h), as TGSI text that
 * virglrenderer parses and translates to GLSL.
 *
 * TGSI registers are untyped 32-bit lanes: the opcode says whether a lane
 * is read as a float (MUL, ADD) or an integer (U*, AND, XOR, ...), and
 * LOAD/STORE move raw bits, so the floating-point inputs reach MUL/ADD
 * exactly as the guest wrote them. The products are separate MUL and ADD
 * instructions, never MAD/FMA: the results are defined with the product
 * rounded before the sum.
 */
#include <stddef.h>

#include <linux/types.h>

#include "pvgpu_cmds.h"
#include "shaders.h"

#define HEADER								\
	"COMP\n"							\
	"PROPERTY CS_FIXED_BLOCK_WIDTH 64\n"				\
	"PROPERTY CS_FIXED_BLOCK_HEIGHT 1\n"				\
	"PROPERTY CS_FIXED_BLOCK_DEPTH 1\n"				\
	"DCL SV[0], THREAD_ID\n"					\
	"DCL SV[1], BLOCK_ID\n"						\
	"DCL BUFFER[0]\n"						\
	"DCL CONST[0..1]\n"

/* TEMP[0].x = the invocation's index; TEMP[0].y = index < @limit. */
#define INDEX(limit)							\
	"UMAD TEMP[0].x, SV[1].xxxx, IMM[0].xxxx, SV[0].xxxx\n"		\
	"USLT TEMP[0].y, TEMP[0].xxxx, " limit "\n"

/*
 * Element-wise: TEMP[1].xyz = the byte addresses of element i of in0,
 * in1 and out; TEMP[2].x = in0[i], TEMP[3].x = in1[i]. (A LOAD's
 * destination components are consecutive dwords from the address: .y is
 * the dword after .x, so every load goes to an .x.)
 */
#define ELEMENT_LOADS							\
	"SHL TEMP[0].z, TEMP[0].xxxx, IMM[0].yyyy\n"			\
	"UADD TEMP[1].x, TEMP[0].zzzz, CONST[0].yyyy\n"			\
	"UADD TEMP[1].y, TEMP[0].zzzz, CONST[0].zzzz\n"			\
	"UADD TEMP[1].z, TEMP[0].zzzz, CONST[0].wwww\n"			\
	"LOAD TEMP[2].x, BUFFER[0], TEMP[1].xxxx\n"			\
	"LOAD TEMP[3].x, BUFFER[0], TEMP[1].yyyy\n"

/* IMM[0] = { block width, log2(4), 1, 0xff }. */
#define IMM0	"IMM[0] UINT32 {64, 2, 1, 255}\n"

static const char vector_add_tgsi[] =
	HEADER
	"DCL TEMP[0..3]\n"
	IMM0
	INDEX("CONST[0].xxxx")
	"UIF TEMP[0].yyyy\n"
	ELEMENT_LOADS
	"UADD TEMP[2].x, TEMP[2].xxxx, TEMP[3].xxxx\n"
	"STORE BUFFER[0].x, TEMP[1].zzzz, TEMP[2].xxxx\n"
	"ENDIF\n"
	"END\n";

/* out = alpha * in0 + in1: the product rounded, then the sum. */
static const char saxpy_tgsi[] =
	HEADER
	"DCL TEMP[0..3]\n"
	IMM0
	INDEX("CONST[0].xxxx")
	"UIF TEMP[0].yyyy\n"
	ELEMENT_LOADS
	"MUL TEMP[2].x, CONST[1].xxxx, TEMP[2].xxxx\n"
	"ADD TEMP[2].x, TEMP[2].xxxx, TEMP[3].xxxx\n"
	"STORE BUFFER[0].x, TEMP[1].zzzz, TEMP[2].xxxx\n"
	"ENDIF\n"
	"END\n";

/*
 * One invocation per output element (i, j) = (index / n, index % n):
 * acc = 0.0; for k in 0..n-1: acc = acc + (a[i][k] * b[k][j]).
 * TEMP[1].x = address of a[i][k], .y = of b[k][j], .z = k;
 * TEMP[2].x = acc; TEMP[4].x, TEMP[5].x = a[i][k], b[k][j].
 */
static const char matmul_tgsi[] =
	HEADER
	"DCL TEMP[0..5]\n"
	IMM0
	"IMM[1] FLT32 {0.0, 0.0, 0.0, 0.0}\n"
	"IMM[2] UINT32 {4, 0, 0, 0}\n"
	"UMAD TEMP[0].x, SV[1].xxxx, IMM[0].xxxx, SV[0].xxxx\n"
	"UMUL TEMP[0].w, CONST[1].xxxx, CONST[0].xxxx\n"
	"USLT TEMP[0].y, TEMP[0].xxxx, TEMP[0].wwww\n"
	"UIF TEMP[0].yyyy\n"
	"UDIV TEMP[3].x, TEMP[0].xxxx, CONST[0].xxxx\n"	/* i */
	"UMOD TEMP[3].y, TEMP[0].xxxx, CONST[0].xxxx\n"	/* j */
	"SHL TEMP[3].w, CONST[0].xxxx, IMM[0].yyyy\n"	/* row pitch */
	/* &a[i][0] = in0 + i * pitch; &b[0][j] = in1 + 4 * j */
	"UMAD TEMP[1].x, TEMP[3].xxxx, TEMP[3].wwww, CONST[0].yyyy\n"
	"SHL TEMP[3].z, TEMP[3].yyyy, IMM[0].yyyy\n"
	"UADD TEMP[1].y, TEMP[3].zzzz, CONST[0].zzzz\n"
	"MOV TEMP[1].z, IMM[2].yyyy\n"			/* k = 0 */
	"MOV TEMP[2].x, IMM[1].xxxx\n"			/* acc = 0.0 */
	"BGNLOOP\n"
	"USGE TEMP[4].x, TEMP[1].zzzz, CONST[0].xxxx\n"
	"UIF TEMP[4].xxxx\n"
	"BRK\n"
	"ENDIF\n"
	"LOAD TEMP[4].x, BUFFER[0], TEMP[1].xxxx\n"
	"LOAD TEMP[5].x, BUFFER[0], TEMP[1].yyyy\n"
	"MUL TEMP[4].x, TEMP[4].xxxx, TEMP[5].xxxx\n"
	"ADD TEMP[2].x, TEMP[2].xxxx, TEMP[4].xxxx\n"
	"UADD TEMP[1].x, TEMP[1].xxxx, IMM[2].xxxx\n"
	"UADD TEMP[1].y, TEMP[1].yyyy, TEMP[3].wwww\n"
	"UADD TEMP[1].z, TEMP[1].zzzz, IMM[0].zzzz\n"
	"ENDLOOP\n"
	/* out + index * 4 */
	"SHL TEMP[0].z, TEMP[0].xxxx, IMM[0].yyyy\n"
	"UADD TEMP[0].z, TEMP[0].zzzz, CONST[0].wwww\n"
	"STORE BUFFER[0].x, TEMP[0].zzzz, TEMP[2].xxxx\n"
	"ENDIF\n"
	"END\n";

/*
 * One step of the reflected CRC-32C register TEMP[2].x by one bit:
 * crc = (crc >> 1) ^ (0x82f63b78 & -(crc & 1)).
 */
#define CRC_BIT								\
	"AND TEMP[4].x, TEMP[2].xxxx, IMM[0].zzzz\n"			\
	"INEG TEMP[4].x, TEMP[4].xxxx\n"				\
	"AND TEMP[4].x, TEMP[4].xxxx, IMM[2].yyyy\n"			\
	"USHR TEMP[2].x, TEMP[2].xxxx, IMM[0].zzzz\n"			\
	"XOR TEMP[2].x, TEMP[2].xxxx, TEMP[4].xxxx\n"
#define CRC_BYTE	CRC_BIT CRC_BIT CRC_BIT CRC_BIT \
			CRC_BIT CRC_BIT CRC_BIT CRC_BIT
#define CRC_WORD	CRC_BYTE CRC_BYTE CRC_BYTE CRC_BYTE

/*
 * One invocation per segment s: start = s * seg_bytes, len = min(seg_bytes,
 * n - start). The whole dwords first (a little-endian dword fed to the
 * reflected register at once is its four bytes in order), then the last
 * segment's 1 to 3 trailing bytes one at a time. The results go to
 * BUFFER[1] (the staging area, or the worker's scratch buffer when it
 * cuts long segments: shaders.h).
 * TEMP[1].x = address, .y = end of the whole dwords, .z = trailing bytes;
 * TEMP[2].x = crc; TEMP[3].x = the dword read.
 */
static const char crc32c_tgsi[] =
	HEADER
	"DCL BUFFER[1]\n"
	"DCL TEMP[0..4]\n"
	IMM0
	"IMM[1] UINT32 {3, 8, 0, 0}\n"
	"IMM[2] UINT32 {4, 2197175160, 0, 0}\n"	/* 0x82f63b78 */
	"IMM[3] UINT32 {4294967295, 0, 0, 0}\n"	/* -1 */
	INDEX("CONST[1].yyyy")
	"UIF TEMP[0].yyyy\n"
	"UMUL TEMP[0].z, TEMP[0].xxxx, CONST[1].xxxx\n"	/* start */
	"INEG TEMP[0].w, TEMP[0].zzzz\n"
	"UADD TEMP[0].w, CONST[0].xxxx, TEMP[0].wwww\n"	/* n - start */
	"UMIN TEMP[0].w, TEMP[0].wwww, CONST[1].xxxx\n"	/* len */
	"UADD TEMP[1].x, TEMP[0].zzzz, CONST[0].yyyy\n"
	"AND TEMP[1].z, TEMP[0].wwww, IMM[1].xxxx\n"
	"INEG TEMP[4].y, TEMP[1].zzzz\n"
	"UADD TEMP[4].y, TEMP[0].wwww, TEMP[4].yyyy\n"	/* len & ~3 */
	"UADD TEMP[1].y, TEMP[1].xxxx, TEMP[4].yyyy\n"
	"MOV TEMP[2].x, IMM[1].zzzz\n"			/* crc = 0 */
	"BGNLOOP\n"
	"USGE TEMP[4].x, TEMP[1].xxxx, TEMP[1].yyyy\n"
	"UIF TEMP[4].xxxx\n"
	"BRK\n"
	"ENDIF\n"
	"LOAD TEMP[3].x, BUFFER[0], TEMP[1].xxxx\n"
	"XOR TEMP[2].x, TEMP[2].xxxx, TEMP[3].xxxx\n"
	CRC_WORD
	"UADD TEMP[1].x, TEMP[1].xxxx, IMM[2].xxxx\n"
	"ENDLOOP\n"
	"UIF TEMP[1].zzzz\n"
	"LOAD TEMP[3].x, BUFFER[0], TEMP[1].xxxx\n"
	"BGNLOOP\n"
	"UIF TEMP[1].zzzz\n"
	"ELSE\n"
	"BRK\n"
	"ENDIF\n"
	"AND TEMP[4].y, TEMP[3].xxxx, IMM[0].wwww\n"
	"XOR TEMP[2].x, TEMP[2].xxxx, TEMP[4].yyyy\n"
	CRC_BYTE
	"USHR TEMP[3].x, TEMP[3].xxxx, IMM[1].yyyy\n"
	"UADD TEMP[1].z, TEMP[1].zzzz, IMM[3].xxxx\n"
	"ENDLOOP\n"
	"ENDIF\n"
	/* out + s * 4 */
	"SHL TEMP[0].z, TEMP[0].xxxx, IMM[0].yyyy\n"
	"UADD TEMP[0].z, TEMP[0].zzzz, CONST[0].wwww\n"
	"STORE BUFFER[1].x, TEMP[0].zzzz, TEMP[2].xxxx\n"
	"ENDIF\n"
	"END\n";

const char *vw_shader_text(uint32_t kernel)
{
	switch (kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32:
		return vector_add_tgsi;
	case PVGPU_KERNEL_SAXPY_F32:
		return saxpy_tgsi;
	case PVGPU_KERNEL_CRC32C:
		return crc32c_tgsi;
	case PVGPU_KERNEL_MATMUL_F32:
		return matmul_tgsi;
	default:
		return NULL;
	}
}

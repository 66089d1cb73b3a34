/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu-virgl-worker: the TGSI text of the built-in kernels' compute
 * shaders.
 *
 * Every shader sees the whole staging area as BUFFER[0] (one resource the
 * size of the shared memory) and finds its operands by byte offset. The
 * constants, two uvec4s:
 *   CONST[0] = { n, in0_off, in1_off, out_off }
 *   CONST[1] = SAXPY_F32: { alpha bits, 0, 0, 0 }
 *              CRC32C:    { seg_bytes, segments, 0, 0 }
 *              MATMUL_F32: { rows, 0, 0, 0 }
 * One invocation per output element (per segment for CRC32C), in blocks
 * of VW_BLOCK_WIDTH. CRC32C writes its results to BUFFER[1].
 *
 * llvmpipe ends every loop of a shader invocation after a shared budget
 * of iterations (gallivm's LP_MAX_TGSI_LOOP_ITERATIONS) and silently
 * gives wrong results beyond it: a CRC32C segment of more than about
 * 6 KiB (one loop iteration per dword) came out wrong. So a shader never
 * loops more than VW_MAX_LOOP times: longer CRC32C segments are cut into
 * pieces of at most VW_CRC_MAX_PIECE bytes, whose registers the worker
 * then combines.
 */
#ifndef PVGPU_VW_SHADERS_H
#define PVGPU_VW_SHADERS_H

#include <stdint.h>

#define VW_BLOCK_WIDTH		64u
#define VW_MAX_LOOP		1024u
#define VW_CRC_MAX_PIECE	(4u * VW_MAX_LOOP)
/* Dwords of constants every shader declares (CONST[0..1]). */
#define VW_CONST_DWORDS		8u
/* Tokens virglrenderer may parse a shader's text into. */
#define VW_SHADER_MAX_TOKENS	16384u

/* The TGSI text of PVGPU_KERNEL_@kernel's shader, or NULL. */
const char *vw_shader_text(uint32_t kernel);

#endif /* PVGPU_VW_SHADERS_H */

/* SPDX-License-Identifier: MIT */
/*
 * pvgpu: the protocol between the firmware model's virgl execution backend
 * (firmware-model/backend_virgl.c, inside QEMU) and the worker process that
 * runs the built-in compute kernels on the host GPU through virglrenderer
 * (virgl-worker/, the program pvgpu-virgl-worker). docs/virgl.rst.
 *
 * Why a process: virglrenderer is one instance per process (its state is
 * global) and QEMU's own virtio-gpu-gl may own it; a GL driver that crashes
 * or hangs must not take QEMU with it; and the GL context then never meets
 * QEMU's display contexts.
 *
 * The backend spawns the worker with two descriptors:
 *   fd 3: a SOCK_SEQPACKET socket, one message per request and per reply;
 *   fd 4: a memfd of PVGPU_VW_SHM_SIZE bytes, the staging area. A request
 *         names byte ranges in it; the worker reads inputs from it and
 *         writes outputs to it before it replies.
 * One request is in flight at a time; the backend waits for its reply with
 * a deadline and kills the worker (then starts a new one) when it is
 * missed. Every field is host-endian: both ends are the same machine.
 *
 * The worker keeps no state a request depends on beyond its GL objects
 * (compiled shaders, buffers it may reuse): a request carries all inputs, so
 * a new worker gives the same results and migration has nothing of it to
 * carry.
 */
#ifndef PVGPU_VIRGL_WORKER_H
#define PVGPU_VIRGL_WORKER_H

#include <stdint.h>

#define PVGPU_VW_MAGIC		0x57564750u	/* "PGVW" */
#define PVGPU_VW_VERSION	1u

#define PVGPU_VW_FD_SOCKET	3
#define PVGPU_VW_FD_SHM		4

/* The staging area; one request's inputs and outputs fit in it. */
#define PVGPU_VW_SHM_SIZE	(8u << 20)

/* Request opcodes. */
#define PVGPU_VW_OP_HELLO	1	/* no args; reply.text: GL renderer */
#define PVGPU_VW_OP_DISPATCH	2	/* run one kernel chunk (below) */
/*
 * Test hooks, for the device's x-inject-backend-* properties: the next
 * DISPATCH submits a command stream virglrenderer rejects (a real
 * virglrenderer/GL error path), or the worker stops answering.
 */
#define PVGPU_VW_OP_INJECT_GL_ERROR	3
#define PVGPU_VW_OP_INJECT_HANG		4

/*
 * DISPATCH of one chunk of a built-in kernel (PVGPU_KERNEL_* of
 * pvgpu_cmds.h), with every operand staged in the shared memory at the
 * given byte offsets (4-byte aligned, within PVGPU_VW_SHM_SIZE):
 *
 * VECTOR_ADD_U32: out[i] = in0[i] + in1[i] (mod 2^32), i < n.
 * SAXPY_F32:      out[i] = alpha * in0[i] + in1[i], i < n, binary32, the
 *                 product rounded before the sum (no fused multiply-add).
 * CRC32C:         in0 holds n bytes, cut into segments of seg_bytes (the
 *                 last one may be shorter); out[s] = the CRC-32C register
 *                 after feeding segment s to a register of 0, no
 *                 inversion. The backend chains segments (it knows each
 *                 segment's length), so the GPU works on all at once.
 * MATMUL_F32:     in0 = rows x n matrix (rows of a), in1 = n x n matrix b,
 *                 out = rows x n: out[i][j] = sum over k = 0..n-1 in that
 *                 order of in0[i][k] * in1[k][j], from 0.0f, each product
 *                 rounded before it is added.
 *
 * Lengths: n elements (CRC32C: bytes); rows only for MATMUL_F32.
 */
struct pvgpu_vw_request {
	uint32_t magic;
	uint32_t op;		/* PVGPU_VW_OP_* */
	uint32_t seq;		/* echoed in the reply */
	uint32_t kernel;	/* PVGPU_KERNEL_* */
	uint32_t n;
	uint32_t rows;
	uint32_t seg_bytes;	/* CRC32C; a multiple of 4, > 0 */
	uint32_t alpha_bits;	/* SAXPY_F32: binary32 bit pattern */
	uint32_t in0_off, in1_off, out_off;
	uint32_t reserved;	/* 0 */
};

/* Reply status. */
#define PVGPU_VW_OK		0
#define PVGPU_VW_ERR_PROTO	1	/* malformed request: a backend bug */
#define PVGPU_VW_ERR_ARGS	2	/* ranges outside the staging area */
#define PVGPU_VW_ERR_GL		3	/* virglrenderer / GL reported an
					 * error; detail and text say which */
#define PVGPU_VW_ERR_INIT	4	/* virglrenderer did not initialise */

struct pvgpu_vw_reply {
	uint32_t magic;
	uint32_t seq;
	uint32_t status;	/* PVGPU_VW_OK or PVGPU_VW_ERR_* */
	int32_t detail;		/* status-specific: the failing call's
				 * return value (a negative errno or a
				 * virglrenderer code) */
	uint64_t gpu_ns;	/* time from submission to results read back */
	char text[128];		/* NUL-terminated: HELLO's renderer string,
				 * or what failed */
};

#endif /* PVGPU_VIRGL_WORKER_H */

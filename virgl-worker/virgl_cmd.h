/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu-virgl-worker: a small encoder for the virgl command stream
 * (virglrenderer's src/virgl_protocol.h), only the commands the worker
 * sends. Every command is a header dword (opcode in bits 7..0, object type
 * in 15..8, payload length in dwords in 31..16) and its payload.
 *
 * Bounds-checked: a command that does not fit marks the buffer overflowed
 * and is dropped; vw_cmd_ok() says whether everything was encoded.
 */
#ifndef PVGPU_VW_VIRGL_CMD_H
#define PVGPU_VW_VIRGL_CMD_H

#include <stdbool.h>
#include <stdint.h>

/* Command opcodes (enum virgl_context_cmd). */
#define VW_CCMD_CREATE_OBJECT		1
#define VW_CCMD_SET_CONSTANT_BUFFER	12
#define VW_CCMD_BIND_SHADER		31
#define VW_CCMD_SET_SHADER_BUFFERS	34
#define VW_CCMD_MEMORY_BARRIER		36
#define VW_CCMD_LAUNCH_GRID		37

/* Object types (enum virgl_object_type). */
#define VW_OBJECT_SHADER		4

/* Gallium values the protocol carries. */
#define VW_PIPE_BUFFER			0	/* resource target */
#define VW_PIPE_SHADER_COMPUTE		5
#define VW_PIPE_BARRIER_ALL		((1u << 12) - 1)
#define VW_FORMAT_R8_UNORM		64	/* virgl format of buffers */
#define VW_BIND_SHADER_BUFFER		(1u << 14)

/* LAUNCH_GRID's payload: block[3], grid[3], indirect handle, offset. */
#define VW_LAUNCH_GRID_LEN		8
/* A header's 16-bit length field. */
#define VW_CMD_MAX_LEN			0xffffu

struct vw_cmdbuf {
	uint32_t *dw;
	uint32_t len;		/* dwords used */
	uint32_t cap;		/* dwords available */
	bool overflow;
};

struct vw_ssbo {
	uint32_t offset, length, res_handle;
};

void vw_cmd_init(struct vw_cmdbuf *cb, uint32_t *storage, uint32_t cap);
static inline bool vw_cmd_ok(const struct vw_cmdbuf *cb)
{
	return !cb->overflow;
}

/*
 * CREATE_OBJECT(SHADER) of TGSI text in one packet (no continuation):
 * @num_tokens bounds the tokens virglrenderer parses the text into.
 */
void vw_cmd_create_shader(struct vw_cmdbuf *cb, uint32_t handle,
			  uint32_t type, uint32_t num_tokens,
			  const char *tgsi);
void vw_cmd_bind_shader(struct vw_cmdbuf *cb, uint32_t handle,
			uint32_t type);
/* The shader's user constants (CONST[0..]): @ndw dwords, whole vec4s. */
void vw_cmd_set_constants(struct vw_cmdbuf *cb, uint32_t type,
			  const uint32_t *data, uint32_t ndw);
void vw_cmd_set_shader_buffers(struct vw_cmdbuf *cb, uint32_t type,
			       uint32_t start_slot, const struct vw_ssbo *ssbo,
			       uint32_t count);
/*
 * LAUNCH_GRID; @payload_len is VW_LAUNCH_GRID_LEN except when a test
 * wants a command virglrenderer rejects (a payload of the wrong size).
 */
void vw_cmd_launch_grid(struct vw_cmdbuf *cb, const uint32_t block[3],
			const uint32_t grid[3], uint32_t payload_len);
void vw_cmd_memory_barrier(struct vw_cmdbuf *cb, uint32_t flags);

#endif /* PVGPU_VW_VIRGL_CMD_H */

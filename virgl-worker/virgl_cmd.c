/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu-virgl-worker: the virgl command stream encoder (virgl_cmd.h).
 */
#include <string.h>

#include "virgl_cmd.h"

#define CMD_HDR(cmd, obj, len)	((uint32_t)(cmd) | ((uint32_t)(obj) << 8) | \
				 ((uint32_t)(len) << 16))

void vw_cmd_init(struct vw_cmdbuf *cb, uint32_t *storage, uint32_t cap)
{
	cb->dw = storage;
	cb->len = 0;
	cb->cap = cap;
	cb->overflow = false;
}

/*
 * Room for a command of @len payload dwords: its header is written and
 * the payload's first dword returned, or NULL (the buffer is marked
 * overflowed) when it does not fit.
 */
static uint32_t *cmd_begin(struct vw_cmdbuf *cb, uint32_t cmd, uint32_t obj,
			   uint32_t len)
{
	uint32_t *p;

	if (cb->overflow || len > VW_CMD_MAX_LEN ||
	    cb->cap - cb->len < len + 1) {
		cb->overflow = true;
		return NULL;
	}
	p = cb->dw + cb->len;
	p[0] = CMD_HDR(cmd, obj, len);
	cb->len += len + 1;
	return p + 1;
}

void vw_cmd_create_shader(struct vw_cmdbuf *cb, uint32_t handle,
			  uint32_t type, uint32_t num_tokens,
			  const char *tgsi)
{
	/* The text with its NUL, padded to whole dwords. */
	size_t bytes = strlen(tgsi) + 1;
	size_t text_dw = (bytes + 3) / 4;
	uint32_t *p;

	/*
	 * handle, type, offlen (the text's length; bit 31 clear: not a
	 * continuation), num_tokens, and for compute the local memory size.
	 */
	if (text_dw > VW_CMD_MAX_LEN - 5) {
		cb->overflow = true;
		return;
	}
	p = cmd_begin(cb, VW_CCMD_CREATE_OBJECT, VW_OBJECT_SHADER,
		      (uint32_t)(5 + text_dw));
	if (!p)
		return;
	p[0] = handle;
	p[1] = type;
	p[2] = (uint32_t)bytes;
	p[3] = num_tokens;
	p[4] = 0;
	p[4 + text_dw] = 0;	/* zero the padding of the last dword */
	memcpy(p + 5, tgsi, bytes);
}

void vw_cmd_bind_shader(struct vw_cmdbuf *cb, uint32_t handle, uint32_t type)
{
	uint32_t *p = cmd_begin(cb, VW_CCMD_BIND_SHADER, 0, 2);

	if (!p)
		return;
	p[0] = handle;
	p[1] = type;
}

void vw_cmd_set_constants(struct vw_cmdbuf *cb, uint32_t type,
			  const uint32_t *data, uint32_t ndw)
{
	uint32_t *p;

	if (ndw > VW_CMD_MAX_LEN - 2) {
		cb->overflow = true;
		return;
	}
	/* shader type, buffer index (unused: always 0), the constants */
	p = cmd_begin(cb, VW_CCMD_SET_CONSTANT_BUFFER, 0, 2 + ndw);
	if (!p)
		return;
	p[0] = type;
	p[1] = 0;
	memcpy(p + 2, data, ndw * sizeof(*data));
}

void vw_cmd_set_shader_buffers(struct vw_cmdbuf *cb, uint32_t type,
			       uint32_t start_slot, const struct vw_ssbo *ssbo,
			       uint32_t count)
{
	uint32_t *p;

	if (count > (VW_CMD_MAX_LEN - 2) / 3) {
		cb->overflow = true;
		return;
	}
	p = cmd_begin(cb, VW_CCMD_SET_SHADER_BUFFERS, 0, 2 + 3 * count);
	if (!p)
		return;
	p[0] = type;
	p[1] = start_slot;
	for (uint32_t i = 0; i < count; i++) {
		p[2 + 3 * i] = ssbo[i].offset;
		p[3 + 3 * i] = ssbo[i].length;
		p[4 + 3 * i] = ssbo[i].res_handle;
	}
}

void vw_cmd_launch_grid(struct vw_cmdbuf *cb, const uint32_t block[3],
			const uint32_t grid[3], uint32_t payload_len)
{
	uint32_t full[VW_LAUNCH_GRID_LEN] = {
		block[0], block[1], block[2], grid[0], grid[1], grid[2],
		0, 0,	/* no indirect buffer */
	};
	uint32_t *p;

	if (payload_len > VW_LAUNCH_GRID_LEN) {
		cb->overflow = true;
		return;
	}
	p = cmd_begin(cb, VW_CCMD_LAUNCH_GRID, 0, payload_len);
	if (p)
		memcpy(p, full, payload_len * sizeof(*p));
}

void vw_cmd_memory_barrier(struct vw_cmdbuf *cb, uint32_t flags)
{
	uint32_t *p = cmd_begin(cb, VW_CCMD_MEMORY_BARRIER, 0, 1);

	if (p)
		*p = flags;
}

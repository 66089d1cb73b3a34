/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the firmware log buffer.
 *
 * The driver gives the firmware a log buffer at boot: a struct
 * pvgpu_log_desc followed by a text area. The firmware appends lines
 *   "[<seconds>.<microseconds>] <E|W|I|D> <text>\n"
 * (device clock) at write_offset, wrapping byte by byte at the end of the
 * text area and counting wraps in wrap_count. It writes the text first and
 * the descriptor second, so a reader that samples the descriptor never sees
 * an offset ahead of the text.
 *
 * The log is written only while the firmware is RUNNING: before that its
 * location is not validated, after it the driver may have reclaimed it.
 * The firmware does not send PVGPU_F2H_EVT_LOG: the log is for humans
 * (debugfs) and an event per line would compete with real events for F2H
 * space.
 */
#include <stddef.h>
#include <string.h>

#include "fw_internal.h"

static const char fw_log_level_char[] = { 'E', 'W', 'I', 'D' };

uint32_t fw_log_text_size(uint32_t log_size)
{
	return log_size - (uint32_t)sizeof(struct pvgpu_log_desc);
}

static bool write_desc(PvgpuFw *fw, uint64_t log_base)
{
	struct pvgpu_log_desc desc = { 0 };

	desc.write_offset = GUINT32_TO_LE(fw->st.log_write_offset);
	desc.wrap_count = GUINT32_TO_LE(fw->st.log_wrap_count);
	desc.level = GUINT32_TO_LE(fw->st.log_level);
	/* write_offset, wrap_count and level only: reserved stays as is. */
	return fw_dma_write(fw, log_base, &desc,
			    offsetof(struct pvgpu_log_desc, reserved));
}

bool fw_log_init(PvgpuFw *fw, const FwLayout *l)
{
	struct pvgpu_log_desc desc = { 0 };

	desc.level = GUINT32_TO_LE(fw->st.log_level);
	return fw_dma_write(fw, l->log_base, &desc, sizeof(desc));
}

void fw_log_sync_level(PvgpuFw *fw)
{
	if (fw->st.fw_status != PVGPU_FW_STATE_RUNNING)
		return;
	if (!write_desc(fw, fw->st.log_base))
		fw_halt(fw, PVGPU_FW_ERR_BAD_LOG, "log buffer not accessible");
}

void fw_log(PvgpuFw *fw, uint32_t level, const char *fmt, ...)
{
	PvgpuFwState *st = &fw->st;
	char line[FW_LOG_LINE_MAX];
	uint64_t now, text_base;
	uint32_t text_size, off, len, first;
	int prefix;
	va_list ap;

	if (st->fw_status != PVGPU_FW_STATE_RUNNING || level > st->log_level)
		return;

	now = fw_clock_ns(fw);
	prefix = g_snprintf(line, sizeof(line), "[%" PRIu64 ".%06" PRIu64
			    "] %c ", now / 1000000000u,
			    (now / 1000u) % 1000000u,
			    fw_log_level_char[level]);
	va_start(ap, fmt);
	g_vsnprintf(line + prefix, sizeof(line) - prefix, fmt, ap);
	va_end(ap);
	/* Truncated or not, every line ends with a newline. */
	len = (uint32_t)strlen(line);
	if (len == sizeof(line) - 1)
		len--;
	line[len++] = '\n';

	text_base = st->log_base + sizeof(struct pvgpu_log_desc);
	text_size = fw_log_text_size(st->log_size);
	off = st->log_write_offset;
	first = MIN(len, text_size - off);
	if (!fw_dma_write(fw, text_base + off, line, first) ||
	    (first < len &&
	     !fw_dma_write(fw, text_base, line + first, len - first))) {
		fw_halt(fw, PVGPU_FW_ERR_BAD_LOG, "log buffer not accessible");
		return;
	}
	off += len;
	if (off >= text_size) {
		off -= text_size;
		st->log_wrap_count++;
	}
	st->log_write_offset = off;
	if (!write_desc(fw, st->log_base))
		fw_halt(fw, PVGPU_FW_ERR_BAD_LOG, "log buffer not accessible");
}

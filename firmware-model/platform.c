/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the calls into the platform (QEMU's device, or a
 * test harness) that the rest of the model goes through: guest memory
 * access, the clock, the run-loop kick, guest-error and trace output.
 *
 * PvgpuFwPlatform (pvgpu_fw_model.h) is what the platform provides; these
 * wrappers add what every caller would otherwise repeat (the "pvgpu: "
 * prefix, optional callbacks, address wrap-around checks).
 */
#include "fw_internal.h"

void fw_guest_error(PvgpuFw *fw, const char *fmt, ...)
{
	va_list ap;
	char *body, *msg;

	va_start(ap, fmt);
	body = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	msg = g_strconcat("pvgpu: ", body, NULL);
	if (fw->plat.guest_error)
		fw->plat.guest_error(fw->opaque, msg);
	g_free(msg);
	g_free(body);
}

void fw_trace(PvgpuFw *fw, const char *what, uint64_t a, uint64_t b)
{
	if (fw->plat.trace)
		fw->plat.trace(fw->opaque, what, a, b);
}

uint64_t fw_clock_ns(PvgpuFw *fw)
{
	return fw->plat.clock_ns(fw->opaque);
}

void fw_kick(PvgpuFw *fw)
{
	fw->plat.kick(fw->opaque);
}

bool fw_dma_read(PvgpuFw *fw, uint64_t addr, void *buf, size_t len)
{
	/* A range that wraps the address space is never guest memory. */
	if (addr + len < addr)
		return false;
	return fw->plat.dma_read(fw->opaque, addr, buf, len) == 0;
}

bool fw_dma_write(PvgpuFw *fw, uint64_t addr, const void *buf, size_t len)
{
	if (addr + len < addr)
		return false;
	return fw->plat.dma_write(fw->opaque, addr, buf, len) == 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the boot handshake.
 *
 * The driver writes the boot descriptor's address to FW_BOOT_DESC_LO/HI and
 * sets FW_CTRL.BOOT. The register write only latches the request; the
 * firmware then reads the descriptor, checks every field and every area it
 * names, writes its capabilities and enters RUNNING, or refuses with an
 * error code in FW_ERROR and enters ERROR. Either way it signals
 * PVGPU_IRQ_FW_STATE.
 *
 * The checks run in a fixed, documented order and the first failure is the
 * one reported (docs/firmware-protocol.rst), so a driver author can tell
 * exactly what was wrong.
 */
#include <string.h>

#include "fw_internal.h"

#define FW_PAGE_SIZE		0x1000u

/* FW_ERROR codes by value: the table in pvgpu_fwif.h. */
#define FW_ERR_NAME(name, value, desc)	[PVGPU_FW_ERR_##name] = #name,
static const char *const fw_err_names[] = {
	PVGPU_FW_ERR_TABLE(FW_ERR_NAME)
};
#undef FW_ERR_NAME

/* --- Layout checks (shared with migration) ----------------------------- */

/* One area of shared memory the firmware will access. */
typedef struct FwArea {
	const char *name;
	uint64_t base;
	uint64_t len;		/* bytes the firmware accesses */
	uint32_t err;		/* FW_ERROR code if this area is bad */
	uint32_t size;		/* the descriptor's size field, if any */
	bool size_ok;		/* ... obeys its own rule */
	const char *size_rule;
} FwArea;

static bool pow2_in_range(uint32_t v, uint32_t min, uint32_t max)
{
	return v >= min && v <= max && !(v & (v - 1));
}

#define FW_AREAS	6

static void layout_areas(const FwLayout *l, FwArea a[FW_AREAS])
{
	const char *ring_rule = "a power of two from 4 KiB to 1 MiB";

	a[0] = (FwArea){ "H2F ring descriptor", l->h2f_desc,
			 sizeof(struct pvgpu_ring_desc), PVGPU_FW_ERR_BAD_RING,
			 0, true, NULL };
	a[1] = (FwArea){ "H2F ring buffer", l->h2f_base, l->h2f_size,
			 PVGPU_FW_ERR_BAD_RING, l->h2f_size,
			 pow2_in_range(l->h2f_size, PVGPU_RING_MIN_SIZE,
				       PVGPU_RING_MAX_SIZE), ring_rule };
	a[2] = (FwArea){ "F2H ring descriptor", l->f2h_desc,
			 sizeof(struct pvgpu_ring_desc), PVGPU_FW_ERR_BAD_RING,
			 0, true, NULL };
	a[3] = (FwArea){ "F2H ring buffer", l->f2h_base, l->f2h_size,
			 PVGPU_FW_ERR_BAD_RING, l->f2h_size,
			 pow2_in_range(l->f2h_size, PVGPU_RING_MIN_SIZE,
				       PVGPU_RING_MAX_SIZE), ring_rule };
	a[4] = (FwArea){ "log buffer", l->log_base, l->log_size,
			 PVGPU_FW_ERR_BAD_LOG, l->log_size,
			 pow2_in_range(l->log_size, PVGPU_LOG_MIN_SIZE,
				       PVGPU_LOG_MAX_SIZE),
			 "a power of two from 4 KiB to 1 MiB" };
	/*
	 * The firmware writes only its own struct pvgpu_fw_caps; caps_size
	 * just has to be large enough for it.
	 */
	a[5] = (FwArea){ "caps buffer", l->caps_base,
			 sizeof(struct pvgpu_fw_caps), PVGPU_FW_ERR_BAD_CAPS,
			 l->caps_size,
			 l->caps_size >= sizeof(struct pvgpu_fw_caps),
			 "at least sizeof(struct pvgpu_fw_caps)" };
}

static bool areas_overlap(const FwArea *x, const FwArea *y)
{
	return x->base < y->base + y->len && y->base < x->base + x->len;
}

/* Read the whole area, page by page: the only portable accessibility test. */
static bool area_readable(PvgpuFw *fw, const FwArea *a)
{
	uint8_t page[FW_PAGE_SIZE];

	for (uint64_t off = 0; off < a->len; off += FW_PAGE_SIZE) {
		uint64_t chunk = MIN(a->len - off, (uint64_t)FW_PAGE_SIZE);

		if (!fw_dma_read(fw, a->base + off, page, chunk))
			return false;
	}
	return true;
}

/*
 * Check the areas in order; for each: its size rule, alignment, address
 * wrap, overlap with an earlier area, and (at boot, @fw non-NULL) that it
 * is readable guest memory.
 */
static uint32_t check_areas(PvgpuFw *fw, const FwLayout *l, char *why,
			    size_t why_len)
{
	FwArea a[FW_AREAS];

	layout_areas(l, a);
	for (unsigned int i = 0; i < FW_AREAS; i++) {
		if (!a[i].size_ok) {
			g_snprintf(why, why_len, "%s size 0x%x is not %s",
				   a[i].name, a[i].size, a[i].size_rule);
			return a[i].err;
		}
		if (a[i].base & (FW_PAGE_SIZE - 1)) {
			g_snprintf(why, why_len, "%s at 0x%" PRIx64
				   " is not 4 KiB aligned", a[i].name,
				   a[i].base);
			return a[i].err;
		}
		if (a[i].base + a[i].len < a[i].base) {
			g_snprintf(why, why_len, "%s at 0x%" PRIx64
				   " wraps the address space", a[i].name,
				   a[i].base);
			return a[i].err;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (areas_overlap(&a[i], &a[j])) {
				g_snprintf(why, why_len, "%s at 0x%" PRIx64
					   " overlaps the %s at 0x%" PRIx64,
					   a[i].name, a[i].base, a[j].name,
					   a[j].base);
				return a[i].err;
			}
		}
		if (fw && !area_readable(fw, &a[i])) {
			g_snprintf(why, why_len, "%s at 0x%" PRIx64 " (0x%"
				   PRIx64 " bytes) is not accessible",
				   a[i].name, a[i].base, a[i].len);
			return a[i].err;
		}
	}
	return PVGPU_FW_ERR_NONE;
}

uint32_t fw_layout_check(const FwLayout *l, char *why, size_t why_len)
{
	return check_areas(NULL, l, why, why_len);
}

void fw_layout_from_state(const PvgpuFwState *st, FwLayout *l)
{
	l->h2f_desc = st->h2f_desc;
	l->h2f_base = st->h2f_base;
	l->h2f_size = st->h2f_size;
	l->f2h_desc = st->f2h_desc;
	l->f2h_base = st->f2h_base;
	l->f2h_size = st->f2h_size;
	l->log_base = st->log_base;
	l->log_size = st->log_size;
	l->caps_base = st->caps_base;
	l->caps_size = st->caps_size;
}

static void layout_to_state(const FwLayout *l, PvgpuFwState *st)
{
	st->h2f_desc = l->h2f_desc;
	st->h2f_base = l->h2f_base;
	st->h2f_size = l->h2f_size;
	st->f2h_desc = l->f2h_desc;
	st->f2h_base = l->f2h_base;
	st->f2h_size = l->f2h_size;
	st->log_base = l->log_base;
	st->log_size = l->log_size;
	st->caps_base = l->caps_base;
	st->caps_size = l->caps_size;
}

static void layout_from_desc(const struct pvgpu_boot_desc *d, FwLayout *l)
{
	l->h2f_desc = GUINT64_FROM_LE(d->h2f_desc);
	l->h2f_base = GUINT64_FROM_LE(d->h2f_base);
	l->h2f_size = GUINT32_FROM_LE(d->h2f_size);
	l->f2h_desc = GUINT64_FROM_LE(d->f2h_desc);
	l->f2h_base = GUINT64_FROM_LE(d->f2h_base);
	l->f2h_size = GUINT32_FROM_LE(d->f2h_size);
	l->log_base = GUINT64_FROM_LE(d->log_base);
	l->log_size = GUINT32_FROM_LE(d->log_size);
	l->caps_base = GUINT64_FROM_LE(d->caps_base);
	l->caps_size = GUINT32_FROM_LE(d->caps_size);
}

/* --- The boot request -------------------------------------------------- */

void fw_boot_request(PvgpuFw *fw)
{
	PvgpuFwState *st = &fw->st;

	switch (st->fw_status) {
	case PVGPU_FW_STATE_OFF:
	case PVGPU_FW_STATE_ERROR:
		break;
	case PVGPU_FW_STATE_BOOTING:
		fw_guest_error(fw, "FW_CTRL.BOOT while already booting, "
			       "ignored");
		return;
	case PVGPU_FW_STATE_RUNNING:
		fw_guest_error(fw, "FW_CTRL.BOOT while running, ignored "
			       "(reset the firmware first)");
		return;
	default:
		fw_guest_error(fw, "FW_CTRL.BOOT while halted, ignored "
			       "(reset the firmware first)");
		return;
	}

	/*
	 * BOOTING is the driver's own doing, so it does not raise FW_STATE;
	 * the outcome (RUNNING or ERROR) does.
	 */
	st->boot_pending = 1;
	st->fw_status = PVGPU_FW_STATE_BOOTING;
	st->fw_error = PVGPU_FW_ERR_NONE;
	fw_trace(fw, "fw_state", st->fw_status, 0);
	fw_kick(fw);
}

static void G_GNUC_PRINTF(3, 4)
boot_fail(PvgpuFw *fw, uint32_t err, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fw_guest_error(fw, "boot refused, FW_ERROR %s: %s",
		       fw_err_names[err], why);
	g_free(why);
	fw_trace(fw, "boot_fail", err, 0);
	fw_set_state(fw, PVGPU_FW_STATE_ERROR, err);
}

/* At boot both rings must be empty with sane pointers. */
static bool boot_check_ring(PvgpuFw *fw, const FwRing *r)
{
	uint32_t head, tail;

	if (!fw_ring_read_ptrs(fw, r, &head, &tail)) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_RING,
			  "%s ring descriptor not readable", r->name);
		return false;
	}
	if (!fw_ring_ptr_valid(r, head) || !fw_ring_ptr_valid(r, tail)) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_RING,
			  "%s ring head 0x%x / tail 0x%x invalid for a "
			  "0x%x-byte ring", r->name, head, tail, r->size);
		return false;
	}
	if (head != tail) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_RING,
			  "%s ring not empty at boot (head 0x%x, tail 0x%x)",
			  r->name, head, tail);
		return false;
	}
	return true;
}

void fw_boot_run(PvgpuFw *fw)
{
	PvgpuFwState *st = &fw->st;
	struct pvgpu_boot_desc desc;
	struct pvgpu_fw_caps caps;
	uint64_t addr = ((uint64_t)st->boot_desc_hi << 32) | st->boot_desc_lo;
	uint32_t magic, version, err;
	FwRing h2f, f2h;
	FwLayout l;
	char why[160];

	st->boot_pending = 0;
	if (st->fw_status != PVGPU_FW_STATE_BOOTING)
		return;
	fw_trace(fw, "boot", addr, 0);

	if (addr & (FW_PAGE_SIZE - 1)) {
		boot_fail(fw, PVGPU_FW_ERR_DESC_ALIGN, "boot descriptor at 0x%"
			  PRIx64 " is not 4 KiB aligned", addr);
		return;
	}
	if (!fw_dma_read(fw, addr, &desc, sizeof(desc))) {
		boot_fail(fw, PVGPU_FW_ERR_DESC_DMA, "boot descriptor at 0x%"
			  PRIx64 " is not readable", addr);
		return;
	}

	magic = GUINT32_FROM_LE(desc.magic);
	if (magic != PVGPU_BOOT_MAGIC) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_MAGIC, "magic 0x%08x, expected "
			  "0x%08x", magic, PVGPU_BOOT_MAGIC);
		return;
	}
	version = GUINT32_FROM_LE(desc.iface_version);
	if (PVGPU_IFACE_VERSION_MAJOR(version) != PVGPU_IFACE_MAJOR) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_VERSION, "driver speaks "
			  "interface %u.%u, firmware %u.%u",
			  PVGPU_IFACE_VERSION_MAJOR(version),
			  PVGPU_IFACE_VERSION_MINOR(version),
			  PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR);
		return;
	}
	/*
	 * A flag or reserved field this firmware does not know asks for an
	 * interface it does not speak: a version mismatch.
	 */
	if (desc.flags) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_VERSION, "flags 0x%08x set, "
			  "must be zero", GUINT32_FROM_LE(desc.flags));
		return;
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(desc.reserved); i++) {
		if (desc.reserved[i]) {
			boot_fail(fw, PVGPU_FW_ERR_BAD_VERSION, "reserved[%u] "
				  "= 0x%08x, must be zero", i,
				  GUINT32_FROM_LE(desc.reserved[i]));
			return;
		}
	}

	layout_from_desc(&desc, &l);
	err = check_areas(fw, &l, why, sizeof(why));
	if (err != PVGPU_FW_ERR_NONE) {
		boot_fail(fw, err, "%s", why);
		return;
	}

	/* The ring helpers address the rings through the state's copy. */
	layout_to_state(&l, st);
	fw_ring_h2f(fw, &h2f);
	fw_ring_f2h(fw, &f2h);
	if (!boot_check_ring(fw, &h2f) || !boot_check_ring(fw, &f2h))
		return;

	fw_caps_fill(&fw->cfg, &caps);
	if (!fw_dma_write(fw, l.caps_base, &caps, sizeof(caps))) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_CAPS, "caps buffer at 0x%" PRIx64
			  " is not writable", l.caps_base);
		return;
	}
	/* Every boot starts with a fresh log at the default verbosity. */
	st->log_level = PVGPU_LOG_LEVEL_INFO;
	st->log_write_offset = 0;
	st->log_wrap_count = 0;
	if (!fw_log_init(fw, &l)) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_LOG, "log buffer at 0x%" PRIx64
			  " is not writable", l.log_base);
		return;
	}
	if (!fw_ring_clear_status(fw, &h2f) ||
	    !fw_ring_clear_status(fw, &f2h)) {
		boot_fail(fw, PVGPU_FW_ERR_BAD_RING, "ring descriptor not "
			  "writable");
		return;
	}

	st->f2h_event_seqno = 0;
	st->h2f_pending = 0;
	fw->stats.boots++;
	fw_set_state(fw, PVGPU_FW_STATE_RUNNING, PVGPU_FW_ERR_NONE);

	fw_log(fw, PVGPU_LOG_LEVEL_INFO,
	       "firmware %u.%u.%u, interface %u.%u (driver %u.%u), boot %" PRIu64,
	       PVGPU_FW_MODEL_VERSION >> 16, (PVGPU_FW_MODEL_VERSION >> 8) & 0xff,
	       PVGPU_FW_MODEL_VERSION & 0xff, PVGPU_IFACE_MAJOR,
	       PVGPU_IFACE_MINOR, PVGPU_IFACE_VERSION_MAJOR(version),
	       PVGPU_IFACE_VERSION_MINOR(version), fw->stats.boots);
	fw_log(fw, PVGPU_LOG_LEVEL_INFO,
	       "H2F %u bytes at 0x%" PRIx64 ", F2H %u bytes at 0x%" PRIx64,
	       l.h2f_size, l.h2f_base, l.f2h_size, l.f2h_base);
}

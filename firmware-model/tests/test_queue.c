/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The queue requests' validation (every error of every request), the
 * determinism of the scheduler and the migration of a busy scheduler
 * (post_load, including corrupted queue tables).
 */
#include <stddef.h>
#include <string.h>

#include "sched_helpers.h"

#define US		1000ull
#define MS		1000000ull
#define COPY		PVGPU_ENGINE_CLASS_COPY
#define COMPUTE		PVGPU_ENGINE_CLASS_COMPUTE

static int migrate(Sh *src, Sh *dst);

static PvgpuFwQueueState *qs(Sh *t, uint32_t id)
{
	uint32_t n;

	return &pvgpu_fw_queue_states(t->fw, &n)[id];
}

static void store(GArray *c, uint64_t off, uint32_t v)
{
	gpu_cmd_store32(c, SH_DATA_VA + off, v);
}

/* --- Configuration ----------------------------------------------------- */

static void test_config(void)
{
	PvgpuFwConfig cfg;

	pvgpu_fw_config_default(&cfg);
	g_assert_cmpuint(cfg.watchdog_ms, ==, 2000);
	g_assert_cmpuint(cfg.preempt_timeout_us, ==, 10000);
	g_assert_cmpuint(cfg.wait_poll_us, ==, 20);
	g_assert_cmpuint(cfg.seed, ==, 0);
	cfg.watchdog_ms = 0;
	g_assert_null(pvgpu_fw_config_check(&cfg));
	cfg.watchdog_ms = 3600001;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "watchdog_ms");
	pvgpu_fw_config_default(&cfg);
	cfg.preempt_timeout_us = 0;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "preempt_timeout_us");
	cfg.preempt_timeout_us = 10000001;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "preempt_timeout_us");
	pvgpu_fw_config_default(&cfg);
	cfg.wait_poll_us = 0;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "wait_poll_us");
	cfg.wait_poll_us = 1000001;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "wait_poll_us");
}

/* --- QUEUE_REGISTER validation ----------------------------------------- */

typedef struct RegCtx {
	Sh *t;
	struct pvgpu_msg_queue_register m;
	struct pvgpu_queue_desc d;
	uint64_t desc_addr;
} RegCtx;

typedef struct RegCase {
	const char *name;
	void (*mutate)(RegCtx *r);
	uint32_t status;
} RegCase;

#define REG(n, body) static void reg_##n(RegCtx *r) { body; }
REG(reserved, r->m.reserved = 1)
REG(id_range, r->m.queue_id = SH_MAX_QUEUES)
REG(id_busy, r->m.queue_id = 0)
REG(desc_align, r->m.desc_addr = r->desc_addr + 32)
REG(desc_dma, r->m.desc_addr = 0x7ffffffff000ull)
REG(desc_flags, r->d.flags = 2)
REG(desc_reserved, r->d.reserved = 1)
/*
 * A user queue's fence_addr is a progress block: 16-byte aligned RAM; a
 * privileged queue's fence 8-byte aligned RAM.
 */
REG(progress_align, r->d.fence_addr = (r->d.rptr_addr & ~15ull) + 8)
REG(progress_dma, r->d.fence_addr = 0x7ffffffff000ull)
REG(priv_ring_dma, r->d.flags = PVGPU_QUEUE_DESC_PRIVILEGED;
	r->d.fence_addr = r->d.rptr_addr & ~7ull;
	r->d.ring_addr = 0x7ffffffff000ull)
REG(priv_ring_end, r->d.flags = PVGPU_QUEUE_DESC_PRIVILEGED;
	r->d.fence_addr = r->d.rptr_addr & ~7ull;
	r->d.ring_addr = r->t->fp->ram_size - 0x1000; r->d.ring_size = 0x2000)
REG(priv_fence_align, r->d.flags = PVGPU_QUEUE_DESC_PRIVILEGED;
	r->d.ring_addr = r->t->q[5].ring.pa;
	r->d.fence_addr = r->d.rptr_addr | 4)
REG(priv_fence_dma, r->d.flags = PVGPU_QUEUE_DESC_PRIVILEGED;
	r->d.ring_addr = r->t->q[5].ring.pa;
	r->d.fence_addr = 0x7ffffffff000ull)
REG(class, r->d.engine_class = 2)
REG(priority, r->d.priority = 4)
REG(timeslice_low, r->d.timeslice_us = 99)
REG(timeslice_high, r->d.timeslice_us = 100001)
REG(asid_unbound, r->d.asid = 3)
REG(asid_range, r->d.asid = 100000)
REG(ring_align, r->d.ring_addr += 0x800)
REG(ring_va_bits, r->d.ring_addr = (1ull << 48) - 0x1000;
	r->d.ring_size = 0x2000)
REG(ring_size_pow2, r->d.ring_size = 0x3000)
REG(ring_size_small, r->d.ring_size = 0x800)
REG(ring_size_big, r->d.ring_size = 0x800000)
/* Doorbell ids: sh_config() has 1024 pages, ids 1 .. 1024 * 1024 - 1. */
REG(doorbell_zero, r->d.doorbell = 0)
REG(doorbell_h2f, r->d.doorbell = PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL,
	PVGPU_DOORBELL_H2F / PVGPU_DOORBELL_SIZE))
REG(doorbell_range, r->d.doorbell = 1024 * PVGPU_DOORBELLS_PER_PAGE)
REG(doorbell_range_max, r->d.doorbell = UINT32_MAX)
REG(doorbell_busy, r->d.doorbell = r->t->q[0].doorbell)
REG(rptr_align, r->d.rptr_addr += 2)
REG(wptr_align, r->d.wptr_addr += 1)
REG(ptr_same, r->d.wptr_addr = r->d.rptr_addr)
REG(rptr_dma, r->d.rptr_addr = 0x7ffffffff000ull)
REG(wptr_dma, r->d.wptr_addr = 0x7ffffffff000ull)
REG(rptr_value, fake_ram_wr32(r->t->fp, r->t->q[5].ring.rptr_addr, 0x1000))
REG(rptr_value_align, fake_ram_wr32(r->t->fp, r->t->q[5].ring.rptr_addr,
				     6))

static const RegCase reg_cases[] = {
#define C(n, s) { #n, reg_##n, PVGPU_STATUS_##s }
	C(reserved, EINVAL), C(id_range, EINVAL), C(id_busy, EBUSY),
	C(desc_align, EINVAL), C(desc_dma, EFAULT), C(desc_flags, EINVAL),
	C(desc_reserved, EINVAL), C(progress_align, EFAULT),
	C(progress_dma, EFAULT),
	C(priv_ring_dma, EFAULT), C(priv_ring_end, EFAULT),
	C(priv_fence_align, EFAULT), C(priv_fence_dma, EFAULT),
	C(class, EINVAL), C(priority, EINVAL),
	C(timeslice_low, EINVAL), C(timeslice_high, EINVAL),
	C(asid_unbound, ENOENT), C(asid_range, ENOENT), C(ring_align, EINVAL),
	C(ring_va_bits, EINVAL), C(ring_size_pow2, EINVAL),
	C(ring_size_small, EINVAL), C(ring_size_big, EINVAL),
	C(doorbell_zero, EINVAL), C(doorbell_h2f, EINVAL),
	C(doorbell_range, EINVAL), C(doorbell_range_max, EINVAL),
	C(doorbell_busy, EBUSY), C(rptr_align, EINVAL), C(wptr_align, EINVAL),
	C(ptr_same, EINVAL), C(rptr_dma, EFAULT), C(wptr_dma, EFAULT),
	C(rptr_value, EINVAL), C(rptr_value_align, EINVAL),
#undef C
};

static void test_register_error(gconstpointer data)
{
	const RegCase *c = data;
	Sh *t = sh_new(NULL);
	RegCtx r = { .t = t };
	GArray *cmds = gpu_cmds_new();

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	/* Queue 5's ring, with work queued: a good descriptor. */
	gpu_ring_init(&t->q[5].ring, &t->vm, SH_RING_VA + 5 * 0x400000ull,
		      0x1000);
	t->q[5].doorbell = 6;
	store(cmds, 0, 1);
	sh_submit(t, 5, cmds);
	g_array_free(cmds, TRUE);
	sh_desc(t, 5, COMPUTE, 1, &r.d);
	r.desc_addr = gpu_alloc(t->g, 0x1000, 0x1000);
	r.m.queue_id = GUINT32_TO_LE(5);
	r.m.desc_addr = GUINT64_TO_LE(r.desc_addr);
	c->mutate(&r);
	if (r.m.desc_addr + sizeof(r.d) <= t->fp->ram_size)
		memcpy(t->fp->ram + r.m.desc_addr, &r.d, sizeof(r.d));
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &r.m, 4,
				    NULL), ==, c->status);
	g_assert_true(fake_platform_has_error(t->fp, "QUEUE_REGISTER"));
	/* Nothing happened: not registered, nothing ran. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_QUERY, 5), ==,
			 PVGPU_STATUS_ENOENT);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);

	/* The good descriptor registers, and the queued work starts. */
	fake_ram_wr32(t->fp, t->q[5].ring.rptr_addr, 0);
	sh_desc(t, 5, COMPUTE, 1, &r.d);
	memcpy(t->fp->ram + r.desc_addr, &r.d, sizeof(r.d));
	r.m.queue_id = GUINT32_TO_LE(5);
	r.m.reserved = 0;
	r.m.desc_addr = GUINT64_TO_LE(r.desc_addr);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &r.m, 4,
				    NULL), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	sh_free(t);
}

/*
 * A privileged queue through the scheduler: its ring is read at its
 * guest-physical address (the GPU VA it had is unmapped), FENCE writes
 * the guest-physical fence and sends a SIGNAL event marked FENCE, and a
 * FENCE in a batch stops the queue with PRIVILEGED and writes nothing.
 */
static void test_register_privileged(void)
{
	Sh *t = sh_new(NULL);
	struct pvgpu_msg_queue_register m = { 0 };
	struct pvgpu_evt_queue_signal sig;
	struct pvgpu_evt_queue_error err;
	struct pvgpu_queue_desc d;
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new();
	uint64_t desc, fence;
	const ShEvent *ev;

	gpu_ring_init(&t->q[5].ring, &t->vm, SH_RING_VA + 5 * 0x400000ull,
		      0x1000);
	gpu_vm_unmap(&t->vm, SH_RING_VA + 5 * 0x400000ull, 0x1000, GPU_4K);
	t->q[5].id = 5;
	t->q[5].doorbell = 6;
	t->q[5].engine_class = COPY;
	sh_desc(t, 5, COPY, 1, &d);
	fence = gpu_alloc(t->g, 8, 8);
	d.flags = GUINT32_TO_LE(PVGPU_QUEUE_DESC_PRIVILEGED);
	d.ring_addr = GUINT64_TO_LE(t->q[5].ring.pa);
	d.fence_addr = GUINT64_TO_LE(fence);
	desc = gpu_alloc(t->g, sizeof(d), 64);
	memcpy(t->fp->ram + desc, &d, sizeof(d));
	m.queue_id = GUINT32_TO_LE(5);
	m.desc_addr = GUINT64_TO_LE(desc);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &m, 4, NULL),
			 ==, PVGPU_STATUS_OK);
	t->q[5].registered = true;

	store(c, 0, 11);
	gpu_cmd_fence(c, PVGPU_CMD_FENCE_IRQ, 1);
	sh_go(t, 5, c);
	sh_settle(t, 1000000000ull);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 11);
	g_assert_cmpuint(fake_ram_rd64(t->fp, fence), ==, 1);
	ev = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5, 0);
	g_assert_nonnull(ev);
	memcpy(&sig, ev->payload, sizeof(sig));
	g_assert_cmphex(GUINT32_FROM_LE(sig.flags), ==, PVGPU_EVT_SIGNAL_FENCE);
	g_assert_cmphex(GUINT64_FROM_LE(sig.addr), ==, fence);
	g_assert_cmpuint(GUINT64_FROM_LE(sig.value), ==, 1);

	/* A user batch forging the next fence value is stopped. */
	gpu_cmd_fence(b, PVGPU_CMD_FENCE_IRQ, 2);
	gpu_cmd_batch_return(b);
	gpu_vm_write_cmds(&t->vm, SH_DATA_VA + 0x1000, b);
	g_array_free(b, TRUE);
	c = gpu_cmds_new();
	gpu_cmd_batch_call(c, SH_DATA_VA + 0x1000);
	gpu_cmd_fence(c, PVGPU_CMD_FENCE_IRQ, 2);
	sh_go(t, 5, c);
	sh_settle(t, 1000000000ull);
	ev = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 5, 0);
	g_assert_nonnull(ev);
	memcpy(&err, ev->payload, sizeof(err));
	g_assert_cmpuint(GUINT32_FROM_LE(err.error), ==,
			 PVGPU_QUEUE_ERR_PRIVILEGED);
	g_assert_cmphex(GUINT64_FROM_LE(err.cmd_va), ==, SH_DATA_VA + 0x1000);
	g_assert_cmpuint(fake_ram_rd64(t->fp, fence), ==, 1);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5),
			 ==, 1);
	g_assert_cmpuint(sh_state(t, 5), ==, PVGPU_QUEUE_STATE_ERROR);
	sh_free(t);
}

/* Register user queue 5 of @t with a progress block at @p. */
static void register_progress(Sh *t, uint64_t p)
{
	struct pvgpu_msg_queue_register m = { 0 };
	struct pvgpu_queue_desc d;
	uint64_t desc;

	sh_desc(t, 5, COPY, 1, &d);
	d.fence_addr = GUINT64_TO_LE(p);
	desc = gpu_alloc(t->g, sizeof(d), 64);
	memcpy(t->fp->ram + desc, &d, sizeof(d));
	m.queue_id = GUINT32_TO_LE(5);
	m.desc_addr = GUINT64_TO_LE(desc);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &m, 4, NULL),
			 ==, PVGPU_STATUS_OK);
	t->q[5].registered = true;
}

/* The @n-th SIGNAL event of queue 5 is PROGRESS of @p with @value. */
static void expect_progress(Sh *t, unsigned int n, uint64_t p,
			    uint64_t value)
{
	const ShEvent *ev = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5, n);
	struct pvgpu_evt_queue_signal sig;

	g_assert_nonnull(ev);
	memcpy(&sig, ev->payload, sizeof(sig));
	g_assert_cmphex(GUINT32_FROM_LE(sig.flags), ==,
			PVGPU_EVT_SIGNAL_PROGRESS);
	g_assert_cmphex(GUINT64_FROM_LE(sig.addr), ==, p);
	g_assert_cmpuint(GUINT64_FROM_LE(sig.value), ==, value);
}

/*
 * A user queue's progress block through the scheduler: registration sets
 * retired to 0 whatever was there, each rptr write-back adds the ring
 * bytes, a notify_at crossed sends one PROGRESS signal; a migration in the
 * middle of the work keeps counting; deregistering and registering again
 * starts from 0 again (at the ring offset where the queue was).
 */
static void test_register_progress(void)
{
	Sh *t = sh_new(NULL), *dst = sh_new(NULL);
	GArray *c = gpu_cmds_new();
	uint64_t p, head, total;

	gpu_ring_init(&t->q[5].ring, &t->vm, SH_RING_VA + 5 * 0x400000ull,
		      0x1000);
	t->q[5].id = 5;
	t->q[5].doorbell = 6;
	t->q[5].engine_class = COPY;
	p = gpu_alloc(t->g, sizeof(struct pvgpu_queue_progress), 16);
	fake_ram_wr64(t->fp, p, 0xdeadbeef);
	register_progress(t, p);
	g_assert_cmpuint(fake_ram_rd64(t->fp, p), ==, 0);

	store(c, 0, 1);
	store(c, 4, 2);
	store(c, 8, 3);
	head = c->len * 4;
	gpu_cmd_delay(c, 0, 1 * MS);
	store(c, 12, 4);
	store(c, 16, 5);
	total = c->len * 4;
	store(c, 20, 6);
	fake_ram_wr64(t->fp, p + 8, head);
	sh_go(t, 5, c);
	sh_run_for(t, 500 * US);
	/* In the DELAY: the three stores retired, and notified. */
	g_assert_cmpuint(sh_state(t, 5), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(fake_ram_rd64(t->fp, p), ==, head);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5),
			 ==, 1);
	expect_progress(t, 0, p, head);

	/* Migrated mid-run, it counts on from where it was. */
	g_assert_cmpint(migrate(t, dst), ==, 0);
	sh_free(t);
	fake_ram_wr64(dst->fp, p + 8, total);
	sh_settle(dst, 1000000000ull);
	g_assert_cmpuint(sh_rd32(dst, 20), ==, 6);
	g_assert_cmpuint(fake_ram_rd64(dst->fp, p), ==, total + 16);
	g_assert_cmpuint(gpu_ring_rptr(&dst->q[5].ring), ==, total + 16);
	g_assert_cmpuint(sh_count_events(dst, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5),
			 ==, 1);
	expect_progress(dst, 0, p, total);

	/* Registered again at the same ring offset: from 0. */
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_DEREGISTER, 5), ==,
			 PVGPU_STATUS_OK);
	dst->q[5].registered = false;
	register_progress(dst, p);
	g_assert_cmpuint(fake_ram_rd64(dst->fp, p), ==, 0);
	c = gpu_cmds_new();
	store(c, 24, 7);
	sh_go(dst, 5, c);
	sh_settle(dst, 1000000000ull);
	g_assert_cmpuint(sh_rd32(dst, 24), ==, 7);
	g_assert_cmpuint(fake_ram_rd64(dst->fp, p), ==, 16);
	g_assert_cmpuint(gpu_ring_rptr(&dst->q[5].ring), ==, total + 32);
	/* The new count (16) is still below notify_at: nothing sent. */
	g_assert_cmpuint(sh_count_events(dst, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5),
			 ==, 1);
	sh_free(dst);
}

/* Every other request: reserved, range, unregistered, length. */
static void test_request_errors(void)
{
	static const uint16_t named[] = {
		PVGPU_H2F_QUEUE_DEREGISTER, PVGPU_H2F_QUEUE_SUSPEND,
		PVGPU_H2F_QUEUE_RESUME, PVGPU_H2F_QUEUE_RESET,
		PVGPU_H2F_QUEUE_QUERY,
	};
	Sh *t = sh_new(NULL);
	struct pvgpu_msg_queue m;
	struct pvgpu_msg_queue_set set;
	struct pvgpu_msg_fault_reply fr;
	uint32_t big[8] = { 0 };

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	for (size_t i = 0; i < G_N_ELEMENTS(named); i++) {
		m = (struct pvgpu_msg_queue){ .queue_id = 0, .reserved = 1 };
		g_assert_cmpuint(sh_request(t, named[i], &m, 2, NULL), ==,
				 PVGPU_STATUS_EINVAL);
		m = (struct pvgpu_msg_queue){ .queue_id = SH_MAX_QUEUES };
		g_assert_cmpuint(sh_request(t, named[i], &m, 2, NULL), ==,
				 PVGPU_STATUS_EINVAL);
		m = (struct pvgpu_msg_queue){ .queue_id = 1 };
		g_assert_cmpuint(sh_request(t, named[i], &m, 2, NULL), ==,
				 PVGPU_STATUS_ENOENT);
		g_assert_cmpuint(sh_request(t, named[i], big, 3, NULL), ==,
				 PVGPU_STATUS_EINVAL);
	}
	set = (struct pvgpu_msg_queue_set){ .queue_id = SH_MAX_QUEUES };
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_SET_PRIORITY, &set, 2,
				    NULL), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_SET_TIMESLICE, &set, 2,
				    NULL), ==, PVGPU_STATUS_EINVAL);
	fr = (struct pvgpu_msg_fault_reply){ .queue_id = 0, .fault_seqno = 0,
					     .reserved = 1 };
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_PAGE_FAULT_REPLY, &fr, 4,
				    NULL), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, big, 8,
				    NULL), ==, PVGPU_STATUS_EINVAL);
	/* RESUME of a queue that is not suspended. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 0), ==,
			 PVGPU_STATUS_EINVAL);
	/* Still alive and well. */
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	sh_free(t);
}

/* AS_UNBIND of an address space a queue uses is EBUSY. */
static void test_unbind_in_use(void)
{
	Sh *t = sh_new(NULL);

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(gpu_as_unbind(t->g, 1), ==, PVGPU_STATUS_EBUSY);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(gpu_as_unbind(t->g, 1), ==, PVGPU_STATUS_OK);
	sh_free(t);
}

/* A firmware reset forgets every queue; the new boot starts empty. */
static void test_fw_reset_forgets(void)
{
	Sh *t = sh_new(NULL);

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	fake_reg_write(t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(qs(t, 0)->registered, ==, 0);
	g_assert_cmpuint(t->fp->timer_deadline, ==, FAKE_NO_TIMER);
	/* Its doorbell is nobody's now: ignored, not an error. */
	fake_platform_clear_errors(t->fp);
	t->fp->trace = g_string_new(NULL);
	sh_ring(t, t->q[0].doorbell);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	g_assert_nonnull(strstr(t->fp->trace->str, "doorbell_unused 1 0"));
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	sh_free(t);
}

/* Register queue @id on doorbell id @db; returns the status. */
static uint32_t reg_db(Sh *t, uint32_t id, uint32_t db)
{
	return sh_register_db(t, id, id & 1 ? COMPUTE : COPY, db);
}

/*
 * The doorbell id range at its edges, on a device with two pages (ids
 * 0 .. 2047): 0 (the H2F doorbell) and 2048 up are refused, every other
 * id works, in group 0 and group 1 alike; an id in use is refused until
 * its queue is deregistered. Each queue then runs by its own doorbell.
 */
static void test_doorbell_ids(void)
{
	static const uint32_t good[] = {
		1, 2, PVGPU_DOORBELLS_PER_PAGE - 1,		/* group 0 */
		PVGPU_DOORBELL_ID(1, 0), PVGPU_DOORBELL_ID(1, 1),
		PVGPU_DOORBELL_ID(1, 1023),			/* last id */
	};
	PvgpuFwConfig cfg;
	GArray *c;
	Sh *t;
	uint32_t n = G_N_ELEMENTS(good);

	sh_config(&cfg);
	cfg.num_doorbells = 2;
	t = sh_new(&cfg);
	g_assert_cmpuint(fake_reg_read(t->fp, PVGPU_REG_DOORBELL_COUNT), ==, 2);
	for (uint32_t i = 0; i < n; i++)
		g_assert_cmpuint(reg_db(t, i, good[i]), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(good[n - 1], ==, 2 * PVGPU_DOORBELLS_PER_PAGE - 1);

	g_assert_cmpuint(reg_db(t, 10, 0), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(reg_db(t, 10, PVGPU_DOORBELL_ID_H2F), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(reg_db(t, 10, 2 * PVGPU_DOORBELLS_PER_PAGE), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_true(fake_platform_has_error(t->fp, "doorbell 2048 outside "
					      "1..2047"));
	g_assert_cmpuint(reg_db(t, 10, PVGPU_DOORBELL_ID(2, 0) + 5), ==,
			 PVGPU_STATUS_EINVAL);
	for (uint32_t i = 0; i < n; i++)
		g_assert_cmpuint(reg_db(t, 10, good[i]), ==,
				 PVGPU_STATUS_EBUSY);
	g_assert_true(fake_platform_has_error(t->fp, "doorbell 2047 (group 1 "
					      "index 1023) used by queue 5"));

	/* Deregistration frees the id. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 3), ==,
			 PVGPU_STATUS_OK);
	t->q[3].registered = false;
	g_assert_cmpuint(reg_db(t, 10, good[3]), ==, PVGPU_STATUS_OK);

	/* Each queue runs by its own dword and nobody else's. */
	fake_platform_clear_errors(t->fp);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = i == 3 ? 10 : i;

		c = gpu_cmds_new();
		store(c, 4 * id, 0x100 + id);
		sh_submit(t, id, c);
		g_array_free(c, TRUE);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = i == 3 ? 10 : i;

		sh_doorbell(t, id);
		for (uint32_t j = 0; j < n; j++) {
			uint32_t o = j == 3 ? 10 : j;

			g_assert_cmphex(sh_rd32(t, 4 * o), ==,
					j <= i ? 0x100 + o : 0);
		}
	}
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/* The largest queue table: the last id works, and it migrates. */
static void test_big_table(void)
{
	PvgpuFwConfig cfg;
	Sh *t, *dst;
	struct pvgpu_msg_queue_register m = { 0 };
	struct pvgpu_queue_desc d;
	GArray *c = gpu_cmds_new();
	uint64_t desc;
	uint32_t n;

	sh_config(&cfg);
	cfg.max_queues = 65536;
	t = sh_new(&cfg);
	dst = sh_new(&cfg);
	g_assert_nonnull(pvgpu_fw_queue_states(t->fw, &n));
	g_assert_cmpuint(n, ==, 65536);
	/* Queue 65535 on queue slot 7's ring and doorbell (8). */
	gpu_ring_init(&t->q[7].ring, &t->vm, SH_RING_VA, 0x1000);
	t->q[7].doorbell = 8;
	sh_desc(t, 7, COMPUTE, 1, &d);
	desc = gpu_alloc(t->g, sizeof(d), 64);
	memcpy(t->fp->ram + desc, &d, sizeof(d));
	m.queue_id = GUINT32_TO_LE(65535);
	m.desc_addr = GUINT64_TO_LE(desc);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &m, 4, NULL),
			 ==, PVGPU_STATUS_OK);
	m.queue_id = GUINT32_TO_LE(65536);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &m, 4, NULL),
			 ==, PVGPU_STATUS_EINVAL);
	gpu_cmd_delay(c, 0, 1 * MS);
	store(c, 0, 0x65535);
	sh_go(t, 7, c);
	g_assert_cmpuint(sh_state(t, 65535), ==, PVGPU_QUEUE_STATE_RESIDENT);

	g_assert_cmpint(migrate(t, dst), ==, 0);
	sh_run_for(dst, 1 * MS);
	g_assert_cmphex(sh_rd32(dst, 0), ==, 0x65535);
	g_assert_cmpuint(sh_count_events(dst, PVGPU_F2H_EVT_QUEUE_IDLE, 65535),
			 ==, 1);
	sh_free(t);
	sh_free(dst);
}

/* --- A busy scenario: determinism and migration ------------------------ */

/*
 * Twelve queues on both classes with every kind of work: DELAYs of
 * several priorities, a realtime queue, WAITs on each other, a page
 * fault, a suspended queue, a hung queue (watchdog) and an illegal
 * command. Step @step of @steps: the script is cut in two so that a test
 * can migrate in the middle.
 */
static void scenario_start(Sh *t)
{
	GArray *c;

	for (uint32_t i = 0; i < 12; i++) {
		uint32_t cls = i < 5 ? COPY : COMPUTE;
		uint32_t prio = (i == 3 || i == 4) ? 3 : i == 6 ? 2 : i % 3;

		g_assert_cmpuint(sh_register(t, i, cls, prio,
					     i == 7 ? 200 : 0), ==,
				 PVGPU_STATUS_OK);
	}
	for (uint32_t i = 0; i < 12; i++) {
		c = gpu_cmds_new();
		switch (i) {
		case 4:		/* waits for queue 10 */
			gpu_cmd_wait(c, 0, SH_DATA_VA + 0x400, 1, 0xffffffff,
				     PVGPU_WAIT_EQ);
			break;
		case 5:		/* page fault */
			gpu_cmd_store32(c, SH_DATA_VA + 0x200000, 5);
			break;
		case 6:		/* hangs: the watchdog resets it */
			gpu_cmd_wait(c, 0, SH_DATA_VA + 0x404, 1, 0xffffffff,
				     PVGPU_WAIT_EQ);
			break;
		case 8: {	/* illegal command after some work */
			uint32_t bad = 0xee000001;

			gpu_cmd_delay(c, 0, 300 * US);
			gpu_cmd_raw(c, &bad, 1);
			break;
		}
		case 10:
			gpu_cmd_delay(c, 0, 2500 * US);
			store(c, 0x400, 1);
			break;
		default:
			break;
		}
		for (uint32_t k = 0; k < 20; k++) {
			gpu_cmd_delay(c, i == 2 ? PVGPU_CMD_DELAY_NOPREEMPT : 0,
				      (50 + 10 * i) * US);
			gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32,
				       SH_DATA_VA + 4 * i, k + 1, 0, 0);
		}
		gpu_cmd_timestamp(c, SH_DATA_VA + 0x800 + 8 * i);
		sh_submit(t, i, c);
		g_array_free(c, TRUE);
	}
	for (uint32_t i = 0; i < 12; i++)
		sh_ring(t, t->q[i].doorbell);
	fake_platform_run(t->fp);
	sh_run_for(t, 700 * US);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_SUSPEND, 9), ==,
			 PVGPU_STATUS_OK);
	sh_run_for(t, 1300 * US);
}

static void scenario_finish(Sh *t)
{
	struct pvgpu_msg_fault_reply fr = {
		.queue_id = GUINT32_TO_LE(5),
		.fault_seqno = GUINT32_TO_LE(1),
	};

	gpu_vm_alloc(&t->vm, SH_DATA_VA + 0x200000, 0x1000,
		     PVGPU_PTE_WRITABLE);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_PAGE_FAULT_REPLY, &fr, 4,
				    NULL), ==, PVGPU_STATUS_OK);
	sh_run_for(t, 3 * MS);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 9), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_PRIORITY, 11, 3),
			 ==, PVGPU_STATUS_OK);
	sh_settle(t, 100 * MS);
}

/*
 * The outcome every run of the scenario must have; @errors: QUEUE_ERROR
 * events expected in t->events.
 */
static void scenario_check(Sh *t, unsigned int errors)
{
	for (uint32_t i = 0; i < 12; i++) {
		uint32_t want = (i == 6 || i == 8) ? 0 : 210;

		g_assert_cmpuint(sh_rd32(t, 4 * i), ==, want);
	}
	g_assert_cmpuint(sh_state(t, 6), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_state(t, 8), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, errors);
	g_assert_cmpuint(gpu_vm_rd32(&t->vm, SH_DATA_VA + 0x200000), ==, 5);
}

static PvgpuFwConfig scenario_config(void)
{
	PvgpuFwConfig cfg;

	sh_config(&cfg);
	cfg.slots[0] = 1;
	cfg.slots[1] = 2;
	cfg.watchdog_ms = 20;
	cfg.seed = 42;
	return cfg;
}

/* Serialise everything the driver saw: events with their seqnos. */
static GString *event_log(Sh *t)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < t->events->len; i++) {
		const ShEvent *e = &g_array_index(t->events, ShEvent, i);

		g_string_append_printf(s, "%u %04x %u:", e->seqno, e->opcode,
				       e->len);
		for (uint16_t k = 0; k < e->len; k++)
			g_string_append_printf(s, " %08x", e->payload[k]);
		g_string_append_c(s, '\n');
	}
	return s;
}

typedef struct RunResult {
	GString *events, *decisions;
	uint8_t *f2h;		/* the F2H ring buffer bytes */
	uint64_t lost_irqs;
} RunResult;

static void run_scenario(uint64_t seed, uint32_t lose_ppm, RunResult *r)
{
	PvgpuFwConfig cfg = scenario_config();
	char **lines;
	Sh *t;

	cfg.seed = seed;
	t = sh_new(&cfg);
	t->fp->trace = g_string_new(NULL);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_LOSE_IRQ_PPM,
					lose_ppm), ==, 0);
	scenario_start(t);
	scenario_finish(t);
	scenario_check(t, 2);
	r->events = event_log(t);
	r->decisions = g_string_new(NULL);
	/* The decision log: the scheduler's and the interrupts' trace. */
	lines = g_strsplit(t->fp->trace->str, "\n", -1);
	for (char **p = lines; *p; p++) {
		if (g_str_has_prefix(*p, "sched_") ||
		    g_str_has_prefix(*p, "irq_"))
			g_string_append_printf(r->decisions, "%s\n", *p);
	}
	g_strfreev(lines);
	r->f2h = g_memdup2(t->fp->ram + t->g->d.f2h_base, t->g->d.f2h_size);
	r->lost_irqs = pvgpu_fw_stats(t->fw)->irqs_lost;
	sh_free(t);
}

static void result_free(RunResult *r)
{
	g_string_free(r->events, TRUE);
	g_string_free(r->decisions, TRUE);
	g_free(r->f2h);
}

static void test_determinism(void)
{
	RunResult a, b, c;

	run_scenario(42, 300000, &a);
	run_scenario(42, 300000, &b);
	run_scenario(43, 300000, &c);
	g_test_message("%u events, %u decision-log bytes, %" G_GUINT64_FORMAT
		       " interrupts lost", (unsigned int)a.events->len,
		       (unsigned int)a.decisions->len, a.lost_irqs);
	g_assert_cmpuint(a.decisions->len, >, 1000);
	g_assert_cmpstr(a.events->str, ==, b.events->str);
	g_assert_cmpstr(a.decisions->str, ==, b.decisions->str);
	g_assert_true(memcmp(a.f2h, b.f2h, 0x1000) == 0);
	g_assert_cmpuint(a.lost_irqs, >, 0);
	/* The seed matters (for the probabilistic injection only). */
	g_assert_cmpstr(a.decisions->str, !=, c.decisions->str);
	g_assert_cmpstr(a.events->str, ==, c.events->str);
	result_free(&a);
	result_free(&b);
	result_free(&c);
}

/* --- Migration --------------------------------------------------------- */

/* Copy device state (and guest RAM) from @src into @dst; post_load. */
static int migrate(Sh *src, Sh *dst)
{
	uint32_t n1, n2;
	PvgpuFwQueueState *a = pvgpu_fw_queue_states(src->fw, &n1);
	PvgpuFwQueueState *b = pvgpu_fw_queue_states(dst->fw, &n2);

	g_assert_cmpuint(n1, ==, n2);
	memcpy(dst->fp->ram, src->fp->ram, src->fp->ram_size);
	dst->fp->now_ns = src->fp->now_ns;
	*pvgpu_fw_state(dst->fw) = *pvgpu_fw_state(src->fw);
	*pvgpu_fw_sched_state(dst->fw) = *pvgpu_fw_sched_state(src->fw);
	memcpy(b, a, n1 * sizeof(*a));
	/* The fake driver's own bookkeeping goes with the guest. */
	dst->g->d.next_seqno = src->g->d.next_seqno;
	dst->g->next_pa = src->g->next_pa;
	memcpy(dst->q, src->q, sizeof(src->q));
	for (uint32_t i = 0; i < SH_MAX_QUEUES; i++) {
		if (dst->q[i].ring.vm == &src->vm)
			dst->q[i].ring.vm = &dst->vm;
		else if (dst->q[i].ring.vm == &src->vm_nf)
			dst->q[i].ring.vm = &dst->vm_nf;
	}
	dst->fp->timer_deadline = FAKE_NO_TIMER;
	return pvgpu_fw_post_load(dst->fw);
}

static void test_migrate_busy(void)
{
	PvgpuFwConfig cfg = scenario_config();
	Sh *ref = sh_new(&cfg), *src = sh_new(&cfg), *dst = sh_new(&cfg);
	uint32_t n, counts[8] = { 0 };
	PvgpuFwQueueState *q;
	GString *e_ref, *e_dst;

	scenario_start(ref);
	scenario_start(src);
	/* Busy indeed: queues in most states at once. */
	q = pvgpu_fw_queue_states(src->fw, &n);
	for (uint32_t i = 0; i < 12; i++)
		counts[q[i].state]++;
	g_assert_cmpuint(counts[PVGPU_QUEUE_STATE_RESIDENT], ==, 3);
	g_assert_cmpuint(counts[PVGPU_QUEUE_STATE_RUNNABLE], >, 0);
	g_assert_cmpuint(counts[PVGPU_QUEUE_STATE_WAITING], >, 0);
	g_assert_cmpuint(counts[PVGPU_QUEUE_STATE_FAULTED], ==, 1);
	g_assert_cmpuint(counts[PVGPU_QUEUE_STATE_SUSPENDED], ==, 1);
	g_assert_cmpuint(counts[PVGPU_QUEUE_STATE_ERROR], ==, 1);

	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(dst->fp), ==, 0);
	/* The timer is armed again from the migrated deadlines. */
	g_assert_cmpuint(dst->fp->timer_deadline, ==,
			 src->fp->timer_deadline);
	sh_free(src);
	g_array_set_size(ref->events, 0);
	scenario_finish(ref);
	scenario_finish(dst);
	/* Queue 8's error was before the migration, queue 6's after. */
	scenario_check(dst, 1);
	e_ref = event_log(ref);
	e_dst = event_log(dst);
	g_assert_cmpuint(e_ref->len, >, 0);
	g_assert_cmpstr(e_ref->str, ==, e_dst->str);
	g_assert_true(memcmp(ref->fp->ram + ref->data_pa,
			     dst->fp->ram + dst->data_pa, SH_DATA_SIZE) == 0);
	g_string_free(e_ref, TRUE);
	g_string_free(e_dst, TRUE);
	sh_free(ref);
	sh_free(dst);
}

/* A migration while a SUSPEND waits for a NOPREEMPT DELAY: it completes. */
static void test_migrate_deferred(void)
{
	PvgpuFwConfig cfg;
	Sh *src, *dst;
	struct pvgpu_msg_queue m = { .queue_id = 0 };
	GArray *c = gpu_cmds_new();
	uint32_t seq, st;

	sh_config(&cfg);
	src = sh_new(&cfg);
	dst = sh_new(&cfg);
	g_assert_cmpuint(sh_register(src, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 2 * MS);
	sh_go(src, 0, c);
	seq = sh_send(src, PVGPU_H2F_QUEUE_SUSPEND, &m, 2);
	g_assert_false(sh_response(src, seq, NULL, NULL));
	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(dst->fp->kicks_pending, ==, 1);
	g_assert_false(sh_response(dst, seq, NULL, NULL));
	sh_run_for(dst, 2 * MS);
	g_assert_true(sh_response(dst, seq, &st, NULL));
	g_assert_cmpuint(st, ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_state(dst, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	sh_free(src);
	sh_free(dst);
}

/*
 * Migrated in the middle of a batch, a user queue with a progress block
 * continues in the batch; rptr and retired stay at the ring BATCH_CALL
 * (across a SUSPEND and RESUME too) until the batch has returned, and the
 * notify_at just past the call fires only then.
 */
static void test_migrate_mid_batch(void)
{
	Sh *t = sh_new(NULL), *dst = sh_new(NULL);
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new();
	const uint64_t bva = SH_DATA_VA + 0x8000;
	uint64_t p;

	gpu_ring_init(&t->q[5].ring, &t->vm, SH_RING_VA + 5 * 0x400000ull,
		      0x1000);
	t->q[5].id = 5;
	t->q[5].doorbell = 6;
	t->q[5].engine_class = COPY;
	p = gpu_alloc(t->g, sizeof(struct pvgpu_queue_progress), 16);
	register_progress(t, p);
	gpu_cmd_delay(b, 0, 1 * MS);
	store(b, 8, 3);
	gpu_cmd_batch_return(b);
	gpu_vm_write_cmds(&t->vm, bva, b);
	g_array_free(b, TRUE);
	store(c, 0, 1);				/* [0, 16) */
	gpu_cmd_batch_call(c, bva);		/* [16, 28) */
	store(c, 4, 2);				/* [28, 44) */
	fake_ram_wr64(t->fp, p + 8, 28);
	sh_go(t, 5, c);
	sh_run_for(t, 500 * US);
	g_assert_cmpuint(sh_state(t, 5), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(qs(t, 5)->ctx.batch_depth, ==, 1);
	g_assert_cmpuint(fake_ram_rd64(t->fp, p), ==, 16);
	g_assert_cmpuint(gpu_ring_rptr(&t->q[5].ring), ==, 16);

	g_assert_cmpint(migrate(t, dst), ==, 0);
	sh_free(t);
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_SUSPEND, 5), ==,
			 PVGPU_STATUS_OK);
	sh_run_for(dst, 2 * MS);
	g_assert_cmpuint(sh_state(dst, 5), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	g_assert_cmpuint(sh_query(dst, 5).rptr, ==, 16);
	g_assert_cmpuint(sh_rd32(dst, 8), ==, 0);
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_RESUME, 5), ==,
			 PVGPU_STATUS_OK);
	sh_run_for(dst, 250 * US);
	g_assert_cmpuint(sh_rd32(dst, 8), ==, 0);
	g_assert_cmpuint(fake_ram_rd64(dst->fp, p), ==, 16);
	g_assert_cmpuint(gpu_ring_rptr(&dst->q[5].ring), ==, 16);
	g_assert_cmpuint(sh_count_events(dst, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5),
			 ==, 0);

	sh_settle(dst, 1000000000ull);
	g_assert_cmpuint(sh_rd32(dst, 8), ==, 3);
	g_assert_cmpuint(sh_rd32(dst, 4), ==, 2);
	g_assert_cmpuint(fake_ram_rd64(dst->fp, p), ==, 44);
	g_assert_cmpuint(gpu_ring_rptr(&dst->q[5].ring), ==, 44);
	g_assert_cmpuint(sh_count_events(dst, PVGPU_F2H_EVT_QUEUE_SIGNAL, 5),
			 ==, 1);
	expect_progress(dst, 0, p, 28);
	g_assert_cmpuint(sh_count_events(dst, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_free(dst);
}

/*
 * The doorbell map is not part of the migration stream: the destination
 * rebuilds it from the queue table and forgets what it held before the
 * load (there, queue 0 was on dword 3 of page 5; in the stream it is on
 * dword 0, beside queue 1 on dword 7).
 */
static void test_migrate_doorbell_map(void)
{
	Sh *src = sh_new(NULL), *dst = sh_new(NULL);
	GArray *c;

	g_assert_cmpuint(sh_register_db(src, 0, COPY, PVGPU_DOORBELL_ID(5, 0)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(src, 1, COMPUTE,
					PVGPU_DOORBELL_ID(5, 7)), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(dst, 0, COPY, PVGPU_DOORBELL_ID(5, 3)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(dst, 2, COPY, PVGPU_DOORBELL_ID(6, 0)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(qs(dst, 0)->doorbell, ==, PVGPU_DOORBELL_ID(5, 0));

	c = gpu_cmds_new();
	store(c, 0, 0x50);
	sh_submit(dst, 0, c);
	g_array_free(c, TRUE);
	c = gpu_cmds_new();
	store(c, 4, 0x57);
	sh_submit(dst, 1, c);
	g_array_free(c, TRUE);
	/* The destination's old doorbells are nobody's now. */
	fake_platform_clear_errors(dst->fp);
	dst->fp->kicks_pending = 0;
	sh_ring(dst, PVGPU_DOORBELL_ID(5, 3));
	sh_ring(dst, PVGPU_DOORBELL_ID(6, 0));
	g_assert_cmpuint(dst->fp->kicks_pending, ==, 0);
	g_assert_cmpuint(fake_platform_error_count(dst->fp), ==, 0);
	g_assert_cmpuint(sh_state(dst, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_QUERY, 2), ==,
			 PVGPU_STATUS_ENOENT);
	g_assert_cmphex(sh_rd32(dst, 0), ==, 0);
	/* The migrated ones work, each by its own dword. */
	sh_doorbell(dst, 1);
	g_assert_cmphex(sh_rd32(dst, 4), ==, 0x57);
	g_assert_cmphex(sh_rd32(dst, 0), ==, 0);
	sh_doorbell(dst, 0);
	g_assert_cmphex(sh_rd32(dst, 0), ==, 0x50);
	/* And an id the stream uses cannot be registered twice. */
	g_assert_cmpuint(sh_register_db(dst, 3, COPY, PVGPU_DOORBELL_ID(5, 7)),
			 ==, PVGPU_STATUS_EBUSY);
	g_assert_cmpuint(sh_register_db(dst, 3, COPY, PVGPU_DOORBELL_ID(5, 3)),
			 ==, PVGPU_STATUS_OK);
	sh_free(src);
	sh_free(dst);
}

typedef struct CorruptCase {
	const char *name;
	void (*corrupt)(PvgpuFwQueueState *q, PvgpuFwSchedState *s);
} CorruptCase;

/* Queue ids in the scenario: 0 resident (copy), 9 suspended, 6 error. */
static uint32_t find_state(PvgpuFwQueueState *q, uint32_t state)
{
	for (uint32_t i = 0; i < 12; i++) {
		if (q[i].state == state)
			return i;
	}
	g_assert_not_reached();
}

#define RESIDENT(q)	(&q[find_state(q, PVGPU_QUEUE_STATE_RESIDENT)])
#define RUNNABLE(q)	(&q[find_state(q, PVGPU_QUEUE_STATE_RUNNABLE)])
#define WAITING(q)	(&q[find_state(q, PVGPU_QUEUE_STATE_WAITING)])
#define CORRUPT(n, body) \
	static void corrupt_##n(PvgpuFwQueueState *q, PvgpuFwSchedState *s) \
	{ (void)q; (void)s; body; }
CORRUPT(registered, q[0].registered = 2)
CORRUPT(free_entry, q[500].priority = 1)
CORRUPT(state, q[1].state = 7)
CORRUPT(flags, q[1].flags |= 0x100)
CORRUPT(priority, q[1].priority = 4)
CORRUPT(timeslice, q[1].timeslice_us = 5)
CORRUPT(doorbell_zero, q[1].doorbell = 0)
CORRUPT(doorbell_range, q[1].doorbell = 1024 * PVGPU_DOORBELLS_PER_PAGE)
CORRUPT(doorbell_max, q[1].doorbell = UINT32_MAX)
CORRUPT(doorbell_twice, q[1].doorbell = q[2].doorbell)
CORRUPT(slot_range, RESIDENT(q)->slot = 5)
/* The two compute slots' queues claim the same slot. */
static void corrupt_slot_twice(PvgpuFwQueueState *q, PvgpuFwSchedState *s)
{
	PvgpuFwQueueState *a = NULL;

	(void)s;
	for (uint32_t i = 0; i < 12; i++) {
		if (q[i].state != PVGPU_QUEUE_STATE_RESIDENT ||
		    q[i].ctx.engine_class != COMPUTE)
			continue;
		if (a) {
			q[i].slot = a->slot;
			return;
		}
		a = &q[i];
	}
	g_assert_not_reached();
}
CORRUPT(slot_not_resident, RUNNABLE(q)->slot = 0)
CORRUPT(resident_future, RESIDENT(q)->resident_since_ns = ~0ull)
CORRUPT(exec_status, RESIDENT(q)->exec_status = 9)
CORRUPT(preempt_off_slot, RUNNABLE(q)->flags |= PVGPU_FW_QF_PREEMPT)
CORRUPT(preempt_deadline, RESIDENT(q)->preempt_deadline_ns = 5)
CORRUPT(suspended_no_reason, q[9].flags &= ~PVGPU_FW_QF_SUSPENDED)
CORRUPT(suspend_flag_runnable, RUNNABLE(q)->flags |= PVGPU_FW_QF_SUSPENDED)
CORRUPT(fault_flag, RUNNABLE(q)->flags |= PVGPU_FW_QF_FAULTED)
CORRUPT(faulted_no_flag, q[5].flags &= ~PVGPU_FW_QF_FAULTED)
CORRUPT(run_seq_zero, RUNNABLE(q)->run_seq = 0)
CORRUPT(run_seq_future, RUNNABLE(q)->run_seq = s->run_seq + 1)
CORRUPT(run_seq_twice, WAITING(q)->run_seq = RUNNABLE(q)->run_seq)
CORRUPT(run_seq_idle, q[9].run_seq = 3)
CORRUPT(wd_future, RESIDENT(q)->wd_since_ns = ~0ull)
CORRUPT(reserved, q[1].reserved = 1)
CORRUPT(class, q[1].ctx.engine_class = 5)
CORRUPT(asid, q[1].ctx.asid = 7)
CORRUPT(ring_size, q[1].ctx.ring_size = 0x1800)
CORRUPT(ring_addr, q[1].ctx.ring_addr += 4)
CORRUPT(privileged, q[1].ctx.privileged = 2)
CORRUPT(progress_align, q[1].ctx.fence_addr = 8)
CORRUPT(retired_no_progress, q[1].ctx.retired = 4)
CORRUPT(rptr, q[1].ctx.rptr = q[1].ctx.ring_size)
CORRUPT(batch_depth, q[1].ctx.batch_depth = 9)
CORRUPT(commands_back, q[1].wd_commands = q[1].ctx.commands_done + 1)
CORRUPT(hang_mask, s->hang_mask = 1u << 5)
CORRUPT(wedge_mask, s->wedge_mask = 1u << 2)
CORRUPT(sched_reserved, s->reserved = 1)
CORRUPT(ppm, s->lose_irq_ppm = 1000001)
CORRUPT(prng, s->prng = 0)
CORRUPT(poll_now, s->poll_now = 2)
CORRUPT(no_poll, s->next_poll_ns = 0)

static const CorruptCase corrupt_cases[] = {
#define C(n) { #n, corrupt_##n }
	C(registered), C(free_entry), C(state), C(flags), C(priority),
	C(timeslice), C(doorbell_zero), C(doorbell_range), C(doorbell_max),
	C(doorbell_twice),
	C(slot_range), C(slot_twice), C(slot_not_resident),
	C(resident_future), C(exec_status), C(preempt_off_slot),
	C(preempt_deadline), C(suspended_no_reason), C(suspend_flag_runnable),
	C(fault_flag), C(faulted_no_flag), C(run_seq_zero), C(run_seq_future),
	C(run_seq_twice), C(run_seq_idle), C(wd_future), C(reserved),
	C(class), C(asid), C(ring_size), C(ring_addr), C(privileged),
	C(progress_align), C(retired_no_progress), C(rptr), C(batch_depth),
	C(commands_back), C(hang_mask), C(wedge_mask), C(sched_reserved),
	C(ppm), C(prng), C(poll_now),
	C(no_poll),
#undef C
};

static void test_post_load_corrupt(gconstpointer data)
{
	const CorruptCase *c = data;
	PvgpuFwConfig cfg = scenario_config();
	Sh *src = sh_new(&cfg), *dst = sh_new(&cfg);
	uint32_t n;

	scenario_start(src);
	/* The uncorrupted state loads (sanity of the case's base). */
	g_assert_cmpint(migrate(src, dst), ==, 0);
	c->corrupt(pvgpu_fw_queue_states(src->fw, &n),
		   pvgpu_fw_sched_state(src->fw));
	sh_free(dst);
	dst = sh_new(&cfg);
	dst->fp->kicks_pending = 0;
	g_assert_cmpint(migrate(src, dst), ==, -1);
	g_assert_true(fake_platform_has_error(dst->fp, "migrated firmware "
					      "state rejected"));
	g_assert_cmpuint(dst->fp->kicks_pending, ==, 0);
	sh_free(src);
	sh_free(dst);
}

/* Outside RUNNING the queue table is not used: anything goes, it is reset. */
static void test_post_load_not_running(void)
{
	Sh *src = sh_new(NULL), *dst = sh_new(NULL);
	uint32_t n;

	g_assert_cmpuint(sh_register(src, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	pvgpu_fw_inject_crash(src->fw);
	pvgpu_fw_queue_states(src->fw, &n)[3].priority = 77;
	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(pvgpu_fw_queue_states(dst->fw, &n)[3].priority, ==, 0);
	sh_free(src);
	sh_free(dst);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/queue/config", test_config);
	for (size_t i = 0; i < G_N_ELEMENTS(reg_cases); i++) {
		char *path = g_strdup_printf("/queue/register/%s",
					     reg_cases[i].name);

		g_test_add_data_func(path, &reg_cases[i], test_register_error);
		g_free(path);
	}
	g_test_add_func("/queue/register-privileged",
			test_register_privileged);
	g_test_add_func("/queue/register-progress", test_register_progress);
	g_test_add_func("/queue/request-errors", test_request_errors);
	g_test_add_func("/queue/unbind-in-use", test_unbind_in_use);
	g_test_add_func("/queue/fw-reset", test_fw_reset_forgets);
	g_test_add_func("/queue/doorbell-ids", test_doorbell_ids);
	g_test_add_func("/queue/big-table", test_big_table);
	g_test_add_func("/queue/determinism", test_determinism);
	g_test_add_func("/queue/migrate/busy", test_migrate_busy);
	g_test_add_func("/queue/migrate/deferred", test_migrate_deferred);
	g_test_add_func("/queue/migrate/mid-batch", test_migrate_mid_batch);
	g_test_add_func("/queue/migrate/doorbell-map",
			test_migrate_doorbell_map);
	g_test_add_func("/queue/migrate/not-running",
			test_post_load_not_running);
	for (size_t i = 0; i < G_N_ELEMENTS(corrupt_cases); i++) {
		char *path = g_strdup_printf("/queue/migrate/corrupt/%s",
					     corrupt_cases[i].name);

		g_test_add_data_func(path, &corrupt_cases[i],
				     test_post_load_corrupt);
		g_free(path);
	}
	return g_test_run();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "sched_helpers.h"

#define RING_STRIDE	0x400000ull

void sh_config(PvgpuFwConfig *cfg)
{
	pvgpu_fw_config_default(cfg);
	cfg->num_doorbells = 1024;
	cfg->max_queues = SH_MAX_QUEUES;
}

Sh *sh_new(const PvgpuFwConfig *cfg)
{
	return sh_new_sized(cfg, 0);
}

Sh *sh_new_sized(const PvgpuFwConfig *cfg, uint64_t ram_size)
{
	Sh *t = g_new0(Sh, 1);
	PvgpuFwConfig def;

	if (!cfg) {
		sh_config(&def);
		cfg = &def;
	}
	t->g = gpu_env_new(cfg, ram_size);
	t->fp = t->g->fp;
	t->fw = t->g->fw;
	t->events = g_array_new(FALSE, TRUE, sizeof(ShEvent));
	t->resps = g_array_new(FALSE, TRUE, sizeof(ShResp));
	gpu_vm_init(&t->vm, t->g, 1);
	g_assert_cmpuint(gpu_vm_bind(&t->vm, PVGPU_AS_FAULTABLE), ==,
			 PVGPU_STATUS_OK);
	gpu_vm_init(&t->vm_nf, t->g, 2);
	g_assert_cmpuint(gpu_vm_bind(&t->vm_nf, 0), ==, PVGPU_STATUS_OK);
	t->data_pa = gpu_vm_alloc(&t->vm, SH_DATA_VA, SH_DATA_SIZE,
				  PVGPU_PTE_WRITABLE);
	gpu_vm_map(&t->vm_nf, SH_DATA_VA, t->data_pa, SH_DATA_SIZE, GPU_4K,
		   PVGPU_PTE_WRITABLE);
	sh_pump(t);
	g_assert_cmpuint(t->events->len, ==, 0);
	return t;
}

void sh_free(Sh *t)
{
	g_array_free(t->events, TRUE);
	g_array_free(t->resps, TRUE);
	gpu_env_free(t->g);
	g_free(t);
}

/* --- Messages ---------------------------------------------------------- */

void sh_pump(Sh *t)
{
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_msg_hdr hdr;
	uint16_t op;

	/* As a driver's interrupt handler: acknowledge, then read. */
	fake_reg_write(t->fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	/* Events gpu_request() kept aside came first. */
	while (!g_queue_is_empty(t->g->events)) {
		ShEvent e = { 0 };

		g_assert_true(gpu_next_event(t->g, &op, e.payload));
		e.opcode = op;
		g_array_append_val(t->events, e);
	}
	for (;;) {
		memset(buf, 0, sizeof(buf));
		if (!fake_driver_recv(&t->g->d, &hdr, buf))
			break;
		if (GUINT16_FROM_LE(hdr.kind) == PVGPU_MSG_KIND_EVENT) {
			ShEvent e = { 0 };

			e.opcode = GUINT16_FROM_LE(hdr.opcode);
			e.len = GUINT16_FROM_LE(hdr.len);
			e.seqno = GUINT32_FROM_LE(hdr.seqno);
			memcpy(e.payload, buf, sizeof(buf));
			g_array_append_val(t->events, e);
		} else {
			ShResp r = { 0 };

			r.opcode = GUINT16_FROM_LE(hdr.opcode);
			r.seqno = GUINT32_FROM_LE(hdr.seqno);
			r.status = GUINT32_FROM_LE(hdr.status);
			memcpy(r.payload, buf, sizeof(buf));
			g_array_append_val(t->resps, r);
		}
	}
}

uint32_t sh_send(Sh *t, uint16_t opcode, const void *payload,
		 uint16_t len_dw)
{
	uint32_t seqno;

	g_assert_true(fake_driver_send(&t->g->d, opcode, payload, len_dw,
				       &seqno));
	fake_driver_doorbell(&t->g->d);
	return seqno;
}

bool sh_response(Sh *t, uint32_t seqno, uint32_t *status, void *resp)
{
	fake_platform_run(t->fp);
	sh_pump(t);
	for (guint i = 0; i < t->resps->len; i++) {
		ShResp *r = &g_array_index(t->resps, ShResp, i);

		if (r->seqno != seqno)
			continue;
		/* Responses come in request order: none may be skipped. */
		g_assert_cmpuint(i, ==, 0);
		if (status)
			*status = r->status;
		if (resp)
			memcpy(resp, r->payload, sizeof(r->payload));
		g_array_remove_index(t->resps, i);
		return true;
	}
	return false;
}

uint32_t sh_request(Sh *t, uint16_t opcode, const void *payload,
		    uint16_t len_dw, void *resp)
{
	uint32_t seqno = sh_send(t, opcode, payload, len_dw), status;

	g_assert_true(sh_response(t, seqno, &status, resp));
	return status;
}

uint32_t sh_queue_req(Sh *t, uint16_t opcode, uint32_t id)
{
	struct pvgpu_msg_queue m = { .queue_id = GUINT32_TO_LE(id) };

	return sh_request(t, opcode, &m, sizeof(m) / 4, NULL);
}

uint32_t sh_queue_set(Sh *t, uint16_t opcode, uint32_t id, uint32_t value)
{
	struct pvgpu_msg_queue_set m = {
		.queue_id = GUINT32_TO_LE(id),
		.value = GUINT32_TO_LE(value),
	};

	return sh_request(t, opcode, &m, sizeof(m) / 4, NULL);
}

struct pvgpu_msg_queue_state sh_query(Sh *t, uint32_t id)
{
	struct pvgpu_msg_queue m = { .queue_id = GUINT32_TO_LE(id) };
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_msg_queue_state s;

	g_assert_cmpuint(sh_request(t, PVGPU_H2F_QUEUE_QUERY, &m,
				    sizeof(m) / 4, buf), ==, PVGPU_STATUS_OK);
	memcpy(&s, buf, sizeof(s));
	g_assert_cmpuint(GUINT32_FROM_LE(s.queue_id), ==, id);
	return s;
}

uint32_t sh_state(Sh *t, uint32_t id)
{
	return GUINT32_FROM_LE(sh_query(t, id).state);
}

uint64_t sh_done(Sh *t, uint32_t id)
{
	return GUINT64_FROM_LE(sh_query(t, id).commands_done);
}

/* --- Queues ------------------------------------------------------------ */

uint32_t sh_default_doorbell(uint32_t id)
{
	return id + 1;
}

void sh_desc(Sh *t, uint32_t id, uint32_t engine_class, uint32_t prio,
	     struct pvgpu_queue_desc *d)
{
	ShQueue *q = &t->q[id];

	memset(d, 0, sizeof(*d));
	d->engine_class = GUINT32_TO_LE(engine_class);
	d->priority = GUINT32_TO_LE(prio);
	d->asid = GUINT32_TO_LE(q->ring.vm->asid);
	d->ring_addr = GUINT64_TO_LE(q->ring.va);
	d->ring_size = GUINT32_TO_LE(q->ring.size);
	d->doorbell = GUINT32_TO_LE(q->doorbell);
	d->rptr_addr = GUINT64_TO_LE(q->ring.rptr_addr);
	d->wptr_addr = GUINT64_TO_LE(q->ring.wptr_addr);
}

static uint32_t do_register(Sh *t, uint32_t id, uint32_t engine_class,
			    uint32_t prio, uint32_t timeslice_us,
			    uint32_t ring_size, GpuVm *vm, uint32_t db)
{
	ShQueue *q = &t->q[id];
	struct pvgpu_msg_queue_register m = { 0 };
	struct pvgpu_queue_desc d;
	uint64_t desc;
	uint32_t st;

	g_assert_cmpuint(id, <, SH_MAX_QUEUES);
	g_assert_false(q->registered);
	if (!q->ring.size)
		gpu_ring_init(&q->ring, vm ? vm : &t->vm,
			      SH_RING_VA + id * RING_STRIDE,
			      ring_size ? ring_size : 0x1000);
	q->id = id;
	q->doorbell = db;
	q->engine_class = engine_class;
	sh_desc(t, id, engine_class, prio, &d);
	d.timeslice_us = GUINT32_TO_LE(timeslice_us);
	desc = gpu_alloc(t->g, sizeof(d), 64);
	memcpy(t->fp->ram + desc, &d, sizeof(d));
	m.queue_id = GUINT32_TO_LE(id);
	m.desc_addr = GUINT64_TO_LE(desc);
	st = sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &m, sizeof(m) / 4, NULL);
	q->registered = st == PVGPU_STATUS_OK;
	return st;
}

uint32_t sh_register_full(Sh *t, uint32_t id, uint32_t engine_class,
			  uint32_t prio, uint32_t timeslice_us,
			  uint32_t ring_size, GpuVm *vm)
{
	const ShQueue *q;

	if (id >= SH_MAX_QUEUES)
		g_error("queue id %u >= SH_MAX_QUEUES", id);
	q = &t->q[id];
	return do_register(t, id, engine_class, prio, timeslice_us, ring_size,
			   vm, q->doorbell ? q->doorbell :
			   sh_default_doorbell(id));
}

uint32_t sh_register_db(Sh *t, uint32_t id, uint32_t engine_class,
			uint32_t db)
{
	return do_register(t, id, engine_class, 1, 0, 0, NULL, db);
}

uint32_t sh_register(Sh *t, uint32_t id, uint32_t engine_class,
		     uint32_t prio, uint32_t timeslice_us)
{
	return sh_register_full(t, id, engine_class, prio, timeslice_us, 0,
				NULL);
}

void sh_submit(Sh *t, uint32_t id, GArray *cmds)
{
	gpu_ring_submit(&t->q[id].ring, cmds);
}

void sh_ring(Sh *t, uint32_t db)
{
	gpu_doorbell(t->g, db);
}

void sh_doorbell(Sh *t, uint32_t id)
{
	sh_ring(t, t->q[id].doorbell);
	fake_platform_run(t->fp);
	sh_pump(t);
}

void sh_go(Sh *t, uint32_t id, GArray *cmds)
{
	sh_submit(t, id, cmds);
	g_array_free(cmds, TRUE);
	sh_doorbell(t, id);
}

/* --- Time -------------------------------------------------------------- */

void sh_run_until(Sh *t, uint64_t until)
{
	FakePlatform *fp = t->fp;
	unsigned int guard = 0;

	fake_platform_run(fp);
	while (fp->now_ns < until) {
		uint64_t next = fp->timer_deadline;

		g_assert_cmpuint(++guard, <, 10000000);
		if (next == FAKE_NO_TIMER || next > until) {
			fake_platform_advance(fp, until - fp->now_ns);
			break;
		}
		fake_platform_advance(fp, next > fp->now_ns ?
				      next - fp->now_ns : 0);
	}
	sh_pump(t);
}

void sh_run_for(Sh *t, uint64_t ns)
{
	sh_run_until(t, t->fp->now_ns + ns);
}

void sh_settle(Sh *t, uint64_t max_ns)
{
	uint64_t end = t->fp->now_ns + max_ns;

	fake_platform_run(t->fp);
	while (t->fp->timer_deadline != FAKE_NO_TIMER) {
		g_assert_cmpuint(t->fp->timer_deadline, <=, end);
		sh_run_until(t, t->fp->timer_deadline);
	}
	sh_pump(t);
}

/* --- Data -------------------------------------------------------------- */

uint32_t sh_rd32(Sh *t, uint64_t off)
{
	g_assert_cmpuint(off + 4, <=, SH_DATA_SIZE);
	return fake_ram_rd32(t->fp, t->data_pa + off);
}

void sh_wr32(Sh *t, uint64_t off, uint32_t v)
{
	g_assert_cmpuint(off + 4, <=, SH_DATA_SIZE);
	fake_ram_wr32(t->fp, t->data_pa + off, v);
}

unsigned int sh_count_events(Sh *t, uint16_t opcode, uint32_t queue)
{
	unsigned int n = 0;

	for (guint i = 0; i < t->events->len; i++) {
		const ShEvent *e = &g_array_index(t->events, ShEvent, i);

		if (e->opcode == opcode &&
		    (queue == UINT32_MAX ||
		     GUINT32_FROM_LE(e->payload[0]) == queue))
			n++;
	}
	return n;
}

const ShEvent *sh_find_event(Sh *t, uint16_t opcode, uint32_t queue,
			     unsigned int n)
{
	for (guint i = 0; i < t->events->len; i++) {
		const ShEvent *e = &g_array_index(t->events, ShEvent, i);

		if (e->opcode == opcode &&
		    (queue == UINT32_MAX ||
		     GUINT32_FROM_LE(e->payload[0]) == queue) && n-- == 0)
			return e;
	}
	return NULL;
}

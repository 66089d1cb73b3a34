/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host cost follows what is in use, not the device's shape
 * (docs/scheduler.rst, "Host cost"): a firmware reset and AS_UNBIND's
 * "does a queue still use it?" check visit the queues in use only, on the
 * largest shape (65536 queue ids, 1024 doorbell pages). The work is
 * counted (PvgpuFwStats.table_visits), never timed. Beside the cost, the
 * behaviour those shortcuts must keep: AS_UNBIND is EBUSY exactly while a
 * queue uses the space (through churn, queue errors, resets and
 * migration), and nothing of a queue survives a reset or a rejected
 * migration stream.
 */
#include <string.h>

#include "sched_helpers.h"

#define COPY		PVGPU_ENGINE_CLASS_COPY
#define COMPUTE		PVGPU_ENGINE_CLASS_COMPUTE
#define BIG_QUEUES	65536u
/* Address spaces of the churn: 1 and 2 (sh_new()) and 3 .. NUM_AS. */
#define NUM_AS		8u
/* Ring and doorbell "places": at most one live queue on each. */
#define POOL		32u
/*
 * The bound the cost is held to: a few table visits per queue in use (or
 * per request) plus a constant, nowhere near max_queues (65536) or the
 * doorbell map (1024 * 1024 entries).
 */
#define PER_ITEM	4u

static uint64_t visits(Sh *t)
{
	return pvgpu_fw_stats(t->fw)->table_visits;
}

static void big_config(PvgpuFwConfig *cfg)
{
	sh_config(cfg);
	cfg->max_queues = BIG_QUEUES;
	g_assert_cmpuint(cfg->num_doorbells, ==, 1024);
}

/* The Sh's address spaces 1 and 2 plus 3 .. NUM_AS. */
typedef struct CostEnv {
	Sh *t;
	GpuVm vm[NUM_AS + 1];	/* [asid]; 1 and 2 are t->vm, t->vm_nf */
	uint32_t flags[NUM_AS + 1];
} CostEnv;

static void env_bind_extra(CostEnv *e)
{
	for (uint32_t asid = 3; asid <= NUM_AS; asid++)
		g_assert_cmpuint(gpu_vm_bind(&e->vm[asid], 0), ==,
				 PVGPU_STATUS_OK);
}

static CostEnv *env_new(void)
{
	CostEnv *e = g_new0(CostEnv, 1);
	PvgpuFwConfig cfg;

	big_config(&cfg);
	e->t = sh_new(&cfg);
	e->vm[1] = e->t->vm;
	e->flags[1] = PVGPU_AS_FAULTABLE;
	e->vm[2] = e->t->vm_nf;
	for (uint32_t asid = 3; asid <= NUM_AS; asid++)
		gpu_vm_init(&e->vm[asid], e->t->g, asid);
	env_bind_extra(e);
	/* Rings of the pool: registration only, nothing runs on them. */
	for (uint32_t k = 0; k < POOL; k++)
		gpu_ring_init(&e->t->q[k].ring, &e->t->vm,
			      SH_RING_VA + k * 0x10000ull, 0x1000);
	return e;
}

/* After FW_CTRL.RESET: boot again and bind every address space again. */
static void env_reboot(CostEnv *e)
{
	g_assert_cmpuint(fake_driver_boot(&e->t->g->d), ==,
			 PVGPU_FW_STATE_RUNNING);
	for (uint32_t asid = 1; asid <= NUM_AS; asid++)
		g_assert_cmpuint(gpu_vm_bind(&e->vm[asid], e->flags[asid]), ==,
				 PVGPU_STATUS_OK);
}

static void env_free(CostEnv *e)
{
	sh_free(e->t);
	g_free(e);
}

/*
 * Register queue @id (any id of the table) on place @k's ring, doorbell
 * @db, address space @asid. Returns the status.
 */
static uint32_t reg(Sh *t, uint32_t id, uint32_t k, uint32_t db,
		    uint32_t asid)
{
	struct pvgpu_msg_queue_register m = { 0 };
	struct pvgpu_queue_desc d;
	uint64_t desc;

	t->q[k].doorbell = db;
	sh_desc(t, k, k & 1 ? COMPUTE : COPY, 1, &d);
	d.asid = GUINT32_TO_LE(asid);
	desc = gpu_alloc(t->g, sizeof(d), 64);
	memcpy(t->fp->ram + desc, &d, sizeof(d));
	m.queue_id = GUINT32_TO_LE(id);
	m.desc_addr = GUINT64_TO_LE(desc);
	return sh_request(t, PVGPU_H2F_QUEUE_REGISTER, &m, sizeof(m) / 4,
			  NULL);
}

static uint32_t dereg(Sh *t, uint32_t id)
{
	return sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, id);
}

static bool entry_zero(Sh *t, uint32_t id)
{
	static const PvgpuFwQueueState zero;
	uint32_t n;

	return !memcmp(&pvgpu_fw_queue_states(t->fw, &n)[id], &zero,
		       sizeof(zero));
}

static bool table_zero(Sh *t)
{
	uint32_t n;

	pvgpu_fw_queue_states(t->fw, &n);
	for (uint32_t id = 0; id < n; id++) {
		if (!entry_zero(t, id))
			return false;
	}
	return true;
}

/*
 * While the firmware runs, a doorbell nobody owns is traced as unused and
 * kicks nothing.
 */
static void assert_doorbell_unused(Sh *t, uint32_t db)
{
	/* The fake platform traces in hex. */
	char *want = g_strdup_printf("doorbell_unused %x 0\n", db);

	g_assert_cmpuint(fake_reg_read(t->fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	t->fp->trace = g_string_new(NULL);
	t->fp->kicks_pending = 0;
	sh_ring(t, db);
	g_assert_nonnull(strstr(t->fp->trace->str, want));
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	g_string_free(t->fp->trace, TRUE);
	t->fp->trace = NULL;
	g_free(want);
}

/*
 * AS_UNBIND of @asid answers EBUSY iff @in_use; if it unbound, bind it
 * again. Each answer costs a few table visits, whatever the shape.
 */
static void check_unbind(CostEnv *e, uint32_t asid, bool in_use)
{
	uint64_t v0 = visits(e->t);

	g_assert_cmpuint(gpu_as_unbind(e->t->g, asid), ==,
			 in_use ? PVGPU_STATUS_EBUSY : PVGPU_STATUS_OK);
	g_assert_cmpuint(visits(e->t) - v0, <=, PER_ITEM);
	if (!in_use)
		g_assert_cmpuint(gpu_vm_bind(&e->vm[asid], e->flags[asid]), ==,
				 PVGPU_STATUS_OK);
}

/* --- Cost -------------------------------------------------------------- */

/*
 * FW_CTRL.RESET with @n queues registered at ids spread over the whole
 * 65536-entry table, doorbells over all 1024 pages: a few visits per
 * queue, not 65536 + 1024 * 1024.
 */
static void reset_cost(uint32_t n)
{
	CostEnv *e = env_new();
	Sh *t = e->t;
	uint64_t v0;

	g_assert_cmpuint(n, <=, POOL);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t id = n > 1 ? k * ((BIG_QUEUES - 1) / (n - 1)) : 40000;

		g_assert_cmpuint(reg(t, id, k, PVGPU_DOORBELL_ID(1023 - k, k),
				     1 + k % NUM_AS), ==, PVGPU_STATUS_OK);
	}
	v0 = visits(t);
	fake_reg_write(t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fake_reg_read(t->fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_test_message("FW_CTRL.RESET with %u queues: %" G_GUINT64_FORMAT
		       " table visits", n, visits(t) - v0);
	g_assert_cmpuint(visits(t) - v0, <=, PER_ITEM * n + PER_ITEM);
	/* And it forgot them all. */
	g_assert_true(table_zero(t));
	env_free(e);
}

static void test_reset_cost(void)
{
	reset_cost(1);
	reset_cost(POOL);
}

/*
 * 64 AS_BIND/AS_UNBIND pairs (the measurement) with queues
 * registered: each UNBIND's in-use check costs a few visits, not a scan of
 * the 65536-entry table.
 */
static void test_asid_check_cost(void)
{
	CostEnv *e = env_new();
	Sh *t = e->t;
	GpuVm vm;
	uint64_t v0;

	/* Queues on asids 1 and 2 at both ends of the table. */
	g_assert_cmpuint(reg(t, 0, 0, 1, 1), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(t, BIG_QUEUES - 1, 1, 2, 2), ==, PVGPU_STATUS_OK);
	gpu_vm_init(&vm, t->g, 40);
	v0 = visits(t);
	for (uint32_t i = 0; i < 64; i++) {
		g_assert_cmpuint(gpu_vm_bind(&vm, 0), ==, PVGPU_STATUS_OK);
		g_assert_cmpuint(gpu_as_unbind(t->g, 40), ==, PVGPU_STATUS_OK);
	}
	g_test_message("64 AS_BIND/AS_UNBIND: %" G_GUINT64_FORMAT
		       " table visits", visits(t) - v0);
	g_assert_cmpuint(visits(t) - v0, <=, 64 * PER_ITEM);
	/* The check still sees the queues. */
	check_unbind(e, 1, true);
	check_unbind(e, 2, true);
	env_free(e);
}

/* --- Behaviour --------------------------------------------------------- */

/*
 * EBUSY while any queue of the space is registered -- IDLE, in ERROR
 * after a QUEUE_RESET, or with a sibling gone -- and OK once the last one
 * is deregistered; a failed REGISTER counts for nothing.
 */
static void test_unbind_in_use(void)
{
	CostEnv *e = env_new();
	Sh *t = e->t;

	g_assert_cmpuint(reg(t, 7, 0, 10, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(t, 60000, 1, 11, 3), ==, PVGPU_STATUS_OK);
	check_unbind(e, 3, true);
	check_unbind(e, 4, false);
	/* Refused registrations: the count does not move. */
	g_assert_cmpuint(reg(t, 7, 2, 12, 4), ==, PVGPU_STATUS_EBUSY);
	g_assert_cmpuint(reg(t, 8, 2, 10, 4), ==, PVGPU_STATUS_EBUSY);
	g_assert_cmpuint(reg(t, 8, 2, 12, 50), ==, PVGPU_STATUS_ENOENT);
	check_unbind(e, 4, false);
	/* A queue in ERROR is still registered. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESET, 7), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_state(t, 7), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(dereg(t, 60000), ==, PVGPU_STATUS_OK);
	check_unbind(e, 3, true);
	/* Deregistering twice changes nothing. */
	g_assert_cmpuint(dereg(t, 60000), ==, PVGPU_STATUS_ENOENT);
	check_unbind(e, 3, true);
	g_assert_cmpuint(dereg(t, 7), ==, PVGPU_STATUS_OK);
	check_unbind(e, 3, false);
	/* A queue may use it again, and then it is busy again. */
	g_assert_cmpuint(reg(t, 60000, 1, 11, 3), ==, PVGPU_STATUS_OK);
	check_unbind(e, 3, true);
	env_free(e);
}

/* After FW_CTRL.RESET nothing of a queue remains: ids, doorbells, asids. */
static void test_reset_forgets(void)
{
	CostEnv *e = env_new();
	Sh *t = e->t;
	uint32_t ids[] = { 0, 1234, 40000, BIG_QUEUES - 1 };
	uint32_t dbs[] = { 1, PVGPU_DOORBELL_ID(5, 9),
			   PVGPU_DOORBELL_ID(700, 3),
			   PVGPU_DOORBELL_ID(1023, 1023) };

	for (uint32_t k = 0; k < G_N_ELEMENTS(ids); k++)
		g_assert_cmpuint(reg(t, ids[k], k, dbs[k], 1 + k), ==,
				 PVGPU_STATUS_OK);
	fake_reg_write(t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_true(table_zero(t));

	/* A new boot: the same ids, doorbells and spaces are free. */
	env_reboot(e);
	for (uint32_t k = 0; k < G_N_ELEMENTS(ids); k++)
		assert_doorbell_unused(t, dbs[k]);
	for (uint32_t k = 0; k < G_N_ELEMENTS(ids); k++)
		g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_QUERY,
					      ids[k]), ==,
				 PVGPU_STATUS_ENOENT);
	for (uint32_t asid = 1; asid <= NUM_AS; asid++)
		check_unbind(e, asid, false);
	/* Registered again, swapped around: each id on another's doorbell. */
	for (uint32_t k = 0; k < G_N_ELEMENTS(ids); k++)
		g_assert_cmpuint(reg(t, ids[k], k, dbs[3 - k], 5), ==,
				 PVGPU_STATUS_OK);
	check_unbind(e, 5, true);
	check_unbind(e, 1, false);
	for (uint32_t k = 0; k < G_N_ELEMENTS(ids); k++)
		g_assert_cmpuint(dereg(t, ids[k]), ==, PVGPU_STATUS_OK);
	check_unbind(e, 5, false);
	for (uint32_t k = 0; k < G_N_ELEMENTS(ids); k++)
		assert_doorbell_unused(t, dbs[k]);
	env_free(e);
}

/* --- Churn, with a model of what must be in use ------------------------ */

typedef struct Live {
	bool on;
	uint32_t id, db, asid;
} Live;

typedef struct Churn {
	CostEnv *e;
	GRand *rand;
	Live live[POOL];	/* by place */
	uint32_t count[NUM_AS + 1];
	GHashTable *ids;	/* ids in use */
} Churn;

static uint32_t rnd(Churn *c, uint32_t n)
{
	return (uint32_t)g_rand_int_range(c->rand, 0, (gint32)n);
}

static void churn_step(Churn *c)
{
	Sh *t = c->e->t;
	uint32_t k = rnd(c, POOL), op = rnd(c, 10);
	Live *l = &c->live[k];

	if (!l->on) {
		uint32_t id;

		do {
			id = rnd(c, BIG_QUEUES);
		} while (g_hash_table_contains(c->ids, GUINT_TO_POINTER(id)));
		l->id = id;
		/* Index k in a random page: unique among live queues. */
		l->db = PVGPU_DOORBELL_ID(rnd(c, 1024), k + 1);
		l->asid = 1 + rnd(c, NUM_AS);
		g_assert_cmpuint(reg(t, l->id, k, l->db, l->asid), ==,
				 PVGPU_STATUS_OK);
		l->on = true;
		c->count[l->asid]++;
		g_hash_table_add(c->ids, GUINT_TO_POINTER(id));
	} else if (op < 2) {
		/* A queue in ERROR still counts. */
		g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESET, l->id),
				 ==, PVGPU_STATUS_OK);
	} else {
		g_assert_cmpuint(dereg(t, l->id), ==, PVGPU_STATUS_OK);
		l->on = false;
		c->count[l->asid]--;
		g_hash_table_remove(c->ids, GUINT_TO_POINTER(l->id));
		assert_doorbell_unused(t, l->db);
	}
}

static void churn_check(Churn *c)
{
	for (uint32_t asid = 1; asid <= NUM_AS; asid++)
		check_unbind(c->e, asid, c->count[asid] > 0);
}

static void churn_reset(Churn *c)
{
	CostEnv *e = c->e;
	Sh *t = e->t;
	uint64_t v0 = visits(t);
	uint32_t n = g_hash_table_size(c->ids);

	fake_reg_write(t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(visits(t) - v0, <=, PER_ITEM * n + PER_ITEM);
	env_reboot(e);
	for (uint32_t k = 0; k < POOL; k++) {
		if (c->live[k].on) {
			g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_QUERY,
						      c->live[k].id), ==,
					 PVGPU_STATUS_ENOENT);
			assert_doorbell_unused(t, c->live[k].db);
		}
		c->live[k].on = false;
	}
	memset(c->count, 0, sizeof(c->count));
	g_hash_table_remove_all(c->ids);
}

/*
 * Thousands of registrations and deregistrations at random ids, doorbells
 * and address spaces, with queue resets and firmware resets among them:
 * AS_UNBIND answers as the test's own count says after every step.
 */
static void test_churn(void)
{
	Churn c = { 0 };
	unsigned int steps = g_test_slow() ? 20000 : 3000;

	c.e = env_new();
	c.rand = g_rand_new_with_seed(0x9e3779b9);
	c.ids = g_hash_table_new(NULL, NULL);
	for (unsigned int i = 0; i < steps; i++) {
		churn_step(&c);
		if (i % 8 == 7)
			churn_check(&c);
		if (i % 997 == 996)
			churn_reset(&c);
	}
	churn_check(&c);
	g_assert_cmpuint(fake_platform_error_count(c.e->t->fp), ==, 0);
	g_hash_table_destroy(c.ids);
	g_rand_free(c.rand);
	env_free(c.e);
}

/* --- Migration --------------------------------------------------------- */

/* Copy device state and guest RAM from @src to @dst; post_load's result. */
static int migrate(CostEnv *src, CostEnv *dst)
{
	Sh *s = src->t, *d = dst->t;
	uint32_t n1, n2;
	PvgpuFwQueueState *a = pvgpu_fw_queue_states(s->fw, &n1);
	PvgpuFwQueueState *b = pvgpu_fw_queue_states(d->fw, &n2);

	g_assert_cmpuint(n1, ==, n2);
	memcpy(d->fp->ram, s->fp->ram, s->fp->ram_size);
	d->fp->now_ns = s->fp->now_ns;
	*pvgpu_fw_state(d->fw) = *pvgpu_fw_state(s->fw);
	*pvgpu_fw_sched_state(d->fw) = *pvgpu_fw_sched_state(s->fw);
	memcpy(b, a, n1 * sizeof(*a));
	d->g->d.next_seqno = s->g->d.next_seqno;
	d->g->next_pa = s->g->next_pa;
	d->fp->timer_deadline = FAKE_NO_TIMER;
	return pvgpu_fw_post_load(d->fw);
}

/*
 * What is in use is rebuilt from the loaded table, not kept from before
 * the load: the destination's own queues (asid 6, doorbells of its own)
 * are gone, the stream's count for their spaces and can be deregistered,
 * and a reset afterwards is as cheap as anywhere.
 */
static void test_migrate_rebuilds(void)
{
	CostEnv *src = env_new(), *dst = env_new();
	uint64_t v0;

	g_assert_cmpuint(reg(src->t, 5, 0, 20, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(src->t, 50000, 1, 21, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(src->t, 65535, 2, 22, 4), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(dst->t, 9, 0, 30, 6), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(dst->t, 50000, 1, 31, 6), ==, PVGPU_STATUS_OK);

	g_assert_cmpint(migrate(src, dst), ==, 0);
	check_unbind(dst, 6, false);
	check_unbind(dst, 3, true);
	check_unbind(dst, 4, true);
	assert_doorbell_unused(dst->t, 30);
	assert_doorbell_unused(dst->t, 31);
	g_assert_cmpuint(sh_queue_req(dst->t, PVGPU_H2F_QUEUE_QUERY, 9), ==,
			 PVGPU_STATUS_ENOENT);
	/* Queue 50000 is the stream's, on the stream's doorbell. */
	g_assert_cmpuint(reg(dst->t, 1, 3, 21, 5), ==, PVGPU_STATUS_EBUSY);
	g_assert_cmpuint(dereg(dst->t, 50000), ==, PVGPU_STATUS_OK);
	check_unbind(dst, 3, true);
	g_assert_cmpuint(dereg(dst->t, 5), ==, PVGPU_STATUS_OK);
	check_unbind(dst, 3, false);
	assert_doorbell_unused(dst->t, 21);

	v0 = visits(dst->t);
	fake_reg_write(dst->t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(visits(dst->t) - v0, <=, 2 * PER_ITEM);
	g_assert_true(table_zero(dst->t));
	env_reboot(dst);
	assert_doorbell_unused(dst->t, 22);
	g_assert_cmpuint(reg(dst->t, 65535, 2, 22, 4), ==, PVGPU_STATUS_OK);
	env_free(src);
	env_free(dst);
}

/*
 * A rejected stream leaves nothing behind: its queue table is cleared
 * whole, so no entry of it (registered or not) can reach the queue code,
 * and the destination's earlier queues are gone too.
 */
static void test_migrate_rejected(void)
{
	CostEnv *src = env_new(), *dst = env_new();
	uint32_t n;

	g_assert_cmpuint(reg(src->t, 100, 0, 20, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(src->t, 200, 1, 21, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(dst->t, 300, 0, 30, 4), ==, PVGPU_STATUS_OK);
	/* Entry 200 is corrupt: the stream is refused. */
	pvgpu_fw_queue_states(src->t->fw, &n)[200].priority = 99;
	g_assert_cmpint(migrate(src, dst), ==, -1);
	g_assert_true(fake_platform_has_error(dst->t->fp, "migrated firmware "
					      "state rejected"));
	g_assert_true(table_zero(dst->t));
	g_assert_cmpuint(sh_queue_req(dst->t, PVGPU_H2F_QUEUE_QUERY, 100), ==,
			 PVGPU_STATUS_ENOENT);
	assert_doorbell_unused(dst->t, 20);
	assert_doorbell_unused(dst->t, 30);
	check_unbind(dst, 3, false);
	check_unbind(dst, 4, false);
	/* The ids and doorbells are free for new queues. */
	g_assert_cmpuint(reg(dst->t, 100, 0, 20, 4), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(dst->t, 300, 1, 30, 4), ==, PVGPU_STATUS_OK);
	check_unbind(dst, 4, true);
	env_free(src);
	env_free(dst);
}

/*
 * A stream that stops half way (QEMU: pre_load ran, post_load never does)
 * leaves entries in the table the firmware does not know of; the next
 * FW_CTRL.RESET clears the whole table, and then only what is in use
 * again.
 */
static void test_migrate_half_loaded(void)
{
	CostEnv *src = env_new(), *dst = env_new();
	PvgpuFwQueueState *a, *b;
	uint64_t v0;
	uint32_t n;

	g_assert_cmpuint(reg(src->t, 4242, 0, 20, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(dst->t, 17, 1, 30, 4), ==, PVGPU_STATUS_OK);
	a = pvgpu_fw_queue_states(src->t->fw, &n);
	b = pvgpu_fw_queue_states(dst->t->fw, &n);
	pvgpu_fw_pre_load(dst->t->fw);
	/* Half of the table arrived, then the stream broke. */
	memcpy(b, a, n / 2 * sizeof(*a));
	g_assert_true(b[4242].registered);
	fake_reg_write(dst->t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_true(table_zero(dst->t));
	env_reboot(dst);
	assert_doorbell_unused(dst->t, 20);
	assert_doorbell_unused(dst->t, 30);
	g_assert_cmpuint(reg(dst->t, 4242, 0, 20, 3), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(reg(dst->t, 17, 1, 30, 4), ==, PVGPU_STATUS_OK);
	check_unbind(dst, 3, true);
	check_unbind(dst, 4, true);
	v0 = visits(dst->t);
	fake_reg_write(dst->t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(visits(dst->t) - v0, <=, 3 * PER_ITEM);
	g_assert_true(table_zero(dst->t));
	env_free(src);
	env_free(dst);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cost/reset", test_reset_cost);
	g_test_add_func("/cost/asid-check", test_asid_check_cost);
	g_test_add_func("/cost/unbind-in-use", test_unbind_in_use);
	g_test_add_func("/cost/reset-forgets", test_reset_forgets);
	g_test_add_func("/cost/churn", test_churn);
	g_test_add_func("/cost/migrate/rebuilds", test_migrate_rebuilds);
	g_test_add_func("/cost/migrate/rejected", test_migrate_rejected);
	g_test_add_func("/cost/migrate/half-loaded", test_migrate_half_loaded);
	return g_test_run();
}

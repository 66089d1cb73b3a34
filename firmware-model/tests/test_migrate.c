/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tables as a migration stream carries them (pvgpu_fw_migrate.h): only
 * registered queues and bound address spaces, tagged with their index in
 * increasing order; the load refuses records that name an entry out of
 * range, twice or out of order, or a free one, and leaves empty tables.
 */
#include <string.h>

#include "sched_helpers.h"
#include "pvgpu_fw_migrate.h"

#define COPY		PVGPU_ENGINE_CLASS_COPY
#define COMPUTE		PVGPU_ENGINE_CLASS_COMPUTE

static uint64_t visits(Sh *t)
{
	return pvgpu_fw_stats(t->fw)->table_visits;
}

static bool table_zero(Sh *t)
{
	static const PvgpuFwQueueState zero;
	PvgpuFwQueueState *q;
	uint32_t n;

	q = pvgpu_fw_queue_states(t->fw, &n);
	for (uint32_t id = 0; id < n; id++) {
		if (memcmp(&q[id], &zero, sizeof(zero)))
			return false;
	}
	return true;
}

static bool no_as_bound(Sh *t)
{
	static const PvgpuFwAs unbound;
	const PvgpuFwState *st = pvgpu_fw_state(t->fw);

	for (uint32_t asid = 0; asid < PVGPU_FW_MAX_AS; asid++) {
		if (memcmp(&st->as[asid], &unbound, sizeof(unbound)))
			return false;
	}
	return true;
}

/*
 * What a QEMU migration does with the model: the source's records, state
 * and guest RAM reach @d through the record API. Returns the first
 * failure (-1) or post_load's result.
 */
static int migrate(Sh *s, Sh *d)
{
	PvgpuFwQueueRecord *qrec;
	PvgpuFwAsRecord *arec;
	uint32_t nq, nas;
	int ret;

	qrec = pvgpu_fw_save_queues(s->fw, &nq);
	arec = pvgpu_fw_save_address_spaces(s->fw, &nas);
	pvgpu_fw_pre_load(d->fw);
	memcpy(d->fp->ram, s->fp->ram, s->fp->ram_size);
	d->fp->now_ns = s->fp->now_ns;
	*pvgpu_fw_state(d->fw) = *pvgpu_fw_state(s->fw);
	/* The stream has no address-space table: the records fill it. */
	memset(pvgpu_fw_state(d->fw)->as, 0xa5,
	       sizeof(pvgpu_fw_state(d->fw)->as));
	*pvgpu_fw_sched_state(d->fw) = *pvgpu_fw_sched_state(s->fw);
	d->g->d.next_seqno = s->g->d.next_seqno;
	d->g->next_pa = s->g->next_pa;
	d->fp->timer_deadline = FAKE_NO_TIMER;
	ret = pvgpu_fw_load_address_spaces(d->fw, arec, nas);
	if (!ret)
		ret = pvgpu_fw_load_queues(d->fw, qrec, nq);
	if (!ret)
		ret = pvgpu_fw_post_load(d->fw);
	g_free(qrec);
	g_free(arec);
	return ret;
}

/*
 * Records come in increasing index order whatever the order of
 * registration, one per registered queue / bound space, and a migration
 * through them reproduces the tables exactly: the destination's own queue
 * is gone, the source's run where they were.
 */
static void test_round_trip(void)
{
	static const uint32_t ids[] = { 700, 3, 1023, 17 };
	Sh *src = sh_new(NULL), *dst = sh_new(NULL);
	PvgpuFwQueueState *a, *b;
	PvgpuFwQueueRecord *qrec;
	PvgpuFwAsRecord *arec;
	GArray *cmds;
	uint32_t n, nq, nas;

	for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
		g_assert_cmpuint(sh_register(src, ids[i], i & 1 ? COMPUTE : COPY,
					     1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(dst, 5, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	/* Queue 17 is in a DELAY when the source stops. */
	cmds = gpu_cmds_new();
	gpu_cmd_delay(cmds, 0, 500000);
	sh_go(src, 17, cmds);
	g_assert_cmpuint(sh_state(src, 17), ==, PVGPU_QUEUE_STATE_RESIDENT);

	qrec = pvgpu_fw_save_queues(src->fw, &nq);
	g_assert_cmpuint(nq, ==, 4);
	g_assert_cmpuint(qrec[0].id, ==, 3);
	g_assert_cmpuint(qrec[1].id, ==, 17);
	g_assert_cmpuint(qrec[2].id, ==, 700);
	g_assert_cmpuint(qrec[3].id, ==, 1023);
	a = pvgpu_fw_queue_states(src->fw, &n);
	for (uint32_t i = 0; i < nq; i++)
		g_assert_cmpmem(&qrec[i].q, sizeof(qrec[i].q), &a[qrec[i].id],
				sizeof(a[0]));
	g_free(qrec);
	arec = pvgpu_fw_save_address_spaces(src->fw, &nas);
	g_assert_cmpuint(nas, ==, 2);
	g_assert_cmpuint(arec[0].asid, ==, 1);
	g_assert_cmpuint(arec[0].as.flags, ==, PVGPU_AS_FAULTABLE);
	g_assert_cmpuint(arec[1].asid, ==, 2);
	g_assert_cmpuint(arec[1].as.bound, ==, 1);
	g_free(arec);

	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(dst->fp), ==, 0);
	b = pvgpu_fw_queue_states(dst->fw, &n);
	g_assert_cmpmem(a, n * sizeof(*a), b, n * sizeof(*b));
	g_assert_cmpmem(pvgpu_fw_state(src->fw)->as,
			sizeof(pvgpu_fw_state(src->fw)->as),
			pvgpu_fw_state(dst->fw)->as,
			sizeof(pvgpu_fw_state(dst->fw)->as));
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_QUERY, 5), ==,
			 PVGPU_STATUS_ENOENT);
	/* The DELAY ends on the destination, and the queue goes idle. */
	sh_settle(dst, 10000000);
	g_assert_cmpuint(sh_state(dst, 17), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(sh_done(dst, 17), ==, 1);
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_DEREGISTER, 700),
			 ==, PVGPU_STATUS_OK);
	sh_free(src);
	sh_free(dst);
}

/* No queue, no record (and nothing to free). */
static void test_empty(void)
{
	Sh *src = sh_new(NULL), *dst = sh_new(NULL);
	uint32_t n = 99;

	g_assert_null(pvgpu_fw_save_queues(src->fw, &n));
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpuint(sh_register(dst, 5, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_true(table_zero(dst));
	sh_free(src);
	sh_free(dst);
}

/* Saving visits the queues in use, not the table (65536 entries here). */
static void test_save_cost(void)
{
	PvgpuFwConfig cfg;
	PvgpuFwQueueRecord *rec;
	Sh *t;
	uint64_t v0;
	uint32_t n;

	sh_config(&cfg);
	cfg.max_queues = 65536;
	t = sh_new(&cfg);
	g_assert_cmpuint(sh_register(t, 900, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 12, COMPUTE, 1, 0), ==,
			 PVGPU_STATUS_OK);
	v0 = visits(t);
	rec = pvgpu_fw_save_queues(t->fw, &n);
	g_assert_cmpuint(visits(t) - v0, <=, 2 * 4);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(rec[0].id, ==, 12);
	g_assert_cmpuint(rec[1].id, ==, 900);
	g_free(rec);
	sh_free(t);
}

/*
 * After a load that broke off (pre_load, part of a table, no post_load),
 * used[] does not name what the table holds: saving then looks at every
 * entry, so what a later stream carries is what the table has.
 */
static void test_save_untracked(void)
{
	Sh *t = sh_new(NULL);
	PvgpuFwQueueState *q;
	PvgpuFwQueueRecord *rec;
	uint32_t n;

	g_assert_cmpuint(sh_register(t, 40, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	q = pvgpu_fw_queue_states(t->fw, &n);
	pvgpu_fw_pre_load(t->fw);
	q[600] = q[40];
	memset(&q[40], 0, sizeof(q[40]));
	rec = pvgpu_fw_save_queues(t->fw, &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(rec[0].id, ==, 600);
	g_free(rec);
	sh_free(t);
}

typedef enum BadQueues {
	BAD_Q_TOO_MANY,		/* more records than queue ids */
	BAD_Q_ID_LIMIT,		/* id == max_queues */
	BAD_Q_ID_MAX,		/* id == UINT32_MAX */
	BAD_Q_DUPLICATE,	/* the same id twice */
	BAD_Q_DECREASING,
	BAD_Q_FREE,		/* a record of an unregistered entry */
	BAD_Q_REGISTERED_2,
} BadQueues;

/*
 * A stream whose queue records are inconsistent is refused before any
 * record is written: the load fails with a guest error (QEMU: the
 * migration error), the table is empty (the destination's own queue is
 * gone too), and a post_load cannot bring anything back.
 */
static void test_bad_queue_records(gconstpointer data)
{
	BadQueues bad = GPOINTER_TO_UINT(data);
	Sh *src = sh_new(NULL), *dst = sh_new(NULL);
	PvgpuFwQueueRecord *rec, *many;
	uint32_t n, limit;

	pvgpu_fw_queue_states(dst->fw, &limit);
	g_assert_cmpuint(sh_register(src, 10, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(src, 20, COMPUTE, 1, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(dst, 5, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	rec = pvgpu_fw_save_queues(src->fw, &n);
	g_assert_cmpuint(n, ==, 2);
	switch (bad) {
	case BAD_Q_TOO_MANY:
		/* Ids would run past the table before they repeat. */
		many = g_new0(PvgpuFwQueueRecord, limit + 1);
		for (uint32_t i = 0; i <= limit; i++) {
			many[i] = rec[0];
			many[i].id = i;
		}
		g_free(rec);
		rec = many;
		n = limit + 1;
		break;
	case BAD_Q_ID_LIMIT:
		rec[1].id = limit;
		break;
	case BAD_Q_ID_MAX:
		rec[1].id = UINT32_MAX;
		break;
	case BAD_Q_DUPLICATE:
		rec[1].id = rec[0].id;
		break;
	case BAD_Q_DECREASING:
		rec[1].id = 4;
		break;
	case BAD_Q_FREE:
		memset(&rec[1].q, 0, sizeof(rec[1].q));
		break;
	case BAD_Q_REGISTERED_2:
		rec[0].q.registered = 2;
		break;
	}
	pvgpu_fw_pre_load(dst->fw);
	g_assert_cmpint(pvgpu_fw_load_queues(dst->fw, rec, n), ==, -1);
	g_assert_true(fake_platform_has_error(dst->fp, "migrated firmware "
					      "state rejected"));
	g_assert_true(table_zero(dst));
	g_assert_cmpuint(sh_queue_req(dst, PVGPU_H2F_QUEUE_QUERY, 5), ==,
			 PVGPU_STATUS_ENOENT);
	/* The destination's queue left its doorbell free. */
	g_assert_cmpuint(sh_register_db(dst, 6, COPY, sh_default_doorbell(5)),
			 ==, PVGPU_STATUS_OK);
	g_free(rec);
	sh_free(src);
	sh_free(dst);
}

typedef enum BadAs {
	BAD_AS_TOO_MANY,
	BAD_AS_LIMIT,		/* asid == max_address_spaces */
	BAD_AS_DUPLICATE,
	BAD_AS_DECREASING,
	BAD_AS_UNBOUND,
} BadAs;

static void test_bad_as_records(gconstpointer data)
{
	BadAs bad = GPOINTER_TO_UINT(data);
	Sh *src = sh_new(NULL), *dst = sh_new(NULL);
	uint32_t limit = pvgpu_fw_config(dst->fw)->max_address_spaces;
	PvgpuFwAsRecord *rec, *many;
	uint32_t n;

	rec = pvgpu_fw_save_address_spaces(src->fw, &n);
	g_assert_cmpuint(n, ==, 2);
	switch (bad) {
	case BAD_AS_TOO_MANY:
		many = g_new0(PvgpuFwAsRecord, PVGPU_FW_MAX_AS + 1);
		for (uint32_t i = 0; i <= PVGPU_FW_MAX_AS; i++) {
			many[i] = rec[0];
			many[i].asid = i;
		}
		g_free(rec);
		rec = many;
		n = PVGPU_FW_MAX_AS + 1;
		break;
	case BAD_AS_LIMIT:
		g_assert_cmpuint(limit, <, PVGPU_FW_MAX_AS);
		rec[1].asid = limit;
		break;
	case BAD_AS_DUPLICATE:
		rec[1].asid = rec[0].asid;
		break;
	case BAD_AS_DECREASING:
		rec[1].asid = 0;
		break;
	case BAD_AS_UNBOUND:
		rec[0].as.bound = 0;
		break;
	}
	pvgpu_fw_pre_load(dst->fw);
	g_assert_cmpint(pvgpu_fw_load_address_spaces(dst->fw, rec, n), ==, -1);
	g_assert_true(fake_platform_has_error(dst->fp, "migrated firmware "
					      "state rejected"));
	g_assert_true(no_as_bound(dst));
	g_free(rec);
	sh_free(src);
	sh_free(dst);
}

int main(int argc, char **argv)
{
	static const char *const bad_q[] = {
		[BAD_Q_TOO_MANY] = "too-many",
		[BAD_Q_ID_LIMIT] = "id-limit",
		[BAD_Q_ID_MAX] = "id-max",
		[BAD_Q_DUPLICATE] = "duplicate",
		[BAD_Q_DECREASING] = "decreasing",
		[BAD_Q_FREE] = "free-entry",
		[BAD_Q_REGISTERED_2] = "registered-2",
	};
	static const char *const bad_as[] = {
		[BAD_AS_TOO_MANY] = "too-many",
		[BAD_AS_LIMIT] = "asid-limit",
		[BAD_AS_DUPLICATE] = "duplicate",
		[BAD_AS_DECREASING] = "decreasing",
		[BAD_AS_UNBOUND] = "unbound",
	};

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/migrate/round-trip", test_round_trip);
	g_test_add_func("/migrate/empty", test_empty);
	g_test_add_func("/migrate/save-cost", test_save_cost);
	g_test_add_func("/migrate/save-untracked", test_save_untracked);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_q); i++) {
		g_autofree char *path =
			g_strdup_printf("/migrate/bad-queues/%s", bad_q[i]);

		g_test_add_data_func(path, GUINT_TO_POINTER(i),
				     test_bad_queue_records);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad_as); i++) {
		g_autofree char *path =
			g_strdup_printf("/migrate/bad-as/%s", bad_as[i]);

		g_test_add_data_func(path, GUINT_TO_POINTER(i),
				     test_bad_as_records);
	}
	return g_test_run();
}

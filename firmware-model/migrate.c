/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the queue and address-space tables as records for
 * a migration stream (pvgpu_fw_migrate.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fw_internal.h"
#include "fw_sched_internal.h"
#include "pvgpu_fw_migrate.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

PvgpuFwQueueRecord *pvgpu_fw_save_queues(PvgpuFw *fw, uint32_t *n)
{
	FwSched *s = &fw->sched;
	PvgpuFwQueueRecord *rec;
	uint32_t *ids;
	uint32_t count = 0;

	*n = 0;
	if (!s->q)
		return NULL;
	if (s->untracked) {
		/*
		 * A load broke off or was refused: used[] does not name what
		 * the table holds, so look at every entry.
		 */
		ids = g_new(uint32_t, s->nq);
		for (uint32_t id = 0; id < s->nq; id++) {
			if (s->q[id].registered)
				ids[count++] = id;
		}
		fw->stats.table_visits += s->nq;
	} else {
		count = s->nused;
		fw->stats.table_visits += count;
		if (!count)
			return NULL;
		ids = g_new(uint32_t, count);
		memcpy(ids, s->used, (size_t)count * sizeof(*ids));
		qsort(ids, count, sizeof(*ids), cmp_u32);
	}
	if (!count) {
		g_free(ids);
		return NULL;
	}
	rec = g_new0(PvgpuFwQueueRecord, count);
	for (uint32_t i = 0; i < count; i++) {
		rec[i].id = ids[i];
		rec[i].q = s->q[ids[i]];
	}
	g_free(ids);
	*n = count;
	return rec;
}

PvgpuFwAsRecord *pvgpu_fw_save_address_spaces(PvgpuFw *fw, uint32_t *n)
{
	PvgpuFwAsRecord *rec = NULL;
	uint32_t count = 0;

	/* A table of fixed size (PVGPU_FW_MAX_AS), whatever the shape. */
	for (uint32_t asid = 0; asid < PVGPU_FW_MAX_AS; asid++)
		count += fw->st.as[asid].bound != 0;
	*n = count;
	if (!count)
		return NULL;
	rec = g_new0(PvgpuFwAsRecord, count);
	count = 0;
	for (uint32_t asid = 0; asid < PVGPU_FW_MAX_AS; asid++) {
		if (fw->st.as[asid].bound) {
			rec[count].asid = asid;
			rec[count].as = fw->st.as[asid];
			count++;
		}
	}
	return rec;
}

/*
 * What is wrong with index @idx of record @i (previous index @prev) in a
 * table of @limit entries, or NULL.
 */
static const char *index_problem(uint32_t i, uint32_t idx, uint32_t prev,
				 uint32_t limit)
{
	if (idx >= limit)
		return "index out of range";
	if (i && idx <= prev)
		return "index not above the previous record's";
	return NULL;
}

int pvgpu_fw_load_queues(PvgpuFw *fw, const PvgpuFwQueueRecord *rec,
			 uint32_t n)
{
	FwSched *s = &fw->sched;
	const char *why = NULL;
	uint32_t i;

	/* Whatever the table held is not the stream's. */
	fw_sched_table_loaded(fw);
	if (!s->q)
		return n ? -1 : 0;
	memset(s->q, 0, (size_t)s->nq * sizeof(*s->q));
	fw->stats.table_visits += s->nq;

	if (n > s->nq) {
		fw_guest_error(fw, "migrated firmware state rejected: %u queue "
			       "records for %u queue ids", n, s->nq);
		fw_sched_reset(fw, false);
		return -1;
	}
	/* Every record is checked before any is written. */
	for (i = 0; i < n && !why; i++) {
		why = index_problem(i, rec[i].id, i ? rec[i - 1].id : 0, s->nq);
		if (!why && rec[i].q.registered != 1)
			why = "entry not registered";
	}
	if (why) {
		i--;
		fw_guest_error(fw, "migrated firmware state rejected: queue "
			       "record %u (id %u): %s", i, rec[i].id, why);
		fw_sched_reset(fw, false);
		return -1;
	}
	for (i = 0; i < n; i++)
		s->q[rec[i].id] = rec[i].q;
	return 0;
}

int pvgpu_fw_load_address_spaces(PvgpuFw *fw, const PvgpuFwAsRecord *rec,
				 uint32_t n)
{
	uint32_t limit = fw->cfg.max_address_spaces;
	const char *why = NULL;
	uint32_t i;

	memset(fw->st.as, 0, sizeof(fw->st.as));
	if (n > limit) {
		fw_guest_error(fw, "migrated firmware state rejected: %u address "
			       "space records for %u address spaces", n, limit);
		return -1;
	}
	for (i = 0; i < n && !why; i++) {
		why = index_problem(i, rec[i].asid, i ? rec[i - 1].asid : 0,
				    limit);
		if (!why && rec[i].as.bound != 1)
			why = "address space not bound";
	}
	if (why) {
		i--;
		fw_guest_error(fw, "migrated firmware state rejected: address "
			       "space record %u (asid %u): %s", i, rec[i].asid,
			       why);
		return -1;
	}
	for (i = 0; i < n; i++)
		fw->st.as[rec[i].asid] = rec[i].as;
	return 0;
}

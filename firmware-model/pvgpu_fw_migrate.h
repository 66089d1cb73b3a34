/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the tables as a migration stream carries them.
 *
 * The queue table has max_queues entries (up to 65536 of 320 bytes) and
 * the address-space table PVGPU_FW_MAX_AS, yet a free entry of either is
 * all zero (post_load insists). So a stream carries only the registered
 * queues and the bound address spaces, as records tagged with their index,
 * in increasing index order: its size follows what the guest uses, not the
 * device's shape.
 *
 * Saving builds the records from the tables. Loading, between
 * pvgpu_fw_pre_load() and pvgpu_fw_post_load(), checks what the records
 * say about the table (how many, which indices) and scatters them into a
 * zeroed table; pvgpu_fw_post_load() then checks the entries themselves,
 * as it always did. Nothing here trusts the records: an index out of
 * range, a repeated or decreasing one, or a record of a free entry is a
 * refused stream, never a write outside the table.
 *
 * Specification: docs/scheduler.rst, "Migration".
 */
#ifndef PVGPU_FW_MIGRATE_H
#define PVGPU_FW_MIGRATE_H

#include "pvgpu_fw_model.h"
#include "pvgpu_fw_sched_state.h"

/* A registered queue: queue table entry @id. */
typedef struct PvgpuFwQueueRecord {
	uint32_t id;			/* < max_queues */
	PvgpuFwQueueState q;		/* q.registered == 1 */
} PvgpuFwQueueRecord;

/* A bound address space: PvgpuFwState.as[@asid]. */
typedef struct PvgpuFwAsRecord {
	uint32_t asid;			/* < max_address_spaces */
	PvgpuFwAs as;			/* as.bound == 1 */
} PvgpuFwAsRecord;

/*
 * The registered queues in increasing id order: *@n records, to be freed
 * with g_free() (NULL when there are none). The cost follows the queues
 * in use, unless a load left the table untracked (then the whole table).
 */
PvgpuFwQueueRecord *pvgpu_fw_save_queues(PvgpuFw *fw, uint32_t *n);
/* The bound address spaces in increasing asid order, likewise. */
PvgpuFwAsRecord *pvgpu_fw_save_address_spaces(PvgpuFw *fw, uint32_t *n);

/*
 * Replace the queue table by the @n records of a migration stream. They
 * must be at most max_queues, their ids below it and strictly
 * increasing, each entry registered. Returns 0, or -1 after a guest error
 * ("migrated firmware state rejected: ...") with the table emptied whole
 * and what was derived from it (as a refused post_load leaves it).
 */
int pvgpu_fw_load_queues(PvgpuFw *fw, const PvgpuFwQueueRecord *rec,
			 uint32_t n);
/*
 * Replace the address-space table likewise: asids below
 * max_address_spaces, strictly increasing, each entry bound. Returns 0,
 * or -1 after a guest error with no address space bound.
 */
int pvgpu_fw_load_address_spaces(PvgpuFw *fw, const PvgpuFwAsRecord *rec,
				 uint32_t n);

#endif /* PVGPU_FW_MIGRATE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: what the three parts of exec queues share, private
 * to pvgpu_queue.c (the queue object and its ioctls), pvgpu_queue_fw.c
 * (the firmware backend) and pvgpu_queue_event.c (firmware events and
 * lost-event recovery). Everyone else uses pvgpu_queue.h.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_QUEUE_INTERNAL_H
#define PVGPU_QUEUE_INTERNAL_H

#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/ktime.h>
#include <linux/types.h>

#include "pvgpu_dep_queue.h"
#include "pvgpu_queue.h"

struct pvgpu_device;
struct work_struct;

/* Period of the completion poll while jobs run (lost events). */
#define PVGPU_EXEC_POLL_MS	50

static inline struct pvgpu_exec_queue *
dq_to_eq(struct pvgpu_dep_queue *dq)
{
	return to_pvgpu_exec_queue(to_pvgpu_queue(dq));
}

static inline struct pvgpu_exec_job *to_exec_job(struct pvgpu_dep_job *job)
{
	return container_of(job, struct pvgpu_exec_job, base);
}

/* pvgpu_queue.c */
void pvgpu_exec_queue_free(struct pvgpu_exec_queue *eq);

/* pvgpu_queue_fw.c */
extern const struct pvgpu_dep_queue_ops pvgpu_exec_queue_ops;
u32 pvgpu_exec_queue_max_ids(struct pvgpu_device *pvdev);
int pvgpu_exec_queue_reserve_id(struct pvgpu_exec_queue *eq);
int pvgpu_exec_queue_setup_ctl(struct pvgpu_exec_queue *eq);
int pvgpu_exec_queue_register(struct pvgpu_exec_queue *eq);
int pvgpu_exec_queue_fw_request(struct pvgpu_exec_queue *eq, u16 opcode);
void pvgpu_exec_queue_destroy(struct pvgpu_queue *queue);
void pvgpu_exec_queue_destroy_work(struct work_struct *work);

/* pvgpu_queue_event.c */
u64 pvgpu_exec_queue_seqno(struct pvgpu_exec_queue *eq);
void pvgpu_exec_queue_init_events(struct pvgpu_exec_queue *eq);
void pvgpu_exec_busy_account(struct pvgpu_exec_queue *eq, u64 seqno,
			     bool stopped);
void pvgpu_exec_busy_account_at(struct pvgpu_exec_queue *eq, u64 seqno,
				bool stopped, ktime_t now);
void pvgpu_exec_queue_complete(struct pvgpu_exec_queue *eq);
void pvgpu_exec_queue_complete_timedout(struct pvgpu_exec_queue *eq);
bool pvgpu_exec_queue_set_error(struct pvgpu_exec_queue *eq, u32 state,
				int error);
void pvgpu_exec_queue_ban(struct pvgpu_exec_queue *eq);

#endif /* PVGPU_QUEUE_INTERNAL_H */

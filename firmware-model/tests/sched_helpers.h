/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduler test helpers on top of gpu_helpers: a booted firmware with one
 * faultable and one non-faultable address space, queues with their rings
 * and doorbells, a log of every F2H event in arrival order, requests whose
 * response may come later (deferred SUSPEND/DEREGISTER), and a way to move
 * the fake clock across many timer deadlines.
 */
#ifndef SCHED_HELPERS_H
#define SCHED_HELPERS_H

#include "gpu_helpers.h"
#include "pvgpu_fw_sched_state.h"

#define SH_MAX_QUEUES		1024
/* GPU VAs: rings from RING_VA (64 KiB apart), data at DATA_VA. */
#define SH_RING_VA		0x1000000000ull
#define SH_DATA_VA		0x40000000ull
#define SH_DATA_SIZE		0x100000ull

typedef struct ShEvent {
	uint16_t opcode;
	uint16_t len;
	uint32_t seqno;
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
} ShEvent;

typedef struct ShResp {
	uint16_t opcode;
	uint32_t seqno;
	uint32_t status;
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
} ShResp;

typedef struct ShQueue {
	uint32_t id;
	uint32_t doorbell;
	uint32_t engine_class;
	GpuRing ring;
	bool registered;
} ShQueue;

typedef struct Sh {
	GpuEnv *g;
	FakePlatform *fp;
	PvgpuFw *fw;
	GpuVm vm;		/* asid 1: faultable */
	GpuVm vm_nf;		/* asid 2: not faultable */
	uint64_t data_pa;	/* SH_DATA_SIZE bytes at SH_DATA_VA in both */
	GArray *events;		/* ShEvent, every F2H event in order */
	GArray *resps;		/* ShResp not yet claimed */
	ShQueue q[SH_MAX_QUEUES];
} Sh;

/*
 * The default device shape with the most doorbell pages (1024, doorbell
 * ids 1 .. 1024 * 1024 - 1) and SH_MAX_QUEUES queues, unless @cfg is
 * given. sh_register() handles queue ids below SH_MAX_QUEUES.
 */
void sh_config(PvgpuFwConfig *cfg);
Sh *sh_new(const PvgpuFwConfig *cfg);
/* sh_new() with @ram_size bytes of fake guest RAM (0: the default). */
Sh *sh_new_sized(const PvgpuFwConfig *cfg, uint64_t ram_size);
void sh_free(Sh *t);

/* Read everything on F2H into t->events / t->resps. */
void sh_pump(Sh *t);
/* Send a request and ring the H2F doorbell; returns its seqno. */
uint32_t sh_send(Sh *t, uint16_t opcode, const void *payload,
		 uint16_t len_dw);
/* Serve and pump; true with the response to @seqno if it has come. */
bool sh_response(Sh *t, uint32_t seqno, uint32_t *status, void *resp);
/* sh_send() + serve + the response, which must come. */
uint32_t sh_request(Sh *t, uint16_t opcode, const void *payload,
		    uint16_t len_dw, void *resp);
/* QUEUE_* requests that only name a queue. */
uint32_t sh_queue_req(Sh *t, uint16_t opcode, uint32_t id);
uint32_t sh_queue_set(Sh *t, uint16_t opcode, uint32_t id, uint32_t value);
/* QUEUE_QUERY: state (asserts OK). */
struct pvgpu_msg_queue_state sh_query(Sh *t, uint32_t id);
uint32_t sh_state(Sh *t, uint32_t id);
uint64_t sh_done(Sh *t, uint32_t id);

/*
 * Register queue @id: ring of @ring_size bytes (0: 4 KiB), doorbell id
 * t->q[@id].doorbell if the test set it (non-zero), else
 * sh_default_doorbell(@id), address space @vm (NULL: t->vm). Returns the
 * status.
 */
uint32_t sh_register(Sh *t, uint32_t id, uint32_t engine_class,
		     uint32_t prio, uint32_t timeslice_us);
uint32_t sh_register_full(Sh *t, uint32_t id, uint32_t engine_class,
			  uint32_t prio, uint32_t timeslice_us,
			  uint32_t ring_size, GpuVm *vm);
/* sh_register() at priority 1 on doorbell id @db, whatever it is (0 too). */
uint32_t sh_register_db(Sh *t, uint32_t id, uint32_t engine_class,
			uint32_t db);
/*
 * The doorbell id sh_register() gives queue @id by default: @id + 1, so
 * queues 0 .. 1022 use group 0's kernel doorbells 1 .. 1023 and queue
 * 1023 the first dword of page 1.
 */
uint32_t sh_default_doorbell(uint32_t id);
/* A queue descriptor as sh_register() would send it (not sent). */
void sh_desc(Sh *t, uint32_t id, uint32_t engine_class, uint32_t prio,
	     struct pvgpu_queue_desc *d);

/* Write commands to queue @id's ring and publish wptr (no doorbell). */
void sh_submit(Sh *t, uint32_t id, GArray *cmds);
/* Ring doorbell id @db (gpu_doorbell()); nothing served. */
void sh_ring(Sh *t, uint32_t db);
/* Ring queue @id's doorbell, serve kicks, read F2H. */
void sh_doorbell(Sh *t, uint32_t id);
/* sh_submit() + sh_doorbell(); frees @cmds. */
void sh_go(Sh *t, uint32_t id, GArray *cmds);

/* Move the clock to @until, firing every timer deadline on the way. */
void sh_run_until(Sh *t, uint64_t until);
void sh_run_for(Sh *t, uint64_t ns);
/* Run until no timer is armed (at most @max_ns); asserts it settles. */
void sh_settle(Sh *t, uint64_t max_ns);

/* Data area access (GPU VA SH_DATA_VA + @off). */
uint32_t sh_rd32(Sh *t, uint64_t off);
void sh_wr32(Sh *t, uint64_t off, uint32_t v);

/* Events of @opcode in t->events; for one queue (payload[0]) if != ~0. */
unsigned int sh_count_events(Sh *t, uint16_t opcode, uint32_t queue);
/* The @n-th (from 0) event of @opcode for @queue, or NULL. */
const ShEvent *sh_find_event(Sh *t, uint16_t opcode, uint32_t queue,
			     unsigned int n);

#endif /* SCHED_HELPERS_H */

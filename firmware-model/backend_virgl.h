/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the virgl execution backend's connection to its
 * worker process (include/pvgpu/pvgpu_virgl_worker.h, docs/virgl.rst).
 *
 * The firmware stages a kernel chunk's operands in the shared staging area
 * (fw_virgl_staging()), sends one request and waits for the reply, at most
 * the backend's timeout. A worker that misses it, dies or answers nonsense
 * is killed; the request fails (a queue error for the queue that ran it) and
 * the next request starts a new worker. Nothing here is migrated: a request
 * carries everything it needs.
 */
#ifndef PVGPU_FW_BACKEND_VIRGL_H
#define PVGPU_FW_BACKEND_VIRGL_H

#include <stdbool.h>
#include <stdint.h>

#include "pvgpu_virgl_worker.h"

typedef struct FwVirgl FwVirgl;

/*
 * How a request failed (pvgpu_evt_queue_error.fault_reason of a
 * PVGPU_QUEUE_ERR_BACKEND): PVGPU_BACKEND_ERR_* of pvgpu_fwif.h.
 */
typedef struct FwVirglError {
	uint32_t code;		/* PVGPU_BACKEND_ERR_* */
	int32_t detail;		/* the worker's detail, or a negative errno */
	char text[160];
} FwVirglError;

/*
 * Start the worker @path and say hello; @timeout_ms bounds every request.
 * NULL with *err set (g_free it) if the worker cannot be started or its
 * virglrenderer does not initialise.
 */
FwVirgl *fw_virgl_new(const char *path, uint32_t timeout_ms, char **err);
void fw_virgl_free(FwVirgl *v);

/* The worker's GL renderer, as it said at hello. */
const char *fw_virgl_renderer(const FwVirgl *v);

/*
 * The staging area (PVGPU_VW_SHM_SIZE bytes); its contents are valid until
 * the next request. NULL when no worker is running and none can be
 * started (then fw_virgl_dispatch() fails too).
 */
void *fw_virgl_staging(FwVirgl *v, FwVirglError *e);

/*
 * Run @req (op DISPATCH; magic and seq are filled in here). True when the
 * worker answered PVGPU_VW_OK; else false with @e filled.
 */
bool fw_virgl_dispatch(FwVirgl *v, struct pvgpu_vw_request *req,
		       FwVirglError *e);

/*
 * Test hooks: make the next dispatch fail in virglrenderer
 * (PVGPU_VW_OP_INJECT_GL_ERROR) or the worker stop answering
 * (PVGPU_VW_OP_INJECT_HANG). False if the worker could not be told.
 */
bool fw_virgl_inject(FwVirgl *v, uint32_t op);

/* The worker's process id, 0 when none runs: for tests that kill it. */
int fw_virgl_worker_pid(const FwVirgl *v);

/* Statistics since creation. */
typedef struct FwVirglStats {
	uint64_t requests;
	uint64_t failures;
	uint64_t restarts;	/* workers started after the first */
	uint64_t gpu_ns;	/* sum of the replies' gpu_ns */
} FwVirglStats;
void fw_virgl_stats(const FwVirgl *v, FwVirglStats *out);

#endif /* PVGPU_FW_BACKEND_VIRGL_H */

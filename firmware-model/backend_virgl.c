/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the virgl backend's worker process (backend_virgl.h).
 *
 * The worker is spawned with a SOCK_SEQPACKET socket and a memfd staging
 * area (pvgpu_virgl_worker.h). Requests are synchronous: the firmware runs
 * under the platform's lock (QEMU: the BQL), a kernel chunk is bounded by
 * the run's budget, and the wait for the reply is bounded by the timeout,
 * so a run never blocks longer than that. A worker that misses the
 * deadline, dies, or answers out of protocol is killed and reaped here, and
 * the next request starts another one: a crash of the host's GL driver
 * costs one queue error, never the VMM.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "backend_virgl.h"
#include "pvgpu_fwif.h"

/* The longest a new worker may take to start and say hello. */
#define FW_VIRGL_HELLO_MS	10000

struct FwVirgl {
	char *path;
	uint32_t timeout_ms;
	pid_t pid;		/* 0: no worker */
	int sock;		/* -1: no worker */
	int shm_fd;
	void *shm;		/* PVGPU_VW_SHM_SIZE, shared with the worker */
	uint32_t seq;
	bool started_once;
	char renderer[128];
	FwVirglStats stats;
};

static void set_error(FwVirglError *e, uint32_t code, int32_t detail,
		      const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void set_error(FwVirglError *e, uint32_t code, int32_t detail,
		      const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	e->detail = detail;
	va_start(ap, fmt);
	g_vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Kill and reap the worker, if any. The staging area stays. */
static void stop_worker(FwVirgl *v)
{
	if (v->sock >= 0) {
		close(v->sock);
		v->sock = -1;
	}
	if (v->pid > 0) {
		kill(v->pid, SIGKILL);
		while (waitpid(v->pid, NULL, 0) < 0 && errno == EINTR)
			;
		v->pid = 0;
	}
}

/*
 * Send @req and wait for its reply until the deadline. On any failure the
 * worker is stopped and @e says why.
 */
static bool transact(FwVirgl *v, struct pvgpu_vw_request *req,
		     struct pvgpu_vw_reply *rep, FwVirglError *e)
{
	/*
	 * Hello includes virglrenderer's and the GL driver's start-up (EGL,
	 * llvmpipe: hundreds of milliseconds on a loaded host), which no
	 * kernel chunk pays: it gets at least FW_VIRGL_HELLO_MS.
	 */
	uint32_t limit = req->op == PVGPU_VW_OP_HELLO ?
			 MAX(v->timeout_ms, FW_VIRGL_HELLO_MS) : v->timeout_ms;
	uint64_t deadline = mono_ms() + limit;
	ssize_t n;

	req->magic = PVGPU_VW_MAGIC;
	req->seq = ++v->seq;
	do {
		n = send(v->sock, req, sizeof(*req), MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*req)) {
		set_error(e, PVGPU_BACKEND_ERR_WORKER_DIED, n < 0 ? -errno : 0,
			  "virgl worker: send failed (%s)",
			  n < 0 ? g_strerror(errno) : "short");
		goto fail;
	}
	for (;;) {
		struct pollfd pfd = { .fd = v->sock, .events = POLLIN };
		uint64_t now = mono_ms();
		int r;

		if (now >= deadline) {
			set_error(e, PVGPU_BACKEND_ERR_TIMEOUT, -ETIMEDOUT,
				  "virgl worker: no answer in %u ms", limit);
			goto fail;
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_error(e, PVGPU_BACKEND_ERR_WORKER_DIED, -errno,
				  "virgl worker: poll: %s", g_strerror(errno));
			goto fail;
		}
		if (r == 0)
			continue;	/* deadline checked above */
		n = recv(v->sock, rep, sizeof(*rep), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n == 0) {
		set_error(e, PVGPU_BACKEND_ERR_WORKER_DIED, 0,
			  "virgl worker exited");
		goto fail;
	}
	if (n != (ssize_t)sizeof(*rep) || rep->magic != PVGPU_VW_MAGIC ||
	    rep->seq != req->seq) {
		set_error(e, PVGPU_BACKEND_ERR_WORKER_DIED, n < 0 ? -errno : 0,
			  "virgl worker: malformed reply (%zd bytes)", n);
		goto fail;
	}
	rep->text[sizeof(rep->text) - 1] = '\0';
	return true;

fail:
	stop_worker(v);
	return false;
}

/* Start a worker and say hello: the worker's GL must be usable. */
static bool start_worker(FwVirgl *v, FwVirglError *e)
{
	struct pvgpu_vw_request req = { .op = PVGPU_VW_OP_HELLO };
	struct pvgpu_vw_reply rep;
	int sv[2];
	gint source_fds[2], target_fds[2] = { PVGPU_VW_FD_SOCKET,
					      PVGPU_VW_FD_SHM };
	char *argv[] = { v->path, NULL };
	GError *gerr = NULL;
	GPid pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		set_error(e, PVGPU_BACKEND_ERR_WORKER_DIED, -errno,
			  "virgl worker: socketpair: %s", g_strerror(errno));
		return false;
	}
	source_fds[0] = sv[1];
	source_fds[1] = v->shm_fd;
	if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv,
					      NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					      NULL, NULL, -1, -1, -1,
					      source_fds, target_fds, 2, &pid,
					      NULL, NULL, NULL, &gerr)) {
		set_error(e, PVGPU_BACKEND_ERR_WORKER_DIED, -ENOEXEC,
			  "virgl worker %s: %s", v->path, gerr->message);
		g_error_free(gerr);
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	close(sv[1]);
	v->sock = sv[0];
	v->pid = pid;
	if (v->started_once)
		v->stats.restarts++;
	v->started_once = true;

	if (!transact(v, &req, &rep, e))
		return false;
	if (rep.status != PVGPU_VW_OK) {
		set_error(e, PVGPU_BACKEND_ERR_INIT, rep.detail,
			  "virgl worker: %s", rep.text);
		stop_worker(v);
		return false;
	}
	g_strlcpy(v->renderer, rep.text, sizeof(v->renderer));
	return true;
}

FwVirgl *fw_virgl_new(const char *path, uint32_t timeout_ms, char **err)
{
	FwVirgl *v = g_new0(FwVirgl, 1);
	FwVirglError e;

	v->path = g_strdup(path);
	v->timeout_ms = timeout_ms;
	v->sock = -1;
	v->shm_fd = memfd_create("pvgpu-virgl-staging", MFD_CLOEXEC);
	if (v->shm_fd < 0 || ftruncate(v->shm_fd, PVGPU_VW_SHM_SIZE) < 0) {
		*err = g_strdup_printf("virgl staging area: %s",
				       g_strerror(errno));
		goto fail;
	}
	v->shm = mmap(NULL, PVGPU_VW_SHM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->shm_fd, 0);
	if (v->shm == MAP_FAILED) {
		v->shm = NULL;
		*err = g_strdup_printf("virgl staging area: mmap: %s",
				       g_strerror(errno));
		goto fail;
	}
	if (!start_worker(v, &e)) {
		*err = g_strdup(e.text);
		goto fail;
	}
	return v;

fail:
	fw_virgl_free(v);
	return NULL;
}

void fw_virgl_free(FwVirgl *v)
{
	if (!v)
		return;
	stop_worker(v);
	if (v->shm)
		munmap(v->shm, PVGPU_VW_SHM_SIZE);
	if (v->shm_fd >= 0)
		close(v->shm_fd);
	g_free(v->path);
	g_free(v);
}

const char *fw_virgl_renderer(const FwVirgl *v)
{
	return v->renderer;
}

void *fw_virgl_staging(FwVirgl *v, FwVirglError *e)
{
	if (v->sock < 0 && !start_worker(v, e))
		return NULL;
	return v->shm;
}

bool fw_virgl_dispatch(FwVirgl *v, struct pvgpu_vw_request *req,
		       FwVirglError *e)
{
	struct pvgpu_vw_reply rep;

	req->op = PVGPU_VW_OP_DISPATCH;
	v->stats.requests++;
	if ((v->sock < 0 && !start_worker(v, e)) ||
	    !transact(v, req, &rep, e)) {
		v->stats.failures++;
		return false;
	}
	v->stats.gpu_ns += rep.gpu_ns;
	if (rep.status == PVGPU_VW_OK)
		return true;
	v->stats.failures++;
	switch (rep.status) {
	case PVGPU_VW_ERR_GL:
		set_error(e, PVGPU_BACKEND_ERR_GL, rep.detail,
			  "virglrenderer: %s", rep.text);
		break;
	case PVGPU_VW_ERR_INIT:
		set_error(e, PVGPU_BACKEND_ERR_INIT, rep.detail,
			  "virgl worker: %s", rep.text);
		break;
	default:
		/* The firmware checked the request: the two sides disagree. */
		set_error(e, PVGPU_BACKEND_ERR_PROTOCOL, (int32_t)rep.status,
			  "virgl worker refused a request: %s", rep.text);
		stop_worker(v);
		break;
	}
	return false;
}

bool fw_virgl_inject(FwVirgl *v, uint32_t op)
{
	struct pvgpu_vw_request req = { .op = op };
	FwVirglError e;
	ssize_t n;

	if (v->sock < 0 && !start_worker(v, &e))
		return false;
	if (op == PVGPU_VW_OP_INJECT_HANG) {
		/* It will not answer this one: the next dispatch times out. */
		req.magic = PVGPU_VW_MAGIC;
		req.seq = ++v->seq;
		n = send(v->sock, &req, sizeof(req), MSG_NOSIGNAL);
		return n == (ssize_t)sizeof(req);
	}
	{
		struct pvgpu_vw_reply rep;

		return transact(v, &req, &rep, &e) &&
		       rep.status == PVGPU_VW_OK;
	}
}

int fw_virgl_worker_pid(const FwVirgl *v)
{
	return v->pid;
}

void fw_virgl_stats(const FwVirgl *v, FwVirglStats *out)
{
	*out = v->stats;
}

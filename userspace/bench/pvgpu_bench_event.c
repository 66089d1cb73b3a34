// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_event: how fast a waiting thread hears of a completed job,
 * through pvgpu's event records against DRM's syncobj eventfd, in one run.
 *
 * Latency, in microseconds, from just before the EXEC of a no-op job
 * (num_batch 0, or an empty batch with -B 1) to a reader thread, already
 * blocked, holding the notification:
 *
 *   event     the reader is blocked in DRM_IOCTL_PVGPU_WAIT_EVENT (an EOP
 *             subscription) and returns with the job's EOP record.
 *   syncobj   the reader is blocked in read() on an eventfd registered
 *             with DRM_IOCTL_SYNCOBJ_EVENTFD on the job's out-syncobj
 *             (binary: point 0, flags 0, registered while the syncobj has
 *             no fence; the kernel arms it when EXEC installs the job's).
 *
 * Throughput: -j jobs back to back on one queue; a reader thread drains
 * WAIT_EVENT in batches of 64 until it has the record of the last job's
 * completion count, against a reader summing one eventfd that every job's
 * syncobj is registered with until it has counted every job. Jobs per
 * second from the first submission to the reader's last notification.
 *
 * A benchmark prints figures; it asserts nothing about them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_gpu.h"
#include "pvgpu_stats.h"

#define EXIT_NO_DEVICE	77
#define WAIT_NS		(10 * 1000000000ll)	/* a notification that never comes */
#define DRAIN_BATCH	64

/* Older drm.h headers lack it (DRM core, Linux 6.6). */
#ifndef DRM_IOCTL_SYNCOBJ_EVENTFD
struct drm_syncobj_eventfd {
	__u32 handle;
	__u32 flags;
	__u64 point;
	__s32 fd;
	__u32 pad;
};
#define DRM_IOCTL_SYNCOBJ_EVENTFD DRM_IOWR(0xCF, struct drm_syncobj_eventfd)
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "pvgpu_bench_event: %s: %s\n", what,
			strerror(ret < 0 ? -ret : ret));
		exit(1);
	}
}

static int raw(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

struct bench {
	int fd;
	struct pvgpu_ctx ctx;
	uint64_t batch_va;	/* 0: ordering point (num_batch 0) */
	uint64_t completed;	/* the queue's jobs submitted so far */
	int efd;		/* the syncobj path's eventfd */

	/* Handshake with the reader thread. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;		/* reader is about to block */
	int done;		/* reader has the notification */
	int quit;
	int mode;		/* 0: event, 1: syncobj eventfd */
	uint64_t want;		/* event: the completion count awaited */
	uint64_t t_seen;
	int error;
};

/* EXEC of the no-op job, retried while the queue is full. */
static void submit(struct bench *b, const struct drm_pvgpu_sync *syncs,
		   uint32_t num_syncs)
{
	int ret;

	do {
		ret = pvgpu_exec(b->fd, b->ctx.queue_id, b->batch_va, syncs,
				 num_syncs);
		if (ret == -EWOULDBLOCK)
			sched_yield();
	} while (ret == -EWOULDBLOCK || ret == -EINTR);
	check(ret, "EXEC");
	b->completed++;
}

/*
 * Waits for an EOP record of queue @q with data[0] >= @want; 0 or -errno.
 * With @lost_total, records lost are added up, and the queue's own count
 * ends the wait when the awaited record was among them.
 */
static int wait_eop(int fd, uint32_t q, uint64_t want, uint64_t *lost_total)
{
	struct drm_pvgpu_event r[DRAIN_BATCH];

	for (;;) {
		struct drm_pvgpu_wait_event w = {
			.records = (uintptr_t)r, .num_records = DRAIN_BATCH,
			.timeout = WAIT_NS,
		};
		int ret = raw(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w);

		if (ret == -EINTR)
			continue;
		if (ret)
			return ret;
		if (lost_total)
			*lost_total += w.lost;
		for (uint32_t i = 0; i < w.num_records; i++)
			if (r[i].type == DRM_PVGPU_EVENT_QUEUE_EOP &&
			    r[i].queue_id == q && r[i].data[0] >= want)
				return 0;
		if (w.lost && lost_total) {
			/* The awaited record may be among the lost ones. */
			struct drm_pvgpu_queue_get_state s;

			if (!pvgpu_queue_get_state(fd, q, &s) &&
			    s.jobs_completed >= want)
				return 0;
		}
	}
}

/* Reads the eventfd until it has counted @want; 0 or -errno. */
static int wait_eventfd(int efd, uint64_t want)
{
	uint64_t seen = 0, v;

	while (seen < want) {
		ssize_t n = read(efd, &v, sizeof(v));

		if (n != sizeof(v)) {
			if (n < 0 && errno == EINTR)
				continue;
			return n < 0 ? -errno : -EIO;
		}
		seen += v;
	}
	return 0;
}

static void *reader(void *arg)
{
	struct bench *b = arg;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		int ret;

		while (!b->ready && !b->quit)
			pthread_cond_wait(&b->cond, &b->lock);
		if (b->quit)
			break;
		pthread_mutex_unlock(&b->lock);
		ret = b->mode ? wait_eventfd(b->efd, 1) :
				wait_eop(b->fd, b->ctx.queue_id, b->want, NULL);
		pthread_mutex_lock(&b->lock);
		b->t_seen = now_ns();
		b->error = ret;
		b->ready = 0;
		b->done = 1;
		pthread_cond_broadcast(&b->cond);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* One latency sample of @mode, in microseconds. */
static double sample(struct bench *b, int mode)
{
	struct drm_pvgpu_sync out;
	uint64_t t0;
	uint32_t so;

	check(pvgpu_syncobj_create(b->fd, 0, &so), "SYNCOBJ_CREATE");
	if (mode) {
		struct drm_syncobj_eventfd e = {
			.handle = so, .flags = 0, .point = 0, .fd = b->efd,
		};

		check(raw(b->fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &e),
		      "SYNCOBJ_EVENTFD");
	}
	pthread_mutex_lock(&b->lock);
	b->mode = mode;
	b->want = b->completed + 1;
	b->done = 0;
	b->ready = 1;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	/* Let the reader reach its blocking call. */
	usleep(200);

	out = pvgpu_sync_syncobj(so, 1);
	t0 = now_ns();
	submit(b, &out, 1);
	pthread_mutex_lock(&b->lock);
	while (!b->done)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	check(b->error, mode ? "eventfd read" : "WAIT_EVENT");
	check(pvgpu_syncobj_wait(b->fd, so, 0, WAIT_NS), "SYNCOBJ_WAIT");
	pvgpu_syncobj_destroy(b->fd, so);
	return (double)(b->t_seen - t0) / 1000.0;
}

struct drain {
	struct bench *b;
	int mode;
	uint64_t want;
	uint64_t lost;
	uint64_t t_seen;
	int error;
};

static void *drainer(void *arg)
{
	struct drain *d = arg;

	d->error = d->mode ? wait_eventfd(d->b->efd, d->want) :
			     wait_eop(d->b->fd, d->b->ctx.queue_id, d->want,
				      &d->lost);
	d->t_seen = now_ns();
	return NULL;
}

/* @jobs back to back, a reader draining; jobs per second. */
static double throughput(struct bench *b, int mode, long jobs,
			 uint64_t *lost)
{
	struct drain d = { .b = b, .mode = mode };
	uint32_t *so = NULL;
	pthread_t t;
	uint64_t t0;

	if (mode) {
		so = calloc(jobs, sizeof(*so));
		if (!so)
			check(-ENOMEM, "calloc");
		for (long i = 0; i < jobs; i++) {
			struct drm_syncobj_eventfd e = { .fd = b->efd };

			check(pvgpu_syncobj_create(b->fd, 0, &so[i]),
			      "SYNCOBJ_CREATE");
			e.handle = so[i];
			check(raw(b->fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &e),
			      "SYNCOBJ_EVENTFD");
		}
		d.want = jobs;
	} else {
		d.want = b->completed + jobs;
	}
	check(-pthread_create(&t, NULL, drainer, &d), "pthread_create");
	usleep(1000);
	t0 = now_ns();
	for (long i = 0; i < jobs; i++) {
		struct drm_pvgpu_sync out;

		if (mode) {
			out = pvgpu_sync_syncobj(so[i], 1);
			submit(b, &out, 1);
		} else {
			submit(b, NULL, 0);
		}
	}
	pthread_join(t, NULL);
	check(d.error, mode ? "eventfd read" : "WAIT_EVENT");
	if (so) {
		for (long i = 0; i < jobs; i++)
			pvgpu_syncobj_destroy(b->fd, so[i]);
		free(so);
	}
	if (lost)
		*lost = d.lost;
	return (double)jobs * 1e9 / (double)(d.t_seen - t0);
}

static void print_row(const char *name, const struct pvgpu_stats *s)
{
	printf("%-10s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", name, s->median,
	       s->p10, s->p90, s->p99, s->min, s->max);
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-n N] [-j JOBS] [-B 0|1] [-d NODE] [--json FILE]\n"
		"  -n N     latency samples per path (default 1000)\n"
		"  -j JOBS  jobs for the throughput runs (default 20000)\n"
		"  -B 1     an empty batch per job instead of num_batch 0\n"
		"  -d NODE  DRM node (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

int main(int argc, char **argv)
{
	long n = 1000, jobs = 20000, use_batch = 0;
	const char *node = NULL, *json_path = NULL;
	struct pvgpu_bench_json *json;
	struct pvgpu_stats se, ss;
	double *lat_ev, *lat_so, tp_ev, tp_so;
	uint64_t lost = 0;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'n', .value = &n },
		{ .letter = 'j', .value = &jobs },
		{ .letter = 'B', .value = &use_batch },
		{ .name = "json", .str = &json_path },
	};
	static struct bench b;
	struct drm_pvgpu_event_subscribe sub = {
		.type_mask = DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_QUEUE_EOP),
	};
	pthread_t t;
	char path[256];
	int fd, sub_efd;

	fd = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			      &node, usage);
	if (fd >= 0)
		return fd;
	if (n < 1 || jobs < 1 || use_batch < 0 || use_batch > 1) {
		usage(argv[0], stderr);
		return 2;
	}
	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_event");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(json, "device", path);
	pvgpu_bench_json_cond_str(json, "job", use_batch ? "empty batch" :
				  "num_batch 0");

	b.fd = fd;
	check(pvgpu_ctx_init(&b.ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY),
	      "context");
	if (use_batch) {
		struct pvgpu_batch bb;

		pvgpu_batch_reset(&bb);
		pvgpu_batch_end(&bb);
		memcpy(b.ctx.batch_map, bb.dw, bb.len * 4);
		b.batch_va = PVGPU_CTX_BATCH_VA;
	}
	b.efd = eventfd(0, EFD_CLOEXEC);
	sub_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b.efd < 0 || sub_efd < 0)
		check(-errno, "eventfd");
	/* The subscription's eventfd is not read: only WAIT_EVENT is timed. */
	sub.eventfd = sub_efd;
	check(raw(fd, DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE, &sub), "EVENT_SUBSCRIBE");
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	check(-pthread_create(&t, NULL, reader, &b), "pthread_create");

	lat_ev = calloc(n, sizeof(double));
	lat_so = calloc(n, sizeof(double));
	if (!lat_ev || !lat_so)
		check(-ENOMEM, "calloc");
	/* Interleaved, so that drift affects both alike. */
	for (long i = 0; i < n; i++) {
		lat_ev[i] = sample(&b, 0);
		lat_so[i] = sample(&b, 1);
	}
	pthread_mutex_lock(&b.lock);
	b.quit = 1;
	pthread_cond_broadcast(&b.cond);
	pthread_mutex_unlock(&b.lock);
	pthread_join(t, NULL);

	/* Both paths' records and counts start from empty. */
	{
		struct drm_pvgpu_event r[DRAIN_BATCH];
		struct drm_pvgpu_wait_event w;

		do {
			w = (struct drm_pvgpu_wait_event){
				.records = (uintptr_t)r,
				.num_records = DRAIN_BATCH,
			};
		} while (!raw(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w));
	}
	tp_ev = throughput(&b, 0, jobs, &lost);
	tp_so = throughput(&b, 1, jobs, NULL);

	se = pvgpu_stats_compute(lat_ev, n);
	ss = pvgpu_stats_compute(lat_so, n);
	printf("pvgpu_bench_event on %s: %ld samples, EXEC (%s) to the blocked reader's notification\n",
	       path, n, use_batch ? "empty batch" : "num_batch 0");
	printf("%-10s %9s %9s %9s %9s %9s %9s   (us)\n", "", "median", "p10",
	       "p90", "p99", "min", "max");
	print_row("event", &se);
	print_row("syncobj", &ss);
	pvgpu_bench_json_figure(json, "event_wait_latency", "WAIT_EVENT", "us",
				n, &se);
	pvgpu_bench_json_figure(json, "event_syncobj_eventfd_latency",
				"syncobj eventfd", "us", n, &ss);
	printf("ratio event/syncobj-eventfd %.2f (medians)\n",
	       se.median / ss.median);
	pvgpu_bench_json_value(json, "event_per_syncobj_eventfd",
			       "latency ratio event/syncobj eventfd (medians)",
			       "ratio", se.median / ss.median);
	printf("throughput (%ld jobs): WAIT_EVENT %.0f jobs/s (%llu records lost), syncobj eventfd %.0f jobs/s; ratio %.2f\n",
	       jobs, tp_ev, (unsigned long long)lost, tp_so, tp_ev / tp_so);
	pvgpu_bench_json_value(json, "event_jobs_per_s",
			       "jobs/s notified by WAIT_EVENT", "jobs/s", tp_ev);
	pvgpu_bench_json_value(json, "event_syncobj_eventfd_jobs_per_s",
			       "jobs/s notified by syncobj eventfds", "jobs/s",
			       tp_so);
	pvgpu_bench_json_value(json, "event_per_syncobj_eventfd_jobs",
			       "throughput ratio event/syncobj eventfd",
			       "ratio", tp_ev / tp_so);
	pvgpu_bench_json_value(json, "event_records_lost",
			       "records lost in the WAIT_EVENT throughput run",
			       "records", (double)lost);

	free(lat_ev);
	free(lat_so);
	close(sub_efd);
	close(b.efd);
	pvgpu_ctx_fini(&b.ctx);
	close(fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}

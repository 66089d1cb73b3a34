// SPDX-License-Identifier: MIT
/*
 * pvgpu_fw_timeout: a firmware that does not answer gives an error, not a
 * hang, and the channel recovers from it.
 *
 * The driver's debugfs test hook inject_drop_doorbells skips the next N H2F
 * doorbell writes (docs/driver.rst). A request whose doorbell is skipped is
 * on the ring, but the firmware is never told: it runs only when a doorbell
 * or a register write kicks it. With the fw_timeout_ms module parameter
 * shortened, the ping fails with -ETIMEDOUT, as docs/uapi.rst promises.
 *
 * This is deterministic. At the deadline the driver first looks for a lost
 * interrupt by polling the F2H ring itself; with the doorbell dropped there
 * is nothing to find (the firmware never saw the request), so the request
 * always times out, and fw_channel's "polled" does not move. The request
 * stays on the ring; the next ping's doorbell makes the firmware serve both.
 * The first response then arrives for nobody: counted as an orphan and
 * dropped, never taken as the answer to the second ping. Nothing else rings
 * the doorbell meanwhile: igt_runner runs one test at a time and the driver
 * sends requests only for ioctls.
 *
 * The module parameter and the hook are put back by an exit handler, also
 * when a subtest fails. The driver's "firmware request N (opcode 0x..)
 * timed out" warnings are expected here and marked as such for igt_runner.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt_lite.h"
#include "libpvgpu.h"

#define PARAM_FW_TIMEOUT	"/sys/module/" PVGPU_DRIVER_NAME "/parameters/fw_timeout_ms"
#define SHORT_TIMEOUT_MS	200
#define SHORT_TIMEOUT		"200"	/* SHORT_TIMEOUT_MS for sysfs */
#define PATTERN64		0xa5a5a5a5a5a5a5a5ull

static char knob_path[PATH_MAX + 32];	/* .../inject_drop_doorbells */
static char channel_path[PATH_MAX + 32];	/* .../fw_channel */
static char saved_timeout[32];		/* fw_timeout_ms as it was */

/* ---- helpers ---------------------------------------------------------- */

static int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static void set_fw_timeout(const char *ms)
{
	int ret = igt_sysfs_write(PARAM_FW_TIMEOUT, ms);

	igt_assert_f(ret == 0, "fw_timeout_ms=%s: %s\n", ms, igt_errname(ret));
}

static void set_drop_doorbells(int n)
{
	char val[16];
	int ret;

	snprintf(val, sizeof(val), "%d", n);
	ret = igt_sysfs_write(knob_path, val);
	igt_assert_f(ret == 0, "inject_drop_doorbells=%d: %s\n", n, igt_errname(ret));
}

static int drop_doorbells(void)
{
	char val[32];

	igt_assert_f(igt_sysfs_read(knob_path, val, sizeof(val)), "cannot read %s\n", knob_path);
	return atoi(val);
}

struct channel_stats {
	uint64_t requests, responses, timeouts, orphans, polled, skipped, failed, pending;
};

/* Reads "key: value" counters from fw_channel. */
static void read_channel(struct channel_stats *s)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "requests", offsetof(struct channel_stats, requests) },
		{ "responses", offsetof(struct channel_stats, responses) },
		{ "timeouts", offsetof(struct channel_stats, timeouts) },
		{ "orphans", offsetof(struct channel_stats, orphans) },
		{ "polled", offsetof(struct channel_stats, polled) },
		{ "skipped", offsetof(struct channel_stats, skipped) },
		{ "failed", offsetof(struct channel_stats, failed) },
		{ "pending", offsetof(struct channel_stats, pending) },
	};
	unsigned int found = 0;
	char line[256];
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(channel_path, "r");
	igt_assert_f(f, "cannot open %s\n", channel_path);
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i].key);

			if (!strncmp(line, keys[i].key, n) && line[n] == ':') {
				*(uint64_t *)((char *)s + keys[i].off) =
					strtoull(line + n + 1, NULL, 10);
				found |= 1u << i;
			}
		}
	}
	fclose(f);
	igt_assert_f(found == (1u << (sizeof(keys) / sizeof(keys[0]))) - 1,
		     "fw_channel lacks some counters (found mask %#x)\n", found);
}

static void ping_ok(int fd, uint64_t cookie)
{
	struct drm_pvgpu_fw_ping p = { .cookie = cookie };
	int ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p);

	igt_assert_f(ret == 0, "ping with cookie %#llx: %s\n", (unsigned long long)cookie,
		     igt_errname(ret));
	igt_assert_f(p.cookie == cookie, "ping with cookie %#llx answered with %#llx\n",
		     (unsigned long long)cookie, (unsigned long long)p.cookie);
	igt_assert_f(p.rtt_ns > 0, "rtt_ns is 0\n");
}

/*
 * A ping whose doorbell is dropped: -ETIMEDOUT after at least the timeout,
 * and, as for every failing ioctl, the argument struct unchanged.
 */
static void ping_times_out(int fd, uint64_t cookie)
{
	struct drm_pvgpu_fw_ping p = {
		.cookie = cookie, .rtt_ns = PATTERN64, .fw_timestamp_ns = PATTERN64,
	};
	uint64_t t0 = igt_nsec_now(), ms;
	int ret;

	ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p);
	ms = (igt_nsec_now() - t0) / 1000000;
	igt_info("ping %#llx: %s after %llu ms\n", (unsigned long long)cookie, igt_errname(ret),
		 (unsigned long long)ms);
	igt_assert_err(ret, -ETIMEDOUT);
	/* The deadline is in jiffies: allow one tick (10 ms at HZ=100) early. */
	igt_assert_f(ms + 10 >= SHORT_TIMEOUT_MS, "timed out after %llu ms, timeout %d ms\n",
		     (unsigned long long)ms, SHORT_TIMEOUT_MS);
	igt_assert_eq_u64(p.cookie, cookie);
	igt_assert_eq_u64(p.rtt_ns, PATTERN64);
	igt_assert_eq_u64(p.fw_timestamp_ns, PATTERN64);
}

/* ---- setup and cleanup ------------------------------------------------ */

static void restore(int sig)
{
	int ret;

	(void)sig;
	ret = igt_sysfs_write(knob_path, "0");
	if (ret)
		igt_warn("restore: inject_drop_doorbells=0: %s\n", igt_errname(ret));
	ret = igt_sysfs_write(PARAM_FW_TIMEOUT, saved_timeout);
	if (ret)
		igt_warn("restore: fw_timeout_ms=%s: %s\n", saved_timeout, igt_errname(ret));
}

/* Opens the render node; skips without a device, root or the test hook. */
static int setup(void)
{
	char dir[PATH_MAX];
	int fd;

	fd = igt_open_pvgpu_render(NULL, 0);
	igt_require_f(geteuid() == 0, "debugfs and module parameters need root\n");
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(knob_path, sizeof(knob_path), "%s/inject_drop_doorbells", dir);
	snprintf(channel_path, sizeof(channel_path), "%s/fw_channel", dir);
	igt_require_f(access(knob_path, W_OK) == 0,
		      "no writable %s: driver without the test hook\n", knob_path);
	igt_require_f(access(PARAM_FW_TIMEOUT, W_OK) == 0, "%s not writable\n",
		      PARAM_FW_TIMEOUT);
	igt_assert(igt_sysfs_read(PARAM_FW_TIMEOUT, saved_timeout, sizeof(saved_timeout)));
	igt_assert_f(atoi(saved_timeout) > SHORT_TIMEOUT_MS, "fw_timeout_ms is already %s\n",
		     saved_timeout);
	igt_install_exit_handler(restore);

	igt_emit_ignore_dmesg_regex("firmware request [0-9]+ [(]opcode 0x[0-9a-f]+[)] timed out");
	igt_assert_eq(drop_doorbells(), 0);
	ping_ok(fd, 0x5eed);	/* nothing left in flight from before */
	return fd;
}

/* ---- subtests --------------------------------------------------------- */

static void test_ping_timeout(void)
{
	struct channel_stats a, b, c;
	int fd = setup();

	read_channel(&a);
	igt_assert_eq_u64(a.pending, 0);

	set_fw_timeout(SHORT_TIMEOUT);
	set_drop_doorbells(1);
	igt_assert_eq(drop_doorbells(), 1);
	ping_times_out(fd, 0x7100);
	igt_assert_eq(drop_doorbells(), 0);	/* counted down */

	read_channel(&b);
	igt_assert_eq_u64(b.timeouts, a.timeouts + 1);
	igt_assert_eq_u64(b.requests, a.requests + 1);
	igt_assert_eq_u64(b.responses, a.responses);
	igt_assert_eq_u64(b.orphans, a.orphans);	/* the firmware never saw it */
	igt_assert_eq_u64(b.polled, a.polled);		/* the poll found nothing */
	igt_assert_eq_u64(b.pending, 0);

	/* Its doorbell makes the firmware serve both; the first is an orphan. */
	set_fw_timeout(saved_timeout);
	ping_ok(fd, 0x7101);

	read_channel(&c);
	igt_info("fw_channel: timeouts %llu, orphans %llu, polled %llu\n",
		 (unsigned long long)c.timeouts, (unsigned long long)c.orphans,
		 (unsigned long long)c.polled);
	igt_assert_eq_u64(c.requests, a.requests + 2);
	igt_assert_eq_u64(c.responses, a.responses + 1);
	igt_assert_eq_u64(c.orphans, a.orphans + 1);
	igt_assert_eq_u64(c.timeouts, a.timeouts + 1);
	igt_assert_eq_u64(c.skipped, a.skipped);
	igt_assert_eq_u64(c.failed, a.failed);
	igt_assert_eq_u64(c.pending, 0);
	igt_assert_lte_u64(1, c.timeouts);
	igt_assert_lte_u64(1, c.orphans);

	for (int i = 0; i < 10; i++)
		ping_ok(fd, 0x7200 + i);
	close(fd);
}

static void test_timeout_then_many(void)
{
	enum { DROPPED = 3, PINGS = 1000 };
	struct channel_stats a, b;
	int fd = setup();

	read_channel(&a);
	set_fw_timeout(SHORT_TIMEOUT);
	set_drop_doorbells(DROPPED);
	for (int i = 0; i < DROPPED; i++)
		ping_times_out(fd, 0x8000 + i);
	igt_assert_eq(drop_doorbells(), 0);
	set_fw_timeout(saved_timeout);

	/* The first one's doorbell brings the three late responses: orphans. */
	for (uint64_t i = 0; i < PINGS; i++)
		ping_ok(fd, 0x9e3779b97f4a7c15ull * (i + 1));

	read_channel(&b);
	igt_assert_eq_u64(b.timeouts, a.timeouts + DROPPED);
	igt_assert_eq_u64(b.orphans, a.orphans + DROPPED);
	igt_assert_eq_u64(b.requests, a.requests + DROPPED + PINGS);
	igt_assert_eq_u64(b.responses, a.responses + PINGS);
	igt_assert_eq_u64(b.skipped, a.skipped);
	igt_assert_eq_u64(b.failed, a.failed);
	igt_assert_eq_u64(b.pending, 0);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "ping-timeout", test_ping_timeout,
	  "fw_timeout_ms=200 and one dropped doorbell: the ping fails with -ETIMEDOUT; the next ping succeeds and the late response is counted as an orphan" },
	{ "timeout-then-many", test_timeout_then_many,
	  "after three timed-out pings, 1000 pings all succeed with their own cookies" },
};

IGT_LITE_MAIN("pvgpu: firmware requests time out instead of hanging", subtests)

// SPDX-License-Identifier: MIT
/*
 * pvgpu_fw_timeout: a firmware that does not answer gives an error, not a
 * hang, and the channel recovers from it.
 *
 * The driver's fault-injection hook fail_h2f_doorbell (a fault_attr in its
 * debugfs directory; docs/driver.rst), set to fail the next N calls, skips
 * the next N H2F doorbell writes. A request whose doorbell is skipped is
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
 * The hook inject_stall_opcode makes the next request with one opcode find
 * the channel busy until its timeout, so that it is never sent. For a
 * state-changing request the driver then no longer knows what the firmware
 * reaches: the TLB invalidation after a queue's ring is unmapped, or the
 * AS_UNBIND of a destroyed VM, must stop the device (reset the firmware,
 * block its DMA) before the ring pages or the page tables are freed. The
 * subtests turn device recovery off (reset_recovery=0, else the device
 * resets and recovers: pvgpu_reset tests that), check that the device is
 * stopped, then rebind it.
 *
 * The module parameter and the hooks are put back by exit handlers, also
 * when a subtest fails. Without fail_h2f_doorbell (a kernel without
 * CONFIG_FAULT_INJECTION_DEBUG_FS) the doorbell subtests skip. The driver's "firmware request N (opcode 0x..)
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
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_fwif.h"
#include "pvgpu_gpu.h"

#define PARAM_FW_TIMEOUT	"/sys/module/" PVGPU_DRIVER_NAME "/parameters/fw_timeout_ms"
#define SHORT_TIMEOUT_MS	200
#define SHORT_TIMEOUT		"200"	/* SHORT_TIMEOUT_MS for sysfs */
#define PATTERN64		0xa5a5a5a5a5a5a5a5ull

#define DRIVER_DIR		"/sys/bus/pci/drivers/" PVGPU_DRIVER_NAME

#define FAIL_DOORBELL		"fail_h2f_doorbell"	/* fault_attr hook */

static char stall_path[PATH_MAX + 32];	/* .../inject_stall_opcode */
static char pci_slot[64];		/* the device, for a rebind */
static char channel_path[PATH_MAX + 32];	/* .../fw_channel */
static char saved_timeout[32];		/* fw_timeout_ms as it was */

/* ---- helpers ---------------------------------------------------------- */

static void set_fw_timeout(const char *ms)
{
	int ret = igt_sysfs_write(PARAM_FW_TIMEOUT, ms);

	igt_assert_f(ret == 0, "fw_timeout_ms=%s: %s\n", ms, igt_errname(ret));
}

/* The next @n H2F doorbell writes are dropped. */
static void set_drop_doorbells(int n)
{
	igt_pvgpu_fault_inject(FAIL_DOORBELL, n);
}

/* Doorbell writes still to drop. */
static int drop_doorbells(void)
{
	return igt_pvgpu_fault_times(FAIL_DOORBELL);
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
	if (stall_path[0] && !access(stall_path, W_OK))
		igt_sysfs_write(stall_path, "0");
	ret = igt_sysfs_write(PARAM_FW_TIMEOUT, saved_timeout);
	if (ret)
		igt_warn("restore: fw_timeout_ms=%s: %s\n", saved_timeout, igt_errname(ret));
}

/* The device's debugfs files; a rebound device may have a new directory. */
static void find_debugfs_files(void)
{
	char dir[PATH_MAX];

	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(stall_path, sizeof(stall_path), "%s/inject_stall_opcode", dir);
	snprintf(channel_path, sizeof(channel_path), "%s/fw_channel", dir);
}

/*
 * Opens the render node; skips without a device or root, and, when
 * @need_hook, without the fault-injection hook fail_h2f_doorbell.
 */
static int setup(bool need_hook)
{
	int fd;

	fd = igt_open_pvgpu_render(NULL, 0);
	igt_require_f(geteuid() == 0, "debugfs and module parameters need root\n");
	find_debugfs_files();
	if (need_hook)
		igt_pvgpu_fault_require(FAIL_DOORBELL);
	igt_require_f(access(PARAM_FW_TIMEOUT, W_OK) == 0, "%s not writable\n",
		      PARAM_FW_TIMEOUT);
	igt_assert(igt_sysfs_read(PARAM_FW_TIMEOUT, saved_timeout, sizeof(saved_timeout)));
	igt_assert_f(atoi(saved_timeout) > SHORT_TIMEOUT_MS, "fw_timeout_ms is already %s\n",
		     saved_timeout);
	igt_install_exit_handler(restore);

	igt_emit_ignore_dmesg_regex("firmware request [0-9]+ [(]opcode 0x[0-9a-f]+[)] timed out");
	ping_ok(fd, 0x5eed);	/* nothing left in flight from before */
	return fd;
}

/* ---- subtests --------------------------------------------------------- */

static void test_ping_timeout(void)
{
	struct channel_stats a, b, c;
	int fd = setup(true);

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
	int fd = setup(true);

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

/* ---- state-changing requests that are never sent ----------------------- */

/* The channel's state as fw_channel prints it ("up", "dead", ...). */
static void channel_state(char *out, size_t len)
{
	char line[256];
	FILE *f = fopen(channel_path, "r");

	igt_assert_f(f, "cannot open %s\n", channel_path);
	out[0] = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "state: %31s", out) == 1)
			break;
	fclose(f);
	igt_assert_f(out[0], "no state in %s\n", channel_path);
	(void)len;
}

/* Waits up to @ms for the device to be stopped; whether it was. */
static bool wait_device_stopped(int fd, unsigned int ms)
{
	char state[32];

	for (unsigned int t = 0; t <= ms; t += 20) {
		struct drm_pvgpu_fw_ping p = { .cookie = 1 };

		channel_state(state, sizeof(state));
		if (strcmp(state, "up") &&
		    raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p) == -ENODEV)
			return true;
		usleep(20 * 1000);
	}
	igt_info("channel state after %u ms: %s\n", ms, state);
	return false;
}

static void rebind(int sig)
{
	char path[PATH_MAX];

	(void)sig;
	if (!pci_slot[0])
		return;
	snprintf(path, sizeof(path), DRIVER_DIR "/%s", pci_slot);
	if (!access(path, F_OK))
		igt_sysfs_write(DRIVER_DIR "/unbind", pci_slot);
	igt_sysfs_write(DRIVER_DIR "/bind", pci_slot);
}

/* Setup for a subtest that stops the device: it is rebound afterwards. */
static int setup_stall(void)
{
	char node[256], link[PATH_MAX], target[PATH_MAX];
	int fd = setup(false), probe;
	ssize_t n;

	igt_require_f(access(stall_path, W_OK) == 0,
		      "no writable %s: driver without the test hook\n", stall_path);
	probe = igt_open_pvgpu_render(node, sizeof(node));
	close(probe);
	snprintf(link, sizeof(link), "/sys/class/drm/%s/device", strrchr(node, '/') + 1);
	n = readlink(link, target, sizeof(target) - 1);
	igt_require_f(n > 0, "no %s\n", link);
	target[n] = 0;
	snprintf(pci_slot, sizeof(pci_slot), "%s", strrchr(target, '/') + 1);
	igt_require(access(DRIVER_DIR "/unbind", W_OK) == 0);
	igt_install_exit_handler(rebind);
	igt_emit_ignore_dmesg_regex("timed out|not sent within|wedged|failed");
	/* The stop itself is checked: no device reset recovers from it. */
	igt_pvgpu_param_set("reset_recovery", 0);
	return fd;
}

static void set_stall(unsigned int opcode)
{
	char val[16];
	int ret;

	snprintf(val, sizeof(val), "%u", opcode + 1);
	ret = igt_sysfs_write(stall_path, val);
	igt_assert_f(ret == 0, "inject_stall_opcode=%s: %s\n", val, igt_errname(ret));
}

/* After the device was stopped: rebind, and the new device works. */
static void rebind_and_check(void)
{
	int fd;

	igt_assert_err(igt_sysfs_write(DRIVER_DIR "/unbind", pci_slot), 0);
	igt_assert_err(igt_sysfs_write(DRIVER_DIR "/bind", pci_slot), 0);
	pci_slot[0] = 0;
	fd = igt_open_pvgpu_render(NULL, 0);
	find_debugfs_files();
	ping_ok(fd, 0xb01d);
	close(fd);
}

/*
 * An UNMAP's TLB invalidation is never sent: the firmware may still hold
 * the translation of the unmapped buffer (another queue of the VM, still
 * running, could write through it). The buffer's pages may be freed only
 * once the device is stopped, so the device must be stopped.
 */
static void test_unsent_tlb_invalidate(void)
{
	int fd = setup_stall(), vfd = igt_open_pvgpu_render(NULL, 0);
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t bo;
	int ret;

	igt_assert_eq(pvgpu_ctx_init(&ctx, vfd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_bo_create(vfd, 0x10000, 0, &bo), 0);
	igt_assert_eq(pvgpu_bind_map(vfd, ctx.vm_id, bo, 0, 0x200000, 0x10000,
				     0), 0);
	/* The queue runs through the mapping, so the TLB holds it. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, 0x200000, 1);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5000000000ll), 0);

	set_fw_timeout(SHORT_TIMEOUT);
	set_stall(PVGPU_H2F_TLB_INVALIDATE);
	/* Unmap and drop the buffer: only the device's stop may free it. */
	ret = pvgpu_bind_unmap(vfd, ctx.vm_id, 0x200000, 0x10000);
	igt_info("UNMAP with its invalidation stalled: %d\n", ret);
	pvgpu_gem_close(vfd, bo);
	igt_assert_f(wait_device_stopped(fd, 10000),
		     "an unsent TLB invalidation left the device running\n");
	set_fw_timeout(saved_timeout);
	close(vfd);
	close(fd);
	rebind_and_check();
}

/*
 * A VM's AS_UNBIND is never sent: the address space stays bound in the
 * firmware while the driver frees its page tables, unless the device is
 * stopped first.
 */
static void test_unsent_as_unbind(void)
{
	int fd = setup_stall(), vfd = igt_open_pvgpu_render(NULL, 0);
	uint32_t vm, bo;

	igt_assert_err(pvgpu_vm_create(vfd, 0, &vm), 0);
	igt_assert_err(pvgpu_bo_create(vfd, 0x10000, 0, &bo), 0);
	igt_assert_err(pvgpu_bind_map(vfd, vm, bo, 0, 0x200000, 0x10000, 0), 0);

	set_fw_timeout(SHORT_TIMEOUT);
	set_stall(PVGPU_H2F_AS_UNBIND);
	igt_assert_err(pvgpu_vm_destroy(vfd, vm), 0);
	igt_assert_f(wait_device_stopped(fd, 10000),
		     "an unsent AS_UNBIND left the device running\n");
	set_fw_timeout(saved_timeout);
	close(vfd);
	close(fd);
	rebind_and_check();
}

/*
 * Control: a stalled request that changes nothing (a ping) only fails; the
 * device keeps running.
 */
static void test_unsent_ping(void)
{
	int fd = setup_stall();
	struct drm_pvgpu_fw_ping p = { .cookie = 0x51a1 };
	char state[32];

	set_fw_timeout(SHORT_TIMEOUT);
	set_stall(PVGPU_H2F_PING);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p), -ETIMEDOUT);
	set_fw_timeout(saved_timeout);
	channel_state(state, sizeof(state));
	igt_assert_f(!strcmp(state, "up"), "channel %s after a stalled ping\n", state);
	ping_ok(fd, 0x51a2);
	pci_slot[0] = 0;	/* nothing to rebind */
	close(fd);
}

/*
 * A request that creates state (VM_CREATE's AS_BIND) finds the channel busy
 * until its timeout: the firmware never saw it, so VM_CREATE fails with
 * -ETIMEDOUT, nothing is left behind and the device keeps running for
 * everyone (a busy channel must not wedge it).
 */
static void test_unsent_as_bind(void)
{
	int fd = setup_stall(), vfd = igt_open_pvgpu_render(NULL, 0);
	uint32_t vm = 0x5a5a;
	char state[32];

	set_fw_timeout(SHORT_TIMEOUT);
	set_stall(PVGPU_H2F_AS_BIND);
	igt_assert_err(pvgpu_vm_create(vfd, 0, &vm), -ETIMEDOUT);
	set_fw_timeout(saved_timeout);
	channel_state(state, sizeof(state));
	igt_assert_f(!strcmp(state, "up"), "channel %s after an unsent AS_BIND\n", state);
	ping_ok(fd, 0xb1d0);
	igt_assert_err(pvgpu_vm_create(vfd, 0, &vm), 0);
	igt_assert_err(pvgpu_vm_destroy(vfd, vm), 0);
	pci_slot[0] = 0;	/* nothing to rebind */
	close(vfd);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "ping-timeout", test_ping_timeout,
	  "fw_timeout_ms=200 and one dropped doorbell: the ping fails with -ETIMEDOUT; the next ping succeeds and the late response is counted as an orphan" },
	{ "timeout-then-many", test_timeout_then_many,
	  "after three timed-out pings, 1000 pings all succeed with their own cookies" },
	{ "unsent-tlb-invalidate-stops-device", test_unsent_tlb_invalidate,
	  "an UNMAP's TLB invalidation is never sent: the device is stopped before the unmapped pages are freed; a rebind recovers" },
	{ "unsent-as-unbind-stops-device", test_unsent_as_unbind,
	  "a destroyed VM's AS_UNBIND is never sent: the device is stopped before its page tables are freed; a rebind recovers" },
	{ "unsent-as-bind-keeps-device", test_unsent_as_bind,
	  "VM_CREATE's AS_BIND finds the channel busy past its timeout: -ETIMEDOUT, the firmware never saw it, the device keeps running" },
	{ "unsent-ping-keeps-device", test_unsent_ping,
	  "a stalled ping (no state change) fails with -ETIMEDOUT and the device keeps running" },
};

IGT_LITE_MAIN("pvgpu: firmware requests time out instead of hanging", subtests)

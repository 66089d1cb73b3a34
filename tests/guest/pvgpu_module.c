// SPDX-License-Identifier: MIT
/*
 * pvgpu_module: the driver's life cycle. The PCI function is unbound from
 * pvgpu and bound again (also with files open and pings in flight), the
 * module is unloaded and loaded again, and unloading it while a file is open
 * is refused. After every step the device must work: the query ioctl
 * answers and a firmware ping comes back with its cookie. Leaks from these
 * cycles are caught by the kmemleak scan after the suite.
 *
 * What userspace sees, and what these tests assert:
 *
 * - Once the device is unbound, every ioctl on a file opened before, DRM
 *   core ioctls included, fails with -ENODEV: drm_ioctl() checks
 *   drm_dev_is_unplugged() before dispatching anything. A ping that was
 *   waiting for the firmware when the device went is failed with -ENODEV
 *   by pvgpu_pci_remove(), and one that gets past drm_dev_enter() just
 *   before finds the channel dead: -ENODEV too. close() works. The file
 *   belongs to the old DRM device for good: it stays -ENODEV after a new
 *   device is bound, so it must be closed and the node opened again.
 * - delete_module(2) while a DRM file is open fails with EWOULDBLOCK (the
 *   same value as EAGAIN), the kernel's answer for a module whose
 *   reference count is not zero: drm_stub_open() makes every open file
 *   hold a reference on the module that owns the driver's fops. kmod's
 *   rmmod does not even try: it reads /sys/module/pvgpu/refcnt and refuses
 *   with "Module pvgpu is in use" (EBUSY in its own words), exit status 1.
 *
 * Every subtest needs root and skips without it; the module subtests skip
 * when pvgpu is built into the kernel. Whatever happens, an exit handler
 * loads the module and binds the device again for the tests that follow.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"

#define PVGPU_PCI_VENDOR	0x1234
#define PVGPU_PCI_DEVICE	0x9067
#define DRIVER_DIR		"/sys/bus/pci/drivers/" PVGPU_DRIVER_NAME
#define MODULE_DIR		"/sys/module/" PVGPU_DRIVER_NAME

/* The device's PCI address ("0000:00:01.0"), found by setup_device(). */
static char pci_slot[64];
/* Module parameters as "name=value" words, to load the module as it was. */
static char module_params[1024];

/* ---- small helpers ---------------------------------------------------- */

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * Runs a kmod tool (modprobe, rmmod) with stdout and stderr captured into
 * @out, so nothing reaches the test's own stderr. Returns its exit status,
 * or 128 + the signal that killed it.
 */
static int run_tool(const char *tool, char *const args[], char *out, size_t outlen)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
	size_t used = 0;
	int pipefd[2], status;
	pid_t pid;

	igt_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		char path[PATH_MAX];

		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(tool, args);
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], tool);
			execv(path, args);
		}
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		char buf[256];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < outlen) {
			size_t take = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;

			memcpy(out + used, buf, take);
			used += take;
		}
	}
	out[used] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		igt_assert(errno == EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the device ------------------------------------------------------- */

static const char *node_name(enum pvgpu_node kind)
{
	return kind == PVGPU_NODE_RENDER ? "render" : "primary";
}

/* Opens the pvgpu node of @kind wherever it is now; fails if there is none. */
static int open_node(enum pvgpu_node kind)
{
	char path[PATH_MAX];
	int fd = pvgpu_open_node(kind, 0, path, sizeof(path));

	igt_assert_f(fd >= 0, "no pvgpu %s node: %s\n", node_name(kind), igt_errname(fd));
	return fd;
}

/* The query ioctl answers and a ping comes back with its cookie. */
static void check_fd_works(int fd, uint64_t cookie)
{
	struct drm_pvgpu_query_device dev;
	struct drm_pvgpu_query q = {
		.query = DRM_PVGPU_QUERY_DEVICE,
		.size = sizeof(dev),
		.data = (uintptr_t)&dev,
	};
	struct drm_pvgpu_fw_ping p = { .cookie = cookie };

	memset(&dev, 0, sizeof(dev));
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUERY, &q), 0);
	igt_assert_eq(q.size, sizeof(dev));
	igt_assert_eq(dev.pci_vendor, PVGPU_PCI_VENDOR);
	igt_assert_eq(dev.pci_device, PVGPU_PCI_DEVICE);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p), 0);
	igt_assert_eq_u64(p.cookie, cookie);
	igt_assert_f(p.rtt_ns > 0, "rtt_ns is 0\n");
}

/* Both nodes of the device, opened afresh, work. */
static void check_device_works(uint64_t cookie)
{
	int fd;

	fd = open_node(PVGPU_NODE_RENDER);
	check_fd_works(fd, cookie);
	igt_assert_eq(close(fd), 0);
	fd = open_node(PVGPU_NODE_PRIMARY);
	check_fd_works(fd, ~cookie);
	igt_assert_eq(close(fd), 0);
}

/* A file of an unplugged device: every ioctl is -ENODEV. */
static void check_fd_unplugged(int fd)
{
	struct drm_pvgpu_query_device dev;
	struct drm_pvgpu_query q = {
		.query = DRM_PVGPU_QUERY_DEVICE,
		.size = sizeof(dev),
		.data = (uintptr_t)&dev,
	};
	struct drm_pvgpu_fw_ping p = { .cookie = 0x5a5a };
	struct drm_version v;
	char name[32];

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.name_len = sizeof(name);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUERY, &q), -ENODEV);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p), -ENODEV);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_VERSION, &v), -ENODEV);
	igt_assert_eq_u64(p.cookie, 0x5a5a);
}

static void check_no_node(void)
{
	int fd = pvgpu_open_node(PVGPU_NODE_RENDER, 0, NULL, 0);

	if (fd >= 0)
		close(fd);
	igt_assert_f(fd == -ENODEV, "a pvgpu render node while unbound/unloaded: %s\n",
		     fd >= 0 ? "opened" : igt_errname(fd));
}

static bool device_bound(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DRIVER_DIR "/%s", pci_slot);
	return path_exists(path);
}

static bool module_loaded(void)
{
	return path_exists(MODULE_DIR);
}

static void unbind(void)
{
	int ret = igt_sysfs_write(DRIVER_DIR "/unbind", pci_slot);

	igt_assert_f(ret == 0, "unbind of %s: %s\n", pci_slot, igt_errname(ret));
	igt_assert_f(!device_bound(), "%s still bound after unbind\n", pci_slot);
	check_no_node();
}

static void bind(void)
{
	int ret = igt_sysfs_write(DRIVER_DIR "/bind", pci_slot);

	igt_assert_f(ret == 0, "bind of %s: %s\n", pci_slot, igt_errname(ret));
	igt_assert_f(device_bound(), "%s not bound after bind\n", pci_slot);
}

/* ---- the module ------------------------------------------------------- */

static int module_refcnt(void)
{
	char buf[32];

	if (!igt_sysfs_read(MODULE_DIR "/refcnt", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

/* delete_module(2) as kmod calls it; 0 or -errno. */
static int unload_module(void)
{
	return syscall(SYS_delete_module, PVGPU_DRIVER_NAME, O_NONBLOCK) ? -errno : 0;
}

/* modprobe pvgpu with the parameters it had; 0 or modprobe's exit status. */
static int try_load_module(char *out, size_t outlen)
{
	char params[sizeof(module_params)], *args[64], *save = NULL;
	int n = 0;

	snprintf(params, sizeof(params), "%s", module_params);
	args[n++] = "modprobe";
	args[n++] = PVGPU_DRIVER_NAME;
	for (char *w = strtok_r(params, " ", &save); w && n < 63;
	     w = strtok_r(NULL, " ", &save))
		args[n++] = w;
	args[n] = NULL;
	return run_tool("modprobe", args, out, outlen);
}

static void load_module(void)
{
	char out[4096];
	int rc = try_load_module(out, sizeof(out));

	igt_assert_f(rc == 0, "modprobe %s %s: exit %d: %s\n", PVGPU_DRIVER_NAME,
		     module_params, rc, out);
	igt_assert_f(module_loaded(), "modprobe succeeded but %s is missing\n", MODULE_DIR);
	igt_assert_f(device_bound(), "%s not bound after modprobe\n", pci_slot);
}

/* The module's writable and read-only parameters as modprobe arguments. */
static void save_module_params(void)
{
	static const char *const names[] = {
		"boot_timeout_ms", "fw_timeout_ms", "fw_log_level", "fw_log_dmesg",
	};
	size_t used = 0;

	module_params[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[PATH_MAX], val[64];

		snprintf(path, sizeof(path), MODULE_DIR "/parameters/%s", names[i]);
		if (!igt_sysfs_read(path, val, sizeof(val)) || !*val || strchr(val, ' '))
			continue;
		used += snprintf(module_params + used, sizeof(module_params) - used,
				 "%s%s=%s", used ? " " : "", names[i], val);
		igt_assert(used < sizeof(module_params));
	}
}

/* ---- setup and cleanup ------------------------------------------------ */

/*
 * Exit handler: whatever a subtest did, the module is loaded and the device
 * bound to it again, so the tests after this one find it. Best effort: it
 * runs after failures too, so it reports rather than asserts.
 */
static void restore_device(int sig)
{
	char out[4096];
	int ret;

	(void)sig;
	if (!module_loaded()) {
		ret = try_load_module(out, sizeof(out));
		if (ret)
			igt_warn("restore: modprobe %s: exit %d: %s\n", PVGPU_DRIVER_NAME, ret, out);
	}
	if (module_loaded() && !device_bound()) {
		ret = igt_sysfs_write(DRIVER_DIR "/bind", pci_slot);
		if (ret)
			igt_warn("restore: bind of %s: %s\n", pci_slot, igt_errname(ret));
	}
}

/*
 * Skips without a pvgpu device or without root; otherwise finds the
 * device's PCI address and installs restore_device().
 */
static void setup_device(void)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *slash;
	struct stat st;
	ssize_t n;
	int fd;

	fd = igt_open_pvgpu_render(NULL, 0);
	igt_require_f(geteuid() == 0, "binding drivers and loading modules needs root\n");

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	igt_assert_f(n > 0, "readlink %s failed\n", link);
	target[n] = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	igt_assert_f(strlen(slash) < sizeof(pci_slot), "odd PCI address %s\n", slash);
	strcpy(pci_slot, slash);
	igt_assert_eq(close(fd), 0);

	igt_assert_f(device_bound(), "%s is not under %s\n", pci_slot, DRIVER_DIR);
	igt_info("pvgpu device %s\n", pci_slot);
	save_module_params();
	igt_install_exit_handler(restore_device);
}

/* setup_device(), and skip unless pvgpu is a module that can be unloaded. */
static void setup_module(void)
{
	setup_device();
	/* A built-in module has a /sys/module directory but no initstate. */
	igt_require_f(path_exists(MODULE_DIR "/initstate"),
		      "%s is built into the kernel\n", PVGPU_DRIVER_NAME);
	igt_require_f(path_exists(MODULE_DIR "/refcnt"),
		      "no %s/refcnt: kernel without CONFIG_MODULE_UNLOAD\n", MODULE_DIR);
}

/* ---- unbind / bind ---------------------------------------------------- */

static void test_unbind_rebind(void)
{
	setup_device();
	check_device_works(0);
	for (int i = 1; i <= 20; i++) {
		unbind();
		bind();
		check_device_works(i);
	}
}

static void test_unbind_with_open_fd(void)
{
	int rfd, pfd, nfd;

	setup_device();
	rfd = open_node(PVGPU_NODE_RENDER);
	pfd = open_node(PVGPU_NODE_PRIMARY);
	check_fd_works(rfd, 1);
	check_fd_works(pfd, 2);

	unbind();
	check_fd_unplugged(rfd);
	check_fd_unplugged(pfd);

	/* A new device while the old files are open: they stay unplugged. */
	bind();
	nfd = open_node(PVGPU_NODE_RENDER);
	igt_info("old render minor %d, new %d\n", pvgpu_node_minor(rfd), pvgpu_node_minor(nfd));
	check_fd_works(nfd, 3);
	check_fd_unplugged(rfd);
	check_fd_unplugged(pfd);
	igt_assert_eq(close(rfd), 0);
	igt_assert_eq(close(pfd), 0);
	check_fd_works(nfd, 4);
	igt_assert_eq(close(nfd), 0);

	/* With every file closed the old device is gone: one more cycle. */
	unbind();
	bind();
	check_device_works(5);
}

#define PINGERS 4
#define UNBIND_CYCLES 10

struct pinger {
	pthread_t thread;
	int idx;
	atomic_uint ok;		/* pings answered with their own cookie */
	atomic_uint enodev;	/* pings on an unplugged device's file */
	atomic_uint opens;	/* render node opened */
	atomic_uint errors;	/* anything else */
	int first_error;
	uint64_t bad_cookie;
};

static atomic_bool stop_pinging;

/*
 * Pings in a loop on its own file. -ENODEV means the device went: close
 * and open the node again, which fails while the device is unbound.
 */
static void *pinger_thread(void *data)
{
	struct pinger *pg = data;
	uint64_t seq = 0;
	int fd = -1;

	while (!atomic_load(&stop_pinging)) {
		struct drm_pvgpu_fw_ping p;
		uint64_t cookie;
		int ret;

		if (fd < 0) {
			fd = pvgpu_open_node(PVGPU_NODE_RENDER, 0, NULL, 0);
			if (fd < 0) {
				usleep(1000);
				continue;
			}
			atomic_fetch_add(&pg->opens, 1);
		}

		cookie = (uint64_t)(pg->idx + 1) << 48 | ++seq;
		memset(&p, 0, sizeof(p));
		p.cookie = cookie;
		ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p);
		if (ret == 0 && p.cookie == cookie) {
			atomic_fetch_add(&pg->ok, 1);
		} else if (ret == -ENODEV) {
			atomic_fetch_add(&pg->enodev, 1);
			close(fd);
			fd = -1;
		} else {
			if (atomic_fetch_add(&pg->errors, 1) == 0) {
				pg->first_error = ret;
				pg->bad_cookie = ret ? cookie : p.cookie;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Waits until every pinger has @more successful pings than in @base. */
static void wait_all_pinging(struct pinger *pg, unsigned int more, const char *when)
{
	unsigned int base[PINGERS];
	uint64_t deadline = igt_nsec_now() + 30ull * 1000000000ull;

	for (int i = 0; i < PINGERS; i++)
		base[i] = atomic_load(&pg[i].ok);
	for (int i = 0; i < PINGERS; i++) {
		while (atomic_load(&pg[i].ok) < base[i] + more) {
			igt_assert_f(igt_nsec_now() < deadline,
				     "pinger %d made no progress %s (%u ok, %u enodev, %u errors)\n",
				     i, when, atomic_load(&pg[i].ok), atomic_load(&pg[i].enodev),
				     atomic_load(&pg[i].errors));
			usleep(1000);
		}
	}
}

/* Burns CPU until told to stop: removal races widen on a busy machine. */
static void *hog_thread(void *data)
{
	volatile uint64_t n = 0;

	(void)data;
	while (!atomic_load(&stop_pinging))
		n++;
	return NULL;
}

/*
 * Pingers on their own files while the device is unbound and bound again;
 * @hogs threads keep every vCPU busy meanwhile. Removal is one ordered
 * state change: a ping in flight succeeds or fails with -ENODEV, never
 * with another error, and the driver never takes the firmware reset of
 * the removal for a firmware crash.
 */
static void unbind_during_pings(int hogs)
{
	static struct pinger pg[PINGERS];
	pthread_t hog[8];
	unsigned int ok = 0, enodev = 0, opens = 0, errors = 0;

	igt_assert(hogs <= 8);
	setup_device();
	atomic_store(&stop_pinging, false);
	for (int i = 0; i < hogs; i++)
		igt_assert_eq(pthread_create(&hog[i], NULL, hog_thread, NULL), 0);
	for (int i = 0; i < PINGERS; i++) {
		memset(&pg[i], 0, sizeof(pg[i]));
		pg[i].idx = i;
		igt_assert_eq(pthread_create(&pg[i].thread, NULL, pinger_thread, &pg[i]), 0);
	}

	for (int c = 0; c < UNBIND_CYCLES; c++) {
		/* Every thread is pinging the bound device right now. */
		wait_all_pinging(pg, 5, c ? "after a bind" : "at start");
		unbind();
		usleep(10000 * (c % 3));
		bind();
	}
	wait_all_pinging(pg, 5, "after the last bind");

	atomic_store(&stop_pinging, true);
	for (int i = 0; i < hogs; i++)
		pthread_join(hog[i], NULL);
	for (int i = 0; i < PINGERS; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 30;
		igt_assert_f(pthread_timedjoin_np(pg[i].thread, NULL, &ts) == 0,
			     "pinger %d hangs\n", i);
		igt_info("pinger %d: %u ok, %u ENODEV, %u opens, %u errors\n", i,
			 atomic_load(&pg[i].ok), atomic_load(&pg[i].enodev),
			 atomic_load(&pg[i].opens), atomic_load(&pg[i].errors));
		igt_assert_f(atomic_load(&pg[i].errors) == 0,
			     "pinger %d: %u pings failed other than with ENODEV, first: %s (cookie %#llx)\n",
			     i, atomic_load(&pg[i].errors), igt_errname(pg[i].first_error),
			     (unsigned long long)pg[i].bad_cookie);
		ok += atomic_load(&pg[i].ok);
		enodev += atomic_load(&pg[i].enodev);
		opens += atomic_load(&pg[i].opens);
		errors += atomic_load(&pg[i].errors);
	}
	igt_info("%d unbinds: %u pings ok, %u ENODEV, %u opens, %u errors\n", UNBIND_CYCLES,
		 ok, enodev, opens, errors);
	/* Each unbind found every pinger with an open file. */
	igt_assert_gte(enodev, UNBIND_CYCLES * PINGERS);
	check_device_works(0x77);
}

static void test_unbind_during_pings(void)
{
	unbind_during_pings(0);
}

static void test_unbind_during_pings_loaded(void)
{
	unbind_during_pings((int)sysconf(_SC_NPROCESSORS_ONLN) * 2);
}

/* ---- rmmod / modprobe ------------------------------------------------- */

static void test_module_reload(void)
{
	int ret;

	setup_module();
	igt_info("module parameters: %s\n", module_params);
	check_device_works(0);
	for (int i = 1; i <= 10; i++) {
		igt_assert_eq(module_refcnt(), 0);
		ret = unload_module();
		igt_assert_err(ret, 0);
		igt_assert_f(!module_loaded(), "%s still there after delete_module\n", MODULE_DIR);
		igt_assert_f(!path_exists(DRIVER_DIR), "%s still there after delete_module\n",
			     DRIVER_DIR);
		check_no_node();

		load_module();
		check_device_works(i);
	}
}

static void test_module_unload_busy(void)
{
	static const enum pvgpu_node kinds[] = { PVGPU_NODE_RENDER, PVGPU_NODE_PRIMARY };
	char *rmmod_args[] = { "rmmod", PVGPU_DRIVER_NAME, NULL };
	char out[4096], state[32];
	int before, fd, ret, rc;

	setup_module();
	before = module_refcnt();
	igt_assert_gte(before, 0);

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		fd = open_node(kinds[k]);
		igt_assert_eq(module_refcnt(), before + 1);

		ret = unload_module();
		igt_assert_err(ret, -EWOULDBLOCK);

		rc = run_tool("rmmod", rmmod_args, out, sizeof(out));
		igt_info("rmmod with the %s node open: exit %d: %s\n", node_name(kinds[k]), rc,
			 out);
		igt_assert_neq(rc, 0);
		igt_assert_f(strstr(out, "in use"), "rmmod did not say the module is in use\n");

		igt_assert(igt_sysfs_read(MODULE_DIR "/initstate", state, sizeof(state)));
		igt_assert_f(!strcmp(state, "live"), "module state %s\n", state);
		igt_assert(device_bound());
		check_fd_works(fd, 0x100 + k);
		check_device_works(0x200 + k);

		igt_assert_eq(close(fd), 0);
		igt_assert_eq(module_refcnt(), before);
	}

	/* The references went with the files: now it unloads. */
	igt_assert_err(unload_module(), 0);
	load_module();
	check_device_works(0x300);
}

static const struct igt_lite_subtest subtests[] = {
	{ "unbind-rebind", test_unbind_rebind,
	  "unbind the PCI function from pvgpu and bind it again, 20 times; the device works each time" },
	{ "unbind-with-open-fd", test_unbind_with_open_fd,
	  "files open across an unbind get -ENODEV from every ioctl, also after a rebind; close works; the new device works" },
	{ "unbind-during-pings", test_unbind_during_pings,
	  "4 threads ping while the device is unbound and bound 10 times: each ping succeeds or fails with -ENODEV, none hangs" },
	{ "unbind-during-pings-loaded", test_unbind_during_pings_loaded,
	  "the same with two CPU-burning threads per vCPU: removal stays one ordered state change (pings succeed or get -ENODEV, no firmware crash reported)" },
	{ "module-reload", test_module_reload,
	  "rmmod (delete_module) and modprobe pvgpu 10 times; the device works each time" },
	{ "module-unload-busy", test_module_unload_busy,
	  "with a render or primary file open, delete_module fails with EWOULDBLOCK and rmmod refuses; the device keeps working" },
};

IGT_LITE_MAIN("pvgpu: unbind/bind and module unload/reload", subtests)

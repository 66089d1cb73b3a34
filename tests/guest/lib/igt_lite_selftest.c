// SPDX-License-Identifier: MIT
/*
 * igt_lite's own test binary, for lib/check-igt-lite.sh on the host: one
 * subtest per kind of outcome. Not a guest test.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "igt_lite.h"

static void test_pass(void)
{
	igt_info("informational line\n");
	igt_assert_eq(1 + 1, 2);
	igt_assert_err(0, 0);
}

static void test_fail(void)
{
	errno = EINVAL;
	igt_assert_eq(1 + 1, 3);
}

static void test_fail_err(void)
{
	igt_assert_err(-ENOENT, -EINVAL);
}

static void test_skip(void)
{
	igt_require_f(0, "no such thing\n");
}

static void test_crash(void)
{
	raise(SIGSEGV);
}

static void test_timeout(void)
{
	sleep(30);
}

static void helper_ok(int idx, void *arg)
{
	(void)arg;
	igt_assert(idx >= 0);
}

static void helper_bad(int idx, void *arg)
{
	(void)arg;
	igt_assert_f(idx != 2, "helper %d fails on purpose\n", idx);
}

static void test_helper_pass(void)
{
	for (int i = 0; i < 4; i++)
		igt_fork(helper_ok, i, NULL);
	igt_waitchildren();
}

static void test_helper_fail(void)
{
	for (int i = 0; i < 4; i++)
		igt_fork(helper_bad, i, NULL);
	igt_waitchildren();
}

static void *thread_bad(void *arg)
{
	(void)arg;
	igt_assert_f(0, "a thread fails on purpose\n");
	return NULL;
}

static void test_thread_fail(void)
{
	pthread_t t;

	pthread_create(&t, NULL, thread_bad, NULL);
	pthread_join(t, NULL);
	sleep(5);	/* not reached: the failing thread ends the process */
}

static void handler_first(int sig)
{
	igt_info("exit handler first (sig %d)\n", sig);
}

static void handler_second(int sig)
{
	(void)sig;
	igt_info("exit handler second\n");
}

static void test_exit_handler(void)
{
	igt_install_exit_handler(handler_first);
	igt_install_exit_handler(handler_second);
}

static void test_exit_handler_fail(void)
{
	igt_install_exit_handler(handler_first);
	igt_install_exit_handler(handler_second);
	igt_assert_f(0, "fails with exit handlers installed\n");
}

static const struct igt_lite_subtest subtests[] = {
	{ "pass", test_pass, "passes" },
	{ "fail", test_fail, "fails an assertion" },
	{ "fail-err", test_fail_err, "fails an errno assertion" },
	{ "skip", test_skip, "skips" },
	{ "crash", test_crash, "dies from SIGSEGV" },
	{ "timeout", test_timeout, "hangs" },
	{ "helper-pass", test_helper_pass, "helpers pass" },
	{ "helper-fail", test_helper_fail, "a helper fails" },
	{ "thread-fail", test_thread_fail, "a thread fails" },
	{ "exit-handler", test_exit_handler, "passes; its exit handlers run" },
	{ "exit-handler-fail", test_exit_handler_fail, "fails; its exit handlers run" },
};

IGT_LITE_MAIN("igt_lite self-test", subtests)

// SPDX-License-Identifier: MIT
/*
 * pvgpu_sync: (being written).
 */
#include "igt_lite.h"

static void test_placeholder(void)
{
	igt_skip("not written yet\n");
}

static const struct igt_lite_subtest subtests[] = {
	{ "placeholder", test_placeholder, "nothing yet" },
};

IGT_LITE_MAIN("pvgpu_sync", subtests)

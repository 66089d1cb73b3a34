// SPDX-License-Identifier: MIT
/*
 * pvgpu_gpu_demo: the GPU doing real work, end to end, for `./pvgpu demo`.
 *
 * Creates a buffer object (data and both batch buffers), binds it into a
 * fresh GPU VM, then:
 * 1. a compute queue runs the built-in VECTOR_ADD_U32 kernel on 1M
 *    elements the CPU wrote, and the CPU checks every sum;
 * 2. a copy queue fills 16 MiB with a pattern and copies it elsewhere in
 *    the buffer, and the CPU checks every word;
 * 3. the copy job waits on the compute job's timeline point (a syncobj
 *    dependency between two queues).
 * Prints what it did and exits non-zero on the first mismatch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"

#define BO_VA		0x200000000ull
#define N_ELEMS		(1u << 20)
#define VEC_BYTES	(N_ELEMS * 4ull)
#define COPY_BYTES	(16ull << 20)
/* Layout in the BO: a, b, c (4 MiB each), args, then two 16 MiB areas. */
#define OFF_A		0
#define OFF_B		(OFF_A + VEC_BYTES)
#define OFF_C		(OFF_B + VEC_BYTES)
#define OFF_ARGS	(OFF_C + VEC_BYTES)
#define OFF_BATCH1	(OFF_ARGS + 0x1000)
#define OFF_BATCH2	(OFF_BATCH1 + 0x1000)
#define OFF_SRC		(OFF_BATCH2 + 0x1000)
#define OFF_DST		(OFF_SRC + COPY_BYTES)
#define BO_SIZE		(OFF_DST + COPY_BYTES)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "pvgpu_gpu_demo: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(void)
{
	struct drm_pvgpu_sync syncs[2];
	struct pvgpu_kargs_vector_add *args;
	struct pvgpu_ctx compute;
	uint32_t copy_queue;
	struct pvgpu_batch b;
	uint32_t bo, timeline;
	uint32_t *map;
	double t0;
	int fd, ret;

	fd = pvgpu_open_node(PVGPU_NODE_RENDER, 0, NULL, 0);
	if (fd < 0)
		return fail("open render node", fd);

	ret = pvgpu_ctx_init(&compute, fd, 0, DRM_PVGPU_ENGINE_CLASS_COMPUTE);
	if (ret)
		return fail("VM + compute queue", ret);
	ret = pvgpu_queue_create(fd, compute.vm_id, DRM_PVGPU_ENGINE_CLASS_COPY,
				 0, 0, &copy_queue);
	if (ret)
		return fail("copy queue", ret);
	ret = pvgpu_bo_create(fd, BO_SIZE, 0, &bo);
	if (ret)
		return fail("GEM_CREATE", ret);
	map = pvgpu_bo_map(fd, bo, BO_SIZE);
	if (!map)
		return fail("mmap", -errno);
	ret = pvgpu_bind_map(fd, compute.vm_id, bo, 0, BO_VA, BO_SIZE, 0);
	if (ret)
		return fail("VM_BIND", ret);
	printf("VM %u: %llu MiB buffer object bound at GPU VA %#llx\n",
	       compute.vm_id, (unsigned long long)(BO_SIZE >> 20),
	       (unsigned long long)BO_VA);

	for (uint32_t i = 0; i < N_ELEMS; i++) {
		map[OFF_A / 4 + i] = i;
		map[OFF_B / 4 + i] = 3 * i + 7;
	}
	args = (void *)((char *)map + OFF_ARGS);
	args->a = BO_VA + OFF_A;
	args->b = BO_VA + OFF_B;
	args->c = BO_VA + OFF_C;
	args->n = N_ELEMS;

	ret = pvgpu_syncobj_create(fd, 0, &timeline);
	if (ret)
		return fail("SYNCOBJ_CREATE", ret);

	/* Compute: c = a + b; signals point 1 of the timeline. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_dispatch(&b, PVGPU_KERNEL_VECTOR_ADD_U32, BO_VA + OFF_ARGS);
	pvgpu_batch_end(&b);
	memcpy((char *)map + OFF_BATCH1, b.dw, b.len * 4);
	syncs[0] = pvgpu_sync_timeline(timeline, 1, 1);
	t0 = now_ms();
	ret = pvgpu_exec(fd, compute.queue_id, BO_VA + OFF_BATCH1, syncs, 1);
	if (ret)
		return fail("EXEC (compute)", ret);

	/* Copy: waits for point 1, fills src, copies it to dst. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, BO_VA + OFF_SRC, COPY_BYTES, 0x5a5aa5a5);
	pvgpu_batch_copy(&b, BO_VA + OFF_SRC, BO_VA + OFF_DST, COPY_BYTES);
	pvgpu_batch_end(&b);
	memcpy((char *)map + OFF_BATCH2, b.dw, b.len * 4);
	syncs[0] = pvgpu_sync_timeline(timeline, 1, 0);
	syncs[1] = pvgpu_sync_timeline(timeline, 2, 1);
	ret = pvgpu_exec(fd, copy_queue, BO_VA + OFF_BATCH2, syncs, 2);
	if (ret)
		return fail("EXEC (copy)", ret);

	ret = pvgpu_syncobj_wait(fd, timeline, 2, 60ll * 1000000000);
	if (ret)
		return fail("waiting for the jobs", ret);
	printf("compute + copy jobs done in %.1f ms (copy waited for compute on a timeline syncobj)\n",
	       now_ms() - t0);

	for (uint32_t i = 0; i < N_ELEMS; i++) {
		if (map[OFF_C / 4 + i] != 4 * i + 7) {
			fprintf(stderr, "vector add: c[%u] = %u, expected %u\n",
				i, map[OFF_C / 4 + i], 4 * i + 7);
			return 1;
		}
	}
	printf("compute queue: VECTOR_ADD_U32 over %u elements, every sum checked by the CPU\n",
	       N_ELEMS);
	for (uint64_t i = 0; i < COPY_BYTES / 4; i++) {
		if (map[OFF_DST / 4 + i] != 0x5a5aa5a5) {
			fprintf(stderr, "copy: word %llu = %#x\n",
				(unsigned long long)i, map[OFF_DST / 4 + i]);
			return 1;
		}
	}
	printf("copy queue: FILL + COPY of %llu MiB, every word checked by the CPU\n",
	       (unsigned long long)(COPY_BYTES >> 20));

	pvgpu_syncobj_destroy(fd, timeline);
	pvgpu_bind_unmap(fd, compute.vm_id, BO_VA, BO_SIZE);
	pvgpu_queue_destroy(fd, copy_queue);
	pvgpu_ctx_fini(&compute);
	pvgpu_gem_close(fd, bo);
	close(fd);
	return 0;
}

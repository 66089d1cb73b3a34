// SPDX-License-Identifier: MIT
/*
 * pvgpu_info: print what the pvgpu driver reports about its device, through
 * DRM_IOCTL_PVGPU_QUERY. Exits non-zero if there is no pvgpu device or a
 * query fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpvgpu.h"

static const char *engine_class_name(uint32_t engine_class)
{
	switch (engine_class) {
	case DRM_PVGPU_ENGINE_CLASS_COPY:
		return "copy";
	case DRM_PVGPU_ENGINE_CLASS_COMPUTE:
		return "compute";
	default:
		return "unknown";
	}
}

static void print_page_sizes(uint64_t page_sizes)
{
	const char *sep = "";

	for (int bit = 0; bit < 64; bit++) {
		if (!(page_sizes & (1ull << bit)))
			continue;
		if (bit >= 30)
			printf("%s%lluG", sep, 1ull << (bit - 30));
		else if (bit >= 20)
			printf("%s%lluM", sep, 1ull << (bit - 20));
		else
			printf("%s%lluK", sep, 1ull << (bit - 10));
		sep = " ";
	}
	printf("\n");
}

int main(void)
{
	struct drm_pvgpu_query_device *dev;
	struct drm_pvgpu_query_engines *engines;
	char path[64];
	uint32_t size;
	int fd;

	fd = pvgpu_open_node(PVGPU_NODE_RENDER, 0, path, sizeof(path));
	if (fd < 0) {
		fprintf(stderr, "pvgpu_info: no pvgpu render node: %s\n", strerror(-fd));
		return 1;
	}
	dev = pvgpu_query_alloc(fd, DRM_PVGPU_QUERY_DEVICE, &size);
	if (!dev) {
		fprintf(stderr, "pvgpu_info: device query: %s\n", strerror(errno));
		return 1;
	}
	engines = pvgpu_query_alloc(fd, DRM_PVGPU_QUERY_ENGINES, &size);
	if (!engines) {
		fprintf(stderr, "pvgpu_info: engines query: %s\n", strerror(errno));
		return 1;
	}

	printf("node:              %s\n", path);
	printf("pci id:            %04x:%04x rev %u\n", dev->pci_vendor,
	       dev->pci_device, dev->pci_revision);
	printf("interface:         %u.%u\n", dev->iface_version >> 16,
	       dev->iface_version & 0xffff);
	printf("firmware:          %u.%u.%u\n", dev->fw_version >> 16,
	       (dev->fw_version >> 8) & 0xff, dev->fw_version & 0xff);
	printf("gpu va bits:       %u\n", dev->va_bits);
	printf("page sizes:        ");
	print_page_sizes(dev->page_sizes);
	printf("page faults:       %s\n",
	       dev->flags & DRM_PVGPU_DEVICE_PAGE_FAULTS ? "recoverable" : "no");
	printf("priorities:        %u (highest is realtime)\n", dev->num_priorities);
	printf("max queues:        %u\n", dev->max_queues);
	printf("doorbell pages:    %u\n", dev->num_doorbells);
	printf("timeslice:         %u us (min %u, max %u)\n",
	       dev->timeslice_default_us, dev->timeslice_min_us,
	       dev->timeslice_max_us);
	printf("engine classes:    %u\n", engines->num_engines);
	for (uint32_t i = 0; i < engines->num_engines; i++)
		printf("  %-8s         %u hardware slots\n",
		       engine_class_name(engines->engines[i].engine_class),
		       engines->engines[i].num_slots);
	free(engines);
	free(dev);
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * pvgpu uAPI: the ioctls of the pvgpu DRM driver.
 *
 * Specification: docs/uapi.rst. Conventions every ioctl follows:
 *
 * - Each argument struct begins with @extensions, a user pointer to a chain
 *   of struct drm_pvgpu_user_extension (0 for none). An unknown extension
 *   name is -EINVAL. Structs only ever grow at their end; the DRM core
 *   zero-fills what an older userspace did not pass.
 * - Every @pad and @reserved field must be zero, and every flag not defined
 *   here must be clear: otherwise -EINVAL and nothing changes.
 * - Pointers userspace passes that cannot be read or written: -EFAULT.
 * - An ioctl that fails changes nothing.
 * - Variable-size output (queries) uses a size/data pair: size 0 asks the
 *   kernel for the size it needs; a smaller non-zero size is -EINVAL; a
 *   larger one is trimmed to the size written.
 * - A privileged ioctl called without CAP_SYS_ADMIN: -EACCES, before the
 *   argument is looked at.
 * - The device or firmware not running: -ENODEV; the firmware not answering
 *   within its timeout (which covers the wait for the firmware channel):
 *   -ETIMEDOUT; the firmware refusing a request: -EIO.
 * - A signal while the ioctl waits: -EINTR, or a transparent restart with
 *   SA_RESTART, and nothing happened. Queries and pings may be interrupted
 *   after their request was sent (its answer is then dropped); ioctls that
 *   change state (VM and queue creation and destruction, VM_BIND with
 *   DRM_PVGPU_VM_BIND_WAIT) are interruptible only until they commit, and
 *   then wait, uninterruptibly and bounded by the firmware timeout, for the
 *   result they return. A firmware that does not answer such a request in
 *   time leaves its state unknown: the driver stops using the device
 *   (-ENODEV from then on) until it is rebound.
 */
#ifndef _PVGPU_DRM_H_
#define _PVGPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_PVGPU_QUERY			0x00
#define DRM_PVGPU_FW_PING		0x01
#define DRM_PVGPU_GEM_CREATE		0x02
#define DRM_PVGPU_GEM_MMAP_OFFSET	0x03
#define DRM_PVGPU_VM_CREATE		0x04
#define DRM_PVGPU_VM_DESTROY		0x05
#define DRM_PVGPU_VM_GET_STATE		0x06
#define DRM_PVGPU_VM_BIND		0x07
#define DRM_PVGPU_QUEUE_CREATE		0x08
#define DRM_PVGPU_QUEUE_DESTROY		0x09
#define DRM_PVGPU_QUEUE_GET_STATE	0x0a
#define DRM_PVGPU_EXEC			0x0b
#define DRM_PVGPU_WAIT_USER_FENCE	0x0c
#define DRM_PVGPU_USERQ_CREATE		0x0d
#define DRM_PVGPU_USERQ_SIGNAL		0x0e
#define DRM_PVGPU_USERQ_WAIT		0x0f
#define DRM_PVGPU_EVENT_SUBSCRIBE	0x10
#define DRM_PVGPU_EVENT_UNSUBSCRIBE	0x11
#define DRM_PVGPU_WAIT_EVENT		0x12
#define DRM_PVGPU_VM_RESTART		0x13

#define DRM_IOCTL_PVGPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_QUERY, struct drm_pvgpu_query)
#define DRM_IOCTL_PVGPU_FW_PING \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_FW_PING, struct drm_pvgpu_fw_ping)
#define DRM_IOCTL_PVGPU_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_GEM_CREATE, struct drm_pvgpu_gem_create)
#define DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_GEM_MMAP_OFFSET, \
		 struct drm_pvgpu_gem_mmap_offset)
#define DRM_IOCTL_PVGPU_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_VM_CREATE, struct drm_pvgpu_vm_create)
#define DRM_IOCTL_PVGPU_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_VM_DESTROY, struct drm_pvgpu_vm_destroy)
#define DRM_IOCTL_PVGPU_VM_GET_STATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_VM_GET_STATE, \
		 struct drm_pvgpu_vm_get_state)
#define DRM_IOCTL_PVGPU_VM_BIND \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_VM_BIND, struct drm_pvgpu_vm_bind)
#define DRM_IOCTL_PVGPU_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_QUEUE_CREATE, \
		 struct drm_pvgpu_queue_create)
#define DRM_IOCTL_PVGPU_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_QUEUE_DESTROY, \
		struct drm_pvgpu_queue_destroy)
#define DRM_IOCTL_PVGPU_QUEUE_GET_STATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_QUEUE_GET_STATE, \
		 struct drm_pvgpu_queue_get_state)
#define DRM_IOCTL_PVGPU_EXEC \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_EXEC, struct drm_pvgpu_exec)
#define DRM_IOCTL_PVGPU_WAIT_USER_FENCE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_WAIT_USER_FENCE, \
		 struct drm_pvgpu_wait_user_fence)
#define DRM_IOCTL_PVGPU_USERQ_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_USERQ_CREATE, \
		 struct drm_pvgpu_userq_create)
#define DRM_IOCTL_PVGPU_USERQ_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_USERQ_SIGNAL, \
		struct drm_pvgpu_userq_signal)
#define DRM_IOCTL_PVGPU_USERQ_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_USERQ_WAIT, \
		struct drm_pvgpu_userq_wait)
#define DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_EVENT_SUBSCRIBE, \
		 struct drm_pvgpu_event_subscribe)
#define DRM_IOCTL_PVGPU_EVENT_UNSUBSCRIBE \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_EVENT_UNSUBSCRIBE, \
		struct drm_pvgpu_event_unsubscribe)
#define DRM_IOCTL_PVGPU_WAIT_EVENT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_WAIT_EVENT, \
		 struct drm_pvgpu_wait_event)
#define DRM_IOCTL_PVGPU_VM_RESTART \
	DRM_IOW(DRM_COMMAND_BASE + DRM_PVGPU_VM_RESTART, \
		struct drm_pvgpu_vm_restart)

/**
 * struct drm_pvgpu_user_extension - head of every ioctl extension
 *
 * No extension is defined yet: an ioctl argument's extensions field other
 * than 0 is -EINVAL.
 */
struct drm_pvgpu_user_extension {
	/** @next_extension: user pointer to the next extension, or 0. */
	__u64 next_extension;
	/** @name: which extension this is. */
	__u32 name;
	/** @pad: must be zero. */
	__u32 pad;
};

/* Query ids of struct drm_pvgpu_query. */
#define DRM_PVGPU_QUERY_DEVICE		0
#define DRM_PVGPU_QUERY_ENGINES		1

/**
 * struct drm_pvgpu_query - DRM_IOCTL_PVGPU_QUERY argument
 *
 * Copies the description @query names to @data. See the size convention at
 * the top of this file.
 *
 * Open to every caller (no privilege needed).
 *
 * Errors: -EINVAL unknown @query, non-zero @flags/@pad/@extensions, or @size
 * smaller than needed; -EFAULT @data not writable; -ENODEV the device is
 * gone; -ENOMEM no memory for the engine list.
 */
struct drm_pvgpu_query {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @query: DRM_PVGPU_QUERY_*. */
	__u32 query;
	/** @size: in: bytes at @data (0: ask); out: bytes needed or written. */
	__u32 size;
	/** @data: user pointer to the output buffer. */
	__u64 data;
	/** @flags: must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
};

/* drm_pvgpu_query_device.flags */
#define DRM_PVGPU_DEVICE_PAGE_FAULTS	(1 << 0)
/*
 * The device stopped for good (a reset failed, resets came too often, or
 * recovery is off): every queue is banned; unbind and bind the driver.
 */
#define DRM_PVGPU_DEVICE_WEDGED		(1 << 1)
/*
 * The compute kernels run on the host's GPU through virglrenderer (QEMU:
 * -device pvgpu,backend=virgl); the results are the same bytes as without
 * it. A host-side failure there stops the queue that ran the kernel with
 * DRM_PVGPU_QUEUE_REASON_BACKEND.
 */
#define DRM_PVGPU_DEVICE_BACKEND_VIRGL	(1 << 2)

/**
 * struct drm_pvgpu_query_device - DRM_PVGPU_QUERY_DEVICE output
 */
struct drm_pvgpu_query_device {
	/** @pci_vendor: PCI vendor id. */
	__u16 pci_vendor;
	/** @pci_device: PCI device id. */
	__u16 pci_device;
	/** @pci_revision: PCI revision id. */
	__u32 pci_revision;
	/** @iface_version: hardware interface, major << 16 | minor. */
	__u32 iface_version;
	/** @fw_version: firmware, major << 16 | minor << 8 | patch. */
	__u32 fw_version;
	/** @flags: DRM_PVGPU_DEVICE_*. */
	__u32 flags;
	/** @va_bits: GPU virtual address width in bits. */
	__u32 va_bits;
	/** @page_sizes: bit n set: GPU pages of 2^n bytes are supported. */
	__u64 page_sizes;
	/** @num_priorities: priority levels; the highest is realtime. */
	__u32 num_priorities;
	/** @max_queues: queues the firmware can hold registered. */
	__u32 max_queues;
	/**
	 * @num_doorbells: doorbell pages, the kernel's own included;
	 * 1024 doorbells (one dword each) per page.
	 */
	__u32 num_doorbells;
	/** @num_engine_classes: entries DRM_PVGPU_QUERY_ENGINES returns. */
	__u32 num_engine_classes;
	/** @timeslice_default_us: default scheduling quantum. */
	__u32 timeslice_default_us;
	/** @timeslice_min_us: smallest quantum a queue may ask for. */
	__u32 timeslice_min_us;
	/** @timeslice_max_us: largest quantum a queue may ask for. */
	__u32 timeslice_max_us;
	/** @pad: zero. */
	__u32 pad;
	/**
	 * @reset_count: device resets the driver completed since it bound
	 * the device (docs/reset.rst); each one emitted
	 * DRM_PVGPU_EVENT_DEVICE_RESET.
	 */
	__u64 reset_count;
	/** @reserved: zero. */
	__u64 reserved[3];
};

/* drm_pvgpu_engine_info.engine_class */
#define DRM_PVGPU_ENGINE_CLASS_COPY	0
#define DRM_PVGPU_ENGINE_CLASS_COMPUTE	1

/**
 * struct drm_pvgpu_engine_info - one engine class
 */
struct drm_pvgpu_engine_info {
	/** @engine_class: DRM_PVGPU_ENGINE_CLASS_*. */
	__u32 engine_class;
	/** @num_slots: hardware slots the firmware schedules queues onto. */
	__u32 num_slots;
	/** @reserved: zero. */
	__u64 reserved[2];
};

/**
 * struct drm_pvgpu_query_engines - DRM_PVGPU_QUERY_ENGINES output
 */
struct drm_pvgpu_query_engines {
	/** @num_engines: entries in @engines. */
	__u32 num_engines;
	/** @pad: zero. */
	__u32 pad;
	/** @engines: one per engine class. */
	struct drm_pvgpu_engine_info engines[];
};

/**
 * struct drm_pvgpu_fw_ping - DRM_IOCTL_PVGPU_FW_PING argument
 *
 * One request/response round trip to the firmware: the floor of every
 * firmware interaction (one doorbell write, one interrupt).
 *
 * With DRM_PVGPU_FW_PING_FLOOR in @flags no firmware message is sent: the
 * driver writes the device's self-test register, whose interrupt the
 * device raises inside that write, and waits for its interrupt handler to
 * see it. That is the platform floor (MMIO write to interrupt handler)
 * every firmware latency is reported against. One floor measurement runs
 * at a time per device; @cookie is left alone and @fw_timestamp_ns is 0.
 *
 * Privileged: needs CAP_SYS_ADMIN, on the render node as on the primary
 * node. Every ping occupies the kernel's only firmware channel, which the
 * kernel's own requests share.
 *
 * Errors: -EACCES the caller lacks CAP_SYS_ADMIN; -EINVAL non-zero
 * @pad/@extensions or an unknown @flags bit; -EOPNOTSUPP a floor
 * measurement on a device without the self-test register (interface
 * minor below 1); -ENODEV the device is gone
 * or the firmware does not run (a floor measurement: the driver stopped
 * the device); -ETIMEDOUT no answer in time (the wait for the firmware
 * channel included); -EIO the firmware answered wrongly or stopped while
 * the ping waited; -EINTR a signal came while waiting (-ERESTARTSYS in
 * the kernel: with SA_RESTART the ping is sent again; an answer to the
 * interrupted one is dropped by the driver).
 *
 * @wake_ns was added after the others: a binary built before it passes
 * the shorter struct, which the DRM core zero-extends, and does not see
 * it.
 */
struct drm_pvgpu_fw_ping {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @cookie: in: echoed by the firmware; out: the echo. */
	__u64 cookie;
	/**
	 * @rtt_ns: out: request queued to response seen by the interrupt
	 * handler, measured in the kernel. DRM_PVGPU_FW_PING_FLOOR: just
	 * before the self-test register write to the interrupt handler.
	 */
	__u64 rtt_ns;
	/** @fw_timestamp_ns: out: firmware clock when it handled the ping. */
	__u64 fw_timestamp_ns;
	/** @flags: DRM_PVGPU_FW_PING_*; other bits must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
	/**
	 * @wake_ns: out: from the same start as @rtt_ns to the waiting
	 * thread running again in the kernel (after the interrupt handler
	 * woke it): @rtt_ns plus the wake-up. At least @rtt_ns.
	 */
	__u64 wake_ns;
};

/* Measure the platform floor instead of a firmware round trip. */
#define DRM_PVGPU_FW_PING_FLOOR		(1u << 0)

/* --- Buffer objects ---------------------------------------------------- */

/**
 * struct drm_pvgpu_gem_create - DRM_IOCTL_PVGPU_GEM_CREATE argument
 *
 * Creates a buffer object backed by shmem pages (allocated on first use:
 * CPU mmap, VM_BIND MAP or PRIME export) and returns a GEM handle for it.
 * Close it with DRM_IOCTL_GEM_CLOSE; PRIME export/import with the DRM
 * core's DRM_IOCTL_PRIME_HANDLE_TO_FD / FD_TO_HANDLE.
 *
 * Errors: -EINVAL @size 0, @size rounded up to the page size overflows or
 * exceeds the memory the guest could ever back, unknown @flags, non-zero
 * @extensions; -ENOMEM out of memory.
 */
struct drm_pvgpu_gem_create {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @size: in: bytes; out: bytes allocated (page-aligned). */
	__u64 size;
	/** @flags: must be zero (no flag is defined yet). */
	__u32 flags;
	/** @handle: out: the GEM handle. */
	__u32 handle;
};

/**
 * struct drm_pvgpu_gem_mmap_offset - DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET argument
 *
 * Returns the fake offset to pass to mmap(2) on the DRM file to map the
 * whole object (write-back cached; the device snoops).
 *
 * Errors: -ENOENT @handle is not an object of this file; -EINVAL non-zero
 * @flags/@extensions, or an imported dma-buf object (map the dma-buf
 * instead); -ENOMEM.
 */
struct drm_pvgpu_gem_mmap_offset {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @handle: the GEM handle. */
	__u32 handle;
	/** @flags: must be zero. */
	__u32 flags;
	/** @offset: out: the mmap offset. */
	__u64 offset;
};

/* --- GPU virtual address spaces --------------------------------------- */

/*
 * The GPU VA space of a VM is [0, 2^va_bits) (DRM_PVGPU_QUERY_DEVICE
 * va_bits). Its top DRM_PVGPU_KERNEL_VA_SIZE bytes are reserved for the
 * kernel (they hold nothing today: kernel queue rings are in memory no GPU
 * VM maps); userspace binds below DRM_PVGPU_USER_VA_END(va_bits).
 */
#define DRM_PVGPU_KERNEL_VA_SIZE	(1ull << 32)
#define DRM_PVGPU_USER_VA_END(va_bits) \
	((1ull << (va_bits)) - DRM_PVGPU_KERNEL_VA_SIZE)

/*
 * Long-running VM: its queues may run forever, so nothing it does may be
 * published as a dma-fence out-sync (only DRM_PVGPU_SYNC_USER_FENCE).
 */
#define DRM_PVGPU_VM_CREATE_LR		(1 << 0)
/*
 * Fault mode: GPU page faults on unmapped addresses are recoverable (the
 * device must report DRM_PVGPU_DEVICE_PAGE_FAULTS). Requires
 * DRM_PVGPU_VM_CREATE_LR.
 */
#define DRM_PVGPU_VM_CREATE_FAULT_MODE	(1 << 1)

/**
 * struct drm_pvgpu_vm_create - DRM_IOCTL_PVGPU_VM_CREATE argument
 *
 * Creates a GPU virtual address space with its own page tables and its
 * default bind queue, owned by this file.
 *
 * A file may hold at most max_vms_per_file VMs (module parameter; by
 * default a quarter of the device's address spaces): a VM counts from
 * VM_CREATE until its address space is free again, also after VM_DESTROY
 * while queues keep the VM alive.
 *
 * Errors: -EINVAL unknown @flags, FAULT_MODE without LR, non-zero
 * @extensions; -EOPNOTSUPP FAULT_MODE on a device without page faults;
 * -EMFILE the file holds max_vms_per_file VMs; -ENOSPC every firmware
 * address space is in use; -ENOMEM; -ENODEV, -ETIMEDOUT, -EIO as for every
 * firmware request.
 */
struct drm_pvgpu_vm_create {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @flags: DRM_PVGPU_VM_CREATE_*. */
	__u32 flags;
	/** @vm_id: out: the VM's id in this file, never 0. */
	__u32 vm_id;
};

/**
 * struct drm_pvgpu_vm_destroy - DRM_IOCTL_PVGPU_VM_DESTROY argument
 *
 * Drops the file's VM id. The VM lives on while queues or in-flight binds
 * use it; its mappings and address space go when the last user is gone.
 *
 * Errors: -ENOENT no such VM; -EINVAL non-zero @pad/@extensions.
 */
struct drm_pvgpu_vm_destroy {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @vm_id: the VM. */
	__u32 vm_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/* drm_pvgpu_vm_get_state.state */
#define DRM_PVGPU_VM_STATE_USABLE	0
/*
 * An asynchronous bind failed after its ioctl had returned: the VM's
 * mappings are no longer what userspace asked for. MAP operations fail with
 * -ECANCELED, UNMAP and UNMAP_ALL still work (to clean up), queues of the
 * VM keep their state and the jobs already submitted, but no new work
 * starts: EXEC on its queues and QUEUE_CREATE of an exec queue in it fail
 * with -ECANCELED (bind queues can still be created, for the UNMAPs).
 * There is no way back: destroy the VM.
 */
#define DRM_PVGPU_VM_STATE_UNUSABLE	1

/**
 * struct drm_pvgpu_vm_get_state - DRM_IOCTL_PVGPU_VM_GET_STATE argument
 *
 * Errors: -ENOENT no such VM; -EINVAL non-zero @pad/@extensions.
 */
struct drm_pvgpu_vm_get_state {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @vm_id: the VM. */
	__u32 vm_id;
	/** @state: out: DRM_PVGPU_VM_STATE_*. */
	__u32 state;
	/** @error: out: the negative errno that made it unusable, else 0. */
	__s32 error;
	/** @pad: must be zero. */
	__u32 pad;
	/** @num_mappings: out: GPU VA ranges mapped now (incl. NULL). */
	__u64 num_mappings;
	/*
	 * Fault-mode VMs (else 0), since the VM's creation; the same
	 * counters as debugfs and fdinfo (docs/svm.rst).
	 */
	/** @faults: out: GPU page faults its queues raised. */
	__u64 faults;
	/** @faults_resolved: out: answered by mapping and replaying. */
	__u64 faults_resolved;
	/** @faults_failed: out: unresolvable: the queue was failed. */
	__u64 faults_failed;
	/** @fault_ns: out: total time from fault event to answer. */
	__u64 fault_ns;
	/** @pages_populated: out: 4 KiB pages faults and PREFETCH mapped. */
	__u64 pages_populated;
	/**
	 * @invalidations: out: CPU-side changes (munmap, COW, ...) that
	 * cleared GPU entries of mirror or fault-mode userptr ranges.
	 */
	__u64 invalidations;
};

/* --- Synchronisation objects ------------------------------------------ */

/* drm_pvgpu_sync.type */
#define DRM_PVGPU_SYNC_SYNCOBJ		0	/* binary drm_syncobj, @handle */
#define DRM_PVGPU_SYNC_TIMELINE_SYNCOBJ	1	/* @handle at @timeline_value */
#define DRM_PVGPU_SYNC_SYNC_FILE	2	/* @handle: fd (EXEC only) */
/*
 * User fence (signal only): when the operation completes, the kernel writes
 * the 64-bit @timeline_value to the 8-byte aligned user address @addr of
 * the calling process and wakes DRM_IOCTL_PVGPU_WAIT_USER_FENCE waiters.
 */
#define DRM_PVGPU_SYNC_USER_FENCE	3

/* drm_pvgpu_sync.flags */
#define DRM_PVGPU_SYNC_SIGNAL		(1 << 0)	/* out-sync, else in-sync */

/**
 * struct drm_pvgpu_sync - one in- or out-synchronisation of VM_BIND or EXEC
 *
 * In-syncs are waited for before the operation starts. Out-syncs are
 * signalled when it completes: a syncobj gets the operation's fence (a
 * timeline syncobj at @timeline_value, which must be non-zero), SYNC_FILE
 * with SIGNAL returns a new sync_file fd in @handle (EXEC only), a user
 * fence is written.
 *
 * Fields a type does not use must be zero: @addr except for a user fence,
 * @timeline_value for a binary syncobj and a sync_file, @handle for a user
 * fence (for a SYNC_FILE out-sync @handle is output only).
 *
 * Errors of the ioctl that carries it: -EINVAL unknown @type or @flags,
 * non-zero @pad/@reserved or unused fields, a user fence as in-sync or with
 * an unaligned @addr, a timeline syncobj with value 0, SYNC_FILE on
 * VM_BIND, a dma-fence out-sync (anything but USER_FENCE) on an LR VM or
 * queue; -ENOENT @handle is no syncobj of this file, or a binary
 * in-syncobj has no fence (or a timeline point that was never submitted);
 * -EBADF @handle is not a sync_file fd; -EFAULT a user fence's @addr
 * outside the user address space, or a SYNC_FILE out-sync's @handle not
 * writable; -EMFILE no free fd for a SYNC_FILE out-sync. A user fence's
 * @addr is not probed: if it is not mapped writable when the operation
 * completes, the value is not written.
 *
 * A SYNC_FILE out-sync's fd is written to @handle before the operation is
 * committed and exists (is installed in the process) only once the ioctl
 * succeeds: an ioctl that fails, whatever the reason, leaves no new fd and
 * puts the @handle it read back.
 */
struct drm_pvgpu_sync {
	/** @type: DRM_PVGPU_SYNC_*. */
	__u32 type;
	/** @flags: DRM_PVGPU_SYNC_*. */
	__u32 flags;
	/** @handle: syncobj handle or sync_file fd. */
	__u32 handle;
	/** @pad: must be zero. */
	__u32 pad;
	/** @timeline_value: timeline point, or the user fence's value. */
	__u64 timeline_value;
	/** @addr: user fence address (8-byte aligned), else zero. */
	__u64 addr;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/* --- VM_BIND ----------------------------------------------------------- */

/* drm_pvgpu_vm_bind_op.op */
#define DRM_PVGPU_VM_BIND_OP_MAP		0	/* BO range at @addr */
#define DRM_PVGPU_VM_BIND_OP_UNMAP		1	/* [@addr, +@range) */
#define DRM_PVGPU_VM_BIND_OP_UNMAP_ALL		2	/* every mapping of BO */
#define DRM_PVGPU_VM_BIND_OP_MAP_USERPTR	3	/* user memory at @addr */
#define DRM_PVGPU_VM_BIND_OP_MAP_MIRROR		4	/* CPU address mirror */
#define DRM_PVGPU_VM_BIND_OP_PREFETCH		5	/* populate a range now */

/* drm_pvgpu_vm_bind_op.flags */
/* GPU writes fault (a fatal fault, or a recoverable one in fault mode). */
#define DRM_PVGPU_VM_BIND_FLAG_READONLY		(1 << 0)
/*
 * MAP only, @handle 0: sparse range, reads return zero, writes dropped.
 * Not with DRM_PVGPU_VM_BIND_FLAG_READONLY (-EINVAL): writes are dropped,
 * they cannot fault.
 */
#define DRM_PVGPU_VM_BIND_FLAG_NULL		(1 << 1)

/**
 * struct drm_pvgpu_vm_bind_op - one operation of DRM_IOCTL_PVGPU_VM_BIND
 *
 * @addr, @range, @obj_offset and @userptr are multiples of the page size
 * (4 KiB); [@addr, @addr + @range) lies in the user VA space, @range is not
 * 0. A MAP replaces whatever was mapped there before (existing mappings are
 * split as needed); an UNMAP of a range where nothing is mapped is not an
 * error.
 *
 * - MAP: @handle's pages [@obj_offset, + @range) (inside the object), or a
 *   NULL mapping with DRM_PVGPU_VM_BIND_FLAG_NULL and @handle 0.
 * - UNMAP: @handle, @obj_offset and @userptr must be 0.
 * - UNMAP_ALL: every mapping of @handle in this VM; @addr, @range,
 *   @obj_offset, @userptr must be 0.
 * - MAP_USERPTR: the calling process's anonymous or file memory
 *   [@userptr, + @range), pinned until unmapped; @handle must be 0. The
 *   pinned pages count against the process's RLIMIT_MEMLOCK (they show
 *   as VmPin in /proc/PID/status) unless it has CAP_IPC_LOCK, and are
 *   uncharged when the last of their mappings is gone. In a fault-mode
 *   VM nothing is pinned: the pages are looked up when the GPU first
 *   touches them (or by PREFETCH) and follow the process's address space
 *   as MAP_MIRROR does, at @userptr instead of @addr.
 * - MAP_MIRROR (fault-mode VMs only): [@addr, + @range) mirrors the
 *   calling process's CPU address space at the same addresses: a GPU
 *   access to an address of the range uses the page the CPU has there
 *   (anonymous, file-backed, stack, shared), found when the GPU first
 *   touches it or by PREFETCH; unmapping, remapping, fork's copy-on-write,
 *   madvise(MADV_DONTNEED), migration or reclaim on the CPU side clear the
 *   GPU's entries before the CPU proceeds, and the next GPU access faults
 *   again and sees the new page. Binding the whole user address range
 *   once is the intended use. An access to an address where the process
 *   has no mapping (or one the GPU cannot use: VM_IO/VM_PFNMAP) is an
 *   unresolvable fault, as is a write to memory the process cannot write
 *   or to a READONLY range. @handle, @obj_offset and @userptr must be 0;
 *   READONLY is the only flag.
 * - PREFETCH (fault-mode VMs only): populate the mappings of [@addr,
 *   + @range) now, as GPU faults would: BO ranges get their page-table
 *   entries, userptr and mirror ranges their pages (faulted in on the CPU
 *   side if needed, writable unless the range is READONLY or the memory
 *   is not writable). Parts with no mapping, or whose CPU memory cannot
 *   be used, are skipped (a GPU access there faults as it would have).
 *   No flag; @handle, @obj_offset and @userptr must be 0. A VM_BIND
 *   with PREFETCH operations may hold nothing else; it runs them in the
 *   calling thread after waiting, as DRM_PVGPU_VM_BIND_WAIT does, for
 *   the in-syncs and the queue's earlier jobs (whether or not WAIT is
 *   set), then completes as an empty job. A signal during the population
 *   returns -EINTR/-ERESTARTSYS; what was populated stays (a restart
 *   repeats the call, which is harmless). It stops with -ENOMEM, or
 *   -ENOSPC when the VM's page tables reach vm_pt_max_mb, or -ENODEV;
 *   what was populated before stays, the out-syncs are not signalled.
 *
 * In a fault-mode VM, a BO MAP writes no page-table entry: the GPU's
 * first access to each 2 MiB-aligned part of the range faults and the
 * kernel writes that part's entries, which translate exactly as an
 * eager bind's would (2 MiB leaves where the object's pages allow).
 * NULL mappings are written at bind time, in every VM.
 *
 * The CPU-side ranges of MAP_MIRROR and fault-mode MAP_USERPTR follow
 * one process: the one that made the VM's first such mapping. Another
 * process's MAP_MIRROR or MAP_USERPTR in that VM is -EINVAL.
 *
 * Errors: -EINVAL unknown @op/@flags, a flag the op does not take,
 * non-zero @pad/@reserved or fields the op does not use, unaligned or zero
 * or overflowing ranges, ranges outside the user VA space or the object;
 * -ENOENT @handle is no object of this file; -EFAULT @userptr not mapped
 * in the process (or not pinnable); -ECANCELED a MAP on an unusable VM;
 * -EINVAL also for a userptr range larger than RAM; -ENOMEM, also for a
 * userptr range that would take the process's pinned pages over its
 * RLIMIT_MEMLOCK (without CAP_IPC_LOCK; nothing is pinned or mapped then);
 * -EINVAL MAP_MIRROR or PREFETCH in a VM without fault mode, a PREFETCH
 * mixed with other operations in one call, MAP_MIRROR or fault-mode
 * MAP_USERPTR from a process other than the VM's mirrored one.
 * Before that -ENOMEM the call waits, interruptibly (-EINTR), for the
 * pages of unmaps in this VM that have completed to be unpinned, so that
 * they no longer count.
 */
struct drm_pvgpu_vm_bind_op {
	/** @op: DRM_PVGPU_VM_BIND_OP_*. */
	__u32 op;
	/** @flags: DRM_PVGPU_VM_BIND_FLAG_*. */
	__u32 flags;
	/** @handle: GEM handle (MAP, UNMAP_ALL), else 0. */
	__u32 handle;
	/** @pad: must be zero. */
	__u32 pad;
	/** @obj_offset: byte offset into the object (MAP). */
	__u64 obj_offset;
	/** @userptr: user address (MAP_USERPTR). */
	__u64 userptr;
	/** @addr: GPU VA. */
	__u64 addr;
	/** @range: bytes. */
	__u64 range;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/*
 * Return only when the binds are complete (their page tables written and
 * the GPU's TLBs invalidated). See struct drm_pvgpu_vm_bind.
 */
#define DRM_PVGPU_VM_BIND_WAIT		(1 << 0)

/**
 * struct drm_pvgpu_vm_bind - DRM_IOCTL_PVGPU_VM_BIND argument
 *
 * Executes @num_binds operations, in array order, as one job of bind
 * queue @queue_id (0: the VM's default bind queue; else a queue created
 * with DRM_PVGPU_ENGINE_CLASS_VM_BIND on this VM). Jobs of one bind queue
 * run in submission order; bind queues are independent of each other.
 * The job starts once every in-sync and the queue's previous job have
 * signalled, and completes once the page tables are written and the TLBs
 * invalidated; then the out-syncs signal. @num_binds 0 is a pure ordering
 * point: the out-syncs signal once the in-syncs and the queue's previous
 * work have.
 *
 * Everything that can fail (argument checks, handle and userptr lookups,
 * memory for page tables and mappings) happens before the job is
 * committed: an error leaves the VM, the queue and the syncs unchanged,
 * whichever operation of the array failed. An error while an
 * asynchronous job executes (none is expected but the firmware failing)
 * makes the VM unusable (DRM_PVGPU_VM_STATE_UNUSABLE) and its out-syncs
 * signal with that error.
 *
 * Asynchronous by default: the ioctl returns once the job is committed.
 * With DRM_PVGPU_VM_BIND_WAIT it waits, interruptibly, for the in-syncs
 * and the queue's previous work first; a signal during that wait returns
 * -EINTR (or restarts it with SA_RESTART) and nothing has changed. Only
 * then is the job committed and run, and from that point the ioctl does
 * not report an interruption: it waits uninterruptibly for the job, which
 * is bounded by the firmware request timeout, and returns the job's
 * result.
 *
 * Limits (module parameters): the page tables the operations may need in
 * the worst case, counted at 8 KiB each, may not exceed bind_pt_max_mb
 * per call nor take the VM past vm_pt_max_mb (tables the VM holds and
 * those reserved by its jobs not run yet); the queue may hold at most
 * max_jobs_per_queue jobs not completed.
 *
 * Errors: those of struct drm_pvgpu_vm_bind_op and struct drm_pvgpu_sync;
 * -ENOENT no such VM or queue, or a queue that is not a bind queue of this
 * VM; -EINVAL unknown @flags, non-zero @pad/@reserved/@extensions, more
 * than DRM_PVGPU_MAX_BINDS operations or DRM_PVGPU_MAX_SYNCS syncs;
 * -E2BIG the operations' page tables exceed bind_pt_max_mb (split the
 * call); -ENOSPC they would take the VM past vm_pt_max_mb;
 * -EWOULDBLOCK the queue holds max_jobs_per_queue jobs not completed;
 * -ECANCELED the bind queue was destroyed; -EINTR/-ERESTARTSYS (WAIT,
 * before commit); -EIO/-ETIMEDOUT/-ENODEV (WAIT: the job failed in the
 * firmware after commit, the VM is unusable).
 */
struct drm_pvgpu_vm_bind {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @vm_id: the VM. */
	__u32 vm_id;
	/** @queue_id: bind queue, 0 for the VM's default one. */
	__u32 queue_id;
	/** @num_binds: entries at @binds. */
	__u32 num_binds;
	/** @num_syncs: entries at @syncs. */
	__u32 num_syncs;
	/** @binds: user pointer to struct drm_pvgpu_vm_bind_op[]. */
	__u64 binds;
	/** @syncs: user pointer to struct drm_pvgpu_sync[]. */
	__u64 syncs;
	/** @flags: DRM_PVGPU_VM_BIND_*. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

#define DRM_PVGPU_MAX_BINDS		4096
#define DRM_PVGPU_MAX_SYNCS		64

/* --- Queues ------------------------------------------------------------ */

/* drm_pvgpu_queue_create.engine_class: also DRM_PVGPU_ENGINE_CLASS_*. */
#define DRM_PVGPU_ENGINE_CLASS_VM_BIND	0xff	/* a bind queue */

/* drm_pvgpu_queue_create.flags */
/* (none yet; an LR queue is a queue of an LR VM) */

/**
 * struct drm_pvgpu_queue_create - DRM_IOCTL_PVGPU_QUEUE_CREATE argument
 *
 * Creates a queue of VM @vm_id: an exec queue of an engine class (a
 * firmware queue the kernel submits to) or a bind queue
 * (DRM_PVGPU_ENGINE_CLASS_VM_BIND; @priority and @timeslice_us must be 0).
 * Each queue is its own dma-fence timeline: its fences signal in
 * submission order.
 *
 * A file may hold at most max_queues_per_file exec queues (module
 * parameter; by default a quarter of the device's); an exec queue counts
 * until it is released, a moment after QUEUE_DESTROY. Bind queues do not
 * count.
 *
 * Errors: -ENOENT no such VM; -EINVAL unknown engine class, priority or
 * timeslice out of range, unknown @flags, non-zero @extensions;
 * -EPERM a high priority without CAP_SYS_NICE; -EMFILE the file holds
 * max_queues_per_file exec queues; -ENOSPC the firmware's queue table or
 * doorbells are exhausted; -ECANCELED an exec queue in an unusable VM
 * (DRM_PVGPU_VM_STATE_UNUSABLE); -EOPNOTSUPP an exec queue on a device
 * older than interface 1.2 (no privileged queues: its batches could forge
 * completions); -ENOMEM; -ENODEV, -ETIMEDOUT, -EIO as for every firmware
 * request.
 */
struct drm_pvgpu_queue_create {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @vm_id: the VM the queue runs in. */
	__u32 vm_id;
	/** @engine_class: DRM_PVGPU_ENGINE_CLASS_*. */
	__u32 engine_class;
	/**
	 * @priority: scheduling priority, 0 .. num_priorities - 1
	 * (DRM_PVGPU_QUERY_DEVICE); the top two levels (high and realtime)
	 * need CAP_SYS_NICE.
	 */
	__u32 priority;
	/**
	 * @timeslice_us: scheduling quantum, 0 for the device default, else
	 * timeslice_min_us .. timeslice_max_us.
	 */
	__u32 timeslice_us;
	/** @flags: must be zero. */
	__u32 flags;
	/** @queue_id: out: the queue's id in this file, never 0. */
	__u32 queue_id;
};

/**
 * struct drm_pvgpu_queue_destroy - DRM_IOCTL_PVGPU_QUEUE_DESTROY argument
 *
 * Drops the queue's id and returns at once. An exec queue is killed: jobs
 * that have not completed are cancelled (their fences signal with
 * -ECANCELED) and the firmware queue is torn down in the background. A
 * bind queue finishes the jobs already submitted to it first.
 *
 * Errors: -ENOENT no such queue; -EINVAL non-zero @pad/@extensions.
 */
struct drm_pvgpu_queue_destroy {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @queue_id: the queue. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/* drm_pvgpu_queue_get_state.flags (out) */
#define DRM_PVGPU_QUEUE_STATE_BANNED	(1 << 0)	/* accepts no jobs */
#define DRM_PVGPU_QUEUE_STATE_RESET	(1 << 1)	/* was reset */
#define DRM_PVGPU_QUEUE_STATE_GUILTY	(1 << 2)	/* caused the reset */

/**
 * struct drm_pvgpu_queue_get_state - DRM_IOCTL_PVGPU_QUEUE_GET_STATE argument
 *
 * A queue is banned after a reset (a job timeout, a fatal GPU error of its
 * own: guilty; or of another queue on its engine: innocent). A banned
 * queue's outstanding fences have signalled with an error and EXEC on it
 * returns -ECANCELED; create a new queue to continue.
 *
 * Errors: -ENOENT no such queue; -EINVAL non-zero @pad/@extensions.
 */
struct drm_pvgpu_queue_get_state {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @queue_id: the queue. */
	__u32 queue_id;
	/** @flags: out: DRM_PVGPU_QUEUE_STATE_*. */
	__u32 flags;
	/** @error: out: negative errno its fences got, else 0. */
	__s32 error;
	/** @pad: must be zero. */
	__u32 pad;
	/** @jobs_submitted: out: jobs accepted so far. */
	__u64 jobs_submitted;
	/** @jobs_completed: out: jobs whose fence has signalled. */
	__u64 jobs_completed;
	/**
	 * @reason: out: why the queue was reset, DRM_PVGPU_QUEUE_REASON_*,
	 * 0 while it was not.
	 */
	__u32 reason;
	/**
	 * @fw_state: out, user queues only (else 0): what the firmware
	 * reports, DRM_PVGPU_USERQ_STATE_*.
	 */
	__u32 fw_state;
	/**
	 * @retired: out, user queues only: ring bytes the queue retired
	 * since its creation (the kernel's copy of the status page's).
	 */
	__u64 retired;
	/**
	 * @fault_addr: out, when @reason is PAGE_FAULT or FAULT_FAILED: the
	 * GPU virtual address whose access failed, else 0.
	 */
	__u64 fault_addr;
	/** @fault_access: out: DRM_PVGPU_FAULT_ACCESS_* of that access. */
	__u32 fault_access;
	/** @fault_type: out: DRM_PVGPU_FAULT_TYPE_* of that access. */
	__u32 fault_type;
};

/* drm_pvgpu_queue_get_state.fault_access (as the firmware's PVGPU_ACCESS_*) */
#define DRM_PVGPU_FAULT_ACCESS_READ	0
#define DRM_PVGPU_FAULT_ACCESS_WRITE	1
#define DRM_PVGPU_FAULT_ACCESS_ATOMIC	2

/* drm_pvgpu_queue_get_state.fault_type (as the firmware's PVGPU_FAULT_*) */
#define DRM_PVGPU_FAULT_TYPE_NOT_PRESENT	1	/* nothing mapped */
#define DRM_PVGPU_FAULT_TYPE_WRITE_PROTECT	2	/* write, read-only */
#define DRM_PVGPU_FAULT_TYPE_PT_DMA		3	/* page table unreadable */
#define DRM_PVGPU_FAULT_TYPE_NO_AS		4	/* no address space */
#define DRM_PVGPU_FAULT_TYPE_BAD_PA		5	/* outside guest RAM */

/*
 * drm_pvgpu_queue_get_state.reason: the firmware's queue error codes
 * (docs/firmware-protocol.rst), and the kernel's own from 64.
 */
#define DRM_PVGPU_QUEUE_REASON_NONE		0
#define DRM_PVGPU_QUEUE_REASON_ILLEGAL_CMD	1	/* unknown command */
#define DRM_PVGPU_QUEUE_REASON_BAD_ENGINE	2	/* wrong engine class */
#define DRM_PVGPU_QUEUE_REASON_PAGE_FAULT	3	/* fatal GPU page fault */
#define DRM_PVGPU_QUEUE_REASON_BATCH_DEPTH	4	/* batches nested too deep */
#define DRM_PVGPU_QUEUE_REASON_BAD_ARGS		5	/* command arguments */
#define DRM_PVGPU_QUEUE_REASON_HANG		6	/* watchdog: no progress */
#define DRM_PVGPU_QUEUE_REASON_PREEMPT_TIMEOUT	7	/* did not yield */
#define DRM_PVGPU_QUEUE_REASON_FAULT_FAILED	8	/* fault not resolved */
#define DRM_PVGPU_QUEUE_REASON_RESET		9	/* reset by the kernel */
#define DRM_PVGPU_QUEUE_REASON_BAD_POINTER	10	/* ring or pointers bad */
#define DRM_PVGPU_QUEUE_REASON_PRIVILEGED	11	/* privileged command */
/*
 * The device's execution backend failed on the host (a virglrenderer or GL
 * error, its worker hung or died): only this queue stopped; its fences
 * signal -EIO. The device's firmware log says why.
 */
#define DRM_PVGPU_QUEUE_REASON_BACKEND		12
/* A fence of DRM_IOCTL_PVGPU_USERQ_SIGNAL timed out. */
#define DRM_PVGPU_QUEUE_REASON_SIGNAL_TIMEOUT	64
/*
 * The device was reset while the queue had work begun and not finished
 * (an exec queue), or had any work at all (a user queue: its state is
 * lost): it is banned, its fences signal -ECANCELED (docs/reset.rst).
 */
#define DRM_PVGPU_QUEUE_REASON_DEVICE_RESET	65

/* drm_pvgpu_queue_get_state.fw_state (user queues) */
#define DRM_PVGPU_USERQ_STATE_IDLE	1	/* ring empty */
#define DRM_PVGPU_USERQ_STATE_RUNNING	2	/* work (in a slot or waiting
						 * for one, or in a WAIT) */
#define DRM_PVGPU_USERQ_STATE_SUSPENDED	3	/* suspended by the kernel */
#define DRM_PVGPU_USERQ_STATE_STOPPED	4	/* stopped by an error */

/* --- EXEC -------------------------------------------------------------- */

/* drm_pvgpu_exec.flags: EXEC has no synchronous mode. */
#define DRM_PVGPU_EXEC_WAIT		(1 << 0)	/* always -EOPNOTSUPP */

/**
 * struct drm_pvgpu_exec - DRM_IOCTL_PVGPU_EXEC argument
 *
 * Runs the batch buffer at GPU VA @batch_address (commands of pvgpu_cmds.h,
 * ending with BATCH_RETURN) on exec queue @queue_id, after every in-sync and
 * the queue's previous job. @num_batch 0 is an ordering point: no batch,
 * the out-syncs signal once the in-syncs and the queue's previous work
 * have. The job's fence (the queue's timeline) is what the out-syncs get.
 * Buffers mapped in the queue's VM stay valid for the job: pvgpu does not
 * evict. Implicit synchronisation covers only shared buffers (exported or
 * imported with PRIME) mapped in the queue's VM: the job waits for every
 * fence of their dma-resv (readers and writers) and its fence is added to
 * them as a writer (not for an LR queue); private buffers synchronise only
 * through the syncs.
 *
 * Errors: those of struct drm_pvgpu_sync; -ENOENT no such queue or a bind
 * queue; -EINVAL @num_batch > 1, @batch_address unaligned (4 bytes) or
 * outside the user VA space (or not 0 with @num_batch 0), unknown @flags,
 * non-zero @reserved/@extensions, more than DRM_PVGPU_MAX_SYNCS syncs;
 * -EOPNOTSUPP
 * DRM_PVGPU_EXEC_WAIT; -ECANCELED the queue is banned or its VM unusable
 * (DRM_PVGPU_VM_STATE_UNUSABLE); -EWOULDBLOCK the queue holds
 * max_jobs_per_queue (module parameter) jobs not completed, or the ring
 * of an LR queue is full (jobs of other queues wait for ring room); -EINTR a
 * signal while waiting for a lock (nothing changed; restarted with
 * SA_RESTART); -ENODEV the device is gone; -ENOMEM.
 */
struct drm_pvgpu_exec {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @queue_id: the exec queue. */
	__u32 queue_id;
	/** @num_batch: 0 (ordering point) or 1. */
	__u32 num_batch;
	/** @batch_address: GPU VA of the batch buffer. */
	__u64 batch_address;
	/** @num_syncs: entries at @syncs. */
	__u32 num_syncs;
	/** @flags: DRM_PVGPU_EXEC_*. */
	__u32 flags;
	/** @syncs: user pointer to struct drm_pvgpu_sync[]. */
	__u64 syncs;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/* --- WAIT_USER_FENCE --------------------------------------------------- */

/* drm_pvgpu_wait_user_fence.op: (*addr & mask) OP (value & mask) */
#define DRM_PVGPU_UFENCE_OP_EQ		0
#define DRM_PVGPU_UFENCE_OP_NEQ		1
#define DRM_PVGPU_UFENCE_OP_GT		2
#define DRM_PVGPU_UFENCE_OP_GTE		3
#define DRM_PVGPU_UFENCE_OP_LT		4
#define DRM_PVGPU_UFENCE_OP_LTE		5

/* drm_pvgpu_wait_user_fence.flags */
/* @timeout is an absolute CLOCK_MONOTONIC time in ns, else relative. */
#define DRM_PVGPU_UFENCE_WAIT_ABSTIME	(1 << 0)

/**
 * struct drm_pvgpu_wait_user_fence - DRM_IOCTL_PVGPU_WAIT_USER_FENCE argument
 *
 * Waits until the 64-bit value at user address @addr (8-byte aligned), ANDed
 * with @mask, compares to @value & @mask with @op as true. A relative
 * @timeout is updated to the time left when the ioctl returns
 * -EINTR/-ERESTARTSYS, so a restart continues the same wait; a negative
 * @timeout waits forever, 0 checks once.
 *
 * The value is read at the start and re-read only after an event of this
 * file that can have changed it:
 *
 * - the kernel wrote a DRM_PVGPU_SYNC_USER_FENCE of an EXEC or VM_BIND made
 *   through this file at @addr in the caller's address space (whatever
 *   @queue_id names);
 * - jobs of the exec queue @queue_id completed (a batch may have written
 *   the value), a batch of it executed a SIGNAL with the IRQ flag, or that
 *   queue was reset or banned; with @queue_id 0, the same events of any
 *   exec queue of this file. A bind queue named in @queue_id has no such
 *   events: only the user-fence writes above wake the wait.
 *
 * So name the queue whose batches write the value, or 0 when several
 * queues of this file do. A value written by anything else (the CPU, a job
 * of another file, a job of another queue than @queue_id) is seen only at
 * the next such event, or not before the timeout. Events of other files
 * never wake this wait.
 *
 * Errors: -EINVAL unknown @op/@flags, unaligned @addr, non-zero
 * @pad/@reserved/@extensions; -EFAULT @addr not readable; -ENOENT
 * @queue_id is no queue of this file; -ETIME the timeout expired; -EIO
 * @queue_id (if not 0) was reset while waiting; -EINTR/-ERESTARTSYS.
 */
struct drm_pvgpu_wait_user_fence {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @addr: user address of the 64-bit value. */
	__u64 addr;
	/** @op: DRM_PVGPU_UFENCE_OP_*. */
	__u32 op;
	/** @flags: DRM_PVGPU_UFENCE_WAIT_*. */
	__u32 flags;
	/** @value: value to compare with. */
	__u64 value;
	/** @mask: bits that count. */
	__u64 mask;
	/** @timeout: ns; see above. */
	__s64 timeout;
	/**
	 * @queue_id: a queue of this file (exec or bind): the completions
	 * and SIGNAL interrupts of an exec queue wake the wait and its reset
	 * ends it with -EIO; or 0: those of every exec queue of this file
	 * wake it.
	 */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/* --- User queues --------------------------------------------------------- */

/*
 * mmap() offsets of user-queue pages (DRM_IOCTL_PVGPU_USERQ_CREATE returns
 * them), beyond every GEM offset; 64-bit processes only.
 */
#define DRM_PVGPU_USERQ_MMAP_BASE	(1ull << 56)

/**
 * struct drm_pvgpu_userq_status - the read-only status page of a user queue
 *
 * Written by the firmware; mapped read-only (PROT_WRITE is refused).
 */
struct drm_pvgpu_userq_status {
	/** @rptr: byte offset in the ring of the next command to run. */
	__u32 rptr;
	/** @pad: zero. */
	__u32 pad[3];
	/**
	 * @retired: ring bytes retired since creation; @retired modulo the
	 * ring size is @rptr. Never goes backwards.
	 */
	__u64 retired;
	/** @notify_at: the kernel's (DRM_IOCTL_PVGPU_USERQ_SIGNAL). */
	__u64 notify_at;
};

/**
 * struct drm_pvgpu_userq_create - DRM_IOCTL_PVGPU_USERQ_CREATE argument
 *
 * Creates a user queue: a firmware queue whose ring is GPU memory of VM
 * @vm_id that userspace writes commands to (docs/commands.rst, user
 * commands only), with no ioctl on the submission path: write commands at
 * the write pointer, store the new write pointer (a byte offset in the
 * ring) in the write-pointer page, then write any 32-bit value to the
 * queue's doorbell. The firmware reports its progress in the status page.
 *
 * Three pages are mapped with mmap() on the DRM file at the offsets
 * returned: the status page (struct drm_pvgpu_userq_status, read-only),
 * the write-pointer page (the u32 at offset 0) and the file's doorbell
 * page (the queue's doorbell is the u32 at @doorbell_offset; other queues
 * of the same file share the page, no other file can map it). Each
 * mapping is one page, not inherited by fork() (the child may map again
 * through the same file), and the status and write-pointer pages stay
 * valid (if no longer written) after the queue is destroyed.
 *
 * The queue is destroyed with DRM_IOCTL_PVGPU_QUEUE_DESTROY and queried
 * with DRM_IOCTL_PVGPU_QUEUE_GET_STATE like any queue; it takes no EXEC.
 * Memory of @vm_id the ring or the commands use must stay bound while the
 * queue runs: an access to an unbound address is a GPU page fault that
 * stops the queue (DRM_PVGPU_QUEUE_REASON_PAGE_FAULT). A VM_BIND that
 * changes the VM's mappings suspends the VM's user queues around the
 * change (at a command boundary), so none runs on half-changed tables.
 *
 * Limits: max_user_queues_per_file per file (module parameter, default
 * 64); a doorbell page per file that has a user queue, as many as the
 * device has pages after the kernel's.
 *
 * Errors: -ENOENT no such VM; -EINVAL unknown engine class, priority or
 * timeslice out of range, @ring_size not a power of two within 4 KiB ..
 * 4 MiB, @ring_va not aligned to 4 KiB or outside the VM's user range,
 * non-zero @flags/@pad/@extensions; -EPERM a high priority without
 * CAP_SYS_NICE; -ENOSPC the file holds max_user_queues_per_file user
 * queues, no doorbell page is left, or the firmware's queue table is full;
 * -ECANCELED an unusable VM; -EOPNOTSUPP a device older than interface
 * 1.2; -ENOMEM; -ENODEV, -ETIMEDOUT, -EIO as for every firmware request.
 */
struct drm_pvgpu_userq_create {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @vm_id: the VM the queue runs in. */
	__u32 vm_id;
	/** @engine_class: DRM_PVGPU_ENGINE_CLASS_COPY or _COMPUTE. */
	__u32 engine_class;
	/** @priority: as for DRM_IOCTL_PVGPU_QUEUE_CREATE. */
	__u32 priority;
	/** @timeslice_us: as for DRM_IOCTL_PVGPU_QUEUE_CREATE. */
	__u32 timeslice_us;
	/** @ring_va: GPU VA of the ring in @vm_id, 4 KiB aligned. */
	__u64 ring_va;
	/** @ring_size: bytes, a power of two, 4 KiB .. 4 MiB. */
	__u32 ring_size;
	/** @flags: must be zero. */
	__u32 flags;
	/** @queue_id: out: the queue's id in this file (the exec queues'). */
	__u32 queue_id;
	/** @doorbell_offset: out: byte offset of the doorbell in its page. */
	__u32 doorbell_offset;
	/** @status_offset: out: mmap() offset of the status page. */
	__u64 status_offset;
	/** @wptr_offset: out: mmap() offset of the write-pointer page. */
	__u64 wptr_offset;
	/** @doorbell_page_offset: out: mmap() offset of the doorbell page. */
	__u64 doorbell_page_offset;
};

/**
 * struct drm_pvgpu_userq_signal - DRM_IOCTL_PVGPU_USERQ_SIGNAL argument
 *
 * A bridge from a user queue to syncobjs: the out-syncs (drm_pvgpu_sync
 * with DRM_PVGPU_SYNC_SIGNAL; in a long-running VM user fences only) get
 * a fence that signals once the queue has retired every command written
 * before the call: the firmware's retired count reaches the position the
 * write pointer page names at the call. In-syncs are waited for first.
 * Fences of successive calls signal in call order.
 *
 * Forward progress: a fence that has not signalled signal_timeout_ms
 * (module parameter, default 5000) after its wait began signals with
 * -ETIMEDOUT; the queue is then reset and banned (reason
 * DRM_PVGPU_QUEUE_REASON_SIGNAL_TIMEOUT), and so are the later fences. A
 * queue the firmware stopped signals them with -EIO (-ETIMEDOUT after a
 * hang, -ECANCELED if another queue caused it), a destroyed one with
 * -ECANCELED.
 *
 * Errors: -ENOENT no such user queue; -ECANCELED a banned queue; -EINVAL
 * non-zero @flags/@pad/@reserved/@extensions, more than
 * DRM_PVGPU_MAX_SYNCS syncs or a bad sync (as for DRM_IOCTL_PVGPU_EXEC:
 * -ENOENT an unknown syncobj or an in-syncobj without a fence; no
 * sync_file); -EWOULDBLOCK max_jobs_per_queue fences pending; -ENODEV;
 * -ENOMEM; -EFAULT.
 */
struct drm_pvgpu_userq_signal {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @queue_id: the user queue. */
	__u32 queue_id;
	/** @num_syncs: entries at @syncs. */
	__u32 num_syncs;
	/** @syncs: user pointer to struct drm_pvgpu_sync[]. */
	__u64 syncs;
	/** @flags: must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/**
 * struct drm_pvgpu_userq_wait - DRM_IOCTL_PVGPU_USERQ_WAIT argument
 *
 * A bridge from syncobjs to a user queue: once every in-sync has
 * signalled, the kernel writes each out-sync, which must be a user fence
 * (DRM_PVGPU_SYNC_USER_FENCE), and wakes its waiters. A user queue waits
 * for it with a WAIT command on the same memory bound at a GPU VA. The
 * value is written even if an in-fence signalled with an error (the
 * queue's commands decide; a failed fence is not a reason to hang the
 * queue). Not ordered with the queue's SIGNAL fences.
 *
 * Errors: -ENOENT no such user queue; -ECANCELED a banned queue; -EINVAL
 * non-zero @flags/@pad/@reserved/@extensions, an out-sync that is not a
 * user fence, no out-sync, more than DRM_PVGPU_MAX_SYNCS syncs or a bad
 * sync (-ENOENT an unknown syncobj or one without a fence, as for EXEC);
 * -ENODEV; -ENOMEM; -EFAULT.
 */
struct drm_pvgpu_userq_wait {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @queue_id: the user queue that will wait. */
	__u32 queue_id;
	/** @num_syncs: entries at @syncs. */
	__u32 num_syncs;
	/** @syncs: user pointer to struct drm_pvgpu_sync[]. */
	__u64 syncs;
	/** @flags: must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/* --- Events ---------------------------------------------------------------- */

/*
 * Event types (drm_pvgpu_event.type). DRM_PVGPU_EVENT_MASK(type) is the
 * type's bit in a type mask.
 */
/*
 * A queue finished work: an exec queue's jobs completed (@data[0]: the
 * jobs completed so far), or a user queue ran a SIGNAL command with
 * PVGPU_CMD_SIGNAL_IRQ (@data[0]: its retired count when the kernel saw
 * the event, at or past the SIGNAL; @data[1]: the value the SIGNAL
 * stored). Frequent: one record per completion pass, not per
 * job.
 */
#define DRM_PVGPU_EVENT_QUEUE_EOP	0
/*
 * A queue was reset and banned: @data[0] the reason
 * (DRM_PVGPU_QUEUE_REASON_*), @data[1] the negative errno its fences got;
 * @flags DRM_PVGPU_EVENT_GUILTY if it caused the reset.
 */
#define DRM_PVGPU_EVENT_QUEUE_RESET	1
/*
 * A GPU page fault of a queue was not resolved (the queue stops):
 * @data[0] the GPU VA, @data[1] the access (0 read, 1 write, 2 atomic),
 * @data[2] the firmware's fault reason (docs/page-tables.rst).
 */
#define DRM_PVGPU_EVENT_FAULT_ERROR	2
/*
 * A VM became unusable (an asynchronous bind failed; @data[0] its
 * negative errno). DRM_IOCTL_PVGPU_VM_RESTART makes it usable again.
 */
#define DRM_PVGPU_EVENT_VM_ERROR	3
/* The device stopped working (wedged): every queue was banned. */
#define DRM_PVGPU_EVENT_DEVICE_WEDGED	4
/*
 * The device was reset and recovered: @data[0] the reset count
 * (drm_pvgpu_query_device.reset_count), @data[1] the cause
 * (DRM_PVGPU_RESET_CAUSE_*). Queues that lost work got their own
 * DRM_PVGPU_EVENT_QUEUE_RESET before it.
 */
#define DRM_PVGPU_EVENT_DEVICE_RESET	5
#define DRM_PVGPU_EVENT_NUM_TYPES	6
#define DRM_PVGPU_EVENT_MASK(type)	(1u << (type))
#define DRM_PVGPU_EVENT_ALL \
	((1u << DRM_PVGPU_EVENT_NUM_TYPES) - 1)

/* DRM_PVGPU_EVENT_DEVICE_RESET data[1]: why the device was reset */
#define DRM_PVGPU_RESET_CAUSE_REQUESTED	1	/* debugfs "reset" */
#define DRM_PVGPU_RESET_CAUSE_FW_CRASH	2	/* the firmware halted */
#define DRM_PVGPU_RESET_CAUSE_FW_ERROR	3	/* a request failed or timed out */
#define DRM_PVGPU_RESET_CAUSE_ENGINE	4	/* an engine did not recover
						 * from a queue reset */
#define DRM_PVGPU_RESET_CAUSE_POWER_LOSS 5	/* the device lost its state
						 * in system sleep */

/* drm_pvgpu_event.flags */
#define DRM_PVGPU_EVENT_GUILTY		(1 << 0)	/* QUEUE_RESET */

/**
 * struct drm_pvgpu_event - one event record (DRM_IOCTL_PVGPU_WAIT_EVENT)
 */
struct drm_pvgpu_event {
	/**
	 * @seqno: the file's record number, from 1; a gap means the records
	 * in between were lost (see drm_pvgpu_wait_event.lost).
	 */
	__u64 seqno;
	/** @timestamp_ns: when the driver saw it, CLOCK_MONOTONIC. */
	__u64 timestamp_ns;
	/** @type: DRM_PVGPU_EVENT_*. */
	__u32 type;
	/** @flags: DRM_PVGPU_EVENT_GUILTY or 0. */
	__u32 flags;
	/** @queue_id: the queue it concerns, or 0. */
	__u32 queue_id;
	/** @vm_id: the VM it concerns (a queue's VM too), or 0. */
	__u32 vm_id;
	/** @data: the type's payload (see the types). */
	__u64 data[3];
};

/* drm_pvgpu_event_subscribe.flags: what @object_id names */
#define DRM_PVGPU_EVENT_FILTER_QUEUE	(1 << 0)
#define DRM_PVGPU_EVENT_FILTER_VM	(1 << 1)

/**
 * struct drm_pvgpu_event_subscribe - DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE argument
 *
 * From now on, records of the types in @type_mask are kept in the file's
 * event ring (DRM_PVGPU_EVENT_RING_SIZE records), and @eventfd is
 * signalled for each one; with a filter only for records naming that
 * queue (DRM_PVGPU_EVENT_FILTER_QUEUE) or that VM or a queue of it
 * (DRM_PVGPU_EVENT_FILTER_VM; device records match every filter). The
 * eventfd is only a wake-up: the records are read with
 * DRM_IOCTL_PVGPU_WAIT_EVENT. A file keeps a record if any of its
 * subscriptions wants it, once; a file with no subscription keeps none.
 * The filter's object need not exist (yet): ids are not reused while the
 * file holds them, and nothing matches an id that is gone.
 *
 * A file holds at most DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS subscriptions; the
 * subscription holds a reference to the eventfd until unsubscribed or the
 * file is closed.
 *
 * Errors: -EINVAL @type_mask 0 or with unknown bits, unknown @flags, both
 * filters, @object_id without a filter or 0 with one, non-zero
 * @pad/@extensions, or @eventfd is not an eventfd; -EBADF @eventfd is no
 * open file; -ENOSPC the file holds DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS;
 * -ENOMEM.
 */
struct drm_pvgpu_event_subscribe {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @eventfd: an eventfd file descriptor of the caller. */
	__s32 eventfd;
	/** @type_mask: DRM_PVGPU_EVENT_MASK() bits, not 0. */
	__u32 type_mask;
	/** @flags: DRM_PVGPU_EVENT_FILTER_QUEUE or _VM, or 0. */
	__u32 flags;
	/** @object_id: the queue or VM id the filter names, else 0. */
	__u32 object_id;
	/** @subscription_id: out: the subscription's id, never 0. */
	__u32 subscription_id;
	/** @pad: must be zero. */
	__u32 pad;
};

#define DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS	64
#define DRM_PVGPU_EVENT_RING_SIZE		256

/**
 * struct drm_pvgpu_event_unsubscribe - DRM_IOCTL_PVGPU_EVENT_UNSUBSCRIBE argument
 *
 * Ends a subscription: its eventfd is no longer signalled and released.
 * Records already in the ring stay.
 *
 * Errors: -ENOENT no such subscription; -EINVAL non-zero @pad/@extensions.
 */
struct drm_pvgpu_event_unsubscribe {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @subscription_id: the subscription. */
	__u32 subscription_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/* drm_pvgpu_wait_event.flags */
#define DRM_PVGPU_WAIT_EVENT_ABSTIME	(1 << 0)	/* absolute @timeout */
#define DRM_PVGPU_WAIT_EVENT_MEM	(1 << 1)	/* the memory condition */

/**
 * struct drm_pvgpu_wait_event - DRM_IOCTL_PVGPU_WAIT_EVENT argument
 *
 * Takes up to @num_records records of the types in @type_mask (0: every
 * type) from the file's event ring, oldest first, and copies them to
 * @records; records of other types stay for another reader. Waits until
 * there is at least one, records were lost, or (with
 * DRM_PVGPU_WAIT_EVENT_MEM) the 64-bit value at user address @mem_addr,
 * ANDed with @mem_mask, compares to @mem_value & @mem_mask with @mem_op
 * (DRM_PVGPU_UFENCE_OP_*) as true; the condition is checked at the call
 * and at each record the file gets. @timeout is in ns: relative, or an
 * absolute CLOCK_MONOTONIC time with DRM_PVGPU_WAIT_EVENT_ABSTIME;
 * negative waits forever, 0 checks once. A relative @timeout is rewritten
 * to the time left on -EINTR/-ERESTARTSYS, so a restarted call continues
 * the same wait.
 *
 * @lost is the number of records the ring had no room for since the last
 * call that reported lost ones (reported once, then reset); the records
 * returned then follow the gap (their seqnos show where it was).
 *
 * Errors: -ETIME nothing before the deadline; -EINVAL @num_records 0 or
 * above DRM_PVGPU_EVENT_RING_SIZE, unknown @type_mask bits or @flags, a bad
 * @mem_op, a misaligned @mem_addr, memory fields without
 * DRM_PVGPU_WAIT_EVENT_MEM, non-zero @reserved/@extensions; -EFAULT
 * @records or @mem_addr not accessible (records already taken are put
 * back); -EINTR/-ERESTARTSYS a signal.
 */
struct drm_pvgpu_wait_event {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @records: user pointer to struct drm_pvgpu_event[@num_records]. */
	__u64 records;
	/** @num_records: in: room at @records; out: records written. */
	__u32 num_records;
	/** @type_mask: DRM_PVGPU_EVENT_MASK() bits to take; 0: all. */
	__u32 type_mask;
	/** @flags: DRM_PVGPU_WAIT_EVENT_*. */
	__u32 flags;
	/** @mem_op: DRM_PVGPU_UFENCE_OP_* (with DRM_PVGPU_WAIT_EVENT_MEM). */
	__u32 mem_op;
	/** @timeout: ns; see above. */
	__s64 timeout;
	/** @mem_addr: user address of the value (8-byte aligned). */
	__u64 mem_addr;
	/** @mem_value: value to compare with. */
	__u64 mem_value;
	/** @mem_mask: bits that count. */
	__u64 mem_mask;
	/** @lost: out: records lost since they were last reported. */
	__u64 lost;
	/** @reserved: must be zero. */
	__u64 reserved[2];
};

/**
 * struct drm_pvgpu_vm_restart - DRM_IOCTL_PVGPU_VM_RESTART argument
 *
 * Makes an unusable VM (DRM_PVGPU_VM_STATE_UNUSABLE, after an asynchronous
 * bind failed) usable again once every bind submitted before the call
 * completed: its whole TLB is invalidated and the error cleared. The VM
 * then maps what its binds left mapped, the failed one's operations
 * included (their fence reported the error; what they removed stays
 * allocated until the VM goes); userspace repairs what it needs with
 * VM_BIND. MAP binds, new exec and user queues and EXEC are allowed again;
 * queues banned meanwhile stay banned.
 *
 * Errors: -ENOENT no such VM; -EINVAL the VM is usable, non-zero
 * @pad/@extensions; -EINTR/-ERESTARTSYS a signal while waiting for the
 * binds (nothing changed); -ENODEV, -ETIMEDOUT, -EIO as for every firmware
 * request (the device is then stopped and the VM stays unusable).
 */
struct drm_pvgpu_vm_restart {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @vm_id: the VM. */
	__u32 vm_id;
	/** @pad: must be zero. */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _PVGPU_DRM_H_ */

/* SPDX-License-Identifier: MIT */
/*
 * pvgpu hardware interface: PCI identity, BAR layout, BAR0 registers,
 * doorbells and interrupt causes.
 *
 * This header is the single definition shared by the firmware model, the
 * QEMU device, the guest driver and the tests. The specification is
 * docs/registers.rst; change both together.
 *
 * All registers are 32 bits wide, little-endian, and must be accessed with
 * naturally aligned 32-bit accesses. Other access sizes are ignored (writes)
 * or read as zero, and logged as guest errors.
 */
#ifndef PVGPU_REGS_H
#define PVGPU_REGS_H

/* --- PCI identity ------------------------------------------------------ */

#define PVGPU_PCI_VENDOR_ID		0x1234
#define PVGPU_PCI_DEVICE_ID		0x9067
#define PVGPU_PCI_REVISION		0x01
/* PCI class: display controller / 3D controller */
#define PVGPU_PCI_CLASS			0x0302

/* --- BARs -------------------------------------------------------------- */

/* BAR0: registers (first 4 KiB), then the MSI-X table and PBA. */
#define PVGPU_BAR_REGS			0
#define PVGPU_BAR0_SIZE			0x4000
#define PVGPU_REGS_SIZE			0x1000
#define PVGPU_MSIX_TABLE_OFFSET		0x2000
#define PVGPU_MSIX_PBA_OFFSET		0x3000

/*
 * BAR2: doorbells. One 4 KiB page per doorbell group, so a page can be
 * mapped into exactly one process; PVGPU_REG_DOORBELL_COUNT pages. A page
 * holds PVGPU_DOORBELLS_PER_PAGE doorbells, one dword each: a 32-bit write
 * of any value at byte offset index * 4 of page @group rings doorbell
 *
 *	id = group * PVGPU_DOORBELLS_PER_PAGE + index
 *
 * (ids 0 .. DOORBELL_COUNT * PVGPU_DOORBELLS_PER_PAGE - 1). A queue names
 * its doorbell by id (pvgpu_queue_desc.doorbell). Group 0 belongs to the
 * kernel driver: its index 0 is the host-to-firmware channel doorbell,
 * indices 1 .. 1023 are doorbells of kernel-managed queues. Groups 1 ..
 * DOORBELL_COUNT - 1 are for user-mode queues, one page per process.
 */
#define PVGPU_BAR_DOORBELLS		2
#define PVGPU_DOORBELL_PAGE_SIZE	0x1000
#define PVGPU_DOORBELL_SIZE		4
/* PVGPU_DOORBELL_PAGE_SIZE / PVGPU_DOORBELL_SIZE */
#define PVGPU_DOORBELLS_PER_PAGE	1024
#define PVGPU_DOORBELL_GROUP_KERNEL	0
/* Offset inside group 0 of the firmware-channel doorbell. */
#define PVGPU_DOORBELL_H2F		0x0
/* Its doorbell id, which no queue may use. */
#define PVGPU_DOORBELL_ID_H2F		0

/* Doorbell id of dword @index (0 .. 1023) of doorbell page @group. */
#define PVGPU_DOORBELL_ID(group, index) \
	((group) * PVGPU_DOORBELLS_PER_PAGE + (index))
/* The page (group) and the dword in it of doorbell @id. */
#define PVGPU_DOORBELL_GROUP(id)	((id) / PVGPU_DOORBELLS_PER_PAGE)
#define PVGPU_DOORBELL_INDEX(id)	((id) % PVGPU_DOORBELLS_PER_PAGE)
/* Byte offset of doorbell @id inside its page. */
#define PVGPU_DOORBELL_OFFSET(id) \
	(PVGPU_DOORBELL_INDEX(id) * PVGPU_DOORBELL_SIZE)
/* Byte offset of doorbell @id in BAR2 (its page's offset + the above). */
#define PVGPU_DOORBELL_BAR_OFFSET(id)	((id) * PVGPU_DOORBELL_SIZE)

/* --- Interface version ------------------------------------------------- */

#define PVGPU_IFACE_MAJOR		1
#define PVGPU_IFACE_MINOR		5
/* Minor 1 added PVGPU_REG_SELFTEST_IRQ and PVGPU_IRQ_SELFTEST. */
#define PVGPU_IFACE_MINOR_SELFTEST_IRQ	1
/*
 * Minor 2 added privileged (kernel) queues: PVGPU_QUEUE_DESC_PRIVILEGED,
 * pvgpu_queue_desc.fence_addr, the FENCE command, PVGPU_QUEUE_ERR_PRIVILEGED
 * and PVGPU_EVT_SIGNAL_FENCE.
 */
#define PVGPU_IFACE_MINOR_PRIV_QUEUES	2
/*
 * Minor 3 added the pending fault to the QUEUE_QUERY response
 * (pvgpu_msg_queue_state.fault_*): a lost PAGE_FAULT event can be answered.
 */
#define PVGPU_IFACE_MINOR_FAULT_QUERY	3
/*
 * Minor 4 added the test-injection register PVGPU_REG_TEST_INJECT (present
 * only with PVGPU_HWCAP_TEST_INJECT) and pvgpu_evt_queue_error.flags
 * (PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED).
 */
#define PVGPU_IFACE_MINOR_TEST_INJECT	4
/*
 * Minor 5 added execution backends: PVGPU_HWCAP_BACKEND_VIRGL and the queue
 * error PVGPU_QUEUE_ERR_BACKEND with PVGPU_BACKEND_ERR_* detail.
 */
#define PVGPU_IFACE_MINOR_BACKEND	5
#define PVGPU_IFACE_VERSION(maj, min)	(((maj) << 16) | (min))
#define PVGPU_IFACE_VERSION_MAJOR(v)	(((v) >> 16) & 0xffff)
#define PVGPU_IFACE_VERSION_MINOR(v)	((v) & 0xffff)

/* --- BAR0 registers ---------------------------------------------------- */

/* RO: identification, PVGPU_ID_MAGIC. */
#define PVGPU_REG_ID			0x000
#define   PVGPU_ID_MAGIC		0x50564755	/* "PVGU" */
/* RO: hardware interface version, PVGPU_IFACE_VERSION(). */
#define PVGPU_REG_VERSION		0x004
/* RO: hardware capability bits, PVGPU_HWCAP_*. */
#define PVGPU_REG_HWCAPS		0x008
#define   PVGPU_HWCAP_MSIX		(1u << 0)
#define   PVGPU_HWCAP_PAGE_FAULTS	(1u << 1)
/* PVGPU_REG_TEST_INJECT works (QEMU: -device pvgpu,x-guest-inject=on). */
#define   PVGPU_HWCAP_TEST_INJECT	(1u << 2)
/*
 * The compute engine's kernels run on the host's GPU through virglrenderer
 * (QEMU: -device pvgpu,backend=virgl; docs/virgl.rst). Informational: the
 * results are the same bytes as without it.
 */
#define   PVGPU_HWCAP_BACKEND_VIRGL	(1u << 3)
/* RO: number of doorbell pages (groups) in BAR2, 1024 doorbells each. */
#define PVGPU_REG_DOORBELL_COUNT	0x00c

/* RO: pending interrupt causes, PVGPU_IRQ_*. */
#define PVGPU_REG_IRQ_STATUS		0x010
/* RW: enabled interrupt causes; a masked cause stays pending, unsignalled. */
#define PVGPU_REG_IRQ_MASK		0x014
/* WO: write 1s to acknowledge (clear) pending causes. */
#define PVGPU_REG_IRQ_ACK		0x018

/* Interrupt causes, all signalled on MSI-X vector PVGPU_MSIX_VECTOR_FW. */
#define PVGPU_IRQ_F2H			(1u << 0)	/* F2H ring has messages */
#define PVGPU_IRQ_FW_STATE		(1u << 1)	/* PVGPU_REG_FW_STATUS changed */
#define PVGPU_IRQ_SELFTEST		(1u << 2)	/* PVGPU_REG_SELFTEST_IRQ written */
#define PVGPU_IRQ_ALL			(PVGPU_IRQ_F2H | PVGPU_IRQ_FW_STATE | \
					 PVGPU_IRQ_SELFTEST)

#define PVGPU_MSIX_VECTOR_FW		0
#define PVGPU_MSIX_VECTORS		1

/* RW: firmware control. Writing a command bit starts that action. */
#define PVGPU_REG_FW_CTRL		0x020
#define   PVGPU_FW_CTRL_BOOT		(1u << 0)
#define   PVGPU_FW_CTRL_RESET		(1u << 1)
/* RO: firmware state, PVGPU_FW_STATE_*. */
#define PVGPU_REG_FW_STATUS		0x024
#define   PVGPU_FW_STATE_OFF		0	/* reset, waiting for BOOT */
#define   PVGPU_FW_STATE_BOOTING	1	/* boot descriptor being checked */
#define   PVGPU_FW_STATE_RUNNING	2	/* serving the message rings */
#define   PVGPU_FW_STATE_ERROR		3	/* boot refused, see FW_ERROR */
#define   PVGPU_FW_STATE_HALTED		4	/* firmware stopped (crash) */
/* RW: guest-physical address of the boot descriptor (4 KiB aligned). */
#define PVGPU_REG_FW_BOOT_DESC_LO	0x028
#define PVGPU_REG_FW_BOOT_DESC_HI	0x02c
/*
 * RO: why the last boot failed or the firmware halted, PVGPU_FW_ERR_*:
 * PVGPU_FW_ERR_TABLE in pvgpu_fwif.h defines them.
 */
#define PVGPU_REG_FW_ERROR		0x030

/* RW: scratch register for driver bring-up checks; no side effects. */
#define PVGPU_REG_SCRATCH		0x034
/* RO: device clock in nanoseconds (QEMU's virtual clock), low half first. */
#define PVGPU_REG_TIMESTAMP_LO		0x038
#define PVGPU_REG_TIMESTAMP_HI		0x03c
/*
 * WO (reads 0): any value sets PVGPU_IRQ_SELFTEST and, if it is enabled,
 * raises the vector inside the write, bypassing the firmware: the
 * platform's MMIO-to-interrupt floor. No DMA, no other state change.
 */
#define PVGPU_REG_SELFTEST_IRQ		0x040
/*
 * RW, for driver tests, only with PVGPU_HWCAP_TEST_INJECT (without it:
 * reads 0, writes are ignored and logged as guest errors). A write of
 * PVGPU_TEST_INJECT(op, engine class) injects a fault at once, in any
 * firmware state: CRASH halts the firmware (FW_ERROR CRASHED; the class
 * must be 0), HANG_ENGINE hangs the class until the watchdog or a
 * preemption timeout resets it, WEDGE_ENGINE hangs it until a firmware
 * reset (queue resets do not help), UNHANG_ENGINE ends either and the
 * engine goes on where it stopped, BACKEND_GL_ERROR (below) fails the
 * virgl backend's next kernel chunk. Bits 31:16 must be 0; a bad op, class
 * or reserved bit is a guest error and changes nothing. A read returns
 * the engine classes hung now: bit i = engine class index i (the order
 * of pvgpu_fw_caps.engines[]). See docs/fault-injection.rst.
 */
#define PVGPU_REG_TEST_INJECT		0x044
#define   PVGPU_TEST_INJECT_CRASH		1
#define   PVGPU_TEST_INJECT_HANG_ENGINE		2
#define   PVGPU_TEST_INJECT_UNHANG_ENGINE	3
#define   PVGPU_TEST_INJECT_WEDGE_ENGINE	4
/*
 * Interface 1.5, only with PVGPU_HWCAP_BACKEND_VIRGL (else a guest error):
 * the next kernel chunk fails in virglrenderer, so the queue that runs it
 * stops with PVGPU_QUEUE_ERR_BACKEND (PVGPU_BACKEND_ERR_GL). Class 0.
 */
#define   PVGPU_TEST_INJECT_BACKEND_GL_ERROR	5
/* Bits 7:0 the op, bits 15:8 the engine class (PVGPU_ENGINE_CLASS_*). */
#define PVGPU_TEST_INJECT(op, cls)	((op) | ((cls) << 8))
#define PVGPU_TEST_INJECT_OP(v)		((v) & 0xff)
#define PVGPU_TEST_INJECT_CLASS(v)	(((v) >> 8) & 0xff)
#define PVGPU_TEST_INJECT_RESERVED	0xffff0000u

#endif /* PVGPU_REGS_H */

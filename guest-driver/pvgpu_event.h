/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: event notification, eventfd wake-ups with records in
 * a per-file ring. See the DOC: section in pvgpu_event.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_EVENT_H
#define PVGPU_EVENT_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <uapi/drm/pvgpu_drm.h>

struct drm_device;
struct drm_file;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_queue;

/**
 * struct pvgpu_file_events - a file's subscriptions and event ring
 *
 * Embedded in struct pvgpu_file; see the DOC: section of pvgpu_event.c.
 */
struct pvgpu_file_events {
	/**
	 * @type_mask: the types some subscription wants (the union of
	 * theirs); read without the lock by producers, which do nothing for
	 * a type no subscription wants.
	 */
	u32 type_mask;
	/**
	 * @lock: protects everything below; taken from hard interrupts
	 * (irqsave).
	 */
	spinlock_t lock;
	/** @subs: the subscriptions, struct pvgpu_event_sub. */
	struct list_head subs;
	/** @num_subs: entries in @subs. */
	u32 num_subs;
	/** @next_sub_id: the id the next subscription gets, from 1. */
	u32 next_sub_id;
	/**
	 * @ring: DRM_PVGPU_EVENT_RING_SIZE records, allocated at the first
	 * subscription; NULL before.
	 */
	struct drm_pvgpu_event *ring;
	/** @head: index of the oldest record in @ring. */
	u32 head;
	/** @count: records in @ring. */
	u32 count;
	/** @next_seqno: the seqno the next record gets (lost ones too). */
	u64 next_seqno;
	/** @lost: records dropped for want of room since last reported. */
	u64 lost;
	/** @wq: where DRM_IOCTL_PVGPU_WAIT_EVENT callers sleep. */
	wait_queue_head_t wq;
};

/**
 * struct pvgpu_event_rec - what a producer reports
 * @type: DRM_PVGPU_EVENT_*
 * @flags: DRM_PVGPU_EVENT_GUILTY or 0
 * @queue_id: the file's id of the queue, or 0
 * @vm_id: the file's id of the VM, or 0
 * @data: the payload
 */
struct pvgpu_event_rec {
	u32 type;
	u32 flags;
	u32 queue_id;
	u32 vm_id;
	u64 data[3];
};

void pvgpu_events_init(struct pvgpu_file_events *ev);
void pvgpu_events_close(struct pvgpu_file_events *ev);
void pvgpu_events_fini(struct pvgpu_file_events *ev);
void pvgpu_event_emit(struct pvgpu_file *pfile,
		      const struct pvgpu_event_rec *rec);
void pvgpu_event_emit_queue(struct pvgpu_file *pfile,
			    const struct pvgpu_queue *queue, u32 type,
			    u32 flags, u64 d0, u64 d1, u64 d2);
void pvgpu_event_emit_device(struct pvgpu_device *pvdev, u32 type, u64 d0,
			     u64 d1);

/* True if @pfile keeps records of @type: producers may skip the work. */
static inline bool pvgpu_event_wanted(struct pvgpu_file_events *ev, u32 type)
{
	return READ_ONCE(ev->type_mask) & DRM_PVGPU_EVENT_MASK(type);
}

int pvgpu_ioctl_event_subscribe(struct drm_device *drm, void *data,
				struct drm_file *file);
int pvgpu_ioctl_event_unsubscribe(struct drm_device *drm, void *data,
				  struct drm_file *file);
int pvgpu_ioctl_wait_event(struct drm_device *drm, void *data,
			   struct drm_file *file);

#endif /* PVGPU_EVENT_H */

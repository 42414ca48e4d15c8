/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sipexpect:expect_insert_failed, sipexpect:helper_drop and
 * sipexpect:expect_removed, for the kernel's own tracing (tracefs,
 * trace-cmd, perf, bpftrace). Fields are
 * plain numbers and strings, formatted when the event is recorded, so that
 * every tool can print them; the names are those of the masters and recent
 * files. Disabled, an event costs its static branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sipexpect

#if !defined(_SIPEXPECT_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SIPEXPECT_EVENTS_H

#include <linux/tracepoint.h>

#include "failure.h"

#define SIPEXPECT_KEY_FIELDS						\
	__field(u32, netns)						\
	__field(u16, zone)						\
	__array(char, l3, 5)						\
	__array(char, proto, 8)						\
	__array(char, src, SIPEXPECT_ADDR_LEN)				\
	__array(char, dst, SIPEXPECT_ADDR_LEN)				\
	__field(u16, sport)						\
	__field(u16, dport)						\
	__array(char, helper, SIPEXPECT_HELPER_NAME_LEN)

#define SIPEXPECT_KEY_ASSIGN(k)						\
	do {								\
		const char *proto = sipexpect_l4_name((k)->l4);		\
									\
		__entry->netns = (k)->netns;				\
		__entry->zone = (k)->zone;				\
		strscpy(__entry->l3, sipexpect_l3_name((k)->l3),	\
			sizeof(__entry->l3));				\
		if (proto)						\
			strscpy(__entry->proto, proto,			\
				sizeof(__entry->proto));		\
		else							\
			snprintf(__entry->proto,			\
				 sizeof(__entry->proto), "%u",		\
				 (k)->l4);				\
		sipexpect_fmt_addr(__entry->src, (k)->l3, &(k)->src);	\
		sipexpect_fmt_addr(__entry->dst, (k)->l3, &(k)->dst);	\
		__entry->sport = (k)->sport;				\
		__entry->dport = (k)->dport;				\
		strscpy(__entry->helper, (k)->helper,			\
			sizeof(__entry->helper));			\
	} while (0)

/* The expectation a failure or removal is about. */
#define SIPEXPECT_EXP_FIELDS						\
	/* Not "class": perf script -g python makes it a name. */	\
	__array(char, exp_class, SIPEXPECT_HELPER_NAME_LEN)		\
	__array(char, exp_src, SIPEXPECT_ADDR_LEN)			\
	__array(char, exp_dst, SIPEXPECT_ADDR_LEN)			\
	__field(u16, exp_dport)

#define SIPEXPECT_EXP_ASSIGN(f)						\
	do {								\
		strscpy(__entry->exp_class, (f)->class_name,		\
			sizeof(__entry->exp_class));			\
		sipexpect_fmt_addr(__entry->exp_src, (f)->key.l3,	\
				   &(f)->exp_src);			\
		sipexpect_fmt_addr(__entry->exp_dst, (f)->key.l3,	\
				   &(f)->exp_dst);			\
		__entry->exp_dport = (f)->exp_dport;			\
	} while (0)

#define SIPEXPECT_EXP_FMT " class=%s exp_src=%s exp_dst=%s exp_dport=%u"
#define SIPEXPECT_EXP_ARGS						\
	__entry->exp_class, __entry->exp_src, __entry->exp_dst,		\
	__entry->exp_dport

#define SIPEXPECT_KEY_FMT						\
	"netns=%u zone=%u l3=%s proto=%s src=%s dst=%s sport=%u dport=%u helper=%s"
#define SIPEXPECT_KEY_ARGS						\
	__entry->netns, __entry->zone, __entry->l3, __entry->proto,	\
	__entry->src, __entry->dst, __entry->sport, __entry->dport,	\
	__entry->helper

TRACE_EVENT(expect_insert_failed,
	TP_PROTO(const struct sipexpect_failure *f),
	TP_ARGS(f),
	TP_STRUCT__entry(
		SIPEXPECT_KEY_FIELDS
		SIPEXPECT_EXP_FIELDS
		__field(s32, errno)
		__array(char, err, SIPEXPECT_ERR_LEN)
		__field(u32, count)
		__field(u32, max)
		__field(u32, held)
	),
	TP_fast_assign(
		SIPEXPECT_KEY_ASSIGN(&f->key);
		SIPEXPECT_EXP_ASSIGN(f);
		__entry->errno = f->err;
		sipexpect_fmt_err(__entry->err, f->err);
		__entry->count = f->count;
		__entry->max = f->max;
		__entry->held = f->held;
	),
	TP_printk(SIPEXPECT_KEY_FMT SIPEXPECT_EXP_FMT
		  " err=%s count=%u max=%u held=%u",
		  SIPEXPECT_KEY_ARGS, SIPEXPECT_EXP_ARGS, __entry->err,
		  __entry->count, __entry->max, __entry->held)
);

TRACE_EVENT(helper_drop,
	TP_PROTO(const struct sipexpect_failure *f),
	TP_ARGS(f),
	TP_STRUCT__entry(
		SIPEXPECT_KEY_FIELDS
		__array(char, message, 32)
		__array(char, cause, 16)
		__field(u8, confirmed)
	),
	TP_fast_assign(
		SIPEXPECT_KEY_ASSIGN(&f->key);
		strscpy(__entry->message, sipexpect_message_name(f->message),
			sizeof(__entry->message));
		strscpy(__entry->cause, sipexpect_cause_name(f->cause),
			sizeof(__entry->cause));
		__entry->confirmed = f->confirmed;
	),
	TP_printk(SIPEXPECT_KEY_FMT " message=%s cause=%s confirmed=%u",
		  SIPEXPECT_KEY_ARGS, __entry->message, __entry->cause,
		  __entry->confirmed)
);

/* Only what a call may still have needed: flushed, evicted, expired. */
TRACE_EVENT(expect_removed,
	TP_PROTO(const struct sipexpect_failure *f),
	TP_ARGS(f),
	TP_STRUCT__entry(
		SIPEXPECT_KEY_FIELDS
		SIPEXPECT_EXP_FIELDS
		__array(char, removed, 24)
		__field(u32, held)
	),
	TP_fast_assign(
		SIPEXPECT_KEY_ASSIGN(&f->key);
		SIPEXPECT_EXP_ASSIGN(f);
		strscpy(__entry->removed, sipexpect_removed_name(f->removed),
			sizeof(__entry->removed));
		__entry->held = f->held;
	),
	TP_printk(SIPEXPECT_KEY_FMT SIPEXPECT_EXP_FMT " removed=%s held=%u",
		  SIPEXPECT_KEY_ARGS, SIPEXPECT_EXP_ARGS, __entry->removed,
		  __entry->held)
);

#endif /* _SIPEXPECT_EVENTS_H */

/* define_trace.h finds this file through -I$(src)/module (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE events
#include <trace/define_trace.h>

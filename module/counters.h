/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters, the same for every master and for the totals: their
 * order, ranges and names (the debugfs contract), and which counter an
 * insert's errno or a drop's cause goes to.
 */
#ifndef _SIPEXPECT_COUNTERS_H
#define _SIPEXPECT_COUNTERS_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/types.h>

#include "errnos.h"

/*
 * One flat array of counters per master and globally; the names in
 * sipexpect_counter_names[] are the keys of the debugfs contract.
 *   - what each expectation insert returned (raw errnos, facts about the
 *     kernel, whether or not the helper then dropped anything);
 *   - the helper's drop messages, one per line it logged;
 *   - per dropped packet: whether netfilter really freed it as a drop, and
 *     the failed insert that made the helper give up on it (its cause).
 */
#define SIPEXPECT_INSERT_FAIL_ENUM(err, SUFFIX, suffix)	\
	SIPEXPECT_INSERT_FAIL_##SUFFIX,
#define SIPEXPECT_DROPS_CAUSE_ENUM(err, SUFFIX, suffix)	\
	SIPEXPECT_DROPS_CAUSE_##SUFFIX,

enum sipexpect_counter {
	SIPEXPECT_INSERT_OK,
	SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_INSERT_FAIL_ENUM)	/* errnos.h */
	SIPEXPECT_INSERT_FAIL_OTHER,
	SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
	SIPEXPECT_MESSAGE_ALL_PORTS_SIP,
	SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
	SIPEXPECT_MESSAGE_OTHER,
	SIPEXPECT_DROPS_CONFIRMED,
	SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_DROPS_CAUSE_ENUM)	/* errnos.h */
	SIPEXPECT_DROPS_CAUSE_OTHER,
	SIPEXPECT_DROPS_CAUSE_UNKNOWN,		/* no failed insert before it */
	/* Expectations removed, by why (removal.c). Normal ends first: */
	SIPEXPECT_REMOVED_USED,			/* its media came */
	SIPEXPECT_REMOVED_REPLACED,		/* the same one inserted again */
	SIPEXPECT_REMOVED_ENDED,		/* BYE, failed call, REGISTER */
	SIPEXPECT_REMOVED_WITHDRAWN,		/* the helper took it back */
	SIPEXPECT_REMOVED_MASTER_GONE,
	SIPEXPECT_REMOVED_OTHER,		/* conntrack -F, unload, unknown */
	/* ... then what a call may still have needed: */
	SIPEXPECT_REMOVED_FLUSHED_BY_INVITE,
	SIPEXPECT_REMOVED_EVICTED,		/* per-class limit of a master */
	SIPEXPECT_REMOVED_EXPIRED_UNUSED,	/* its media never came */
	SIPEXPECT_NR_COUNTERS
};

#define SIPEXPECT_FIRST_INSERT_FAIL	(SIPEXPECT_INSERT_OK + 1)
#define SIPEXPECT_LAST_INSERT_FAIL	SIPEXPECT_INSERT_FAIL_OTHER
#define SIPEXPECT_FIRST_MESSAGE		SIPEXPECT_MESSAGE_ALL_PORTS_SDP
#define SIPEXPECT_LAST_MESSAGE		SIPEXPECT_MESSAGE_OTHER
#define SIPEXPECT_FIRST_CAUSE		(SIPEXPECT_DROPS_CONFIRMED + 1)
#define SIPEXPECT_LAST_CAUSE		SIPEXPECT_DROPS_CAUSE_UNKNOWN
#define SIPEXPECT_FIRST_REMOVED		SIPEXPECT_REMOVED_USED
#define SIPEXPECT_LAST_REMOVED		SIPEXPECT_REMOVED_EXPIRED_UNUSED
/* Removed while the call may still have needed it. */
#define SIPEXPECT_FIRST_LOST		SIPEXPECT_REMOVED_FLUSHED_BY_INVITE
#define SIPEXPECT_LAST_LOST		SIPEXPECT_REMOVED_EXPIRED_UNUSED

extern const char * const sipexpect_counter_names[SIPEXPECT_NR_COUNTERS];

/*
 * A good insert or an expectation that ended as it should: nothing to act
 * on, so nothing that earns a master its record.
 */
static inline bool sipexpect_counter_is_normal(unsigned int c)
{
	return c == SIPEXPECT_INSERT_OK ||
	       (c >= SIPEXPECT_FIRST_REMOVED && c < SIPEXPECT_FIRST_LOST);
}

/* Counters first..last (one of the ranges above), added up. */
static inline u64 sipexpect_sum(const u64 *c, int first, int last)
{
	u64 sum = 0;
	int i;

	for (i = first; i <= last; i++)
		sum += c[i];
	return sum;
}

#define SIPEXPECT_INSERT_ERRNO_VALUE(err, SUFFIX, suffix)			\
	[SIPEXPECT_INSERT_FAIL_##SUFFIX - SIPEXPECT_FIRST_INSERT_FAIL] = -(err),

/*
 * Its place in errnos.h's list, where its counters are in the enum's;
 * past the list (the "other" counters) for any other errno.
 */
static inline unsigned int sipexpect_insert_errno_index(int err)
{
	static const s16 errnos[] = {
		SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_INSERT_ERRNO_VALUE)
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i] == err)
			break;
	return i;
}

/*
 * -ESHUTDOWN (master without helper extension) has no counter: the probe
 * cannot name a helper for such a master, so it never reaches here.
 * Inline: every insert's return handler asks.
 */
static inline enum sipexpect_counter sipexpect_insert_outcome(int err)
{
	if (!err)
		return SIPEXPECT_INSERT_OK;
	return SIPEXPECT_FIRST_INSERT_FAIL + sipexpect_insert_errno_index(err);
}

/* The cause of a dropped packet, from the failed insert before it (0: none). */
static inline enum sipexpect_counter sipexpect_drop_cause(int err)
{
	if (!err)
		return SIPEXPECT_DROPS_CAUSE_UNKNOWN;
	return SIPEXPECT_FIRST_CAUSE + sipexpect_insert_errno_index(err);
}

#endif /* _SIPEXPECT_COUNTERS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The insert errnos sipexpect tells apart: this one list makes their
 * counters (expect_insert_fail_<name>, drops_cause_<name>), the counters'
 * names and the errnos' own names ("err=EMFILE"), as the kernel's
 * dropreason-core.h makes its enum and names. Every other errno counts as
 * "other". Adding one here is the whole change in C; the exporter and
 * labkit.py check their lists against stats and say what differs.
 *
 * FN(errno, COUNTER_SUFFIX, name_suffix)
 */
#ifndef _SIPEXPECT_ERRNOS_H
#define _SIPEXPECT_ERRNOS_H

#include <linux/errno.h>

#define SIPEXPECT_INSERT_ERRNOS(FN)				\
	FN(EMFILE, TABLE_FULL, table_full)	/* expect_max */	\
	FN(EBUSY, CLASH, clash)		/* overlaps another's mask */	\
	FN(EALREADY, EXISTS, exists)	/* another master's tuple */

#endif /* _SIPEXPECT_ERRNOS_H */

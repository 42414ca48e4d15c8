/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SIPEXPECT_DEBUGFS_H
#define _SIPEXPECT_DEBUGFS_H

int sipexpect_debugfs_init(void);
void sipexpect_debugfs_exit(void);

#endif /* _SIPEXPECT_DEBUGFS_H */

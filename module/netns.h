/* SPDX-License-Identifier: GPL-2.0 */
/* What goes with a netns when it goes away (netns.c). */
#ifndef _SIPEXPECT_NETNS_H
#define _SIPEXPECT_NETNS_H

int sipexpect_netns_init(void);
void sipexpect_netns_exit(void);

#endif /* _SIPEXPECT_NETNS_H */

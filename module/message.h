/* SPDX-License-Identifier: GPL-2.0 */
/* The helper's drop messages, by what they say (message.c). */
#ifndef _SIPEXPECT_MESSAGE_H
#define _SIPEXPECT_MESSAGE_H

#include "counters.h"

/* SIPEXPECT_MESSAGE_*; SIPEXPECT_MESSAGE_OTHER for NULL or any other line. */
enum sipexpect_counter sipexpect_message_counter(const char *helper_msg);

#endif /* _SIPEXPECT_MESSAGE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Which counter a line the helper logged goes to, from its format string:
 * helper_drop_all_ports_in_use_sdp and the others. addrcache.c remembers
 * the answer per format string's address, so this runs once per string.
 */
#include <linux/string.h>

#include "message.h"

/*
 * The helper's format strings; "cannot add expectation" comes with and
 * without " for voice" (SDP and REGISTER paths).
 */
enum sipexpect_counter sipexpect_message_counter(const char *helper_msg)
{
	if (!helper_msg)
		return SIPEXPECT_MESSAGE_OTHER;
	if (!strcmp(helper_msg, "all ports in use for SDP media"))
		return SIPEXPECT_MESSAGE_ALL_PORTS_SDP;
	if (!strcmp(helper_msg, "all ports in use for SIP"))
		return SIPEXPECT_MESSAGE_ALL_PORTS_SIP;
	if (strstarts(helper_msg, "cannot add expectation"))
		return SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION;
	return SIPEXPECT_MESSAGE_OTHER;
}

// SPDX-License-Identifier: GPL-2.0
/* The trace events (events.h) are instantiated here, once. */
#define CREATE_TRACE_POINTS
#include "events.h"

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A master connection's identity, by value: what every count is kept
 * under, compared and hashed on the packet path.
 */
#ifndef _SIPEXPECT_KEY_H
#define _SIPEXPECT_KEY_H

#include <linux/build_bug.h>
#include <linux/netfilter.h>
#include <linux/string.h>
#include <linux/types.h>

/* Same as NF_CT_HELPER_NAME_LEN, without pulling in conntrack headers. */
#define SIPEXPECT_HELPER_NAME_LEN	16

/*
 * Identity of a master connection, by value. Every byte belongs to a field
 * (no padding, the name zero-filled), so comparison and hashing by bytes
 * are exact without a memset() first.
 */
struct sipexpect_key {
	union nf_inet_addr src;		/* original direction: the phone */
	union nf_inet_addr dst;
	u32 netns;			/* net->ns.inum */
	u16 zone;
	u16 sport;			/* host byte order */
	u16 dport;
	u8 l3;				/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 l4;				/* IPPROTO_UDP, IPPROTO_TCP... */
	char helper[SIPEXPECT_HELPER_NAME_LEN];
};

static_assert(sizeof(struct sipexpect_key) ==
	      2 * sizeof(union nf_inet_addr) + sizeof(u32) + 3 * sizeof(u16) +
	      2 * sizeof(u8) + SIPEXPECT_HELPER_NAME_LEN,
	      "a key has no padding: it is compared and hashed by bytes");

/* One word of a key at a byte offset (keys are only 4-byte aligned). */
static inline u64 sipexpect_key_word(const struct sipexpect_key *k,
				     unsigned int off)
{
	u64 w;

	__builtin_memcpy(&w, (const u8 *)k + off, sizeof(w));
	return w;
}

/*
 * Inline, eight bytes at a time and unrolled: every probe hit compares
 * keys, most of them equal (no memcmp call, no loop of 4-byte words).
 */
static inline bool sipexpect_key_eq(const struct sipexpect_key *a,
				    const struct sipexpect_key *b)
{
	u64 diff = 0;
	u32 x, y;

	BUILD_BUG_ON(sizeof(*a) != 7 * sizeof(u64) + sizeof(u32));
	diff |= sipexpect_key_word(a, 0) ^ sipexpect_key_word(b, 0);
	diff |= sipexpect_key_word(a, 8) ^ sipexpect_key_word(b, 8);
	diff |= sipexpect_key_word(a, 16) ^ sipexpect_key_word(b, 16);
	diff |= sipexpect_key_word(a, 24) ^ sipexpect_key_word(b, 24);
	diff |= sipexpect_key_word(a, 32) ^ sipexpect_key_word(b, 32);
	diff |= sipexpect_key_word(a, 40) ^ sipexpect_key_word(b, 40);
	diff |= sipexpect_key_word(a, 48) ^ sipexpect_key_word(b, 48);
	__builtin_memcpy(&x, (const u8 *)a + 56, sizeof(x));
	__builtin_memcpy(&y, (const u8 *)b + 56, sizeof(y));
	return !(diff | (x ^ y));
}

/*
 * A helper or class name (at most SIPEXPECT_HELPER_NAME_LEN with its NUL)
 * into a buffer of that size, zero-filled behind it. Inline, no fortified
 * strscpy(): it runs on the packet path.
 */
static inline void sipexpect_copy_name(char dst[SIPEXPECT_HELPER_NAME_LEN],
				       const char *src)
{
	unsigned int i;

	memset(dst, 0, SIPEXPECT_HELPER_NAME_LEN);
	for (i = 0; i < SIPEXPECT_HELPER_NAME_LEN - 1 && src[i]; i++)
		dst[i] = src[i];
}

/*
 * SIP masters have a table of their own: nothing else may evict them.
 * The name is "sip" when its first four bytes are, NUL included.
 */
static inline bool sipexpect_key_is_sip(const struct sipexpect_key *key)
{
	return !memcmp(key->helper, "sip", 4);
}

#endif /* _SIPEXPECT_KEY_H */

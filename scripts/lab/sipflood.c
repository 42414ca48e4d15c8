// SPDX-License-Identifier: GPL-2.0
/*
 * sipflood: send SIP INVITEs (or plain UDP) as fast as the kernel takes
 * them, batched with sendmmsg() on a raw socket, so that the router's
 * kernel path, not the sender, is the bottleneck.
 *
 * Every INVITE comes from a new (source address, source port), so each is a
 * new conntrack master, and announces its own RTP port, as from many
 * phones. Plain UDP cycles over --flows fixed flows instead.
 *
 *   sipflood send --src 198.51.100.1 --srcs 250 --dst 192.0.2.1 --count N
 *            [--udp] [--flows 64] [--sport-base 1024] [--rtp-base 2000]
 *            [--first I] [--batch 64] [--trunk]
 *   sipflood sink --port 5060     receive and discard until killed
 *
 * "send" prints "kernel_ticks N" (system + irq + softirq of all CPUs over
 * the sending, from /proc/stat: what make bench divides by messages),
 * "send_us N" (wall time of the sending loop),
 * "refused N" (dropped on this host's OUTPUT path: EPERM) and "sent N"
 * (all processed, refused included) at the end; message i uses source address
 * src + i % srcs and port sport-base + i / srcs, so --first lets runs
 * continue where the last one stopped without reusing a master. With
 * --trunk every message comes from sport-base (and --srcs 1: one master,
 * a SIP trunk), each a new call with its own RTP port: every INVITE
 * flushes the media expectations of the one before it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH	256
#define PKT_MAX		1400
#define SPORT_RANGE	60000

struct options {
	struct in_addr src, dst;
	unsigned long srcs, count, first, flows, batch;
	bool trunk;	/* every INVITE from one address and port: one master */
	unsigned int sport_base, rtp_base, dport;
	int udp;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "sipflood: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static struct in_addr address(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "sipflood: not an IPv4 address: %s\n", s);
		exit(2);
	}
	return a;
}

/* The SIP INVITE with its SDP, as a phone behind the NAT sends it. */
static int invite(char *buf, const char *ip, unsigned int sport,
		  const char *dst, unsigned int rtp, unsigned long n)
{
	char body[256];
	int blen;

	blen = snprintf(body, sizeof(body),
			"v=0\r\no=- %lu 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n"
			"t=0 0\r\nm=audio %u RTP/AVP 0\r\n", n, ip, ip, rtp);
	return snprintf(buf, PKT_MAX,
			"INVITE sip:bob@%s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%lx\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:phone@%s>;tag=%lx\r\n"
			"To: <sip:bob@%s>\r\n"
			"Call-ID: flood%lu@%s\r\n"
			"CSeq: 1 INVITE\r\n"
			"Contact: <sip:phone@%s:%u>\r\n"
			"Content-Type: application/sdp\r\n"
			"Content-Length: %d\r\n\r\n%s",
			dst, ip, sport, n, ip, n, dst, n, ip, ip, sport,
			blen, body);
}

/* Message n of the run: headers and payload into pkt; its length. */
static size_t build(const struct options *o, unsigned long n, char *pkt)
{
	struct iphdr *iph = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(iph + 1);
	char *payload = (char *)(udp + 1);
	unsigned long slot = o->udp ? n % o->flows : n;
	struct in_addr src = o->src;
	unsigned int sport;
	char ip[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	int len;

	src.s_addr = htonl(ntohl(src.s_addr) + slot % o->srcs);
	sport = o->trunk ? o->sport_base :
			   o->sport_base + (slot / o->srcs) % SPORT_RANGE;
	inet_ntop(AF_INET, &src, ip, sizeof(ip));
	inet_ntop(AF_INET, &o->dst, dst, sizeof(dst));
	if (o->udp) {
		len = 200;	/* the size of a small SIP message */
		memset(payload, 'x', len);
	} else {
		len = invite(payload, ip, sport, dst,
			     o->rtp_base + 2 * (n % 30000), n);
	}

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = src.s_addr;
	iph->daddr = o->dst.s_addr;
	/* tot_len, id and the header checksum: filled by the kernel. */
	udp->source = htons(sport);
	udp->dest = htons(o->dport);
	udp->len = htons(sizeof(*udp) + len);
	udp->check = 0;	/* none: IPv4 allows it, conntrack accepts it */
	return sizeof(*iph) + sizeof(*udp) + len;
}

/* Kernel CPU time so far, in USER_HZ ticks: system + irq + softirq. */
static unsigned long long kernel_ticks(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		die("/proc/stat");
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
		   &sys, &idle, &iowait, &irq, &softirq) != 7)
		die("/proc/stat format");
	fclose(f);
	return sys + irq + softirq;
}

static int do_send(const struct options *o)
{
	static char pkts[MAX_BATCH][PKT_MAX];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = o->dst };
	unsigned long sent = 0, refused = 0;
	unsigned long long ticks;
	struct timespec t0, t1;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		die("IP_HDRINCL");

	/* Only the sending counts: not this program's exec, nor ip-netns'. */
	ticks = kernel_ticks();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < o->count) {
		unsigned long i, n = o->count - sent;
		int r;

		if (n > o->batch)
			n = o->batch;
		for (i = 0; i < n; i++) {
			iov[i].iov_base = pkts[i];
			iov[i].iov_len = build(o, o->first + sent + i, pkts[i]);
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &to;
			msgs[i].msg_hdr.msg_namelen = sizeof(to);
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			/* A full qdisc or neighbour queue: try again. */
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			/*
			 * Netfilter dropped a locally sent message (the
			 * helper's NF_DROP on OUTPUT): it was processed.
			 */
			if (errno != EPERM)
				die("sendmmsg");
			refused++;
			r = 1;
		}
		sent += r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The router's backlog drains in softirq; idle time never counts. */
	usleep(200000);
	printf("kernel_ticks %llu\nsend_us %lld\nrefused %lu\nsent %lu\n",
	       kernel_ticks() - ticks,
	       (t1.tv_sec - t0.tv_sec) * 1000000LL +
	       (t1.tv_nsec - t0.tv_nsec) / 1000, refused, sent);
	return 0;
}

static int do_sink(unsigned int port)
{
	static char bufs[MAX_BATCH][PKT_MAX];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int fd, i, size = 8 << 20;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind");
	for (i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = PKT_MAX;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		if (recvmmsg(fd, msgs, MAX_BATCH, 0, NULL) < 0 && errno != EINTR)
			die("recvmmsg");
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {
		.srcs = 1, .count = 1, .flows = 64, .batch = 64,
		.sport_base = 1024, .rtp_base = 2000, .dport = 5060,
	};
	unsigned int sink_port = 5060;
	int i;

	if (argc < 2)
		goto usage;
	o.src = address("198.51.100.1");
	o.dst = address("192.0.2.1");
	for (i = 2; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--trunk")) {
			o.trunk = true;
			continue;
		}
		if (!strcmp(opt, "--udp")) {
			o.udp = 1;
			continue;
		}
		if (!val)
			goto usage;
		i++;
		if (!strcmp(opt, "--src"))
			o.src = address(val);
		else if (!strcmp(opt, "--dst"))
			o.dst = address(val);
		else if (!strcmp(opt, "--srcs"))
			o.srcs = number(val);
		else if (!strcmp(opt, "--count"))
			o.count = number(val);
		else if (!strcmp(opt, "--first"))
			o.first = number(val);
		else if (!strcmp(opt, "--flows"))
			o.flows = number(val);
		else if (!strcmp(opt, "--batch"))
			o.batch = number(val);
		else if (!strcmp(opt, "--sport-base"))
			o.sport_base = number(val);
		else if (!strcmp(opt, "--rtp-base"))
			o.rtp_base = number(val);
		else if (!strcmp(opt, "--port"))
			o.dport = sink_port = number(val);
		else
			goto usage;
	}
	if (!o.srcs || !o.flows || !o.batch || o.batch > MAX_BATCH ||
	    o.sport_base + SPORT_RANGE > 65535)
		goto usage;
	if (!strcmp(argv[1], "send"))
		return do_send(&o);
	if (!strcmp(argv[1], "sink"))
		return do_sink(sink_port);
usage:
	fprintf(stderr, "usage: sipflood send|sink [options] (see the source)\n");
	return 2;
}

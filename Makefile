# SPDX-License-Identifier: GPL-2.0
# sipexpect: build, install and test the module.
#
#   make [KVER=...] [KDIR=...]    build sipexpect.ko (default: running kernel)
#   make install                  modules_install + depmod
#   make dkms-install [KVER=...]  register, build and install with DKMS
#   make dkms-remove              remove every DKMS build of this version
#   make deb                      the sipexpect-dkms Debian package
#   make demo [DEMO_KERNEL=6.12|trixie|trixie-backports|...] [DEMO_TOOLS=1]
#                                 the seed's drop in a VM and what sipexpect says;
#                                 DEMO_TOOLS=1: its events in tracefs, trace-cmd, perf, bpftrace
#   make repro REPRO='--kernel DIR|RELEASE --scenario seed|--pcap F|--sipp F ...'
#                                 reproduce a drop on a kernel (scripts/lab/repro)
#   make check                    the gate CI runs (see README.md, Testing)
#   make check-full [PARTS=a,b]   the deep run: stress, debug kernels, faults, packaging;
#                                 resumes where it stopped (README.md, Testing)
#   make bench [BENCH_KERNEL=6.12] CPU and memory cost, with vs. without
#   make style                    checkpatch --strict on our C sources

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

all: module

module: kdir-present
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

kdir-present:
	@test -d $(KDIR) || { echo "No kernel build tree at $(KDIR): install linux-headers-$(KVER) or pass KDIR=."; exit 1; }

clean:
	rm -rf .build
	-test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(CURDIR) clean

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)

dkms-install: dkms-remove
	mkdir -p /usr/src/sipexpect-$(VERSION)
	cp -r Kbuild Makefile dkms.conf module kunit /usr/src/sipexpect-$(VERSION)/
	dkms add sipexpect/$(VERSION)
	dkms install sipexpect/$(VERSION) -k $(KVER)

dkms-remove:
	dkms remove sipexpect/$(VERSION) --all 2>/dev/null || true
	rm -rf /usr/src/sipexpect-$(VERSION)

deb:
	scripts/build/install-deps --deb
	scripts/package/make-deb

demo:
	scripts/demo/demo $(DEMO_KERNEL) $(if $(DEMO_TOOLS),--tools)

repro:
	scripts/lab/repro $(REPRO)

check:
	scripts/suites/check

check-full:
	scripts/suites/check --full $(if $(PARTS),--parts $(PARTS))

bench:
	scripts/bench/bench $(BENCH_KERNEL)

style:
	scripts/build/style

.PHONY: all module kdir-present clean install dkms-install dkms-remove deb demo repro \
	check check-full bench style

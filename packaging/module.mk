# packaging: "make install" (what the Debian packages are made of), "make deb"
# (binary packages vrrpd and lbd in build/deb/, built with debhelper from a copy
# of the tree, see packaging/build-deb.sh), "make lintian", and the two-node
# demo lab ("make demo", see packaging/lab/).
DESTDIR ?=
SYSTEMD_UNITDIR ?= /lib/systemd/system
PKG_MAN8 := $(wildcard docs/*.8)
PKG_MAN5 := $(wildcard docs/*.5)
PKG_MAN1 := $(wildcard docs/*.1)

install: bins
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)/usr/bin $(DESTDIR)/etc/vrrpd $(DESTDIR)/etc/lbd \
		$(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)/usr/share/man/man1 \
		$(DESTDIR)/usr/share/man/man5 $(DESTDIR)/usr/share/man/man8 \
		$(DESTDIR)/usr/share/doc/vrrpd/examples $(DESTDIR)/usr/share/doc/lbd/examples
	install -m 0755 $(B)/vrrpd $(B)/lbd $(DESTDIR)/usr/sbin/
	install -m 0755 $(B)/vrrpctl $(B)/lbctl packaging/ha-failover-test $(DESTDIR)/usr/bin/
	install -m 0644 configs/node1/vrrpd.conf $(DESTDIR)/etc/vrrpd/vrrpd.conf
	install -m 0644 configs/node1/lbd.conf $(DESTDIR)/etc/lbd/lbd.conf
	install -m 0644 configs/node1/vrrpd.conf $(DESTDIR)/usr/share/doc/vrrpd/examples/node1.conf
	install -m 0644 configs/node2/vrrpd.conf $(DESTDIR)/usr/share/doc/vrrpd/examples/node2.conf
	install -m 0644 configs/node1/lbd.conf $(DESTDIR)/usr/share/doc/lbd/examples/node1.conf
	install -m 0644 configs/node2/lbd.conf $(DESTDIR)/usr/share/doc/lbd/examples/node2.conf
	install -m 0644 packaging/systemd/vrrpd.service packaging/systemd/lbd.service $(DESTDIR)$(SYSTEMD_UNITDIR)/
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)/vrrpd.service.d
	install -m 0644 packaging/systemd/vrrpd-lbd-control.conf $(DESTDIR)$(SYSTEMD_UNITDIR)/vrrpd.service.d/lbd-control.conf
	$(if $(PKG_MAN1),install -m 0644 $(PKG_MAN1) $(DESTDIR)/usr/share/man/man1/)
	$(if $(PKG_MAN5),install -m 0644 $(PKG_MAN5) $(DESTDIR)/usr/share/man/man5/)
	$(if $(PKG_MAN8),install -m 0644 $(PKG_MAN8) $(DESTDIR)/usr/share/man/man8/)

deb:
	packaging/build-deb.sh

# No error and no warning on either package (informational tags are allowed).
lintian:
	lintian --fail-on error,warning build/deb/*.deb

# The two-node lab in network namespaces (root): see packaging/lab/lab.sh.
# The build is a second make, started once deps has installed what it reads
# (pkg-config's flags are computed when make starts).
demo: deps
	$(MAKE) --no-print-directory bins
	KEEP=$(KEEP) LAB_BIN=$(abspath $(B)) packaging/lab/demo.sh

demo-down:
	packaging/lab/lab.sh down

.PHONY: install deb lintian demo demo-down

#!/bin/sh
# lbd_devlog.sh SOCKET CMD...: runs CMD in a private mount namespace whose
# /dev/log is SOCKET, so a test can read what a daemon sends to syslog without
# touching the host's /dev: /dev there is a fresh tmpfs holding log (a link
# to SOCKET) and the usual device nodes bound from the real /dev.
set -eu
sock=$1
shift
exec unshare -m --propagation private sh -eu -c '
	sock=$1; shift
	real=$(mktemp -d)
	mount --rbind /dev "$real"
	mount -t tmpfs -o mode=0755 devlog /dev
	for n in null zero full random urandom; do
		touch "/dev/$n"
		mount --bind "$real/$n" "/dev/$n"
	done
	ln -s /proc/self/fd /dev/fd
	ln -s "$sock" /dev/log
	exec "$@"
' devlog "$sock" "$@"

#!/usr/bin/env bash
# BFD with meticulous keyed SHA1 (RFC 5880 6.7.4), the secret read from a
# root-only file: two vrrpd bring their session Up, signed both ways.
# Packets that fail authentication are dropped and counted by reason, and
# the session stays Up: a wrong secret (auth_failed), a good digest with a
# sequence number out of the window, as a replay would have
# (auth_sequence), no authentication (auth_mismatch).  Then the master's
# link is cut and node 2 takes over on BFD.  (FRR's bfdd, 8.4 in Debian
# bookworm, has no BFD authentication: this is vrrpd against vrrpd.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
printf 'vrrp-bfd-s3cret\n' > "$T/bfd.key"
chmod 600 "$T/bfd.key"
auth() { printf 'bfd { peer %s; min-tx 10ms; min-rx 10ms; multiplier 3; auth meticulous-keyed-sha1; key-id 7; secret-file %s; }' "$1" "$T/bfd.key"; }
vrrp_conf n1 100 1s "$(auth 198.51.100.12)" > "$T/n1.conf"
vrrp_conf n2 90 1s "$(auth 198.51.100.11)" > "$T/n2.conf"
chmod 644 "$T/bfd.key"
t_assert "vrrpd refuses a secret file others can read" bash -c "! '$BIN/vrrpd' -t -f '$T/n1.conf' 2>'$T/t.err'"
t_assert "and says so with file:line" grep -q "n1.conf:[0-9]*:[0-9]*: expected a regular file owned by root" "$T/t.err"
chmod 600 "$T/bfd.key"
vrrp_pair_auth() {
	vrrp_run n1 "$T/n1.conf"
	wait_for 5 "node 1 is master" vrrp_state_is n1 master
	vrrp_run n2 "$T/n2.conf"
	wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
}
vrrp_pair_auth
wait_for 5 "BFD Up on node 1" field_is n1 bfd.state Up
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up
t_assert "node 1 shows the auth type" [ "$(vrrp_field n1 bfd.auth)" = meticulous-keyed-sha1 ]
t_assert "and the key id" [ "$(vrrp_field n1 bfd.key_id)" = 7 ]
t_assert "but not the secret" bash -c "! '$BIN/vrrpctl' -s '$T/n1.sock' --json status | grep -q s3cret"
t_assert "no packet failed authentication" [ "$(vrrp_field n1 bfd.counters.discards.auth_failed)" = 0 ]

# Forged packets from node 2's address, with node 1's discriminator.
d1=$(vrrp_field n1 bfd.local_discriminator)
d2=$(vrrp_field n2 bfd.local_discriminator)
forge() { ns_exec n2 "$PY" "$REPO/tests/net/bfd_forge.py" 198.51.100.11 "$d2" "$d1" "$@"; }
dropped_is() { [ "$(vrrp_field n1 "bfd.counters.discards.$1")" = "$2" ]; }
forge meticulous-keyed-sha1 7 wrong-secret 1
wait_for 3 "a wrong secret is dropped as auth_failed" dropped_is auth_failed 1
forge meticulous-keyed-sha1 8 vrrp-bfd-s3cret 1
wait_for 3 "a wrong key id is dropped as auth_failed" dropped_is auth_failed 2
# A good digest with a number outside the window (node 2's last + 1 to
# + 3 x Detect Mult), as an old packet replayed would carry.
forge meticulous-keyed-sha1 7 vrrp-bfd-s3cret $(( $(date +%s) ))
wait_for 3 "an old sequence number is dropped as auth_sequence" dropped_is auth_sequence 1
forge none
wait_for 3 "a packet without authentication is dropped as auth_mismatch" dropped_is auth_mismatch 1
t_assert "node 1's session is still Up" [ "$(vrrp_field n1 bfd.state)" = Up ]
t_assert "node 2 still backup" vrrp_state_is n2 backup

# BFD's failure is believed only from a master the backup has heard: wait for
# its advert (node 2 may have started just after node 1's first one).
wait_for 3 "node 2 heard node 1's advert" field_is n2 master 198.51.100.11
hub_link n1 down
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
t_assert "reason is bfd_peer_down" [ "$(vrrp_field n2 last_transition.reason)" = bfd_peer_down ]

#!/bin/sh
# generate.sh: the node configs from one template per daemon.
#
#   configs/generate.sh                  configs/NODE/{vrrpd,lbd}.conf for every configs/NODE.env
#   configs/generate.sh -e DIR -o OUT    env files from DIR (site.env + NODE.env), output to OUT/NODE/
#   configs/generate.sh -c               check: regenerate into a scratch folder and diff
#
# site.env holds what both nodes share (VIP, VRID, interface, unicast or not,
# the BFD interval or off);
# NODE.env what differs, as the deployment's .env did: NODE_NAME, NODE_IP,
# PEER_NAME, PEER_IP, PRIORITY.  Templates use @NAME@ for each variable; a
# placeholder left unreplaced is an error.  S3_PORT (optional) puts lbd's S3
# frontend over both nodes' MinIO on that port; without it the block is
# commented out.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ENV_DIR=$HERE
OUT=$HERE
CHECK=0
while getopts e:o:c opt; do
	case $opt in
	e) ENV_DIR=$(cd "$OPTARG" && pwd) ;;
	o) OUT=$OPTARG ;;
	c) CHECK=1 ;;
	*) echo "usage: $0 [-e ENV_DIR] [-o OUT_DIR] [-c]" >&2; exit 2 ;;
	esac
done

if [ "$CHECK" = 1 ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	"$0" -e "$ENV_DIR" -o "$tmp"
	rc=0
	for d in "$tmp"/*/; do
		node=$(basename "$d")
		for f in "$d"*.conf; do
			diff -u "$OUT/$node/$(basename "$f")" "$f" || rc=1
		done
	done
	[ "$rc" = 0 ] && echo "generate.sh: committed configs are up to date"
	exit "$rc"
fi

VARS="NODE_NAME NODE_IP PEER_NAME PEER_IP PRIORITY VIP VRID ADVERT INTERFACE UNICAST S3_PORT S3 BFD_ON BFD_INTERVAL"
found=0
for envf in "$ENV_DIR"/*.env; do
	node=$(basename "$envf" .env)
	[ "$node" = site ] && continue
	found=1
	mkdir -p "$OUT/$node"
	for tpl in "$HERE"/templates/*.conf.in; do
		out="$OUT/$node/$(basename "$tpl" .in)"
		# Each file is read in its own shell so no value leaks from one node to the next.
		(
			UNICAST=no
			S3_PORT=
			BFD=off
			# shellcheck disable=SC1090,SC1091
			. "$ENV_DIR/site.env"
			# shellcheck disable=SC1090
			. "$envf"
			case $UNICAST in
			yes) UNICAST= ;;
			no) UNICAST='# ' ;;
			*) echo "$envf: UNICAST must be yes or no" >&2; exit 1 ;;
			esac
			case $S3_PORT in
			'') S3='# ' ;;
			*[!0-9]*) echo "$envf: S3_PORT must be a port number or empty" >&2; exit 1 ;;
			*) S3= ;;
			esac
			# BFD=off comments the bfd line out (with the usual 10ms in it)
			case $BFD in
			off) BFD_ON='# ' BFD_INTERVAL=10ms ;;
			[1-9]*ms|[1-9]*s) BFD_ON= BFD_INTERVAL=$BFD ;;
			*) echo "$envf: BFD must be an interval like 10ms, or off" >&2; exit 1 ;;
			esac
			script=
			for v in $VARS; do
				eval "val=\${$v?$envf: $v is not set}"
				# escape what sed would interpret in the replacement
				val=$(printf '%s' "$val" | sed 's/[\\&|]/\\&/g')
				script="${script}s|@$v@|$val|g;"
			done
			sed "$script" "$tpl" >"$out.tmp"
		) || exit 1
		if grep -n '@[A-Z_]*@' "$out.tmp" >&2; then
			echo "$tpl: placeholder without a value (above)" >&2
			rm -f "$out.tmp"
			exit 1
		fi
		mv "$out.tmp" "$out"
	done
done
[ "$found" = 1 ] || { echo "$0: no NODE.env in $ENV_DIR" >&2; exit 1; }

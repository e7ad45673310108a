# tests/net/handover_lab.sh: the lab of the planned-handover tests
# (test_vrrp_handover*.sh; sourced after lib.sh and vrrp_lab.sh): the VRRP
# lab, and on each node nginx on 127.0.0.1:8081 answering the node's name
# behind lbd on *:8080 (control socket $T/lbd-NODE.sock).
#   handover_lab              the lab, both lbd answering
#   handover_nodes LINES      vrrpd on both (node 1 at 100 with LINES added to
#                             its global block, node 2 at 90; 1 s adverts),
#                             node 1 master and reached through the VIP
handover_lab() {
	vrrp_lab
	# vrrpd keeps no CAP_DAC_OVERRIDE: it reaches lbd's socket in $T as its owner.
	chmod 755 "$T"
	for n in n1 n2; do
		cat > "$T/nginx-$n.conf" <<-EOF2
	daemon off; master_process off; pid $T/nginx-$n.pid; error_log $T/nginx-$n.err;
	events { worker_connections 256; }
	http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
	  uwsgi_temp_path $T; scgi_temp_path $T;
	  server { listen 127.0.0.1:8081; location / { return 200 "$n\n"; } } }
	EOF2
		net_spawn "$n" "nginx_$n" nginx -c "$T/nginx-$n.conf"
		cat > "$T/lbd-$n.conf" <<-EOF2
	global { workers 2; stats 127.0.0.1:8404 health 127.0.0.1:8405; control $T/lbd-$n.sock; access-log off; grace 2s; }
	defaults { timeout keep-alive 10s; }
	backend web {
		check GET / expect 200 interval 200ms rise 1 fall 2;
		server local 127.0.0.1:8081;
	}
	frontend www { bind *:8080; backend web; }
	EOF2
		net_spawn "$n" "lbd_$n" "$BIN/lbd" -n -f "$T/lbd-$n.conf"
	done
	for n in n1 n2; do
		wait_for 5 "lbd on $n answers" ns_exec "$n" curl --noproxy '*' -sf -o /dev/null http://127.0.0.1:8080/
	done
}

handover_nodes() { # LINES (for node 1's global block, \n\t between them)
	vrrp_conf n1 100 1s > "$T/n1.conf"
	sed -i "s|^global {|global {\n\t$1|" "$T/n1.conf"
	vrrp_conf n2 90 1s > "$T/n2.conf"
	vrrp_run n1 "$T/n1.conf"
	wait_for 6 "node 1 is master" vrrp_state_is n1 master
	vrrp_run n2 "$T/n2.conf"
	wait_for 6 "node 2 is backup" vrrp_state_is n2 backup
	wait_for 3 "the client reaches node 1 through the VIP" sh -c \
		"ip netns exec $NS_cl curl --noproxy '*' -sf http://$VIP:8080/ | grep -qx n1"
}

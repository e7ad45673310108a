#!/usr/bin/env bash
# A request sent whole is not replayed by default: a
# backend that reads a request head and closes without answering gets a
# DELETE exactly once (502 to the client), though 'retries 3' is set;
# with 'retry-on empty-response' it gets it 1 + 3 times.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"

lbd_setup
net_spawn lb closer "$PY" "$(dirname "$0")/lbd_backend.py" 192.0.2.11 8081 headclose "$T/seen"
wait_for 5 "the backend that closes" ns_exec lb bash -c 'exec 3<>/dev/tcp/192.0.2.11/8081'
lbd_conf "$T/lbd.conf" <<'C'
defaults { retries 3; }
backend once { server a 192.0.2.11:8081; }
backend again { retry-on empty-response; server a 192.0.2.11:8081; }
frontend once { bind 192.0.2.10:9192; backend once; }
frontend again { bind 192.0.2.10:9193; backend again; }
C
lbd_start "$T/lbd.conf"

seen() { grep -c "^DELETE $1 " "$T/seen"; }
t_assert "DELETE answered 502" test "$(c -o /dev/null -w '%{http_code}' -X DELETE http://192.0.2.10:9192/d1)" = 502
t_assert "the DELETE reached the backend once ($(seen /d1))" test "$(seen /d1)" = 1
t_assert "no retry counted" test "$(lbd_stat "s['backends'][0]['retries']")" = 0
t_assert "with retry-on empty-response: 502" test "$(c -o /dev/null -w '%{http_code}' -X DELETE http://192.0.2.10:9193/d2)" = 502
t_assert "... the DELETE reached it 4 times ($(seen /d2))" test "$(seen /d2)" = 4
t_assert "3 retries counted" test "$(lbd_stat "s['backends'][1]['retries']")" = 3

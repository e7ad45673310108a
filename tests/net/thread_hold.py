#!/usr/bin/python3
"""Hold some threads of a running daemon still while the others run:
   thread_hold.py PID PREFIX RELEASEFILE MAXSECS
Every thread of PID whose name (/proc/PID/task/TID/comm) starts with PREFIX
is stopped with ptrace (PTRACE_SEIZE, PTRACE_INTERRUPT: only that thread
stops, not its process).  Prints "held N" once they all are, then lets them
go (PTRACE_DETACH) when RELEASEFILE exists, after MAXSECS, or when this
process is killed (the kernel detaches a dead tracer's threads).  A thread
held so is a thread the scheduler does not run for a while: lbd's worker
on a loaded machine."""
import ctypes
import os
import sys
import time

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000

pid, prefix, release, maxsecs = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def comm(tid):
    with open("/proc/%d/task/%d/comm" % (pid, tid)) as f:
        return f.read().strip()


tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid) if comm(int(t)).startswith(prefix))
if not tids:
    sys.exit("no thread of %d is named %s*" % (pid, prefix))
for tid in tids:
    for req in (PTRACE_SEIZE, PTRACE_INTERRUPT):
        if libc.ptrace(req, tid, None, None) != 0:
            sys.exit("ptrace(%#x, %d): %s" % (req, tid, os.strerror(ctypes.get_errno())))
    os.waitpid(tid, WALL)  # it is stopped
print("held %d" % len(tids), flush=True)
deadline = time.time() + maxsecs
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.01)
for tid in tids:
    libc.ptrace(PTRACE_DETACH, tid, None, None)
print("released", flush=True)

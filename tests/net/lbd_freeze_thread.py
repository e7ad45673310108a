#!/usr/bin/env python3
"""Stop one thread of a process for a while, the others keep running.

    lbd_freeze_thread.py PID THREAD-NAME SECONDS

Finds the thread by its name (/proc/PID/task/*/comm, e.g. "lbd-w1"), stops
it with ptrace (PTRACE_SEIZE + PTRACE_INTERRUPT act on that one task), prints
"frozen TID" once it is stopped, sleeps, then detaches, which lets it run on.
Stands in for a worker stuck in a long callback."""
import ctypes
import os
import sys
import time

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def ptrace(req, tid):
    if libc.ptrace(req, tid, None, None) < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"ptrace({req:#x}, {tid}): {os.strerror(err)}")


def main():
    pid, name, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    tid = None
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/comm") as f:
            if f.read().strip() == name:
                tid = int(t)
    if tid is None:
        sys.exit(f"no thread {name} in {pid}")
    ptrace(PTRACE_SEIZE, tid)
    ptrace(PTRACE_INTERRUPT, tid)
    os.waitpid(tid, WALL)
    print(f"frozen {tid}", flush=True)
    time.sleep(seconds)
    ptrace(PTRACE_DETACH, tid)
    print(f"thawed {tid}", flush=True)


main()

/* lbd_reuseport: what lbd/steer.c and bpf/lbd_reuseport.bpf.c share. */
#ifndef BPF_LBD_REUSEPORT_H
#define BPF_LBD_REUSEPORT_H

/* Listening sockets of one bind address in one process (one per worker). */
#define LBD_REUSEPORT_MAX 256

#endif

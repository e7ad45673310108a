/* vconf: vrrpd's configuration (docs/vrrpd.conf.5): keyword tables over the
 * shared grammar of common/conf.h, cross-checks, and the resulting structs.
 * Pure: no sockets, nothing of the running daemon; a reload builds a second
 * struct vconf beside the running one and swaps only if it is valid. */
#ifndef VRRPD_VCONF_H
#define VRRPD_VCONF_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "addr.h"
#include "bfd_auth.h"

#define VCONF_MAX_VIPS 32
#define VCONF_MAX_PEERS 16
#define VCONF_MAX_TRACKS 16
#define VCONF_NAME_MAX 64
#define VCONF_CMD_MAX 1024
#define VCONF_DEFAULT_CONTROL "/run/vrrpd/vrrpd.sock"
#define VCONF_NOTIFY_TIMEOUT_MS 10000

enum vconf_checksum { VCONF_CSUM_RFC5798, VCONF_CSUM_RFC9568 };

enum vconf_track_kind {
	VCONF_TRACK_HTTP,      /* GET path on address:port, expect a status */
	VCONF_TRACK_SCRIPT,    /* exit status 0 = up */
	VCONF_TRACK_FILE,      /* file exists (and, if it holds a number, != 0) */
	VCONF_TRACK_INTERFACE, /* link has carrier */
};

struct vconf_track {
	char name[VCONF_NAME_MAX];
	enum vconf_track_kind kind;
	struct addr http_addr;           /* HTTP */
	char http_path[256];
	unsigned http_status;            /* 0 = any 2xx */
	char script[VCONF_CMD_MAX];      /* SCRIPT: run with /bin/sh -c */
	char path[256];                  /* FILE */
	char ifname[IF_NAMESIZE];        /* INTERFACE */
	uint32_t interval_ms, timeout_ms;
	unsigned rise, fall;
};

struct vconf_vip {
	struct addr addr;
	int prefixlen;
	char label[IF_NAMESIZE];         /* "" = none */
};

struct vconf_track_ref {
	int track;                       /* index into vconf.tracks */
	int weight;                      /* added to priority while down; 0 = FAULT */
};

struct vconf_garp {
	unsigned count;                  /* messages per burst on becoming master */
	uint32_t interval_ms;            /* between messages of a burst */
	uint32_t repeat_ms;              /* second burst this long after the first; 0 = none */
	uint32_t refresh_ms;             /* periodic burst while master; 0 = none */
};

/* BFD sessions to the other routers' addresses (bfd.h); on = 0: none. */
#define VCONF_BFD_MORE 3                 /* peers past the first */
struct vconf_bfd {
	int on;
	struct addr peer;                /* the address the peer's adverts come from */
	struct addr more[VCONF_BFD_MORE]; /* further peers (several backups), one session each */
	int nmore;
	uint32_t min_tx_ms, min_rx_ms;   /* 10ms .. 60s */
	unsigned mult;                   /* 1..255 */
	struct bfd_auth_key auth;        /* 'auth', 'key-id', 'secret' or 'secret-file' */
};

struct vconf_instance {
	char name[VCONF_NAME_MAX];
	char ifname[IF_NAMESIZE];
	int family;                      /* AF_INET or AF_INET6, from the addresses */
	unsigned vrid;                   /* 1..255 */
	unsigned priority;               /* 1..255 (255 = address owner) */
	unsigned advert_cs;              /* centiseconds, 1..4095 */
	struct vconf_vip vips[VCONF_MAX_VIPS];
	int nvips;
	struct addr unicast_src;         /* family 0 = primary address of the interface */
	struct addr peers[VCONF_MAX_PEERS];
	int npeers;                      /* 0 = multicast */
	int preempt;
	uint32_t preempt_delay_ms;
	int accept;
	int vmac;                        /* virtual MAC on a macvlan (vmac.h) */
	char vmac_ifname[IF_NAMESIZE];   /* its name; default vrrp.VRID */
	enum vconf_checksum checksum;
	struct vconf_garp garp;
	struct vconf_track_ref tracks[VCONF_MAX_TRACKS];
	int ntracks;
	char notify[VCONF_CMD_MAX];      /* "" = the global one */
	struct vconf_bfd bfd;
	char where[300];                 /* "file:line" of the block, for messages */
};

struct vconf_global {
	char control[108];
	int rt_priority;                 /* SCHED_FIFO priority; 0 = normal scheduling */
	int mlock;
	int xdp_guard;                   /* load the XDP guard (guard.h); default on */
	char notify[VCONF_CMD_MAX];
	uint32_t notify_timeout_ms;      /* a notify run killed after this long */
};

struct vconf {
	struct vconf_global global;
	struct vconf_instance *inst;
	int ninst;
	struct vconf_track *tracks;
	int ntracks;
};

/* 0, or negative errno with "file:line:col: what was expected" in err. */
int vconf_load(const char *path, struct vconf **out, char *err, size_t errlen);
int vconf_parse_string(const char *name, const char *text, size_t len, struct vconf **out,
		       char *err, size_t errlen);
void vconf_free(struct vconf *c);

/* Index of the instance with this name, or -1. */
int vconf_find_instance(const struct vconf *c, const char *name);

#endif

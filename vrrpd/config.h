/* config: vrrpd's configuration (docs/vrrpd.conf.5): keyword tables over the
 * shared grammar of common/conf.h, cross-checks, and the resulting structs.
 * Pure: no sockets, nothing of the running daemon; a reload builds a second
 * struct vrrpd_config beside the running one and swaps only if it is valid. */
#ifndef VRRPD_CONFIG_H
#define VRRPD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "addr.h"
#include "bfd_auth.h"

#define CONFIG_MAX_VIPS 32
#define CONFIG_MAX_PEERS 16
#define CONFIG_MAX_TRACKS 16
#define CONFIG_MAX_SYN_HOLD_PORTS 16
#define CONFIG_NAME_MAX 64
#define CONFIG_CMD_MAX 1024
#define CONFIG_DEFAULT_CONTROL "/run/vrrpd/vrrpd.sock"
#define CONFIG_NOTIFY_TIMEOUT_MS 10000
#define CONFIG_HANDOVER_TIMEOUT_MS 2000
/* preempt-grace by default: handover-timeout plus this, the lower master's
 * drain and its priority-0 advert on the way */
#define CONFIG_PREEMPT_GRACE_MARGIN_MS 1000
#define CONFIG_PREEMPT_GRACE_MAX_MS 600000

enum config_checksum { CONFIG_CSUM_RFC5798, CONFIG_CSUM_RFC9568 };

enum track_kind {
	TRACK_HTTP,      /* GET path on address:port, expect a status */
	TRACK_SCRIPT,    /* exit status 0 = up */
	TRACK_FILE,      /* file exists (and, if it holds a number, != 0) */
	TRACK_INTERFACE, /* link has carrier */
};

struct track_conf {
	char name[CONFIG_NAME_MAX];
	enum track_kind kind;
	struct addr http_addr;           /* HTTP */
	char http_path[256];
	unsigned http_status;            /* 0 = any 2xx */
	char script[CONFIG_CMD_MAX];      /* SCRIPT: run with /bin/sh -c */
	char path[256];                  /* FILE */
	char ifname[IF_NAMESIZE];        /* INTERFACE */
	uint32_t interval_ms, timeout_ms;
	uint32_t fast_interval_ms;       /* after a failure while up; default interval_ms */
	unsigned rise, fall;
	int refused_down;                /* on-refused down: a refused connection is down at once */
};

struct vip_conf {
	struct addr addr;
	int prefixlen;
	char label[IF_NAMESIZE];         /* "" = none */
};

struct track_ref {
	int track;                       /* index into vrrpd_config.tracks */
	int weight;                      /* added to priority while down; 0 = FAULT */
};

struct garp_conf {
	unsigned count;                  /* messages per burst on becoming master */
	uint32_t interval_ms;            /* between messages of a burst */
	uint32_t repeat_ms;              /* second burst this long after the first; 0 = none */
	uint32_t refresh_ms;             /* periodic burst while master; 0 = none */
};

/* BFD sessions to the other routers' addresses (bfd.h); on = 0: none. */
#define CONFIG_BFD_MORE 3                 /* peers past the first */
struct bfd_conf {
	int on;
	struct addr peer;                /* the address the peer's adverts come from */
	struct addr more[CONFIG_BFD_MORE]; /* further peers (several backups), one session each */
	int nmore;
	uint32_t min_tx_ms, min_rx_ms;   /* 10ms .. 60s */
	unsigned mult;                   /* 1..255 */
	struct bfd_auth_key auth;        /* 'auth', 'key-id', 'secret' or 'secret-file' */
};

struct instance_conf {
	char name[CONFIG_NAME_MAX];
	char ifname[IF_NAMESIZE];
	int family;                      /* AF_INET or AF_INET6, from the addresses */
	unsigned vrid;                   /* 1..255 */
	unsigned priority;               /* 1..255 (255 = address owner) */
	unsigned advert_cs;              /* centiseconds, 1..4095 */
	struct vip_conf vips[CONFIG_MAX_VIPS];
	int nvips;
	struct addr unicast_src;         /* family 0 = primary address of the interface */
	struct addr peers[CONFIG_MAX_PEERS];
	int npeers;                      /* 0 = multicast */
	int preempt;
	uint32_t preempt_delay_ms;
	uint32_t preempt_grace_ms;       /* graceful preemption (vrrp.h); 0 = off */
	int preempt_grace_set;           /* written in the file (else the default, from handover-timeout) */
	int accept;
	int syn_hold;                    /* SYNs to a VIP without a listener dropped, not refused (synhold.h) */
	uint16_t syn_hold_ports[CONFIG_MAX_SYN_HOLD_PORTS]; /* only to these ports; none = every port */
	int nsyn_hold_ports;
	int vmac;                        /* virtual MAC on a macvlan (vmac.h) */
	char vmac_ifname[IF_NAMESIZE];   /* its name; default vrrp.VRID */
	enum config_checksum checksum;
	struct garp_conf garp;
	struct track_ref tracks[CONFIG_MAX_TRACKS];
	int ntracks;
	char notify[CONFIG_CMD_MAX];      /* "" = the global one */
	struct bfd_conf bfd;
	char where[300];                 /* "file:line" of the block, for messages */
};

struct global_conf {
	char control[108];
	int rt_priority;                 /* SCHED_FIFO priority; 0 = normal scheduling */
	int mlock;
	int xdp_guard;                   /* load the XDP guard (guard.h); default on */
	char notify[CONFIG_CMD_MAX];
	uint32_t notify_timeout_ms;      /* a notify run killed after this long */
	char lbd_control[108];           /* lbd's control socket, for a planned handover; "" = none */
	uint32_t handover_timeout_ms;    /* longest wait for lbd to drain before giving the VIP up */
};

struct vrrpd_config {
	struct global_conf global;
	struct instance_conf *inst;
	int ninst;
	struct track_conf *tracks;
	int ntracks;
};

/* 0, or negative errno with "file:line:col: what was expected" in err. */
int vrrpd_config_load(const char *path, struct vrrpd_config **out, char *err, size_t errlen);
int vrrpd_config_parse_string(const char *name, const char *text, size_t len, struct vrrpd_config **out,
		       char *err, size_t errlen);
void vrrpd_config_free(struct vrrpd_config *c);

/* Index of the instance with this name, or -1. */
int vrrpd_config_find_instance(const struct vrrpd_config *c, const char *name);

#endif

/* bfd_packet: the BFD control packet on the wire (RFC 5880 section 4.1),
 * as carried in UDP to port 3784 (RFC 5881).  Pure: bytes in, bytes out;
 * no sockets, no allocation.  The parser returns pointers into the
 * caller's buffer.
 *
 *   |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 *   |                       My Discriminator                        |
 *   |                      Your Discriminator                       |
 *   |                    Desired Min TX Interval                    |
 *   |                   Required Min RX Interval                    |
 *   |                 Required Min Echo RX Interval                 |
 *   |   Auth Type   |   Auth Len    |    Authentication Data...     |
 */
#ifndef VRRPD_BFD_PACKET_H
#define VRRPD_BFD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define BFD_PORT 3784
#define BFD_SRC_PORT_MIN 49152
#define BFD_SRC_PORT_MAX 65535
#define BFD_TTL 255
#define BFD_VERSION 1
#define BFD_HDR_LEN 24
#define BFD_MAX_LEN (BFD_HDR_LEN + 28)

/* Session states (section 4.1, "Sta"). */
enum bfd_state {
	BFD_ADMIN_DOWN = 0,
	BFD_DOWN = 1,
	BFD_INIT = 2,
	BFD_UP = 3,
};

/* Diagnostic codes (section 4.1, "Diag"). */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_TIME_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT_DOWN = 8,
};

/* Flags, as they sit in the second byte. */
#define BFD_FLAG_POLL 0x20
#define BFD_FLAG_FINAL 0x10
#define BFD_FLAG_CPI 0x08
#define BFD_FLAG_AUTH 0x04
#define BFD_FLAG_DEMAND 0x02
#define BFD_FLAG_MULTIPOINT 0x01

/* Authentication types (section 4.1, "Auth Type"). */
enum bfd_auth_type {
	BFD_AUTH_NONE = 0,
	BFD_AUTH_SIMPLE = 1,
	BFD_AUTH_KEYED_MD5 = 2,
	BFD_AUTH_METICULOUS_MD5 = 3,
	BFD_AUTH_KEYED_SHA1 = 4,
	BFD_AUTH_METICULOUS_SHA1 = 5,
};

/* Why a received packet was dropped, in the order of RFC 5880 section
 * 6.8.6; the names table gives the counter names shown by vrrpctl. */
enum bfd_discard {
	BFD_OK = 0,
	BFD_BAD_TTL,          /* TTL / hop limit not 255 (RFC 5881 section 5) */
	BFD_BAD_VERSION,      /* version not 1 */
	BFD_BAD_LENGTH,       /* Length field too small or past the payload */
	BFD_BAD_MULT,         /* Detect Mult 0 */
	BFD_MULTIPOINT,       /* M bit set */
	BFD_BAD_MY_DISC,      /* My Discriminator 0 */
	BFD_BAD_YOUR_DISC,    /* Your Discriminator 0 outside Down/AdminDown */
	BFD_BAD_AUTH_LEN,     /* auth section malformed for its type */
	BFD_UNKNOWN_SESSION,  /* no session for the discriminator/peer (the caller decides) */
	BFD_AUTH_MISMATCH,    /* A bit or auth type differs from the session's config (the caller) */
	BFD_AUTH_FAILED,      /* wrong key id, password or digest (bfd_auth.h) */
	BFD_AUTH_SEQUENCE,    /* sequence number outside the window (bfd_auth.h) */
	BFD_DISCARD_MAX
};

extern const char *const bfd_discard_names[BFD_DISCARD_MAX];
extern const char *const bfd_state_names[4];
extern const char *const bfd_diag_names[9];

struct bfd_ctrl {
	uint8_t diag;            /* enum bfd_diag (0-31 on the wire) */
	uint8_t state;           /* enum bfd_state */
	uint8_t flags;           /* BFD_FLAG_* */
	uint8_t detect_mult;
	uint32_t my_disc;
	uint32_t your_disc;
	uint32_t min_tx_us;      /* Desired Min TX Interval */
	uint32_t min_rx_us;      /* Required Min RX Interval */
	uint32_t min_echo_rx_us; /* Required Min Echo RX Interval */
	/* Authentication section, when BFD_FLAG_AUTH is set (parse only). */
	uint8_t auth_type;
	uint8_t auth_len;        /* the Auth Len field, whole section */
	uint8_t auth_key_id;
	uint32_t auth_seq;       /* MD5/SHA1 types */
	const uint8_t *auth_data; /* password, or digest (16 MD5 / 20 SHA1) */
	size_t auth_data_len;
};

/* Writes a control packet without authentication into out.  Returns its
 * length (24), or -1 if cap is too small or a field is out of range
 * (state > 3, diag > 31, detect_mult 0, the auth flag set). */
int bfd_packet_build(uint8_t *out, size_t cap, const struct bfd_ctrl *c);

/* Checks a received UDP payload in RFC 5880 section 6.8.6's order: ttl,
 * version, length, detect mult, multipoint, discriminators, and the auth
 * section's length for its type.  Fills *c on BFD_OK. */
enum bfd_discard bfd_packet_parse(const uint8_t *p, size_t len, int ttl, struct bfd_ctrl *c);

#endif

#include "bfd_packet.h"

#include <string.h>

const char *const bfd_discard_names[BFD_DISCARD_MAX] = {
	[BFD_OK] = "ok",
	[BFD_BAD_TTL] = "bad_ttl",
	[BFD_BAD_VERSION] = "bad_version",
	[BFD_BAD_LENGTH] = "bad_length",
	[BFD_BAD_MULT] = "bad_detect_mult",
	[BFD_MULTIPOINT] = "multipoint",
	[BFD_BAD_MY_DISC] = "bad_my_discriminator",
	[BFD_BAD_YOUR_DISC] = "bad_your_discriminator",
	[BFD_BAD_AUTH_LEN] = "bad_auth_length",
	[BFD_UNKNOWN_SESSION] = "unknown_session",
	[BFD_AUTH_MISMATCH] = "auth_mismatch",
	[BFD_AUTH_FAILED] = "auth_failed",
	[BFD_AUTH_SEQUENCE] = "auth_sequence",
};

const char *const bfd_state_names[4] = {
	[BFD_ADMIN_DOWN] = "AdminDown",
	[BFD_DOWN] = "Down",
	[BFD_INIT] = "Init",
	[BFD_UP] = "Up",
};

const char *const bfd_diag_names[9] = {
	[BFD_DIAG_NONE] = "none",
	[BFD_DIAG_TIME_EXPIRED] = "control_detection_time_expired",
	[BFD_DIAG_ECHO_FAILED] = "echo_function_failed",
	[BFD_DIAG_NEIGHBOR_DOWN] = "neighbor_signaled_session_down",
	[BFD_DIAG_FWD_RESET] = "forwarding_plane_reset",
	[BFD_DIAG_PATH_DOWN] = "path_down",
	[BFD_DIAG_CONCAT_DOWN] = "concatenated_path_down",
	[BFD_DIAG_ADMIN_DOWN] = "administratively_down",
	[BFD_DIAG_REV_CONCAT_DOWN] = "reverse_concatenated_path_down",
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int bfd_packet_build(uint8_t *out, size_t cap, const struct bfd_ctrl *c)
{
	if (cap < BFD_HDR_LEN || c->state > BFD_UP || c->diag > 31 || c->detect_mult == 0 ||
	    (c->flags & (BFD_FLAG_AUTH | 0xc0)))
		return -1;
	out[0] = (uint8_t)(BFD_VERSION << 5 | c->diag);
	out[1] = (uint8_t)(c->state << 6 | c->flags);
	out[2] = c->detect_mult;
	out[3] = BFD_HDR_LEN;
	put32(out + 4, c->my_disc);
	put32(out + 8, c->your_disc);
	put32(out + 12, c->min_tx_us);
	put32(out + 16, c->min_rx_us);
	put32(out + 20, c->min_echo_rx_us);
	return BFD_HDR_LEN;
}

/* The auth section (section 4.2-4.4): its Auth Len must match its type and
 * fit inside the packet's Length. */
static enum bfd_discard parse_auth(const uint8_t *a, size_t room, struct bfd_ctrl *c)
{
	if (room < 2)
		return BFD_BAD_LENGTH;
	c->auth_type = a[0];
	c->auth_len = a[1];
	if (c->auth_len > room)
		return BFD_BAD_AUTH_LEN;
	switch (c->auth_type) {
	case BFD_AUTH_SIMPLE:
		/* Type, Len, Key ID, then a password of 1 to 16 bytes. */
		if (c->auth_len < 4 || c->auth_len > 19)
			return BFD_BAD_AUTH_LEN;
		c->auth_key_id = a[2];
		c->auth_data = a + 3;
		c->auth_data_len = (size_t)c->auth_len - 3;
		return BFD_OK;
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_METICULOUS_MD5:
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_METICULOUS_SHA1: {
		size_t dlen = c->auth_type <= BFD_AUTH_METICULOUS_MD5 ? 16 : 20;
		/* Type, Len, Key ID, Reserved, Sequence Number, digest. */
		if (c->auth_len != 8 + dlen)
			return BFD_BAD_AUTH_LEN;
		c->auth_key_id = a[2];
		c->auth_seq = get32(a + 4);
		c->auth_data = a + 8;
		c->auth_data_len = dlen;
		return BFD_OK;
	}
	default:
		return BFD_BAD_AUTH_LEN;
	}
}

enum bfd_discard bfd_packet_parse(const uint8_t *p, size_t len, int ttl, struct bfd_ctrl *c)
{
	if (ttl != BFD_TTL)
		return BFD_BAD_TTL;
	if (len < 1 || p[0] >> 5 != BFD_VERSION)
		return BFD_BAD_VERSION;
	if (len < BFD_HDR_LEN)
		return BFD_BAD_LENGTH;
	memset(c, 0, sizeof(*c));
	c->diag = p[0] & 0x1f;
	c->state = p[1] >> 6;
	c->flags = p[1] & 0x3f;
	c->detect_mult = p[2];
	size_t plen = p[3];
	if (plen < (c->flags & BFD_FLAG_AUTH ? BFD_HDR_LEN + 2u : (size_t)BFD_HDR_LEN) || plen > len)
		return BFD_BAD_LENGTH;
	if (c->detect_mult == 0)
		return BFD_BAD_MULT;
	if (c->flags & BFD_FLAG_MULTIPOINT)
		return BFD_MULTIPOINT;
	c->my_disc = get32(p + 4);
	c->your_disc = get32(p + 8);
	c->min_tx_us = get32(p + 12);
	c->min_rx_us = get32(p + 16);
	c->min_echo_rx_us = get32(p + 20);
	if (c->my_disc == 0)
		return BFD_BAD_MY_DISC;
	if (c->your_disc == 0 && c->state != BFD_DOWN && c->state != BFD_ADMIN_DOWN)
		return BFD_BAD_YOUR_DISC;
	if (c->flags & BFD_FLAG_AUTH)
		return parse_auth(p + BFD_HDR_LEN, plen - BFD_HDR_LEN, c);
	return BFD_OK;
}

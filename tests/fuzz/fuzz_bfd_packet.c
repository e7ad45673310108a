/* libFuzzer target: the BFD control packet parser on arbitrary bytes.  An
 * accepted packet without authentication is rebuilt and must parse again
 * to the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vrrpd/bfd_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_ctrl c, d;
	uint8_t out[BFD_MAX_LEN];

	if (bfd_packet_parse(data, size, 255, &c) != BFD_OK)
		return 0;
	if (c.flags & BFD_FLAG_AUTH) {
		if (c.auth_data + c.auth_data_len > data + size)
			abort();
		return 0;
	}
	int n = bfd_packet_build(out, sizeof(out), &c);
	if (n != BFD_HDR_LEN)
		abort();
	if (bfd_packet_parse(out, (size_t)n, 255, &d) != BFD_OK || d.state != c.state ||
	    d.diag != c.diag || d.flags != c.flags || d.detect_mult != c.detect_mult ||
	    d.my_disc != c.my_disc || d.your_disc != c.your_disc || d.min_tx_us != c.min_tx_us ||
	    d.min_rx_us != c.min_rx_us || d.min_echo_rx_us != c.min_echo_rx_us)
		abort();
	return 0;
}

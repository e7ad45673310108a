/* rtnl: the rtnetlink plumbing that iface, vip and vmac share, over libmnl:
 * a socket, a request built in the caller's buffer, a synchronous exchange
 * that waits for the kernel's answer, and the draining of a non-blocking
 * socket from the daemon's loop.  Sockets and messages are libmnl's; this
 * only keeps sequence numbers, acknowledgements and attribute tables in one
 * place. */
#ifndef VRRPD_RTNL_H
#define VRRPD_RTNL_H

#include <stddef.h>
#include <stdint.h>

struct mnl_socket;
struct nlattr;
struct nlmsghdr;

/* Enough for any one message the kernel sends us (a link with its
 * statistics is a few KiB); only the pages a message fills are touched. */
#define RTNL_RECV_SIZE 32768
/* Enough for any request we build. */
#define RTNL_REQ_SIZE 512

/* A NETLINK_ROUTE socket, close-on-exec, non-blocking if nonblock.  NULL
 * with errno set on failure. */
struct mnl_socket *rtnl_open(int nonblock);

/* Starts a request of type in buf (RTNL_REQ_SIZE bytes) with NLM_F_REQUEST
 * and flags, followed by a zeroed family header of hdrlen bytes, which the
 * caller fills through mnl_nlmsg_get_payload().  (Not a void ** out
 * parameter: storing a void * into a struct ifaddrmsg * object breaks C's
 * aliasing rules.)  Attributes follow with mnl_attr_put*(). */
struct nlmsghdr *rtnl_request(void *buf, uint16_t type, uint16_t flags, size_t hdrlen);

/* Sends req asking for an acknowledgement, without waiting.  0 or -errno. */
int rtnl_send(struct mnl_socket *nl, struct nlmsghdr *req);

/* Sends req and waits for the acknowledgement (a blocking socket); each
 * reply message before it goes to fn (NULL: none expected).  0, or the
 * kernel's -errno, or -errno of the socket. */
typedef void (*rtnl_msg_fn)(const struct nlmsghdr *h, void *arg);
int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *req, rtnl_msg_fn fn, void *arg);

/* Reads a non-blocking socket until it is empty, each message to fn.
 * buf holds RTNL_RECV_SIZE bytes.  0 when drained, or -errno. */
int rtnl_drain(struct mnl_socket *nl, void *buf, rtnl_msg_fn fn, void *arg);

/* The attributes after a family header of hdrlen bytes (or nested in
 * nest) by type, into tb[0..max]; NULL where absent.  0 or -EINVAL. */
int rtnl_attrs(const struct nlmsghdr *h, size_t hdrlen, const struct nlattr **tb, int max);
int rtnl_nested(const struct nlattr *nest, const struct nlattr **tb, int max);
/* A NUL-terminated string attribute's value, or NULL (absent or not a string). */
const char *rtnl_str(const struct nlattr *a);

#endif

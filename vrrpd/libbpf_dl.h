/* libbpf_dl: libbpf opened on first use (dlopen), not linked.  Most
 * configurations load no BPF program, or only at start, and libbpf with
 * the libelf and zlib it needs is a tenth of a running vrrpd's memory.
 * Every libbpf function vrrpd and its skeletons call goes through the table
 * below, typed by libbpf's own declarations; the macros make the calls
 * (the skeletons' included) read as plain libbpf calls.  Include this after
 * <bpf/libbpf.h> and <bpf/bpf.h> and before a skeleton.  The soname is
 * libbpf's ABI, stable across 1.x. */
#ifndef VRRPD_LIBBPF_DL_H
#define VRRPD_LIBBPF_DL_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stddef.h>

#define LIBBPF_DL_SONAME "libbpf.so.1"
#define LIBBPF_DL_FUNCS(X) \
	X(libbpf_set_print) \
	X(libbpf_num_possible_cpus) \
	X(bpf_object__open_skeleton) \
	X(bpf_object__load_skeleton) \
	X(bpf_object__destroy_skeleton) \
	X(bpf_program__fd) \
	X(bpf_program__attach_xdp) \
	X(bpf_link__destroy) \
	X(bpf_map__update_elem) \
	X(bpf_map__delete_elem) \
	X(bpf_map__lookup_elem) \
	X(bpf_xdp_query) \
	X(bpf_tc_hook_create) \
	X(bpf_tc_hook_destroy) \
	X(bpf_tc_attach) \
	X(bpf_tc_detach)

struct libbpf_dl {
#define X(f) __typeof__(f) *fn_##f;
	LIBBPF_DL_FUNCS(X)
#undef X
};
extern struct libbpf_dl libbpf_dl;

/* Open libbpf (once; it stays for the process) and route its messages to
 * the debug log.  0, or -1 with err filled. */
int libbpf_dl_open(char *err, size_t errlen);

#define libbpf_set_print libbpf_dl.fn_libbpf_set_print
#define libbpf_num_possible_cpus libbpf_dl.fn_libbpf_num_possible_cpus
#define bpf_object__open_skeleton libbpf_dl.fn_bpf_object__open_skeleton
#define bpf_object__load_skeleton libbpf_dl.fn_bpf_object__load_skeleton
#define bpf_object__destroy_skeleton libbpf_dl.fn_bpf_object__destroy_skeleton
#define bpf_program__fd libbpf_dl.fn_bpf_program__fd
#define bpf_program__attach_xdp libbpf_dl.fn_bpf_program__attach_xdp
#define bpf_link__destroy libbpf_dl.fn_bpf_link__destroy
#define bpf_map__update_elem libbpf_dl.fn_bpf_map__update_elem
#define bpf_map__delete_elem libbpf_dl.fn_bpf_map__delete_elem
#define bpf_map__lookup_elem libbpf_dl.fn_bpf_map__lookup_elem
#define bpf_xdp_query libbpf_dl.fn_bpf_xdp_query
#define bpf_tc_hook_create libbpf_dl.fn_bpf_tc_hook_create
#define bpf_tc_hook_destroy libbpf_dl.fn_bpf_tc_hook_destroy
#define bpf_tc_attach libbpf_dl.fn_bpf_tc_attach
#define bpf_tc_detach libbpf_dl.fn_bpf_tc_detach

#endif

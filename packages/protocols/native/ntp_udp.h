/*
 * ntp_udp.h: what the NTP server (ntp_udp.c), the NTP client (ntp_udp_client.c), the
 * AF_UNIX datagram client (unix_dgram.c) and the PTP socket (ptp_udp.c) of the addon
 * share: a socket polled on Node's loop with its lifecycle, calls into JavaScript, and small
 * socket helpers (defined in ntp_udp.c). The N-API boilerplate is in napi_util.h.
 */
#ifndef CHRONOSYNC_NTP_UDP_H
#define CHRONOSYNC_NTP_UDP_H

#define _GNU_SOURCE
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include "napi_util.h"

/* Control-message room for one SCM_TIMESTAMPNS, and then some. */
#define CONTROL_SPACE (CMSG_SPACE(sizeof(struct timespec)) + 64)

/*
 * A socket of ours polled on Node's loop. Its memory is freed when both owners let go:
 * the JavaScript handle (an external) and the poll handle (after uv_close). What
 * JavaScript lent (callbacks, buffers: `refs`) and the async context are dropped once,
 * on close, at environment teardown, or after a callback that closed it returns.
 * `magic` tells a server's handle from a client's.
 */
typedef struct polled {
  uint32_t magic;
  napi_env env;
  int fd;
  int owners;
  int closed;
  int in_callback;
  int js_released;
  uv_poll_t poll;
  napi_ref refs[4];
  int ref_count;
  napi_async_context async;
  napi_async_cleanup_hook_handle cleanup;
} polled_t;

/* Starts polling `p->fd` for reading on the environment's loop; registers the teardown hook. */
int polled_start(polled_t *p, uv_poll_cb on_readable, const char *where);
/* Stops polling and closes the socket at once (the port is free); idempotent. Safe inside a
   callback into JavaScript: the caller of that callback then calls polled_release_js. */
void polled_close(polled_t *p);
/* Drops what JavaScript lent (once). */
void polled_release_js(polled_t *p);
/* The finalizer of the JavaScript handle. */
void polled_finalize(napi_env env, void *data, void *hint);
/* Takes up to *argc arguments of a call into argv (*argc: how many were passed) and returns
   the polled socket behind the first, if it has `magic`; else throws (a TypeError saying
   `expected` for anything but such a handle) and returns NULL. */
polled_t *polled_args(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, uint32_t magic,
                      const char *expected);
/* References JavaScript's `count` callbacks as p->refs[0..count), opens p's async context
   (`resource_name`) and wraps p in an external (*handle), which then owns it (owners = 1).
   Returns 0, or -1 without throwing: the caller closes the fd, frees p and throws. */
int polled_wrap(napi_env env, polled_t *p, const napi_value *callbacks, size_t count, const char *resource_name,
                napi_value *handle);
/* Calls JavaScript's callback p->refs[which] with argv. Returns 0 if p is still open after
   it; -1 if the call could not be made, if the callback closed p (its JavaScript is then
   released), or if it threw (passed on as an uncaught exception). */
int polled_call_js(polled_t *p, int which, size_t argc, napi_value *argv);
/* Calls the callback p->refs[which] with errno_error(syscall, err, where); as polled_call_js. */
int polled_report_error(polled_t *p, int which, const char *syscall, int err, const char *where);

/* The kernel's receive time (SO_TIMESTAMPNS) of a received message, if it has one. */
int kernel_rx_time(struct msghdr *m, struct timespec *out);
/* a − b in ns. */
int64_t timespec_diff_ns(const struct timespec *a, const struct timespec *b);
/* Parses a numeric address and port; `passive` for bind(). Returns 0, or EINVAL. */
int numeric_address(const char *address, uint32_t port, int passive, struct sockaddr_storage *out,
                    socklen_t *length);
/* setsockopt() of an int option; its result. */
int set_int_option(int fd, int level, int name, int value);
/* The socket's pending error (SO_ERROR, which clears it), or getsockopt's errno. */
int take_socket_error(int fd);

/* Finds a transmit timestamp in an error-queue message's control data: 1 with it, else 0. */
typedef int (*tx_time_parser)(struct msghdr *m, struct timespec *out);
/* Takes one entry off the socket's error queue (SO_TIMESTAMPING with OPT_TSONLY: the
   timestamp without the packet), its control data into `control`: 1 with the timestamp
   `parse` finds, 0 for an entry without one, -1 when the queue is empty (or on an error). */
int take_error_queue(int fd, void *control, size_t control_length, tx_time_parser parse, struct timespec *out);
/* Waits up to wait_ms for the transmit timestamp of the datagram sent after `before`: 1 with
   it in *out, else 0. Entries without a timestamp or older than `before` (an earlier
   send's) are dropped and counted in *late. */
int wait_tx_time(int fd, void *control, size_t control_length, tx_time_parser parse, int wait_ms,
                 const struct timespec *before, struct timespec *out, double *late);

/* Adds the client's functions (ntp_udp_client.c) to the module's exports. */
int ntp_udp_client_define(napi_env env, napi_value exports);
/* Adds the AF_UNIX datagram client's functions (unix_dgram.c) to the module's exports. */
int unix_dgram_define(napi_env env, napi_value exports);
/* Adds the PTP socket's functions (ptp_udp.c) to the module's exports. */
int ptp_udp_define(napi_env env, napi_value exports);

#endif

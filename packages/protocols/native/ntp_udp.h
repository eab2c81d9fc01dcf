/*
 * ntp_udp.h: what the NTP server (ntp_udp.c), the NTP client (ntp_udp_client.c), the
 * AF_UNIX datagram client (unix_dgram.c) and the PTP socket (ptp_udp.c) of the addon
 * share: a socket polled on Node's loop with its lifecycle, and small helpers.
 */
#ifndef CHRONOSYNC_NTP_UDP_H
#define CHRONOSYNC_NTP_UDP_H

#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <uv.h>

/* Control-message room for one SCM_TIMESTAMPNS, and then some. */
#define CONTROL_SPACE (CMSG_SPACE(sizeof(struct timespec)) + 64)

#define CHECK(call)                                                                           \
  do {                                                                                        \
    if ((call) != napi_ok) {                                                                  \
      napi_throw_error(env, NULL, "ntp_udp: " #call " failed");                              \
      return NULL;                                                                            \
    }                                                                                         \
  } while (0)

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
/* The polled socket behind a handle argument, if it has `magic`; else throws a TypeError. */
polled_t *polled_of(napi_env env, napi_value handle, uint32_t magic, const char *expected);

/* The kernel's receive time (SO_TIMESTAMPNS) of a received message, if it has one. */
int kernel_rx_time(struct msghdr *m, struct timespec *out);
/* a − b in ns. */
int64_t timespec_diff_ns(const struct timespec *a, const struct timespec *b);
/* Parses a numeric address and port; `passive` for bind(). Returns 0, or EINVAL. */
int numeric_address(const char *address, uint32_t port, int passive, struct sockaddr_storage *out,
                    socklen_t *length);
/* An Error like Node's system errors: message "syscall CODE where", code, errno, syscall. */
napi_value errno_error(napi_env env, const char *syscall, int err, const char *where);
/* Throws errno_error(); returns NULL. */
napi_value throw_errno(napi_env env, const char *syscall, int err, const char *where);
napi_value set_number(napi_env env, napi_value object, const char *name, double value);

/* Adds the client's functions (ntp_udp_client.c) to the module's exports. */
int ntp_udp_client_define(napi_env env, napi_value exports);
/* Adds the AF_UNIX datagram client's functions (unix_dgram.c) to the module's exports. */
int unix_dgram_define(napi_env env, napi_value exports);
/* Adds the PTP socket's functions (ptp_udp.c) to the module's exports. */
int ptp_udp_define(napi_env env, napi_value exports);

#endif

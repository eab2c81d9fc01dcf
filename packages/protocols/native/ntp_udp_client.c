/*
 * ntp_udp_client: the NTP client's socket (queryNtp), with kernel receive timestamps.
 *
 * One connected, non-blocking UDP socket with SO_TIMESTAMPNS, polled on Node's loop
 * (uv_poll_t; lifecycle shared with the server, see ntp_udp.h). Connected, so an ICMP port
 * unreachable comes back as ECONNREFUSED, as on a connected node:dgram socket.
 *
 * Times go to JavaScript as CLOCK_REALTIME (seconds, nanoseconds); JavaScript carries them
 * over to its own clock (which need not be the system's) with realtimeSince() (ntp_udp.c)
 * read on both sides of its clock.now(): time = clock.now() − age. Not with an age read
 * in C just before the call into JavaScript, which made every time as late as entering
 * the callback (cold, once per poll: microseconds to tens of them).
 *   - T1: the kernel's software transmit timestamp (SO_TIMESTAMPING TX_SOFTWARE, taken as
 *     the driver hands the packet on, looped back on the error queue without the packet,
 *     OPT_TSONLY), as chronyd's client takes it. CLOCK_REALTIME read before send() was
 *     early by the whole send path: send() on loopback was measured at 25–33 µs (it
 *     delivers to the server inside the call), and our delay to chronyd at 20 µs where
 *     chronyd's own client saw 6 µs. clientSend waits up to TX_WAIT_MS for it; without
 *     one it falls back to the reading before send() (txFallbacks), and after TX_GIVE_UP
 *     misses in a row it stops waiting until one comes again (a device without software
 *     transmit timestamps). An error-queue entry older than that reading is an earlier
 *     send's (txLate), never this one's.
 *   - T4: each received datagram's kernel receive timestamp (SO_TIMESTAMPNS). Without one
 *     (counted in noTimestamp) it is the time recvmsg() returned.
 *
 * Exports:
 *   openClient(address, port, onDatagram(bytes: Buffer, sec, nsec), onError(err)) -> handle
 *     `address` is an IP literal. Throws an Error with code, errno and syscall.
 *   clientSend(handle, bytes, out: Float64Array(2)) -> 1 with the kernel's transmit
 *     timestamp, 0 with the reading before send(); writes the time's CLOCK_REALTIME
 *     seconds and nanoseconds to out; throws like openClient (e.g. ECONNREFUSED from an
 *     earlier ICMP error).
 *   clientClose(handle)   stops polling and closes the socket at once (idempotent).
 *   clientStats(handle) -> { datagrams, truncated, noTimestamp, errors, txTimestamps,
 *                            txFallbacks, txLate }
 * Errors found while polling (ECONNREFUSED from recvmsg or SO_ERROR) go to onError; the
 * socket keeps polling. Datagrams longer than RX_LENGTH are dropped (counted).
 */
#include "ntp_udp.h" /* first: _GNU_SOURCE, and struct timespec for linux/errqueue.h */
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLIENT_MAGIC 0x4e545043u /* "NTPC" */
#define RX_LENGTH 2048
/* Datagrams taken per readable event before the loop runs other work. */
#define MAX_PER_WAKEUP 64
#define TX_WAIT_MS 1
#define TX_GIVE_UP 8
/* SCM_TIMESTAMPNS and, with SO_TIMESTAMPING's reporting flag, SCM_TIMESTAMPING too. */
#define CLIENT_CONTROL_SPACE (CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(struct scm_timestamping)) + 64)
enum { REF_ON_DATAGRAM, REF_ON_ERROR };

typedef struct client {
  polled_t base; /* first: a client_t is a polled_t */
  char where[160];
  int tx_timestamps; /* SOF_TIMESTAMPING_TX_SOFTWARE is on */
  int tx_misses;     /* sends in a row without a transmit timestamp */
  uint8_t rx[RX_LENGTH];
  union {
    char buf[CLIENT_CONTROL_SPACE];
    struct cmsghdr align;
  } control;
  double datagrams, truncated, no_timestamp, errors, tx_timestamps_taken, tx_fallbacks, tx_late;
} client_t;

/* The software timestamp of an error-queue entry (SCM_TIMESTAMPING's ts[0]): 1, or 0. */
static int tx_software_time(struct msghdr *m, struct timespec *out) {
  if (m->msg_flags & MSG_CTRUNC) return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING &&
        c->cmsg_len >= CMSG_LEN(sizeof(struct scm_timestamping))) {
      struct scm_timestamping ts;
      memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      if (ts.ts[0].tv_sec == 0 && ts.ts[0].tv_nsec == 0) return 0;
      *out = ts.ts[0];
      return 1;
    }
  }
  return 0;
}

/* Takes one entry off the error queue (see take_error_queue in ntp_udp.h). */
static int take_tx_time(client_t *c, struct timespec *out) {
  return take_error_queue(c->base.fd, c->control.buf, sizeof(c->control.buf), tx_software_time, out);
}

static int report_error(client_t *c, const char *syscall, int err) {
  c->errors += 1;
  return polled_report_error(&c->base, REF_ON_ERROR, syscall, err, c->where);
}

static void on_readable(uv_poll_t *poll, int status, int events);

/* libuv stops polling on POLLERR (status < 0): a transmit timestamp that came after
   clientSend stopped waiting, or a socket error. Drain the error queue, take the socket's
   error, poll again. */
static void on_poll_error(client_t *c) {
  struct timespec ignored;
  while (take_tx_time(c, &ignored) >= 0) c->tx_late += 1;
  int err = take_socket_error(c->base.fd);
  if (err != 0 && report_error(c, "recvmsg", err) != 0) return;
  if (!c->base.closed && uv_poll_start(&c->base.poll, UV_READABLE, on_readable) != 0) c->errors += 1;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  client_t *c = (client_t *)poll->data;
  (void)events;
  if (c->base.closed) return;
  napi_env env = c->base.env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    on_poll_error(c);
    napi_close_handle_scope(env, scope);
    return;
  }
  for (int i = 0; i < MAX_PER_WAKEUP && !c->base.closed; i++) {
    struct iovec iov = {.iov_base = c->rx, .iov_len = RX_LENGTH};
    struct msghdr h;
    memset(&h, 0, sizeof(h));
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = c->control.buf;
    h.msg_controllen = sizeof(c->control.buf);
    ssize_t n = recvmsg(c->base.fd, &h, MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (err == EINTR) continue;
      if (report_error(c, "recvmsg", err) != 0) break;
      continue; /* e.g. ECONNREFUSED: the error is taken, the socket goes on */
    }
    if (h.msg_flags & MSG_TRUNC) {
      c->truncated += 1;
      continue;
    }
    struct timespec received;
    if (!kernel_rx_time(&h, &received)) {
      clock_gettime(CLOCK_REALTIME, &received);
      c->no_timestamp += 1;
    }
    c->datagrams += 1;
    napi_value argv[3];
    void *data = NULL;
    if (napi_create_buffer_copy(env, (size_t)n, c->rx, &data, &argv[0]) != napi_ok ||
        napi_create_double(env, (double)received.tv_sec, &argv[1]) != napi_ok ||
        napi_create_double(env, (double)received.tv_nsec, &argv[2]) != napi_ok ||
        polled_call_js(&c->base, REF_ON_DATAGRAM, 3, argv) != 0) {
      break;
    }
  }
  napi_close_handle_scope(env, scope);
}

/* The call's arguments (up to *argc) and the client behind the first (see polled_args). */
static client_t *client_args(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  return (client_t *)polled_args(env, info, argc, argv, CLIENT_MAGIC, "ntp_udp: expected a handle from openClient()");
}

static napi_value js_open_client(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char address[128];
  size_t address_length = 0;
  uint32_t port = 0;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], address, sizeof(address), &address_length) != napi_ok ||
      !port_of(env, argv[1], &port) || !is_function(env, argv[2]) || !is_function(env, argv[3])) {
    napi_throw_type_error(env, NULL,
                          "ntp_udp.openClient(address: string, port: number, onDatagram: function, "
                          "onError: function)");
    return NULL;
  }
  char where[sizeof(((client_t *)0)->where)];
  snprintf(where, sizeof(where), strchr(address, ':') ? "[%s]:%u" : "%s:%u", address, port);
  struct sockaddr_storage peer;
  socklen_t peer_length = 0;
  if (numeric_address(address, port, 0, &peer, &peer_length) != 0) {
    return throw_errno(env, "getaddrinfo", EINVAL, where);
  }
  int fd = socket(peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return throw_errno(env, "socket", errno, where);
  /* Without kernel timestamps a reply gets the time of its recvmsg() instead. */
  (void)set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  /* Without them a request gets the time read before send() instead. */
  int tx_flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY;
  int tx_timestamps = set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPING, tx_flags) == 0;
  if (connect(fd, (struct sockaddr *)&peer, peer_length) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "connect", err, where);
  }
  client_t *c = calloc(1, sizeof(client_t));
  if (c == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM, where);
  }
  c->base.magic = CLIENT_MAGIC;
  c->base.env = env;
  c->base.fd = fd;
  c->base.ref_count = 2;
  c->tx_timestamps = tx_timestamps;
  memcpy(c->where, where, sizeof(where));
  napi_value handle;
  if (polled_wrap(env, &c->base, &argv[2], 2, "ChronoSyncNtpUdpClient", &handle) != 0) { /* REF_ON_DATAGRAM, _ERROR */
    close(fd);
    free(c); /* what was referenced goes with the environment: this path is out of memory */
    napi_throw_error(env, NULL, "ntp_udp: cannot set up the client");
    return NULL;
  }
  if (polled_start(&c->base, on_readable, where) != 0) return NULL;
  return handle;
}

static napi_value js_client_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  client_t *c = client_args(env, info, &argc, argv);
  if (c == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  double *out = NULL;
  size_t out_length = 0;
  if (argc < 3 || !typed_array_of(env, argv[1], napi_uint8_array, &data, &length) ||
      !typed_array_of(env, argv[2], napi_float64_array, (void **)&out, &out_length) || out_length < 2) {
    napi_throw_type_error(env, NULL, "ntp_udp.clientSend(handle, bytes: Uint8Array, out: Float64Array(2))");
    return NULL;
  }
  if (c->base.closed) return throw_errno(env, "send", EBADF, c->where);
  struct timespec before, sent_at;
  if (c->tx_timestamps) {
    /* Leftovers of earlier sends (timed out, or a send that failed late) go first. */
    while (take_tx_time(c, &sent_at) >= 0) c->tx_late += 1;
  }
  ssize_t sent;
  int interrupted = 0;
  do {
    clock_gettime(CLOCK_REALTIME, &before);
    sent = send(c->base.fd, data, length, MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR && interrupted++ < 3);
  if (sent < 0) return throw_errno(env, "send", errno, c->where);
  int kernel = 0;
  if (c->tx_timestamps && c->tx_misses < TX_GIVE_UP) {
    kernel = wait_tx_time(c->base.fd, c->control.buf, sizeof(c->control.buf), tx_software_time, TX_WAIT_MS, &before,
                          &sent_at, &c->tx_late);
    c->tx_misses = kernel ? 0 : c->tx_misses + 1;
  } else if (c->tx_timestamps) {
    /* Given up waiting: still take one that is already there, and wait again if so. */
    kernel = take_tx_time(c, &sent_at) == 1 && timespec_diff_ns(&sent_at, &before) >= 0;
    if (kernel) c->tx_misses = 0;
  }
  if (kernel) {
    c->tx_timestamps_taken += 1;
  } else {
    sent_at = before;
    c->tx_fallbacks += 1;
  }
  out[0] = (double)sent_at.tv_sec;
  out[1] = (double)sent_at.tv_nsec;
  napi_value result;
  CHECK(napi_create_int32(env, kernel, &result));
  return result;
}

static napi_value js_client_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  client_t *c = client_args(env, info, &argc, argv);
  if (c != NULL) polled_close(&c->base);
  return NULL;
}

static napi_value js_client_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  client_t *c = client_args(env, info, &argc, argv);
  if (c == NULL) return NULL;
  const named_number_t stats[] = {
      {"datagrams", c->datagrams},
      {"truncated", c->truncated},
      {"noTimestamp", c->no_timestamp},
      {"errors", c->errors},
      {"txTimestamps", c->tx_timestamps_taken},
      {"txFallbacks", c->tx_fallbacks},
      {"txLate", c->tx_late},
  };
  return numbers_object(env, stats, COUNT_OF(stats));
}

int ntp_udp_client_define(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      EXPORT_FUNCTION("openClient", js_open_client),
      EXPORT_FUNCTION("clientSend", js_client_send),
      EXPORT_FUNCTION("clientClose", js_client_close),
      EXPORT_FUNCTION("clientStats", js_client_stats),
  };
  return DEFINE_EXPORTS(env, exports, properties);
}

/*
 * ptp_udp: a PTP socket over UDPv4 (IEEE 1588-2019 Annex C) with the kernel's software
 * timestamps, as linuxptp's ptp4l takes them with `time_stamping software`.
 *
 * One non-blocking UDP socket bound to 0.0.0.0:<port> (SO_REUSEADDR, so ptp4l may share
 * the port), joined to a multicast group on one interface address (IP_ADD_MEMBERSHIP),
 * sending from that interface (IP_MULTICAST_IF, TTL 1, no loopback), polled on Node's
 * loop (uv_poll_t; lifecycle shared with the NTP sockets, see ntp_udp.h).
 *
 * Timestamps (SO_TIMESTAMPING, Documentation/networking/timestamping.rst):
 *   - receive: SOF_TIMESTAMPING_RX_SOFTWARE, taken when the packet entered the stack
 *     (netif_receive_skb), not when Node woke up. Falls back to SO_TIMESTAMPNS (the same
 *     clock, the same instant), then to the time of recvmsg() (counted in noTimestamp).
 *   - transmit, when asked (the event port): SOF_TIMESTAMPING_TX_SOFTWARE, taken by the
 *     driver as it hands the packet to the device (skb_tx_timestamp), and looped back on
 *     the socket's error queue (OPT_TSONLY: the timestamp without the packet). ptpSend
 *     waits for it up to TX_WAIT_MS (ptp4l's tx_timestamp_timeout, on veth and most NICs
 *     it is there when sendto() returns); without one it falls back to CLOCK_REALTIME read
 *     right before sendto() (counted in txFallbacks). After TX_GIVE_UP misses in a row it
 *     stops waiting (a device without software TX timestamps) until one arrives again.
 *     An error-queue entry is taken as this send's only if it is not older than the
 *     CLOCK_REALTIME read before sendto(): leftovers of earlier sends are dropped.
 * Times go to JavaScript as CLOCK_REALTIME (seconds, nanoseconds). JavaScript carries
 * them over to its own clock with the addon's realtimeSince() (ntp_udp.c) read on both
 * sides of its clock.now():
 * time = clock.now() − age. Not with an age read in C before the call into JavaScript:
 * napi_make_callback into a callback that runs once a second, cold, was measured to take
 * ~20 µs on the loaded test machine, which showed as late receive times.
 *
 * Exports:
 *   openPtp(port, interfaceAddress, group, txTimestamps, onDatagram(bytes: Buffer, sec,
 *           nsec, source: string), onError(err)) -> handle
 *     `interfaceAddress` and `group` are IPv4 literals; `group` "" joins nothing. Throws an
 *     Error with code (EADDRINUSE, EACCES for port 319/320 without privilege, EADDRNOTAVAIL
 *     for an address no interface has), errno and syscall.
 *   ptpSend(handle, bytes, address, port, out: Float64Array(2)) -> 1 with the kernel's
 *     TX timestamp, 0 with the reading before sendto(); writes the time's seconds and
 *     nanoseconds to out; throws like openPtp (e.g. ENETUNREACH).
 *   ptpClose(handle)   stops polling and closes the socket at once (idempotent).
 *   ptpStats(handle) -> { datagrams, truncated, noTimestamp, errors, txTimestamps,
 *                         txFallbacks, txLate, rxTimestamping }
 *     rxTimestamping: 2 SO_TIMESTAMPING, 1 SO_TIMESTAMPNS, 0 none.
 * Datagrams longer than RX_LENGTH are dropped (counted); errors found while polling go to
 * onError and polling goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ntp_udp.h"

#define PTP_MAGIC 0x50545055u /* "PTPU" */
#define RX_LENGTH 2048
#define MAX_PER_WAKEUP 64
#define TX_WAIT_MS 2
#define TX_GIVE_UP 8
/* Room for SCM_TIMESTAMPING (three timespecs) and IP_RECVERR's sock_extended_err. */
#define PTP_CONTROL_SPACE (CMSG_SPACE(sizeof(struct scm_timestamping)) + CMSG_SPACE(sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in)) + 64)
enum { REF_ON_DATAGRAM, REF_ON_ERROR };

typedef struct ptp_socket {
  polled_t base; /* first: a ptp_socket_t is a polled_t */
  char where[64];
  int rx_timestamping; /* 2 SO_TIMESTAMPING, 1 SO_TIMESTAMPNS, 0 none */
  int tx_timestamps;   /* SOF_TIMESTAMPING_TX_SOFTWARE is on */
  int tx_misses;       /* sends in a row without a TX timestamp */
  uint8_t rx[RX_LENGTH];
  union {
    char buf[PTP_CONTROL_SPACE];
    struct cmsghdr align;
  } control;
  double datagrams, truncated, no_timestamp, errors, tx_timestamps_taken, tx_fallbacks, tx_late;
} ptp_socket_t;

/* The software timestamp of a message: SCM_TIMESTAMPING's ts[0], else SCM_TIMESTAMPNS. */
static int software_time(struct msghdr *m, struct timespec *out) {
  if (m->msg_flags & MSG_CTRUNC) return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_TIMESTAMPING && c->cmsg_len >= CMSG_LEN(sizeof(struct scm_timestamping))) {
      struct scm_timestamping ts;
      memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      if (ts.ts[0].tv_sec == 0 && ts.ts[0].tv_nsec == 0) continue; /* a hardware-only stamp */
      *out = ts.ts[0];
      return 1;
    }
    if (c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
      memcpy(out, CMSG_DATA(c), sizeof(struct timespec));
      return 1;
    }
  }
  return 0;
}

/* Takes one entry off the error queue (see take_error_queue in ntp_udp.h). */
static int take_tx_time(ptp_socket_t *s, struct timespec *out) {
  return take_error_queue(s->base.fd, s->control.buf, sizeof(s->control.buf), software_time, out);
}

static int report_error(ptp_socket_t *s, const char *syscall, int err) {
  s->errors += 1;
  return polled_report_error(&s->base, REF_ON_ERROR, syscall, err, s->where);
}

static void on_readable(uv_poll_t *poll, int status, int events);

/* libuv stops polling on POLLERR (status < 0): a TX timestamp that came after ptpSend
   stopped waiting, or a socket error. Drain the error queue, report the error, poll again. */
static void on_poll_error(ptp_socket_t *s) {
  struct timespec ignored;
  while (take_tx_time(s, &ignored) >= 0) s->tx_late += 1;
  int err = take_socket_error(s->base.fd);
  if (err != 0 && report_error(s, "recvmsg", err) != 0) return;
  if (!s->base.closed && uv_poll_start(&s->base.poll, UV_READABLE, on_readable) != 0) s->errors += 1;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  ptp_socket_t *s = (ptp_socket_t *)poll->data;
  (void)events;
  if (s->base.closed) return;
  napi_env env = s->base.env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    on_poll_error(s);
    napi_close_handle_scope(env, scope);
    return;
  }
  for (int i = 0; i < MAX_PER_WAKEUP && !s->base.closed; i++) {
    struct sockaddr_in peer;
    struct iovec iov = {.iov_base = s->rx, .iov_len = RX_LENGTH};
    struct msghdr h;
    memset(&h, 0, sizeof(h));
    h.msg_name = &peer;
    h.msg_namelen = sizeof(peer);
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = s->control.buf;
    h.msg_controllen = sizeof(s->control.buf);
    ssize_t n = recvmsg(s->base.fd, &h, MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (err == EINTR) continue;
      if (report_error(s, "recvmsg", err) != 0) break;
      continue;
    }
    if (h.msg_flags & MSG_TRUNC) {
      s->truncated += 1;
      continue;
    }
    struct timespec received;
    if (!software_time(&h, &received)) {
      clock_gettime(CLOCK_REALTIME, &received);
      s->no_timestamp += 1;
    }
    s->datagrams += 1;
    char source[INET_ADDRSTRLEN] = "";
    if (h.msg_namelen >= sizeof(struct sockaddr_in) && peer.sin_family == AF_INET)
      inet_ntop(AF_INET, &peer.sin_addr, source, sizeof(source));
    napi_value argv[4];
    void *data = NULL;
    if (napi_create_buffer_copy(env, (size_t)n, s->rx, &data, &argv[0]) != napi_ok ||
        napi_create_double(env, (double)received.tv_sec, &argv[1]) != napi_ok ||
        napi_create_double(env, (double)received.tv_nsec, &argv[2]) != napi_ok ||
        napi_create_string_utf8(env, source, NAPI_AUTO_LENGTH, &argv[3]) != napi_ok ||
        polled_call_js(&s->base, REF_ON_DATAGRAM, 4, argv) != 0) {
      break;
    }
  }
  napi_close_handle_scope(env, scope);
}

/* The call's arguments (up to *argc) and the socket behind the first (see polled_args). */
static ptp_socket_t *ptp_args(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  return (ptp_socket_t *)polled_args(env, info, argc, argv, PTP_MAGIC, "ptp_udp: expected a handle from openPtp()");
}

/* An IPv4 literal; 0 or EINVAL. */
static int ipv4_of(const char *text, struct in_addr *out) {
  return inet_pton(AF_INET, text, out) == 1 ? 0 : EINVAL;
}

/* Timestamping options, best first; records what was turned on. */
static void enable_timestamps(ptp_socket_t *s, int tx) {
  int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  if (tx) flags |= SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY;
  if (set_int_option(s->base.fd, SOL_SOCKET, SO_TIMESTAMPING, flags) == 0) {
    s->rx_timestamping = 2;
    s->tx_timestamps = tx;
    return;
  }
  if (set_int_option(s->base.fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) == 0) s->rx_timestamping = 1;
}

static napi_value js_open_ptp(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char interface_address[INET_ADDRSTRLEN + 1], group[INET_ADDRSTRLEN + 1];
  size_t length = 0;
  uint32_t port = 0;
  bool tx = false;
  if (argc < 6 || !port_of(env, argv[0], &port) ||
      napi_get_value_string_utf8(env, argv[1], interface_address, sizeof(interface_address), &length) !=
          napi_ok ||
      napi_get_value_string_utf8(env, argv[2], group, sizeof(group), &length) != napi_ok ||
      napi_get_value_bool(env, argv[3], &tx) != napi_ok || !is_function(env, argv[4]) || !is_function(env, argv[5])) {
    napi_throw_type_error(env, NULL,
                          "ptp_udp.openPtp(port: number, interfaceAddress: string, group: string, "
                          "txTimestamps: boolean, onDatagram: function, onError: function)");
    return NULL;
  }
  char where[sizeof(((ptp_socket_t *)0)->where)];
  snprintf(where, sizeof(where), "%s:%u", interface_address, port);
  struct in_addr local, multicast = {0};
  if (ipv4_of(interface_address, &local) != 0 || (group[0] != '\0' && ipv4_of(group, &multicast) != 0)) {
    return throw_errno(env, "inet_pton", EINVAL, where);
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return throw_errno(env, "socket", errno, where);
  ptp_socket_t *s = calloc(1, sizeof(ptp_socket_t));
  if (s == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM, where);
  }
  s->base.fd = fd;
  struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  struct ip_mreq membership = {.imr_multiaddr = multicast, .imr_interface = local};
  const char *failed = NULL;
  if (set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0) failed = "setsockopt";
  else if (bind(fd, (struct sockaddr *)&any, sizeof(any)) != 0) failed = "bind";
  else if (group[0] != '\0' && setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof(membership)) != 0)
    failed = "addMembership";
  else if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &local, sizeof(local)) != 0) failed = "setMulticastInterface";
  else if (set_int_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1) != 0 ||
           set_int_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) != 0)
    failed = "setsockopt";
  if (failed != NULL) {
    int err = errno;
    close(fd);
    free(s);
    return throw_errno(env, failed, err, where);
  }
  enable_timestamps(s, tx);
  s->base.magic = PTP_MAGIC;
  s->base.env = env;
  s->base.ref_count = 2;
  memcpy(s->where, where, sizeof(where));
  napi_value handle;
  if (polled_wrap(env, &s->base, &argv[4], 2, "ChronoSyncPtpUdp", &handle) != 0) { /* REF_ON_DATAGRAM, _ERROR */
    close(fd);
    free(s); /* what was referenced goes with the environment: this path is out of memory */
    napi_throw_error(env, NULL, "ptp_udp: cannot set up the socket");
    return NULL;
  }
  if (polled_start(&s->base, on_readable, where) != 0) return NULL;
  return handle;
}

static napi_value js_ptp_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  ptp_socket_t *s = ptp_args(env, info, &argc, argv);
  if (s == NULL) return NULL;
  void *data = NULL;
  size_t length = 0, address_length = 0;
  char address[INET_ADDRSTRLEN + 1];
  uint32_t port = 0;
  double *out = NULL;
  size_t out_length = 0;
  if (argc < 5 || !typed_array_of(env, argv[1], napi_uint8_array, &data, &length) ||
      napi_get_value_string_utf8(env, argv[2], address, sizeof(address), &address_length) != napi_ok ||
      !port_of(env, argv[3], &port) ||
      !typed_array_of(env, argv[4], napi_float64_array, (void **)&out, &out_length) || out_length < 2) {
    napi_throw_type_error(env, NULL,
                          "ptp_udp.ptpSend(handle, bytes: Uint8Array, address: string, port: number, "
                          "out: Float64Array(2))");
    return NULL;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (ipv4_of(address, &to.sin_addr) != 0) return throw_errno(env, "inet_pton", EINVAL, s->where);
  if (s->base.closed) return throw_errno(env, "sendto", EBADF, s->where);
  struct timespec before, sent_at;
  int kernel = 0;
  if (s->tx_timestamps) {
    /* Leftovers of earlier sends (timed out, or a send that failed late) go first. */
    while (take_tx_time(s, &sent_at) >= 0) s->tx_late += 1;
  }
  ssize_t sent;
  int interrupted = 0;
  do {
    clock_gettime(CLOCK_REALTIME, &before);
    sent = sendto(s->base.fd, data, length, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
  } while (sent < 0 && errno == EINTR && interrupted++ < 3);
  if (sent < 0) return throw_errno(env, "sendto", errno, s->where);
  sent_at = before;
  if (s->tx_timestamps && s->tx_misses < TX_GIVE_UP) {
    if (wait_tx_time(s->base.fd, s->control.buf, sizeof(s->control.buf), software_time, TX_WAIT_MS, &before,
                     &sent_at, &s->tx_late)) {
      kernel = 1;
      s->tx_timestamps_taken += 1;
      s->tx_misses = 0;
    } else {
      sent_at = before;
      s->tx_fallbacks += 1;
      s->tx_misses += 1;
    }
  } else if (s->tx_timestamps) {
    /* Given up waiting: still take one that is already there, and wait again if so. */
    if (take_tx_time(s, &sent_at) == 1 && timespec_diff_ns(&sent_at, &before) >= 0) {
      kernel = 1;
      s->tx_timestamps_taken += 1;
      s->tx_misses = 0;
    } else {
      sent_at = before;
      s->tx_fallbacks += 1;
    }
  }
  out[0] = (double)sent_at.tv_sec;
  out[1] = (double)sent_at.tv_nsec;
  napi_value result;
  CHECK(napi_create_int32(env, kernel, &result));
  return result;
}

static napi_value js_ptp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  ptp_socket_t *s = ptp_args(env, info, &argc, argv);
  if (s != NULL) polled_close(&s->base);
  return NULL;
}

static napi_value js_ptp_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  ptp_socket_t *s = ptp_args(env, info, &argc, argv);
  if (s == NULL) return NULL;
  const named_number_t stats[] = {
      {"datagrams", s->datagrams},
      {"truncated", s->truncated},
      {"noTimestamp", s->no_timestamp},
      {"errors", s->errors},
      {"txTimestamps", s->tx_timestamps_taken},
      {"txFallbacks", s->tx_fallbacks},
      {"txLate", s->tx_late},
      {"rxTimestamping", s->rx_timestamping},
  };
  return numbers_object(env, stats, COUNT_OF(stats));
}

int ptp_udp_define(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      EXPORT_FUNCTION("openPtp", js_open_ptp),
      EXPORT_FUNCTION("ptpSend", js_ptp_send),
      EXPORT_FUNCTION("ptpClose", js_ptp_close),
      EXPORT_FUNCTION("ptpStats", js_ptp_stats),
  };
  return DEFINE_EXPORTS(env, exports, properties);
}

/*
 * ntp_udp: the optional batched UDP transport of the NTP server (Linux; N-API, C).
 *
 * The addon owns one UDP socket and polls it on Node's own event loop (uv_poll_t). On
 * each readable event it takes up to BATCH datagrams with one recvmmsg() into a receive
 * area shared with JavaScript, writes per-slot metadata (length, receive time, client
 * key), calls JavaScript ONCE for the whole batch, then sends the
 * replies JavaScript wrote into the shared transmit area with ONE sendmmsg() back to each
 * slot's source address. It repeats until the socket is drained or MAX_PER_WAKEUP
 * datagrams were handled, then lets the loop run other work.
 *
 * Receive times are the kernel's (SO_TIMESTAMPNS, CLOCK_REALTIME), taken when the
 * datagram reached the socket. JavaScript serves its own clock, not the system's, so it
 * carries them over itself: the batch comes with a base time (CLOCK_REALTIME read after
 * recvmmsg) and each slot with its receive time minus that base, in ns; JavaScript reads
 * realtimeSince(base) on both sides of its clock.now() (see udp-server-native.ts). Not an
 * age read in C just before the call into JavaScript: entering a batch handler that runs
 * once a second, cold, takes some 20–30 µs on a loaded machine, and every receive time
 * was that much late (measured: chronyd's client saw our server 11 µs ahead, delay 42 µs
 * where chronyd's own server gave 0 µs and 5 µs).
 *
 * Exports (the client's, openClient/clientSend/clientClose/clientStats, are in
 * ntp_udp_client.c; what the addon's sockets share is declared in ntp_udp.h and defined
 * here):
 *   open(address, port, onBatch(count, baseSec, baseNsec)) -> { handle, rx, tx, meta,
 *       address, port, batch, rxSlot, txSlot, metaStride }
 *     meta, per slot: rx length, rx time − base (ns), client key, tx length (JS writes it).
 *     Throws an Error with code (e.g. "EADDRINUSE"), errno and syscall, like Node's.
 *   realtimeSince(sec, nsec) -> CLOCK_REALTIME now (read first thing) minus that, in ns;
 *     for every time the addon gives (the server's, the client's, PTP's).
 *   close(handle)   stops polling and closes the socket at once (idempotent).
 *   stats(handle) -> { batches, datagrams, truncated, sendFailures, receiveErrors,
 *                      noTimestamp }
 *
 * Network input never crashes the process: lengths come from the kernel, slots are
 * fixed-size, datagrams longer than RX_SLOT, and datagrams from source port 0 (spoofed: a
 * reply cannot go there), are reported with length -1 (ignored).
 */
#include "ntp_udp.h"
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PER_WAKEUP 256
#define RX_SLOT 2048
#define TX_SLOT 48
/* Doubles per slot in `meta`. */
#define META_STRIDE 4
enum { META_RX_LENGTH, META_RX_NS, META_CLIENT_KEY, META_TX_LENGTH };

#define SERVER_MAGIC 0x4e545053u /* "NTPS" */
/* Where js_open keeps what JavaScript lent: the batch callback and the shared buffers. */
enum { REF_ON_BATCH, REF_RX, REF_TX, REF_META };

typedef struct server {
  polled_t base; /* first: a server_t is a polled_t */
  uint8_t *rx;
  uint8_t *tx;
  double *meta;
  struct mmsghdr rmsg[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_storage peer[BATCH];
  union {
    char buf[CONTROL_SPACE];
    struct cmsghdr align;
  } control[BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec siov[BATCH];
  double batches, datagrams, truncated, send_failures, receive_errors, no_timestamp;
} server_t;

static void release(polled_t *p) {
  if (--p->owners == 0) free(p);
}

void polled_release_js(polled_t *p) {
  if (p->js_released) return;
  p->js_released = 1;
  for (int i = 0; i < p->ref_count; i++) napi_delete_reference(p->env, p->refs[i]);
  napi_async_destroy(p->env, p->async);
}

static void on_closed(uv_handle_t *handle) {
  release((polled_t *)handle->data);
}

static void on_closed_at_teardown(uv_handle_t *handle) {
  polled_t *p = (polled_t *)handle->data;
  napi_remove_async_cleanup_hook(p->cleanup);
  release(p);
}

/* Stops polling and closes the socket now: the port is free when this returns. */
static void stop(polled_t *p) {
  p->closed = 1;
  uv_poll_stop(&p->poll); /* removes the fd from epoll at once */
  close(p->fd);
  p->fd = -1;
}

/* The environment is going away (e.g. a worker thread ends) without close(). */
static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  polled_t *p = (polled_t *)arg;
  (void)handle;
  stop(p);
  polled_release_js(p);
  uv_close((uv_handle_t *)&p->poll, on_closed_at_teardown);
}

void polled_close(polled_t *p) {
  if (p->closed) return;
  stop(p);
  napi_remove_async_cleanup_hook(p->cleanup);
  if (!p->in_callback) polled_release_js(p); /* else the caller of the callback does it */
  uv_close((uv_handle_t *)&p->poll, on_closed);
}

void polled_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release((polled_t *)data);
}

/* Owned by the external (owners = 1) on entry. On failure: throws, and the fd is closed. */
int polled_start(polled_t *p, uv_poll_cb on_readable, const char *where) {
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(p->env, &loop) != napi_ok) {
    p->closed = 1;
    polled_release_js(p);
    close(p->fd);
    napi_throw_error(p->env, NULL, "ntp_udp: no event loop");
    return -1;
  }
  int err = uv_poll_init(loop, &p->poll, p->fd);
  if (err != 0) {
    p->closed = 1;
    polled_release_js(p);
    close(p->fd);
    throw_errno(p->env, "uv_poll_init", -err, where);
    return -1;
  }
  p->poll.data = p;
  p->owners = 2; /* and the poll handle */
  err = uv_poll_start(&p->poll, UV_READABLE, on_readable);
  if (err != 0 || napi_add_async_cleanup_hook(p->env, on_teardown, p, &p->cleanup) != napi_ok) {
    stop(p);
    polled_release_js(p);
    uv_close((uv_handle_t *)&p->poll, on_closed);
    if (err != 0) throw_errno(p->env, "uv_poll_start", -err, where);
    else napi_throw_error(p->env, NULL, "ntp_udp: cannot register a cleanup hook");
    return -1;
  }
  return 0;
}

static polled_t *polled_of(napi_env env, napi_value handle, uint32_t magic, const char *expected) {
  void *data = NULL;
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, handle, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, handle, &data) != napi_ok || data == NULL ||
      ((polled_t *)data)->magic != magic) {
    napi_throw_type_error(env, NULL, expected);
    return NULL;
  }
  return (polled_t *)data;
}

polled_t *polled_args(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, uint32_t magic,
                      const char *expected) {
  CHECK(napi_get_cb_info(env, info, argc, argv, NULL, NULL));
  return polled_of(env, *argc >= 1 ? argv[0] : NULL, magic, expected);
}

int polled_wrap(napi_env env, polled_t *p, const napi_value *callbacks, size_t count, const char *resource_name,
                napi_value *handle) {
  for (size_t i = 0; i < count; i++) {
    if (napi_create_reference(env, callbacks[i], 1, &p->refs[i]) != napi_ok) return -1;
  }
  napi_value resource, name;
  if (napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, resource_name, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, resource, name, &p->async) != napi_ok ||
      napi_create_external(env, p, polled_finalize, NULL, handle) != napi_ok) {
    return -1;
  }
  p->owners = 1; /* the external */
  return 0;
}

int polled_call_js(polled_t *p, int which, size_t argc, napi_value *argv) {
  napi_env env = p->env;
  napi_value callback, recv, result;
  if (napi_get_reference_value(env, p->refs[which], &callback) != napi_ok || napi_get_global(env, &recv) != napi_ok) {
    return -1;
  }
  p->in_callback = 1;
  napi_status called = napi_make_callback(env, p->async, recv, callback, argc, argv, &result);
  p->in_callback = 0;
  if (p->closed) {
    polled_release_js(p); /* closed from inside the callback */
    return -1;
  }
  if (called != napi_ok) {
    /* Our own bug in the callback: report it like any event handler's exception. */
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    return -1;
  }
  return 0;
}

int polled_report_error(polled_t *p, int which, const char *syscall, int err, const char *where) {
  napi_value argv[1] = {errno_error(p->env, syscall, err, where)};
  if (argv[0] == NULL && napi_get_undefined(p->env, &argv[0]) != napi_ok) return -1;
  return polled_call_js(p, which, 1, argv);
}

/* Rate-limit key of a source address (not its port): the IPv4 address, else FNV-1a. */
static uint32_t client_key(const struct sockaddr_storage *a) {
  if (a->ss_family == AF_INET) return ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr);
  if (a->ss_family == AF_INET6) {
    const struct in6_addr *addr = &((const struct sockaddr_in6 *)a)->sin6_addr;
    uint32_t v4;
    if (IN6_IS_ADDR_V4MAPPED(addr)) {
      memcpy(&v4, addr->s6_addr + 12, 4);
      return ntohl(v4);
    }
    uint32_t h = 0x811c9dc5u;
    for (int i = 0; i < 16; i++) h = (h ^ addr->s6_addr[i]) * 0x01000193u;
    return h;
  }
  return 0;
}

/* The source port of a received datagram (0 for a spoofed one, or an unknown family). */
static uint16_t source_port(const struct sockaddr_storage *a) {
  if (a->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)a)->sin_port);
  if (a->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
  return 0;
}

int kernel_rx_time(struct msghdr *m, struct timespec *out) {
  if (m->msg_flags & MSG_CTRUNC) return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
        c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
      memcpy(out, CMSG_DATA(c), sizeof(struct timespec));
      return 1;
    }
  }
  return 0;
}

int64_t timespec_diff_ns(const struct timespec *a, const struct timespec *b) {
  return (int64_t)(a->tv_sec - b->tv_sec) * 1000000000 + (a->tv_nsec - b->tv_nsec);
}

int numeric_address(const char *address, uint32_t port, int passive, struct sockaddr_storage *out,
                    socklen_t *length) {
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST | (passive ? AI_PASSIVE : 0);
  char service[8];
  snprintf(service, sizeof(service), "%u", port);
  if (port > 65535 || getaddrinfo(address, service, &hints, &found) != 0 || found == NULL) return EINVAL;
  memcpy(out, found->ai_addr, found->ai_addrlen);
  *length = (socklen_t)found->ai_addrlen;
  freeaddrinfo(found);
  return 0;
}

int set_int_option(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value));
}

int take_socket_error(int fd) {
  int err = 0;
  socklen_t length = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
  return err;
}

int take_error_queue(int fd, void *control, size_t control_length, tx_time_parser parse, struct timespec *out) {
  uint8_t data[64];
  struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
  struct msghdr h;
  memset(&h, 0, sizeof(h));
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = control;
  h.msg_controllen = control_length;
  ssize_t n;
  do {
    n = recvmsg(fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  return parse(&h, out);
}

int wait_tx_time(int fd, void *control, size_t control_length, tx_time_parser parse, int wait_ms,
                 const struct timespec *before, struct timespec *out, double *late) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int got;
    while ((got = take_error_queue(fd, control, control_length, parse, out)) >= 0) {
      if (got == 1 && timespec_diff_ns(out, before) >= 0) return 1;
      *late += 1; /* an earlier send's, or one without a timestamp */
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t left_ms = wait_ms - timespec_diff_ns(&now, &start) / 1000000;
    if (left_ms <= 0) return 0;
    /* The error queue signals POLLERR, which poll() reports whatever `events` asks for;
       asking for POLLPRI only keeps pending datagrams (POLLIN) from waking us. */
    struct pollfd p = {.fd = fd, .events = POLLPRI, .revents = 0};
    if (poll(&p, 1, (int)left_ms) == 0) return 0;
  }
}

/* Sends the slots JavaScript answered (tx length > 0) with as few sendmmsg() as it takes. */
static void send_replies(server_t *s, int count) {
  int m = 0;
  for (int i = 0; i < count; i++) {
    double length = s->meta[i * META_STRIDE + META_TX_LENGTH];
    if (!(length > 0 && length <= TX_SLOT) || source_port(&s->peer[i]) == 0) continue;
    s->siov[m].iov_base = s->tx + (size_t)i * TX_SLOT;
    s->siov[m].iov_len = (size_t)length;
    struct msghdr *h = &s->smsg[m].msg_hdr;
    h->msg_name = &s->peer[i];
    h->msg_namelen = s->rmsg[i].msg_hdr.msg_namelen;
    h->msg_iov = &s->siov[m];
    h->msg_iovlen = 1;
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
    m++;
  }
  int sent = 0;
  int interrupted = 0;
  while (sent < m) {
    int n = sendmmsg(s->base.fd, s->smsg + sent, (unsigned)(m - sent), MSG_DONTWAIT);
    if (n > 0) {
      sent += n;
      continue;
    }
    if (n < 0 && errno == EINTR && interrupted++ < 3) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == ENOMEM)) {
      /* The socket's send queue is full: UDP may lose packets, the clients retry. */
      s->send_failures += m - sent;
      return;
    }
    /* This one destination failed (e.g. EHOSTUNREACH, EPERM): skip it, send the rest. */
    s->send_failures += 1;
    sent += 1;
  }
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  server_t *s = (server_t *)poll->data;
  (void)events;
  if (s->base.closed) return;
  if (status < 0) {
    /* libuv stopped polling on POLLERR: take the socket's error (which clears it), count
       it and poll again, else the server would stop answering for good. */
    (void)take_socket_error(s->base.fd);
    s->receive_errors += 1;
    if (uv_poll_start(&s->base.poll, UV_READABLE, on_readable) != 0) s->receive_errors += 1;
    return;
  }
  napi_env env = s->base.env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  int handled = 0;
  while (handled < MAX_PER_WAKEUP && !s->base.closed) {
    for (int i = 0; i < BATCH; i++) {
      struct msghdr *h = &s->rmsg[i].msg_hdr;
      h->msg_namelen = sizeof(s->peer[i]);
      h->msg_controllen = sizeof(s->control[i].buf);
      h->msg_flags = 0;
    }
    int n = recvmmsg(s->base.fd, s->rmsg, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) s->receive_errors += 1;
      break;
    }
    /* The batch's base time, and the receive time of a datagram without a kernel one. */
    struct timespec base;
    clock_gettime(CLOCK_REALTIME, &base);
    for (int i = 0; i < n; i++) {
      struct msghdr *h = &s->rmsg[i].msg_hdr;
      double *meta = s->meta + i * META_STRIDE;
      if (h->msg_flags & MSG_TRUNC) {
        meta[META_RX_LENGTH] = -1;
        s->truncated += 1;
      } else if (source_port(&s->peer[i]) == 0) {
        /* Spoofed: a reply cannot go to port 0 (sendmmsg fails with EINVAL). Ignored. */
        meta[META_RX_LENGTH] = -1;
      } else {
        meta[META_RX_LENGTH] = s->rmsg[i].msg_len;
      }
      struct timespec received;
      if (!kernel_rx_time(h, &received)) {
        received = base;
        s->no_timestamp += 1;
      }
      meta[META_RX_NS] = (double)timespec_diff_ns(&received, &base);
      meta[META_CLIENT_KEY] = client_key(&s->peer[i]);
      meta[META_TX_LENGTH] = 0;
    }
    s->batches += 1;
    s->datagrams += n;
    napi_value argv[3];
    if (napi_create_int32(env, n, &argv[0]) != napi_ok ||
        napi_create_double(env, (double)base.tv_sec, &argv[1]) != napi_ok ||
        napi_create_double(env, (double)base.tv_nsec, &argv[2]) != napi_ok ||
        polled_call_js(&s->base, REF_ON_BATCH, 3, argv) != 0) {
      break; /* also when close() was called from inside the batch, or the handler threw */
    }
    send_replies(s, n);
    handled += n;
    if (n < BATCH) break; /* drained: the next datagram wakes us again */
  }
  napi_close_handle_scope(env, scope);
}

/* Creates an ArrayBuffer of `length` bytes, references it, returns its data. */
static void *shared_buffer(napi_env env, size_t length, napi_value result, const char *name, napi_ref *ref) {
  void *data = NULL;
  napi_value buffer;
  if (napi_create_arraybuffer(env, length, &data, &buffer) != napi_ok) return NULL;
  if (napi_create_reference(env, buffer, 1, ref) != napi_ok) return NULL;
  napi_set_named_property(env, result, name, buffer);
  memset(data, 0, length);
  return data;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char address[128];
  size_t address_length = 0;
  uint32_t port = 0;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], address, sizeof(address), &address_length) != napi_ok ||
      !port_of(env, argv[1], &port) || !is_function(env, argv[2])) {
    napi_throw_type_error(env, NULL, "ntp_udp.open(address: string, port: number, onBatch: function)");
    return NULL;
  }
  char where[sizeof(address) + 16];
  snprintf(where, sizeof(where), strchr(address, ':') ? "[%s]:%u" : "%s:%u", address, port);

  struct sockaddr_storage local;
  socklen_t local_length = 0;
  if (numeric_address(address, port, 1, &local, &local_length) != 0) {
    return throw_errno(env, "getaddrinfo", EINVAL, where);
  }
  int fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return throw_errno(env, "socket", errno, where);
  /* Without kernel timestamps each datagram gets the time of its recvmmsg() instead. */
  (void)set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  if (bind(fd, (struct sockaddr *)&local, local_length) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err, where);
  }
  local_length = sizeof(local);
  char bound_host[NI_MAXHOST], bound_port[NI_MAXSERV];
  if (getsockname(fd, (struct sockaddr *)&local, &local_length) != 0 ||
      getnameinfo((struct sockaddr *)&local, local_length, bound_host, sizeof(bound_host), bound_port,
                  sizeof(bound_port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    int err = errno != 0 ? errno : EINVAL; /* getnameinfo does not set errno */
    close(fd);
    return throw_errno(env, "getsockname", err, where);
  }

  server_t *s = calloc(1, sizeof(server_t));
  if (s == NULL) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM, where);
  }
  s->base.magic = SERVER_MAGIC;
  s->base.env = env;
  s->base.fd = fd;
  s->base.ref_count = 4;
  for (int i = 0; i < BATCH; i++) {
    struct msghdr *h = &s->rmsg[i].msg_hdr;
    h->msg_name = &s->peer[i];
    h->msg_iov = &s->riov[i];
    h->msg_iovlen = 1;
    h->msg_control = s->control[i].buf;
  }
  napi_value result, handle;
  napi_ref *refs = s->base.refs;
  if (napi_create_object(env, &result) != napi_ok ||
      (s->rx = shared_buffer(env, (size_t)BATCH * RX_SLOT, result, "rx", &refs[REF_RX])) == NULL ||
      (s->tx = shared_buffer(env, (size_t)BATCH * TX_SLOT, result, "tx", &refs[REF_TX])) == NULL ||
      (s->meta = shared_buffer(env, (size_t)BATCH * META_STRIDE * sizeof(double), result, "meta",
                               &refs[REF_META])) == NULL ||
      polled_wrap(env, &s->base, &argv[2], 1, "ChronoSyncNtpUdp", &handle) != 0) { /* REF_ON_BATCH */
    close(fd);
    free(s); /* what was referenced goes with the environment: this path is out of memory */
    napi_throw_error(env, NULL, "ntp_udp: cannot set up the shared buffers");
    return NULL;
  }
  for (int i = 0; i < BATCH; i++) {
    s->riov[i].iov_base = s->rx + (size_t)i * RX_SLOT;
    s->riov[i].iov_len = RX_SLOT;
  }
  if (polled_start(&s->base, on_readable, where) != 0) return NULL;
  napi_value bound_host_value;
  if (napi_set_named_property(env, result, "handle", handle) != napi_ok ||
      napi_create_string_utf8(env, bound_host, NAPI_AUTO_LENGTH, &bound_host_value) != napi_ok ||
      napi_set_named_property(env, result, "address", bound_host_value) != napi_ok ||
      set_number(env, result, "port", atoi(bound_port)) == NULL ||
      set_number(env, result, "batch", BATCH) == NULL || set_number(env, result, "rxSlot", RX_SLOT) == NULL ||
      set_number(env, result, "txSlot", TX_SLOT) == NULL ||
      set_number(env, result, "metaStride", META_STRIDE) == NULL) {
    polled_close(&s->base); /* JavaScript gets no handle: do not leave the socket polling */
    return NULL;
  }
  return result;
}

static server_t *server_of(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  return (server_t *)polled_args(env, info, &argc, argv, SERVER_MAGIC, "ntp_udp: expected a handle from open()");
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  server_t *s = server_of(env, info);
  if (s != NULL) polled_close(&s->base); /* inside a batch, on_readable releases JS after it */
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  server_t *s = server_of(env, info);
  if (s == NULL) return NULL;
  const named_number_t stats[] = {
      {"batches", s->batches},
      {"datagrams", s->datagrams},
      {"truncated", s->truncated},
      {"sendFailures", s->send_failures},
      {"receiveErrors", s->receive_errors},
      {"noTimestamp", s->no_timestamp},
  };
  return numbers_object(env, stats, COUNT_OF(stats));
}

/* CLOCK_REALTIME now minus `sec`.`nsec`, in ns; read first, as the caller brackets its own
   clock with two of these calls (realtimeToClock in src/ntp/native-addon.ts). */
static napi_value js_realtime_since(napi_env env, napi_callback_info info) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  size_t argc = 2;
  napi_value argv[2];
  double sec = 0, nsec = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_double(env, argv[0], &sec) != napi_ok ||
      napi_get_value_double(env, argv[1], &nsec) != napi_ok) {
    napi_throw_type_error(env, NULL, "ntp_udp.realtimeSince(sec: number, nsec: number)");
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_double(env, (double)(now.tv_sec - (int64_t)sec) * 1e9 + (double)(now.tv_nsec - (int64_t)nsec),
                           &result));
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor properties[] = {
      EXPORT_FUNCTION("open", js_open),
      EXPORT_FUNCTION("close", js_close),
      EXPORT_FUNCTION("stats", js_stats),
      EXPORT_FUNCTION("realtimeSince", js_realtime_since),
  };
  if (DEFINE_EXPORTS(env, exports, properties) != 0 || ntp_udp_client_define(env, exports) != 0 ||
      unix_dgram_define(env, exports) != 0 || ptp_udp_define(env, exports) != 0) {
    return NULL;
  }
  return exports;
}

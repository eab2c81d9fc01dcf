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
 * ntp_udp_client.c; what both share is declared in ntp_udp.h and defined here):
 *   open(address, port, onBatch(count, baseSec, baseNsec)) -> { handle, rx, tx, meta,
 *       address, port, batch, rxSlot, txSlot, metaStride }
 *     meta, per slot: rx length, rx time − base (ns), client key, tx length (JS writes it).
 *     Throws an Error with code (e.g. "EADDRINUSE"), errno and syscall, like Node's.
 *   realtimeSince(sec, nsec) -> CLOCK_REALTIME now (read first thing) minus that, in ns.
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

polled_t *polled_of(napi_env env, napi_value handle, uint32_t magic, const char *expected) {
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
    int err = 0;
    socklen_t length = sizeof(err);
    (void)getsockopt(s->base.fd, SOL_SOCKET, SO_ERROR, &err, &length);
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
    napi_value callback, recv, argv[3], result;
    if (napi_get_reference_value(env, s->base.refs[REF_ON_BATCH], &callback) != napi_ok ||
        napi_get_global(env, &recv) != napi_ok || napi_create_int32(env, n, &argv[0]) != napi_ok ||
        napi_create_double(env, (double)base.tv_sec, &argv[1]) != napi_ok ||
        napi_create_double(env, (double)base.tv_nsec, &argv[2]) != napi_ok) {
      break;
    }
    s->base.in_callback = 1;
    napi_status called = napi_make_callback(env, s->base.async, recv, callback, 3, argv, &result);
    s->base.in_callback = 0;
    if (s->base.closed) {
      polled_release_js(&s->base); /* close() was called from inside the batch */
      break;
    }
    if (called != napi_ok) {
      /* Our own bug in the batch handler: report it like any event handler's exception. */
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
      break;
    }
    send_replies(s, n);
    handled += n;
    if (n < BATCH) break; /* drained: the next datagram wakes us again */
  }
  napi_close_handle_scope(env, scope);
}

napi_value errno_error(napi_env env, const char *syscall, int err, const char *where) {
  const char *code = uv_err_name(-err);
  char message[256];
  snprintf(message, sizeof(message), "%s %s %s", syscall, code, where);
  napi_value error = NULL, code_value, message_value, errno_value, syscall_value;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value) != napi_ok ||
      napi_create_error(env, code_value, message_value, &error) != napi_ok) {
    return NULL; /* napi_throw(NULL) and calls with it fail with napi_invalid_arg: no crash */
  }
  napi_create_int32(env, -err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_set_named_property(env, error, "code", code_value);
  return error;
}

napi_value throw_errno(napi_env env, const char *syscall, int err, const char *where) {
  napi_throw(env, errno_error(env, syscall, err, where));
  return NULL;
}

napi_value set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value v;
  if (napi_create_double(env, value, &v) != napi_ok) return NULL;
  napi_set_named_property(env, object, name, v);
  return object;
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
  napi_valuetype type = napi_undefined;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], address, sizeof(address), &address_length) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || port > 65535 ||
      napi_typeof(env, argv[2], &type) != napi_ok || type != napi_function) {
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
  int on = 1;
  /* Without kernel timestamps each datagram gets the time of its recvmmsg() instead. */
  (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
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
  napi_value result, resource, name, handle;
  napi_ref *refs = s->base.refs;
  if (napi_create_object(env, &result) != napi_ok ||
      (s->rx = shared_buffer(env, (size_t)BATCH * RX_SLOT, result, "rx", &refs[REF_RX])) == NULL ||
      (s->tx = shared_buffer(env, (size_t)BATCH * TX_SLOT, result, "tx", &refs[REF_TX])) == NULL ||
      (s->meta = shared_buffer(env, (size_t)BATCH * META_STRIDE * sizeof(double), result, "meta",
                               &refs[REF_META])) == NULL ||
      napi_create_reference(env, argv[2], 1, &refs[REF_ON_BATCH]) != napi_ok ||
      napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, "ChronoSyncNtpUdp", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, resource, name, &s->base.async) != napi_ok ||
      napi_create_external(env, s, polled_finalize, NULL, &handle) != napi_ok) {
    close(fd);
    free(s); /* what was referenced goes with the environment: this path is out of memory */
    napi_throw_error(env, NULL, "ntp_udp: cannot set up the shared buffers");
    return NULL;
  }
  s->base.owners = 1; /* the external */
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
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) argv[0] = NULL;
  return (server_t *)polled_of(env, argv[0], SERVER_MAGIC, "ntp_udp: expected a handle from open()");
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  server_t *s = server_of(env, info);
  if (s != NULL) polled_close(&s->base); /* inside a batch, on_readable releases JS after it */
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  server_t *s = server_of(env, info);
  if (s == NULL) return NULL;
  napi_value result;
  CHECK(napi_create_object(env, &result));
  if (set_number(env, result, "batches", s->batches) == NULL ||
      set_number(env, result, "datagrams", s->datagrams) == NULL ||
      set_number(env, result, "truncated", s->truncated) == NULL ||
      set_number(env, result, "sendFailures", s->send_failures) == NULL ||
      set_number(env, result, "receiveErrors", s->receive_errors) == NULL ||
      set_number(env, result, "noTimestamp", s->no_timestamp) == NULL) {
    return NULL;
  }
  return result;
}

/* CLOCK_REALTIME now minus `sec`.`nsec`, in ns; read first, as the caller brackets its own
   clock with two of these calls. */
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
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"realtimeSince", NULL, js_realtime_since, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties) != napi_ok ||
      ntp_udp_client_define(env, exports) != 0 || unix_dgram_define(env, exports) != 0 ||
      ptp_udp_define(env, exports) != 0) {
    return NULL;
  }
  return exports;
}

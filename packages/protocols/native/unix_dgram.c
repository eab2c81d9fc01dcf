/*
 * unix_dgram: an AF_UNIX datagram client socket, which node:dgram cannot open. Used to talk
 * to chronyd's command socket (/run/chrony/chronyd.sock, or a private `bindcmdaddress
 * /path/chronyd.sock`) the way chronyc does (chrony 4.3 client.c, open_unix_socket()):
 *   - bind to a client path of our own: chronyd replies to the sender's bound address, so
 *     an unbound (autobind-less) socket would get no reply;
 *   - chmod that path 0666: chronyd has dropped privileges to its own user and must be able
 *     to send to it (the caller puts it in a directory that user can search);
 *   - connect to the server path, so send() needs no address and replies from anyone else
 *     are filtered out by the kernel.
 * The socket is non-blocking and polled on Node's loop (uv_poll_t, lifecycle shared with the
 * NTP sockets, see ntp_udp.h): nothing here ever blocks the loop. Timeouts are the
 * caller's (a timer on the loop, see src/chrony-cmd/unix-transport.ts).
 *
 * Exports:
 *   openUnix(serverPath, clientPath, onDatagram(bytes: Buffer), onError(err)) -> handle
 *     Throws an Error with code (ENOENT: no socket; ECONNREFUSED: nobody bound to it;
 *     EACCES; ENAMETOOLONG: a path over 107 bytes), errno and syscall. On failure nothing
 *     is left behind (the client path is unlinked).
 *   unixSend(handle, bytes)   throws like openUnix (e.g. EAGAIN, ECONNREFUSED).
 *   unixClose(handle)         stops polling, closes, unlinks the client path (idempotent);
 *                             an environment that ends without it unlinks the path too.
 * Errors found while polling go to onError; the socket keeps polling. Datagrams longer
 * than RX_LENGTH are dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "ntp_udp.h"

#define UNIX_MAGIC 0x554e5843u /* "UNXC" */
#define RX_LENGTH 4096
#define MAX_PER_WAKEUP 64
enum { REF_ON_DATAGRAM, REF_ON_ERROR };

typedef struct unix_client {
  polled_t base; /* first: a unix_client_t is a polled_t */
  struct sockaddr_un self;
  int bound; /* self.sun_path exists and is ours to unlink */
  char *teardown_path; /* a copy of it for the environment's cleanup hook (a worker that ends) */
  char where[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
  uint8_t rx[RX_LENGTH];
} unix_client_t;

static int report_error(unix_client_t *u, const char *syscall, int err) {
  return polled_report_error(&u->base, REF_ON_ERROR, syscall, err, u->where);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  unix_client_t *u = (unix_client_t *)poll->data;
  (void)events;
  if (u->base.closed) return;
  napi_env env = u->base.env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    /* libuv stopped polling on POLLERR: take the socket's error and poll again. */
    int err = take_socket_error(u->base.fd);
    if ((err == 0 || report_error(u, "recv", err) == 0) && !u->base.closed) {
      (void)uv_poll_start(&u->base.poll, UV_READABLE, on_readable);
    }
    napi_close_handle_scope(env, scope);
    return;
  }
  for (int i = 0; i < MAX_PER_WAKEUP && !u->base.closed; i++) {
    ssize_t n = recv(u->base.fd, u->rx, RX_LENGTH, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (err == EINTR) continue;
      if (report_error(u, "recv", err) != 0) break;
      continue;
    }
    if (n > RX_LENGTH) continue; /* MSG_TRUNC returns the real length: too long, dropped */
    napi_value argv[1];
    void *data = NULL;
    if (napi_create_buffer_copy(env, (size_t)n, u->rx, &data, &argv[0]) != napi_ok ||
        polled_call_js(&u->base, REF_ON_DATAGRAM, 1, argv) != 0) {
      break;
    }
  }
  napi_close_handle_scope(env, scope);
}

/* Fills a sockaddr_un; ENAMETOOLONG when the path does not fit (with its NUL). */
static int unix_address(const char *path, size_t length, struct sockaddr_un *out) {
  memset(out, 0, sizeof(*out));
  out->sun_family = AF_UNIX;
  if (length == 0 || length >= sizeof(out->sun_path)) return ENAMETOOLONG;
  memcpy(out->sun_path, path, length);
  return 0;
}

/* The environment ends without unixClose (e.g. a worker thread exits): remove our path. */
static void unlink_at_teardown(void *arg) {
  unlink((const char *)arg);
  free(arg);
}

static napi_value fail(napi_env env, int fd, const char *unlink_path, const char *syscall, int err,
                       const char *where) {
  if (fd >= 0) close(fd);
  if (unlink_path != NULL) unlink(unlink_path);
  return throw_errno(env, syscall, err, where);
}

static napi_value js_open_unix(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char server[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  char client[sizeof(server)];
  size_t server_length = 0, client_length = 0;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], server, sizeof(server), &server_length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], client, sizeof(client), &client_length) != napi_ok ||
      !is_function(env, argv[2]) || !is_function(env, argv[3])) {
    napi_throw_type_error(env, NULL,
                          "unix_dgram.openUnix(serverPath: string, clientPath: string, onDatagram: "
                          "function, onError: function)");
    return NULL;
  }
  struct sockaddr_un peer, self;
  int err = unix_address(server, server_length, &peer);
  if (err != 0) return fail(env, -1, NULL, "connect", err, server);
  if ((err = unix_address(client, client_length, &self)) != 0) return fail(env, -1, NULL, "bind", err, client);

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(env, -1, NULL, "socket", errno, server);
  if (bind(fd, (struct sockaddr *)&self, sizeof(self)) != 0) return fail(env, fd, NULL, "bind", errno, client);
  /* chronyd runs as its own user: it must be able to send its reply to our path. */
  if (chmod(self.sun_path, 0666) != 0) return fail(env, fd, self.sun_path, "chmod", errno, client);
  if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) != 0) {
    return fail(env, fd, self.sun_path, "connect", errno, server);
  }

  unix_client_t *u = calloc(1, sizeof(unix_client_t));
  if (u == NULL) return fail(env, fd, self.sun_path, "calloc", ENOMEM, server);
  u->base.magic = UNIX_MAGIC;
  u->base.env = env;
  u->base.fd = fd;
  u->base.ref_count = 2;
  u->self = self;
  u->bound = 1;
  snprintf(u->where, sizeof(u->where), "%s", server);
  napi_value handle;
  if (polled_wrap(env, &u->base, &argv[2], 2, "ChronoSyncUnixDgram", &handle) != 0) { /* REF_ON_DATAGRAM, _ERROR */
    free(u); /* what was referenced goes with the environment: this path is out of memory */
    close(fd);
    unlink(self.sun_path);
    napi_throw_error(env, NULL, "unix_dgram: cannot set up the socket");
    return NULL;
  }
  if (polled_start(&u->base, on_readable, u->where) != 0) {
    unlink(self.sun_path); /* polled_start closed the fd */
    u->bound = 0;
    return NULL;
  }
  u->teardown_path = strdup(self.sun_path);
  if (u->teardown_path != NULL && napi_add_env_cleanup_hook(env, unlink_at_teardown, u->teardown_path) != napi_ok) {
    free(u->teardown_path);
    u->teardown_path = NULL;
  }
  return handle;
}

/* The call's arguments (up to *argc) and the socket behind the first (see polled_args). */
static unix_client_t *unix_args(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  return (unix_client_t *)polled_args(env, info, argc, argv, UNIX_MAGIC,
                                      "unix_dgram: expected a handle from openUnix()");
}

static napi_value js_unix_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  unix_client_t *u = unix_args(env, info, &argc, argv);
  if (u == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (argc < 2 || !typed_array_of(env, argv[1], napi_uint8_array, &data, &length)) {
    napi_throw_type_error(env, NULL, "unix_dgram.unixSend(handle, bytes: Uint8Array)");
    return NULL;
  }
  if (u->base.closed) return throw_errno(env, "send", EBADF, u->where);
  ssize_t sent;
  int interrupted = 0;
  do {
    sent = send(u->base.fd, data, length, MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR && interrupted++ < 3);
  if (sent < 0) return throw_errno(env, "send", errno, u->where);
  return NULL;
}

static napi_value js_unix_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  unix_client_t *u = unix_args(env, info, &argc, argv);
  if (u == NULL) return NULL;
  polled_close(&u->base);
  if (u->bound) {
    u->bound = 0;
    unlink(u->self.sun_path);
    if (u->teardown_path != NULL) {
      napi_remove_env_cleanup_hook(env, unlink_at_teardown, u->teardown_path);
      free(u->teardown_path);
      u->teardown_path = NULL;
    }
  }
  return NULL;
}

int unix_dgram_define(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      EXPORT_FUNCTION("openUnix", js_open_unix),
      EXPORT_FUNCTION("unixSend", js_unix_send),
      EXPORT_FUNCTION("unixClose", js_unix_close),
  };
  return DEFINE_EXPORTS(env, exports, properties);
}

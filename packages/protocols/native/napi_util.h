/*
 * napi_util.h: the N-API boilerplate of the addon's four files (ntp_udp.c, ntp_udp_client.c,
 * unix_dgram.c, ptp_udp.c): checked calls, argument checks, errors like Node's system
 * errors, objects of numbers (counters) and export tables. N-API only; the polled socket
 * those files share is in ntp_udp.h, which includes this.
 */
#ifndef CHRONOSYNC_NAPI_UTIL_H
#define CHRONOSYNC_NAPI_UTIL_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

/* Calls `call`; on failure throws an Error naming it and returns NULL from the caller. */
#define CHECK(call)                                                                           \
  do {                                                                                        \
    if ((call) != napi_ok) {                                                                  \
      napi_throw_error(env, NULL, "ntp_udp: " #call " failed");                              \
      return NULL;                                                                            \
    }                                                                                         \
  } while (0)

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* A row of an export table: an enumerable function `name`. */
#define EXPORT_FUNCTION(name, function) {name, NULL, function, NULL, NULL, NULL, napi_enumerable, NULL}

/* Defines an array of EXPORT_FUNCTION rows on `exports`: 0, or -1. */
#define DEFINE_EXPORTS(env, exports, table) \
  (napi_define_properties(env, exports, COUNT_OF(table), table) == napi_ok ? 0 : -1)

/* Whether `value` is a function. */
static inline int is_function(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  return napi_typeof(env, value, &type) == napi_ok && type == napi_function;
}

/* A port number (0 to 65535) in *port: 1, or 0 for anything else. */
static inline int port_of(napi_env env, napi_value value, uint32_t *port) {
  return napi_get_value_uint32(env, value, port) == napi_ok && *port <= 65535;
}

/* The memory and length (in elements) of a typed array of `type`: 1, or 0 for anything else. */
static inline int typed_array_of(napi_env env, napi_value value, napi_typedarray_type type, void **data,
                                 size_t *length) {
  bool is_typed = false;
  napi_typedarray_type actual;
  napi_value buffer;
  size_t offset = 0;
  return napi_is_typedarray(env, value, &is_typed) == napi_ok && is_typed &&
         napi_get_typedarray_info(env, value, &actual, length, data, &buffer, &offset) == napi_ok &&
         actual == type;
}

/* An Error like Node's system errors: message "syscall CODE where", code, errno, syscall. */
static inline napi_value errno_error(napi_env env, const char *syscall, int err, const char *where) {
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

/* Throws errno_error(); returns NULL. */
static inline napi_value throw_errno(napi_env env, const char *syscall, int err, const char *where) {
  napi_throw(env, errno_error(env, syscall, err, where));
  return NULL;
}

/* Sets object[name] = value; returns object, or NULL if the number could not be made. */
static inline napi_value set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value v;
  if (napi_create_double(env, value, &v) != napi_ok) return NULL;
  napi_set_named_property(env, object, name, v);
  return object;
}

/* One property of numbers_object(). */
typedef struct named_number {
  const char *name;
  double value;
} named_number_t;

/* A new object with these numbers (e.g. a socket's counters); NULL if N-API failed. */
static inline napi_value numbers_object(napi_env env, const named_number_t *numbers, size_t count) {
  napi_value result;
  CHECK(napi_create_object(env, &result));
  for (size_t i = 0; i < count; i++) {
    if (set_number(env, result, numbers[i].name, numbers[i].value) == NULL) return NULL;
  }
  return result;
}

#endif

/*
 * Shared helpers of the C tests: checks that stop at the first failure (printing
 * file:line and zdkit's last error), tiny JSON string lookup, base64, and the
 * emulator's control API called through zdkit itself.
 */
#ifndef ZDKIT_TEST_UTIL_H
#define ZDKIT_TEST_UTIL_H

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "zdkit.h"

/* Number of checks that passed (all threads). */
extern atomic_long test_checks;

_Noreturn void test_fail(const char *file, int line, const char *what);
_Noreturn void test_fail_rc(const char *file, int line, const char *expr, zdk_result got,
                            zdk_result expected);
_Noreturn void test_fail_str(const char *file, int line, const char *expr, const char *got,
                             const char *expected);

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            test_fail(__FILE__, __LINE__, #cond);                                              \
        }                                                                                      \
        atomic_fetch_add(&test_checks, 1);                                                     \
    } while (0)

/* Checks that `expr` (a zdk_result) equals `expected`. */
#define CHECK_RC(expr, expected)                                                               \
    do {                                                                                       \
        zdk_result check_rc_ = (expr);                                                         \
        if (check_rc_ != (expected)) {                                                         \
            test_fail_rc(__FILE__, __LINE__, #expr, check_rc_, (expected));                    \
        }                                                                                      \
        atomic_fetch_add(&test_checks, 1);                                                     \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, ZDK_OK)

/* Checks that two C strings are equal (NULL never equals anything). */
#define CHECK_STREQ(got, expected)                                                             \
    do {                                                                                       \
        const char *check_got_ = (got);                                                        \
        const char *check_exp_ = (expected);                                                   \
        if (check_got_ == NULL || check_exp_ == NULL || strcmp(check_got_, check_exp_) != 0) { \
            test_fail_str(__FILE__, __LINE__, #got, check_got_, check_exp_);                   \
        }                                                                                      \
        atomic_fetch_add(&test_checks, 1);                                                     \
    } while (0)

/* Prints "<name>: N checks passed". */
void test_report(const char *name);

/*
 * Finds the first string member `"key": "..."` at or after `json` and copies its
 * (unescaped) value to out. Returns a pointer just past the value, or NULL when
 * absent, not a string, or longer than out_size - 1.
 */
const char *json_string(const char *json, const char *key, char *out, size_t out_size);

/* Like json_string, but for the last occurrence of the key. */
const char *json_string_last(const char *json, const char *key, char *out, size_t out_size);

/* The raw value text of `"key": <value>` (number, null, true, false) copied to out. */
const char *json_scalar(const char *json, const char *key, char *out, size_t out_size);

/* Standard base64 with padding; out must hold 4 * ((len + 2) / 3) + 1 bytes. */
void base64_encode(const unsigned char *in, size_t len, char *out);

/* Test client for the control API (OAuth mode; the control API ignores credentials). */
zdk_client *control_client(const char *url);

/*
 * Calls the emulator's control API through zdkit and returns a malloc'd copy of the
 * body (free it). Any non-2xx answer fails the test.
 */
char *control_call(zdk_client *client, const char *method, const char *path, const char *body);

/* POST /__emulator/reset */
void emu_reset(zdk_client *control);
/* POST /__emulator/faults with the given JSON rule */
void emu_fault(zdk_client *control, const char *rule_json);
/* GET /__emulator/requests (malloc'd JSON; free it) */
char *emu_requests(zdk_client *control);

/* Returns a malloc'd NUL-terminated copy of a response body (free it). */
char *body_copy(const zdk_response *response);

/* True when haystack contains needle (both non-NULL). */
int contains(const char *haystack, const char *needle);

#endif

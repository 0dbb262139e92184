/*
 * zdk_webhook_verify against vectors computed independently with Python's hmac:
 *
 *   python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(hmac.new(
 *       b"whsec-test-secret-4a1b", b"2026-06-09T16:42:11Z" + BODY, hashlib.sha256).digest()))'
 *
 * The vectors carry a fixed timestamp, so a tolerance reaching back to it accepts them
 * and the usual five minutes refuse them as stale. (bindings/python/tests/test_webhooks.py
 * checks fresh vectors through this same C function and the Python API side by side.)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "zdkit.h"

#define SECRET "whsec-test-secret-4a1b"
#define STAMP "2026-06-09T16:42:11Z"
#define BODY "{\"ticket\":{\"id\":42,\"subject\":\"Printer on fire\"}}"
#define BODY_SIG "AVfAY2pa/JKANhhj7mRAKVDXCPHUpKq/vIScrZyVJN0="
#define EMPTY_SIG "X4uP8pJz3nt5rVvaZzdrYGL6MXyOnE8X+RbW7wsxSO4="
/* Reaches back to 2026 from any plausible "now" (about 3000 years). */
#define WIDE 1e11

static zdk_result check(const char *body, const char *sig, const char *stamp, const char *secret,
                        double tolerance) {
    return zdk_webhook_verify((const uint8_t *)body, strlen(body), sig, stamp, secret, tolerance);
}

int main(void) {
    CHECK_OK(check(BODY, BODY_SIG, STAMP, SECRET, WIDE));
    CHECK_OK(zdk_webhook_verify(NULL, 0, EMPTY_SIG, STAMP, SECRET, WIDE));
    /* the same instant written with an offset is another signed text: refused */
    CHECK_RC(check(BODY, BODY_SIG, "2026-06-09T18:42:11+02:00", SECRET, WIDE), ZDK_ERR_AUTHENTICATION);

    /* wrong secret, altered body, altered timestamp, non-base64, truncated signature */
    CHECK_RC(check(BODY, BODY_SIG, STAMP, "whsec-test-secret-4a1c", WIDE), ZDK_ERR_AUTHENTICATION);
    CHECK(strstr(zdk_last_error_message(), "whsec") == NULL);
    CHECK_RC(check("{\"ticket\":{\"id\":43,\"subject\":\"Printer on fire\"}}", BODY_SIG, STAMP, SECRET, WIDE),
             ZDK_ERR_AUTHENTICATION);
    CHECK_RC(check(BODY " ", BODY_SIG, STAMP, SECRET, WIDE), ZDK_ERR_AUTHENTICATION);
    CHECK_RC(check(BODY, BODY_SIG, "2026-06-09T16:42:12Z", SECRET, WIDE), ZDK_ERR_AUTHENTICATION);
    CHECK_RC(check(BODY, "not base64 at all!", STAMP, SECRET, WIDE), ZDK_ERR_AUTHENTICATION);
    CHECK(contains(zdk_last_error_message(), "base64"));
    CHECK_RC(check(BODY, "AVfAY2pa/JKANhhj7mRAKVDXCPHU", STAMP, SECRET, WIDE), ZDK_ERR_AUTHENTICATION);
    CHECK_RC(check(BODY, "", STAMP, SECRET, WIDE), ZDK_ERR_AUTHENTICATION);
    CHECK_RC(check(BODY, BODY_SIG, "yesterday", SECRET, WIDE), ZDK_ERR_AUTHENTICATION);

    /* a 2026 timestamp is stale for the usual five minutes */
    CHECK_RC(check(BODY, BODY_SIG, STAMP, SECRET, 300), ZDK_ERR_AUTHENTICATION);
    CHECK(contains(zdk_last_error_message(), "tolerance"));

    /* invalid arguments */
    CHECK_RC(check(BODY, BODY_SIG, STAMP, "", WIDE), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(check(BODY, BODY_SIG, STAMP, SECRET, -1), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(check(BODY, BODY_SIG, STAMP, SECRET, NAN), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(check(BODY, BODY_SIG, STAMP, SECRET, INFINITY), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_webhook_verify(NULL, 3, BODY_SIG, STAMP, SECRET, WIDE), ZDK_ERR_NULL_ARGUMENT);

    test_report("test_webhook");
    return 0;
}

/*
 * Both credential modes (proved by the emulator's request log), a 404 whose
 * response stays readable, a 401 whose error never echoes the token, version and
 * strerror, and the response accessors.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define EMAIL "agent@example.com"
#define API_TOKEN "emulator-api-token"
#define OAUTH_TOKEN "emulator-oauth-token"

static void test_version_and_strerror(void) {
    const char *version = zdk_version();
    CHECK(version != NULL);
    CHECK(strncmp(version, "zdkit/" ZDKIT_VERSION_STRING, strlen("zdkit/" ZDKIT_VERSION_STRING)) == 0);
    CHECK(contains(version, "libcurl/"));
    CHECK(zdk_version() == version); /* static */
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", ZDKIT_VERSION_MAJOR, ZDKIT_VERSION_MINOR,
             ZDKIT_VERSION_PATCH);
    CHECK_STREQ(ZDKIT_VERSION_STRING, expected);

    static const struct {
        zdk_result code;
        const char *name;
    } codes[] = {
        {ZDK_OK, "ZDK_OK"},
        {ZDK_DONE, "ZDK_DONE"},
        {ZDK_ERR_NULL_ARGUMENT, "ZDK_ERR_NULL_ARGUMENT"},
        {ZDK_ERR_INVALID_UTF8, "ZDK_ERR_INVALID_UTF8"},
        {ZDK_ERR_INVALID_ARGUMENT, "ZDK_ERR_INVALID_ARGUMENT"},
        {ZDK_ERR_INSECURE_TRANSPORT, "ZDK_ERR_INSECURE_TRANSPORT"},
        {ZDK_ERR_AUTHENTICATION, "ZDK_ERR_AUTHENTICATION"},
        {ZDK_ERR_PERMISSION, "ZDK_ERR_PERMISSION"},
        {ZDK_ERR_NOT_FOUND, "ZDK_ERR_NOT_FOUND"},
        {ZDK_ERR_CONFLICT, "ZDK_ERR_CONFLICT"},
        {ZDK_ERR_VALIDATION, "ZDK_ERR_VALIDATION"},
        {ZDK_ERR_RATE_LIMITED, "ZDK_ERR_RATE_LIMITED"},
        {ZDK_ERR_SERVER, "ZDK_ERR_SERVER"},
        {ZDK_ERR_HTTP, "ZDK_ERR_HTTP"},
        {ZDK_ERR_TIMEOUT, "ZDK_ERR_TIMEOUT"},
        {ZDK_ERR_TRANSPORT, "ZDK_ERR_TRANSPORT"},
        {ZDK_ERR_DECODE, "ZDK_ERR_DECODE"},
        {ZDK_ERR_CANCELLED, "ZDK_ERR_CANCELLED"},
        {ZDK_ERR_INTERNAL, "ZDK_ERR_INTERNAL"},
        {ZDK_ERR_PANIC, "ZDK_ERR_PANIC"},
        {ZDK_ERR_JOB_FAILED, "ZDK_ERR_JOB_FAILED"},
        {ZDK_ERR_RESPONSE_TOO_LARGE, "ZDK_ERR_RESPONSE_TOO_LARGE"},
    };
    const char *unknown = zdk_strerror((zdk_result)9999);
    CHECK_STREQ(unknown, "unknown zdk_result code");
    CHECK_STREQ(zdk_strerror((zdk_result)-1), "unknown zdk_result code");
    CHECK_STREQ(zdk_strerror((zdk_result)(ZDK_ERR_RESPONSE_TOO_LARGE + 1)), "unknown zdk_result code");
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *text = zdk_strerror(codes[i].code);
        CHECK(text != NULL);
        CHECK(strncmp(text, codes[i].name, strlen(codes[i].name)) == 0);
        CHECK(strcmp(text, unknown) != 0);
        CHECK(zdk_strerror(codes[i].code) == text); /* static */
    }
    CHECK(contains(zdk_strerror(ZDK_ERR_NOT_FOUND), "404"));
}

/* Asserts that the newest logged request carried exactly `authorization`. */
static void check_logged_authorization(zdk_client *control, const char *path,
                                       const char *authorization) {
    char *log = emu_requests(control);
    char value[512];
    CHECK(json_string_last(log, "path", value, sizeof value) != NULL);
    CHECK_STREQ(value, path);
    CHECK(json_string_last(log, "authorization", value, sizeof value) != NULL);
    CHECK_STREQ(value, authorization);
    /* exactly one request since the reset: one Authorization header, one entry */
    CHECK(json_string(log, "authorization", value, sizeof value) != NULL);
    CHECK_STREQ(value, authorization);
    CHECK(json_string_last(log, "accept", value, sizeof value) != NULL);
    CHECK(contains(value, "application/json"));
    CHECK(json_string_last(log, "user-agent", value, sizeof value) != NULL);
    CHECK(strncmp(value, "zdkit/", 6) == 0);
    free(log);
}

static void check_me(zdk_client *client, const char *expected_email) {
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
    CHECK(response != NULL);
    CHECK(zdk_last_error_code() == ZDK_OK);
    CHECK(zdk_response_status(response) == 200);
    size_t len = 0;
    const uint8_t *body = zdk_response_body(response, &len);
    CHECK(body != NULL && len > 0);
    CHECK(body[len] == '\0');
    CHECK(strlen((const char *)body) == len);
    char value[256];
    CHECK(json_string((const char *)body, "email", value, sizeof value) != NULL);
    CHECK_STREQ(value, expected_email);
    CHECK(json_scalar((const char *)body, "id", value, sizeof value) != NULL);
    CHECK(strcmp(value, "null") != 0);
    CHECK(zdk_response_request_id(response) != NULL);
    const char *content_type = zdk_response_header(response, "Content-Type");
    CHECK(contains(content_type, "application/json"));
    CHECK(zdk_response_header(response, "CONTENT-TYPE") == content_type);
    CHECK(zdk_response_header(response, "x-no-such-header") == NULL);
    CHECK(zdk_response_api_warning(response) == NULL);

    size_t count = zdk_response_header_count(response);
    CHECK(count > 0);
    int saw_content_type = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = NULL;
        const char *hvalue = NULL;
        CHECK_OK(zdk_response_header_at(response, i, &name, &hvalue));
        CHECK(name != NULL && hvalue != NULL);
        if (strcmp(name, "content-type") == 0 || strcmp(name, "Content-Type") == 0) {
            saw_content_type = 1;
        }
    }
    CHECK(saw_content_type);
    const char *untouched = "untouched";
    const char *name = untouched;
    const char *hvalue = untouched;
    CHECK_RC(zdk_response_header_at(response, count, &name, &hvalue), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(name == untouched && hvalue == untouched);

    zdk_rate_limit limit = {0, 0, 0};
    CHECK_OK(zdk_response_rate_limit(response, &limit));
    /* no --rate-limit: the emulator reports a nominal, unenforced budget, as Zendesk sends
       the headers on every answer */
    CHECK(limit.limit == 1000000 && limit.remaining > 0 && limit.reset_seconds >= 1);
    zdk_response_free(response);
}

static void test_api_token(const char *url, zdk_client *control) {
    emu_reset(control);
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_api_token(url, EMAIL, API_TOKEN, &client));
    CHECK(client != NULL);
    check_me(client, EMAIL);

    const char *credential = EMAIL "/token:" API_TOKEN;
    char encoded[128];
    base64_encode((const unsigned char *)credential, strlen(credential), encoded);
    CHECK_STREQ(encoded, "YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46ZW11bGF0b3ItYXBpLXRva2Vu");
    char expected[160];
    snprintf(expected, sizeof expected, "Basic %s", encoded);
    check_logged_authorization(control, "/api/v2/users/me.json", expected);
    zdk_client_free(client);
}

static void test_oauth(const char *url, zdk_client *control) {
    emu_reset(control);
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, OAUTH_TOKEN, &client));
    CHECK(client != NULL);
    check_me(client, EMAIL);
    check_logged_authorization(control, "/api/v2/users/me.json", "Bearer " OAUTH_TOKEN);
    zdk_client_free(client);
}

static void test_not_found(const char *url) {
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, OAUTH_TOKEN, &client));
    zdk_response *response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/tickets/999999999.json", NULL, 0, &response),
             ZDK_ERR_NOT_FOUND);
    CHECK(response != NULL);
    CHECK(zdk_response_status(response) == 404);
    size_t len = 0;
    const uint8_t *body = zdk_response_body(response, &len);
    CHECK(body != NULL && len > 0);
    CHECK(contains((const char *)body, "RecordNotFound"));
    const char *request_id = zdk_response_request_id(response);
    CHECK(request_id != NULL && request_id[0] != '\0');

    CHECK(zdk_last_error_code() == ZDK_ERR_NOT_FOUND);
    CHECK(zdk_last_error_status() == 404);
    CHECK_STREQ(zdk_last_error_zendesk_code(), "RecordNotFound");
    CHECK(zdk_last_error_request_id() != NULL);
    CHECK_STREQ(zdk_last_error_request_id(), request_id);
    const char *message = zdk_last_error_message();
    CHECK(message != NULL);
    CHECK(contains(message, "404"));
    CHECK(contains(message, "/api/v2/tickets/999999999.json"));
    CHECK(contains(message, request_id));
    CHECK(zdk_last_error_retry_after_ms() == -1);
    zdk_response_free(response);

    /* the query string (which may hold personal data) never reaches the message */
    response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/tickets/999999999.json?secret_query=jane%40example.com",
                                NULL, 0, &response),
             ZDK_ERR_NOT_FOUND);
    CHECK(response != NULL);
    CHECK(!contains(zdk_last_error_message(), "secret_query"));
    CHECK(!contains(zdk_last_error_message(), "jane"));
    zdk_response_free(response);

    /* a success clears the last error */
    response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
    CHECK(zdk_last_error_code() == ZDK_OK);
    CHECK(zdk_last_error_status() == 0);
    CHECK(zdk_last_error_zendesk_code() == NULL);
    zdk_response_free(response);
    zdk_client_free(client);
}

static void check_no_canary(const char *canary) {
    CHECK(!contains(zdk_last_error_message(), canary));
    CHECK(!contains(zdk_last_error_description(), canary));
    CHECK(!contains(zdk_last_error_details_json(), canary));
    CHECK(!contains(zdk_last_error_zendesk_code(), canary));
}

static void test_unauthorized(const char *url) {
    const char *canary = "CANARY-s3cr3t-t0ken-4711";
    zdk_client *client = NULL;
    zdk_response *response = NULL;

    CHECK_OK(zdk_client_new_api_token(url, EMAIL, canary, &client));
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response),
             ZDK_ERR_AUTHENTICATION);
    CHECK(response != NULL);
    CHECK(zdk_response_status(response) == 401);
    CHECK(contains((const char *)zdk_response_body(response, NULL), "Couldn't authenticate you"));
    CHECK(zdk_last_error_status() == 401);
    CHECK(zdk_last_error_message() != NULL);
    CHECK(contains(zdk_last_error_message(), "401"));
    CHECK(zdk_last_error_request_id() != NULL);
    check_no_canary(canary);
    zdk_response_free(response);
    zdk_client_free(client);

    client = NULL;
    response = NULL;
    CHECK_OK(zdk_client_new_oauth(url, canary, &client));
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/tickets.json", NULL, 0, &response),
             ZDK_ERR_AUTHENTICATION);
    CHECK(response != NULL);
    CHECK(zdk_response_status(response) == 401);
    check_no_canary(canary);
    zdk_response_free(response);
    zdk_client_free(client);
}

static void test_post_body(const char *url, zdk_client *control) {
    emu_reset(control);
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, OAUTH_TOKEN, &client));
    const char *json = "{\"ticket\":{\"subject\":\"C test\",\"comment\":{\"body\":\"from C\"}}}";
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "POST", "/api/v2/tickets.json", (const uint8_t *)json,
                                strlen(json), &response));
    CHECK(zdk_response_status(response) == 201);
    char value[256];
    CHECK(json_string((const char *)zdk_response_body(response, NULL), "subject", value, sizeof value));
    CHECK_STREQ(value, "C test");
    zdk_response_free(response);

    char *log = emu_requests(control);
    CHECK(json_string_last(log, "content-type", value, sizeof value) != NULL);
    CHECK(contains(value, "application/json"));
    CHECK(json_scalar(log, "body_len", value, sizeof value) != NULL);
    char expected[32];
    snprintf(expected, sizeof expected, "%zu", strlen(json));
    CHECK_STREQ(value, expected);
    CHECK(json_string_last(log, "method", value, sizeof value) != NULL);
    CHECK_STREQ(value, "POST");
    free(log);

    /* a full URL on the same origin works (as links.next gives) ... */
    char full[512];
    snprintf(full, sizeof full, "%s/api/v2/users/me.json", url);
    response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", full, NULL, 0, &response));
    CHECK(zdk_response_status(response) == 200);
    zdk_response_free(response);
    /* ... another origin is refused before anything is sent */
    response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "https://evil.example.com/api/v2/users/me.json", NULL, 0,
                                &response),
             ZDK_ERR_INVALID_ARGUMENT);
    CHECK(response == NULL);
    zdk_client_free(client);
}

int main(void) {
    test_version_and_strerror();

    emulator emu;
    if (emulator_start(&emu, NULL, 10000) != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    test_api_token(emu.url, control);
    test_oauth(emu.url, control);
    test_not_found(emu.url);
    test_unauthorized(emu.url);
    test_post_body(emu.url, control);
    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_basic");
    return 0;
}

/*
 * The thread's last error outlives every accessor call. The documented pattern: read
 * zdk_last_error_message(), then look at the error response (status, headers, body,
 * request id, rate limit), other accessors and the _free functions, then print the
 * message. Before the fix, zdk_response_header() cleared the last error and the
 * message pointer dangled (valgrind and ASan report the read). Also: a fallible call
 * clears the last error on entry and a failing one replaces it.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

/* Everything that must leave the last error alone, called on an error response. */
static void read_the_error_response(zdk_client *client, zdk_response *response) {
    CHECK(zdk_response_status(response) == 404);
    size_t len = 0;
    CHECK(zdk_response_body(response, &len) != NULL && len > 0);
    CHECK(zdk_response_header(response, "content-type") != NULL);
    CHECK(zdk_response_header(response, "x-no-such-header") == NULL);
    CHECK(zdk_response_header(response, NULL) == NULL);
    CHECK(zdk_response_header(response, "bad\xc0\xaf") == NULL);
    size_t count = zdk_response_header_count(response);
    CHECK(count > 0);
    for (size_t i = 0; i < count; i++) {
        const char *name = NULL;
        const char *value = NULL;
        CHECK_OK(zdk_response_header_at(response, i, &name, &value));
        CHECK(name != NULL && value != NULL);
    }
    const char *name = NULL;
    const char *value = NULL;
    CHECK_RC(zdk_response_header_at(response, count, &name, &value), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(zdk_response_request_id(response) != NULL);
    (void)zdk_response_api_warning(response);
    zdk_rate_limit limit;
    CHECK_OK(zdk_response_rate_limit(response, &limit));
    CHECK_RC(zdk_response_rate_limit(NULL, &limit), ZDK_ERR_NULL_ARGUMENT);
    CHECK(zdk_strerror(ZDK_ERR_NOT_FOUND) != NULL);
    CHECK(zdk_version() != NULL);
    CHECK(zdk_pager_has_more(NULL) == 0);
    CHECK(zdk_pager_after_cursor(NULL) == NULL);
    CHECK(zdk_export_cursor(NULL) == NULL);
    CHECK(zdk_token_set_access_token(NULL) == NULL);
    CHECK(zdk_token_set_expires_at(NULL) == 0);
    (void)client;
    /* and the frees */
    zdk_response_free(NULL);
    zdk_pager_free(NULL);
    zdk_config_free(NULL);
    zdk_string_free(NULL);
}

int main(void) {
    emulator emu;
    if (emulator_start(&emu, NULL, 10000) != 0) {
        return 1;
    }
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(emu.url, "emulator-oauth-token", &client));

    /* A pager that already walked a page, to read from while an error is current. */
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", "page[size]=2", &pager));
    zdk_response *page = NULL;
    CHECK_OK(zdk_pager_next(pager, &page));
    zdk_response_free(page);

    zdk_response *response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/tickets/999999999.json", NULL, 0, &response),
             ZDK_ERR_NOT_FOUND);
    CHECK(response != NULL);
    /* the documented pattern: read the message first ... */
    const char *message = zdk_last_error_message();
    const char *request_id = zdk_last_error_request_id();
    const char *zendesk_code = zdk_last_error_zendesk_code();
    CHECK(message != NULL && request_id != NULL);
    CHECK_STREQ(zendesk_code, "RecordNotFound");
    char *copy = strdup(message);
    CHECK(copy != NULL);

    /* ... then look at the error response and use other accessors ... */
    read_the_error_response(client, response);
    CHECK(zdk_pager_has_more(pager) == 1);
    CHECK(zdk_pager_after_cursor(pager) != NULL);
    CHECK_STREQ(zdk_response_request_id(response), request_id);
    zdk_response_free(response);

    /* ... then print the message: the same pointers, still readable, same text. */
    CHECK(zdk_last_error_message() == message);
    CHECK(zdk_last_error_request_id() == request_id);
    CHECK(zdk_last_error_code() == ZDK_ERR_NOT_FOUND);
    CHECK(zdk_last_error_status() == 404);
    CHECK_STREQ(message, copy);
    CHECK_STREQ(zendesk_code, "RecordNotFound");
    printf("the last error, read after the accessors: %s\n", message);
    free(copy);

    /* A fallible call clears the last error on entry ... */
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK(zdk_last_error_code() == ZDK_OK);
    CHECK(zdk_last_error_message() == NULL);
    CHECK(zdk_last_error_status() == 0);
    /* ... and a failing one replaces it. */
    CHECK_RC(zdk_config_set_timeout_ms(config, 0), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(zdk_last_error_code() == ZDK_ERR_INVALID_ARGUMENT);
    CHECK(zdk_last_error_message() != NULL);
    zdk_config_free(config);
    CHECK(zdk_last_error_code() == ZDK_ERR_INVALID_ARGUMENT);

    zdk_pager_free(pager);
    zdk_client_free(client);
    emulator_stop(&emu);
    test_report("test_last_error");
    return 0;
}

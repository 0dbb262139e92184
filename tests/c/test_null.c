/*
 * NULL in every pointer argument of every function in zdkit.h, and invalid UTF-8 in
 * every string argument: a ZDK_ERR_NULL_ARGUMENT / ZDK_ERR_INVALID_UTF8 result (or
 * the documented NULL/0/no-op of accessors and _free functions), an untouched
 * out-parameter, a last error that says so (accessors: a last error left as it was),
 * and never a crash.
 *
 * `make coverage` checks that every function of zdkit.h is named in this file.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

/* Overlong '/', a lone continuation byte, a UTF-16 surrogate, a truncated sequence. */
static const char *const BAD_UTF8[] = {"\xc0\xaf", "ok\x80", "\xed\xa0\x80", "abc\xe2\x82"};
#define N_BAD (sizeof BAD_UTF8 / sizeof BAD_UTF8[0])

static char sentinel_storage;
#define SENTINEL ((void *)&sentinel_storage)

/* A failure with `code` that left the thread's last error describing it. */
#define CHECK_FAILS(expr, code)                                                                \
    do {                                                                                       \
        CHECK_RC(expr, code);                                                                  \
        CHECK(zdk_last_error_code() == (code));                                                \
        CHECK(zdk_last_error_message() != NULL);                                               \
        CHECK(zdk_last_error_status() == 0);                                                   \
    } while (0)
#define CHECK_NULL_ARG(expr) CHECK_FAILS(expr, ZDK_ERR_NULL_ARGUMENT)
#define CHECK_BAD_UTF8(expr) CHECK_FAILS(expr, ZDK_ERR_INVALID_UTF8)

static void log_sink(void *userdata, zdk_log_level level, const char *message) {
    (void)userdata;
    (void)level;
    (void)message;
}

static void test_client_constructors(const char *url) {
    zdk_client *out = SENTINEL;

    /* zdk_client_new */
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, "emulator-oauth-token"));
    CHECK_NULL_ARG(zdk_client_new(NULL, &out));
    CHECK(out == SENTINEL);
    CHECK_NULL_ARG(zdk_client_new(config, NULL));
    zdk_config_free(config);

    /* zdk_client_new_api_token */
    CHECK_NULL_ARG(zdk_client_new_api_token(NULL, "a@example.com", "tok", &out));
    CHECK_NULL_ARG(zdk_client_new_api_token(url, NULL, "tok", &out));
    CHECK_NULL_ARG(zdk_client_new_api_token(url, "a@example.com", NULL, &out));
    CHECK_NULL_ARG(zdk_client_new_api_token(url, "a@example.com", "tok", NULL));
    CHECK(out == SENTINEL);
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_new_api_token(BAD_UTF8[i], "a@example.com", "tok", &out));
        CHECK_BAD_UTF8(zdk_client_new_api_token(url, BAD_UTF8[i], "tok", &out));
        CHECK_BAD_UTF8(zdk_client_new_api_token(url, "a@example.com", BAD_UTF8[i], &out));
    }
    CHECK(out == SENTINEL);

    /* zdk_client_new_oauth */
    CHECK_NULL_ARG(zdk_client_new_oauth(NULL, "tok", &out));
    CHECK_NULL_ARG(zdk_client_new_oauth(url, NULL, &out));
    CHECK_NULL_ARG(zdk_client_new_oauth(url, "tok", NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_new_oauth(BAD_UTF8[i], "tok", &out));
        CHECK_BAD_UTF8(zdk_client_new_oauth(url, BAD_UTF8[i], &out));
    }
    CHECK(out == SENTINEL);

    /* zdk_client_free */
    zdk_client_free(NULL);
}

static void never_called(zdk_result result, zdk_response *response, void *userdata) {
    (void)result;
    (void)response;
    (void)userdata;
    test_fail(__FILE__, __LINE__, "a callback ran for a call that never started");
}

static void test_requests(zdk_client *client) {
    zdk_response *out = SENTINEL;
    const uint8_t body[] = "{}";

    /* zdk_client_request */
    CHECK_NULL_ARG(zdk_client_request(NULL, "GET", "/api/v2/users/me.json", NULL, 0, &out));
    CHECK_NULL_ARG(zdk_client_request(client, NULL, "/api/v2/users/me.json", NULL, 0, &out));
    CHECK_NULL_ARG(zdk_client_request(client, "GET", NULL, NULL, 0, &out));
    CHECK_NULL_ARG(zdk_client_request(client, "POST", "/api/v2/tickets.json", NULL, 5, &out));
    CHECK_NULL_ARG(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, NULL));
    CHECK_NULL_ARG(zdk_client_request(client, "POST", "/api/v2/tickets.json", body, 2, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_request(client, BAD_UTF8[i], "/api/v2/users/me.json", NULL, 0, &out));
        CHECK_BAD_UTF8(zdk_client_request(client, "GET", BAD_UTF8[i], NULL, 0, &out));
    }
    CHECK(out == SENTINEL);

    /* zdk_request_new */
    zdk_request *request = SENTINEL;
    CHECK_NULL_ARG(zdk_request_new(NULL, "/api/v2/users/me.json", &request));
    CHECK_NULL_ARG(zdk_request_new("GET", NULL, &request));
    CHECK_NULL_ARG(zdk_request_new("GET", "/api/v2/users/me.json", NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_request_new(BAD_UTF8[i], "/api/v2/users/me.json", &request));
        CHECK_BAD_UTF8(zdk_request_new("GET", BAD_UTF8[i], &request));
    }
    CHECK(request == SENTINEL);
    request = NULL;
    CHECK_OK(zdk_request_new("GET", "/api/v2/users/me.json", &request));
    CHECK(request != NULL);

    /* zdk_request_add_query */
    CHECK_NULL_ARG(zdk_request_add_query(NULL, "a", "b"));
    CHECK_NULL_ARG(zdk_request_add_query(request, NULL, "b"));
    CHECK_NULL_ARG(zdk_request_add_query(request, "a", NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_request_add_query(request, BAD_UTF8[i], "b"));
        CHECK_BAD_UTF8(zdk_request_add_query(request, "a", BAD_UTF8[i]));
    }

    /* zdk_request_add_header */
    CHECK_NULL_ARG(zdk_request_add_header(NULL, "X-Test", "1"));
    CHECK_NULL_ARG(zdk_request_add_header(request, NULL, "1"));
    CHECK_NULL_ARG(zdk_request_add_header(request, "X-Test", NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_request_add_header(request, BAD_UTF8[i], "1"));
        CHECK_BAD_UTF8(zdk_request_add_header(request, "X-Test", BAD_UTF8[i]));
    }

    /* zdk_request_set_timeout_ms */
    CHECK_NULL_ARG(zdk_request_set_timeout_ms(NULL, 1000));
    CHECK_FAILS(zdk_request_set_timeout_ms(request, 0), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_OK(zdk_request_set_timeout_ms(request, 1000));

    /* zdk_request_set_body: NULL content type means JSON, NULL body only with length 0 */
    CHECK_NULL_ARG(zdk_request_set_body(NULL, NULL, body, 2));
    CHECK_NULL_ARG(zdk_request_set_body(request, "application/json", NULL, 2));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_request_set_body(request, BAD_UTF8[i], body, 2));
    }
    CHECK_OK(zdk_request_set_body(request, NULL, NULL, 0));
    CHECK_OK(zdk_request_set_body(request, NULL, body, 2));
    CHECK_OK(zdk_request_set_body(request, "text/plain", NULL, 0));

    /* zdk_client_send */
    zdk_request *get = NULL;
    CHECK_OK(zdk_request_new("GET", "/api/v2/users/me.json", &get));
    CHECK_NULL_ARG(zdk_client_send(NULL, get, &out));
    CHECK_NULL_ARG(zdk_client_send(client, NULL, &out));
    CHECK_NULL_ARG(zdk_client_send(client, get, NULL));
    CHECK(out == SENTINEL);
    /* the request still works after all that */
    out = NULL;
    CHECK_OK(zdk_client_send(client, get, &out));
    CHECK(zdk_response_status(out) == 200);
    zdk_response_free(out);

    /* zdk_client_send_async, zdk_async_cancel, zdk_async_is_finished, zdk_async_free:
       a NULL argument starts nothing (no callback ever runs); NULL handles are no-ops */
    CHECK(zdk_client_send_async(NULL, get, never_called, NULL) == NULL);
    CHECK(zdk_last_error_code() == ZDK_ERR_NULL_ARGUMENT);
    CHECK(zdk_client_send_async(client, NULL, never_called, NULL) == NULL);
    CHECK(zdk_last_error_code() == ZDK_ERR_NULL_ARGUMENT);
    CHECK(zdk_client_send_async(client, get, NULL, NULL) == NULL);
    CHECK(zdk_last_error_code() == ZDK_ERR_NULL_ARGUMENT);
    zdk_async_cancel(NULL);
    CHECK(!zdk_async_is_finished(NULL));
    zdk_async_free(NULL);

    /* zdk_request_free */
    zdk_request_free(NULL);
    zdk_request_free(get);
    zdk_request_free(request);
}

static void test_uploads_and_jobs(zdk_client *client) {
    zdk_response *out = SENTINEL;
    const uint8_t data[] = "hello";

    /* zdk_client_upload: content_type and token may be NULL; data only when len is 0 */
    CHECK_NULL_ARG(zdk_client_upload(NULL, "a.txt", NULL, data, 5, NULL, &out));
    CHECK_NULL_ARG(zdk_client_upload(client, NULL, NULL, data, 5, NULL, &out));
    CHECK_NULL_ARG(zdk_client_upload(client, "a.txt", NULL, NULL, 5, NULL, &out));
    CHECK_NULL_ARG(zdk_client_upload(client, "a.txt", NULL, data, 5, NULL, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_upload(client, BAD_UTF8[i], NULL, data, 5, NULL, &out));
        CHECK_BAD_UTF8(zdk_client_upload(client, "a.txt", BAD_UTF8[i], data, 5, NULL, &out));
        CHECK_BAD_UTF8(zdk_client_upload(client, "a.txt", NULL, data, 5, BAD_UTF8[i], &out));
    }
    CHECK(out == SENTINEL);

    /* zdk_client_upload_file */
    CHECK_NULL_ARG(zdk_client_upload_file(NULL, "a.txt", "/etc/hostname", NULL, NULL, &out));
    CHECK_NULL_ARG(zdk_client_upload_file(client, NULL, "/etc/hostname", NULL, NULL, &out));
    CHECK_NULL_ARG(zdk_client_upload_file(client, "a.txt", NULL, NULL, NULL, &out));
    CHECK_NULL_ARG(zdk_client_upload_file(client, "a.txt", "/etc/hostname", NULL, NULL, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_upload_file(client, BAD_UTF8[i], "/etc/hostname", NULL, NULL, &out));
        CHECK_BAD_UTF8(zdk_client_upload_file(client, "a.txt", BAD_UTF8[i], NULL, NULL, &out));
        CHECK_BAD_UTF8(zdk_client_upload_file(client, "a.txt", "/etc/hostname", BAD_UTF8[i], NULL, &out));
        CHECK_BAD_UTF8(zdk_client_upload_file(client, "a.txt", "/etc/hostname", NULL, BAD_UTF8[i], &out));
    }
    CHECK(out == SENTINEL);

    /* zdk_client_wait_for_job */
    CHECK_NULL_ARG(zdk_client_wait_for_job(NULL, "job-1", 1000, &out));
    CHECK_NULL_ARG(zdk_client_wait_for_job(client, NULL, 1000, &out));
    CHECK_NULL_ARG(zdk_client_wait_for_job(client, "job-1", 1000, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_wait_for_job(client, BAD_UTF8[i], 1000, &out));
    }
    CHECK(out == SENTINEL);
}

static void test_pagers_and_exports(zdk_client *client) {
    zdk_pager *pager = SENTINEL;
    zdk_response *page = SENTINEL;

    /* zdk_pager_new: query may be NULL */
    CHECK_NULL_ARG(zdk_pager_new(NULL, "/api/v2/tickets.json", NULL, &pager));
    CHECK_NULL_ARG(zdk_pager_new(client, NULL, NULL, &pager));
    CHECK_NULL_ARG(zdk_pager_new(client, "/api/v2/tickets.json", NULL, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_pager_new(client, BAD_UTF8[i], NULL, &pager));
        CHECK_BAD_UTF8(zdk_pager_new(client, "/api/v2/tickets.json", BAD_UTF8[i], &pager));
    }
    /* zdk_search_new */
    CHECK_NULL_ARG(zdk_search_new(NULL, "status:open", &pager));
    CHECK_NULL_ARG(zdk_search_new(client, NULL, &pager));
    CHECK_NULL_ARG(zdk_search_new(client, "status:open", NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_search_new(client, BAD_UTF8[i], &pager));
    }
    /* zdk_search_export_new: page_size 1 to 1000 */
    CHECK_NULL_ARG(zdk_search_export_new(NULL, "status:open", "ticket", 100, &pager));
    CHECK_NULL_ARG(zdk_search_export_new(client, NULL, "ticket", 100, &pager));
    CHECK_NULL_ARG(zdk_search_export_new(client, "status:open", NULL, 100, &pager));
    CHECK_NULL_ARG(zdk_search_export_new(client, "status:open", "ticket", 100, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_search_export_new(client, BAD_UTF8[i], "ticket", 100, &pager));
        CHECK_BAD_UTF8(zdk_search_export_new(client, "status:open", BAD_UTF8[i], 100, &pager));
    }
    CHECK(pager == SENTINEL);
    /* out-of-range sizes are refused, and *out is left alone */
    static const uint32_t odd_sizes[] = {0, 1001, UINT32_MAX};
    for (size_t i = 0; i < sizeof odd_sizes / sizeof odd_sizes[0]; i++) {
        pager = SENTINEL;
        CHECK_RC(zdk_search_export_new(client, "status:open", "ticket", odd_sizes[i], &pager),
                 ZDK_ERR_INVALID_ARGUMENT);
        CHECK(pager == SENTINEL);
        zdk_export *refused = SENTINEL;
        CHECK_RC(zdk_export_new(client, "tickets", 0, NULL, odd_sizes[i], &refused),
                 ZDK_ERR_INVALID_ARGUMENT);
        CHECK(refused == SENTINEL);
    }

    /* zdk_pager_next, zdk_pager_has_more, zdk_pager_after_cursor, zdk_pager_free */
    pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager));
    CHECK(pager != NULL);
    CHECK_NULL_ARG(zdk_pager_next(NULL, &page));
    CHECK_NULL_ARG(zdk_pager_next(pager, NULL));
    CHECK(page == SENTINEL);
    CHECK(zdk_pager_has_more(NULL) == 0);
    CHECK(zdk_pager_has_more(pager) == 1); /* before the first page */
    CHECK(zdk_pager_after_cursor(NULL) == NULL);
    CHECK(zdk_pager_after_cursor(pager) == NULL);
    zdk_pager_free(NULL);
    zdk_pager_free(pager);

    /* zdk_export_new: cursor may be NULL; per_page 1 to 1000 */
    zdk_export *export_ = SENTINEL;
    CHECK_NULL_ARG(zdk_export_new(NULL, "tickets", 0, NULL, 100, &export_));
    CHECK_NULL_ARG(zdk_export_new(client, NULL, 0, NULL, 100, &export_));
    CHECK_NULL_ARG(zdk_export_new(client, "tickets", 0, NULL, 100, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_export_new(client, BAD_UTF8[i], 0, NULL, 100, &export_));
        CHECK_BAD_UTF8(zdk_export_new(client, "tickets", 0, BAD_UTF8[i], 100, &export_));
    }
    CHECK(export_ == SENTINEL);
    for (size_t i = 0; i < sizeof odd_sizes / sizeof odd_sizes[0]; i++) {
        export_ = NULL;
        zdk_result rc = zdk_export_new(client, "tickets", 0, NULL, odd_sizes[i], &export_);
        CHECK(rc == ZDK_OK || rc == ZDK_ERR_INVALID_ARGUMENT);
        CHECK((rc == ZDK_OK) == (export_ != NULL));
        zdk_export_free(export_);
    }

    /* zdk_export_next, zdk_export_next_jsonl, zdk_export_cursor, zdk_export_free */
    export_ = NULL;
    CHECK_OK(zdk_export_new(client, "tickets", 0, NULL, 100, &export_));
    CHECK(export_ != NULL);
    CHECK_NULL_ARG(zdk_export_next(NULL, &page));
    CHECK_NULL_ARG(zdk_export_next(export_, NULL));
    CHECK_NULL_ARG(zdk_export_next_jsonl(NULL, &page));
    CHECK_NULL_ARG(zdk_export_next_jsonl(export_, NULL));
    CHECK(page == SENTINEL);
    CHECK(zdk_export_cursor(NULL) == NULL);
    CHECK(zdk_export_cursor(export_) == NULL); /* before the first page */
    zdk_export_free(NULL);
    zdk_export_free(export_);
}

static void on_rotate(void *userdata, const char *access_token, const char *refresh_token,
                      int64_t expires_at_unix) {
    (void)userdata;
    (void)access_token;
    (void)refresh_token;
    (void)expires_at_unix;
}

static void test_oauth(const char *url) {
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));

    /* zdk_config_set_oauth_client_credentials: scope may be NULL */
    CHECK_NULL_ARG(zdk_config_set_oauth_client_credentials(NULL, "emulator-client", "emulator-client-secret", NULL, 0));
    CHECK_NULL_ARG(zdk_config_set_oauth_client_credentials(config, NULL, "emulator-client-secret", NULL, 0));
    CHECK_NULL_ARG(zdk_config_set_oauth_client_credentials(config, "emulator-client", NULL, NULL, 0));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_config_set_oauth_client_credentials(config, BAD_UTF8[i], "s", NULL, 0));
        CHECK_BAD_UTF8(zdk_config_set_oauth_client_credentials(config, "c", BAD_UTF8[i], NULL, 0));
        CHECK_BAD_UTF8(zdk_config_set_oauth_client_credentials(config, "c", "s", BAD_UTF8[i], 0));
    }
    /* zdk_config_set_oauth_refresh_token: on_rotate and userdata may be NULL */
    CHECK_NULL_ARG(zdk_config_set_oauth_refresh_token(NULL, "c", "s", "r", on_rotate, NULL));
    CHECK_NULL_ARG(zdk_config_set_oauth_refresh_token(config, NULL, "s", "r", on_rotate, NULL));
    CHECK_NULL_ARG(zdk_config_set_oauth_refresh_token(config, "c", NULL, "r", on_rotate, NULL));
    CHECK_NULL_ARG(zdk_config_set_oauth_refresh_token(config, "c", "s", NULL, on_rotate, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_config_set_oauth_refresh_token(config, BAD_UTF8[i], "s", "r", NULL, NULL));
        CHECK_BAD_UTF8(zdk_config_set_oauth_refresh_token(config, "c", BAD_UTF8[i], "r", NULL, NULL));
        CHECK_BAD_UTF8(zdk_config_set_oauth_refresh_token(config, "c", "s", BAD_UTF8[i], NULL, NULL));
    }
    CHECK_OK(zdk_config_set_oauth_refresh_token(config, "c", "s", "r", NULL, NULL));

    /* a live token set: client credentials against the emulator */
    CHECK_OK(zdk_config_set_oauth_client_credentials(config, "emulator-client", "emulator-client-secret", NULL, 0));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
    zdk_response_free(response);

    /* zdk_client_token_set */
    zdk_token_set *tokens = SENTINEL;
    CHECK_NULL_ARG(zdk_client_token_set(NULL, &tokens));
    CHECK_NULL_ARG(zdk_client_token_set(client, NULL));
    CHECK(tokens == SENTINEL);
    tokens = NULL;
    CHECK_OK(zdk_client_token_set(client, &tokens));
    CHECK(tokens != NULL);
    /* zdk_token_set_access_token, zdk_token_set_refresh_token, zdk_token_set_scope,
       zdk_token_set_expires_at, zdk_token_set_free */
    CHECK(zdk_token_set_access_token(NULL) == NULL);
    CHECK(zdk_token_set_refresh_token(NULL) == NULL);
    CHECK(zdk_token_set_scope(NULL) == NULL);
    CHECK(zdk_token_set_expires_at(NULL) == 0);
    CHECK(zdk_token_set_access_token(tokens) != NULL);
    CHECK(zdk_token_set_refresh_token(tokens) == NULL); /* client credentials have none */
    CHECK(zdk_token_set_expires_at(tokens) > 0);
    zdk_token_set_free(NULL);
    zdk_token_set_free(tokens);
    zdk_client_free(client);

    /* a static bearer manages no token set */
    client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, "emulator-oauth-token", &client));
    tokens = SENTINEL;
    CHECK_FAILS(zdk_client_token_set(client, &tokens), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(tokens == SENTINEL);
    zdk_client_free(client);

    /* zdk_oauth_pkce_pair, zdk_string_free */
    char *verifier = SENTINEL;
    char *challenge = SENTINEL;
    CHECK_NULL_ARG(zdk_oauth_pkce_pair(NULL, &challenge));
    CHECK_NULL_ARG(zdk_oauth_pkce_pair(&verifier, NULL));
    CHECK(verifier == (char *)SENTINEL && challenge == (char *)SENTINEL);
    CHECK_OK(zdk_oauth_pkce_pair(&verifier, &challenge));
    CHECK(verifier != NULL && strlen(verifier) == 43);
    CHECK(challenge != NULL && strlen(challenge) > 0);
    zdk_string_free(NULL);

    /* zdk_oauth_authorize_url: state and code_challenge may be NULL */
    char *authorize = SENTINEL;
    CHECK_NULL_ARG(zdk_oauth_authorize_url(NULL, "c", "https://app.example.com/cb", "read", NULL, NULL, &authorize));
    CHECK_NULL_ARG(zdk_oauth_authorize_url("acme", NULL, "https://app.example.com/cb", "read", NULL, NULL, &authorize));
    CHECK_NULL_ARG(zdk_oauth_authorize_url("acme", "c", NULL, "read", NULL, NULL, &authorize));
    CHECK_NULL_ARG(zdk_oauth_authorize_url("acme", "c", "https://app.example.com/cb", "read", NULL, NULL, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        const char *bad = BAD_UTF8[i];
        CHECK_BAD_UTF8(zdk_oauth_authorize_url(bad, "c", "https://app.example.com/cb", "read", NULL, NULL, &authorize));
        CHECK_BAD_UTF8(zdk_oauth_authorize_url("acme", bad, "https://app.example.com/cb", "read", NULL, NULL, &authorize));
        CHECK_BAD_UTF8(zdk_oauth_authorize_url("acme", "c", bad, "read", NULL, NULL, &authorize));
        CHECK_BAD_UTF8(zdk_oauth_authorize_url("acme", "c", "https://app.example.com/cb", bad, NULL, NULL, &authorize));
        CHECK_BAD_UTF8(zdk_oauth_authorize_url("acme", "c", "https://app.example.com/cb", "read", bad, NULL, &authorize));
        CHECK_BAD_UTF8(zdk_oauth_authorize_url("acme", "c", "https://app.example.com/cb", "read", NULL, bad, &authorize));
    }
    CHECK(authorize == (char *)SENTINEL);
    authorize = NULL;
    CHECK_OK(zdk_oauth_authorize_url("acme", "c", "https://app.example.com/cb", "read", "xyz", challenge, &authorize));
    CHECK(contains(authorize, "https://acme.zendesk.com/oauth/authorizations/new?"));
    CHECK(contains(authorize, challenge));
    zdk_string_free(authorize);
    zdk_string_free(verifier);
    zdk_string_free(challenge);

    /* zdk_oauth_exchange_code: code_verifier may be NULL */
    tokens = SENTINEL;
    CHECK_NULL_ARG(zdk_oauth_exchange_code(NULL, "c", "s", "code", "https://app.example.com/cb", NULL, &tokens));
    CHECK_NULL_ARG(zdk_oauth_exchange_code(url, NULL, "s", "code", "https://app.example.com/cb", NULL, &tokens));
    CHECK_NULL_ARG(zdk_oauth_exchange_code(url, "c", "s", NULL, "https://app.example.com/cb", NULL, &tokens));
    CHECK_NULL_ARG(zdk_oauth_exchange_code(url, "c", "s", "code", NULL, NULL, &tokens));
    CHECK_NULL_ARG(zdk_oauth_exchange_code(url, "c", "s", "code", "https://app.example.com/cb", NULL, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        const char *bad = BAD_UTF8[i];
        const char *cb = "https://app.example.com/cb";
        CHECK_BAD_UTF8(zdk_oauth_exchange_code(bad, "c", "s", "code", cb, NULL, &tokens));
        CHECK_BAD_UTF8(zdk_oauth_exchange_code(url, bad, "s", "code", cb, NULL, &tokens));
        CHECK_BAD_UTF8(zdk_oauth_exchange_code(url, "c", bad, "code", cb, NULL, &tokens));
        CHECK_BAD_UTF8(zdk_oauth_exchange_code(url, "c", "s", bad, cb, NULL, &tokens));
        CHECK_BAD_UTF8(zdk_oauth_exchange_code(url, "c", "s", "code", bad, NULL, &tokens));
        CHECK_BAD_UTF8(zdk_oauth_exchange_code(url, "c", "s", "code", cb, bad, &tokens));
    }
    CHECK(tokens == SENTINEL);
}

static void test_config(void) {
    zdk_config *out = SENTINEL;
    /* zdk_config_new, zdk_config_from_env, zdk_config_free */
    CHECK_NULL_ARG(zdk_config_new(NULL));
    CHECK_NULL_ARG(zdk_config_from_env(NULL));
    zdk_config_free(NULL);
    CHECK(out == SENTINEL);

    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));

    /* zdk_config_set_target */
    CHECK_NULL_ARG(zdk_config_set_target(NULL, "acme"));
    CHECK_NULL_ARG(zdk_config_set_target(config, NULL));
    /* zdk_config_set_subdomain */
    CHECK_NULL_ARG(zdk_config_set_subdomain(NULL, "acme"));
    CHECK_NULL_ARG(zdk_config_set_subdomain(config, NULL));
    /* zdk_config_set_base_url */
    CHECK_NULL_ARG(zdk_config_set_base_url(NULL, "https://acme.zendesk.com"));
    CHECK_NULL_ARG(zdk_config_set_base_url(config, NULL));
    /* zdk_config_set_api_token */
    CHECK_NULL_ARG(zdk_config_set_api_token(NULL, "a@example.com", "tok"));
    CHECK_NULL_ARG(zdk_config_set_api_token(config, NULL, "tok"));
    CHECK_NULL_ARG(zdk_config_set_api_token(config, "a@example.com", NULL));
    /* zdk_config_set_oauth_token */
    CHECK_NULL_ARG(zdk_config_set_oauth_token(NULL, "tok"));
    CHECK_NULL_ARG(zdk_config_set_oauth_token(config, NULL));
    /* zdk_config_set_password: NULL config is a NULL argument; otherwise always refused */
    CHECK_NULL_ARG(zdk_config_set_password(NULL, "a@example.com", "pw"));
    CHECK_FAILS(zdk_config_set_password(config, "a@example.com", "pw"), ZDK_ERR_INVALID_ARGUMENT);
    /* zdk_config_set_connect_timeout_ms, zdk_config_set_timeout_ms */
    CHECK_NULL_ARG(zdk_config_set_connect_timeout_ms(NULL, 1000));
    CHECK_NULL_ARG(zdk_config_set_timeout_ms(NULL, 1000));
    CHECK_FAILS(zdk_config_set_connect_timeout_ms(config, 0), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(zdk_config_set_timeout_ms(config, 0), ZDK_ERR_INVALID_ARGUMENT);
    /* zdk_config_set_max_retries, zdk_config_set_deadline_ms, zdk_config_set_never_wait,
       zdk_config_set_rate_limit_pacing */
    CHECK_NULL_ARG(zdk_config_set_max_retries(NULL, 0));
    CHECK_NULL_ARG(zdk_config_set_deadline_ms(NULL, 1000));
    CHECK_FAILS(zdk_config_set_deadline_ms(config, 0), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_NULL_ARG(zdk_config_set_never_wait(NULL, 1));
    CHECK_NULL_ARG(zdk_config_set_rate_limit_pacing(NULL, 0));
    CHECK_OK(zdk_config_set_max_retries(config, 0));
    CHECK_OK(zdk_config_set_deadline_ms(config, 1000));
    CHECK_OK(zdk_config_set_never_wait(config, 1));
    CHECK_OK(zdk_config_set_rate_limit_pacing(config, 0));
    /* zdk_config_set_max_response_bytes */
    CHECK_NULL_ARG(zdk_config_set_max_response_bytes(NULL, 1000));
    CHECK_OK(zdk_config_set_max_response_bytes(config, 1000));
    /* zdk_config_set_user_agent */
    CHECK_NULL_ARG(zdk_config_set_user_agent(NULL, "ua"));
    CHECK_NULL_ARG(zdk_config_set_user_agent(config, NULL));
    /* zdk_config_set_proxy: no_proxy may be NULL */
    CHECK_NULL_ARG(zdk_config_set_proxy(NULL, "http://127.0.0.1:3128", NULL));
    CHECK_NULL_ARG(zdk_config_set_proxy(config, NULL, "localhost"));
    CHECK_OK(zdk_config_set_proxy(config, "http://127.0.0.1:3128", NULL));
    /* zdk_config_set_no_proxy */
    CHECK_NULL_ARG(zdk_config_set_no_proxy(NULL, "localhost"));
    CHECK_NULL_ARG(zdk_config_set_no_proxy(config, NULL));
    CHECK_OK(zdk_config_set_no_proxy(config, "localhost"));
    /* zdk_config_set_ca_file, zdk_config_set_ca_dir */
    CHECK_NULL_ARG(zdk_config_set_ca_file(NULL, "/tmp/ca.pem"));
    CHECK_NULL_ARG(zdk_config_set_ca_file(config, NULL));
    CHECK_NULL_ARG(zdk_config_set_ca_dir(NULL, "/etc/ssl/certs"));
    CHECK_NULL_ARG(zdk_config_set_ca_dir(config, NULL));
    /* zdk_config_set_client_cert */
    CHECK_NULL_ARG(zdk_config_set_client_cert(NULL, "/tmp/c.pem", "/tmp/k.pem"));
    CHECK_NULL_ARG(zdk_config_set_client_cert(config, NULL, "/tmp/k.pem"));
    CHECK_NULL_ARG(zdk_config_set_client_cert(config, "/tmp/c.pem", NULL));
    /* zdk_config_set_log_callback: NULL callback removes it; NULL userdata is fine */
    CHECK_NULL_ARG(zdk_config_set_log_callback(NULL, log_sink, NULL));
    CHECK_OK(zdk_config_set_log_callback(config, log_sink, NULL));
    CHECK_OK(zdk_config_set_log_callback(config, NULL, NULL));

    for (size_t i = 0; i < N_BAD; i++) {
        const char *bad = BAD_UTF8[i];
        CHECK_BAD_UTF8(zdk_config_set_target(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_subdomain(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_base_url(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_api_token(config, bad, "tok"));
        CHECK_BAD_UTF8(zdk_config_set_api_token(config, "a@example.com", bad));
        CHECK_BAD_UTF8(zdk_config_set_oauth_token(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_user_agent(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_proxy(config, bad, NULL));
        CHECK_BAD_UTF8(zdk_config_set_proxy(config, "http://127.0.0.1:3128", bad));
        CHECK_BAD_UTF8(zdk_config_set_no_proxy(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_ca_file(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_ca_dir(config, bad));
        CHECK_BAD_UTF8(zdk_config_set_client_cert(config, bad, "/tmp/k.pem"));
        CHECK_BAD_UTF8(zdk_config_set_client_cert(config, "/tmp/c.pem", bad));
    }
    zdk_config_free(config);
}

static void test_responses(zdk_client *client) {
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));

    /* zdk_response_status */
    CHECK(zdk_response_status(NULL) == 0);
    /* zdk_response_body */
    size_t len = 12345;
    CHECK(zdk_response_body(NULL, &len) == NULL);
    CHECK(len == 0);
    CHECK(zdk_response_body(NULL, NULL) == NULL);
    CHECK(zdk_response_body(response, NULL) != NULL);
    /* Accessors never touch the last error: make one (an HTTP 404) and keep checking
     * that it is the same, pointer for pointer, after each accessor call below. */
    zdk_response *missing = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/tickets/999999999.json", NULL, 0, &missing),
             ZDK_ERR_NOT_FOUND);
    const char *message = zdk_last_error_message();
    CHECK(message != NULL);
#define CHECK_UNTOUCHED()                                                                      \
    do {                                                                                       \
        CHECK(zdk_last_error_code() == ZDK_ERR_NOT_FOUND);                                     \
        CHECK(zdk_last_error_message() == message);                                            \
        CHECK(zdk_last_error_status() == 404);                                                 \
    } while (0)
    /* zdk_response_header: NULL or non-UTF-8 arguments give NULL, last error untouched */
    CHECK(zdk_response_header(NULL, "content-type") == NULL);
    CHECK_UNTOUCHED();
    CHECK(zdk_response_header(response, NULL) == NULL);
    CHECK_UNTOUCHED();
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK(zdk_response_header(response, BAD_UTF8[i]) == NULL);
        CHECK_UNTOUCHED();
    }
    CHECK(zdk_response_header(response, "content-type") != NULL);
    CHECK_UNTOUCHED();
    /* zdk_response_header_count */
    CHECK(zdk_response_header_count(NULL) == 0);
    CHECK_UNTOUCHED();
    /* zdk_response_header_at: the code is returned, the last error untouched */
    const char *name = SENTINEL;
    const char *value = SENTINEL;
    CHECK_RC(zdk_response_header_at(NULL, 0, &name, &value), ZDK_ERR_NULL_ARGUMENT);
    CHECK_UNTOUCHED();
    CHECK_RC(zdk_response_header_at(response, 0, NULL, &value), ZDK_ERR_NULL_ARGUMENT);
    CHECK_UNTOUCHED();
    CHECK_RC(zdk_response_header_at(response, 0, &name, NULL), ZDK_ERR_NULL_ARGUMENT);
    CHECK_UNTOUCHED();
    CHECK_RC(zdk_response_header_at(response, 100000, &name, &value), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_UNTOUCHED();
    CHECK(name == SENTINEL && value == SENTINEL);
    /* zdk_response_request_id, zdk_response_api_warning */
    CHECK(zdk_response_request_id(NULL) == NULL);
    CHECK(zdk_response_api_warning(NULL) == NULL);
    CHECK_UNTOUCHED();
    /* zdk_response_rate_limit */
    zdk_rate_limit limit = {7, 7, 7};
    CHECK_RC(zdk_response_rate_limit(NULL, &limit), ZDK_ERR_NULL_ARGUMENT);
    CHECK_UNTOUCHED();
    CHECK_RC(zdk_response_rate_limit(response, NULL), ZDK_ERR_NULL_ARGUMENT);
    CHECK_UNTOUCHED();
    CHECK(limit.limit == 7 && limit.remaining == 7 && limit.reset_seconds == 7);
    zdk_response_free(missing);
    CHECK_UNTOUCHED();
#undef CHECK_UNTOUCHED
    /* zdk_response_free */
    zdk_response_free(NULL);
    zdk_response_free(response);
}

static void test_last_error_and_statics(void) {
    /* zdk_last_error_*: no arguments; after a success they report nothing */
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK(zdk_last_error_code() == ZDK_OK);
    CHECK(zdk_last_error_message() == NULL);
    CHECK(zdk_last_error_status() == 0);
    CHECK(zdk_last_error_zendesk_code() == NULL);
    CHECK(zdk_last_error_description() == NULL);
    CHECK(zdk_last_error_details_json() == NULL);
    CHECK(zdk_last_error_request_id() == NULL);
    CHECK(zdk_last_error_retry_after_ms() == -1);
    zdk_config_free(config);
    /* after a NULL argument: a message naming the problem, no HTTP detail */
    CHECK_NULL_ARG(zdk_config_new(NULL));
    CHECK(zdk_last_error_zendesk_code() == NULL);
    CHECK(zdk_last_error_request_id() == NULL);
    CHECK(zdk_last_error_retry_after_ms() == -1);
    /* zdk_strerror and zdk_version take no pointer */
    CHECK(zdk_strerror(ZDK_ERR_NULL_ARGUMENT) != NULL);
    CHECK(zdk_version() != NULL);
}

static void event_sink(void *userdata, const zdk_event *event) {
    (void)userdata;
    (void)event;
}

/* Webhook verification, downloads and event callbacks. */
static void test_beyond_raw_paths(zdk_client *client) {
    /* zdk_client_download, zdk_client_download_max: nothing is sent, nothing written */
    uint64_t bytes = 42;
    CHECK_NULL_ARG(zdk_client_download(NULL, "123", "/tmp/zdkit-null.bin", &bytes));
    CHECK_NULL_ARG(zdk_client_download(client, NULL, "/tmp/zdkit-null.bin", &bytes));
    CHECK_NULL_ARG(zdk_client_download(client, "123", NULL, &bytes));
    CHECK_NULL_ARG(zdk_client_download(client, "123", "/tmp/zdkit-null.bin", NULL));
    CHECK_NULL_ARG(zdk_client_download_max(NULL, "123", "/tmp/zdkit-null.bin", 10, &bytes));
    CHECK_NULL_ARG(zdk_client_download_max(client, NULL, "/tmp/zdkit-null.bin", 10, &bytes));
    CHECK_NULL_ARG(zdk_client_download_max(client, "123", NULL, 10, &bytes));
    CHECK_NULL_ARG(zdk_client_download_max(client, "123", "/tmp/zdkit-null.bin", 10, NULL));
    for (size_t i = 0; i < N_BAD; i++) {
        CHECK_BAD_UTF8(zdk_client_download(client, BAD_UTF8[i], "/tmp/zdkit-null.bin", &bytes));
        CHECK_BAD_UTF8(zdk_client_download(client, "123", BAD_UTF8[i], &bytes));
        CHECK_BAD_UTF8(zdk_client_download_max(client, BAD_UTF8[i], "/tmp/zdkit-null.bin", 10, &bytes));
        CHECK_BAD_UTF8(zdk_client_download_max(client, "123", BAD_UTF8[i], 10, &bytes));
    }
    CHECK(bytes == 42);
    /* zdk_config_set_event_callback: NULL callback removes it; NULL userdata is fine */
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_NULL_ARG(zdk_config_set_event_callback(NULL, event_sink, NULL));
    CHECK_OK(zdk_config_set_event_callback(config, event_sink, NULL));
    CHECK_OK(zdk_config_set_event_callback(config, NULL, NULL));
    zdk_config_free(config);
    /* zdk_webhook_verify */
    CHECK_NULL_ARG(zdk_webhook_verify(NULL, 1, "sig", "2026-06-09T16:42:11Z", "secret", 300));
    CHECK_NULL_ARG(zdk_webhook_verify((const uint8_t *)"{}", 2, NULL, "2026-06-09T16:42:11Z", "secret", 300));
    CHECK_NULL_ARG(zdk_webhook_verify((const uint8_t *)"{}", 2, "sig", NULL, "secret", 300));
    CHECK_NULL_ARG(zdk_webhook_verify((const uint8_t *)"{}", 2, "sig", "2026-06-09T16:42:11Z", NULL, 300));
    for (size_t i = 0; i < N_BAD; i++) {
        const char *bad = BAD_UTF8[i];
        CHECK_BAD_UTF8(zdk_webhook_verify((const uint8_t *)"{}", 2, bad, "2026-06-09T16:42:11Z", "s", 300));
        CHECK_BAD_UTF8(zdk_webhook_verify((const uint8_t *)"{}", 2, "sig", bad, "s", 300));
        CHECK_BAD_UTF8(zdk_webhook_verify((const uint8_t *)"{}", 2, "sig", "2026-06-09T16:42:11Z", bad, 300));
    }
}

int main(void) {
    emulator emu;
    if (emulator_start(&emu, NULL, 10000) != 0) {
        return 1;
    }
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(emu.url, "emulator-oauth-token", &client));

    test_last_error_and_statics();
    test_client_constructors(emu.url);
    test_config();
    test_requests(client);
    test_responses(client);
    test_uploads_and_jobs(client);
    test_pagers_and_exports(client);
    test_oauth(emu.url);
    test_beyond_raw_paths(client);

    zdk_client_free(client);
    emulator_stop(&emu);
    test_report("test_null");
    return 0;
}

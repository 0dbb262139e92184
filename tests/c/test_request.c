/*
 * The zdk_request builder (query encoding seen by the server, custom headers,
 * refused headers, bodies with a content type), error kinds from injected faults
 * with their Zendesk detail, a cross-host redirect that is not followed, and
 * timeouts that leave *out NULL, and a per-request timeout overriding the client's both ways.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define OAUTH_TOKEN "emulator-oauth-token"

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes [begin, end) into out ('+' is a space, as in forms). */
static void url_decode(const char *begin, const char *end, char *out, size_t out_size) {
    size_t n = 0;
    for (const char *p = begin; p < end && n + 1 < out_size; p++) {
        if (*p == '%' && end - p >= 3 && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
            out[n++] = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
            p += 2;
        } else if (*p == '+') {
            out[n++] = ' ';
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

/* Finds pair number `index` of a raw query string, decoded. Returns 0 when found. */
static int query_pair(const char *query, int index, char *name, char *value, size_t size) {
    const char *p = query;
    for (int i = 0; i < index; i++) {
        p = strchr(p, '&');
        if (p == NULL) {
            return -1;
        }
        p++;
    }
    const char *end = strchr(p, '&');
    if (end == NULL) {
        end = p + strlen(p);
    }
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq == NULL) {
        return -1;
    }
    url_decode(p, eq, name, size);
    url_decode(eq + 1, end, value, size);
    return 0;
}

static void test_query_and_headers(zdk_client *client, zdk_client *control) {
    static const char *const pairs[][2] = {
        {"page[size]", "2"},
        {"query", "type:ticket status:open"},
        {"tricky", "a&b=c+d/e?f#g%h"},
        {"unicode", "caf\xc3\xa9 \xe2\x9c\x93"},
        {"empty", ""},
    };
    const size_t n_pairs = sizeof pairs / sizeof pairs[0];
    emu_reset(control);
    zdk_request *request = NULL;
    CHECK_OK(zdk_request_new("get", "/api/v2/users/me.json?already=there", &request));
    for (size_t i = 0; i < n_pairs; i++) {
        CHECK_OK(zdk_request_add_query(request, pairs[i][0], pairs[i][1]));
    }
    CHECK_OK(zdk_request_add_header(request, "X-Zdkit-Test", "hello from C, 1 2 3"));
    CHECK_OK(zdk_request_add_header(request, "Idempotency-Key", "c-test-key-1"));

    /* refused headers: CR/LF/NUL-free values, token names, never Authorization */
    CHECK_RC(zdk_request_add_header(request, "X-Evil", "a\r\nX-Injected: 1"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(zdk_last_error_message() != NULL);
    CHECK_RC(zdk_request_add_header(request, "X-Evil", "a\nb"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "X-Evil", "a\rb"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "X-Evil\r\nX-Injected", "1"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "Bad Name", "1"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "Bad:Name", "1"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "", "1"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "Authorization", "Bearer stolen"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "authorization", "Bearer stolen"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_request_add_header(request, "AUTHORIZATION", "Bearer stolen"), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(!contains(zdk_last_error_message(), "stolen"));

    /* sent twice: a request is only read by zdk_client_send */
    for (int round = 0; round < 2; round++) {
        zdk_response *response = NULL;
        CHECK_OK(zdk_client_send(client, request, &response));
        CHECK(zdk_response_status(response) == 200);
        zdk_response_free(response);
    }
    zdk_request_free(request);

    char *log = emu_requests(control);
    char value[1024];
    CHECK(json_string_last(log, "method", value, sizeof value) != NULL);
    CHECK_STREQ(value, "GET");
    CHECK(json_string_last(log, "path", value, sizeof value) != NULL);
    CHECK_STREQ(value, "/api/v2/users/me.json");
    char query[1024];
    CHECK(json_string_last(log, "query", query, sizeof query) != NULL);
    /* nothing that would break the query's structure is sent raw */
    CHECK(strchr(query, ' ') == NULL && strchr(query, '#') == NULL);
    char name[256];
    CHECK(query_pair(query, 0, name, value, sizeof value) == 0);
    CHECK_STREQ(name, "already");
    CHECK_STREQ(value, "there");
    for (size_t i = 0; i < n_pairs; i++) {
        if (query_pair(query, (int)i + 1, name, value, sizeof value) != 0) {
            fprintf(stderr, "query sent: %s\n", query);
        }
        CHECK(query_pair(query, (int)i + 1, name, value, sizeof value) == 0);
        CHECK_STREQ(name, pairs[i][0]);
        CHECK_STREQ(value, pairs[i][1]);
    }
    CHECK(query_pair(query, (int)n_pairs + 1, name, value, sizeof value) != 0);
    CHECK(json_string_last(log, "x-zdkit-test", value, sizeof value) != NULL);
    CHECK_STREQ(value, "hello from C, 1 2 3");
    CHECK(json_string_last(log, "idempotency-key", value, sizeof value) != NULL);
    CHECK_STREQ(value, "c-test-key-1");
    CHECK(json_string_last(log, "authorization", value, sizeof value) != NULL);
    CHECK_STREQ(value, "Bearer " OAUTH_TOKEN);
    CHECK(!contains(log, "stolen"));
    CHECK(!contains(log, "x-injected"));
    CHECK(!contains(log, "x-evil"));
    free(log);
}

static void test_body(zdk_client *client, zdk_client *control) {
    emu_reset(control);
    zdk_request *request = NULL;
    CHECK_OK(zdk_request_new("POST", "/api/v2/uploads.json", &request));
    CHECK_OK(zdk_request_add_query(request, "filename", "hello world.txt"));
    const char text[] = "hello, zendesk\n";
    CHECK_OK(zdk_request_set_body(request, "text/plain", (const uint8_t *)text, strlen(text)));
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_send(client, request, &response));
    CHECK(zdk_response_status(response) == 201);
    char value[256];
    CHECK(json_string((const char *)zdk_response_body(response, NULL), "token", value, sizeof value));
    zdk_response_free(response);
    zdk_request_free(request);

    char *log = emu_requests(control);
    CHECK(json_string_last(log, "content-type", value, sizeof value) != NULL);
    CHECK_STREQ(value, "text/plain");
    CHECK(json_scalar(log, "body_len", value, sizeof value) != NULL);
    CHECK_STREQ(value, "15");
    free(log);

    /* a NULL content type means JSON */
    emu_reset(control);
    request = NULL;
    CHECK_OK(zdk_request_new("POST", "/api/v2/tickets.json", &request));
    const char *json = "{\"ticket\":{\"subject\":\"builder\",\"comment\":{\"body\":\"x\"}}}";
    CHECK_OK(zdk_request_set_body(request, NULL, (const uint8_t *)json, strlen(json)));
    response = NULL;
    CHECK_OK(zdk_client_send(client, request, &response));
    CHECK(zdk_response_status(response) == 201);
    zdk_response_free(response);
    zdk_request_free(request);
    log = emu_requests(control);
    CHECK(json_string_last(log, "content-type", value, sizeof value) != NULL);
    CHECK(contains(value, "application/json"));
    free(log);
}

/* A POST to a path nothing answers (not retried without an Idempotency-Key). */
static zdk_result post_nothing(zdk_client *client, zdk_response **out) {
    return zdk_client_request(client, "POST", "/api/v2/c_fault_target.json", (const uint8_t *)"{}", 2, out);
}

static void test_error_kinds(const char *url, zdk_client *client, zdk_client *control) {
    static const struct {
        int status;
        zdk_result code;
        const char *body;
        const char *zendesk_code;
    } cases[] = {
        {403, ZDK_ERR_PERMISSION, "{\"error\":\"Forbidden\",\"description\":\"You do not have access\"}", "Forbidden"},
        {409, ZDK_ERR_CONFLICT, "{\"error\":\"Conflict\",\"description\":\"stale\"}", "Conflict"},
        {422, ZDK_ERR_VALIDATION,
         "{\"error\":\"RecordInvalid\",\"description\":\"Record validation errors\","
         "\"details\":{\"subject\":[{\"description\":\"Subject: is too long\",\"error\":\"TooLong\"}]}}",
         "RecordInvalid"},
        {500, ZDK_ERR_SERVER, "<html>oops</html>", NULL},
        {418, ZDK_ERR_HTTP, "I'm a teapot", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emu_reset(control);
        char rule[1024];
        char escaped[512];
        size_t n = 0;
        for (const char *p = cases[i].body; *p != '\0' && n + 2 < sizeof escaped; p++) {
            if (*p == '"' || *p == '\\') {
                escaped[n++] = '\\';
            }
            escaped[n++] = *p;
        }
        escaped[n] = '\0';
        snprintf(rule, sizeof rule,
                 "{\"method\":\"POST\",\"path_prefix\":\"/api/v2/c_fault_target\",\"times\":1,"
                 "\"fault\":{\"kind\":\"status\",\"status\":%d,\"body\":\"%s\"}}",
                 cases[i].status, escaped);
        emu_fault(control, rule);
        zdk_response *response = NULL;
        CHECK_RC(post_nothing(client, &response), cases[i].code);
        CHECK(response != NULL);
        CHECK(zdk_response_status(response) == cases[i].status);
        CHECK(zdk_last_error_status() == cases[i].status);
        CHECK_STREQ((const char *)zdk_response_body(response, NULL), cases[i].body);
        if (cases[i].zendesk_code != NULL) {
            CHECK_STREQ(zdk_last_error_zendesk_code(), cases[i].zendesk_code);
            CHECK(zdk_last_error_description() != NULL);
        } else {
            CHECK(zdk_last_error_zendesk_code() == NULL);
        }
        if (cases[i].status == 422) {
            CHECK(contains(zdk_last_error_details_json(), "Subject: is too long"));
        }
        zdk_response_free(response);
    }

    /* 429 with never_wait: reported at once with its Retry-After */
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    CHECK_OK(zdk_config_set_never_wait(config, 1));
    zdk_client *impatient = NULL;
    CHECK_OK(zdk_client_new(config, &impatient));
    zdk_config_free(config);
    static const char rate_limited[] =
        "{\"method\":\"POST\",\"path_prefix\":\"/api/v2/c_fault_target\",\"times\":1,"
        "\"fault\":{\"kind\":\"status\",\"status\":429,\"headers\":{\"Retry-After\":\"1\"},"
        "\"body\":\"Too many requests\",\"content_type\":\"text/plain\"}}";
    emu_reset(control);
    emu_fault(control, rate_limited);
    zdk_response *response = NULL;
    long long t0 = now_ms();
    CHECK_RC(post_nothing(impatient, &response), ZDK_ERR_RATE_LIMITED);
    CHECK(now_ms() - t0 < 1000); /* no Retry-After wait */
    CHECK(response != NULL);
    CHECK(zdk_response_status(response) == 429);
    CHECK(zdk_last_error_retry_after_ms() == 1000);
    CHECK_STREQ(zdk_response_header(response, "retry-after"), "1");
    CHECK_STREQ((const char *)zdk_response_body(response, NULL), "Too many requests");
    zdk_response_free(response);
    zdk_client_free(impatient);

    /* by default a 429 is retried (every method) after Retry-After */
    emu_reset(control);
    emu_fault(control, rate_limited);
    response = NULL;
    t0 = now_ms();
    CHECK_RC(post_nothing(client, &response), ZDK_ERR_NOT_FOUND); /* the path's real answer */
    CHECK(now_ms() - t0 >= 900);
    CHECK(zdk_response_status(response) == 404);
    zdk_response_free(response);
}

static void test_redirect_to_other_host(const char *url, zdk_client *client, zdk_client *control) {
    /* same server, other host name: following it would send the token to "another host" */
    const char *port = strrchr(url, ':');
    CHECK(port != NULL);
    char rule[512];
    snprintf(rule, sizeof rule,
             "{\"method\":\"GET\",\"path_prefix\":\"/api/v2/users/me\",\"times\":1,"
             "\"fault\":{\"kind\":\"redirect\",\"status\":302,\"location\":\"http://localhost%s/api/v2/users/me.json\"}}",
             port);
    emu_reset(control);
    emu_fault(control, rule);
    zdk_response *response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response), ZDK_ERR_HTTP);
    CHECK(response != NULL);
    CHECK(zdk_response_status(response) == 302);
    CHECK(zdk_response_header(response, "Location") != NULL);
    zdk_response_free(response);
    char *log = emu_requests(control);
    char value[256];
    CHECK(json_string(log, "path", value, sizeof value) != NULL);
    const char *first = strstr(log, "\"path\"");
    CHECK(first != NULL && strstr(first + 1, "\"path\"") == NULL); /* exactly one request */
    free(log);
}

/* Paths that would leave the origin, and malformed paths and methods: refused before
   anything is sent (the credential never reaches another host). */
static void test_refused_targets(const char *url, zdk_client *client, zdk_client *control) {
    const char *port = strrchr(url, ':');
    CHECK(port != NULL);
    char paths[5][256];
    snprintf(paths[0], sizeof paths[0], "//localhost%s/api/v2/users/me.json", port);
    snprintf(paths[1], sizeof paths[1], "http://127.0.0.1%s@localhost%s/api/v2/users/me.json", port, port);
    snprintf(paths[2], sizeof paths[2], "http://localhost%s/api/v2/users/me.json", port);
    snprintf(paths[3], sizeof paths[3], "\\\\localhost%s/api/v2/users/me.json", port);
    snprintf(paths[4], sizeof paths[4], "https://127.0.0.1%s/api/v2/users/me.json", port);
    emu_reset(control);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        zdk_response *response = NULL;
        CHECK_RC(zdk_client_request(client, "GET", paths[i], NULL, 0, &response), ZDK_ERR_INVALID_ARGUMENT);
        CHECK(response == NULL);
        CHECK(!contains(zdk_last_error_message(), OAUTH_TOKEN));
    }
    static const char *const bad_paths[] = {"/api/v2/users/me.json\r\nX-Injected: 1", "/api/v2/\n"};
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        zdk_response *response = NULL;
        CHECK_RC(zdk_client_request(client, "GET", bad_paths[i], NULL, 0, &response), ZDK_ERR_INVALID_ARGUMENT);
        CHECK(response == NULL);
        zdk_request *request = NULL;
        zdk_result rc = zdk_request_new("GET", bad_paths[i], &request);
        if (rc == ZDK_OK) { /* checked when sent */
            CHECK_RC(zdk_client_send(client, request, &response), ZDK_ERR_INVALID_ARGUMENT);
            CHECK(response == NULL);
            zdk_request_free(request);
        } else {
            CHECK(rc == ZDK_ERR_INVALID_ARGUMENT);
        }
    }
    static const char *const bad_methods[] = {"GET\r\nX-Injected: 1", "G ET", ""};
    for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        zdk_response *response = NULL;
        CHECK_RC(zdk_client_request(client, bad_methods[i], "/api/v2/users/me.json", NULL, 0, &response),
                 ZDK_ERR_INVALID_ARGUMENT);
        CHECK(response == NULL);
    }
    /* nothing of the above reached the server */
    char *log = emu_requests(control);
    CHECK_STREQ(log, "[]");
    free(log);
}

static void test_timeouts(const char *url, zdk_client *control) {
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    CHECK_OK(zdk_config_set_timeout_ms(config, 500));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);

    /* POST (not retried): one delayed answer is enough */
    emu_reset(control);
    emu_fault(control, "{\"method\":\"POST\",\"path_prefix\":\"/api/v2/c_fault_target\",\"times\":1,"
                       "\"fault\":{\"kind\":\"delay\",\"ms\":3000}}");
    zdk_response *response = NULL;
    long long t0 = now_ms();
    CHECK_RC(post_nothing(client, &response), ZDK_ERR_TIMEOUT);
    long long elapsed = now_ms() - t0;
    CHECK(response == NULL);
    CHECK(elapsed >= 400 && elapsed < 2500);
    CHECK(zdk_last_error_status() == 0);
    CHECK(zdk_last_error_message() != NULL);

    /* GET is retried after a timeout: one delayed answer, then success */
    emu_reset(control);
    emu_fault(control, "{\"method\":\"GET\",\"path_prefix\":\"/api/v2/users/me\",\"times\":1,"
                       "\"fault\":{\"kind\":\"delay\",\"ms\":3000}}");
    response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
    CHECK(zdk_response_status(response) == 200);
    zdk_response_free(response);
    zdk_client_free(client);

    /* without retries the GET times out too */
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    CHECK_OK(zdk_config_set_timeout_ms(config, 500));
    CHECK_OK(zdk_config_set_max_retries(config, 0));
    client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    emu_reset(control);
    emu_fault(control, "{\"method\":\"GET\",\"path_prefix\":\"/api/v2/users/me\",\"times\":1,"
                       "\"fault\":{\"kind\":\"delay\",\"ms\":3000}}");
    response = NULL;
    t0 = now_ms();
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response), ZDK_ERR_TIMEOUT);
    CHECK(response == NULL);
    CHECK(now_ms() - t0 < 2500);

    /* the same client works once the server answers in time */
    emu_reset(control);
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
    CHECK(response != NULL);
    zdk_response_free(response);
    zdk_client_free(client);
}

/* zdk_request_set_timeout_ms overrides the client's timeout for one request, both ways. */
static void test_request_timeout(const char *url, zdk_client *control) {
    static const char delay[] = "{\"method\":\"GET\",\"path_prefix\":\"/api/v2/users/me\",\"times\":1,"
                                "\"fault\":{\"kind\":\"delay\",\"ms\":1500}}";
    static const uint64_t client_ms[] = {300, 60000};
    static const uint64_t request_ms[] = {30000, 300};
    static const zdk_result expected[] = {ZDK_OK, ZDK_ERR_TIMEOUT};
    for (size_t i = 0; i < 2; i++) {
        zdk_config *config = NULL;
        CHECK_OK(zdk_config_new(&config));
        CHECK_OK(zdk_config_set_base_url(config, url));
        CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
        CHECK_OK(zdk_config_set_timeout_ms(config, client_ms[i]));
        CHECK_OK(zdk_config_set_max_retries(config, 0));
        zdk_client *client = NULL;
        CHECK_OK(zdk_client_new(config, &client));
        zdk_config_free(config);

        zdk_request *request = NULL;
        CHECK_OK(zdk_request_new("GET", "/api/v2/users/me.json", &request));
        /* out of range: refused, the request unchanged */
        CHECK_RC(zdk_request_set_timeout_ms(request, 0), ZDK_ERR_INVALID_ARGUMENT);
        CHECK_RC(zdk_request_set_timeout_ms(request, UINT64_C(86400001)), ZDK_ERR_INVALID_ARGUMENT);
        CHECK_RC(zdk_request_set_timeout_ms(request, UINT64_MAX), ZDK_ERR_INVALID_ARGUMENT);
        CHECK_OK(zdk_request_set_timeout_ms(request, request_ms[i]));

        emu_reset(control);
        emu_fault(control, delay);
        zdk_response *response = NULL;
        CHECK_RC(zdk_client_send(client, request, &response), expected[i]);
        CHECK((response != NULL) == (expected[i] == ZDK_OK));
        zdk_response_free(response);
        zdk_request_free(request);
        zdk_client_free(client);
    }
}

int main(void) {
    emulator emu;
    if (emulator_start(&emu, NULL, 10000) != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(emu.url, OAUTH_TOKEN, &client));

    test_query_and_headers(client, control);
    test_body(client, control);
    test_error_kinds(emu.url, client, control);
    test_redirect_to_other_host(emu.url, client, control);
    test_refused_targets(emu.url, client, control);
    test_timeouts(emu.url, control);
    test_request_timeout(emu.url, control);

    zdk_client_free(client);
    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_request");
    return 0;
}

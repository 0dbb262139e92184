/*
 * The hostile-server suite (issue 9) through the C ABI: every case of zdkit-hostile
 * (tests/hostile/src/main.rs) gives the right result code (never ZDK_ERR_PANIC)
 * within the call's deadline, prints nothing on stderr, and (outside valgrind and
 * the sanitizers, which change the memory picture) keeps the peak RSS under about
 * twice max_response_bytes plus a baseline.
 *
 * ZDKIT_HOSTILE names the server binary; it is started through the emulator launcher
 * (emulator.c), since with --json it announces itself the way the emulator does.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define LIMIT (1024u * 1024u)     /* max_response_bytes: small enough for valgrind */
#define DEADLINE_MS 2000          /* per call */
#define SLACK_MS 3000             /* valgrind slows everything down */
#define BASELINE_KB (32L * 1024L) /* peak RSS of this program before any hostile answer */
#define RETRIES 2
#define CANARY "canary-hostile-c-41d0"
#define CANARY_SECRET "canary-hostile-secret-c-9a3e"
#define ISSUED_TOKEN "hostile-access-token"

static char server_url[256];
static zdk_client *control;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- stderr must stay empty while zdkit works ---------------------------------- */

static int saved_stderr = -1;
static FILE *captured;

/* A failed check exits with stderr captured: show what it printed. */
static void release_stderr_at_exit(void) {
    if (captured == NULL || saved_stderr < 0) {
        return;
    }
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    char text[4096];
    rewind(captured);
    size_t n = fread(text, 1, sizeof text, captured);
    fwrite(text, 1, n, stderr);
    fclose(captured);
    captured = NULL;
}

static void capture_stderr(void) {
    static int registered;
    if (!registered) {
        atexit(release_stderr_at_exit);
        registered = 1;
    }
    fflush(stderr);
    captured = tmpfile();
    CHECK(captured != NULL);
    saved_stderr = dup(STDERR_FILENO);
    CHECK(saved_stderr >= 0);
    CHECK(dup2(fileno(captured), STDERR_FILENO) >= 0);
}

static void check_stderr_empty(const char *name) {
    fflush(stderr);
    CHECK(dup2(saved_stderr, STDERR_FILENO) >= 0);
    close(saved_stderr);
    saved_stderr = -1;
    long size = ftell(captured);
    if (size > 0) {
        char text[2048];
        rewind(captured);
        size_t n = fread(text, 1, sizeof text - 1, captured);
        text[n] = '\0';
        fprintf(stderr, "case %s printed on stderr:\n%s\n", name, text);
    }
    fclose(captured);
    captured = NULL;
    CHECK(size == 0);
}

/* ---- clients, timing, the server's request log --------------------------------- */

static zdk_config *case_config(const char *name, uint64_t deadline_ms) {
    char base[384];
    snprintf(base, sizeof base, "%s/case/%s/", server_url, name);
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, base));
    CHECK_OK(zdk_config_set_max_response_bytes(config, LIMIT));
    CHECK_OK(zdk_config_set_deadline_ms(config, deadline_ms));
    CHECK_OK(zdk_config_set_max_retries(config, RETRIES));
    return config;
}

static zdk_client *client_from(zdk_config *config) {
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    return client;
}

/* A client with the canary bearer token. */
static zdk_client *bearer(const char *name, uint64_t deadline_ms) {
    zdk_config *config = case_config(name, deadline_ms);
    CHECK_OK(zdk_config_set_oauth_token(config, CANARY));
    return client_from(config);
}

/* A client minting tokens with client credentials at <base>/oauth/tokens. */
static zdk_client *minting(const char *name) {
    zdk_config *config = case_config(name, DEADLINE_MS);
    CHECK_OK(zdk_config_set_oauth_client_credentials(config, "hostile-client", CANARY_SECRET,
                                                     "read", 1800));
    return client_from(config);
}

/* One GET; returns its result code after checking it came within the deadline. */
static zdk_result get(zdk_client *client, const char *path, long long deadline_ms) {
    zdk_response *response = NULL;
    long long started = now_ms();
    zdk_result rc = zdk_client_request(client, "GET", path, NULL, 0, &response);
    long long took = now_ms() - started;
    if (took > deadline_ms + SLACK_MS) {
        fprintf(stderr, "GET %s took %lld ms (deadline %lld ms)\n", path, took, deadline_ms);
    }
    CHECK(took <= deadline_ms + SLACK_MS);
    zdk_response_free(response);
    return rc;
}

static zdk_result get_tickets(zdk_client *client) {
    return get(client, "/api/v2/tickets.json", DEADLINE_MS);
}

/* The server's log for requests under prefix (malloc'd JSON; free it). */
static char *server_log(const char *prefix) {
    char path[512];
    snprintf(path, sizeof path, "/__hostile/requests?prefix=%s", prefix);
    return control_call(control, "GET", path, NULL);
}

/* How many requests reached case `name`. */
static long case_count(const char *name) {
    char prefix[256];
    snprintf(prefix, sizeof prefix, "/case/%s/", name);
    char *log = server_log(prefix);
    char count[32];
    CHECK(json_scalar(log, "count", count, sizeof count) != NULL);
    free(log);
    return strtol(count, NULL, 10);
}

/* ---- the cases ------------------------------------------------------------------ */

static void expect_get(const char *name, zdk_result expected) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    CHECK_RC(get_tickets(client), expected);
    zdk_client_free(client);
}

/* Cut short, empty reply, reset: a transport error after the GET's retries. */
static void cut_connection(const char *name) {
    expect_get(name, ZDK_ERR_TRANSPORT);
    CHECK(case_count(name) == 1 + RETRIES);
}

/* The raw answer is fine; paging over it is a decode error. */
static void undecodable(const char *name) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    CHECK_OK(get_tickets(client));
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager));
    zdk_response *page = NULL;
    CHECK_RC(zdk_pager_next(pager, &page), ZDK_ERR_DECODE);
    zdk_response_free(page);
    zdk_pager_free(pager);
    zdk_client_free(client);
}

/* Bad UTF-8 or NaN inside an item: the list pager only finds where the items array
 * ends and hands the page over untouched (the caller's JSON parser refuses it); a
 * single page, so the walk is done after it. */
static void left_to_the_parser(const char *name) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager));
    zdk_response *page = NULL;
    CHECK_OK(zdk_pager_next(pager, &page));
    size_t len = 0;
    const uint8_t *body = zdk_response_body(page, &len);
    CHECK(body != NULL && len > 12 && memcmp(body, "{\"tickets\":[", 12) == 0);
    int untouched = memchr(body, 0xff, len) != NULL;
    for (size_t i = 0; i + 3 <= len && !untouched; i++) {
        untouched = memcmp(body + i, "NaN", 3) == 0;
    }
    CHECK(untouched);
    zdk_response_free(page);
    page = NULL;
    CHECK_RC(zdk_pager_next(pager, &page), ZDK_DONE);
    zdk_pager_free(pager);
    zdk_client_free(client);
}

/* Huge numbers: an answer or a decode error, never a panic. */
static void huge_numbers(const char *name) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    CHECK_OK(get_tickets(client));
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager));
    zdk_response *page = NULL;
    zdk_result rc = zdk_pager_next(pager, &page);
    CHECK(rc == ZDK_OK || rc == ZDK_ERR_DECODE);
    zdk_response_free(page);
    zdk_pager_free(pager);
    zdk_client_free(client);
}

static void redirect_off_origin(const char *name) {
    expect_get(name, ZDK_ERR_HTTP);
    char *landed = server_log("/case/off-origin-landing/");
    CHECK(contains(landed, "\"count\":0"));
    free(landed);
}

/* An absurd wait is never started: the error at once, one request, a retry-after. */
static void refused_at_once(const char *name, zdk_result expected) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    long long started = now_ms();
    CHECK_RC(get_tickets(client), expected);
    CHECK(now_ms() - started < DEADLINE_MS + SLACK_MS);
    CHECK(zdk_last_error_retry_after_ms() > 0);
    zdk_client_free(client);
    CHECK(case_count(name) == 1);
}

/* Retry-After as an HTTP date 3 s ahead is honoured. */
static void retry_after_date(const char *name) {
    zdk_client *client = bearer(name, 10000);
    long long started = now_ms();
    CHECK_OK(get(client, "/api/v2/tickets.json", 10000));
    CHECK(now_ms() - started >= 1500);
    zdk_client_free(client);
    CHECK(case_count(name) == 2);
}

/* Calls made `calls` times all succeed and all reach the server. */
static void all_sent(const char *name, int calls) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    for (int i = 0; i < calls; i++) {
        CHECK_OK(get_tickets(client));
    }
    zdk_client_free(client);
    CHECK(case_count(name) == calls);
}

/* An unusable token answer: authentication error, no API request, nothing injected. */
static void token_refused(const char *name) {
    zdk_client *client = minting(name);
    CHECK_RC(get(client, "/api/v2/users/me.json", DEADLINE_MS), ZDK_ERR_AUTHENTICATION);
    zdk_client_free(client);
    char prefix[256];
    snprintf(prefix, sizeof prefix, "/case/%s/", name);
    char *log = server_log(prefix);
    CHECK(contains(log, "/oauth/tokens"));
    CHECK(!contains(log, "/api/v2/"));
    CHECK(!contains(log, "X-Injected"));
    CHECK(!contains(log, "Authorization"));
    free(log);
}

/* Absurd or missing expires_in: works or an authentication error. */
static void token_tolerated(const char *name) {
    zdk_client *client = minting(name);
    for (int i = 0; i < 2; i++) {
        zdk_result rc = get(client, "/api/v2/users/me.json", DEADLINE_MS);
        CHECK(rc == ZDK_OK || rc == ZDK_ERR_AUTHENTICATION);
    }
    zdk_client_free(client);
}

static void token_slow(const char *name) {
    zdk_client *client = minting(name);
    CHECK_RC(get(client, "/api/v2/users/me.json", DEADLINE_MS), ZDK_ERR_TIMEOUT);
    zdk_client_free(client);
}

/* Cursors A -> B -> A: a decode error after a few pages. */
static void cursor_cycle(const char *name) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager));
    zdk_result rc = ZDK_OK;
    int pages = 0;
    while (pages < 10) {
        zdk_response *page = NULL;
        rc = zdk_pager_next(pager, &page);
        zdk_response_free(page);
        if (rc != ZDK_OK) {
            break;
        }
        pages++;
    }
    CHECK_RC(rc, ZDK_ERR_DECODE);
    CHECK(pages <= 4);
    zdk_pager_free(pager);
    zdk_client_free(client);
}

/* A Link URL with a comma is followed whole: two pages, then the end. */
static void link_comma(const char *name) {
    zdk_client *client = bearer(name, DEADLINE_MS);
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/help_center/articles.json", NULL, &pager));
    const char *expected[] = {"\"id\":1", "\"id\":2"};
    for (int i = 0; i < 2; i++) {
        zdk_response *page = NULL;
        CHECK_OK(zdk_pager_next(pager, &page));
        char *body = body_copy(page);
        CHECK(contains(body, expected[i]));
        free(body);
        zdk_response_free(page);
    }
    zdk_response *none = NULL;
    CHECK_RC(zdk_pager_next(pager, &none), ZDK_DONE);
    zdk_pager_free(pager);
    zdk_client_free(client);
}

typedef struct hostile_case {
    const char *name;
    void (*run)(const char *name);
} hostile_case;

static void too_large(const char *name) { expect_get(name, ZDK_ERR_RESPONSE_TOO_LARGE); }
static void transport(const char *name) { expect_get(name, ZDK_ERR_TRANSPORT); }
static void timeout(const char *name) { expect_get(name, ZDK_ERR_TIMEOUT); }
static void http_error(const char *name) { expect_get(name, ZDK_ERR_HTTP); }
static void rate_limited(const char *name) { refused_at_once(name, ZDK_ERR_RATE_LIMITED); }
static void server_error(const char *name) { refused_at_once(name, ZDK_ERR_SERVER); }
static void three_sent(const char *name) { all_sent(name, 3); }
static void two_sent(const char *name) { all_sent(name, 2); }

static const hostile_case CASES[] = {
    {"big-body", too_large},
    {"big-body-chunked", too_large},
    {"gzip-bomb", too_large},
    {"many-headers", transport},
    {"huge-header", transport},
    {"slowloris", timeout},
    {"slow-body", timeout},
    {"deep-json", undecodable},
    {"bad-utf8", left_to_the_parser},
    {"nan", left_to_the_parser},
    {"huge-numbers", huge_numbers},
    {"huge-int", huge_numbers},
    {"redirect-loop", http_error},
    {"redirect-off-origin", redirect_off_origin},
    {"retry-after-1e300", rate_limited},
    {"retry-after-u64", rate_limited},
    {"reset-u64-429", rate_limited},
    {"retry-after-1e300-503", server_error},
    {"retry-after-u64-503", server_error},
    {"retry-after-date", retry_after_date},
    {"ratelimit-day", three_sent},
    {"bucket-huge", two_sent},
    {"bucket-huge-resets", two_sent},
    {"bucket-zero-total", two_sent},
    {"token-garbage", token_refused},
    {"token-html", token_refused},
    {"token-crlf", token_refused},
    {"token-nul", token_refused},
    {"token-expires-1e300", token_tolerated},
    {"token-expires-negative", token_tolerated},
    {"token-expires-string", token_tolerated},
    {"token-expires-missing", token_tolerated},
    {"token-expires-u64", token_tolerated},
    {"token-slow", token_slow},
    {"cursor-cycle", cursor_cycle},
    {"link-comma", link_comma},
    {"truncated", cut_connection},
    {"close", cut_connection},
    {"reset", cut_connection},
};

/* ---- peak memory ---------------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

/* VmHWM of this process in kB, or -1. */
static long vm_hwm_kb(void) {
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL) {
        return -1;
    }
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(status);
    return kb;
}

/* Valgrind and AddressSanitizer keep their own (large) memory: no RSS bound there. */
static int memory_is_measurable(void) {
    const char *preload = getenv("LD_PRELOAD");
    return !UNDER_SANITIZER && !(preload != NULL && strstr(preload, "vgpreload") != NULL);
}

int main(void) {
    emulator server;
    if (hostile_start(&server, 10000) != 0) {
        return 1;
    }
    snprintf(server_url, sizeof server_url, "%s", server.url);
    control = control_client(server_url);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        capture_stderr();
        CASES[i].run(CASES[i].name);
        check_stderr_empty(CASES[i].name);
    }
    if (memory_is_measurable()) {
        long hwm = vm_hwm_kb();
        long bound = 2L * (long)(LIMIT / 1024u) + BASELINE_KB;
        if (hwm > bound) {
            fprintf(stderr, "peak RSS %ld kB is over %ld kB\n", hwm, bound);
        }
        CHECK(hwm > 0 && hwm <= bound);
    }
    zdk_client_free(control);
    emulator_stop(&server);
    test_report("test_hostile");
    return 0;
}

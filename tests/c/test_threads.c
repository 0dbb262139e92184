/*
 * One client shared by 4 threads, 25 requests each: every request succeeds (or
 * fails exactly as expected), the per-thread last error is not mixed up between
 * threads, the log callback is called concurrently, and the server saw exactly
 * the requests sent. Then 64 threads x 100 requests on one client, each for a
 * distinct ticket, every answer checked to be the ticket asked for. Under valgrind
 * (run.sh sets ZDKIT_TEST_UNDER_VALGRIND=1), which runs one thread at a time and
 * makes the 6,400 requests take about a minute per link, the 64 threads make 10
 * requests each; the sanitizer and plain runs make all 100.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define THREADS 4
#define REQUESTS_PER_THREAD 25
#define MANY_THREADS 64
#define MANY_REQUESTS 100

static atomic_int log_lines;
static atomic_int ok_requests;

static void count_log(void *userdata, zdk_log_level level, const char *message) {
    (void)userdata;
    if (level == ZDK_LOG_DEBUG && message != NULL && strstr(message, "emulator-api-token") == NULL) {
        atomic_fetch_add(&log_lines, 1);
    }
}

typedef struct worker {
    const zdk_client *client;
    int index;
} worker;

static void *run_worker(void *arg) {
    const worker *w = arg;
    for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
        zdk_response *response = NULL;
        if (i % 5 == 4) {
            /* a 404 on this thread must not disturb the others' last error */
            CHECK_RC(zdk_client_request(w->client, "GET", "/api/v2/tickets/999999999.json", NULL, 0, &response),
                     ZDK_ERR_NOT_FOUND);
            CHECK(zdk_response_status(response) == 404);
            CHECK(zdk_last_error_status() == 404);
            CHECK_STREQ(zdk_last_error_zendesk_code(), "RecordNotFound");
        } else {
            char path[64];
            int ticket = 1 + (w->index * REQUESTS_PER_THREAD + i) % 10;
            if (i % 2 == 0) {
                snprintf(path, sizeof path, "/api/v2/tickets/%d.json", ticket);
            } else {
                snprintf(path, sizeof path, "/api/v2/users/me.json");
            }
            CHECK_OK(zdk_client_request(w->client, "GET", path, NULL, 0, &response));
            CHECK(zdk_response_status(response) == 200);
            CHECK(zdk_last_error_code() == ZDK_OK);
            CHECK(zdk_last_error_message() == NULL);
            char value[256];
            const char *body = (const char *)zdk_response_body(response, NULL);
            if (i % 2 == 0) {
                /* the ticket's own "url" is its last one: .../api/v2/tickets/N.json */
                CHECK(json_string_last(body, "url", value, sizeof value) != NULL);
                CHECK(strlen(value) > strlen(path));
                CHECK_STREQ(value + strlen(value) - strlen(path), path);
            } else {
                CHECK(json_string(body, "email", value, sizeof value) != NULL);
                CHECK_STREQ(value, "agent@example.com");
            }
            atomic_fetch_add(&ok_requests, 1);
        }
        zdk_response_free(response);
    }
    return NULL;
}

static atomic_int many_ok;
/* Requests per thread of the many (fewer under valgrind, see the top). */
static int many_requests = MANY_REQUESTS;

/* Thread `index` of the many: tickets index*100+1 .. index*100+100, each checked. */
static void *run_many(void *arg) {
    const worker *w = arg;
    for (int i = 0; i < many_requests; i++) {
        int id = w->index * MANY_REQUESTS + i + 1;
        char path[64];
        snprintf(path, sizeof path, "/api/v2/tickets/%d.json", id);
        zdk_response *response = NULL;
        CHECK_OK(zdk_client_request(w->client, "GET", path, NULL, 0, &response));
        CHECK(zdk_response_status(response) == 200);
        const char *body = (const char *)zdk_response_body(response, NULL);
        char id_field[32];
        snprintf(id_field, sizeof id_field, "\"id\":%d,", id);
        CHECK(contains(body, id_field));
        char url[256];
        CHECK(json_string_last(body, "url", url, sizeof url) != NULL);
        CHECK(strlen(url) > strlen(path));
        CHECK_STREQ(url + strlen(url) - strlen(path), path);
        zdk_response_free(response);
        atomic_fetch_add(&many_ok, 1);
    }
    return NULL;
}

/* 64 threads x 100 requests on one client: every answer is the ticket asked for. */
static void test_many_threads(const char *url) {
    const char *valgrind = getenv("ZDKIT_TEST_UNDER_VALGRIND");
    if (valgrind != NULL && strcmp(valgrind, "1") == 0) {
        many_requests = 10;
    }
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, "emulator-oauth-token", &client));
    static pthread_t threads[MANY_THREADS];
    static worker workers[MANY_THREADS];
    for (int t = 0; t < MANY_THREADS; t++) {
        workers[t].client = client;
        workers[t].index = t;
        CHECK(pthread_create(&threads[t], NULL, run_many, &workers[t]) == 0);
    }
    for (int t = 0; t < MANY_THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
    }
    CHECK(atomic_load(&many_ok) == MANY_THREADS * many_requests);
    printf("test_threads: %d threads x %d requests, every answer the ticket asked for\n", MANY_THREADS,
           many_requests);
    zdk_client_free(client);
}

int main(void) {
    emulator emu;
    static const char *const args[] = {"--tickets", "6400", NULL};
    if (emulator_start(&emu, args, 10000) != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    emu_reset(control);

    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, emu.url));
    CHECK_OK(zdk_config_set_api_token(config, "agent@example.com", "emulator-api-token"));
    CHECK_OK(zdk_config_set_timeout_ms(config, 30000));
    CHECK_OK(zdk_config_set_log_callback(config, count_log, NULL));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);

    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t].client = client;
        workers[t].index = t;
        CHECK(pthread_create(&threads[t], NULL, run_worker, &workers[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
    }
    zdk_client_free(client);

    const int total = THREADS * REQUESTS_PER_THREAD;
    CHECK(atomic_load(&ok_requests) == total - total / 5);
    CHECK(atomic_load(&log_lines) >= total);

    /* the server saw every request exactly once (no retries were needed) */
    char *log = emu_requests(control);
    int logged = 0;
    for (const char *p = log; (p = strstr(p, "\"path\"")) != NULL; p++) {
        logged++;
    }
    CHECK(logged == total);
    free(log);

    test_many_threads(emu.url);

    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_threads");
    return 0;
}

/*
 * zdk_client_send_async: concurrent calls completing through callbacks on the
 * client's background thread, the response handed to the callback (which frees it),
 * error detail readable inside the callback, cancellation that aborts the transfer
 * and never retries it, and zdk_client_free with calls in flight (their callbacks
 * run with ZDK_ERR_CANCELLED before it returns). Run under valgrind by run.sh.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define CONCURRENT 8

/* What one call's callback saw. */
typedef struct outcome {
    zdk_result result;
    uint16_t status;
    uint16_t error_status; /* zdk_last_error_status() inside the callback */
    bool had_response;
    bool done;
    bool on_caller_thread;
} outcome;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static pthread_t main_thread;

static void on_done(zdk_result result, zdk_response *response, void *userdata) {
    outcome *out = userdata;
    uint16_t status = response != NULL ? zdk_response_status(response) : 0;
    uint16_t error_status = zdk_last_error_status();
    zdk_response_free(response); /* the callback owns the response */
    pthread_mutex_lock(&lock);
    out->result = result;
    out->status = status;
    out->error_status = error_status;
    out->had_response = response != NULL;
    out->on_caller_thread = pthread_equal(pthread_self(), main_thread) != 0;
    out->done = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

/* Waits (at most 30 s) until every outcome of `outcomes` is done. */
static void wait_all(outcome *outcomes, int n) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n; i++) {
        while (!outcomes[i].done) {
            int rc = pthread_cond_timedwait(&changed, &lock, &until);
            if (rc == ETIMEDOUT) {
                pthread_mutex_unlock(&lock);
                test_fail(__FILE__, __LINE__, "a callback did not run within 30 s");
            }
        }
    }
    pthread_mutex_unlock(&lock);
}

static bool is_done(outcome *out) {
    pthread_mutex_lock(&lock);
    bool done = out->done;
    pthread_mutex_unlock(&lock);
    return done;
}

static void sleep_ms(long ms) {
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static zdk_request *get(const char *path) {
    zdk_request *request = NULL;
    CHECK_OK(zdk_request_new("GET", path, &request));
    return request;
}

/* Counts the logged requests whose path is exactly `path`. */
static int logged(zdk_client *control, const char *path) {
    char *log = emu_requests(control);
    char needle[128];
    snprintf(needle, sizeof needle, "\"path\":\"%s\"", path);
    int count = 0;
    for (const char *at = strstr(log, needle); at != NULL; at = strstr(at + 1, needle)) {
        count++;
    }
    free(log);
    return count;
}

int main(void) {
    main_thread = pthread_self();
    emulator emu;
    if (emulator_start(&emu, NULL, 10000) != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    emu_reset(control);
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(emu.url, "emulator-oauth-token", &client));

    /* Concurrent calls, each answered after 300 ms. */
    emu_fault(control, "{\"path_prefix\":\"/api/v2/tickets/1\",\"times\":8,"
                       "\"fault\":{\"kind\":\"delay\",\"ms\":300}}");
    outcome many[CONCURRENT] = {0};
    zdk_async *calls[CONCURRENT];
    zdk_request *ticket = get("/api/v2/tickets/1.json");
    for (int i = 0; i < CONCURRENT; i++) {
        calls[i] = zdk_client_send_async(client, ticket, on_done, &many[i]);
        CHECK(calls[i] != NULL);
    }
    zdk_request_free(ticket); /* the calls copied it */
    wait_all(many, CONCURRENT);
    for (int i = 0; i < CONCURRENT; i++) {
        CHECK_RC(many[i].result, ZDK_OK);
        CHECK(many[i].status == 200);
        CHECK(!many[i].on_caller_thread);
        CHECK(zdk_async_is_finished(calls[i]));
        zdk_async_cancel(calls[i]); /* after completion: a no-op */
        zdk_async_free(calls[i]);
    }

    /* An HTTP error: the callback gets the code, the response and the detail. */
    outcome missing = {0};
    zdk_request *absent = get("/api/v2/tickets/999999.json");
    zdk_async *call = zdk_client_send_async(client, absent, on_done, &missing);
    CHECK(call != NULL);
    zdk_async_free(call); /* freeing the handle does not cancel the call */
    wait_all(&missing, 1);
    CHECK_RC(missing.result, ZDK_ERR_NOT_FOUND);
    CHECK(missing.had_response && missing.status == 404);
    CHECK(missing.error_status == 404);
    zdk_request_free(absent);

    /* Cancel: the callback gets ZDK_ERR_CANCELLED at once, and nothing is retried. */
    emu_fault(control, "{\"path_prefix\":\"/api/v2/tickets/2\",\"times\":4,"
                       "\"fault\":{\"kind\":\"delay\",\"ms\":3000}}");
    outcome cancelled = {0};
    zdk_request *slow = get("/api/v2/tickets/2.json");
    call = zdk_client_send_async(client, slow, on_done, &cancelled);
    CHECK(call != NULL);
    sleep_ms(300);
    CHECK(!zdk_async_is_finished(call));
    zdk_async_cancel(call);
    wait_all(&cancelled, 1);
    CHECK_RC(cancelled.result, ZDK_ERR_CANCELLED);
    CHECK(!cancelled.had_response);
    CHECK(zdk_async_is_finished(call));
    zdk_async_cancel(call); /* twice: a no-op */
    zdk_async_free(call);
    sleep_ms(1200);
    CHECK(logged(control, "/api/v2/tickets/2.json") == 1);

    /* No callback, no call. */
    CHECK(zdk_client_send_async(client, slow, NULL, NULL) == NULL);
    CHECK(zdk_last_error_code() == ZDK_ERR_NULL_ARGUMENT);

    /* Freeing the client cancels the calls in flight before it returns. */
    outcome orphans[2] = {0};
    zdk_async *orphan_calls[2];
    for (int i = 0; i < 2; i++) {
        orphan_calls[i] = zdk_client_send_async(client, slow, on_done, &orphans[i]);
        CHECK(orphan_calls[i] != NULL);
    }
    sleep_ms(200);
    zdk_client_free(client);
    for (int i = 0; i < 2; i++) {
        CHECK(is_done(&orphans[i]));
        CHECK_RC(orphans[i].result, ZDK_ERR_CANCELLED);
        CHECK(zdk_async_is_finished(orphan_calls[i]));
        zdk_async_cancel(orphan_calls[i]); /* the handle outlives the client */
        zdk_async_free(orphan_calls[i]);
    }
    zdk_request_free(slow);

    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_async");
    return 0;
}

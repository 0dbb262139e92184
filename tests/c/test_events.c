/*
 * zdk_config_set_event_callback against the emulator: a 429 that is retried gives a
 * retry event (status 429, the wait, Retry-After, the 429's rate-limit numbers) and then
 * a response event (200, attempt 1) with the request id and the rate-limit numbers; a transport failure
 * gives status 0; no event ever holds the credential, a query string or a header value
 * of the request (canaries); a NULL callback removes it.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define OAUTH_TOKEN "emulator-oauth-token"
#define CANARY "canary-event-c-5b7a"
#define MAX_EVENTS 32

typedef struct recorded {
    zdk_event_kind kind;
    char method[16];
    char path[256];
    char request_id[128];
    unsigned status;
    unsigned attempt;
    double duration_s;
    double retry_after_s;
    long long remaining;
    long long limit;
} recorded;

typedef struct recorder {
    pthread_mutex_t lock;
    recorded events[MAX_EVENTS];
    int count;
    int leaked; /* a canary or the token was seen in an event */
} recorder;

static void copy(char *to, size_t size, const char *from) {
    snprintf(to, size, "%s", from == NULL ? "" : from);
}

static int has_secret(const char *text) {
    return text != NULL && (strstr(text, CANARY) != NULL || strstr(text, OAUTH_TOKEN) != NULL ||
                            strchr(text, '?') != NULL);
}

static void record_event(void *userdata, const zdk_event *event) {
    recorder *r = userdata;
    pthread_mutex_lock(&r->lock);
    if (event->size < sizeof(zdk_event) || has_secret(event->method) || has_secret(event->path) ||
        has_secret(event->request_id)) {
        r->leaked = 1;
    }
    if (r->count < MAX_EVENTS) {
        recorded *e = &r->events[r->count++];
        e->kind = event->kind;
        copy(e->method, sizeof e->method, event->method);
        copy(e->path, sizeof e->path, event->path);
        copy(e->request_id, sizeof e->request_id, event->request_id);
        e->status = event->status;
        e->attempt = event->attempt;
        e->duration_s = event->duration_s;
        e->retry_after_s = event->retry_after_s;
        e->remaining = event->rate_limit_remaining;
        e->limit = event->rate_limit_limit;
    }
    pthread_mutex_unlock(&r->lock);
}

static zdk_client *client_with_events(const char *url, recorder *r, int max_retries) {
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    CHECK_OK(zdk_config_set_max_retries(config, (uint32_t)max_retries));
    CHECK_OK(zdk_config_set_event_callback(config, record_event, r));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    return client;
}

static void test_retried_429(const char *url, zdk_client *control) {
    recorder r = {.count = 0, .leaked = 0};
    pthread_mutex_init(&r.lock, NULL);
    zdk_client *client = client_with_events(url, &r, 2);
    emu_reset(control);
    emu_fault(control, "{\"method\":\"GET\",\"path_prefix\":\"/api/v2/users/me\",\"times\":1,"
                       "\"fault\":{\"kind\":\"status\",\"status\":429,\"headers\":{\"Retry-After\":\"1\","
                       "\"X-Rate-Limit\":\"700\",\"X-Rate-Limit-Remaining\":\"0\"},"
                       "\"body\":\"Too many requests\",\"content_type\":\"text/plain\"}}");
    zdk_request *request = NULL;
    CHECK_OK(zdk_request_new("GET", "/api/v2/users/me.json", &request));
    CHECK_OK(zdk_request_add_query(request, "canary", CANARY));
    CHECK_OK(zdk_request_add_header(request, "X-Canary", CANARY));
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_send(client, request, &response));
    zdk_response_free(response);
    zdk_request_free(request);

    pthread_mutex_lock(&r.lock);
    CHECK(r.leaked == 0);
    CHECK(r.count == 2);
    recorded *retry = &r.events[0], *last = &r.events[1];
    CHECK(retry->kind == ZDK_EVENT_RETRY && retry->status == 429 && retry->attempt == 0);
    CHECK(retry->duration_s >= 1.0 && retry->retry_after_s == 1.0);
    CHECK(retry->remaining == 0 && retry->limit == 700 && retry->request_id[0] != '\0');
    CHECK(last->kind == ZDK_EVENT_RESPONSE && last->status == 200 && last->attempt == 1);
    CHECK(last->request_id[0] != '\0' && last->retry_after_s < 0);
    CHECK(last->duration_s > 0 && last->duration_s < 60);
    for (int i = 0; i < r.count; i++) {
        CHECK_STREQ(r.events[i].method, "GET");
        CHECK_STREQ(r.events[i].path, "/api/v2/users/me.json");
    }
    pthread_mutex_unlock(&r.lock);
    zdk_client_free(client);
    pthread_mutex_destroy(&r.lock);
}

static void test_transport_failure_and_removal(void) {
    recorder r = {.count = 0, .leaked = 0};
    pthread_mutex_init(&r.lock, NULL);
    /* port 9 (discard) on loopback: nothing listens there in the test environment */
    zdk_client *client = client_with_events("http://127.0.0.1:9", &r, 0);
    zdk_response *response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/users/me.json?q=" CANARY, NULL, 0, &response),
             ZDK_ERR_TRANSPORT);
    CHECK(response == NULL);
    zdk_client_free(client);
    pthread_mutex_lock(&r.lock);
    CHECK(r.count == 1 && r.leaked == 0);
    CHECK(r.events[0].kind == ZDK_EVENT_RESPONSE && r.events[0].status == 0);
    CHECK(r.events[0].request_id[0] == '\0' && r.events[0].remaining == -1);
    pthread_mutex_unlock(&r.lock);

    /* a NULL callback removes the one set before */
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, "http://127.0.0.1:9"));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    CHECK_OK(zdk_config_set_max_retries(config, 0));
    CHECK_OK(zdk_config_set_event_callback(config, record_event, &r));
    CHECK_OK(zdk_config_set_event_callback(config, NULL, NULL));
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    CHECK_RC(zdk_client_request(client, "GET", "/x", NULL, 0, &response), ZDK_ERR_TRANSPORT);
    zdk_client_free(client);
    pthread_mutex_lock(&r.lock);
    CHECK(r.count == 1);
    pthread_mutex_unlock(&r.lock);
    pthread_mutex_destroy(&r.lock);
}

int main(void) {
    emulator emu;
    const char *args[] = {"--rate-limit", "1000/60", NULL};
    if (emulator_start(&emu, args, 10000) != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    test_retried_429(emu.url, control);
    test_transport_failure_and_removal();
    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_events");
    return 0;
}

/*
 * OAuth from C against the emulator: client-credentials minting (the minted token is
 * what the server saw), refresh-token rotation reported through the callback (the old
 * refresh token dies), the authorization-code exchange (single use), and no secret in
 * log lines or error messages.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define CLIENT_ID "emulator-client"
#define CLIENT_SECRET "emulator-client-secret"
#define START_REFRESH "c-test-start-refresh"
#define CODE "c-test-code"
#define RACE_REFRESH "c-test-race-refresh"
#define RACE_THREADS 16
#define REDIRECT_URI "http://localhost/cb"

static const char CONFIG_JSON[] =
    "{\"oauth_tokens\": [{\"access_token\": \"c-test-start-access\", \"refresh_token\": \"" START_REFRESH "\","
    " \"client\": \"" CLIENT_ID "\", \"user\": \"agent@example.com\", \"scopes\": [\"read\", \"write\"]},"
    " {\"access_token\": \"c-test-race-access\", \"refresh_token\": \"" RACE_REFRESH "\","
    " \"client\": \"" CLIENT_ID "\", \"user\": \"agent@example.com\", \"scopes\": [\"read\", \"write\"]}],"
    " \"oauth_codes\": [{\"code\": \"" CODE "\", \"client\": \"" CLIENT_ID "\", \"scopes\": [\"read\"],"
    " \"redirect_uri\": \"" REDIRECT_URI "\"}]}";

typedef struct rotation {
    pthread_mutex_t lock;
    int calls;
    char access[256];
    char refresh[256];
    int64_t expires_at;
} rotation;

static void on_rotate(void *userdata, const char *access_token, const char *refresh_token,
                      int64_t expires_at_unix) {
    rotation *r = userdata;
    pthread_mutex_lock(&r->lock);
    r->calls++;
    snprintf(r->access, sizeof r->access, "%s", access_token != NULL ? access_token : "");
    snprintf(r->refresh, sizeof r->refresh, "%s", refresh_token != NULL ? refresh_token : "");
    r->expires_at = expires_at_unix;
    pthread_mutex_unlock(&r->lock);
}

typedef struct log_lines {
    pthread_mutex_t lock;
    char text[32 * 1024];
    size_t used;
} log_lines;

static void on_log(void *userdata, zdk_log_level level, const char *message) {
    log_lines *l = userdata;
    (void)level;
    pthread_mutex_lock(&l->lock);
    int n = snprintf(l->text + l->used, sizeof l->text - l->used, "%s\n", message);
    if (n > 0 && l->used + (size_t)n < sizeof l->text) {
        l->used += (size_t)n;
    }
    pthread_mutex_unlock(&l->lock);
}

static zdk_result get_me(zdk_client *client) {
    zdk_response *response = NULL;
    zdk_result rc = zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response);
    zdk_response_free(response);
    return rc;
}

static void test_client_credentials(const char *url, zdk_client *control) {
    emu_reset(control);
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_client_credentials(config, CLIENT_ID, CLIENT_SECRET, "read write", 0));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);

    /* no token before the first request */
    zdk_token_set *tokens = NULL;
    CHECK_RC(zdk_client_token_set(client, &tokens), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_OK(get_me(client));
    CHECK_OK(get_me(client));
    CHECK_OK(zdk_client_token_set(client, &tokens));
    const char *access = zdk_token_set_access_token(tokens);
    CHECK(access != NULL && access[0] != '\0');
    CHECK(zdk_token_set_refresh_token(tokens) == NULL);
    CHECK(contains(zdk_token_set_scope(tokens), "read"));
    int64_t now = (int64_t)time(NULL);
    int64_t expires_at = zdk_token_set_expires_at(tokens);
    CHECK(expires_at > now + 1700 && expires_at <= now + 1800 + 5); /* expires_in 0 means 1800 */

    /* one token was minted for both requests, and it is what the server saw */
    char *log = emu_requests(control);
    char expected[300];
    snprintf(expected, sizeof expected, "Bearer %s", access);
    char value[300];
    CHECK(json_string_last(log, "authorization", value, sizeof value) != NULL);
    CHECK_STREQ(value, expected);
    int token_requests = 0;
    for (const char *p = log; (p = strstr(p, "\"/oauth/tokens\"")) != NULL; p++) {
        token_requests++;
    }
    CHECK(token_requests == 1);
    free(log);
    zdk_token_set_free(tokens);
    zdk_client_free(client);

    /* a wrong secret: an authentication error that does not echo it */
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_client_credentials(config, CLIENT_ID, "wrong-secret-canary-99", NULL, 60));
    client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    CHECK_RC(get_me(client), ZDK_ERR_AUTHENTICATION);
    CHECK_STREQ(zdk_last_error_zendesk_code(), "invalid_client");
    CHECK(!contains(zdk_last_error_message(), "wrong-secret-canary-99"));
    CHECK(!contains(zdk_last_error_description(), "wrong-secret-canary-99"));
    zdk_client_free(client);
}

static void test_refresh_rotation(const char *url) {
    rotation r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.lock, NULL);
    log_lines lines;
    memset(&lines, 0, sizeof lines);
    pthread_mutex_init(&lines.lock, NULL);

    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_refresh_token(config, CLIENT_ID, CLIENT_SECRET, START_REFRESH, on_rotate, &r));
    CHECK_OK(zdk_config_set_log_callback(config, on_log, &lines));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);

    CHECK_OK(get_me(client));
    CHECK_OK(get_me(client));
    pthread_mutex_lock(&r.lock);
    CHECK(r.calls == 1);
    CHECK(r.access[0] != '\0');
    CHECK(r.refresh[0] != '\0' && strcmp(r.refresh, START_REFRESH) != 0);
    pthread_mutex_unlock(&r.lock);

    zdk_token_set *tokens = NULL;
    CHECK_OK(zdk_client_token_set(client, &tokens));
    CHECK_STREQ(zdk_token_set_access_token(tokens), r.access);
    CHECK_STREQ(zdk_token_set_refresh_token(tokens), r.refresh);
    CHECK(zdk_token_set_expires_at(tokens) == r.expires_at);
    zdk_token_set_free(tokens);
    zdk_client_free(client);

    /* the rotated-away refresh token no longer works */
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_refresh_token(config, CLIENT_ID, CLIENT_SECRET, START_REFRESH, NULL, NULL));
    client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    CHECK_RC(get_me(client), ZDK_ERR_AUTHENTICATION);
    CHECK_STREQ(zdk_last_error_zendesk_code(), "invalid_grant");
    CHECK(!contains(zdk_last_error_message(), START_REFRESH));
    zdk_client_free(client);

    /* the new one does (and rotates again) */
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_refresh_token(config, CLIENT_ID, CLIENT_SECRET, r.refresh, on_rotate, &r));
    client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    CHECK_OK(get_me(client));
    CHECK(r.calls == 2);
    zdk_client_free(client);

    /* no secret in any log line */
    CHECK(lines.used > 0);
    CHECK(!contains(lines.text, START_REFRESH));
    CHECK(!contains(lines.text, CLIENT_SECRET));
    CHECK(!contains(lines.text, r.refresh));
    pthread_mutex_destroy(&lines.lock);
    pthread_mutex_destroy(&r.lock);
}

static void test_authorization_code(const char *url) {
    char *verifier = NULL;
    char *challenge = NULL;
    CHECK_OK(zdk_oauth_pkce_pair(&verifier, &challenge));
    char *authorize = NULL;
    CHECK_OK(zdk_oauth_authorize_url(url, CLIENT_ID, REDIRECT_URI, "read", "state-42", challenge, &authorize));
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s/oauth/authorizations/new?", url);
    CHECK(strncmp(authorize, prefix, strlen(prefix)) == 0);
    CHECK(contains(authorize, "response_type=code"));
    CHECK(contains(authorize, "state=state-42"));
    CHECK(contains(authorize, "code_challenge_method=S256"));
    zdk_string_free(authorize);
    zdk_string_free(challenge);

    zdk_token_set *tokens = NULL;
    CHECK_OK(zdk_oauth_exchange_code(url, CLIENT_ID, CLIENT_SECRET, CODE, REDIRECT_URI, verifier, &tokens));
    CHECK(zdk_token_set_access_token(tokens) != NULL);
    CHECK(zdk_token_set_refresh_token(tokens) != NULL);
    /* the token works */
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, zdk_token_set_access_token(tokens), &client));
    CHECK_OK(get_me(client));
    zdk_client_free(client);
    zdk_token_set_free(tokens);

    /* a code is single use */
    tokens = NULL;
    CHECK_RC(zdk_oauth_exchange_code(url, CLIENT_ID, CLIENT_SECRET, CODE, REDIRECT_URI, verifier, &tokens),
             ZDK_ERR_AUTHENTICATION);
    CHECK(tokens == NULL);
    CHECK_STREQ(zdk_last_error_zendesk_code(), "invalid_grant");
    CHECK(!contains(zdk_last_error_message(), CLIENT_SECRET));
    zdk_string_free(verifier);
}

/* Single-flight: 16 threads start at once on a client that has no access token yet;
   exactly one token request reaches the emulator and every request succeeds. */
typedef struct {
    zdk_client *client;
    pthread_barrier_t *barrier;
    uint16_t status;
} racer;

static void *race(void *arg) {
    racer *r = arg;
    pthread_barrier_wait(r->barrier);
    zdk_response *response = NULL;
    if (zdk_client_request(r->client, "GET", "/api/v2/users/me.json", NULL, 0, &response) == ZDK_OK) {
        r->status = zdk_response_status(response);
    }
    zdk_response_free(response);
    return NULL;
}

static void test_single_flight(const char *url, zdk_client *control) {
    emu_reset(control);
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_refresh_token(config, CLIENT_ID, CLIENT_SECRET, RACE_REFRESH, NULL, NULL));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    pthread_barrier_t barrier;
    CHECK(pthread_barrier_init(&barrier, NULL, RACE_THREADS) == 0);
    pthread_t threads[RACE_THREADS];
    racer racers[RACE_THREADS];
    for (int i = 0; i < RACE_THREADS; i++) {
        racers[i] = (racer){.client = client, .barrier = &barrier, .status = 0};
        CHECK(pthread_create(&threads[i], NULL, race, &racers[i]) == 0);
    }
    for (int i = 0; i < RACE_THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(racers[i].status == 200);
    }
    pthread_barrier_destroy(&barrier);
    char *log = emu_requests(control);
    int token_requests = 0;
    for (const char *p = log; (p = strstr(p, "\"/oauth/tokens\"")) != NULL; p++) {
        token_requests++;
    }
    CHECK(token_requests == 1);
    free(log);
    zdk_client_free(client);
}

int main(void) {
    char path[] = "/tmp/zdkit-c-oauth-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, CONFIG_JSON, strlen(CONFIG_JSON)) == (ssize_t)strlen(CONFIG_JSON));
    close(fd);
    emulator emu;
    const char *const args[] = {"--config", path, NULL};
    int started = emulator_start(&emu, args, 10000);
    unlink(path);
    if (started != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    test_client_credentials(emu.url, control);
    test_refresh_rotation(emu.url);
    test_authorization_code(emu.url);
    test_single_flight(emu.url, control);
    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_oauth");
    return 0;
}

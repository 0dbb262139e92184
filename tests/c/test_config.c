/*
 * The config builder: target, both credentials, timeouts, user agent, log callback
 * (a DEBUG line per request, never a secret or a query string), validation (two
 * credentials, a password, plain HTTP to a non-loopback host, CR/LF, bad subdomain),
 * zdk_config_from_env, a transport error that leaves *out NULL, durations out of
 * range (0, more than a day, UINT64_MAX) refused without overflow or panic, and
 * zdk_config_set_max_response_bytes (a larger answer fails with
 * ZDK_ERR_RESPONSE_TOO_LARGE; 0 is refused), zdk_config_set_no_proxy (a bypassed proxy), and
 * every setter on one config per credential mode (the C half of the settings parity).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define EMAIL "agent@example.com"
#define API_TOKEN "emulator-api-token"
#define OAUTH_TOKEN "emulator-oauth-token"
/* base64("agent@example.com/token:emulator-api-token") */
#define BASIC_CREDENTIAL "YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46ZW11bGF0b3ItYXBpLXRva2Vu"

/* Log lines collected by the callback (which may run on any thread). */
typedef struct log_capture {
    pthread_mutex_t lock;
    char text[64 * 1024];
    size_t used;
    int lines;
    int debug_lines;
} log_capture;

static void capture_log(void *userdata, zdk_log_level level, const char *message) {
    log_capture *capture = userdata;
    pthread_mutex_lock(&capture->lock);
    capture->lines++;
    if (level == ZDK_LOG_DEBUG) {
        capture->debug_lines++;
    }
    int n = snprintf(capture->text + capture->used, sizeof capture->text - capture->used,
                     "[%d] %s\n", (int)level, message != NULL ? message : "(NULL)");
    if (n > 0 && capture->used + (size_t)n < sizeof capture->text) {
        capture->used += (size_t)n;
    }
    pthread_mutex_unlock(&capture->lock);
}

static void count_event(void *userdata, const zdk_event *event) {
    (void)event;
    atomic_fetch_add((atomic_int *)userdata, 1);
}

static void capture_init(log_capture *capture) {
    memset(capture, 0, sizeof *capture);
    pthread_mutex_init(&capture->lock, NULL);
}

static void get_me(zdk_client *client) {
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
    CHECK(zdk_response_status(response) == 200);
    char email[128];
    CHECK(json_string((const char *)zdk_response_body(response, NULL), "email", email, sizeof email));
    CHECK_STREQ(email, EMAIL);
    zdk_response_free(response);
}

static void check_last_authorization(zdk_client *control, const char *expected) {
    char *log = emu_requests(control);
    char value[256];
    CHECK(json_string_last(log, "authorization", value, sizeof value) != NULL);
    CHECK_STREQ(value, expected);
    free(log);
}

static void test_builder_api_token(const char *url, zdk_client *control) {
    emu_reset(control);
    log_capture capture;
    capture_init(&capture);

    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK(config != NULL);
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_api_token(config, EMAIL, API_TOKEN));
    CHECK_OK(zdk_config_set_connect_timeout_ms(config, 2000));
    CHECK_OK(zdk_config_set_timeout_ms(config, 10000));
    CHECK_OK(zdk_config_set_user_agent(config, "zdkit-c-tests/1.0"));
    CHECK_OK(zdk_config_set_log_callback(config, capture_log, &capture));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    CHECK(client != NULL);
    /* the config was only read: freeing it does not affect the client */
    zdk_config_free(config);

    get_me(client);
    check_last_authorization(control, "Basic " BASIC_CREDENTIAL);
    char *log = emu_requests(control);
    char value[256];
    CHECK(json_string_last(log, "user-agent", value, sizeof value) != NULL);
    CHECK_STREQ(value, "zdkit-c-tests/1.0");
    free(log);

    /* a request with a query string, and a failing one */
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json?private_value=jane-doe-42", NULL, 0,
                                &response));
    zdk_response_free(response);
    response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", "/api/v2/tickets/999999999.json", NULL, 0, &response),
             ZDK_ERR_NOT_FOUND);
    zdk_response_free(response);
    zdk_client_free(client);

    pthread_mutex_lock(&capture.lock);
    CHECK(capture.debug_lines >= 3);
    CHECK(contains(capture.text, "[4] GET /api/v2/users/me.json"));
    CHECK(contains(capture.text, "200"));
    CHECK(contains(capture.text, "404"));
    CHECK(!contains(capture.text, API_TOKEN));
    CHECK(!contains(capture.text, BASIC_CREDENTIAL));
    CHECK(!contains(capture.text, "private_value"));
    CHECK(!contains(capture.text, "jane-doe-42"));
    pthread_mutex_unlock(&capture.lock);
    pthread_mutex_destroy(&capture.lock);
}

static void test_builder_oauth(const char *url, zdk_client *control) {
    emu_reset(control);
    log_capture capture;
    capture_init(&capture);
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_target(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, "first-token-replaced"));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN)); /* replaces */
    CHECK_OK(zdk_config_set_timeout_ms(config, 5000));
    CHECK_OK(zdk_config_set_log_callback(config, capture_log, &capture));
    CHECK_OK(zdk_config_set_log_callback(config, NULL, NULL)); /* removed again */
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    /* a config can build several clients */
    zdk_client *second = NULL;
    CHECK_OK(zdk_client_new(config, &second));
    zdk_config_free(config);
    get_me(client);
    check_last_authorization(control, "Bearer " OAUTH_TOKEN);
    get_me(second);
    check_last_authorization(control, "Bearer " OAUTH_TOKEN);
    zdk_client_free(second);
    zdk_client_free(client);
    CHECK(capture.lines == 0);
    pthread_mutex_destroy(&capture.lock);
}

/* zdk_client_new on this config fails with `expected`; returns nothing, frees config. */
static void check_client_new_fails(zdk_config *config, zdk_result expected) {
    zdk_client *client = NULL;
    CHECK_RC(zdk_client_new(config, &client), expected);
    CHECK(client == NULL);
    CHECK(zdk_last_error_message() != NULL);
    zdk_config_free(config);
}

static zdk_config *config_with(const char *target, const char *oauth_token) {
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    if (target != NULL) {
        CHECK_OK(zdk_config_set_target(config, target));
    }
    if (oauth_token != NULL) {
        CHECK_OK(zdk_config_set_oauth_token(config, oauth_token));
    }
    return config;
}

static void test_validation(const char *url) {
    /* two credentials */
    zdk_config *config = config_with(url, OAUTH_TOKEN);
    CHECK_OK(zdk_config_set_api_token(config, EMAIL, API_TOKEN));
    check_client_new_fails(config, ZDK_ERR_INVALID_ARGUMENT);
    CHECK(contains(zdk_last_error_message(), "credential"));
    CHECK(!contains(zdk_last_error_message(), API_TOKEN));
    CHECK(!contains(zdk_last_error_message(), OAUTH_TOKEN));

    /* no credential, no target */
    check_client_new_fails(config_with(url, NULL), ZDK_ERR_INVALID_ARGUMENT);
    check_client_new_fails(config_with(NULL, OAUTH_TOKEN), ZDK_ERR_INVALID_ARGUMENT);

    /* a password is refused, naming the two supported modes, never echoing it */
    CHECK_OK(zdk_config_new(&config));
    CHECK_RC(zdk_config_set_password(config, EMAIL, "hunter2-password-canary"), ZDK_ERR_INVALID_ARGUMENT);
    const char *message = zdk_last_error_message();
    CHECK(message != NULL);
    CHECK(contains(message, "API token"));
    CHECK(contains(message, "OAuth"));
    CHECK(!contains(message, "hunter2-password-canary"));
    /* nothing was stored: the config still has no credential */
    CHECK_OK(zdk_config_set_target(config, url));
    check_client_new_fails(config, ZDK_ERR_INVALID_ARGUMENT);

    /* plain HTTP only to loopback; refused before any network I/O */
    static const char *const insecure[] = {"http://example.com", "http://example.com:80/",
                                           "http://127.0.0.1.example.com", "http://10.0.0.1:8080"};
    for (size_t i = 0; i < sizeof insecure / sizeof insecure[0]; i++) {
        check_client_new_fails(config_with(insecure[i], OAUTH_TOKEN), ZDK_ERR_INSECURE_TRANSPORT);
        CHECK(zdk_last_error_status() == 0);
        zdk_client *client = NULL;
        CHECK_RC(zdk_client_new_oauth(insecure[i], OAUTH_TOKEN, &client), ZDK_ERR_INSECURE_TRANSPORT);
        CHECK(client == NULL);
        CHECK_RC(zdk_client_new_api_token(insecure[i], EMAIL, API_TOKEN, &client),
                 ZDK_ERR_INSECURE_TRANSPORT);
        CHECK(client == NULL);
    }
    config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, "http://example.com"));
    CHECK_OK(zdk_config_set_api_token(config, EMAIL, API_TOKEN));
    check_client_new_fails(config, ZDK_ERR_INSECURE_TRANSPORT);

    /* https anywhere, a subdomain, and http to loopback are accepted (no network yet) */
    static const char *const fine[] = {"acme", "https://acme.zendesk.com", "https://support.example.com",
                                       "http://127.0.0.1:1", "http://localhost:1"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        zdk_client *client = NULL;
        CHECK_OK(zdk_client_new_oauth(fine[i], OAUTH_TOKEN, &client));
        CHECK(client != NULL);
        zdk_client_free(client);
    }
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_subdomain(config, "acme"));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_client_free(client);
    zdk_config_free(config);

    /* subdomain syntax */
    client = NULL;
    CHECK_RC(zdk_client_new_oauth("not a subdomain!", OAUTH_TOKEN, &client), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK_RC(zdk_client_new_oauth("", OAUTH_TOKEN, &client), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(client == NULL);

    /* CR/LF in a credential or header value (header injection) */
    CHECK_RC(zdk_client_new_oauth(url, "tok\r\nX-Injected: 1", &client), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK(!contains(zdk_last_error_message(), "X-Injected"));
    CHECK_RC(zdk_client_new_api_token(url, "a@example.com\nX-Injected: 1", API_TOKEN, &client),
             ZDK_ERR_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK_RC(zdk_client_new_api_token(url, EMAIL, "tok\rX", &client), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(client == NULL);
    /* through the builder: refused by the setter or by zdk_client_new */
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_target(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    zdk_result rc = zdk_config_set_user_agent(config, "ua\r\nX-Injected: 1");
    CHECK(rc == ZDK_OK || rc == ZDK_ERR_INVALID_ARGUMENT);
    if (rc == ZDK_OK) {
        check_client_new_fails(config, ZDK_ERR_INVALID_ARGUMENT);
    } else {
        zdk_config_free(config);
    }

    /* timeouts must be positive */
    CHECK_OK(zdk_config_new(&config));
    CHECK_RC(zdk_config_set_timeout_ms(config, 0), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_config_set_connect_timeout_ms(config, 0), ZDK_ERR_INVALID_ARGUMENT);
    zdk_config_free(config);
}

/* One day in milliseconds: the longest timeout, deadline or job wait accepted. */
#define ONE_DAY_MS UINT64_C(86400000)

typedef zdk_result (*duration_setter)(zdk_config *, uint64_t);

/* Out-of-range durations are ZDK_ERR_INVALID_ARGUMENT, never an overflow or a panic. */
static void test_durations(const char *url) {
    static const duration_setter setters[] = {zdk_config_set_connect_timeout_ms, zdk_config_set_timeout_ms,
                                              zdk_config_set_deadline_ms};
    static const uint64_t refused[] = {0, ONE_DAY_MS + 1, UINT64_MAX / 1000, UINT64_MAX / 1000 + 1,
                                       UINT64_MAX - 1, UINT64_MAX};
    for (size_t s = 0; s < sizeof setters / sizeof setters[0]; s++) {
        zdk_config *config = config_with(url, OAUTH_TOKEN);
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
            CHECK_RC(setters[s](config, refused[i]), ZDK_ERR_INVALID_ARGUMENT);
            CHECK(zdk_last_error_code() == ZDK_ERR_INVALID_ARGUMENT);
            CHECK(zdk_last_error_message() != NULL);
        }
        /* the longest accepted value builds a working client */
        CHECK_OK(setters[s](config, ONE_DAY_MS));
        zdk_client *client = NULL;
        CHECK_OK(zdk_client_new(config, &client));
        get_me(client);
        zdk_client_free(client);
        zdk_config_free(config);
    }

    /* a job wait timeout: refused before anything is sent */
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, OAUTH_TOKEN, &client));
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        zdk_response *response = NULL;
        CHECK_RC(zdk_client_wait_for_job(client, "job-1", refused[i], &response), ZDK_ERR_INVALID_ARGUMENT);
        CHECK(response == NULL);
        CHECK(zdk_last_error_status() == 0);
    }
    zdk_client_free(client);
}

/* max_response_bytes: a ticket list page (well over 10,000 bytes) against a 10,000-byte limit. */
static void test_max_response_bytes(const char *url) {
    const char *page = "/api/v2/tickets.json?page[size]=100";
    zdk_client *unlimited = NULL;
    CHECK_OK(zdk_client_new_oauth(url, OAUTH_TOKEN, &unlimited));
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(unlimited, "GET", page, NULL, 0, &response));
    size_t len = 0;
    CHECK(zdk_response_body(response, &len) != NULL);
    CHECK(len > 100000); /* the same page fits the default limit */
    zdk_response_free(response);
    zdk_client_free(unlimited);

    zdk_config *config = config_with(url, OAUTH_TOKEN);
    CHECK_OK(zdk_config_set_max_response_bytes(config, 10000));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", page, NULL, 0, &response), ZDK_ERR_RESPONSE_TOO_LARGE);
    CHECK(response == NULL);
    CHECK(zdk_last_error_code() == ZDK_ERR_RESPONSE_TOO_LARGE);
    CHECK(zdk_last_error_message() != NULL);
    CHECK(contains(zdk_strerror(ZDK_ERR_RESPONSE_TOO_LARGE), "ZDK_ERR_RESPONSE_TOO_LARGE"));
    /* a small answer on the same client still works */
    get_me(client);
    zdk_client_free(client);

    /* 0 is refused when the client is built */
    config = config_with(url, OAUTH_TOKEN);
    CHECK_OK(zdk_config_set_max_response_bytes(config, 0));
    check_client_new_fails(config, ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_config_set_max_response_bytes(NULL, 10000), ZDK_ERR_NULL_ARGUMENT);
}

static void clear_env(void) {
    unsetenv("ZENDESK_SUBDOMAIN");
    unsetenv("ZENDESK_URL");
    unsetenv("ZENDESK_EMAIL");
    unsetenv("ZENDESK_API_TOKEN");
    unsetenv("ZENDESK_OAUTH_TOKEN");
    unsetenv("ZENDESK_CLIENT_ID");
    unsetenv("ZENDESK_CLIENT_SECRET");
}

static void test_from_env(const char *url, zdk_client *control) {
    zdk_config *config = NULL;
    clear_env();
    CHECK_RC(zdk_config_from_env(&config), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(config == NULL);
    CHECK(contains(zdk_last_error_message(), "ZENDESK_"));

    setenv("ZENDESK_URL", url, 1);
    CHECK_RC(zdk_config_from_env(&config), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(config == NULL);
    CHECK(contains(zdk_last_error_message(), "ZENDESK_"));

    setenv("ZENDESK_OAUTH_TOKEN", OAUTH_TOKEN, 1);
    CHECK_OK(zdk_config_from_env(&config));
    CHECK(config != NULL);
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    emu_reset(control);
    get_me(client);
    check_last_authorization(control, "Bearer " OAUTH_TOKEN);
    zdk_client_free(client);

    clear_env();
    setenv("ZENDESK_URL", url, 1);
    setenv("ZENDESK_EMAIL", EMAIL, 1);
    setenv("ZENDESK_API_TOKEN", API_TOKEN, 1);
    config = NULL;
    CHECK_OK(zdk_config_from_env(&config));
    client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    emu_reset(control);
    get_me(client);
    check_last_authorization(control, "Basic " BASIC_CREDENTIAL);
    zdk_client_free(client);

    /* an email without its token names the missing variable */
    unsetenv("ZENDESK_API_TOKEN");
    config = NULL;
    CHECK_RC(zdk_config_from_env(&config), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(config == NULL);
    CHECK(contains(zdk_last_error_message(), "ZENDESK_API_TOKEN"));

    /* a subdomain makes an https target (nothing is sent here) */
    clear_env();
    setenv("ZENDESK_SUBDOMAIN", "acme", 1);
    setenv("ZENDESK_OAUTH_TOKEN", OAUTH_TOKEN, 1);
    CHECK_OK(zdk_config_from_env(&config));
    CHECK_OK(zdk_client_new(config, &client));
    zdk_client_free(client);
    zdk_config_free(config);
    clear_env();
}

/* A port on 127.0.0.1 where nothing listens. */
static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    socklen_t len = sizeof addr;
    CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void test_transport_error(void) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, url));
    CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
    CHECK_OK(zdk_config_set_connect_timeout_ms(config, 1000));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    /* POST without Idempotency-Key: not retried, so this fails at once */
    zdk_response *response = NULL;
    CHECK_RC(zdk_client_request(client, "POST", "/api/v2/nothing.json", (const uint8_t *)"{}", 2, &response),
             ZDK_ERR_TRANSPORT);
    CHECK(response == NULL);
    CHECK(zdk_last_error_status() == 0);
    CHECK(zdk_last_error_request_id() == NULL);
    CHECK(contains(zdk_last_error_message(), "/api/v2/nothing.json"));
    CHECK(!contains(zdk_last_error_message(), OAUTH_TOKEN));
    zdk_client_free(client);
}

/* zdk_config_set_no_proxy: with a proxy where nothing listens, a request fails; listing the
   emulator's host in no_proxy sends it directly (so the setting reaches libcurl). */
static void test_no_proxy(const char *url) {
    char proxy[64];
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", closed_port());
    for (int bypass = 0; bypass <= 1; bypass++) {
        zdk_config *config = config_with(url, OAUTH_TOKEN);
        CHECK_OK(zdk_config_set_proxy(config, proxy, NULL));
        CHECK_OK(zdk_config_set_max_retries(config, 0));
        if (bypass) {
            CHECK_OK(zdk_config_set_no_proxy(config, "example.com"));
            CHECK_OK(zdk_config_set_no_proxy(config, "127.0.0.1,localhost")); /* replaces */
        }
        zdk_client *client = NULL;
        CHECK_OK(zdk_client_new(config, &client));
        zdk_config_free(config);
        if (bypass) {
            get_me(client);
        } else {
            zdk_response *response = NULL;
            CHECK_RC(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response),
                     ZDK_ERR_TRANSPORT);
            CHECK(response == NULL);
        }
        zdk_client_free(client);
    }
}

/* Parity: every zdk_config_set_* of zdkit::SETTINGS (tests/parity.rs checks the list against
   the header) on one config per credential mode, each building a working client. */
static void test_every_setter(const char *url, zdk_client *control) {
    log_capture capture;
    capture_init(&capture);
    atomic_int events = 0;
    for (int mode = 0; mode < 4; mode++) {
        emu_reset(control);
        zdk_config *config = NULL;
        CHECK_OK(zdk_config_new(&config));
        CHECK_OK(zdk_config_set_subdomain(config, "acme"));
        CHECK_OK(zdk_config_set_target(config, "acme"));
        CHECK_OK(zdk_config_set_base_url(config, url)); /* the last target wins */
        CHECK_OK(zdk_config_set_connect_timeout_ms(config, 5000));
        CHECK_OK(zdk_config_set_timeout_ms(config, 20000));
        CHECK_OK(zdk_config_set_deadline_ms(config, 30000));
        CHECK_OK(zdk_config_set_max_retries(config, 1));
        CHECK_OK(zdk_config_set_never_wait(config, 0));
        CHECK_OK(zdk_config_set_rate_limit_pacing(config, 1));
        CHECK_OK(zdk_config_set_proxy(config, "http://127.0.0.1:1", NULL));
        CHECK_OK(zdk_config_set_no_proxy(config, "127.0.0.1,localhost"));
        /* TLS files are read only for https targets; the emulator is plain http */
        CHECK_OK(zdk_config_set_ca_file(config, "/nonexistent/zdkit-ca.pem"));
        CHECK_OK(zdk_config_set_ca_dir(config, "/nonexistent/zdkit-ca"));
        CHECK_OK(zdk_config_set_client_cert(config, "/nonexistent/c.pem", "/nonexistent/k.pem"));
        CHECK_OK(zdk_config_set_user_agent(config, "zdkit-parity/1"));
        CHECK_OK(zdk_config_set_log_callback(config, capture_log, &capture));
        CHECK_OK(zdk_config_set_max_response_bytes(config, 1 << 20));
        CHECK_OK(zdk_config_set_event_callback(config, count_event, &events));
        switch (mode) {
        case 0:
            CHECK_OK(zdk_config_set_api_token(config, EMAIL, API_TOKEN));
            break;
        case 1:
            CHECK_OK(zdk_config_set_oauth_token(config, OAUTH_TOKEN));
            break;
        case 2:
            CHECK_OK(zdk_config_set_oauth_client_credentials(config, "emulator-client", "emulator-client-secret",
                                                             NULL, 0));
            break;
        default:
            CHECK_OK(zdk_config_set_oauth_refresh_token(config, "emulator-client", "emulator-client-secret",
                                                        "no-such-refresh-token", NULL, NULL));
            break;
        }
        zdk_client *client = NULL;
        CHECK_OK(zdk_client_new(config, &client));
        zdk_config_free(config);
        if (mode < 3) { /* the refresh token is not the emulator's: only built */
            zdk_response *response = NULL;
            CHECK_OK(zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response));
            zdk_response_free(response);
            char *log = emu_requests(control);
            char value[256];
            CHECK(json_string_last(log, "user-agent", value, sizeof value) != NULL);
            CHECK_STREQ(value, "zdkit-parity/1");
            free(log);
        }
        zdk_client_free(client);
    }
    CHECK(atomic_load(&events) >= 3);
    pthread_mutex_lock(&capture.lock);
    CHECK(capture.debug_lines >= 3);
    pthread_mutex_unlock(&capture.lock);
    pthread_mutex_destroy(&capture.lock);
}

int main(void) {
    emulator emu;
    if (emulator_start(&emu, NULL, 10000) != 0) {
        return 1;
    }
    zdk_client *control = control_client(emu.url);
    test_builder_api_token(emu.url, control);
    test_builder_oauth(emu.url, control);
    test_validation(emu.url);
    test_from_env(emu.url, control);
    test_transport_error();
    test_durations(emu.url);
    test_max_response_bytes(emu.url);
    test_no_proxy(emu.url);
    test_every_setter(emu.url, control);
    zdk_client_free(control);
    emulator_stop(&emu);
    test_report("test_config");
    return 0;
}

/* zdkit through its C ABI, the same work as the floor.
 *
 *   zdkit_c w1 BASE N [CA]        N x GET /api/v2/users/me.json (W1; W3 over https)
 *   zdkit_c w2 BASE               the cursor pager over /api/v2/tickets.json: page bytes
 *                                 handed to the caller, nothing parsed by the caller
 *   zdkit_c w4 BASE OUT           incremental export of tickets to JSON Lines
 *                                 (zdk_export_next_jsonl, bytes appended to OUT)
 *   zdkit_c w5 BASE N THREADS     N x GET users/me spread over THREADS threads sharing
 *                                 one client
 * Prints the seconds the work took. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zdkit.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, zdk_last_error_message());
    return 1;
}

static zdk_client *client_for(const char *base, const char *ca) {
    zdk_config *config = NULL;
    zdk_client *client = NULL;
    if (zdk_config_new(&config) != ZDK_OK) return NULL;
    zdk_config_set_base_url(config, base);
    zdk_config_set_oauth_token(config, "bench-token");
    if (ca) zdk_config_set_ca_file(config, ca);
    zdk_client_new(config, &client);
    zdk_config_free(config);
    return client;
}

struct share {
    zdk_client *client;
    long requests;
    int failed;
};

static void *worker(void *arg) {
    struct share *share = arg;
    for (long i = 0; i < share->requests; i++) {
        zdk_response *response = NULL;
        if (zdk_client_request(share->client, "GET", "/api/v2/users/me.json", NULL, 0, &response) != ZDK_OK)
            share->failed = 1;
        zdk_response_free(response);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    const char *mode = argv[1];
    const char *ca = (strcmp(mode, "w1") == 0 && argc > 4) ? argv[4] : NULL;
    zdk_client *client = client_for(argv[2], ca);
    if (!client) return fail("client");
    double started = now();
    if (strcmp(mode, "w1") == 0 && argc >= 4) {
        long n = atol(argv[3]);
        for (long i = 0; i < n; i++) {
            zdk_response *response = NULL;
            if (zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response) != ZDK_OK)
                return fail("GET");
            zdk_response_free(response);
        }
    } else if (strcmp(mode, "w2") == 0) {
        zdk_pager *pager = NULL;
        if (zdk_pager_new(client, "/api/v2/tickets.json", NULL, &pager) != ZDK_OK) return fail("pager");
        size_t bytes = 0;
        long pages = 0;
        for (;;) {
            zdk_response *page = NULL;
            zdk_result rc = zdk_pager_next(pager, &page);
            if (rc == ZDK_DONE) break;
            if (rc != ZDK_OK) return fail("page");
            size_t len = 0;
            (void)zdk_response_body(page, &len);
            bytes += len;
            pages++;
            zdk_response_free(page);
        }
        fprintf(stderr, "%ld pages, %zu bytes\n", pages, bytes);
        zdk_pager_free(pager);
    } else if (strcmp(mode, "w4") == 0 && argc >= 4) {
        FILE *out = fopen(argv[3], "wb");
        if (!out) return 1;
        zdk_export *export_ = NULL;
        if (zdk_export_new(client, "tickets", 0, NULL, 1000, &export_) != ZDK_OK) return fail("export");
        for (;;) {
            zdk_response *page = NULL;
            zdk_result rc = zdk_export_next_jsonl(export_, &page);
            if (rc == ZDK_DONE) break;
            if (rc != ZDK_OK) return fail("export page");
            size_t len = 0;
            const uint8_t *body = zdk_response_body(page, &len);
            if (fwrite(body, 1, len, out) != len) return 1;
            zdk_response_free(page);
        }
        zdk_export_free(export_);
        fclose(out);
    } else if (strcmp(mode, "w5") == 0 && argc >= 5) {
        long n = atol(argv[3]);
        int threads = atoi(argv[4]);
        if (threads < 1 || threads > 64) return 2;
        pthread_t ids[64];
        struct share shares[64];
        for (int t = 0; t < threads; t++) {
            shares[t] = (struct share){client, n / threads, 0};
            pthread_create(&ids[t], NULL, worker, &shares[t]);
        }
        for (int t = 0; t < threads; t++) {
            pthread_join(ids[t], NULL);
            if (shares[t].failed) return fail("GET");
        }
    } else {
        return 2;
    }
    printf("%.6f\n", now() - started);
    zdk_client_free(client);
    return 0;
}

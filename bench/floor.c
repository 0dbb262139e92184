/* The floor: bare libcurl, one reused easy handle, no JSON parsing at all.
 *
 *   floor w1 URL N [CA]     N x GET URL (W1; W3 with an https URL and CA file)
 *   floor w2 URL            walk the cursor pages from URL, following links.next
 *
 * links.next is found with memmem in the tail of the page (where `links` is), the
 * least work any client can do to follow the pages. Prints the seconds the work took
 * and, on stderr, what it read. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buffer {
    char *data;
    size_t len, cap;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata) {
    struct buffer *b = userdata;
    size_t add = size * n;
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + add + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, add);
    b->len += add;
    b->data[b->len] = 0;
    return add;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static CURL *handle(struct buffer *b, const char *ca) {
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    if (ca) curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    return curl;
}

static int get(CURL *curl, struct buffer *b, const char *url) {
    b->len = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    long status = 0;
    if (curl_easy_perform(curl) != CURLE_OK) return -1;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status == 200 ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    curl_global_init(CURL_GLOBAL_ALL);
    struct buffer b = {0};
    const char *mode = argv[1];
    double started = now();
    if (strcmp(mode, "w1") == 0 && argc >= 4) {
        CURL *curl = handle(&b, argc > 4 ? argv[4] : NULL);
        long n = atol(argv[3]);
        size_t bytes = 0;
        for (long i = 0; i < n; i++) {
            if (get(curl, &b, argv[2]) != 0) return 1;
            bytes += b.len;
        }
        fprintf(stderr, "%ld requests, %zu bytes\n", n, bytes);
        curl_easy_cleanup(curl);
    } else if (strcmp(mode, "w2") == 0) {
        CURL *curl = handle(&b, NULL);
        char url[2048];
        snprintf(url, sizeof url, "%s", argv[2]);
        long pages = 0;
        for (;;) {
            if (get(curl, &b, url) != 0) return 1;
            pages++;
            size_t tail = b.len > 1024 ? b.len - 1024 : 0;
            if (memmem(b.data + tail, b.len - tail, "\"has_more\":false", 16)) break;
            char *next = memmem(b.data + tail, b.len - tail, "\"next\":\"", 8);
            if (!next) return 1;
            next += 8;
            char *end = strchr(next, '"');
            if (!end || (size_t)(end - next) >= sizeof url) return 1;
            memcpy(url, next, (size_t)(end - next));
            url[end - next] = 0;
        }
        fprintf(stderr, "%ld pages\n", pages);
        curl_easy_cleanup(curl);
    } else {
        return 2;
    }
    printf("%.6f\n", now() - started);
    free(b.data);
    curl_global_cleanup();
    return 0;
}

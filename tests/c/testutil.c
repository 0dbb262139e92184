/* Shared helpers of the C tests; see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

atomic_long test_checks;

static void print_last_error(void) {
    const char *message = zdk_last_error_message();
    fprintf(stderr, "  last error: %s (code %d)\n", message != NULL ? message : "(none)",
            (int)zdk_last_error_code());
}

_Noreturn void test_fail(const char *file, int line, const char *what) {
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    print_last_error();
    exit(1);
}

_Noreturn void test_fail_rc(const char *file, int line, const char *expr, zdk_result got,
                            zdk_result expected) {
    fprintf(stderr, "%s:%d: check failed: %s\n  got %s\n  expected %s\n", file, line, expr,
            zdk_strerror(got), zdk_strerror(expected));
    print_last_error();
    exit(1);
}

_Noreturn void test_fail_str(const char *file, int line, const char *expr, const char *got,
                             const char *expected) {
    fprintf(stderr, "%s:%d: check failed: %s\n  got \"%s\"\n  expected \"%s\"\n", file, line,
            expr, got != NULL ? got : "(NULL)", expected != NULL ? expected : "(NULL)");
    print_last_error();
    exit(1);
}

void test_report(const char *name) {
    printf("%s: %ld checks passed\n", name, (long)atomic_load(&test_checks));
    fflush(stdout);
}

/* Parses a JSON string starting at the opening quote; writes the value to out. */
static const char *copy_json_string(const char *p, char *out, size_t out_size) {
    if (*p != '"') {
        return NULL;
    }
    p++;
    size_t n = 0;
    while (*p != '\0' && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            char e = *p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case '\0': return NULL;
            case 'u':
                /* keep \uXXXX as is: the tests only compare ASCII values */
                if (n + 2 >= out_size) {
                    return NULL;
                }
                out[n++] = '\\';
                c = 'u';
                break;
            default: c = e; break; /* \" \\ \/ */
            }
        }
        if (n + 1 >= out_size) {
            return NULL;
        }
        out[n++] = c;
    }
    if (*p != '"') {
        return NULL;
    }
    out[n] = '\0';
    return p + 1;
}

/* After `"key"` at p: skips whitespace and the colon; returns the value start. */
static const char *value_start(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        p++;
    }
    if (*p != ':') {
        return NULL;
    }
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        p++;
    }
    return p;
}

static const char *find_key(const char *json, const char *key, int last) {
    char pattern[128];
    int len = snprintf(pattern, sizeof pattern, "\"%s\"", key);
    if (len < 0 || (size_t)len >= sizeof pattern) {
        return NULL;
    }
    const char *found = NULL;
    const char *p = json;
    while ((p = strstr(p, pattern)) != NULL) {
        const char *v = value_start(p + len);
        if (v != NULL) {
            found = v;
            if (!last) {
                break;
            }
        }
        p += len;
    }
    return found;
}

const char *json_string(const char *json, const char *key, char *out, size_t out_size) {
    const char *v = find_key(json, key, 0);
    return v != NULL ? copy_json_string(v, out, out_size) : NULL;
}

const char *json_string_last(const char *json, const char *key, char *out, size_t out_size) {
    const char *v = find_key(json, key, 1);
    return v != NULL ? copy_json_string(v, out, out_size) : NULL;
}

const char *json_scalar(const char *json, const char *key, char *out, size_t out_size) {
    const char *v = find_key(json, key, 0);
    if (v == NULL) {
        return NULL;
    }
    size_t n = strcspn(v, ",}] \t\r\n");
    if (n == 0 || n >= out_size) {
        return NULL;
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return v + n;
}

void base64_encode(const unsigned char *in, size_t len, char *out) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len) {
            v |= (unsigned)in[i + 1] << 8;
        }
        if (i + 2 < len) {
            v |= in[i + 2];
        }
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}

zdk_client *control_client(const char *url) {
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(url, "emulator-oauth-token", &client));
    CHECK(client != NULL);
    return client;
}

char *body_copy(const zdk_response *response) {
    size_t len = 0;
    const uint8_t *body = zdk_response_body(response, &len);
    if (body == NULL) {
        test_fail(__FILE__, __LINE__, "zdk_response_body returned NULL");
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        test_fail(__FILE__, __LINE__, "malloc");
    }
    memcpy(copy, body, len);
    copy[len] = '\0';
    return copy;
}

char *control_call(zdk_client *client, const char *method, const char *path, const char *body) {
    zdk_response *response = NULL;
    zdk_result rc = zdk_client_request(client, method, path, (const uint8_t *)body,
                                       body != NULL ? strlen(body) : 0, &response);
    if (rc != ZDK_OK) {
        fprintf(stderr, "control API %s %s failed\n", method, path);
        if (response != NULL) {
            char *text = body_copy(response);
            fprintf(stderr, "  HTTP %u: %s\n", zdk_response_status(response), text);
            free(text);
            zdk_response_free(response);
        }
        test_fail_rc(__FILE__, __LINE__, "control_call", rc, ZDK_OK);
    }
    char *copy = body_copy(response);
    zdk_response_free(response);
    return copy;
}

void emu_reset(zdk_client *control) {
    free(control_call(control, "POST", "/__emulator/reset", NULL));
}

void emu_fault(zdk_client *control, const char *rule_json) {
    free(control_call(control, "POST", "/__emulator/faults", rule_json));
}

char *emu_requests(zdk_client *control) {
    return control_call(control, "GET", "/__emulator/requests", NULL);
}

int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

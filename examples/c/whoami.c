/*
 * whoami: prints the Zendesk user your credentials belong to.
 *
 * Configuration comes from the environment (see zdk_config_from_env in zdkit.h):
 *   ZENDESK_SUBDOMAIN=acme            or ZENDESK_URL=https://support.example.com
 *   ZENDESK_EMAIL + ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN
 *
 * Build:  cc -std=c11 -Wall -Wextra -Iinclude examples/c/whoami.c -Ltarget/debug -lzdkit \
 *            -Wl,-rpath,$PWD/target/debug -o whoami
 *
 * Exit status 0 on success; 1 with the error (and Zendesk's request id) on stderr.
 * The JSON is read with a tiny scanner, not a JSON library: enough for four fields.
 */
#include <stdio.h>
#include <string.h>

#include "zdkit.h"

/* Skips one JSON string starting at its opening quote; returns the char after it. */
static const char *skip_string(const char *p) {
    for (p++; *p != '\0' && *p != '"'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
        }
    }
    return *p == '"' ? p + 1 : NULL;
}

/* Skips one JSON value (string, object, array, or scalar); returns the char after it. */
static const char *skip_value(const char *p) {
    if (*p == '"') {
        return skip_string(p);
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (*p != '\0') {
            if (*p == '"') {
                p = skip_string(p);
                if (p == NULL) {
                    return NULL;
                }
                continue;
            }
            if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0) {
                    return p + 1;
                }
            }
            p++;
        }
        return NULL;
    }
    return p + strcspn(p, ",}] \t\r\n");
}

static const char *skip_space(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }
    return p;
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(unsigned long cp, char *out, size_t n, size_t size) {
    char buf[4];
    size_t len;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        len = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        len = 2;
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        len = 3;
    } else {
        buf[0] = (char)(0xF0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = (char)(0x80 | (cp & 0x3F));
        len = 4;
    }
    if (n + len >= size) {
        return n;
    }
    memcpy(out + n, buf, len);
    return n + len;
}

static int hex4(const char *p, unsigned long *value) {
    *value = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int digit = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (digit < 0) {
            return -1;
        }
        *value = *value * 16 + (unsigned long)digit;
    }
    return 0;
}

/* Copies a JSON value into out: strings unescaped, scalars (number, null) as written. */
static void copy_value(const char *p, char *out, size_t size) {
    size_t n = 0;
    if (*p != '"') {
        size_t len = strcspn(p, ",}] \t\r\n");
        n = len < size - 1 ? len : size - 1;
        memcpy(out, p, n);
        out[n] = '\0';
        return;
    }
    for (p++; *p != '\0' && *p != '"' && n + 1 < size; p++) {
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        unsigned long cp;
        switch (*p) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'u':
            if (hex4(p + 1, &cp) != 0) {
                out[n] = '\0';
                return;
            }
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p[1] == '\\' && p[2] == 'u') {
                unsigned long low;
                if (hex4(p + 3, &low) == 0 && low >= 0xDC00 && low < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            n = put_utf8(cp, out, n, size);
            break;
        case '\0': out[n] = '\0'; return;
        default: out[n++] = *p; break; /* \" \\ \/ */
        }
    }
    out[n] = '\0';
}

/*
 * Finds the member `key` directly inside the object that starts at `object` (not in
 * nested objects such as "photo" or "user_fields") and copies its value.
 * Returns 0 when found.
 */
static int member(const char *object, const char *key, char *out, size_t size) {
    const char *p = skip_space(object);
    if (*p != '{') {
        return -1;
    }
    p = skip_space(p + 1);
    size_t key_len = strlen(key);
    while (p != NULL && *p == '"') {
        const char *name = p + 1;
        const char *after = skip_string(p);
        if (after == NULL) {
            return -1;
        }
        int match = (size_t)(after - 1 - name) == key_len && strncmp(name, key, key_len) == 0;
        p = skip_space(after);
        if (*p != ':') {
            return -1;
        }
        p = skip_space(p + 1);
        if (match) {
            copy_value(p, out, size);
            return 0;
        }
        p = skip_value(p);
        if (p == NULL) {
            return -1;
        }
        p = skip_space(p);
        if (*p == ',') {
            p = skip_space(p + 1);
        }
    }
    return -1;
}

/* The start of the value of top-level member `key` (an object here), or NULL. */
static const char *member_start(const char *object, const char *key) {
    const char *found = strstr(object, key);
    if (found == NULL) {
        return NULL;
    }
    const char *p = skip_space(found + strlen(key));
    return *p == ':' ? skip_space(p + 1) : NULL;
}

static void print_error(const char *what) {
    const char *message = zdk_last_error_message();
    const char *request_id = zdk_last_error_request_id();
    fprintf(stderr, "whoami: %s: %s\n", what, message != NULL ? message : zdk_strerror(zdk_last_error_code()));
    if (request_id != NULL) {
        fprintf(stderr, "whoami: request id %s (quote it to Zendesk support)\n", request_id);
    }
}

int main(void) {
    zdk_config *config = NULL;
    if (zdk_config_from_env(&config) != ZDK_OK) {
        print_error("configuration");
        return 1;
    }
    zdk_client *client = NULL;
    zdk_result rc = zdk_client_new(config, &client);
    zdk_config_free(config);
    if (rc != ZDK_OK) {
        print_error("cannot create the client");
        return 1;
    }

    zdk_response *response = NULL; /* set for any HTTP answer, even an error */
    rc = zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response);
    if (rc != ZDK_OK) {
        print_error("GET /api/v2/users/me.json failed");
        zdk_response_free(response); /* NULL after a transport error: a no-op */
        zdk_client_free(client);
        return 1;
    }

    const char *body = (const char *)zdk_response_body(response, NULL); /* NUL-terminated */
    const char *user = member_start(body, "\"user\"");
    char id[32], name[256], email[256], role[64];
    int ok = user != NULL && member(user, "id", id, sizeof id) == 0 &&
             member(user, "name", name, sizeof name) == 0 && member(user, "email", email, sizeof email) == 0 &&
             member(user, "role", role, sizeof role) == 0;
    int status = 0;
    if (!ok) {
        fprintf(stderr, "whoami: unexpected answer from /api/v2/users/me.json: %.200s\n", body);
        status = 1;
    } else if (strcmp(id, "null") == 0) {
        /* Zendesk answers 200 "Anonymous user" when it did not take the credentials */
        fprintf(stderr,
                "whoami: Zendesk answered as an anonymous user (id null): the credentials were not "
                "accepted. Set ZENDESK_EMAIL + ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN.\n");
        status = 1;
    } else {
        printf("You are %s <%s> (role %s, id %s)\n", name, email, role, id);
    }
    if (status != 0) {
        const char *request_id = zdk_response_request_id(response);
        if (request_id != NULL) {
            fprintf(stderr, "whoami: request id %s\n", request_id);
        }
    }
    zdk_response_free(response);
    zdk_client_free(client);
    return status;
}

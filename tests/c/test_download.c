/*
 * zdk_client_download against zdkit-hostile's attachment cases: the account origin
 * answers the attachment's content_url with a 302 to another origin (the content
 * origin, served by the same process under another host name, so its request log
 * shows what reached it). Checks: the bytes arrive intact, by content_url and by
 * attachment id; the content origin never sees the credential; zdk_client_request
 * still refuses that redirect; zdk_client_download_max stops a larger body; a transfer
 * cut halfway leaves the old file as it was and no temporary file behind.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define CANARY "canary-download-c-3f9d"

static char server_url[256];
static zdk_client *control;
static char dir[256];

static unsigned char attachment_byte(unsigned long long i) {
    return (unsigned char)((i * 31u + 7u) % 256u);
}

/* True when the file holds exactly `size` bytes of the server's pattern. */
static int same_as_attachment(const char *path, unsigned long long size) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return 0;
    }
    unsigned long long i = 0;
    int c;
    int same = 1;
    while ((c = fgetc(file)) != EOF) {
        if (i >= size || (unsigned char)c != attachment_byte(i)) {
            same = 0;
            break;
        }
        i++;
    }
    fclose(file);
    return same && i == size;
}

static char *read_text(const char *path) {
    static char text[64];
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    size_t n = fread(text, 1, sizeof text - 1, file);
    text[n] = '\0';
    fclose(file);
    return text;
}

static void write_text(const char *path, const char *text) {
    FILE *file = fopen(path, "wb");
    CHECK(file != NULL);
    CHECK(fputs(text, file) >= 0);
    fclose(file);
}

/* Entries in the download directory (without . and ..). */
static int entries(void) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static char *server_log(const char *prefix) {
    char path[512];
    snprintf(path, sizeof path, "/__hostile/requests?prefix=%s", prefix);
    return control_call(control, "GET", path, NULL);
}

static zdk_client *client_for(const char *case_name) {
    char base[512];
    snprintf(base, sizeof base, "%s/case/%s/", server_url, case_name);
    zdk_config *config = NULL;
    CHECK_OK(zdk_config_new(&config));
    CHECK_OK(zdk_config_set_base_url(config, base));
    CHECK_OK(zdk_config_set_oauth_token(config, CANARY));
    CHECK_OK(zdk_config_set_max_retries(config, 1));
    CHECK_OK(zdk_config_set_max_response_bytes(config, 64 * 1024));
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new(config, &client));
    zdk_config_free(config);
    return client;
}

static void test_downloads(void) {
    zdk_client *client = client_for("attachment");
    char path[512];
    uint64_t bytes = 0;

    /* by id: 1 MiB, sixteen times max_response_bytes */
    snprintf(path, sizeof path, "%s/by-id.bin", dir);
    CHECK_OK(zdk_client_download(client, "1048576", path, &bytes));
    CHECK(bytes == 1048576u);
    CHECK(same_as_attachment(path, 1048576u));

    /* by content_url */
    char content_url[512];
    snprintf(content_url, sizeof content_url, "%s/case/attachment/attachments/token/t5000/?name=f.bin", server_url);
    snprintf(path, sizeof path, "%s/by-url.bin", dir);
    CHECK_OK(zdk_client_download_max(client, content_url, path, 5000, &bytes));
    CHECK(bytes == 5000u && same_as_attachment(path, 5000u));

    /* the content origin saw two requests, none with a credential */
    char *log = server_log("/case/content/");
    char count[32];
    CHECK(json_scalar(log, "count", count, sizeof count) != NULL);
    CHECK_STREQ(count, "2");
    CHECK(!contains(log, CANARY) && !contains(log, "uthorization"));
    free(log);

    /* an ordinary request still refuses the cross-origin redirect */
    zdk_response *response = NULL;
    CHECK_RC(zdk_client_request(client, "GET", content_url, NULL, 0, &response), ZDK_ERR_HTTP);
    CHECK(zdk_response_status(response) == 302);
    zdk_response_free(response);
    log = server_log("/case/content/");
    CHECK(json_scalar(log, "count", count, sizeof count) != NULL);
    CHECK_STREQ(count, "2");
    free(log);

    /* max_bytes: refused, the old file kept, nothing left behind */
    write_text(path, "old");
    bytes = 77;
    CHECK_RC(zdk_client_download_max(client, "6000", path, 4096, &bytes), ZDK_ERR_RESPONSE_TOO_LARGE);
    CHECK(bytes == 77);
    CHECK_STREQ(read_text(path), "old");
    CHECK(entries() == 2);

    /* an unwritable destination */
    snprintf(path, sizeof path, "%s/no/such/dir.bin", dir);
    CHECK_RC(zdk_client_download(client, content_url, path, &bytes), ZDK_ERR_INVALID_ARGUMENT);
    CHECK_RC(zdk_client_download(client, content_url, "", &bytes), ZDK_ERR_INVALID_ARGUMENT);
    zdk_client_free(client);

    /* a transfer cut halfway: a transport error, the old file untouched */
    client = client_for("attachment-cut");
    snprintf(path, sizeof path, "%s/by-url.bin", dir);
    CHECK_RC(zdk_client_download(client, "200000", path, &bytes), ZDK_ERR_TRANSPORT);
    CHECK_STREQ(read_text(path), "old");
    CHECK(entries() == 2);
    zdk_client_free(client);
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

int main(void) {
    emulator server;
    if (hostile_start(&server, 10000) != 0) {
        return 1;
    }
    snprintf(server_url, sizeof server_url, "%s", server.url);
    snprintf(dir, sizeof dir, "/tmp/zdkit-c-download-%ld", (long)getpid());
    CHECK(mkdir(dir, 0700) == 0);
    control = control_client(server_url);
    test_downloads();
    zdk_client_free(control);
    remove_dir();
    emulator_stop(&server);
    test_report("test_download");
    return 0;
}

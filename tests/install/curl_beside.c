/*
 * Links the installed libzdkit.a together with the system libcurl (-lcurl): the
 * program's own curl_* calls must reach the system's libcurl, not the copy built into
 * zdkit (the archive keeps only zdk_* global), and zdkit must still work.
 *
 *   EXPECT_CURL=libcurl/7.88.1 ZENDESK_URL=... ZENDESK_OAUTH_TOKEN=... ./curl_beside
 *
 * Prints curl_version(); exit 0 when it starts with EXPECT_CURL (followed by a space
 * or the end) and GET /api/v2/users/me.json answers 2xx through zdkit, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "zdkit.h"

int main(void) {
    const char *expect = getenv("EXPECT_CURL");
    const char *version = curl_version();
    printf("curl_version(): %s\n", version);
    size_t len = expect != NULL ? strlen(expect) : 0;
    if (len == 0 || strncmp(version, expect, len) != 0 || (version[len] != ' ' && version[len] != '\0')) {
        fprintf(stderr, "curl_beside: curl_version() is not the system's %s\n", expect != NULL ? expect : "(EXPECT_CURL unset)");
        return 1;
    }

    zdk_config *config = NULL;
    zdk_client *client = NULL;
    zdk_response *response = NULL;
    int status = 1;
    if (zdk_config_from_env(&config) == ZDK_OK && zdk_client_new(config, &client) == ZDK_OK &&
        zdk_client_request(client, "GET", "/api/v2/users/me.json", NULL, 0, &response) == ZDK_OK) {
        printf("zdkit: GET /api/v2/users/me.json answered %u\n", (unsigned)zdk_response_status(response));
        status = 0;
    } else {
        const char *message = zdk_last_error_message();
        fprintf(stderr, "curl_beside: zdkit failed: %s\n", message != NULL ? message : "(no message)");
    }
    zdk_response_free(response);
    zdk_client_free(client);
    zdk_config_free(config);
    return status;
}

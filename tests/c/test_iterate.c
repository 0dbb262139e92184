/*
 * Iteration from C, against an emulator seeded with 1,200 tickets and 250 users:
 * cursor pagers (tickets, a full walk over users), search with Zendesk's 1,000-result
 * limit (an error, not a quiet end), search export, a resumable incremental user
 * export, uploads (bytes and a file) and waiting for a background job. Every loop is
 * bounded.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define USERS 250
#define MAX_PAGES 100

static int count_of(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

/* Walks a pager to its end; returns the number of `needle` seen over all pages. */
static int walk(zdk_pager *pager, const char *needle, int *pages) {
    int total = 0;
    *pages = 0;
    CHECK(zdk_pager_has_more(pager) == 1);
    for (int i = 0; i < MAX_PAGES; i++) {
        zdk_response *page = NULL;
        zdk_result rc = zdk_pager_next(pager, &page);
        if (rc == ZDK_DONE) {
            CHECK(page == NULL);
            CHECK(zdk_pager_has_more(pager) == 0);
            return total;
        }
        CHECK_OK(rc);
        CHECK(zdk_response_status(page) == 200);
        total += count_of((const char *)zdk_response_body(page, NULL), needle);
        (*pages)++;
        zdk_response_free(page);
    }
    test_fail(__FILE__, __LINE__, "pager did not end within MAX_PAGES");
}

static void test_pager(zdk_client *client) {
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/tickets.json", "sort=id", &pager));
    zdk_response *page = NULL;
    CHECK_OK(zdk_pager_next(pager, &page));
    CHECK(count_of((const char *)zdk_response_body(page, NULL), "\"raw_subject\"") == 100);
    CHECK(zdk_pager_has_more(pager) == 1);
    CHECK(zdk_pager_after_cursor(pager) != NULL);
    zdk_response_free(page);
    /* a second page follows the cursor */
    const char *first_cursor = zdk_pager_after_cursor(pager);
    char saved[256];
    CHECK(strlen(first_cursor) < sizeof saved);
    strcpy(saved, first_cursor);
    page = NULL;
    CHECK_OK(zdk_pager_next(pager, &page));
    CHECK(count_of((const char *)zdk_response_body(page, NULL), "\"raw_subject\"") == 100);
    CHECK(zdk_pager_after_cursor(pager) != NULL && strcmp(zdk_pager_after_cursor(pager), saved) != 0);
    zdk_response_free(page);
    zdk_pager_free(pager);

    /* a full walk (users: 250, page size chosen by the caller); after the end it stays done */
    pager = NULL;
    CHECK_OK(zdk_pager_new(client, "/api/v2/users.json", "page[size]=100", &pager));
    int pages = 0;
    CHECK(walk(pager, "\"email\"", &pages) == USERS);
    CHECK(pages == 3);
    page = NULL;
    CHECK_RC(zdk_pager_next(pager, &page), ZDK_DONE);
    CHECK(page == NULL);
    zdk_pager_free(pager);
}

static void test_search(zdk_client *client) {
    /* more than 1,000 matches: the pager fails after them instead of ending quietly */
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_search_new(client, "type:ticket", &pager));
    int results = 0;
    zdk_result rc = ZDK_OK;
    for (int i = 0; i < MAX_PAGES; i++) {
        zdk_response *page = NULL;
        rc = zdk_pager_next(pager, &page);
        if (rc != ZDK_OK) {
            zdk_response_free(page);
            break;
        }
        results += count_of((const char *)zdk_response_body(page, NULL), "\"raw_subject\"");
        zdk_response_free(page);
    }
    CHECK_RC(rc, ZDK_ERR_VALIDATION);
    CHECK_STREQ(zdk_last_error_zendesk_code(), "SearchResultLimit");
    CHECK(results == 1000);
    zdk_pager_free(pager);

    /* search export (cursor, no cap) yields exactly what the search counts */
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", "/api/v2/search.json?query=type%3Aticket%20tags%3Avip&per_page=1",
                                NULL, 0, &response));
    char count[32];
    CHECK(json_scalar((const char *)zdk_response_body(response, NULL), "count", count, sizeof count) != NULL);
    zdk_response_free(response);
    int expected = atoi(count);
    CHECK(expected > 100 && expected < 1000);
    pager = NULL;
    CHECK_OK(zdk_search_export_new(client, "type:ticket tags:vip", "ticket", 100, &pager));
    int pages = 0;
    CHECK(walk(pager, "\"raw_subject\"", &pages) == expected);
    CHECK(pages == (expected + 99) / 100);
    zdk_pager_free(pager);
}

static void test_export(zdk_client *client) {
    zdk_export *export_ = NULL;
    CHECK_OK(zdk_export_new(client, "users", 0, NULL, 100, &export_));
    CHECK(zdk_export_cursor(export_) == NULL);
    int total = 0;
    int done = 0;
    for (int i = 0; i < MAX_PAGES && !done; i++) {
        zdk_response *page = NULL;
        zdk_result rc = zdk_export_next(export_, &page);
        if (rc == ZDK_DONE) {
            CHECK(page == NULL);
            done = 1;
            break;
        }
        CHECK_OK(rc);
        const char *body = (const char *)zdk_response_body(page, NULL);
        CHECK(body[0] == '[');
        total += count_of(body, "\"email\"");
        CHECK(zdk_export_cursor(export_) != NULL);
        zdk_response_free(page);
    }
    CHECK(done);
    CHECK(total == USERS);
    char cursor[512];
    CHECK(zdk_export_cursor(export_) != NULL && strlen(zdk_export_cursor(export_)) < sizeof cursor);
    strcpy(cursor, zdk_export_cursor(export_));
    zdk_export_free(export_);

    /* a cursor and a start time together are refused (not one silently preferred) */
    export_ = NULL;
    CHECK_RC(zdk_export_new(client, "users", 1700000000, cursor, 100, &export_), ZDK_ERR_INVALID_ARGUMENT);
    CHECK(export_ == NULL);
    CHECK(contains(zdk_last_error_message(), "cursor"));

    /* resuming from the saved cursor: nothing changed since, so no items */
    export_ = NULL;
    CHECK_OK(zdk_export_new(client, "users", 0, cursor, 100, &export_));
    total = 0;
    done = 0;
    for (int i = 0; i < MAX_PAGES; i++) {
        zdk_response *page = NULL;
        zdk_result rc = zdk_export_next(export_, &page);
        if (rc == ZDK_DONE) {
            done = 1;
            break;
        }
        CHECK_OK(rc);
        total += count_of((const char *)zdk_response_body(page, NULL), "\"email\"");
        zdk_response_free(page);
    }
    CHECK(done);
    CHECK(total == 0);
    zdk_export_free(export_);
}

/* JSON Lines: one item per line, each line one JSON object, the same items as the
 * array form (counted by their "email" keys). */
static void test_export_jsonl(zdk_client *client) {
    zdk_export *export_ = NULL;
    CHECK_OK(zdk_export_new(client, "users", 0, NULL, 7, &export_));
    int lines = 0;
    int emails = 0;
    int done = 0;
    for (int i = 0; i < MAX_PAGES; i++) {
        zdk_response *page = NULL;
        zdk_result rc = zdk_export_next_jsonl(export_, &page);
        if (rc == ZDK_DONE) {
            CHECK(page == NULL);
            done = 1;
            break;
        }
        CHECK_OK(rc);
        size_t len = 0;
        const char *body = (const char *)zdk_response_body(page, &len);
        CHECK(len == 0 || body[len - 1] == '\n');
        const char *line = body;
        while (line < body + len) {
            const char *end = memchr(line, '\n', (size_t)(body + len - line));
            CHECK(end != NULL);
            CHECK(line[0] == '{' && end[-1] == '}');
            lines++;
            line = end + 1;
        }
        emails += count_of(body, "\"email\"");
        zdk_response_free(page);
    }
    CHECK(done);
    CHECK(lines == USERS);
    CHECK(emails == USERS);
    zdk_export_free(export_);
}

static void test_uploads_and_jobs(zdk_client *client) {
    const char text[] = "attached from C\n";
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_upload(client, "note.txt", NULL, (const uint8_t *)text, strlen(text), NULL, &response));
    CHECK(zdk_response_status(response) == 201);
    char token[128];
    CHECK(json_string((const char *)zdk_response_body(response, NULL), "token", token, sizeof token) != NULL);
    zdk_response_free(response);

    /* a file streamed from disk, added to the same upload */
    char path[] = "/tmp/zdkit-c-upload-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    response = NULL;
    zdk_result rc = zdk_client_upload_file(client, "note2.txt", path, "text/plain", token, &response);
    unlink(path);
    CHECK_OK(rc);
    CHECK(zdk_response_status(response) == 201);
    char token2[128];
    CHECK(json_string((const char *)zdk_response_body(response, NULL), "token", token2, sizeof token2) != NULL);
    CHECK_STREQ(token2, token);
    zdk_response_free(response);

    /* a missing file is an error before anything is sent */
    response = NULL;
    CHECK(zdk_client_upload_file(client, "x.txt", "/nonexistent/zdkit/file", NULL, NULL, &response) != ZDK_OK);
    CHECK(response == NULL);

    /* create_many answers a job; wait for it */
    const char *body = "{\"tickets\":[{\"subject\":\"job 1\",\"comment\":{\"body\":\"a\"}},"
                       "{\"subject\":\"job 2\",\"comment\":{\"body\":\"b\"}}]}";
    response = NULL;
    CHECK_OK(zdk_client_request(client, "POST", "/api/v2/tickets/create_many.json", (const uint8_t *)body,
                                strlen(body), &response));
    const char *job = strstr((const char *)zdk_response_body(response, NULL), "\"job_status\"");
    CHECK(job != NULL);
    char job_id[128];
    CHECK(json_string(job, "id", job_id, sizeof job_id) != NULL);
    zdk_response_free(response);
    response = NULL;
    CHECK_OK(zdk_client_wait_for_job(client, job_id, 30000, &response));
    CHECK(response != NULL);
    char status[32];
    CHECK(json_string((const char *)zdk_response_body(response, NULL), "status", status, sizeof status) != NULL);
    CHECK_STREQ(status, "completed");
    zdk_response_free(response);

    /* an unknown job: 404 */
    response = NULL;
    CHECK_RC(zdk_client_wait_for_job(client, "no-such-job", 5000, &response), ZDK_ERR_NOT_FOUND);
    zdk_response_free(response);
}

int main(void) {
    emulator emu;
    static const char *const args[] = {"--tickets", "1200", "--users", "250", NULL};
    if (emulator_start(&emu, args, 10000) != 0) {
        return 1;
    }
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_api_token(emu.url, "agent@example.com", "emulator-api-token", &client));
    test_pager(client);
    test_search(client);
    test_export(client);
    test_export_jsonl(client);
    test_uploads_and_jobs(client);
    zdk_client_free(client);
    emulator_stop(&emu);
    test_report("test_iterate");
    return 0;
}

/*
 * The emulator's newer lists walked from C with zdk_pager: a ticket's comments one per
 * page, the organizations two per page, one organization's tickets, and Help Center
 * articles (cursor pages without links.next on the last one, and offset pages). Every
 * loop is bounded.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define MAX_PAGES 200

static int count_of(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

/* Walks `path` with `query`, handing each page's body to `each`; returns the page count. */
static int walk_pages(zdk_client *client, const char *path, const char *query,
                      void (*each)(const char *body, void *context), void *context) {
    zdk_pager *pager = NULL;
    CHECK_OK(zdk_pager_new(client, path, query, &pager));
    for (int pages = 0; pages < MAX_PAGES; pages++) {
        zdk_response *page = NULL;
        zdk_result rc = zdk_pager_next(pager, &page);
        if (rc == ZDK_DONE) {
            CHECK(page == NULL);
            zdk_pager_free(pager);
            return pages;
        }
        CHECK_OK(rc);
        CHECK(zdk_response_status(page) == 200);
        each((const char *)zdk_response_body(page, NULL), context);
        zdk_response_free(page);
    }
    test_fail(__FILE__, __LINE__, "pager did not end within MAX_PAGES");
}

struct needle_count {
    const char *needle;
    int total;
};

static void count_needle(const char *body, void *context) {
    struct needle_count *c = context;
    c->total += count_of(body, c->needle);
}

/* Walks `path` with `query`; returns how often `needle` appeared; counts pages. */
static int walk(zdk_client *client, const char *path, const char *query, const char *needle, int *pages) {
    struct needle_count c = {needle, 0};
    *pages = walk_pages(client, path, query, count_needle, &c);
    return c.total;
}

static void test_comments(zdk_client *client) {
    zdk_response *response = NULL;
    static const char body[] = "{\"ticket\":{\"comment\":{\"body\":\"from C\",\"public\":true}}}";
    CHECK_OK(zdk_client_request(client, "PUT", "/api/v2/tickets/8.json", (const uint8_t *)body, sizeof body - 1,
                                &response));
    zdk_response_free(response);
    int pages = 0;
    int comments = walk(client, "/api/v2/tickets/8/comments.json", "page[size]=1", "\"audit_id\"", &pages);
    CHECK(comments >= 2);
    CHECK(pages == comments);
    int again = 0;
    CHECK(walk(client, "/api/v2/tickets/8/comments.json", "page[size]=1", "\"body\":\"from C\"", &again) == 1);
}

static void test_organizations(zdk_client *client) {
    int pages = 0;
    CHECK(walk(client, "/api/v2/organizations.json", "page[size]=2", "\"organization_fields\"", &pages) == 7);
    CHECK(pages == 4);
    int tickets = 0;
    int total = 0;
    static const char *const orgs[] = {"360000000", "360000001", "360000002", "360000003",
                                       "360000004", "360000005", "360000006"};
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v2/organizations/%s/tickets.json", orgs[i]);
        char needle[64];
        snprintf(needle, sizeof needle, "\"organization_id\":%s", orgs[i]);
        total += walk(client, path, "page[size]=30", needle, &tickets);
    }
    CHECK(total == 150);
}

struct id_list {
    unsigned long long *ids;
    int max;
    int total;
};

static void collect_ids(const char *body, void *context) {
    struct id_list *list = context;
    for (const char *p = body; (p = strstr(p, "\"id\":")) != NULL; p += 5) {
        CHECK(list->total < list->max);
        list->ids[list->total++] = strtoull(p + 5, NULL, 10);
    }
}

/* Walks `path` with `query`, appending every `"id":N` of each page to `ids` (at most
 * `max`); returns how many there were. */
static int walk_ids(zdk_client *client, const char *path, const char *query, unsigned long long *ids, int max,
                    int *pages) {
    struct id_list list = {ids, max, 0};
    *pages = walk_pages(client, path, query, collect_ids, &list);
    return list.total;
}

static void check_ascending(const unsigned long long *ids, int n) {
    for (int i = 1; i < n; i++) {
        CHECK(ids[i - 1] < ids[i]);
    }
}

static void test_help_center(zdk_client *client) {
    enum { ARTICLES = 72 };
    unsigned long long cursor_ids[ARTICLES + 1];
    unsigned long long offset_ids[ARTICLES + 1];
    int pages = 0;
    CHECK(walk_ids(client, "/api/v2/help_center/en-us/articles.json", "page[size]=10", cursor_ids, ARTICLES + 1,
                   &pages) == ARTICLES);
    CHECK(pages == 8);
    check_ascending(cursor_ids, ARTICLES);
    CHECK(walk_ids(client, "/api/v2/help_center/articles.json", "per_page=7", offset_ids, ARTICLES + 1, &pages) ==
          ARTICLES);
    CHECK(pages == 11);
    CHECK(memcmp(cursor_ids, offset_ids, sizeof(unsigned long long) * ARTICLES) == 0);
    CHECK(walk(client, "/api/v2/help_center/sections/361200002/articles.json", "page[size]=3",
               "\"section_id\":361200002", &pages) == 8);
    CHECK(pages == 3);
}

int main(void) {
    emulator emu;
    static const char *const args[] = {"--tickets", "150", "--users", "30", NULL};
    if (emulator_start(&emu, args, 10000) != 0) {
        return 1;
    }
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_api_token(emu.url, "agent@example.com", "emulator-api-token", &client));
    test_comments(client);
    test_organizations(client);
    test_help_center(client);
    zdk_client_free(client);
    emulator_stop(&emu);
    test_report("test_lists");
    return 0;
}

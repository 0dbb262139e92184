/*
 * fork() after use. A client whose pool holds open connections (8 threads warmed it
 * up) is used, right after fork(), by the parent and by the child at the same time:
 * 150 requests each, for distinct tickets, and every answer must be the ticket that
 * was asked for. Before the core's fork fix, both processes took the same pooled
 * sockets and read each other's answers. The child's exit status carries its result
 * (and, under valgrind or the sanitizers, their verdict on the child's memory).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emulator.h"
#include "testutil.h"
#include "zdkit.h"

#define REQUESTS 150
#define WARM_THREADS 8
#define WARM_REQUESTS 5

/* GET ticket `id` and check the answer is that ticket (its id and its own url). */
static void check_ticket(const zdk_client *client, int id) {
    char path[64];
    snprintf(path, sizeof path, "/api/v2/tickets/%d.json", id);
    zdk_response *response = NULL;
    CHECK_OK(zdk_client_request(client, "GET", path, NULL, 0, &response));
    CHECK(zdk_response_status(response) == 200);
    const char *body = (const char *)zdk_response_body(response, NULL);
    char id_field[32];
    snprintf(id_field, sizeof id_field, "\"id\":%d,", id);
    CHECK(contains(body, id_field));
    char url[256];
    CHECK(json_string_last(body, "url", url, sizeof url) != NULL);
    CHECK(strlen(url) > strlen(path));
    CHECK_STREQ(url + strlen(url) - strlen(path), path);
    zdk_response_free(response);
}

typedef struct warm_worker {
    const zdk_client *client;
    int index;
} warm_worker;

static void *warm(void *arg) {
    const warm_worker *w = arg;
    for (int i = 0; i < WARM_REQUESTS; i++) {
        check_ticket(w->client, 1 + (w->index * WARM_REQUESTS + i) % 40);
    }
    return NULL;
}

int main(void) {
    emulator emu;
    static const char *const args[] = {"--tickets", "400", NULL};
    if (emulator_start(&emu, args, 10000) != 0) {
        return 1;
    }
    zdk_client *client = NULL;
    CHECK_OK(zdk_client_new_oauth(emu.url, "emulator-oauth-token", &client));

    /* use before fork: several connections opened at once stay in the pool */
    pthread_t threads[WARM_THREADS];
    warm_worker workers[WARM_THREADS];
    for (int t = 0; t < WARM_THREADS; t++) {
        workers[t].client = client;
        workers[t].index = t;
        CHECK(pthread_create(&threads[t], NULL, warm, &workers[t]) == 0);
    }
    for (int t = 0; t < WARM_THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
    }

    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        /* the child: tickets 201..350 on the inherited client; a failed check exits 1 */
        for (int i = 0; i < REQUESTS; i++) {
            check_ticket(client, 201 + i);
        }
        zdk_client_free(client);
        test_report("test_fork (child)");
        /* exit, not _exit: the leak checks (valgrind, LeakSanitizer) cover the child
         * too; the emulator's exit handler only acts in the process that started it */
        exit(0);
    }
    /* the parent: tickets 1..150 on the same client, at the same time */
    for (int i = 0; i < REQUESTS; i++) {
        check_ticket(client, 1 + i);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    /* the parent's client still works after the child is gone */
    check_ticket(client, 399);
    zdk_client_free(client);
    emulator_stop(&emu);
    test_report("test_fork (parent)");
    return 0;
}

/*
 * Starts and stops zdkit-emulator for the C tests.
 *
 * The emulator prints one JSON line on stdout first:
 *   {"url": "http://127.0.0.1:PORT", "ca_file": null}
 * We read it through a pipe with poll() so a hung emulator cannot hang a test.
 */
#define _POSIX_C_SOURCE 200809L

#include "emulator.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32
#define MAX_EMULATORS 4

static emulator *running[MAX_EMULATORS];
static int atexit_registered;
/* The process that started the emulators: a forked child exiting must not stop them. */
static pid_t owner_pid;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void stop_all_at_exit(void) {
    if (getpid() != owner_pid) {
        return;
    }
    for (int i = 0; i < MAX_EMULATORS; i++) {
        if (running[i] != NULL) {
            emulator_stop(running[i]);
        }
    }
}

static void track(emulator *emu, int add) {
    for (int i = 0; i < MAX_EMULATORS; i++) {
        if (add && running[i] == NULL) {
            running[i] = emu;
            return;
        }
        if (!add && running[i] == emu) {
            running[i] = NULL;
            return;
        }
    }
}

/* Copies the value of "url" from the JSON line into out. */
static int extract_url(const char *line, char *out, size_t out_size) {
    const char *key = strstr(line, "\"url\"");
    if (key == NULL) {
        return -1;
    }
    const char *p = key + strlen("\"url\"");
    while (*p == ' ' || *p == '\t' || *p == ':') {
        p++;
    }
    if (*p != '"') {
        return -1;
    }
    p++;
    const char *end = strchr(p, '"');
    if (end == NULL || (size_t)(end - p) >= out_size || end == p) {
        return -1;
    }
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 0;
}

int emulator_start(emulator *emu, const char *const *extra_args, int timeout_ms) {
    memset(emu, 0, sizeof *emu);
    emu->stdout_fd = -1;
    const char *path = getenv("ZDKIT_EMULATOR");
    if (path == NULL || path[0] == '\0') {
        fprintf(stderr, "emulator: set ZDKIT_EMULATOR to the zdkit-emulator binary\n");
        return -1;
    }
    const char *argv[MAX_ARGS];
    int argc = 0;
    argv[argc++] = path;
    argv[argc++] = "--host";
    argv[argc++] = "127.0.0.1";
    argv[argc++] = "--port";
    argv[argc++] = "0";
    for (int i = 0; extra_args != NULL && extra_args[i] != NULL && argc < MAX_ARGS - 1; i++) {
        argv[argc++] = extra_args[i];
    }
    argv[argc] = NULL;

    int fds[2];
    if (pipe(fds) != 0) {
        perror("emulator: pipe");
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("emulator: fork");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        /* child: stdout -> pipe, stdin from /dev/null, stderr inherited */
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            close(devnull);
        }
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(path, (char *const *)argv);
        fprintf(stderr, "emulator: cannot run %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    emu->pid = pid;
    emu->stdout_fd = fds[0];
    if (!atexit_registered) {
        owner_pid = getpid();
        atexit(stop_all_at_exit);
        atexit_registered = 1;
    }
    track(emu, 1);

    char line[1024];
    size_t used = 0;
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            fprintf(stderr, "emulator: no first line within %d ms\n", timeout_ms);
            emulator_stop(emu);
            return -1;
        }
        struct pollfd pfd = {.fd = emu->stdout_fd, .events = POLLIN, .revents = 0};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            continue; /* the deadline check above ends the loop */
        }
        ssize_t n = read(emu->stdout_fd, line + used, sizeof line - 1 - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "emulator: exited before printing its URL\n");
            emulator_stop(emu);
            return -1;
        }
        used += (size_t)n;
        line[used] = '\0';
        if (strchr(line, '\n') != NULL) {
            break;
        }
        if (used == sizeof line - 1) {
            fprintf(stderr, "emulator: first line too long\n");
            emulator_stop(emu);
            return -1;
        }
    }
    if (extract_url(line, emu->url, sizeof emu->url) != 0) {
        fprintf(stderr, "emulator: no \"url\" in first line: %s", line);
        emulator_stop(emu);
        return -1;
    }
    return 0;
}

void emulator_stop(emulator *emu) {
    if (emu->pid > 0) {
        kill(emu->pid, SIGTERM);
        int status = 0;
        long long deadline = now_ms() + 5000;
        for (;;) {
            pid_t r = waitpid(emu->pid, &status, WNOHANG);
            if (r == emu->pid || (r < 0 && errno != EINTR)) {
                break;
            }
            if (now_ms() > deadline) {
                kill(emu->pid, SIGKILL);
                waitpid(emu->pid, &status, 0);
                break;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        emu->pid = 0;
    }
    if (emu->stdout_fd >= 0) {
        close(emu->stdout_fd);
        emu->stdout_fd = -1;
    }
    track(emu, 0);
}

int hostile_start(emulator *server, int timeout_ms) {
    const char *hostile = getenv("ZDKIT_HOSTILE");
    if (hostile == NULL || hostile[0] == '\0') {
        fprintf(stderr, "set ZDKIT_HOSTILE to the zdkit-hostile binary\n");
        return -1;
    }
    /* emulator_start runs $ZDKIT_EMULATOR; --json makes zdkit-hostile announce itself
     * as the emulator does. */
    if (setenv("ZDKIT_EMULATOR", hostile, 1) != 0) {
        perror("setenv");
        return -1;
    }
    const char *const args[] = {"--json", NULL};
    return emulator_start(server, args, timeout_ms);
}

/*
 * Starts and stops zdkit-emulator for the C tests (POSIX: fork/exec, a pipe, SIGTERM).
 */
#ifndef ZDKIT_TEST_EMULATOR_H
#define ZDKIT_TEST_EMULATOR_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct emulator {
    pid_t pid;       /* the emulator process, or 0 when not running */
    int stdout_fd;   /* read end of its stdout, kept open until emulator_stop */
    char url[256];   /* "http://127.0.0.1:PORT" */
} emulator;

/*
 * Starts `$ZDKIT_EMULATOR --port 0` (extra_args, NULL-terminated, are appended; may
 * be NULL), reads the first stdout line within timeout_ms and extracts the URL.
 * Returns 0 on success, -1 (with a message on stderr) on failure. Registers an
 * atexit handler so the process is killed even when a check fails.
 */
int emulator_start(emulator *emu, const char *const *extra_args, int timeout_ms);

/*
 * Starts `$ZDKIT_HOSTILE --json` (zdkit-hostile, announcing itself as the emulator does)
 * the same way. Returns 0, or -1 with a message on stderr (also when ZDKIT_HOSTILE is
 * unset).
 */
int hostile_start(emulator *server, int timeout_ms);

/* Sends SIGTERM and waits for the process (SIGKILL after 5 s). Idempotent. */
void emulator_stop(emulator *emu);

#ifdef __cplusplus
}
#endif

#endif

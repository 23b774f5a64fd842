/* Clean shutdown: sessions made and freed in a loop, each reaching Connected, leave no thread
 * and no file descriptor behind. The first session starts the library's network threads and
 * freeing the last one joins them, so the counts go back to what they were before.
 *
 * One allowance: when the library is built with tokio's `signal` or `process` support (as it is
 * for these tests: the mediator and the test dependencies enable them), tokio opens one
 * process-wide socket pair with the first runtime and keeps it for the life of the process. So
 * the baseline is taken after a warm-up session, which may add at most those two descriptors
 * (and no thread); the shipped library, built without the `server` feature, adds none. */
#include "harness.h"

#include <dirent.h>
#include <unistd.h>

#define ROUNDS 30

/* How many entries a /proc directory has (without . and ..). */
static int entries(const char *path) {
    DIR *d = opendir(path);
    struct dirent *ent;
    int n = 0;
    if (d == NULL) H_FAIL("cannot open %s", path);
    while ((ent = readdir(d)) != NULL)
        if (ent->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static int threads(void) { return entries("/proc/self/task"); }

/* Open descriptors, less the one opendir holds while counting. */
static int fds(void) { return entries("/proc/self/fd") - 1; }

/* Waits (bounded) until the thread and fd counts are back at the baseline. */
static void expect_baseline(int base_threads, int base_fds, int round) {
    int64_t end = h_now_ms() + h()->wait_ms;
    if (round < 0) {
        /* The warm-up: no thread left, and at most tokio's process-wide socket pair. */
        while (threads() != base_threads || fds() > base_fds + 2) {
            if (h_now_ms() > end) H_FAIL("warm-up: %d threads and %d fds, baseline %d and %d", threads(), fds(), base_threads, base_fds);
            h_nap();
        }
        return;
    }
    while (threads() != base_threads || fds() != base_fds) {
        if (h_now_ms() > end) {
            DIR *d = opendir("/proc/self/fd");
            struct dirent *ent;
            char path[300], target[300];
            while (d != NULL && (ent = readdir(d)) != NULL) {
                ssize_t n;
                snprintf(path, sizeof path, "/proc/self/fd/%s", ent->d_name);
                n = readlink(path, target, sizeof target - 1);
                if (n >= 0) {
                    target[n] = '\0';
                    fprintf(stderr, "fd %s -> %s\n", ent->d_name, target);
                }
            }
            if (d != NULL) closedir(d);
            H_FAIL("round %d: %d threads and %d fds, expected %d and %d", round, threads(), fds(), base_threads, base_fds);
        }
        h_nap();
    }
}

int main(int argc, char **argv) {
    int base_threads, base_fds, round, peak_threads = 0;
    mixplay_config *discover, *fixed;

    h_init(argc, argv);
    discover = h_config();
    fixed = h_config();
    H_OK(mixplay_config_add_endpoint(fixed, h()->ws_url));
    base_threads = threads();
    base_fds = fds();
    {
        mixplay_session *warm = h_connect(discover);
        H_OK(mixplay_session_free(warm));
        expect_baseline(base_threads, base_fds, -1);
        base_fds = fds();
    }

    for (round = 0; round < ROUNDS; round++) {
        mixplay_session *s = NULL;
        mixplay_event e;
        int64_t end = h_now_ms() + h()->wait_ms;
        uint32_t state = 0;
        /* Odd rounds connect to the endpoint directly, even rounds through discovery. */
        H_OK(mixplay_session_new(round % 2 ? fixed : discover, &s));
        while (state != MIXPLAY_CONNECTION_STATE_CONNECTED) {
            if (h_poll1(s, &e)) {
                if (e.kind == MIXPLAY_EVENT_KIND_CONNECTION && e.connection_state == MIXPLAY_CONNECTION_STATE_DISCONNECTED) {
                    /* 4021: the mediator had not yet noticed the previous round's session go (its
                     * close is asynchronous). Make the session again, within the deadline. */
                    if (e.code != 4021) H_FAIL("round %d: disconnected with %u: %.*s", round, e.code, (int)e.text.len, e.text.ptr);
                    H_OK(mixplay_session_free(s));
                    s = NULL;
                    h_nap();
                    H_OK(mixplay_session_new(round % 2 ? fixed : discover, &s));
                    continue;
                }
                H_OK(mixplay_session_connection_state(s, &state));
            } else {
                if (h_now_ms() > end) H_FAIL("round %d: not connected in time", round);
                h_nap();
            }
        }
        if (threads() > peak_threads) peak_threads = threads();
        H_OK(mixplay_session_free(s));
        expect_baseline(base_threads, base_fds, round);
    }
    H_CHECK(peak_threads > base_threads); /* the network threads did run */

    H_OK(mixplay_config_free(discover));
    H_OK(mixplay_config_free(fixed));
    expect_baseline(base_threads, base_fds, ROUNDS);
    h_done();
    return 0;
}

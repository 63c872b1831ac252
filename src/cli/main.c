/* georeach: the command line.  Every command is a library app (apps.h)
 * built from argv; this file holds the command table, progress on stderr,
 * signals and exit codes: 0 ok, 1 bad data or file, 2 bad command line,
 * 130 interrupted; a closed pipe on stdout ends the run as SIGPIPE would. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "georeach/georeach.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* Set by SIGINT/SIGTERM/SIGHUP; the progress callback then asks every
 * library loop to stop, and the library cleans up before returning. */
static volatile sig_atomic_t g_stop = 0;
static int stop_requested(void *data) {
  (void)data;
  return g_stop;
}

static void notice(const char *message, void *data) {
  (void)data;
  fprintf(stderr, "georeach: %s\n", message);
}

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

struct bar {
  int ticks; /* of 40 */
  int draw;  /* 1: draw the fraction when the app says it is worth it */
};

/* GDAL's "0...10...20" on stderr (GDAL prints progress to stdout; ours goes
 * with the errors).  Returns 0 once a signal came or stdout failed. */
static int progress(double done, const char *message, void *data) {
  struct bar *b = data;
  if (message && b->draw) {
    int tick = (int)(done * 40);
    while (b->ticks < tick && b->ticks < 40) {
      b->ticks++;
      if (b->ticks % 4 == 0)
        fprintf(stderr, "%d", b->ticks / 4 * 10);
      else
        fputc('.', stderr);
      if (b->ticks == 40) fputs(" - done.\n", stderr);
    }
    fflush(stderr);
  }
  return !g_stop && !ferror(stdout);
}

static void note(const char *message, void *data) {
  struct bar *b = data;
  if (b->ticks > 0 && b->ticks < 40) fputc('\n', stderr), b->ticks = 40;
  fprintf(stderr, "georeach: %s\n", message);
}

/* The reader of our stdout pipe has gone (`georeach ... -o - | head`). */
static int stdout_closed_pipe(void) {
  struct pollfd p = {STDOUT_FILENO, 0, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

static int exit_code(enum reach_status st) {
  return st == REACH_OK                ? 0
         : st == REACH_ERR_ARG         ? EXIT_USAGE
         : st == REACH_ERR_INTERRUPTED ? EXIT_INTERRUPTED
                                       : EXIT_DATA;
}

static int run(struct reach_ctx *ctx, const char *command, int argc, char **argv) {
  struct bar bar = {0, 0};
  enum reach_status st = REACH_OK;
  struct reach_app *app = reach_app_new(ctx, command, argc, (const char *const *)argv);
  if (!app) {
    st = reach_errno(ctx);
  } else {
    int show = reach_app_show_progress(app);
    bar.draw = show > 0 || (show == 0 && isatty(STDERR_FILENO));
    reach_app_set_progress(app, progress, &bar);
    reach_app_set_progress_drawn(app, bar.draw);
    reach_app_set_output(app, stdout, note, &bar);
    st = reach_app_run(ctx, app);
    reach_app_free(app); /* the library has cleaned up by now */
  }
  errno = 0;
  int out_failed = fflush(stdout) != 0 || ferror(stdout);
  int out_errno = errno;
  if ((st || out_failed) && stdout_closed_pipe()) return -1;
  if (bar.ticks > 0 && bar.ticks < 40 && (st || out_failed)) fputc('\n', stderr);
  /* a stop asked by the progress callback for a failed stdout is that failure */
  if (st == REACH_ERR_INTERRUPTED && out_failed && !g_stop) st = REACH_OK;
  int code = exit_code(st);
  if (st) {
    fprintf(stderr, "georeach: %s\n", *reach_errmsg(ctx) ? reach_errmsg(ctx) : "failed");
  } else if (out_failed) {
    fprintf(stderr, "georeach: standard output: %s\n",
            out_errno ? strerror(out_errno) : "write error");
    code = EXIT_DATA;
  }
  return code;
}

int main(int argc, char **argv) {
  /* first of all: a signal during start-up must not kill us outright */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN); /* a closed pipe is an EPIPE we handle */
  signal(SIGXFSZ, SIG_IGN); /* a file-size limit is a write error (EFBIG) we report */
  const char *cmd = argc > 1 ? argv[1] : NULL;
  int code = -2;
  if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    reach_app_help(NULL, stdout);
    code = cmd ? 0 : EXIT_USAGE;
  } else if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    struct reach_ctx *ctx = reach_ctx_new();
    reach_app_version(ctx, stdout);
    reach_ctx_free(ctx);
    code = 0;
  } else {
    int known = 0;
    for (const char *const *c = reach_app_commands(); *c; c++) known |= !strcmp(*c, cmd);
    if (!known) {
      fprintf(stderr, "georeach: unknown command '%s' (see 'georeach --help')\n", cmd);
      return EXIT_USAGE;
    }
  }
  if (code == -2) {
    reach_io_silence_gdal();
    struct reach_ctx *ctx = reach_ctx_new();
    if (!ctx) {
      fprintf(stderr, "georeach: cannot start: PROJ's database (proj.db) or GEOS is missing\n");
      return EXIT_DATA;
    }
    /* a wait for input (a FIFO with no writer) stops on a signal too; notices
     * (names that were not UTF-8, ...) go to stderr like every note */
    reach_ctx_set_interrupt(ctx, stop_requested, NULL);
    reach_ctx_set_notice(ctx, notice, NULL);
    code = run(ctx, cmd, argc - 2, argv + 2);
    reach_ctx_free(ctx);
    if (!strcmp(cmd, "map")) reach_map_release_fonts(); /* once, at exit */
  }
  if (code >= 0) {
    errno = 0;
    /* EBADF with nothing pending (flushed in run()): stdout was closed and
     * never written to, as with 'rings -o FILE >&-' */
    if (fclose(stdout) == 0 || errno == EBADF) return code;
    if (errno != EPIPE) {
      if (code == 0)
        fprintf(stderr, "georeach: standard output: %s\n", strerror(errno));
      return code ? code : EXIT_DATA;
    }
  }
  /* the reader went away: end as the shell expects of a closed pipe */
  signal(SIGPIPE, SIG_DFL);
  raise(SIGPIPE);
  return 128 + SIGPIPE;
}

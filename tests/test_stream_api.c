/* The staged stream (reach_stream_*, include/georeach/io.h): what reaches
 * the destination, and when.  Each check is against the file system itself
 * (contents read back, stat() of FIFOs, directory listings), never against
 * the library's own report. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "georeach/context.h"
#include "georeach/io.h"

static char dir[PATH_MAX];

static char *at(const char *name) {
  static char buf[2][PATH_MAX + 64];
  static int k;
  k ^= 1;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  fputs(text, f);
  fclose(f);
}

/* whole contents, "" when absent (static) */
static const char *get(const char *path) {
  static char buf[1 << 16];
  buf[0] = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return buf;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}

/* how many ".georeach-" entries the folder holds */
static int staging_left(const char *d) {
  DIR *dd = opendir(d);
  int n = 0;
  struct dirent *e;
  while (dd && (e = readdir(dd)) != NULL) n += !strncmp(e->d_name, ".georeach-", 10);
  if (dd) closedir(dd);
  return n;
}

static enum reach_status write_text(struct reach_ctx *ctx, const char *path, int ow,
                                    const char *text) {
  struct reach_stream *s;
  enum reach_status st = reach_stream_open(ctx, path, ow, &s);
  if (st != REACH_OK) return st;
  fputs(text, reach_stream_file(s));
  return reach_stream_commit(ctx, s);
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/georeach-stream-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!ctx || !mkdtemp(dir)) return 1;

  /* plain: nothing at the destination before the commit, all of it after */
  struct reach_stream *s;
  CHECK(reach_stream_open(ctx, at("a.csv"), 0, &s) == REACH_OK, "open: %s", reach_errmsg(ctx));
  fputs("x,y\n1,2\n", reach_stream_file(s));
  fflush(reach_stream_file(s));
  CHECK(access(at("a.csv"), F_OK) != 0, "a.csv exists before the commit");
  CHECK(staging_left(dir) == 1, "one staging file while open, got %d", staging_left(dir));
  CHECK(reach_stream_commit(ctx, s) == REACH_OK, "commit: %s", reach_errmsg(ctx));
  CHECK(!strcmp(get(at("a.csv")), "x,y\n1,2\n"), "contents: '%s'", get(at("a.csv")));
  CHECK(staging_left(dir) == 0, "staging left after commit: %d", staging_left(dir));

  /* exists: refused at open without overwrite; replaced with it */
  CHECK(write_text(ctx, at("a.csv"), 0, "new\n") == REACH_ERR_IO, "existing file not refused");
  CHECK(!strcmp(get(at("a.csv")), "x,y\n1,2\n"), "refused open changed the file");
  CHECK(write_text(ctx, at("a.csv"), 1, "new\n") == REACH_OK, "overwrite: %s", reach_errmsg(ctx));
  CHECK(!strcmp(get(at("a.csv")), "new\n"), "overwrite contents: '%s'", get(at("a.csv")));
  CHECK(reach_stream_check(ctx, at("a.csv"), 0) == REACH_ERR_IO, "check: exists not refused");
  CHECK(reach_stream_check(ctx, at("free.csv"), 0) == REACH_OK, "check: %s", reach_errmsg(ctx));
  CHECK(reach_stream_check(ctx, dir, 1) == REACH_ERR_IO, "check: a folder not refused");

  /* the race: two writers both pass the open check; exactly one wins */
  struct reach_stream *s1, *s2;
  CHECK(reach_stream_open(ctx, at("race.csv"), 0, &s1) == REACH_OK, "race open 1");
  CHECK(reach_stream_open(ctx, at("race.csv"), 0, &s2) == REACH_OK, "race open 2");
  fputs("first\n", reach_stream_file(s1));
  fputs("second\n", reach_stream_file(s2));
  CHECK(reach_stream_commit(ctx, s1) == REACH_OK, "race commit 1: %s", reach_errmsg(ctx));
  CHECK(reach_stream_commit(ctx, s2) == REACH_ERR_IO, "race: second commit replaced the first");
  CHECK(strstr(reach_errmsg(ctx), "exists") != NULL, "race message: %s", reach_errmsg(ctx));
  CHECK(!strcmp(get(at("race.csv")), "first\n"), "race contents: '%s'", get(at("race.csv")));
  CHECK(staging_left(dir) == 0, "race left staging: %d", staging_left(dir));

  /* abort: nothing at the destination, nothing staged */
  CHECK(reach_stream_open(ctx, at("ab.csv"), 0, &s) == REACH_OK, "abort open");
  fputs("junk\n", reach_stream_file(s));
  reach_stream_abort(s);
  CHECK(access(at("ab.csv"), F_OK) != 0 && staging_left(dir) == 0, "abort left something");

  /* a FIFO is written through and stays a FIFO (no overwrite needed) */
  CHECK(mkfifo(at("p.csv"), 0600) == 0, "mkfifo");
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pid_t kid = fork();
  if (kid == 0) { /* the FIFO's reader: copies it to the pipe */
    close(fds[0]);
    int in = open(at("p.csv"), O_RDONLY);
    char b[256];
    ssize_t n;
    while ((n = read(in, b, sizeof b)) > 0)
      if (write(fds[1], b, (size_t)n) != n) break;
    _exit(0);
  }
  close(fds[1]);
  CHECK(write_text(ctx, at("p.csv"), 0, "through\n") == REACH_OK, "fifo: %s", reach_errmsg(ctx));
  char got[64] = "";
  ssize_t n = read(fds[0], got, sizeof got - 1);
  got[n > 0 ? n : 0] = 0;
  close(fds[0]);
  waitpid(kid, NULL, 0);
  struct stat sb;
  CHECK(stat(at("p.csv"), &sb) == 0 && S_ISFIFO(sb.st_mode), "the FIFO was replaced");
  CHECK(!strcmp(got, "through\n"), "fifo reader got '%s'", got);
  CHECK(staging_left(dir) == 0, "fifo left staging");

  /* a closed pipe on "-": REACH_ERR_IO with errno EPIPE, and no death */
  int out = dup(STDOUT_FILENO);
  if (pipe(fds) != 0) return 1;
  dup2(fds[1], STDOUT_FILENO);
  close(fds[1]);
  close(fds[0]); /* the reader is gone */
  CHECK(reach_stream_open(ctx, "-", 0, &s) == REACH_OK, "stdout open");
  for (int i = 0; i < 20000; i++) fputs("0123456789012345678901234567890123456789\n",
                                        reach_stream_file(s));
  enum reach_status st = reach_stream_commit(ctx, s);
  int e = errno;
  dup2(out, STDOUT_FILENO);
  close(out);
  CHECK(st == REACH_ERR_IO && e == EPIPE, "closed pipe: status %d errno %d (%s)", st, e,
        reach_errmsg(ctx));
  sigset_t pend;
  sigpending(&pend);
  CHECK(!sigismember(&pend, SIGPIPE), "a SIGPIPE was left pending");

  /* a write error (file size limit, SIGXFSZ ignored as a shell's trap ''
   * would): the commit fails with the reason, the old file stays */
  put(at("big.csv"), "old\n");
  pid_t k2 = fork();
  if (k2 == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {100000, 100000};
    setrlimit(RLIMIT_FSIZE, &rl);
    struct reach_stream *b;
    if (reach_stream_open(ctx, at("big.csv"), 1, &b) != REACH_OK) _exit(2);
    for (int i = 0; i < 10000; i++) fputs("0123456789012345678901234567890123456789\n",
                                          reach_stream_file(b));
    st = reach_stream_commit(ctx, b);
    int ee = errno;
    fprintf(stderr, "# write error: %s\n", reach_errmsg(ctx));
    _exit(st == REACH_ERR_IO && ee == EFBIG && strstr(reach_errmsg(ctx), "too large") ? 0 : 1);
  }
  int ws = -1;
  waitpid(k2, &ws, 0);
  CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "EFBIG not reported as such (status %d)", ws);
  CHECK(!strcmp(get(at("big.csv")), "old\n"), "failed write replaced the old file");
  CHECK(staging_left(dir) == 0, "failed write left staging");

  /* a 250-byte file name (the staging name is short whatever the name) */
  char name[251];
  memset(name, 'n', 246);
  strcpy(name + 246, ".csv");
  CHECK(write_text(ctx, at(name), 0, "long name\n") == REACH_OK, "250-byte name: %s",
        reach_errmsg(ctx));
  CHECK(!strcmp(get(at(name)), "long name\n"), "250-byte name contents");

  /* a path longer than PATH_MAX: folders made one at a time */
  char *longp = malloc(8192);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  snprintf(longp, 8192, "%s", dir);
  char comp[201];
  memset(comp, 'd', 200);
  comp[200] = 0;
  for (int i = 0; i < 25; i++) {
    mkdirat(dfd, comp, 0700);
    int next = openat(dfd, comp, O_RDONLY | O_DIRECTORY);
    close(dfd);
    dfd = next;
    strcat(longp, "/");
    strcat(longp, comp);
  }
  strcat(longp, "/deep.csv");
  CHECK(strlen(longp) > PATH_MAX, "path of %zu bytes", strlen(longp));
  CHECK(write_text(ctx, longp, 0, "deep\n") == REACH_OK, "long path: %s", reach_errmsg(ctx));
  int dd = openat(dfd, "deep.csv", O_RDONLY);
  char db[16] = "";
  CHECK(dd >= 0 && read(dd, db, sizeof db - 1) == 5 && !strcmp(db, "deep\n"),
        "long path: not where it was asked");
  if (dd >= 0) close(dd);
  CHECK(write_text(ctx, longp, 0, "again\n") == REACH_ERR_IO, "long path: exists not refused");
  close(dfd);
  free(longp);

  /* the staging entries of a dead process are removed by the next open in
   * the folder; a live process's are not */
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, NULL, 0);
  char stale[64], live[64];
  snprintf(stale, sizeof stale, ".georeach-%ld-0badf00d", (long)dead);
  snprintf(live, sizeof live, ".georeach-%ld-0badf00d", (long)getppid());
  put(at(stale), "left by kill -9\n");
  mkdir(at(live), 0700);
  CHECK(write_text(ctx, at("next.csv"), 0, "next\n") == REACH_OK, "next: %s", reach_errmsg(ctx));
  CHECK(access(at(stale), F_OK) != 0, "a dead run's staging file was not removed");
  CHECK(access(at(live), F_OK) == 0, "a live run's staging folder was removed");
  rmdir(at(live));

  reach_ctx_free(ctx);
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
  return CHECK_DONE();
}

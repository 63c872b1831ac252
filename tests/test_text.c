/* The text rules (UTF-8 cleaning and cutting, control-character escaping),
 * the one redaction function, the range check, and the reader's refusals
 * (control characters in a coordinate cell, points far outside a projected
 * CRS, an interrupt while reading or waiting on a FIFO).  The expected
 * replacements are Python's bytes.decode("utf-8", "replace") (Unicode's
 * substitution of maximal subparts), computed outside and written here. */
#define _DEFAULT_SOURCE /* mkdtemp, usleep, clock_gettime */
#include <cpl_vsi.h>
#include <dirent.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "georeach/georeach.h"

/* internal (core/internal.h), tested for the aliasing of its argument */
enum reach_status reach_fail(struct reach_ctx *ctx, enum reach_status status,
                             const char *fmt, ...);

static int one_line(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7F) return 0;
  return 1;
}

static void hex(const char *s, char *out) {
  for (; *s; s++, out += 2) sprintf(out, "%02x", (unsigned char)*s);
  *out = '\0';
}

static void test_clean(void) {
  static const struct {
    const char *in, *hex;
    size_t nbad;
  } c[] = {
      {"ok \xc3\xa9", "6f6b20c3a9", 0},
      {"\xff", "efbfbd", 1},
      {"a\xc0\xaf" "b", "61efbfbdefbfbd62", 2},
      {"\xed\xa0\x80x", "efbfbdefbfbdefbfbd78", 3},
      {"\xf4\x90\x80\x80", "efbfbdefbfbdefbfbdefbfbd", 4},
      {"\xe2\x82", "efbfbd", 1},
      {"\xe2\x82\xacz", "e282ac7a", 0},
      {"\xf0\x9f\x98\x80", "f09f9880", 0},
      {"\x80\x80", "efbfbdefbfbd", 2},
      {"\xe0\x80\xaf", "efbfbdefbfbdefbfbd", 3},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char out[64], h[160];
    size_t nbad = 0;
    reach_utf8_clean(out, sizeof out, c[i].in, &nbad);
    hex(out, h);
    CHECK(strcmp(h, c[i].hex) == 0 && nbad == c[i].nbad,
          "clean case %zu: %s (%zu bad), want %s (%zu)", i, h, nbad, c[i].hex, c[i].nbad);
  }
  /* 70 x e-acute (140 bytes) into a name of 128: 63 whole characters */
  char in[200] = "", out[REACH_NAME_LEN];
  for (int i = 0; i < 70; i++) strcat(in, "\xc3\xa9");
  size_t n = reach_utf8_clean(out, sizeof out, in, NULL);
  CHECK(n == 126 && strlen(out) == 126 && strncmp(out, in, 126) == 0,
        "cut at a character boundary: %zu bytes", n);
  /* a 4-byte character that does not fit is left out whole */
  char s4[] = "abc\xf0\x9f\x98\x80";
  n = reach_utf8_clean(out, 6, s4, NULL);
  CHECK(n == 3 && strcmp(out, "abc") == 0, "4-byte character cut whole: %zu", n);
}

static void test_escape(void) {
  char b[64];
  CHECK(strcmp(reach_text_escape("a\nb\tc\rd", b, sizeof b), "a\\nb\\tc\\rd") == 0, "%s", b);
  CHECK(strcmp(reach_text_escape("x\x01y\x7f", b, sizeof b), "x\\x01y\\x7F") == 0, "%s", b);
  CHECK(strcmp(reach_text_escape("n\xc2\x85l\xe2\x80\xa8", b, sizeof b), "n\\u0085l\\u2028") == 0,
        "C1 and U+2028: %s", b);
  CHECK(strcmp(reach_text_escape("bad\xff", b, sizeof b), "bad\\xFF") == 0, "%s", b);
  CHECK(strcmp(reach_text_escape("caf\xc3\xa9", b, sizeof b), "caf\xc3\xa9") == 0, "%s", b);
  /* cut: "..." and never inside a character */
  char e[12];
  reach_text_escape("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", e, sizeof e);
  CHECK(strcmp(e, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...") == 0, "cut: %s", e);
  reach_text_escape("exactly 11!", e, sizeof e);
  CHECK(strcmp(e, "exactly 11!") == 0, "fits exactly: %s", e);
}

static void test_redact(void) {
  static const struct {
    const char *in, *secret, *kept;
  } c[] = {
      {"PG:dbname=d password=hunter2 host=h", "hunter2", "host=h"},
      {"PG:dbname=d password = hunter2 user=u", "hunter2", "user=u"},
      {"PG:password=hunter2", "hunter2", "PG:password=***"},
      {"PG:dbname=d password='hun ter2' host=h", "ter2", "host=h"},
      {"PG:dbname=d password='it\\'s hunter2' host=h", "hunter2", "host=h"},
      {"PG:dbname=d password=Wrong\\ PW99 host=h", "PW99", "host=h"},
      {"PG:dbname=d PASSWORD=hunter2", "hunter2", "dbname=d"},
      {"postgresql://user:hunter2@db.example:5432/gis", "hunter2", "user:***@db.example"},
      {"PG:postgres://user:hun@ter2@host/db", "ter2", "@host/db"},
      {"postgresql://host/db?user=u&password=hunter2&sslmode=require", "hunter2",
       "sslmode=require"},
      {"PG:dbname=d password=a password=hunter2", "hunter2", "dbname=d"},
      {"PG:dbname=d\npassword=hunter2", "hunter2", "dbname=d\\npassword=***"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char out[256];
    reach_redact_connection(c[i].in, out, sizeof out);
    CHECK(!strstr(out, c[i].secret) && strstr(out, c[i].kept) && one_line(out),
          "redact case %zu: '%s' (secret %s, kept %s)", i, out, c[i].secret, c[i].kept);
  }
  char out[256];
  reach_redact_connection("/data/sites.csv", out, sizeof out);
  CHECK(strcmp(out, "/data/sites.csv") == 0, "a plain path unchanged: %s", out);
  /* a small buffer: cut, still no secret */
  char small[24];
  reach_redact_connection("PG:dbname=d password=hunter2secret", small, sizeof small);
  CHECK(!strstr(small, "hunter") && one_line(small), "small buffer: %s", small);
}

static void test_fail_alias(struct reach_ctx *ctx) {
  reach_fail(ctx, REACH_ERR_INTERNAL, "GEOS: boom");
  reach_fail(ctx, REACH_ERR_INTERNAL, "could not build the ring (%s)", reach_errmsg(ctx));
  CHECK(strcmp(reach_errmsg(ctx), "could not build the ring (GEOS: boom)") == 0,
        "a message built from the last one: '%s'", reach_errmsg(ctx));
  reach_fail(ctx, REACH_ERR_NOMEM, "%s", "");
  CHECK(strcmp(reach_errmsg(ctx), "out of memory") == 0, "a failure is never silent: '%s'",
        reach_errmsg(ctx));
  reach_clear_error(ctx);
  CHECK(strcmp(reach_errmsg(ctx), "") == 0, "no failure: no message");
}

static void test_range(struct reach_ctx *ctx) {
  CHECK(reach_range_check(ctx, 1e-9, 0) == REACH_ERR_ARG && strstr(reach_errmsg(ctx), "0.1 m"),
        "1e-9 m refused naming the smallest range: %s", reach_errmsg(ctx));
  CHECK(reach_range_check(ctx, 0.1, 0) == REACH_OK, "0.1 m accepted");
  CHECK(reach_range_check(ctx, 885000, 1e-3) == REACH_ERR_ARG, "minimum range 1 mm refused");
  CHECK(reach_range_check(ctx, 885000, 0) == REACH_OK, "a disc accepted");
  reach_clear_error(ctx);
}

static enum reach_status read_mem(struct reach_ctx *ctx, const char *path, const char *text,
                                  int skip_bad, size_t *n, struct reach_site **sites) {
  VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)text, strlen(text), FALSE);
  VSIFCloseL(f);
  size_t skipped = 0;
  enum reach_status st = reach_sites_read(ctx, path, skip_bad, sites, n, &skipped);
  VSIUnlink(path);
  return st;
}

static void test_cells(struct reach_ctx *ctx) {
  static const char *const bad[] = {"50\n.5", "50 .5", "50.5x", "50\t36", "\00150"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char csv[128];
    snprintf(csv, sizeof csv, "name,lat,lon\nok,10,20\nx,\"%s\",36\n", bad[i]);
    struct reach_site *s = NULL;
    size_t n = 0;
    enum reach_status st = read_mem(ctx, "/vsimem/cells.csv", csv, 0, &n, &s);
    CHECK(st == REACH_ERR_DATA && strstr(reach_errmsg(ctx), "row 2") &&
              strstr(reach_errmsg(ctx), "latitude") && strstr(reach_errmsg(ctx), "column lat") &&
              one_line(reach_errmsg(ctx)),
          "cell %zu refused naming row and field: %s", i, reach_errmsg(ctx));
    free(s);
    reach_clear_error(ctx);
  }
}

static void test_projected(struct reach_ctx *ctx) {
  const char *gj =
      "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
      "{\"name\":\"urn:ogc:def:crs:EPSG::3857\"}},\"features\":["
      "{\"type\":\"Feature\",\"properties\":{\"name\":\"ok\"},\"geometry\":"
      "{\"type\":\"Point\",\"coordinates\":[4000000,6000000]}},"
      "{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},\"geometry\":"
      "{\"type\":\"Point\",\"coordinates\":[%s,5000000]}}]}";
  static const char *const xs[] = {"1e20", "1e30", "-1e300", "60200000"};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text, gj, xs[i]);
    struct reach_site *s = NULL;
    size_t n = 0;
    enum reach_status st = read_mem(ctx, "/vsimem/p.geojson", text, 0, &n, &s);
    CHECK(st == REACH_ERR_DATA && strstr(reach_errmsg(ctx), "feature 2") &&
              strstr(reach_errmsg(ctx), "EPSG:3857"),
          "x = %s refused naming the feature: %s", xs[i], reach_errmsg(ctx));
    free(s);
    reach_clear_error(ctx);
    st = read_mem(ctx, "/vsimem/p.geojson", text, 1, &n, &s);
    CHECK(st == REACH_OK && n == 1, "x = %s skipped with skip_bad (%zu sites)", xs[i], n);
    free(s);
  }
  /* within the widened area: read */
  char text[1024];
  snprintf(text, sizeof text, gj, "30000000");
  struct reach_site *s = NULL;
  size_t n = 0;
  CHECK(read_mem(ctx, "/vsimem/p.geojson", text, 0, &n, &s) == REACH_OK && n == 2,
        "x = 3e7 (past 180 degrees, within the margin) read: %s", reach_errmsg(ctx));
  free(s);
  reach_clear_error(ctx);
}

/* Interrupt checks: the first nonzero after `after` calls. */
struct stop {
  int calls, after;
};
static int stop_after(void *data) {
  struct stop *s = data;
  return ++s->calls > s->after;
}

static void test_interrupt_rows(struct reach_ctx *ctx) {
  /* 200,000 bad rows with skip_bad: one reach_sites_next() call reads them
   * all unless the interrupt check runs inside the loop */
  size_t rows = 200000, len = 0;
  char *text = malloc(rows * 12 + 64);
  len += (size_t)sprintf(text, "name,lat,lon\n");
  for (size_t i = 0; i < rows; i++) len += (size_t)sprintf(text + len, "x,bad,1\n");
  struct stop s = {0, 3};
  reach_ctx_set_interrupt(ctx, stop_after, &s);
  struct reach_site *sites = NULL;
  size_t n = 0;
  enum reach_status st = read_mem(ctx, "/vsimem/rows.csv", text, 1, &n, &sites);
  CHECK(st == REACH_ERR_INTERRUPTED && s.calls == 4,
        "interrupted within the reading loop (status %d after %d checks): %s", st, s.calls,
        reach_errmsg(ctx));
  reach_ctx_set_interrupt(ctx, NULL, NULL);
  reach_clear_error(ctx);
  free(sites);
  free(text);
}

static volatile int fifo_stop;
static int fifo_check(void *data) {
  (void)data;
  return fifo_stop;
}
struct opener {
  struct reach_ctx *ctx;
  const char *path;
  enum reach_status st;
  volatile int started;
};
static void *open_fifo(void *arg) {
  struct opener *o = arg;
  struct reach_site *s = NULL;
  size_t n = 0;
  o->started = 1;
  o->st = reach_sites_read(o->ctx, o->path, 0, &s, &n, NULL);
  free(s);
  return NULL;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void test_fifo(struct reach_ctx *ctx) {
  char dir[] = "/tmp/georeach-fifo-XXXXXX", path[64];
  if (!mkdtemp(dir)) return;
  snprintf(path, sizeof path, "%s/sites.csv", dir);
  mkfifo(path, 0600);
  reach_ctx_set_interrupt(ctx, fifo_check, NULL);
  struct opener o = {ctx, path, REACH_OK, 0};
  pthread_t th;
  pthread_create(&th, NULL, open_fifo, &o);
  /* ready when the reader holds the FIFO open (it is then in its wait) */
  for (int held = 0; !held;) {
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
      char l[300], target[128];
      snprintf(l, sizeof l, "/proc/self/fd/%s", e->d_name);
      ssize_t k = readlink(l, target, sizeof target - 1);
      if (k > 0 && (target[k] = '\0', strcmp(target, path) == 0)) held = 1;
    }
    if (d) closedir(d);
    if (!held) usleep(1000);
  }
  double t0 = now_s();
  fifo_stop = 1;
  pthread_join(th, NULL);
  double dt = now_s() - t0;
  /* generous bound: the wait polls every 100 ms */
  CHECK(o.st == REACH_ERR_INTERRUPTED && dt < 5, "a FIFO without a writer: interrupted "
        "after %.3f s (status %d: %s)", dt, o.st, reach_errmsg(ctx));
  reach_ctx_set_interrupt(ctx, NULL, NULL);
  reach_clear_error(ctx);
  unlink(path);
  rmdir(dir);
}

static void on_notice(const char *msg, void *data) {
  int *count = data;
  (*count)++;
  CHECK(strstr(msg, "U+FFFD") && strstr(msg, "2 names") && one_line(msg), "notice: %s", msg);
}

static void test_names(struct reach_ctx *ctx) {
  int notices = 0;
  reach_ctx_set_notice(ctx, on_notice, &notices);
  struct reach_site *s = NULL;
  size_t n = 0;
  enum reach_status st = read_mem(ctx, "/vsimem/names.csv",
                                  "name,lat,lon\n\xff" "a,1,2\nok,3,4\nb\xc0,5,6\n", 0, &n, &s);
  CHECK(st == REACH_OK && n == 3 && strcmp(s[0].name, "\xef\xbf\xbd" "a") == 0 &&
            strcmp(s[2].name, "b\xef\xbf\xbd") == 0,
        "invalid UTF-8 in names replaced by U+FFFD");
  CHECK(notices == 1, "said once (%d notices)", notices);
  free(s);
  reach_ctx_set_notice(ctx, NULL, NULL);
}

/* Display widths: glibc's wcwidth() in C.UTF-8 gives the same (checked by
 * tests/test_lines.py on whole tables); a few anchors here. */
static void test_width(void) {
  CHECK(reach_text_width("Hagåtña") == 7, "Hagåtña precomposed: 7");
  CHECK(reach_text_width("Haga\xcc\x8atn\xcc\x83" "a") == 7, "Hagåtña with combining marks: 7");
  CHECK(reach_text_width("\xec\x84\x9c\xec\x9a\xb8") == 4, "서울: 4 (wide)");
  CHECK(reach_text_width("\xd0\xa5\xd0\xb0\xd1\x80\xd0\xba\xd1\x96\xd0\xb2") == 6,
        "Харків: 6");
  CHECK(reach_text_width("\xef\xbc\xa1") == 2, "fullwidth A: 2");
  CHECK(reach_text_width("\xf0\x9f\x9a\x80") == 2, "rocket emoji: 2");
  CHECK(reach_text_width("a\x80" "b") == 3, "a stray byte counts 1");
  CHECK(reach_text_width("a\tb") == 2, "a control character counts 0");
  CHECK(reach_text_width("a\xe2\x80\x8b" "b") == 2, "zero-width space: 0");
  CHECK(reach_text_width(NULL) == 0, "NULL: 0");
}

int main(void) {
  GDALAllRegister();
  CPLSetErrorHandler(CPLQuietErrorHandler);
  struct reach_ctx *ctx = reach_ctx_new();
  test_clean();
  test_escape();
  test_width();
  test_redact();
  test_fail_alias(ctx);
  test_range(ctx);
  test_cells(ctx);
  test_projected(ctx);
  test_interrupt_rows(ctx);
  test_fifo(ctx);
  test_names(ctx);
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

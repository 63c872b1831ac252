/* Contexts: the ellipsoid and units from PROJ, the data folder, the last
 * error, and the slots upper layers attach their caches to. */
#define _GNU_SOURCE /* dladdr */
#include <math.h>
#include <proj.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "georeach/parse.h"

#ifndef GEOREACH_VERSION
#define GEOREACH_VERSION "0.0.0"
#endif

const char *reach_version(void) { return GEOREACH_VERSION; }

enum reach_status reach_fail(struct reach_ctx *ctx, enum reach_status status,
                             const char *fmt, ...) {
  /* Formatted apart first: callers may pass ctx->msg itself as an argument
   * ("could not build the ring (%s)", ctx->msg), and formatting a buffer
   * into itself gave "could not build the ring (could not build the ring (". */
  char tmp[REACH_ERRMSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
  va_end(ap);
  memcpy(ctx->msg, tmp, sizeof tmp);
  ctx->status = status;
  return status;
}

void reach_ctx_set_interrupt(struct reach_ctx *ctx, reach_interrupt_fn fn,
                             void *data) {
  ctx->interrupt = fn;
  ctx->interrupt_data = data;
}

int reach_interrupted(struct reach_ctx *ctx) {
  return ctx->interrupt && ctx->interrupt(ctx->interrupt_data);
}

void reach_ctx_set_notice(struct reach_ctx *ctx, reach_notice_fn fn, void *data) {
  ctx->notice = fn;
  ctx->notice_data = data;
}

void reach_notice(struct reach_ctx *ctx, const char *fmt, ...) {
  if (!ctx->notice) return;
  char tmp[REACH_ERRMSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
  va_end(ap);
  ctx->notice(tmp, ctx->notice_data);
}

const char *reach_errmsg(const struct reach_ctx *ctx) {
  /* A failure always says something: a status set without a message (a
   * path that only returned a code) reads as its kind, never "" (which
   * composed into "could not build the ring ()"). */
  if (ctx->msg[0] || ctx->status == REACH_OK) return ctx->msg;
  switch (ctx->status) {
  case REACH_ERR_NOMEM: return "out of memory";
  case REACH_ERR_INTERRUPTED: return "interrupted";
  case REACH_ERR_IO: return "input/output error";
  case REACH_ERR_ARG: return "invalid argument";
  case REACH_ERR_DATA: return "invalid data";
  default: return "internal error";
  }
}
enum reach_status reach_errno(const struct reach_ctx *ctx) {
  return ctx->status;
}
void reach_clear_error(struct reach_ctx *ctx) {
  ctx->status = REACH_OK;
  ctx->msg[0] = '\0';
}


/* WGS84's a and f and the metre factors of the linear units the command
 * line accepts come from PROJ, so that no constant is typed twice; each is
 * read once per process (contexts are made per thread).  The ellipsoid
 * from PROJ's built-in definition ("+ellps=WGS84"), which needs no
 * database; the units from PROJ's database, on the first distance parsed:
 * opening proj.db costs a run ~6 ms, which a what-if by place names (the
 * range from the catalogue) never pays. */
static double g_a, g_f;
static int g_ellps_ok;
static pthread_once_t g_ellps_once = PTHREAD_ONCE_INIT;

static void load_ellipsoid(void) {
  PJ_CONTEXT *pj = proj_context_create();
  if (!pj) return;
  proj_log_level(pj, PJ_LOG_NONE);
  PJ *crs = proj_create(pj, "+proj=longlat +ellps=WGS84 +no_defs +type=crs");
  PJ *ell = crs ? proj_get_ellipsoid(pj, crs) : NULL;
  double a = 0, invf = 0;
  if (ell && proj_ellipsoid_get_parameters(pj, ell, &a, NULL, NULL, &invf) && a > 0 &&
      invf > 0) {
    g_a = a;
    g_f = 1 / invf;
    g_ellps_ok = 1;
  }
  proj_destroy(ell);
  proj_destroy(crs);
  proj_context_destroy(pj);
}

static struct reach_unit g_units[8];
static int g_nunits, g_units_ok;
static pthread_once_t g_units_once = PTHREAD_ONCE_INIT;

static void load_units(void) {
  static const struct {
    const char *abbr;
    const char *code; /* EPSG unit of measure */
  } wanted[] = {{"m", "9001"},  {"km", "9036"}, {"mi", "9093"},
                {"nmi", "9030"}, {"ft", "9002"}};
  PJ_CONTEXT *pj = proj_context_create();
  int n = 0, ok = 1;
  if (!pj) return;
  proj_log_level(pj, PJ_LOG_NONE);
  PROJ_UNIT_INFO **list = proj_get_units_from_database(pj, "EPSG", "linear", 0, &n);
  for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
    double f = 0;
    for (int i = 0; list && i < n; i++)
      if (strcmp(list[i]->code, wanted[w].code) == 0) f = list[i]->conv_factor;
    if (!(f > 0)) ok = 0;
    g_units[g_nunits].abbr = wanted[w].abbr;
    g_units[g_nunits++].to_m = f;
  }
  proj_unit_list_destroy(list);
  proj_context_destroy(pj);
  g_units_ok = ok;
}

int reach_ctx_units(struct reach_ctx *ctx) {
  if (ctx->nunits) return 1;
  pthread_once(&g_units_once, load_units);
  if (!g_units_ok) return 0;
  memcpy(ctx->units, g_units, sizeof g_units);
  ctx->nunits = g_nunits;
  return 1;
}

struct reach_ctx *reach_ctx_alloc(void) {
  struct reach_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return NULL;
  pthread_once(&g_ellps_once, load_ellipsoid);
  if (!g_ellps_ok) {
    free(ctx);
    return NULL;
  }
  ctx->a = g_a;
  ctx->f = g_f;
  geod_init(&ctx->g, ctx->a, ctx->f);
  ctx->b = ctx->a * (1 - ctx->f);
  ctx->e2 = ctx->f * (2 - ctx->f);
  ctx->e = sqrt(ctx->e2);
  double s12 = 0;
  geod_inverse(&ctx->g, 90, 0, -90, 0, &s12, NULL, NULL);
  ctx->half_meridian_m = s12;
  ctx->area_total_m2 = 4 * M_PI * reach_lat_area(ctx, 90);
  return ctx;
}

void reach_ctx_slot_set(struct reach_ctx *ctx, enum reach_slot slot, void *p,
                        void (*free_fn)(struct reach_ctx *ctx, void *p)) {
  ctx->slot[slot] = p;
  ctx->slot_free[slot] = free_fn;
}

void reach_ctx_free(struct reach_ctx *ctx) {
  if (!ctx) return;
  free(ctx->data_dir);
  for (int i = REACH_SLOT_COUNT - 1; i >= 0; i--)
    if (ctx->slot[i] && ctx->slot_free[i]) ctx->slot_free[i](ctx, ctx->slot[i]);
  free(ctx);
}

void reach_ctx_ellipsoid(const struct reach_ctx *ctx, double *a_m, double *f) {
  if (a_m) *a_m = ctx->a;
  if (f) *f = ctx->f;
}

double reach_antipodal_distance_m(const struct reach_ctx *ctx) {
  return ctx->half_meridian_m;
}

double reach_ellipsoid_area_m2(const struct reach_ctx *ctx) {
  return ctx->area_total_m2;
}


static int is_dir(const char *path) {
  struct stat sb;
  return path && *path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

enum reach_status reach_ctx_set_data_dir(struct reach_ctx *ctx, const char *dir) {
  if (!is_dir(dir))
    return reach_fail(ctx, REACH_ERR_ARG, "data folder '%s' is not a readable folder",
                      dir ? dir : "(null)");
  char *copy = strdup(dir);
  if (!copy) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  free(ctx->data_dir);
  ctx->data_dir = copy;
  return REACH_OK;
}

/* share/georeach/ of the installation that holds this code: the file dladdr()
 * names is the shared library (PREFIX/lib[/multiarch]/libgeoreach.so.N) or,
 * linked statically, the program (PREFIX/bin/georeach). */
static char *installed_data_dir(void) {
#ifdef GEOREACH_INSTALL_DATADIR
  static const char anchor = 0; /* any object of this library */
  Dl_info info;
  if (!dladdr(&anchor, &info) || !info.dli_fname) return NULL;
  char *self = realpath(info.dli_fname, NULL);
  if (!self) return NULL;
  char *dir = dirname(self);
  static const char *const up[] = {"/..", "/../.."};
  for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
    size_t n = strlen(dir) + strlen(up[i]) + strlen(GEOREACH_INSTALL_DATADIR) + 2;
    char *cand = malloc(n);
    if (!cand) break;
    snprintf(cand, n, "%s%s/%s", dir, up[i], GEOREACH_INSTALL_DATADIR);
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/missiles.csv", cand);
    if (access(probe, R_OK) == 0) {
      free(self);
      return cand;
    }
    free(cand);
  }
  free(self);
#endif
  return NULL;
}

const char *reach_ctx_data_dir(struct reach_ctx *ctx) {
  if (ctx->data_dir) return ctx->data_dir;
  const char *env = getenv("GEOREACH_DATA");
  if (env && *env) {
    ctx->data_dir = strdup(env);
  } else if (!(ctx->data_dir = installed_data_dir())) {
#ifdef GEOREACH_SOURCE_DATADIR
    ctx->data_dir = strdup(GEOREACH_SOURCE_DATADIR);
#else
    ctx->data_dir = strdup("data");
#endif
  }
  /* strdup failing leaves "data" relative to the working folder */
  return ctx->data_dir ? ctx->data_dir : "data";
}

const char *reach_proj_version(void) { return proj_info().version; }

void reach_lines_clear(struct reach_lines *l) {
  if (!l) return;
  free(l->line_start);
  free(l->xy);
  memset(l, 0, sizeof *l);
}

enum reach_status reach_true_boundary(struct reach_ctx *ctx, const struct reach_geom *g,
                                      struct reach_lines *out) {
  if (!ctx->true_boundary) {
    memset(out, 0, sizeof *out);
    return reach_fail(ctx, REACH_ERR_ARG, "no geometry engine in this context");
  }
  return ctx->true_boundary(ctx, g, out);
}

/* Contexts: the ellipsoid from PROJ, a GEOS handle, units, the last error. */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <math.h>
#include <proj.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "georeach/parse.h"

#ifndef GEOREACH_VERSION
#define GEOREACH_VERSION "0.0.0"
#endif

const char *reach_version(void) { return GEOREACH_VERSION; }

enum reach_status reach_fail(struct reach_ctx *ctx, enum reach_status status,
                             const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
  va_end(ap);
  ctx->status = status;
  return status;
}

const char *reach_errmsg(const struct reach_ctx *ctx) { return ctx->msg; }
enum reach_status reach_errno(const struct reach_ctx *ctx) {
  return ctx->status;
}
void reach_clear_error(struct reach_ctx *ctx) {
  ctx->status = REACH_OK;
  ctx->msg[0] = '\0';
}

void reach_ctx_set_cancel(struct reach_ctx *ctx, int (*cancelled)(void *data),
                          void *data) {
  ctx->cancelled = cancelled;
  ctx->cancel_data = data;
}

static void geos_notice(const char *fmt, ...) { (void)fmt; }

/* GEOS errors end up in the context's message; the handle's user data is the
 * context itself. */
static void geos_error(const char *message, void *userdata) {
  struct reach_ctx *ctx = userdata;
  snprintf(ctx->msg, sizeof ctx->msg, "GEOS: %s", message);
}

/* Read a, f of WGS84 and the metre factors of the linear units the command
 * line accepts from PROJ's database, so that no constant is typed twice. */
static int load_from_proj(struct reach_ctx *ctx) {
  static const struct {
    const char *abbr;
    const char *code; /* EPSG unit of measure */
  } wanted[] = {{"m", "9001"},  {"km", "9036"}, {"mi", "9093"},
                {"nmi", "9030"}, {"ft", "9002"}};
  PJ_CONTEXT *pj = proj_context_create();
  int ok = 0, n = 0;
  if (!pj) return 0;
  proj_log_level(pj, PJ_LOG_NONE);
  PJ *ell = proj_create_from_database(pj, "EPSG", "7030", PJ_CATEGORY_ELLIPSOID,
                                      0, NULL);
  double a = 0, invf = 0;
  if (ell && proj_ellipsoid_get_parameters(pj, ell, &a, NULL, NULL, &invf) &&
      a > 0 && invf > 0) {
    ctx->a = a;
    ctx->f = 1 / invf;
    ok = 1;
  }
  proj_destroy(ell);
  PROJ_UNIT_INFO **list =
      proj_get_units_from_database(pj, "EPSG", "linear", 0, &n);
  for (size_t w = 0; ok && w < sizeof wanted / sizeof wanted[0]; w++) {
    double f = 0;
    for (int i = 0; list && i < n; i++)
      if (strcmp(list[i]->code, wanted[w].code) == 0) f = list[i]->conv_factor;
    if (!(f > 0)) ok = 0;
    ctx->units[ctx->nunits].abbr = wanted[w].abbr;
    ctx->units[ctx->nunits++].to_m = f;
  }
  proj_unit_list_destroy(list);
  proj_context_destroy(pj);
  return ok;
}

struct reach_ctx *reach_ctx_new(void) {
  struct reach_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return NULL;
  if (!load_from_proj(ctx)) {
    free(ctx);
    return NULL;
  }
  geod_init(&ctx->g, ctx->a, ctx->f);
  ctx->b = ctx->a * (1 - ctx->f);
  ctx->e2 = ctx->f * (2 - ctx->f);
  ctx->e = sqrt(ctx->e2);
  double s12 = 0;
  geod_inverse(&ctx->g, 90, 0, -90, 0, &s12, NULL, NULL);
  ctx->half_meridian_m = s12;
  ctx->area_total_m2 = 4 * M_PI * reach_lat_area(ctx, 90);
  GEOSContextHandle_t h = GEOS_init_r();
  if (!h) {
    free(ctx);
    return NULL;
  }
  GEOSContext_setNoticeHandler_r(h, geos_notice);
  GEOSContext_setErrorMessageHandler_r(h, geos_error, ctx);
  ctx->geos = h;
  return ctx;
}

void reach_ctx_free(struct reach_ctx *ctx) {
  if (!ctx) return;
  reach_countries_free(ctx, ctx->countries);
  if (ctx->geos) GEOS_finish_r(ctx->geos);
  reach_gazetteer_free(ctx->gaz);
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

int reach_pts_push(struct reach_pts *p, double lon, double lat) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 256;
    double *xy = realloc(p->xy, 2 * cap * sizeof *xy);
    if (!xy) return 0;
    p->xy = xy;
    p->cap = cap;
  }
  p->xy[2 * p->n] = lon;
  p->xy[2 * p->n + 1] = lat;
  p->n++;
  return 1;
}

void reach_pts_free(struct reach_pts *p) {
  free(p->xy);
  p->xy = NULL;
  p->n = p->cap = 0;
}

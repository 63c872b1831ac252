/* The GEOS handle of a context and the converters between reach_geom and
 * GEOS: the library's one GEOS boundary. */
#define GEOS_USE_ONLY_R_API
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geos.h"

static void geos_notice(const char *fmt, ...) { (void)fmt; }
static enum reach_status geos_true_boundary(struct reach_ctx *ctx, const struct reach_geom *g,
                                            struct reach_lines *out);

/* GEOS errors end up in the context's message; the handle's user data is the
 * context itself. */
static void geos_error(const char *message, void *userdata) {
  struct reach_ctx *ctx = userdata;
  /* GEOS reports a failed allocation as the C++ exception's what() */
  if (strstr(message, "bad_alloc"))
    snprintf(ctx->msg, sizeof ctx->msg, "out of memory");
  else
    snprintf(ctx->msg, sizeof ctx->msg, "GEOS: %s", message);
}

static void geos_free(struct reach_ctx *ctx, void *h) {
  (void)ctx;
  GEOS_finish_r(h);
}

/* A context is the core's state (ellipsoid, units, messages) plus a GEOS
 * handle, attached here so that only src/geom/ knows GEOS. */
struct reach_ctx *reach_ctx_new(void) {
  struct reach_ctx *ctx = reach_ctx_alloc();
  if (!ctx) return NULL;
  GEOSContextHandle_t h = GEOS_init_r();
  if (!h) {
    reach_ctx_free(ctx);
    return NULL;
  }
  GEOSContext_setNoticeHandler_r(h, geos_notice);
  GEOSContext_setErrorMessageHandler_r(h, geos_error, ctx);
  reach_ctx_slot_set(ctx, REACH_SLOT_GEOS, h, geos_free);
  ctx->geos = h;
  ctx->true_boundary = geos_true_boundary;
  return ctx;
}

static void destroy_all(GEOSContextHandle_t h, GEOSGeometry **g, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (g[i]) GEOSGeom_destroy_r(h, g[i]);
}

/* One polygon: shell and holes, or NULL (nothing leaked). */
static GEOSGeometry *polygon(GEOSContextHandle_t h, const struct reach_geom *g, size_t p) {
  size_t r0 = g->poly_start[p], r1 = g->poly_start[p + 1];
  if (r1 <= r0) return NULL;
  GEOSGeometry **rings = calloc(r1 - r0, sizeof(GEOSGeometry *));
  if (!rings) return NULL;
  size_t made = 0;
  for (size_t r = r0; r < r1; r++, made++) {
    size_t k0 = g->ring_start[r], k1 = g->ring_start[r + 1];
    GEOSCoordSequence *cs =
        GEOSCoordSeq_copyFromBuffer_r(h, g->xy + 2 * k0, (unsigned)(k1 - k0), 0, 0);
    rings[made] = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
    if (!rings[made]) break;
  }
  GEOSGeometry *poly = NULL;
  if (made == r1 - r0)
    poly = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)(made - 1));
  if (!poly) destroy_all(h, rings, made); /* on success the polygon owns them */
  free(rings);
  return poly;
}

GEOSGeometry *reach_geom_to_geos(struct reach_ctx *ctx, const struct reach_geom *g) {
  GEOSContextHandle_t h = ctx->geos;
  GEOSGeometry **polys = calloc(g->npolys ? g->npolys : 1, sizeof(GEOSGeometry *));
  if (!polys) return NULL;
  for (size_t p = 0; p < g->npolys; p++)
    if (!(polys[p] = polygon(h, g, p))) {
      destroy_all(h, polys, p);
      free(polys);
      return NULL;
    }
  GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)g->npolys);
  if (!mp) destroy_all(h, polys, g->npolys);
  free(polys);
  return mp;
}

enum reach_status reach_geom_from_geos(struct reach_ctx *ctx, GEOSGeometry *g,
                                       struct reach_geom *out) {
  struct reach_region *r = reach_region_from_geos(ctx, g);
  if (!r) {
    GEOSGeom_destroy_r(ctx->geos, g);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  int ok = reach_region_to_geom(ctx, r, out);
  reach_region_free(ctx, r);
  return ok ? REACH_OK : reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
}

GEOSGeometry *reach_geos_from_wkb(struct reach_ctx *ctx, const unsigned char *wkb,
                                  size_t len) {
  GEOSContextHandle_t h = ctx->geos;
  GEOSGeometry *g = GEOSGeomFromWKB_buf_r(h, wkb, len);
  if (!g) return NULL;
  int t = GEOSGeomTypeId_r(h, g);
  if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) {
    GEOSGeom_destroy_r(h, g);
    return NULL;
  }
  if (GEOSisValid_r(h, g) != 1) {
    GEOSGeometry *v = GEOSMakeValid_r(h, g);
    GEOSGeom_destroy_r(h, g);
    g = v;
  }
  return g;
}

const char *reach_geos_version(void) { return GEOSversion(); }

struct reach_ctx *reach_ctx_worker(const struct reach_ctx *parent) {
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) return NULL;
  ctx->interrupt = parent->interrupt; /* a signal stops the workers too */
  ctx->interrupt_data = parent->interrupt_data;
  if (parent->data_dir && !(ctx->data_dir = strdup(parent->data_dir))) {
    reach_ctx_free(ctx);
    return NULL;
  }
  return ctx;
}

/* The lines a cut or a pole closure can lie on: lon = -180, lon = 180,
 * lat = 90, lat = -90 across the whole plate carree. */
static GEOSGeometry *cut_lines(GEOSContextHandle_t h) {
  static const double xy[4][4] = {
      {-180, -90, -180, 90}, {180, -90, 180, 90}, {-180, 90, 180, 90}, {-180, -90, 180, -90}};
  GEOSGeometry *lines[4] = {NULL, NULL, NULL, NULL};
  for (int i = 0; i < 4; i++) {
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, xy[i], 2, 0, 0);
    if (!cs || !(lines[i] = GEOSGeom_createLineString_r(h, cs))) {
      destroy_all(h, lines, (size_t)i);
      return NULL;
    }
  }
  GEOSGeometry *ml = GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, lines, 4);
  if (!ml) destroy_all(h, lines, 4);
  return ml;
}

/* Append the line strings of @p g (a LineString or a collection of them)
 * to @p out; 0 when memory runs out. */
static int take_lines(GEOSContextHandle_t h, const GEOSGeometry *g, struct reach_lines *out) {
  int n = GEOSGetNumGeometries_r(h, g);
  for (int i = 0; i < n; i++) {
    const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
    int t = GEOSGeomTypeId_r(h, part);
    if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
      if (part != g && !take_lines(h, part, out)) return 0;
      continue;
    }
    if (t != GEOS_LINESTRING) continue;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, part);
    unsigned np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &np) || np < 2) continue;
    double *xy = realloc(out->xy, 2 * (out->npoints + np) * sizeof(double));
    if (!xy) return 0;
    out->xy = xy;
    size_t *ls = realloc(out->line_start, (out->nlines + 2) * sizeof(size_t));
    if (!ls) return 0;
    out->line_start = ls;
    if (out->nlines == 0) ls[0] = 0;
    if (!GEOSCoordSeq_copyToBuffer_r(h, cs, xy + 2 * out->npoints, 0, 0)) return 0;
    out->npoints += np;
    ls[++out->nlines] = out->npoints;
  }
  return 1;
}

/* The rings minus the cut lines: an overlay of lines on lines (GEOS's
 * OverlayNG in floating precision keeps every input vertex; only the
 * points where a ring leaves a cut line are noded, and they are vertices
 * already), then merged so that a circle cut at +/-180 is two lines, not
 * hundreds of pieces. */
static enum reach_status geos_true_boundary(struct reach_ctx *ctx, const struct reach_geom *g,
                                            struct reach_lines *out) {
  GEOSContextHandle_t h = ctx->geos;
  memset(out, 0, sizeof *out);
  if (!g->npolys || !g->npoints) return REACH_OK;
  /* A segment on a cut line has both ends on it: a region with no vertex on
   * lon = +/-180 or lat = +/-90 (most rings) is its own boundary, each ring
   * one closed line, with no overlay (scripts/bench write: the overlay
   * tripled the cost of writing small features). */
  int touches = 0;
  for (size_t k = 0; k < g->npoints && !touches; k++)
    touches = fabs(g->xy[2 * k]) == 180 || fabs(g->xy[2 * k + 1]) == 90;
  if (!touches) {
    out->xy = malloc(2 * g->npoints * sizeof(double));
    out->line_start = malloc((g->nrings + 1) * sizeof(size_t));
    if (!out->xy || !out->line_start) {
      reach_lines_clear(out);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    memcpy(out->xy, g->xy, 2 * g->npoints * sizeof(double));
    memcpy(out->line_start, g->ring_start, (g->nrings + 1) * sizeof(size_t));
    out->nlines = g->nrings;
    out->npoints = g->npoints;
    return REACH_OK;
  }
  GEOSGeometry *mp = reach_geom_to_geos(ctx, g);
  GEOSGeometry *b = mp ? GEOSBoundary_r(h, mp) : NULL;
  GEOSGeometry *cut = b ? cut_lines(h) : NULL;
  GEOSGeometry *d = cut ? GEOSDifference_r(h, b, cut) : NULL;
  GEOSGeometry *m = d ? GEOSLineMerge_r(h, d) : NULL;
  int ok = m && take_lines(h, m, out);
  GEOSGeometry *all[] = {mp, b, cut, d, m};
  destroy_all(h, all, 5);
  if (!ok) {
    reach_lines_clear(out);
    if (m) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    char why[REACH_ERRMSG_LEN]; /* the GEOS handler's message, copied: reach_fail rewrites it */
    snprintf(why, sizeof why, "%s", *ctx->msg ? ctx->msg : "GEOS failed");
    return reach_fail(ctx, REACH_ERR_DATA, "cannot trace the outline: %s", why);
  }
  return REACH_OK;
}

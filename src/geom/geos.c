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

/* Whether the edge p-q lies on a line a cut or a pole closure makes:
 * lon = -180 or 180, lat = 90 or -90 (both ends on the same one). */
static int on_cut(const double *p, const double *q) {
  return (fabs(p[0]) == 180 && p[0] == q[0]) || (fabs(p[1]) == 90 && p[1] == q[1]);
}

/* The rings minus their edges on the cut lines.  The cut and the pole
 * closure put a vertex wherever a ring meets a cut line, so an edge is
 * either wholly on one (both ends on it) or meets it at an end at most:
 * dropping those edges is the difference of the boundary and the lines,
 * exactly.  Each ring's kept edges are strung into lines from just after a
 * dropped edge, so that a circle cut at +/-180 is two lines, not one split
 * where the ring happens to start.  (This was GEOS's boundary, difference
 * and line merge: 10 % of a 10,000-ring run's CPU, on the writer's thread;
 * the same lines come out, tests/test_outline_layers.py.) */
static enum reach_status geos_true_boundary(struct reach_ctx *ctx, const struct reach_geom *g,
                                            struct reach_lines *out) {
  memset(out, 0, sizeof *out);
  if (!g->nrings) return REACH_OK;
  /* a ring of m edges gives at most m points (each line one more than its
   * edges, each line after a dropped edge) and at most m lines */
  out->xy = malloc(2 * g->npoints * sizeof(double));
  out->line_start = malloc((g->npoints + 1) * sizeof(size_t));
  if (!out->xy || !out->line_start) goto oom;
  out->line_start[0] = 0;
  for (size_t r = 0; r < g->nrings; r++) {
    size_t k0 = g->ring_start[r], k1 = g->ring_start[r + 1];
    if (k1 - k0 < 2) continue;
    const double *P = g->xy + 2 * k0;
    size_t m = k1 - k0 - 1; /* edges; the last point closes the ring */
    size_t first = m;       /* the first edge dropped */
    for (size_t i = 0; i < m && first == m; i++)
      if (on_cut(P + 2 * i, P + 2 * (i + 1))) first = i;
    if (first == m) { /* no edge on a cut line: the ring as it is */
      memcpy(out->xy + 2 * out->npoints, P, 2 * (m + 1) * sizeof(double));
      out->npoints += m + 1;
      out->line_start[++out->nlines] = out->npoints;
      continue;
    }
    /* edges first+1, ..., first (cyclically): runs of kept edges */
    size_t run = 0; /* kept edges in the current run */
    for (size_t j = 1; j <= m; j++) {
      size_t i = (first + j) % m;
      int keep = j < m && !on_cut(P + 2 * i, P + 2 * (i + 1));
      if (keep) {
        if (run == 0) { /* a new line from vertex i */
          out->xy[2 * out->npoints] = P[2 * i];
          out->xy[2 * out->npoints + 1] = P[2 * i + 1];
          out->npoints++;
        }
        out->xy[2 * out->npoints] = P[2 * (i + 1)];
        out->xy[2 * out->npoints + 1] = P[2 * (i + 1) + 1];
        out->npoints++;
        run++;
      } else if (run) {
        out->line_start[++out->nlines] = out->npoints;
        run = 0;
      }
    }
  }
  return REACH_OK;
oom:
  reach_lines_clear(out);
  return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
}

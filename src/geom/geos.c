/* The GEOS handle of a context and the converters between reach_geom and
 * GEOS: the library's one GEOS boundary. */
#define GEOS_USE_ONLY_R_API
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geos.h"

static void geos_notice(const char *fmt, ...) { (void)fmt; }

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

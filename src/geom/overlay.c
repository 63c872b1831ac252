/* Overlays of regions: intersections, unions, overlap bands, hole filling. */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "geom/geos.h"
#include "georeach/overlay.h"

enum reach_status reach_geom_overlay(struct reach_ctx *ctx,
                                     const struct reach_geom *a,
                                     const struct reach_geom *b,
                                     enum reach_overlay_op op,
                                     struct reach_geom *out) {
  GEOSContextHandle_t h = ctx->geos;
  memset(out, 0, sizeof *out);
  GEOSGeometry *ga = reach_geom_to_geos(ctx, a), *gb = reach_geom_to_geos(ctx, b), *res = NULL;
  if (ga && gb) {
    res = op == REACH_INTERSECTION ? GEOSIntersection_r(h, ga, gb)
          : op == REACH_UNION      ? GEOSUnion_r(h, ga, gb)
                                   : GEOSDifference_r(h, ga, gb);
  }
  if (ga) GEOSGeom_destroy_r(h, ga);
  if (gb) GEOSGeom_destroy_r(h, gb);
  if (!res)
    return reach_fail(ctx, REACH_ERR_INTERNAL, "overlay failed (%s)",
                      ctx->msg[0] ? ctx->msg : "GEOS");
  return reach_geom_from_geos(ctx, res, out);
}

enum reach_status reach_geom_union_all(struct reach_ctx *ctx,
                                       const struct reach_geom *gs, size_t n,
                                       struct reach_geom *out) {
  GEOSContextHandle_t h = ctx->geos;
  memset(out, 0, sizeof *out);
  GEOSGeometry **list = calloc(n ? n : 1, sizeof(GEOSGeometry *));
  size_t m = 0;
  if (!list) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    if (gs[i].npolys == 0) continue;
    if (!(list[m] = reach_geom_to_geos(ctx, &gs[i]))) {
      for (size_t k = 0; k < m; k++) GEOSGeom_destroy_r(h, list[k]);
      free(list);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    m++;
  }
  GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, list, (unsigned)m);
  free(list);
  GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
  if (coll) GEOSGeom_destroy_r(h, coll);
  if (!u)
    return reach_fail(ctx, REACH_ERR_INTERNAL, "union failed (%s)",
                      ctx->msg[0] ? ctx->msg : "GEOS");
  return reach_geom_from_geos(ctx, u, out);
}

enum reach_status reach_geom_fill(struct reach_ctx *ctx, struct reach_geom *g,
                                  int (*inside)(double lat, double lon, void *data),
                                  void *data, size_t *nfilled) {
  GEOSContextHandle_t h = ctx->geos;
  struct reach_region *w = reach_region_world(ctx);
  struct reach_geom wg = {0};
  enum reach_status st = REACH_OK;
  GEOSGeometry *gw = NULL, *gg = NULL, *comp = NULL, **keep = NULL;
  size_t nkeep = 0;
  *nfilled = 0;
  if (!w || !reach_region_to_geom(ctx, w, &wg)) {
    reach_region_free(ctx, w);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  reach_region_free(ctx, w);
  gw = reach_geom_to_geos(ctx, &wg);
  gg = reach_geom_to_geos(ctx, g);
  reach_geom_clear(&wg);
  comp = gw && gg ? GEOSDifference_r(h, gw, gg) : NULL;
  if (!comp) {
    st = reach_fail(ctx, REACH_ERR_INTERNAL, "filling holes failed (%s)",
                    ctx->msg[0] ? ctx->msg : "GEOS");
    goto done;
  }
  int n = GEOSGetNumGeometries_r(h, comp);
  keep = calloc((size_t)n + 1, sizeof(GEOSGeometry *));
  if (!keep) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  keep[nkeep++] = gg;
  gg = NULL;
  for (int i = 0; i < n; i++) {
    const GEOSGeometry *c = GEOSGetGeometryN_r(h, comp, i);
    GEOSGeometry *pt = GEOSPointOnSurface_r(h, c);
    double x = 0, y = 0;
    int ok = pt && GEOSGeomGetX_r(h, pt, &x) == 1 && GEOSGeomGetY_r(h, pt, &y) == 1;
    if (pt) GEOSGeom_destroy_r(h, pt);
    if (ok && inside(y, x, data)) keep[nkeep++] = GEOSGeom_clone_r(h, c);
  }
  *nfilled = nkeep - 1;
  if (nkeep > 1) {
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, keep, (unsigned)nkeep);
    nkeep = 0; /* owned by coll */
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll) GEOSGeom_destroy_r(h, coll);
    if (!u) {
      st = reach_fail(ctx, REACH_ERR_INTERNAL, "filling holes failed (%s)",
                      ctx->msg[0] ? ctx->msg : "GEOS");
      goto done;
    }
    struct reach_geom out;
    if ((st = reach_geom_from_geos(ctx, u, &out)) == REACH_OK) {
      reach_geom_clear(g);
      *g = out;
    }
  }
done:
  for (size_t i = 0; i < nkeep; i++) GEOSGeom_destroy_r(h, keep[i]);
  free(keep);
  if (comp) GEOSGeom_destroy_r(h, comp);
  if (gw) GEOSGeom_destroy_r(h, gw);
  if (gg) GEOSGeom_destroy_r(h, gg);
  return st;
}

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

/* Overlap bands: the faces of the arrangement of every region's boundary
 * (GEOS noding + polygonize), each counted by the regions holding an interior
 * point of it, then dissolved per count. */
struct hits {
  size_t *idx;
  size_t n, cap;
};

static void tree_hit(void *item, void *data) {
  struct hits *h = data;
  if (h->n == h->cap) {
    size_t c = h->cap ? 2 * h->cap : 64;
    size_t *p = realloc(h->idx, c * sizeof *p);
    if (!p) return; /* counted as a miss; the caller checks h->cap */
    h->idx = p;
    h->cap = c;
  }
  h->idx[h->n++] = *(const size_t *)item;
}

void reach_overlap_free(struct reach_overlap_band *bands, size_t n) {
  for (size_t i = 0; i < n; i++) reach_geom_clear(&bands[i].geom);
  free(bands);
}

enum reach_status reach_geom_overlap(struct reach_ctx *ctx,
                                     const struct reach_geom *gs, size_t n,
                                     long min_count,
                                     struct reach_overlap_band **bands_out,
                                     size_t *nbands_out) {
  GEOSContextHandle_t h = ctx->geos;
  enum reach_status st = REACH_OK;
  GEOSGeometry **polys = calloc(n ? n : 1, sizeof(GEOSGeometry *));
  const GEOSPreparedGeometry **prep = calloc(n ? n : 1, sizeof(GEOSPreparedGeometry *));
  GEOSGeometry **bounds = calloc(n ? n : 1, sizeof(GEOSGeometry *));
  size_t *ids = calloc(n ? n : 1, sizeof *ids); /* the tree's items */
  GEOSGeometry *lines = NULL, *noded = NULL, *faces = NULL;
  GEOSSTRtree *tree = NULL;
  GEOSGeometry ***bucket = NULL; /* faces per count */
  size_t *nbucket = NULL, nb = 0, nfaces = 0, m = 0;
  struct reach_overlap_band *bands = NULL;
  struct hits hit = {0};
  *bands_out = NULL;
  *nbands_out = 0;
  if (!polys || !prep || !bounds || !ids) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) ids[i] = i;
  tree = GEOSSTRtree_create_r(h, 10);
  for (size_t i = 0; i < n; i++) {
    if (gs[i].npolys == 0) continue;
    if (!(polys[i] = reach_geom_to_geos(ctx, &gs[i])) ||
        !(prep[i] = GEOSPrepare_r(h, polys[i])) ||
        !(bounds[m] = GEOSBoundary_r(h, polys[i]))) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      goto done;
    }
    m++;
    GEOSSTRtree_insert_r(h, tree, polys[i], &ids[i]);
  }
  /* Noding: the union of all boundaries splits them where they cross. */
  lines = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, bounds, (unsigned)m);
  if (lines) memset(bounds, 0, n * sizeof(GEOSGeometry *)); /* owned by lines now */
  noded = lines ? GEOSUnaryUnion_r(h, lines) : NULL;
  if (noded) {
    const GEOSGeometry *one[1] = {noded};
    faces = GEOSPolygonize_r(h, one, 1);
  }
  if (!faces) {
    st = reach_fail(ctx, REACH_ERR_INTERNAL, "overlap counting failed (%s)",
                    ctx->msg[0] ? ctx->msg : "GEOS");
    goto done;
  }
  nfaces = (size_t)GEOSGetNumGeometries_r(h, faces);
  for (size_t f = 0; f < nfaces && st == REACH_OK; f++) {
    const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, (int)f);
    GEOSGeometry *pt = GEOSPointOnSurface_r(h, face);
    if (!pt) {
      st = reach_fail(ctx, REACH_ERR_INTERNAL, "overlap counting failed (%s)",
                      ctx->msg[0] ? ctx->msg : "GEOS");
      break;
    }
    hit.n = 0;
    GEOSSTRtree_query_r(h, tree, pt, tree_hit, &hit);
    long count = 0;
    for (size_t k = 0; k < hit.n; k++)
      if (GEOSPreparedIntersects_r(h, prep[hit.idx[k]], pt) == 1) count++;
    GEOSGeom_destroy_r(h, pt);
    if (count == 0 || (min_count > 0 && count < min_count)) continue;
    size_t b = min_count > 0 ? 0 : (size_t)count - 1;
    if (b >= nb) {
      GEOSGeometry ***nbk = realloc(bucket, (b + 1) * sizeof *nbk);
      size_t *nn = nbk ? realloc(nbucket, (b + 1) * sizeof *nn) : NULL;
      if (nbk) bucket = nbk;
      if (!nn) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
      nbucket = nn;
      for (size_t j = nb; j <= b; j++) {
        bucket[j] = NULL;
        nbucket[j] = 0;
      }
      nb = b + 1;
    }
    GEOSGeometry **l = realloc(bucket[b], (nbucket[b] + 1) * sizeof(GEOSGeometry *));
    if (!l) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    bucket[b] = l;
    l[nbucket[b]++] = GEOSGeom_clone_r(h, face);
  }
  if (st == REACH_OK && nb > 0) {
    bands = calloc(nb, sizeof *bands);
    if (!bands) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  size_t nout = 0;
  for (size_t b = 0; bands && b < nb && st == REACH_OK; b++) {
    if (nbucket[b] == 0) continue;
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION,
                                                     bucket[b], (unsigned)nbucket[b]);
    nbucket[b] = 0; /* owned by coll (or freed with it) */
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll) GEOSGeom_destroy_r(h, coll);
    if (!u) {
      st = reach_fail(ctx, REACH_ERR_INTERNAL, "overlap union failed (%s)",
                      ctx->msg[0] ? ctx->msg : "GEOS");
      break;
    }
    bands[nout].count = min_count > 0 ? min_count : (long)b + 1;
    bands[nout].at_least = min_count > 0;
    if ((st = reach_geom_from_geos(ctx, u, &bands[nout].geom)) == REACH_OK) nout++;
  }
  if (st == REACH_OK) {
    *bands_out = bands;
    *nbands_out = nout;
    bands = NULL;
  } else {
    reach_overlap_free(bands, nout);
    bands = NULL;
  }
done:
  free(hit.idx);
  for (size_t b = 0; b < nb; b++) {
    for (size_t k = 0; k < nbucket[b]; k++) GEOSGeom_destroy_r(h, bucket[b][k]);
    free(bucket[b]);
  }
  free(bucket);
  free(nbucket);
  if (faces) GEOSGeom_destroy_r(h, faces);
  if (noded) GEOSGeom_destroy_r(h, noded);
  if (lines) GEOSGeom_destroy_r(h, lines);
  if (tree) GEOSSTRtree_destroy_r(h, tree);
  for (size_t i = 0; i < n; i++) {
    if (bounds && bounds[i]) GEOSGeom_destroy_r(h, bounds[i]);
    if (prep && prep[i]) GEOSPreparedGeom_destroy_r(h, prep[i]);
    if (polys && polys[i]) GEOSGeom_destroy_r(h, polys[i]);
  }
  free(bounds);
  free(prep);
  free(polys);
  free(ids);
  return st;
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

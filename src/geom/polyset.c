/* Sets of polygonal areas in GEOS (see polyset.h). */
#define GEOS_USE_ONLY_R_API
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geos.h"
#include "geom/polyset.h"

struct reach_polyset {
  size_t n, cap;
  GEOSGeometry **g;
  const GEOSPreparedGeometry **prep; /* NULL where not prepared */
  double *area_m2, (*box)[4];
};

struct reach_polyset *reach_polyset_new(void) { return calloc(1, sizeof(struct reach_polyset)); }

void reach_polyset_free(struct reach_ctx *ctx, struct reach_polyset *ps) {
  if (!ps) return;
  for (size_t i = 0; i < ps->n; i++) {
    if (ps->prep[i]) GEOSPreparedGeom_destroy_r(ctx->geos, ps->prep[i]);
    GEOSGeom_destroy_r(ctx->geos, ps->g[i]);
  }
  free(ps->g);
  free(ps->prep);
  free(ps->area_m2);
  free(ps->box);
  free(ps);
}

static int grow(struct reach_polyset *ps) {
  size_t cap = ps->cap ? 2 * ps->cap : 64;
  GEOSGeometry **g = realloc(ps->g, cap * sizeof(GEOSGeometry *));
  if (g) ps->g = g;
  const GEOSPreparedGeometry **prep =
      g ? realloc(ps->prep, cap * sizeof(const GEOSPreparedGeometry *)) : NULL;
  if (prep) ps->prep = prep;
  double *area = prep ? realloc(ps->area_m2, cap * sizeof *area) : NULL;
  if (area) ps->area_m2 = area;
  double(*box)[4] = area ? realloc(ps->box, cap * sizeof *box) : NULL;
  if (box) ps->box = box;
  if (!box) return 0;
  ps->cap = cap;
  return 1;
}

long reach_polyset_add_wkb(struct reach_ctx *ctx, struct reach_polyset *ps,
                           const unsigned char *wkb, size_t len, const double box[4],
                           int prepare) {
  GEOSGeometry *g = reach_geos_from_wkb(ctx, wkb, len);
  if (!g) return -1;
  if (ps->n == ps->cap && !grow(ps)) {
    GEOSGeom_destroy_r(ctx->geos, g);
    return -2;
  }
  size_t i = ps->n++;
  ps->g[i] = g;
  ps->prep[i] = prepare ? GEOSPrepare_r(ctx->geos, g) : NULL;
  for (int k = 0; k < 4; k++) ps->box[i][k] = box[k];
  ps->area_m2[i] = 0;
  if (prepare) {
    struct reach_geom rg = {0};
    GEOSGeometry *copy = GEOSGeom_clone_r(ctx->geos, g);
    if (copy && reach_geom_from_geos(ctx, copy, &rg) == REACH_OK)
      ps->area_m2[i] = reach_geom_area_m2(ctx, &rg);
    reach_geom_clear(&rg);
  }
  return (long)i;
}

size_t reach_polyset_count(const struct reach_polyset *ps) { return ps->n; }

double reach_polyset_area_m2(const struct reach_polyset *ps, size_t i) { return ps->area_m2[i]; }

void *const *reach_polyset_members(const struct reach_polyset *ps) { return (void *const *)ps->g; }

enum reach_status reach_polyset_union(struct reach_ctx *ctx, const struct reach_polyset *ps,
                                      struct reach_geom *out) {
  GEOSContextHandle_t h = ctx->geos;
  memset(out, 0, sizeof *out);
  GEOSGeometry **copies = calloc(ps->n ? ps->n : 1, sizeof(GEOSGeometry *));
  if (!copies) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  size_t m = 0;
  for (; m < ps->n; m++)
    if (!(copies[m] = GEOSGeom_clone_r(h, ps->g[m]))) break;
  GEOSGeometry *coll = m == ps->n ? GEOSGeom_createCollection_r(
                                        h, GEOS_GEOMETRYCOLLECTION, copies, (unsigned)m)
                                  : NULL;
  if (!coll)
    for (size_t i = 0; i < m; i++) GEOSGeom_destroy_r(h, copies[i]);
  free(copies);
  GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
  if (coll) GEOSGeom_destroy_r(h, coll);
  if (!u) return reach_fail(ctx, REACH_ERR_INTERNAL, "cannot merge the territory");
  return reach_geom_from_geos(ctx, u, out);
}

enum reach_status reach_polyset_areas_in(struct reach_ctx *ctx, const struct reach_polyset *ps,
                                         const struct reach_geom *region, double *area_in) {
  GEOSContextHandle_t h = ctx->geos;
  double bx[4] = {180, 90, -180, -90};
  for (size_t k = 0; k < region->npoints; k++) {
    bx[0] = fmin(bx[0], region->xy[2 * k]);
    bx[2] = fmax(bx[2], region->xy[2 * k]);
    bx[1] = fmin(bx[1], region->xy[2 * k + 1]);
    bx[3] = fmax(bx[3], region->xy[2 * k + 1]);
  }
  for (size_t i = 0; i < ps->n; i++) area_in[i] = 0;
  GEOSGeometry *gr = reach_geom_to_geos(ctx, region);
  if (!gr) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < ps->n; i++) {
    if (ps->box[i][0] > bx[2] || ps->box[i][2] < bx[0] || ps->box[i][1] > bx[3] ||
        ps->box[i][3] < bx[1])
      continue;
    if (ps->prep[i] && GEOSPreparedIntersects_r(h, ps->prep[i], gr) != 1) continue;
    GEOSGeometry *in = GEOSIntersection_r(h, ps->g[i], gr);
    if (!in) continue;
    struct reach_geom rg = {0};
    if (reach_geom_from_geos(ctx, in, &rg) != REACH_OK) continue;
    area_in[i] = rg.npolys ? reach_geom_area_m2(ctx, &rg) : 0;
    reach_geom_clear(&rg);
  }
  GEOSGeom_destroy_r(h, gr);
  return REACH_OK;
}

enum reach_status reach_geom_from_polygon_wkb(struct reach_ctx *ctx, const unsigned char *wkb,
                                              size_t len, struct reach_geom *out) {
  memset(out, 0, sizeof *out);
  GEOSGeometry *g = reach_geos_from_wkb(ctx, wkb, len);
  if (!g) return reach_fail(ctx, REACH_ERR_DATA, "not a polygon GEOS can read");
  return reach_geom_from_geos(ctx, g, out);
}

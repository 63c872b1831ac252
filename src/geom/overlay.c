/* Overlays of regions (GEOS) and territories to clip with (read with GDAL). */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "georeach/catalogue.h"
#include "georeach/overlay.h"
#include "georeach/io.h"

static GEOSGeometry *to_geos(struct reach_ctx *ctx, const struct reach_geom *g) {
  GEOSContextHandle_t h = ctx->geos;
  GEOSGeometry **polys = calloc(g->npolys ? g->npolys : 1, sizeof(GEOSGeometry *));
  size_t np = 0;
  if (!polys) return NULL;
  for (size_t p = 0; p < g->npolys; p++) {
    size_t r0 = g->poly_start[p], r1 = g->poly_start[p + 1];
    GEOSGeometry **rings = calloc(r1 - r0, sizeof(GEOSGeometry *));
    int ok = rings != NULL;
    for (size_t r = r0; ok && r < r1; r++) {
      size_t k0 = g->ring_start[r], k1 = g->ring_start[r + 1];
      GEOSCoordSequence *cs =
          GEOSCoordSeq_copyFromBuffer_r(h, g->xy + 2 * k0, (unsigned)(k1 - k0), 0, 0);
      ok = cs && (rings[r - r0] = GEOSGeom_createLinearRing_r(h, cs)) != NULL;
    }
    if (ok) polys[np] = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)(r1 - r0 - 1));
    free(rings);
    if (!ok || !polys[np]) {
      for (size_t i = 0; i < np; i++) GEOSGeom_destroy_r(h, polys[i]);
      free(polys);
      return NULL;
    }
    np++;
  }
  GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)np);
  free(polys);
  return mp;
}

static enum reach_status from_geos(struct reach_ctx *ctx, GEOSGeometry *g,
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

enum reach_status reach_geom_overlay(struct reach_ctx *ctx,
                                     const struct reach_geom *a,
                                     const struct reach_geom *b,
                                     enum reach_overlay_op op,
                                     struct reach_geom *out) {
  GEOSContextHandle_t h = ctx->geos;
  memset(out, 0, sizeof *out);
  GEOSGeometry *ga = to_geos(ctx, a), *gb = to_geos(ctx, b), *res = NULL;
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
  return from_geos(ctx, res, out);
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
    if (!(list[m] = to_geos(ctx, &gs[i]))) {
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
  return from_geos(ctx, u, out);
}

/* The bundled countries: data/countries.fgb (FlatGeobuf, read in a tenth of
 * the time; built from the GeoJSON by scripts/build-data) when present,
 * else data/countries.geojson. */
static void countries_path(char *path, size_t n) {
  struct stat sb;
  snprintf(path, n, "%s/countries.fgb", reach_data_dir());
  if (stat(path, &sb) != 0) snprintf(path, n, "%s/countries.geojson", reach_data_dir());
}

/* Append the polygons of an OGR geometry to a GEOS collection list. */
static int add_ogr(struct reach_ctx *ctx, OGRGeometryH g, GEOSGeometry ***list,
                   size_t *n, size_t *cap) {
  OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  if (t != wkbPolygon && t != wkbMultiPolygon) return 1;
  int size = OGR_G_WkbSize(g);
  unsigned char *wkb = malloc(size > 0 ? (size_t)size : 1);
  if (!wkb) return 0;
  OGR_G_ExportToWkb(g, wkbNDR, wkb);
  GEOSGeometry *gg = GEOSGeomFromWKB_buf_r(ctx->geos, wkb, (size_t)size);
  free(wkb);
  if (!gg) return 1;
  if (GEOSisValid_r(ctx->geos, gg) != 1) {
    GEOSGeometry *v = GEOSMakeValid_r(ctx->geos, gg);
    GEOSGeom_destroy_r(ctx->geos, gg);
    gg = v;
    if (!gg) return 1;
  }
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 16;
    GEOSGeometry **l = realloc(*list, *cap * sizeof(GEOSGeometry *));
    if (!l) {
      GEOSGeom_destroy_r(ctx->geos, gg);
      return 0;
    }
    *list = l;
  }
  (*list)[(*n)++] = gg;
  return 1;
}

enum reach_status reach_territory(struct reach_ctx *ctx, const char *what,
                                  struct reach_geom *out, char *label,
                                  size_t label_len) {
  GEOSContextHandle_t h = ctx->geos;
  memset(out, 0, sizeof *out);
  reach_gdal_init();
  const char *dot = strrchr(what, '.');
  int is_file = reach_is_pg(what) ||
                (dot && strchr(what, ',') == NULL && dot[1] && strlen(dot) <= 8);
  char path[4096];
  if (is_file)
    snprintf(path, sizeof path, "%s", what);
  else
    countries_path(path, sizeof path);
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  if (!ds) {
    char shown[1024];
    reach_redact_connection(path, shown, sizeof shown);
    return reach_fail(ctx, REACH_ERR_IO, "cannot read the territory %s", shown);
  }
  OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
  OGRCoordinateTransformationH ct = NULL;
  if (is_file && lyr && OGR_L_GetSpatialRef(lyr)) {
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReferenceH src = OSRClone(OGR_L_GetSpatialRef(lyr));
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    if (!OSRIsSame(src, wgs)) ct = OCTNewCoordinateTransformation(src, wgs);
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(wgs);
  }
  GEOSGeometry **list = NULL;
  size_t n = 0, cap = 0;
  int ok = 1, wanted = 0, found = 0;
  char names[256] = "";
  /* country codes or names, comma separated */
  char want[1024];
  snprintf(want, sizeof want, "%s", is_file ? "" : what);
  OGRFeatureH f;
  while (ok && lyr && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
    int take = is_file;
    if (!is_file) {
      int ia2 = OGR_F_GetFieldIndex(f, "iso_a2"), ia3 = OGR_F_GetFieldIndex(f, "iso_a3"),
          inm = OGR_F_GetFieldIndex(f, "name");
      char buf[1024];
      snprintf(buf, sizeof buf, "%s", want);
      wanted = 0;
      for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
           tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        wanted++;
        if ((ia2 >= 0 && !strcasecmp(tok, OGR_F_GetFieldAsString(f, ia2))) ||
            (ia3 >= 0 && !strcasecmp(tok, OGR_F_GetFieldAsString(f, ia3))) ||
            (inm >= 0 && !strcasecmp(tok, OGR_F_GetFieldAsString(f, inm))))
          take = 1;
      }
      if (take) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", l ? "," : "",
                 ia2 >= 0 ? OGR_F_GetFieldAsString(f, ia2) : "?");
      }
    }
    OGRGeometryH g = take ? OGR_F_GetGeometryRef(f) : NULL;
    if (g && ct) OGR_G_Transform(g, ct);
    if (g) {
      found++;
      ok = add_ogr(ctx, g, &list, &n, &cap);
    }
    OGR_F_Destroy(f);
  }
  if (ct) OCTDestroyCoordinateTransformation(ct);
  GDALClose(ds);
  if (!ok) {
    for (size_t i = 0; i < n; i++) GEOSGeom_destroy_r(h, list[i]);
    free(list);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  if (n == 0) {
    free(list);
    return is_file ? reach_fail(ctx, REACH_ERR_DATA, "%s holds no polygon", what)
                   : reach_fail(ctx, REACH_ERR_ARG,
                                "no country '%s' (give ISO codes such as UA or UKR, "
                                "or names, comma separated, or a polygon file)", what);
  }
  if (!is_file && found < wanted) {
    /* some code matched nothing: say which were found */
    for (size_t i = 0; i < n; i++) GEOSGeom_destroy_r(h, list[i]);
    free(list);
    return reach_fail(ctx, REACH_ERR_ARG, "'%s': only %s found among the bundled "
                      "countries", what, names);
  }
  GEOSGeometry *coll =
      GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, list, (unsigned)n);
  free(list);
  GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
  if (coll) GEOSGeom_destroy_r(h, coll);
  if (!u) return reach_fail(ctx, REACH_ERR_INTERNAL, "cannot merge the territory");
  if (label && label_len) snprintf(label, label_len, "%s", is_file ? what : names);
  return from_geos(ctx, u, out);
}

/* The bundled countries, loaded once per context. */
struct reach_countries {
  size_t n;
  GEOSGeometry **g;
  const GEOSPreparedGeometry **prep;
  double *area_m2, (*box)[4];
  char (*iso)[4];
  char (*name)[64];
};

void reach_countries_free(struct reach_ctx *ctx, struct reach_countries *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) {
    if (c->prep[i]) GEOSPreparedGeom_destroy_r(ctx->geos, c->prep[i]);
    GEOSGeom_destroy_r(ctx->geos, c->g[i]);
  }
  free(c->g);
  free(c->prep);
  free(c->area_m2);
  free(c->box);
  free(c->iso);
  free(c->name);
  free(c);
}

static enum reach_status load_countries(struct reach_ctx *ctx) {
  char path[4096];
  countries_path(path, sizeof path);
  reach_gdal_init();
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  if (!ds) return reach_fail(ctx, REACH_ERR_IO, "cannot read the countries %s", path);
  OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
  size_t cap = (size_t)OGR_L_GetFeatureCount(lyr, TRUE) + 1;
  struct reach_countries *c = calloc(1, sizeof *c);
  int ok = c != NULL;
  if (ok) {
    c->g = calloc(cap, sizeof(GEOSGeometry *));
    c->prep = calloc(cap, sizeof(const GEOSPreparedGeometry *));
    c->area_m2 = calloc(cap, sizeof *c->area_m2);
    c->box = calloc(cap, sizeof *c->box);
    c->iso = calloc(cap, sizeof *c->iso);
    c->name = calloc(cap, sizeof *c->name);
    ok = c->g && c->prep && c->area_m2 && c->box && c->iso && c->name;
  }
  OGRFeatureH f;
  while (ok && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
    GEOSGeometry **one = NULL;
    size_t n1 = 0, c1 = 0;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g && c->n < cap && add_ogr(ctx, g, &one, &n1, &c1) && n1 == 1) {
      size_t i = c->n++;
      c->g[i] = one[0];
      c->prep[i] = GEOSPrepare_r(ctx->geos, one[0]);
      OGREnvelope env;
      OGR_G_GetEnvelope(g, &env);
      c->box[i][0] = env.MinX;
      c->box[i][1] = env.MinY;
      c->box[i][2] = env.MaxX;
      c->box[i][3] = env.MaxY;
      int ia = OGR_F_GetFieldIndex(f, "iso_a2"), in = OGR_F_GetFieldIndex(f, "name");
      snprintf(c->iso[i], sizeof c->iso[i], "%s", ia >= 0 ? OGR_F_GetFieldAsString(f, ia) : "");
      snprintf(c->name[i], sizeof c->name[i], "%s", in >= 0 ? OGR_F_GetFieldAsString(f, in) : "");
      struct reach_geom rg;
      GEOSGeometry *copy = GEOSGeom_clone_r(ctx->geos, one[0]);
      if (copy && from_geos(ctx, copy, &rg) == REACH_OK) {
        c->area_m2[i] = reach_geom_area_m2(ctx, &rg);
        reach_geom_clear(&rg);
      }
    } else {
      for (size_t k = 0; k < n1; k++) GEOSGeom_destroy_r(ctx->geos, one[k]);
    }
    free(one);
    OGR_F_Destroy(f);
  }
  GDALClose(ds);
  if (!ok) {
    reach_countries_free(ctx, c);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  ctx->countries = c;
  return REACH_OK;
}

static int cmp_share(const void *a, const void *b) {
  const struct reach_country_share *x = a, *y = b;
  double sx = x->area_in_m2 / x->area_m2, sy = y->area_in_m2 / y->area_m2;
  return sx < sy ? 1 : sx > sy ? -1 : strcmp(x->iso_a2, y->iso_a2);
}

enum reach_status reach_countries_reached(struct reach_ctx *ctx,
                                          const struct reach_geom *region,
                                          struct reach_country_share **shares,
                                          size_t *n) {
  GEOSContextHandle_t h = ctx->geos;
  *shares = NULL;
  *n = 0;
  if (!ctx->countries) {
    enum reach_status st = load_countries(ctx);
    if (st != REACH_OK) return st;
  }
  struct reach_countries *c = ctx->countries;
  double bx[4] = {180, 90, -180, -90};
  for (size_t k = 0; k < region->npoints; k++) {
    bx[0] = fmin(bx[0], region->xy[2 * k]);
    bx[2] = fmax(bx[2], region->xy[2 * k]);
    bx[1] = fmin(bx[1], region->xy[2 * k + 1]);
    bx[3] = fmax(bx[3], region->xy[2 * k + 1]);
  }
  GEOSGeometry *gr = to_geos(ctx, region);
  struct reach_country_share *out = calloc(c->n ? c->n : 1, sizeof *out);
  if (!gr || !out) {
    if (gr) GEOSGeom_destroy_r(h, gr);
    free(out);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  size_t m = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->box[i][0] > bx[2] || c->box[i][2] < bx[0] || c->box[i][1] > bx[3] ||
        c->box[i][3] < bx[1] || !(c->area_m2[i] > 0))
      continue;
    if (c->prep[i] && GEOSPreparedIntersects_r(h, c->prep[i], gr) != 1) continue;
    GEOSGeometry *in = GEOSIntersection_r(h, c->g[i], gr);
    if (!in) continue;
    struct reach_geom rg = {0};
    if (from_geos(ctx, in, &rg) != REACH_OK) continue;
    double a = rg.npolys ? reach_geom_area_m2(ctx, &rg) : 0;
    reach_geom_clear(&rg);
    if (!(a > 0)) continue;
    snprintf(out[m].iso_a2, sizeof out[m].iso_a2, "%s", c->iso[i]);
    snprintf(out[m].name, sizeof out[m].name, "%s", c->name[i]);
    out[m].area_in_m2 = fmin(a, c->area_m2[i]);
    out[m].area_m2 = c->area_m2[i];
    m++;
  }
  GEOSGeom_destroy_r(h, gr);
  qsort(out, m, sizeof *out, cmp_share);
  *shares = out;
  *n = m;
  return REACH_OK;
}

/* The bundled countries as GEOS geometries, with their names, for drawing
 * (map.c). */
enum reach_status reach_countries_geos(struct reach_ctx *ctx, void *const **geoms,
                                       const char (**names)[64], size_t *n) {
  if (!ctx->countries) {
    enum reach_status st = load_countries(ctx);
    if (st != REACH_OK) return st;
  }
  *geoms = (void *const *)ctx->countries->g;
  *names = (const char(*)[64])ctx->countries->name;
  *n = ctx->countries->n;
  return REACH_OK;
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
  gw = to_geos(ctx, &wg);
  gg = to_geos(ctx, g);
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
    if ((st = from_geos(ctx, u, &out)) == REACH_OK) {
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

/* Antimeridian and pole cutting: from closed boundary curves drawn in an
 * unrolled lon/lat plane to MultiPolygons in [-180,180] x [-90,90].
 *
 * A boundary curve is traced with continuous ("unrolled") longitudes, so it
 * never jumps across +/-180.  Its total change of longitude is 0 (it does not
 * wind round a pole) or +/-360 (it does).  The caller knows from exact
 * distances how many poles the region holds:
 *  - no pole, no winding: the region is the curve's planar interior;
 *  - both poles, no winding: the Earth less that interior;
 *  - one pole, winding: the region between the curve and that pole's line
 *    lat = +/-90, closed there with a vertex every degree.
 * The planar polygon is then cut into 360-degree strips, each strip shifted
 * back into [-180,180], and the pieces merged (GEOS).  The common case, a curve
 * that stays inside [-180,180] and holds no pole, never touches GEOS. */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* Spacing of the vertices added along cut lines and pole lines, degrees. */
#define CUT_STEP_DEG 1.0
/* Coordinates this close to +/-180 or +/-90 are put exactly on the line. */
#define SNAP_DEG 1e-9
/* Consecutive vertices closer than this (degrees) are merged. */
#define DUP_DEG 1e-8

struct reach_region {
  GEOSGeometry *g;     /* NULL when the simple form below is used */
  double *xy;          /* simple form: one ring inside [-180,180], no pole */
  size_t n;
};

static struct reach_region *region_new(void) {
  return calloc(1, sizeof(struct reach_region));
}

void reach_region_free(struct reach_ctx *ctx, struct reach_region *r) {
  if (!r) return;
  if (r->g) GEOSGeom_destroy_r(ctx->geos, r->g);
  free(r->xy);
  free(r);
}

/* A closed GEOS polygon from n points (the first is repeated at the end). */
static GEOSGeometry *polygon_from(struct reach_ctx *ctx, const double *xy,
                                  size_t n, double dx) {
  GEOSContextHandle_t h = ctx->geos;
  GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)(n + 1), 2);
  if (!cs) return NULL;
  for (size_t i = 0; i <= n; i++) {
    size_t k = i % n;
    /* On a grid of 2^-40 degrees (1e-7 m) every x + 360 k is exact, so
     * pieces shifted by whole turns meet exactly where they should. */
    GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, nearbyint((xy[2 * k] + dx) * 0x1p40) * 0x1p-40,
                         xy[2 * k + 1]);
  }
  GEOSGeometry *shell = GEOSGeom_createLinearRing_r(h, cs);
  if (!shell) return NULL;
  return GEOSGeom_createPolygon_r(h, shell, NULL, 0);
}

/* Append the points of a straight line from (x0,y0) to (x1,y1), excluding the
 * start, with at most CUT_STEP_DEG between neighbours. */
static int push_line(struct reach_pts *p, double x0, double y0, double x1,
                     double y1) {
  double len = fmax(fabs(x1 - x0), fabs(y1 - y0));
  int k = (int)ceil(len / CUT_STEP_DEG - 1e-9);
  if (k < 1) k = 1;
  for (int i = 1; i <= k; i++) {
    double t = (double)i / k;
    if (!reach_pts_push(p, i == k ? x1 : x0 + t * (x1 - x0),
                        i == k ? y1 : y0 + t * (y1 - y0)))
      return 0;
  }
  return 1;
}

/* A copy of a ring shifted by dx degrees of longitude. */
static GEOSGeometry *shifted_ring(GEOSContextHandle_t h, const GEOSGeometry *ring,
                                  double dx) {
  const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
  unsigned size = 0;
  if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &size)) return NULL;
  GEOSCoordSequence *out = GEOSCoordSeq_create_r(h, size, 2);
  if (!out) return NULL;
  for (unsigned i = 0; i < size; i++) {
    double x, y;
    GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
    GEOSCoordSeq_setXY_r(h, out, i, x + dx, y);
  }
  return GEOSGeom_createLinearRing_r(h, out);
}

/* A copy of a (multi)polygon shifted by dx degrees of longitude; the result
 * is a collection of polygons.  GEOS 3.11's C API has no affine transform. */
static GEOSGeometry *shifted(GEOSContextHandle_t h, const GEOSGeometry *g,
                             double dx) {
  int ng = GEOSGetNumGeometries_r(h, g);
  GEOSGeometry **polys = calloc(ng > 0 ? (size_t)ng : 1, sizeof(GEOSGeometry *));
  int np = 0;
  if (!polys) return NULL;
  for (int gi = 0; gi < ng; gi++) {
    const GEOSGeometry *pg = GEOSGetGeometryN_r(h, g, gi);
    if (GEOSGeomTypeId_r(h, pg) != GEOS_POLYGON || GEOSisEmpty_r(h, pg)) continue;
    int nh = GEOSGetNumInteriorRings_r(h, pg);
    GEOSGeometry *shell = shifted_ring(h, GEOSGetExteriorRing_r(h, pg), dx);
    GEOSGeometry **holes = calloc(nh > 0 ? (size_t)nh : 1, sizeof(GEOSGeometry *));
    int ok = shell && holes;
    for (int ri = 0; ok && ri < nh; ri++)
      ok = (holes[ri] = shifted_ring(h, GEOSGetInteriorRingN_r(h, pg, ri), dx)) != NULL;
    if (ok) polys[np] = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh);
    free(holes);
    if (!ok || !polys[np]) {
      /* ownership was not taken: GEOS frees nothing on failure here, but a
       * failure means out of memory; give up on the whole copy */
      for (int i = 0; i < np; i++) GEOSGeom_destroy_r(h, polys[i]);
      free(polys);
      return NULL;
    }
    np++;
  }
  GEOSGeometry *coll =
      GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)np);
  free(polys);
  return coll;
}

/* Cut a valid polygon in the unrolled plane into strips of 360 degrees, shift
 * each back into [-180,180] and merge the pieces.  The result is owned by the
 * caller (GEOSGeom_destroy_r). */
static GEOSGeometry *cut_strips(struct reach_ctx *ctx, const GEOSGeometry *poly,
                                double xmin, double xmax) {
  GEOSContextHandle_t h = ctx->geos;
  int k0 = (int)floor((xmin + 180) / 360), k1 = (int)floor((xmax + 180) / 360);
  if (xmax + 180 == 360.0 * k1 && k1 > k0) k1--; /* ends exactly on a cut */
  enum { MAXPARTS = 8 };
  GEOSGeometry *parts[MAXPARTS];
  int np = 0;
  if (k1 - k0 >= MAXPARTS) return NULL;
  for (int k = k0; k <= k1; k++) {
    double lo = -180 + 360.0 * k;
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, lo, -90, lo + 360, 90);
    if (!box) goto fail;
    GEOSGeometry *piece = GEOSIntersection_r(h, poly, box);
    GEOSGeom_destroy_r(h, box);
    if (!piece) goto fail;
    if (GEOSisEmpty_r(h, piece) == 1) {
      GEOSGeom_destroy_r(h, piece);
      continue;
    }
    if (k != 0) {
      /* Whole turns: lo + 360 k - 360 k is exact in binary. */
      GEOSGeometry *moved = shifted(h, piece, -360.0 * k);
      GEOSGeom_destroy_r(h, piece);
      if (!moved) goto fail;
      piece = moved;
    }
    parts[np++] = piece;
  }
  if (np == 0) return GEOSGeom_createEmptyPolygon_r(h);
  {
    /* The union merges pieces that share a closing meridian (pole case) and
     * snaps nothing: OverlayNG keeps the input vertices. */
    GEOSGeometry *coll = GEOSGeom_createCollection_r(
        h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
    if (!coll) goto fail;
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return u;
  }
fail:
  for (int i = 0; i < np; i++) GEOSGeom_destroy_r(h, parts[i]);
  return NULL;
}

/* A GEOS polygon of the closed ring xy[0..n-1] (first point not repeated),
 * shifted by dx. */
static GEOSGeometry *polygon_shifted(GEOSContextHandle_t h, const double *xy,
                                     size_t n, double dx) {
  GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)(n + 1), 2);
  if (!cs) return NULL;
  for (size_t i = 0; i <= n; i++)
    GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, xy[2 * (i % n)] + dx, xy[2 * (i % n) + 1]);
  GEOSGeometry *shell = GEOSGeom_createLinearRing_r(h, cs);
  return shell ? GEOSGeom_createPolygon_r(h, shell, NULL, 0) : NULL;
}

/* The common case of cut_strips() without an overlay: a valid ring that
 * crosses one cut line (x = 180 + 360 k) at exactly two edges falls into
 * two simple pieces, each closed along the line; the one beyond it is moved
 * back by a whole turn.  An overlay did the same at twenty times the cost
 * (a tenth of all ring building, at 885 km).  NULL: not that case (a vertex
 * on the line, more crossings, two lines), the caller uses cut_strips(). */
static GEOSGeometry *cut_once(struct reach_ctx *ctx, const double *xy, size_t n,
                              double xmin, double xmax) {
  GEOSContextHandle_t h = ctx->geos;
  int k0 = (int)floor((xmin + 180) / 360), k1 = (int)floor((xmax + 180) / 360);
  if (k1 != k0 + 1 || xmax + 180 == 360.0 * k1 || n < 3) return NULL;
  double L = -180 + 360.0 * k1;
  size_t cross[2], nc = 0;
  for (size_t i = 0; i < n; i++) {
    double x1 = xy[2 * i], x2 = xy[2 * ((i + 1) % n)];
    if (x1 == L) return NULL;
    if ((x1 < L) != (x2 < L)) {
      if (nc == 2) return NULL;
      cross[nc++] = i;
    }
  }
  if (nc != 2) return NULL;
  double yc[2];
  for (int c = 0; c < 2; c++) {
    size_t i = cross[c], j = (i + 1) % n;
    /* from the vertex left of the line, whichever way the edge runs, so
     * that the two pieces get the same point */
    size_t l = xy[2 * i] < L ? i : j, r = l == i ? j : i;
    yc[c] = xy[2 * l + 1] + (L - xy[2 * l]) * (xy[2 * r + 1] - xy[2 * l + 1]) /
                                (xy[2 * r] - xy[2 * l]);
  }
  /* piece a: c0, vertices cross[0]+1 .. cross[1], c1; piece b: the rest */
  size_t na = cross[1] - cross[0] + 2, nb = n - (cross[1] - cross[0]) + 2;
  double *buf = malloc(2 * (na + nb) * sizeof *buf), *pa = buf, *pb;
  if (!buf) return NULL;
  pb = buf + 2 * na;
  size_t m = 0;
  pa[m++] = L;
  pa[m++] = yc[0];
  for (size_t i = cross[0] + 1; i <= cross[1]; i++) {
    pa[m++] = xy[2 * i];
    pa[m++] = xy[2 * i + 1];
  }
  pa[m++] = L;
  pa[m++] = yc[1];
  m = 0;
  pb[m++] = L;
  pb[m++] = yc[1];
  for (size_t k = cross[1] + 1; k <= cross[0] + n; k++) {
    size_t i = k % n;
    pb[m++] = xy[2 * i];
    pb[m++] = xy[2 * i + 1];
  }
  pb[m++] = L;
  pb[m++] = yc[0];
  GEOSGeometry *parts[2] = {NULL, NULL};
  /* a vertex of piece a off the line tells its side */
  int a_left = pa[2] < L;
  parts[0] = polygon_shifted(h, pa, na, -360.0 * (a_left ? k0 : k1));
  parts[1] = polygon_shifted(h, pb, nb, -360.0 * (a_left ? k1 : k0));
  free(buf);
  if (!parts[0] || !parts[1] || GEOSisValid_r(h, parts[0]) != 1 ||
      GEOSisValid_r(h, parts[1]) != 1) {
    if (parts[0]) GEOSGeom_destroy_r(h, parts[0]);
    if (parts[1]) GEOSGeom_destroy_r(h, parts[1]);
    return NULL;
  }
  return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, 2);
}

static GEOSGeometry *world_polygon(struct reach_ctx *ctx) {
  struct reach_pts p = {0};
  GEOSGeometry *g = NULL;
  if (reach_pts_push(&p, -180, -90) && push_line(&p, -180, -90, 180, -90) &&
      push_line(&p, 180, -90, 180, 90) && push_line(&p, 180, 90, -180, 90) &&
      push_line(&p, -180, 90, -180, -90))
    g = polygon_from(ctx, p.xy, p.n - 1, 0);
  reach_pts_free(&p);
  return g;
}

struct reach_region *reach_region_world(struct reach_ctx *ctx) {
  struct reach_region *r = region_new();
  if (!r) return NULL;
  r->g = world_polygon(ctx);
  if (!r->g) {
    free(r);
    return NULL;
  }
  return r;
}

static GEOSGeometry *region_geos(struct reach_ctx *ctx, struct reach_region *r) {
  if (!r->g && r->xy) {
    r->g = polygon_from(ctx, r->xy, r->n, 0);
    free(r->xy);
    r->xy = NULL;
    r->n = 0;
  }
  return r->g;
}

static void bounds(const double *xy, size_t n, double *xmin, double *xmax) {
  *xmin = *xmax = xy[0];
  for (size_t i = 1; i < n; i++) {
    if (xy[2 * i] < *xmin) *xmin = xy[2 * i];
    if (xy[2 * i] > *xmax) *xmax = xy[2 * i];
  }
}

/* The polygon of a curve winding once round a pole, longitudes increasing
 * (winding +1): the curve from its vertex nearest the pole once round, then
 * along the meridian to the pole line, back along it, and down the first
 * meridian.  Starting at the vertex nearest the pole keeps the two closing
 * meridian segments from crossing the curve. */
static GEOSGeometry *pole_polygon(struct reach_ctx *ctx, const double *xy,
                                  size_t n, int pole, double *xmin,
                                  double *xmax) {
  struct reach_pts p = {0};
  GEOSGeometry *g = NULL;
  size_t s = 0;
  for (size_t i = 1; i < n; i++)
    if (pole * xy[2 * i + 1] > pole * xy[2 * s + 1]) s = i;
  int ok = 1;
  for (size_t j = 0; ok && j <= n; j++) {
    size_t i = (s + j) % n;
    ok = reach_pts_push(&p, xy[2 * i] + (s + j >= n ? 360.0 : 0.0), xy[2 * i + 1]);
  }
  double lat = 90.0 * pole;
  if (ok) {
    double x0 = p.xy[0], y0 = p.xy[1];
    double xe = p.xy[2 * (p.n - 1)], ye = p.xy[2 * p.n - 1];
    if (ye != lat) ok = push_line(&p, xe, ye, xe, lat);
    if (ok) ok = push_line(&p, xe, lat, x0, lat);
    if (ok && y0 != lat) ok = push_line(&p, x0, lat, x0, y0);
  }
  if (ok) {
    bounds(p.xy, p.n, xmin, xmax);
    g = polygon_from(ctx, p.xy, p.n - 1, 0); /* last point repeats the first */
  }
  reach_pts_free(&p);
  return g;
}

struct reach_region *reach_region_from_curve(struct reach_ctx *ctx,
                                             const double *xy, size_t n,
                                             int winding, int poles_inside,
                                             int pole) {
  GEOSContextHandle_t h = ctx->geos;
  struct reach_region *r = region_new();
  GEOSGeometry *poly = NULL, *cut = NULL;
  double *rev = NULL, *snapped = NULL;
  if (!r || n < 3) goto fail;
  /* On a grid of 2^-40 degrees (1e-7 m) x + 360 k is exact, so the copies of
   * a vertex shifted by whole turns (the closing meridian of a pole polygon,
   * pieces moved back from another strip) land exactly on each other.
   * Snap before any shift: snapping x + 360 instead can pick the next grid
   * point and leave a seam the union cannot close. */
  snapped = malloc(2 * n * sizeof *snapped);
  if (!snapped) goto fail;
  for (size_t i = 0; i < n; i++) {
    snapped[2 * i] = nearbyint(xy[2 * i] * 0x1p40) * 0x1p-40;
    snapped[2 * i + 1] = xy[2 * i + 1];
  }
  xy = snapped;
  double xmin, xmax;
  bounds(xy, n, &xmin, &xmax);
  if (winding == 0 && poles_inside == 0 && xmin >= -180 && xmax <= 180) {
    r->xy = malloc(2 * n * sizeof *xy);
    if (!r->xy) goto fail;
    memcpy(r->xy, xy, 2 * n * sizeof *xy);
    r->n = n;
    free(snapped);
    return r;
  }
  if (winding != 0) {
    if (winding < 0) {
      /* Reversed, the curve runs eastward once round. */
      rev = malloc(2 * n * sizeof *rev);
      if (!rev) goto fail;
      for (size_t i = 0; i < n; i++) {
        rev[2 * i] = xy[2 * (n - 1 - i)];
        rev[2 * i + 1] = xy[2 * (n - 1 - i) + 1];
      }
      xy = rev;
    }
    poly = pole_polygon(ctx, xy, n, pole, &xmin, &xmax);
  } else {
    poly = polygon_from(ctx, xy, n, 0);
  }
  if (!poly) goto fail;
  int made_valid = 0;
  if (GEOSisValid_r(h, poly) != 1) {
    GEOSGeometry *fixed = GEOSMakeValid_r(h, poly);
    GEOSGeom_destroy_r(h, poly);
    poly = fixed;
    made_valid = 1;
    if (!poly) goto fail;
  }
  if (winding == 0 && !made_valid) cut = cut_once(ctx, xy, n, xmin, xmax);
  if (!cut) cut = cut_strips(ctx, poly, xmin, xmax);
  if (!cut) goto fail;
  if (winding == 0 && poles_inside == 2) {
    GEOSGeometry *world = world_polygon(ctx);
    if (!world) goto fail;
    r->g = GEOSDifference_r(h, world, cut);
    GEOSGeom_destroy_r(h, world);
    if (!r->g) goto fail;
  } else {
    r->g = cut;
    cut = NULL;
  }
  GEOSGeom_destroy_r(h, poly);
  if (cut) GEOSGeom_destroy_r(h, cut);
  free(rev);
  free(snapped);
  return r;
fail:
  if (poly) GEOSGeom_destroy_r(h, poly);
  if (cut) GEOSGeom_destroy_r(h, cut);
  free(rev);
  free(snapped);
  reach_region_free(ctx, r);
  return NULL;
}

struct reach_region *reach_region_from_geos(struct reach_ctx *ctx, void *g) {
  (void)ctx;
  struct reach_region *r = region_new();
  if (r) r->g = g;
  return r;
}

/* A polygon with a hole, when both regions are simple and the hole is known to
 * lie strictly inside (an annulus far from cuts and poles). */
struct reach_region *reach_region_difference(struct reach_ctx *ctx,
                                             struct reach_region *a,
                                             struct reach_region *b) {
  GEOSContextHandle_t h = ctx->geos;
  GEOSGeometry *ga = region_geos(ctx, a), *gb = region_geos(ctx, b);
  if (!ga || !gb) return NULL;
  struct reach_region *r = region_new();
  if (!r) return NULL;
  r->g = GEOSDifference_r(h, ga, gb);
  if (!r->g) {
    free(r);
    return NULL;
  }
  return r;
}

/* ---- conversion to struct reach_geom ---- */

struct geom_builder {
  struct reach_pts pts;
  size_t *ring_start, nrings, rcap;
  size_t *poly_start, npolys, pcap;
};

static int push_index(size_t **arr, size_t *n, size_t *cap, size_t v) {
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 16;
    size_t *a = realloc(*arr, c * sizeof **arr);
    if (!a) return 0;
    *arr = a;
    *cap = c;
  }
  (*arr)[(*n)++] = v;
  return 1;
}

static double snap(double v, double line) {
  return fabs(v - line) < SNAP_DEG ? line : v;
}

static int on_same_cut(double x0, double y0, double x1, double y1) {
  return (x0 == x1 && fabs(x0) == 180) || (y0 == y1 && fabs(y0) == 90);
}

/* Add one ring: snap to cut lines, drop near-duplicates, put vertices every
 * degree along cut and pole lines, orient (ccw: +1 exterior, -1 hole). */
static int add_ring(struct geom_builder *b, const double *in, size_t n,
                    int ccw) {
  struct reach_pts p = {0};
  int ok = reach_pts_reserve(&p, n + 1);
  for (size_t i = 0; ok && i < n; i++) {
    double x = snap(snap(in[2 * i], 180), -180);
    double y = snap(snap(in[2 * i + 1], 90), -90);
    if (p.n > 0) {
      double px = p.xy[2 * (p.n - 1)], py = p.xy[2 * p.n - 1];
      if (fabs(x - px) < DUP_DEG && fabs(y - py) < DUP_DEG) {
        /* keep the vertex on a cut line: pieces must meet exactly there */
        if ((fabs(x) == 180 || fabs(y) == 90) && fabs(px) != 180 &&
            fabs(py) != 90) {
          p.xy[2 * (p.n - 1)] = x;
          p.xy[2 * p.n - 1] = y;
        }
        continue;
      }
      if (on_same_cut(px, py, x, y)) {
        ok = push_line(&p, px, py, x, y);
        continue;
      }
    }
    ok = reach_pts_push(&p, x, y);
  }
  /* closed: the last point must equal the first */
  if (ok && p.n > 1) {
    double x0 = p.xy[0], y0 = p.xy[1];
    double xe = p.xy[2 * (p.n - 1)], ye = p.xy[2 * p.n - 1];
    if (fabs(xe - x0) < DUP_DEG && fabs(ye - y0) < DUP_DEG) {
      p.n--; /* re-added exactly below */
    }
    xe = p.xy[2 * (p.n - 1)];
    ye = p.xy[2 * p.n - 1];
    if (on_same_cut(xe, ye, x0, y0))
      ok = push_line(&p, xe, ye, x0, y0);
    else
      ok = reach_pts_push(&p, x0, y0);
  }
  if (!ok || p.n < 4) {
    reach_pts_free(&p);
    return ok ? 2 : 0; /* 2: degenerate ring, skipped */
  }
  double a2 = 0; /* shoelace: the orientation a GeoJSON reader checks */
  for (size_t i = 0; i + 1 < p.n; i++)
    a2 += p.xy[2 * i] * p.xy[2 * i + 3] - p.xy[2 * i + 2] * p.xy[2 * i + 1];
  int reverse = (a2 > 0) != (ccw > 0);
  if (!push_index(&b->ring_start, &b->nrings, &b->rcap, b->pts.n) ||
      !reach_pts_reserve(&b->pts, b->pts.n + p.n))
    ok = 0;
  for (size_t i = 0; ok && i < p.n; i++) {
    size_t k = reverse ? p.n - 1 - i : i;
    ok = reach_pts_push(&b->pts, p.xy[2 * k], p.xy[2 * k + 1]);
  }
  reach_pts_free(&p);
  return ok;
}

static int add_geos_ring(GEOSContextHandle_t h, struct geom_builder *b,
                         const GEOSGeometry *ring, int ccw) {
  const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
  unsigned size = 0;
  if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &size)) return 0;
  double *buf = malloc(2 * (size_t)(size ? size : 1) * sizeof *buf);
  if (!buf) return 0;
  int ok = GEOSCoordSeq_copyToBuffer_r(h, cs, buf, 0, 0) != 0;
  if (ok) ok = add_ring(b, buf, size, ccw);
  free(buf);
  return ok;
}

int reach_region_to_geom(struct reach_ctx *ctx, struct reach_region *r,
                         struct reach_geom *out) {
  GEOSContextHandle_t h = ctx->geos;
  struct geom_builder b = {0};
  int ok = 1;
  memset(out, 0, sizeof *out);
  if (r->xy) {
    ok = push_index(&b.poly_start, &b.npolys, &b.pcap, 0) &&
         add_ring(&b, r->xy, r->n, 1) == 1;
  } else if (r->g) {
    int ng = GEOSGetNumGeometries_r(h, r->g);
    for (int gi = 0; ok && gi < ng; gi++) {
      const GEOSGeometry *pg = GEOSGetGeometryN_r(h, r->g, gi);
      if (GEOSGeomTypeId_r(h, pg) != GEOS_POLYGON || GEOSisEmpty_r(h, pg))
        continue;
      size_t first = b.nrings;
      int st = add_geos_ring(h, &b, GEOSGetExteriorRing_r(h, pg), 1);
      if (st == 2) continue; /* a sliver: nothing left of it */
      ok = st == 1 && push_index(&b.poly_start, &b.npolys, &b.pcap, first);
      int nh = GEOSGetNumInteriorRings_r(h, pg);
      for (int ri = 0; ok && ri < nh; ri++)
        ok = add_geos_ring(h, &b, GEOSGetInteriorRingN_r(h, pg, ri), -1) != 0;
    }
  }
  if (ok) ok = push_index(&b.poly_start, &b.npolys, &b.pcap, b.nrings);
  if (ok) ok = push_index(&b.ring_start, &b.nrings, &b.rcap, b.pts.n);
  if (!ok) {
    free(b.ring_start);
    free(b.poly_start);
    reach_pts_free(&b.pts);
    return 0;
  }
  out->npolys = b.npolys - 1;
  out->poly_start = b.poly_start;
  out->nrings = b.nrings - 1;
  out->ring_start = b.ring_start;
  out->npoints = b.pts.n;
  out->xy = b.pts.xy;
  return 1;
}

void reach_geom_clear(struct reach_geom *geom) {
  if (!geom) return;
  free(geom->poly_start);
  free(geom->ring_start);
  free(geom->xy);
  memset(geom, 0, sizeof *geom);
}

/* ---- what the coarsest output precision can represent ---- */

/* A ring rounded to a grid of step degrees, as a writer rounding to that
 * precision would write it: still a valid polygon shell? */
static int valid_rounded(GEOSContextHandle_t h, const double *xy, size_t n,
                         double step) {
  GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
  if (!cs) return -1;
  for (size_t i = 0; i < n; i++)
    GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, nearbyint(xy[2 * i] / step) * step,
                         nearbyint(xy[2 * i + 1] / step) * step);
  GEOSGeometry *shell = GEOSGeom_createLinearRing_r(h, cs);
  if (!shell) return 0; /* fewer than 4 distinct points left */
  GEOSGeometry *poly = GEOSGeom_createPolygon_r(h, shell, NULL, 0);
  if (!poly) return -1;
  int v = (unsigned char)GEOSisValid_r(h, poly); /* 0, 1 or 2 (an exception) */
  GEOSGeom_destroy_r(h, poly);
  return v == 1 ? 1 : v == 0 ? 0 : -1;
}

int reach_geom_drop_unrepresentable(struct reach_ctx *ctx, struct reach_geom *g,
                                    double step_deg, double max_m,
                                    double *dropped_m) {
  GEOSContextHandle_t h = ctx->geos;
  *dropped_m = 0;
  if (g->nrings == 0) return 1;
  char *drop = calloc(g->nrings, 1);
  if (!drop) return 0;
  size_t ndrop = 0;
  for (size_t p = 0; p < g->npolys; p++) {
    for (size_t k = g->poly_start[p]; k < g->poly_start[p + 1]; k++) {
      const double *xy = g->xy + 2 * g->ring_start[k];
      size_t n = g->ring_start[k + 1] - g->ring_start[k];
      /* Width of the ring, about: twice its area over its perimeter.  Wide
       * rings (a thousand grid steps) survive any rounding; only slivers
       * and specks are rounded and checked. */
      double a2 = 0, per = 0, x0 = 180, x1 = -180, y0 = 90, y1 = -90;
      for (size_t i = 0; i + 1 < n; i++) {
        /* relative to the first vertex: a speck's area is lost in the
         * rounding of products of whole degrees */
        double ax = xy[2 * i] - xy[0], ay = xy[2 * i + 1] - xy[1];
        double bx = xy[2 * i + 2] - xy[0], by = xy[2 * i + 3] - xy[1];
        a2 += ax * by - bx * ay;
        per += fabs(bx - ax) + fabs(by - ay); /* >= the length: the test below errs
                                                  towards checking */
      }
      if (per > 0 && fabs(a2) / per >= 1000 * step_deg) continue;
      int v = valid_rounded(h, xy, n, step_deg);
      if (v < 0) {
        free(drop);
        return 0;
      }
      if (v) continue;
      for (size_t i = 0; i < n; i++) {
        x0 = fmin(x0, xy[2 * i]);
        x1 = fmax(x1, xy[2 * i]);
        y0 = fmin(y0, xy[2 * i + 1]);
        y1 = fmax(y1, xy[2 * i + 1]);
      }
      double s12 = 0;
      geod_inverse(&ctx->g, y0, x0, y1, x1, &s12, NULL, NULL);
      if (s12 > max_m) continue; /* too big to leave out: kept as it is */
      if (s12 > *dropped_m) *dropped_m = s12; /* >= the ring's diameter */
      if (k == g->poly_start[p]) { /* a shell: the polygon goes */
        for (size_t j = k; j < g->poly_start[p + 1]; j++) drop[j] = 1;
        break;
      }
      drop[k] = 1;
    }
  }
  for (size_t k = 0; k < g->nrings; k++) ndrop += drop[k];
  if (ndrop) {
    /* compact in place: rings, their points, the polygons' starts */
    size_t nk = 0, np = 0, npt = 0;
    for (size_t p = 0; p < g->npolys; p++) {
      size_t first = nk;
      for (size_t k = g->poly_start[p]; k < g->poly_start[p + 1]; k++) {
        if (drop[k]) continue;
        size_t a = g->ring_start[k], b = g->ring_start[k + 1];
        memmove(g->xy + 2 * npt, g->xy + 2 * a, 2 * (b - a) * sizeof *g->xy);
        g->ring_start[nk++] = npt;
        npt += b - a;
      }
      if (nk > first) g->poly_start[np++] = first;
    }
    g->ring_start[nk] = npt;
    g->poly_start[np] = nk;
    g->nrings = nk;
    g->npolys = np;
    g->npoints = npt;
  }
  free(drop);
  return 1;
}

/* Clipping for drawing (see clip.h): the GEOS half of what render/ draws. */
#define GEOS_USE_ONLY_R_API
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/clip.h"
#include "geom/geos.h"

struct reach_clip {
  GEOSGeometry *vis; /* NULL: nothing is clipped */
  const GEOSPreparedGeometry *prep;
};

int reach_runs_add(struct reach_runs *r, const double *xy, size_t n, int hole, size_t poly) {
  if (r->n + 1 >= r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 16;
    size_t *start = realloc(r->start, (cap + 1) * sizeof *start);
    if (start) r->start = start;
    unsigned char *h = start ? realloc(r->hole, cap * sizeof *h) : NULL;
    if (h) r->hole = h;
    size_t *p = h ? realloc(r->poly, cap * sizeof *p) : NULL;
    if (!p) return 0;
    r->poly = p;
    r->cap = cap;
  }
  if (r->n == 0) r->start[0] = r->pts.n;
  for (size_t i = 0; i < n; i++)
    if (!reach_pts_push(&r->pts, xy[2 * i], xy[2 * i + 1])) return 0;
  r->hole[r->n] = (unsigned char)(hole != 0);
  r->poly[r->n] = poly;
  if (poly + 1 > r->npolys) r->npolys = poly + 1;
  r->start[++r->n] = r->pts.n;
  return 1;
}

void reach_runs_clear(struct reach_runs *r) {
  reach_pts_free(&r->pts);
  free(r->start);
  free(r->hole);
  free(r->poly);
  memset(r, 0, sizeof *r);
}

struct reach_clip *reach_clip_new(struct reach_ctx *ctx, const struct reach_geom *visible,
                                  int whole_world) {
  struct reach_clip *c = calloc(1, sizeof *c);
  if (!c || whole_world || !visible) return c;
  c->vis = reach_geom_to_geos(ctx, visible);
  c->prep = c->vis ? GEOSPrepare_r(ctx->geos, c->vis) : NULL;
  if (!c->prep) {
    reach_clip_free(ctx, c);
    return NULL;
  }
  return c;
}

void reach_clip_free(struct reach_ctx *ctx, struct reach_clip *c) {
  if (!c) return;
  if (c->prep) GEOSPreparedGeom_destroy_r(ctx->geos, c->prep);
  if (c->vis) GEOSGeom_destroy_r(ctx->geos, c->vis);
  free(c);
}

int reach_clip_point(struct reach_ctx *ctx, const struct reach_clip *c, double lon_deg,
                     double lat_deg) {
  if (!c->vis) return 1;
  GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, lon_deg, lat_deg);
  int in = pt && GEOSPreparedIntersects_r(ctx->geos, c->prep, pt) == 1;
  if (pt) GEOSGeom_destroy_r(ctx->geos, pt);
  return in;
}

/* @p g clipped to the visible area: a new geometry, NULL when nothing of it
 * is visible or GEOS fails. */
static GEOSGeometry *clip(struct reach_ctx *ctx, const struct reach_clip *c,
                          const GEOSGeometry *g) {
  GEOSContextHandle_t h = ctx->geos;
  if (!c->vis) return GEOSGeom_clone_r(h, g);
  if (GEOSPreparedIntersects_r(h, c->prep, g) != 1) return NULL;
  if (GEOSPreparedContainsProperly_r(h, c->prep, g) == 1) return GEOSGeom_clone_r(h, g);
  return GEOSIntersection_r(h, g, c->vis);
}

/* The coordinates of a GEOS ring or line into @p out (its buffer grows as
 * needed and stays with it). */
static int coords(GEOSContextHandle_t h, const GEOSGeometry *g, struct reach_pts *out) {
  const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
  unsigned size = 0;
  out->n = 0;
  if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &size)) return 0;
  if (size > out->cap) {
    double *b = realloc(out->xy, 2 * (size_t)size * sizeof *b);
    if (!b) return 0;
    out->xy = b;
    out->cap = size;
  }
  out->n = size;
  return size == 0 || GEOSCoordSeq_copyToBuffer_r(h, cs, out->xy, 0, 0);
}

/* The polygons of @p g as rings, polygon numbers going on from out->npolys. */
static int polygons(GEOSContextHandle_t h, const GEOSGeometry *g, struct reach_pts *buf,
                    struct reach_runs *out) {
  int t = GEOSGeomTypeId_r(h, g);
  if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
      if (!polygons(h, GEOSGetGeometryN_r(h, g, i), buf, out)) return 0;
    return 1;
  }
  if (t != GEOS_POLYGON) return 1;
  size_t poly = out->npolys;
  int nh = GEOSGetNumInteriorRings_r(h, g);
  for (int r = -1; r < nh; r++) {
    const GEOSGeometry *ring =
        r < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, r);
    if (!ring || !coords(h, ring, buf) || !reach_runs_add(out, buf->xy, buf->n, r >= 0, poly))
      return 0;
  }
  return 1;
}

/* The lines of @p g as runs. */
static int lines(GEOSContextHandle_t h, const GEOSGeometry *g, struct reach_pts *buf,
                 struct reach_runs *out) {
  int t = GEOSGeomTypeId_r(h, g);
  if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
      if (!lines(h, GEOSGetGeometryN_r(h, g, i), buf, out)) return 0;
    return 1;
  }
  if (t != GEOS_LINESTRING && t != GEOS_LINEARRING) return 1;
  return coords(h, g, buf) && reach_runs_add(out, buf->xy, buf->n, 0, 0);
}

static int seam_edge(const double *a, const double *b, int seams) {
  return ((seams & REACH_SEAM_CUT) && fabs(fabs(a[0]) - 180) < REACH_SEAM_EPS &&
          fabs(fabs(b[0]) - 180) < REACH_SEAM_EPS && (a[0] > 0) == (b[0] > 0)) ||
         ((seams & REACH_SEAM_POLE) && fabs(fabs(a[1]) - 90) < REACH_SEAM_EPS &&
          fabs(fabs(b[1]) - 90) < REACH_SEAM_EPS);
}

/* The runs of a closed ring's edges that are real boundary (not on a seam
 * line), appended to @p out. */
static int ring_runs(const double *xy, size_t n, int seams, struct reach_runs *out) {
  if (n < 2) return 1;
  size_t m = n - 1; /* edges: i -> i + 1 */
  size_t start = 0;
  int any_seam = 0;
  for (size_t i = 0; i < m; i++)
    if (seam_edge(xy + 2 * i, xy + 2 * (i + 1), seams)) {
      start = i + 1; /* begin after a seam so that no run wraps */
      any_seam = 1;
      break;
    }
  if (!any_seam) return reach_runs_add(out, xy, n, 0, 0);
  size_t len = 0, first = 0;
  for (size_t j = 0; j <= m; j++) {
    size_t i = (start + j) % m; /* edge i -> i + 1 */
    int seam = j == m || seam_edge(xy + 2 * i, xy + 2 * (i + 1), seams);
    if (!seam) {
      if (len == 0) first = i;
      len = len ? len + 1 : 2; /* points: edges + 1 */
    }
    if (seam && len >= 2) { /* point m is point 0: the ring is closed */
      double *buf = malloc(2 * len * sizeof *buf);
      if (!buf) return 0;
      for (size_t k = 0; k < len; k++) {
        size_t p = (first + k) % m;
        buf[2 * k] = xy[2 * p];
        buf[2 * k + 1] = xy[2 * p + 1];
      }
      int ok = reach_runs_add(out, buf, len, 0, 0);
      free(buf);
      if (!ok) return 0;
    }
    if (seam) len = 0;
  }
  return 1;
}

/* Outline runs of every ring of @p polys. */
static int outline_of(const struct reach_runs *polys, int seams, struct reach_runs *out) {
  for (size_t r = 0; r < polys->n; r++)
    if (!ring_runs(polys->pts.xy + 2 * polys->start[r], polys->start[r + 1] - polys->start[r],
                   seams, out))
      return 0;
  return 1;
}

/* @p runs as a GEOS MultiLineString, or NULL. */
static GEOSGeometry *multiline(GEOSContextHandle_t h, const struct reach_runs *runs) {
  GEOSGeometry **ls = calloc(runs->n ? runs->n : 1, sizeof(GEOSGeometry *));
  if (!ls) return NULL;
  size_t k = 0;
  for (; k < runs->n; k++) {
    size_t a = runs->start[k], b = runs->start[k + 1];
    GEOSCoordSequence *cs =
        GEOSCoordSeq_copyFromBuffer_r(h, runs->pts.xy + 2 * a, (unsigned)(b - a), 0, 0);
    if (!cs || !(ls[k] = GEOSGeom_createLineString_r(h, cs))) break;
  }
  GEOSGeometry *ml = k == runs->n
                         ? GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, ls, (unsigned)k)
                         : NULL;
  if (!ml)
    for (size_t i = 0; i < k; i++) GEOSGeom_destroy_r(h, ls[i]);
  free(ls);
  return ml;
}

int reach_clip_lines(struct reach_ctx *ctx, const struct reach_clip *c,
                     const struct reach_runs *in, struct reach_runs *out) {
  if (in->n == 0) return 1;
  GEOSContextHandle_t h = ctx->geos;
  GEOSGeometry *ml = multiline(h, in);
  if (!ml) return 0;
  GEOSGeometry *cl = clip(ctx, c, ml);
  GEOSGeom_destroy_r(h, ml);
  struct reach_pts buf = {0};
  int ok = !cl || lines(h, cl, &buf, out);
  if (cl) GEOSGeom_destroy_r(h, cl);
  reach_pts_free(&buf);
  return ok;
}

int reach_clip_shape(struct reach_ctx *ctx, const struct reach_clip *c,
                     const struct reach_geom *g, const void *member, int seams,
                     int outline_of_clipped, struct reach_runs *fill,
                     struct reach_runs *outline) {
  GEOSContextHandle_t h = ctx->geos;
  GEOSGeometry *own = g ? reach_geom_to_geos(ctx, g) : NULL;
  const GEOSGeometry *shape = g ? own : member;
  if (!shape) return 0;
  GEOSGeometry *cl = clip(ctx, c, shape);
  struct reach_runs clipped = {0}, whole = {0}, runs = {0};
  struct reach_pts buf = {0};
  int ok = !cl || polygons(h, cl, &buf, &clipped);
  size_t base = fill ? fill->npolys : 0; /* polygon numbers go on across calls */
  for (size_t r = 0; ok && fill && r < clipped.n; r++)
    ok = reach_runs_add(fill, clipped.pts.xy + 2 * clipped.start[r],
                        clipped.start[r + 1] - clipped.start[r], clipped.hole[r],
                        base + clipped.poly[r]);
  if (ok && outline) {
    if (outline_of_clipped)
      ok = outline_of(&clipped, seams, &runs);
    else
      ok = polygons(h, shape, &buf, &whole) && outline_of(&whole, seams, &runs);
    ok = ok && reach_clip_lines(ctx, c, &runs, outline);
  }
  if (cl) GEOSGeom_destroy_r(h, cl);
  if (own) GEOSGeom_destroy_r(h, own);
  reach_runs_clear(&clipped);
  reach_runs_clear(&whole);
  reach_runs_clear(&runs);
  reach_pts_free(&buf);
  return ok;
}

int reach_runs_surface_point(struct reach_ctx *ctx, const struct reach_runs *polys,
                             size_t poly, double *lon_deg, double *lat_deg) {
  GEOSContextHandle_t h = ctx->geos;
  struct reach_geom g = {0};
  size_t rings[2] = {0, 0};
  /* the rings of that polygon, as a one-polygon reach_geom */
  size_t r0 = polys->n, r1 = 0;
  for (size_t r = 0; r < polys->n; r++)
    if (polys->poly[r] == poly) {
      if (r < r0) r0 = r;
      r1 = r + 1;
    }
  if (r0 >= r1) return 0;
  size_t *ring_start = malloc((r1 - r0 + 1) * sizeof *ring_start);
  if (!ring_start) return 0;
  for (size_t r = r0; r <= r1; r++) ring_start[r - r0] = polys->start[r] - polys->start[r0];
  g.npolys = 1;
  g.poly_start = rings;
  rings[1] = r1 - r0;
  g.nrings = r1 - r0;
  g.ring_start = ring_start;
  g.npoints = polys->start[r1] - polys->start[r0];
  g.xy = polys->pts.xy + 2 * polys->start[r0];
  GEOSGeometry *gg = reach_geom_to_geos(ctx, &g);
  free(ring_start);
  GEOSGeometry *pt = gg ? GEOSPointOnSurface_r(h, gg) : NULL;
  int ok = pt && GEOSGeomGetX_r(h, pt, lon_deg) && GEOSGeomGetY_r(h, pt, lat_deg);
  if (pt) GEOSGeom_destroy_r(h, pt);
  if (gg) GEOSGeom_destroy_r(h, gg);
  return ok;
}

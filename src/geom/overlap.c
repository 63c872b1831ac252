/* Overlap counts: how many regions hold each place, as bands per count.
 *
 * The regions' box in [-180,180] x [-90,90] is cut into a grid of tiles.  Each region's
 * edges are clipped to the tiles they cross (a point where an edge meets a
 * tile side is put exactly on the side, computed from the same numbers in
 * both tiles); a region whose boundary misses a tile holds all of it or none
 * of it (crossings of the row's middle line tell which), and only adds its
 * weight to the tile's base count.
 *
 * In a tile the pieces of different regions are intersected (a sub-grid of
 * the tile finds the candidate pairs; each crossing is computed once, from
 * one piece, and shared by both).  Counts are then carried, not measured:
 * along each chain of pieces the count on its left changes by the other
 * region's weight at each crossing (entering or leaving it), and starts from
 * the count walked along the tile's perimeter (one crossing-number count at
 * a corner, +-weight where chains meet the perimeter), or from one crossing-
 * number count where a chain starts inside the tile.  The right side of a
 * piece has the count of its left less its own region's weight.
 *
 * Bands are not dissolved with a union of faces.  The count is a piecewise
 * constant function on the plane; band c's boundary is where it changes from
 * c.  Inside a tile those are the sub-pieces whose two sides fall in
 * different bands.  Along a tile side the two tiles' perimeter intervals are
 * merged (both sets of breakpoints) and every sub-interval whose bands
 * differ goes to both bands; this holds even where the two tiles split a
 * side differently, so each band's linework always closes.  Each band's
 * directed edges (the band on their left) are traced into rings, and each
 * hole goes to the smallest shell holding it.
 *
 * Work and memory grow with the edges and crossings of the arrangement (the
 * answer), not with all pairs of regions; tiles and bands run on all
 * threads; the result depends on the data only, never on the thread count
 * (per-tile results are kept per tile and read in grid order). */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "geom/geos.h"
#include "georeach/overlay.h"


struct hits {
  size_t *idx;
  size_t n, cap;
};

static void tree_hit(void *item, void *data) {
  struct hits *h = data;
  if (h->n == h->cap) {
    size_t c = h->cap ? 2 * h->cap : 64;
    size_t *p = realloc(h->idx, c * sizeof *p);
    if (!p) return; /* counted as a miss */
    h->idx = p;
    h->cap = c;
  }
  h->idx[h->n++] = *(const size_t *)item;
}

void reach_overlap_free(struct reach_overlap_band *bands, size_t n) {
  for (size_t i = 0; bands && i < n; i++) reach_geom_clear(&bands[i].geom);
  free(bands);
}

/* The faces of the arrangement of every region's boundary (GEOS noding +
 * polygonize of all of them at once), each counted by the regions holding an
 * interior point of it, then dissolved per count.  Kept as the reference the
 * tiled method is tested against (GEOREACH_OVERLAP=pairs); quadratic. */
static enum reach_status overlap_pairs(struct reach_ctx *ctx,
                                       const struct reach_geom *gs, size_t n,
                                       long min_count,
                                       struct reach_overlap_band **bands_out,
                                       size_t *nbands_out) {
  GEOSContextHandle_t h = ctx->geos;
  enum reach_status st = REACH_OK;
  GEOSGeometry **polys = calloc(n ? n : 1, sizeof(GEOSGeometry *));
  const GEOSPreparedGeometry **prep = calloc(n ? n : 1, sizeof(GEOSPreparedGeometry *));
  GEOSGeometry **bounds = calloc(n ? n : 1, sizeof(GEOSGeometry *));
  size_t *ids = calloc(n ? n : 1, sizeof *ids);
  GEOSGeometry *lines = NULL, *noded = NULL, *faces = NULL;
  GEOSSTRtree *tree = NULL;
  GEOSGeometry ***bucket = NULL;
  size_t *nbucket = NULL, nb = 0, nfaces = 0, m = 0;
  struct reach_overlap_band *bands = NULL;
  struct hits hit = {0};
  if (!polys || !prep || !bounds || !ids) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) ids[i] = i;
  tree = GEOSSTRtree_create_r(h, 10);
  for (size_t i = 0; i < n; i++) {
    if (gs[i].npolys == 0) continue;
    if (!(polys[i] = reach_geom_to_geos(ctx, &gs[i])) || !(prep[i] = GEOSPrepare_r(h, polys[i])) ||
        !(bounds[m] = GEOSBoundary_r(h, polys[i]))) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      goto done;
    }
    m++;
    GEOSSTRtree_insert_r(h, tree, polys[i], &ids[i]);
  }
  lines = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, bounds, (unsigned)m);
  if (lines) memset(bounds, 0, n * sizeof(GEOSGeometry *));
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
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, bucket[b],
                                                     (unsigned)nbucket[b]);
    nbucket[b] = 0;
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll) GEOSGeom_destroy_r(h, coll);
    if (!u) {
      st = reach_fail(ctx, REACH_ERR_INTERNAL, "overlap union failed (%s)",
                      ctx->msg[0] ? ctx->msg : "GEOS");
      break;
    }
    bands[nout].count = min_count > 0 ? min_count : (long)b + 1;
    bands[nout].at_least = min_count > 0;
    if ((st = reach_geom_from_geos(ctx, u, &bands[nout].geom)) == REACH_OK) {
      bands[nout].area_m2 = reach_geom_area_m2(ctx, &bands[nout].geom);
      nout++;
    }
  }
  if (st == REACH_OK) {
    *bands_out = bands;
    *nbands_out = nout;
  } else {
    reach_overlap_free(bands, nout);
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

/* ---- the tiled method ---- */

struct grid {
  int ncols, nrows;
  double sx, sy;
  double win[4]; /* the box the grid covers: x0, y0, x1, y1 */
};

/* Grid lines are computed one way everywhere, so two tiles agree on them to
 * the bit. */
static inline double mn(double a, double b) { return a < b ? a : b; }
static inline double mx(double a, double b) { return a > b ? a : b; }

static double gx(const struct grid *g, int i) {
  return i >= g->ncols ? g->win[2] : g->win[0] + (g->win[2] - g->win[0]) * i / g->ncols;
}
static double gy(const struct grid *g, int j) {
  return j >= g->nrows ? g->win[3] : g->win[1] + (g->win[3] - g->win[1]) * j / g->nrows;
}

/* The row j with gy(j) <= y < gy(j+1) (the last row for y = 90). */
static int row_of(const struct grid *g, double y) {
  int j = (int)floor((y - g->win[1]) / g->sy);
  if (j < 0) j = 0;
  if (j > g->nrows - 1) j = g->nrows - 1;
  while (j > 0 && y < gy(g, j)) j--;
  while (j < g->nrows - 1 && y >= gy(g, j + 1)) j++;
  return j;
}
static int col_of(const struct grid *g, double x) {
  int i = (int)floor((x - g->win[0]) / g->sx);
  if (i < 0) i = 0;
  if (i > g->ncols - 1) i = g->ncols - 1;
  while (i > 0 && x < gx(g, i)) i--;
  while (i < g->ncols - 1 && x >= gx(g, i + 1)) i++;
  return i;
}

/* Closed-interval ranges: every column i whose [gx(i), gx(i+1)] meets
 * [x0, x1] (and rows likewise). */
static void col_range(const struct grid *g, double x0, double x1, int *i0, int *i1) {
  *i0 = col_of(g, x0);
  if (*i0 > 0 && x0 == gx(g, *i0)) (*i0)--;
  *i1 = col_of(g, x1);
}
static void row_range(const struct grid *g, double y0, double y1, int *j0, int *j1) {
  *j0 = row_of(g, y0);
  if (*j0 > 0 && y0 == gy(g, *j0)) (*j0)--;
  *j1 = row_of(g, y1);
}

/* One region's edges bucketed by grid row, for crossing-number tests. */
struct rgn {
  const double *xy;
  double box[4];
  int j0, j1; /* rows of the box */
  uint32_t *roff, *seg; /* seg[roff[j - j0] .. roff[j - j0 + 1]): segment starts */
};

/* Whether (px, py) is inside region r: crossings of the ray towards +x. */
static int rgn_inside(const struct grid *g, const struct rgn *r, double px, double py) {
  if (px < r->box[0] || px > r->box[2] || py < r->box[1] || py > r->box[3]) return 0;
  int j = row_of(g, py);
  if (j < r->j0 || j > r->j1) return 0;
  int c = 0;
  for (uint32_t q = r->roff[j - r->j0]; q < r->roff[j - r->j0 + 1]; q++) {
    const double *a = r->xy + 2 * (size_t)r->seg[q], *b = a + 2;
    if ((a[1] > py) != (b[1] > py)) {
      double xi = a[0] + (py - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
      if (px < xi) c ^= 1;
    }
  }
  return c;
}

/* A piece of a region's edge inside one tile. */
struct rec {
  uint32_t region, seg;
  double a[2], b[2];
};

enum { SIDE_LEFT, SIDE_RIGHT, SIDE_BOTTOM, SIDE_TOP, SIDE_NONE };

/* Clip segment p->q to the closed rectangle (Liang-Barsky).  A point where
 * the segment meets a side is put exactly on the side's line, and computed
 * from the same numbers in both tiles of that side. */
static int clip(const double *p, const double *q, double x0, double x1, double y0,
                double y1, double *a, double *b) {
  double dx = q[0] - p[0], dy = q[1] - p[1];
  double t0 = 0, t1 = 1;
  int e0 = SIDE_NONE, e1 = SIDE_NONE;
  double pp[4] = {-dx, dx, -dy, dy};
  double qq[4] = {p[0] - x0, x1 - p[0], p[1] - y0, y1 - p[1]};
  for (int s = 0; s < 4; s++) {
    if (pp[s] == 0) {
      if (qq[s] < 0) return 0;
      continue;
    }
    double r = qq[s] / pp[s];
    if (pp[s] < 0) {
      if (r > t1) return 0;
      if (r > t0) {
        t0 = r;
        e0 = s;
      }
    } else {
      if (r < t0) return 0;
      if (r < t1) {
        t1 = r;
        e1 = s;
      }
    }
  }
  if (!(t0 <= t1)) return 0;
  const double lines[4] = {x0, x1, y0, y1};
  for (int k = 0; k < 2; k++) {
    int e = k ? e1 : e0;
    double *o = k ? b : a;
    if (e == SIDE_NONE) {
      const double *src = k ? q : p;
      o[0] = src[0];
      o[1] = src[1];
    } else if (e == SIDE_LEFT || e == SIDE_RIGHT) {
      double X = lines[e];
      double y = p[1] + (X - p[0]) * (dy / dx);
      o[0] = X;
      o[1] = y < y0 ? y0 : y > y1 ? y1 : y;
    } else {
      double Y = lines[e];
      double x = p[0] + (Y - p[1]) * (dx / dy);
      o[0] = x < x0 ? x0 : x > x1 ? x1 : x;
      o[1] = Y;
    }
  }
  return !(a[0] == b[0] && a[1] == b[1]);
}

/* A directed edge of a band (the band on its left). */
struct bedge {
  double a[2], b[2];
  long band;
};

struct iv {
  double lo, hi;
  long band;
};

/* What one tile with edges inside it leaves for the assembly. */
struct tile_out {
  struct bedge *e;
  size_t ne;
  struct iv *side[4];
  size_t nside[4];
};

struct job {
  const struct grid *g;
  struct rgn *rg;
  size_t nrg;
  long min_count;
  struct rec *recs;
  uint32_t *toff; /* records of cell c: toff[c] .. toff[c+1] */
  int32_t *base;
  uint32_t *wt; /* weight of each region: how many identical ones it stands for */
  struct tile_out **outs;
  size_t ncells;
  atomic_size_t next;
  atomic_size_t done;
  atomic_int stop, failed;
  char msg[REACH_ERRMSG_LEN];
};

static long band_of(const struct job *J, long count) {
  if (J->min_count > 0) return count >= J->min_count ? 1 : 0;
  return count;
}

/* growable arrays */
static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t c = *cap ? *cap : 16;
  while (c < need) c *= 2;
  void *q = realloc(*p, c * size);
  if (!q) return 0;
  *p = q;
  *cap = c;
  return 1;
}

/* A face edge: which tile side it lies on, or SIDE_NONE. */
static int on_side(const double *a, const double *b, const double *rect) {
  if (a[0] == b[0] && a[0] == rect[0]) return SIDE_LEFT;
  if (a[0] == b[0] && a[0] == rect[1]) return SIDE_RIGHT;
  if (a[1] == b[1] && a[1] == rect[2]) return SIDE_BOTTOM;
  if (a[1] == b[1] && a[1] == rect[3]) return SIDE_TOP;
  return SIDE_NONE;
}

static int cmp_iv(const void *x, const void *y) {
  const struct iv *p = x, *q = y;
  if (p->lo != q->lo) return p->lo < q->lo ? -1 : 1;
  return p->hi < q->hi ? -1 : p->hi > q->hi;
}

static double ring_area2(const double *xy, size_t n) {
  double a2 = 0;
  for (size_t k = 0; k + 1 < n; k++) a2 += xy[2 * k] * xy[2 * k + 3] - xy[2 * k + 2] * xy[2 * k + 1];
  return a2;
}

static int add_bedge(struct tile_out *o, size_t *cap, const double *a, const double *b,
                     long band) {
  if (!grow((void **)&o->e, cap, o->ne + 1, sizeof *o->e)) return 0;
  struct bedge *e = &o->e[o->ne++];
  e->a[0] = a[0];
  e->a[1] = a[1];
  e->b[0] = b[0];
  e->b[1] = b[1];
  e->band = band;
  return 1;
}

static int same_pt(const double *p, const double *q) { return p[0] == q[0] && p[1] == q[1]; }

/* A piece of a region's edge in the tile, and where others cross it. */
struct piece {
  double a[2], b[2];
  uint32_t region;
  size_t x0, nx; /* its crossings: xs[x0 .. x0 + nx) after sorting */
};

struct xing {
  size_t piece;
  double t, p[2];
  long delta; /* change of the count on the piece's left past this point */
};

struct bp { /* a breakpoint on the tile's perimeter */
  double s;   /* perimeter parameter: bottom [0,1), right [1,2), top [2,3), left [3,4) */
  double u;   /* its coordinate along its side */
  int side;
  long delta; /* change of the count just inside, walking the perimeter */
  size_t chain; /* the chain starting here + 1, or 0 */
};

struct tscratch {
  struct piece *pc;
  size_t pccap;
  struct xing *xs;
  size_t xscap;
  size_t *cidx, *coff;
  size_t cicap, cocap;
  struct bp *bp;
  size_t bpcap;
  size_t *chs; /* chain start piece indices */
  size_t chcap;
  long *chL;
  size_t chLcap;
  uint32_t *partial;
  size_t pcap;
};

static void tscratch_free(struct tscratch *s) {
  free(s->pc);
  free(s->xs);
  free(s->cidx);
  free(s->coff);
  free(s->bp);
  free(s->chs);
  free(s->chL);
  free(s->partial);
}

static int cmp_xing(const void *x, const void *y) {
  const struct xing *p = x, *q = y;
  if (p->piece != q->piece) return p->piece < q->piece ? -1 : 1;
  return p->t < q->t ? -1 : p->t > q->t;
}

static int cmp_bp(const void *x, const void *y) {
  const struct bp *p = x, *q = y;
  if (p->s != q->s) return p->s < q->s ? -1 : 1;
  return p->chain < q->chain ? -1 : p->chain > q->chain;
}

/* Which side a point of the perimeter is on (-1: inside), its parameter. */
static int perim(const double *p, const double *rect, double *s, double *u) {
  double x = p[0], y = p[1];
  if (y == rect[2] && x < rect[1]) {
    *u = x;
    *s = (x - rect[0]) / (rect[1] - rect[0]);
    return SIDE_BOTTOM;
  }
  if (x == rect[1] && y < rect[3]) {
    *u = y;
    *s = 1 + (y - rect[2]) / (rect[3] - rect[2]);
    return SIDE_RIGHT;
  }
  if (y == rect[3] && x > rect[0]) {
    *u = x;
    *s = 2 + (rect[1] - x) / (rect[1] - rect[0]);
    return SIDE_TOP;
  }
  if (x == rect[0] && y > rect[2]) {
    *u = y;
    *s = 3 + (rect[3] - y) / (rect[3] - rect[2]);
    return SIDE_LEFT;
  }
  if (x == rect[0] && y == rect[2]) {
    *u = x;
    *s = 0;
    return SIDE_BOTTOM;
  }
  return -1;
}

static const double side_dir[4][2] = {{0, -1}, {0, 1}, {1, 0}, {-1, 0}}; /* by SIDE_* */

static double cross2(const double *d, const double *e) { return d[0] * e[1] - d[1] * e[0]; }

/* Emit one sub-edge a->b of a region (its inside on the left), with count L
 * on its left and L - k on its right. */
static int emit_sub(struct job *J, struct tile_out *o, size_t *ecap, const double *a,
                    const double *b, long L, long k) {
  if (a[0] == b[0] && a[1] == b[1]) return 1;
  long bl = band_of(J, L), br = band_of(J, L - k);
  if (bl == br) return 1;
  if (bl > 0 && !add_bedge(o, ecap, a, b, bl)) return 0;
  if (br > 0 && !add_bedge(o, ecap, b, a, br)) return 0;
  return 1;
}

/* One tile with region edges inside it.  No noding library: the pieces of
 * different regions are intersected here (each crossing computed once, from
 * one piece, and shared by both), and counts are carried along each chain
 * of pieces: one crossing-number count where a chain starts inside the tile,
 * else the count walked along the tile's perimeter from one counted corner;
 * past each crossing the count on a piece's left changes by the other
 * region's weight, entering or leaving it.  Edges whose two sides fall in
 * different bands are kept, and the perimeter's intervals with their bands
 * are kept for the seams. */
static int do_tile(struct job *J, size_t cell, struct tscratch *s, struct tile_out *o) {
  const struct grid *g = J->g;
  int i = (int)(cell % (size_t)g->ncols), j = (int)(cell / (size_t)g->ncols);
  double rect[4] = {gx(g, i), gx(g, i + 1), gy(g, j), gy(g, j + 1)};
  const struct rec *rc = J->recs + J->toff[cell];
  size_t nrec = J->toff[cell + 1] - J->toff[cell];
  long base = J->base[cell];
  size_t np = 0, npc = 0, nxs = 0, nch = 0, nbp = 0, ecap = 0, scap[4] = {0, 0, 0, 0};
  memset(o, 0, sizeof *o);
  for (size_t k = 0; k < nrec; k++)
    if (np == 0 || s->partial[np - 1] != rc[k].region) {
      if (!grow((void **)&s->partial, &s->pcap, np + 1, sizeof *s->partial)) return 0;
      s->partial[np++] = rc[k].region;
    }
  long bmin = -1;
  if (J->min_count > 0) {
    long wsum = 0;
    for (size_t q = 0; q < np; q++) wsum += J->wt[s->partial[q]];
    bmin = base >= J->min_count ? 1 : base + wsum < J->min_count ? 0 : -1;
  }
  if (bmin >= 0) { /* pruned: the whole tile is in the band, or none of it can be */
    for (int sd = 0; sd < 4; sd++) {
      o->side[sd] = malloc(sizeof(struct iv));
      if (!o->side[sd]) return 0;
      o->side[sd][0].lo = sd < 2 ? rect[2] : rect[0];
      o->side[sd][0].hi = sd < 2 ? rect[3] : rect[1];
      o->side[sd][0].band = bmin;
      o->nside[sd] = 1;
    }
    return 1;
  }
  /* pieces (those lying along a side are left out: the sides are walked
   * below), and chains of consecutive pieces */
  if (!grow((void **)&s->pc, &s->pccap, nrec + 1, sizeof *s->pc) ||
      !grow((void **)&s->chs, &s->chcap, nrec + 2, sizeof *s->chs))
    return 0;
  for (size_t k = 0; k < nrec; k++) {
    const struct rec *x = &rc[k];
    if (on_side(x->a, x->b, rect) != SIDE_NONE) continue;
    int joins = npc > 0 && k > 0 && s->pc[npc - 1].region == x->region &&
                rc[k - 1].seg + 1 == x->seg && same_pt(s->pc[npc - 1].b, x->a);
    if (!joins) s->chs[nch++] = npc;
    struct piece *p = &s->pc[npc++];
    memcpy(p->a, x->a, sizeof p->a);
    memcpy(p->b, x->b, sizeof p->b);
    p->region = x->region;
    p->nx = 0;
  }
  s->chs[nch] = npc;
  /* crossings: pieces by cell of an NS x NS grid over the tile */
  int NS = 1;
  while (NS < 64 && (size_t)NS * NS * 8 < npc) NS *= 2;
  double cw = (rect[1] - rect[0]) / NS, chh = (rect[3] - rect[2]) / NS;
  size_t ncell = (size_t)NS * NS;
  if (!grow((void **)&s->coff, &s->cocap, ncell + 1, sizeof *s->coff)) return 0;
  memset(s->coff, 0, (ncell + 1) * sizeof *s->coff);
#define SUBCELL(v, lo, w) ((int)mn(mx(floor(((v) - (lo)) / (w)), 0), NS - 1))
  for (int pass = 0; pass < 2; pass++) {
    for (size_t k = 0; k < npc; k++) {
      const struct piece *p = &s->pc[k];
      int a0 = SUBCELL(mn(p->a[0], p->b[0]), rect[0], cw), a1 = SUBCELL(mx(p->a[0], p->b[0]), rect[0], cw);
      int b0 = SUBCELL(mn(p->a[1], p->b[1]), rect[2], chh), b1 = SUBCELL(mx(p->a[1], p->b[1]), rect[2], chh);
      for (int jj = b0; jj <= b1; jj++)
        for (int ii = a0; ii <= a1; ii++) {
          size_t c = (size_t)jj * NS + ii;
          if (pass == 0) s->coff[c + 1]++;
          else s->cidx[s->coff[c]++] = k;
        }
    }
    if (pass == 0) {
      for (size_t c = 0; c < ncell; c++) s->coff[c + 1] += s->coff[c];
      if (!grow((void **)&s->cidx, &s->cicap, s->coff[ncell] + 1, sizeof *s->cidx)) return 0;
    } else {
      for (size_t c = ncell; c > 0; c--) s->coff[c] = s->coff[c - 1];
      s->coff[0] = 0;
    }
  }
  for (size_t c = 0; c < ncell; c++) {
    int ci = (int)(c % (size_t)NS), cj = (int)(c / (size_t)NS);
    for (size_t u = s->coff[c]; u < s->coff[c + 1]; u++) {
      const struct piece *P = &s->pc[s->cidx[u]];
      double pminx = mn(P->a[0], P->b[0]), pmaxx = mx(P->a[0], P->b[0]);
      double pminy = mn(P->a[1], P->b[1]), pmaxy = mx(P->a[1], P->b[1]);
      for (size_t v = u + 1; v < s->coff[c + 1]; v++) {
        const struct piece *Q = &s->pc[s->cidx[v]];
        if (Q->region == P->region) continue;
        if (mx(Q->a[0], Q->b[0]) < pminx || mn(Q->a[0], Q->b[0]) > pmaxx ||
            mx(Q->a[1], Q->b[1]) < pminy || mn(Q->a[1], Q->b[1]) > pmaxy)
          continue;
        double d[2] = {P->b[0] - P->a[0], P->b[1] - P->a[1]};
        double f[2] = {Q->b[0] - Q->a[0], Q->b[1] - Q->a[1]};
        double qa[2] = {Q->a[0] - P->a[0], Q->a[1] - P->a[1]};
        double qb[2] = {Q->b[0] - P->a[0], Q->b[1] - P->a[1]};
        double o1 = cross2(d, qa), o2 = cross2(d, qb);
        if (!((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0))) continue;
        double pa[2] = {P->a[0] - Q->a[0], P->a[1] - Q->a[1]};
        double pb[2] = {P->b[0] - Q->a[0], P->b[1] - Q->a[1]};
        double o3 = cross2(f, pa), o4 = cross2(f, pb);
        if (!((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) continue;
        double t = o3 / (o3 - o4), tq = o1 / (o1 - o2);
        double X[2] = {P->a[0] + t * d[0], P->a[1] + t * d[1]};
        /* found in every cell both pieces are listed in: keep it in one */
        if (SUBCELL(X[0], rect[0], cw) != ci || SUBCELL(X[1], rect[2], chh) != cj) continue;
        if (!grow((void **)&s->xs, &s->xscap, nxs + 2, sizeof *s->xs)) return 0;
        double dfx = cross2(f, d); /* > 0: P turns into Q's inside */
        s->xs[nxs++] = (struct xing){s->cidx[u], t, {X[0], X[1]},
                                      (dfx > 0 ? 1 : -1) * (long)J->wt[Q->region]};
        s->xs[nxs++] = (struct xing){s->cidx[v], tq, {X[0], X[1]},
                                      (dfx > 0 ? -1 : 1) * (long)J->wt[P->region]};
      }
    }
  }
#undef SUBCELL
  if (nxs) qsort(s->xs, nxs, sizeof *s->xs, cmp_xing); /* s->xs is NULL with none */
  for (size_t k = 0; k < nxs;) {
    size_t e = k;
    while (e < nxs && s->xs[e].piece == s->xs[k].piece) e++;
    s->pc[s->xs[k].piece].x0 = k;
    s->pc[s->xs[k].piece].nx = e - k;
    k = e;
  }
  /* the perimeter: where chains start and end on it */
  if (!grow((void **)&s->bp, &s->bpcap, 2 * nch + 1, sizeof *s->bp) ||
      !grow((void **)&s->chL, &s->chLcap, nch + 1, sizeof *s->chL))
    return 0;
  for (size_t c = 0; c < nch; c++) {
    s->chL[c] = LONG_MIN;
    size_t first = s->chs[c], last = s->chs[c + 1] - 1;
    if (first > last || s->chs[c + 1] == 0) continue;
    for (int end = 0; end < 2; end++) {
      const struct piece *p = &s->pc[end ? last : first];
      const double *pt = end ? p->b : p->a;
      double sp, up;
      int sd = perim(pt, rect, &sp, &up);
      if (sd < 0) continue;
      double d[2] = {p->b[0] - p->a[0], p->b[1] - p->a[1]};
      double cr = cross2(d, side_dir[sd]);
      long w = (long)J->wt[p->region];
      s->bp[nbp++] = (struct bp){sp, up, sd, cr > 0 ? w : cr < 0 ? -w : 0,
                                 end ? 0 : c + 1};
    }
  }
  if (nbp) qsort(s->bp, nbp, sizeof *s->bp, cmp_bp);
  /* the count just inside the bottom-left corner */
  long cnt = base;
  double corner[2] = {rect[0], rect[2]};
  for (size_t q = 0; q < np; q++)
    if (J->wt[s->partial[q]] && rgn_inside(g, &J->rg[s->partial[q]], corner[0], corner[1]))
      cnt += J->wt[s->partial[q]];
  /* walk the perimeter: intervals per side, and each chain's start count */
  {
    const double side_lo[4] = {rect[2], rect[2], rect[0], rect[0]};
    const double side_hi[4] = {rect[3], rect[3], rect[1], rect[1]};
    const int order[4] = {SIDE_BOTTOM, SIDE_RIGHT, SIDE_TOP, SIDE_LEFT};
    size_t q = 0;
    for (int w = 0; w < 4; w++) {
      int sd = order[w];
      int up = sd == SIDE_BOTTOM || sd == SIDE_RIGHT; /* walked towards hi */
      double pos = up ? side_lo[sd] : side_hi[sd];
      for (;;) {
        int here = q < nbp && s->bp[q].side == sd;
        double next = here ? s->bp[q].u : (up ? side_hi[sd] : side_lo[sd]);
        if (next != pos) {
          if (!grow((void **)&o->side[sd], &scap[sd], o->nside[sd] + 1, sizeof(struct iv)))
            return 0;
          struct iv *v = &o->side[sd][o->nside[sd]++];
          v->lo = mn(pos, next);
          v->hi = mx(pos, next);
          v->band = band_of(J, cnt);
          pos = next;
        }
        if (!here) break;
        /* all breakpoints at this point: chains starting here take the
         * count on their left, then the count moves on */
        size_t e = q;
        long sum = 0;
        while (e < nbp && s->bp[e].side == sd && s->bp[e].u == pos) sum += s->bp[e++].delta;
        /* (several at one point, as where a ring's first vertex touches
         * a side: the walk cannot tell which side of which; those chains
         * are counted where they start, below) */
        for (size_t x = q; x < e && e == q + 1; x++)
          if (s->bp[x].chain) {
            const struct piece *p = &s->pc[s->chs[s->bp[x].chain - 1]];
            long k = (long)J->wt[p->region];
            /* the left of the chain's first piece is ahead on the walk when
             * that piece turns left of the walking direction */
            s->chL[s->bp[x].chain - 1] = s->bp[x].delta > 0 ? cnt + k : cnt + (s->bp[x].delta < 0 ? 0 : k);
          }
        cnt += sum;
        q = e;
      }
      if (!up && o->nside[sd]) qsort(o->side[sd], o->nside[sd], sizeof(struct iv), cmp_iv);
    }
  }
  /* the chains: counts carried across crossings; sub-edges between bands */
  for (size_t c = 0; c < nch; c++) {
    size_t first = s->chs[c], last = s->chs[c + 1];
    if (first >= last) continue;
    const struct piece *p0 = &s->pc[first];
    long k = (long)J->wt[p0->region];
    long L = s->chL[c];
    if (L == LONG_MIN) { /* starts inside the tile: count the others there */
      L = base + k;
      for (size_t q = 0; q < np; q++)
        if (s->partial[q] != p0->region && J->wt[s->partial[q]] &&
            rgn_inside(g, &J->rg[s->partial[q]], p0->a[0], p0->a[1]))
          L += J->wt[s->partial[q]];
    }
    for (size_t x = first; x < last; x++) {
      const struct piece *p = &s->pc[x];
      const double *cur = p->a;
      for (size_t y = 0; y < p->nx; y++) {
        const struct xing *X = &s->xs[p->x0 + y];
        if (!emit_sub(J, o, &ecap, cur, X->p, L, k)) return 0;
        L += X->delta;
        cur = X->p;
      }
      if (!emit_sub(J, o, &ecap, cur, p->b, L, k)) return 0;
    }
  }
  return 1;
}

static void tile_out_free(struct tile_out *o) {
  if (!o) return;
  free(o->e);
  for (int sd = 0; sd < 4; sd++) free(o->side[sd]);
  free(o);
}

static void *tile_worker(void *arg);

struct thread_arg {
  struct job *J;
  pthread_t th;
};

static void tiles_run(struct job *J) {
  struct tscratch s;
  memset(&s, 0, sizeof s);
  size_t c;
  while (!atomic_load(&J->stop) && (c = atomic_fetch_add(&J->next, 1)) < J->ncells) {
    if (J->toff[c + 1] == J->toff[c]) continue; /* no edges: implied by base */
    struct tile_out *o = calloc(1, sizeof *o);
    if (!o || !do_tile(J, c, &s, o)) {
      tile_out_free(o);
      if (!atomic_exchange(&J->failed, 1))
        snprintf(J->msg, sizeof J->msg, "out of memory");
      atomic_store(&J->stop, 1);
      break;
    }
    J->outs[c] = o;
    atomic_fetch_add(&J->done, 1);
  }
  tscratch_free(&s);
}

static void *tile_worker(void *arg) {
  struct thread_arg *t = arg;
  tiles_run(t->J);
  return NULL;
}

/* ---- assembly ---- */

struct elist {
  struct bedge *e;
  size_t n, cap;
};

static int elist_add(struct elist *l, double ax, double ay, double bx, double by, long band) {
  if (!grow((void **)&l->e, &l->cap, l->n + 1, sizeof *l->e)) return 0;
  struct bedge *e = &l->e[l->n++];
  e->a[0] = ax;
  e->a[1] = ay;
  e->b[0] = bx;
  e->b[1] = by;
  e->band = band;
  return 1;
}

/* Merge the intervals of the two tiles on a shared side (L: left or below,
 * R: right or above) and keep where the bands differ, oriented with each
 * band on the left.  vert: the side is the line x = line. */
static int merge_side(struct elist *l, const struct iv *L, size_t nL, const struct iv *R,
                      size_t nR, int vert, double line) {
  size_t a = 0, b = 0;
  if (nL == 0 || nR == 0) return 1; /* a tile whose faces were all degenerate */
  double u = mn(L[0].lo, R[0].lo);
  while (a < nL && b < nR) {
    double v = mn(L[a].hi, R[b].hi);
    if (v > u && L[a].band != R[b].band) {
      if (vert) {
        if (L[a].band > 0 && !elist_add(l, line, u, line, v, L[a].band)) return 0;
        if (R[b].band > 0 && !elist_add(l, line, v, line, u, R[b].band)) return 0;
      } else {
        if (L[a].band > 0 && !elist_add(l, v, line, u, line, L[a].band)) return 0;
        if (R[b].band > 0 && !elist_add(l, u, line, v, line, R[b].band)) return 0;
      }
    }
    if (v > u) u = v;
    if (L[a].hi <= v) a++;
    if (b < nR && R[b].hi <= v) b++;
  }
  return 1;
}

/* The side intervals of cell c (a single one when it has no edges). */
static const struct iv *side_of(const struct job *J, size_t c, int sd, struct iv *one,
                                size_t *n) {
  const struct grid *g = J->g;
  if (J->outs[c]) {
    *n = J->outs[c]->nside[sd];
    return J->outs[c]->side[sd];
  }
  int i = (int)(c % (size_t)g->ncols), j = (int)(c / (size_t)g->ncols);
  one->lo = sd < 2 ? gy(g, j) : gx(g, i);
  one->hi = sd < 2 ? gy(g, j + 1) : gx(g, i + 1);
  one->band = band_of(J, J->base[c]);
  *n = 1;
  return one;
}

/* hash of points -> first edge starting there */
static size_t hash_pt(const double *p) {
  uint64_t a, b;
  double x = p[0] == 0 ? 0 : p[0], y = p[1] == 0 ? 0 : p[1];
  memcpy(&a, &x, 8);
  memcpy(&b, &y, 8);
  uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 32;
  return (size_t)h;
}


static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Call progress at most every 50 ms (and always at the end of a phase). */
struct prog {
  int (*fn)(double, const char *, void *);
  void *data;
  double last;
};

static int prog_ok(struct prog *p, double done, int force) {
  if (!p->fn) return 1;
  double t = now_s();
  if (!force && t - p->last < 0.05) return 1;
  p->last = t;
  return p->fn(done, NULL, p->data);
}

/* How a long loop on the calling thread keeps listening for a stop: it
 * calls the progress callback (at most every 50 ms); NULL on other threads. */
struct poll {
  struct prog *pg;
  double done;
};

static int stopped(atomic_int *stop, struct poll *pl) {
  if (pl && !prog_ok(pl->pg, pl->done, 0)) atomic_store(stop, 1);
  return atomic_load(stop);
}

/* A ring of a band, traced from its directed edges. */
struct bring {
  size_t p0, np;    /* points in the band's point list */
  double area2;     /* shoelace, twice: > 0 shell, < 0 hole */
  double box[4];
  size_t owner;     /* holes: shell index + 1 */
  /* shells: edges bucketed by row of the box, built on first use */
  uint32_t *roff, *seg;
  int nrow;
};

static double ang(double dx, double dy) { return atan2(dy, dx); }

/* Whether (x, y) is inside ring R (points pts): crossing number, with the
 * ring's edges bucketed by rows of its box (built on first use). */
static int ring_inside(struct bring *R, const double *pts, double x, double y) {
  if (x < R->box[0] || x > R->box[2] || y < R->box[1] || y > R->box[3]) return 0;
  const double *xy = pts + 2 * R->p0;
  size_t ne = R->np - 1;
  double h = R->box[3] - R->box[1];
  if (!R->roff && ne > 32 && h > 0) {
    int nrow = (int)(ne / 8);
    if (nrow > 8192) nrow = 8192;
    if (nrow < 1) nrow = 1;
    uint32_t *roff = calloc((size_t)nrow + 2, sizeof *roff);
    if (roff) {
      for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < ne; k++) {
          double y0 = mn(xy[2 * k + 1], xy[2 * k + 3]), y1 = mx(xy[2 * k + 1], xy[2 * k + 3]);
          int r0 = (int)((y0 - R->box[1]) / h * nrow), r1 = (int)((y1 - R->box[1]) / h * nrow);
          r0 = r0 < 0 ? 0 : r0 >= nrow ? nrow - 1 : r0;
          r1 = r1 < 0 ? 0 : r1 >= nrow ? nrow - 1 : r1;
          for (int r = r0; r <= r1; r++) {
            if (pass == 0) roff[r + 1]++;
            else R->seg[roff[r]++] = (uint32_t)k;
          }
        }
        if (pass == 0) {
          for (int r = 0; r < nrow; r++) roff[r + 1] += roff[r];
          R->seg = malloc(((size_t)roff[nrow] + 1) * sizeof *R->seg);
          if (!R->seg) break;
        } else {
          for (int r = nrow; r > 0; r--) roff[r] = roff[r - 1];
          roff[0] = 0;
        }
      }
      if (R->seg) {
        R->roff = roff;
        R->nrow = nrow;
      } else {
        free(roff);
      }
    }
  }
  int c = 0;
  if (R->roff) {
    int r = (int)((y - R->box[1]) / h * R->nrow);
    r = r < 0 ? 0 : r >= R->nrow ? R->nrow - 1 : r;
    for (uint32_t q = R->roff[r]; q < R->roff[r + 1]; q++) {
      const double *a = xy + 2 * (size_t)R->seg[q], *b = a + 2;
      if ((a[1] > y) != (b[1] > y) && x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]))
        c ^= 1;
    }
    return c;
  }
  for (size_t k = 0; k < ne; k++) {
    const double *a = xy + 2 * k, *b = a + 2;
    if ((a[1] > y) != (b[1] > y) && x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]))
      c ^= 1;
  }
  return c;
}

/* One band from its directed edges (the band on their left): rings traced
 * by taking, where several edges leave a vertex, the first one clockwise
 * from the way back (the face on the left stays minimal, so rings that
 * touch at a point come out as separate rings, as OGC validity wants);
 * counter-clockwise rings are shells, clockwise ones holes, and each hole
 * goes to the smallest shell holding the middle of its first edge (a point
 * on no other ring: rings of one band meet only at vertices). */
static enum reach_status build_band(struct reach_ctx *ctx, const struct bedge *e, size_t n,
                                    struct reach_geom *out, atomic_int *stop,
                                    struct poll *pl) {
  GEOSContextHandle_t h = ctx->geos;
  enum reach_status st = REACH_OK;
  memset(out, 0, sizeof *out);
  size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  /* start point -> vertex id + 1, the point kept in the slot (one cache
   * line per probe) */
  struct hslot {
    double x, y;
    size_t v;
  } *slot = calloc(cap, sizeof *slot);
  size_t *vfirst = calloc(n + 1, sizeof *vfirst); /* vertex id -> first edge + 1 */
  size_t *enext = calloc(n + 1, sizeof *enext);   /* next edge from the same start + 1 */
  size_t *vlast = calloc(n + 1, sizeof *vlast);
  uint32_t *outdeg = calloc(n + 1, sizeof *outdeg);
  size_t *eend = calloc(n + 1, sizeof *eend); /* end vertex id + 1 (0: none) */
  unsigned char *used = calloc(n + 1, 1);
  double *pts = NULL;
  size_t pcap = 0, npts = 0, nv = 0, nr = 0, rcap = 0;
  struct bring *rg = NULL;
  size_t *cells = NULL, *coff = NULL;
  GEOSGeometry **polys = NULL;
  size_t npolys = 0;
  if (!slot || !vfirst || !enext || !vlast || !outdeg || !eend || !used) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t k = 0; k < n; k++) {
    size_t s = hash_pt(e[k].a) & (cap - 1);
    while (slot[s].v && !(slot[s].x == e[k].a[0] && slot[s].y == e[k].a[1])) s = (s + 1) & (cap - 1);
    if (!slot[s].v) {
      slot[s].v = ++nv;
      slot[s].x = e[k].a[0];
      slot[s].y = e[k].a[1];
    }
    size_t v = slot[s].v - 1;
    if (!vfirst[v]) vfirst[v] = k + 1;
    else enext[vlast[v] - 1] = k + 1;
    vlast[v] = k + 1;
    outdeg[v]++;
  }
  for (size_t k = 0; k < n; k++) {
    size_t s = hash_pt(e[k].b) & (cap - 1);
    while (slot[s].v && !(slot[s].x == e[k].b[0] && slot[s].y == e[k].b[1])) s = (s + 1) & (cap - 1);
    eend[k] = slot[s].v;
  }
  free(slot);
  slot = NULL;
  free(vlast);
  vlast = NULL;
  /* trace the rings, in edge order (so the result depends on the data only) */
  for (size_t k = 0; k < n && st == REACH_OK; k++) {
    if (used[k]) continue;
    if ((k & 4095) == 0 && stopped(stop, pl)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
      break;
    }
    size_t p0 = npts, cur = k;
    if (!grow((void **)&pts, &pcap, 2 * (npts + 1), sizeof *pts)) goto nomem;
    pts[2 * npts] = e[k].a[0];
    pts[2 * npts + 1] = e[k].a[1];
    npts++;
    for (;;) {
      used[cur] = 1;
      if (!grow((void **)&pts, &pcap, 2 * (npts + 1), sizeof *pts)) goto nomem;
      pts[2 * npts] = e[cur].b[0];
      pts[2 * npts + 1] = e[cur].b[1];
      npts++;
      if (!eend[cur]) break; /* a dead end: broken linework, ring dropped below */
      size_t v = eend[cur] - 1, nx = 0;
      if (outdeg[v] == 1) {
        nx = vfirst[v];
      } else {
        double back = ang(e[cur].a[0] - e[cur].b[0], e[cur].a[1] - e[cur].b[1]), best = 10;
        for (size_t x = vfirst[v]; x; x = enext[x - 1]) {
          double cw = back - ang(e[x - 1].b[0] - e[x - 1].a[0], e[x - 1].b[1] - e[x - 1].a[1]);
          while (cw <= 0) cw += 2 * M_PI;
          while (cw > 2 * M_PI) cw -= 2 * M_PI;
          if (cw < best) {
            best = cw;
            nx = x;
          }
        }
      }
      if (!nx || nx - 1 == k || used[nx - 1]) break;
      cur = nx - 1;
    }
    size_t np = npts - p0;
    const double *xy = pts + 2 * p0;
    if (np < 4 || !same_pt(xy, xy + 2 * (np - 1))) {
      npts = p0; /* not closed, or degenerate */
      continue;
    }
    if (!grow((void **)&rg, &rcap, nr + 1, sizeof *rg)) goto nomem;
    struct bring *R = &rg[nr];
    memset(R, 0, sizeof *R);
    R->p0 = p0;
    R->np = np;
    R->area2 = ring_area2(xy, np);
    R->box[0] = R->box[1] = INFINITY;
    R->box[2] = R->box[3] = -INFINITY;
    for (size_t q = 0; q < np; q++) {
      R->box[0] = mn(R->box[0], xy[2 * q]);
      R->box[1] = mn(R->box[1], xy[2 * q + 1]);
      R->box[2] = mx(R->box[2], xy[2 * q]);
      R->box[3] = mx(R->box[3], xy[2 * q + 1]);
    }
    if (R->area2 == 0) {
      npts = p0;
      continue;
    }
    nr++;
  }
  if (st != REACH_OK) goto done;
  /* shells by grid cell of their box (128 x 64 cells), for the holes */
  {
    const int NC = 128, NR = 64;
    coff = calloc((size_t)NC * NR + 1, sizeof *coff);
    if (!coff) goto nomem;
    for (int pass = 0; pass < 2; pass++) {
      for (size_t r = 0; r < nr; r++) {
        if (rg[r].area2 < 0) continue;
        int i0 = (int)((rg[r].box[0] + 180) / 360 * NC), i1 = (int)((rg[r].box[2] + 180) / 360 * NC);
        int j0 = (int)((rg[r].box[1] + 90) / 180 * NR), j1 = (int)((rg[r].box[3] + 90) / 180 * NR);
        i0 = i0 < 0 ? 0 : i0 >= NC ? NC - 1 : i0;
        i1 = i1 < 0 ? 0 : i1 >= NC ? NC - 1 : i1;
        j0 = j0 < 0 ? 0 : j0 >= NR ? NR - 1 : j0;
        j1 = j1 < 0 ? 0 : j1 >= NR ? NR - 1 : j1;
        for (int j = j0; j <= j1; j++)
          for (int i = i0; i <= i1; i++) {
            size_t c = (size_t)j * NC + i;
            if (pass == 0) coff[c + 1]++;
            else cells[coff[c]++] = r;
          }
      }
      if (pass == 0) {
        for (size_t c = 0; c < (size_t)NC * NR; c++) coff[c + 1] += coff[c];
        cells = malloc((coff[(size_t)NC * NR] + 1) * sizeof *cells);
        if (!cells) goto nomem;
      } else {
        for (size_t c = (size_t)NC * NR; c > 0; c--) coff[c] = coff[c - 1];
        coff[0] = 0;
      }
    }
    for (size_t r = 0; r < nr && st == REACH_OK; r++) {
      if (rg[r].area2 > 0) continue;
      if ((r & 255) == 0 && stopped(stop, pl)) {
        st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
        break;
      }
      const double *a = pts + 2 * rg[r].p0;
      double mx = (a[0] + a[2]) / 2, my = (a[1] + a[3]) / 2;
      int i = (int)((mx + 180) / 360 * NC), j = (int)((my + 90) / 180 * NR);
      i = i < 0 ? 0 : i >= NC ? NC - 1 : i;
      j = j < 0 ? 0 : j >= NR ? NR - 1 : j;
      size_t c = (size_t)j * NC + i, best = 0;
      double barea = INFINITY;
      for (size_t q = coff[c]; q < coff[c + 1]; q++) {
        struct bring *S = &rg[cells[q]];
        if (S->area2 < barea && ring_inside(S, pts, mx, my)) {
          barea = S->area2;
          best = cells[q] + 1;
        }
      }
      rg[r].owner = best;
    }
  }
  if (st != REACH_OK) goto done;
  /* the polygons, shells in tracing order, each with its holes */
  {
    size_t nshell = 0;
    for (size_t r = 0; r < nr; r++) nshell += rg[r].area2 > 0;
    size_t *hfirst = calloc(nr + 1, sizeof *hfirst), *hnext = calloc(nr + 1, sizeof *hnext),
           *hlast = calloc(nr + 1, sizeof *hlast);
    polys = calloc(nshell + 1, sizeof(GEOSGeometry *));
    GEOSGeometry **holes = NULL;
    size_t hcap = 0;
    if (!hfirst || !hnext || !hlast || !polys) {
      free(hfirst);
      free(hnext);
      free(hlast);
      goto nomem;
    }
    for (size_t r = 0; r < nr; r++) {
      size_t o = rg[r].owner;
      if (rg[r].area2 > 0 || !o) continue;
      if (!hfirst[o - 1]) hfirst[o - 1] = r + 1;
      else hnext[hlast[o - 1] - 1] = r + 1;
      hlast[o - 1] = r + 1;
    }
    for (size_t r = 0; r < nr && st == REACH_OK; r++) {
      if (rg[r].area2 < 0) continue;
      size_t nh = 0;
      int ok = 1;
      for (size_t x = hfirst[r]; ok && x; x = hnext[x - 1]) {
        const struct bring *H = &rg[x - 1];
        GEOSCoordSequence *cs =
            GEOSCoordSeq_copyFromBuffer_r(h, pts + 2 * H->p0, (unsigned)H->np, 0, 0);
        GEOSGeometry *lr = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
        ok = lr && grow((void **)&holes, &hcap, nh + 1, sizeof(GEOSGeometry *));
        if (ok) holes[nh++] = lr;
        else if (lr) GEOSGeom_destroy_r(h, lr);
      }
      GEOSCoordSequence *cs =
          ok ? GEOSCoordSeq_copyFromBuffer_r(h, pts + 2 * rg[r].p0, (unsigned)rg[r].np, 0, 0)
             : NULL;
      GEOSGeometry *shell = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
      GEOSGeometry *pg = shell ? GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh) : NULL;
      if (!pg) {
        if (shell) GEOSGeom_destroy_r(h, shell);
        for (size_t q = 0; q < nh; q++) GEOSGeom_destroy_r(h, holes[q]);
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
      polys[npolys++] = pg;
    }
    free(holes);
    free(hfirst);
    free(hnext);
    free(hlast);
  }
  if (st == REACH_OK) {
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)npolys);
    if (!mp) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    } else {
      npolys = 0; /* owned by mp */
      st = reach_geom_from_geos(ctx, mp, out);
    }
  }
  goto done;
nomem:
  st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
done:
  for (size_t k = 0; k < npolys; k++) GEOSGeom_destroy_r(h, polys[k]);
  free(polys);
  for (size_t r = 0; r < nr; r++) {
    free(rg[r].roff);
    free(rg[r].seg);
  }
  free(rg);
  free(cells);
  free(coff);
  free(pts);
  free(slot);
  free(vfirst);
  free(enext);
  free(vlast);
  free(outdeg);
  free(eend);
  free(used);
  return st;
}

struct band_job {
  struct elist *per; /* per band index */
  size_t nb;
  struct reach_geom *geoms;
  double *area;
  enum reach_status *st;
  char (*msg)[REACH_ERRMSG_LEN];
  atomic_size_t next;
  atomic_int stop;
};

struct band_thread {
  pthread_t th;
  struct reach_ctx *ctx;
  struct band_job *B;
};

static void bands_run(struct reach_ctx *ctx, struct band_job *B) {
  size_t b;
  while (!atomic_load(&B->stop) && (b = atomic_fetch_add(&B->next, 1)) < B->nb) {
    B->st[b] = build_band(ctx, B->per[b].e, B->per[b].n, &B->geoms[b], &B->stop, NULL);
    if (B->st[b] == REACH_OK) B->area[b] = reach_geom_area_m2(ctx, &B->geoms[b]);
    free(B->per[b].e);
    B->per[b].e = NULL;
    if (B->st[b] != REACH_OK) {
      snprintf(B->msg[b], REACH_ERRMSG_LEN, "%s", reach_errmsg(ctx));
      atomic_store(&B->stop, 1);
    }
  }
}

static void *band_worker(void *arg) {
  struct band_thread *t = arg;
  bands_run(t->ctx, t->B);
  return NULL;
}

struct hkey {
  uint64_t h;
  size_t i;
};

static int cmp_hkey(const void *x, const void *y) {
  const struct hkey *p = x, *q = y;
  if (p->h != q->h) return p->h < q->h ? -1 : 1;
  return p->i < q->i ? -1 : p->i > q->i;
}

static int same_geom(const struct reach_geom *a, const struct reach_geom *b) {
  return a->npolys == b->npolys && a->nrings == b->nrings && a->npoints == b->npoints &&
         !memcmp(a->xy, b->xy, 2 * a->npoints * sizeof *a->xy) &&
         !memcmp(a->ring_start, b->ring_start, (a->nrings + 1) * sizeof *a->ring_start);
}

/* Identical regions (the same site twice) share every edge; they are
 * counted as one region of weight k, so that no edge has to be matched with
 * its copies.  wt[i] = 0 for the copies. */
static enum reach_status weigh(struct reach_ctx *ctx, const struct reach_geom *gs, size_t n,
                               uint32_t *wt) {
  struct hkey *k = malloc((n ? n : 1) * sizeof *k);
  if (!k) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    uint64_t h = 1469598103934665603ULL ^ gs[i].npoints;
    const unsigned char *b = (const unsigned char *)gs[i].xy;
    for (size_t q = 0; q < 2 * gs[i].npoints * sizeof(double); q++) h = (h ^ b[q]) * 1099511628211ULL;
    k[i].h = h;
    k[i].i = i;
    wt[i] = gs[i].npoints ? 1 : 0;
  }
  if (n) qsort(k, n, sizeof *k, cmp_hkey);
  for (size_t a = 0; a < n;) {
    size_t b = a + 1;
    while (b < n && k[b].h == k[a].h) b++;
    for (size_t x = a; x < b; x++) {
      if (!wt[k[x].i]) continue;
      for (size_t y = x + 1; y < b; y++)
        if (wt[k[y].i] && same_geom(&gs[k[x].i], &gs[k[y].i])) {
          wt[k[x].i] += wt[k[y].i];
          wt[k[y].i] = 0;
        }
    }
    a = b;
  }
  free(k);
  return REACH_OK;
}

/* The grid: tiles about a third of a region's latitude extent (median; the
 * mean beyond 4096 regions), so that a tile meets a few dozen boundaries
 * and most regions that reach a tile hold it whole; from 1/8 to 10 degrees
 * (at most 4.1 million cells).  Measured at 3,000 sites of 885 km: a third
 * and a sixth cost the same CPU, a third two thirds of the memory (fewer
 * edges cut at tile sides). */
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void choose_grid(const struct reach_geom *gs, size_t n, struct grid *g) {
  double *h = malloc((n ? n : 1) * sizeof *h);
  double win[4] = {180, 90, -180, -90};
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (gs[i].npoints == 0) continue;
    double y0 = 90, y1 = -90;
    for (size_t k = 0; k < gs[i].npoints; k++) {
      y0 = mn(y0, gs[i].xy[2 * k + 1]);
      y1 = mx(y1, gs[i].xy[2 * k + 1]);
      win[0] = mn(win[0], gs[i].xy[2 * k]);
      win[2] = mx(win[2], gs[i].xy[2 * k]);
    }
    win[1] = mn(win[1], y0);
    win[3] = mx(win[3], y1);
    if (h) h[m++] = y1 - y0;
  }
  double med = 20;
  if (h && m) {
    qsort(h, m, sizeof *h, cmp_double);
    med = h[m / 2];
  }
  free(h);
  double s = med / 3;
  if (s < 0.125) s = 0.125;
  if (s > 10) s = 10;
  /* The grid covers the regions' box only (outside it every count is 0),
   * grown by half a cell so that no region touches its edge except on the
   * world's own edges (+-180, +-90), as cut regions do. */
  win[0] = mx(win[0] - s / 2, -180);
  win[1] = mx(win[1] - s / 2, -90);
  win[2] = mn(win[2] + s / 2, 180);
  win[3] = mn(win[3] + s / 2, 90);
  if (!(win[2] > win[0]) || !(win[3] > win[1])) {
    win[0] = -180;
    win[1] = -90;
    win[2] = 180;
    win[3] = 90;
  }
  memcpy(g->win, win, sizeof win);
  g->ncols = (int)ceil((win[2] - win[0]) / s);
  g->nrows = (int)ceil((win[3] - win[1]) / s);
  if (g->ncols < 1) g->ncols = 1;
  if (g->nrows < 1) g->nrows = 1;
  g->sx = (win[2] - win[0]) / g->ncols;
  g->sy = (win[3] - win[1]) / g->nrows;
}

static enum reach_status overlap_tiled(struct reach_ctx *ctx, const struct reach_geom *gs,
                                       size_t n, long min_count, int threads,
                                       int (*progress)(double, const char *, void *),
                                       void *data, struct reach_overlap_band **bands_out,
                                       size_t *nbands_out) {
  enum reach_status st = REACH_OK;
  struct grid g;
  choose_grid(gs, n, &g);
  size_t ncells = (size_t)g.ncols * (size_t)g.nrows;
  struct prog pg = {progress, data, 0};
  struct job J;
  memset(&J, 0, sizeof J);
  J.g = &g;
  J.min_count = min_count;
  J.ncells = ncells;
  J.nrg = n;
  J.rg = calloc(n ? n : 1, sizeof *J.rg);
  J.toff = calloc(ncells + 1, sizeof *J.toff);
  J.base = calloc(ncells, sizeof *J.base);
  J.outs = calloc(ncells, sizeof(struct tile_out *));
  J.wt = calloc(n ? n : 1, sizeof *J.wt);
  uint32_t *stamp = calloc(ncells, sizeof *stamp); /* region + 1 with an edge there */
  struct thread_arg *ta = NULL;
  struct elist seam = {0}, *per = NULL;
  struct band_job B;
  memset(&B, 0, sizeof B);
  size_t nbands = 0, nout = 0;
  struct reach_overlap_band *bands = NULL;
  double *xs = NULL;
  size_t xcap = 0;
  *bands_out = NULL;
  *nbands_out = 0;
  if (!J.rg || !J.toff || !J.base || !J.outs || !J.wt || !stamp) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (n >= UINT32_MAX) {
    st = reach_fail(ctx, REACH_ERR_ARG, "too many regions to count");
    goto done;
  }
  if ((st = weigh(ctx, gs, n, J.wt)) != REACH_OK) goto done;
  /* Pass 1 per region: bucket its edges by row, count its pieces per tile,
   * and add it to the base count of the tiles it holds whole. */
  size_t nrec = 0;
  for (size_t r = 0; r < n && st == REACH_OK; r++) {
    const struct reach_geom *G = &gs[r];
    struct rgn *R = &J.rg[r];
    R->xy = G->xy;
    if (G->npoints == 0 || J.wt[r] == 0) {
      R->j0 = 1;
      R->j1 = 0;
      continue;
    }
    if (G->npoints >= UINT32_MAX) {
      st = reach_fail(ctx, REACH_ERR_ARG, "a region with too many points to count");
      break;
    }
    double bx[4] = {180, 90, -180, -90};
    for (size_t k = 0; k < G->npoints; k++) {
      bx[0] = mn(bx[0], G->xy[2 * k]);
      bx[1] = mn(bx[1], G->xy[2 * k + 1]);
      bx[2] = mx(bx[2], G->xy[2 * k]);
      bx[3] = mx(bx[3], G->xy[2 * k + 1]);
    }
    memcpy(R->box, bx, sizeof bx);
    int i0, i1;
    row_range(&g, bx[1], bx[3], &R->j0, &R->j1);
    col_range(&g, bx[0], bx[2], &i0, &i1);
    size_t nrows = (size_t)(R->j1 - R->j0) + 1;
    R->roff = calloc(nrows + 1, sizeof *R->roff);
    if (!R->roff) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    for (int pass = 0; pass < 2 && st == REACH_OK; pass++) {
      for (size_t q = 0; q < G->nrings; q++)
        for (size_t k = G->ring_start[q]; k + 1 < G->ring_start[q + 1]; k++) {
          const double *a = G->xy + 2 * k, *b = a + 2;
          int ja, jb;
          row_range(&g, mn(a[1], b[1]), mx(a[1], b[1]), &ja, &jb);
          for (int jj = ja; jj <= jb; jj++) {
            if (pass == 0) R->roff[jj - R->j0 + 1]++;
            else R->seg[R->roff[jj - R->j0]++] = (uint32_t)k;
          }
          if (pass == 1) continue;
          /* the tiles this edge crosses */
          int ia, ib;
          col_range(&g, mn(a[0], b[0]), mx(a[0], b[0]), &ia, &ib);
          for (int jj = ja; jj <= jb; jj++)
            for (int ii = ia; ii <= ib; ii++) {
              double p[2], q2[2];
              if (!clip(a, b, gx(&g, ii), gx(&g, ii + 1), gy(&g, jj), gy(&g, jj + 1), p, q2))
                continue;
              size_t c = (size_t)jj * g.ncols + ii;
              J.toff[c + 1]++;
              stamp[c] = (uint32_t)r + 1;
              nrec++;
            }
        }
      if (pass == 0) {
        for (size_t q = 0; q < nrows; q++) R->roff[q + 1] += R->roff[q];
        R->seg = malloc((R->roff[nrows] ? R->roff[nrows] : 1) * sizeof *R->seg);
        if (!R->seg) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      } else {
        for (size_t q = nrows; q > 0; q--) R->roff[q] = R->roff[q - 1];
        R->roff[0] = 0;
      }
    }
    if (st != REACH_OK) break;
    /* base counts: tiles of the box with no edge of r, inside r at their
     * middle (crossings of the row's middle line, sorted) */
    for (int jj = R->j0; jj <= R->j1; jj++) {
      double yc = (gy(&g, jj) + gy(&g, jj + 1)) / 2;
      size_t nx = 0;
      for (uint32_t q = R->roff[jj - R->j0]; q < R->roff[jj - R->j0 + 1]; q++) {
        const double *a = R->xy + 2 * (size_t)R->seg[q], *b = a + 2;
        if ((a[1] > yc) != (b[1] > yc)) {
          if (!grow((void **)&xs, &xcap, nx + 1, sizeof *xs)) {
            st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
            break;
          }
          xs[nx++] = a[0] + (yc - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
        }
      }
      if (st != REACH_OK) break;
      if (nx < 2) continue;
      for (size_t u = 1; u < nx; u++) {
        double v = xs[u];
        size_t w = u;
        while (w > 0 && xs[w - 1] > v) {
          xs[w] = xs[w - 1];
          w--;
        }
        xs[w] = v;
      }
      size_t p = 0; /* crossings left of the tile's middle */
      for (int ii = i0; ii <= i1; ii++) {
        double xc = (gx(&g, ii) + gx(&g, ii + 1)) / 2;
        while (p < nx && xs[p] <= xc) p++;
        size_t c = (size_t)jj * g.ncols + ii;
        if (stamp[c] == (uint32_t)r + 1) continue;
        if ((nx - p) & 1) J.base[c] += (int32_t)J.wt[r];
      }
    }
    if ((r & 63) == 0 && !prog_ok(&pg, 0.1 * r / (n ? n : 1), 0))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  free(stamp);
  stamp = NULL;
  if (st != REACH_OK) goto done;
  if (nrec >= UINT32_MAX) {
    st = reach_fail(ctx, REACH_ERR_ARG, "too many edges to count");
    goto done;
  }
  for (size_t c = 0; c < ncells; c++) J.toff[c + 1] += J.toff[c];
  J.recs = malloc((nrec ? nrec : 1) * sizeof *J.recs);
  uint32_t *fill = malloc((ncells ? ncells : 1) * sizeof *fill);
  if (!J.recs || !fill) {
    free(fill);
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  memcpy(fill, J.toff, ncells * sizeof *fill);
  /* Pass 2: the pieces, per tile in region and edge order. */
  for (size_t r = 0; r < n && st == REACH_OK; r++) {
    const struct reach_geom *G = &gs[r];
    if (J.wt[r] == 0) continue;
    for (size_t q = 0; q < G->nrings; q++)
      for (size_t k = G->ring_start[q]; k + 1 < G->ring_start[q + 1]; k++) {
        const double *a = G->xy + 2 * k, *b = a + 2;
        int ja, jb, ia, ib;
        row_range(&g, mn(a[1], b[1]), mx(a[1], b[1]), &ja, &jb);
        col_range(&g, mn(a[0], b[0]), mx(a[0], b[0]), &ia, &ib);
        for (int jj = ja; jj <= jb; jj++)
          for (int ii = ia; ii <= ib; ii++) {
            double p[2], q2[2];
            if (!clip(a, b, gx(&g, ii), gx(&g, ii + 1), gy(&g, jj), gy(&g, jj + 1), p, q2))
              continue;
            size_t c = (size_t)jj * g.ncols + ii;
            struct rec *x = &J.recs[fill[c]++];
            x->region = (uint32_t)r;
            x->seg = (uint32_t)k;
            memcpy(x->a, p, sizeof p);
            memcpy(x->b, q2, sizeof q2);
          }
      }
    if ((r & 63) == 0 && !prog_ok(&pg, 0.1 + 0.05 * r / (n ? n : 1), 0))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  free(fill);
  if (st != REACH_OK) goto done;
  /* Tiles, on all threads; this one reports progress between its tiles. */
  size_t ntiles = 0;
  for (size_t c = 0; c < ncells; c++) ntiles += J.toff[c + 1] > J.toff[c];
  int nth = threads > 0 ? threads : 1;
  if (nth > 64) nth = 64;
  ta = calloc((size_t)nth, sizeof *ta);
  if (!ta) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  int started = 0;
  for (int t = 1; t < nth; t++) {
    ta[t].J = &J;
    if (pthread_create(&ta[t].th, NULL, tile_worker, &ta[t]) != 0) break;
    started = t;
  }
  {
    struct tscratch s;
    memset(&s, 0, sizeof s);
    size_t c;
    while (!atomic_load(&J.stop) && (c = atomic_fetch_add(&J.next, 1)) < J.ncells) {
      if (J.toff[c + 1] != J.toff[c]) {
        struct tile_out *o = calloc(1, sizeof *o);
        if (!o || !do_tile(&J, c, &s, o)) {
          tile_out_free(o);
          if (!atomic_exchange(&J.failed, 1)) snprintf(J.msg, sizeof J.msg, "out of memory");
          atomic_store(&J.stop, 1);
          break;
        }
        J.outs[c] = o;
        atomic_fetch_add(&J.done, 1);
      }
      if (!prog_ok(&pg, 0.15 + 0.6 * atomic_load(&J.done) / (ntiles ? ntiles : 1), 0))
        atomic_store(&J.stop, 1);
    }
    tscratch_free(&s);
  }
  for (int t = 1; t <= started; t++) pthread_join(ta[t].th, NULL);
  if (atomic_load(&J.failed)) {
    st = reach_fail(ctx, REACH_ERR_INTERNAL, "%s", J.msg);
    goto done;
  }
  if (atomic_load(&J.stop)) {
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    goto done;
  }
  free(J.recs);
  J.recs = NULL;
  /* Sides between tiles (and along the world's edge), in grid order. */
  for (size_t c = 0; c < ncells && st == REACH_OK; c++) {
    int i = (int)(c % (size_t)g.ncols), j = (int)(c / (size_t)g.ncols);
    struct iv one0, one1, zero;
    size_t n0, n1;
    const struct iv *s0, *s1;
    long bc = J.outs[c] ? -1 : band_of(&J, J.base[c]);
    /* right side: with the next column, or the grid's edge (count 0 beyond) */
    s0 = side_of(&J, c, SIDE_RIGHT, &one0, &n0);
    if (i + 1 < g.ncols) {
      size_t c1 = c + 1;
      long b1 = J.outs[c1] ? -1 : band_of(&J, J.base[c1]);
      if (!(bc >= 0 && b1 == bc)) {
        s1 = side_of(&J, c1, SIDE_LEFT, &one1, &n1);
        if (!merge_side(&seam, s0, n0, s1, n1, 1, gx(&g, i + 1))) st = REACH_ERR_NOMEM;
      }
    } else if (bc != 0) {
      zero = (struct iv){gy(&g, j), gy(&g, j + 1), 0};
      if (!merge_side(&seam, s0, n0, &zero, 1, 1, gx(&g, g.ncols))) st = REACH_ERR_NOMEM;
    }
    if (i == 0 && bc != 0 && st == REACH_OK) {
      s0 = side_of(&J, c, SIDE_LEFT, &one0, &n0);
      zero = (struct iv){gy(&g, j), gy(&g, j + 1), 0};
      if (!merge_side(&seam, &zero, 1, s0, n0, 1, gx(&g, 0))) st = REACH_ERR_NOMEM;
    }
    /* top side: with the next row, or the grid's edge */
    if (st == REACH_OK) {
      s0 = side_of(&J, c, SIDE_TOP, &one0, &n0);
      if (j + 1 < g.nrows) {
        size_t c1 = c + (size_t)g.ncols;
        long b1 = J.outs[c1] ? -1 : band_of(&J, J.base[c1]);
        if (!(bc >= 0 && b1 == bc)) {
          s1 = side_of(&J, c1, SIDE_BOTTOM, &one1, &n1);
          if (!merge_side(&seam, s0, n0, s1, n1, 0, gy(&g, j + 1))) st = REACH_ERR_NOMEM;
        }
      } else if (bc != 0) {
        zero = (struct iv){gx(&g, i), gx(&g, i + 1), 0};
        if (!merge_side(&seam, s0, n0, &zero, 1, 0, gy(&g, g.nrows))) st = REACH_ERR_NOMEM;
      }
    }
    if (j == 0 && bc != 0 && st == REACH_OK) {
      s0 = side_of(&J, c, SIDE_BOTTOM, &one0, &n0);
      zero = (struct iv){gx(&g, i), gx(&g, i + 1), 0};
      if (!merge_side(&seam, &zero, 1, s0, n0, 0, gy(&g, 0))) st = REACH_ERR_NOMEM;
    }
    if ((c & 1023) == 0 && !prog_ok(&pg, 0.75 + 0.05 * c / ncells, 0))
      st = REACH_ERR_INTERRUPTED;
  }
  if (st == REACH_ERR_NOMEM) st = reach_fail(ctx, st, "out of memory");
  if (st == REACH_ERR_INTERRUPTED) st = reach_fail(ctx, st, "interrupted");
  if (st != REACH_OK) goto done;
  /* The edges per band, in grid order then the seams. */
  long maxband = 0;
  for (size_t c = 0; c < ncells; c++)
    for (size_t k = 0; J.outs[c] && k < J.outs[c]->ne; k++)
      if (J.outs[c]->e[k].band > maxband) maxband = J.outs[c]->e[k].band;
  for (size_t k = 0; k < seam.n; k++)
    if (seam.e[k].band > maxband) maxband = seam.e[k].band;
  nbands = (size_t)maxband;
  per = calloc(nbands ? nbands : 1, sizeof *per);
  if (!per) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* exact sizes: no doubling while the tiles' copies are still held */
  for (size_t c = 0; c <= ncells; c++) {
    const struct bedge *e = c < ncells ? (J.outs[c] ? J.outs[c]->e : NULL) : seam.e;
    size_t ne = c < ncells ? (J.outs[c] ? J.outs[c]->ne : 0) : seam.n;
    for (size_t k = 0; k < ne; k++) per[e[k].band - 1].cap++;
  }
  for (size_t b = 0; b < nbands; b++) {
    per[b].e = malloc((per[b].cap ? per[b].cap : 1) * sizeof *per[b].e);
    if (!per[b].e) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      goto done;
    }
  }
  for (size_t c = 0; c <= ncells && st == REACH_OK; c++) {
    const struct bedge *e = c < ncells ? (J.outs[c] ? J.outs[c]->e : NULL) : seam.e;
    size_t ne = c < ncells ? (J.outs[c] ? J.outs[c]->ne : 0) : seam.n;
    for (size_t k = 0; k < ne; k++) {
      struct elist *l = &per[e[k].band - 1];
      if (!elist_add(l, e[k].a[0], e[k].a[1], e[k].b[0], e[k].b[1], e[k].band)) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
    }
    if (c < ncells) {
      tile_out_free(J.outs[c]);
      J.outs[c] = NULL;
    }
    if ((c & 255) == 0 && !prog_ok(&pg, 0.78, 0))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  free(seam.e);
  seam.e = NULL;
  if (st != REACH_OK) goto done;
  if (!prog_ok(&pg, 0.8, 1)) {
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    goto done;
  }
  /* Bands, on all threads. */
  B.per = per;
  B.nb = nbands;
  B.geoms = calloc(nbands ? nbands : 1, sizeof *B.geoms);
  B.st = calloc(nbands ? nbands : 1, sizeof *B.st);
  B.msg = calloc(nbands ? nbands : 1, sizeof *B.msg);
  B.area = calloc(nbands ? nbands : 1, sizeof *B.area);
  struct band_thread *bt = calloc((size_t)nth, sizeof *bt);
  if (!B.geoms || !B.st || !B.msg || !B.area || !bt) {
    free(bt);
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  started = 0;
  for (int t = 1; t < nth; t++) {
    bt[t].ctx = reach_ctx_worker(ctx);
    bt[t].B = &B;
    if (!bt[t].ctx || pthread_create(&bt[t].th, NULL, band_worker, &bt[t]) != 0) {
      reach_ctx_free(bt[t].ctx);
      bt[t].ctx = NULL;
      break;
    }
    started = t;
  }
  {
    size_t b;
    while (!atomic_load(&B.stop) && (b = atomic_fetch_add(&B.next, 1)) < B.nb) {
      struct poll pl = {&pg, 0.8 + 0.2 * b / (B.nb ? B.nb : 1)};
      B.st[b] = build_band(ctx, per[b].e, per[b].n, &B.geoms[b], &B.stop, &pl);
      if (B.st[b] == REACH_OK) B.area[b] = reach_geom_area_m2(ctx, &B.geoms[b]);
      free(per[b].e);
      per[b].e = NULL;
      if (B.st[b] != REACH_OK) {
        snprintf(B.msg[b], REACH_ERRMSG_LEN, "%s", reach_errmsg(ctx));
        atomic_store(&B.stop, 1);
      }
      if (!prog_ok(&pg, 0.8 + 0.2 * atomic_load(&B.next) / (B.nb ? B.nb : 1), 0))
        atomic_store(&B.stop, 1);
    }
  }
  /* While the others finish, keep listening for a stop. */
  for (int t = 1; t <= started; t++) pthread_join(bt[t].th, NULL);
  for (int t = 1; t <= started; t++) reach_ctx_free(bt[t].ctx);
  free(bt);
  for (size_t b = 0; b < nbands && st == REACH_OK; b++)
    if (B.st[b] != REACH_OK) st = reach_fail(ctx, B.st[b], "%s", B.msg[b]);
  if (st == REACH_OK && atomic_load(&B.stop))
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  if (st != REACH_OK) goto done;
  bands = calloc(nbands ? nbands : 1, sizeof *bands);
  if (!bands) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t b = 0; b < nbands; b++) {
    if (B.geoms[b].npolys == 0) {
      reach_geom_clear(&B.geoms[b]);
      continue;
    }
    bands[nout].count = min_count > 0 ? min_count : (long)b + 1;
    bands[nout].at_least = min_count > 0;
    bands[nout].geom = B.geoms[b];
    bands[nout].area_m2 = B.area[b];
    memset(&B.geoms[b], 0, sizeof B.geoms[b]);
    nout++;
  }
  *bands_out = bands;
  *nbands_out = nout;
  bands = NULL;
done:
  if (B.geoms)
    for (size_t b = 0; b < B.nb; b++) reach_geom_clear(&B.geoms[b]);
  free(B.geoms);
  free(B.st);
  free(B.msg);
  free(B.area);
  for (size_t b = 0; per && b < nbands; b++) free(per[b].e);
  free(per);
  free(seam.e);
  free(ta);
  free(xs);
  free(stamp);
  for (size_t c = 0; J.outs && c < ncells; c++) tile_out_free(J.outs[c]);
  free(J.outs);
  for (size_t r = 0; J.rg && r < n; r++) {
    free(J.rg[r].roff);
    free(J.rg[r].seg);
  }
  free(J.rg);
  free(J.recs);
  free(J.toff);
  free(J.base);
  free(J.wt);
  return st;
}

enum reach_status reach_geom_overlap_run(struct reach_ctx *ctx, const struct reach_geom *gs,
                                         size_t n, long min_count, int threads,
                                         int (*progress)(double, const char *, void *),
                                         void *data, struct reach_overlap_band **bands,
                                         size_t *nbands) {
  *bands = NULL;
  *nbands = 0;
  const char *m = getenv("GEOREACH_OVERLAP");
  if (m && !strcmp(m, "pairs")) return overlap_pairs(ctx, gs, n, min_count, bands, nbands);
  return overlap_tiled(ctx, gs, n, min_count, threads, progress, data, bands, nbands);
}

enum reach_status reach_geom_overlap(struct reach_ctx *ctx, const struct reach_geom *gs,
                                     size_t n, long min_count,
                                     struct reach_overlap_band **bands, size_t *nbands) {
  return reach_geom_overlap_run(ctx, gs, n, min_count, 1, NULL, NULL, bands, nbands);
}

/* Geodesic lines (line.h): radials and site-to-target paths, densified by
 * the error a reader sees, cut at the antimeridian and at a pole.
 *
 * The geodesic is followed by distance with GeographicLib's direct problem
 * on one geodesic line, longitudes unrolled (they never jump across +/-180,
 * only by 180 at a pole passed exactly).  The step controller is the one of
 * ring.c's radials: a chord A-B is accepted when the point of the straight
 * lon/lat chord at 1/2 (and at 1/4 and 3/4 above 60 degrees of latitude or
 * for chords over 50 km) lies within 0.9 tolerance of the geodesic, the step halved otherwise and grown after each accepted chord
 * with the square root of the error ratio (a chord's sag grows as the
 * square of its length).
 *
 * The distance from a chord point Q to the geodesic is measured from the
 * geodesic's point G at the same fraction of the distance: with d = s(G, Q)
 * and theta the angle at G between the geodesic and the path to Q, the
 * cross-track distance is R asin(sin(d/R) sin theta) -- exact on a sphere,
 * and on the ellipsoid within a relative 1e-5 of the true one for chords up
 * to 100 km (the along-track part of d, whatever it is, does not count:
 * the chord may run ahead of or behind the geodesic's parametrisation).
 * When Q is within 5 km of G and G within 80 degrees of the equator, the
 * same distance is taken on the tangent plane at G instead (no inverse
 * problem: ~3x faster per line, measured on query -o with 48,724 rows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "georeach/line.h"
#include "georeach/ring.h"

/* No chord longer than this: long chords could hide a bulge between the
 * three checked points. */
#define LINE_EDGE_MAX_M 100000.0
/* Shortest step; a chord still too far off at this length crosses a pole
 * exactly (its longitude jumps): the line is cut there. */
#define LINE_HMIN_M 1e-3
#define LINE_MAX_POINTS 50000000u
#define LINE_MEAN_RADIUS_M 6371008.8
/* The tangent-plane estimate of chord_err() within these bounds. */
#define LINE_FLAT_LAT_DEG 80.0
#define LINE_FLAT_MAX_M 5000.0

struct vertex {
  double s, lat, lon; /* lon unrolled */
};

/* A geodesic line, its longitudes shifted by whole turns so that the
 * start is in [-180, 180). */
struct path {
  struct geod_geodesicline l;
  double turn;
};

struct builder {
  struct reach_lines *out;
  size_t cap_pts, cap_lines;
  int open; /* a part is being written */
};

static void at(const struct path *p, double s, struct vertex *v, double *azi) {
  double a = 0;
  v->s = s;
  geod_genposition(&p->l, GEOD_LONG_UNROLL, s, &v->lat, &v->lon, &a, NULL, NULL, NULL, NULL,
                   NULL);
  v->lon -= p->turn;
  if (azi) *azi = a;
}

/* Largest cross-track distance of the chord a-b's points at 1/2 (and
 * 1/4, 3/4). */
static double chord_err(const struct reach_ctx *ctx, const struct path *l,
                        const struct vertex *a, const struct vertex *b) {
  double worst = 0;
  /* the middle first: a short chord's sag is a parabola, largest there;
   * the quarters too where it may not be (high latitudes, where the
   * longitude runs fast, and long chords) */
  static const double fr[3] = {0.5, 0.25, 0.75};
  int quarters = fabs(a->lat) > 60 || fabs(b->lat) > 60 || b->s - a->s > 50000;
  for (int i = 0; i < (quarters ? 3 : 1); i++) {
    double f = fr[i], alpha, d, azq;
    struct vertex g;
    at(l, a->s + f * (b->s - a->s), &g, &alpha);
    double qlat = a->lat + f * (b->lat - a->lat), qlon = a->lon + f * (b->lon - a->lon);
    /* Q close to G, away from the poles: north and east offsets on the
     * tangent plane at G (radii of curvature M, N); their error relative
     * to the cross-track distance is of order (d / R) tan(lat), below
     * 0.5% within 5 km and 80 degrees.  Otherwise the inverse problem. */
    double x = NAN, phi = g.lat * (M_PI / 180);
    if (fabs(g.lat) <= LINE_FLAT_LAT_DEG) {
      double sp = sin(phi), w2 = 1 - ctx->e2 * sp * sp, w = sqrt(w2);
      double n_m = ctx->a / w, m_m = ctx->a * (1 - ctx->e2) / (w2 * w);
      double dn = m_m * (qlat - g.lat) * (M_PI / 180);
      double de = n_m * cos(phi) * (qlon - g.lon) * (M_PI / 180);
      double al = alpha * (M_PI / 180);
      if (hypot(dn, de) <= LINE_FLAT_MAX_M) x = fabs(de * cos(al) - dn * sin(al));
    }
    if (isnan(x)) {
      geod_inverse(&ctx->g, g.lat, g.lon, qlat, qlon, &d, &azq, NULL);
      x = sin(d / LINE_MEAN_RADIUS_M) * sin((azq - alpha) * (M_PI / 180));
      x = fabs(LINE_MEAN_RADIUS_M * asin(x > 1 ? 1 : x < -1 ? -1 : x));
    }
    if (!(x <= worst)) worst = x; /* NaN is the worst */
  }
  return worst;
}

static int push_point(struct builder *b, double lon, double lat) {
  struct reach_lines *o = b->out;
  if (b->open && o->npoints > o->line_start[o->nlines] &&
      o->xy[2 * o->npoints - 2] == lon && o->xy[2 * o->npoints - 1] == lat)
    return 1; /* the same point twice (a vertex on the cut) */
  if (o->npoints == b->cap_pts) {
    size_t cap = b->cap_pts ? 2 * b->cap_pts : 64;
    if (cap > LINE_MAX_POINTS) return 0;
    double *xy = realloc(o->xy, 2 * cap * sizeof *xy);
    if (!xy) return 0;
    o->xy = xy;
    b->cap_pts = cap;
  }
  if (!b->open) {
    if (o->nlines + 2 > b->cap_lines) {
      size_t cap = b->cap_lines ? 2 * b->cap_lines : 8;
      size_t *ls = realloc(o->line_start, cap * sizeof *ls);
      if (!ls) return 0;
      o->line_start = ls;
      b->cap_lines = cap;
    }
    o->line_start[o->nlines] = o->npoints;
    b->open = 1;
  }
  o->xy[2 * o->npoints] = lon;
  o->xy[2 * o->npoints + 1] = lat;
  o->npoints++;
  return 1;
}

/* End the part being written: kept when it has two points or more. */
static void end_part(struct builder *b) {
  struct reach_lines *o = b->out;
  if (!b->open) return;
  b->open = 0;
  if (o->npoints - o->line_start[o->nlines] >= 2) {
    o->nlines++;
    o->line_start[o->nlines] = o->npoints;
  } else {
    o->npoints = o->line_start[o->nlines];
  }
}

/* The turn (360-degree strip) a longitude is in: 0 for [-180, 180). */
static double strip_of(double lon) { return floor((lon + 180) / 360); }

/* Append the chord a-b (a written already), cut where the geodesic crosses
 * +/-180: the crossing found by bisection on the distance. */
static int add_edge(struct builder *b, const struct path *l,
                    const struct vertex *a, const struct vertex *v) {
  struct vertex from = *a;
  double k = strip_of(from.lon);
  for (int guard = 0; strip_of(v->lon) != k && guard < 8; guard++) {
    int east = v->lon > from.lon;
    double x = -180 + 360 * (east ? k + 1 : k); /* the meridian crossed */
    double lo = from.s, hi = v->s;
    struct vertex m = from;
    for (int i = 0; i < 80 && hi != lo; i++) {
      double mid = 0.5 * (lo + hi);
      if (mid == lo || mid == hi) break;
      at(l, mid, &m, NULL);
      if ((m.lon < x) == east) lo = mid;
      else hi = mid;
    }
    at(l, 0.5 * (lo + hi), &m, NULL);
    if (!push_point(b, east ? 180 : -180, m.lat)) return 0;
    end_part(b);
    k += east ? 1 : -1;
    if (!push_point(b, east ? -180 : 180, m.lat)) return 0;
    m.lon = x;
    from = m;
  }
  double lon = v->lon - 360 * k;
  if (lon > 180) lon = 180; /* rounding at the cut */
  if (lon < -180) lon = -180;
  return push_point(b, lon, v->lat);
}

/* Trace the geodesic line l from s0 to s1 into out. */
static enum reach_status trace(struct reach_ctx *ctx, struct path *l,
                               double s0, double s1, double tol_m, const double *end_latlon,
                               struct reach_lines *out, double *err_m) {
  struct builder b = {out, 0, 0, 0};
  memset(out, 0, sizeof *out);
  double worst = 0, h = LINE_EDGE_MAX_M;
  struct vertex a, v;
  l->turn = 0;
  at(l, s0, &a, NULL);
  /* the start in [-180, 180): unrolled longitudes are relative to it */
  l->turn = 360 * strip_of(a.lon);
  a.lon -= l->turn;
  int ok = push_point(&b, a.lon, a.lat);
  size_t steps = 0;
  while (ok && a.s < s1) {
    if (++steps % 4096 == 0 && reach_interrupted(ctx)) {
      reach_lines_clear(out);
      return reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    }
    double sb = a.s + h >= s1 - LINE_HMIN_M ? s1 : a.s + h;
    at(l, sb, &v, NULL);
    if (sb == s1 && end_latlon) { /* exactly the target */
      v.lat = end_latlon[0];
      v.lon = end_latlon[1] + 360 * nearbyint((v.lon - end_latlon[1]) / 360);
    }
    double e = chord_err(ctx, l, &a, &v);
    if (e > 0.9 * tol_m && sb - a.s > LINE_HMIN_M) {
      h = 0.5 * (sb - a.s);
      continue;
    }
    if (e > 0.9 * tol_m || fabs(v.lon - a.lon) > 90) {
      /* at a pole: passed exactly, the longitude jumps by 180 within a
       * millimetre; passed closer than the tolerance, a chord sweeps round
       * it, drawn along the top or bottom of a lon/lat map.  The line is
       * cut there instead, both ends at the pole (within the tolerance). */
      end_part(&b);
      ok = push_point(&b, v.lon - 360 * strip_of(v.lon), v.lat);
    } else {
      if (e > worst) worst = e;
      ok = add_edge(&b, l, &a, &v);
    }
    h = (sb - a.s) * (e > 0 ? fmin(2.0, sqrt(0.9 * tol_m / e)) : 2.0);
    if (h > LINE_EDGE_MAX_M) h = LINE_EDGE_MAX_M;
    if (h < LINE_HMIN_M) h = LINE_HMIN_M;
    a = v;
  }
  if (!ok) {
    reach_lines_clear(out);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory tracing a geodesic line");
  }
  end_part(&b);
  if (err_m) *err_m = worst;
  return REACH_OK;
}

static enum reach_status check_args(struct reach_ctx *ctx, double lat, double lon,
                                    double tol_m) {
  if (!(lat >= -90 && lat <= 90))
    return reach_fail(ctx, REACH_ERR_ARG, "latitude %g is outside [-90, 90]", lat);
  if (!isfinite(lon)) return reach_fail(ctx, REACH_ERR_ARG, "longitude is not a number");
  if (!(tol_m >= REACH_TOLERANCE_MIN_M && tol_m <= REACH_TOLERANCE_MAX_M))
    return reach_fail(ctx, REACH_ERR_ARG, "tolerance %g m is outside [%g, %g] m", tol_m,
                      REACH_TOLERANCE_MIN_M, REACH_TOLERANCE_MAX_M);
  return REACH_OK;
}

enum reach_status reach_line_radial(struct reach_ctx *ctx, double lat_deg, double lon_deg,
                                    double az_deg, double from_m, double to_m, double tol_m,
                                    struct reach_lines *out, double *err_m) {
  enum reach_status st = check_args(ctx, lat_deg, lon_deg, tol_m);
  memset(out, 0, sizeof *out);
  if (st != REACH_OK) return st;
  if (!isfinite(az_deg)) return reach_fail(ctx, REACH_ERR_ARG, "azimuth is not a number");
  if (!(from_m >= 0 && from_m < to_m && to_m <= 2 * ctx->half_meridian_m))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "a radial runs from 0 <= from (%g m) < to (%g m) <= %g m", from_m, to_m,
                      2 * ctx->half_meridian_m);
  struct path l;
  geod_lineinit(&l.l, &ctx->g, lat_deg, lon_deg, az_deg,
                GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
  return trace(ctx, &l, from_m, to_m, tol_m, NULL, out, err_m);
}

enum reach_status reach_line_between(struct reach_ctx *ctx, double lat1_deg,
                                     double lon1_deg, double lat2_deg, double lon2_deg,
                                     double tol_m, struct reach_lines *out, double *err_m) {
  enum reach_status st = check_args(ctx, lat1_deg, lon1_deg, tol_m);
  memset(out, 0, sizeof *out);
  if (st == REACH_OK) st = check_args(ctx, lat2_deg, lon2_deg, tol_m);
  if (st != REACH_OK) return st;
  struct path l;
  geod_inverseline(&l.l, &ctx->g, lat1_deg, lon1_deg, lat2_deg, lon2_deg,
                   GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
  double lon2 = remainder(lon2_deg, 360.0);
  if (lon2 == -180 && remainder(lon1_deg, 360.0) > 0) lon2 = 180; /* the side it comes from */
  const double end[2] = {lat2_deg, lon2};
  if (!(l.l.s13 > 0)) { /* the same point: one part of two equal vertices */
    out->xy = malloc(4 * sizeof *out->xy);
    out->line_start = malloc(2 * sizeof *out->line_start);
    if (!out->xy || !out->line_start) {
      reach_lines_clear(out);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    out->xy[0] = out->xy[2] = lon2;
    out->xy[1] = out->xy[3] = lat2_deg;
    out->line_start[0] = 0;
    out->line_start[1] = 2;
    out->nlines = 1;
    out->npoints = 2;
    if (err_m) *err_m = 0;
    return REACH_OK;
  }
  return trace(ctx, &l, 0, l.l.s13, tol_m, end, out, err_m);
}

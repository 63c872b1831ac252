/* Reach rings: tracing the true boundary and densifying it by the error a
 * reader sees.
 *
 * A boundary is made of pieces: circles s(C, P) = r (traced by azimuth with
 * the direct problem) and, for sectors, radial geodesics (traced by distance).
 * Within 100 km of the antipodal distance the direct problem no longer gives
 * shortest paths (its geodesics pass the cut locus near the antipode), so the
 * circle is traced instead along geodesics from the antipode A', solving
 * s(C, P) = r with the inverse problem.
 *
 * Densification follows the error that matters: a reader joins vertices with
 * straight lines in lon/lat, and a point on such a chord should lie within the
 * tolerance of the true boundary.  For each candidate edge the true point at
 * the middle parameter is computed, and the chord's midpoint is compared with
 * it along the boundary's normal (a first-order estimate, with the circle's
 * curvature for the tangential offset); near a pole, or for long chords, the
 * distance is computed exactly with the inverse problem at three points of the
 * chord.  The step is halved until the error is below 0.9 tolerance and grown
 * with the square root of the error ratio after each accepted edge (the error
 * of a chord grows as the square of its length), as in an ODE step controller.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fastmath.h"
#include "core/internal.h"
#include "georeach/ring.h"
#include "georeach/ballistic.h"
#include "georeach/parse.h"
#include "geodesy/ring_internal.h"

/* Beyond this distance from the antipodal distance the direct problem is
 * used; within it the antipodal tracing.  GEOMETRY.md and our measurements:
 * the direct problem stops giving shortest paths ~32 km short of it. */
#define ANTI_ZONE_M 100000.0
/* Steps: at most this many degrees of azimuth per edge on a circle, so that
 * nothing is aliased by a lucky midpoint. */
#define ARC_HMAX_DEG 5.625
/* and at most this long, so that the second difference of three vertices
 * (which takes the sag of two neighbouring edges as equal) stays accurate:
 * its error grows as the cube of the step. */
#define EDGE_MAX_M 100000.0
#define ARC_HMIN_DEG 1e-10
#define RADIAL_HMIN_M 1e-6
#define MEAN_RADIUS_M 6371008.8
#define POLE_GAP_DEG 2e-7
/* Narrowest slit (or sector) kept apart at GeoJSON's precision, metres:
 * 5 mm, or 8 times the rounding of the decimals the tolerance gets
 * (reach_text_decimals(): 6 cm at 10 m), so that two radials' vertices,
 * each moved by at most the rounding, stay apart. */
static double slit_min_m(double tol_m) {
  return fmax(0.005, 8 * reach_text_round_m(reach_text_decimals(tol_m)));
}
/* err_m's margin over the controller's estimates, see straddle(). */
#define ERR_MARGIN 1.01

enum curve_kind { ARC, ANTI, RADIAL, VAR };

/* The circle s(C, P) = r as a spectral interpolant (see spec_build). */
#define SPEC_NMAX 256
struct spectral {
  int n;          /* samples, a multiple of 4 */
  double az0;     /* azimuth of sample 0, degrees */
  double err_m;   /* largest distance from the exact circle at the checks */
  double coef[3][SPEC_NMAX + 2]; /* per component: A_0, B_0(=0), A_1, B_1,
                                    ... A_{n/2}, B_{n/2}(=0) */
};

struct curve {
  enum curve_kind kind;
  double clat, clon; /* centre */
  double r;          /* radius (ARC, ANTI) */
  double az;         /* azimuth (RADIAL) */
  double alat, alon; /* antipode (ANTI) */
  double kappa;      /* geodesic curvature of the circle, 1/m (ARC) */
  struct geod_geodesicline line; /* RADIAL */
  const struct reach_ballistic *bm; /* VAR: r(t) = the model's reach */
  int to_centre;     /* VAR: r(t) = how far out a launch still reaches C */
  double tof;        /* VAR: > 0: r(t) = the isochrone of this flight time */
  int failed;        /* VAR: the model gave no r(t) somewhere (NaN) */
  double rlo, rhi;   /* VAR: least and greatest r(t) evaluated */
  struct spectral sp; /* ARC: the interpolant; sp.n == 0: exact calls */
};

struct sample {
  double sd, cd;     /* sine and cosine of the normal's azimuth */
  double sphi, cphi; /* sine and cosine of the latitude */
  double t, lat, lon, dir; /* dir: azimuth of the normal along which the
                              error is measured, degrees */
  int side; /* VAR isochrone: 1 where clipped to the reach (R_t >= R), else
               0; the curve min(R_t, R) has a kink where side changes */
};

static double dist(const struct reach_ctx *ctx, double lat1, double lon1,
                   double lat2, double lon2, double *azi1, double *azi2,
                   double *m12) {
  double s12;
  geod_geninverse(&ctx->g, lat1, lon1, lat2, lon2, &s12, azi1, azi2, m12, NULL,
                  NULL, NULL);
  return s12;
}

/* The spectral circle.  The point of the circle s(C, P) = r at azimuth az, as
 * the unit vector (cos phi cos dlon, cos phi sin dlon, sin phi) with dlon its
 * longitude less the centre's, is a smooth periodic function of az (no
 * seam at +/-180, none at the poles).  Sampled exactly with the direct
 * problem at n equal azimuths and extended by its trigonometric interpolant,
 * it matches the direct problem to ~1e-8 m with n = 24 at every range up to
 * the antipodal zone, with n = 16 below 2,000 km, to 2e-7 m with n = 12 and
 * to 1-9 mm with n = 8 at 885 km (measured at 4,096 azimuths, GEOMETRY.md);
 * one evaluation, with the table-driven sine and arctangents of
 * core/fastmath.h, costs about a sixth of a geod_direct (perf: 70 ns).
 * Each circle's interpolant is checked against the direct problem at
 * azimuths between samples, where its error peaks, and n grown until the
 * check passes (spec_setup; SPEC_NMAX: then exact calls). */
static void arc_vec(const struct reach_ctx *ctx, const struct curve *c, double az,
                    double v[3]) {
  double lat, lon;
  geod_direct(&ctx->g, c->clat, c->clon, az, c->r, &lat, &lon, NULL);
  double phi = lat * DEG, lam = (lon - c->clon) * DEG;
  v[0] = cos(phi) * cos(lam);
  v[1] = cos(phi) * sin(lam);
  v[2] = sin(phi);
}

/* The interpolant and its derivative by the azimuth (per radian) at az.
 * cos(j th), sin(j th) by rotation, in two chains (even and odd j, each
 * turned by 2 th) so that each waits on half as many products; rounding
 * grows as j eps, ~1e-14 at the largest n. */
static void spec_eval(const struct spectral *sp, double az, double v[3],
                      double dv[3]) {
  double th = (az - sp->az0) * DEG, c1, s1;
  reach_fm_sincos(th, &s1, &c1);
  double c2 = c1 * c1 - s1 * s1, s2 = 2 * s1 * c1;
  int h = sp->n / 2; /* even: n is a multiple of 4 */
  double v0 = sp->coef[0][0] / 2, v1 = sp->coef[1][0] / 2, v2 = sp->coef[2][0] / 2;
  double d0 = 0, d1 = 0, d2 = 0;
  double ca = c1, sa = s1; /* odd j = 1, 3, ... */
  double cb = c2, sb = s2; /* even j = 2, 4, ... */
  for (int j = 1; j < h; j += 2) {
    const double *A0 = &sp->coef[0][2 * (size_t)j], *A1 = &sp->coef[1][2 * (size_t)j],
                 *A2 = &sp->coef[2][2 * (size_t)j];
    /* j odd */
    v0 += A0[0] * ca + A0[1] * sa;
    v1 += A1[0] * ca + A1[1] * sa;
    v2 += A2[0] * ca + A2[1] * sa;
    d0 += j * (A0[1] * ca - A0[0] * sa);
    d1 += j * (A1[1] * ca - A1[0] * sa);
    d2 += j * (A2[1] * ca - A2[0] * sa);
    /* j + 1, even */
    v0 += A0[2] * cb + A0[3] * sb;
    v1 += A1[2] * cb + A1[3] * sb;
    v2 += A2[2] * cb + A2[3] * sb;
    d0 += (j + 1) * (A0[3] * cb - A0[2] * sb);
    d1 += (j + 1) * (A1[3] * cb - A1[2] * sb);
    d2 += (j + 1) * (A2[3] * cb - A2[2] * sb);
    double t = ca * c2 - sa * s2;
    sa = sa * c2 + ca * s2;
    ca = t;
    t = cb * c2 - sb * s2;
    sb = sb * c2 + cb * s2;
    cb = t;
  }
  v[0] = v0;
  v[1] = v1;
  v[2] = v2;
  dv[0] = d0;
  dv[1] = d1;
  dv[2] = d2;
}

/* Largest distance (metres, a slight overestimate: the auxiliary vector's
 * angle times the largest radius of curvature) between the interpolant and
 * the exact circle at nchk azimuths between samples. */
static double spec_check(const struct reach_ctx *ctx, const struct curve *c,
                         const struct spectral *sp, int nchk) {
  double worst = 0;
  /* Fractions of a sample interval, spread so that no phase is favoured. */
  static const double frac[] = {0.5, 0.37, 0.63, 0.21, 0.79, 0.45};
  for (int i = 0; i < nchk; i++) {
    int k = (i * sp->n) / nchk + i;
    double az = sp->az0 + 360.0 * (k + frac[i % 6]) / sp->n;
    double v[3], dv[3], x[3];
    spec_eval(sp, az, v, dv);
    arc_vec(ctx, c, az, x);
    double nv = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]), d2 = 0;
    for (int j = 0; j < 3; j++) d2 += (v[j] / nv - x[j]) * (v[j] / nv - x[j]);
    double d = sqrt(d2) * ctx->a / sqrt(1 - ctx->e2);
    if (!(d <= worst)) worst = d; /* NAN wins */
  }
  return worst;
}

/* Fit the interpolant with n samples from azimuth sp->az0. */
static void spec_fit(const struct reach_ctx *ctx, const struct curve *c,
                     struct spectral *sp, int n) {
  double f[3][SPEC_NMAX], ct[SPEC_NMAX], st[SPEC_NMAX];
  sp->n = n;
  for (int m = 0; m < n; m++) {
    double v[3];
    arc_vec(ctx, c, sp->az0 + 360.0 * m / n, v);
    f[0][m] = v[0];
    f[1][m] = v[1];
    f[2][m] = v[2];
    ct[m] = cos(2 * M_PI * m / n);
    st[m] = sin(2 * M_PI * m / n);
  }
  /* The discrete Fourier transform, directly: n^2 / 4 products per
   * component is nothing next to n direct problems. */
  for (int j = 0; j <= n / 2; j++) {
    for (int k = 0; k < 3; k++) {
      double A = 0, B = 0;
      for (int m = 0; m < n; m++) {
        int q = (j * m) % n;
        A += f[k][m] * ct[q];
        B += f[k][m] * st[q];
      }
      /* the Nyquist term counts half: halved here, not at every vertex */
      sp->coef[k][2 * (size_t)j] = (j == n / 2 ? 1 : 2) * A / n;
      sp->coef[k][2 * (size_t)j + 1] = j == n / 2 ? 0 : 2 * B / n;
    }
  }
}

/* Set up c's interpolant for a ring of tolerance tol_m: the error allowed at
 * the checks is 1e-3 of the tolerance (1e-4 m at the finest).  The checks
 * fall between samples, where the error peaks; the largest error over 2,048
 * azimuths was at most 1.5 times the checks' (ranges 1 km to 19,000 km,
 * latitudes 0 to 89.9, tests/test_ring_spectral.py measures it), and twice
 * the checks' is added to the ring's err_m (trace()).  With 1e-4 of the
 * tolerance, 885 km rings needed 12 samples; with 1e-3 (at 10 m: 1 cm,
 * measured 1 to 9 mm with 8 samples) about 4 in 10 of them pass with 8
 * (callgrind, 1,000 random sites), the rest with 12.  The samples grow 8, 12, 16, 32, ... until the check
 * passes.  GEOREACH_TEST_SPECTRAL_N (tests only) forces the first n (0:
 * exact calls, no interpolant). */
#define SPEC_CHECK_REL 1e-3
static void spec_setup(const struct reach_ctx *ctx, struct curve *c, double tol_m) {
  int n = c->r <= 1.0e6 ? 8 : c->r <= 2.0e6 ? 16 : 24;
  const char *force = getenv("GEOREACH_TEST_SPECTRAL_N");
  if (force && *force) {
    n = atoi(force);
    if (n <= 0) {
      c->sp.n = 0;
      return;
    }
    n = n < 4 ? 4 : (n + 3) / 4 * 4;
  }
  /* Sample 0 off north, so that no sample of a circle through a pole lands
   * on it. */
  c->sp.az0 = 1.2345678;
  for (; n <= SPEC_NMAX; n = n < 16 ? n + 4 : 2 * n) {
    spec_fit(ctx, c, &c->sp, n);
    double e = spec_check(ctx, c, &c->sp, 4);
    if (e <= SPEC_CHECK_REL * tol_m) {
      c->sp.err_m = e;
      return;
    }
  }
  c->sp.n = 0; /* never met in our measurements: exact calls */
}

/* A point of the circle from the interpolant: lat/lon and the azimuth of
 * the outward normal (the tangent's azimuth less 90 degrees: azimuths run
 * clockwise), which on a geodesic circle is the arriving geodesic's. */
static void spec_sample(const struct spectral *sp, double clon, double az,
                        struct sample *s) {
  double v[3], dv[3];
  spec_eval(sp, az, v, dv);
  /* |v| is 1 to the interpolant's accuracy (~1e-10 relatively at the
   * finest check): v's components serve as the sines and cosines of the
   * latitude and the longitude (the metric factors they feed need 1e-6),
   * and the tangent is taken in the east and north directions scaled by
   * rho, which the normal's normalisation removes: one square root and one
   * division fewer per vertex than normalising v first. */
  double x = v[0], y = v[1], z = v[2];
  double rho2 = x * x + y * y, rho = sqrt(rho2);
  s->lat = reach_fm_atan2(z, rho) * (180 / M_PI); /* (not / DEG: a division */
  double lon = clon + reach_fm_atan2(y, x) * (180 / M_PI); /* the loop waited on) */
  if (lon > 180) lon -= 360;
  else if (lon < -180) lon += 360;
  s->lon = lon;
  double te, tn; /* the tangent east and north, times rho */
  if (rho > 0) {
    te = x * dv[1] - y * dv[0];
    tn = rho2 * dv[2] - z * (x * dv[0] + y * dv[1]);
  } else { /* on a pole: east is +y, north -x (the longitude's convention) */
    te = dv[1];
    tn = -z * dv[0];
  }
  /* the normal is the tangent turned 90 degrees anticlockwise */
  double tl2 = te * te + tn * tn;
  if (tl2 > 0) {
    double inv_tl = 1 / sqrt(tl2);
    s->sd = -tn * inv_tl;
    s->cd = te * inv_tl;
  } else {
    s->sd = 0;
    s->cd = 1;
  }
  s->dir = NAN; /* only sd, cd are used */
  s->t = az;
  s->sphi = z;
  s->cphi = rho;
}

int reach_spectral_circle(const struct reach_ctx *ctx, double lat_deg,
                          double lon_deg, double r_m, double tol_m,
                          const double *az_deg, size_t n, double *lat_out,
                          double *lon_out, double *check_m) {
  struct curve *c = calloc(1, sizeof *c);
  if (!c) return -1;
  c->kind = ARC;
  c->clat = lat_deg;
  c->clon = lon_deg;
  c->r = r_m;
  spec_setup(ctx, c, tol_m);
  for (size_t i = 0; i < n; i++) {
    struct sample s;
    if (c->sp.n) {
      spec_sample(&c->sp, c->clon, az_deg[i], &s);
    } else {
      geod_direct(&ctx->g, lat_deg, lon_deg, az_deg[i], r_m, &s.lat, &s.lon, NULL);
    }
    lat_out[i] = s.lat;
    lon_out[i] = s.lon;
  }
  int ns = c->sp.n;
  if (check_m) *check_m = c->sp.err_m;
  free(c);
  return ns;
}

/* ANTI: the point at distance r from C on the geodesic leaving the antipode
 * with azimuth beta.  s(C, .) decreases from the antipodal distance at A'
 * outwards; bracket and solve with the Illinois method to 0.1 mm. */
static void anti_point(const struct reach_ctx *ctx, const struct curve *c,
                       double beta, double *lat, double *lon, double *dir) {
  double lo = 0, glo = ctx->half_meridian_m - c->r; /* g = s - r > 0 at A' */
  double hi = 1.5 * (ctx->half_meridian_m - c->r) + 1000, ghi;
  double la = 0, lo2 = 0, azi2 = 0;
  for (;;) {
    geod_direct(&ctx->g, c->alat, c->alon, beta, hi, &la, &lo2, NULL);
    ghi = dist(ctx, c->clat, c->clon, la, lo2, NULL, NULL, NULL) - c->r;
    if (ghi < 0 || hi > 4 * ANTI_ZONE_M) break;
    lo = hi;
    glo = ghi;
    hi *= 2;
  }
  double u = hi, gu = ghi;
  int side = 0;
  for (int it = 0; it < 200 && fabs(gu) > 1e-4 && hi - lo > 1e-6; it++) {
    u = (lo * ghi - hi * glo) / (ghi - glo);
    if (!(u > lo && u < hi)) u = (lo + hi) / 2;
    geod_direct(&ctx->g, c->alat, c->alon, beta, u, &la, &lo2, NULL);
    gu = dist(ctx, c->clat, c->clon, la, lo2, NULL, NULL, NULL) - c->r;
    if (gu > 0) {
      lo = u;
      glo = gu;
      if (side == 1) ghi /= 2;
      side = 1;
    } else {
      hi = u;
      ghi = gu;
      if (side == -1) glo /= 2;
      side = -1;
    }
  }
  geod_direct(&ctx->g, c->alat, c->alon, beta, u, lat, lon, NULL);
  dist(ctx, c->clat, c->clon, *lat, *lon, NULL, &azi2, NULL);
  *dir = azi2;
}

/* VAR: the model's reach along azimuth t (metres). */
static double var_out(const struct reach_ctx *ctx, const struct reach_ballistic *b,
                      double lat, double lon, double t) {
  struct reach_ballistic_traj tr;
  /* The context is only written on bad arguments, checked before tracing. */
  if (reach_ballistic_reach((struct reach_ctx *)ctx, b, lat, lon, t, &tr) != REACH_OK)
    return NAN;
  return tr.range_m;
}

/* g(d) = R_P(azimuth P->C) - d for P at distance d from C along azimuth t. */
static double basket_gap(const struct reach_ctx *ctx, const struct curve *c, double t,
                         double d) {
  double lat, lon, azi2;
  geod_direct(&ctx->g, c->clat, c->clon, t, d, &lat, &lon, &azi2);
  return var_out(ctx, c->bm, lat, lon, azi2 + 180) - d;
}

/* VAR with tof: the isochrone's distance along azimuth t (metres);
 * *clipped: 1 where it is the reach boundary (the flight there takes at most
 * tof), else 0. */
static double var_iso(const struct reach_ctx *ctx, const struct curve *c, double t,
                      int *clipped) {
  struct reach_ballistic_traj tr;
  if (reach_ballistic_isochrone((struct reach_ctx *)ctx, c->bm, c->clat, c->clon, t,
                                c->tof, &tr, clipped) != REACH_OK)
    return NAN;
  return tr.range_m;
}

/* VAR: r(t); *side (may be NULL) as in struct sample. */
static double var_r_side(const struct reach_ctx *ctx, const struct curve *c, double t,
                         int *side) {
  if (side) *side = 0;
  if (c->tof > 0) return var_iso(ctx, c, t, side);
  if (!c->to_centre) return var_out(ctx, c->bm, c->clat, c->clon, t);
  /* The launch basket: the root of g(d), by the secant method from the
   * nominal range (g changes by about -1 per metre of d). */
  double d0 = c->bm->nominal_range_m, g0 = basket_gap(ctx, c, t, d0);
  double d1 = d0 + g0, g1 = basket_gap(ctx, c, t, d1);
  for (int it = 0; it < 30 && fabs(g1) > 1e-4 && g1 != g0; it++) {
    double d2 = d1 - g1 * (d1 - d0) / (g1 - g0);
    d0 = d1;
    g0 = g1;
    d1 = d2;
    g1 = basket_gap(ctx, c, t, d1);
  }
  return d1;
}

static double var_r(const struct reach_ctx *ctx, const struct curve *c, double t) {
  return var_r_side(ctx, c, t, NULL);
}

/* The point of c at parameter t.  exact: an ARC's point from the direct
 * problem even where it has an interpolant (the ends of a piece: a sector's
 * corners are exact, and a closed ring closes on the same vertex). */
static void eval_at(const struct reach_ctx *ctx, const struct curve *c, double t,
                    struct sample *s, int exact) {
  double azi2 = 0;
  s->t = t;
  s->side = 0;
  switch (c->kind) {
  case VAR: {
    double r = var_r_side(ctx, c, t, &s->side);
    struct curve *cw = (struct curve *)c; /* running bounds */
    if (r < cw->rlo) cw->rlo = r;
    if (r > cw->rhi) cw->rhi = r;
    if (isnan(r)) cw->failed = 1;
    geod_direct(&ctx->g, c->clat, c->clon, t, r, &s->lat, &s->lon, &azi2);
    s->dir = azi2;
    break;
  }
  case ARC:
    if (c->sp.n && !exact) {
      spec_sample(&c->sp, c->clon, t, s);
      return; /* trigonometry done */
    }
    geod_direct(&ctx->g, c->clat, c->clon, t, c->r, &s->lat, &s->lon, &azi2);
    s->dir = azi2;
    break;
  case ANTI:
    anti_point(ctx, c, t, &s->lat, &s->lon, &s->dir);
    break;
  case RADIAL:
    geod_genposition(&c->line, GEOD_NOFLAGS, t, &s->lat, &s->lon, &azi2, NULL,
                     NULL, NULL, NULL, NULL);
    s->dir = azi2 + 90;
    break;
  }
  s->sd = sin(s->dir * DEG);
  s->cd = cos(s->dir * DEG);
  s->sphi = sin(s->lat * DEG);
  s->cphi = cos(s->lat * DEG);
}

static void eval(const struct reach_ctx *ctx, const struct curve *c, double t,
                 struct sample *s) {
  eval_at(ctx, c, t, s, 0);
}

/* Exact distance of a lon/lat point from the true piece. */
static double exact_err(const struct reach_ctx *ctx, const struct curve *c,
                        double lat, double lon) {
  double azi1 = 0, m12 = 0;
  double s = dist(ctx, c->clat, c->clon, lat, lon, &azi1, NULL, &m12);
  /* VAR: the radial gap, an upper bound of the distance to the curve. */
  if (c->kind == VAR) return fabs(s - var_r(ctx, c, azi1));
  if (c->kind != RADIAL) return fabs(s - c->r);
  /* Distance from a radial geodesic: the reduced length times the sine of the
   * azimuth offset, exact to first order in the offset. */
  double d = remainder(azi1 - c->az, 360.0);
  if (fabs(d) >= 90) return s;
  return fabs(m12 * sin(d * DEG));
}

/* Error of the chord a-b (longitudes unrolled: b's and m's relative to a's)
 * whose true middle point is m.  Returns the signed offset of the chord's
 * midpoint along m's normal, or, where the first-order estimate cannot be
 * trusted (near a pole, long chords, the antipodal tracing), NAN with the
 * exact largest distance at seven points of the chord in *exact. */
static double chord_err(const struct reach_ctx *ctx, const struct curve *c,
                        const struct sample *a, const struct sample *b,
                        const struct sample *m, double *exact) {
  double mx = (a->lon + b->lon) / 2, my = (a->lat + b->lat) / 2;
  int slow = c->kind == ANTI || fabs(a->lat) > 89 || fabs(b->lat) > 89 ||
             fabs(m->lat) > 89 || fabs(b->lon - a->lon) > 2 ||
             fabs(mx - m->lon) > 0.05 || fabs(my - m->lat) > 0.05;
  if (!slow) {
    double sp = m->sphi;
    double w = sqrt(1 - ctx->e2 * sp * sp);
    double east = (mx - m->lon) * DEG * ctx->a / w * m->cphi;
    double north = (my - m->lat) * DEG * ctx->a * (1 - ctx->e2) / (w * w * w);
    double sd = m->sd, cd = m->cd;
    double dn = east * sd + north * cd, dt = east * cd - north * sd;
    *exact = 0;
    return dn + c->kappa * dt * dt / 2;
  }
  /* Seven points (fifteen round the antipode, where the boundary turns
   * sharply at the pointed ends of the small hole), then a refinement of the
   * largest: three points missed the worst of an edge there by 14 %. */
  double e = 0, fbest = 0.5, es[17] = {0}; /* the ends are on the curve */
  int nk = c->kind == ANTI ? 16 : 8, kbest = nk / 2;
  for (int k = 1; k < nk; k++) {
    double f = (double)k / nk;
    double ek = exact_err(ctx, c, a->lat + f * (b->lat - a->lat),
                          a->lon + f * (b->lon - a->lon));
    es[k] = ek;
    if (ek > e) {
      e = ek;
      fbest = f;
      kbest = k;
    }
  }
  if (c->kind == ARC || c->kind == RADIAL) {
    /* A circle or a geodesic away from the antipode: the error along the
     * chord is smooth, and the parabola through the largest sample and its
     * neighbours gives its peak (no inverse problem more, where the ternary
     * search took 28; exact for the quadratic sag of a short chord). */
    double em = es[kbest - 1], ep = es[kbest + 1];
    double curv = em - 2 * e + ep; /* <= 0: e is the largest */
    if (curv < 0) {
      double du = (em - ep) / (2 * curv); /* peak offset, in steps */
      if (fabs(du) <= 1) e -= (ep - em) * (ep - em) / (8 * curv);
    }
    *exact = e;
    return NAN;
  }
  /* The error along a chord crossing the cut locus (round the antipode) has
   * a kink: ternary search for the peak between the best sample's
   * neighbours. */
  double lo = fbest - 1.0 / nk, hi = fbest + 1.0 / nk;
  for (int it = 0; it < 14; it++) {
    double f1 = lo + (hi - lo) / 3, f2 = hi - (hi - lo) / 3;
    double e1 = exact_err(ctx, c, a->lat + f1 * (b->lat - a->lat),
                          a->lon + f1 * (b->lon - a->lon));
    double e2 = exact_err(ctx, c, a->lat + f2 * (b->lat - a->lat),
                          a->lon + f2 * (b->lon - a->lon));
    if (e1 > e) e = e1;
    if (e2 > e) e = e2;
    if (e1 < e2) lo = f1;
    else hi = f2;
  }
  *exact = e;
  return NAN;
}

/* A traced boundary: vertices (unrolled lon/lat) and, for each, the normal
 * it was traced with, the signed error of the edge that leaves it (NAN when
 * only its exact size is known) and whether it is a corner between pieces. */
struct vinfo {
  double t; /* the curve's parameter */
  double dir, e_next;
  double e_cub; /* bound of the part of the edge's error that its middle
                   does not show (the sag's change along the edge), >= 0 */
  double sd, cd, sphi, cphi; /* as in struct sample */
  int corner;
};
struct traced {
  struct reach_pts p;
  struct vinfo *v;
  size_t vcap;
  double errmax; /* exact errors of the slow edges */
  double curve_err; /* how far the curve traced may be from the true one
                       (the spectral circle's, twice its checks'), added to
                       every edge's error */
  int (*cancelled)(void *data); /* the context's */
  void *cancel_data;
  unsigned polls;  /* steps since cancelled() was last asked */
  int interrupted; /* cancelled() said stop */
};

/* Whether to stop now: cancelled() is asked every 256 steps (a step makes
 * two vertices; 256 take well under a millisecond on a circle and tens of
 * milliseconds round the antipode).  Sets t->interrupted. */
static int stop_now(struct traced *t) {
  if (!t->cancelled || (++t->polls & 255) != 0) return 0;
  if (t->cancelled(t->cancel_data)) t->interrupted = 1;
  return t->interrupted;
}

static int traced_push(struct traced *t, const struct sample *s, int corner) {
  if (t->p.n == t->vcap) {
    size_t cap = t->vcap ? 2 * t->vcap : 256;
    struct vinfo *v = realloc(t->v, cap * sizeof *v);
    if (!v) return 0;
    t->v = v;
    t->vcap = cap;
  }
  struct vinfo *vi = &t->v[t->p.n];
  vi->t = s->t;
  vi->dir = s->dir;
  vi->sd = s->sd;
  vi->cd = s->cd;
  vi->sphi = s->sphi;
  vi->cphi = s->cphi;
  vi->e_next = NAN;
  vi->e_cub = 0;
  vi->corner = corner;
  return reach_pts_push(&t->p, s->lon, s->lat);
}

/* Room for n vertices up front (failure is left to traced_push()): a ring's
 * arrays grown by doubling from 256 were copied twice on the way to its
 * ~640 vertices at 885 km, 4 % of the kernel's instructions (callgrind). */
static void traced_reserve(struct traced *t, size_t n) {
  if (t->vcap >= n) return;
  struct vinfo *v = realloc(t->v, n * sizeof *v);
  if (!v) return;
  t->v = v;
  t->vcap = n;
  reach_pts_reserve(&t->p, n);
}

static void traced_free(struct traced *t) {
  int (*cancelled)(void *) = t->cancelled;
  void *data = t->cancel_data;
  reach_pts_free(&t->p);
  free(t->v);
  memset(t, 0, sizeof *t);
  t->cancelled = cancelled; /* the hook outlives a retrace */
  t->cancel_data = data;
}

/* x - ref with x brought within half a turn of ref. */
static double unroll(double x, double ref) {
  double d = x - ref;
  if (d > 180 || d < -180) d = remainder(d, 360.0);
  return ref + d;
}

/* Signed sag, metres along b's normal, of the two chords a-b and b-c when
 * a, b, c are equally spaced in the curve's parameter: the chord midpoint
 * minus the curve point is x'' h^2 / 8 = (a - 2b + c) / 8 to second order.
 * Returns 0 where that first-order estimate cannot be trusted (near a pole,
 * long chords, the antipodal tracing). */
static int pair_sag(const struct reach_ctx *ctx, const struct curve *c,
                    const struct sample *a, const struct sample *b,
                    const struct sample *cc, double *e) {
  if (c->kind == ANTI || fabs(a->lat) > 89 || fabs(b->lat) > 89 ||
      fabs(cc->lat) > 89 || fabs(cc->lon - a->lon) > 2)
    return 0;
  double dx = (a->lon - 2 * b->lon + cc->lon) / 8;
  double dy = (a->lat - 2 * b->lat + cc->lat) / 8;
  if (fabs(dx) > 0.05 || fabs(dy) > 0.05) return 0;
  double sp = b->sphi;
  double iw = 1 / sqrt(1 - ctx->e2 * sp * sp); /* one division, not two */
  double east = dx * DEG * ctx->a * iw * b->cphi;
  double north = dy * DEG * ctx->a * (1 - ctx->e2) * (iw * iw * iw);
  *e = east * b->sd + north * b->cd;
  return 1;
}

/* VAR: the kink of min(R_t, R) between parameters lo and hi (either order),
 * where side changes from lo's (slo), bisected to KINK_DEG.  Returns in *k
 * the kink's vertex: a point of the curve on the clipped side (the reach
 * boundary), KINK_DEG past the bracket where the bracket allows, so that the
 * vertex reads as on the boundary however it is rounded (a hair inside, no
 * flight of the model reaches its rounded position in t).  The curve turns
 * by its kink's angle (~0.03 rad) within KINK_DEG (0.2 mm at 1,000 km) of
 * the vertex: 1e-5 m off the chords, nothing next to the tolerance. */
#define KINK_DEG 1e-8
static void var_kink(const struct reach_ctx *ctx, const struct curve *c, double lo,
                     double hi, int slo, struct sample *k) {
  double lo0 = lo, hi0 = hi;
  for (int it = 0; it < 64 && fabs(hi - lo) > KINK_DEG; it++) {
    struct sample m;
    double mid = (lo + hi) / 2;
    eval(ctx, c, mid, &m);
    if (m.side == slo) lo = mid;
    else hi = mid;
  }
  double sgn = hi >= lo ? 1 : -1, end = slo ? lo : hi;
  double past = slo ? lo - sgn * KINK_DEG : hi + sgn * KINK_DEG;
  if ((past - lo0) * sgn > 0 && (hi0 - past) * sgn > 0) {
    eval(ctx, c, past, k);
    if (k->side == 1) return;
  }
  eval(ctx, c, end, k);
}

/* Trace a piece from t0 to t1 (either direction), appending vertices to out
 * with longitudes unrolled from out's last vertex.  The first vertex is
 * appended only when out is empty; the piece's first vertex is marked as a
 * corner.  Steps are taken two edges at a time, so that every evaluation of
 * the curve is a vertex: the sag of both edges comes from the second
 * difference of their three vertices.  Near the poles each edge is checked
 * exactly at three points against its true middle instead.
 * Returns 0 on allocation failure. */
static int trace(const struct reach_ctx *ctx, const struct curve *c, double t0,
                 double t1, double hmax, double hmin, double target,
                 double slow_target, struct traced *out) {
  struct sample a, b, cc, m1, m2;
  double dirn = t1 >= t0 ? 1 : -1, span = fabs(t1 - t0), done = 0;
  eval_at(ctx, c, t0, &a, 1);
  if (out->p.n == 0) {
    if (!traced_push(out, &a, 1)) return 0;
  } else {
    a.lon = unroll(a.lon, out->p.xy[2 * (out->p.n - 1)]);
    out->v[out->p.n - 1].corner = 1;
  }
  if (c->kind == ARC && c->sp.n && 2 * c->sp.err_m > out->curve_err)
    out->curve_err = 2 * c->sp.err_m;
  double h = hmax; /* one edge; a step is two */
  int have_b = 0, have_c = 0;
  /* The sag rate (sag / h^2, metres) at the middle vertex of the last step,
   * and where it was: where the sag changes along the curve (towards an
   * inflection of the lon/lat curve) the second difference, centred on the
   * middle vertex, tells the mean of the two edges' sags, not each.  One
   * edge then sags more than it says by the rate's slope times h^3 / 2:
   * measured 17 % over the tolerance on a 54 km edge near the equator of a
   * 9,980 km ring.  The slope between steps restores each edge's own sag,
   * and bounds the rest (the sag's asymmetry within an edge,
   * 0.064 |slope| h^3). */
  double q_prev = NAN, t_prev = 0;
  /* An isochrone clipped to the reach boundary, min(R_t, R), has a kink
   * wherever it meets the boundary: no second difference (nor its slope)
   * sees a kink inside an edge (a kink a fraction u along an edge shows as
   * u/8 of the sag, which is u(1 - u) times the turn), so a step over one
   * is cut short to end on it, the kink's vertex is a corner (not moved by
   * straddle()), and each branch is estimated on its own.  a_kink: a is such
   * a vertex (its side counts as either); kink_at_c: cc is; t_kink: the last
   * kink found (a halved step meets it again). */
  int a_kink = 0, kink_at_c = 0;
  double t_kink = NAN, h_kink = 0;
  while (done < span) {
    if (stop_now(out)) return 0;
    double rem = span - done;
    if (2 * h >= rem || rem - 2 * h < fmax(hmin, 1e-3 * h)) {
      h = rem / 2;
      have_b = have_c = 0;
      kink_at_c = 0;
    }
    if (!have_c) {
      if (done + 2 * h >= span)
        eval_at(ctx, c, t1, &cc, 1);
      else
        eval(ctx, c, t0 + dirn * (done + 2 * h), &cc);
    }
    if (!have_b) eval(ctx, c, t0 + dirn * (done + h), &b);
    int sa = a_kink ? b.side : a.side;
    if (c->kind == VAR && !kink_at_c && (sa != b.side || b.side != cc.side)) {
      double lo = sa != b.side ? a.t : b.t, hi = sa != b.side ? b.t : cc.t;
      int slo = sa != b.side ? sa : b.side;
      struct sample k;
      if (!isnan(t_kink) && (t_kink - lo) * dirn > 0 && (hi - t_kink) * dirn > 0) {
        eval(ctx, c, t_kink, &k);
      } else {
        var_kink(ctx, c, lo, hi, slo, &k);
        t_kink = k.t;
      }
      if (fabs(k.t - a.t) <= KINK_DEG) {
        /* the kink is at a (within KINK_DEG): a is its vertex */
        out->v[out->p.n - 1].corner = 1;
        a_kink = 1;
        q_prev = NAN;
        have_b = have_c = 1;
        continue;
      }
      h_kink = h;
      h = fabs(k.t - t0) / 2 - done / 2;
      cc = k;
      eval(ctx, c, t0 + dirn * (done + h), &b);
      kink_at_c = 1;
    }
    b.lon = unroll(b.lon, a.lon);
    cc.lon = unroll(cc.lon, b.lon);
    double e1, e2, err, x1 = 0, x2 = 0, cub = 0, q = NAN;
    int fast = pair_sag(ctx, c, &a, &b, &cc, &e1);
    if (fast) {
      q = e1 / (h * h);
      e2 = e1;
      if (!isnan(q_prev)) {
        double slope = (q - q_prev) / (done + h - t_prev);
        e1 = (q - slope * h / 2) * h * h;
        e2 = (q + slope * h / 2) * h * h;
        cub = 0.064 * fabs(slope) * h * h * h;
      }
      err = fmax(fabs(e1), fabs(e2)) + cub;
    } else {
      eval(ctx, c, t0 + dirn * (done + h / 2), &m1);
      eval(ctx, c, t0 + dirn * (done + 1.5 * h), &m2);
      m1.lon = unroll(m1.lon, a.lon);
      m2.lon = unroll(m2.lon, b.lon);
      e1 = chord_err(ctx, c, &a, &b, &m1, &x1);
      e2 = chord_err(ctx, c, &b, &cc, &m2, &x2);
      err = fmax(isnan(e1) ? x1 : fabs(e1), isnan(e2) ? x2 : fabs(e2));
      /* edges checked exactly are not moved by straddle(): they must meet
       * the tight target themselves */
      if ((isnan(e1) || isnan(e2)) && err > slow_target) err *= target / slow_target;
    }
    if (err > target && h / 2 >= hmin) {
      cc = b; /* the new end is the old middle */
      have_c = 1;
      kink_at_c = 0;
      if (!fast) {
        b = m1;
        have_b = 1;
      } else {
        have_b = 0;
      }
      h /= 2;
      continue;
    }
    if (isnan(e1) && x1 > out->errmax) out->errmax = x1;
    if (isnan(e2) && x2 > out->errmax) out->errmax = x2;
    out->v[out->p.n - 1].e_next = e1;
    out->v[out->p.n - 1].e_cub = cub;
    if (!traced_push(out, &b, 0)) return 0;
    out->v[out->p.n - 1].e_next = e2;
    out->v[out->p.n - 1].e_cub = cub;
    if (!traced_push(out, &cc, kink_at_c)) return 0;
    q_prev = kink_at_c ? NAN : q; /* no slope across a kink */
    t_prev = done + h;
    a = cc;
    have_b = have_c = 0;
    done += 2 * h;
    double grow = err > 0 ? 0.9 * sqrt(target / err) : 2;
    h *= grow > 2 ? 2 : grow < 1 ? 1 : grow;
    a_kink = kink_at_c;
    if (kink_at_c && h < h_kink) h = h_kink; /* the step cut short, not the curve */
    kink_at_c = 0;
    if (h > hmax) h = hmax;
  }
  return 1;
}

/* Append the piece c at the given parameters ts[0..n-1] (as trace() does:
 * the first vertex only when out is empty, else it marks out's last vertex
 * as a corner), each edge's error measured at its middle. */
static int trace_at(const struct reach_ctx *ctx, const struct curve *c,
                    const double *ts, size_t n, struct traced *out) {
  struct sample a, b, m;
  eval(ctx, c, ts[0], &a);
  if (out->p.n == 0) {
    if (!traced_push(out, &a, 1)) return 0;
  } else {
    a.lon = unroll(a.lon, out->p.xy[2 * (out->p.n - 1)]);
    out->v[out->p.n - 1].corner = 1;
  }
  for (size_t i = 1; i < n; i++) {
    double x = 0;
    if (stop_now(out)) return 0;
    eval(ctx, c, ts[i], &b);
    eval(ctx, c, (ts[i - 1] + ts[i]) / 2, &m);
    b.lon = unroll(b.lon, a.lon);
    m.lon = unroll(m.lon, a.lon);
    double e = chord_err(ctx, c, &a, &b, &m, &x);
    if (isnan(e) && x > out->errmax) out->errmax = x;
    out->v[out->p.n - 1].e_next = e;
    if (!traced_push(out, &b, 0)) return 0;
    a = b;
  }
  return 1;
}

static void curve_radial(const struct reach_ctx *ctx, struct curve *c,
                         const struct reach_ring_spec *s, double az);

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

/* The two radials of a sector on one set of distances: each traced to the
 * target on its own, then both evaluated at the union of the two traces'
 * distances.  Traced apart, a sector whose radials are a hair apart (wider
 * than 359.98 degrees, or narrower than 0.02) had chords of one radial
 * crossing the other's near the centre, where the two run closer than the
 * chords sag; on shared distances the two chains run side by side, each
 * vertex of one a geodesic offset of the other's.  A finer set only lowers
 * each chord's sag.  ts: 2 x (vertices) doubles from the caller; *nts the
 * count on return, ascending from R0 to R. */
static int radial_grid(const struct reach_ctx *ctx, const struct reach_ring_spec *s,
                       double A, double W, double target, double tight,
                       double **ts, size_t *nts, int *interrupted) {
  double R = s->range_m, R0 = s->min_range_m;
  double rhmin = RADIAL_HMIN_M, rhmax = fmin((R - R0) / 8, EDGE_MAX_M);
  struct traced t1 = {0}, t2 = {0};
  struct curve c;
  int ok;
  t1.cancelled = t2.cancelled = ctx->interrupt;
  t1.cancel_data = t2.cancel_data = ctx->interrupt_data;
  curve_radial(ctx, &c, s, A);
  ok = trace(ctx, &c, R0, R, rhmax, rhmin, target, tight, &t1);
  curve_radial(ctx, &c, s, A + W);
  ok = ok && trace(ctx, &c, R0, R, rhmax, rhmin, target, tight, &t2);
  double *u = ok ? malloc((t1.p.n + t2.p.n) * sizeof *u) : NULL;
  size_t n = 0;
  if (u) {
    for (size_t i = 0; i < t1.p.n; i++) u[n++] = t1.v[i].t;
    for (size_t i = 0; i < t2.p.n; i++) u[n++] = t2.v[i].t;
    qsort(u, n, sizeof *u, cmp_double);
    /* the two traces often stop a rounding error apart: one vertex there,
     * not an edge of a millimetre whose sag says nothing */
    double merge = RADIAL_HMIN_M + 1e-6 * (R - R0);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (k == 0 || u[i] - u[k - 1] > merge) u[k++] = u[i];
    u[k - 1] = R; /* the ends exactly */
    u[0] = R0;
    n = k;
  }
  if (t1.interrupted || t2.interrupted) *interrupted = 1;
  traced_free(&t1);
  traced_free(&t2);
  *ts = u;
  *nts = n;
  return u != NULL && n >= 2;
}

/* Move vertices off the true boundary so that the straight edges straddle it.
 * A chord whose midpoint sags by e from the curve encloses (2/3) e L less
 * than the curve; moving both ends by -(2/3) e cancels that, so the area a
 * reader measures is unbiased instead of short by ~ tolerance x perimeter.
 * With d_j = -(e_{j-1} + e_j) / 3 the error along edge i is
 * e_i (4u(1-u) - 1/3) - (1-u) e_{i-1}/3 - u e_{i+1}/3, at most max|e| for
 * every u: the error budget still holds.  Corners and the ends of edges whose
 * error is only known exactly (near the poles) stay where they are.  Returns
 * the largest error after the move (first order), slow edges included. */
static double straddle(const struct reach_ctx *ctx, struct traced *t) {
  size_t n = t->p.n;
  double worst = t->errmax;
  double *d = calloc(n ? n : 1, sizeof *d);
  if (!d) return NAN;
  /* degrees per metre north (times w^3) and east (times w / cos phi) */
  const double inv_m = 1 / (ctx->a * (1 - ctx->e2) * DEG), inv_a = 1 / (ctx->a * DEG);
  /* (indices wrapped by hand: an integer division per vertex was a tenth
   * of this function) */
  for (size_t j = 0; j < n; j++) {
    double e0 = t->v[j ? j - 1 : n - 1].e_next, e1 = t->v[j].e_next;
    if (t->v[j].corner || isnan(e0) || isnan(e1)) continue;
    d[j] = -(e0 + e1) / 3;
  }
  for (size_t j = 0; j < n; j++) {
    double e = t->v[j].e_next, d0 = d[j], d1 = d[j + 1 < n ? j + 1 : 0];
    if (!isnan(e)) {
      /* error along the edge: d0 (1-u) + d1 u + 4 u (1-u) e, u in [0,1] */
      double after = fmax(fabs(d0), fabs(d1));
      if (e != 0) {
        double u = 0.5 + (d1 - d0) / (8 * e);
        if (u > 0 && u < 1)
          after = fmax(after, fabs(d0 * (1 - u) + d1 * u + 4 * u * (1 - u) * e));
      }
      after += t->v[j].e_cub;
      if (after > worst) worst = after;
    }
    if (d[j] == 0) continue;
    if (fabs(d[j]) > worst) worst = fabs(d[j]);
    const struct vinfo *vi = &t->v[j]; /* the vertex as traced */
    double sp = vi->sphi;
    double w = sqrt(1 - ctx->e2 * sp * sp);
    t->p.xy[2 * j + 1] += d[j] * vi->cd * w * w * w * inv_m;
    t->p.xy[2 * j] += d[j] * vi->sd * w * inv_a / vi->cphi;
  }
  free(d);
  /* The estimates above are first order in the edge's turn (a chord of a
   * circle turning h radians sags h^2/16 more, relatively, than its second
   * difference says) and the exact ones are sampled: 1 % keeps err_m above
   * what is measured along every edge (0.15 % was seen on 1 km sectors). */
  return worst * ERR_MARGIN + t->curve_err;
}

/* Total change of longitude round a closed vertex list (closing edge
 * included), in turns. */
static int winding_of(const struct reach_pts *p) {
  if (p->n == 0) return 0;
  double close = remainder(p->xy[0] - p->xy[2 * (p->n - 1)], 360.0);
  double total = p->xy[2 * (p->n - 1)] - p->xy[0] + close;
  return (int)lround(total / 360.0);
}

/* A boundary through (or within a hair of) a pole has an edge whose change of
 * longitude is close to 180 degrees either way; which way is decided here by
 * what the exact pole test says about the winding. */
static int fix_winding(struct reach_pts *p, int want_nonzero, int *winding) {
  if (p->n == 0) return 0;
  int w = winding_of(p);
  if ((w != 0) == want_nonzero && abs(w) <= 1) {
    *winding = w;
    return 1;
  }
  size_t n = p->n, worst = 0;
  double big = -1;
  for (size_t i = 0; i < n; i++) {
    size_t j = (i + 1) % n;
    double d = i + 1 < n ? p->xy[2 * (i + 1)] - p->xy[2 * i]
                         : remainder(p->xy[0] - p->xy[2 * i], 360.0);
    /* An edge along a pole line (the apex of a pole-centred sector) may run
     * either way round, whatever its length: it is the one to turn. */
    if (fabs(p->xy[2 * i + 1]) == 90 && p->xy[2 * i + 1] == p->xy[2 * j + 1]) {
      worst = i;
      big = 360;
      break;
    }
    if (fabs(d) > big) {
      big = fabs(d);
      worst = i;
    }
  }
  if (big < 90) return 0;
  if (worst + 1 < n) {
    double d = p->xy[2 * (worst + 1)] - p->xy[2 * worst];
    double shift = d > 0 ? -360.0 : 360.0;
    for (size_t i = worst + 1; i < n; i++) p->xy[2 * i] += shift;
    w = winding_of(p);
  } else {
    double d = remainder(p->xy[0] - p->xy[2 * worst], 360.0);
    w += d > 0 ? -1 : 1;
  }
  if ((w != 0) != want_nonzero || abs(w) > 1) return 0;
  *winding = w;
  return 1;
}

/* Drop the last vertex when it closes the curve onto the first (up to whole
 * turns of longitude). */
static void drop_closing(struct reach_pts *p) {
  if (p->n < 2) return;
  double dx = remainder(p->xy[2 * (p->n - 1)] - p->xy[0], 360.0);
  double dy = p->xy[2 * p->n - 1] - p->xy[1];
  if (fabs(dx) < 1e-9 && fabs(dy) < 1e-9) p->n--;
}

struct poles {
  double sN, sS, azN, azS; /* distances and azimuths from C to the poles */
};

static void pole_facts(const struct reach_ctx *ctx, double lat, double lon,
                       struct poles *pf) {
  pf->sN = dist(ctx, lat, lon, 90, 0, &pf->azN, NULL, NULL);
  pf->sS = dist(ctx, lat, lon, -90, 0, &pf->azS, NULL, NULL);
  /* At the pole itself the azimuth is a convention; the pole is the apex. */
  if (lat == 90) pf->azN = NAN;
  if (lat == -90) pf->azS = NAN;
}

static double sector_width(double from, double to) {
  double w = fmod(to - from, 360.0);
  if (w < 0) w += 360;
  if (w == 0) w = 360;
  return w;
}

static int az_in_sector(double az, double from, double width) {
  if (isnan(az)) return 0;
  double d = fmod(az - from, 360.0);
  if (d < 0) d += 360;
  return d <= width;
}

enum reach_status reach_ring_check(struct reach_ctx *ctx,
                                   const struct reach_ring_spec *s) {
  enum reach_status st = reach_range_check(ctx, s->range_m, s->min_range_m);
  if (st != REACH_OK) return st;
  if (!(s->lat_deg >= -90 && s->lat_deg <= 90))
    return reach_fail(ctx, REACH_ERR_ARG, "latitude %g is outside [-90, 90]",
                      s->lat_deg);
  if (!isfinite(s->lon_deg))
    return reach_fail(ctx, REACH_ERR_ARG, "longitude %g is not a number",
                      s->lon_deg);
  if (!(s->range_m > 0) || !isfinite(s->range_m))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "range %g m must be a positive distance", s->range_m);
  if (!(s->min_range_m >= 0) || !isfinite(s->min_range_m))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "minimum range %g m must be zero or positive",
                      s->min_range_m);
  if (s->min_range_m >= s->range_m)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "minimum range %.3f km is not less than the range %.3f km",
                      s->min_range_m / 1000, s->range_m / 1000);
  if (s->min_range_m >= ctx->half_meridian_m)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "minimum range %.3f km is at or beyond the antipodal "
                      "distance %.3f km: nothing is that far",
                      s->min_range_m / 1000, ctx->half_meridian_m / 1000);
  if (!(s->tolerance_m >= REACH_TOLERANCE_MIN_M &&
        s->tolerance_m <= REACH_TOLERANCE_MAX_M))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "tolerance %g m is outside [%g m, %g km]", s->tolerance_m,
                      REACH_TOLERANCE_MIN_M, REACH_TOLERANCE_MAX_M / 1000);
  if (!(s->tof_max_s >= 0) || !isfinite(s->tof_max_s))
    return reach_fail(ctx, REACH_ERR_ARG, "flight time %g s must be positive",
                      s->tof_max_s);
  if (s->tof_max_s > 0 && (!s->ballistic || s->ballistic_to_centre))
    return reach_fail(ctx, REACH_ERR_ARG, "%s",
                      s->ballistic ? "isochrones are drawn round launch sites, "
                                     "not as launch baskets"
                                   : "isochrones (a flight time) need the "
                                     "ballistic model");
  if (s->tof_max_s > 0 && s->ballistic->aim == REACH_BALLISTIC_LOFTED)
    return reach_fail(ctx, REACH_ERR_ARG, "%s",
                      "no isochrones for lofted flights: their flight time "
                      "falls with distance (a vertical shot flies longest), so "
                      "the points reached within a time form an annulus");
  if (s->ballistic) {
    if (s->sector && sector_width(s->az_from_deg, s->az_to_deg) < 360)
      return reach_fail(ctx, REACH_ERR_ARG, "sectors are not supported with the "
                                            "ballistic model");
    double lo = 0, hi = 0;
    /* a launch basket's launch points lie up to ~1.2 R from the centre */
    double wlat = s->ballistic_to_centre
                      ? fmax(0, fabs(s->lat_deg) -
                                    1.2 * s->ballistic->nominal_range_m / 111000)
                      : s->lat_deg;
    if (reach_ballistic_wraps(s->ballistic, wlat, &lo, &hi))
      return reach_fail(ctx, REACH_ERR_ARG,
                        "with the ballistic model a %.0f km missile launched "
                        "eastward from latitude %.4g can fly past the antipode "
                        "(launch azimuths %.0f-%.0f): its reach is not a ring; "
                        "use the circular model", s->ballistic->nominal_range_m / 1000,
                        s->lat_deg, lo, hi);
    if (!isfinite(s->lon_deg) || !(s->lat_deg >= -90 && s->lat_deg <= 90))
      return reach_fail(ctx, REACH_ERR_ARG, "bad centre %g, %g", s->lat_deg,
                        s->lon_deg);
    for (int k = 0; k < 72; k++) {
      struct reach_ballistic_traj tr;
      if (reach_ballistic_reach(ctx, s->ballistic, s->lat_deg, s->lon_deg, 5.0 * k,
                                &tr) != REACH_OK)
        return ctx->status;
      if (!(tr.range_m < ctx->half_meridian_m - ANTI_ZONE_M))
        return reach_fail(ctx, REACH_ERR_ARG,
                          "with the ballistic model the reach along azimuth %d "
                          "comes within 100 km of the antipodal distance; not "
                          "supported (use the circular model)", 5 * k);
      if (!(tr.range_m > s->min_range_m))
        return reach_fail(ctx, REACH_ERR_ARG,
                          "with the ballistic model the reach along azimuth %d "
                          "(%.3f km) is not beyond the minimum range %.3f km",
                          5 * k, tr.range_m / 1000, s->min_range_m / 1000);
    }
  }
  if (s->sector) {
    if (!isfinite(s->az_from_deg) || !isfinite(s->az_to_deg))
      return reach_fail(ctx, REACH_ERR_ARG, "sector azimuths must be numbers");
    if (s->az_from_deg == s->az_to_deg)
      return reach_fail(ctx, REACH_ERR_ARG,
                        "sector %g:%g is empty (use %g:%g for a full circle)",
                        s->az_from_deg, s->az_to_deg, s->az_from_deg,
                        s->az_from_deg + 360);
    if (sector_width(s->az_from_deg, s->az_to_deg) < 360 &&
        s->range_m > ctx->half_meridian_m - ANTI_ZONE_M)
      return reach_fail(ctx, REACH_ERR_ARG,
                        "sectors are supported up to %.0f km (within 100 km "
                        "of the antipodal distance the azimuth of the shortest "
                        "path is ambiguous); range %.3f km",
                        (ctx->half_meridian_m - ANTI_ZONE_M) / 1000,
                        s->range_m / 1000);
  }
  return REACH_OK;
}

static void curve_arc(const struct reach_ctx *ctx, struct curve *c,
                      const struct reach_ring_spec *s, double r) {
  memset(c, 0, sizeof *c);
  c->clat = s->lat_deg;
  c->clon = s->lon_deg;
  c->r = r;
  if (r > ctx->half_meridian_m - ANTI_ZONE_M) {
    c->kind = ANTI;
    c->alat = -s->lat_deg;
    c->alon = s->lon_deg + 180;
  } else {
    c->kind = ARC;
    double th = r / MEAN_RADIUS_M;
    c->kappa = cos(th) / sin(th) / MEAN_RADIUS_M;
    spec_setup(ctx, c, s->tolerance_m);
  }
}

static void curve_radial(const struct reach_ctx *ctx, struct curve *c,
                         const struct reach_ring_spec *s, double az) {
  memset(c, 0, sizeof *c);
  c->kind = RADIAL;
  c->clat = s->lat_deg;
  c->clon = s->lon_deg;
  c->az = az;
  geod_lineinit(&c->line, &ctx->g, s->lat_deg, s->lon_deg, az,
                GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH |
                    GEOD_DISTANCE_IN);
}

/* Close a traced curve and move its vertices to straddle the boundary;
 * returns the largest error after the move (NAN: out of memory). */
static double finish_curve(const struct reach_ctx *ctx, struct traced *t) {
  /* The closing vertex repeats the first: its outgoing edge is edge 0's. */
  drop_closing(&t->p);
  return straddle(ctx, t);
}

/* Find the winding of a finished curve and make the region (inN, inS:
 * whether the region holds each pole). */
static struct reach_region *curve_region(struct reach_ctx *ctx, struct traced *t,
                                         int inN, int inS, const char *what) {
  int w = 0;
  /* No vertex of a curve on a pole line: a curve that grazes a pole would
   * otherwise touch the pole closure (an invalid ring) or lose its winding.
   * 2e-7 degrees is 2 cm, below REACH_TOLERANCE_MIN_M. */
  for (size_t i = 0; i < t->p.n; i++) {
    double *y = &t->p.xy[2 * i + 1];
    if (t->v[i].corner && fabs(*y) == 90) continue; /* a pole-centred apex */
    if (*y > 90 - POLE_GAP_DEG) *y = 90 - POLE_GAP_DEG;
    if (*y < -90 + POLE_GAP_DEG) *y = -90 + POLE_GAP_DEG;
  }
  if (!fix_winding(&t->p, inN + inS == 1, &w)) {
    reach_fail(ctx, REACH_ERR_INTERNAL, "the boundary of the %s winds "
               "inconsistently round the poles", what);
    return NULL;
  }
  return reach_region_from_curve(ctx, t->p.xy, t->p.n, w, inN + inS,
                                 inN ? 1 : -1);
}

/* Edges are first traced to a sag of TARGET_LOOSE x tolerance, which the
 * straddling move turns into about two thirds of that; if the largest error
 * after the move still exceeds TARGET_ACCEPT x tolerance (curvature changing
 * sign from edge to edge), the piece is traced again to TARGET_TIGHT, for
 * which the move provably keeps every error below it. */
#define TARGET_LOOSE 1.3
#define TARGET_ACCEPT 0.95
#define TARGET_TIGHT 0.9
/* A piece whose error after the move still exceeds TARGET_ACCEPT at
 * TARGET_TIGHT (the sag's change along the curve, which the estimate now
 * counts, can leave it a few per cent over) is traced again to a target cut
 * in proportion, up to MAX_PASSES traces in all. */
#define MAX_PASSES 4

static double next_target(double target, double worst, double tol) {
  double t = target * 0.97 * TARGET_ACCEPT * tol / worst;
  return fmin(t, TARGET_TIGHT * tol);
}

/* Largest azimuth step on the circle of radius r: ARC_HMAX_DEG, and no edge
 * longer than EDGE_MAX_M (spherical estimate of the circle's length). */
static double arc_hmax(double r) {
  double per_deg = MEAN_RADIUS_M * fabs(sin(r / MEAN_RADIUS_M)) * DEG;
  return per_deg * ARC_HMAX_DEG > EDGE_MAX_M ? EDGE_MAX_M / per_deg : ARC_HMAX_DEG;
}

/* A closed curve round the centre (parameter: the azimuth), traced to the
 * tolerance and made a region; rN, rS: how far the curve is towards each
 * pole, which decides whether the region holds it. */
static struct reach_region *closed_region(struct reach_ctx *ctx,
                                          const struct reach_ring_spec *s,
                                          struct curve *c, double r, double rN,
                                          double rS, const struct poles *pf,
                                          double *errmax, const char *what) {
  struct traced t = {0};
  struct reach_region *reg = NULL;
  double worst = NAN, tight = TARGET_TIGHT * s->tolerance_m;
  t.cancelled = ctx->interrupt;
  t.cancel_data = ctx->interrupt_data;
  /* A curve through (or within a metre of) a pole: start tracing away from
   * the pole's azimuth so that no vertex lands on it, where the longitude is
   * a convention and the winding is ambiguous. */
  double start = fabs(pf->sN - rN) < 1 || fabs(pf->sS - rS) < 1 ? 137.50776405 : 0;
  double target = TARGET_LOOSE * s->tolerance_m;
  for (int pass = 0; pass < MAX_PASSES; pass++) {
    traced_free(&t);
    /* A circle of geodesic radius of curvature ~m sags by h^2 / (8 m) on a
     * chord h: about 2 pi sqrt(m / (8 target)) vertices (580 at 885 km and
     * 10 m; 637 were traced), a quarter more for the poles' distortion. */
    double m = MEAN_RADIUS_M * fabs(sin(r / MEAN_RADIUS_M));
    double est = 1.25 * 2 * M_PI * sqrt(m / (8 * target)) + 32;
    traced_reserve(&t, est < 256 ? 256 : est > 1048576 ? 1048576 : (size_t)est);
    if (!trace(ctx, c, start, start + 360, arc_hmax(r), ARC_HMIN_DEG, target,
               tight, &t))
      break;
    t.v[0].corner = 0; /* a full turn has no corner */
    worst = finish_curve(ctx, &t);
    if (!(worst > TARGET_ACCEPT * s->tolerance_m)) break;
    target = next_target(target, worst, s->tolerance_m);
  }
  if (t.interrupted) {
    reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  } else if (isnan(worst)) {
    reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  } else {
    if (worst > *errmax) *errmax = worst;
    reg = curve_region(ctx, &t, pf->sN <= rN, pf->sS <= rS, what);
  }
  traced_free(&t);
  return reg;
}

/* The region s(C, P) <= r of a full circle. */
static struct reach_region *disc_region(struct reach_ctx *ctx,
                                        const struct reach_ring_spec *s,
                                        double r, const struct poles *pf,
                                        double *errmax) {
  if (r >= ctx->half_meridian_m) return reach_region_world(ctx);
  struct curve c;
  curve_arc(ctx, &c, s, r);
  return closed_region(ctx, s, &c, r, r, r, pf, errmax, "circle");
}

/* The region s(C, P) <= R(beta) of the ballistic model's reach (or its
 * launch basket); *rlo, *rhi the least and greatest R met, *rN_out, *rS_out
 * R towards the poles. */
static struct reach_region *var_region(struct reach_ctx *ctx,
                                       const struct reach_ring_spec *s,
                                       const struct poles *pf, double *errmax,
                                       double *rlo, double *rhi, double *rN_out,
                                       double *rS_out) {
  struct curve c;
  memset(&c, 0, sizeof c);
  c.kind = VAR;
  c.clat = s->lat_deg;
  c.clon = s->lon_deg;
  c.bm = s->ballistic;
  c.to_centre = s->ballistic_to_centre;
  c.tof = s->ballistic_to_centre ? 0 : s->tof_max_s;
  c.rlo = INFINITY;
  c.rhi = 0;
  /* A pole-centred launch holds its own pole. */
  *rN_out = isnan(pf->azN) ? INFINITY : var_r(ctx, &c, pf->azN);
  *rS_out = isnan(pf->azS) ? INFINITY : var_r(ctx, &c, pf->azS);
  c.r = var_r(ctx, &c, 0);
  double th = c.r / MEAN_RADIUS_M;
  c.kappa = cos(th) / sin(th) / MEAN_RADIUS_M;
  struct reach_region *reg = closed_region(ctx, s, &c, c.r, *rN_out, *rS_out, pf, errmax,
                                           "ballistic reach");
  if (reg && (c.failed || isnan(c.r))) { /* a NaN vertex: never write it */
    reach_region_free(ctx, reg);
    reg = NULL;
    reach_fail(ctx, REACH_ERR_INTERNAL, "the ballistic model found no %s along some "
               "azimuth from (%g, %g)", c.tof > 0 ? "isochrone" : "boundary",
               s->lat_deg, s->lon_deg);
  }
  *rlo = c.rlo;
  *rhi = c.rhi;
  return reg;
}

static int trace_sector(const struct reach_ctx *ctx,
                        const struct reach_ring_spec *s, double target,
                        struct traced *t) {
  double tight = TARGET_TIGHT * s->tolerance_m;
  double A = s->az_from_deg, W = sector_width(s->az_from_deg, s->az_to_deg);
  double R = s->range_m, R0 = s->min_range_m;
  struct curve c;
  double *ts = NULL;
  size_t nts = 0;
  int ok = radial_grid(ctx, s, A, W, target, tight, &ts, &nts, &t->interrupted);
  if (ok) {
    curve_radial(ctx, &c, s, A);
    ok = trace_at(ctx, &c, ts, nts, t);
  }
  curve_arc(ctx, &c, s, R);
  ok = ok && trace(ctx, &c, A, A + W, arc_hmax(R), ARC_HMIN_DEG, target, tight, t);
  if (ok) {
    for (size_t i = 0; i < nts / 2; i++) { /* from R back to R0 */
      double x = ts[i];
      ts[i] = ts[nts - 1 - i];
      ts[nts - 1 - i] = x;
    }
    curve_radial(ctx, &c, s, A + W);
    ok = trace_at(ctx, &c, ts, nts, t);
  }
  free(ts);
  if (R0 > 0) {
    curve_arc(ctx, &c, s, R0);
    ok = ok && trace(ctx, &c, A + W, A, arc_hmax(R0), ARC_HMIN_DEG, target,
                     tight, t);
  }
  if (ok && R0 == 0 && fabs(s->lat_deg) == 90 && t->p.n > 2) {
    /* Centred on a pole, the apex is the pole line between the two radial
     * meridians, not a point: the pole's longitude is a convention.  Put the
     * apex vertices on the meridians; the pole line between them closes the
     * curve (its direction is settled by fix_winding). */
    size_t n = t->p.n;
    t->p.xy[0] = t->p.xy[2];
    t->p.xy[2 * (n - 1)] = t->p.xy[2 * (n - 2)];
    t->v[0].corner = t->v[n - 1].corner = 1; /* kept on the pole line */
  }
  return ok;
}

/* The region of a sector: one closed curve (radial out, outer arc, radial
 * back, inner arc or the centre). */
static struct reach_region *sector_region(struct reach_ctx *ctx,
                                          const struct reach_ring_spec *s,
                                          const struct poles *pf,
                                          double *errmax) {
  double A = s->az_from_deg, W = sector_width(s->az_from_deg, s->az_to_deg);
  double R = s->range_m, R0 = s->min_range_m;
  struct traced t = {0};
  struct reach_region *reg = NULL;
  double worst = NAN, widened_m = 0;
  /* A sector, or the slit of one nearly full, narrower than slit_min_m()
   * where it is narrowest (away from the centre) cannot be written at
   * GeoJSON's precision (1e-7 degrees at 10 m, 1e-9 at 0.1 m): its two
   * radials round onto each other.  It is widened to slit_min_m() there,
   * and err_m counts the move. */
  struct reach_ring_spec sw = *s;
  {
    double gap = fmin(W, 360 - W) * DEG;
    double m_R = MEAN_RADIUS_M * sin(R / MEAN_RADIUS_M);
    double m_min = R0 > 0 ? fmin(m_R, MEAN_RADIUS_M * sin(R0 / MEAN_RADIUS_M)) : m_R;
    double slit_m = slit_min_m(s->tolerance_m);
    if (m_min > 0 && gap * m_min < slit_m) {
      double g2 = slit_m / m_min;
      if (g2 < M_PI) {
        W = W < 180 ? g2 / DEG : 360 - g2 / DEG;
        sw.az_to_deg = A + W;
        widened_m = (g2 - gap) * fmax(m_R, R);
      }
    }
  }
  s = &sw;
  t.cancelled = ctx->interrupt;
  t.cancel_data = ctx->interrupt_data;
  double target = TARGET_LOOSE * s->tolerance_m;
  for (int pass = 0; pass < MAX_PASSES; pass++) {
    traced_free(&t);
    if (!trace_sector(ctx, s, target, &t)) break;
    worst = finish_curve(ctx, &t);
    if (!(worst > TARGET_ACCEPT * s->tolerance_m)) break;
    target = next_target(target, worst, s->tolerance_m);
  }
  if (t.interrupted) {
    reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  } else if (isnan(worst)) {
    reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  } else {
    if (widened_m > 0) worst += widened_m;
    if (worst > *errmax) *errmax = worst;
    int inN = pf->sN >= R0 && pf->sN <= R && az_in_sector(pf->azN, A, W);
    int inS = pf->sS >= R0 && pf->sS <= R && az_in_sector(pf->azS, A, W);
    reg = curve_region(ctx, &t, inN, inS, "sector");
  }
  traced_free(&t);
  return reg;
}

enum reach_status reach_ring_build(struct reach_ctx *ctx,
                                   const struct reach_ring_spec *spec,
                                   struct reach_ring *out) {
  memset(out, 0, sizeof *out);
  enum reach_status st = reach_ring_check(ctx, spec);
  if (st != REACH_OK) return st;
  reach_clear_error(ctx);
  struct reach_ring_spec s = *spec;
  s.lon_deg = remainder(s.lon_deg, 360.0);
  double errmax = 0;
  int full = !s.sector || sector_width(s.az_from_deg, s.az_to_deg) >= 360;
  struct poles pf;
  pole_facts(ctx, s.lat_deg, s.lon_deg, &pf);
  struct reach_region *reg = NULL;
  double rlo = s.range_m, rN = NAN, rS = NAN;
  double rhi = rlo;
  if (full) {
    reg = s.ballistic ? var_region(ctx, &s, &pf, &errmax, &rlo, &rhi, &rN, &rS)
                      : disc_region(ctx, &s, s.range_m, &pf, &errmax);
    if (reg && s.min_range_m > 0) {
      struct reach_region *inner =
          disc_region(ctx, &s, s.min_range_m, &pf, &errmax);
      struct reach_region *diff =
          inner ? reach_region_difference(ctx, reg, inner) : NULL;
      reach_region_free(ctx, inner);
      reach_region_free(ctx, reg);
      reg = diff;
    }
  } else {
    reg = sector_region(ctx, &s, &pf, &errmax);
  }
  if (!reg || !reach_region_to_geom(ctx, reg, &out->geom)) {
    reach_region_free(ctx, reg);
    reach_geom_clear(&out->geom);
    if (ctx->status == REACH_OK)
      reach_fail(ctx, REACH_ERR_INTERNAL,
                 "could not build the ring (%s)",
                 ctx->msg[0] ? ctx->msg : "out of memory");
    return ctx->status;
  }
  reach_region_free(ctx, reg);
  /* A ring or hole too small for the degrees GeoJSON prints at this
   * tolerance (reach_text_decimals(): 1e-7 at 10 m; the hole round the
   * antipode a few micrometres short of the antipodal distance) would be
   * written as a self-intersecting ring: dropped here when it is within
   * half the tolerance across, and counted in err_m (its diameter bounds
   * the error of leaving it out).  A longer sliver (a sector under 1e-6
   * degrees wide over 1,000 km) is kept: valid at full precision, not in
   * GeoJSON. */
  double dropped_m = 0;
  if (!reach_geom_drop_unrepresentable(ctx, &out->geom,
                                       reach_text_step_deg(reach_text_decimals(s.tolerance_m)),
                                       0.5 * s.tolerance_m, &dropped_m)) {
    reach_geom_clear(&out->geom);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  if (dropped_m > errmax) errmax = dropped_m;
  if (out->geom.npolys == 0) {
    reach_geom_clear(&out->geom);
    if (s.tof_max_s > 0) /* an isochrone inside the minimum range */
      return reach_fail(ctx, REACH_ERR_ARG,
                        "nothing beyond the minimum range %.3f km is reached within "
                        "%g s", s.min_range_m / 1000, s.tof_max_s);
    return reach_fail(ctx, REACH_ERR_INTERNAL, "the ring came out empty");
  }
  /* Rounding (F(phi) ~ 2.5e13 m^2 per radian near the poles) can leave a
   * ring of a few square metres a hair below zero. */
  out->area_m2 = fmin(fmax(reach_geom_area_m2(ctx, &out->geom), 0),
                      ctx->area_total_m2);
  out->err_m = errmax;
  out->reach_min_m = rlo;
  out->reach_max_m = rhi;
  if (s.ballistic) { /* pole facts against the model's reach */
    out->whole_globe = 0;
    out->holds_north_pole = pf.sN >= s.min_range_m && pf.sN <= rN;
    out->holds_south_pole = pf.sS >= s.min_range_m && pf.sS <= rS;
    return REACH_OK;
  }
  out->whole_globe = full && s.min_range_m == 0 &&
                     s.range_m >= ctx->half_meridian_m;
  out->holds_north_pole = pf.sN >= s.min_range_m && pf.sN <= s.range_m &&
                          (full || az_in_sector(pf.azN, s.az_from_deg,
                                                sector_width(s.az_from_deg,
                                                             s.az_to_deg)));
  out->holds_south_pole = pf.sS >= s.min_range_m && pf.sS <= s.range_m &&
                          (full || az_in_sector(pf.azS, s.az_from_deg,
                                                sector_width(s.az_from_deg,
                                                             s.az_to_deg)));
  return REACH_OK;
}

void reach_ring_clear(struct reach_ring *ring) {
  if (!ring) return;
  reach_geom_clear(&ring->geom);
  memset(ring, 0, sizeof *ring);
}

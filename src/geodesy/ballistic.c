/* The ballistic model of issue 8: burnout speed from the catalogue range,
 * Keplerian free flight over a turning sphere in closed form, the longest
 * shot per azimuth, the reach boundary, and flights to a target.
 *
 * Frames: everything is worked in an Earth-centred frame whose x axis is the
 * launch meridian at t = 0 (longitude is added back at the end: the Earth's
 * turn is about z, so it commutes), and in the launch point's local
 * east/north/up frame.  At t = 0 the inertial and Earth-fixed frames agree. */
#include <float.h>
#include <math.h>

#include "core/internal.h"
#include "georeach/ballistic.h"

#define PI 3.14159265358979323846

/* The launch point, precomputed once per call. */
struct launch {
  double sphi, cphi; /* geodetic latitude used as spherical latitude */
  double lat_deg, lon_deg;
  double r0;         /* R + h */
  double wcur;       /* omega r0 cos(phi): the burnout point's eastward speed */
};

/* One free flight: the impact point, Earth-fixed, as a unit vector in the
 * launch-meridian frame, and the flight time; orbit = 1 if it never lands. */
struct flight {
  double x, y, z;
  double tof;
  int orbit;
};

static void launch_at(const struct reach_ballistic *b, double lat_deg,
                      double lon_deg, struct launch *L) {
  /* at a pole the local east/north frame below is the limit along meridian
   * lon, the azimuth convention of geodesic.h */
  L->sphi = sin(lat_deg * DEG);
  L->cphi = cos(lat_deg * DEG);
  L->lat_deg = lat_deg;
  L->lon_deg = lon_deg;
  L->r0 = b->R_earth_m + b->burnout_alt_m;
  L->wcur = b->omega_rad_s * L->r0 * L->cphi;
}

/* The conic of the inertial burnout state, in closed form.  With nu =
 * V^2 r0 / GM and the inertial flight-path angle (c = cos, s = sin):
 *   e cos(theta0) = A = nu c^2 - 1,  e sin(theta0) = B = nu c s,
 *   p = r0 nu c^2,  1 - e^2 = nu c^2 (2 - nu)  (no cancellation near e = 1),
 * and the impact, on the descending branch at r = R, has
 *   e cos(theta1) = C = p/R - 1,  e sin(theta1) = -sqrt(e^2 - C^2).
 * The range angle is theta1 - theta0 and the time comes from Kepler's
 * equation with the eccentric anomalies of both ends, taken from the same
 * half-planes as the true anomalies (no tan(theta/2) singularity). */
static void fly(const struct reach_ballistic *b, const struct launch *L,
                double saz, double caz, double sg, double cg, double v,
                struct flight *f) {
  double vE = v * cg * saz + L->wcur, vN = v * cg * caz, vU = v * sg;
  double H2 = vE * vE + vN * vN, H = sqrt(H2), V2 = H2 + vU * vU;
  double k = L->r0 / b->gm_m3_s2;
  double nuc2 = H2 * k, nu = V2 * k;
  double A = nuc2 - 1, B = H * vU * k;
  double ome2 = nuc2 * (2 - nu);
  /* 1 + C and 1 + A are computed, not formed from C and A: for a short
   * flight whose inertial horizontal speed is small (launched west at about
   * the ground's own speed, ~300 m/s at mid latitudes) the conic is nearly
   * a line, e -> 1, and forming e^2 - C^2, e^2 + A, e^2 + C and
   * sq / (1 + C) from numbers near 1 lost up to eight digits: the impact
   * point jittered by centimetres and Newton's method in speed_solve() could
   * not land on a target there. */
  double opc = L->r0 * nuc2 / b->R_earth_m, C = opc - 1;
  double sq2 = (nuc2 - opc) * (A + C) + B * B; /* e^2 - C^2 */
  double psi, tof;
  f->orbit = 0;
  if (ome2 <= 0 || (C > 0 && sq2 < 0)) {
    /* escape, or a perigee above the ground (C > e): it never lands */
    f->orbit = 1;
    f->x = f->y = f->z = NAN;
    f->tof = INFINITY;
    return;
  }
  if (H == 0) {
    /* straight up in the inertial frame (v = 0, or vertical at a pole
     * with omega = 0): not reached for |gamma| < 90 and v > 0 */
    f->x = f->y = f->z = NAN;
    f->tof = NAN;
    return;
  }
  if (b->burnout_alt_m == 0 && vU <= 0) {
    /* from the ground, level or downwards: it lands where it starts */
    psi = 0;
    tof = 0;
  } else {
    int asc = B > 0 || (B == 0 && A < 0);
    double sq = sqrt(fmax(sq2, 0)), rome2 = sqrt(ome2);
    double th0 = atan2(B, A), th1 = atan2(-sq, C);
    /* e^2 + A = A (1 + A) + B^2, e^2 + C = (A - 1)(1 + A) + B^2 + (1 + C) */
    double e2pA = A * nuc2 + B * B, e2pC = (A - 1) * nuc2 + B * B + opc;
    double E0 = atan2(rome2 * B, e2pA), E1 = atan2(-rome2 * sq, e2pC);
    if (asc) {
      th1 += 2 * PI;
      E1 += 2 * PI;
    }
    psi = fmax(th1 - th0, 0);
    double M0 = E0 - rome2 * B / nuc2, M1 = E1 + rome2 * sq / opc;
    double a = L->r0 / (2 - nu);
    tof = fmax(M1 - M0, 0) * sqrt(a * a * a / b->gm_m3_s2);
  }
  /* impact direction in the inertial frame, local east/north/up, then in
   * the launch-meridian frame, then turned back by the Earth's rotation */
  double sp = sin(psi), cp = cos(psi);
  double E = sp * vE / H, N = sp * vN / H, U = cp;
  double x = -L->sphi * N + L->cphi * U, y = E, z = L->cphi * N + L->sphi * U;
  double wt = b->omega_rad_s * tof, sw = sin(wt), cw = cos(wt);
  f->x = x * cw + y * sw;
  f->y = -x * sw + y * cw;
  f->z = z;
  f->tof = tof;
}

/* Great-circle angle and azimuth from the launch point to f's impact. */
static void angle_az(const struct launch *L, const struct flight *f,
                     double *delta, double *az) {
  double E = f->y, N = -L->sphi * f->x + L->cphi * f->z,
         U = L->cphi * f->x + L->sphi * f->z;
  *delta = atan2(hypot(E, N), U);
  if (az) *az = atan2(E, N);
}

static double wrap360(double x) {
  x = fmod(x, 360);
  if (x < 0) x += 360;
  return x >= 360 ? 0 : x;
}

static double wrap180(double x) {
  x = remainder(x, 360);
  return x == 180 ? -180 : x;
}

/* Fill out from a flight. */
static void fill(const struct reach_ballistic *b, const struct launch *L,
                 double az, double gamma, double v, const struct flight *f,
                 struct reach_ballistic_traj *out) {
  out->launch_az_deg = wrap360(az / DEG);
  out->gamma_deg = gamma / DEG;
  out->speed_mps = v;
  out->tof_s = f->tof;
  out->in_orbit = f->orbit;
  out->wraps = reach_ballistic_wraps(b, L->lat_deg, NULL, NULL);
  if (f->orbit || isnan(f->x)) {
    out->lat_deg = out->lon_deg = out->range_m = out->az_deg = NAN;
    return;
  }
  double delta, beta;
  angle_az(L, f, &delta, &beta);
  out->lat_deg = atan2(f->z, hypot(f->x, f->y)) / DEG;
  out->lon_deg = wrap180(L->lon_deg + atan2(f->y, f->x) / DEG);
  out->range_m = delta * b->R_earth_m;
  out->az_deg = wrap360(beta / DEG);
}

/* The antipode answer of max/reach: along this direction everything is
 * reached. */
static void fill_antipode(const struct reach_ballistic *b,
                          const struct launch *L, double az, double gamma,
                          double beta_deg, const struct flight *f, int orbit,
                          struct reach_ballistic_traj *out) {
  fill(b, L, az, gamma, b->v_burnout_mps, f, out);
  out->in_orbit = orbit || f->orbit;
  if (out->in_orbit) out->tof_s = INFINITY;
  out->range_m = PI * b->R_earth_m;
  out->lat_deg = -atan2(L->sphi, L->cphi) / DEG;
  out->lon_deg = wrap180(L->lon_deg + 180);
  out->az_deg = wrap360(beta_deg);
}

/* Brent's minimiser (Brent 1973, ch. 5; the netlib fmin): the minimum of f
 * on [ax, bx] to eps |x| + tol.  Returns x, f(x) in *fx. */
typedef double (*min_fn)(double x, void *arg);
static double brent_min(min_fn f, void *arg, double ax, double bx, double tol,
                        double *fx_out) {
  const double cg = 0.5 * (3 - sqrt(5.0)), eps = sqrt(DBL_EPSILON);
  double a = ax, b = bx, x = a + cg * (b - a), w = x, v = x, d = 0, e = 0;
  double fx = f(x, arg), fw = fx, fv = fx;
  for (int it = 0; it < 100; it++) {
    double xm = 0.5 * (a + b), tol1 = eps * fabs(x) + tol / 3, tol2 = 2 * tol1;
    if (fabs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    int golden = 1;
    if (fabs(e) > tol1) {
      double r = (x - w) * (fx - fv), q = (x - v) * (fx - fw);
      double p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      double etemp = e;
      e = d;
      if (fabs(p) < fabs(0.5 * q * etemp) && p > q * (a - x) &&
          p < q * (b - x)) {
        d = p / q;
        double u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = 0;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = cg * e;
    }
    double u = x + (fabs(d) >= tol1 ? d : (d > 0 ? tol1 : -tol1));
    double fu = f(u, arg);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = w, fv = fw, w = x, fw = fx, x = u, fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w == x) {
        v = w, fv = fw, w = u, fw = fu;
      } else if (fu <= fv || v == x || v == w) {
        v = u, fv = fu;
      }
    }
  }
  *fx_out = fx;
  return x;
}

/* The gamma interval searched, radians: from the ground a shot needs
 * gamma > 0; from altitude a shot downwards can be the longest (a short
 * range from a high burnout). */
static void gamma_bounds(const struct reach_ballistic *b, double *lo,
                         double *hi) {
  *lo = (b->burnout_alt_m > 0 ? -80.0 : 0.1) * DEG;
  *hi = 89.9 * DEG;
}

int reach_ballistic_wraps(const struct reach_ballistic *b, double lat_deg,
                          double *az_lo_deg, double *az_hi_deg) {
  double r0 = b->R_earth_m + b->burnout_alt_m, v = b->v_burnout_mps;
  double w = b->omega_rad_s * r0 * cos(lat_deg * DEG);
  double vpi2 = b->gm_m3_s2 * (2 / r0 - 2 / (r0 + b->R_earth_m));
  if (!((v + w) * (v + w) > vpi2)) return 0;
  /* |v_ground + w east|^2 = v^2 + 2 v w sin(az) + w^2 at gamma -> 0 */
  double q = w > 0 ? (vpi2 - v * v - w * w) / (2 * v * w) : -1;
  double a = asin(fmax(q, -1)) / DEG;
  if (az_lo_deg) *az_lo_deg = q <= -1 ? 0 : wrap360(a);
  if (az_hi_deg) *az_hi_deg = q <= -1 ? 360 : 180 - a;
  return 1;
}

static enum reach_status check_point(struct reach_ctx *ctx, double lat,
                                     double lon, const char *what) {
  if (!isfinite(lat) || lat < -90 || lat > 90)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "%s latitude %g is outside [-90, 90]", what, lat);
  if (!isfinite(lon))
    return reach_fail(ctx, REACH_ERR_ARG, "%s longitude %g is not finite",
                      what, lon);
  return REACH_OK;
}

enum reach_status reach_ballistic_init(struct reach_ctx *ctx,
                                       struct reach_ballistic *b,
                                       double nominal_range_m,
                                       double burnout_alt_m) {
  double a, f;
  reach_ctx_ellipsoid(ctx, &a, &f);
  double R = a * (3 - f) / 3; /* (2a + b)/3 */
  if (!isfinite(nominal_range_m) || nominal_range_m <= 0 ||
      nominal_range_m >= PI * R)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "ballistic model: range %.3f km is outside (0, %.3f) km "
                      "(the antipodal distance of the model sphere)",
                      nominal_range_m / 1000, PI * R / 1000);
  if (!isfinite(burnout_alt_m) || burnout_alt_m < 0 ||
      burnout_alt_m > REACH_BALLISTIC_BURNOUT_ALT_MAX_M)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "ballistic model: burnout altitude %.3f km is outside "
                      "[0, %g] km", burnout_alt_m / 1000,
                      REACH_BALLISTIC_BURNOUT_ALT_MAX_M / 1000);
  b->nominal_range_m = nominal_range_m;
  b->burnout_alt_m = burnout_alt_m;
  b->R_earth_m = R;
  b->gm_m3_s2 = REACH_BALLISTIC_GM_M3_S2;
  b->omega_rad_s = REACH_BALLISTIC_OMEGA_RAD_S;
  /* Minimum-energy ellipse from r0 to R across psi: 2a = s, the
   * semi-perimeter of the triangle (r0, R, chord), and vis-viva. */
  double psi = nominal_range_m / R, r0 = R + burnout_alt_m;
  double chord = sqrt(r0 * r0 + R * R - 2 * r0 * R * cos(psi));
  if (burnout_alt_m == 0) chord = 2 * R * sin(psi / 2); /* exact */
  double s = (r0 + R + chord) / 2;
  b->v_burnout_mps = sqrt(b->gm_m3_s2 * (2 / r0 - 2 / s));
  b->aim = REACH_BALLISTIC_MIN_ENERGY;
  b->gamma_deg = NAN;
  return REACH_OK;
}

const char *reach_ballistic_aim_name(enum reach_ballistic_aim aim) {
  switch (aim) {
  case REACH_BALLISTIC_MIN_ENERGY: return "minimum-energy";
  case REACH_BALLISTIC_DEPRESSED: return "depressed";
  case REACH_BALLISTIC_LOFTED: return "lofted";
  case REACH_BALLISTIC_GAMMA: return "gamma";
  }
  return "?";
}

static enum reach_status check_model(struct reach_ctx *ctx,
                                     const struct reach_ballistic *b) {
  if (!(b->R_earth_m > 0) || !(b->gm_m3_s2 > 0) ||
      !(b->v_burnout_mps > 0) || !isfinite(b->v_burnout_mps) ||
      !isfinite(b->omega_rad_s) || !(b->burnout_alt_m >= 0))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "ballistic model not initialised (speed %g m/s, radius "
                      "%g m)", b->v_burnout_mps, b->R_earth_m);
  if ((unsigned)b->aim > REACH_BALLISTIC_GAMMA)
    return reach_fail(ctx, REACH_ERR_ARG, "unknown trajectory %d", (int)b->aim);
  if (b->aim == REACH_BALLISTIC_GAMMA &&
      !(b->gamma_deg > (b->burnout_alt_m > 0 ? -90 : 0) && b->gamma_deg < 90))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "burnout flight-path angle %g deg is outside %s", b->gamma_deg,
                      b->burnout_alt_m > 0 ? "(-90, 90)" : "(0, 90) (from the ground)");
  return REACH_OK;
}

enum reach_status reach_ballistic_shot(struct reach_ctx *ctx,
                                       const struct reach_ballistic *b,
                                       double lat_deg, double lon_deg,
                                       double az_deg, double gamma_deg,
                                       struct reach_ballistic_traj *out) {
  enum reach_status st = check_model(ctx, b);
  if (st == REACH_OK) st = check_point(ctx, lat_deg, lon_deg, "launch");
  if (st != REACH_OK) return st;
  if (!isfinite(az_deg))
    return reach_fail(ctx, REACH_ERR_ARG, "azimuth %g is not finite", az_deg);
  if (!(gamma_deg > -90 && gamma_deg < 90))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "flight-path angle %g is outside (-90, 90)", gamma_deg);
  struct launch L;
  struct flight f;
  launch_at(b, lat_deg, lon_deg, &L);
  double az = az_deg * DEG, g = gamma_deg * DEG;
  fly(b, &L, sin(az), cos(az), sin(g), cos(g), b->v_burnout_mps, &f);
  fill(b, &L, az, g, b->v_burnout_mps, &f, out);
  return REACH_OK;
}

/* ---- the longest shot at one launch azimuth ---------------------------- */

struct at_az {
  const struct reach_ballistic *b;
  const struct launch *L;
  double saz, caz;
  int orbit; /* set if some gamma tried put the payload in orbit */
};

/* minus the range angle; an orbit counts as reaching the antipode */
static double neg_range_at_az(double g, void *arg) {
  struct at_az *p = arg;
  struct flight f;
  double delta;
  fly(p->b, p->L, p->saz, p->caz, sin(g), cos(g), p->b->v_burnout_mps, &f);
  if (f.orbit) {
    p->orbit = 1;
    return -PI;
  }
  angle_az(p->L, &f, &delta, NULL);
  return -delta;
}

/* The best gamma for launch azimuth az (radians): a scan, then Brent. */
static double best_gamma(const struct reach_ballistic *b,
                         const struct launch *L, double az, double *delta,
                         int *orbit) {
  enum { NSCAN = 19 };
  struct at_az p = {b, L, sin(az), cos(az), 0};
  double lo, hi, best = INFINITY, gbest = 0;
  int kbest = 0;
  gamma_bounds(b, &lo, &hi);
  for (int k = 0; k < NSCAN; k++) {
    double g = lo + (hi - lo) * k / (NSCAN - 1), fg = neg_range_at_az(g, &p);
    if (fg < best) best = fg, gbest = g, kbest = k;
  }
  /* from altitude, a level burnout has the highest perigee: if any gamma
   * goes into orbit (a window that can be narrower than the scan step),
   * this one does */
  if (b->burnout_alt_m > 0 && !p.orbit && neg_range_at_az(0, &p) == -PI &&
      p.orbit) {
    *delta = PI;
    *orbit = 1;
    return 0;
  }
  double step = (hi - lo) / (NSCAN - 1), fx;
  double a = kbest > 0 ? gbest - step : lo, c = kbest < NSCAN - 1 ? gbest + step : hi;
  double x = brent_min(neg_range_at_az, &p, a, c, 1e-9, &fx);
  if (fx <= best) best = fx, gbest = x;
  *delta = -best;
  *orbit = p.orbit;
  return gbest;
}

/* A range angle this close to pi is the antipode (2 cm) */
#define ANTIPODE_EPS 1e-9

enum reach_status reach_ballistic_max(struct reach_ctx *ctx,
                                      const struct reach_ballistic *b,
                                      double lat_deg, double lon_deg,
                                      double az_deg,
                                      struct reach_ballistic_traj *out) {
  enum reach_status st = check_model(ctx, b);
  if (st == REACH_OK) st = check_point(ctx, lat_deg, lon_deg, "launch");
  if (st != REACH_OK) return st;
  if (!isfinite(az_deg))
    return reach_fail(ctx, REACH_ERR_ARG, "azimuth %g is not finite", az_deg);
  struct launch L;
  struct flight f;
  double az = az_deg * DEG, delta;
  int orbit;
  launch_at(b, lat_deg, lon_deg, &L);
  double g = best_gamma(b, &L, az, &delta, &orbit);
  fly(b, &L, sin(az), cos(az), sin(g), cos(g), b->v_burnout_mps, &f);
  if (orbit || f.orbit || delta >= PI * (1 - ANTIPODE_EPS)) {
    double beta = az_deg * DEG;
    if (!f.orbit) angle_az(&L, &f, &delta, &beta);
    fill_antipode(b, &L, az, g, beta / DEG, &f, orbit, out);
    return REACH_OK;
  }
  fill(b, &L, az, g, b->v_burnout_mps, &f, out);
  return REACH_OK;
}

/* ---- the reach boundary along an impact azimuth ------------------------ */

struct along {
  const struct reach_ballistic *b;
  const struct launch *L;
  double beta;   /* wanted impact azimuth, radians */
  double az;     /* launch azimuth of the last solve (warm start) */
  int orbit;
};

/* The impact azimuth's miss, radians in [-pi, pi), and the range angle. */
static double miss(struct along *p, double az, double sg, double cg,
                   double *delta, int *orbit) {
  struct flight f;
  double beta;
  fly(p->b, p->L, sin(az), cos(az), sg, cg, p->b->v_burnout_mps, &f);
  *orbit = f.orbit;
  if (f.orbit) return NAN;
  angle_az(p->L, &f, delta, &beta);
  return remainder(beta - p->beta, 2 * PI);
}

/* For flight-path angle g, the launch azimuth landing on beta (secant from
 * the last one) and minus the range angle there; +1 if the solve fails.
 * dbeta/daz is close to 1, so the first secant point is az - miss. */
static double neg_range_along(double g, void *arg) {
  struct along *p = arg;
  double sg = sin(g), cg = cos(g), d0, d1;
  int orbit;
  double a0 = p->az, m0 = miss(p, a0, sg, cg, &d0, &orbit);
  if (orbit) return p->orbit = 1, -PI;
  if (isnan(m0)) return 1;
  if (fabs(m0) < 1e-12) return -d0;
  double a1 = a0 - m0, m1 = miss(p, a1, sg, cg, &d1, &orbit);
  for (int it = 0; it < 30 && !orbit && isfinite(m1); it++) {
    if (fabs(m1) < 1e-12) {
      p->az = a1;
      return -d1;
    }
    double a2 = m1 != m0 ? a1 - m1 * (a1 - a0) / (m1 - m0) : a1 - m1;
    a0 = a1, m0 = m1;
    a1 = a2;
    m1 = miss(p, a1, sg, cg, &d1, &orbit);
  }
  if (orbit) return p->orbit = 1, -PI;
  return 1;
}

/* The reach along beta of the full-speed shots at one flight-path angle g
 * (REACH_BALLISTIC_GAMMA): the launch azimuth landing on beta, by the
 * secant method of neg_range_along() from the offset of the shot launched
 * along beta. */
static enum reach_status reach_at_gamma(struct reach_ctx *ctx,
                                        const struct reach_ballistic *b,
                                        const struct launch *L, double beta_deg,
                                        double g, struct reach_ballistic_traj *out) {
  struct flight f;
  double beta = beta_deg * DEG, delta, beta0;
  fly(b, L, sin(beta), cos(beta), sin(g), cos(g), b->v_burnout_mps, &f);
  if (f.orbit) {
    fill_antipode(b, L, beta, g, beta_deg, &f, 1, out);
    return REACH_OK;
  }
  angle_az(L, &f, &delta, &beta0);
  struct along p = {b, L, beta, beta - remainder(beta0 - beta, 2 * PI), 0};
  double fx = neg_range_along(g, &p);
  if (p.orbit || -fx >= PI * (1 - ANTIPODE_EPS)) {
    fly(b, L, sin(p.az), cos(p.az), sin(g), cos(g), b->v_burnout_mps, &f);
    fill_antipode(b, L, p.az, g, beta_deg, &f, p.orbit, out);
    return REACH_OK;
  }
  if (fx > 0)
    return reach_fail(ctx, REACH_ERR_INTERNAL,
                      "ballistic reach: no launch azimuth at gamma %g lands on "
                      "azimuth %g from (%g, %g)", g / DEG, beta_deg, L->lat_deg,
                      L->lon_deg);
  fly(b, L, sin(p.az), cos(p.az), sin(g), cos(g), b->v_burnout_mps, &f);
  fill(b, L, p.az, g, b->v_burnout_mps, &f, out);
  out->az_deg = wrap360(beta_deg);
  return REACH_OK;
}

enum reach_status reach_ballistic_reach(struct reach_ctx *ctx,
                                        const struct reach_ballistic *b,
                                        double lat_deg, double lon_deg,
                                        double beta_deg,
                                        struct reach_ballistic_traj *out) {
  enum reach_status st = check_model(ctx, b);
  if (st == REACH_OK) st = check_point(ctx, lat_deg, lon_deg, "launch");
  if (st != REACH_OK) return st;
  if (!isfinite(beta_deg))
    return reach_fail(ctx, REACH_ERR_ARG, "azimuth %g is not finite",
                      beta_deg);
  struct launch L;
  struct flight f;
  double beta = beta_deg * DEG, delta, beta0, lo, hi;
  int orbit;
  launch_at(b, lat_deg, lon_deg, &L);
  if (b->aim == REACH_BALLISTIC_GAMMA)
    return reach_at_gamma(ctx, b, &L, beta_deg, b->gamma_deg * DEG, out);
  gamma_bounds(b, &lo, &hi);
  /* the longest shot launched along beta lands near beta; start the
   * envelope search from its gamma, launched off by the same offset */
  double g0 = best_gamma(b, &L, beta, &delta, &orbit);
  fly(b, &L, sin(beta), cos(beta), sin(g0), cos(g0), b->v_burnout_mps, &f);
  if (f.orbit || orbit || delta >= PI * (1 - ANTIPODE_EPS)) {
    fill_antipode(b, &L, beta, g0, beta_deg, &f, orbit, out);
    return REACH_OK;
  }
  angle_az(&L, &f, &delta, &beta0);
  struct along p = {b, &L, beta, beta - remainder(beta0 - beta, 2 * PI), 0};
  /* bracket the best gamma along beta round g0, stepping out (doubling)
   * while the range grows: near the antipode the impact azimuth moves fast
   * with gamma and the envelope's gamma can be degrees from g0 */
  double w = 0.25 * DEG, ga = fmax(g0 - w, lo), gb = g0, gc = fmin(g0 + w, hi);
  double fa = neg_range_along(ga, &p), fb = neg_range_along(gb, &p);
  double fc = neg_range_along(gc, &p), fx;
  while (fa < fb && ga > lo) {
    gc = gb, fc = fb, gb = ga, fb = fa, w *= 2;
    ga = fmax(gb - w, lo);
    fa = neg_range_along(ga, &p);
  }
  while (fc < fb && gc < hi) {
    ga = gb, gb = gc, fb = fc, w *= 2; /* fa is not needed past here */
    gc = fmin(gb + w, hi);
    fc = neg_range_along(gc, &p);
  }
  double g = brent_min(neg_range_along, &p, ga, gc, 1e-9, &fx);
  if (fb < fx) g = gb, fx = fb;
  if (p.orbit || -fx >= PI * (1 - ANTIPODE_EPS)) {
    fly(b, &L, sin(p.az), cos(p.az), sin(g), cos(g), b->v_burnout_mps, &f);
    fill_antipode(b, &L, p.az, g, beta_deg, &f, p.orbit, out);
    return REACH_OK;
  }
  if (fx > 0 && reach_ballistic_wraps(b, lat_deg, NULL, NULL)) {
    /* flights that go round the world make the azimuth of points near the
     * antipode turn fast: no direct flight was found along beta, which
     * happens only there */
    fly(b, &L, sin(beta), cos(beta), sin(g0), cos(g0), b->v_burnout_mps, &f);
    fill_antipode(b, &L, beta, g0, beta_deg, &f, 0, out);
    return REACH_OK;
  }
  if (fx > 0)
    return reach_fail(ctx, REACH_ERR_INTERNAL,
                      "ballistic reach: no launch azimuth lands on azimuth "
                      "%g from (%g, %g)", beta_deg, lat_deg, lon_deg);
  /* neg_range_along leaves p.az at the last solve, which may not be g's */
  neg_range_along(g, &p);
  fly(b, &L, sin(p.az), cos(p.az), sin(g), cos(g), b->v_burnout_mps, &f);
  fill(b, &L, p.az, g, b->v_burnout_mps, &f, out);
  out->az_deg = wrap360(beta_deg); /* is beta to 1e-10 deg; say it exactly */
  return REACH_OK;
}

/* ---- flights to a target ----------------------------------------------- */

struct aim {
  const struct reach_ballistic *b;
  const struct launch *L;
  double tx, ty, tz;   /* target, unit vector, launch-meridian frame */
  double ex, ey;       /* target's east (ez = 0) */
  double nx, ny, nz;   /* target's north */
  double psi, az_t;    /* great-circle angle and azimuth to the target */
  double az, v;        /* solution of the last solve (warm start) */
  int have;            /* az, v hold a solution */
};

/* The impact point's offset from the target in the target's east/north
 * plane (unit sphere); 0 if the flight fails or lands on the far side. */
static int residual(const struct aim *p, double az, double sg, double cg,
                    double v, double r[2]) {
  struct flight f;
  if (!(v > 0)) return 0;
  fly(p->b, p->L, sin(az), cos(az), sg, cg, v, &f);
  if (f.orbit || isnan(f.x)) return 0;
  if (f.x * p->tx + f.y * p->ty + f.z * p->tz <= 0) return 0;
  r[0] = f.x * p->ex + f.y * p->ey;
  r[1] = f.x * p->nx + f.y * p->ny + f.z * p->nz;
  return 1;
}

/* The speed on the non-rotating sphere that lands at psi with ground gamma g
 * (the trajectory equation solved for nu), the start of Newton's method. */
static double speed_guess(const struct aim *p, double g) {
  double k = p->L->r0 / p->b->R_earth_m, c = cos(g);
  double den = c * (k * c - cos(g + p->psi));
  if (!(den > 0)) return NAN;
  double nu = (1 - cos(p->psi)) / den;
  if (!(nu > 0) || nu >= 2) return NAN;
  return sqrt(nu * p->b->gm_m3_s2 / p->L->r0);
}

static double speed_solve(double g, void *arg);

/* For flight-path angle g: the launch azimuth and speed that land on the
 * target, by Newton's method with a forward-difference Jacobian and step
 * halving, warm-started from the last solution when there is one and, if
 * that fails (a warm start from a far gamma can be outside Newton's basin:
 * a scan from gamma 0.5 deg starts near escape speed), from the
 * non-rotating guess.  Returns the speed, or +INFINITY if there is none. */
static double speed_for_gamma(double g, void *arg) {
  struct aim *p = arg;
  double v = speed_solve(g, p);
  if (!isfinite(v) && p->have) {
    p->have = 0;
    v = speed_solve(g, p);
  }
  return v;
}

static double speed_solve(double g, void *arg) {
  struct aim *p = arg;
  double sg = sin(g), cg = cos(g), r[2], az, v;
  if (p->have) {
    az = p->az, v = p->v;
  } else {
    az = p->az_t, v = speed_guess(p, g);
    if (isnan(v)) return INFINITY;
  }
  if (!residual(p, az, sg, cg, v, r)) {
    az = p->az_t, v = speed_guess(p, g);
    if (isnan(v) || !residual(p, az, sg, cg, v, r)) return INFINITY;
  }
  double n = hypot(r[0], r[1]);
  for (int it = 0; it < 40; it++) {
    if (n < 1e-12) {
      p->az = az, p->v = v, p->have = 1;
      return v;
    }
    double ha = 1e-7, hv = 1e-7 * v, ra[2], rv[2];
    if (!residual(p, az + ha, sg, cg, v, ra) ||
        !residual(p, az, sg, cg, v + hv, rv))
      return INFINITY;
    double j00 = (ra[0] - r[0]) / ha, j10 = (ra[1] - r[1]) / ha;
    double j01 = (rv[0] - r[0]) / hv, j11 = (rv[1] - r[1]) / hv;
    double det = j00 * j11 - j01 * j10;
    if (det == 0 || !isfinite(det)) return INFINITY;
    double da = -(j11 * r[0] - j01 * r[1]) / det;
    double dv = -(-j10 * r[0] + j00 * r[1]) / det;
    /* keep steps sane far from the solution, then halve until the miss
     * shrinks */
    double s = fmin(1, fmin(0.5 / fmax(fabs(da), 1e-300),
                            0.3 * v / fmax(fabs(dv), 1e-300)));
    int ok = 0;
    for (int h = 0; h < 30; h++, s /= 2) {
      double r2[2];
      if (residual(p, az + s * da, sg, cg, v + s * dv, r2) &&
          hypot(r2[0], r2[1]) < n) {
        az += s * da, v += s * dv;
        r[0] = r2[0], r[1] = r2[1];
        n = hypot(r[0], r[1]);
        ok = 1;
        break;
      }
    }
    if (!ok) {
      /* converged to rounding: accept a miss below 1e-10 (0.6 mm) */
      if (n < 1e-10) {
        p->az = az, p->v = v, p->have = 1;
        return v;
      }
      return INFINITY;
    }
  }
  return INFINITY;
}

/* Bisection for the gamma between g_in (speed <= vb) and g_out (speed >
 * vb) where the speed that lands on the target is vb. */
static double gamma_at_speed(struct aim *p, double g_in, double g_out,
                             double vb, double az_in, double v_in) {
  for (int it = 0; it < 60 && fabs(g_out - g_in) > 1e-10; it++) {
    double g = 0.5 * (g_in + g_out);
    p->az = az_in, p->v = v_in, p->have = 1;
    double v = speed_for_gamma(g, p);
    if (v <= vb) {
      g_in = g, az_in = p->az, v_in = p->v;
    } else {
      g_out = g;
    }
  }
  p->az = az_in, p->v = v_in, p->have = 1;
  return g_in;
}

/* The target of p as a unit vector (tx, ty, tz) in the launch-meridian
 * frame: its east and north, and the great-circle angle and azimuth to it. */
static void aim_at(struct aim *p, const struct launch *L, double tx, double ty,
                   double tz) {
  double cl = hypot(tx, ty), dl = atan2(ty, tx), sd = sin(dl), cd = cos(dl);
  p->tx = tx, p->ty = ty, p->tz = tz;
  p->ex = -sd, p->ey = cd;
  p->nx = -tz * cd, p->ny = -tz * sd, p->nz = cl;
  double E = ty, N = -L->sphi * tx + L->cphi * tz, U = L->cphi * tx + L->sphi * tz;
  p->psi = atan2(hypot(E, N), U);
  p->az_t = atan2(E, N);
}

/* The flight of trajectory aim to p's target (set up by aim_at()). */
static enum reach_status aim_flight(struct reach_ctx *ctx,
                                    const struct reach_ballistic *b,
                                    const struct launch *L, struct aim *p,
                                    enum reach_ballistic_aim aim,
                                    struct reach_ballistic_traj *out,
                                    int *in_range) {
  if (p->psi * b->R_earth_m < 1) {
    struct flight f = {p->tx, p->ty, p->tz, 0, 0};
    fill(b, L, 0, 90 * DEG, 0, &f, out);
    *in_range = 1;
    return REACH_OK;
  }
  double vb = b->v_burnout_mps;
  if (aim == REACH_BALLISTIC_GAMMA) {
    /* one angle: Newton's method for the launch azimuth and speed */
    double g = b->gamma_deg * DEG, v = speed_for_gamma(g, p);
    struct flight f;
    *in_range = v <= vb * (1 + 1e-12);
    if (!isfinite(v)) {
      f.x = f.y = f.z = NAN, f.tof = NAN, f.orbit = 0;
      fill(b, L, p->az_t, g, v, &f, out);
      return REACH_OK;
    }
    fly(b, L, sin(p->az), cos(p->az), sin(g), cos(g), v, &f);
    fill(b, L, p->az, g, v, &f, out);
    if (!*in_range) out->tof_s = NAN;
    return REACH_OK;
  }
  /* least speed over gamma: a scan, then Brent on the bracket */
  enum { NSCAN = 15 };
  double lo = (b->burnout_alt_m > 0 ? -60.0 : 0.5) * DEG, hi = 89.5 * DEG;
  double vbest = INFINITY, gbest = 0, azs[NSCAN], vs[NSCAN];
  int kbest = -1;
  double step = (hi - lo) / (NSCAN - 1);
  for (int k = 0; k < NSCAN; k++) {
    double v = speed_for_gamma(lo + step * k, p);
    azs[k] = p->az, vs[k] = v;
    if (v < vbest) vbest = v, gbest = lo + step * k, kbest = k;
  }
  if (kbest < 0)
    return reach_fail(ctx, REACH_ERR_INTERNAL,
                      "ballistic: no flight found to a point %.3f km along "
                      "azimuth %.6g from (%g, %g)", p->psi * b->R_earth_m / 1000,
                      p->az_t / DEG, L->lat_deg, L->lon_deg);
  p->az = azs[kbest], p->v = vs[kbest], p->have = 1;
  double vx, gx = brent_min(speed_for_gamma, p,
                            kbest > 0 ? gbest - step : lo,
                            kbest < NSCAN - 1 ? gbest + step : hi, 1e-9, &vx);
  if (vx <= vbest) {
    gbest = gx;
  } else {
    p->az = azs[kbest], p->v = vs[kbest];
  }
  p->have = 1;
  /* The least speed is flat in gamma, so Brent's answer is good only to
   * ~sqrt(the speed's rounding), 1e-6 rad, and the flight time wanders by
   * ~1e-5 s from one target to the next: enough to roughen an isochrone.
   * Two Newton steps on the central-difference derivative (step 2e-4 rad:
   * truncation ~1e-8 rad, rounding ~3e-9 rad) make gamma, and tof_s, a
   * smooth function of the target. */
  for (int it = 0; it < 2; it++) {
    const double hg = 2e-4;
    double az0 = p->az, v0 = p->v;
    double vm = speed_for_gamma(gbest - hg, p);
    p->az = az0, p->v = v0;
    double vp = speed_for_gamma(gbest + hg, p);
    p->az = az0, p->v = v0;
    double vc = speed_for_gamma(gbest, p);
    double d1 = (vp - vm) / (2 * hg), d2 = (vp - 2 * vc + vm) / (hg * hg);
    if (!isfinite(vm) || !isfinite(vp) || !isfinite(vc) || !(d2 > 0)) break;
    double dg = -d1 / d2;
    /* Brent left gamma within ~1e-6 rad: a long step means a bad
     * difference (a solve that slipped to another solution); and a step
     * must not raise the speed */
    if (!(fabs(dg) < 1e-3)) break;
    p->az = az0, p->v = v0;
    double vn = speed_for_gamma(gbest + dg, p);
    if (!(vn <= vc * (1 + 1e-13))) {
      p->az = az0, p->v = v0;
      break;
    }
    gbest += dg;
    if (fabs(dg) < 1e-10) break;
  }
  vbest = speed_for_gamma(gbest, p);
  double az = p->az, g = gbest;
  if (!isfinite(vbest))
    return reach_fail(ctx, REACH_ERR_INTERNAL,
                      "ballistic: Newton's method failed for the flight to a "
                      "point %.3f km along azimuth %.6g from (%g, %g)",
                      p->psi * b->R_earth_m / 1000, p->az_t / DEG, L->lat_deg,
                      L->lon_deg);
  *in_range = vbest <= vb * (1 + 1e-12);
  if (*in_range && aim != REACH_BALLISTIC_MIN_ENERGY) {
    /* the scan point beyond which the speed exceeds vb, on the chosen side */
    int dir = aim == REACH_BALLISTIC_DEPRESSED ? -1 : 1, k = kbest;
    while (k + dir >= 0 && k + dir < NSCAN && vs[k + dir] <= vb) k += dir;
    if (k + dir < 0 || k + dir >= NSCAN) {
      /* no full-speed shot before the end of the scan: take its end */
      g = lo + step * k, az = azs[k];
      p->az = az, p->v = vs[k], p->have = 1;
      vbest = speed_for_gamma(g, p);
      az = p->az;
    } else {
      double g_in = k == kbest ? gbest : lo + step * k;
      double az_in = k == kbest ? az : azs[k], v_in = k == kbest ? vbest : vs[k];
      g = gamma_at_speed(p, g_in, lo + step * (k + dir), vb, az_in, v_in);
      vbest = p->v, az = p->az;
    }
  }
  struct flight f;
  fly(b, L, sin(az), cos(az), sin(g), cos(g), vbest, &f);
  fill(b, L, az, g, vbest, &f, out);
  if (!*in_range) out->tof_s = NAN;
  return REACH_OK;
}

static enum reach_status check_aim(struct reach_ctx *ctx, enum reach_ballistic_aim aim) {
  if ((unsigned)aim > REACH_BALLISTIC_GAMMA)
    return reach_fail(ctx, REACH_ERR_ARG, "unknown aim %d", (int)aim);
  return REACH_OK;
}

enum reach_status reach_ballistic_tof_to(struct reach_ctx *ctx,
                                         const struct reach_ballistic *b,
                                         double lat_deg, double lon_deg,
                                         double lat_t_deg, double lon_t_deg,
                                         enum reach_ballistic_aim aim,
                                         struct reach_ballistic_traj *out,
                                         int *in_range) {
  enum reach_status st = check_model(ctx, b);
  if (st == REACH_OK) st = check_point(ctx, lat_deg, lon_deg, "launch");
  if (st == REACH_OK) st = check_point(ctx, lat_t_deg, lon_t_deg, "target");
  if (st == REACH_OK) st = check_aim(ctx, aim);
  if (st != REACH_OK) return st;
  struct launch L;
  launch_at(b, lat_deg, lon_deg, &L);
  struct aim p = {0};
  p.b = b, p.L = &L;
  double sl = sin(lat_t_deg * DEG), cl = cos(lat_t_deg * DEG);
  double dl = (lon_t_deg - lon_deg) * DEG;
  aim_at(&p, &L, cl * cos(dl), cl * sin(dl), sl);
  return aim_flight(ctx, b, &L, &p, aim, out, in_range);
}

enum reach_status reach_ballistic_tof_along(struct reach_ctx *ctx,
                                            const struct reach_ballistic *b,
                                            double lat_deg, double lon_deg,
                                            double beta_deg, double range_m,
                                            enum reach_ballistic_aim aim,
                                            struct reach_ballistic_traj *out,
                                            int *in_range) {
  enum reach_status st = check_model(ctx, b);
  if (st == REACH_OK) st = check_point(ctx, lat_deg, lon_deg, "launch");
  if (st == REACH_OK) st = check_aim(ctx, aim);
  if (st != REACH_OK) return st;
  if (!isfinite(beta_deg) || !(range_m >= 0) || !isfinite(range_m))
    return reach_fail(ctx, REACH_ERR_ARG, "bad azimuth %g or distance %g m",
                      beta_deg, range_m);
  struct launch L;
  launch_at(b, lat_deg, lon_deg, &L);
  struct aim p = {0};
  p.b = b, p.L = &L;
  double psi = range_m / b->R_earth_m, be = beta_deg * DEG;
  double E = sin(psi) * sin(be), N = sin(psi) * cos(be), U = cos(psi);
  aim_at(&p, &L, -L.sphi * N + L.cphi * U, E, L.cphi * N + L.sphi * U);
  return aim_flight(ctx, b, &L, &p, aim, out, in_range);
}

/* ---- isochrones -------------------------------------------------------- */

enum reach_status reach_ballistic_isochrone(struct reach_ctx *ctx,
                                            const struct reach_ballistic *b,
                                            double lat_deg, double lon_deg,
                                            double beta_deg, double tof_s,
                                            struct reach_ballistic_traj *out,
                                            int *clipped) {
  enum reach_status st = check_model(ctx, b);
  if (st == REACH_OK) st = check_point(ctx, lat_deg, lon_deg, "launch");
  if (st != REACH_OK) return st;
  if (!(tof_s > 0) || !isfinite(tof_s))
    return reach_fail(ctx, REACH_ERR_ARG, "flight time %g s must be positive", tof_s);
  if (b->aim == REACH_BALLISTIC_LOFTED)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "no isochrones for lofted flights: their flight time falls "
                      "with distance (a vertical shot flies longest), so the "
                      "points reached within a time form an annulus");
  if (clipped) *clipped = 0;
  struct reach_ballistic_traj rb = {0};
  st = reach_ballistic_reach(ctx, b, lat_deg, lon_deg, beta_deg, &rb);
  if (st != REACH_OK) return st;
  if (!(tof_s < rb.tof_s)) {
    /* at or beyond the time to the reach boundary: the boundary */
    *out = rb;
    if (clipped) *clipped = 1;
    return REACH_OK;
  }
  /* Illinois on f(d) = T(d) - t over [0, R]: T(0) = 0 < t < T(R) */
  struct launch L;
  launch_at(b, lat_deg, lon_deg, &L);
  double lo = 0, flo = -tof_s, hi = rb.range_m, fhi = rb.tof_s - tof_s;
  double be = beta_deg * DEG, d = hi;
  int side = 0, have = 0;
  struct reach_ballistic_traj tr;
  for (int it = 0; it < 100; it++) {
    d = (lo * fhi - hi * flo) / (fhi - flo);
    if (!(d > lo && d < hi)) d = 0.5 * (lo + hi);
    struct aim p = {0};
    p.b = b, p.L = &L;
    double psi = d / b->R_earth_m;
    double E = sin(psi) * sin(be), N = sin(psi) * cos(be), U = cos(psi);
    aim_at(&p, &L, -L.sphi * N + L.cphi * U, E, L.cphi * N + L.sphi * U);
    int in = 0;
    st = aim_flight(ctx, b, &L, &p, b->aim, &tr, &in);
    if (st != REACH_OK) return st;
    have = in;
    /* just short of R a flight can need a hair more than the burnout
     * speed: count it as beyond */
    double fd = in ? tr.tof_s - tof_s : fhi;
    if (fabs(fd) < 1e-7 || hi - lo < 1e-3) break;
    if (fd < 0) {
      lo = d, flo = fd;
      if (side == -1) fhi /= 2;
      side = -1;
    } else {
      hi = d, fhi = fd;
      if (side == 1) flo /= 2;
      side = 1;
    }
  }
  if (!have)
    return reach_fail(ctx, REACH_ERR_INTERNAL,
                      "ballistic: no flight of %g s found along azimuth %g from "
                      "(%g, %g)", tof_s, beta_deg, lat_deg, lon_deg);
  *out = tr;
  out->range_m = d;
  out->az_deg = wrap360(beta_deg);
  return REACH_OK;
}

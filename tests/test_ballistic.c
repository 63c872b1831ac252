/* The ballistic model (ballistic.h) through the public API, against
 * references that do not share its code path: on a non-rotating Earth the
 * longest shot must be the catalogue range exactly, and its flight time
 * Lagrange's time of the minimum-energy ellipse (a closed form the library
 * does not use); symmetries of the rotating sphere (a pole, the equator,
 * omega -> -omega as a mirror); the maximum over gamma is a maximum; the
 * boundary R(beta) is not beaten by any of thousands of shots; flights to a
 * target land on it.  The RK4 integration of the two-body problem is the
 * independent reference of test_ballistic_rk4.py. */
#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "georeach/georeach.h"

#define PI 3.14159265358979323846
#define DEG (PI / 180)

static struct reach_ctx *ctx;

static struct reach_ballistic model(double range_m, double alt_m) {
  struct reach_ballistic b;
  enum reach_status st = reach_ballistic_init(ctx, &b, range_m, alt_m);
  CHECK(st == REACH_OK, "init %g %g: %s", range_m, alt_m, reach_errmsg(ctx));
  return b;
}

/* Lagrange's flight time of the minimum-energy transfer between radii r0
 * and R across psi: a = s/2, alpha = pi, sin(beta/2) = sqrt((s - c)/s). */
static double lagrange_tof_min_energy(double r0, double R, double psi,
                                      double gm) {
  double c = sqrt(r0 * r0 + R * R - 2 * r0 * R * cos(psi));
  double s = (r0 + R + c) / 2, a = s / 2;
  double be = 2 * asin(sqrt((s - c) / s));
  return sqrt(a * a * a / gm) * (PI - (be - sin(be)));
}

/* Burnout speed: the h = 0 closed form, written out here independently. */
static void speed(void) {
  double ranges[] = {300e3, 885e3, 4000e3, 13000e3};
  for (size_t i = 0; i < 4; i++) {
    struct reach_ballistic b = model(ranges[i], 0);
    double psi = ranges[i] / b.R_earth_m, sh = sin(psi / 2);
    double v = sqrt(b.gm_m3_s2 / b.R_earth_m * 2 * sh / (1 + sh));
    CHECK_NEAR(b.v_burnout_mps, v, 1e-9 * v, "burnout speed, h = 0");
  }
  struct reach_ballistic b = model(885e3, 0);
  CHECK_NEAR(b.R_earth_m, 6371008.7714, 1e-3, "mean radius (2a+b)/3");
  CHECK_NEAR(b.v_burnout_mps, 2849.625, 1e-3, "KN-23 burnout speed");
  CHECK(b.omega_rad_s == 7.2921159e-5, "omega");
}

/* omega = 0: the longest shot is the catalogue range at every azimuth,
 * latitude and burnout altitude; it lands on the launch azimuth; its flight
 * time is Lagrange's; reach() agrees. */
static void non_rotating(void) {
  double ranges[] = {50e3, 885e3, 4000e3, 13000e3, 19500e3};
  double alts[] = {0, 100e3, 300e3};
  double lats[] = {0, 39.03, -60, 90, -89.5};
  double azs[] = {0, 37, 90, 200, 270};
  double worst = 0, worst_t = 0;
  for (size_t i = 0; i < 5; i++)
    for (size_t h = 0; h < 3; h++) {
      struct reach_ballistic b = model(ranges[i], alts[h]);
      b.omega_rad_s = 0;
      double t = lagrange_tof_min_energy(b.R_earth_m + alts[h], b.R_earth_m,
                                         ranges[i] / b.R_earth_m, b.gm_m3_s2);
      for (size_t l = 0; l < 5; l++)
        for (size_t a = 0; a < 5; a++) {
          struct reach_ballistic_traj m, r;
          CHECK(reach_ballistic_max(ctx, &b, lats[l], 10, azs[a], &m) == REACH_OK,
                "max: %s", reach_errmsg(ctx));
          CHECK(reach_ballistic_reach(ctx, &b, lats[l], 10, azs[a], &r) == REACH_OK,
                "reach: %s", reach_errmsg(ctx));
          worst = fmax(worst, fabs(m.range_m - ranges[i]));
          worst = fmax(worst, fabs(r.range_m - ranges[i]));
          worst_t = fmax(worst_t, fabs(m.tof_s - t));
          CHECK_NEAR(m.range_m, ranges[i], 1e-5, "omega = 0: max range");
          CHECK_NEAR(r.range_m, ranges[i], 1e-5, "omega = 0: reach range");
          CHECK_NEAR(m.tof_s, t, 2e-4, "omega = 0: Lagrange's time");
          CHECK(fabs(remainder(m.az_deg - azs[a], 360)) < 1e-6 ||
                fabs(lats[l]) > 89,
                "omega = 0: lands on the launch azimuth %g, not %g", azs[a],
                m.az_deg);
          CHECK(!m.wraps, "omega = 0 never wraps");
        }
    }
  printf("omega = 0: |max range - nominal| <= %.3g m, |tof - Lagrange| <= %.3g s\n",
         worst, worst_t);
}

/* Symmetries of the turning sphere. */
static void symmetry(void) {
  double ranges[] = {885e3, 4000e3, 13000e3};
  for (size_t i = 0; i < 3; i++) {
    struct reach_ballistic b = model(ranges[i], i == 1 ? 100e3 : 0);
    struct reach_ballistic_traj m0, m, n, s, e, w, e2, w2;
    /* at a pole the answer does not depend on the azimuth */
    for (int pole = -1; pole <= 1; pole += 2) {
      reach_ballistic_max(ctx, &b, 90 * pole, 0, 0, &m0);
      for (int k = 0; k < 8; k++) {
        double az = 15 + 45 * k;
        reach_ballistic_max(ctx, &b, 90 * pole, 0, az, &m);
        CHECK_NEAR(m.range_m, m0.range_m, 1e-5, "pole: range by azimuth");
        CHECK_NEAR(m.tof_s, m0.tof_s, 2e-4, "pole: tof by azimuth");
        reach_ballistic_reach(ctx, &b, 90 * pole, 0, az, &m);
        CHECK_NEAR(m.range_m, m0.range_m, 1e-5, "pole: reach by azimuth");
      }
    }
    /* at the equator north and south are mirror images */
    reach_ballistic_max(ctx, &b, 0, 20, 0, &n);
    reach_ballistic_max(ctx, &b, 0, 20, 180, &s);
    CHECK_NEAR(n.range_m, s.range_m, 1e-5, "equator: north vs south range");
    CHECK_NEAR(n.lat_deg, -s.lat_deg, 1e-6, "equator: mirrored latitude");
    CHECK_NEAR(n.lon_deg, s.lon_deg, 1e-6, "equator: same longitude");
    CHECK_NEAR(n.tof_s, s.tof_s, 2e-4, "equator: north vs south tof");
    /* omega -> -omega mirrors east and west (any latitude) */
    reach_ballistic_max(ctx, &b, 39, 0, 70, &e);
    b.omega_rad_s = -b.omega_rad_s;
    reach_ballistic_max(ctx, &b, 39, 0, 290, &w);
    b.omega_rad_s = -b.omega_rad_s;
    CHECK_NEAR(e.range_m, w.range_m, 1e-5, "mirror: range");
    CHECK_NEAR(e.lon_deg, -w.lon_deg, 1e-6, "mirror: longitude");
    CHECK_NEAR(e.lat_deg, w.lat_deg, 1e-6, "mirror: latitude");
    CHECK_NEAR(e.az_deg, 360 - w.az_deg, 1e-6, "mirror: impact azimuth");
    /* the Earth turns east: east beats west, at every latitude but a pole */
    for (int k = 0; k <= 8; k++) {
      double lat = -80 + 20 * k;
      reach_ballistic_reach(ctx, &b, lat, 0, 90, &e2);
      reach_ballistic_reach(ctx, &b, lat, 0, 270, &w2);
      CHECK(e2.range_m > w2.range_m + 1000 * cos(lat * DEG),
            "%g km at lat %g: east %.3f km <= west %.3f km", ranges[i] / 1e3,
            lat, e2.range_m / 1e3, w2.range_m / 1e3);
      CHECK(e2.range_m > ranges[i] && w2.range_m < ranges[i],
            "east beyond, west short of the nominal range");
    }
  }
}

/* The range over gamma rises to the maximum and falls after it. */
static void monotone(void) {
  struct { double range, alt, lat, az; } c[] = {
      {885e3, 0, 50.6, 90}, {4000e3, 100e3, 0, 270}, {13000e3, 0, 60, 0},
      {300e3, 200e3, -30, 45}};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    struct reach_ballistic b = model(c[i].range, c[i].alt);
    struct reach_ballistic_traj m, t;
    reach_ballistic_max(ctx, &b, c[i].lat, 0, c[i].az, &m);
    double steps[] = {1e-3, 1e-2, 0.1, 1, 5, 20};
    for (int side = -1; side <= 1; side += 2) {
      double prev = m.range_m;
      for (size_t k = 0; k < 6; k++) {
        double g = m.gamma_deg + side * steps[k];
        if (g <= -90 || g >= 90) break;
        reach_ballistic_shot(ctx, &b, c[i].lat, 0, c[i].az, g, &t);
        CHECK(t.range_m < prev + 1e-7, "case %zu: range at gamma %.4f (%.9f km) "
              "not below %.9f km", i, g, t.range_m / 1e3, prev / 1e3);
        prev = t.range_m;
      }
    }
  }
}

/* No shot lands beyond the boundary R(beta) in its own direction, and the
 * longest shot per launch azimuth is on or inside it. */
static void envelope(void) {
  struct { double range, alt, lat, lon; } c[] = {
      {885e3, 0, 50.6, 36.6}, {4000e3, 0, 39.03, 125.75},
      {13000e3, 0, 55.7, 37.6}, {10000e3, 300e3, -30, 20}};
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    struct reach_ballistic b = model(c[i].range, c[i].alt);
    double worst = -INFINITY, gain = 0;
    int n = 0;
    for (int ka = 0; ka < 48; ka++) {
      double az = 7.5 * ka;
      struct reach_ballistic_traj m, r, t;
      reach_ballistic_max(ctx, &b, c[i].lat, c[i].lon, az, &m);
      reach_ballistic_reach(ctx, &b, c[i].lat, c[i].lon, m.az_deg, &r);
      CHECK(r.range_m >= m.range_m - 1e-6, "max beyond the boundary");
      gain = fmax(gain, r.range_m - m.range_m);
      for (int kg = -6; kg <= 6; kg++) {
        double dg = 0.5 * kg;
        if (m.gamma_deg + dg <= 0) continue;
        reach_ballistic_shot(ctx, &b, c[i].lat, c[i].lon, az + dg / 3,
                             m.gamma_deg + dg, &t);
        reach_ballistic_reach(ctx, &b, c[i].lat, c[i].lon, t.az_deg, &r);
        worst = fmax(worst, t.range_m - r.range_m);
        n++;
      }
    }
    CHECK(worst < 1e-4, "case %zu: a shot lands %.6f m beyond R(beta)", i, worst);
    printf("envelope %5.0f km at %6.2f: %d shots, none beyond R(beta) (worst "
           "%+.2e m); R(beta) exceeds the per-launch-azimuth maximum by up to "
           "%.3f m\n", c[i].range / 1e3, c[i].lat, n, worst, gain);
  }
}

/* Flights to a target land on it; at the boundary the least speed is the
 * burnout speed; beyond it the target is out of range. */
static void targets(void) {
  struct { double range, alt, lat, lon, beta; } c[] = {
      {885e3, 0, 50.6, 36.6, 270}, {885e3, 0, 50.6, 36.6, 91},
      {4000e3, 100e3, 10, 0, 30}, {13000e3, 0, 60, 40, 200}};
  struct geod_geodesic g;
  geod_init(&g, 6371008.7714150595, 0); /* a sphere, for the target */
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    struct reach_ballistic b = model(c[i].range, c[i].alt);
    struct reach_ballistic_traj r, t, d, l;
    int in;
    reach_ballistic_reach(ctx, &b, c[i].lat, c[i].lon, c[i].beta, &r);
    CHECK(reach_ballistic_tof_to(ctx, &b, c[i].lat, c[i].lon, r.lat_deg,
                                 r.lon_deg, REACH_BALLISTIC_MIN_ENERGY, &t,
                                 &in) == REACH_OK, "tof_to: %s", reach_errmsg(ctx));
    CHECK_NEAR(t.speed_mps / b.v_burnout_mps, 1, 1e-9,
               "least speed to a boundary point is the burnout speed");
    CHECK_NEAR(t.tof_s, r.tof_s, 1e-3, "boundary point: same flight time");
    CHECK_NEAR(t.gamma_deg, r.gamma_deg, 1e-3, "boundary point: same gamma");
    /* 1 km inside: in range, and the three aims land on it */
    double la, lo;
    geod_direct(&g, c[i].lat, c[i].lon, c[i].beta, r.range_m - 1000, &la, &lo,
                NULL);
    reach_ballistic_tof_to(ctx, &b, c[i].lat, c[i].lon, la, lo,
                           REACH_BALLISTIC_MIN_ENERGY, &t, &in);
    CHECK(in && t.speed_mps < b.v_burnout_mps, "1 km inside is in range");
    reach_ballistic_tof_to(ctx, &b, c[i].lat, c[i].lon, la, lo,
                           REACH_BALLISTIC_DEPRESSED, &d, &in);
    CHECK(in, "depressed in range");
    reach_ballistic_tof_to(ctx, &b, c[i].lat, c[i].lon, la, lo,
                           REACH_BALLISTIC_LOFTED, &l, &in);
    CHECK(in, "lofted in range");
    const struct reach_ballistic_traj *x[3] = {&t, &d, &l};
    for (int k = 0; k < 3; k++) {
      double s;
      geod_inverse(&g, la, lo, x[k]->lat_deg, x[k]->lon_deg, &s, NULL, NULL);
      CHECK(s < 1e-3, "case %zu aim %d misses the target by %.6f m", i, k, s);
    }
    CHECK_NEAR(d.speed_mps / b.v_burnout_mps, 1, 1e-7, "depressed at full speed");
    CHECK_NEAR(l.speed_mps / b.v_burnout_mps, 1, 1e-7, "lofted at full speed");
    CHECK(d.gamma_deg < t.gamma_deg && t.gamma_deg < l.gamma_deg,
          "gamma order: %g %g %g", d.gamma_deg, t.gamma_deg, l.gamma_deg);
    CHECK(d.tof_s < t.tof_s && t.tof_s < l.tof_s, "tof order: %g %g %g",
          d.tof_s, t.tof_s, l.tof_s);
    /* a shot with that launch reproduces the flight */
    struct reach_ballistic b2 = b;
    b2.v_burnout_mps = t.speed_mps;
    reach_ballistic_shot(ctx, &b2, c[i].lat, c[i].lon, t.launch_az_deg,
                         t.gamma_deg, &r);
    CHECK_NEAR(r.tof_s, t.tof_s, 1e-9, "tof_to's shot");
    /* 1 km outside: out of range, and the least speed says by how much */
    struct reach_ballistic_traj o;
    reach_ballistic_reach(ctx, &b, c[i].lat, c[i].lon, c[i].beta, &o);
    geod_direct(&g, c[i].lat, c[i].lon, c[i].beta, o.range_m + 1000, &la, &lo,
                NULL);
    reach_ballistic_tof_to(ctx, &b, c[i].lat, c[i].lon, la, lo,
                           REACH_BALLISTIC_MIN_ENERGY, &t, &in);
    CHECK(!in && t.speed_mps > b.v_burnout_mps && isnan(t.tof_s),
          "1 km outside is out of range (%d, %g m/s)", in, t.speed_mps);
  }
  /* omega = 0: the minimum-energy flight is Lagrange's */
  struct reach_ballistic b = model(4000e3, 0);
  b.omega_rad_s = 0;
  struct reach_ballistic_traj t;
  int in;
  double la, lo;
  geod_direct(&g, 20, 30, 123, 3000e3, &la, &lo, NULL);
  reach_ballistic_tof_to(ctx, &b, 20, 30, la, lo, REACH_BALLISTIC_MIN_ENERGY,
                         &t, &in);
  CHECK_NEAR(t.tof_s, lagrange_tof_min_energy(b.R_earth_m, b.R_earth_m,
                                              3000e3 / b.R_earth_m, b.gm_m3_s2),
             2e-4, "omega = 0: minimum-energy tof to a target");
  CHECK_NEAR(t.gamma_deg, 45 - 3000e3 / b.R_earth_m / DEG / 4, 1e-5,
             "omega = 0: minimum-energy gamma = 45 - psi/4");
}

static void edges(void) {
  struct reach_ballistic b;
  struct reach_ballistic_traj t;
  /* isochrones and trajectories (issue 18): bad values refused */
  b = model(885e3, 0);
  int in = 0, clipped = 0;
  CHECK(reach_ballistic_tof_along(ctx, &b, 50, 36, 90, 0, REACH_BALLISTIC_MIN_ENERGY, &t,
                                  &in) == REACH_OK && in && t.tof_s == 0,
        "flight to the launch point: tof 0");
  CHECK(reach_ballistic_isochrone(ctx, &b, 50, 36, 90, 0, &t, &clipped) == REACH_ERR_ARG,
        "isochrone of 0 s refused");
  CHECK(reach_ballistic_isochrone(ctx, &b, 50, 36, 90, 1e5, &t, &clipped) == REACH_OK &&
            clipped, "isochrone past the boundary time is the reach (clipped)");
  b.aim = REACH_BALLISTIC_LOFTED;
  CHECK(reach_ballistic_isochrone(ctx, &b, 50, 36, 90, 100, &t, &clipped) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "annulus"), "lofted isochrone: %s", reach_errmsg(ctx));
  b.aim = REACH_BALLISTIC_GAMMA;
  b.gamma_deg = 0;
  CHECK(reach_ballistic_reach(ctx, &b, 50, 36, 90, &t) == REACH_ERR_ARG,
        "gamma 0 from the ground refused: %s", reach_errmsg(ctx));
  b.gamma_deg = 20;
  struct reach_ballistic_traj me;
  CHECK(reach_ballistic_reach(ctx, &b, 50, 36, 90, &t) == REACH_OK &&
            (b.aim = REACH_BALLISTIC_MIN_ENERGY,
             reach_ballistic_reach(ctx, &b, 50, 36, 90, &me) == REACH_OK) &&
            t.range_m < me.range_m && fabs(t.gamma_deg - 20) < 1e-12,
        "the reach at gamma 20 (%.0f m) is short of the envelope (%.0f m)", t.range_m,
        me.range_m);
  CHECK(reach_ballistic_init(ctx, &b, 20100e3, 0) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "20100"),
        "range past the antipode: %s", reach_errmsg(ctx));
  CHECK(reach_ballistic_init(ctx, &b, 885e3, -1) == REACH_ERR_ARG,
        "negative burnout altitude");
  b = model(885e3, 0);
  CHECK(reach_ballistic_shot(ctx, &b, 91, 0, 0, 45, &t) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "91"),
        "latitude 91: %s", reach_errmsg(ctx));
  CHECK(reach_ballistic_shot(ctx, &b, 0, 0, 0, 90, &t) == REACH_ERR_ARG,
        "gamma 90");
  CHECK(reach_ballistic_shot(ctx, &b, 0, 0, 0, -5, &t) == REACH_OK &&
            t.range_m == 0 && t.tof_s == 0, "h = 0, gamma < 0 lands at once");
  /* from 300 km up at 7.8 km/s horizontally: in orbit */
  b = model(4000e3, 300e3);
  b.v_burnout_mps = 7800;
  CHECK(reach_ballistic_shot(ctx, &b, 0, 0, 0, 0.5, &t) == REACH_OK &&
            t.in_orbit && isinf(t.tof_s) && isnan(t.lat_deg), "in orbit");
  CHECK(reach_ballistic_max(ctx, &b, 0, 0, 0, &t) == REACH_OK && t.in_orbit &&
            t.range_m == PI * b.R_earth_m, "max with an orbit: antipode");
  /* wrapping: 13,000 km from Pyongyang goes round, from 60 N it does not;
   * the east-launch interval is symmetric about east */
  double lo, hi;
  b = model(13000e3, 0);
  CHECK(reach_ballistic_wraps(&b, 39.03, &lo, &hi) && fabs(lo + hi - 180) < 1e-9 &&
            lo > 45 && lo < 75, "Pyongyang 13000 km wraps (%g..%g)", lo, hi);
  printf("13000 km from 39.03 N: flights launched at %.1f..%.1f deg go round "
         "the world\n", lo, hi);
  CHECK(!reach_ballistic_wraps(&b, 60, NULL, NULL), "60 N does not wrap");
  b = model(885e3, 0);
  CHECK(!reach_ballistic_wraps(&b, 0, NULL, NULL), "KN-23 never wraps");
}

static double now(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Cost per call (printed, not asserted: this is not a benchmark). */
static void cost(void) {
  struct reach_ballistic b = model(4000e3, 0);
  struct reach_ballistic_traj t;
  double sink = 0, t0 = now();
  int n = 20000, m = n / 20;
  for (int i = 0; i < n; i++) {
    reach_ballistic_shot(ctx, &b, 39, 125, i * 0.018, 30, &t);
    sink += t.range_m;
  }
  double t1 = now();
  for (int i = 0; i < m; i++) {
    reach_ballistic_max(ctx, &b, 39, 125, i * 0.36, &t);
    sink += t.range_m;
  }
  double t2 = now();
  for (int i = 0; i < m; i++) {
    reach_ballistic_reach(ctx, &b, 39, 125, i * 0.36, &t);
    sink += t.range_m;
  }
  double t3 = now();
  int in;
  for (int i = 0; i < 100; i++) {
    reach_ballistic_tof_to(ctx, &b, 39, 125, 20 + 0.1 * i, 150, 0, &t, &in);
    sink += t.tof_s;
  }
  double t4 = now();
  printf("cost per call: shot %.2f us, max %.2f us, reach %.2f us, tof_to %.1f us "
         "(%g)\n", (t1 - t0) / n * 1e6, (t2 - t1) / m * 1e6,
         (t3 - t2) / m * 1e6, (t4 - t3) / 100 * 1e6, sink > 0 ? 1.0 : 0.0);
}

int main(void) {
  ctx = reach_ctx_new();
  if (!ctx) return 1;
  speed();
  non_rotating();
  symmetry();
  monotone();
  envelope();
  targets();
  edges();
  cost();
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

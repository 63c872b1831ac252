/* The ring kernel through the public API: geometry invariants and numbers
 * against references that do not share its code path — the closed-form area
 * of the ellipsoid, GeographicLib's polygon area of a 200,000-vertex boundary,
 * and the inverse problem for every vertex (the kernel traces with the direct
 * problem).  The named regression cases are scored from outside by the
 * project's oracle, tests/oracle.py (tests/ring_case.py, tests/cases.tsv). */
#include <geodesic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "georeach/georeach.h"

static struct geod_geodesic g;

/* Every ring closed, exterior counter-clockwise, holes clockwise, coordinates
 * in range, no consecutive near-duplicates. */
static void invariants(const struct reach_geom *m, const char *name) {
  for (size_t p = 0; p < m->npolys; p++) {
    for (size_t r = m->poly_start[p]; r < m->poly_start[p + 1]; r++) {
      size_t k0 = m->ring_start[r], k1 = m->ring_start[r + 1];
      const double *xy = m->xy;
      CHECK(k1 - k0 >= 4, "%s: ring with %zu points", name, k1 - k0);
      CHECK(xy[2 * k0] == xy[2 * (k1 - 1)] && xy[2 * k0 + 1] == xy[2 * k1 - 1],
            "%s: ring not closed", name);
      double a2 = 0;
      int dup = 0, out = 0;
      for (size_t k = k0; k + 1 < k1; k++) {
        a2 += xy[2 * k] * xy[2 * k + 3] - xy[2 * k + 2] * xy[2 * k + 1];
        if (fabs(xy[2 * k] - xy[2 * k + 2]) < 1e-7 &&
            fabs(xy[2 * k + 1] - xy[2 * k + 3]) < 1e-7)
          dup++;
        if (fabs(xy[2 * k]) > 180 || fabs(xy[2 * k + 1]) > 90) out++;
      }
      int exterior = r == m->poly_start[p];
      CHECK(exterior ? a2 > 0 : a2 < 0, "%s: ring %zu winds the wrong way", name, r);
      CHECK(dup == 0, "%s: %d near-duplicate vertices", name, dup);
      CHECK(out == 0, "%s: %d coordinates out of range", name, out);
    }
  }
}

/* Vertices not on a cut or pole line lie within the tolerance of s = R or
 * s = R0 (shortest distance, inverse problem): they straddle the circle so
 * that the edges do, and the largest offset is reported in err_m. */
static void on_circles(const struct reach_ring *ring, double lat, double lon,
                       double R, double R0, int straddles, const char *name) {
  const struct reach_geom *m = &ring->geom;
  double worst = 0;
  for (size_t k = 0; k < m->npoints; k++) {
    double x = m->xy[2 * k], y = m->xy[2 * k + 1], s;
    if (fabs(x) == 180 || fabs(y) == 90) continue;
    geod_inverse(&g, lat, lon, y, x, &s, NULL, NULL);
    double e = fmin(fabs(s - R), R0 > 0 ? fabs(s - R0) : INFINITY);
    if (e > worst) worst = e;
  }
  CHECK(worst <= ring->err_m + 1e-3, "%s: a vertex is %.6f m off the circle, "
        "err_m %.6f", name, worst, ring->err_m);
  CHECK(!straddles || worst > 0.1 * ring->err_m, "%s: vertices straddle the circle (%.6f m)", name, worst);
}

/* GeographicLib's area of the true circle traced with n geodesic edges. */
static double dense_area(double lat, double lon, double R, int n) {
  struct geod_polygon p;
  double area;
  geod_polygon_init(&p, 0);
  for (int i = 0; i < n; i++) {
    double la, lo;
    geod_direct(&g, lat, lon, 360.0 * i / n, R, &la, &lo, NULL);
    geod_polygon_addpoint(&g, &p, la, lo);
  }
  geod_polygon_compute(&g, &p, 1, 0, &area, NULL); /* azimuth order is cw */
  return area;
}

static void ring(struct reach_ctx *ctx, const char *name, double lat, double lon,
                 double R, double R0, double tol, struct reach_ring *out) {
  struct reach_ring_spec s = {lat, lon, R, R0, 0, 0, 0, tol, NULL, 0, 0};
  enum reach_status st = reach_ring_build(ctx, &s, out);
  CHECK(st == REACH_OK, "%s: %s", name, reach_errmsg(ctx));
  invariants(&out->geom, name);
  CHECK(out->err_m <= tol, "%s: err_m %g > tol %g", name, out->err_m, tol);
}

/* reach_ctx_set_interrupt(): how often tracing asks, and that a yes stops it. */
struct poll_count {
  long polls, stop_at;
};
static int count_polls(void *data) {
  struct poll_count *p = data;
  return ++p->polls >= p->stop_at;
}

static void cancel_checks(struct reach_ctx *ctx) {
  /* 3,000 km at 0.1 m: the ring of issue 13's cancellation case */
  struct reach_ring_spec s = {0};
  struct reach_ring r;
  s.lat_deg = 37.5;
  s.lon_deg = 127;
  s.range_m = 3.0e6;
  s.tolerance_m = 0.1;
  struct poll_count pc = {0, 1L << 40};
  reach_ctx_set_interrupt(ctx, count_polls, &pc);
  CHECK(reach_ring_build(ctx, &s, &r) == REACH_OK, "cancel hook, never: %s",
        reach_errmsg(ctx));
  /* a step makes two vertices; asked every 256 steps */
  CHECK(pc.polls >= (long)(r.geom.npoints / 600), "asked %ld times for %zu vertices",
        pc.polls, r.geom.npoints);
  reach_ring_clear(&r);
  struct poll_count stop = {0, 1};
  reach_ctx_set_interrupt(ctx, count_polls, &stop);
  CHECK(reach_ring_build(ctx, &s, &r) == REACH_ERR_INTERRUPTED,
        "cancel hook, stop at once: status %d (%s)", reach_errno(ctx), reach_errmsg(ctx));
  CHECK(stop.polls == 1, "asked %ld times after saying stop", stop.polls);
  CHECK(r.geom.npolys == 0, "an interrupted build leaves no geometry");
  reach_ring_clear(&r);
  s.sector = 1; /* sectors and annuli too */
  s.az_from_deg = 10;
  s.az_to_deg = 300;
  s.min_range_m = 1e5;
  stop.polls = 0;
  CHECK(reach_ring_build(ctx, &s, &r) == REACH_ERR_INTERRUPTED,
        "cancel hook on a sector: status %d", reach_errno(ctx));
  reach_ring_clear(&r);
  reach_ctx_set_interrupt(ctx, NULL, NULL);
  reach_clear_error(ctx);
  CHECK(reach_ring_build(ctx, &s, &r) == REACH_OK, "hook removed: %s", reach_errmsg(ctx));
  reach_ring_clear(&r);
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) return 1;
  double a, f;
  reach_ctx_ellipsoid(ctx, &a, &f);
  geod_init(&g, a, f);
  CHECK_NEAR(a, 6378137.0, 0, "WGS84 a from PROJ");
  CHECK_NEAR(1 / f, 298.257223563, 1e-9, "WGS84 1/f from PROJ");
  CHECK_NEAR(reach_antipodal_distance_m(ctx), 20003931.4586, 1e-3,
             "half meridian");
  CHECK_NEAR(reach_ellipsoid_area_m2(ctx), 5.10065621724e14, 1e3,
             "area of WGS84 (510,065,621.724 km^2)");

  struct reach_ring r;
  ring(ctx, "kn23_belgorod", 50.6, 36.6, 885000, 0, 10, &r);
  on_circles(&r, 50.6, 36.6, 885000, 0, 1, "kn23_belgorod");
  double ref = dense_area(50.6, 36.6, 885000, 200000);
  CHECK(fabs(r.area_m2 / ref - 1) < 2e-5, "kn23 area %.6e vs %.6e", r.area_m2, ref);
  CHECK(r.geom.npolys == 1 && !r.holds_north_pole, "kn23: one polygon");
  reach_ring_clear(&r);

  ring(ctx, "ring_encloses_north_pole", 78.2, 15.6, 1500000, 0, 10, &r);
  CHECK(r.holds_north_pole && !r.holds_south_pole, "svalbard holds the pole");
  on_circles(&r, 78.2, 15.6, 1500000, 0, 1, "svalbard");
  ref = dense_area(78.2, 15.6, 1500000, 200000);
  CHECK(fabs(r.area_m2 / ref - 1) < 2e-5, "svalbard area %.6e vs %.6e", r.area_m2, ref);
  reach_ring_clear(&r);

  ring(ctx, "ring_beyond_hemisphere", 39.03, 125.75, 13000000, 0, 10, &r);
  CHECK(r.holds_north_pole && !r.holds_south_pole, "13,000 km holds the North Pole only");
  on_circles(&r, 39.03, 125.75, 13000000, 0, 1, "icbm");
  ref = dense_area(39.03, 125.75, 13000000, 200000);
  CHECK(fabs(r.area_m2 / ref - 1) < 2e-6, "icbm area %.8e vs %.8e", r.area_m2, ref);
  reach_ring_clear(&r);

  ring(ctx, "ring_full_globe", 39.03, 125.75, 20100000, 0, 10, &r);
  CHECK(r.whole_globe, "whole globe flag");
  CHECK_NEAR(r.area_m2, reach_ellipsoid_area_m2(ctx), 1e4, "whole globe area");
  reach_ring_clear(&r);

  /* Within 100 km of the antipodal distance the direct problem overshoots the
   * cut locus; the vertices must still be at shortest distance R. */
  double near = reach_antipodal_distance_m(ctx) - 20000;
  ring(ctx, "ring_near_antipode", 30, 10, near, 0, 10, &r);
  on_circles(&r, 30, 10, near, 0, 0, "near antipode"); /* traced exactly */
  CHECK(r.area_m2 < reach_ellipsoid_area_m2(ctx) && r.area_m2 > 0.999 * reach_ellipsoid_area_m2(ctx),
        "near antipode area %.10e", r.area_m2);
  reach_ring_clear(&r);

  ring(ctx, "annulus_min_range", 50.6, 36.6, 885000, 300000, 10, &r);
  on_circles(&r, 50.6, 36.6, 885000, 300000, 1, "annulus");
  ref = dense_area(50.6, 36.6, 885000, 200000) - dense_area(50.6, 36.6, 300000, 200000);
  CHECK(fabs(r.area_m2 / ref - 1) < 2e-5, "annulus area %.6e vs %.6e", r.area_m2, ref);
  CHECK(r.geom.npolys == 1 && r.geom.nrings == 2, "annulus: one polygon with a hole");
  reach_ring_clear(&r);

  ring(ctx, "ring_crosses_antimeridian", -17.7, 178.0, 1500000, 0, 10, &r);
  CHECK(r.geom.npolys == 2, "fiji: two pieces, got %zu", r.geom.npolys);
  int on_east = 0, on_west = 0;
  for (size_t k = 0; k < r.geom.npoints; k++) {
    on_east += r.geom.xy[2 * k] == 180;
    on_west += r.geom.xy[2 * k] == -180;
  }
  CHECK(on_east >= 10 && on_east == on_west, "fiji cut vertices %d / %d", on_east, on_west);
  reach_ring_clear(&r);

  /* A ring round a pole is one polygon: its two strip pieces must merge
   * along the closing meridian (regression: 1.5 % of rings near the poles
   * kept a seam there when the two copies differed by 1e-12 degree). */
  int seams = 0;
  for (int i = 0; i < 400; i++) {
    double lat = (i % 2 ? 1 : -1) * (82.2 + 7.79 * ((i * 0.6180339887) - (int)(i * 0.6180339887)));
    double lon = -180 + 360 * ((i * 0.7548776662) - (int)(i * 0.7548776662));
    struct reach_ring_spec s = {lat, lon, 885000, 0, 0, 0, 0, 10, NULL, 0, 0};
    if (reach_ring_build(ctx, &s, &r) == REACH_OK && r.geom.npolys != 1) seams++;
    reach_ring_clear(&r);
  }
  CHECK(seams == 0, "%d of 400 pole rings came out in several parts", seams);

  /* Bad specs are refused with a message naming the value. */
  struct reach_ring_spec bad = {91, 0, 1000, 0, 0, 0, 0, 10, NULL, 0, 0};
  CHECK(reach_ring_build(ctx, &bad, &r) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "latitude 91"), "lat 91: %s", reach_errmsg(ctx));
  struct reach_ring_spec bad2 = {0, 0, 1000, 2000, 0, 0, 0, 10, NULL, 0, 0};
  CHECK(reach_ring_build(ctx, &bad2, &r) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "minimum range"), "R0 > R: %s", reach_errmsg(ctx));
  struct reach_ring_spec bad3 = {0, 0, 1000, 0, 0, 0, 0, 0, NULL, 0, 0};
  CHECK(reach_ring_build(ctx, &bad3, &r) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "tolerance"), "tol 0: %s", reach_errmsg(ctx));
  struct reach_ring_spec bad4 = {0, 0, NAN, 0, 0, 0, 0, 10, NULL, 0, 0};
  CHECK(reach_ring_build(ctx, &bad4, &r) == REACH_ERR_ARG, "range NaN");
  reach_ring_clear(NULL);
  cancel_checks(ctx);
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

/* reach_rings_union_geom() (src/coverage/memory.c): the union of many
 * sites' rings in memory, against the plain union of every ring
 * (reach_ring_build + reach_geom_union_all: no buried sites, no runs, no
 * filling), the same answer on 1 and 2 threads, interruption through the
 * progress callback, and errors naming the site. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "georeach/georeach.h"

static double area_naive(struct reach_ctx *ctx, const struct reach_site *s, size_t n,
                         double R, double tol) {
  struct reach_geom *gs = calloc(n, sizeof *gs), all;
  for (size_t i = 0; i < n; i++) {
    struct reach_ring_spec sp = {.lat_deg = s[i].lat_deg, .lon_deg = s[i].lon_deg,
                                 .range_m = R, .tolerance_m = tol};
    struct reach_ring r;
    if (reach_ring_build(ctx, &sp, &r) != REACH_OK) return -1;
    gs[i] = r.geom;
  }
  double a = -1;
  if (reach_geom_union_all(ctx, gs, n, &all) == REACH_OK) a = reach_geom_area_m2(ctx, &all);
  reach_geom_clear(&all);
  for (size_t i = 0; i < n; i++) reach_geom_clear(&gs[i]);
  free(gs);
  return a;
}

struct stop_at {
  int calls, stop;
};

static int stop_progress(double done, const char *msg, void *data) {
  (void)done;
  (void)msg;
  struct stop_at *s = data;
  return ++s->calls < s->stop;
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) return 1;
  /* 600 sites in a box: at 1,200 km most discs lie inside others (buried),
   * and 600 regions make more than one union run */
  enum { N = 600 };
  struct reach_site *s = calloc(N, sizeof *s);
  unsigned long long x = 20;
  for (size_t i = 0; i < N; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    s[i].lat_deg = 30 + 25 * (double)(x >> 11) / 9007199254740992.0;
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    s[i].lon_deg = 20 + 40 * (double)(x >> 11) / 9007199254740992.0;
    snprintf(s[i].name, sizeof s[i].name, "s%zu", i);
  }
  struct reach_ring_def def = {.range_m = 1200e3};
  struct reach_rings_job job;
  memset(&job, 0, sizeof job);
  job.sites = s;
  job.nsites = N;
  job.rings = &def;
  job.nrings = 1;
  job.tolerance_m = 10;
  job.threads = 1;
  struct reach_geom u1, u2;
  double err = -1;
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u1, &err, NULL, NULL) == REACH_OK, "union: %s",
        reach_errmsg(ctx));
  double a1 = reach_geom_area_m2(ctx, &u1);
  double a0 = area_naive(ctx, s, N, 1200e3, 10);
  CHECK(a0 > 0 && fabs(a1 - a0) <= 1e-9 * a0, "600 sites: %.6f km2 vs plain union %.6f km2",
        a1 / 1e6, a0 / 1e6);
  CHECK(err > 0 && err <= 10, "err_m %g within the tolerance", err);
  job.threads = 2;
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u2, NULL, NULL, NULL) == REACH_OK, "2 threads");
  CHECK(u1.npoints == u2.npoints && u1.npoints > 0 &&
            memcmp(u1.xy, u2.xy, 2 * u1.npoints * sizeof *u1.xy) == 0,
        "1 and 2 threads give the same vertices (%zu, %zu)", u1.npoints, u2.npoints);
  reach_geom_clear(&u1);
  reach_geom_clear(&u2);

  /* across +/-180 and round the North Pole */
  struct reach_site hard[5] = {{.name = "a", .lat_deg = -17.7, .lon_deg = 178.0},
                               {.name = "b", .lat_deg = -16.0, .lon_deg = -179.0},
                               {.name = "c", .lat_deg = 65.0, .lon_deg = 179.5},
                               {.name = "d", .lat_deg = 88.0, .lon_deg = 10.0},
                               {.name = "e", .lat_deg = 85.0, .lon_deg = -120.0}};
  job.sites = hard;
  job.nsites = 5;
  def.range_m = 2500e3;
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u1, NULL, NULL, NULL) == REACH_OK, "hard");
  a1 = reach_geom_area_m2(ctx, &u1);
  a0 = area_naive(ctx, hard, 5, 2500e3, 10);
  CHECK(a0 > 0 && fabs(a1 - a0) <= 1e-9 * a0, "+/-180 and pole: %.6f km2 vs %.6f km2", a1 / 1e6,
        a0 / 1e6);
  reach_geom_clear(&u1);

  /* interruption: at the first call, and midway */
  job.sites = s;
  job.nsites = N;
  def.range_m = 1200e3;
  job.threads = 1;
  struct stop_at st0 = {0, 1}, st1 = {0, 4}, all = {0, 1 << 30};
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u1, NULL, stop_progress, &st0) ==
                REACH_ERR_INTERRUPTED &&
            u1.npolys == 0,
        "progress 0 at once: interrupted, empty");
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u1, NULL, stop_progress, &st1) ==
                REACH_ERR_INTERRUPTED &&
            u1.npolys == 0 && st1.calls == 4,
        "progress 0 at the 4th call: interrupted (%d calls)", st1.calls);
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u1, NULL, stop_progress, &all) == REACH_OK &&
            all.calls > 10,
        "a long union calls progress often (%d calls for 600 sites)", all.calls);
  reach_geom_clear(&u1);

  /* errors */
  s[2].lat_deg = 95;
  CHECK(reach_rings_union_geom(ctx, &job, 0, &u1, NULL, NULL, NULL) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "site 3") != NULL,
        "a bad site is named: %s", reach_errmsg(ctx));
  s[2].lat_deg = 40;
  CHECK(reach_rings_union_geom(ctx, &job, 1, &u1, NULL, NULL, NULL) == REACH_ERR_ARG,
        "def out of range: %s", reach_errmsg(ctx));
  free(s);
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

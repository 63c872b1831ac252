/* The writers' own cost: N ring features of V vertices each written through
 * reach_writer_open/add/commit, with no ring tracing at all.
 *
 *   write_cost OUT N V [TOL_M]
 *
 * Each feature is a circle of V vertices (radius ~8 degrees, centre moving
 * over the globe so the R-tree sees distinct boxes) with real attributes;
 * TOL_M is the tolerance written in tol_m (default 10).  Prints on stdout
 * "seconds <s>" (open + adds + commit), "features <N>", "vertices <N*V>",
 * "s_per_mvert <s>", and the phase split "open_s", "add_s", "commit_s".
 * Build (from the build directory):
 *   cc -O2 -I../include write_cost.c libgeoreach.a $(pkg-config --libs gdal geos proj cairo fontconfig) -lpthread -lm */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "georeach/context.h"
#include "georeach/io.h"

/* absent from builds before it (scripts/bench write --build OLD) */
#pragma weak reach_ctx_set_write_tolerance

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: write_cost OUT N V [TOL_M]\n");
    return 2;
  }
  const char *out = argv[1];
  long n = atol(argv[2]), v = atol(argv[3]);
  double tol = argc > 4 ? atof(argv[4]) : 10;
  struct reach_ctx *ctx = reach_ctx_new();
  size_t poly_start[2] = {0, 1}, ring_start[2] = {0, (size_t)v + 1};
  double *xy = malloc(2 * (v + 1) * sizeof *xy);
  struct reach_geom g = {1, poly_start, 1, ring_start, (size_t)v + 1, xy};
  struct reach_writer *w;
  double t0 = now();
  /* as the commands do: GeoJSON prints the digits TOL_M needs */
  if (reach_ctx_set_write_tolerance) reach_ctx_set_write_tolerance(ctx, tol);
  if (reach_writer_open(ctx, out, NULL, 1, &w) != REACH_OK) {
    fprintf(stderr, "write_cost: %s\n", reach_errmsg(ctx));
    return 1;
  }
  double t1 = now();
  char site[32];
  for (long i = 0; i < n; i++) {
    double lat0 = -60 + fmod(i * 7.31, 120), lon0 = -170 + fmod(i * 37.7, 340);
    for (long k = 0; k <= v; k++) {
      double a = -2 * M_PI * (double)(k % v) / (double)v; /* counter-clockwise */
      xy[2 * k] = lon0 + 8 * sin(a + M_PI / 2) / cos(lat0 * M_PI / 180) * 0.5 +
                  1e-7 * (double)(i % 97);
      xy[2 * k + 1] = lat0 + 8 * cos(a + M_PI / 2) * 0.5;
    }
    snprintf(site, sizeof site, "site %ld", i);
    struct reach_feature f = {site, lat0, lon0, "KN-23", "nominal", 0, 885, 0, 0, 0,
                              tol, tol * 0.8, 123456.789};
    if (reach_writer_add(ctx, w, &f, &g) != REACH_OK) {
      fprintf(stderr, "write_cost: %s\n", reach_errmsg(ctx));
      reach_writer_abort(w);
      return 1;
    }
  }
  double t2 = now();
  if (reach_writer_commit(ctx, w) != REACH_OK) {
    fprintf(stderr, "write_cost: %s\n", reach_errmsg(ctx));
    return 1;
  }
  double t3 = now();
  printf("seconds %.3f\nfeatures %ld\nvertices %ld\ns_per_mvert %.3f\n", t3 - t0, n, n * v,
         (t3 - t0) / (n * v / 1e6));
  printf("open_s %.3f\nadd_s %.3f\ncommit_s %.3f\n", t1 - t0, t2 - t1, t3 - t2);
  free(xy);
  reach_ctx_free(ctx);
  return 0;
}

/* Cost of georeach's ring kernel alone: reach_ring_build() on every site of a
 * CSV, rings built in memory and freed, no output.
 *
 *   kernel_cost SITES.csv RANGE_M TOLERANCE_M [REPS]
 *
 * One thread.  Prints the best of REPS (default 3) runs: "seconds <s>",
 * "vertices <n>" (points of the built geometries, the count direct_cost.c
 * should be given), "rings <n>" and "err_max_m <e>" (the largest err_m).
 * Build: cc -O2 -Iinclude -o kernel_cost kernel_cost.c build/libgeoreach.a
 *        $(pkg-config --libs proj geos gdal cairo) -lm
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "georeach/ring.h"

/* CPU time of this thread: on a shared machine it does not count the time
 * spent waiting for a core, which wall time does. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s SITES.csv RANGE_M TOLERANCE_M [REPS]\n", argv[0]);
    return 2;
  }
  double range = atof(argv[2]), tol = atof(argv[3]);
  int reps = argc > 4 ? atoi(argv[4]) : 3;
  FILE *f = fopen(argv[1], "r");
  if (!f) { perror(argv[1]); return 2; }
  size_t cap = 1024, ns = 0;
  double *lat = malloc(cap * sizeof *lat), *lon = malloc(cap * sizeof *lon);
  char line[512];
  int header = 1;
  while (fgets(line, sizeof line, f)) {
    if (header) { header = 0; continue; }
    char *c1 = strchr(line, ',');
    if (!c1) continue;
    char *c2 = strchr(c1 + 1, ',');
    if (!c2) continue;
    if (ns == cap) {
      cap *= 2;
      lat = realloc(lat, cap * sizeof *lat);
      lon = realloc(lon, cap * sizeof *lon);
    }
    lat[ns] = atof(c1 + 1);
    lon[ns] = atof(c2 + 1);
    ns++;
  }
  fclose(f);
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) return 1;
  double best = 1e300, best_cpu = 1e300, errmax = 0;
  size_t verts = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = now(), c0 = cpu_now();
    verts = 0;
    for (size_t i = 0; i < ns; i++) {
      struct reach_ring_spec s = {0};
      struct reach_ring ring;
      s.lat_deg = lat[i];
      s.lon_deg = lon[i];
      s.range_m = range;
      s.tolerance_m = tol;
      if (reach_ring_build(ctx, &s, &ring) != REACH_OK) {
        fprintf(stderr, "site %zu: %s\n", i, reach_errmsg(ctx));
        return 1;
      }
      verts += ring.geom.npoints;
      if (ring.err_m > errmax) errmax = ring.err_m;
      reach_ring_clear(&ring);
    }
    double t = now() - t0, tc = cpu_now() - c0;
    if (t < best) best = t;
    if (tc < best_cpu) best_cpu = tc;
  }
  printf("seconds %.6f\ncpu_seconds %.6f\nvertices %zu\nrings %zu\nerr_max_m %.6g\n", best, best_cpu, verts, ns, errmax);
  reach_ctx_free(ctx);
  free(lat);
  free(lon);
  return 0;
}

/* A test helper: reach rings built by the library, printed in full for the
 * independent measurements of test_ring_kernel.py and test_ring_spectral.py
 * (pyproj, GeodSolve).  Lines on stdin:
 *   ring LAT LON RANGE_M MIN_RANGE_M TOL_M [AZ_FROM AZ_TO]
 *       prints "ring ERR_M AREA_M2 NPOLYS WHOLE N S", then per polygon
 *       "poly NRINGS", per ring "pts NPOINTS" and NPOINTS lines "LON LAT";
 *   circle LAT LON R_M TOL_M AZ...
 *       the spectral circle (ring_internal.h) at the azimuths: prints
 *       "circle NSAMPLES CHECK_M" and one "LAT LON" line per azimuth.
 * Errors print "error MESSAGE".  Every number with 17 digits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "georeach/georeach.h"
#include "geodesy/ring_internal.h"

static void ring(struct reach_ctx *ctx, char *args) {
  struct reach_ring_spec s = {0};
  struct reach_ring r;
  int n = sscanf(args, "%lf %lf %lf %lf %lf %lf %lf", &s.lat_deg, &s.lon_deg,
                 &s.range_m, &s.min_range_m, &s.tolerance_m, &s.az_from_deg,
                 &s.az_to_deg);
  if (n != 5 && n != 7) {
    printf("error bad ring line\n");
    return;
  }
  s.sector = n == 7;
  if (reach_ring_build(ctx, &s, &r) != REACH_OK) {
    printf("error %s\n", reach_errmsg(ctx));
    return;
  }
  const struct reach_geom *g = &r.geom;
  printf("ring %.17g %.17g %zu %d %d %d\n", r.err_m, r.area_m2, g->npolys,
         r.whole_globe, r.holds_north_pole, r.holds_south_pole);
  for (size_t p = 0; p < g->npolys; p++) {
    printf("poly %zu\n", g->poly_start[p + 1] - g->poly_start[p]);
    for (size_t k = g->poly_start[p]; k < g->poly_start[p + 1]; k++) {
      printf("pts %zu\n", g->ring_start[k + 1] - g->ring_start[k]);
      for (size_t i = g->ring_start[k]; i < g->ring_start[k + 1]; i++)
        printf("%.17g %.17g\n", g->xy[2 * i], g->xy[2 * i + 1]);
    }
  }
  reach_ring_clear(&r);
}

static void circle(struct reach_ctx *ctx, char *args) {
  double lat, lon, r, tol, az[4096], la[4096], lo[4096], chk = 0;
  int used = 0;
  if (sscanf(args, "%lf %lf %lf %lf%n", &lat, &lon, &r, &tol, &used) != 4) {
    printf("error bad circle line\n");
    return;
  }
  size_t n = 0;
  char *p = args + used, *end;
  for (;;) {
    double a = strtod(p, &end);
    if (end == p || n == 4096) break;
    az[n++] = a;
    p = end;
  }
  int ns = reach_spectral_circle(ctx, lat, lon, r, tol, az, n, la, lo, &chk);
  printf("circle %d %.17g\n", ns, chk);
  for (size_t i = 0; i < n; i++) printf("%.17g %.17g\n", la[i], lo[i]);
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  static char line[1 << 16];
  if (!ctx) return 1;
  while (fgets(line, sizeof line, stdin)) {
    if (!strncmp(line, "ring ", 5)) ring(ctx, line + 5);
    else if (!strncmp(line, "circle ", 7)) circle(ctx, line + 7);
    else printf("error unknown line\n");
    fflush(stdout);
  }
  reach_ctx_free(ctx);
  return 0;
}

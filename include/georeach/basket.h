/**
 * @file basket.h
 * @brief Launch baskets: where a launcher must stand to reach given targets.
 */
#ifndef GEOREACH_BASKET_H
#define GEOREACH_BASKET_H

#include "export.h"

#include <stddef.h>
#include "context.h"
#include "geom.h"
#include "io.h"
#include "rings.h"

REACH_BEGIN_DECLS

/**
 * The launch basket of @p def for @p targets.  Distance is symmetric, so the
 * basket of one target is its ring (with a ballistic def, the set of launch
 * points whose flight reaches the target: ballistic_to_centre); for several,
 * the intersection of their baskets (@p any: the union), clipped to
 * @p within when not NULL.
 *
 * @param progress called after each target (fraction done); returning 0
 *   stops with REACH_ERR_INTERRUPTED.  May be NULL.
 * @param[out] out the basket (possibly empty: npolys 0); caller clears it
 *   with reach_geom_clear().  Cleared on failure.
 * @param[out] err_m the largest boundary error of the rings used.
 */
enum reach_status reach_basket_build(struct reach_ctx *ctx,
                                     const struct reach_site *targets, size_t ntargets,
                                     const struct reach_ring_def *def, int any,
                                     const struct reach_geom *within, double tolerance_m,
                                     reach_progress_fn progress, void *progress_data,
                                     struct reach_geom *out, double *err_m);

REACH_END_DECLS
#endif

/**
 * @file query.h
 * @brief What-if queries: which targets are in range of which sites, at what
 * distance, azimuth and margin.
 *
 * Distances are shortest geodesic distances on the ellipsoid (the inverse
 * problem), never point-in-polygon tests.  Pairs far beyond every range are
 * skipped by a bound that needs no inverse problem: on the auxiliary sphere
 * of reduced latitude, the angle theta between two points brackets their
 * geodesic distance, b theta <= s <= a theta; a pair is skipped only when
 * 0.995 b theta exceeds the largest range.
 */
#ifndef GEOREACH_QUERY_H
#define GEOREACH_QUERY_H

#include "export.h"

#include <stddef.h>
#include "context.h"
#include "io.h"
#include "rings.h"

REACH_BEGIN_DECLS

/** A target: a point with a name and, for places, a population. */
struct reach_target {
  char name[REACH_NAME_LEN];
  double lat_deg, lon_deg;
  long population; /**< 0 when unknown */
  char country[4]; /**< ISO alpha-2 or "" */
};

/** One site x weapon x target answer. */
struct reach_query_row {
  size_t site, weapon, target; /**< indices into the caller's arrays */
  double dist_m;  /**< shortest geodesic distance */
  double az_deg;  /**< initial azimuth at the site, [0, 360) */
  double baz_deg; /**< azimuth of the geodesic at the target, [0, 360) */
  int in_range;   /**< min_range_m <= dist_m <= reach_m */
  double reach_m; /**< the range that way: range_m, or with a ballistic
                       weapon R(az_deg) of the model */
  double tof_s;   /**< flight time, seconds.  Ballistic: the flight of the
                       model's trajectory (its aim; default minimum-energy)
                       to the point at the target's azimuth az_deg and
                       distance dist_m (reach_ballistic_tof_along(), the
                       correspondence the rings use) when in range, else of
                       the longest flight along az_deg.  Circles: the same
                       for the weapon's tof_model (the non-rotating model of
                       its range) when in range, else NAN; NAN without one */
};

/** Called for every row; return 0 to stop (REACH_ERR_INTERRUPTED). */
typedef int (*reach_row_fn)(const struct reach_query_row *row, void *data);

/**
 * Every site x weapon x target row, site-major then weapon then target.
 * With @p in_range_only only rows in range are reported.  A weapon with a
 * ballistic model (reach_ring_def.ballistic) is judged by its reach along
 * the azimuth to each target, R(az) (ballistic.h), with flight times; a site
 * from which its flights can pass the antipode is refused (REACH_ERR_ARG).
 */
enum reach_status reach_query_rows(struct reach_ctx *ctx,
                                   const struct reach_site *sites, size_t nsites,
                                   const struct reach_ring_def *weapons,
                                   size_t nweapons,
                                   const struct reach_target *targets,
                                   size_t ntargets, int in_range_only,
                                   reach_row_fn fn, void *data);

/**
 * For every target (in order), the nearest site x weapon that reaches it, or,
 * when none does, the nearest site (with in_range 0 and the weapon whose
 * range falls least short) -- unless @p in_range_only, which leaves such
 * targets out.  Ties go to the first site.  Sites are looked up in z order
 * on the auxiliary sphere and exact inverses stop once b theta passes the
 * best distance; targets are shared among @p threads threads (<= 0: one per
 * core) and reported in order.  Circular weapons only (REACH_ERR_ARG for a
 * ballistic one).
 */
enum reach_status reach_query_nearest(struct reach_ctx *ctx,
                                      const struct reach_site *sites,
                                      size_t nsites,
                                      const struct reach_ring_def *weapons,
                                      size_t nweapons,
                                      const struct reach_target *targets,
                                      size_t ntargets, int in_range_only,
                                      int threads, reach_row_fn fn, void *data);

/**
 * For every target (in order), the site x weapon whose flight arrives first
 * (least tof_s) among those that reach it: warning time, not distance.
 * Weapons need a model for the time (ballistic, or a circle's tof_model);
 * one without gives no time and is never chosen.  When none reaches the
 * target it is reported as reach_query_nearest() would (the nearest site,
 * the weapon falling least short, in_range 0), unless @p in_range_only.
 * Every site is tried (exact inverse problems past the same bound as
 * reach_query_rows()), one thread: meant for tens of sites, not millions.
 */
enum reach_status reach_query_earliest(struct reach_ctx *ctx,
                                       const struct reach_site *sites, size_t nsites,
                                       const struct reach_ring_def *weapons,
                                       size_t nweapons,
                                       const struct reach_target *targets,
                                       size_t ntargets, int in_range_only,
                                       reach_row_fn fn, void *data);

REACH_END_DECLS
#endif

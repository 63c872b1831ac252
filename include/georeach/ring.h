/**
 * @file ring.h
 * @brief Geodesic reach rings: discs, annuli and sectors on the ellipsoid.
 *
 * The reach ring of a centre C, a range R and a minimum range R0 is the set of
 * points P whose shortest geodesic distance s(C, P) satisfies R0 <= s <= R,
 * optionally restricted to the initial azimuths from C in a sector.  It is
 * returned as a MultiPolygon with straight lon/lat edges whose every point lies
 * within tolerance_m of the true boundary (the circles s = R, s = R0 and the
 * sector's radial geodesics), cut at the antimeridian and closed along the
 * pole line where the ring holds a pole.  The hard cases have defined answers:
 *  - a ring that holds a pole is closed along lat = +/-90;
 *  - a ring larger than a hemisphere is the Earth less a cap round the
 *    antipode; within 100 km of the antipodal distance the boundary is found
 *    from the inverse problem (the direct one no longer gives the shortest
 *    path there);
 *  - R at or beyond reach_antipodal_distance_m() is the whole Earth.
 */
#ifndef GEOREACH_RING_H
#define GEOREACH_RING_H

#include "export.h"

#include "context.h"
#include "geom.h"

struct reach_ballistic;

REACH_BEGIN_DECLS

/** Smallest and largest tolerance accepted, metres. */
#define REACH_TOLERANCE_MIN_M 0.1
#define REACH_TOLERANCE_MAX_M 100000.0
/** Default tolerance of the command line, metres. */
#define REACH_TOLERANCE_DEFAULT_M 10.0

/** What to build. */
struct reach_ring_spec {
  double lat_deg;      /**< centre latitude, [-90, 90] */
  double lon_deg;      /**< centre longitude, any finite value */
  double range_m;      /**< R, > 0 */
  double min_range_m;  /**< R0, in [0, R); 0 for a disc */
  int sector;          /**< nonzero: restrict to azimuths az_from..az_to */
  double az_from_deg;  /**< sector start, degrees clockwise from north */
  double az_to_deg;    /**< sector end; the sector runs clockwise from
                            az_from to az_to, wrapping through north when
                            az_to < az_from; az_to = az_from + 360 is full */
  double tolerance_m;  /**< error budget, [REACH_TOLERANCE_MIN_M,
                            REACH_TOLERANCE_MAX_M] */
  const struct reach_ballistic *ballistic; /**< NULL: the geodesic circle of
                            range_m.  Else the outer boundary is the ballistic
                            model's reach R(beta) (reach_ballistic_reach(),
                            ballistic.h) laid off along each azimuth beta from
                            the centre as a geodesic distance, traced to the
                            same tolerance with the model evaluated at every
                            vertex; range_m is then only checked against
                            min_range_m.  Discs and annuli only (no sectors);
                            refused where flights can pass the antipode or the
                            reach comes within 100 km of the antipodal
                            distance */
  int ballistic_to_centre; /**< with ballistic: the launch basket instead,
                            the points from which the centre is within the
                            model's reach: along each azimuth alpha from the
                            centre the distance d where a launch from
                            P(alpha, d) reaches the centre exactly
                            (R_P(azimuth P->centre) = d, solved by the secant
                            method to 0.1 mm) */
  double tof_max_s;        /**< with ballistic (not the basket): > 0 draws the
                            isochrone of this flight time instead of the
                            reach, the points reached within tof_max_s of
                            burnout by the model's trajectory (its aim):
                            along each azimuth R_t(beta) of
                            reach_ballistic_isochrone(), laid off as a
                            geodesic distance and traced to the tolerance
                            like the reach (err_m: the radial distance to
                            the true isochrone).  At or beyond the flight
                            time to the reach boundary it is that boundary.
                            0: the reach */
};

/** A built ring. */
struct reach_ring {
  struct reach_geom geom; /**< the region, see geom.h */
  double area_m2;         /**< reach_geom_area_m2() of geom */
  double err_m;           /**< largest boundary error found, metres: the
                               distance to the true boundary of the midpoint
                               of every edge (first order in the edge's
                               deviation, exact within 1 degree of a pole);
                               0 for the whole globe */
  int whole_globe;        /**< 1 if the ring is the whole Earth */
  int holds_north_pole;   /**< 1 if the North Pole is in the ring */
  int holds_south_pole;   /**< 1 if the South Pole is in the ring */
  double reach_min_m;     /**< ballistic: least and greatest R(beta) at the */
  double reach_max_m;     /**< vertices; else range_m twice */
};

/**
 * Check a spec without building it.
 * @return REACH_OK or REACH_ERR_ARG with a message naming the bad value.
 */
enum reach_status reach_ring_check(struct reach_ctx *ctx,
                                   const struct reach_ring_spec *spec);

/**
 * Build the ring of @p spec into @p out.
 *
 * @return REACH_OK, or an error status with reach_errmsg() set; on error
 *   @p out is left empty.  Caller is responsible for freeing @p out with
 *   reach_ring_clear().
 */
enum reach_status reach_ring_build(struct reach_ctx *ctx,
                                   const struct reach_ring_spec *spec,
                                   struct reach_ring *out);

/** Free what reach_ring_build() allocated in @p ring; NULL is a no-op. */
void reach_ring_clear(struct reach_ring *ring);

REACH_END_DECLS
#endif

/**
 * @file geom.h
 * @brief The polygon type libgeoreach returns, and its area on the ellipsoid.
 */
#ifndef GEOREACH_GEOM_H
#define GEOREACH_GEOM_H

#include "export.h"

#include <stddef.h>
#include "context.h"

REACH_BEGIN_DECLS

/**
 * A MultiPolygon in longitude/latitude degrees on the context's ellipsoid,
 * read (like GeoJSON and QGIS read it) with straight edges in lon/lat.
 *
 * Polygon p has rings ring_start .. ring_end: rings[poly_start[p]] up to
 * rings[poly_start[p+1]-1]; the first is the exterior (counter-clockwise), the
 * others holes (clockwise).  Ring r has points xy[2*k], xy[2*k+1] (lon, lat) for
 * k in [ring_start[r], ring_start[r+1]); each ring is closed (last point equals
 * first).  Every longitude is in [-180, 180] and every latitude in [-90, 90].
 * An empty geometry has npolys == 0.
 */
struct reach_geom {
  size_t npolys;
  size_t *poly_start; /**< npolys + 1 entries, indices into ring_start */
  size_t nrings;
  size_t *ring_start; /**< nrings + 1 entries, indices into points */
  size_t npoints;
  double *xy;         /**< 2 * npoints doubles: lon, lat, lon, lat, ... */
};

/** Free the arrays of a geometry and zero it; NULL is a no-op. */
void reach_geom_clear(struct reach_geom *geom);

/**
 * Area on the ellipsoid of the region a reader sees (straight lon/lat edges),
 * in m^2: exact for such edges up to rounding (the area between an edge and
 * the equator is integrated in authalic latitude with Simpson's rule, whose
 * error is below 1e-9 relative for edges shorter than a degree).
 */
double reach_geom_area_m2(const struct reach_ctx *ctx,
                          const struct reach_geom *geom);

REACH_END_DECLS
#endif

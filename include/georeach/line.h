/**
 * @file line.h
 * @brief Geodesic lines as a reader draws them: radials (lines of bearing)
 * and site-to-target paths, densified by the error a reader sees and cut at
 * the antimeridian.
 *
 * A reader (GeoJSON, QGIS, Google Earth) joins vertices with straight lines
 * in lon/lat.  Every point of such a chord lies within tolerance_m of the
 * true geodesic (the controller checks the middle of each chord, and its
 * quarters too above 60 degrees of latitude or past 50 km; no chord is
 * longer than 100 km).  Lines that
 * cross +/-180 are cut there (the crossing found on the geodesic itself, to
 * 1e-9 degree) into parts whose longitudes all lie in [-180, 180]; a line
 * through a pole is cut at the pole, where its longitude jumps by 180.
 */
#ifndef GEOREACH_LINE_H
#define GEOREACH_LINE_H

#include "export.h"

#include <stddef.h>
#include "context.h"

REACH_BEGIN_DECLS

/**
 * A MultiLineString in longitude/latitude degrees: part i has the points
 * xy[2*k], xy[2*k+1] (lon, lat) for k in [line_start[i], line_start[i+1]),
 * at least two each.  Every longitude is in [-180, 180].
 */
struct reach_lines {
  size_t nlines;
  size_t *line_start; /**< nlines + 1 entries */
  size_t npoints;
  double *xy;         /**< 2 * npoints doubles */
};

/** Free the arrays of @p lines and zero it; NULL is a no-op. */
void reach_lines_clear(struct reach_lines *lines);

/**
 * The geodesic leaving (lat_deg, lon_deg) at azimuth az_deg (clockwise from
 * north), from distance from_m to to_m along it (0 <= from_m < to_m <= 2 x
 * the half meridian): a radial of a ring, from its minimum range (0 for a
 * disc) to its range.  Past about 19,970 km the geodesic is no longer the
 * shortest path, so the end of a radial that long is not on the ring's edge.
 *
 * @param tol_m the error budget, [REACH_TOLERANCE_MIN_M, REACH_TOLERANCE_MAX_M].
 * @param out filled (caller frees with reach_lines_clear()).
 * @param err_m when not NULL, the largest chord error the controller measured.
 * @return REACH_OK; REACH_ERR_ARG for a value out of range; REACH_ERR_NOMEM.
 */
enum reach_status reach_line_radial(struct reach_ctx *ctx, double lat_deg, double lon_deg,
                                    double az_deg, double from_m, double to_m, double tol_m,
                                    struct reach_lines *out, double *err_m);

/**
 * The shortest geodesic from (lat1_deg, lon1_deg) to (lat2_deg, lon2_deg)
 * (GeographicLib's inverse problem), its last vertex exactly the second
 * point (its longitude brought into [-180, 180]).  Two equal points give one
 * part of two equal vertices.  Arguments and result as reach_line_radial().
 */
enum reach_status reach_line_between(struct reach_ctx *ctx, double lat1_deg,
                                     double lon1_deg, double lat2_deg, double lon2_deg,
                                     double tol_m, struct reach_lines *out, double *err_m);

REACH_END_DECLS
#endif

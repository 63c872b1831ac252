/**
 * @file parse.h
 * @brief Parsing what people type: distances with units, coordinates,
 * azimuth ranges.
 *
 * Each parser reads the whole string (surrounding blanks allowed) or fails
 * with REACH_ERR_ARG and a message quoting the text.  None allocates.
 */
#ifndef GEOREACH_PARSE_H
#define GEOREACH_PARSE_H

#include "export.h"

#include <stddef.h>
#include "context.h"

REACH_BEGIN_DECLS

/**
 * A distance: a number and an optional unit, "885km", "550 mi", "478nmi",
 * "885000m", "2900ft".  A bare number is in @p default_unit ("km" on the
 * command line).  Unit factors come from PROJ's database (EPSG units).
 *
 * @param[out] m the distance in metres (finite, may be negative or zero: the
 *   caller decides what is allowed).
 */
enum reach_status reach_parse_distance(struct reach_ctx *ctx, const char *text,
                                       const char *default_unit, double *m);

/**
 * A point "LAT,LON": each part decimal degrees ("50.6"), with a hemisphere
 * letter ("50.6N", "36.6E", "S33.9") or DMS ("50d36'00\"N",
 * "50°36'N", "50 36 00N"); DMS is parsed by PROJ's proj_dmstor().  An optional
 * label is written before '=': "Launcher A=50.6,36.6".
 *
 * Detected mistakes are errors: a latitude outside [-90, 90] (with a hint when
 * the two look swapped), a part with the wrong hemisphere letter (E/W first),
 * a longitude outside [-540, 540].
 *
 * @param[out] lat_deg, lon_deg the point; lon in [-180, 180].
 * @param[out] label the label copied here (NUL-terminated, truncated to
 *   label_len - 1), or "" when there is none; may be NULL.
 */
enum reach_status reach_parse_latlon(struct reach_ctx *ctx, const char *text,
                                     double *lat_deg, double *lon_deg,
                                     char *label, size_t label_len);

/**
 * An azimuth range "FROM:TO", degrees clockwise from north, e.g. "300:60"
 * (wraps through north), "0:360" (full circle).
 */
enum reach_status reach_parse_azimuths(struct reach_ctx *ctx, const char *text,
                                       double *from_deg, double *to_deg);

/** The smallest range (and nonzero minimum range) a ring is built for, m. */
#define REACH_MIN_RANGE_M 0.1

/**
 * Whether a range and minimum range are large enough to build a ring: a
 * range (or nonzero minimum range) below REACH_MIN_RANGE_M is
 * REACH_ERR_ARG naming the smallest range.  Other checks (positive, finite,
 * minimum below range) are reach_ring_check()'s.
 */
enum reach_status reach_range_check(struct reach_ctx *ctx, double range_m,
                                    double min_range_m);

REACH_END_DECLS
#endif

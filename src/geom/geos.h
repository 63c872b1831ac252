/* The one boundary between libgeoreach and GEOS (src/geom/ only): the
 * context's handle and the reach_geom <-> GEOS converters. */
#ifndef GEOREACH_GEOM_GEOS_H
#define GEOREACH_GEOM_GEOS_H

#include <geos_c.h>

#include "core/internal.h"

/* A MultiPolygon of @p g (NULL when GEOS fails or memory runs out; nothing
 * is leaked then).  Caller frees it with GEOSGeom_destroy_r(). */
GEOSGeometry *reach_geom_to_geos(struct reach_ctx *ctx, const struct reach_geom *g);

/* Take @p g (destroyed in every case) into @p out, cut at +/-180 and closed
 * over the poles as every region is.  Caller clears @p out. */
enum reach_status reach_geom_from_geos(struct reach_ctx *ctx, GEOSGeometry *g,
                                       struct reach_geom *out);

/* A valid polygonal GEOS geometry from WKB in lon/lat (repaired with
 * GEOSMakeValid when it is not valid); NULL when it is not polygonal or
 * cannot be read.  Caller frees it with GEOSGeom_destroy_r(). */
GEOSGeometry *reach_geos_from_wkb(struct reach_ctx *ctx, const unsigned char *wkb,
                                  size_t len);

#endif

/* A set of polygonal areas held by GEOS (countries, territories), for the
 * data layer, which reads them through io/ and never sees GEOS. */
#ifndef GEOREACH_GEOM_POLYSET_H
#define GEOREACH_GEOM_POLYSET_H

#include <stddef.h>

#include "core/internal.h"

struct reach_polyset;

/* An empty set, or NULL when memory runs out.  Free with reach_polyset_free(). */
struct reach_polyset *reach_polyset_new(void);
void reach_polyset_free(struct reach_ctx *ctx, struct reach_polyset *ps);

/* Add the polygon or multipolygon of @p wkb (lon/lat; repaired when invalid),
 * with its bounding box.  Returns its index, -1 when the geometry is not
 * polygonal or unreadable (nothing added), -2 when memory runs out.  With
 * @p prepare the member is also prepared for repeated intersection tests and
 * its area on the ellipsoid computed. */
long reach_polyset_add_wkb(struct reach_ctx *ctx, struct reach_polyset *ps,
                           const unsigned char *wkb, size_t len, const double box[4],
                           int prepare);

size_t reach_polyset_count(const struct reach_polyset *ps);

/* Area on the ellipsoid of member @p i (m^2; 0 unless added with prepare). */
double reach_polyset_area_m2(const struct reach_polyset *ps, size_t i);

/* The union of every member, cut and closed like every region.  Caller
 * clears @p out. */
enum reach_status reach_polyset_union(struct reach_ctx *ctx, const struct reach_polyset *ps,
                                      struct reach_geom *out);

/* For each member, the area (m^2) of its part inside @p region into
 * area_in[i] (0 when they do not meet).  Members are tested by box first. */
enum reach_status reach_polyset_areas_in(struct reach_ctx *ctx, const struct reach_polyset *ps,
                                         const struct reach_geom *region, double *area_in);

/* The members as GEOS geometries (GEOSGeometry *), owned by the set: for
 * drawing (render/ passes them back to geom/ only). */
void *const *reach_polyset_members(const struct reach_polyset *ps);

/* The polygon or multipolygon of @p wkb (lon/lat; repaired when invalid) as
 * a region, cut at +/-180 and closed over the poles like every region.
 * REACH_ERR_DATA when it is not polygonal.  Caller clears @p out. */
enum reach_status reach_geom_from_polygon_wkb(struct reach_ctx *ctx, const unsigned char *wkb,
                                              size_t len, struct reach_geom *out);

#endif

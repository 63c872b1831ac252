/* Reprojection to WGS84 that refuses coordinates a transformation cannot
 * take (see transform.c). */
#ifndef GEOREACH_IO_TRANSFORM_H
#define GEOREACH_IO_TRANSFORM_H

#include <stddef.h>

#include "core/internal.h"

/* Transform an OGR geometry (OGRGeometryH) in place to WGS84 with @p ct
 * (OGRCoordinateTransformationH), refusing vertices far outside the source
 * CRS's area of use or not finite (GDAL can loop forever on them): on
 * failure REACH_ERR_DATA naming @p source (redacted) and feature @p fid
 *. */
enum reach_status reach_geom_to_wgs84(struct reach_ctx *ctx, void *ct, void *geom,
                                      const char *source, long long fid);

/* A transformation to WGS84 (lon, lat order) with the box of source
 * coordinates it is trusted with. */
struct reach_guard {
  void *ct;      /* OGRCoordinateTransformationH, the caller's */
  void *inv;     /* its inverse (owned), for the round trip */
  double box[4]; /* xmin, ymin, xmax, ymax in the source CRS */
  char crs[64];  /* "EPSG:3857" or "the layer's CRS" */
};

/* Fill @p gd for @p ct (OGRCoordinateTransformationH; not owned). */
void reach_guard_init(struct reach_guard *gd, void *ct);
void reach_guard_free(struct reach_guard *gd);

/* Transform one point in place; 0 with the reason in @p why (naming the
 * point) when it lies outside the box, is not finite, cannot be
 * transformed, or (round_trip) does not transform back to itself. */
int reach_guard_point(struct reach_guard *gd, double *x, double *y, int round_trip,
                      char *why, size_t len);

#endif

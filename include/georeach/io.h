/**
 * @file io.h
 * @brief Reading launch sites and writing ring layers, through GDAL/OGR.
 */
#ifndef GEOREACH_IO_H
#define GEOREACH_IO_H

#include <stddef.h>
#include "context.h"
#include "geom.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REACH_NAME_LEN 128

/** A launch site. */
struct reach_site {
  char name[REACH_NAME_LEN]; /**< label ("" when none was given) */
  double lat_deg, lon_deg;
};

/**
 * Read sites from any GDAL vector source: a CSV (or .tsv/.txt) with latitude
 * and longitude columns (lat/latitude/y and lon/lng/long/longitude/x, any case;
 * values in any form reach_parse_latlon() accepts for one coordinate) and an
 * optional name/site/label/id column, or a point layer of any format (first
 * layer; reprojected to WGS84 when it has another CRS).  Rows without a name
 * are called "site N".
 *
 * @param skip_bad nonzero: rows with bad coordinates are skipped and counted
 *   in @p nskipped (may be NULL) instead of failing.
 * @return REACH_OK; REACH_ERR_IO if the file cannot be opened; REACH_ERR_DATA
 *   naming the row and the value that is wrong.  Caller is responsible for
 *   freeing *sites with free().
 */
enum reach_status reach_sites_read(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_site **sites,
                                   size_t *n, size_t *nskipped);

/** The attributes of one ring feature (field names fit shapefiles). */
struct reach_feature {
  const char *site;    /**< "site" */
  double site_lat;     /**< "site_lat", degrees */
  double site_lon;     /**< "site_lon", degrees */
  const char *missile; /**< "missile", "" when none */
  const char *band;    /**< "band": nominal/low/high, "" when none */
  double min_km;       /**< "min_km" */
  double range_km;     /**< "range_km" */
  int sector;          /**< 0: "az_from", "az_to" are null */
  double az_from;      /**< "az_from", degrees */
  double az_to;        /**< "az_to", degrees */
  double tol_m;        /**< "tol_m", the tolerance asked for */
  double err_m;        /**< "err_m", the error achieved */
  double area_km2;     /**< "area_km2", on the ellipsoid */
};

struct reach_writer;

/**
 * Start writing a ring layer to @p path ("-" for GeoJSON on standard
 * output).  The format comes from @p driver (a GDAL short name) or, when NULL,
 * from the extension: .geojson/.json (RFC 7946), .gpkg, .shp, .kml, .fgb,
 * .csv (geometry as WKT).  Everything is written into a temporary folder next
 * to @p path and moved into place by reach_writer_commit(); an existing file
 * is refused unless @p overwrite.
 *
 * @return REACH_OK; REACH_ERR_ARG for an unknown format; REACH_ERR_IO when the
 *   folder cannot be written or the file exists.  On success caller is
 *   responsible for finishing with reach_writer_commit() or
 *   reach_writer_abort().
 */
enum reach_status reach_writer_open(struct reach_ctx *ctx, const char *path,
                                    const char *driver, int overwrite,
                                    struct reach_writer **w);

/** One row of a what-if query (see query.h), with the target's position. */
struct reach_query_feature {
  const char *site, *missile, *target;
  double dist_km, az_deg, baz_deg, range_km, min_km, margin_km;
  int in_range;
  double target_lat, target_lon;
};

/**
 * Like reach_writer_open(), for a point layer "query" of query rows: fields
 * site, missile, target, dist_km, az_deg, baz_deg, range_km, min_km,
 * margin_km, in_range (0/1); the geometry is the target.
 */
enum reach_status reach_writer_open_query(struct reach_ctx *ctx, const char *path,
                                          const char *driver, int overwrite,
                                          struct reach_writer **w);

/** Append one query row to a writer from reach_writer_open_query(). */
enum reach_status reach_writer_add_query(struct reach_ctx *ctx,
                                         struct reach_writer *w,
                                         const struct reach_query_feature *q);

/** One launch basket (where a launcher must stand to reach the targets). */
struct reach_basket_feature {
  const char *targets; /**< target names, "; " between them */
  const char *missile, *band;
  double min_km, range_km;
  int any;             /**< 0: reaches all targets, 1: at least one */
  const char *within;  /**< territory clipped to, "" for none */
  double tol_m, err_m, area_km2;
};

/** Like reach_writer_open(), for a layer "basket" of launch baskets. */
enum reach_status reach_writer_open_basket(struct reach_ctx *ctx, const char *path,
                                           const char *driver, int overwrite,
                                           struct reach_writer **w);

/** Append one basket to a writer from reach_writer_open_basket(). */
enum reach_status reach_writer_add_basket(struct reach_ctx *ctx,
                                          struct reach_writer *w,
                                          const struct reach_basket_feature *b,
                                          const struct reach_geom *geom);

/**
 * Like reach_writer_open(), for a layer "coverage" of dissolved rings:
 * missile, band, min_km, range_km, az_from, az_to, sites (how many sites
 * contributed), tol_m, err_m, area_km2.
 */
enum reach_status reach_writer_open_coverage(struct reach_ctx *ctx, const char *path,
                                             const char *driver, int overwrite,
                                             struct reach_writer **w);

/** Append one coverage feature (the site fields of @p f are not used). */
enum reach_status reach_writer_add_coverage(struct reach_ctx *ctx,
                                            struct reach_writer *w,
                                            const struct reach_feature *f, long sites,
                                            const struct reach_geom *geom);

/** Append one feature. */
enum reach_status reach_writer_add(struct reach_ctx *ctx, struct reach_writer *w,
                                   const struct reach_feature *f,
                                   const struct reach_geom *geom);

/**
 * Close the layer and move the files into place.  Frees @p w whatever the
 * result; on failure nothing is left at the destination that was not there
 * before.
 */
enum reach_status reach_writer_commit(struct reach_ctx *ctx,
                                      struct reach_writer *w);

/** Drop everything written; frees @p w.  NULL is a no-op. */
void reach_writer_abort(struct reach_writer *w);

/** Number of features added so far. */
size_t reach_writer_count(const struct reach_writer *w);

#ifdef __cplusplus
}
#endif
#endif

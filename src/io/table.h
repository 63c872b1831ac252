/* Reading any GDAL vector source row by row without seeing GDAL: the data
 * layer (catalogue, gazetteer, countries, territories) reads through this. */
#ifndef GEOREACH_IO_TABLE_H
#define GEOREACH_IO_TABLE_H

#include <stddef.h>

#include "core/internal.h"

struct reach_table;

/* Open the first layer of @p path.  @p drivers (NULL-terminated, or NULL for
 * any) limits the drivers tried; @p options are the driver's open options
 * ("KEY=VALUE", NULL-terminated, or NULL).  Geometries are handed out in
 * lon/lat on WGS84, transformed from the layer's CRS when it has another.
 * @p what names the source in messages ("the gazetteer").  Caller closes
 * *out with reach_table_close(). */
enum reach_status reach_table_open(struct reach_ctx *ctx, const char *path,
                                   const char *what, const char *const *drivers,
                                   const char *const *options, struct reach_table **out);

/* Number of rows, or -1 when the driver cannot tell without reading. */
long long reach_table_count(struct reach_table *t);

/* Index of the field named @p name (any case), or -1. */
int reach_table_field(const struct reach_table *t, const char *name);

/* Move to the next row: 1, or 0 at the end. */
int reach_table_next(struct reach_table *t);

/* The current row's field as text ("" when unset, null or @p field < 0).
 * Valid until the next reach_table_next(). */
const char *reach_table_text(const struct reach_table *t, int field);

/* The current row's geometry as little-endian ISO WKB in lon/lat, and its
 * bounding box (lon min, lat min, lon max, lat max) when @p box is not NULL;
 * NULL when the row has none (*st REACH_OK) or its coordinates cannot be
 * taken to WGS84 (*st REACH_ERR_DATA naming the row, or out of memory).
 * Valid until the next reach_table_next(). */
const unsigned char *reach_table_wkb(struct reach_ctx *ctx, struct reach_table *t, size_t *len,
                                     double box[4], enum reach_status *st);

/* The current row's geometry kind: 0 point(s), 1 line(s), 2 polygon(s),
 * -1 none, empty or anything else (collections, curves). */
int reach_table_dim(const struct reach_table *t);

/* The current row's points or lines (reach_table_dim() 0 or 1) in lon/lat:
 * part p is xy points (*start)[p] .. (*start)[p+1]; a multipoint gives one
 * part per point.  Polygons and other kinds give no parts (use
 * reach_table_wkb()).  Caller frees *start with free() and keeps @p xy. */
enum reach_status reach_table_parts(struct reach_ctx *ctx, struct reach_table *t,
                                    struct reach_pts *xy, size_t **start, size_t *nparts);

/* The name of the layer read. */
const char *reach_table_layer_name(const struct reach_table *t);

/* Close; NULL is a no-op. */
void reach_table_close(struct reach_table *t);

#endif

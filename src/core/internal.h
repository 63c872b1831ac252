/* Internal definitions shared by the library's source files. */
#ifndef GEOREACH_INTERNAL_H
#define GEOREACH_INTERNAL_H

#include <stddef.h>
#include <geodesic.h>
#include "georeach/context.h"
#include "georeach/geom.h"

#define REACH_ERRMSG_LEN 1024

struct reach_unit {
  const char *abbr; /* as typed: "km" */
  double to_m;      /* metres per unit, from PROJ's database */
};

struct reach_ctx {
  struct geod_geodesic g;
  double a, f, b, e2, e; /* ellipsoid: radius, flattening, minor axis, e^2, e */
  double half_meridian_m;
  double area_total_m2;
  void *geos;            /* GEOSContextHandle_t; only cut.c looks inside */
  struct reach_unit units[8];
  struct reach_gazetteer *gaz; /* loaded on first use */
  struct reach_countries *countries; /* loaded on first use (overlay.c) */
  int nunits;
  enum reach_status status;
  char msg[REACH_ERRMSG_LEN];
  int (*cancelled)(void *data); /* reach_ctx_set_cancel() */
  void *cancel_data;
};

/* Set the context's error and return status (printf-style message). */
enum reach_status reach_fail(struct reach_ctx *ctx, enum reach_status status,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A growable list of lon/lat points. */
struct reach_pts {
  double *xy;
  size_t n, cap;
};
int reach_pts_push(struct reach_pts *p, double lon, double lat);
void reach_pts_free(struct reach_pts *p);

/* Area between a latitude and the equator per radian of longitude, m^2. */
double reach_lat_area(const struct reach_ctx *ctx, double lat_deg);

/* Signed planar-measure area on the ellipsoid of one closed lon/lat ring
 * (counter-clockwise positive), m^2.  The ring may or may not repeat its
 * first point; longitudes may be unrolled past +/-180. */
double reach_ring_area_signed(const struct reach_ctx *ctx, const double *xy,
                              size_t n);

/* Geometry assembly (cut.c): turn closed boundary curves, drawn in an unrolled
 * lon/lat plane, into a MultiPolygon in [-180,180] x [-90,90]. */
struct reach_region;
struct reach_region *reach_region_from_curve(struct reach_ctx *ctx,
                                             const double *xy, size_t n,
                                             int winding, int poles_inside,
                                             int pole);
struct reach_region *reach_region_world(struct reach_ctx *ctx);
struct reach_region *reach_region_difference(struct reach_ctx *ctx,
                                             struct reach_region *a,
                                             struct reach_region *b);
/* A region taking ownership of a GEOS geometry (GEOSGeometry *). */
struct reach_region *reach_region_from_geos(struct reach_ctx *ctx, void *g);
int reach_region_to_geom(struct reach_ctx *ctx, struct reach_region *r,
                         struct reach_geom *out);
void reach_region_free(struct reach_ctx *ctx, struct reach_region *r);
/* Drop from g the rings that rounding to step_deg (the coarsest precision a
 * writer uses: GeoJSON's 1e-9 degrees) would make invalid, if no wider than
 * max_m across (larger ones, valid at full precision, are kept): a hole
 * goes alone, a shell with its holes.  *dropped_m: the largest diameter
 * dropped (0: none), an error bound the caller adds to the ring's.  0 on
 * failure. */
int reach_geom_drop_unrepresentable(struct reach_ctx *ctx, struct reach_geom *g,
                                    double step_deg, double max_m,
                                    double *dropped_m);

/* One coordinate value as reach_parse_latlon() reads each part; 0 if it is
 * not one or is out of range for a latitude (latitude != 0) or longitude. */
int reach_coord_value(const char *text, int latitude, double *deg);

/* Register GDAL's drivers once per process (the I/O files call it). */
void reach_gdal_init(void);

/* Whether a source or destination is a PostgreSQL connection ("PG:..."). */
int reach_is_pg(const char *path);
/* A GDAL error message on one line (PostgreSQL's: its ERROR: line). */
void reach_one_line(const char *msg, char *buf, size_t size);

struct reach_gazetteer;
void reach_gazetteer_free(struct reach_gazetteer *g);
struct reach_countries;
void reach_countries_free(struct reach_ctx *ctx, struct reach_countries *c);
/* The bundled countries (loaded on first use, owned by the context): *n
 * valid GEOS polygons or multipolygons (GEOSGeometry *) in lon/lat, and
 * their names. */
enum reach_status reach_countries_geos(struct reach_ctx *ctx, void *const **geoms,
                                       const char (**names)[64], size_t *n);

/* Levenshtein distance for suggestions (99 for strings over 63 bytes). */
size_t reach_edit_distance(const char *a, const char *b);

/* An MGRS reference to the centre of its square; 0 if it is not one. */
int reach_mgrs(const char *text, double *lat, double *lon);

/* Unit vector of (reduced latitude, longitude): on this auxiliary sphere the
 * angle theta between two points brackets their geodesic distance,
 * b theta <= s <= a theta (query.c). */
void reach_unit_reduced(const struct reach_ctx *ctx, double lat, double lon, double u[3]);

#endif

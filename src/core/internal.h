/* Internal definitions shared by the library's source files. */
#ifndef GEOREACH_INTERNAL_H
#define GEOREACH_INTERNAL_H

#include <stddef.h>
#include <geodesic.h>
#include "georeach/context.h"
#include "georeach/geom.h"
#include "georeach/line.h" /* struct reach_lines, reach_lines_clear() (core/context.c) */

#define REACH_ERRMSG_LEN 1024

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
/** Radians per degree: the one definition of the library. */
#define DEG (M_PI / 180)

/* Caches attached to a context; freed last to first, so GEOS goes last. */
enum reach_slot {
  REACH_SLOT_GEOS,      /* geom/geos.c */
  REACH_SLOT_COUNTRIES, /* data/countries.c */
  REACH_SLOT_GAZETTEER, /* data/gazetteer.c */
  REACH_SLOT_COUNTRY_NAMES, /* data/countries.c */
  REACH_SLOT_COUNT
};

struct reach_unit {
  const char *abbr; /* as typed: "km" */
  double to_m;      /* metres per unit, from PROJ's database */
};

struct reach_ctx {
  struct geod_geodesic g;
  double a, f, b, e2, e; /* ellipsoid: radius, flattening, minor axis, e^2, e */
  double half_meridian_m;
  double area_total_m2;
  void *geos;            /* GEOSContextHandle_t, attached by geom/geos.c (also
                            the owner of slot REACH_SLOT_GEOS); only src/geom/
                            looks inside */
  /* The true boundary of a written region (geom/geos.c, attached with the
   * GEOS handle so that io, which may not use geom, can draw outlines):
   * see reach_true_boundary(). */
  enum reach_status (*true_boundary)(struct reach_ctx *ctx, const struct reach_geom *g,
                                     struct reach_lines *out);
  struct reach_unit units[8];
  /* What upper layers attach (a GEOS handle, the gazetteer, the countries):
   * core frees them in reverse slot order without knowing what they are. */
  void *slot[REACH_SLOT_COUNT];
  void (*slot_free[REACH_SLOT_COUNT])(struct reach_ctx *ctx, void *p);
  int nunits;
  char *data_dir;        /* resolved on first use: reach_ctx_data_dir() */
  reach_interrupt_fn interrupt; /* reach_ctx_set_interrupt() */
  void *interrupt_data;
  reach_notice_fn notice;       /* reach_ctx_set_notice() */
  void *notice_data;
  double write_tol_m;            /* reach_ctx_set_write_tolerance(); 0: the finest */
  enum reach_status status;
  char msg[REACH_ERRMSG_LEN];
};

/* The decimals of a degree a text format (GeoJSON) prints for a tolerance:
 * rounding to 10^-d degree moves a vertex by at most 0.5e-d degree in each
 * axis, <= 0.5e-d * (pi/180) * 6399594 m (the largest radius of curvature of
 * WGS84, at the poles) * sqrt(2) = 7.9e4 * 10^-d m (reach_text_round_m()),
 * kept within 1e-3 of the tolerance (as the spectral circle's check): d = 7
 * at 10 m (7.9 mm), 8 at 1 m, 9 at 0.1 m (the finest tolerance); 7 to 14.
 * The ring kernel drops what rounding to 10^-d would make invalid
 * (reach_geom_drop_unrepresentable()); the writer prints d decimals of a
 * longitude (d + 3 significant figures) and adds the rounding to err_m. */
static inline double reach_text_step_deg(int d) {
  double step = 1;
  for (int i = 0; i < d; i++) step /= 10;
  return step;
}
static inline double reach_text_round_m(int d) {
  return 0.5 * reach_text_step_deg(d) * (3.14159265358979323846 / 180) * 6399594.0 *
         1.4142135623730951;
}
static inline int reach_text_decimals(double tol_m) {
  int d = 7;
  while (d < 14 && !(reach_text_round_m(d) <= 1e-3 * tol_m)) d++;
  return d;
}

/* The true boundary of @p g, a region as every writer gets it (cut at
 * +/-180 into pieces that meet on the antimeridian, caps closed along the
 * pole lines lat = +/-90): its rings minus the parts lying on lon = +/-180
 * or lat = +/-90, merged into lines -- what an outline should draw (circles,
 * radials, territory edges), with no stroke down a cut.  Computed by GEOS in
 * src/geom (through ctx->true_boundary, set by reach_ctx_new()).  Caller
 * clears @p out with reach_lines_clear(); REACH_ERR_NOMEM or a GEOS error. */
enum reach_status reach_true_boundary(struct reach_ctx *ctx, const struct reach_geom *g,
                                      struct reach_lines *out);

/* Fill ctx->units (the linear units of distances) from PROJ's database on
 * first use; 0 when the database cannot be read. */
int reach_ctx_units(struct reach_ctx *ctx);

/* A context with the ellipsoid and units only: reach_ctx_new() (geom/geos.c)
 * attaches the GEOS handle to it.  NULL if memory or PROJ failed. */
struct reach_ctx *reach_ctx_alloc(void);

/* A context for a worker thread of @p parent's job: reach_ctx_new() with the
 * parent's interrupt hook and data folder (NULL if memory fails).  Caller
 * frees it with reach_ctx_free(). */
struct reach_ctx *reach_ctx_worker(const struct reach_ctx *parent);

/* Attach @p p to @p slot, freed with @p free_fn by reach_ctx_free(). */
void reach_ctx_slot_set(struct reach_ctx *ctx, enum reach_slot slot, void *p,
                        void (*free_fn)(struct reach_ctx *ctx, void *p));

/* The versions of the libraries each layer wraps (for --version). */
const char *reach_proj_version(void); /* core/context.c */
const char *reach_geos_version(void); /* geom/geos.c */
const char *reach_gdal_version(void); /* io/table.c */

/* Set the context's error and return status (printf-style message). */
enum reach_status reach_fail(struct reach_ctx *ctx, enum reach_status status,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether the caller asked to stop (reach_ctx_set_interrupt()). */
int reach_interrupted(struct reach_ctx *ctx);

/* Pass a notice to the caller (printf-style; dropped when none is set). */
void reach_notice(struct reach_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growable list of lon/lat points. */
struct reach_pts {
  double *xy;
  size_t n, cap;
};
/* Room for at least @p need points; 0 when memory runs out. */
int reach_pts_reserve(struct reach_pts *p, size_t need);
/* Append a point (inline: rings push every vertex two or three times on
 * their way to a geometry); 0 when memory runs out. */
static inline int reach_pts_push(struct reach_pts *p, double lon, double lat) {
  if (p->n == p->cap && !reach_pts_reserve(p, p->n + 1)) return 0;
  p->xy[2 * p->n] = lon;
  p->xy[2 * p->n + 1] = lat;
  p->n++;
  return 1;
}
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
/* io/gdal_load.c: whether libgdal has been opened yet; and quiet GDAL's
 * error handler as soon as it is (reach_io_silence_gdal()). */
int reach_gdal_loaded(void);
void reach_gdal_quiet_on_load(void);

/* Whether a source or destination is a PostgreSQL connection ("PG:..."). */
int reach_is_pg(const char *path);
/* A GDAL error message on one line (PostgreSQL's: its ERROR: line). */
void reach_one_line(const char *msg, char *buf, size_t size);


/* The bundled countries (loaded on first use, owned by the context): *n
 * valid GEOS polygons or multipolygons (GEOSGeometry *) in lon/lat, and
 * their names. */
enum reach_status reach_countries_geos(struct reach_ctx *ctx, void *const **geoms,
                                       const char (**names)[64], size_t *n);

/* The key names are compared by: ASCII letters and digits lower-cased, other
 * ASCII dropped, UTF-8 bytes kept ("KN-23" and "kn 23" are one name; names
 * in other scripts still match themselves).  Cut to @p cap - 1 bytes. */
void reach_name_key(const char *in, char *out, size_t cap);

/* Levenshtein distance for suggestions (99 for strings over 63 bytes). */
size_t reach_edit_distance(const char *a, const char *b);

/* An MGRS reference to the centre of its square; 0 if it is not one. */
int reach_mgrs(const char *text, double *lat, double *lon);

/* Unit vector of (reduced latitude, longitude): on this auxiliary sphere the
 * angle theta between two points brackets their geodesic distance,
 * b theta <= s <= a theta (query.c). */
void reach_unit_reduced(const struct reach_ctx *ctx, double lat, double lon, double u[3]);

#endif

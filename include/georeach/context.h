/**
 * @file context.h
 * @brief Contexts, status codes and error messages of libgeoreach.
 *
 * Every call takes a struct reach_ctx.  A context holds the ellipsoid, a GEOS
 * handle and the message of the last error; nothing in the library is global,
 * so two threads with two contexts never interfere.  A context must not be used
 * by two threads at once.
 */
#ifndef GEOREACH_CONTEXT_H
#define GEOREACH_CONTEXT_H

#ifdef __cplusplus
extern "C" {
#endif

/** Status of a library call: 0 is success. */
enum reach_status {
  REACH_OK = 0,
  REACH_ERR_ARG,         /**< a value passed by the caller is invalid */
  REACH_ERR_DATA,        /**< input data (a file, a row) is invalid */
  REACH_ERR_IO,          /**< a file could not be read or written */
  REACH_ERR_NOMEM,       /**< out of memory */
  REACH_ERR_INTERRUPTED, /**< the progress callback asked to stop */
  REACH_ERR_INTERNAL     /**< a bug or a failure inside GEOS/GDAL/PROJ */
};

struct reach_ctx;

/**
 * Create a context on the WGS84 ellipsoid (EPSG:7030, parameters read from
 * PROJ's database).
 *
 * @return the context, or NULL if memory or PROJ/GEOS failed.  Caller is
 *   responsible for freeing with reach_ctx_free().
 */
struct reach_ctx *reach_ctx_new(void);

/** Free a context; reach_ctx_free(NULL) is a no-op. */
void reach_ctx_free(struct reach_ctx *ctx);

/**
 * The message of the last failed call on this context ("" if none).  The
 * string belongs to the context and is valid until its next call.
 */
const char *reach_errmsg(const struct reach_ctx *ctx);

/** Status of the last failed call on this context (REACH_OK if none). */
enum reach_status reach_errno(const struct reach_ctx *ctx);

/** Clear the last error of the context. */
void reach_clear_error(struct reach_ctx *ctx);

/**
 * Let long work on @p ctx be stopped: @p cancelled(@p data) is polled while
 * ring boundaries are traced (reach_ring_build(): at least every 256 steps,
 * well under a millisecond of work on a circle), and a nonzero answer stops
 * the build with REACH_ERR_INTERRUPTED.  NULL (the default) never stops.
 * The function may be called from the thread using @p ctx only.
 */
void reach_ctx_set_cancel(struct reach_ctx *ctx, int (*cancelled)(void *data),
                          void *data);

/** Equatorial radius (m) and flattening of the context's ellipsoid. */
void reach_ctx_ellipsoid(const struct reach_ctx *ctx, double *a_m, double *f);

/**
 * Largest shortest-geodesic distance between two points of the ellipsoid, in
 * metres: half a meridian (20003931.46 m on WGS84), attained between a point
 * and its antipode.  A range at or beyond it reaches the whole Earth.
 */
double reach_antipodal_distance_m(const struct reach_ctx *ctx);

/** Area of the whole ellipsoid, m^2 (5.10065622e14 on WGS84). */
double reach_ellipsoid_area_m2(const struct reach_ctx *ctx);

/** The library's version string, e.g. "0.1.0". */
const char *reach_version(void);

#ifdef __cplusplus
}
#endif
#endif

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

#include "export.h"

REACH_BEGIN_DECLS

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

/**
 * Use @p dir as the folder of the bundled data (missiles.csv, cities.csv,
 * countries.fgb, styles/) for this context.  The folder must exist.
 *
 * Without this call the context looks, in order, at $GEOREACH_DATA, at
 * share/georeach/ beside the installed library or program (PREFIX/lib/.. or
 * PREFIX/bin/..), and at the source tree the library was built from.
 *
 * @code
 * reach_ctx_set_data_dir(ctx, "/opt/georeach/share/georeach");
 * @endcode
 * @return REACH_OK, or REACH_ERR_ARG if @p dir is not a readable folder.
 */
enum reach_status reach_ctx_set_data_dir(struct reach_ctx *ctx, const char *dir);

/**
 * The data folder this context reads (see reach_ctx_set_data_dir()).  The
 * string belongs to the context.
 */
const char *reach_ctx_data_dir(struct reach_ctx *ctx);

/**
 * A check the library calls while it waits for input (a FIFO with no
 * writer yet), reads a long source or traces a ring (every 256 steps, about
 * a millisecond): nonzero means "stop now" (e.g. a SIGINT flag), and the
 * call returns REACH_ERR_INTERRUPTED within a fraction of a second.  It may
 * be called from worker threads: it must be thread-safe.  Long computations take a reach_progress_fn
 * instead; a caller with a signal flag sets both.
 */
typedef int (*reach_interrupt_fn)(void *data);

/** Set (or with NULL clear) the context's interrupt check. */
void reach_ctx_set_interrupt(struct reach_ctx *ctx, reach_interrupt_fn fn,
                             void *data);

/**
 * Receives the context's notices: one-line facts a user should hear about
 * a call that succeeded (e.g. "sites.csv: 2 names held bytes that are not
 * UTF-8; replaced by U+FFFD").  @p message is valid during the call only.
 */
typedef void (*reach_notice_fn)(const char *message, void *data);

/** Set (or with NULL clear) where notices go; with none they are dropped. */
void reach_ctx_set_notice(struct reach_ctx *ctx, reach_notice_fn fn, void *data);

/** The library's version string, e.g. "0.1.0". */
const char *reach_version(void);

REACH_END_DECLS
#endif

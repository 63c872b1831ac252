/**
 * @file rings.h
 * @brief The `georeach rings` job as a library call: rings for many sites
 * and ranges, built on all cores and written in order.
 */
#ifndef GEOREACH_RINGS_H
#define GEOREACH_RINGS_H

#include <stddef.h>
#include "context.h"
#include "io.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Progress callback, the same signature as GDAL's GDALProgressFunc (so
 * GDALTermProgress can be passed): fraction done in [0, 1]; return 0 to stop.
 */
typedef int (*reach_progress_fn)(double done, const char *message, void *data);

/** One ring to draw round every site. */
struct reach_ring_def {
  double range_m;      /**< R */
  double min_range_m;  /**< R0 (0: a disc) */
  const char *missile; /**< written to "missile"; may be NULL */
  const char *band;    /**< written to "band": "nominal", "low", "high" or
                            NULL (empty) */
};

/** What to write. */
struct reach_rings_job {
  const struct reach_site *sites; /**< launch sites */
  size_t nsites;
  const struct reach_ring_def *rings; /**< one ring per def per site, in order */
  size_t nrings;
  int sector;              /**< nonzero: azimuths az_from..az_to */
  double az_from_deg, az_to_deg;
  double tolerance_m;
  int threads;             /**< worker threads; <= 0: one per core */
};

/**
 * Build every ring of @p job (site-major: every def for site 1, then site 2)
 * and add them to @p w.  Output is identical whatever the thread count.
 *
 * @return REACH_OK, REACH_ERR_INTERRUPTED when @p progress asked to stop, or
 *   the first error with its message naming the site.  @p w is not committed
 *   or aborted here.
 */
enum reach_status reach_rings_write(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *w,
                                    reach_progress_fn progress, void *data);

/**
 * The union of the rings of every site, one feature per ring def (missile,
 * band, range), added to a writer from reach_writer_open_coverage().  Rings
 * are built on all cores; the union is GEOS's cascaded union in the cut lon/lat
 * plane, so pieces across the antimeridian and round the poles merge with
 * their neighbours only.
 */
enum reach_status reach_rings_union(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *w,
                                    reach_progress_fn progress, void *data);

#ifdef __cplusplus
}
#endif
#endif

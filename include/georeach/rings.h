/**
 * @file rings.h
 * @brief The `georeach rings` job as a library call: rings for many sites
 * and ranges, built on all cores and written in order.
 */
#ifndef GEOREACH_RINGS_H
#define GEOREACH_RINGS_H

#include "export.h"

#include <stddef.h>
#include "context.h"
#include "geom.h"
#include "io.h"
#include "overlay.h"

REACH_BEGIN_DECLS

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
  const struct reach_ballistic *ballistic; /**< NULL: circles of range_m;
                            else the ballistic model's reach (ring.h) */
  const char *kind;    /**< written to "kind" (rings layer): what the figure
                            is, from the catalogue; may be NULL (empty) */
  double tof_max_s;    /**< with ballistic, > 0: the isochrone of this
                            flight time instead of the reach
                            (reach_ring_spec.tof_max_s), written to the field
                            tof_s of a writer given
                            reach_writer_add_tof_field(); 0: the reach */
  const struct reach_ballistic *tof_model; /**< query only, for a circle
                            (ballistic NULL): the model whose flight time at
                            the target's distance is reported as tof_s (the
                            CLI gives it the catalogue range with the Earth
                            not turning, omega 0, whose reach is exactly the
                            circle); NULL: tof_s NaN */
  const char *source;  /**< written to "source": the catalogue's citation of
                            this range (nominal, low or high); may be NULL
                            (empty) */
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
  struct reach_sites_reader *reader; /**< reach_rings_write() only: when not
                                          NULL, sites are read from it a batch
                                          at a time (bounded memory) and
                                          sites/nsites are not used */
  long long expect_sites;  /**< with reader: how many sites it holds, for
                                progress (reach_sites_estimate(); <= 0:
                                unknown, no progress until the end) */
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
 * their neighbours only.  For isochrones (tof_max_s) the union is where the
 * earliest arrival from any site is within the time.
 */
enum reach_status reach_rings_union(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *w,
                                    reach_progress_fn progress, void *data);

/**
 * The union of the rings of def @p def of every site of @p job, as
 * reach_rings_union() writes it (the same steps: the same region), into
 * @p out instead of a writer.  job->reader must be NULL (sites in memory).
 * Rings are built on job->threads threads (<= 0: one per core); @p progress
 * is called between slices of a few dozen sites per thread and before the
 * union (GEOS's cascaded union itself is not cut), so a caller can stop a
 * long run.
 *
 * @param[out] err_m largest boundary error of the rings built (may be NULL).
 * @return REACH_OK; REACH_ERR_ARG naming the first bad site; or
 *   REACH_ERR_INTERRUPTED when @p progress asked to stop.  On error @p out
 *   is empty.  Caller is responsible for freeing @p out with
 *   reach_geom_clear().
 */
enum reach_status reach_rings_union_geom(struct reach_ctx *ctx,
                                         const struct reach_rings_job *job, size_t def,
                                         struct reach_geom *out, double *err_m,
                                         reach_progress_fn progress, void *data);

/**
 * Overlap bands of the rings of every site, per ring def: one feature per
 * count of sites reaching a place (1, 2, 3, ...), or with @p min_count > 0
 * one feature for "at least min_count", added to a writer from
 * reach_writer_open_overlap().  See reach_geom_overlap().
 */
enum reach_status reach_rings_count(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    long min_count, struct reach_writer *w,
                                    reach_progress_fn progress, void *data);

/**
 * Reach from anywhere inside a territory, per ring def: the territory and
 * every point within range_m of it, added to a coverage writer with
 * from_area = @p label.  The territory's boundary is sampled so that the
 * union of the discs round the samples misses no point within range of the
 * boundary by more than half the tolerance (sagitta of neighbouring samples
 * plus the edges' departure from geodesics, both measured), and the discs
 * are built to the other half; err_m reports the sum of the two measured
 * figures.  Edges along the cut and pole lines are not boundary and are not
 * sampled.  Sectors and minimum ranges are refused (REACH_ERR_ARG).
 * job->sites is not used.
 */
enum reach_status reach_rings_from_area(struct reach_ctx *ctx,
                                        const struct reach_rings_job *job,
                                        const struct reach_geom *territory,
                                        const char *label, struct reach_writer *w,
                                        reach_progress_fn progress, void *data);

/**
 * The overlap bands of def @p def of every site of @p job, as
 * reach_rings_count() writes them (the same steps: the same bands), into
 * @p bands instead of a writer.  job->reader must be NULL.
 *
 * @param[out] err_m largest boundary error of the rings built (may be NULL).
 * @return REACH_OK; REACH_ERR_ARG naming the first bad site;
 *   REACH_ERR_INTERRUPTED.  Caller is responsible for freeing *bands with
 *   reach_overlap_free().
 */
enum reach_status reach_rings_count_geom(struct reach_ctx *ctx,
                                         const struct reach_rings_job *job, size_t def,
                                         long min_count, struct reach_overlap_band **bands,
                                         size_t *nbands, double *err_m,
                                         reach_progress_fn progress, void *data);

/**
 * Reach from @p territory for def @p def of @p job, as
 * reach_rings_from_area() writes it, into @p out instead of a writer.
 *
 * @param[out] err_m the measured error (sampling plus rings; may be NULL).
 * @return REACH_OK; REACH_ERR_ARG for a sector or a minimum range;
 *   REACH_ERR_INTERRUPTED.  Caller is responsible for freeing @p out with
 *   reach_geom_clear().
 */
enum reach_status reach_rings_from_area_geom(struct reach_ctx *ctx,
                                             const struct reach_rings_job *job, size_t def,
                                             const struct reach_geom *territory,
                                             struct reach_geom *out, double *err_m,
                                             reach_progress_fn progress, void *data);

REACH_END_DECLS
#endif

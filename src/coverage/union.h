/* The steps of reach_rings_union() (src/coverage/rings.c), shared with the
 * in-memory coverage of src/coverage/memory.c so both give the same union by
 * the same code.  Internal: not exported. */
#ifndef GEOREACH_COVERAGE_UNION_H
#define GEOREACH_COVERAGE_UNION_H

#include "georeach/rings.h"
#include "georeach/geom.h"

/* Sites of ring def k whose circle lies wholly inside other discs: *out
 * (nsites bytes, 1 = buried; caller frees; NULL when none can be).  The
 * search is quadratic in the sites near each other (seconds for tens of
 * thousands), so progress (may be NULL) is called by the calling thread
 * between blocks of 64 sites; REACH_ERR_INTERRUPTED when it returns 0. */
enum reach_status bury(struct reach_ctx *ctx, const struct reach_rings_job *job,
                       size_t k, unsigned char **out, reach_progress_fn progress,
                       void *data);
/* Every unburied site's ring of def k on job->threads threads: *geoms
 * (nsites entries, caller clears and frees) and the largest error. */
enum reach_status build_all(struct reach_ctx *ctx, const struct reach_rings_job *job,
                            size_t k, const unsigned char *buried,
                            struct reach_geom **geoms, double *errmax,
                            reach_progress_fn progress, void *data, double p0, double p1);
/* The union of n regions on nth threads, independent of nth. */
enum reach_status union_parallel(struct reach_ctx *ctx, const struct reach_geom *gs,
                                 size_t n, int nth, struct reach_geom *out);
/* Fill the components of the complement of *all covered by buried discs. */
enum reach_status fill_buried(struct reach_ctx *ctx, const struct reach_rings_job *job,
                              size_t k, const unsigned char *buried,
                              struct reach_geom *all);

#endif

/* Coverage in memory: the union of many sites' rings returned as a
 * reach_geom instead of written to a layer, for callers that are not files
 * (the PostgreSQL extension's aggregate).  The same steps as
 * reach_rings_union() (bury, build, union, fill: coverage/union.h), so the
 * region is the one `georeach rings --union` writes; only the building is
 * cut into slices so that the progress callback can stop a long run between
 * slices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "georeach/ring.h"
#include "georeach/rings.h"
#include "coverage/union.h"

/* Sites built per thread between two calls of the progress callback: a few
 * tens of milliseconds of work. */
#define SLICE 64

enum reach_status reach_rings_union_geom(struct reach_ctx *ctx,
                                         const struct reach_rings_job *job, size_t def,
                                         struct reach_geom *out, double *err_m,
                                         reach_progress_fn progress, void *data) {
  memset(out, 0, sizeof *out);
  if (err_m) *err_m = 0;
  if (!job || def >= job->nrings)
    return reach_fail(ctx, REACH_ERR_ARG, "ring def %zu of %zu", def, job ? job->nrings : 0);
  if (job->reader)
    return reach_fail(ctx, REACH_ERR_ARG, "reach_rings_union_geom takes sites in memory, not a reader");
  const struct reach_ring_def *d = &job->rings[def];
  /* check every spec first, so that a bad one is named by its own index */
  for (size_t i = 0; i < job->nsites; i++) {
    struct reach_ring_spec s = {.lat_deg = job->sites[i].lat_deg,
                                .lon_deg = job->sites[i].lon_deg,
                                .range_m = d->range_m,
                                .min_range_m = d->min_range_m,
                                .sector = job->sector,
                                .az_from_deg = job->az_from_deg,
                                .az_to_deg = job->az_to_deg,
                                .tolerance_m = job->tolerance_m,
                                .ballistic = d->ballistic,
                                .tof_max_s = d->tof_max_s};
    if (reach_ring_check(ctx, &s) != REACH_OK)
      return reach_fail(ctx, REACH_ERR_ARG, "site %zu (%s): %s", i + 1, job->sites[i].name,
                        reach_errmsg(ctx));
  }
  unsigned char *buried = NULL;
  enum reach_status st = bury(ctx, job, def, &buried, progress, data);
  if (st != REACH_OK) return st;
  size_t n = job->nsites;
  struct reach_geom *geoms = calloc(n ? n : 1, sizeof *geoms);
  if (!geoms) {
    free(buried);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int nth = job->threads > 0 ? job->threads : cores > 0 ? (int)cores : 1;
  if (nth > 64) nth = 64;
  size_t slice = SLICE * (size_t)nth;
  double err = 0;
  for (size_t off = 0; off < n && st == REACH_OK; off += slice) {
    if (progress && !progress(0.9 * (double)off / (double)n, NULL, data)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
      break;
    }
    /* a slice of the job: build_all indexes sites and buried from 0 */
    struct reach_rings_job sub = *job;
    sub.sites = job->sites + off;
    sub.nsites = n - off < slice ? n - off : slice;
    struct reach_geom *part = NULL;
    double e = 0;
    st = build_all(ctx, &sub, def, buried ? buried + off : NULL, &part, &e, NULL, NULL, 0, 0);
    if (st != REACH_OK) break;
    memcpy(geoms + off, part, sub.nsites * sizeof *part); /* takes the arrays */
    free(part);
    err = fmax(err, e);
  }
  if (st == REACH_OK && progress && !progress(0.9, NULL, data))
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  if (st == REACH_OK) st = union_parallel(ctx, geoms, n, nth, out);
  if (st == REACH_OK) st = fill_buried(ctx, job, def, buried, out);
  if (st != REACH_OK) reach_geom_clear(out);
  for (size_t i = 0; i < n; i++) reach_geom_clear(&geoms[i]);
  free(geoms);
  free(buried);
  if (st == REACH_OK && err_m) *err_m = err;
  return st;
}

/* Clipping for drawing: regions, countries and lines cut to the visible part
 * of a map and handed back as runs of lon/lat points, so that render/ draws
 * without seeing GEOS. */
#ifndef GEOREACH_GEOM_CLIP_H
#define GEOREACH_GEOM_CLIP_H

#include <stddef.h>

#include "core/internal.h"

/* Lines that are no boundary of a region: cut lines lon = +/-180 and pole
 * lines lat = +/-90 (coordinates within REACH_SEAM_EPS degrees of them). */
enum { REACH_SEAM_CUT = 1, REACH_SEAM_POLE = 2 };
#define REACH_SEAM_EPS 1e-7

/* Runs of lon/lat points: the rings of polygons (run r is a hole when
 * hole[r], and belongs to polygon poly[r]) or lines. */
struct reach_runs {
  struct reach_pts pts;
  size_t n, cap;
  size_t *start; /* run r: points start[r] .. start[r + 1] - 1 */
  unsigned char *hole;
  size_t *poly;
  size_t npolys;
};

/* Append a run of @p n points; 0 when memory runs out. */
int reach_runs_add(struct reach_runs *r, const double *xy, size_t n, int hole, size_t poly);
/* Empty @p r, keeping nothing; NULL-safe on its arrays. */
void reach_runs_clear(struct reach_runs *r);

/* The visible part of a map (NULL @p visible, or @p whole_world: nothing is
 * clipped).  Free with reach_clip_free(). */
struct reach_clip *reach_clip_new(struct reach_ctx *ctx, const struct reach_geom *visible,
                                  int whole_world);
void reach_clip_free(struct reach_ctx *ctx, struct reach_clip *c);

/* Whether the point lies in the visible part. */
int reach_clip_point(struct reach_ctx *ctx, const struct reach_clip *c, double lon_deg,
                     double lat_deg);

/* A region (@p g) or a polygon-set member (@p member, from
 * reach_polyset_members(); @p g NULL) clipped: its polygons into @p fill and
 * its boundary without the @p seams lines into @p outline (either may be
 * NULL).  With @p outline_of_clipped the outline is that of the clipped
 * polygons, else that of the whole shape, clipped.  Appends to the runs;
 * 0 when memory or GEOS failed. */
int reach_clip_shape(struct reach_ctx *ctx, const struct reach_clip *c,
                     const struct reach_geom *g, const void *member, int seams,
                     int outline_of_clipped, struct reach_runs *fill,
                     struct reach_runs *outline);

/* Lines clipped to the visible part, appended to @p out; 0 on failure. */
int reach_clip_lines(struct reach_ctx *ctx, const struct reach_clip *c,
                     const struct reach_runs *lines, struct reach_runs *out);

/* A point inside polygon @p poly of @p polys (GEOS's point on surface);
 * 0 when there is none. */
int reach_runs_surface_point(struct reach_ctx *ctx, const struct reach_runs *polys,
                             size_t poly, double *lon_deg, double *lat_deg);

#endif

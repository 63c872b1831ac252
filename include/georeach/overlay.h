/**
 * @file overlay.h
 * @brief Intersections and unions of reach regions, and territories to clip
 * them with.
 *
 * Regions are MultiPolygons already cut at the antimeridian and closed along
 * the pole lines, so their overlays are planar ones in [-180,180] x [-90,90]
 * (GEOS), with the same rules as rings on the result: valid, counter-
 * clockwise exteriors, vertices every degree along cut and pole lines.
 */
#ifndef GEOREACH_OVERLAY_H
#define GEOREACH_OVERLAY_H

#include "export.h"

#include <stddef.h>
#include "context.h"
#include "geom.h"

REACH_BEGIN_DECLS

/** Overlay operations. */
enum reach_overlay_op { REACH_INTERSECTION, REACH_UNION, REACH_DIFFERENCE };

/**
 * a op b into @p out (which may come out empty: npolys 0).
 * Caller is responsible for freeing @p out with reach_geom_clear().
 */
enum reach_status reach_geom_overlay(struct reach_ctx *ctx,
                                     const struct reach_geom *a,
                                     const struct reach_geom *b,
                                     enum reach_overlay_op op,
                                     struct reach_geom *out);

/**
 * The union of @p n regions (GEOS cascaded union) into @p out.
 * Caller is responsible for freeing @p out with reach_geom_clear().
 */
enum reach_status reach_geom_union_all(struct reach_ctx *ctx,
                                       const struct reach_geom *gs, size_t n,
                                       struct reach_geom *out);

/** One overlap band: where exactly @c count regions overlap (or at least
 * @c count when @c at_least is set). */
struct reach_overlap_band {
  long count;
  int at_least;
  struct reach_geom geom;
  double area_m2; /**< reach_geom_area_m2() of geom (computed on the band's
                       thread) */
};

/**
 * The overlap bands of @p n regions: where exactly 1, 2, 3, ... of them
 * overlap, in the cut lon/lat plane.  With @p min_count > 0 one band: the
 * part covered by at least min_count regions.  Bands come in increasing
 * count; empty ones are left out.  The same as reach_geom_overlap_run() with
 * one thread and no progress.
 *
 * @return REACH_OK and *bands (free with reach_overlap_free()), *nbands.
 */
enum reach_status reach_geom_overlap(struct reach_ctx *ctx,
                                     const struct reach_geom *gs, size_t n,
                                     long min_count,
                                     struct reach_overlap_band **bands,
                                     size_t *nbands);

/**
 * reach_geom_overlap() on @p threads threads (<= 0: one), stoppable.
 *
 * The plane is cut into tiles about a third of the regions' (median)
 * latitude extent.  In each tile the pieces of boundary that cross it are
 * intersected with one another, and the count on each side of each piece is
 * carried along it (one crossing-number count where it enters, +-1 at each
 * crossing); regions that hold a tile whole only add to its base count.
 * Each band's boundary is the set of pieces whose two sides fall in
 * different bands, plus the parts of tile sides where the two tiles differ;
 * its rings are traced and each hole given to the smallest shell holding it.
 * Band boundaries are the regions' own edges (split where they cross each
 * other and the tile sides), so the bands are exact to the regions'
 * rounding; work and memory grow with the edges and crossings of the
 * arrangement (the answer), not with all pairs of regions.  Identical
 * regions (a site given twice) count as one of weight 2.  The output is the
 * same byte for byte whatever the thread count.
 *
 * @param progress called from the calling thread only, at most every 50 ms
 *   with the fraction done in [0, 1] (GDALProgressFunc's signature; NULL
 *   allowed); return 0 to stop: the call then returns REACH_ERR_INTERRUPTED
 *   within one tile's or one band's work.
 * The environment variable GEOREACH_OVERLAP=pairs selects the former method
 * (every boundary noded against every other at once, faces dissolved with
 * a union; quadratic, one thread, no progress), kept as a reference for
 * tests.
 * @return REACH_OK and *bands (free with reach_overlap_free()), *nbands.
 */
enum reach_status reach_geom_overlap_run(struct reach_ctx *ctx,
                                         const struct reach_geom *gs, size_t n,
                                         long min_count, int threads,
                                         int (*progress)(double done, const char *msg,
                                                         void *data),
                                         void *data,
                                         struct reach_overlap_band **bands,
                                         size_t *nbands);

/**
 * Fill the holes of a region that a predicate says are inside: each
 * component of the rest of the lon/lat plane ([-180,180] x [-90,90] less
 * @p g) for which @p inside holds at an interior point of it is united with
 * @p g.  (For the union of many discs: a component of the complement of the
 * union of some of them that holds no boundary of the whole union is either
 * covered by the others or not, and one point tells which.)
 * @param[out] nfilled how many components were filled.
 */
enum reach_status reach_geom_fill(struct reach_ctx *ctx, struct reach_geom *g,
                                  int (*inside)(double lat, double lon, void *data),
                                  void *data, size_t *nfilled);

/** Free what reach_geom_overlap() returned; NULL is a no-op. */
void reach_overlap_free(struct reach_overlap_band *bands, size_t n);

/**
 * A territory: a bundled country by ISO code (UA, UKR) or name ("Ukraine"),
 * several separated by commas, or the union of every polygon of a GDAL layer
 * (reprojected to WGS84 when it has another CRS).
 *
 * @param[out] label a short name of what was read (NULL allowed).
 * Caller is responsible for freeing @p out with reach_geom_clear().
 */
enum reach_status reach_territory(struct reach_ctx *ctx, const char *what,
                                  struct reach_geom *out, char *label,
                                  size_t label_len);

/**
 * A list of countries as people write them ("Ukraine", "UA", "UKR",
 * "north korea", "USA", comma separated) checked against the bundled
 * countries: names and codes match ignoring case, blanks and punctuation.
 *
 * @param[out] codes the same list as ISO 3166-1 alpha-2 codes ("UA,KP"; a
 *   country without a code of its own, such as Somaliland, by its name),
 *   NUL-terminated within @p codes_len.
 * @return REACH_OK; REACH_ERR_ARG naming the first word that is no country,
 *   with the closest names suggested; REACH_ERR_IO if the bundled countries
 *   cannot be read.
 */
enum reach_status reach_country_codes(struct reach_ctx *ctx, const char *list, char *codes,
                                      size_t codes_len);

/** The part of a country inside a region. */
struct reach_country_share {
  char iso_a2[4];
  char name[64];
  double area_in_m2;   /**< area of the country inside the region */
  double area_m2;      /**< area of the whole country */
};

/**
 * The bundled countries (data/countries.geojson, Natural Earth) that a region
 * reaches, with the area of each inside it (ellipsoidal areas of the lon/lat
 * polygons), largest share first.
 *
 * @return REACH_OK and *shares (caller frees with free()), *n entries.
 */
enum reach_status reach_countries_reached(struct reach_ctx *ctx,
                                          const struct reach_geom *region,
                                          struct reach_country_share **shares,
                                          size_t *n);

REACH_END_DECLS
#endif

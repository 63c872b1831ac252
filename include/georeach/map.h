/**
 * @file map.h
 * @brief Map pictures: reach regions and sites drawn over the bundled
 * countries, as PNG, SVG or PDF (cairo), in a projection chosen for the
 * extent (PROJ).
 *
 * A map is built by adding layers (regions with a label and a palette or
 * any colour, lines, points with a name, legend lines) and written with
 * reach_map_write().  Overlap counts use reach_map_count_colour()'s ramp
 * with REACH_MAP_STRONG fills; layers from files come as regions, lines and
 * points through reach_layer_read() (io.h): render/ never reads a file.  Regions are
 * the library's MultiPolygons (geom.h): cut at the antimeridian and closed
 * along the pole lines in lon/lat.  Before projecting, everything is clipped
 * in lon/lat to the part of the Earth the projection shows (GEOS), and edges
 * are densified until every drawn point lies within 0.25 pixel of the image
 * of the straight lon/lat edge; fills come from the polygons, outlines from
 * their edges that are not on a cut line (lon = +/-180) or a pole line
 * (lat = +/-90), so pieces that meet again in the projection show no seam.
 *
 * Projections (reach_map_set_projection()):
 *  - "aeqd": azimuthal equidistant on the ellipsoid centred on the points:
 *    geodesic distances from the centre are true, so a ring round a single
 *    site is a circle;
 *  - "world": Robinson centred on the points' longitude;
 *  - "globe": orthographic view of the hemisphere centred on the points;
 *  - "auto" (default): "aeqd" when every region and point lies within
 *    REACH_MAP_AEQD_MAX_M of the centre, else "world";
 *  - anything else is handed to PROJ: a PROJ string ("+proj=laea +lat_0=50
 *    +lon_0=30"), "EPSG:3857", WKT.  Its visible part is a disc for
 *    azimuthal projections (ortho, aeqd, laea, stere, gnom) and the world cut
 *    at lon_0 +/- 180 otherwise; points PROJ cannot project are left out.
 *
 * The centre is the normalised mean of the points' unit vectors (of the
 * regions' vertices when there are no points).
 *
 * Text (title, names, legend, credit) is set with Pango: shaped (Arabic,
 * Indic scripts), in bidirectional order, in DejaVu Sans with fontconfig's
 * fallback to any installed font that has a character (scripts/setup
 * installs WenQuanYi Micro Hei for Hangul and CJK and FreeFont for Indic
 * scripts and Thai).  Names are drawn with a white halo; labels of points,
 * regions, cities and countries are placed clear of each other and of the
 * legend, credit and scale bar, or left out (reach_map_labels() lists what
 * was placed, with the characters no font had).
 */
#ifndef GEOREACH_MAP_H
#define GEOREACH_MAP_H

#include "export.h"

#include <stddef.h>
#include "context.h"
#include "geom.h"
#include "rings.h"

REACH_BEGIN_DECLS

/** Largest extent (farthest region vertex or point from the centre, m) for
 * which "auto" picks the azimuthal equidistant projection. */
#define REACH_MAP_AEQD_MAX_M 5000000.0

/** Smallest and largest picture side, pixels (points for SVG and PDF). */
#define REACH_MAP_SIZE_MIN 200
#define REACH_MAP_SIZE_MAX 8000

/** Number of colours in the palette; colour indices wrap round it. */
#define REACH_MAP_NCOLOURS 10

/** An sRGB colour, components in [0, 1]. */
struct reach_rgb {
  double r, g, b;
};

/** Flags of a region. */
enum {
  REACH_MAP_DASHED = 1, /**< outline dashed (e.g. a low or high range band) */
  REACH_MAP_STRONG = 2  /**< filled at reach_map_style's fill_alpha_strong over
                           land and sea alike (overlap counts: levels of a
                           ramp that do not overlap) */
};

/** Kinds of point marker. */
enum reach_map_marker {
  REACH_MAP_SITE = 0,   /**< a launch site: a dark dot */
  REACH_MAP_TARGET = 1, /**< a target of a launch basket: a dark red cross */
  REACH_MAP_TARGET_REACH = 2 /**< a target coloured by reach: a diamond in
                              reach_map_style's target_in when it lies in
                              any region drawn (boundary included), else in
                              target_out */
};

/** Kinds of text placed on a map (reach_map_labels()). */
enum reach_map_label_kind {
  REACH_MAP_LABEL_TITLE = 0, /**< the title and the subtitle under it */
  REACH_MAP_LABEL_POINT,     /**< the name of a site or target */
  REACH_MAP_LABEL_REGION,    /**< a region's label */
  REACH_MAP_LABEL_CITY,      /**< a city of reach_map_add_cities() */
  REACH_MAP_LABEL_COUNTRY,   /**< a country name */
  REACH_MAP_LABEL_LEGEND,    /**< the legend box (all its lines) */
  REACH_MAP_LABEL_CREDIT,    /**< the credit lines */
  REACH_MAP_LABEL_SCALE      /**< the scale bar and its words */
};

/** A text placed on the map by the last reach_map_write(). */
struct reach_map_label {
  double x0, y0, x1, y1; /**< its box, pixels (x right, y down from the top
                            left corner of the picture) */
  enum reach_map_label_kind kind;
  const char *text;   /**< as drawn (shortened by reach_map_set_label_max());
                         "" for the legend and scale bar boxes */
  int unknown_glyphs; /**< characters no installed font has (drawn as boxes) */
};

/** Projection kinds, as chosen by reach_map_layout(). */
enum reach_map_kind {
  REACH_MAP_AUTO = 0,
  REACH_MAP_AEQD,
  REACH_MAP_WORLD,
  REACH_MAP_GLOBE,
  REACH_MAP_CUSTOM
};

struct reach_map;

/**
 * A new, empty map of @p width_px x @p height_px (each in
 * [REACH_MAP_SIZE_MIN, REACH_MAP_SIZE_MAX]; @p height_px 0: fit the map,
 * at most 3/4 of the width, which world maps need less of), with countries,
 * graticule, legend and title drawn by default and projection "auto".
 *
 * @return REACH_OK; REACH_ERR_ARG for a size out of range.  Caller is
 *   responsible for freeing *map with reach_map_free().
 */
enum reach_status reach_map_new(struct reach_ctx *ctx, int width_px,
                                int height_px, struct reach_map **map);

/** Free a map; NULL is a no-op. */
void reach_map_free(struct reach_map *map);

/** The title drawn at the top (copied; NULL or "" for none). */
enum reach_status reach_map_set_title(struct reach_ctx *ctx,
                                      struct reach_map *map, const char *title);

/**
 * The projection: NULL or "auto", "aeqd", "world", "globe", or anything
 * PROJ reads as a coordinate reference system or a "+proj=" conversion (see
 * the file comment).  Checked here.
 *
 * @return REACH_OK; REACH_ERR_ARG with PROJ's reason when PROJ cannot use it.
 */
enum reach_status reach_map_set_projection(struct reach_ctx *ctx,
                                           struct reach_map *map,
                                           const char *projection);

/** Draw the bundled countries (data/countries.geojson; default on). */
void reach_map_set_countries(struct reach_map *map, int on);

/**
 * Add a region drawn filled in palette colour @p colour (any integer; it
 * wraps round the palette) with its outline, labelled @p label (NULL or ""
 * for none) on the map.  Regions of one colour are filled together as one
 * area (their union), so overlaps within a colour are not darker.
 * The geometry and label are copied.
 */
enum reach_status reach_map_add_region(struct reach_ctx *ctx,
                                       struct reach_map *map,
                                       const struct reach_geom *geom,
                                       const char *label, int colour, int flags);

/**
 * Like reach_map_add_region(), in colour @p rgb instead of a palette colour.
 * Regions of one colour are filled together.
 */
enum reach_status reach_map_add_region_rgb(struct reach_ctx *ctx, struct reach_map *map,
                                           const struct reach_geom *geom, const char *label,
                                           struct reach_rgb rgb, int flags);

/**
 * Add a line (a polyline of @p n >= 2 lon, lat pairs, degrees, copied) drawn
 * in @p rgb (REACH_MAP_DASHED: dashed) over the regions.  Its lon/lat edges
 * are straight (as GeoJSON and QGIS read them) and clipped to the visible
 * part like the graticule.
 *
 * @return REACH_OK; REACH_ERR_ARG for fewer than 2 points or one off the
 *   Earth.
 */
enum reach_status reach_map_add_line(struct reach_ctx *ctx, struct reach_map *map,
                                     const double *lonlat, size_t n, struct reach_rgb rgb,
                                     int flags);

/** Add a point marker named @p name (NULL or "" for none), copied. */
enum reach_status reach_map_add_point(struct reach_ctx *ctx,
                                      struct reach_map *map, double lat_deg,
                                      double lon_deg, const char *name,
                                      enum reach_map_marker marker);

/**
 * Label the @p n most populous places of the gazetteer (reach_places()) that
 * lie inside a region drawn (boundary included) and on the map, each with a
 * small dot, where its name fits clear of every text and marker placed
 * before (names of sites and targets, region labels, legend, credit); places
 * that do not fit are left out and the next most populous is tried.  Places
 * within 3 marker radii of a point of reach_map_add_point() are left out (the
 * point names them).  0 (the default) for none.
 *
 * @return REACH_OK; REACH_ERR_ARG for @p n < 0.  The gazetteer is read when
 *   the map is written (REACH_ERR_IO there if it cannot be).
 */
enum reach_status reach_map_add_cities(struct reach_ctx *ctx, struct reach_map *map,
                                       int n);

/**
 * Add a line to the credit drawn at the bottom right, above the default one
 * ("georeach VERSION · WGS84 geodesic · countries: Natural Earth"): the
 * sources of the ranges drawn, the desk's byline.  Copied; lines wider than
 * the map are shortened with an ellipsis.
 */
enum reach_status reach_map_add_credit(struct reach_ctx *ctx, struct reach_map *map,
                                       const char *text);

/**
 * Names of points and cities longer than @p max_chars characters (grapheme
 * clusters, so that no accent or syllable is split) are drawn shortened to
 * @p max_chars with an ellipsis ("Zaporizh…").  0 (the default): no limit;
 * otherwise at least 2.
 */
enum reach_status reach_map_set_label_max(struct reach_ctx *ctx, struct reach_map *map,
                                          int max_chars);

/**
 * The background outside the map's frame (title band and margins) left
 * transparent instead of white, for compositing (PNG: RGBA; SVG and PDF:
 * nothing painted there).  The map itself (ocean, land, regions) stays
 * opaque.  Default off.
 */
void reach_map_set_transparent(struct reach_map *map, int on);

/**
 * The resolution written in a PNG's pHYs chunk, dots per inch (the picture
 * keeps its size in pixels; at @p dpi it prints width / dpi inches wide).
 * 0 (the default): no pHYs chunk.  SVG and PDF ignore it (1 point per
 * pixel).
 *
 * @return REACH_OK; REACH_ERR_ARG outside [0, 10000].
 */
enum reach_status reach_map_set_dpi(struct reach_ctx *ctx, struct reach_map *map, int dpi);

/** Add a legend line: a swatch of @p colour (with @p flags) and @p text. */
enum reach_status reach_map_add_legend(struct reach_ctx *ctx,
                                       struct reach_map *map, int colour,
                                       int flags, const char *text);

/** Add a legend line with a swatch of @p rgb (with @p flags) and @p text. */
enum reach_status reach_map_add_legend_rgb(struct reach_ctx *ctx, struct reach_map *map,
                                           struct reach_rgb rgb, int flags, const char *text);

/**
 * Fix the projection, the visible area and the pixel transform from the
 * layers added so far (reach_map_write() does it when needed).
 *
 * @return REACH_OK; REACH_ERR_ARG when PROJ cannot project the map's centre;
 *   REACH_ERR_NOMEM; REACH_ERR_INTERNAL.
 */
enum reach_status reach_map_layout(struct reach_ctx *ctx, struct reach_map *map);

/** After reach_map_layout(): the kind of projection chosen. */
enum reach_map_kind reach_map_projection_kind(const struct reach_map *map);

/** The picture's size in pixels (after reach_map_layout() when the height
 * is fitted). */
void reach_map_size(const struct reach_map *map, int *width_px, int *height_px);

/**
 * After reach_map_layout(): the target CRS as PROJ reads it (a "+proj=...
 * +type=crs" string, or what was given); points are projected from
 * EPSG:4326 in longitude, latitude order.  Owned by the map.
 */
const char *reach_map_projection(const struct reach_map *map);

/**
 * After reach_map_layout(): the pixel transform, as GDAL's geotransform:
 * projected x = gt[0] + col * gt[1] + row * gt[2], y = gt[3] + col * gt[4] +
 * row * gt[5], with (col, row) = (0, 0) the top left corner of the top left
 * pixel (pixel centres at +0.5).  gt[2] = gt[4] = 0.
 */
void reach_map_geotransform(const struct reach_map *map, double gt[6]);

/** The colours the map uses (to read a picture back, as tests do). */
struct reach_map_style {
  struct reach_rgb land, ocean, background, site;
  double fill_alpha; /**< region fills over land: alpha * colour + (1 - alpha)
                        * below */
  double fill_alpha_sea; /**< the same over the ocean: stronger, so that a
                            blue region does not vanish into the sea */
  struct reach_rgb target_in, target_out; /**< REACH_MAP_TARGET_REACH */
  struct reach_rgb city;  /**< the dots of reach_map_add_cities() */
  double fill_alpha_strong; /**< fills of REACH_MAP_STRONG regions */
};

/**
 * The sequential ramp of overlap counts (ColorBrewer YlOrRd): @p count 1,
 * 2, and 3 or more, light to dark.
 */
struct reach_rgb reach_map_count_colour(long count);

/** The map's style. */
void reach_map_style(const struct reach_map *map, struct reach_map_style *style);

/** Palette colour @p colour (wrapped round REACH_MAP_NCOLOURS). */
struct reach_rgb reach_map_colour(int colour);

/**
 * Check, before any work, that reach_map_write() could write @p path: a
 * known extension, not a folder, not an existing file unless @p overwrite,
 * in a folder that exists and can be written.
 *
 * @return REACH_OK; REACH_ERR_ARG for an unknown extension; REACH_ERR_IO.
 */
enum reach_status reach_map_check_output(struct reach_ctx *ctx, const char *path,
                                         int overwrite);

/**
 * Render and write the picture to @p path: PNG, SVG or PDF by the extension
 * (.png, .svg, .pdf, any case); SVG and PDF are 1 point per pixel.  The file
 * is written beside @p path under a hidden temporary name and renamed into
 * place when complete; on any error nothing is left.  An existing file is
 * refused unless @p overwrite.  @p progress (may be NULL) is called between
 * layers; returning 0 stops with REACH_ERR_INTERRUPTED.
 *
 * @return REACH_OK; REACH_ERR_ARG for an unknown extension; REACH_ERR_IO
 *   when the folder cannot be written, the file exists, or the countries
 *   cannot be read; REACH_ERR_INTERRUPTED; REACH_ERR_NOMEM.
 */
enum reach_status reach_map_write(struct reach_ctx *ctx, struct reach_map *map,
                                  const char *path, int overwrite,
                                  reach_progress_fn progress, void *data);

/**
 * After reach_map_write(): the texts placed, in drawing order (owned by the
 * map, valid until the next write or reach_map_free()).  Labels of points,
 * regions, cities and countries are placed clear of each other and of the
 * legend, credit and scale bar, so no two boxes of these kinds overlap.
 *
 * @return how many; 0 before the first write.
 */
size_t reach_map_labels(const struct reach_map *map, const struct reach_map_label **labels);

/**
 * After reach_map_write(): whether point @p i (in the order added) of kind
 * REACH_MAP_TARGET_REACH lies in a region drawn: 1 yes, 0 no, -1 not known
 * (another kind, not drawn, or before the write).
 */
int reach_map_point_in_reach(const struct reach_map *map, size_t i);

/**
 * Free the caches of fonts cairo and fontconfig keep for the whole process
 * (they are not leaks, but leak checkers cannot tell).  Call it at most once,
 * at exit, when no thread of the process draws with cairo or uses
 * fontconfig any more (the georeach command does).
 */
void reach_map_release_fonts(void);

REACH_END_DECLS
#endif

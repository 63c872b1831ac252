/* Layer styles (style.c): QGIS style files from data/styles, written with a
 * layer (GeoPackage layer_styles, shapefile .qml) and as OGR style strings. */
#ifndef GEOREACH_STYLE_H
#define GEOREACH_STYLE_H

#include "georeach/context.h"

/** The colours a feature is drawn with (RGBA, 0-255). */
struct reach_style_colours {
  unsigned char fill[4], line[4];
  double width_px; /**< outline width in pixels (96 dpi) */
  double size_px;  /**< marker size in pixels (points) */
};

struct reach_style;

/**
 * Load the style file of a layer, <data dir>/styles/LAYER.qml.
 * @return REACH_OK with *out NULL when there is no such file; REACH_ERR_DATA
 *   when it is not a QGIS style (naming the file).  Caller is responsible for
 *   freeing *out with reach_style_free().
 */
enum reach_status reach_style_load(struct reach_ctx *ctx, const char *layer,
                                   struct reach_style **out);

/** Free a style; NULL is a no-op. */
void reach_style_free(struct reach_style *s);

/** The field the style is categorized on, or NULL (not categorized). */
const char *reach_style_attr(const struct reach_style *s);

/**
 * Note that a feature's category field is @p value (NULL = empty) and
 * return its colours: the file's category for that value, or the next
 * palette colour for a new value, or the fallback's colours for "".  NULL
 * when the style is not categorized.  The result is valid until the next
 * call.
 */
const struct reach_style_colours *reach_style_value(struct reach_style *s,
                                                    const char *value);

/**
 * The style as QML for a layer holding the values noted so far.  Caller is
 * responsible for freeing the result with CPLFree().  NULL for s NULL.
 */
char *reach_style_qml(struct reach_style *s);

/** The file the style was read from. */
const char *reach_style_path(const struct reach_style *s);

#endif

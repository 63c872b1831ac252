/* Any vector layer (georeach's own or one edited in QGIS) read for drawing:
 * rows through io/ (GDAL), polygons made regions through geom/ (GEOS). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "geom/polyset.h"
#include "io/table.h"
#include "georeach/io.h"

static void feature_clear(struct reach_layer_feature *f) {
  reach_geom_clear(&f->geom);
  free(f->xy);
  free(f->part_start);
}

void reach_layer_free(struct reach_layer *layer) {
  if (!layer) return;
  for (size_t i = 0; i < layer->n; i++) feature_clear(&layer->features[i]);
  free(layer->features);
  free(layer);
}

static void copy_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src); }

enum reach_status reach_layer_read(struct reach_ctx *ctx, const char *path,
                                   struct reach_layer **out, size_t *skipped) {
  *out = NULL;
  if (skipped) *skipped = 0;
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the layer", NULL, NULL, &t);
  if (st != REACH_OK) return st;
  struct reach_layer *l = calloc(1, sizeof *l);
  if (!l) {
    reach_table_close(t);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  copy_text(l->name, sizeof l->name, reach_table_layer_name(t));
  int f_missile = reach_table_field(t, "missile"), f_band = reach_table_field(t, "band");
  int f_count = reach_table_field(t, "count"), f_least = reach_table_field(t, "at_least");
  int f_range = reach_table_field(t, "range_km");
  /* the first name-like field a row has set */
  int f_names[4] = {reach_table_field(t, "name"), reach_table_field(t, "site"),
                    reach_table_field(t, "from_area"), reach_table_field(t, "label")};
  l->has_missile = f_missile >= 0;
  l->has_count = f_count >= 0;
  size_t cap = 0;
  struct reach_pts xy = {0};
  while (st == REACH_OK && reach_table_next(t)) {
    int dim = reach_table_dim(t);
    if (dim < 0) {
      if (skipped) ++*skipped;
      continue;
    }
    if (l->n == cap) {
      size_t c = cap ? 2 * cap : 16;
      struct reach_layer_feature *p = realloc(l->features, c * sizeof *p);
      if (!p) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
      l->features = p;
      cap = c;
    }
    struct reach_layer_feature *f = &l->features[l->n];
    memset(f, 0, sizeof *f);
    f->dim = (enum reach_layer_dim)dim;
    if (dim == REACH_LAYER_POLYGONS) {
      size_t len = 0;
      const unsigned char *wkb = reach_table_wkb(ctx, t, &len, NULL, &st);
      if (!wkb) {
        if (st == REACH_OK && skipped) ++*skipped;
        continue;
      }
      if (reach_geom_from_polygon_wkb(ctx, wkb, len, &f->geom) != REACH_OK) {
        if (reach_errno(ctx) == REACH_ERR_NOMEM) st = REACH_ERR_NOMEM;
        else if (skipped) ++*skipped;
        reach_geom_clear(&f->geom);
        continue;
      }
    } else {
      if ((st = reach_table_parts(ctx, t, &xy, &f->part_start, &f->nparts)) != REACH_OK) break;
      if (f->nparts == 0) {
        if (skipped) ++*skipped;
        continue;
      }
      f->xy = malloc(2 * xy.n * sizeof(double));
      if (!f->xy) {
        free(f->part_start);
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
      memcpy(f->xy, xy.xy, 2 * xy.n * sizeof(double));
    }
    for (int k = 0; k < 4 && !f->name[0]; k++)
      copy_text(f->name, sizeof f->name, reach_table_text(t, f_names[k]));
    copy_text(f->missile, sizeof f->missile, reach_table_text(t, f_missile));
    copy_text(f->band, sizeof f->band, reach_table_text(t, f_band));
    const char *c = reach_table_text(t, f_count);
    f->count = f_count >= 0 && *c ? strtol(c, NULL, 10) : -1;
    f->at_least = f_least >= 0 && strcmp(reach_table_text(t, f_least), "1") == 0;
    const char *r = reach_table_text(t, f_range);
    f->range_km = f_range >= 0 && *r ? strtod(r, NULL) : NAN;
    l->n++;
  }
  reach_pts_free(&xy);
  reach_table_close(t);
  if (st != REACH_OK) {
    reach_layer_free(l);
    return st;
  }
  *out = l;
  return REACH_OK;
}

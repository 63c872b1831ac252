/* Parameters per row of a sites file: the weapon, sector and tolerance each
 * site gets from its own columns, the command line's values filling what a
 * row leaves empty (ArcGIS Pro's "Generate Range Rings From Features" and
 * QGIS Shape Tools take them from each feature's fields the same way). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"
#include "georeach/text.h"

void app_spec_free(struct app_spec *s) {
  if (!s) return;
  free(s->defs);
  s->defs = NULL;
  s->ndefs = 0;
}

int app_spec_same(const struct app_spec *a, const struct app_spec *b) {
  if (a->ndefs != b->ndefs || a->sector != b->sector || a->tol_m != b->tol_m) return 0;
  if (a->sector && (a->az_from != b->az_from || a->az_to != b->az_to)) return 0;
  for (size_t k = 0; k < a->ndefs; k++) {
    const struct reach_ring_def *x = &a->defs[k], *y = &b->defs[k];
    if (x->range_m != y->range_m || x->min_range_m != y->min_range_m ||
        x->missile != y->missile || x->band != y->band || x->kind != y->kind)
      return 0;
  }
  return 1;
}

/* "sites.csv, row 3 (Belgorod)" */
static void row_name(char *buf, size_t size, const char *file, const struct reach_site *s) {
  int in = strcmp(file, "-") == 0 || strncmp(file, "/vsistdin", 9) == 0;
  char esc[REACH_NAME_LEN]; /* one line: a quoted CSV cell may hold a newline */
  snprintf(buf, size, "%s, row %zu%s%s%s", in ? "standard input" : app_shown_path(file), s->row,
           *s->name ? " (" : "", reach_text_escape(s->name, esc, sizeof esc),
           *s->name ? ")" : "");
}

enum reach_status app_site_spec(struct reach_ctx *ctx, struct reach_app *app,
                                const struct reach_site *site, const char *file,
                                struct app_spec *out) {
  const struct app_opts *o = &app->o;
  char where[REACH_NAME_LEN + 1100];
  memset(out, 0, sizeof *out);
  row_name(where, sizeof where, file, site);
  size_t cap = site->has & REACH_SITE_MISSILE ? 3 : site->has & REACH_SITE_RANGE ? 1
                                                                                 : app->ndefs;
  if (cap == 0)
    return reach_fail(ctx, REACH_ERR_DATA, "%s: no range: the row names no missile or range "
                      "and none was given (--range, --missile)", where);
  out->defs = calloc(cap, sizeof *out->defs);
  if (!out->defs) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  double row_min = site->has & REACH_SITE_MIN_RANGE ? site->min_range_m : NAN;
  if (site->has & REACH_SITE_MISSILE) {
    if (!app->cat && reach_catalogue_load(ctx, o->cat_file, &app->cat)) {
      app_spec_free(out);
      return reach_errno(ctx);
    }
    char note[1200];
    const struct reach_missile *m =
        reach_catalogue_resolve(ctx, app->cat, site->missile, o->strict, NULL, note, sizeof note);
    if (!m) {
      char msg[REACH_ERRMSG_LEN];
      snprintf(msg, sizeof msg, "%s", reach_errmsg(ctx));
      app_spec_free(out);
      return reach_fail(ctx, REACH_ERR_DATA, "%s: bad missile: %s", where, msg);
    }
    if (*note && !o->quiet && (!app->last_noted || strcmp(app->last_noted, m->name) != 0)) {
      app_note(app, "%s: %s", where, note);
      app->last_noted = m->name;
    }
    if (site->has & REACH_SITE_RANGE) {
      /* the row's own figure for its system */
      out->defs[out->ndefs++] = (struct reach_ring_def){
          .range_m = site->range_m, .min_range_m = isnan(row_min) ? (o->have_min ? o->min_m : 0)
                                                                   : row_min,
          .missile = m->name};
    } else {
      if (!(m->range_km > 0)) {
        app_spec_free(out);
        return reach_fail(ctx, REACH_ERR_DATA, "%s: bad missile: %s has no public maximum "
                          "range (%s); give the row a range", where, m->name, m->source);
      }
      double r3[3] = {m->range_km, o->band ? m->range_low_km : NAN,
                      o->band ? m->range_high_km : NAN};
      const char *b3[3] = {"nominal", "low", "high"};
      const char *k3[3] = {m->range_kind, m->low_kind, m->high_kind};
      const char *s3[3] = {m->source, m->low_source, m->high_source};
      for (int k = 0; k < 3; k++) {
        if (!(r3[k] > 0) || (k > 0 && r3[k] == m->range_km)) continue;
        double r0 = !isnan(row_min) ? row_min : o->have_min ? o->min_m : m->min_km * 1000;
        if (r0 >= r3[k] * 1000) r0 = 0; /* a low band below the minimum */
        out->defs[out->ndefs++] = (struct reach_ring_def){
            .range_m = r3[k] * 1000, .min_range_m = r0, .missile = m->name, .band = b3[k],
            .kind = k3[k], .source = s3[k]};
      }
    }
  } else if (site->has & REACH_SITE_RANGE) {
    out->defs[out->ndefs++] = (struct reach_ring_def){
        .range_m = site->range_m, .min_range_m = isnan(row_min) ? (o->have_min ? o->min_m : 0)
                                                                 : row_min};
  } else {
    for (size_t k = 0; k < app->ndefs; k++) {
      out->defs[out->ndefs] = app->defs[k];
      if (!isnan(row_min)) out->defs[out->ndefs].min_range_m = row_min;
      out->ndefs++;
    }
  }
  out->sector = site->has & REACH_SITE_AZIMUTH ? 1 : o->sector;
  out->az_from = site->has & REACH_SITE_AZIMUTH ? site->az_from_deg : o->az_from;
  out->az_to = site->has & REACH_SITE_AZIMUTH ? site->az_to_deg : o->az_to;
  out->tol_m = site->has & REACH_SITE_TOLERANCE ? site->tolerance_m : o->tol_m;
  for (size_t k = 0; k < out->ndefs; k++) {
    struct reach_ring_spec s = {.range_m = out->defs[k].range_m,
                                .min_range_m = out->defs[k].min_range_m, .sector = out->sector,
                                .az_from_deg = out->az_from, .az_to_deg = out->az_to,
                                .tolerance_m = out->tol_m};
    if (reach_ring_check(ctx, &s)) {
      char msg[REACH_ERRMSG_LEN];
      snprintf(msg, sizeof msg, "%s", reach_errmsg(ctx));
      app_spec_free(out);
      return reach_fail(ctx, REACH_ERR_DATA, "%s: %s", where, msg);
    }
  }
  return REACH_OK;
}

enum reach_status app_read_rows(struct reach_ctx *ctx, struct reach_app *app,
                                struct reach_sites_reader *r, const char *file,
                                struct app_spec **specs_out) {
  struct reach_site *out = NULL;
  size_t count = 0, cap = 0, got = 0, nskipped = 0;
  size_t *skipped = &nskipped;
  enum reach_status st = REACH_OK;
  *specs_out = NULL;
  do {
    if (count == cap) {
      size_t c = cap ? 2 * cap : 64;
      struct reach_site *s = realloc(out, c * sizeof *s);
      if (!s) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
      out = s;
      cap = c;
    }
    st = reach_sites_next(ctx, r, out + count, cap - count, &got);
    count += got;
  } while (st == REACH_OK && got > 0);
  struct app_spec *specs = st == REACH_OK ? calloc(count ? count : 1, sizeof *specs) : NULL;
  if (st == REACH_OK && !specs) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  size_t kept = 0;
  for (size_t i = 0; i < count && st == REACH_OK; i++) {
    enum reach_status e = app_site_spec(ctx, app, &out[i], file, &specs[kept]);
    if (e == REACH_ERR_DATA && app->o.skip_bad) {
      ++*skipped;
      continue;
    }
    if (e != REACH_OK) {
      st = e;
      break;
    }
    out[kept++] = out[i];
  }
  if (st == REACH_OK && kept == 0)
    st = reach_fail(ctx, REACH_ERR_DATA, "%s holds no sites (all rows were bad)",
                    app_shown_path(file));
  if (st != REACH_OK) {
    for (size_t i = 0; specs && i < kept; i++) app_spec_free(&specs[i]);
    free(specs);
    free(out);
    return st;
  }
  free(app->pts);
  app->pts = out;
  app->npts = kept;
  if (!reach_sites_params(r)) { /* one weapon for all: the usual paths */
    for (size_t i = 0; i < kept; i++) app_spec_free(&specs[i]);
    free(specs);
    specs = NULL;
  }
  *specs_out = specs;
  nskipped += reach_sites_skipped(r);
  if (nskipped && !app->o.quiet)
    app_note(app, "skipped %zu bad row%s of %s", nskipped, nskipped == 1 ? "" : "s",
             app_shown_path(file));
  return REACH_OK;
}

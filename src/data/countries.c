/* The bundled countries (Natural Earth) and territories to reach from or clip
 * with: read through io/table, held as a geom/ polygon set. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "geom/polyset.h"
#include "io/table.h"
#include "georeach/io.h"
#include "georeach/overlay.h"

/* The bundled countries: data/countries.fgb (FlatGeobuf, read in a tenth of
 * the time; built from the GeoJSON by scripts/build-data) when present,
 * else data/countries.geojson. */
static void countries_path(struct reach_ctx *ctx, char *path, size_t n) {
  struct stat sb;
  snprintf(path, n, "%s/countries.fgb", reach_ctx_data_dir(ctx));
  if (stat(path, &sb) != 0) snprintf(path, n, "%s/countries.geojson", reach_ctx_data_dir(ctx));
}

/* Whether the comma-separated list @p want names this row (ISO alpha-2,
 * alpha-3 or name, any case); *nwanted the number of names in the list. */
static int row_wanted(const struct reach_table *t, const char *want, int *nwanted) {
  int ia2 = reach_table_field(t, "iso_a2"), ia3 = reach_table_field(t, "iso_a3"),
      inm = reach_table_field(t, "name");
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", want);
  int take = 0;
  *nwanted = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    (*nwanted)++;
    if ((ia2 >= 0 && !strcasecmp(tok, reach_table_text(t, ia2))) ||
        (ia3 >= 0 && !strcasecmp(tok, reach_table_text(t, ia3))) ||
        (inm >= 0 && !strcasecmp(tok, reach_table_text(t, inm))))
      take = 1;
  }
  return take;
}

enum reach_status reach_territory(struct reach_ctx *ctx, const char *what,
                                  struct reach_geom *out, char *label,
                                  size_t label_len) {
  memset(out, 0, sizeof *out);
  const char *dot = strrchr(what, '.');
  int is_file = reach_is_pg(what) || strstr(what, "|layername=") != NULL ||
                (dot && strchr(what, ',') == NULL && dot[1] && strlen(dot) <= 8);
  char path[4096];
  if (is_file)
    snprintf(path, sizeof path, "%s", what);
  else
    countries_path(ctx, path, sizeof path);
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the territory", NULL, NULL, &t);
  if (st != REACH_OK) return st;
  struct reach_polyset *ps = reach_polyset_new();
  int wanted = 0, found = 0;
  char names[256] = "";
  if (!ps) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  while (st == REACH_OK && reach_table_next(t)) {
    if (!is_file) {
      if (!row_wanted(t, what, &wanted)) continue;
      int ia2 = reach_table_field(t, "iso_a2");
      size_t l = strlen(names);
      snprintf(names + l, sizeof names - l, "%s%s", l ? "," : "",
               ia2 >= 0 ? reach_table_text(t, ia2) : "?");
    }
    size_t len = 0;
    double box[4];
    const unsigned char *wkb = reach_table_wkb(ctx, t, &len, box, &st);
    if (!wkb) continue;
    found++;
    if (reach_polyset_add_wkb(ctx, ps, wkb, len, box, 0) == -2)
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  reach_table_close(t);
  if (st == REACH_OK && reach_polyset_count(ps) == 0)
    st = is_file ? reach_fail(ctx, REACH_ERR_DATA, "%s holds no polygon", what)
                 : reach_fail(ctx, REACH_ERR_ARG,
                              "no country '%s' (give ISO codes such as UA or UKR, "
                              "or names, comma separated, or a polygon file)", what);
  if (st == REACH_OK && !is_file && found < wanted) /* some name matched nothing */
    st = reach_fail(ctx, REACH_ERR_ARG, "'%s': only %s found among the bundled countries",
                    what, names);
  if (st == REACH_OK) st = reach_polyset_union(ctx, ps, out);
  reach_polyset_free(ctx, ps);
  if (st == REACH_OK && label && label_len)
    snprintf(label, label_len, "%s", is_file ? what : names);
  return st;
}

/* The bundled countries, loaded once per context (slot COUNTRIES). */
struct countries {
  struct reach_polyset *ps;
  char (*iso)[4];
  char (*name)[64];
};

static void countries_free(struct reach_ctx *ctx, void *p) {
  struct countries *c = p;
  if (!c) return;
  reach_polyset_free(ctx, c->ps);
  free(c->iso);
  free(c->name);
  free(c);
}

static enum reach_status load_countries(struct reach_ctx *ctx, struct countries **out) {
  if ((*out = ctx->slot[REACH_SLOT_COUNTRIES])) return REACH_OK;
  char path[4096];
  countries_path(ctx, path, sizeof path);
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the countries", NULL, NULL, &t);
  if (st != REACH_OK) return st;
  long long rows = reach_table_count(t);
  size_t cap = rows > 0 ? (size_t)rows + 1 : 512;
  struct countries *c = calloc(1, sizeof *c);
  if (c) {
    c->ps = reach_polyset_new();
    c->iso = calloc(cap, sizeof *c->iso);
    c->name = calloc(cap, sizeof *c->name);
  }
  if (!c || !c->ps || !c->iso || !c->name) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  int ia = reach_table_field(t, "iso_a2"), in = reach_table_field(t, "name");
  while (st == REACH_OK && c && reach_polyset_count(c->ps) < cap && reach_table_next(t)) {
    size_t len = 0;
    double box[4];
    const unsigned char *wkb = reach_table_wkb(ctx, t, &len, box, &st);
    long i = wkb ? reach_polyset_add_wkb(ctx, c->ps, wkb, len, box, 1) : -1;
    if (i == -2) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    if (i < 0) continue;
    snprintf(c->iso[i], sizeof c->iso[i], "%s", reach_table_text(t, ia));
    snprintf(c->name[i], sizeof c->name[i], "%s", reach_table_text(t, in));
  }
  reach_table_close(t);
  if (st != REACH_OK) {
    countries_free(ctx, c);
    return st;
  }
  reach_ctx_slot_set(ctx, REACH_SLOT_COUNTRIES, c, countries_free);
  *out = c;
  return REACH_OK;
}

static int cmp_share(const void *a, const void *b) {
  const struct reach_country_share *x = a, *y = b;
  double sx = x->area_in_m2 / x->area_m2, sy = y->area_in_m2 / y->area_m2;
  return sx < sy ? 1 : sx > sy ? -1 : strcmp(x->iso_a2, y->iso_a2);
}

enum reach_status reach_countries_reached(struct reach_ctx *ctx,
                                          const struct reach_geom *region,
                                          struct reach_country_share **shares,
                                          size_t *n) {
  *shares = NULL;
  *n = 0;
  struct countries *c = NULL;
  enum reach_status st = load_countries(ctx, &c);
  if (st != REACH_OK) return st;
  size_t nc = reach_polyset_count(c->ps);
  double *in = calloc(nc ? nc : 1, sizeof *in);
  struct reach_country_share *out = calloc(nc ? nc : 1, sizeof *out);
  if (!in || !out) {
    free(in);
    free(out);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  st = reach_polyset_areas_in(ctx, c->ps, region, in);
  size_t m = 0;
  for (size_t i = 0; st == REACH_OK && i < nc; i++) {
    double whole = reach_polyset_area_m2(c->ps, i);
    if (!(in[i] > 0) || !(whole > 0)) continue;
    snprintf(out[m].iso_a2, sizeof out[m].iso_a2, "%s", c->iso[i]);
    snprintf(out[m].name, sizeof out[m].name, "%s", c->name[i]);
    out[m].area_in_m2 = fmin(in[i], whole);
    out[m].area_m2 = whole;
    m++;
  }
  free(in);
  if (st != REACH_OK) {
    free(out);
    return st;
  }
  qsort(out, m, sizeof *out, cmp_share);
  *shares = out;
  *n = m;
  return REACH_OK;
}

enum reach_status reach_countries_geos(struct reach_ctx *ctx, void *const **geoms,
                                       const char (**names)[64], size_t *n) {
  struct countries *c = NULL;
  enum reach_status st = load_countries(ctx, &c);
  if (st != REACH_OK) return st;
  *geoms = reach_polyset_members(c->ps);
  *names = (const char(*)[64])c->name;
  *n = reach_polyset_count(c->ps);
  return REACH_OK;
}

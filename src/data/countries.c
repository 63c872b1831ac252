/* The bundled countries (Natural Earth) and territories to reach from or clip
 * with: read through io/table, held as a geom/ polygon set. */
#include <math.h>
#include <stdint.h>
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

/* Names people use that the bundled table does not carry (its names are
 * Natural Earth's short names and ISO 3166's): key (reach_name_key) -> ISO
 * alpha-2. */
static const struct {
  const char *key, *iso_a2;
} country_aliases[] = {
    {"usa", "US"},        {"america", "US"},      {"unitedstates", "US"},
    {"uk", "GB"},         {"britain", "GB"},      {"greatbritain", "GB"},
    {"dprk", "KP"},       {"rok", "KR"},
    {"czechrepublic", "CZ"}, {"ivorycoast", "CI"}, {"burma", "MM"},
    {"drc", "CD"},        {"drcongo", "CD"},      {"democraticrepublicofthecongo", "CD"},
    {"uae", "AE"},        {"turkey", "TR"},       {"turkiye", "TR"},
    {"holland", "NL"},    {"vatican", "VA"},      {"eswatini", "SZ"},
    {"swaziland", "SZ"},  {"southsudan", "SS"},   {"northmacedonia", "MK"},
    {"bosnia", "BA"},     {"palestinianterritories", "PS"}, {"easttimor", "TL"},
    /* ISO countries with places in the gazetteer that Natural Earth's
     * 1:50m admin-0 folds into another polygon (France's overseas
     * departments, Svalbard, ...) or leaves out (Tuvalu): known, so
     * --country takes them, though no polygon carries their code */
    {"bq", "BQ"}, {"caribbeannetherlands", "BQ"}, {"cc", "CC"}, {"cocosislands", "CC"},
    {"cx", "CX"}, {"christmasisland", "CX"},      {"gf", "GF"}, {"frenchguiana", "GF"},
    {"gi", "GI"}, {"gibraltar", "GI"},            {"gp", "GP"}, {"guadeloupe", "GP"},
    {"mq", "MQ"}, {"martinique", "MQ"},           {"re", "RE"}, {"reunion", "RE"},
    {"sj", "SJ"}, {"svalbard", "SJ"},             {"tv", "TV"}, {"tuvalu", "TV"},
    {"yt", "YT"}, {"mayotte", "YT"},
};

/* The bundled countries' codes and names, read once per context (slot
 * COUNTRY_NAMES): what a country list is checked against before anything
 * else is done. */
struct country_names {
  size_t n;
  char (*a2)[4], (*a3)[4], (*name)[64], (*iso_name)[96];
};

static void country_names_free(struct reach_ctx *ctx, void *p) {
  (void)ctx;
  struct country_names *c = p;
  if (!c) return;
  free(c->a2);
  free(c->a3);
  free(c->name);
  free(c->iso_name);
  free(c);
}

static enum reach_status load_country_names(struct reach_ctx *ctx, struct country_names **out) {
  if ((*out = ctx->slot[REACH_SLOT_COUNTRY_NAMES])) return REACH_OK;
  char path[4096];
  countries_path(ctx, path, sizeof path);
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the countries", NULL, NULL, &t);
  if (st != REACH_OK) return st;
  long long rows = reach_table_count(t);
  size_t cap = rows > 0 ? (size_t)rows : 512;
  struct country_names *c = calloc(1, sizeof *c);
  if (c) {
    c->a2 = calloc(cap, sizeof *c->a2);
    c->a3 = calloc(cap, sizeof *c->a3);
    c->name = calloc(cap, sizeof *c->name);
    c->iso_name = calloc(cap, sizeof *c->iso_name);
  }
  if (!c || !c->a2 || !c->a3 || !c->name || !c->iso_name) {
    reach_table_close(t);
    country_names_free(ctx, c);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  int ia2 = reach_table_field(t, "iso_a2"), ia3 = reach_table_field(t, "iso_a3"),
      inm = reach_table_field(t, "name"), iin = reach_table_field(t, "iso_name");
  while (c->n < cap && reach_table_next(t)) {
    snprintf(c->a2[c->n], sizeof c->a2[c->n], "%s", reach_table_text(t, ia2));
    snprintf(c->a3[c->n], sizeof c->a3[c->n], "%s", reach_table_text(t, ia3));
    snprintf(c->name[c->n], sizeof c->name[c->n], "%s", reach_table_text(t, inm));
    snprintf(c->iso_name[c->n], sizeof c->iso_name[c->n], "%s", reach_table_text(t, iin));
    c->n++;
  }
  reach_table_close(t);
  reach_ctx_slot_set(ctx, REACH_SLOT_COUNTRY_NAMES, c, country_names_free);
  *out = c;
  return REACH_OK;
}

/* What one word of a country list names: the ISO alpha-2 code, or the name
 * of a bundled country without one (Somaliland); NULL for no country. */
static const char *country_id(const struct country_names *c, const char *word) {
  char key[128], k[128];
  reach_name_key(word, key, sizeof key);
  if (!*key) return NULL;
  for (size_t i = 0; i < c->n; i++) {
    const char *id = *c->a2[i] ? c->a2[i] : c->name[i];
    if ((*c->a2[i] && !strcasecmp(word, c->a2[i])) || (*c->a3[i] && !strcasecmp(word, c->a3[i])))
      return id;
    reach_name_key(c->name[i], k, sizeof k);
    if (!strcmp(k, key)) return id;
    reach_name_key(c->iso_name[i], k, sizeof k);
    if (!strcmp(k, key)) return id;
  }
  for (size_t a = 0; a < sizeof country_aliases / sizeof country_aliases[0]; a++)
    if (!strcmp(key, country_aliases[a].key)) return country_aliases[a].iso_a2;
  return NULL;
}

/* "did you mean Ukraine (UA)?": the three names or codes closest to @p word. */
static void country_suggest(const struct country_names *c, const char *word, char *out,
                            size_t cap) {
  char key[128], k[128];
  reach_name_key(word, key, sizeof key);
  size_t best[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, bd[3] = {99, 99, 99};
  for (size_t i = 0; i < c->n; i++) {
    const char *cand[3] = {c->name[i], c->iso_name[i], c->a3[i]};
    size_t d = 99;
    /* codes only for a word as short as a code: "Russa" is not "USA" */
    for (int j = 0; j < (strlen(key) <= 3 ? 3 : 2); j++) {
      reach_name_key(cand[j], k, sizeof k);
      size_t dj = *k ? reach_edit_distance(k, key) : 99;
      if (dj < d) d = dj;
    }
    for (int j = 0; j < 3; j++) {
      if (d >= bd[j]) continue;
      for (int m = 2; m > j; m--) {
        bd[m] = bd[m - 1];
        best[m] = best[m - 1];
      }
      bd[j] = d;
      best[j] = i;
      break;
    }
  }
  size_t limit = strlen(key) / 3 > 2 ? strlen(key) / 3 : 2;
  out[0] = '\0';
  for (int j = 0; j < 3; j++) {
    if (best[j] == SIZE_MAX || bd[j] > limit) continue;
    size_t l = strlen(out);
    snprintf(out + l, cap - l, "%s%s%s%s%s", l ? ", " : "", c->name[best[j]],
             *c->a2[best[j]] ? " (" : "", c->a2[best[j]], *c->a2[best[j]] ? ")" : "");
  }
}

enum reach_status reach_country_codes(struct reach_ctx *ctx, const char *list, char *codes,
                                      size_t codes_len) {
  struct country_names *c = NULL;
  enum reach_status st = load_country_names(ctx, &c);
  if (st != REACH_OK) return st;
  char *copy = strdup(list), *save = NULL;
  if (!copy) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  char out[1024] = "";
  size_t words = 0;
  for (char *tok = strtok_r(copy, ",", &save); tok && st == REACH_OK;
       tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    size_t l = strlen(tok);
    while (l && tok[l - 1] == ' ') tok[--l] = '\0';
    if (!l) continue;
    words++;
    const char *id = country_id(c, tok);
    if (!id) {
      char sugg[400];
      country_suggest(c, tok, sugg, sizeof sugg);
      st = reach_fail(ctx, REACH_ERR_ARG,
                      "unknown country '%s'%s%s%s (give ISO codes such as UA or UKR, or "
                      "names such as Ukraine or \"North Korea\", comma separated)",
                      tok, *sugg ? "; did you mean " : "", sugg, *sugg ? "?" : "");
      break;
    }
    size_t o = strlen(out);
    snprintf(out + o, sizeof out - o, "%s%s", o ? "," : "", id);
  }
  free(copy);
  if (st == REACH_OK && words == 0)
    st = reach_fail(ctx, REACH_ERR_ARG, "'%s' names no country", list);
  if (st == REACH_OK) {
    if (strlen(out) >= codes_len) return reach_fail(ctx, REACH_ERR_ARG, "too many countries");
    snprintf(codes, codes_len, "%s", out);
  }
  return st;
}

/* Whether the comma-separated list @p want (reach_country_codes()) names
 * this row: its ISO alpha-2 code, or its name when it has none. */
static int row_wanted(const struct reach_table *t, const char *want) {
  int ia2 = reach_table_field(t, "iso_a2"), inm = reach_table_field(t, "name");
  const char *a2 = ia2 >= 0 ? reach_table_text(t, ia2) : "";
  const char *id = *a2 ? a2 : inm >= 0 ? reach_table_text(t, inm) : "";
  size_t l = strlen(id);
  for (const char *p = want; *id && p && *p; p = strchr(p, ','), p = p ? p + 1 : NULL)
    if (!strncmp(p, id, l) && (p[l] == ',' || p[l] == '\0')) return 1;
  return 0;
}

enum reach_status reach_territory(struct reach_ctx *ctx, const char *what,
                                  struct reach_geom *out, char *label,
                                  size_t label_len) {
  memset(out, 0, sizeof *out);
  const char *dot = strrchr(what, '.');
  int is_file = reach_is_pg(what) || strstr(what, "|layername=") != NULL ||
                (dot && strchr(what, ',') == NULL && dot[1] && strlen(dot) <= 8);
  char path[4096], codes[1024] = "";
  if (is_file) {
    snprintf(path, sizeof path, "%s", what);
  } else {
    enum reach_status cst = reach_country_codes(ctx, what, codes, sizeof codes);
    if (cst != REACH_OK) return cst;
    countries_path(ctx, path, sizeof path);
  }
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the territory", NULL, NULL, &t);
  if (st != REACH_OK) return st;
  struct reach_polyset *ps = reach_polyset_new();
  char names[256] = "";
  if (!ps) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  while (st == REACH_OK && reach_table_next(t)) {
    if (!is_file) {
      if (!row_wanted(t, codes)) continue;
      int ia2 = reach_table_field(t, "iso_a2");
      size_t l = strlen(names);
      snprintf(names + l, sizeof names - l, "%s%s", l ? "," : "",
               ia2 >= 0 ? reach_table_text(t, ia2) : "?");
    }
    size_t len = 0;
    double box[4];
    const unsigned char *wkb = reach_table_wkb(ctx, t, &len, box, &st);
    if (!wkb) continue;
    if (reach_polyset_add_wkb(ctx, ps, wkb, len, box, 0) == -2)
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  reach_table_close(t);
  if (st == REACH_OK && reach_polyset_count(ps) == 0)
    st = is_file ? reach_fail(ctx, REACH_ERR_DATA, "%s holds no polygon", what)
                 : reach_fail(ctx, REACH_ERR_DATA, "no polygon for '%s' among the bundled "
                              "countries", what);
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

/* Place names: the bundled GeoNames cities (read through io/table) and
 * points given as text. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "data/index.h"
#include "io/compiled.h"
#include "io/table.h"
#include "georeach/catalogue.h"
#include "georeach/gazetteer.h"
#include "georeach/parse.h"

struct reach_gazetteer {
  struct reach_place *p;
  char **keys; /* per place: "|key|key|...|", normalized */
  int keys_static; /* keys point into the compiled index: not freed */
  /* the compiled index's rows (data/index.h), read in place; p is then
   * made only when every place is asked for (reach_places()) */
  const struct reach_index_city *ix;
  size_t n;
  /* data/bases.csv: military bases and launch areas, looked up with the
   * places (population 0; kind says what each is) */
  struct reach_place *b;
  char **bkeys;
  char (*bkind)[48];
  size_t nb;
};


static void gazetteer_free(struct reach_ctx *ctx, void *p) {
  (void)ctx;
  struct reach_gazetteer *g = p;
  if (!g) return;
  for (size_t i = 0; i < g->n && !g->keys_static; i++) free(g->keys[i]);
  free(g->keys);
  free(g->p);
  for (size_t i = 0; i < g->nb && !g->keys_static; i++) free(g->bkeys[i]);
  free(g->bkeys);
  free(g->bkind);
  free(g->b);
  free(g);
}

static char *make_keys(const char *name, const char *ascii, const char *alts) {
  size_t cap = strlen(name) + strlen(ascii) + strlen(alts) + 8, o = 1;
  char *k = malloc(cap), norm[256];
  if (!k) return NULL;
  k[0] = '|';
  const char *parts[] = {name, ascii};
  for (int i = 0; i < 2; i++) {
    reach_name_key(parts[i], norm, sizeof norm);
    size_t l = strlen(norm);
    if (l && o + l + 2 <= cap) {
      memcpy(k + o, norm, l);
      o += l;
      k[o++] = '|';
    }
  }
  const char *p = alts;
  while (*p) {
    const char *e = strchr(p, '|');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char one[256];
    if (len < sizeof one) {
      memcpy(one, p, len);
      one[len] = '\0';
      reach_name_key(one, norm, sizeof norm);
      size_t l = strlen(norm);
      if (l && o + l + 2 <= cap) {
        memcpy(k + o, norm, l);
        o += l;
        k[o++] = '|';
      }
    }
    p += len + (e ? 1 : 0);
  }
  k[o] = '\0';
  return k;
}

/* data/bases.csv into @p g (name, aliases, country_code, kind, lat, lon,
 * source): read through io/table like the cities. */
static enum reach_status load_bases(struct reach_ctx *ctx, struct reach_gazetteer *g) {
  char path[4096];
  snprintf(path, sizeof path, "%s/bases.csv", reach_ctx_data_dir(ctx));
  static const char *const csv[] = {"CSV", NULL}, *const opts[] = {"AUTODETECT_TYPE=NO", NULL};
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the bases table", csv, opts, &t);
  if (st != REACH_OK) return st;
  static const char *cols[] = {"name", "aliases", "country_code", "kind", "lat", "lon"};
  int ix[6];
  for (int c = 0; c < 6; c++)
    if ((ix[c] = reach_table_field(t, cols[c])) < 0) {
      reach_table_close(t);
      return reach_fail(ctx, REACH_ERR_DATA, "%s has no '%s' column", path, cols[c]);
    }
  size_t cap = 0;
  while (reach_table_next(t)) {
    if (g->nb == cap) {
      cap = cap ? 2 * cap : 64;
      struct reach_place *b = realloc(g->b, cap * sizeof *b);
      if (b) g->b = b;
      char **k = b ? realloc(g->bkeys, cap * sizeof *k) : NULL;
      if (k) g->bkeys = k;
      char(*kind)[48] = k ? realloc(g->bkind, cap * sizeof *kind) : NULL;
      if (kind) g->bkind = kind;
      if (!kind) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
    }
    struct reach_place *b = &g->b[g->nb];
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", reach_table_text(t, ix[0]));
    snprintf(b->country, sizeof b->country, "%s", reach_table_text(t, ix[2]));
    snprintf(g->bkind[g->nb], sizeof g->bkind[g->nb], "%s", reach_table_text(t, ix[3]));
    b->lat_deg = atof(reach_table_text(t, ix[4]));
    b->lon_deg = atof(reach_table_text(t, ix[5]));
    if (!(g->bkeys[g->nb] = make_keys(b->name, "", reach_table_text(t, ix[1])))) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    g->nb++;
  }
  reach_table_close(t);
  return st;
}

/* The compiled index (data/index.h) when the data folder's cities.csv and
 * bases.csv are the files it was made from: no GDAL, no CSV parsing.  NULL
 * (and no error) otherwise, or when memory fails. */
static struct reach_gazetteer *load_index(struct reach_ctx *ctx) {
  char path[4096];
  unsigned long long h = 0xCBF29CE484222325ULL, bytes = 0;
  snprintf(path, sizeof path, "%s/cities.csv", reach_ctx_data_dir(ctx));
  if (!reach_hash_file(path, &h, &bytes)) return NULL;
  snprintf(path, sizeof path, "%s/bases.csv", reach_ctx_data_dir(ctx));
  if (!reach_hash_file(path, &h, &bytes)) return NULL;
  if (h != reach_index_hash || bytes != reach_index_bytes) return NULL;
  struct reach_gazetteer *g = calloc(1, sizeof *g);
  size_t n = reach_index_ncities, nb = reach_index_nbases;
  if (!g) return NULL;
  g->keys_static = 1;
  g->ix = reach_index_cities;
  g->b = calloc(nb ? nb : 1, sizeof *g->b);
  g->bkeys = calloc(nb ? nb : 1, sizeof *g->bkeys);
  g->bkind = calloc(nb ? nb : 1, sizeof *g->bkind);
  if (!g->b || !g->bkeys || !g->bkind) {
    gazetteer_free(ctx, g);
    return NULL;
  }
  for (size_t i = 0; i < nb; i++) {
    const struct reach_index_base *b = &reach_index_bases[i];
    snprintf(g->b[i].name, sizeof g->b[i].name, "%s", b->name);
    snprintf(g->b[i].country, sizeof g->b[i].country, "%s", b->country);
    snprintf(g->bkind[i], sizeof g->bkind[i], "%s", b->kind);
    g->b[i].lat_deg = b->lat_deg;
    g->b[i].lon_deg = b->lon_deg;
    g->bkeys[i] = (char *)b->keys; // NOLINT: never written nor freed (keys_static)
  }
  g->n = n;
  g->nb = nb;
  return g;
}

/* The gazetteer of @p ctx, loaded on first use (slot GAZETTEER): from the
 * compiled index when it matches the data folder's files, else the CSVs
 * read through GDAL (GEOREACH_NO_INDEX=1 forces that, for the test that
 * compares the two). */
static enum reach_status load(struct reach_ctx *ctx, struct reach_gazetteer **out) {
  if ((*out = ctx->slot[REACH_SLOT_GAZETTEER])) return REACH_OK;
  const char *no_index = getenv("GEOREACH_NO_INDEX");
  struct reach_gazetteer *cached = no_index && *no_index == '1' ? NULL : load_index(ctx);
  if (cached) {
    reach_ctx_slot_set(ctx, REACH_SLOT_GAZETTEER, cached, gazetteer_free);
    *out = cached;
    return REACH_OK;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/cities.csv", reach_ctx_data_dir(ctx));
  static const char *const csv[] = {"CSV", NULL}, *const opts[] = {"AUTODETECT_TYPE=NO", NULL};
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the gazetteer", csv, opts, &t);
  if (st != REACH_OK) return st;
  static const char *cols[] = {"name", "asciiname", "alternatenames",
                               "country_code", "admin1_code", "population",
                               "capital", "lat", "lon"};
  int ix[9];
  for (int c = 0; c < 9; c++) {
    ix[c] = reach_table_field(t, cols[c]);
    if (ix[c] < 0) {
      reach_table_close(t);
      return reach_fail(ctx, REACH_ERR_DATA, "%s has no '%s' column", path, cols[c]);
    }
  }
  struct reach_gazetteer *g = calloc(1, sizeof *g);
  size_t cap = 0;
  while (g && reach_table_next(t)) {
    if (g->n == cap) {
      cap = cap ? 2 * cap : 4096;
      struct reach_place *p = realloc(g->p, cap * sizeof *p);
      char **k = p ? realloc(g->keys, cap * sizeof *k) : NULL;
      if (p) g->p = p;
      if (k) g->keys = k;
      if (!p || !k) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        break;
      }
    }
    struct reach_place *p = &g->p[g->n];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", reach_table_text(t, ix[0]));
    snprintf(p->country, sizeof p->country, "%s", reach_table_text(t, ix[3]));
    snprintf(p->admin1, sizeof p->admin1, "%s", reach_table_text(t, ix[4]));
    p->population = atol(reach_table_text(t, ix[5]));
    p->capital = atoi(reach_table_text(t, ix[6]));
    p->lat_deg = atof(reach_table_text(t, ix[7]));
    p->lon_deg = atof(reach_table_text(t, ix[8]));
    g->keys[g->n] = make_keys(reach_table_text(t, ix[0]), reach_table_text(t, ix[1]),
                              reach_table_text(t, ix[2]));
    if (!g->keys[g->n]) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    g->n++;
  }
  reach_table_close(t);
  if (!g) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  if (st == REACH_OK) st = load_bases(ctx, g);
  if (st != REACH_OK) {
    gazetteer_free(ctx, g);
    return st;
  }
  reach_ctx_slot_set(ctx, REACH_SLOT_GAZETTEER, g, gazetteer_free);
  *out = g;
  return REACH_OK;
}


/* Place @p i's fields, from the compiled rows or the places read. */
static const char *gz_country(const struct reach_gazetteer *g, size_t i) {
  return g->ix ? g->ix[i].country : g->p[i].country;
}
static const char *gz_keys(const struct reach_gazetteer *g, size_t i) {
  return g->ix ? g->ix[i].keys : g->keys[i];
}
static const char *gz_name(const struct reach_gazetteer *g, size_t i) {
  return g->ix ? g->ix[i].name : g->p[i].name;
}
static long gz_population(const struct reach_gazetteer *g, size_t i) {
  return g->ix ? g->ix[i].population : g->p[i].population;
}
static void gz_place(const struct reach_gazetteer *g, size_t i, struct reach_place *out) {
  if (!g->ix) {
    *out = g->p[i];
    return;
  }
  const struct reach_index_city *c = &g->ix[i];
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", c->name);
  snprintf(out->country, sizeof out->country, "%s", c->country);
  snprintf(out->admin1, sizeof out->admin1, "%s", c->admin1);
  out->population = c->population;
  out->capital = c->capital;
  out->lat_deg = c->lat_deg;
  out->lon_deg = c->lon_deg;
}
/* Whether the keys "|a|b|...|" hold key "|k|" (length klen): a match starts
 * at a '|', so only those are compared (strchr is vectorised; the lookup
 * scans every place of the gazetteer, 24,000 for each name). */
static int has_key(const char *keys, const char *key, size_t klen) {
  for (const char *p = keys; (p = strchr(p, '|')) != NULL; p++)
    if (p[1] == key[1] && strncmp(p, key, klen) == 0) return 1;
  return 0;
}


/* reach_place_find(), and *kind: the kind of base ("air base") when the
 * place taken is one of data/bases.csv, NULL for a city. */
static enum reach_status place_find(struct reach_ctx *ctx, const char *query, int strict,
                                    struct reach_place *out, size_t *nmatches,
                                    const char **kind) {
  *kind = NULL;
  struct reach_gazetteer *g = NULL;
  enum reach_status st = load(ctx, &g);
  if (st != REACH_OK) return st;
  char name[256], cc[4] = "", key[260];
  snprintf(name, sizeof name, "%s", query);
  char *comma = strrchr(name, ',');
  if (comma) {
    const char *q = comma + 1;
    while (isspace((unsigned char)*q)) q++;
    size_t l = strlen(q);
    while (l && isspace((unsigned char)q[l - 1])) l--;
    if (l != 2 || !isalpha((unsigned char)q[0]) || !isalpha((unsigned char)q[1]))
      return reach_fail(ctx, REACH_ERR_ARG,
                        "'%s': after the comma give a two-letter country code, "
                        "e.g. Kharkiv,UA", query);
    cc[0] = (char)toupper((unsigned char)q[0]);
    cc[1] = (char)toupper((unsigned char)q[1]);
    *comma = '\0';
  }
  char norm[256];
  reach_name_key(name, norm, sizeof norm);
  if (!*norm) return reach_fail(ctx, REACH_ERR_ARG, "'%s' is not a place name", query);
  snprintf(key, sizeof key, "|%s|", norm);
  size_t klen = strlen(key);
  size_t count = 0, best = SIZE_MAX;
  for (size_t i = 0; i < g->n; i++) {
    if (*cc && strcmp(gz_country(g, i), cc) != 0) continue;
    if (!has_key(gz_keys(g, i), key, klen)) continue;
    count++;
    if (best == SIZE_MAX || gz_population(g, i) > gz_population(g, best)) best = i;
  }
  /* Bases and launch areas by the same rules: a city of that name is taken
   * first (the most populous place; the base is then another candidate),
   * and a base within 5 km of the city taken is that place, not another
   * (the launch-area rows are city proxies: Belgorod is one place). */
  size_t bbest = SIZE_MAX;
  struct reach_place city = {0};
  if (best != SIZE_MAX) gz_place(g, best, &city);
  for (size_t i = 0; i < g->nb; i++) {
    if (*cc && strcmp(g->b[i].country, cc) != 0) continue;
    if (!has_key(g->bkeys[i], key, klen)) continue;
    if (best != SIZE_MAX) {
      double d_m = 0;
      geod_inverse(&ctx->g, city.lat_deg, city.lon_deg, g->b[i].lat_deg,
                   g->b[i].lon_deg, &d_m, NULL, NULL);
      if (d_m < 5000) continue;
    }
    count++;
    if (bbest == SIZE_MAX) bbest = i;
  }
  if (nmatches) *nmatches = count;
  if (count == 0) {
    /* suggest the closest primary names (the most populous on ties) */
    size_t s[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, sd[3] = {99, 99, 99};
    for (size_t i = 0; i < g->n; i++) {
      if (*cc && strcmp(gz_country(g, i), cc) != 0) continue;
      char pn[256];
      reach_name_key(gz_name(g, i), pn, sizeof pn);
      size_t d = reach_edit_distance(pn, norm);
      for (int k = 0; k < 3; k++) {
        if (d < sd[k] || (d == sd[k] && s[k] != SIZE_MAX &&
                          gz_population(g, i) > gz_population(g, s[k]))) {
          for (int j = 2; j > k; j--) {
            sd[j] = sd[j - 1];
            s[j] = s[j - 1];
          }
          sd[k] = d;
          s[k] = i;
          break;
        }
      }
    }
    /* bases after cities: a close base name is suggested before a farther
     * city's */
    size_t bs = SIZE_MAX, bsd = 99;
    for (size_t i = 0; i < g->nb; i++) {
      if (*cc && strcmp(g->b[i].country, cc) != 0) continue;
      /* every name of a base: "Andersen AFV" is one letter from an alias */
      for (const char *k = g->bkeys[i] + 1; *k;) {
        const char *e = strchr(k, '|');
        char one[256];
        size_t len = e ? (size_t)(e - k) : strlen(k);
        snprintf(one, sizeof one, "%.*s", (int)(len < 255 ? len : 255), k);
        size_t d = reach_edit_distance(one, norm);
        if (d < bsd) bsd = d, bs = i;
        k += len + (e != NULL);
      }
    }
    char sugg[400] = "";
    size_t limit = strlen(norm) / 3 > 2 ? strlen(norm) / 3 : 2;
    for (int k = 0; k < 3; k++) {
      if (s[k] == SIZE_MAX || sd[k] > limit) continue;
      size_t l = strlen(sugg);
      snprintf(sugg + l, sizeof sugg - l, "%s%s,%s", l ? ", " : "",
               gz_name(g, s[k]), gz_country(g, s[k]));
    }
    /* a base closer than the places comes first */
    char with_base[1024];
    const char *shown = sugg;
    if (bs != SIZE_MAX && bsd <= limit && (s[0] == SIZE_MAX || bsd <= sd[0])) {
      snprintf(with_base, sizeof with_base, "%s,%s%s%s", g->b[bs].name, g->b[bs].country,
               *sugg ? ", " : "", sugg);
      shown = with_base;
    }
    return reach_fail(ctx, REACH_ERR_ARG,
                      "unknown place '%s'%s%s%s (places of 15,000 people or "
                      "more and the bases of data/bases.csv; or give LAT,LON)", query,
                      *shown ? "; did you mean " : "", shown, *shown ? "?" : "");
  }
  if (best == SIZE_MAX) { /* bases only: the first in the file */
    if (strict && count > 1)
      return reach_fail(ctx, REACH_ERR_ARG,
                        "'%s' names %zu places (the first: %s,%s); give the full name "
                        "or LAT,LON", query, count, g->b[bbest].name, g->b[bbest].country);
    *out = g->b[bbest];
    *kind = g->bkind[bbest];
    return REACH_OK;
  }
  if (strict && count > 1)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "'%s' names %zu places (the largest: %s,%s); add a country "
                      "code, e.g. '%s,%s', or give LAT,LON",
                      query, count, city.name, city.country, name, city.country);
  *out = city;
  return REACH_OK;
}

enum reach_status reach_place_find(struct reach_ctx *ctx, const char *query,
                                   int strict, struct reach_place *out,
                                   size_t *nmatches) {
  const char *kind;
  return place_find(ctx, query, strict, out, nmatches, &kind);
}

enum reach_status reach_places(struct reach_ctx *ctx,
                               const struct reach_place **places, size_t *n) {
  struct reach_gazetteer *g = NULL;
  enum reach_status st = load(ctx, &g);
  if (st != REACH_OK) return st;
  if (g->ix && !g->p) { /* every place asked for: made once from the rows */
    struct reach_place *p = calloc(g->n ? g->n : 1, sizeof *p);
    if (!p) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < g->n; i++) gz_place(g, i, &p[i]);
    g->p = p;
  }
  *places = g->p;
  *n = g->n;
  return REACH_OK;
}

enum reach_status reach_resolve_point(struct reach_ctx *ctx, const char *text,
                                      int strict, double *lat_deg,
                                      double *lon_deg, char *label,
                                      size_t label_len, char *note,
                                      size_t note_len) {
  if (note && note_len) note[0] = '\0';
  enum reach_status st =
      reach_parse_latlon(ctx, text, lat_deg, lon_deg, label, label_len);
  if (st == REACH_OK) return st;
  const char *body = strchr(text, '=');
  body = body ? body + 1 : text;
  int letters = 0, digits = 0;
  for (const char *p = body; *p; p++) {
    letters += isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80;
    digits += isdigit((unsigned char)*p) != 0;
  }
  /* Coordinates with a typo keep the coordinate error; words are places. */
  if (!letters || digits > letters) return st;
  struct reach_place pl = {0};
  size_t n = 0;
  const char *kind = NULL;
  st = place_find(ctx, body, strict, &pl, &n, &kind);
  if (st != REACH_OK) return st;
  reach_clear_error(ctx);
  *lat_deg = pl.lat_deg;
  *lon_deg = pl.lon_deg;
  if (label && label_len && !label[0]) snprintf(label, label_len, "%s", pl.name);
  if (note && note_len && kind)
    snprintf(note, note_len, "'%s' is %s,%s (%.4f, %.4f; %s, data/bases.csv)%s", body,
             pl.name, pl.country, pl.lat_deg, pl.lon_deg, kind,
             n > 1 ? "; the first of several places of that name" : "");
  else if (note && note_len)
    snprintf(note, note_len, "'%s' is %s,%s (%.4f, %.4f; %ld people)%s", body,
             pl.name, pl.country, pl.lat_deg, pl.lon_deg, pl.population,
             n > 1 ? "; the most populous of several places of that name" : "");
  return REACH_OK;
}

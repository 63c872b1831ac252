/* The missile catalogue: loading (GDAL reads the CSV) and name look-up. */
#include <ctype.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "georeach/catalogue.h"


struct reach_catalogue {
  struct reach_missile *m;
  size_t n;
};


/* Lower-case letters and digits only: "KN-23" and "kn 23" are one name. */
static void normalize(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (; *in && o + 1 < cap; in++)
    if (isalnum((unsigned char)*in)) out[o++] = (char)tolower((unsigned char)*in);
  out[o] = '\0';
}

static int field_index(OGRFeatureDefnH defn, const char *name) {
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
    if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), name) == 0)
      return i;
  return -1;
}

static int number_field(OGRFeatureH f, int i, double *v) {
  *v = NAN;
  if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return 1;
  const char *s = OGR_F_GetFieldAsString(f, i);
  while (isspace((unsigned char)*s)) s++;
  if (!*s) return 1;
  char *end;
  *v = strtod(s, &end);
  while (isspace((unsigned char)*end)) end++;
  return *end == '\0' && isfinite(*v) && *v >= 0;
}

enum reach_status reach_catalogue_load(struct reach_ctx *ctx, const char *path,
                                       struct reach_catalogue **out) {
  static const char *cols[] = {"name",         "aliases",       "origin",
                               "class",        "min_km",        "range_km",
                               "range_low_km", "range_high_km", "source"};
  char def[4096];
  const char *opts[] = {"AUTODETECT_TYPE=NO", NULL};
  reach_gdal_init();
  *out = NULL;
  if (!path) {
    snprintf(def, sizeof def, "%s/missiles.csv", reach_ctx_data_dir(ctx));
    path = def;
  }
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                               (const char *const[]){"CSV", NULL}, opts, NULL);
  if (!ds)
    return reach_fail(ctx, REACH_ERR_IO, "cannot read the missile catalogue %s",
                      path);
  OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
  OGRFeatureDefnH defn = lyr ? OGR_L_GetLayerDefn(lyr) : NULL;
  int ix[9];
  enum reach_status st = REACH_OK;
  struct reach_catalogue *cat = calloc(1, sizeof *cat);
  size_t cap = 0;
  if (!cat) {
    GDALClose(ds);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  for (int c = 0; c < 9; c++) {
    ix[c] = defn ? field_index(defn, cols[c]) : -1;
    if (ix[c] < 0 && (c == 0 || c == 5)) {
      st = reach_fail(ctx, REACH_ERR_DATA, "%s has no '%s' column", path, cols[c]);
      goto done;
    }
  }
  OGRFeatureH f;
  size_t row = 1;
  while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
    row++;
    if (cat->n == cap) {
      cap = cap ? 2 * cap : 64;
      struct reach_missile *m = realloc(cat->m, cap * sizeof *m);
      if (!m) {
        OGR_F_Destroy(f);
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        goto done;
      }
      cat->m = m;
    }
    struct reach_missile *m = &cat->m[cat->n];
    memset(m, 0, sizeof *m);
    char *texts[] = {m->name, m->aliases, m->origin, m->klass, NULL, NULL,
                     NULL, NULL, m->source};
    size_t sizes[] = {sizeof m->name, sizeof m->aliases, sizeof m->origin,
                      sizeof m->klass, 0, 0, 0, 0, sizeof m->source};
    for (int c = 0; c < 9; c++)
      if (texts[c] && ix[c] >= 0)
        snprintf(texts[c], sizes[c], "%s", OGR_F_GetFieldAsString(f, ix[c]));
    double *nums[] = {&m->min_km, &m->range_km, &m->range_low_km, &m->range_high_km};
    const char *bad = NULL;
    for (int c = 4; c < 8 && !bad; c++)
      if (!number_field(f, ix[c], nums[c - 4])) bad = cols[c];
    OGR_F_Destroy(f);
    if (!bad && !*m->name) bad = "name";
    if (!bad && !(m->range_km > 0)) bad = "range_km";
    if (!bad && isnan(m->min_km)) m->min_km = 0;
    if (!bad && m->min_km >= m->range_km) bad = "min_km";
    if (bad) {
      st = reach_fail(ctx, REACH_ERR_DATA,
                      "%s, line %zu%s%s: bad or missing %s", path, row,
                      *m->name ? " " : "", m->name, bad);
      goto done;
    }
    cat->n++;
  }
  if (cat->n == 0)
    st = reach_fail(ctx, REACH_ERR_DATA, "%s lists no missile", path);
done:
  GDALClose(ds);
  if (st != REACH_OK) {
    reach_catalogue_free(cat);
    return st;
  }
  *out = cat;
  return REACH_OK;
}

void reach_catalogue_free(struct reach_catalogue *cat) {
  if (!cat) return;
  free(cat->m);
  free(cat);
}

size_t reach_catalogue_count(const struct reach_catalogue *cat) { return cat->n; }

const struct reach_missile *reach_catalogue_get(const struct reach_catalogue *cat,
                                                size_t i) {
  return i < cat->n ? &cat->m[i] : NULL;
}


/* Call fn for the name and every alias of m (normalized). */
static size_t best_distance(const struct reach_missile *m, const char *want,
                            int *exact, int *prefix) {
  char buf[sizeof m->name + sizeof m->aliases + 2], norm[128];
  size_t best = 99;
  snprintf(buf, sizeof buf, "%s|%s", m->name, m->aliases);
  *exact = *prefix = 0;
  for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
       tok = strtok_r(NULL, "|", &save)) {
    normalize(tok, norm, sizeof norm);
    if (!*norm) continue;
    if (!strcmp(norm, want)) *exact = 1;
    if (!strncmp(norm, want, strlen(want))) *prefix = 1;
    size_t d = reach_edit_distance(norm, want);
    /* a prefix ("hwasong" of "hwasong11") is a good suggestion too */
    if (strncmp(norm, want, strlen(want)) == 0 && d > 1) d = 1;
    if (d < best) best = d;
  }
  return best;
}

const struct reach_missile *reach_catalogue_find(struct reach_ctx *ctx,
                                                 const struct reach_catalogue *cat,
                                                 const char *name) {
  char want[128];
  normalize(name, want, sizeof want);
  if (!*want) {
    reach_fail(ctx, REACH_ERR_ARG, "'%s' is not a missile name", name);
    return NULL;
  }
  size_t best[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, bestd[3] = {99, 99, 99};
  size_t nprefix = 0, prefix_at = 0;
  for (size_t i = 0; i < cat->n; i++) {
    int exact, prefix;
    size_t d = best_distance(&cat->m[i], want, &exact, &prefix);
    if (exact) return &cat->m[i];
    if (prefix) {
      nprefix++;
      prefix_at = i;
    }
    for (int k = 0; k < 3; k++) {
      if (d < bestd[k]) {
        for (int j = 2; j > k; j--) {
          bestd[j] = bestd[j - 1];
          best[j] = best[j - 1];
        }
        bestd[k] = d;
        best[k] = i;
        break;
      }
    }
  }
  /* "iskander" is Iskander-M when no other name starts so; "df2" is not
   * taken for DF-21 when DF-26 also starts so. */
  if (nprefix == 1 && strlen(want) >= 4) return &cat->m[prefix_at];
  char sugg[256] = "";
  size_t limit = strlen(want) / 3 > 2 ? strlen(want) / 3 : 2;
  for (int k = 0; k < 3; k++) {
    if (best[k] == SIZE_MAX || bestd[k] > limit) continue;
    size_t l = strlen(sugg);
    snprintf(sugg + l, sizeof sugg - l, "%s%s", l ? ", " : "", cat->m[best[k]].name);
  }
  if (*sugg)
    reach_fail(ctx, REACH_ERR_ARG, "unknown missile '%s'; did you mean %s? "
               "('georeach missiles' lists them all)", name, sugg);
  else
    reach_fail(ctx, REACH_ERR_ARG, "unknown missile '%s' ('georeach missiles' "
               "lists the %zu known systems)", name, cat->n);
  return NULL;
}

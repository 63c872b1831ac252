/* The missile catalogue: loading (a CSV read through io/table) and name
 * look-up. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "io/table.h"
#include "georeach/catalogue.h"


struct reach_catalogue {
  struct reach_missile *m;
  size_t n;
};



static int number_field(const struct reach_table *t, int i, double *v) {
  *v = NAN;
  const char *s = reach_table_text(t, i);
  while (isspace((unsigned char)*s)) s++;
  if (!*s) return 1;
  char *end;
  *v = strtod(s, &end);
  while (isspace((unsigned char)*end)) end++;
  return *end == '\0' && isfinite(*v) && *v >= 0;
}

enum reach_status reach_catalogue_load(struct reach_ctx *ctx, const char *path,
                                       struct reach_catalogue **out) {
  enum { NCOL = 16 };
  static const char *cols[NCOL] = {
      "name",         "aliases",  "shared_names",  "origin",    "class",
      "min_km",       "range_km", "range_kind",    "source",    "range_low_km",
      "low_kind",     "low_source", "range_high_km", "high_kind", "high_source",
      "notes"};
  char def[4096];
  static const char *const csv[] = {"CSV", NULL}, *const opts[] = {"AUTODETECT_TYPE=NO", NULL};
  *out = NULL;
  if (!path) {
    snprintf(def, sizeof def, "%s/missiles.csv", reach_ctx_data_dir(ctx));
    path = def;
  }
  struct reach_table *t = NULL;
  enum reach_status st = reach_table_open(ctx, path, "the missile catalogue", csv, opts, &t);
  if (st != REACH_OK) return st;
  int ix[NCOL];
  struct reach_catalogue *cat = calloc(1, sizeof *cat);
  size_t cap = 0;
  if (!cat) {
    reach_table_close(t);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  for (int c = 0; c < NCOL; c++) {
    ix[c] = reach_table_field(t, cols[c]);
    if (ix[c] < 0 && (c == 0 || c == 6)) {
      st = reach_fail(ctx, REACH_ERR_DATA, "%s has no '%s' column", path, cols[c]);
      goto done;
    }
  }
  size_t row = 1;
  while (reach_table_next(t)) {
    row++;
    if (cat->n == cap) {
      cap = cap ? 2 * cap : 64;
      struct reach_missile *m = realloc(cat->m, cap * sizeof *m);
      if (!m) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
        goto done;
      }
      cat->m = m;
    }
    struct reach_missile *m = &cat->m[cat->n];
    memset(m, 0, sizeof *m);
    char *texts[NCOL] = {m->name,       m->aliases,  m->shared,    m->origin,
                         m->klass,      NULL,        NULL,         m->range_kind,
                         m->source,     NULL,        m->low_kind,  m->low_source,
                         NULL,          m->high_kind, m->high_source, m->notes};
    size_t sizes[NCOL] = {sizeof m->name,       sizeof m->aliases,  sizeof m->shared,
                          sizeof m->origin,     sizeof m->klass,    0,
                          0,                    sizeof m->range_kind, sizeof m->source,
                          0,                    sizeof m->low_kind, sizeof m->low_source,
                          0,                    sizeof m->high_kind, sizeof m->high_source,
                          sizeof m->notes};
    for (int c = 0; c < NCOL; c++)
      if (texts[c] && ix[c] >= 0)
        snprintf(texts[c], sizes[c], "%s", reach_table_text(t, ix[c]));
    double *nums[NCOL] = {[5] = &m->min_km, [6] = &m->range_km, [9] = &m->range_low_km,
                          [12] = &m->range_high_km};
    const char *bad = NULL;
    for (int c = 0; c < NCOL && !bad; c++)
      if (nums[c] && !number_field(t, ix[c], nums[c])) bad = cols[c];
    /* "none": no public maximum; the row is listed but draws nothing */
    int none = strcasecmp(m->range_kind, "none") == 0;
    if (!bad && !*m->name) bad = "name";
    if (!bad && none && !isnan(m->range_km)) bad = "range_km (kind none takes no figure)";
    if (!bad && !none && !(m->range_km > 0)) bad = "range_km";
    if (!bad && isnan(m->min_km)) m->min_km = 0;
    if (!bad && !none && m->min_km >= m->range_km) bad = "min_km";
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
  reach_table_close(t);
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


/* Edit distance counting a swap of two neighbours as one edit ("kn32" is one
 * edit from "kn23"): the optimal string alignment distance; longer names
 * than 63 characters fall back to the plain edit distance. */
static size_t swap_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return reach_edit_distance(a, b);
  unsigned char d[64][64];
  for (size_t i = 0; i <= la; i++) d[i][0] = (unsigned char)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (unsigned char)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1u < v) v = d[i - 1][j] + 1u;
      if (d[i][j - 1] + 1u < v) v = d[i][j - 1] + 1u;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1u < v)
        v = d[i - 2][j - 2] + 1u;
      d[i][j] = (unsigned char)v;
    }
  return d[la][lb];
}

/* How a row knows a normalized name: 0 not at all, else the best of
 * 4 its name, 3 a shared name it marks "*", 2 an alias, 1 a shared name.
 * *best the smallest edit distance of its names to want (a prefix of a name
 * counts 1), *prefix whether want begins one of them. */
static int row_match(const struct reach_missile *m, const char *want, size_t *best,
                     int *prefix) {
  char buf[sizeof m->aliases + sizeof m->shared + 2], norm[128];
  const char *lists[3] = {m->name, m->aliases, m->shared};
  int how = 0;
  size_t wl = strlen(want);
  *best = 99;
  *prefix = 0;
  for (int l = 0; l < 3; l++) {
    snprintf(buf, sizeof buf, "%s", lists[l]);
    for (char *save = NULL, *tok = l ? strtok_r(buf, "|", &save) : buf; tok;
         tok = l ? strtok_r(NULL, "|", &save) : NULL) {
      while (isspace((unsigned char)*tok)) tok++;
      int star = l == 2 && *tok == '*';
      reach_name_key(tok, norm, sizeof norm);
      if (!*norm) continue;
      if (!strcmp(norm, want)) {
        int h = l == 0 ? 4 : l == 1 ? 2 : star ? 3 : 1;
        if (h > how) how = h;
      }
      int pre = strncmp(norm, want, wl) == 0;
      if (pre) *prefix = 1;
      size_t d = swap_distance(norm, want);
      /* a prefix ("hwasong" of "hwasong11") is a good suggestion too */
      if (pre && d > 1) d = 1;
      if (d < *best) *best = d;
    }
  }
  return how;
}

/* "Fatah-I (Pakistan, 120 km)" appended to buf. */
static void describe(char *buf, size_t cap, const struct reach_missile *m, const char *sep) {
  size_t l = strlen(buf);
  if (l + 1 >= cap) return;
  if (m->range_km > 0)
    snprintf(buf + l, cap - l, "%s%s (%s, %g km)", sep, m->name, m->origin, m->range_km);
  else
    snprintf(buf + l, cap - l, "%s%s (%s, no public range)", sep, m->name, m->origin);
}

const struct reach_missile *reach_catalogue_resolve(struct reach_ctx *ctx,
                                                    const struct reach_catalogue *cat,
                                                    const char *name, int strict,
                                                    size_t *nmatches, char *note,
                                                    size_t note_len) {
  char want[128];
  if (nmatches) *nmatches = 0;
  if (note && note_len) note[0] = '\0';
  reach_name_key(name, want, sizeof want);
  if (!*want) {
    reach_fail(ctx, REACH_ERR_ARG, "'%s' is not a missile name", name);
    return NULL;
  }
  size_t best[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, bestd[3] = {99, 99, 99};
  size_t nprefix = 0, prefix_at = 0, nexact = 0, taken = SIZE_MAX;
  int taken_how = 0;
  for (size_t i = 0; i < cat->n; i++) {
    int prefix;
    size_t d;
    int how = row_match(&cat->m[i], want, &d, &prefix);
    if (how) {
      nexact++;
      if (how > taken_how) {
        taken_how = how;
        taken = i;
      }
    }
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
  if (nexact == 1) {
    if (nmatches) *nmatches = 1;
    return &cat->m[taken];
  }
  if (nexact > 1) {
    /* the one taken, then the others in catalogue order */
    char first[200] = "", others[1024] = "";
    describe(first, sizeof first, &cat->m[taken], "");
    for (size_t i = 0; i < cat->n; i++) {
      size_t d;
      int prefix;
      if (i != taken && row_match(&cat->m[i], want, &d, &prefix))
        describe(others, sizeof others, &cat->m[i], *others ? ", " : "");
    }
    if (strict) {
      reach_fail(ctx, REACH_ERR_ARG, "'%s' names %zu systems: %s, %s; give the full "
                 "name", name, nexact, first, others);
      return NULL;
    }
    if (nmatches) *nmatches = nexact;
    if (note && note_len)
      snprintf(note, note_len, "'%s' names %zu systems; taken as %s; the others: %s "
               "(give the full name; --strict makes this an error)",
               name, nexact, first, others);
    return &cat->m[taken];
  }
  /* "hwasong 16" is Hwasong-16B when no other name starts so; "df2" is not
   * taken for DF-21 when DF-26 also starts so. */
  if (nprefix == 1 && strlen(want) >= 4) {
    if (strict) {
      reach_fail(ctx, REACH_ERR_ARG, "unknown missile '%s'; did you mean %s?", name,
                 cat->m[prefix_at].name);
      return NULL;
    }
    if (nmatches) *nmatches = 1;
    if (note && note_len)
      snprintf(note, note_len, "'%s' taken as %s, the only system whose name begins so",
               name, cat->m[prefix_at].name);
    return &cat->m[prefix_at];
  }
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

const struct reach_missile *reach_catalogue_find(struct reach_ctx *ctx,
                                                 const struct reach_catalogue *cat,
                                                 const char *name) {
  return reach_catalogue_resolve(ctx, cat, name, 0, NULL, NULL, 0);
}

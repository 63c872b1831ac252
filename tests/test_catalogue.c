#define _POSIX_C_SOURCE 200809L
/* Missile names resolved like place names (include/georeach/catalogue.h):
 * every name, alias and shared name of data/missiles.csv resolves to its own
 * row or is ambiguous between exactly the rows listing it; the names of
 * issue #21 (Fatah, Fateh, Iskander, Tochka, Kheibar, Hwasong-11, Hatf-2,
 * DF-21D); rows with no public maximum; an older 9-column catalogue with one
 * alias in two rows. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "georeach/georeach.h"

static void norm(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (; *in && o + 1 < cap; in++)
    if (isalnum((unsigned char)*in)) out[o++] = (char)tolower((unsigned char)*in);
  out[o] = '\0';
}

/* Does row m list the normalized name k (in its name, aliases or shared names)? */
static int lists(const struct reach_missile *m, const char *k) {
  char buf[1024], n[128];
  snprintf(buf, sizeof buf, "%s|%s|%s", m->name, m->aliases, m->shared);
  for (char *save = NULL, *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
    norm(t, n, sizeof n);
    if (*n && !strcmp(n, k)) return 1;
  }
  return 0;
}

static const struct reach_missile *is(struct reach_ctx *ctx, const struct reach_catalogue *cat,
                                      const char *q, const char *want, size_t nwant) {
  char note[1200];
  size_t n = 0;
  const struct reach_missile *m = reach_catalogue_resolve(ctx, cat, q, 0, &n, note, sizeof note);
  CHECK(m && !strcmp(m->name, want) && n == nwant && (n > 1) == (*note != '\0'),
        "'%s' -> %s of %zu (want %s of %zu): %s", q, m ? m->name : "none", n, want, nwant,
        m ? note : reach_errmsg(ctx));
  return m;
}

static void strict_fails(struct reach_ctx *ctx, const struct reach_catalogue *cat, const char *q,
                         const char *const *names) {
  size_t n = 9;
  const struct reach_missile *m = reach_catalogue_resolve(ctx, cat, q, 1, &n, NULL, 0);
  CHECK(!m && n == 0 && reach_errno(ctx) == REACH_ERR_ARG, "strict '%s' should fail", q);
  for (; *names; names++)
    CHECK(strstr(reach_errmsg(ctx), *names), "strict '%s': %s not listed: %s", q, *names,
          reach_errmsg(ctx));
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  struct reach_catalogue *cat = NULL;
  CHECK(reach_catalogue_load(ctx, NULL, &cat) == REACH_OK, "catalogue: %s", reach_errmsg(ctx));
  if (!cat) return 1;
  size_t nrows = reach_catalogue_count(cat), nkeys = 0, nshared = 0;
  CHECK(nrows >= 90, "%zu systems", nrows);

  /* every name of every row: its own row, or ambiguous between exactly the
   * rows that list it (strict: an error naming each of them) */
  for (size_t i = 0; i < nrows; i++) {
    const struct reach_missile *r = reach_catalogue_get(cat, i);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s|%s|%s", r->name, r->aliases, r->shared);
    for (char *save = NULL, *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
      char k[128];
      norm(t, k, sizeof k);
      if (!*k) continue;
      nkeys++;
      size_t rows = 0;
      for (size_t j = 0; j < nrows; j++) rows += lists(reach_catalogue_get(cat, j), k);
      char note[1200];
      size_t n = 0;
      const struct reach_missile *m =
          reach_catalogue_resolve(ctx, cat, t, 0, &n, note, sizeof note);
      CHECK(m && n == rows && lists(m, k), "'%s' (row %s): %zu matches, %zu rows list it",
            t, r->name, n, rows);
      if (rows == 1) {
        CHECK(m == r && !*note, "'%s' -> %s, want %s", t, m ? m->name : "none", r->name);
      } else {
        nshared++;
        CHECK(strstr(note, r->name) != NULL, "'%s': note does not name %s: %s", t, r->name, note);
        m = reach_catalogue_resolve(ctx, cat, t, 1, &n, NULL, 0);
        CHECK(!m && strstr(reach_errmsg(ctx), r->name), "strict '%s' should fail naming %s: %s",
              t, r->name, reach_errmsg(ctx));
      }
    }
  }
  CHECK(nkeys > 300 && nshared > 40, "%zu names, %zu in shared sets", nkeys, nshared);

  /* the names of the issue */
  const struct reach_missile *m = is(ctx, cat, "Hatf-2", "Abdali", 1);
  CHECK(m && m->range_km == 450 && m->range_low_km == 180 && strstr(m->low_source, "ISPR"),
        "Hatf-2: 450 km, low 180 km (ISPR)");
  m = is(ctx, cat, "DF-21D", "DF-21D", 1);
  CHECK(m && m->range_km == 1450 && !strcmp(m->range_kind, "government estimate"), "DF-21D row");
  is(ctx, cat, "df 21", "DF-21", 1);
  is(ctx, cat, "Fatah", "Fatah-I", 6);
  strict_fails(ctx, cat, "Fatah", (const char *const[]){"Fatah-I", "Fattah-1", NULL});
  is(ctx, cat, "Fatah-1", "Fatah-I", 2);
  strict_fails(ctx, cat, "fatah 1", (const char *const[]){"Fatah-I", "Fattah-1", NULL});
  is(ctx, cat, "Fattah", "Fattah-1", 1);
  is(ctx, cat, "Fatah-I", "Fatah-I", 1);
  is(ctx, cat, "Fateh", "Fateh-110", 3);
  strict_fails(ctx, cat, "Fateh", (const char *const[]){"Fateh-110", "Fateh-313", "Fath-360", NULL});
  is(ctx, cat, "Iskander", "Iskander-M", 3);
  strict_fails(ctx, cat, "iskander", (const char *const[]){"Iskander-E", "Iskander-K", NULL});
  is(ctx, cat, "9M729", "9M729", 1);
  m = is(ctx, cat, "Tochka", "Tochka-U", 2);
  CHECK(m && m->range_km == 120, "Tochka -> Tochka-U 120 km");
  m = is(ctx, cat, "9K79", "9K79 Tochka", 2);
  CHECK(m && m->range_km == 70, "9K79 -> the original Tochka, 70 km");
  is(ctx, cat, "Kheibar", "Khorramshahr", 2);
  is(ctx, cat, "Kheibar Shekan", "Kheibar Shekan", 1);
  is(ctx, cat, "Hwasong-11", "KN-23", 3);
  is(ctx, cat, "Hwasong-11Na", "KN-24", 1);
  is(ctx, cat, "KN-22", "Hwasong-15", 2);
  is(ctx, cat, "Zulfiqar", "Zolfaghar", 2);
  m = is(ctx, cat, "Kh-101", "Kh-101", 1);
  CHECK(m && m->range_low_km == 2500 && m->range_km == 4500 && m->range_high_km == 5500,
        "Kh-101 band 2500 / 4500 / 5500");
  m = is(ctx, cat, "Hwasong-19", "Hwasong-19", 1);
  CHECK(m && isnan(m->range_km) && !strcmp(m->range_kind, "none"), "Hwasong-19: no range");
  /* a unique prefix is taken, and said; strict refuses the guess */
  char note[1200];
  size_t n = 0;
  m = reach_catalogue_resolve(ctx, cat, "hwasong 16", 0, &n, note, sizeof note);
  CHECK(m && !strcmp(m->name, "Hwasong-16B") && strstr(note, "Hwasong-16B"), "prefix: %s", note);
  CHECK(!reach_catalogue_resolve(ctx, cat, "hwasong 16", 1, &n, NULL, 0), "strict prefix");
  reach_catalogue_free(cat);

  /* the fuzz target's copy of the catalogue (tests/fuzz/corpus, checked equal
   * to data/missiles.csv by tests/data/test_data.py) loads as well */
  char corpus[4096];
  snprintf(corpus, sizeof corpus, "%s/../tests/fuzz/corpus/fuzz_catalogue/missiles.csv",
           reach_ctx_data_dir(ctx));
  FILE *probe = fopen(corpus, "r");
  if (probe) {
    fclose(probe);
    cat = NULL;
    CHECK(reach_catalogue_load(ctx, corpus, &cat) == REACH_OK &&
              reach_catalogue_count(cat) == nrows, "fuzz corpus copy: %s", reach_errmsg(ctx));
    reach_catalogue_free(cat);
  }

  /* an older catalogue (9 columns) with one alias in two rows: ambiguous, not
   * first-wins; the row whose name it is goes first */
  const char *path = "test_catalogue_old.csv";
  FILE *f = fopen(path, "w");
  CHECK(f != NULL, "write %s", path);
  if (f) {
    fputs("name,aliases,origin,class,min_km,range_km,range_low_km,range_high_km,source\n"
          "A-1,Arrow,X,SRBM,0,100,,,s\nB-2,Arrow | A-1x,X,SRBM,0,200,,,s\n"
          "Arrow,,X,SRBM,0,300,,,s\n", f);
    fclose(f);
    CHECK(reach_catalogue_load(ctx, path, &cat) == REACH_OK, "old catalogue: %s",
          reach_errmsg(ctx));
    if (cat) {
      is(ctx, cat, "arrow", "Arrow", 3);
      is(ctx, cat, "A-1", "A-1", 1);
      reach_catalogue_free(cat);
    }
    remove(path);
  }
  /* kind none with a figure, or a figure missing without kind none: refused */
  f = fopen(path, "w");
  if (f) {
    fputs("name,range_km,range_kind\nA,,none\nB,5,none\n", f);
    fclose(f);
    cat = NULL;
    CHECK(reach_catalogue_load(ctx, path, &cat) == REACH_ERR_DATA &&
              strstr(reach_errmsg(ctx), "line 3 B"), "none with a figure: %s", reach_errmsg(ctx));
    reach_catalogue_free(cat);
    remove(path);
  }
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

/* Names: the missile catalogue and the gazetteer.  References: the rows of
 * data/missiles.csv and data/cities.csv themselves (GeoNames ids 1871859
 * Pyongyang, 706483 Kharkiv, 687700 Zaporizhia). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "georeach/georeach.h"

static void missile_is(struct reach_ctx *ctx, const struct reach_catalogue *cat,
                       const char *q, const char *want) {
  const struct reach_missile *m = reach_catalogue_find(ctx, cat, q);
  CHECK(m && !strcmp(m->name, want), "missile '%s' -> %s (%s)", q,
        m ? m->name : "none", reach_errmsg(ctx));
}

static void missile_unknown(struct reach_ctx *ctx, const struct reach_catalogue *cat,
                            const char *q, const char *suggestion) {
  const struct reach_missile *m = reach_catalogue_find(ctx, cat, q);
  CHECK(!m && reach_errno(ctx) == REACH_ERR_ARG, "'%s' should be unknown", q);
  CHECK(!suggestion || strstr(reach_errmsg(ctx), suggestion),
        "'%s': suggestion %s missing: %s", q, suggestion ? suggestion : "", reach_errmsg(ctx));
}

static void place_is(struct reach_ctx *ctx, const char *q, const char *name,
                     const char *cc, double lat, double lon) {
  struct reach_place p;
  size_t n = 0;
  enum reach_status st = reach_place_find(ctx, q, 0, &p, &n);
  CHECK(st == REACH_OK && !strcmp(p.name, name) && !strcmp(p.country, cc),
        "place '%s' -> %s,%s (%s)", q, st ? "-" : p.name, st ? "-" : p.country,
        reach_errmsg(ctx));
  if (st == REACH_OK) {
    CHECK_NEAR(p.lat_deg, lat, 1e-5, q);
    CHECK_NEAR(p.lon_deg, lon, 1e-5, q);
  }
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  struct reach_catalogue *cat = NULL;
  CHECK(reach_catalogue_load(ctx, NULL, &cat) == REACH_OK, "catalogue: %s", reach_errmsg(ctx));
  if (!cat) return 1;
  CHECK(reach_catalogue_count(cat) >= 40, "%zu systems", reach_catalogue_count(cat));
  missile_is(ctx, cat, "KN-23", "KN-23");
  missile_is(ctx, cat, "kn23", "KN-23");
  missile_is(ctx, cat, "hwasong 11", "KN-23");
  missile_is(ctx, cat, "Hwasong-11Ga", "KN-23");
  missile_is(ctx, cat, "9M723", "Iskander-M");
  missile_is(ctx, cat, "iskander", "Iskander-M");
  missile_is(ctx, cat, "SCALP-EG", "Storm Shadow");
  missile_is(ctx, cat, "geran 2", "Shahed-136");
  const struct reach_missile *kn = reach_catalogue_find(ctx, cat, "KN-23");
  CHECK(kn && kn->range_km == 885 && strstr(kn->source, "NSC"), "KN-23 row: 885 km, NSC");
  missile_unknown(ctx, cat, "kn-32", "KN-23");
  missile_unknown(ctx, cat, "Iskandr-M", "Iskander-M");
  missile_unknown(ctx, cat, "Fateh-11O", "Fateh-110");
  missile_unknown(ctx, cat, "df2", NULL); /* DF-21 and DF-26: ambiguous prefix */
  missile_unknown(ctx, cat, "zzzzzzzz", NULL);
  missile_unknown(ctx, cat, "---", NULL);

  place_is(ctx, "Pyongyang", "Pyongyang", "KP", 39.03385, 125.75432);
  place_is(ctx, "pyongyang", "Pyongyang", "KP", 39.03385, 125.75432);
  place_is(ctx, "Kharkiv,UA", "Kharkiv", "UA", 49.98081, 36.25272);
  place_is(ctx, "Kharkiv, ua", "Kharkiv", "UA", 49.98081, 36.25272);
  place_is(ctx, "Zaporizhzhia", "Zaporizhia", "UA", 47.82289, 35.19031);
  struct reach_place p;
  size_t n = 0;
  CHECK(reach_place_find(ctx, "Springfield", 0, &p, &n) == REACH_OK && n > 1 &&
            p.population == 166810, "Springfield: most populous of %zu", n);
  CHECK(reach_place_find(ctx, "Springfield", 1, &p, &n) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "places"), "strict: %s", reach_errmsg(ctx));
  CHECK(reach_place_find(ctx, "Pyongyng", 0, &p, &n) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "Pyongyang,KP"), "suggest: %s", reach_errmsg(ctx));
  CHECK(reach_place_find(ctx, "Kharkiv,Ukraine", 0, &p, &n) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "country code"), "qualifier: %s", reach_errmsg(ctx));

  double lat, lon;
  char label[64], note[256];
  CHECK(reach_resolve_point(ctx, "HQ=Kharkiv,UA", 0, &lat, &lon, label, sizeof label,
                            note, sizeof note) == REACH_OK &&
            !strcmp(label, "HQ") && fabs(lat - 49.98081) < 1e-5 && strstr(note, "Kharkiv,UA"),
        "resolve HQ=Kharkiv,UA: %s / %s", label, note);
  CHECK(reach_resolve_point(ctx, "50.6,36.6", 0, &lat, &lon, label, sizeof label,
                            note, sizeof note) == REACH_OK && !*note && !*label,
        "resolve coordinates: no note");
  CHECK(reach_resolve_point(ctx, "50.6,36.6x", 0, &lat, &lon, label, sizeof label,
                            note, sizeof note) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "not a point"), "a coordinate typo keeps its message: %s",
        reach_errmsg(ctx));
  reach_catalogue_free(cat);
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

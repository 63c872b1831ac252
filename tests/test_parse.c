/* Parsers: distances with units, coordinates (decimal, hemisphere, DMS),
 * azimuth ranges, and the messages of their errors.  References: the unit
 * definitions (1 mi = 1609.344 m, 1 nmi = 1852 m, 1 ft = 0.3048 m exactly) and
 * hand-converted DMS. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "georeach/georeach.h"

static void distance_ok(struct reach_ctx *ctx, const char *s, double want) {
  double m = -1;
  enum reach_status st = reach_parse_distance(ctx, s, "km", &m);
  CHECK(st == REACH_OK, "distance '%s': %s", s, reach_errmsg(ctx));
  CHECK_NEAR(m, want, 1e-9 * fabs(want) + 1e-12, s);
}

static void distance_bad(struct reach_ctx *ctx, const char *s, const char *word) {
  double m;
  enum reach_status st = reach_parse_distance(ctx, s, "km", &m);
  CHECK(st == REACH_ERR_ARG, "distance '%s' should fail", s);
  CHECK(strstr(reach_errmsg(ctx), word) != NULL, "message for '%s' lacks '%s': %s",
        s, word, reach_errmsg(ctx));
}

static void point_ok(struct reach_ctx *ctx, const char *s, double lat, double lon,
                     const char *label) {
  double a = NAN, b = NAN;
  char lab[64];
  enum reach_status st = reach_parse_latlon(ctx, s, &a, &b, lab, sizeof lab);
  CHECK(st == REACH_OK, "point '%s': %s", s, reach_errmsg(ctx));
  CHECK_NEAR(a, lat, 1e-9, s);
  CHECK_NEAR(b, lon, 1e-9, s);
  CHECK(strcmp(lab, label) == 0, "label of '%s': '%s' vs '%s'", s, lab, label);
}

static void point_bad(struct reach_ctx *ctx, const char *s, const char *word) {
  double a, b;
  enum reach_status st = reach_parse_latlon(ctx, s, &a, &b, NULL, 0);
  CHECK(st == REACH_ERR_ARG, "point '%s' should fail", s);
  CHECK(strstr(reach_errmsg(ctx), word) != NULL, "message for '%s' lacks '%s': %s",
        s, word, reach_errmsg(ctx));
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  CHECK(ctx != NULL, "context");
  if (!ctx) return 1;

  distance_ok(ctx, "885km", 885000);
  distance_ok(ctx, "885", 885000);
  distance_ok(ctx, " 885 km ", 885000);
  distance_ok(ctx, "550mi", 550 * 1609.344);
  distance_ok(ctx, "478nmi", 478 * 1852.0);
  distance_ok(ctx, "885000m", 885000);
  distance_ok(ctx, "2900ft", 2900 * 0.3048);
  distance_ok(ctx, "1.5e3km", 1.5e6);
  distance_ok(ctx, "-5km", -5000); /* the caller rejects negatives */
  distance_bad(ctx, "", "not a distance");
  distance_bad(ctx, "km", "not a distance");
  distance_bad(ctx, "nan", "not a distance");
  distance_bad(ctx, "inf km", "not a distance");
  distance_bad(ctx, "1e999km", "not a distance");
  distance_bad(ctx, "0x10km", "0x10km");
  distance_bad(ctx, "885parsecs", "unknown unit 'parsecs'");
  distance_bad(ctx, "885 k m", "unknown unit");

  point_ok(ctx, "50.6,36.6", 50.6, 36.6, "");
  point_ok(ctx, " -33.9 , 151.2 ", -33.9, 151.2, "");
  point_ok(ctx, "50.6N,36.6E", 50.6, 36.6, "");
  point_ok(ctx, "33.9S,151.2W", -33.9, -151.2, "");
  point_ok(ctx, "N50.6,E36.6", 50.6, 36.6, "");
  point_ok(ctx, "50d36'N,36d36'E", 50.6, 36.6, "");
  point_ok(ctx, "50\xC2\xB0" "36'00\"N,36\xC2\xB0" "36'00\"E", 50.6, 36.6, "");
  point_ok(ctx, "50 36 00N,36 36 00E", 50.6, 36.6, "");
  point_ok(ctx, "39d1'48\"N,125d45'E", 39.03, 125.75, "");
  point_ok(ctx, "Launcher A=50.6,36.6", 50.6, 36.6, "Launcher A");
  point_ok(ctx, "50.6N 36.6E", 50.6, 36.6, "");
  point_ok(ctx, "50 36 00N 36 36 00E", 50.6, 36.6, "");
  point_ok(ctx, "N50.6 E36.6", 50.6, 36.6, "");
  point_ok(ctx, "50\xC2\xB0" "36'N 36\xC2\xB0" "36'E", 50.6, 36.6, "");
  point_ok(ctx, "UPS=BAN0000000000", -89.999993631, 45, "UPS");
  point_ok(ctx, "x=0,190", 0, -170, "x");
  point_ok(ctx, "0,180", 0, 180, "");
  point_ok(ctx, "90,0", 90, 0, "");
  point_bad(ctx, "91.2,36.6", "latitude 91.2");
  point_bad(ctx, "120,45", "swap");
  /* longitude first when the letters say so, and blank-separated pairs, as
   * GeoConvert reads them (tests/test_points_text.py compares) */
  point_ok(ctx, "36.6E,50.6N", 50.6, 36.6, "");
  point_ok(ctx, "36.6E 50.6N", 50.6, 36.6, "");
  point_ok(ctx, "E36.6 N50.6", 50.6, 36.6, "");
  point_ok(ctx, "36.6 50.6N", 50.6, 36.6, "");
  point_ok(ctx, "50.6 36.6", 50.6, 36.6, "");
  point_ok(ctx, " -33.9   18.4 ", -33.9, 18.4, "");
  point_bad(ctx, "50.6N,36.6S", "two latitudes");
  point_bad(ctx, "36.6E 50.6W", "two longitudes");
  point_bad(ctx, "50.6 36.6 7", "LAT,LON");
  point_bad(ctx, "50.6", "LAT,LON");
  point_bad(ctx, "37UDB123456789", "LAT,LON"); /* odd digit count */
  point_bad(ctx, "61UDB1234567890", "LAT,LON"); /* zone 61 */
  point_bad(ctx, "50.6,36.6,7", "LAT,LON");
  point_bad(ctx, "nan,36.6", "not a point");
  point_bad(ctx, "abc,def", "not a point");
  point_bad(ctx, ",", "not a point");
  point_bad(ctx, "10,600", "longitude 600");
  point_bad(ctx, "50x6,36.6", "not a point");

  double a, b;
  CHECK(reach_parse_azimuths(ctx, "300:60", &a, &b) == REACH_OK && a == 300 && b == 60,
        "azimuths 300:60");
  CHECK(reach_parse_azimuths(ctx, "0:360", &a, &b) == REACH_OK && a == 0 && b == 360,
        "azimuths 0:360");
  CHECK(reach_parse_azimuths(ctx, "abc", &a, &b) == REACH_ERR_ARG, "azimuths abc");
  CHECK(reach_parse_azimuths(ctx, "10:", &a, &b) == REACH_ERR_ARG, "azimuths 10:");
  CHECK(reach_parse_azimuths(ctx, "10:10", &a, &b) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "empty"),
        "azimuths 10:10 empty");

  reach_ctx_free(ctx);
  reach_ctx_free(NULL);
  return CHECK_DONE();
}

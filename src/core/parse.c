/* Parsing distances, coordinates and azimuth ranges typed by people. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "georeach/parse.h"
#include "georeach/text.h"

/* The offending text as quoted in messages: one line, valid UTF-8, at most
 * 60 bytes and "...". */
#define SHOW 64
#define Q(text) reach_text_escape((text), (char[SHOW]){0}, SHOW)

/* Control characters (a newline, a tab, NUL-adjacent bytes) have no place in
 * a number or coordinate: "50\n.5" must not read as 50.5. */
static int has_control(const char *s, const char *end) {
  for (; s < end && *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7F) return 1;
  return 0;
}

static const char *skip_blank(const char *s) {
  while (*s && isspace((unsigned char)*s)) s++;
  return s;
}

/* A finite decimal number, the whole of [s, end) but blanks; no hex, no
 * "nan"/"inf" (strtod would take them). */
static int number(const char *s, const char *end, double *v) {
  char buf[64];
  if (has_control(s, end)) return 0;
  s = skip_blank(s);
  while (end > s && isspace((unsigned char)end[-1])) end--;
  size_t n = (size_t)(end - s);
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  for (size_t i = 0; i < n; i++)
    if (!(isdigit((unsigned char)buf[i]) || strchr("+-.eE", buf[i]))) return 0;
  char *e;
  errno = 0;
  *v = strtod(buf, &e);
  return *e == '\0' && errno == 0 && isfinite(*v);
}

enum reach_status reach_parse_distance(struct reach_ctx *ctx, const char *text,
                                       const char *default_unit, double *m) {
  const char *s = skip_blank(text), *u = s;
  while (*u && (isdigit((unsigned char)*u) || strchr("+-.eE", *u))) {
    /* an 'e' not followed by a digit or sign starts a unit, not an exponent */
    if ((*u == 'e' || *u == 'E') &&
        !(isdigit((unsigned char)u[1]) || u[1] == '+' || u[1] == '-'))
      break;
    u++;
  }
  double v;
  if (!number(s, u, &v))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "'%s' is not a distance (write e.g. 885km, 550mi, "
                      "478nmi, 885000m)", Q(text));
  u = skip_blank(u);
  size_t ul = strlen(u);
  while (ul > 0 && isspace((unsigned char)u[ul - 1])) ul--;
  const char *unit = ul ? u : default_unit;
  if (!ul) ul = strlen(default_unit);
  if (!reach_ctx_units(ctx))
    return reach_fail(ctx, REACH_ERR_IO, "cannot read the units of '%s': PROJ's database "
                      "(proj.db) is missing or unreadable", Q(text));
  for (int i = 0; i < ctx->nunits; i++) {
    if (strlen(ctx->units[i].abbr) == ul &&
        strncmp(ctx->units[i].abbr, unit, ul) == 0) {
      *m = v * ctx->units[i].to_m;
      return REACH_OK;
    }
  }
  char unit_buf[SHOW];
  snprintf(unit_buf, sizeof unit_buf, "%.*s", (int)(ul < SHOW - 1 ? ul : SHOW - 1), unit);
  return reach_fail(ctx, REACH_ERR_ARG,
                    "unknown unit '%s' in '%s' (use m, km, mi, nmi or ft)",
                    Q(unit_buf), Q(text));
}

/* Rewrite one coordinate for proj_dmstor(): degree, minute and second signs
 * (ASCII or Unicode) to d ' ", blanks between numbers to the next sign. */
static int to_dms(const char *s, const char *end, char *out, size_t cap) {
  static const char *marks = "d'\"";
  size_t o = 0;
  int field = 0, last_digit = 0;
  s = skip_blank(s);
  while (end > s && isspace((unsigned char)end[-1])) end--;
  for (const char *p = s; p < end; p++) {
    unsigned char ch = (unsigned char)*p;
    const char *put = NULL;
    char one[2] = {0, 0};
    if (ch == 0xC2 && p + 1 < end && (unsigned char)p[1] == 0xB0) { /* ° */
      put = "d";
      p++;
    } else if (ch == 0xE2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
               ((unsigned char)p[2] == 0xB2 || (unsigned char)p[2] == 0x99)) {
      put = "'"; /* ′ or ’ */
      p += 2;
    } else if (ch == 0xE2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
               ((unsigned char)p[2] == 0xB3 || (unsigned char)p[2] == 0x9D)) {
      put = "\""; /* ″ or ” */
      p += 2;
    } else if (ch == 0xBA || ch == 0xB0) {
      return 0; /* stray Latin-1 bytes: not UTF-8 text */
    } else if (isspace(ch)) {
      const char *q = p;
      while (q < end && isspace((unsigned char)*q)) q++;
      if (last_digit && q < end && strchr(".,+-", *q))
        return 0; /* "50 .5": not one number, nor degrees and minutes */
      if (last_digit && q < end && isdigit((unsigned char)*q)) {
        if (field > 2) return 0;
        one[0] = marks[field];
        put = one;
      }
      p = q - 1;
    } else {
      one[0] = (char)ch;
      put = one;
    }
    if (!put) continue;
    if (strchr("dD", put[0]) && put[1] == 0 && o > 0 && isdigit((unsigned char)out[o - 1]))
      field = 1;
    if (put[0] == '\'') field = 2;
    if (put[0] == '"') field = 3;
    size_t k = strlen(put);
    if (o + k + 1 > cap) return 0;
    memcpy(out + o, put, k);
    o += k;
    last_digit = isdigit(ch) != 0;
  }
  out[o] = '\0';
  return o > 0;
}

/* One coordinate; *hemi gets 'N', 'S', 'E', 'W' or 0. */
static int coordinate(const char *s, const char *end, double *deg, char *hemi) {
  *hemi = 0;
  if (has_control(s, end)) return 0;
  if (number(s, end, deg)) return 1;
  char buf[96];
  if (!to_dms(s, end, buf, sizeof buf)) return 0;
  size_t n = strlen(buf);
  /* A leading hemisphere letter ("N50.6") is moved to the end. */
  if (n > 1 && strchr("NSEWnsew", buf[0])) {
    char c = buf[0];
    memmove(buf, buf + 1, n - 1);
    buf[n - 1] = c;
  }
  char last = (char)toupper((unsigned char)buf[n - 1]);
  if (strchr("NSEW", last)) *hemi = last;
  for (size_t i = 0; i < n; i++) /* what proj_dmstor would silently skip */
    if (!(isdigit((unsigned char)buf[i]) || strchr(".d'\"NSEWnsewD+-", buf[i])))
      return 0;
  char *rest = NULL;
  double rad = proj_dmstor(buf, &rest);
  if (!rest || *rest != '\0' || rest == buf || rad == HUGE_VAL) return 0;
  *deg = rad * 180 / M_PI;
  return isfinite(*deg);
}

enum reach_status reach_parse_latlon(struct reach_ctx *ctx, const char *text,
                                     double *lat_deg, double *lon_deg,
                                     char *label, size_t label_len) {
  const char *s = text, *eq = strchr(text, '=');
  if (label && label_len) label[0] = '\0';
  if (eq) {
    if (label && label_len) {
      const char *a = skip_blank(text), *b = eq;
      while (b > a && isspace((unsigned char)b[-1])) b--;
      /* the label is a name: valid UTF-8, cut at a character boundary */
      char *raw = strndup(a, (size_t)(b - a));
      if (!raw) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      reach_utf8_clean(label, label_len, raw, NULL);
      free(raw);
    }
    s = eq + 1;
  }
  const char *comma = strchr(s, ','), *end = s + strlen(s), *split = NULL;
  if (!comma) {
    if (reach_mgrs(s, lat_deg, lon_deg)) {
      *lon_deg = *lon_deg == 180 ? 180 : remainder(*lon_deg, 360.0);
      return REACH_OK;
    }
    /* "50 36 00N 36 36 00E", "50.6N 36.6E": the latitude ends at its
     * hemisphere letter; "N50.6 E36.6": the longitude starts at its own. */
    const char *t = skip_blank(s);
    if (*t && !strchr("NSnsEWew", *t)) {
      /* the first part ends at its hemisphere letter: "50.6N 36.6E", or
       * "36.6E 50.6N" (longitude first, as the letters say) */
      for (const char *p = t + 1; *p && !split; p++)
        if (strchr("NSnsEWew", *p)) split = p + 1;
    } else if (*t) {
      /* "N50.6 E36.6", "E36.6 N50.6": the second part starts at its own */
      const char *other = strchr("NSns", *t) ? "EWew" : "NSns";
      for (const char *p = t + 1; *p && !split; p++)
        if (strchr(other, *p) && isspace((unsigned char)p[-1])) split = p;
    }
    /* "50.6 36.6" (as geod and GeoConvert read it), "36.6 50.6N": two
     * words separated by blanks, each a coordinate of its own */
    if (!split || !*skip_blank(split)) {
      const char *p = t;
      while (*p && !isspace((unsigned char)*p)) p++;
      const char *q = skip_blank(p), *r = q;
      while (*r && !isspace((unsigned char)*r)) r++;
      if (p > t && *q && !*skip_blank(r)) split = p;
    }
  } else if (!strchr(comma + 1, ',')) {
    split = comma;
  }
  if (!split)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "'%s' is not a point: write LAT,LON, e.g. 50.6,36.6, "
                      "50.6N 36.6E or an MGRS reference", Q(text));
  double a, b;
  char ha, hb;
  if (!coordinate(s, split, &a, &ha) ||
      !coordinate(split + (split == comma), end, &b, &hb))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "'%s' is not a point: each part must be decimal "
                      "degrees, with N/S/E/W, or DMS like 50d36'N",
                      Q(text));
  int a_lat = ha == 'N' || ha == 'S', a_lon = ha == 'E' || ha == 'W';
  int b_lat = hb == 'N' || hb == 'S', b_lon = hb == 'E' || hb == 'W';
  if ((a_lat && b_lat) || (a_lon && b_lon))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "'%s' gives two %s: write LAT,LON", Q(text),
                      a_lat ? "latitudes" : "longitudes");
  if (a_lon || b_lat) { /* the letters say the longitude comes first */
    double x = a;
    a = b;
    b = x;
  }
  if (!(a >= -90 && a <= 90))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "latitude %g in '%s' is outside [-90, 90]%s", a, Q(text),
                      fabs(b) <= 90 ? " (did you swap latitude and longitude? "
                                      "write LAT,LON)" : "");
  if (!(b >= -540 && b <= 540))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "longitude %g in '%s' is outside [-180, 180]", b, Q(text));
  *lat_deg = a;
  *lon_deg = b == 180 ? 180 : remainder(b, 360.0);
  return REACH_OK;
}

enum reach_status reach_parse_azimuths(struct reach_ctx *ctx, const char *text,
                                       double *from_deg, double *to_deg) {
  const char *colon = strchr(text, ':');
  double a, b;
  if (!colon || !number(text, colon, &a) ||
      !number(colon + 1, colon + strlen(colon), &b))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "'%s' is not an azimuth range: write FROM:TO in "
                      "degrees clockwise from north, e.g. 300:60", Q(text));
  if (a == b)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "azimuth range '%s' is empty (0:360 is the full "
                      "circle)", Q(text));
  if (fabs(a) > 720 || fabs(b) > 720)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "azimuths in '%s' must lie within [-720, 720]", Q(text));
  *from_deg = a;
  *to_deg = b;
  return REACH_OK;
}

enum reach_status reach_range_check(struct reach_ctx *ctx, double range_m,
                                    double min_range_m) {
  /* Below a few millimetres the traced vertices are closer than doubles
   * resolve in degrees (1e-9 deg is 0.1 mm) and GEOS collapses the ring; a
   * sweep (centres at the equator, on the antimeridian, at and next to the
   * poles; discs, annuli, sectors, tolerances up to 100 km) built every
   * ring from 3 mm up, failed at 1 mm: 0.1 m leaves a wide margin. */
  if (isfinite(range_m) && range_m > 0 && range_m < REACH_MIN_RANGE_M)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "range %g m is below the smallest range, %g m", range_m,
                      REACH_MIN_RANGE_M);
  if (isfinite(min_range_m) && min_range_m > 0 && min_range_m < REACH_MIN_RANGE_M)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "minimum range %g m is below the smallest range, %g m "
                      "(or 0 for a disc)", min_range_m, REACH_MIN_RANGE_M);
  return REACH_OK;
}

int reach_coord_value(const char *text, int latitude, double *deg) {
  char h;
  if (!coordinate(text, text + strlen(text), deg, &h)) return 0;
  if (latitude && (h == 'E' || h == 'W')) return 0;
  if (!latitude && (h == 'N' || h == 'S')) return 0;
  return latitude ? (*deg >= -90 && *deg <= 90) : (*deg >= -540 && *deg <= 540);
}

/* Levenshtein distance of two short strings (99 past 63 characters), for
 * "did you mean" suggestions. */
size_t reach_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  size_t d[64], prev;
  for (size_t j = 0; j <= lb; j++) d[j] = j;
  for (size_t i = 1; i <= la; i++) {
    prev = d[0];
    d[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t cur = d[j], sub = prev + (a[i - 1] != b[j - 1]); // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): i <= la, j <= lb
      size_t del = d[j] + 1, ins = d[j - 1] + 1;
      d[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
      prev = cur;
    }
  }
  return d[lb];
}

/* MGRS references ("37UDB1234567890", "ZGC 12345 67890") to latitude and
 * longitude.  The grid letters are decoded here (NGA.STND.0037, the "AA"
 * lettering of WGS84); the projections, UTM and UPS, are PROJ's.  As
 * GeographicLib's MGRS::Reverse does by default, a reference names the centre
 * of its square. */
#include <ctype.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

static const char utm_cols[3][9] = {"ABCDEFGH", "JKLMNPQR", "STUVWXYZ"};
static const char utm_rows[] = "ABCDEFGHJKLMNPQRSTUV";
static const char bands[] = "CDEFGHJKLMNPQRSTUVWX";
static const char ups_cols_w[] = "JKLPQRSTUXYZ"; /* A and Y: west of 0/180 */
static const char ups_cols_e[] = "ABCFGHJKLPQR"; /* B and Z */
static const char ups_rows_s[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
static const char ups_rows_n[] = "ABCDEFGHJKLMNP";

static int index_of(const char *set, char c) {
  const char *p = strchr(set, c);
  return c && p ? (int)(p - set) : -1;
}

/* One point through a PROJ projection: lat/lon (degrees) to easting and
 * northing, or back with inverse.  Returns 0 on failure. */
static int transform(const char *def, int inverse, double in1, double in2,
                     double *out1, double *out2) {
  PJ_CONTEXT *pj = proj_context_create();
  if (!pj) return 0;
  proj_log_level(pj, PJ_LOG_NONE);
  PJ *p = proj_create(pj, def);
  int ok = 0;
  if (p) {
    PJ_COORD c = inverse ? proj_coord(in1, in2, 0, 0)
                         : proj_coord(proj_torad(in2), proj_torad(in1), 0, 0);
    PJ_COORD r = proj_trans(p, inverse ? PJ_INV : PJ_FWD, c);
    if (proj_errno(p) == 0 && isfinite(r.v[0]) && isfinite(r.v[1])) {
      *out1 = inverse ? proj_todeg(r.lp.phi) : r.xy.x;
      *out2 = inverse ? proj_todeg(r.lp.lam) : r.xy.y;
      ok = 1;
    }
    proj_destroy(p);
  }
  proj_context_destroy(pj);
  return ok;
}

static int unproject(const char *def, double e, double n, double *lat, double *lon) {
  return transform(def, 1, e, n, lat, lon);
}

static int project(const char *def, double lat, double lon, double *e, double *n) {
  return transform(def, 0, lat, lon, e, n);
}

int reach_mgrs(const char *text, double *lat, double *lon) {
  char s[32];
  size_t n = 0;
  for (const char *p = text; *p; p++) {
    if (isspace((unsigned char)*p)) continue;
    if (n + 1 >= sizeof s) return 0;
    s[n++] = (char)toupper((unsigned char)*p);
  }
  s[n] = '\0';
  size_t i = 0;
  int zone = 0;
  while (i < n && i < 2 && isdigit((unsigned char)s[i])) zone = 10 * zone + (s[i++] - '0');
  if (n - i < 3) return 0;
  char band = s[i], col = s[i + 1], row = s[i + 2]; // NOLINT(clang-analyzer-core.uninitialized.ArraySubscript): n - i >= 3
  const char *digits = s + i + 3;
  size_t nd = strlen(digits);
  if (nd % 2 || nd > 10) return 0;
  for (size_t k = 0; k < nd; k++)
    if (!isdigit((unsigned char)digits[k])) return 0; // NOLINT(clang-analyzer-core.uninitialized.ArraySubscript): k < strlen
  size_t prec = nd / 2;
  double unit = pow(10, 5 - (double)prec), de = 0, dn = 0;
  for (size_t k = 0; k < prec; k++) {
    de = 10 * de + (digits[k] - '0');
    dn = 10 * dn + (digits[prec + k] - '0');
  }
  de = (de + 0.5) * unit; /* the centre of the square */
  dn = (dn + 0.5) * unit;
  char def[96];
  if (zone == 0) { /* UPS: bands A, B (south), Y, Z (north) */
    int north = band == 'Y' || band == 'Z', west = band == 'A' || band == 'Y';
    if (!north && band != 'A' && band != 'B') return 0;
    int c = index_of(west ? ups_cols_w : ups_cols_e, col);
    int r = index_of(north ? ups_rows_n : ups_rows_s, row);
    if (c < 0 || r < 0) return 0;
    double e = ((west ? 8 : 20) + c) * 1e5 + de;
    double nn = ((north ? 13 : 8) + r) * 1e5 + dn;
    snprintf(def, sizeof def, "+proj=ups %s +ellps=WGS84 +units=m", north ? "" : "+south");
    return unproject(def, e, nn, lat, lon) &&
           (north ? *lat >= 83.5 : *lat <= -79.5); /* UPS covers the caps */
  }
  if (zone < 1 || zone > 60) return 0;
  int b = index_of(bands, band);
  int c = index_of(utm_cols[(zone - 1) % 3], col);
  int r = index_of(utm_rows, row);
  if (b < 0 || c < 0 || r < 0) return 0;
  int south = band < 'N';
  double e = (c + 1) * 1e5 + de;
  double n100 = fmod((r - (zone % 2 ? 0 : 5) + 20) % 20 * 1e5, 2e6) + dn;
  /* The band's middle latitude fixes which 2,000 km cycle the row is in. */
  double band_mid = band == 'X' ? 78 : -76 + 8 * b, en, nmid;
  snprintf(def, sizeof def, "+proj=utm +zone=%d %s +ellps=WGS84 +units=m", zone,
           south ? "+south" : "");
  if (!project(def, band_mid, -183 + 6 * zone, &en, &nmid)) return 0;
  double k = round((nmid - n100) / 2e6);
  double nn = n100 + 2e6 * k;
  if (!unproject(def, e, nn, lat, lon)) return 0;
  /* The point must lie in its band (within a square's slack). */
  double lo = b == 19 ? 72 : -80 + 8 * b, hi = b == 19 ? 84 : lo + 8;
  return *lat >= lo - 0.9 && *lat <= hi + 0.9;
}

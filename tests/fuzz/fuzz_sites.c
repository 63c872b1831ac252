/* libFuzzer target: reading a sites table (CSV through GDAL, our column
 * detection and coordinate parsing; a GeoJSON when the input starts with
 * '{', with its CRS: the reprojection guard), and the text rules: every
 * name read is valid UTF-8 that fits, every message is one line of valid
 * UTF-8, and reach_redact_connection()/reach_text_escape() of the input
 * itself never leave a control character.  The input is the file's bytes. */
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

/* RFC 3629's table, written out apart from the library's decoder. */
static int valid_utf8(const unsigned char *s) {
  while (*s) {
    unsigned char c = *s;
    int n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
            : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!n) return 0;
    for (int i = 1; i < n; i++)
      if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))) return 0;
    if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))) return 0;
    s += n;
  }
  return 1;
}

static int one_line(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7F) return 0;
  return valid_utf8((const unsigned char *)s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) {
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);
    ctx = reach_ctx_new();
  }
  if (size > 1 << 16) return 0;
  /* the text rules on the raw bytes (as a path or a connection string) */
  char *text = malloc(size + 1), shown[256];
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  reach_redact_connection(text, shown, sizeof shown);
  if (!one_line(shown)) abort();
  if (!one_line(reach_text_escape(text, shown, 17))) abort();
  size_t nbad = 0;
  reach_utf8_clean(shown, 13, text, &nbad);
  if (strlen(shown) > 12 || !valid_utf8((const unsigned char *)shown)) abort();
  free(text);

  const char *path = size && data[0] == '{' ? "/vsimem/fuzz_sites.geojson"
                                            : "/vsimem/fuzz_sites.csv";
  VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)data, size, FALSE);
  if (!f) return 0;
  VSIFCloseL(f);
  struct reach_site *sites = NULL;
  size_t n = 0, skipped = 0;
  /* the column recognition and the per-row parameters (issue 15): with
   * parameters on for half the inputs, and a column named by option for a
   * quarter (the header's second column, whatever it is called) */
  struct reach_sites_options opt;
  memset(&opt, 0, sizeof opt);
  opt.skip_bad = (int)(size & 1);
  opt.params = (int)((size >> 1) & 1);
  opt.field_units = size & 8 ? "mi" : NULL;
  char col[64] = "";
  if (((size >> 2) & 3) == 3) {
    const char *c = memchr(data, ',', size);
    size_t k = 0;
    if (c)
      for (c++; c < (const char *)data + size && *c != ',' && *c != '\n' && k + 1 < sizeof col; c++)
        col[k++] = *c;
    col[k] = '\0';
    if (*col) opt.range_field = col;
  }
  if (reach_sites_read_with(ctx, path, &opt, &sites, &n, &skipped) == REACH_OK) {
    if (n == 0) abort();
    for (size_t i = 0; i < n; i++) {
      const struct reach_site *x = &sites[i];
      if (!(x->lat_deg >= -90 && x->lat_deg <= 90 && x->lon_deg >= -180 && x->lon_deg <= 180) ||
          strlen(x->name) >= REACH_NAME_LEN || !valid_utf8((const unsigned char *)x->name))
        abort();
      /* parameters only when asked for, each one set is a usable value */
      if (x->has && !opt.params) abort();
      if ((x->has & REACH_SITE_RANGE) && !(x->range_m > 0 && isfinite(x->range_m))) abort();
      if ((x->has & REACH_SITE_MIN_RANGE) && !(x->min_range_m >= 0 && isfinite(x->min_range_m)))
        abort();
      if ((x->has & REACH_SITE_RANGE) && (x->has & REACH_SITE_MIN_RANGE) &&
          !(x->min_range_m < x->range_m))
        abort();
      if ((x->has & REACH_SITE_TOLERANCE) && !(x->tolerance_m > 0 && isfinite(x->tolerance_m)))
        abort();
      if ((x->has & REACH_SITE_AZIMUTH) && !(isfinite(x->az_from_deg) && isfinite(x->az_to_deg)))
        abort();
      if ((x->has & REACH_SITE_MISSILE) &&
          (!*x->missile || strlen(x->missile) >= REACH_MISSILE_LEN))
        abort();
      if (x->row == 0) abort();
    }
  } else if (!*reach_errmsg(ctx) || !one_line(reach_errmsg(ctx))) {
    abort();
  }
  free(sites);
  reach_clear_error(ctx);
  VSIUnlink(path);
  return 0;
}

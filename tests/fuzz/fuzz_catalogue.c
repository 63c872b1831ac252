/* libFuzzer target: a missile catalogue file (CSV through GDAL, our column and
 * number checks), then look-ups of a few names in what was loaded. */
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) {
    CPLSetErrorHandler(CPLQuietErrorHandler);
    ctx = reach_ctx_new();
  }
  if (size > 1 << 16) return 0;
  const char *path = "/vsimem/fuzz_catalogue.csv";
  VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)data, size, FALSE);
  if (!f) return 0;
  VSIFCloseL(f);
  struct reach_catalogue *cat = NULL;
  if (reach_catalogue_load(ctx, path, &cat) == REACH_OK) {
    size_t n = reach_catalogue_count(cat);
    if (n == 0) abort();
    for (size_t i = 0; i < n; i++) {
      const struct reach_missile *m = reach_catalogue_get(cat, i);
      int none = strcasecmp(m->range_kind, "none") == 0;
      if (!(m->min_km >= 0)) abort();
      if (none ? !isnan(m->range_km) : !(m->range_km > 0) || m->min_km >= m->range_km)
        abort();
    }
    const char *names[] = {"KN-23", "x", "", "-", "iskander", "Fatah", "tochka",
                           "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
      if (!reach_catalogue_find(ctx, cat, names[k]) && !*reach_errmsg(ctx)) abort();
      for (int strict = 0; strict < 2; strict++) {
        char note[256] = "";
        size_t nm = 99;
        const struct reach_missile *m =
            reach_catalogue_resolve(ctx, cat, names[k], strict, &nm, note, sizeof note);
        /* found: one match and no note, or several (not strict) with a note;
         * not found: an error, no matches */
        if (m && !(nm >= 1 && (nm == 1 || (!strict && *note)))) abort();
        if (m && strict && *note && nm > 1) abort();
        if (!m && (nm != 0 || !*reach_errmsg(ctx))) abort();
      }
    }
  } else if (!*reach_errmsg(ctx)) {
    abort();
  }
  reach_catalogue_free(cat);
  reach_clear_error(ctx);
  VSIUnlink(path);
  return 0;
}

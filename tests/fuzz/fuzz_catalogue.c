/* libFuzzer target: a missile catalogue file (CSV through GDAL, our column and
 * number checks), then look-ups of a few names in what was loaded. */
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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
      if (!(m->range_km > 0) || !(m->min_km >= 0) || m->min_km >= m->range_km) abort();
    }
    const char *names[] = {"KN-23", "x", "", "-", "iskander", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
      if (!reach_catalogue_find(ctx, cat, names[k]) && !*reach_errmsg(ctx)) abort();
  } else if (!*reach_errmsg(ctx)) {
    abort();
  }
  reach_catalogue_free(cat);
  reach_clear_error(ctx);
  VSIUnlink(path);
  return 0;
}

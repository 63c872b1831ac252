/* libFuzzer target: reading a sites table (CSV through GDAL, our column
 * detection and coordinate parsing).  The input is the file's bytes. */
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) {
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);
    ctx = reach_ctx_new();
  }
  if (size > 1 << 16) return 0;
  const char *path = "/vsimem/fuzz_sites.csv";
  VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)data, size, FALSE);
  if (!f) return 0;
  VSIFCloseL(f);
  struct reach_site *sites = NULL;
  size_t n = 0, skipped = 0;
  if (reach_sites_read(ctx, path, (int)(size & 1), &sites, &n, &skipped) == REACH_OK) {
    if (n == 0) abort();
    for (size_t i = 0; i < n; i++)
      if (!(sites[i].lat_deg >= -90 && sites[i].lat_deg <= 90 &&
            sites[i].lon_deg >= -180 && sites[i].lon_deg <= 180))
        abort();
  } else if (!*reach_errmsg(ctx)) {
    abort();
  }
  free(sites);
  reach_clear_error(ctx);
  VSIUnlink(path);
  return 0;
}

/* libFuzzer target: points as people write them, place names included
 * (reach_resolve_point over the bundled gazetteer). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) ctx = reach_ctx_new();
  if (size < 1 || size > 512) return 0;
  char *text = malloc(size);
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  double lat = NAN, lon = NAN;
  char label[64], note[256];
  enum reach_status st = reach_resolve_point(ctx, text, data[0] & 1, &lat, &lon,
                                             label, sizeof label, note, sizeof note);
  if (st == REACH_OK) {
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) abort();
  } else if (st == REACH_ERR_IO) {
    abort(); /* the gazetteer must load */
  } else if (!*reach_errmsg(ctx)) {
    abort();
  }
  reach_clear_error(ctx);
  free(text);
  return 0;
}

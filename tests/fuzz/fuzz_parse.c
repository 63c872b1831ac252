/* libFuzzer target: the text parsers (points, distances, azimuth ranges).
 * The first byte picks the parser; the rest is the text.  Whatever the input,
 * a parser returns OK with finite, in-range values or an error with a
 * message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) ctx = reach_ctx_new();
  if (size < 1 || size > 4096) return 0;
  char *text = malloc(size);
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  double a = NAN, b = NAN;
  char label[64];
  switch (data[0] % 3) {
  case 0:
    if (reach_parse_latlon(ctx, text, &a, &b, label, sizeof label) == REACH_OK) {
      if (!(a >= -90 && a <= 90 && b >= -180 && b <= 180)) abort();
    } else if (!*reach_errmsg(ctx)) {
      abort();
    }
    break;
  case 1:
    if (reach_parse_distance(ctx, text, "km", &a) == REACH_OK) {
      if (!isfinite(a)) abort();
    } else if (!*reach_errmsg(ctx)) {
      abort();
    }
    break;
  default:
    if (reach_parse_azimuths(ctx, text, &a, &b) == REACH_OK) {
      if (!isfinite(a) || !isfinite(b) || a == b) abort();
    } else if (!*reach_errmsg(ctx)) {
      abort();
    }
    break;
  }
  reach_clear_error(ctx);
  free(text);
  return 0;
}

/* Names as keys: the one normaliser of the catalogue and the gazetteer. */
#include <ctype.h>

#include "core/internal.h"

void reach_name_key(const char *in, char *out, size_t cap) {
  size_t o = 0;
  if (cap == 0) return;
  for (; *in && o + 1 < cap; in++) {
    unsigned char c = (unsigned char)*in;
    if (c >= 0x80 || isalnum(c)) out[o++] = (char)tolower(c);
  }
  /* never end inside a UTF-8 sequence cut by @p cap */
  size_t k = o;
  while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80) k--;
  if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0) {
    unsigned char lead = (unsigned char)out[k - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (o - (k - 1) < need) o = k - 1;
  }
  out[o] = '\0';
}

/* Text rules shared by every reader and message: valid UTF-8 cut at
 * character boundaries, and quoted text kept on one line. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "georeach/text.h"

/* The UTF-8 character at s: its length (1-4) and code point, or, when the
 * bytes are ill-formed, minus the length of the maximal subpart to replace
 * by one U+FFFD (Unicode's "substitution of maximal subparts", so that
 * every decoder agrees on the count). */
static int utf8_next(const unsigned char *s, uint32_t *cp) {
  unsigned char c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  int n;
  uint32_t v;
  unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    v = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;       /* overlong */
    else if (c == 0xED) hi = 0x9F;  /* surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    v = c & 0x07;
    if (c == 0xF0) lo = 0x90;       /* overlong */
    else if (c == 0xF4) hi = 0x8F;  /* past U+10FFFF */
  } else {
    return -1;
  }
  for (int i = 1; i < n; i++) {
    unsigned char b = s[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return -i;
    v = (v << 6) | (b & 0x3F);
  }
  *cp = v;
  return n;
}

size_t reach_utf8_clean(char *dst, size_t size, const char *src, size_t *nbad) {
  static const char fffd[] = "\xEF\xBF\xBD";
  size_t o = 0;
  if (size == 0) return 0;
  const unsigned char *s = (const unsigned char *)(src ? src : "");
  while (*s) {
    uint32_t cp;
    int n = utf8_next(s, &cp);
    const char *put = (const char *)s;
    size_t k = (size_t)n;
    if (n < 0) {
      put = fffd;
      k = 3;
      if (nbad) (*nbad)++;
    }
    if (o + k > size - 1) break; /* whole characters only */
    memcpy(dst + o, put, k);
    o += k;
    s += n < 0 ? (size_t)-n : (size_t)n;
  }
  dst[o] = '\0';
  return o;
}

/* Escape s into buf while it fits in limit bytes; returns 1 when all of s
 * was written. */
static int escape_into(const unsigned char *s, char *buf, size_t limit, size_t *len) {
  size_t o = 0;
  while (*s) {
    char esc[16];
    uint32_t cp;
    int n = utf8_next(s, &cp);
    const char *put = esc;
    size_t k;
    if (n < 0) {
      n = 1; /* one byte at a time: \xNN shows exactly what was there */
      k = (size_t)snprintf(esc, sizeof esc, "\\x%02X", s[0]);
    } else if (cp == '\n' || cp == '\r' || cp == '\t') {
      k = (size_t)snprintf(esc, sizeof esc, "\\%c", cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't');
    } else if (cp < 0x20 || cp == 0x7F) {
      k = (size_t)snprintf(esc, sizeof esc, "\\x%02X", (unsigned)cp);
    } else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
      /* C1 controls and the Unicode line/paragraph separators: terminals
       * and JSON-minded readers break lines at some of them */
      k = (size_t)snprintf(esc, sizeof esc, "\\u%04X", (unsigned)cp);
    } else {
      put = (const char *)s;
      k = (size_t)n;
    }
    if (o + k > limit) {
      *len = o;
      return 0;
    }
    memcpy(buf + o, put, k);
    o += k;
    s += n;
  }
  *len = o;
  return 1;
}

char *reach_text_escape(const char *text, char *buf, size_t size) {
  if (size == 0) return buf;
  const unsigned char *s = (const unsigned char *)(text ? text : "");
  size_t o;
  if (!escape_into(s, buf, size - 1, &o) && size > 4) {
    escape_into(s, buf, size - 4, &o); /* room for the "..." */
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o] = '\0';
  return buf;
}

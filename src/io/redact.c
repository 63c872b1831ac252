/* Sources and destinations as they may be shown to a user: passwords of
 * PostgreSQL connection strings hidden, one line, valid UTF-8.  Every
 * message of the library that names a source or destination goes through
 * reach_redact_connection(). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "georeach/io.h"
#include "georeach/text.h"

/* Where a libpq keyword may start: the beginning, after a blank (keyword
 * form), after "PG:" (GDAL's prefix), or after '?' / '&' (URI query). */
static int key_start(const char *s, size_t i) {
  if (i == 0) return 1;
  char c = s[i - 1];
  return isspace((unsigned char)c) || c == ':' || c == '?' || c == '&';
}

/* The end of a libpq value starting at v.  Keyword form: 'single quoted'
 * (backslash escapes \' and \\) or up to the first blank not escaped by a
 * backslash ("Wrong\ PW99" is one value).  URI query (uri != 0): up to '&',
 * '#' or a blank. */
static const char *value_end(const char *v, int uri) {
  const char *e = v;
  if (uri) return e + strcspn(e, "&# \t\r\n");
  if (*e == '\'') {
    for (e++; *e && *e != '\''; e++)
      if (*e == '\\' && e[1]) e++;
    return *e ? e + 1 : e;
  }
  for (; *e && !isspace((unsigned char)*e); e++)
    if (*e == '\\' && e[1]) e++;
  return e;
}

/* The password of a URI's user info: postgresql://user:PW@host... */
static const char *uri_password(const char *s, size_t i, const char **end) {
  static const char *const schemes[] = {"postgresql://", "postgres://", NULL};
  for (const char *const *sc = schemes; *sc; sc++) {
    size_t n = strlen(*sc);
    if (strncasecmp(s + i, *sc, n) != 0) continue;
    const char *auth = s + i + n, *stop = auth + strcspn(auth, "/?# \t\r\n");
    const char *at = NULL, *colon;
    for (const char *p = auth; p < stop; p++)
      if (*p == '@') at = p; /* the last one: '@' may appear encoded only */
    if (!at) return NULL;
    colon = memchr(auth, ':', (size_t)(at - auth));
    if (!colon) return NULL;
    *end = at;
    return colon + 1;
  }
  return NULL;
}

void reach_redact_connection(const char *path, char *buf, size_t size) {
  if (!size) return;
  if (!path) path = "";
  size_t len = strlen(path);
  /* each hidden value becomes "***": at most 3 bytes more per value, and a
   * value takes at least "password=" (9 bytes) or "x:@" of the text */
  char *red = malloc(len + len / 3 + 8);
  if (!red) {
    reach_text_escape("(a source whose name cannot be shown: out of memory)", buf, size);
    return;
  }
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    const char *end = NULL, *v = uri_password(path, i, &end);
    if (v) { /* copy up to the password, then "***" */
      size_t k = (size_t)(v - (path + i));
      memcpy(red + o, path + i, k);
      o += k;
      memcpy(red + o, "***", 3);
      o += 3;
      i = (size_t)(end - path);
      continue;
    }
    if (key_start(path, i) && strncasecmp(path + i, "password", 8) == 0) {
      const char *p = path + i + 8;
      while (*p == ' ' || *p == '\t') p++;
      if (*p == '=') {
        p++;
        char before = i ? path[i - 1] : ' ';
        int uri = before == '?' || before == '&';
        if (!uri)
          while (*p == ' ' || *p == '\t') p++;
        size_t k = (size_t)(p - (path + i));
        memcpy(red + o, path + i, k);
        o += k;
        memcpy(red + o, "***", 3);
        o += 3;
        i = (size_t)(value_end(p, uri) - path);
        continue;
      }
    }
    red[o++] = path[i++];
  }
  red[o] = '\0';
  reach_text_escape(red, buf, size);
  free(red);
}

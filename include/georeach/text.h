/**
 * @file text.h
 * @brief Text rules: names are valid UTF-8 cut at character boundaries, and
 * text quoted in a message or a table row stays on one line.
 */
#ifndef GEOREACH_TEXT_H
#define GEOREACH_TEXT_H

#include "export.h"

#include <stddef.h>

REACH_BEGIN_DECLS

/**
 * Copy @p src into @p dst (of @p size bytes, always NUL-terminated when
 * @p size > 0) as valid UTF-8: each ill-formed sequence (a stray
 * continuation byte, a truncated sequence, an overlong form, a surrogate,
 * a code point past U+10FFFF) becomes U+FFFD, and the text is cut at the
 * last whole character that fits, never inside one.
 *
 * @param nbad when not NULL, incremented by the number of replacements.
 * @return the length written (bytes, without the NUL).
 */
size_t reach_utf8_clean(char *dst, size_t size, const char *src, size_t *nbad);

/**
 * @p text as it may be quoted in a one-line message or a table cell: control
 * characters (C0, DEL, C1, U+2028/U+2029) written as \\n, \\r, \\t or
 * \\xNN / \\uNNNN, bytes that are not UTF-8 as \\xNN; cut at a character
 * boundary with "..." when longer than @p size - 1 bytes.  NULL is shown
 * as "".  Returns @p buf (of @p size > 0 bytes, caller's).
 */
char *reach_text_escape(const char *text, char *buf, size_t size);

/**
 * Display width of @p text in terminal columns: the C library's wcwidth()
 * in its UTF-8 C locale (East Asian wide and fullwidth characters 2,
 * combining marks, zero-width and format characters 0, everything else 1),
 * asked without touching the process's locale (uselocale() for the
 * calling thread, for the call only); where the C library has no such
 * locale or no width for a character, a built-in table of the same rules
 * (Markus Kuhn's wcwidth.c).  Bytes that are not UTF-8 count 1 each;
 * control characters 0 (escape them first,
 * reach_text_escape()).  NULL is 0.
 */
size_t reach_text_width(const char *text);

REACH_END_DECLS
#endif

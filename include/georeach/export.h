/**
 * @file export.h
 * @brief What libgeoreach exports.
 *
 * The library is built with -fvisibility=hidden: a symbol is exported only if
 * it is declared between REACH_BEGIN_DECLS and REACH_END_DECLS in a header of
 * include/georeach/.  Every such header brackets its declarations this way,
 * which also gives C++ callers C linkage.  Internal headers (src/) do not, so
 * nothing of theirs leaks into the shared library's dynamic symbol table.
 */
#ifndef GEOREACH_EXPORT_H
#define GEOREACH_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define REACH_VISIBILITY_PUSH _Pragma("GCC visibility push(default)")
#define REACH_VISIBILITY_POP _Pragma("GCC visibility pop")
#else
#define REACH_VISIBILITY_PUSH
#define REACH_VISIBILITY_POP
#endif

#ifdef __cplusplus
#define REACH_BEGIN_DECLS extern "C" { REACH_VISIBILITY_PUSH
#define REACH_END_DECLS REACH_VISIBILITY_POP }
#else
#define REACH_BEGIN_DECLS REACH_VISIBILITY_PUSH
#define REACH_END_DECLS REACH_VISIBILITY_POP
#endif

#endif

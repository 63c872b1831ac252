/* Bundled CSV files compiled into the library (generated at build time by
 * src/data/mkindex.py): reach_table_open() serves the data folder's file
 * from here, without GDAL, while its bytes hash the same. */
#ifndef GEOREACH_IO_COMPILED_H
#define GEOREACH_IO_COMPILED_H

#include <stddef.h>

struct reach_compiled_table {
  const char *file;              /* its name in the data folder */
  unsigned long long hash, bytes; /* reach_hash_file() of it, and its size */
  const char *const *fields;
  size_t nfields;
  const char *const *cells; /* row-major, nrows x nfields */
  size_t nrows;
};

extern const struct reach_compiled_table reach_compiled_missiles;

/* FNV-1a 64 of @p path's bytes, taken 8 at a time as little-endian words
 * within each 64 KiB block read (src/data/mkindex.py hashes alike),
 * continuing from *h, adding to *bytes; 0 if it cannot be read (io/table.c;
 * the gazetteer index uses it too). */
int reach_hash_file(const char *path, unsigned long long *h, unsigned long long *bytes);

#endif

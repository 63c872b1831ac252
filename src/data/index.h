/* The bundled places compiled into the library (generated at build time by
 * src/data/mkindex.py from data/cities.csv and data/bases.csv): the
 * gazetteer reads these instead of the CSVs when the files in the data
 * folder hash to reach_index_hash. */
#ifndef GEOREACH_DATA_INDEX_H
#define GEOREACH_DATA_INDEX_H

#include <stddef.h>

struct reach_index_city {
  const char *name, *keys, *country, *admin1; /* keys: "|key|key|", as make_keys() */
  long population;
  int capital;
  double lat_deg, lon_deg;
};

struct reach_index_base {
  const char *name, *keys, *country, *kind;
  double lat_deg, lon_deg;
};

/* reach_hash_file() (io/compiled.h) of cities.csv continued over
 * bases.csv, and their total size. */
extern const unsigned long long reach_index_hash, reach_index_bytes;
extern const struct reach_index_city reach_index_cities[];
extern const size_t reach_index_ncities;
extern const struct reach_index_base reach_index_bases[];
extern const size_t reach_index_nbases;

#endif

/**
 * @file catalogue.h
 * @brief The missile catalogue: names, aliases and ranges with their sources.
 */
#ifndef GEOREACH_CATALOGUE_H
#define GEOREACH_CATALOGUE_H

#include "export.h"

#include <stddef.h>
#include "context.h"

REACH_BEGIN_DECLS

/** One system of the catalogue.  Distances in km; NAN where not given. */
struct reach_missile {
  char name[64];      /**< "KN-23" */
  char aliases[512];  /**< "Hwasong-11 | Hwasong-11Ga | ..." */
  char origin[64];    /**< "North Korea" */
  char klass[48];     /**< SRBM, MRBM, IRBM, ICBM, cruise, drone, ... */
  double min_km;      /**< minimum range (0 when none is published) */
  double range_km;    /**< nominal range */
  double range_low_km, range_high_km; /**< where sources disagree, else NAN */
  char source[512];   /**< citation */
};

struct reach_catalogue;

/**
 * Load a catalogue: a CSV (read with GDAL) with the columns name, aliases,
 * origin, class, min_km, range_km, range_low_km, range_high_km, source.
 * NULL path: data/missiles.csv.
 *
 * @return REACH_OK; REACH_ERR_IO; REACH_ERR_DATA naming the row and column
 *   at fault.  Caller is responsible for freeing *cat with
 *   reach_catalogue_free().
 */
enum reach_status reach_catalogue_load(struct reach_ctx *ctx, const char *path,
                                       struct reach_catalogue **cat);

/** Free a catalogue; NULL is a no-op. */
void reach_catalogue_free(struct reach_catalogue *cat);

/** Number of systems. */
size_t reach_catalogue_count(const struct reach_catalogue *cat);

/** System i (0-based); the catalogue owns it. */
const struct reach_missile *reach_catalogue_get(const struct reach_catalogue *cat,
                                                size_t i);

/**
 * Find a system by name or alias, ignoring case, blanks and punctuation
 * ("kn23", "KN-23", "hwasong 11").
 *
 * @return the system (owned by the catalogue), or NULL with REACH_ERR_ARG and a
 *   message suggesting the closest names.
 */
const struct reach_missile *reach_catalogue_find(struct reach_ctx *ctx,
                                                 const struct reach_catalogue *cat,
                                                 const char *name);

REACH_END_DECLS
#endif

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
  char aliases[512];  /**< names of this system only: "Hwasong-11A | Hwasong-11Ga" */
  char shared[256];   /**< names it shares with other rows (a family name or a
                           near-collision), "*" marking the row such a name is
                           taken as: "*Hwasong-11 | *Hwasongpho-11" */
  char origin[64];    /**< "North Korea" */
  char klass[48];     /**< SRBM, MRBM, IRBM, ICBM, cruise, drone, ... */
  double min_km;      /**< minimum range (0 when none is published) */
  double range_km;    /**< nominal range; NAN when range_kind is "none" (no
                           public maximum: nothing to draw) */
  char range_kind[24];/**< what the nominal is: official, government estimate,
                           manufacturer, analyst estimate, press claim, test
                           flight, none ("" in older catalogues) */
  char source[512];   /**< citation of the nominal figure */
  double range_low_km, range_high_km; /**< where sources disagree, else NAN */
  char low_kind[24], high_kind[24];   /**< kinds of the low and high figures */
  char low_source[256], high_source[256]; /**< their citations */
  char notes[512];    /**< description, caveats ("" if none) */
};

struct reach_catalogue;

/**
 * Load a catalogue: a CSV (read with GDAL) with the columns name, aliases,
 * shared_names, origin, class, min_km, range_km, range_kind, source,
 * range_low_km, low_kind, low_source, range_high_km, high_kind, high_source,
 * notes (only name and range_km are required; range_km may be empty when
 * range_kind is "none").  NULL path: data/missiles.csv.
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
 * ("kn23", "KN-23", "hwasong 11"), as reach_catalogue_resolve() without
 * strictness or note.
 *
 * @return the system (owned by the catalogue), or NULL with REACH_ERR_ARG and a
 *   message suggesting the closest names.
 */
const struct reach_missile *reach_catalogue_find(struct reach_ctx *ctx,
                                                 const struct reach_catalogue *cat,
                                                 const char *name);

/**
 * Resolve a name as place names are resolved (reach_place_find()): a name,
 * alias or shared name of exactly one row gives that row.  A name listed by
 * several rows (a shared name such as "Fateh", "Iskander", "Tochka", or the
 * same alias in two rows of another catalogue) is ambiguous: the row whose
 * name it is, else the row marking it with "*" in shared_names, else a row
 * having it as an alias, else the first is taken, and @p note names it and
 * the others; with @p strict that is an error listing them all.  With no exact match, a name that begins the names of one row only
 * (at least 4 characters) gives that row, said in @p note.
 *
 * @param[out] nmatches number of rows the name matched (0 on error; may be
 *   NULL).
 * @param[out] note "" for an exact unique name; else one line saying what was
 *   taken.  May be NULL.
 * @return the system, or NULL with REACH_ERR_ARG (unknown, or ambiguous and
 *   strict).
 */
const struct reach_missile *reach_catalogue_resolve(struct reach_ctx *ctx,
                                                    const struct reach_catalogue *cat,
                                                    const char *name, int strict,
                                                    size_t *nmatches, char *note,
                                                    size_t note_len);

REACH_END_DECLS
#endif

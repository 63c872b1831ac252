/**
 * @file gazetteer.h
 * @brief Place names: the bundled GeoNames cities, and points given as text
 * in any accepted form.
 */
#ifndef GEOREACH_GAZETTEER_H
#define GEOREACH_GAZETTEER_H

#include "export.h"

#include <stddef.h>
#include "context.h"

REACH_BEGIN_DECLS

/** A place of the gazetteer. */
struct reach_place {
  char name[128];    /**< "Kharkiv" */
  char country[4];   /**< ISO 3166-1 alpha-2, "UA" */
  char admin1[24];   /**< GeoNames admin1 code */
  long population;
  int capital;       /**< 1 for a national capital */
  double lat_deg, lon_deg;
};

/**
 * Find a place by name ("Pyongyang", "kyiv", "Zaporizhzhia"), optionally
 * qualified by country ("Kharkiv,UA").  Names, ASCII names and alternate
 * names match ignoring case, blanks and punctuation.  The gazetteer
 * (data/cities.csv: GeoNames places of 15,000 people or more, and every
 * capital) is loaded on first use and kept in the context.
 *
 * When several places match, the most populous is returned and *nmatches
 * tells how many there were; with @p strict that is an error.
 *
 * @return REACH_OK; REACH_ERR_ARG for an unknown or (strict) ambiguous
 *   name, with close names suggested; REACH_ERR_IO if the gazetteer cannot
 *   be read.
 */
enum reach_status reach_place_find(struct reach_ctx *ctx, const char *name,
                                   int strict, struct reach_place *out,
                                   size_t *nmatches);

/**
 * Every place of the gazetteer (loaded on first use; owned by the context).
 */
enum reach_status reach_places(struct reach_ctx *ctx,
                               const struct reach_place **places, size_t *n);

/**
 * A point as people write it: everything reach_parse_latlon() accepts, or a
 * place name (reach_place_find()), with an optional "Label=" in front.  The
 * label defaults to the place's name for places and is "" for coordinates.
 *
 * @param[out] note for a place name, a line saying which place was taken
 *   ("Kharkiv, UA (1430885 people)", with the number of other candidates when
 *   ambiguous); "" otherwise.  May be NULL.
 */
enum reach_status reach_resolve_point(struct reach_ctx *ctx, const char *text,
                                      int strict, double *lat_deg,
                                      double *lon_deg, char *label,
                                      size_t label_len, char *note,
                                      size_t note_len);

REACH_END_DECLS
#endif

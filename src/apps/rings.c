/* georeach rings: reach rings round launch sites (or from a territory),
 * their union or their overlap counts, written as layers. */
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"

static enum reach_status prepare(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  enum reach_status st;
  if (!o->sites_file && o->nsite_texts == 0 && !o->area)
    return app_usage(ctx, app, "no launch site: give --site LAT,LON, --sites FILE or "
                               "--from-area AREA");
  if (!!o->sites_file + !!o->nsite_texts + !!o->area > 1)
    return app_usage(ctx, app, "give one of --site, --sites and --from-area");
  if (o->dissolve + o->count > 1 || (o->area && (o->dissolve || o->count)))
    return app_usage(ctx, app, "%s", o->area ? "--from-area is a union already: drop "
                                              "--union/--count"
                                            : "give --union or --count, not both");
  if (o->min_count && !o->count) return app_usage(ctx, app, "--min-count goes with --count");
  if (o->area && (o->sector || o->have_min))
    return app_usage(ctx, app, "%s", o->sector ? "--azimuth has no meaning with --from-area"
                                               : "--min-range has no meaning with --from-area");
  if (!o->out)
    return app_usage(ctx, app, "no output: give -o FILE (or -o - for GeoJSON on stdout)");
  if ((st = app_weapons(ctx, app))) return st;
  if ((st = app_flight_checks(ctx, app, 0))) return st;
  if (o->model) {
    if (o->area || o->count || o->sector)
      return app_usage(ctx, app, "--model ballistic draws discs and annuli round sites: "
                                 "not with --from-area, --count or --azimuth");
    if ((st = app_ballistic(ctx, app, 0, app->ndefs))) return st;
    if ((st = app_isochrones(ctx, app))) return st;
  }
  /* every value checked once, before any file is touched or any place
   * looked up (and named on stderr) */
  if ((st = app_check_defs(ctx, app, o->sector, o->tol_m))) return st;
  if ((st = app_countries(ctx, app, "--from-area", o->area, NULL, 0))) return st;
  if ((st = app_output_check(ctx, app))) return st;
  return app_points(ctx, app, "--site", o->site_texts, o->nsite_texts, &app->pts, &app->npts);
}

static void skipped_note(struct reach_app *app, size_t skipped, const char *file) {
  if (skipped)
    app_note(app, "skipped %zu bad row%s of %s", skipped, skipped == 1 ? "" : "s",
             app_shown_path(file));
}

/* The sites of a file, each with its own weapon (app_read_rows()): the
 * rings of consecutive sites with the same weapon are written as one job
 * (the file's order is kept); a union or count is one job per distinct
 * weapon (one coverage per missile, range, sector). */
static enum reach_status run_rows(struct reach_ctx *ctx, struct reach_app *app,
                                  const struct app_spec *specs, struct reach_writer *w,
                                  reach_progress_fn pf) {
  const struct app_opts *o = &app->o;
  enum reach_status st = REACH_OK;
  size_t n = app->npts;
  if (!o->dissolve && !o->count) {
    for (size_t i = 0; i < n && st == REACH_OK;) {
      size_t j = i + 1;
      while (j < n && app_spec_same(&specs[i], &specs[j])) j++;
      const struct app_spec *sp = &specs[i];
      struct reach_rings_job job = {app->pts + i, j - i, sp->defs, sp->ndefs, sp->sector,
                                    sp->az_from, sp->az_to, sp->tol_m, o->threads, NULL, 0};
      st = reach_rings_write(ctx, &job, w, pf, app);
      i = j;
    }
    return st;
  }
  struct reach_site *group = malloc(n * sizeof *group);
  char *done = calloc(n, 1);
  if (!group || !done) {
    free(group);
    free(done);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n && st == REACH_OK; i++) {
    if (done[i]) continue;
    size_t k = 0;
    for (size_t j = i; j < n; j++)
      if (!done[j] && app_spec_same(&specs[i], &specs[j])) {
        done[j] = 1;
        group[k++] = app->pts[j];
      }
    const struct app_spec *sp = &specs[i];
    struct reach_rings_job job = {group, k, sp->defs, sp->ndefs, sp->sector,
                                  sp->az_from, sp->az_to, sp->tol_m, o->threads, NULL, 0};
    st = o->dissolve ? reach_rings_union(ctx, &job, w, pf, app)
                     : reach_rings_count(ctx, &job, o->min_count, w, pf, app);
  }
  free(group);
  free(done);
  return st;
}

static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct reach_sites_reader *reader = NULL;
  struct reach_geom territory = {0};
  struct reach_writer *w = NULL;
  struct app_spec *specs = NULL;
  char area_label[REACH_NAME_LEN] = "", area_path[4200];
  enum reach_status st = REACH_OK;
  /* Standard output cannot be taken back: read every site before writing. */
  int streaming = o->sites_file && !o->dissolve && !o->count && strcmp(o->out, "-") != 0;
  const char *area = o->area;
  if (area && o->layer) { /* --layer names the territory file's layer */
    snprintf(area_path, sizeof area_path, "%s|layername=%s", o->area, o->layer);
    area = area_path;
  }
  if (area && reach_territory(ctx, area, &territory, area_label, sizeof area_label)) {
    st = app_prefix(ctx, reach_errno(ctx) == REACH_ERR_IO ? REACH_ERR_IO : REACH_ERR_ARG,
                    "--from-area");
    goto done;
  }
  if (o->sites_file) {
    struct reach_sites_options so = app_sites_options(app, 1);
    if ((st = reach_sites_open_with(ctx, o->sites_file, &so, &reader))) goto done;
    if ((st = app_rows_needed(ctx, app, reader))) goto done;
    /* each row its own weapon: all sites are read first */
    if (reach_sites_params(reader)) streaming = 0;
    if (!streaming) {
      size_t skipped = 0;
      st = app_read_rows(ctx, app, reader, o->sites_file, &specs, &skipped);
      if (!st && !reach_sites_params(reader)) { /* one weapon for all */
        for (size_t i = 0; i < app->npts; i++) app_spec_free(&specs[i]);
        free(specs);
        specs = NULL;
      }
      skipped += reach_sites_skipped(reader);
      reach_sites_close(reader);
      reader = NULL;
      if (st) goto done;
      skipped_note(app, skipped, o->sites_file);
    }
  }
  st = o->dissolve || o->area ? reach_writer_open_coverage(ctx, o->out, o->format, o->overwrite, &w)
       : o->count             ? reach_writer_open_overlap(ctx, o->out, o->format, o->overwrite, &w)
                              : reach_writer_open(ctx, o->out, o->format, o->overwrite, &w);
  if (st) goto done;
  if (o->ntimes && (st = reach_writer_add_tof_field(ctx, w))) goto done;
  int show = streaming || o->area || app->npts * (specs ? specs[0].ndefs : app->ndefs) > 1;
  struct reach_rings_job job = {app->pts, app->npts, app->defs, app->ndefs, o->sector,
                                o->az_from, o->az_to, o->tol_m, o->threads, reader,
                                /* counting is a pass over the file: only
                                   for a fraction someone sees */
                                show && reader && app->progress && !o->quiet &&
                                        (app->progress_drawn || o->progress)
                                    ? reach_sites_estimate(reader)
                                    : 0};
  reach_progress_fn pf = show ? app_progress_show : app_progress_poll;
  st = o->area       ? reach_rings_from_area(ctx, &job, &territory, area_label, w, pf, app)
       : specs       ? run_rows(ctx, app, specs, w, pf)
       : o->dissolve ? reach_rings_union(ctx, &job, w, pf, app)
       : o->count    ? reach_rings_count(ctx, &job, o->min_count, w, pf, app)
                     : reach_rings_write(ctx, &job, w, pf, app);
  st = app_as_data(ctx, st);
  if (st == REACH_OK && reader) skipped_note(app, reach_sites_skipped(reader), o->sites_file);
  if (st == REACH_OK) {
    size_t count = reach_writer_count(w);
    st = app_as_data(ctx, reach_writer_commit(ctx, w));
    w = NULL;
    if (st == REACH_OK && strcmp(o->out, "-") != 0 && !o->quiet)
      app_note(app, "wrote %zu %s%s to %s", count,
               o->dissolve || o->area ? "coverage feature"
               : o->count             ? "overlap band"
                                      : "ring",
               count == 1 ? "" : "s", app_shown_path(o->out));
  }
done:
  if (specs)
    for (size_t i = 0; i < app->npts; i++) app_spec_free(&specs[i]);
  free(specs);
  reach_writer_abort(w);
  reach_sites_close(reader);
  reach_geom_clear(&territory);
  return st;
}

const struct app_command app_rings = {
    "rings",
    G_SITES | G_AREA | G_POINTS | G_WEAPONS | G_RINGLIST | G_CATALOGUE | G_MODEL | G_SECTOR |
        G_TOL | G_FILE | G_DRIVER | G_UNION | G_COUNT | G_QUIET | G_HELP | G_INLAYER | G_INFILE | G_ROWPARAM,
    "reach rings (discs, annuli, sectors) round launch sites",
    "Usage: georeach rings (--site POINT ... | --sites FILE | --from-area AREA)\n"
    "                      (--range DIST | --rings DIST,DIST,... |\n"
    "                       --missile NAME[,NAME...] [--band] [--catalogue FILE])\n"
    "                      [--min-range DIST] [--azimuth FROM:TO]\n"
    "                      [--tolerance DIST] -o OUT [--format DRIVER]\n"
    "                      [--union | --count [--min-count K]]\n"
    "                      [--model circle|ballistic [--burnout-alt DIST]]\n"
    "                      [--overwrite] [--skip-bad] [--threads N] [--quiet]\n",
    "Writes the reach ring of every site: all points whose shortest geodesic\n"
    "distance on the WGS84 ellipsoid from the site is at most the range (and\n"
    "at least the minimum range), one MultiPolygon feature per site and ring.\n"
    "Rings are cut at the antimeridian, closed along the pole line when they\n"
    "hold a pole, may be larger than a hemisphere, and a range at or beyond\n"
    "20003.93 km (half a meridian) is the whole Earth.\n",
    "Fields: site site_lat site_lon missile band min_km range_km az_from az_to\n"
    "        tol_m err_m area_km2 (geodesic area on the ellipsoid) kind (of the\n"
    "        catalogue figure: official, government estimate, ...).\n"
    "--sites without --union/--count is read and written a batch at a time:\n"
    "any number of sites in bounded memory.  Columns missile, range,\n"
    "min_range, azimuth (or az_from, az_to) and tolerance give each row its\n"
    "own values (the command line's where a cell is empty; then the --range\n"
    "or --missile may be left out); --union/--count give one coverage per\n"
    "weapon.\n"
    "Styles: a .gpkg carries a QGIS style per layer (colours per missile,\n"
    "labels 'KN-23 885 km') and a layer 'sites'; a .shp gets OUT.qml; a .kml\n"
    "colours and names each placemark (from data/styles/*.qml, editable).\n"
    "A PostGIS table (default name: rings, coverage or overlap) is written in\n"
    "one transaction: on any error or interruption nothing is left, and a\n"
    "table replaced with --overwrite comes back.\n"
    "OUT is written to a temporary file and moved into place when complete:\n"
    "on any error or interruption nothing is left under its name.\n"
    "\n"
    "Exit status: 0 ok, 1 bad data or file, 2 bad command line.\n"
    "\n"
    "Examples:\n"
    "  georeach rings --site 50.6,36.6 --range 550mi -o kn23.geojson\n"
    "  georeach rings --site \"Belgorod=50.6N,36.6E\" --rings 300,600,885 -o r.gpkg\n"
    "  georeach rings --sites sites.csv --range 885km --min-range 300km -o a.shp\n"
    "  georeach rings --site 78.2,15.6 --range 1500km --azimuth 300:60 -o - \n"
    "  georeach rings --sites bases.csv --missile KN-23 --count -o dense.gpkg\n"
    "  georeach rings --sites launchers.csv --range 250km -o own.gpkg\n"
    "  georeach rings --from-area KP --missile Hwasong-12 -o kp.gpkg\n",
    prepare,
    run,
    NULL};

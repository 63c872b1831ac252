/* georeach rings: reach rings round launch sites (or from a territory),
 * their union or their overlap counts, written as layers. */
#include <math.h>
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
  if (o->nradials && (o->area || o->model))
    return app_usage(ctx, app, "--radials are drawn from sites, along geodesic circles' radii: "
                               "not with %s", o->area ? "--from-area" : "--model ballistic");
  if (o->nradials && !strcmp(o->out, "-"))
    return app_usage(ctx, app, "--radials: standard output holds one layer; write to a file "
                               "(-o FILE)");
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

/* The radials of every site and ring (layer "radials", see --radials); with
 * per-row weapons (specs) each site's own rings, sector and tolerance. */
static enum reach_status write_radials(struct reach_ctx *ctx, struct reach_app *app,
                                       const struct app_spec *specs, struct reach_writer *rw) {
  const struct app_opts *o = &app->o;
  enum reach_status st = REACH_OK;
  for (size_t i = 0; i < app->npts && st == REACH_OK; i++) {
    const struct reach_site *s = &app->pts[i];
    const struct app_spec *sp = specs ? &specs[i] : NULL;
    const struct reach_ring_def *defs = sp ? sp->defs : app->defs;
    size_t ndefs = sp ? sp->ndefs : app->ndefs;
    int sector = sp ? sp->sector : o->sector;
    double az_from = sp ? sp->az_from : o->az_from, az_to = sp ? sp->az_to : o->az_to;
    double tol_m = sp ? sp->tol_m : o->tol_m;
    if (!app_progress(app, (double)i / (double)app->npts, 0)) return app_interrupted(ctx);
    for (size_t k = 0; k < ndefs && st == REACH_OK; k++) {
      const struct reach_ring_def *d = &defs[k];
      for (size_t j = 0; j < o->nradials && st == REACH_OK; j++) {
        double az = o->radials_deg[j];
        if (!app_in_sector(sector, az_from, az_to, az)) continue;
        struct reach_lines lines;
        double err = 0;
        st = reach_line_radial(ctx, s->lat_deg, s->lon_deg, az, d->min_range_m, d->range_m,
                               tol_m, &lines, &err);
        if (st != REACH_OK) break;
        struct reach_radial_feature f = {s->name, s->lat_deg, s->lon_deg, d->missile,
                                         d->band, d->min_range_m / 1000, d->range_m / 1000,
                                         az, tol_m, err, d->source};
        st = reach_writer_add_radial(ctx, rw, &f, &lines);
        reach_lines_clear(&lines);
      }
    }
  }
  return st;
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
  struct reach_site *group = malloc((n ? n : 1) * sizeof *group); /* n = 0: no rows */
  char *done = calloc(n ? n : 1, 1);
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
  struct reach_writer *w = NULL, *rw = NULL;
  struct app_spec *specs = NULL;
  char area_label[REACH_NAME_LEN] = "", area_path[4200];
  enum reach_status st = REACH_OK;
  /* Standard output cannot be taken back: read every site before writing. */
  int streaming = o->sites_file && !o->dissolve && !o->count && !o->nradials &&
                  strcmp(o->out, "-") != 0;
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
      st = app_read_rows(ctx, app, reader, o->sites_file, &specs);
      reach_sites_close(reader);
      reader = NULL;
      if (st) goto done;
    }
  }
  /* GeoJSON prints the digits the finest tolerance needs: a tolerance
   * column's finest, or (streamed, not yet read) the finest there is */
  double finest = o->tol_m;
  if (specs)
    for (size_t i = 0; i < app->npts; i++) finest = fmin(finest, specs[i].tol_m);
  else if (reader && (reach_sites_params(reader) & REACH_SITE_TOLERANCE))
    finest = 0;
  reach_ctx_set_write_tolerance(ctx, finest);
  st = o->dissolve || o->area ? reach_writer_open_coverage(ctx, o->out, o->format, o->overwrite, &w)
       : o->count             ? reach_writer_open_overlap(ctx, o->out, o->format, o->overwrite, &w)
                              : reach_writer_open(ctx, o->out, o->format, o->overwrite, &w);
  if (st) goto done;
  if (o->nradials && (st = reach_writer_open_beside(ctx, w, "radials", &rw))) goto done;
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
  if (st == REACH_OK && rw) st = write_radials(ctx, app, specs, rw);
  st = app_as_data(ctx, st);
  if (st == REACH_OK && reader) skipped_note(app, reach_sites_skipped(reader), o->sites_file);
  size_t nradials = rw ? reach_writer_count(rw) : 0;
  if (st == REACH_OK && rw) {
    /* the layer beside first: it is part of the main file's commit, or a
     * file of its own that should not outlive a failed main file */
    st = app_as_data(ctx, reach_writer_commit(ctx, rw));
    rw = NULL;
    if (st == REACH_OK && !o->quiet)
      app_note(app, "wrote %zu radial%s (layer 'radials')", nradials,
               nradials == 1 ? "" : "s");
  }
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
  reach_writer_abort(rw);
  reach_writer_abort(w);
  reach_sites_close(reader);
  reach_geom_clear(&territory);
  return st;
}

const struct app_command app_rings = {
    "rings",
    G_SITES | G_AREA | G_POINTS | G_WEAPONS | G_RINGLIST | G_CATALOGUE | G_MODEL | G_SECTOR |
        G_TOL | G_RADIALS | G_FILE | G_DRIVER | G_UNION | G_COUNT | G_QUIET | G_HELP | G_INLAYER | G_INFILE | G_ROWPARAM,
    "reach rings (discs, annuli, sectors) round launch sites",
    "Usage: georeach rings (--site POINT ... | --sites FILE | --from-area AREA)\n"
    "                      (--range DIST | --rings DIST,DIST,... |\n"
    "                       --missile NAME[,NAME...] [--band] [--catalogue FILE])\n"
    "                      [--min-range DIST] [--azimuth FROM:TO]\n"
    "                      [--tolerance DIST] [--radials N|AZ,...]\n"
    "                      -o OUT [--format DRIVER]\n"
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
    "        catalogue figure: official, government estimate, ...) source (the\n"
    "        catalogue's citation of the range).\n"
    "Outlines: polygons are styled as fills; their true boundary (no line\n"
    "along a cut at +/-180 or a pole line) is the line layer LAYER_outline\n"
    "(.gpkg, PostGIS, .gml), the file OUT_outline.EXT (other formats), or a\n"
    "line placemark after each polygon (.kml, .kmz).\n"
    "Radials (--radials): layer 'radials', fields site site_lat site_lon\n"
    "        missile band min_km range_km az_deg tol_m err_m; in the same\n"
    "        file for .gpkg, .kmz (LIBKML) and PostGIS (table TABLE_radials),\n"
    "        else in a file beside OUT (r.geojson -> r_radials.geojson).\n"
    "--sites without --union/--count/--radials is read and written a batch\n"
    "at a time: any number of sites in bounded memory.  Columns missile,\n"
    "range, min_range, azimuth (or az_from, az_to) and tolerance give each\n"
    "row its own values (the command line's where a cell is empty; then the\n"
    "--range or --missile may be left out); --union/--count give one\n"
    "coverage per weapon.\n"
    "Formats: any GDAL vector driver, by extension (.gpkg .geojson .shp .kml\n"
    ".kmz .fgb .csv .gml ...) or -f DRIVER.\n"
    "Styles: a .gpkg carries a QGIS style per layer (colours per missile,\n"
    "labels 'KN-23 885 km') and a layer 'sites'; PostGIS the same in\n"
    "layer_styles and a table TABLE_sites; other files get OUT.qml and\n"
    "OUT_outline.qml; a .kml colours and names each placemark (from\n"
    "data/styles/*.qml, editable).\n"
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
    "  georeach rings --site Anadyr=64.73N,177.51E --missile KN-23 \\\n"
    "      --radials 12 -o anadyr.gpkg\n"
    "  georeach rings --from-area KP --missile Hwasong-12 -o kp.gpkg\n",
    prepare,
    run,
    NULL};

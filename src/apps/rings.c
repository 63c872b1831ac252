/* georeach rings: reach rings round launch sites (or from a territory),
 * their union or their overlap counts, written as layers. */
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"

static enum reach_status prepare(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  enum reach_status st;
  if ((st = app_points(ctx, app, "--site", o->site_texts, o->nsite_texts, &app->pts,
                       &app->npts)))
    return st;
  if (!o->sites_file && app->npts == 0 && !o->area)
    return app_usage(ctx, app, "no launch site: give --site LAT,LON, --sites FILE or "
                               "--from-area AREA");
  if (!!o->sites_file + !!app->npts + !!o->area > 1)
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
  /* every value checked once, before any file is touched */
  return app_check_defs(ctx, app, o->sector, o->tol_m);
}

static void skipped_note(struct reach_app *app, size_t skipped, const char *file) {
  if (skipped)
    app_note(app, "skipped %zu bad row%s of %s", skipped, skipped == 1 ? "" : "s",
             app_shown_path(file));
}

static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct reach_sites_reader *reader = NULL;
  struct reach_geom territory = {0};
  struct reach_writer *w = NULL;
  char area_label[REACH_NAME_LEN] = "";
  enum reach_status st = REACH_OK;
  /* Standard output cannot be taken back: read every site before writing. */
  int streaming = o->sites_file && !o->dissolve && !o->count && strcmp(o->out, "-") != 0;
  if (o->area && reach_territory(ctx, o->area, &territory, area_label, sizeof area_label)) {
    st = app_prefix(ctx, reach_errno(ctx) == REACH_ERR_IO ? REACH_ERR_IO : REACH_ERR_ARG,
                    "--from-area");
    goto done;
  }
  if (streaming) {
    if ((st = reach_sites_open(ctx, o->sites_file, o->skip_bad, &reader))) goto done;
  } else if (o->sites_file) {
    size_t skipped = 0;
    if ((st = reach_sites_read(ctx, o->sites_file, o->skip_bad, &app->pts, &app->npts,
                               &skipped)))
      goto done;
    skipped_note(app, skipped, o->sites_file);
  }
  st = o->dissolve || o->area ? reach_writer_open_coverage(ctx, o->out, o->format, o->overwrite, &w)
       : o->count             ? reach_writer_open_overlap(ctx, o->out, o->format, o->overwrite, &w)
                              : reach_writer_open(ctx, o->out, o->format, o->overwrite, &w);
  if (st) goto done;
  if (o->ntimes && (st = reach_writer_add_tof_field(ctx, w))) goto done;
  int show = streaming || o->area || app->npts * app->ndefs > 1;
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
  reach_writer_abort(w);
  reach_sites_close(reader);
  reach_geom_clear(&territory);
  return st;
}

const struct app_command app_rings = {
    "rings",
    G_SITES | G_AREA | G_POINTS | G_WEAPONS | G_RINGLIST | G_CATALOGUE | G_MODEL | G_SECTOR |
        G_TOL | G_FILE | G_DRIVER | G_UNION | G_COUNT | G_QUIET | G_HELP,
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
    "        catalogue figure: official, government estimate, ...) source (the\n"
    "        catalogue's citation of the range).\n"
    "Outlines: polygons are styled as fills; their true boundary (no line\n"
    "along a cut at +/-180 or a pole line) is the line layer LAYER_outline\n"
    "(.gpkg, PostGIS, .gml), the file OUT_outline.EXT (other formats), or a\n"
    "line placemark after each polygon (.kml, .kmz).\n"
    "--sites without --union/--count is read and written a batch at a time:\n"
    "any number of sites in bounded memory.\n"
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
    "  georeach rings --from-area KP --missile Hwasong-12 -o kp.gpkg\n",
    prepare,
    run,
    NULL};

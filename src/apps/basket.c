/* georeach basket: where a launcher must stand to reach given targets. */
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"

static enum reach_status prepare(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  enum reach_status st;
  if (o->nsite_texts || o->sites_file) /* not in the groups: cannot happen */
    return app_usage(ctx, app, "basket takes targets, not sites");
  if (!!o->targets_file + !!o->ntarget_texts != 1)
    return app_usage(ctx, app, "%s", o->ntarget_texts
                                         ? "give --target or --targets, not both"
                                         : "no target: give --target POINT or --targets FILE");
  if (!o->out)
    return app_usage(ctx, app, "no output: give -o FILE (or -o - for GeoJSON on stdout)");
  if ((st = app_weapons(ctx, app))) return st;
  if (o->model && (st = app_ballistic(ctx, app, 0, app->ndefs))) return st;
  if ((st = app_check_defs(ctx, app, 0, o->tol_m))) return st;
  if ((st = app_countries(ctx, app, "--within", o->within, NULL, 0))) return st;
  if ((st = app_output_check(ctx, app))) return st;
  return app_points(ctx, app, "--target", o->target_texts, o->ntarget_texts, &app->pts,
                    &app->npts);
}

static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct reach_writer *w = NULL, *tw = NULL;
  struct reach_geom terr = {0};
  char terr_label[256] = "", *names = NULL;
  enum reach_status st = REACH_OK;
  struct reach_sites_options to = app_sites_options(app, 0);
  if (o->targets_file &&
      (st = reach_sites_read_with(ctx, o->targets_file, &to, &app->pts, &app->npts, NULL)))
    goto done;
  if (o->within && (st = reach_territory(ctx, o->within, &terr, terr_label, sizeof terr_label))) {
    st = app_prefix(ctx, st == REACH_ERR_ARG ? REACH_ERR_ARG : REACH_ERR_DATA, "--within");
    goto done;
  }
  size_t nlen = 1;
  for (size_t i = 0; i < app->npts; i++) nlen += strlen(app->pts[i].name) + 2;
  if (!(names = calloc(nlen, 1))) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < app->npts; i++) {
    if (i) strcat(names, "; ");
    strcat(names, app->pts[i].name);
  }
  reach_ctx_set_write_tolerance(ctx, o->tol_m);
  if ((st = reach_writer_open_basket(ctx, o->out, o->format, o->overwrite, &w))) goto done;
  /* the targets as points beside the baskets (standard output: the
   * baskets only) */
  if (reach_writer_can_add_beside(w) && (st = reach_writer_open_beside(ctx, w, "targets", &tw)))
    goto done;
  for (size_t k = 0; k < app->ndefs && st == REACH_OK; k++) {
    const struct reach_ring_def *d = &app->defs[k];
    struct reach_geom acc = {0};
    double err = 0;
    st = reach_basket_build(ctx, app->pts, app->npts, d, o->any, o->within ? &terr : NULL,
                            o->tol_m, app_progress_poll, app, &acc, &err);
    if (st == REACH_OK) {
      double area = acc.npolys ? reach_geom_area_m2(ctx, &acc) : 0;
      if (acc.npolys == 0 && !o->quiet)
        app_note(app, "%s%s%.0f km: no launch point reaches %s%s%s",
                 d->missile ? d->missile : "", d->missile ? " " : "", d->range_m / 1000,
                 o->any ? "any target" : "all the targets", o->within ? " within " : "",
                 o->within ? terr_label : "");
      struct reach_basket_feature bf = {names, d->missile, d->band, d->min_range_m / 1000,
                                        d->range_m / 1000, o->any,
                                        o->within ? terr_label : "", o->tol_m, err,
                                        area < 0 ? 0 : area / 1e6, d->source};
      st = reach_writer_add_basket(ctx, w, &bf, &acc);
    }
    reach_geom_clear(&acc);
  }
  for (size_t i = 0; tw && st == REACH_OK && i < app->npts; i++)
    st = reach_writer_add_point(ctx, tw, app->pts[i].name, app->pts[i].lat_deg,
                                app->pts[i].lon_deg);
  st = app_as_data(ctx, st);
  if (st == REACH_OK && tw) {
    st = app_as_data(ctx, reach_writer_commit(ctx, tw));
    tw = NULL;
  }
  if (st == REACH_OK) {
    st = app_as_data(ctx, reach_writer_commit(ctx, w));
    w = NULL;
    if (st == REACH_OK && strcmp(o->out, "-") != 0 && !o->quiet)
      app_note(app, "wrote %zu basket%s to %s", app->ndefs, app->ndefs == 1 ? "" : "s",
               app_shown_path(o->out));
  }
  if (st == REACH_ERR_INTERRUPTED) app_interrupted(ctx);
done:
  reach_writer_abort(tw);
  reach_writer_abort(w);
  reach_geom_clear(&terr);
  free(names);
  return st;
}

const struct app_command app_basket = {
    "basket",
    G_TARGETS | G_POINTS | G_BASKET | G_WEAPONS | G_CATALOGUE | G_MODEL | G_TOL | G_FILE |
        G_DRIVER | G_QUIET | G_HELP | G_INLAYER | G_INFILE,
    "where a launcher must stand to reach given targets",
    "Usage: georeach basket (--target POINT ... | --targets FILE)\n"
    "                       (--missile NAME[,NAME...] [--band] | --range DIST\n"
    "                        [--min-range DIST])\n"
    "                       [--any] [--within COUNTRY[,COUNTRY...]|FILE]\n"
    "                       [--model circle|ballistic [--burnout-alt DIST]]\n"
    "                       [--tolerance DIST] -o OUT [--format DRIVER] [--overwrite]\n",
    "The launch basket: where a launcher must stand to reach the targets.\n"
    "Distance is symmetric, so for one target it is the ring round the\n"
    "target; for several, the area from which all of them are in range (the\n"
    "intersection of their rings), or with --any the area from which at least\n"
    "one is (the union).  --within clips it to a territory: bundled countries\n"
    "by ISO code or name (RU, BY, \"North Korea\"), or any polygon layer.\n"
    "Same geometry rules as rings (antimeridian, poles, error budget).\n"
    "\n"
    "With --model ballistic the basket of a target is no ring round it: along\n"
    "each azimuth from the target it ends where a launch reaches the target\n"
    "exactly, on the turning Earth (found by the secant method, to 0.1 mm).\n",
    "Fields: targets missile band min_km range_km mode (all/any) within tol_m\n"
    "err_m area_km2 source.  One feature per missile (and band), and its\n"
    "outline (see georeach rings --help).\n"
    "The targets go beside it as a point layer 'targets' (name lat lon): in\n"
    "the same file for .gpkg, .kmz and PostGIS (table basket_targets), else\n"
    "as OUT_targets.EXT\n"
    "(not with -o - or a pipe, which hold the baskets only).\n"
    "\n"
    "Exit status: 0 ok, 1 bad data or file, 2 bad command line.\n"
    "\n"
    "Example:\n"
    "  georeach basket --target Kyiv --target Lviv --missile KN-23 --within RU,BY \\\n"
    "      -o kn23_basket.gpkg\n",
    prepare,
    run,
    NULL};

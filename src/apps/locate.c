/* georeach locate: where points are, as the other commands read them. */
#include <stdio.h>

#include "apps/app.h"

static enum reach_status prepare(struct reach_ctx *ctx, struct reach_app *app) {
  if (app->o.nargs == 0) return app_usage(ctx, app, "give a POINT");
  return REACH_OK;
}

/* One line per point as it is read: an unreadable point stops there. */
static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  for (size_t i = 0; i < app->o.nargs; i++) {
    double lat, lon;
    char label[REACH_NAME_LEN], note[512];
    if (reach_resolve_point(ctx, app->o.args[i], app->o.strict, &lat, &lon, label,
                            sizeof label, note, sizeof note)) {
      fflush(app->out); /* the points before it, then the error */
      return reach_errno(ctx) == REACH_ERR_IO ? REACH_ERR_IO : REACH_ERR_ARG;
    }
    if (*note) app_note(app, "%s", note);
    fprintf(app->out, "%.9f %.9f%s%s\n", lat, lon, *label ? " " : "", label);
    if (!app_progress(app, (double)(i + 1) / app->o.nargs, 0)) return app_interrupted(ctx);
  }
  return app_out_check(ctx, app);
}

const struct app_command app_locate = {
    "locate",
    G_POINTS | G_HELP,
    "show where points (decimal, DMS, MGRS) are, as LAT LON",
    "Usage: georeach locate [--strict] POINT...\n",
    "Prints the latitude and longitude (degrees, WGS84) of each POINT,\n"
    "one line each, as georeach reads it anywhere a point is asked for:\n"
    "  50.6,36.6   \"50.6 36.6\"   50.6N,36.6E   \"50.6N 36.6E\"   \"36.6E 50.6N\"\n"
    "  50d36'N,36d36'E   \"50 36 00N 36 36 00E\"   37UDB1234567890 (MGRS: the\n"
    "  square's centre)   Pyongyang   Kharkiv,UA   (places of 15,000 people\n"
    "  or more, GeoNames)   Guam   Ramstein   \"Osan AB\"   (bases and launch\n"
    "  areas, data/bases.csv; a city of the same name comes first; the most\n"
    "  populous of several of one name, said on stderr, or an error with\n"
    "  --strict)   \"Label=...\" to name a point.\n",
    "Exit status: 0 ok, 1 a file could not be read, 2 a point could not be read.\n",
    prepare,
    run,
    NULL};

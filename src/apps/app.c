/* The georeach commands as library calls (apps.h), and what they share:
 * usage errors naming the command, notes, progress, points, weapons. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"
#include "core/internal.h"

static const struct app_command *const commands[] = {&app_rings, &app_query, &app_basket,
                                                     &app_map, &app_missiles, &app_locate};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

const char *const *reach_app_commands(void) {
  static const char *const names[] = {"rings", "query", "basket", "map",
                                      "missiles", "locate", NULL};
  return names;
}

static const struct app_command *find_command(const char *name) {
  for (size_t i = 0; name && i < NCOMMANDS; i++)
    if (!strcmp(commands[i]->name, name)) return commands[i];
  return NULL;
}

enum reach_status app_usage(struct reach_ctx *ctx, const struct reach_app *app,
                            const char *fmt, ...) {
  char msg[REACH_ERRMSG_LEN - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
  va_end(ap);
  return reach_fail(ctx, REACH_ERR_ARG, "%s (see 'georeach %s --help')", msg, app->cmd->name);
}

void app_note(struct reach_app *app, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): va_start above
  va_end(ap);
  if (app->running) {
    if (app->message) app->message(msg, app->message_data);
    return;
  }
  char **n = realloc(app->notes, (app->nnotes + 1) * sizeof *n);
  if (!n) return; /* a note lost to a full memory is no error */
  app->notes = n;
  if ((n[app->nnotes] = strdup(msg)) != NULL) app->nnotes++;
}

int app_progress(struct reach_app *app, double done, int show) {
  if (!app->progress) return 1;
  return app->progress(done, show && !app->o.quiet ? app->cmd->name : NULL,
                       app->progress_data);
}
int app_progress_poll(double done, const char *msg, void *data) {
  (void)msg;
  return app_progress(data, done, 0);
}
int app_progress_show(double done, const char *msg, void *data) {
  (void)msg;
  return app_progress(data, done, 1);
}

enum reach_status app_prefix(struct reach_ctx *ctx, enum reach_status st, const char *prefix) {
  char msg[REACH_ERRMSG_LEN];
  snprintf(msg, sizeof msg, "%s", reach_errmsg(ctx));
  return reach_fail(ctx, st, "%s: %s", prefix, msg);
}

enum reach_status app_as_data(struct reach_ctx *ctx, enum reach_status st) {
  if (st != REACH_ERR_ARG) return st;
  char msg[REACH_ERRMSG_LEN];
  snprintf(msg, sizeof msg, "%s", reach_errmsg(ctx));
  return reach_fail(ctx, REACH_ERR_DATA, "%s", msg);
}

enum reach_status app_interrupted(struct reach_ctx *ctx) {
  return reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
}

enum reach_status app_points(struct reach_ctx *ctx, struct reach_app *app, const char *opt,
                             const char **texts, size_t n, struct reach_site **sites_io,
                             size_t *nsites_io) {
  for (size_t i = 0; i < n; i++) {
    double lat, lon;
    char label[REACH_NAME_LEN], note[512];
    if (reach_resolve_point(ctx, texts[i], app->o.strict, &lat, &lon, label, sizeof label,
                            note, sizeof note)) {
      if (reach_errno(ctx) == REACH_ERR_IO) return REACH_ERR_IO;
      return app_usage(ctx, app, "%s: %s", opt, reach_errmsg(ctx));
    }
    if (*note && !app->o.quiet) app_note(app, "%s", note);
    struct reach_site *s = realloc(*sites_io, (*nsites_io + 1) * sizeof *s);
    if (!s) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    *sites_io = s;
    s = &s[(*nsites_io)++];
    memset(s, 0, sizeof *s);
    if (*label)
      snprintf(s->name, sizeof s->name, "%s", label);
    else
      snprintf(s->name, sizeof s->name, "%.6f,%.6f", lat, lon);
    s->lat_deg = lat;
    s->lon_deg = lon;
  }
  return REACH_OK;
}

enum reach_status app_countries(struct reach_ctx *ctx, struct reach_app *app, const char *opt,
                                const char *what, char *codes, size_t codes_len) {
  /* a file or a PostGIS layer is read when the work starts */
  if (!what || reach_is_pg(what) || strchr(what, '.') || strchr(what, '/')) return REACH_OK;
  char tmp[1024];
  enum reach_status st = reach_country_codes(ctx, what, codes ? codes : tmp,
                                             codes ? codes_len : sizeof tmp);
  if (st == REACH_ERR_ARG) return app_usage(ctx, app, "%s: %s", opt, reach_errmsg(ctx));
  return st;
}

enum reach_status app_output_check(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  if (!o->out) return REACH_OK;
  /* query -o FILE --as table|csv|json: text into FILE, any name */
  int text = (app->cmd->groups & G_AS) && o->as >= 0 && o->as != AS_GEOJSON && !o->format;
  enum reach_status st = text ? reach_stream_check(ctx, o->out, o->overwrite)
                              : reach_writer_check(ctx, o->out, o->format, o->overwrite);
  if (st == REACH_ERR_ARG) return app_usage(ctx, app, "-o: %s", reach_errmsg(ctx));
  return st;
}

struct reach_sites_options app_sites_options(const struct reach_app *app, int sites) {
  const struct app_opts *o = &app->o;
  struct reach_sites_options so;
  memset(&so, 0, sizeof so);
  so.skip_bad = o->skip_bad;
  /* --layer is the sites file's, or the targets' when there is none */
  so.layer = sites || !o->sites_file ? o->layer : NULL;
  so.lat_field = o->lat_field;
  so.lon_field = o->lon_field;
  so.name_field = o->name_field;
  so.point_field = o->point_field;
  if (sites && (app->cmd->groups & G_ROWPARAM)) {
    so.params = 1;
    so.missile_field = o->missile_field;
    so.range_field = o->range_field;
    so.min_range_field = o->min_range_field;
    so.azimuth_field = o->azimuth_field;
    so.az_from_field = o->az_from_field;
    so.az_to_field = o->az_to_field;
    so.tolerance_field = o->tolerance_field;
    so.field_units = o->field_units;
  }
  return so;
}

enum reach_status app_rows_needed(struct reach_ctx *ctx, struct reach_app *app,
                                  struct reach_sites_reader *r) {
  unsigned p = reach_sites_params(r);
  if (app->ndefs == 0 && !(p & (REACH_SITE_MISSILE | REACH_SITE_RANGE)))
    return app_usage(ctx, app, "no range: give --range DIST (e.g. 885km) or --missile NAME "
                               "(e.g. KN-23), or a missile or range column in %s",
                     app_shown_path(app->o.sites_file));
  if (p && (app->o.model || app->o.ntimes))
    return app_usage(ctx, app, "%s has columns of parameters per row (missile, range, ...): "
                     "not with --model ballistic or --minutes/--seconds",
                     app_shown_path(app->o.sites_file));
  return REACH_OK;
}

enum reach_status app_weapons(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  size_t n = 0;
  /* a sites file may give each row its weapon: whether it does is known
   * when it is read (app_rows_needed()) */
  int rows = o->sites_file && (app->cmd->groups & G_ROWPARAM);
  if (rows && o->have_range + o->have_rings + !!o->missile_arg == 0) {
    app->ndefs = 0;
    return REACH_OK;
  }
  if (o->have_range + o->have_rings + !!o->missile_arg != 1)
    return app_usage(ctx, app, "%s",
                     o->have_range || o->have_rings || o->missile_arg
                         ? (app->cmd->groups & G_RINGLIST
                                ? "give one of --range, --rings and --missile"
                                : "give --range or --missile, not both")
                         : "no range: give --range DIST (e.g. 885km) or --missile NAME "
                           "(e.g. KN-23)");
  if (o->band && !o->missile_arg && !rows)
    return app_usage(ctx, app, "--band goes with --missile (it adds the catalogue's low "
                               "and high ranges)");
  if (!o->missile_arg) {
    for (size_t k = 0; k < o->nranges; k++)
      app->defs[n++] = (struct reach_ring_def){.range_m = o->ranges_m[k], .min_range_m = o->min_m};
    app->ndefs = n;
    return REACH_OK;
  }
  if (reach_catalogue_load(ctx, o->cat_file, &app->cat)) return reach_errno(ctx);
  char *copy = strdup(o->missile_arg), *save = NULL;
  if (!copy) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  enum reach_status st = REACH_OK;
  for (char *tok = strtok_r(copy, ",", &save); tok && !st; tok = strtok_r(NULL, ",", &save)) {
    /* names resolved as place names are: an ambiguous one is taken as its
     * most likely system and said (--strict: an error listing them) */
    char note[1200];
    const struct reach_missile *m =
        reach_catalogue_resolve(ctx, app->cat, tok, o->strict, NULL, note, sizeof note);
    if (!m) {
      st = app_usage(ctx, app, "--missile: %s", reach_errmsg(ctx));
      break;
    }
    if (*note && !o->quiet) app_note(app, "%s", note);
    if (!(m->range_km > 0)) {
      st = app_usage(ctx, app, "--missile: %s has no public maximum range (%s); draw it with "
                     "--range DIST instead", m->name, m->source);
      break;
    }
    double lo = m->range_low_km, hi = m->range_high_km;
    double r3[3] = {m->range_km, o->band ? lo : NAN, o->band ? hi : NAN};
    const char *b3[3] = {"nominal", "low", "high"};
    const char *k3[3] = {m->range_kind, m->low_kind, m->high_kind};
    const char *s3[3] = {m->source, m->low_source, m->high_source};
    for (int k = 0; k < 3 && !st; k++) {
      if (!(r3[k] > 0) || (k > 0 && r3[k] == m->range_km)) continue;
      if (n == APP_MAXRINGS) {
        st = app_usage(ctx, app, "--missile: too many rings");
        break;
      }
      double r0 = o->have_min ? o->min_m : m->min_km * 1000;
      if (r0 >= r3[k] * 1000) r0 = 0; /* a low band below the minimum */
      app->defs[n++] = (struct reach_ring_def){
          .range_m = r3[k] * 1000, .min_range_m = r0, .missile = m->name, .band = b3[k], .kind = k3[k],
          .source = s3[k]};
    }
  }
  free(copy);
  if (!st && n == 0) st = app_usage(ctx, app, "--missile: '%s' names no missile", o->missile_arg);
  app->ndefs = n;
  return st;
}

enum reach_status app_ballistic(struct reach_ctx *ctx, struct reach_app *app, size_t from,
                                size_t to) {
  for (size_t k = from; k < to; k++) {
    if (reach_ballistic_init(ctx, &app->bms[k], app->defs[k].range_m, app->o.burnout_m))
      return app_usage(ctx, app, "--model ballistic: %s", reach_errmsg(ctx));
    /* the flight to each point: --trajectory, or a fixed angle (--gamma),
     * whose allowed range depends on the burnout altitude: the model says */
    app->bms[k].aim = app->o.have_gamma ? REACH_BALLISTIC_GAMMA
                                        : (enum reach_ballistic_aim)app->o.aim;
    app->bms[k].gamma_deg = app->o.gamma_deg;
    struct reach_ballistic_traj t;
    if (app->o.have_gamma && reach_ballistic_reach(ctx, &app->bms[k], 0, 0, 0, &t) != REACH_OK)
      return app_usage(ctx, app, "--gamma: %s", reach_errmsg(ctx));
    app->defs[k].ballistic = &app->bms[k];
  }
  return REACH_OK;
}

/* The checks of --minutes, --seconds, --trajectory and --gamma every command
 * shares: with the ballistic model (query: also for circles' times), one of
 * the last two, no lofted isochrones. */
enum reach_status app_flight_checks(struct reach_ctx *ctx, struct reach_app *app,
                                    int circles_too) {
  const struct app_opts *o = &app->o;
  if (o->have_traj && o->have_gamma)
    return app_usage(ctx, app, "give --trajectory or --gamma, not both");
  if (!o->model && (o->ntimes || (!circles_too && (o->have_traj || o->have_gamma))))
    return app_usage(ctx, app, "--minutes, --seconds, --trajectory and --gamma go with "
                               "--model ballistic");
  if (o->ntimes && o->aim == REACH_BALLISTIC_LOFTED)
    return app_usage(ctx, app, "no isochrones for lofted flights: their flight time falls "
                               "with distance, so the points reached within a time form an "
                               "annulus");
  return REACH_OK;
}

enum reach_status app_isochrones(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  size_t nt = o->ntimes;
  if (nt == 0) return REACH_OK;
  if (app->ndefs * nt > APP_MAXRINGS)
    return app_usage(ctx, app, "too many rings x flight times");
  /* def-major: every time of def 0, then def 1 (copies share the model) */
  for (size_t k = app->ndefs; k-- > 0;)
    for (size_t j = 0; j < nt; j++) {
      app->defs[k * nt + j] = app->defs[k];
      app->defs[k * nt + j].tof_max_s = o->times_s[j];
    }
  app->ndefs *= nt;
  return REACH_OK;
}

enum reach_status app_check_defs(struct reach_ctx *ctx, struct reach_app *app, int sector,
                                 double tol_m) {
  for (size_t r = 0; r < app->ndefs; r++) {
    struct reach_ring_spec s = {.range_m = app->defs[r].range_m,
                                .min_range_m = app->defs[r].min_range_m, .sector = sector,
                                .az_from_deg = app->o.az_from, .az_to_deg = app->o.az_to,
                                .tolerance_m = tol_m};
    if (reach_ring_check(ctx, &s)) return app_usage(ctx, app, "%s", reach_errmsg(ctx));
  }
  return REACH_OK;
}

enum reach_status app_out_check(struct reach_ctx *ctx, struct reach_app *app) {
  errno = 0;
  if (fflush(app->out) == 0 && !ferror(app->out)) return REACH_OK;
  return reach_fail(ctx, REACH_ERR_IO, "standard output: %s",
                    errno ? strerror(errno) : "write error");
}

const char *app_shown_path(const char *path) {
  static _Thread_local char buf[1024];
  reach_redact_connection(path, buf, sizeof buf);
  return buf;
}

/* The context's status made @p st (its message kept, or a default). */
static enum reach_status app_status(struct reach_ctx *ctx, enum reach_status st) {
  if (st == REACH_OK || (reach_errno(ctx) == st && *reach_errmsg(ctx))) return st;
  char msg[REACH_ERRMSG_LEN];
  snprintf(msg, sizeof msg, "%s", *reach_errmsg(ctx)                ? reach_errmsg(ctx)
                                  : st == REACH_ERR_INTERRUPTED ? "interrupted"
                                                                : "out of memory");
  return reach_fail(ctx, st, "%s", msg);
}

struct reach_app *reach_app_new(struct reach_ctx *ctx, const char *command, int argc,
                                const char *const *argv) {
  reach_clear_error(ctx);
  const struct app_command *cmd = find_command(command);
  if (!cmd) {
    reach_fail(ctx, REACH_ERR_ARG, "unknown command '%s' (see 'georeach --help')",
               command ? command : "(null)");
    return NULL;
  }
  struct reach_app *app = calloc(1, sizeof *app);
  if (!app) {
    reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    return NULL;
  }
  app->cmd = cmd;
  app->out = stdout;
  enum reach_status st = app_parse(ctx, app, argc, argv);
  if (!st && !app->o.help && cmd != &app_locate && app->o.nargs)
    st = app_usage(ctx, app, "unexpected argument '%s'", app->o.args[0]);
  if (!st && !app->o.help && cmd->prepare) st = cmd->prepare(ctx, app);
  if (st) {
    app_status(ctx, st);
    reach_app_free(app);
    return NULL;
  }
  return app;
}

void reach_app_set_progress(struct reach_app *app, reach_progress_fn fn, void *data) {
  app->progress = fn;
  app->progress_data = data;
}

void reach_app_set_output(struct reach_app *app, FILE *out, reach_message_fn fn, void *data) {
  app->out = out ? out : stdout;
  app->message = fn;
  app->message_data = data;
}

void reach_app_set_progress_drawn(struct reach_app *app, int drawn) {
  app->progress_drawn = drawn;
}

int reach_app_show_progress(const struct reach_app *app) {
  return app->o.quiet ? -1 : app->o.progress ? 1 : 0;
}

/* The library's notices during a run ("skipped 2 placemarks that are not
 * points") are the command's notes: they reach the app's message callback,
 * and -q silences them like every note. */
static void run_notice(const char *message, void *data) {
  const struct reach_app *app = data;
  if (!app->o.quiet && app->message) app->message(message, app->message_data);
}

enum reach_status reach_app_run(struct reach_ctx *ctx, struct reach_app *app) {
  if (app->ran) return reach_fail(ctx, REACH_ERR_ARG, "this app has run already");
  app->ran = app->running = 1;
  reach_clear_error(ctx);
  for (size_t i = 0; i < app->nnotes; i++)
    if (app->message) app->message(app->notes[i], app->message_data);
  if (app->o.help) {
    reach_app_help(app->cmd->name, app->out);
    return app_out_check(ctx, app);
  }
  reach_notice_fn notice = ctx->notice;
  void *notice_data = ctx->notice_data;
  reach_ctx_set_notice(ctx, run_notice, app);
  enum reach_status st = app->cmd->run(ctx, app);
  reach_ctx_set_notice(ctx, notice, notice_data);
  app->running = 0;
  return app_status(ctx, st);
}

void reach_app_free(struct reach_app *app) {
  if (!app) return;
  if (app->cmd->release) app->cmd->release(app);
  for (size_t i = 0; i < app->nnotes; i++) free(app->notes[i]);
  free(app->notes);
  free(app->o.site_texts);
  free(app->o.credits);
  free(app->o.layers);
  free(app->o.target_texts);
  free(app->o.args);
  free(app->pts);
  reach_catalogue_free(app->cat);
  free(app);
}

int reach_app_help(const char *command, FILE *out) {
  if (!command) {
    fprintf(out, "Usage: georeach COMMAND [OPTIONS]\n\n"
                 "Geodesic missile reach on the WGS84 ellipsoid, written as map layers.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
      fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nOptions:\n"
                 "  -h, --help     this help; 'georeach COMMAND --help' for a command\n"
                 "  -V, --version  version of georeach, PROJ, GEOS and GDAL\n\n"
                 "Example:\n"
                 "  georeach rings --site 50.6,36.6 --range 885km -o kn23.geojson\n");
    return 0;
  }
  const struct app_command *cmd = find_command(command);
  if (!cmd) return -1;
  fprintf(out, "%s\n%s\n", cmd->synopsis, cmd->about);
  app_print_options(cmd, out);
  fputs(cmd->after, out);
  return 0;
}

void reach_app_version(struct reach_ctx *ctx, FILE *out) {
  fprintf(out, "georeach %s (PROJ %s, GEOS %s, GDAL %s)\n", reach_version(), reach_proj_version(),
          reach_geos_version(), reach_gdal_version());
  if (ctx) fprintf(out, "data: %s\n", reach_ctx_data_dir(ctx));
}

int app_in_sector(int sector, double az_from, double az_to, double az) {
  if (!sector) return 1;
  double width = az_to - az_from;
  if (width > 360 - 1e-12 && width < 360 + 1e-12) return 1;
  width = fmod(fmod(width, 360) + 360, 360);
  double d = fmod(fmod(az - az_from, 360) + 360, 360);
  return d <= width + 1e-9;
}

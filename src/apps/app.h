/* The georeach commands inside the library (apps.h): the parsed options, the
 * option table (options.c) and what the commands share (app.c). */
#ifndef GEOREACH_APPS_APP_H
#define GEOREACH_APPS_APP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "georeach/apps.h"
#include "core/internal.h"
#include "georeach/georeach.h"

enum { APP_MAXRINGS = 192 };

/* Option groups: each option belongs to one (its home in --help), each
 * command takes a set of them. */
enum {
  G_SITES = 1u << 0,     /* --site --sites --skip-bad */
  G_AREA = 1u << 1,      /* --from-area */
  G_TARGETS = 1u << 2,   /* --target --targets */
  G_CITIES = 1u << 3,    /* --min-population --country */
  G_POINTS = 1u << 4,    /* --strict */
  G_BASKET = 1u << 5,    /* --any --within */
  G_WEAPONS = 1u << 6,   /* --range --min-range --missile --band */
  G_RINGLIST = 1u << 7,  /* --rings */
  G_CATALOGUE = 1u << 8, /* --catalogue */
  G_MODEL = 1u << 9,     /* --model --burnout-alt */
  G_SECTOR = 1u << 10,   /* --azimuth */
  G_TOL = 1u << 11,      /* --tolerance */
  G_FILE = 1u << 12,     /* -o --overwrite */
  G_DRIVER = 1u << 13,   /* -f/--format */
  G_UNION = 1u << 14,    /* --union */
  G_COUNT = 1u << 15,    /* --count --min-count --threads */
  G_QUERY = 1u << 16,    /* --in-range --nearest --summary */
  G_AS = 1u << 17,       /* --as */
  G_ASOLD = 1u << 18,    /* --format table|csv|json (missiles, deprecated) */
  G_MAP = 1u << 19,      /* --title --width --height --projection ... */
  G_LIST = 1u << 20,     /* --origin --class */
  G_QUIET = 1u << 21,    /* -q --progress */
  G_HELP = 1u << 22,     /* -h */
  G_INFILE = 1u << 23,   /* --lat-field --lon-field --name-field --point-field */
  G_ROWPARAM = 1u << 24, /* --missile-field ... --field-units: parameters per row */
  G_INLAYER = 1u << 25,  /* --layer NAME of the input (map: --layer FILE draws a file) */
  G_RADIALS = 1u << 26   /* --radials */
};

enum app_as { AS_TABLE, AS_CSV, AS_JSON, AS_GEOJSON };

/* Every option of every command, typed: metres, degrees. */
struct app_opts {
  const char **site_texts, **target_texts, **args; /* --site, --target, operands */
  size_t nsite_texts, ntarget_texts, nargs;
  const char *sites_file, *targets_file, *area, *within, *country, *cat_file;
  int strict, skip_bad, any, band;
  long min_population;
  int have_minpop;
  double ranges_m[APP_MAXRINGS]; /* --range (one) or --rings */
  size_t nranges;
  int have_range, have_rings;
  const char *missile_arg, *range_text;
  double min_m;
  int have_min;
  int model; /* 0 circle, 1 ballistic, 2 both (map) */
  double burnout_m;
  int sector;
  double az_from, az_to, tol_m;
  double radials_deg[360]; /* --radials: the azimuths, degrees */
  size_t nradials;
  const char *out, *format;
  int overwrite, quiet, progress, threads, dissolve, count;
  long min_count;
  int in_range, nearest, summary, no_lines;
  int as; /* enum app_as, or -1 unset */
  const char *title, *projection;
  int width, height, countries, verbose;
  double times_s[64];      /* --minutes/--seconds: isochrone flight times */
  size_t ntimes;
  int aim, have_traj;      /* --trajectory (enum reach_ballistic_aim) */
  double gamma_deg;        /* --gamma */
  int have_gamma;
  int tof, by_time, have_by; /* query: --tof, --by time */
  int cities, dpi, transparent, label_max; /* map: --cities --dpi --transparent --label-max */
  const char **credits;                    /* map: --credit, repeated */
  size_t ncredits;
  const char **layers; /* map: --layer, repeated */
  size_t nlayers;
  int each;            /* map: --each, every ring outlined */
  const char *origin, *klass;
  /* which layer and columns of --sites/--targets (G_INFILE, G_ROWPARAM) */
  const char *layer, *lat_field, *lon_field, *name_field, *point_field;
  const char *missile_field, *range_field, *min_range_field, *azimuth_field;
  const char *az_from_field, *az_to_field, *tolerance_field, *field_units;
  int help;
};

struct app_command {
  const char *name;
  unsigned groups;
  const char *summary;  /* one line for 'georeach --help' */
  const char *synopsis; /* "Usage: ..." lines */
  const char *about;    /* what it does, before the options */
  const char *after;    /* fields, exit status, examples */
  /* checks that need more than one option, and the work of new() */
  enum reach_status (*prepare)(struct reach_ctx *ctx, struct reach_app *app);
  enum reach_status (*run)(struct reach_ctx *ctx, struct reach_app *app);
  void (*release)(struct reach_app *app);
};

struct reach_app {
  const struct app_command *cmd;
  struct app_opts o;
  reach_progress_fn progress;
  void *progress_data;
  int progress_drawn; /* reach_app_set_progress_drawn() */
  FILE *out;
  reach_message_fn message;
  void *message_data;
  char **notes; /* said while parsing, before the message callback is set */
  size_t nnotes;
  int running, ran;
  /* weapons (app_weapons()) */
  struct reach_ring_def defs[APP_MAXRINGS];
  struct reach_ballistic bms[APP_MAXRINGS];
  size_t ndefs;
  struct reach_catalogue *cat;
  /* points resolved from --site/--target texts */
  struct reach_site *pts;
  size_t npts;
  void *state; /* the command's own */
  const char *last_noted; /* rows.c: the missile whose ambiguity was said last */
};

/* rows.c: the weapon one site of a sites file gets (its row's missile,
 * range, min_range, sector, tolerance; the command line's for the rest) */
struct app_spec {
  struct reach_ring_def *defs; /* owned */
  size_t ndefs;
  int sector;
  double az_from, az_to, tol_m;
};
void app_spec_free(struct app_spec *s);
int app_spec_same(const struct app_spec *a, const struct app_spec *b);
/* The spec of @p site (from @p file); REACH_ERR_DATA naming the row. */
enum reach_status app_site_spec(struct reach_ctx *ctx, struct reach_app *app,
                                const struct reach_site *site, const char *file,
                                struct app_spec *out);
/* Read every site of @p r into app->pts with its spec when the file has
 * columns of parameters (*specs, one per site, freed with app_spec_free()
 * and free()), else *specs NULL (one weapon for all); bad rows skipped with
 * --skip-bad, and the skipped rows (the reader's too) noted unless -q. */
enum reach_status app_read_rows(struct reach_ctx *ctx, struct reach_app *app,
                                struct reach_sites_reader *r, const char *file,
                                struct app_spec **specs);

extern const struct app_command app_rings, app_query, app_basket, app_map, app_missiles,
    app_locate;

/* options.c */
enum reach_status app_parse(struct reach_ctx *ctx, struct reach_app *app, int argc,
                            const char *const *argv);
void app_print_options(const struct app_command *cmd, FILE *out);

/* app.c */
/* A usage error: "MSG (see 'georeach CMD --help')" in ctx; REACH_ERR_ARG. */
enum reach_status app_usage(struct reach_ctx *ctx, const struct reach_app *app,
                            const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note for the person (queued until run() when said during new()). */
void app_note(struct reach_app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Ask the progress callback; @p show: the fraction is worth showing.
 * Returns 0 when the run must stop. */
int app_progress(struct reach_app *app, double done, int show);
/* A reach_progress_fn forwarding to the app's callback (data: the app);
 * with a shown variant. */
int app_progress_poll(double done, const char *msg, void *data);
int app_progress_show(double done, const char *msg, void *data);
/* Resolve point texts into sites appended to *sites (notes unless quiet). */
enum reach_status app_points(struct reach_ctx *ctx, struct reach_app *app, const char *opt,
                             const char **texts, size_t n, struct reach_site **sites,
                             size_t *nsites);
/* A country list given to @p opt (--country, --within, --from-area) read
 * before any other look-up: a usage error naming the word that is no
 * country, with suggestions; *codes (may be NULL) the ISO codes.  Files and
 * PostGIS layers are left to the work. */
enum reach_status app_countries(struct reach_ctx *ctx, struct reach_app *app, const char *opt,
                                const char *what, char *codes, size_t codes_len);
/* -o and -f checked before any look-up: a driver for the format, a
 * writable folder, no file in the way without --overwrite. */
enum reach_status app_output_check(struct reach_ctx *ctx, struct reach_app *app);
/* The rings to draw or the weapons to query from --range/--rings/--missile
 * into app->defs (--band, --min-range, --catalogue). */
enum reach_status app_weapons(struct reach_ctx *ctx, struct reach_app *app);
/* After opening --sites: a usage error when neither the command line nor
 * the file's columns give a weapon, or per-row columns meet the ballistic
 * model. */
enum reach_status app_rows_needed(struct reach_ctx *ctx, struct reach_app *app,
                                  struct reach_sites_reader *r);
/* Give defs[from..to) the ballistic model of their range. */
/* Every def once per flight time of --minutes/--seconds (tof_max_s),
 * def-major; REACH_OK with no times. */
enum reach_status app_isochrones(struct reach_ctx *ctx, struct reach_app *app);
/* --minutes/--seconds/--trajectory/--gamma: with the ballistic model
 * (@p circles_too: the last two also give circles flight times), one of
 * --trajectory and --gamma, no lofted isochrones. */
enum reach_status app_flight_checks(struct reach_ctx *ctx, struct reach_app *app,
                                    int circles_too);

enum reach_status app_ballistic(struct reach_ctx *ctx, struct reach_app *app, size_t from,
                                size_t to);
/* Check every def as a ring spec (with the sector and tolerance given). */
enum reach_status app_check_defs(struct reach_ctx *ctx, struct reach_app *app, int sector,
                                 double tol_m);
/* How to read --sites (@p sites: with the per-row parameters the command
 * takes) or --targets: layer, columns, --skip-bad. */
struct reach_sites_options app_sites_options(const struct reach_app *app, int sites);
/* The text output: REACH_ERR_IO naming the reason when writing it failed. */
enum reach_status app_out_check(struct reach_ctx *ctx, struct reach_app *app);
/* @p path as it may be shown: a PostGIS password hidden (static buffer). */
const char *app_shown_path(const char *path);
/* The context's message prefixed ("--within: MSG"), with status @p st. */
enum reach_status app_prefix(struct reach_ctx *ctx, enum reach_status st, const char *prefix);
/* A failure of the work itself: REACH_ERR_ARG there is bad data (exit 1). */
enum reach_status app_as_data(struct reach_ctx *ctx, enum reach_status st);
/* A CSV field (quoted when it must be) and a JSON string, to @p out. */
/* A table cell: @p text escaped to one line (reach_text_escape()) and
 * padded with spaces to @p width display columns (reach_text_width());
 * never cut, so a longer text pushes the rest of the row. */
void app_put_cell(FILE *out, const char *text, int width);
/* Its width in display columns, escaped as app_put_cell() writes it. */
int app_cell_width(const char *text);
void app_csv_field(FILE *out, const char *v, int last);
void app_json_string(FILE *out, const char *v);
/* Interruption: the library's "interrupted" message with its status. */
enum reach_status app_interrupted(struct reach_ctx *ctx);

/* Whether azimuth az (degrees) lies in the sector az_from..az_to,
 * clockwise as rings draw it; sector 0: every azimuth does. */
int app_in_sector(int sector, double az_from, double az_to, double az);

#endif

/* The one option table of the georeach commands: each option is parsed,
 * checked and explained here, once; a command takes the groups it lists. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"

struct app_option;
typedef enum reach_status (*opt_fn)(struct reach_ctx *ctx, struct reach_app *app,
                                    const struct app_option *opt, const char *arg);

struct app_option {
  const char *name; /* long name, without "--" */
  char short_name;  /* 0: none */
  unsigned group;
  const char *metavar; /* NULL: a flag */
  opt_fn set;
  size_t at; /* offsetof(struct app_opts, field) */
  const char *help; /* NULL: not shown (an alias) */
};

#define AT(f) offsetof(struct app_opts, f)
#define FIELD(app, opt, type) ((type *)((char *)&(app)->o + (opt)->at))

static enum reach_status set_flag(struct reach_ctx *ctx, struct reach_app *app,
                                  const struct app_option *opt, const char *arg) {
  (void)ctx, (void)arg;
  *FIELD(app, opt, int) = 1;
  return REACH_OK;
}

static enum reach_status clear_flag(struct reach_ctx *ctx, struct reach_app *app,
                                    const struct app_option *opt, const char *arg) {
  (void)ctx, (void)arg;
  *FIELD(app, opt, int) = 0;
  return REACH_OK;
}

static enum reach_status set_text(struct reach_ctx *ctx, struct reach_app *app,
                                  const struct app_option *opt, const char *arg) {
  (void)ctx;
  *FIELD(app, opt, const char *) = arg;
  return REACH_OK;
}

/* --site, --target: repeatable.  The count follows the list pointer. */
static enum reach_status add_text(struct reach_ctx *ctx, struct reach_app *app,
                                  const struct app_option *opt, const char *arg) {
  const char ***list = FIELD(app, opt, const char **);
  size_t *n = list == &app->o.site_texts     ? &app->o.nsite_texts
              : list == &app->o.target_texts ? &app->o.ntarget_texts
              : list == &app->o.layers       ? &app->o.nlayers
                                             : &app->o.ncredits;
  const char **l = realloc(*list, (*n + 1) * sizeof *l);
  if (!l) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  *list = l;
  l[(*n)++] = arg;
  return REACH_OK;
}

/* A distance with a unit; a bare number is km (m for --tolerance). */
static enum reach_status set_distance(struct reach_ctx *ctx, struct reach_app *app,
                                      const struct app_option *opt, const char *arg) {
  // cppcheck-suppress invalidPointerCast ; the field at opt->at is a double
  double *v = FIELD(app, opt, double);
  if (reach_parse_distance(ctx, arg, opt->at == AT(tol_m) ? "m" : "km", v))
    return app_usage(ctx, app, "--%s: %s", opt->name, reach_errmsg(ctx));
  if (opt->at == AT(min_m)) app->o.have_min = 1;
  return REACH_OK;
}

/* --range (one distance) and --rings (a list), in metres. */
static enum reach_status set_ranges(struct reach_ctx *ctx, struct reach_app *app,
                                    const struct app_option *opt, const char *arg) {
  int one = !strcmp(opt->name, "range");
  size_t n = 0;
  char *copy = strdup(arg), *save = NULL;
  if (!copy) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  enum reach_status st = REACH_OK;
  for (char *tok = strtok_r(copy, ",", &save); tok && !st; tok = strtok_r(NULL, ",", &save)) {
    double r;
    if (n == APP_MAXRINGS)
      st = app_usage(ctx, app, "--%s: too many rings", opt->name);
    else if (reach_parse_distance(ctx, tok, "km", &r))
      st = app_usage(ctx, app, "--%s: %s", opt->name, reach_errmsg(ctx));
    else if (one && n == 1)
      st = app_usage(ctx, app, "--range: one distance (use --rings for several)");
    else
      app->o.ranges_m[n++] = r;
  }
  free(copy);
  if (!st && n == 0) st = app_usage(ctx, app, "'%s' lists no distance", arg);
  if (st) return st;
  app->o.nranges = n;
  app->o.range_text = arg;
  *(one ? &app->o.have_range : &app->o.have_rings) = 1;
  return REACH_OK;
}

static enum reach_status set_azimuth(struct reach_ctx *ctx, struct reach_app *app,
                                     const struct app_option *opt, const char *arg) {
  (void)opt;
  if (reach_parse_azimuths(ctx, arg, &app->o.az_from, &app->o.az_to))
    return app_usage(ctx, app, "--azimuth: %s", reach_errmsg(ctx));
  app->o.sector = 1;
  return REACH_OK;
}

/* A whole number in [lo, hi], strictly: no sign games, no overflow. */
static int whole(const char *text, long lo, long hi, long *v) {
  char *e;
  errno = 0;
  long x = strtol(text, &e, 10);
  if (e == text || *e || errno == ERANGE || x < lo || x > hi) return -1;
  *v = x;
  return 0;
}

/* --radials N (N evenly spaced from north) or AZ,AZ,... (a list; one
 * azimuth as "AZ,"). */
static enum reach_status set_radials(struct reach_ctx *ctx, struct reach_app *app,
                                     const struct app_option *opt, const char *arg) {
  (void)opt;
  long n;
  size_t k = 0;
  if (!strchr(arg, ',')) {
    if (whole(arg, 1, 360, &n))
      return app_usage(ctx, app, "--radials: '%s' is neither a number of radials (1-360) nor "
                                 "a list of azimuths (0,45,90; one azimuth: '90,')", arg);
    for (long i = 0; i < n; i++) app->o.radials_deg[k++] = 360.0 * (double)i / (double)n;
    app->o.nradials = k;
    return REACH_OK;
  }
  for (const char *p = arg; *p;) {
    char *e;
    errno = 0;
    double az = strtod(p, &e);
    if (e == p || (*e && *e != ',') || errno == ERANGE || !(az >= -360 && az <= 720))
      return app_usage(ctx, app, "--radials: '%s' is not a list of azimuths in degrees "
                                 "(0,45,90)", arg);
    if (k == sizeof app->o.radials_deg / sizeof app->o.radials_deg[0])
      return app_usage(ctx, app, "--radials: at most 360 azimuths");
    az = fmod(az, 360.0);
    app->o.radials_deg[k++] = az < 0 ? az + 360 : az;
    p = *e ? e + 1 : e;
  }
  app->o.nradials = k;
  return REACH_OK;
}

static enum reach_status set_count(struct reach_ctx *ctx, struct reach_app *app,
                                   const struct app_option *opt, const char *arg) {
  long v;
  if (opt->at == AT(min_count)) {
    if (whole(arg, 1, LONG_MAX, &v))
      return app_usage(ctx, app, "--min-count: '%s' is not a whole number of sites >= 1",
                       arg);
    app->o.min_count = v;
  } else if (opt->at == AT(min_population)) {
    if (whole(arg, 0, LONG_MAX, &v))
      return app_usage(ctx, app, "--min-population: '%s' is not a whole number", arg);
    app->o.min_population = v;
    app->o.have_minpop = 1;
  } else if (opt->at == AT(threads)) {
    if (whole(arg, 1, 64, &v))
      return app_usage(ctx, app, "--threads: '%s' is not a whole number in [1, 64]", arg);
    app->o.threads = (int)v;
  } else if (opt->at == AT(cities) || opt->at == AT(dpi) || opt->at == AT(label_max)) {
    long lo = opt->at == AT(dpi) ? 1 : opt->at == AT(label_max) ? 2 : 0;
    long hi = opt->at == AT(dpi) ? 10000 : 1000;
    const char *what = opt->at == AT(cities) ? "cities" : opt->at == AT(dpi) ? "dots per inch"
                                                                            : "characters";
    if (whole(arg, lo, hi, &v))
      return app_usage(ctx, app, "--%s: '%s' is not a whole number of %s in [%ld, %ld]",
                       opt->name, arg, what, lo, hi);
    *FIELD(app, opt, int) = (int)v;
  } else {
    if (whole(arg, REACH_MAP_SIZE_MIN, REACH_MAP_SIZE_MAX, &v))
      return app_usage(ctx, app, "--%s: '%s' is not a whole number of pixels in [%d, %d]",
                       opt->name, arg, REACH_MAP_SIZE_MIN, REACH_MAP_SIZE_MAX);
    *FIELD(app, opt, int) = (int)v;
  }
  return REACH_OK;
}

static enum reach_status set_model(struct reach_ctx *ctx, struct reach_app *app,
                                   const struct app_option *opt, const char *arg) {
  (void)opt;
  int both = app->cmd == &app_map;
  if (!strcmp(arg, "circle"))
    app->o.model = 0;
  else if (!strcmp(arg, "ballistic"))
    app->o.model = 1;
  else if (both && !strcmp(arg, "both"))
    app->o.model = 2;
  else
    return app_usage(ctx, app, "--model: %s",
                     both ? "give circle, ballistic or both" : "give circle or ballistic");
  return REACH_OK;
}

static int as_value(const char *arg, int geojson) {
  return !strcmp(arg, "table")  ? AS_TABLE
         : !strcmp(arg, "csv")  ? AS_CSV
         : !strcmp(arg, "json") ? AS_JSON
         : geojson && !strcmp(arg, "geojson") ? AS_GEOJSON
                                              : -1;
}

static enum reach_status set_times(struct reach_ctx *ctx, struct reach_app *app,
                                   const struct app_option *opt, const char *arg) {
  double unit_s = !strcmp(opt->name, "minutes") ? 60 : 1;
  struct app_opts *o = &app->o;
  const char *p = arg;
  while (*p) {
    char *e;
    double v = strtod(p, &e);
    size_t max = sizeof o->times_s / sizeof o->times_s[0];
    if (e == p || (*e && *e != ',') || !(v > 0) || !isfinite(v) || o->ntimes == max)
      return app_usage(ctx, app, "--%s: %s", opt->name,
                       o->ntimes == max ? "too many flight times"
                                        : "give positive numbers with commas, e.g. 1,2,5,10");
    o->times_s[o->ntimes++] = v * unit_s;
    p = *e ? e + 1 : e;
  }
  if (o->ntimes == 0) return app_usage(ctx, app, "--%s lists no time", opt->name);
  return REACH_OK;
}

static enum reach_status set_trajectory(struct reach_ctx *ctx, struct reach_app *app,
                                        const struct app_option *opt, const char *arg) {
  (void)opt;
  if (!strcmp(arg, "min-energy") || !strcmp(arg, "minimum-energy"))
    app->o.aim = REACH_BALLISTIC_MIN_ENERGY;
  else if (!strcmp(arg, "depressed"))
    app->o.aim = REACH_BALLISTIC_DEPRESSED;
  else if (!strcmp(arg, "lofted"))
    app->o.aim = REACH_BALLISTIC_LOFTED;
  else
    return app_usage(ctx, app, "--trajectory: give min-energy, depressed or lofted (or "
                               "--gamma DEG)");
  app->o.have_traj = 1;
  return REACH_OK;
}

static enum reach_status set_gamma(struct reach_ctx *ctx, struct reach_app *app,
                                   const struct app_option *opt, const char *arg) {
  (void)opt;
  char *e;
  double g = strtod(arg, &e);
  if (e == arg || *e || !(g > -90 && g < 90))
    return app_usage(ctx, app, "--gamma: give the burnout flight-path angle in degrees "
                               "above the horizontal, e.g. 20");
  app->o.gamma_deg = g;
  app->o.have_gamma = 1;
  return REACH_OK;
}

static enum reach_status set_by(struct reach_ctx *ctx, struct reach_app *app,
                                const struct app_option *opt, const char *arg) {
  (void)opt;
  if (strcmp(arg, "time") != 0 && strcmp(arg, "distance") != 0)
    return app_usage(ctx, app, "--by: give distance or time");
  app->o.by_time = !strcmp(arg, "time");
  app->o.have_by = 1;
  return REACH_OK;
}

static enum reach_status set_as(struct reach_ctx *ctx, struct reach_app *app,
                                const struct app_option *opt, const char *arg) {
  int geojson = app->cmd == &app_query;
  int v = as_value(arg, geojson);
  if (v < 0)
    return app_usage(ctx, app, "--%s: '%s' is not table, csv%s json%s", opt->name, arg,
                     geojson ? "," : " or", geojson ? " or geojson" : "");
  if (strcmp(opt->name, "as") != 0)
    app_note(app, "--format %s is now --as %s (--format names a GDAL driver)", arg, arg);
  app->o.as = v;
  return REACH_OK;
}

/* -f/--format: a GDAL driver.  query once took table|csv|json|geojson here:
 * still read as --as, with a note. */
static enum reach_status set_format(struct reach_ctx *ctx, struct reach_app *app,
                                    const struct app_option *opt, const char *arg) {
  if (app->cmd->groups & G_AS && as_value(arg, app->cmd == &app_query) >= 0)
    return set_as(ctx, app, opt, arg);
  app->o.format = arg;
  return REACH_OK;
}

static enum reach_status set_field_units(struct reach_ctx *ctx, struct reach_app *app,
                                         const struct app_option *opt, const char *arg) {
  (void)opt;
  char one[64];
  double m;
  snprintf(one, sizeof one, "1%s", arg);
  if (strlen(arg) > 16 || !*arg || isdigit((unsigned char)*arg) ||
      reach_parse_distance(ctx, one, "km", &m) != REACH_OK)
    return app_usage(ctx, app, "--field-units: '%s' is not a unit (km, m, mi, nmi, ft)", arg);
  app->o.field_units = arg;
  return REACH_OK;
}

static const struct app_option options[] = {
    /* sites */
    {"site", 0, G_SITES, "POINT", add_text, AT(site_texts),
     "LAT,LON: 50.6,36.6 | \"50.6 36.6\" | 50.6N,36.6E |\n"
     "\"50.6N 36.6E\" | \"36.6E 50.6N\" (longitude first when\n"
     "the letters say so) | 50d36'N,36d36'E |\n"
     "\"50 36 00N 36 36 00E\" | MGRS 37UDB1234567890 | a\n"
     "place: Pyongyang, Kharkiv,UA (GeoNames places of\n"
     "15,000+ people) or a base: Guam, Ramstein, \"Osan AB\"\n"
     "(data/bases.csv); of several with one name the most\n"
     "populous, said on stderr.  A label\n"
     "may come first: \"Launcher A=50.6,36.6\".  Repeat\n"
     "for several sites ('georeach locate' shows a point)"},
    {"sites", 0, G_SITES, "FILE", set_text, AT(sites_file),
     "any GDAL point layer (GeoPackage, GeoJSON, a Google\n"
     "Earth KML/KMZ with folders, ...), a CSV with latitude\n"
     "and longitude columns (or one column of points) and an\n"
     "optional name column (see Columns), '-' for standard\n"
     "input, or a PostGIS table or view: 'PG:host=H dbname=D\n"
     "user=U tables=[SCHEMA.]TABLE' (points or lat/lon\n"
     "columns).  Columns missile, range, min_range, azimuth,\n"
     "tolerance give each site its own values (rings,\n"
     "query, map)"},
    {"skip-bad", 0, G_SITES, NULL, set_flag, AT(skip_bad),
     "skip (and count) rows of --sites with bad coordinates\n"
     "or parameters"},
    {"from-area", 0, G_AREA, "AREA", set_text, AT(area),
     "reach from anywhere inside a territory: bundled\n"
     "countries by ISO code or name (KP, BY, \"North Korea\",\n"
     "several with commas) or the polygons of any GDAL\n"
     "layer (GeoPackage, GeoJSON, shapefile, a polygon drawn\n"
     "in QGIS).  Writes the territory and every point within\n"
     "the range of it (layer 'coverage', field from_area).\n"
     "The boundary is sampled so that the gap between the\n"
     "discs of neighbouring samples (their sagitta plus the\n"
     "edge's departure from the geodesic, both measured)\n"
     "stays within half the tolerance; the discs get the\n"
     "other half.  err_m is the sum of the two"},
    /* targets */
    {"target", 0, G_TARGETS, "POINT", add_text, AT(target_texts),
     "a target, written as --site; repeat for several"},
    {"targets", 0, G_TARGETS, "FILE", set_text, AT(targets_file),
     "a CSV or point layer, as --sites (PostGIS too:\n"
     "'PG:... tables=T'); query also takes 'cities'"},
    {"min-population", 0, G_CITIES, "N", set_count, AT(min_population),
     "--targets cities: only places of N people or more"},
    {"country", 0, G_CITIES, "LIST", set_text, AT(country),
     "--targets cities: only places in these countries\n"
     "(ISO codes or names: UA,PL or Ukraine,\"North Korea\")"},
    {"strict", 0, G_POINTS, NULL, set_flag, AT(strict),
     "an ambiguous place or missile name is an error"},
    {"any", 0, G_BASKET, NULL, set_flag, AT(any),
     "from where at least one target is in range (the\n"
     "union; default: all of them, the intersection)"},
    {"within", 0, G_BASKET, "WHAT", set_text, AT(within),
     "clip to a territory: bundled countries by ISO code or\n"
     "name (RU,BY, \"North Korea\") or any polygon layer"},
    /* how far */
    {"range", 0, G_WEAPONS, "DIST", set_ranges, AT(ranges_m),
     "the range R.  DIST is a number with a unit: 885km,\n"
     "550mi, 478nmi, 885000m, 2900ft; a bare number is km"},
    {"rings", 0, G_RINGLIST, "D1,D2,..", set_ranges, AT(ranges_m),
     "several concentric rings instead of --range"},
    {"missile", 0, G_WEAPONS, "NAMES", set_text, AT(missile_arg),
     "ranges from the catalogue ('georeach missiles'): one\n"
     "ring per missile per site, with the missile's name,\n"
     "range and minimum range; names and aliases in any case\n"
     "or punctuation: KN-23, kn23, 'hwasong 11', 9M723; a\n"
     "family name (Fateh, Iskander) is taken as its most\n"
     "likely system, named on stderr (--strict: an error)"},
    {"band", 0, G_WEAPONS, NULL, set_flag, AT(band),
     "with --missile: also rings at the catalogue's low and\n"
     "high ranges where sources disagree (field band; field\n"
     "kind says what each figure is)"},
    {"min-range", 0, G_WEAPONS, "DIST", set_distance, AT(min_m),
     "minimum range R0: the ring becomes an annulus"},
    {"catalogue", 0, G_CATALOGUE, "FILE", set_text, AT(cat_file),
     "another catalogue with the same columns"},
    {"catalog", 0, G_CATALOGUE, "FILE", set_text, AT(cat_file), NULL},
    {"model", 0, G_MODEL, "MODEL", set_model, AT(model),
     "circle (default): the geodesic circle of the range.\n"
     "ballistic: the range on a turning Earth, per azimuth.\n"
     "The catalogue range is taken as the minimum-energy\n"
     "range on a non-rotating sphere (R = 6371 km, GM of\n"
     "WGS84, no drag, burnout straight above the site); the\n"
     "burnout speed it implies is launched at every azimuth\n"
     "and flight-path angle with the Earth's turn added, and\n"
     "the ring's edge at each azimuth is the farthest impact\n"
     "there, measured on the turned Earth, laid off as a\n"
     "geodesic distance (eastward shots go further).  Discs\n"
     "and annuli; refused where flights could pass the\n"
     "antipode (e.g. 13,000 km below 46 degrees latitude).\n"
     "query: range_km is the reach along the azimuth to\n"
     "each target and tof_s the flight time.  basket: along\n"
     "each azimuth from a target the basket ends where a\n"
     "launch reaches it exactly.  map: also 'both', each\n"
     "ring as a circle and as the ballistic reach"},
    {"burnout-alt", 0, G_MODEL, "D", set_distance, AT(burnout_m),
     "ballistic: burnout altitude (default 0: from the ground)"},
    {"minutes", 0, G_MODEL, "LIST", set_times, AT(times_s),
     "ballistic: isochrones instead of the reach, one ring\n"
     "per flight time (1,2,5,10): the points the missile\n"
     "reaches within that time of burnout, field tof_s.  The\n"
     "time to a point is that of the trajectory flown there\n"
     "(--trajectory; as 'georeach query' gives it); along\n"
     "each azimuth it grows with distance, so the ring's edge\n"
     "is where it equals the time (err_m: distance to the\n"
     "true isochrone).  A time beyond the flight to the\n"
     "reach's edge gives the reach ring.  With --union: the\n"
     "earliest arrival from any site"},
    {"seconds", 0, G_MODEL, "LIST", set_times, AT(times_s),
     "as --minutes, in seconds"},
    {"trajectory", 0, G_MODEL, "T", set_trajectory, AT(aim),
     "ballistic: the flight to each point.  min-energy\n"
     "(default): the least burnout speed that lands there;\n"
     "depressed: the full burnout speed of the catalogue\n"
     "range, the lower angle (shortest flight); lofted: full\n"
     "speed, the higher angle (no isochrones: its time falls\n"
     "with distance).  The catalogue range keeps its meaning,\n"
     "the minimum-energy range, which fixes the burnout speed.\n"
     "Times are free flight in vacuum from an instant burnout:\n"
     "boost, drag and terminal manoeuvres are left out, and\n"
     "each makes the real flight longer (README: Warning time)"},
    {"gamma", 0, G_MODEL, "DEG", set_gamma, AT(gamma_deg),
     "ballistic: a fixed burnout flight-path angle above the\n"
     "horizontal instead, speed up to the burnout speed; the\n"
     "ring is then the reach at that angle (shorter)"},
    {"azimuth", 0, G_SECTOR, "FROM:TO", set_azimuth, AT(az_from),
     "only initial azimuths FROM..TO, degrees clockwise\n"
     "from north; 300:60 wraps through north"},
    {"radials", 0, G_RADIALS, "N|AZ,...", set_radials, AT(radials_deg),
     "also draw radials (lines of bearing): N evenly spaced\n"
     "from north, or the azimuths listed (0,45,90; one: 90,)\n"
     "in degrees clockwise from north; geodesics from each\n"
     "site from its minimum range to its range, within the\n"
     "sector with --azimuth, densified to --tolerance and cut\n"
     "at +/-180: layer 'radials' (README: Lines)"},
    {"tolerance", 0, G_TOL, "DIST", set_distance, AT(tol_m),
     "error budget (default 10m): every point of every\n"
     "edge, read as a straight line in lon/lat as GeoJSON\n"
     "and QGIS read it, lies within DIST of the true\n"
     "boundary; vertices are added where curvature needs\n"
     "them.  The achieved error is written in err_m\n"
     "(GeoJSON: coordinates rounded to within 1/1000 of\n"
     "it, 7 decimals at 10m, the rounding in err_m)"},
    /* output */
    {"output", 'o', G_FILE, "OUT", set_text, AT(out),
     "layers: .geojson (RFC 7946) .gpkg .shp .kml .fgb .csv\n"
     "(WKT); '-' writes GeoJSON to standard output;\n"
     "'PG:host=H dbname=D [tables=[SCHEMA.]NAME]' writes a\n"
     "PostGIS table, geometry column geom (EPSG:4326), GiST\n"
     "index.  map: a picture, .png, .svg or .pdf.  Written\n"
     "to a temporary file and moved into place when complete"},
    {"format", 'f', G_DRIVER, "DRIVER", set_format, AT(format),
     "a GDAL vector driver name instead of the extension\n"
     "(GPKG, GeoJSON, \"ESRI Shapefile\", ...)"},
    {"format", 0, G_ASOLD, "F", set_as, AT(as), NULL},
    {"overwrite", 0, G_FILE, NULL, set_flag, AT(overwrite),
     "replace OUT (a file, or the PostGIS table) if it exists\n"
     "(refused otherwise)"},
    {"union", 0, G_UNION, NULL, set_flag, AT(dissolve),
     "dissolve the rings of all sites into one coverage\n"
     "feature per missile and ring (layer 'coverage', with\n"
     "the number of sites and the area; map: the title says\n"
     "'Combined reach', the drawing is the default one)"},
    {"count", 0, G_COUNT, NULL, set_flag, AT(count),
     "overlap bands instead: one feature per number of sites\n"
     "reaching a place (layer 'overlap', fields count and\n"
     "at_least), to map where the threat is densest.  map:\n"
     "one range, a ramp 'reached by 1 / 2 / 3+ sites'"},
    {"min-count", 0, G_COUNT, "K", set_count, AT(min_count),
     "with --count: one feature, the part reached by at\n"
     "least K sites"},
    {"threads", 0, G_COUNT, "N", set_count, AT(threads),
     "worker threads (default: one per core)"},
    {"in-range", 0, G_QUERY, NULL, set_flag, AT(in_range), "only rows in range"},
    {"no-lines", 0, G_QUERY, NULL, set_flag, AT(no_lines),
     "-o: the points only, without the layer 'query_lines'\n"
     "(a bulk query's lines outweigh its points: 48,724 city\n"
     "rows made 420 MB of lines at 10 m)"},
    {"nearest", 0, G_QUERY, NULL, set_flag, AT(nearest),
     "one row per target: the nearest site (and missile)\n"
     "that reaches it, or the nearest site if none does\n"
     "(with --in-range: targets nothing reaches are left out)"},
    {"tof", 0, G_QUERY, NULL, set_flag, AT(tof),
     "tof_s for circles too: the same model's flight time\n"
     "with the Earth not turning (its reach is exactly the\n"
     "circle); labelled non-rotating.  Implied by\n"
     "--trajectory, --gamma and --by time"},
    {"by", 0, G_QUERY, "WHAT", set_by, AT(by_time),
     "with --nearest: distance (default) or time, the site\n"
     "and missile arriving first (least tof_s); every site is\n"
     "tried (tens of sites, not millions)"},
    {"summary", 0, G_QUERY, NULL, set_flag, AT(summary),
     "the countries reached for every site x missile pair\n"
     "(default: up to 50 pairs)"},
    {"as", 0, G_AS, "F", set_as, AT(as),
     "the text on standard output: table (default, for\n"
     "people), csv or json (query: also geojson).  It was\n"
     "--format before; -f/--format now names a GDAL driver\n"
     "everywhere (the old words still work, with a note)"},
    {"origin", 0, G_LIST, "TEXT", set_text, AT(origin),
     "rows whose origin contains TEXT (any case)"},
    {"class", 0, G_LIST, "TEXT", set_text, AT(klass),
     "rows whose class contains TEXT (any case), e.g. SRBM"},
    {"projection", 0, G_MAP, "P", set_text, AT(projection),
     "auto (default), aeqd, world (Robinson), globe\n"
     "(orthographic view centred on the sites), or any PROJ\n"
     "string or CRS: '+proj=laea +lat_0=50 +lon_0=30',\n"
     "EPSG:3857"},
    {"title", 0, G_MAP, "TEXT", set_text, AT(title),
     "the title (default: what is drawn, from where)"},
    {"width", 0, G_MAP, "PX", set_count, AT(width),
     "width in pixels, 200-8000 (default 1600)"},
    {"height", 0, G_MAP, "PX", set_count, AT(height),
     "height in pixels (default: 3/4 of the width, less for\n"
     "world maps: what they need)"},
    {"cities", 0, G_MAP, "N", set_count, AT(cities),
     "also name the N most populous places of the gazetteer\n"
     "inside the rings, where their names fit (rings only)"},
    {"credit", 0, G_MAP, "TEXT", add_text, AT(credits),
     "a credit line above georeach's (repeat for several);\n"
     "the catalogue's sources of the missiles drawn are\n"
     "credited anyway"},
    {"label-max", 0, G_MAP, "N", set_count, AT(label_max),
     "names of points and cities longer than N characters\n"
     "are shortened with an ellipsis"},
    {"dpi", 0, G_MAP, "N", set_count, AT(dpi),
     "resolution written in the PNG (pHYs chunk); the pixel\n"
     "size stays --width x --height"},
    {"transparent", 0, G_MAP, NULL, set_flag, AT(transparent),
     "no background outside the map's frame (PNG with alpha)"},
    {"each", 0, G_MAP, NULL, set_flag, AT(each),
     "outline every site's ring (default: one coverage\n"
     "outline per missile and range when there are several\n"
     "sites, the union of their rings)"},
    {"layer", 0, G_MAP, "FILE", add_text, AT(layers),
     "also draw the first layer of FILE (another one:\n"
     "'FILE|layername=NAME'; any vector file:\n"
     "a GeoPackage, GeoJSON, shapefile ... from georeach or\n"
     "QGIS; repeat for several): polygons coloured by\n"
     "count (the ramp), else by missile (bands low/high\n"
     "dashed), else one colour; lines; points named by\n"
     "name or site.  (In map, a layer of a --sites or\n"
     "--targets file is named FILE|layername=NAME)"},
    {"no-countries", 0, G_MAP, NULL, clear_flag, AT(countries),
     "leave out the country polygons"},
    {"verbose", 'v', G_MAP, NULL, set_flag, AT(verbose),
     "also print the projection (a PROJ CRS; points are\n"
     "projected from EPSG:4326 in lon, lat order), the pixel\n"
     "transform (a GDAL geotransform: x = gt0 + col * gt1,\n"
     "y = gt3 + row * gt5), the colours, the texts placed\n"
     "('label KIND X0,Y0,X1,Y1 unknown-glyphs N TEXT', pixels)\n"
     "and each target's verdict, to read the picture back"},
    /* which layer, which columns */
    {"layer", 0, G_INLAYER, "NAME", set_text, AT(layer),
     "the layer of --sites (--targets when there are no\n"
     "sites; --from-area) to read, e.g. a GeoPackage's\n"
     "'sites'; also FILE|layername=NAME.  Default: the only\n"
     "layer, every folder of a KML/KMZ (sites named\n"
     "FOLDER/NAME; lines and polygons skipped and counted),\n"
     "else the only point layer.  '-' reads standard input\n"
     "(CSV, GeoJSON or KML)"},
    {"lat-field", 0, G_INFILE, "COL", set_text, AT(lat_field),
     "the latitude column (default: found by name, any case\n"
     "and punctuation: lat, latitude, y, lat_dd, \"Lat (deg)\")"},
    {"lon-field", 0, G_INFILE, "COL", set_text, AT(lon_field),
     "the longitude column (lon, long, lng, longitude, x, ...)"},
    {"name-field", 0, G_INFILE, "COL", set_text, AT(name_field),
     "the name column (name, site, site_name, label,\n"
     "launcher, city, base, title, place, id)"},
    {"point-field", 0, G_INFILE, "COL", set_text, AT(point_field),
     "one column holding whole points, as --site takes them\n"
     "(\"50.6,36.6\", DMS, MGRS); found by itself as coords,\n"
     "coordinates, location, position, point, latlon, mgrs\n"
     "when there are no latitude/longitude columns"},
    {"missile-field", 0, G_ROWPARAM, "COL", set_text, AT(missile_field),
     "the column of each site's missile (default: missile,\n"
     "weapon, system): a catalogue name or alias.  Columns\n"
     "range, min_range, azimuth (FROM:TO) or az_from and\n"
     "az_to, tolerance give each site its own values; an\n"
     "empty cell takes the command line's"},
    {"range-field", 0, G_ROWPARAM, "COL", set_text, AT(range_field),
     "the column of each site's range (default: range,\n"
     "range_km, max_range, ...): 885km, 550 mi, or a bare\n"
     "number in the column name's unit or --field-units"},
    {"min-range-field", 0, G_ROWPARAM, "COL", set_text, AT(min_range_field),
     "the column of each site's minimum range (min_range)"},
    {"azimuth-field", 0, G_ROWPARAM, "COL", set_text, AT(azimuth_field),
     "the column of each site's sector FROM:TO (azimuth)"},
    {"az-from-field", 0, G_ROWPARAM, "COL", set_text, AT(az_from_field),
     "the column of each sector's first azimuth (az_from)"},
    {"az-to-field", 0, G_ROWPARAM, "COL", set_text, AT(az_to_field),
     "the column of each sector's last azimuth (az_to)"},
    {"tolerance-field", 0, G_ROWPARAM, "COL", set_text, AT(tolerance_field),
     "the column of each site's tolerance (tolerance, tol;\n"
     "bare numbers in metres)"},
    {"field-units", 0, G_ROWPARAM, "UNIT", set_field_units, AT(field_units),
     "the unit of bare numbers in range columns whose name\n"
     "gives none: km (default), m, mi, nmi, ft"},
    {"quiet", 'q', G_QUIET, NULL, set_flag, AT(quiet),
     "no progress and no notes on stderr, only errors"},
    {"progress", 0, G_QUIET, NULL, set_flag, AT(progress),
     "show progress (GDAL's 0...10...20 style) even when\n"
     "stderr is not a terminal"},
    {"help", 'h', G_HELP, NULL, set_flag, AT(help), "this help"},
};
enum { NOPTIONS = sizeof options / sizeof options[0] };

static const struct {
  unsigned group;
  const char *title;
} headings[] = {
    {G_SITES | G_AREA, "Sites"},       {G_TARGETS | G_CITIES | G_BASKET, "Targets"},
    {G_POINTS, "Points"},              {G_WEAPONS | G_RINGLIST | G_CATALOGUE, "How far"},
    {G_MODEL, "Model"},                {G_SECTOR | G_TOL | G_RADIALS, "Shape"},
    {G_LIST, "Which rows"},            {G_QUERY, "Rows"},
    {G_FILE | G_DRIVER | G_UNION | G_COUNT | G_AS, "Output"},
    {G_INLAYER | G_INFILE | G_ROWPARAM, "Columns"},
    {G_MAP, "Picture"},                {G_QUIET | G_HELP, "Messages"},
};

/* The option NAME[0 .. len) names: the exact one, else the one it is a
 * prefix of.  Of several, the one every other extends wins (--tol is
 * --tolerance, not --tolerance-field; --mis is --missile): the column
 * options added later must not break the shortenings people typed before. */
static const struct app_option *find_long(const struct reach_app *app, const char *name,
                                          size_t len, int *ambiguous) {
  const struct app_option *hit = NULL;
  int n = 0;
  *ambiguous = 0;
  for (size_t i = 0; i < NOPTIONS; i++) {
    const struct app_option *o = &options[i];
    if (!(o->group & app->cmd->groups) || strncmp(o->name, name, len) != 0) continue;
    if (strlen(o->name) == len) return o; /* exact beats a prefix */
    if (hit && hit->set == o->set && hit->at == o->at) continue; /* --catalog(ue) */
    if (hit && strncmp(o->name, hit->name, strlen(hit->name)) == 0) continue; /* extends hit */
    if (hit && strncmp(hit->name, o->name, strlen(o->name)) == 0) { /* hit extends o */
      hit = o;
      continue;
    }
    n++;
    hit = o;
  }
  *ambiguous = n > 1;
  return n == 1 ? hit : NULL;
}

static const struct app_option *find_short(const struct reach_app *app, char c) {
  for (size_t i = 0; i < NOPTIONS; i++)
    if (options[i].short_name == c && options[i].group & app->cmd->groups)
      return &options[i];
  return NULL;
}

/* Like getopt_long with permutation: options anywhere, operands collected,
 * "--" ends the options; errors in the order met. */
enum reach_status app_parse(struct reach_ctx *ctx, struct reach_app *app, int argc,
                            const char *const *argv) {
  app->o.tol_m = REACH_TOLERANCE_DEFAULT_M;
  app->o.burnout_m = REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M;
  app->o.width = 1600;
  app->o.countries = 1;
  app->o.as = -1;
  app->o.args = calloc((size_t)(argc > 0 ? argc : 1), sizeof *app->o.args);
  if (!app->o.args) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  int only_operands = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!a) break; /* a NULL-terminated list shorter than argc */
    const struct app_option *opt = NULL;
    const char *val = NULL;
    char shown[64];
    /* "-33.9,18.4" is a point, not an option (no option is a digit) */
    if (only_operands || a[0] != '-' || a[1] == '\0' || isdigit((unsigned char)a[1]) ||
        a[1] == '.') {
      app->o.args[app->o.nargs++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_operands = 1;
      continue;
    }
    if (a[1] == '-') {
      const char *eq = strchr(a + 2, '=');
      size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
      int ambiguous;
      opt = find_long(app, a + 2, len, &ambiguous);
      snprintf(shown, sizeof shown, "--%.*s", (int)(len < 60 ? len : 60), a + 2);
      if (!opt)
        return app_usage(ctx, app, "%s option '%s'", ambiguous ? "ambiguous" : "unknown",
                         eq ? shown : a);
      if (eq && !opt->metavar)
        return app_usage(ctx, app, "--%s takes no value", opt->name);
      if (eq) val = eq + 1;
    } else {
      /* -q, -v, -h may be bundled: -qv; -o/-f take the rest or the next */
      for (const char *p = a + 1; *p; p++) {
        opt = find_short(app, *p);
        if (!opt) return app_usage(ctx, app, "unknown option '-%c'", *p);
        if (opt->metavar) {
          if (p[1]) val = p + 1;
          break;
        }
        if (p[1]) {
          enum reach_status st = opt->set(ctx, app, opt, NULL);
          if (st || app->o.help) return st;
        }
      }
    }
    if (opt->metavar && !val) {
      if (i + 1 == argc || !argv[i + 1]) return app_usage(ctx, app, "%s needs a value", a);
      val = argv[++i];
    }
    enum reach_status st = opt->set(ctx, app, opt, val);
    if (st || app->o.help) return st; /* --help: the rest is not read */
  }
  return REACH_OK;
}

void app_print_options(const struct app_command *cmd, FILE *out) {
  for (size_t h = 0; h < sizeof headings / sizeof headings[0]; h++) {
    if (!(headings[h].group & cmd->groups)) continue;
    fprintf(out, "%s:\n", headings[h].title);
    for (size_t i = 0; i < NOPTIONS; i++) {
      const struct app_option *o = &options[i];
      if (!(o->group & headings[h].group & cmd->groups) || !o->help) continue;
      char head[64];
      if (o->short_name)
        snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name,
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
      else
        snprintf(head, sizeof head, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
      const char *p = o->help;
      int first = 1;
      while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        if (first && strlen(head) < 18)
          fprintf(out, "  %-18s%.*s\n", head, len, p);
        else if (first)
          fprintf(out, "  %s\n%20s%.*s\n", head, "", len, p);
        else
          fprintf(out, "%20s%.*s\n", "", len, p);
        first = 0;
        p += len + (nl != NULL);
      }
    }
    fputc('\n', out);
  }
}

/* georeach map: the rings (or launch baskets) of the command line drawn over
 * the bundled countries, as a PNG, SVG or PDF picture. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_map_help(void) {
  printf(
      "Usage: georeach map (--site POINT ... | --sites FILE | --target POINT ... |\n"
      "                     --targets FILE)\n"
      "                    (--range DIST | --rings DIST,DIST,... |\n"
      "                     --missile NAME[,NAME...] [--band] [--catalogue FILE])\n"
      "                    [--min-range DIST] [--azimuth FROM:TO] [--union]\n"
      "                    [--any] [--within COUNTRY[,COUNTRY...]|FILE]\n"
      "                    [--projection auto|aeqd|world|globe|PROJ] [--title TEXT]\n"
      "                    [--width PX] [--height PX] [--no-countries]\n"
      "                    [--tolerance DIST] -o OUT.png|OUT.svg|OUT.pdf\n"
      "                    [--overwrite] [--skip-bad] [--strict] [-q] [-v]\n"
      "\n"
      "Draws a map picture of what 'georeach rings' writes as layers: the reach\n"
      "ring of every site and range, filled and outlined in one colour per range\n"
      "(a legend names the missiles and ranges), the sites, the Natural Earth\n"
      "countries, a graticule and a title.  With --target instead of sites it\n"
      "draws launch baskets as 'georeach basket' builds them: where a launcher\n"
      "must stand to reach all the targets (--any: at least one).\n"
      "\n"
      "The projection fits the extent: azimuthal equidistant on the ellipsoid\n"
      "centred on the sites while everything lies within 5,000 km of their\n"
      "centre (distances from the centre are true, so a ring round one site is\n"
      "a circle), and Robinson centred on the sites beyond.  Rings across the\n"
      "antimeridian, round a pole or larger than a hemisphere are drawn as the\n"
      "regions they are: clipped to what the projection shows before projecting,\n"
      "outlined only along their real boundary.\n"
      "\n"
      "Sites and ranges (as for 'georeach rings'; see 'georeach rings --help'):\n"
      "  --site POINT      LAT,LON, DMS, MGRS or a place name; repeat for several\n"
      "  --sites FILE      a CSV with lat/lon columns or any GDAL point layer\n"
      "  --range DIST      885km, 550mi, 478nmi; a bare number is km\n"
      "  --rings D1,D2,..  concentric rings\n"
      "  --missile NAMES   ranges from the catalogue ('georeach missiles')\n"
      "  --band            also the catalogue's low and high ranges (dashed)\n"
      "  --min-range DIST  annuli; --azimuth FROM:TO sectors\n"
      "  --union           outline the union of all sites' rings of a range\n"
      "                    instead of every ring (fills are always merged per range)\n"
      "  --tolerance DIST  ring error budget (default 10m)\n"
      "\n");
  printf(
      "Launch baskets (as for 'georeach basket'):\n"
      "  --target POINT    a target; repeat for several (or --targets FILE)\n"
      "  --any             from where at least one target is in range\n"
      "  --within WHAT     clip to bundled countries (RU,BY) or a polygon file\n"
      "\n"
      "Picture:\n"
      "  -o, --output OUT  .png, .svg or .pdf (1 point per pixel); written to a\n"
      "                    temporary file beside OUT and moved into place when\n"
      "                    complete; an existing OUT needs --overwrite\n"
      "  --projection P    auto (default), aeqd, world (Robinson), globe\n"
      "                    (orthographic view centred on the sites), or any PROJ\n"
      "                    string or CRS: '+proj=laea +lat_0=50 +lon_0=30',\n"
      "                    EPSG:3857\n"
      "  --title TEXT      the title (default: what is drawn, from where)\n"
      "  --width PX        width in pixels, 200-8000 (default 1600)\n"
      "  --height PX       height in pixels (default: 3/4 of the width, less for\n"
      "                    world maps: what they need)\n"
      "  --no-countries    leave out the country polygons\n"
      "  --model ballistic the reach on the turning Earth ('georeach rings --help');\n"
      "                    --burnout-alt D as there.  --model both: each ring as\n"
      "                    a circle and as the ballistic reach, to compare\n"
      "  --minutes LIST    with --model ballistic: isochrones, the points reached\n"
      "  --seconds LIST    within each flight time ('georeach rings --help'), with\n"
      "  --trajectory T    --trajectory min-energy|depressed|lofted or --gamma DEG\n"
      "  --gamma DEG       as there\n"
      "  -q, --quiet       nothing on stderr but errors\n"
      "  -v, --verbose     also print the projection (a PROJ CRS; points are\n"
      "                    projected from EPSG:4326 in lon, lat order), the pixel\n"
      "                    transform (a GDAL geotransform: x = gt0 + col * gt1,\n"
      "                    y = gt3 + row * gt5) and the colours, to read the\n"
      "                    picture back\n"
      "\n"
      "Exit status: 0 ok, 1 bad data or file, 2 bad command line.\n"
      "\n"
      "Examples:\n"
      "  georeach map --sites data/sites/jan2024_launch_areas.csv --missile KN-23 \\\n"
      "      -o kn23.png\n"
      "  georeach map --site Belgorod --rings 300,600,885 --title \"Belgorod\" -o r.svg\n"
      "  georeach map --site 78.2,15.6 --range 1500km -o svalbard.png\n"
      "  georeach map --site Pyongyang --range 13000km -o icbm.png\n"
      "  georeach map --site Pyongyang --range 13000km --projection globe -o g.pdf\n"
      "  georeach map --target Kyiv --target Lviv --missile KN-23 --within RU,BY \\\n"
      "      -o basket.png\n");
}

/* "KN-23 885 km", "KN-23 690 km (low)", "300-885 km". */
static void def_text(const struct reach_ring_def *d, int sector, double az_from,
                     double az_to, char *buf, size_t n) {
  char r[64];
  if (d->min_range_m > 0)
    snprintf(r, sizeof r, "%g-%g km", d->min_range_m / 1000, d->range_m / 1000);
  else
    snprintf(r, sizeof r, "%g km", d->range_m / 1000);
  int band = d->band && strcmp(d->band, "nominal") != 0;
  snprintf(buf, n, "%s%s%s%s%s%s", d->missile ? d->missile : "", d->missile ? " " : "", r,
           band ? " (" : "", band ? d->band : "", band ? ")" : "");
  if (sector) {
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, ", azimuth %g-%g\xC2\xB0", az_from, az_to);
  }
  if (d->ballistic) {
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, ", ballistic");
    l = strlen(buf);
    if (d->ballistic->aim == REACH_BALLISTIC_GAMMA)
      snprintf(buf + l, n - l, ", gamma %g\xC2\xB0", d->ballistic->gamma_deg);
    else if (d->ballistic->aim != REACH_BALLISTIC_MIN_ENERGY)
      snprintf(buf + l, n - l, ", %s", reach_ballistic_aim_name(d->ballistic->aim));
  }
  if (d->tof_max_s > 0) { /* an isochrone: "within 2 min" */
    size_t l = strlen(buf);
    double t = d->tof_max_s;
    if (fmod(t, 60) == 0) snprintf(buf + l, n - l, ", within %g min", t / 60);
    else snprintf(buf + l, n - l, ", within %g s", t);
  }
}

/* Append "A, B and C" (or "N sites") to buf. */
static void names_text(char *buf, size_t n, const struct reach_site *s, size_t ns,
                       const char *many) {
  size_t l = strlen(buf);
  if (ns > 3) {
    snprintf(buf + l, n - l, "%zu %s", ns, many);
    return;
  }
  for (size_t i = 0; i < ns; i++) {
    l = strlen(buf);
    snprintf(buf + l, n - l, "%s%s", i == 0 ? "" : i + 1 == ns ? " and " : ", ", s[i].name);
  }
}

static void default_title(char *buf, size_t n, const struct reach_ring_def *defs,
                          size_t ndefs, const struct reach_site *pts, size_t npts,
                          int basket, int any, int dissolve, const char *within) {
  char what[256] = "";
  for (size_t k = 0; k < ndefs; k++) {
    int dup = 0;
    for (size_t j = 0; j < k; j++)
      if (defs[k].missile && defs[j].missile && !strcmp(defs[k].missile, defs[j].missile))
        dup = 1;
    if (dup) continue;
    size_t l = strlen(what);
    if (defs[k].missile)
      snprintf(what + l, sizeof what - l, "%s%s", l ? ", " : "", defs[k].missile);
    else
      snprintf(what + l, sizeof what - l, "%s%g", l ? ", " : "", defs[k].range_m / 1000);
  }
  if (!defs[0].missile) {
    size_t l = strlen(what);
    snprintf(what + l, sizeof what - l, " km");
  }
  if (basket) {
    snprintf(buf, n, "Launch basket%s of %s reaching %s", ndefs > 1 ? "s" : "", what,
             npts == 1 ? "" : any ? "any of " : "all of ");
    names_text(buf, n, pts, npts, "targets");
    if (within) {
      size_t l = strlen(buf);
      snprintf(buf + l, n - l, ", within %s", within);
    }
  } else {
    snprintf(buf, n, "%s of %s from ", dissolve ? "Combined reach" : "Reach", what);
    names_text(buf, n, pts, npts, "launch sites");
  }
}

static void hex(char out[8], struct reach_rgb c) {
  snprintf(out, 8, "#%02x%02x%02x", (int)lround(c.r * 255), (int)lround(c.g * 255),
           (int)lround(c.b * 255));
}

/* "georeach: [OPT: ]MSG (see 'georeach map --help')"; returns EXIT_USAGE. */
static int map_usage(const char *opt, const char *msg) {
  fprintf(stderr, "%s: %s%s%s (see '%s map --help')\n", prog, opt ? opt : "", opt ? ": " : "",
          msg, prog);
  return EXIT_USAGE;
}

static int lib_error(struct reach_ctx *ctx, enum reach_status st) {
  fprintf(stderr, "%s: %s\n", prog, *reach_errmsg(ctx) ? reach_errmsg(ctx) : "out of memory");
  return st == REACH_ERR_ARG ? EXIT_USAGE : st == REACH_ERR_INTERRUPTED ? 130 : EXIT_DATA;
}

static int parse_px(const char *opt, const char *text, int *v) {
  char *e;
  long x = strtol(text, &e, 10);
  if (e == text || *e || x < REACH_MAP_SIZE_MIN || x > REACH_MAP_SIZE_MAX) {
    char msg[160];
    snprintf(msg, sizeof msg, "'%s' is not a whole number of pixels in [%d, %d]", text,
             REACH_MAP_SIZE_MIN, REACH_MAP_SIZE_MAX);
    return map_usage(opt, msg);
  }
  *v = (int)x;
  return 0;
}

/* The rings of every site for def k: one region each, or their union. */
static enum reach_status add_rings(struct reach_ctx *ctx, struct reach_map *map,
                                   const struct reach_site *sites, size_t nsites,
                                   const struct reach_ring_def *def, int colour,
                                   const char *label, int sector, double az_from,
                                   double az_to, double tol_m, int dissolve) {
  int flags = def->band && strcmp(def->band, "nominal") != 0 ? REACH_MAP_DASHED : 0;
  struct reach_geom *gs = dissolve ? calloc(nsites, sizeof *gs) : NULL;
  enum reach_status st = REACH_OK;
  if (dissolve && !gs) return REACH_ERR_NOMEM;
  for (size_t i = 0; i < nsites && st == REACH_OK; i++) {
    struct reach_ring_spec s = {.lat_deg = sites[i].lat_deg, .lon_deg = sites[i].lon_deg,
                                .range_m = def->range_m, .min_range_m = def->min_range_m,
                                .sector = sector, .az_from_deg = az_from,
                                .az_to_deg = az_to, .tolerance_m = tol_m,
                                .ballistic = def->ballistic,
                                .tof_max_s = def->tof_max_s};
    struct reach_ring ring;
    if ((st = reach_ring_build(ctx, &s, &ring)) != REACH_OK) break;
    if (dissolve) {
      gs[i] = ring.geom;
      memset(&ring.geom, 0, sizeof ring.geom);
    } else {
      st = reach_map_add_region(ctx, map, &ring.geom, label, colour, flags);
    }
    reach_ring_clear(&ring);
    if (g_interrupted) st = REACH_ERR_INTERRUPTED;
  }
  if (dissolve) {
    if (st == REACH_OK) {
      struct reach_geom u;
      if ((st = reach_geom_union_all(ctx, gs, nsites, &u)) == REACH_OK) {
        st = reach_map_add_region(ctx, map, &u, label, colour, flags);
        reach_geom_clear(&u);
      }
    }
    for (size_t i = 0; i < nsites; i++) reach_geom_clear(&gs[i]);
    free(gs);
  }
  return st;
}

/* The launch basket of the targets for def k (as 'georeach basket'). */
static enum reach_status add_basket(struct reach_ctx *ctx, struct reach_map *map,
                                    const struct reach_site *targets, size_t ntargets,
                                    const struct reach_ring_def *def, int colour,
                                    const char *label, int any,
                                    const struct reach_geom *terr, double tol_m,
                                    int *empty) {
  struct reach_geom acc = {0};
  double err;
  enum reach_status st = basket_build(ctx, targets, ntargets, def, any, terr, tol_m, &acc, &err);
  *empty = st == REACH_OK && acc.npolys == 0;
  if (st == REACH_OK && acc.npolys)
    st = reach_map_add_region(ctx, map, &acc, label, colour,
                              def->band && strcmp(def->band, "nominal") != 0 ? REACH_MAP_DASHED : 0);
  reach_geom_clear(&acc);
  return st;
}

static const char *kind_name(enum reach_map_kind k) {
  return k == REACH_MAP_AEQD    ? "azimuthal equidistant"
         : k == REACH_MAP_WORLD ? "Robinson"
         : k == REACH_MAP_GLOBE ? "orthographic"
                                : "the projection given";
}

int cmd_map(struct reach_ctx *ctx, int argc, char **argv) {
  enum { O_SITE = 256, O_SITES, O_RANGE, O_RINGS, O_MIN, O_AZ, O_TOL, O_OVERWRITE,
         O_SKIP, O_MISSILE, O_BAND, O_CATALOGUE, O_STRICT, O_UNION, O_TARGET, O_TARGETS,
         O_ANY, O_WITHIN, O_TITLE, O_WIDTH, O_HEIGHT, O_PROJ, O_NOCOUNTRIES, O_MODEL,
         O_BURNOUT, O_MINUTES, O_SECONDS, O_TRAJ, O_GAMMA };
  static const struct option opts[] = {
      {"site", required_argument, 0, O_SITE},
      {"sites", required_argument, 0, O_SITES},
      {"target", required_argument, 0, O_TARGET},
      {"targets", required_argument, 0, O_TARGETS},
      {"range", required_argument, 0, O_RANGE},
      {"rings", required_argument, 0, O_RINGS},
      {"union", no_argument, 0, O_UNION},
      {"any", no_argument, 0, O_ANY},
      {"within", required_argument, 0, O_WITHIN},
      {"min-range", required_argument, 0, O_MIN},
      {"azimuth", required_argument, 0, O_AZ},
      {"tolerance", required_argument, 0, O_TOL},
      {"output", required_argument, 0, 'o'},
      {"overwrite", no_argument, 0, O_OVERWRITE},
      {"skip-bad", no_argument, 0, O_SKIP},
      {"missile", required_argument, 0, O_MISSILE},
      {"strict", no_argument, 0, O_STRICT},
      {"band", no_argument, 0, O_BAND},
      {"catalogue", required_argument, 0, O_CATALOGUE},
      {"catalog", required_argument, 0, O_CATALOGUE},
      {"title", required_argument, 0, O_TITLE},
      {"width", required_argument, 0, O_WIDTH},
      {"height", required_argument, 0, O_HEIGHT},
      {"projection", required_argument, 0, O_PROJ},
      {"no-countries", no_argument, 0, O_NOCOUNTRIES},
      {"model", required_argument, 0, O_MODEL},
      {"burnout-alt", required_argument, 0, O_BURNOUT},
      {"minutes", required_argument, 0, O_MINUTES},
      {"seconds", required_argument, 0, O_SECONDS},
      {"trajectory", required_argument, 0, O_TRAJ},
      {"gamma", required_argument, 0, O_GAMMA},
      {"quiet", no_argument, 0, 'q'},
      {"verbose", no_argument, 0, 'v'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  enum { MAXRINGS = 192 };
  struct reach_ring_def defs[MAXRINGS];
  struct reach_ballistic bms[MAXRINGS]; /* with --model ballistic */
  int ballistic = 0, aim = REACH_BALLISTIC_MIN_ENERGY, have_traj = 0;
  double burnout_m = REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M, gamma_deg = NAN, times[64];
  size_t ntimes = 0;
  size_t ndefs = 0, npts = 0, nsite_texts = 0, ntarget_texts = 0;
  struct reach_site *pts = NULL;
  struct reach_catalogue *cat = NULL;
  struct reach_map *map = NULL;
  struct reach_geom terr = {0};
  const char *sites_file = NULL, *targets_file = NULL, *out = NULL, *range_arg = NULL,
             *rings_arg = NULL, *missile_arg = NULL, *cat_file = NULL, *within = NULL,
             *title = NULL, *projection = NULL;
  const char **site_texts = NULL, **target_texts = NULL;
  double min_m = 0, tol_m = REACH_TOLERANCE_DEFAULT_M, az_from = 0, az_to = 0;
  int sector = 0, overwrite = 0, quiet = 0, verbose = 0, skip_bad = 0, band = 0,
      have_min = 0, strict = 0, dissolve = 0, any = 0, countries = 1, c, rc = 0;
  int width = 1600, height = 0;
  char terr_label[256] = "";
  enum reach_status st;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qvh", opts, NULL)) != -1) {
    switch (c) {
    case O_SITE:
    case O_TARGET: {
      const char ***list = c == O_SITE ? &site_texts : &target_texts;
      size_t *n = c == O_SITE ? &nsite_texts : &ntarget_texts;
      const char **t = realloc(*list, (*n + 1) * sizeof *t);
      if (!t) {
        rc = map_usage(NULL, "out of memory");
        goto done;
      }
      *list = t;
      t[(*n)++] = optarg;
      break;
    }
    case O_SITES: sites_file = optarg; break;
    case O_TARGETS: targets_file = optarg; break;
    case O_STRICT: strict = 1; break;
    case O_UNION: dissolve = 1; break;
    case O_ANY: any = 1; break;
    case O_WITHIN: within = optarg; break;
    case O_RANGE: range_arg = optarg; break;
    case O_RINGS: rings_arg = optarg; break;
    case O_MIN:
      if (reach_parse_distance(ctx, optarg, "km", &min_m)) {
        rc = map_usage("--min-range", reach_errmsg(ctx));
        goto done;
      }
      have_min = 1;
      break;
    case O_MISSILE: missile_arg = optarg; break;
    case O_BAND: band = 1; break;
    case O_CATALOGUE: cat_file = optarg; break;
    case O_AZ:
      if (reach_parse_azimuths(ctx, optarg, &az_from, &az_to)) {
        rc = map_usage("--azimuth", reach_errmsg(ctx));
        goto done;
      }
      sector = 1;
      break;
    case O_TOL:
      if (reach_parse_distance(ctx, optarg, "m", &tol_m)) {
        rc = map_usage("--tolerance", reach_errmsg(ctx));
        goto done;
      }
      break;
    case O_TITLE: title = optarg; break;
    case O_WIDTH:
      if ((rc = parse_px("--width", optarg, &width)) != 0) goto done;
      break;
    case O_HEIGHT:
      if ((rc = parse_px("--height", optarg, &height)) != 0) goto done;
      break;
    case O_PROJ: projection = optarg; break;
    case O_NOCOUNTRIES: countries = 0; break;
    case O_MODEL:
      if ((rc = model_option(optarg, 1, &ballistic)) != 0) goto done;
      break;
    case O_MINUTES:
    case O_SECONDS:
      if ((rc = times_option(ctx, c == O_MINUTES ? "--minutes" : "--seconds", optarg,
                             c == O_MINUTES ? 60 : 1, times, 64, &ntimes)) != 0)
        goto done;
      break;
    case O_TRAJ:
      if ((rc = trajectory_option(optarg, &aim)) != 0) goto done;
      have_traj = 1;
      break;
    case O_GAMMA:
      if ((rc = gamma_option(optarg, &gamma_deg)) != 0) goto done;
      break;
    case O_BURNOUT:
      if (reach_parse_distance(ctx, optarg, "km", &burnout_m)) {
        rc = map_usage("--burnout-alt", reach_errmsg(ctx));
        goto done;
      }
      break;
    case 'o': out = optarg; break;
    case O_OVERWRITE: overwrite = 1; break;
    case O_SKIP: skip_bad = 1; break;
    case 'q': quiet = 1; break;
    case 'v': verbose = 1; break;
    case 'h': print_map_help(); goto done;
    case ':':
      rc = map_usage(argv[optind - 1], "needs a value");
      goto done;
    default:
      rc = map_usage(argv[optind - 1], "unknown option");
      goto done;
    }
  }
  if (optind < argc) {
    rc = map_usage(argv[optind], "unexpected argument");
    goto done;
  }
  int basket = ntarget_texts || targets_file;
  if ((nsite_texts || sites_file) && basket) {
    rc = map_usage(NULL, "give sites (--site, --sites: rings) or targets (--target, "
                           "--targets: launch baskets), not both");
    goto done;
  }
  if (!basket && !nsite_texts && !sites_file) {
    rc = map_usage(NULL, "nothing to draw: give --site LAT,LON (or --sites FILE), or "
                           "--target POINT for a launch basket");
    goto done;
  }
  if ((sites_file && nsite_texts) || (targets_file && ntarget_texts)) {
    rc = map_usage(NULL, sites_file ? "give --site or --sites, not both"
                                      : "give --target or --targets, not both");
    goto done;
  }
  if (!basket && (any || within)) {
    rc = map_usage(NULL, "--any and --within go with --target (launch baskets)");
    goto done;
  }
  if (basket && (dissolve || sector)) {
    rc = map_usage(NULL, "--union and --azimuth go with sites (rings), not targets");
    goto done;
  }
  if (!out) {
    rc = map_usage(NULL, "no output: give -o FILE.png (or .svg, .pdf)");
    goto done;
  }
  if (!strcmp(out, "-")) {
    rc = map_usage("-o", "a picture is written to a file, not to standard output");
    goto done;
  }
  if ((st = reach_map_check_output(ctx, out, overwrite)) != REACH_OK) {
    rc = st == REACH_ERR_ARG ? map_usage("-o", reach_errmsg(ctx)) : lib_error(ctx, st);
    goto done;
  }
  if ((st = reach_map_new(ctx, width, height, &map)) != REACH_OK) {
    rc = lib_error(ctx, st);
    goto done;
  }
  if (reach_map_set_projection(ctx, map, projection) != REACH_OK) {
    rc = map_usage("--projection", reach_errmsg(ctx));
    goto done;
  }
  if ((rc = weapon_defs(ctx, range_arg, rings_arg, missile_arg, band, have_min, min_m,
                        cat_file, defs, MAXRINGS, &ndefs, &cat)) != 0)
    goto done;
  if (ballistic == 2) { /* both: each ring as a circle, then ballistic */
    if (2 * ndefs > MAXRINGS) {
      rc = map_usage("--model", "too many rings");
      goto done;
    }
    for (size_t k = 0; k < ndefs; k++) defs[ndefs + k] = defs[k];
    for (size_t k = 0; k < ndefs; k++) defs[k].ballistic = NULL;
  }
  if (ballistic) { /* both: the copies (second half) are the ballistic ones */
    size_t from = ballistic == 2 ? ndefs : 0, to = ballistic == 2 ? 2 * ndefs : ndefs;
    if ((rc = ballistic_defs(ctx, defs, from, to, bms, burnout_m)) != 0) goto done;
    if ((rc = trajectory_apply(ctx, bms + from, to - from,
                               isnan(gamma_deg) ? aim : REACH_BALLISTIC_GAMMA, gamma_deg)) != 0)
      goto done;
    ndefs = to;
  }
  if (ntimes || have_traj || !isnan(gamma_deg)) {
    /* isochrones: one ring per missile per time (see 'georeach rings') */
    if (ballistic != 1 || basket || (have_traj && !isnan(gamma_deg)) ||
        (ntimes && aim == REACH_BALLISTIC_LOFTED)) {
      rc = map_usage("--minutes", "--minutes, --seconds, --trajectory and --gamma go with "
                                  "--model ballistic round sites (one of --trajectory "
                                  "and --gamma; no lofted isochrones)");
      goto done;
    }
    if ((rc = isochrone_defs(defs, &ndefs, MAXRINGS, times, ntimes)) != 0) goto done;
  }
  for (size_t r = 0; r < ndefs; r++) {
    struct reach_ring_spec s = {.range_m = defs[r].range_m,
                                .min_range_m = defs[r].min_range_m, .sector = sector,
                                .az_from_deg = az_from, .az_to_deg = az_to,
                                .tolerance_m = tol_m}; /* ballistic: checked per site */
    if (reach_ring_check(ctx, &s)) {
      rc = map_usage(NULL, reach_errmsg(ctx));
      goto done;
    }
  }
  if ((rc = resolve_points(ctx, basket ? "--target" : "--site",
                           basket ? target_texts : site_texts,
                           basket ? ntarget_texts : nsite_texts, strict, quiet, &pts,
                           &npts)) != 0)
    goto done;
  const char *file = basket ? targets_file : sites_file;
  if (file) {
    size_t skipped = 0;
    if (reach_sites_read(ctx, file, skip_bad, &pts, &npts, &skipped)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = EXIT_DATA;
      goto done;
    }
    if (skipped && !quiet)
      fprintf(stderr, "%s: skipped %zu bad row%s of %s\n", prog, skipped,
              skipped == 1 ? "" : "s", file);
  }
  /* points given as coordinates are named "50.600000,36.600000": shorter on
   * a map */
  for (size_t i = 0; i < npts; i++) {
    char plain[REACH_NAME_LEN];
    snprintf(plain, sizeof plain, "%.6f,%.6f", pts[i].lat_deg, pts[i].lon_deg);
    if (strcmp(plain, pts[i].name) == 0)
      snprintf(pts[i].name, sizeof pts[i].name, "%.2f\xC2\xB0%s %.2f\xC2\xB0%s",
               fabs(pts[i].lat_deg), pts[i].lat_deg < 0 ? "S" : "N", fabs(pts[i].lon_deg),
               pts[i].lon_deg < 0 ? "W" : "E");
  }
  if (npts == 0) {
    fprintf(stderr, "%s: %s holds no %s\n", prog, file ? file : "the command line",
            basket ? "target" : "site");
    rc = EXIT_DATA;
    goto done;
  }
  if (within && (st = reach_territory(ctx, within, &terr, terr_label, sizeof terr_label))) {
    fprintf(stderr, "%s: --within: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_ARG ? EXIT_USAGE : EXIT_DATA;
    goto done;
  }

  char text[512];
  if (title) {
    snprintf(text, sizeof text, "%s", title);
  } else {
    default_title(text, sizeof text, defs, ndefs, pts, npts, basket, any, dissolve,
                  within ? terr_label : NULL);
  }
  reach_map_set_countries(map, countries);
  st = reach_map_set_title(ctx, map, text);
  for (size_t k = 0; k < ndefs && st == REACH_OK; k++) {
    char label[256];
    int empty = 0;
    def_text(&defs[k], sector, az_from, az_to, label, sizeof label);
    st = basket ? add_basket(ctx, map, pts, npts, &defs[k], (int)k, label, any,
                             within ? &terr : NULL, tol_m, &empty)
                : add_rings(ctx, map, pts, npts, &defs[k], (int)k, label, sector, az_from,
                            az_to, tol_m, dissolve);
    if (st == REACH_OK && empty && !quiet)
      fprintf(stderr, "%s: %s: no launch point reaches %s%s%s\n", prog, label,
              any ? "any target" : "all the targets", within ? " within " : "",
              within ? terr_label : "");
    if (st == REACH_OK) {
      char legend[300];
      snprintf(legend, sizeof legend, "%s%s", label,
               basket ? (empty ? ": launch basket (empty)" : ": launch basket") : "");
      st = reach_map_add_legend(ctx, map, (int)k,
                                defs[k].band && strcmp(defs[k].band, "nominal") != 0 ? REACH_MAP_DASHED
                                                                                : 0,
                                legend);
    }
  }
  for (size_t i = 0; i < npts && st == REACH_OK; i++)
    st = reach_map_add_point(ctx, map, pts[i].lat_deg, pts[i].lon_deg, pts[i].name,
                             basket ? REACH_MAP_TARGET : REACH_MAP_SITE);
  if (st == REACH_OK) st = reach_map_layout(ctx, map);
  if (st != REACH_OK) {
    rc = st == REACH_ERR_INTERRUPTED ? (fprintf(stderr, "%s: interrupted\n", prog), 130)
                                     : lib_error(ctx, st);
    goto done;
  }
  if (verbose) {
    double gt[6];
    struct reach_map_style sty;
    char h1[8], h2[8], h3[8], h4[8];
    reach_map_geotransform(map, gt);
    reach_map_style(map, &sty);
    hex(h1, sty.land);
    hex(h2, sty.ocean);
    hex(h3, sty.background);
    hex(h4, sty.site);
    int w, h;
    reach_map_size(map, &w, &h);
    fprintf(stderr, "%s: size %dx%d\n", prog, w, h);
    fprintf(stderr, "%s: projection %s\n", prog, reach_map_projection(map));
    fprintf(stderr, "%s: geotransform %.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", prog, gt[0],
            gt[1], gt[2], gt[3], gt[4], gt[5]);
    fprintf(stderr, "%s: style land %s ocean %s background %s site %s fill-alpha %g\n",
            prog, h1, h2, h3, h4, sty.fill_alpha);
    for (size_t k = 0; k < ndefs; k++) {
      char label[256];
      hex(h1, reach_map_colour((int)k));
      def_text(&defs[k], sector, az_from, az_to, label, sizeof label);
      fprintf(stderr, "%s: colour %zu %s %s\n", prog, k, h1, label);
    }
  }
  int ticks = 0;
  int show = !quiet && isatty(STDERR_FILENO);
  st = reach_map_write(ctx, map, out, overwrite, show ? progress_cb : quiet_cb, &ticks);
  if (st != REACH_OK) {
    if (show && ticks) fputc('\n', stderr);
    rc = st == REACH_ERR_INTERRUPTED ? (fprintf(stderr, "%s: interrupted\n", prog), 130)
                                     : lib_error(ctx, st);
    goto done;
  }
  if (show) progress_cb(1, NULL, &ticks);
  reach_map_size(map, &width, &height);
  if (!quiet)
    fprintf(stderr, "%s: wrote %s (%dx%d, %s)\n", prog, out, width, height,
            kind_name(reach_map_projection_kind(map)));
done:
  reach_map_free(map);
  reach_map_release_fonts();
  reach_geom_clear(&terr);
  reach_catalogue_free(cat);
  free(pts);
  free(site_texts);
  free(target_texts);
  return rc;
}

/* georeach: the command line.  Parses argv, calls libgeoreach, prints.
 * Exit codes: 0 ok, 1 bad data or file, 2 bad command line. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>
#include <getopt.h>
#include <math.h>
#include <strings.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_main_help(void) {
  printf(
      "Usage: georeach COMMAND [OPTIONS]\n"
      "\n"
      "Geodesic missile reach on the WGS84 ellipsoid, written as map layers.\n"
      "\n"
      "Commands:\n"
      "  rings     reach rings (discs, annuli, sectors) round launch sites\n"
      "  query     what is in range: site x missile x target distances, margins\n"
      "  basket    where a launcher must stand to reach given targets\n"
      "  map       a map picture (PNG, SVG, PDF) of rings or baskets\n"
      "  missiles  list the missile catalogue (names, aliases, ranges, sources)\n"
      "  locate    show where points (decimal, DMS, MGRS) are, as LAT LON\n"
      "\n"
      "Options:\n"
      "  -h, --help     this help; 'georeach COMMAND --help' for a command\n"
      "  -V, --version  version of georeach, PROJ, GEOS and GDAL\n"
      "\n"
      "Example:\n"
      "  georeach rings --site 50.6,36.6 --range 885km -o kn23.geojson\n");
}

static void print_rings_help(void) {
  printf(
      "Usage: georeach rings (--site POINT ... | --sites FILE | --from-area AREA)\n"
      "                      (--range DIST | --rings DIST,DIST,... |\n"
      "                       --missile NAME[,NAME...] [--band] [--catalogue FILE])\n"
      "                      [--min-range DIST] [--azimuth FROM:TO]\n"
      "                      [--tolerance DIST] -o OUT [--format DRIVER]\n"
      "                      [--union | --count [--min-count K]]\n"
      "                      [--model circle|ballistic [--burnout-alt DIST]\n"
      "                       [--trajectory T | --gamma DEG]\n"
      "                       [--minutes T,T,... | --seconds T,T,...]]\n"
      "                      [--overwrite] [--skip-bad] [--threads N] [--quiet]\n"
      "\n"
      "Writes the reach ring of every site: all points whose shortest geodesic\n"
      "distance on the WGS84 ellipsoid from the site is at most the range (and\n"
      "at least the minimum range), one MultiPolygon feature per site and ring.\n"
      "Rings are cut at the antimeridian, closed along the pole line when they\n"
      "hold a pole, may be larger than a hemisphere, and a range at or beyond\n"
      "20003.93 km (half a meridian) is the whole Earth.\n"
      "\n"
      "Where:\n"
      "  --site POINT      LAT,LON: 50.6,36.6 | 50.6N,36.6E | \"50.6N 36.6E\" |\n"
      "                    50d36'N,36d36'E | \"50 36 00N 36 36 00E\" | MGRS\n"
      "                    37UDB1234567890 | a place: Pyongyang, Kharkiv,UA\n"
      "                    (GeoNames places of 15,000+ people; of several with\n"
      "                    one name the most populous, said on stderr).  A label\n"
      "                    may come first: \"Launcher A=50.6,36.6\".  Repeat\n"
      "                    for several sites ('georeach locate' shows a point)\n"
      "  --strict          an ambiguous place name is an error\n"
      "  --sites FILE      any GDAL point layer, or a CSV with lat/latitude/y and\n"
      "                    lon/lng/longitude/x columns and an optional name column,\n"
      "                    or a PostGIS table or view: 'PG:host=H dbname=D user=U\n"
      "                    tables=[SCHEMA.]TABLE' (points or lat/lon columns)\n"
      "  --skip-bad        skip (and count) rows of --sites with bad coordinates\n"
      "  --from-area AREA  reach from anywhere inside a territory: bundled\n"
      "                    countries by ISO code or name (KP, BY, \"North Korea\",\n"
      "                    several with commas) or the polygons of any GDAL\n"
      "                    layer (GeoPackage, GeoJSON, shapefile, a polygon drawn\n"
      "                    in QGIS).  Writes the territory and every point within\n"
      "                    the range of it (layer 'coverage', field from_area).\n"
      "                    The boundary is sampled so that the gap between the\n"
      "                    discs of neighbouring samples (their sagitta plus the\n"
      "                    edge's departure from the geodesic, both measured)\n"
      "                    stays within half the tolerance; the discs get the\n"
      "                    other half.  err_m is the sum of the two\n"
      "\n");
  printf(
      "How far:\n"
      "  --range DIST      the range R.  DIST is a number with a unit: 885km,\n"
      "                    550mi, 478nmi, 885000m, 2900ft; a bare number is km\n"
      "  --rings D1,D2,..  several concentric rings instead of --range\n"
      "  --missile NAMES   ranges from the catalogue ('georeach missiles'): one\n"
      "                    ring per missile per site, with the missile's name,\n"
      "                    range and minimum range; names and aliases in any case\n"
      "                    or punctuation: KN-23, kn23, 'hwasong 11', 9M723\n"
      "  --band            with --missile: also rings at the catalogue's low and\n"
      "                    high ranges where sources disagree (field band)\n"
      "  --catalogue FILE  another catalogue with the same columns\n"
      "  --min-range DIST  minimum range R0: the ring becomes an annulus\n"
      "  --model MODEL     circle (default): the geodesic circle of the range.\n"
      "                    ballistic: the range on a turning Earth, per azimuth.\n"
      "                    The catalogue range is taken as the minimum-energy\n"
      "                    range on a non-rotating sphere (R = 6371 km, GM of\n"
      "                    WGS84, no drag, burnout straight above the site); the\n"
      "                    burnout speed it implies is launched at every azimuth\n"
      "                    and flight-path angle with the Earth's turn added, and\n"
      "                    the ring's edge at each azimuth is the farthest impact\n"
      "                    there, measured on the turned Earth, laid off as a\n"
      "                    geodesic distance (eastward shots go further).  Discs\n"
      "                    and annuli; refused where flights could pass the\n"
      "                    antipode (e.g. 13,000 km below 46 degrees latitude)\n"
      "  --burnout-alt D   ballistic: burnout altitude (default 0: from the ground)\n"
      "  --minutes LIST    ballistic: isochrones instead of the reach, one ring per\n"
      "  --seconds LIST    flight time (1,2,5,10): the points the missile reaches\n"
      "                    within that time of burnout, field tof_s.  The time\n"
      "                    to a point is that of the trajectory flown there\n"
      "                    (--trajectory; as 'georeach query' gives it); along\n"
      "                    each azimuth it grows with distance, so the ring's\n"
      "                    edge is where it equals the time, laid off and traced\n"
      "                    to --tolerance like the reach (err_m: distance to the\n"
      "                    true isochrone).  A time beyond the flight to the\n"
      "                    reach's edge gives the reach ring.  With --union: the\n"
      "                    earliest arrival from any site\n"
      "  --trajectory T    ballistic: the flight to each point.  min-energy\n"
      "                    (default): the least burnout speed that lands there\n"
      "                    (KN-23 to 430 km: gamma ~44 deg, 302 s); depressed:\n"
      "                    the full burnout speed of the catalogue range, the\n"
      "                    lower angle (to 430 km: gamma ~14 deg, 156 s);\n"
      "                    lofted: full speed, the higher angle (~75 deg, 611 s;\n"
      "                    no isochrones: its time falls with distance).\n"
      "                    Depressed and lofted shots reach the same ring as\n"
      "                    min-energy ones\n"
      "  --gamma DEG       ballistic: a fixed burnout flight-path angle above the\n"
      "                    horizontal instead, speed up to the burnout speed; the\n"
      "                    ring is then the reach at that angle (shorter)\n"
      "                    The catalogue range keeps its meaning: the minimum-\n"
      "                    energy range, which fixes the burnout speed.  Times\n"
      "                    are free flight in vacuum from an instant burnout:\n"
      "                    boost, drag and terminal manoeuvres are left out, and\n"
      "                    each makes the real flight longer (README: Warning\n"
      "                    time)\n");
  printf(
      "  --azimuth FROM:TO only initial azimuths FROM..TO, degrees clockwise\n"
      "                    from north; 300:60 wraps through north\n"
      "  --tolerance DIST  error budget (default 10m): every point of every\n"
      "                    edge, read as a straight line in lon/lat as GeoJSON\n"
      "                    and QGIS read it, lies within DIST of the true\n"
      "                    boundary; vertices are added where curvature needs\n"
      "                    them.  The achieved error is written in err_m\n"
      "\n");
  printf(
      "Output:\n"
      "  -o, --output OUT  .geojson (RFC 7946) .gpkg .shp .kml .fgb .csv (WKT);\n"
      "                    '-' writes GeoJSON to standard output;\n"
      "                    'PG:host=H dbname=D [tables=[SCHEMA.]NAME]' writes a\n"
      "                    PostGIS table (default name: rings, coverage or\n"
      "                    overlap), geometry column geom (EPSG:4326), GiST index\n"
      "  --format DRIVER   a GDAL vector driver name instead of the extension\n"
      "  --overwrite       replace OUT (a file, or the PostGIS table) if it exists\n"
      "                    (refused otherwise)\n"
      "  --union           dissolve the rings of all sites into one coverage\n"
      "                    feature per missile and ring (layer 'coverage', with\n"
      "                    the number of sites and the area)\n"
      "  --count           overlap bands instead: one feature per number of sites\n"
      "                    reaching a place (layer 'overlap', fields count and\n"
      "                    at_least), to map where the threat is densest\n"
      "  --min-count K     with --count: one feature, the part reached by at\n"
      "                    least K sites\n"
      "  --threads N       worker threads (default: one per core)\n"
      "  -q, --quiet       no progress (shown on a terminal for long work, in\n"
      "                    GDAL's 0...10...20 style)\n"
      "\n"
      "Fields: site site_lat site_lon missile band min_km range_km az_from az_to\n"
      "        tol_m err_m area_km2 (geodesic area on the ellipsoid); tof_s with\n"
      "        --minutes/--seconds.\n"
      "--sites without --union/--count is read and written a batch at a time:\n"
      "any number of sites in bounded memory.\n"
      "Styles: a .gpkg carries a QGIS style per layer (colours per missile,\n"
      "labels 'KN-23 885 km') and a layer 'sites'; a .shp gets OUT.qml; a .kml\n"
      "colours and names each placemark (from data/styles/*.qml, editable).\n"
      "A PostGIS table is written in one transaction: on any error or\n"
      "interruption nothing is left, and a table replaced with --overwrite\n"
      "comes back.\n"
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
      "  georeach rings --from-area KP --missile Hwasong-12 -o kp.gpkg\n"
      "  georeach rings --site Belgorod --missile KN-23 --model ballistic --minutes 1,2,5 -o t.gpkg\n");
}

static int cmd_rings(struct reach_ctx *ctx, int argc, char **argv) {
  enum { O_SITE = 256, O_SITES, O_RANGE, O_RINGS, O_MIN, O_AZ, O_TOL, O_FORMAT,
         O_OVERWRITE, O_THREADS, O_SKIP, O_MISSILE, O_BAND, O_CATALOGUE,
         O_STRICT, O_UNION, O_COUNT, O_MINCOUNT, O_FROMAREA, O_MODEL, O_BURNOUT,
         O_MINUTES, O_SECONDS, O_TRAJ, O_GAMMA };
  static const struct option opts[] = {
      {"minutes", required_argument, 0, O_MINUTES},
      {"seconds", required_argument, 0, O_SECONDS},
      {"trajectory", required_argument, 0, O_TRAJ},
      {"gamma", required_argument, 0, O_GAMMA},
      {"site", required_argument, 0, O_SITE},
      {"sites", required_argument, 0, O_SITES},
      {"range", required_argument, 0, O_RANGE},
      {"rings", required_argument, 0, O_RINGS},
      {"union", no_argument, 0, O_UNION},
      {"count", no_argument, 0, O_COUNT},
      {"min-count", required_argument, 0, O_MINCOUNT},
      {"from-area", required_argument, 0, O_FROMAREA},
      {"model", required_argument, 0, O_MODEL},
      {"burnout-alt", required_argument, 0, O_BURNOUT},
      {"min-range", required_argument, 0, O_MIN},
      {"azimuth", required_argument, 0, O_AZ},
      {"tolerance", required_argument, 0, O_TOL},
      {"output", required_argument, 0, 'o'},
      {"format", required_argument, 0, O_FORMAT},
      {"overwrite", no_argument, 0, O_OVERWRITE},
      {"threads", required_argument, 0, O_THREADS},
      {"skip-bad", no_argument, 0, O_SKIP},
      {"missile", required_argument, 0, O_MISSILE},
      {"strict", no_argument, 0, O_STRICT},
      {"band", no_argument, 0, O_BAND},
      {"catalogue", required_argument, 0, O_CATALOGUE},
      {"catalog", required_argument, 0, O_CATALOGUE},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  struct reach_site *sites = NULL;
  size_t nsites = 0;
  enum { MAXRINGS = 192 };
  struct reach_ring_def defs[MAXRINGS];
  size_t ndefs = 0;
  struct reach_catalogue *cat = NULL;
  const char *sites_file = NULL, *out = NULL, *format = NULL, *range_arg = NULL,
             *rings_arg = NULL, *missile_arg = NULL, *cat_file = NULL,
             *area_arg = NULL;
  long min_count = 0;
  int count_mode = 0, ballistic = 0;
  double burnout_m = REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M;
  struct reach_ballistic bms[192]; /* one per ring def (MAXRINGS) */
  struct reach_sites_reader *reader = NULL;
  struct reach_geom territory = {0};
  char area_label[REACH_NAME_LEN] = "";
  double min_m = 0, tol_m = REACH_TOLERANCE_DEFAULT_M, az_from = 0, az_to = 0;
  int sector = 0, overwrite = 0, threads = 0, quiet = 0, skip_bad = 0, c;
  int band = 0, have_min = 0, strict = 0, dissolve = 0;
  int aim = REACH_BALLISTIC_MIN_ENERGY, have_traj = 0;
  double gamma_deg = NAN, times[64];
  size_t ntimes = 0;
  const char **site_texts = NULL;
  size_t nsite_texts = 0;
  int rc = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
    switch (c) {
    case O_SITE: {
      const char **t = realloc(site_texts, (nsite_texts + 1) * sizeof *t);
      if (!t) {
        rc = usage_error("%s", "out of memory");
        goto done;
      }
      site_texts = t;
      site_texts[nsite_texts++] = optarg;
      break;
    }
    case O_STRICT: strict = 1; break;
    case O_UNION: dissolve = 1; break;
    case O_COUNT: count_mode = 1; break;
    case O_FROMAREA: area_arg = optarg; break;
    case O_MODEL:
      if ((rc = model_option(optarg, 0, &ballistic)) != 0) goto done;
      break;
    case O_BURNOUT:
      if (reach_parse_distance(ctx, optarg, "km", &burnout_m)) {
        rc = usage_error("--burnout-alt: %s", reach_errmsg(ctx));
        goto done;
      }
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
    case O_MINCOUNT: {
      char *e;
      long v = strtol(optarg, &e, 10);
      if (*e || e == optarg || v < 1) {
        rc = usage_error("--min-count: '%s' is not a whole number of sites >= 1", optarg);
        goto done;
      }
      min_count = v;
      break;
    }
    case O_SITES: sites_file = optarg; break;
    case O_RANGE: range_arg = optarg; break;
    case O_RINGS: rings_arg = optarg; break;
    case O_MIN:
      if (reach_parse_distance(ctx, optarg, "km", &min_m)) {
        rc = usage_error("--min-range: %s", reach_errmsg(ctx));
        goto done;
      }
      have_min = 1;
      break;
    case O_MISSILE: missile_arg = optarg; break;
    case O_BAND: band = 1; break;
    case O_CATALOGUE: cat_file = optarg; break;
    case O_AZ:
      if (reach_parse_azimuths(ctx, optarg, &az_from, &az_to)) {
        rc = usage_error("--azimuth: %s", reach_errmsg(ctx));
        goto done;
      }
      sector = 1;
      break;
    case O_TOL:
      if (reach_parse_distance(ctx, optarg, "m", &tol_m)) {
        rc = usage_error("--tolerance: %s", reach_errmsg(ctx));
        goto done;
      }
      break;
    case 'o': out = optarg; break;
    case O_FORMAT: format = optarg; break;
    case O_OVERWRITE: overwrite = 1; break;
    case O_SKIP: skip_bad = 1; break;
    case O_THREADS: {
      char *e;
      long v = strtol(optarg, &e, 10);
      if (*e || v < 1 || v > 64) {
        rc = usage_error("--threads: '%s' is not a whole number in [1, 64]", optarg);
        goto done;
      }
      threads = (int)v;
      break;
    }
    case 'q': quiet = 1; break;
    case 'h': print_rings_help(); goto done;
    case ':':
      rc = usage_error("%s needs a value", argv[optind - 1]);
      goto done;
    default:
      rc = usage_error("unknown option '%s'", argv[optind - 1]);
      goto done;
    }
  }
  if (optind < argc) {
    rc = usage_error("unexpected argument '%s'", argv[optind]);
    goto done;
  }
  if ((rc = resolve_points(ctx, "--site", site_texts, nsite_texts, strict, quiet,
                           &sites, &nsites)) != 0)
    goto done;
  if (!sites_file && nsites == 0 && !area_arg) {
    rc = usage_error("%s", "no launch site: give --site LAT,LON, --sites FILE or "
                           "--from-area AREA");
    goto done;
  }
  if (!!sites_file + !!nsites + !!area_arg > 1) {
    rc = usage_error("%s", "give one of --site, --sites and --from-area");
    goto done;
  }
  if (dissolve + count_mode > 1 || (area_arg && (dissolve || count_mode))) {
    rc = usage_error("%s", area_arg ? "--from-area is a union already: drop "
                                      "--union/--count"
                                    : "give --union or --count, not both");
    goto done;
  }
  if (min_count && !count_mode) {
    rc = usage_error("%s", "--min-count goes with --count");
    goto done;
  }
  if (area_arg && (sector || have_min)) {
    rc = usage_error("%s", sector ? "--azimuth has no meaning with --from-area"
                                  : "--min-range has no meaning with --from-area");
    goto done;
  }
  if (!out) {
    rc = usage_error("%s", "no output: give -o FILE (or -o - for GeoJSON on stdout)");
    goto done;
  }
  if ((rc = weapon_defs(ctx, range_arg, rings_arg, missile_arg, band, have_min,
                        min_m, cat_file, defs, MAXRINGS, &ndefs, &cat)) != 0)
    goto done;
  if (!ballistic && (ntimes || have_traj || !isnan(gamma_deg))) {
    rc = usage_error("%s", "--minutes, --seconds, --trajectory and --gamma go with "
                           "--model ballistic");
    goto done;
  }
  if (have_traj && !isnan(gamma_deg)) {
    rc = usage_error("%s", "give --trajectory or --gamma, not both");
    goto done;
  }
  if (ballistic) {
    if (area_arg || count_mode || sector) {
      rc = usage_error("%s", "--model ballistic draws discs and annuli round sites: "
                             "not with --from-area, --count or --azimuth");
      goto done;
    }
    if ((rc = ballistic_defs(ctx, defs, 0, ndefs, bms, burnout_m)) != 0) goto done;
    if ((rc = trajectory_apply(ctx, bms, ndefs, isnan(gamma_deg) ? aim : REACH_BALLISTIC_GAMMA,
                               gamma_deg)) != 0)
      goto done;
    if (ntimes && aim == REACH_BALLISTIC_LOFTED) {
      rc = usage_error("%s", "no isochrones for lofted flights: their flight time falls "
                             "with distance, so the points reached within a time form "
                             "an annulus");
      goto done;
    }
    if ((rc = isochrone_defs(defs, &ndefs, MAXRINGS, times, ntimes)) != 0) goto done;
  }
  /* Check every value once, before any file is touched. */
  for (size_t r = 0; r < ndefs; r++) {
    struct reach_ring_spec s = {0, 0, defs[r].range_m, defs[r].min_range_m,
                                sector, az_from, az_to, tol_m, NULL, 0, 0};
    if (reach_ring_check(ctx, &s)) {
      rc = usage_error("%s", reach_errmsg(ctx));
      goto done;
    }
  }
  /* Standard output cannot be taken back: read every site before writing. */
  int streaming = sites_file && !dissolve && !count_mode && strcmp(out, "-") != 0;
  if (area_arg && reach_territory(ctx, area_arg, &territory, area_label,
                                  sizeof area_label)) {
    fprintf(stderr, "%s: --from-area: %s\n", prog, reach_errmsg(ctx));
    rc = reach_errno(ctx) == REACH_ERR_IO ? EXIT_DATA : EXIT_USAGE;
    goto done;
  }
  if (streaming) {
    if (reach_sites_open(ctx, sites_file, skip_bad, &reader)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = EXIT_DATA;
      goto done;
    }
  } else if (sites_file) {
    size_t skipped = 0;
    if (reach_sites_read(ctx, sites_file, skip_bad, &sites, &nsites, &skipped)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = EXIT_DATA;
      goto done;
    }
    if (skipped)
      fprintf(stderr, "%s: skipped %zu bad row%s of %s\n", prog, skipped,
              skipped == 1 ? "" : "s", sites_file);
  }
  struct reach_writer *w = NULL;
  enum reach_status st =
      dissolve || area_arg ? reach_writer_open_coverage(ctx, out, format, overwrite, &w)
      : count_mode         ? reach_writer_open_overlap(ctx, out, format, overwrite, &w)
                           : reach_writer_open(ctx, out, format, overwrite, &w);
  if (st == REACH_OK && ntimes && (st = reach_writer_add_tof_field(ctx, w)) != REACH_OK)
    reach_writer_abort(w);
  if (st) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_ARG ? EXIT_USAGE : EXIT_DATA;
    goto done;
  }
  int show = !quiet && isatty(STDERR_FILENO) && (streaming || area_arg || nsites * ndefs > 1);
  struct reach_rings_job job = {sites, nsites, defs, ndefs, sector,
                                az_from, az_to, tol_m, threads, reader,
                                show && reader ? reach_sites_estimate(reader) : 0};
  int ticks = 0;
  reach_progress_fn pf = show ? progress_cb : quiet_cb;
  st = area_arg   ? reach_rings_from_area(ctx, &job, &territory, area_label, w, pf, &ticks)
       : dissolve ? reach_rings_union(ctx, &job, w, pf, &ticks)
       : count_mode ? reach_rings_count(ctx, &job, min_count, w, pf, &ticks)
                    : reach_rings_write(ctx, &job, w, pf, &ticks);
  if (st == REACH_OK && reader && reach_sites_skipped(reader))
    fprintf(stderr, "%s: skipped %zu bad row%s of %s\n", prog, reach_sites_skipped(reader),
            reach_sites_skipped(reader) == 1 ? "" : "s", sites_file);
  if (st == REACH_OK) {
    size_t count = reach_writer_count(w);
    st = reach_writer_commit(ctx, w);
    if (st == REACH_OK && strcmp(out, "-") != 0 && !quiet)
      fprintf(stderr, "%s: wrote %zu %s%s to %s\n", prog, count,
              dissolve || area_arg ? "coverage feature"
              : count_mode         ? "overlap band"
                                   : "ring",
              count == 1 ? "" : "s", shown_path(out));
  } else {
    reach_writer_abort(w);
  }
  if (st) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_INTERRUPTED ? 130 : EXIT_DATA;
  }
done:
  reach_sites_close(reader);
  reach_geom_clear(&territory);
  free(sites);
  free(site_texts);
  reach_catalogue_free(cat);
  return rc;
}

/* v with six decimals, as printf's %.6f writes it (round half away from
 * zero on the value times 1e6), without printf's cost: a million query rows
 * spend most of their output time in %f.  Falls back to %.6f beyond 9e12. */
static char *put_fixed6(char *b, double v) {
  if (!(fabs(v) < 9e12)) return b + sprintf(b, "%.6f", v);
  double r = round(fabs(v) * 1e6);
  long long n = (long long)r;
  char tmp[32];
  int k = 0;
  for (int i = 0; i < 6; i++, n /= 10) tmp[k++] = (char)('0' + n % 10);
  tmp[k++] = '.';
  do {
    tmp[k++] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  if (v < 0 && r != 0) *b++ = '-';
  while (k) *b++ = tmp[--k];
  return b;
}

static void csv_field(const char *v, int last) {
  if (strpbrk(v, ",\"\n")) {
    putchar('"');
    for (const char *p = v; *p; p++) {
      if (*p == '"') putchar('"');
      putchar(*p);
    }
    putchar('"');
  } else {
    fputs(v, stdout);
  }
  putchar(last ? '\n' : ',');
}

static void json_string(const char *v) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static void fmt_km(char *buf, size_t n, double v) {
  if (isnan(v)) snprintf(buf, n, "%s", "");
  else snprintf(buf, n, "%g", v);
}

static int contains_ci(const char *hay, const char *needle) {
  size_t ln = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, ln) == 0) return 1;
  return ln == 0;
}

static int cmd_missiles(struct reach_ctx *ctx, int argc, char **argv) {
  static const struct option opts[] = {{"origin", required_argument, 0, 'r'},
                                       {"class", required_argument, 0, 'k'},
                                       {"format", required_argument, 0, 'f'},
                                       {"catalogue", required_argument, 0, 'c'},
                                       {"catalog", required_argument, 0, 'c'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *origin = NULL, *klass = NULL, *format = "table", *file = NULL;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'r': origin = optarg; break;
    case 'k': klass = optarg; break;
    case 'f': format = optarg; break;
    case 'c': file = optarg; break;
    case 'h':
      printf("Usage: georeach missiles [--origin TEXT] [--class TEXT]\n"
             "                        [--format table|csv|json] [--catalogue FILE]\n"
             "\n"
             "Lists the missile catalogue (data/missiles.csv, or FILE with the\n"
             "same columns): name, aliases, origin, class, min_km, range_km,\n"
             "range_low_km, range_high_km (where sources disagree) and source.\n"
             "--origin and --class keep rows containing TEXT (any case), e.g.\n"
             "--origin iran --class SRBM.  Any name or alias works with\n"
             "'georeach rings --missile', ignoring case and punctuation.\n");
      return 0;
    case ':': return usage_error("%s needs a value", argv[optind - 1]);
    default: return usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
  int fmt = !strcmp(format, "table") ? 0 : !strcmp(format, "csv") ? 1
            : !strcmp(format, "json") ? 2 : -1;
  if (fmt < 0)
    return usage_error("--format: '%s' is not table, csv or json", format);
  struct reach_catalogue *cat = NULL;
  if (reach_catalogue_load(ctx, file, &cat)) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    return EXIT_DATA;
  }
  size_t shown = 0;
  if (fmt == 0)
    printf("%-20s %-24s %-14s %7s %8s  %-13s %s\n", "NAME", "CLASS", "ORIGIN",
           "MIN_KM", "RANGE_KM", "LOW-HIGH_KM", "ALIASES");
  if (fmt == 1)
    printf("name,aliases,origin,class,min_km,range_km,range_low_km,range_high_km,source\n");
  if (fmt == 2) printf("[");
  for (size_t i = 0; i < reach_catalogue_count(cat); i++) {
    const struct reach_missile *m = reach_catalogue_get(cat, i);
    if ((origin && !contains_ci(m->origin, origin)) ||
        (klass && !contains_ci(m->klass, klass)))
      continue;
    char mn[32], rg[32], lo[32], hi[32];
    fmt_km(mn, sizeof mn, m->min_km);
    fmt_km(rg, sizeof rg, m->range_km);
    fmt_km(lo, sizeof lo, m->range_low_km);
    fmt_km(hi, sizeof hi, m->range_high_km);
    if (fmt == 0) {
      char band[72] = "";
      if (*lo || *hi) snprintf(band, sizeof band, "%s-%s", lo, hi);
      printf("%-20s %-24s %-14s %7s %8s  %-13s %s\n", m->name, m->klass, m->origin,
             mn, rg, band, m->aliases);
    } else if (fmt == 1) {
      const char *v[] = {m->name, m->aliases, m->origin, m->klass, mn, rg, lo, hi,
                         m->source};
      for (int k = 0; k < 9; k++) csv_field(v[k], k == 8);
    } else {
      printf("%s\n {\"name\": ", shown ? "," : "");
      json_string(m->name);
      printf(", \"aliases\": [");
      char buf[sizeof m->aliases];
      snprintf(buf, sizeof buf, "%s", m->aliases);
      int first = 1;
      for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
           tok = strtok_r(NULL, "|", &save)) {
        while (*tok == ' ') tok++;
        size_t l = strlen(tok);
        while (l && tok[l - 1] == ' ') tok[--l] = '\0';
        if (!l) continue;
        printf("%s", first ? "" : ", ");
        json_string(tok);
        first = 0;
      }
      printf("], \"origin\": ");
      json_string(m->origin);
      printf(", \"class\": ");
      json_string(m->klass);
      printf(", \"min_km\": %s, \"range_km\": %s, \"range_low_km\": %s, "
             "\"range_high_km\": %s, \"source\": ", *mn ? mn : "null", rg,
             *lo ? lo : "null", *hi ? hi : "null");
      json_string(m->source);
      printf("}");
    }
    shown++;
  }
  if (fmt == 2) printf("\n]\n");
  reach_catalogue_free(cat);
  if (shown == 0) {
    fprintf(stderr, "%s: no missile matches%s%s%s%s\n", prog,
            origin ? " --origin " : "", origin ? origin : "",
            klass ? " --class " : "", klass ? klass : "");
    return EXIT_DATA;
  }
  return 0;
}

struct qout {
  int fmt; /* 0 table, 1 csv, 2 json, 3 writer */
  struct reach_ctx *ctx;
  struct reach_writer *w;
  const struct reach_site *sites;
  const struct reach_ring_def *weapons;
  const struct reach_target *targets;
  size_t rows;
  size_t *in_count;  /* per site x weapon */
  double *in_pop;
  size_t nweapons;
  int ballistic; /* add flight times */
  double *first_s;   /* per target: earliest arrival seen (warning time) */
  size_t *first_at;  /* its site * nweapons + weapon */
};

static int query_row(const struct reach_query_row *r, void *data) {
  struct qout *q = data;
  const struct reach_ring_def *w = &q->weapons[r->weapon];
  const struct reach_target *t = &q->targets[r->target];
  const char *site = q->sites[r->site].name, *missile = w->missile ? w->missile : "";
  double dist = r->dist_m / 1000, rng = r->reach_m / 1000, mn = w->min_range_m / 1000;
  double margin = rng - dist;
  if (q->first_s && r->in_range && r->tof_s < q->first_s[r->target]) {
    q->first_s[r->target] = r->tof_s;
    q->first_at[r->target] = r->site * q->nweapons + r->weapon;
  }
  if (r->in_range) {
    q->in_count[r->site * q->nweapons + r->weapon]++;
    q->in_pop[r->site * q->nweapons + r->weapon] += (double)t->population;
  }
  switch (q->fmt) {
  case 0:
    printf("%-20.20s %-12.12s %-24.24s %10.3f %7.2f %7.2f %9.1f %7.1f %10.3f  %s", site,
           *missile ? missile : "-", t->name, dist, r->az_deg, r->baz_deg, rng, mn,
           margin, r->in_range ? "yes" : "no");
    if (q->ballistic) printf("%*s%7.1f", r->in_range ? 6 : 7, "", r->tof_s);
    putchar('\n');
    break;
  case 1:
    csv_field(site, 0);
    csv_field(missile, 0);
    csv_field(t->name, 0);
    {
      char line[256], *b = line;
      const double v[6] = {dist, r->az_deg, r->baz_deg, rng, mn, margin};
      for (int k = 0; k < 6; k++) {
        b = put_fixed6(b, v[k]);
        *b++ = ',';
      }
      *b++ = (char)('0' + (r->in_range != 0));
      fwrite(line, 1, (size_t)(b - line), stdout);
    }
    if (q->ballistic) printf(",%.3f", r->tof_s);
    putchar('\n');
    break;
  case 2:
    printf("%s\n {\"site\": ", q->rows ? "," : "");
    json_string(site);
    printf(", \"missile\": ");
    json_string(missile);
    printf(", \"target\": ");
    json_string(t->name);
    printf(", \"target_lat\": %.9f, \"target_lon\": %.9f, \"dist_km\": %.6f, "
           "\"az_deg\": %.6f, \"baz_deg\": %.6f, \"range_km\": %.6f, \"min_km\": %.6f, "
           "\"margin_km\": %.6f, \"in_range\": %s",
           t->lat_deg, t->lon_deg, dist, r->az_deg, r->baz_deg, rng, mn, margin,
           r->in_range ? "true" : "false");
    if (q->ballistic) {
      if (isnan(r->tof_s)) printf(", \"tof_s\": null");
      else printf(", \"tof_s\": %.3f", r->tof_s);
    }
    putchar('}');
    break;
  default: {
    struct reach_query_feature f = {site, missile, t->name, dist, r->az_deg, r->baz_deg,
                                    rng, mn, margin, r->in_range, t->lat_deg, t->lon_deg,
                                    r->tof_s};
    if (reach_writer_add_query(q->ctx, q->w, &f) != REACH_OK) return 0;
  }
  }
  q->rows++;
  return !g_interrupted;
}

static void print_query_help(void) {
  printf(
      "Usage: georeach query (--site POINT ... | --sites FILE)\n"
      "                      (--missile NAME[,NAME...] [--band] | --range DIST\n"
      "                       [--min-range DIST])\n"
      "                      (--target POINT ... | --targets FILE | --targets cities\n"
      "                       [--min-population N] [--country CC,...])\n"
      "                      [--model circle|ballistic [--burnout-alt DIST]]\n"
      "                      [--tof] [--trajectory T | --gamma DEG]\n"
      "                      [--in-range] [--nearest [--by distance|time]]\n"
      "                      [--format table|csv|json|geojson]\n"
      "                      [-o OUT] [--overwrite] [--strict] [--quiet]\n"
      "\n"
      "What is in range from here: one row per site x missile x target with the\n"
      "shortest geodesic distance on WGS84 (the inverse problem, exact\n"
      "everywhere: no point-in-polygon test near poles or the antimeridian).\n"
      "\n"
      "Columns: site missile target dist_km az_deg (initial azimuth at the site,\n"
      "clockwise from north) baz_deg (azimuth of the path at the target)\n"
      "range_km min_km margin_km (range - distance; negative: how far the\n"
      "launcher must move toward the target) in_range (min <= dist <= range).\n"
      "\n"
      "  --target POINT     as --site: LAT,LON, DMS, MGRS or a place name\n"
      "  --targets FILE     a CSV or point layer, as --sites (PostGIS too:\n"
      "                     'PG:... tables=T'); -o PG:... writes table 'query'\n"
      "  --targets cities   the bundled GeoNames places (15,000+ people), filtered\n"
      "                     by --min-population N and --country UA,PL,...\n"
      "  --in-range         only rows in range\n"
      "  --model ballistic  the reach of a missile on the turning Earth (see\n"
      "                     'georeach rings --help'): range_km is the reach along\n"
      "                     the azimuth to each target, and tof_s the flight time:\n"
      "                     of the flight (--trajectory) to the point at the\n"
      "                     target's azimuth and distance when in range, else of\n"
      "                     the longest flight that way (free flight from\n"
      "                     burnout in vacuum: no boost, drag or terminal\n"
      "                     manoeuvres, each of which makes the flight longer;\n"
      "                     --burnout-alt D)\n"
      "  --tof              tof_s for circles too: the same model's flight time\n"
      "                     with the Earth not turning (its reach is exactly the\n"
      "                     circle); labelled non-rotating.  Implied by\n"
      "                     --trajectory, --gamma and --by time\n"
      "  --trajectory T     min-energy (default), depressed or lofted; --gamma DEG\n"
      "                     a fixed burnout flight-path angle (see 'georeach\n"
      "                     rings --help')\n"
      "  --nearest          one row per target: the nearest site (and missile)\n"
      "                     that reaches it, or the nearest site if none does\n"
      "                     (with --in-range: targets nothing reaches are left out)\n"
      "  --by time          with --nearest: the site and missile arriving first\n"
      "                     (least tof_s) instead of the nearest; every site is\n"
      "                     tried (tens of sites, not millions)\n"
      "  --format F         table (default, for people), csv, json, geojson\n"
      "  -o OUT             write through GDAL instead (.csv .geojson .gpkg .shp\n"
      "                     ...), a point layer of the targets\n"
      "With flight times, stderr also gets each target's warning time (up to 50\n"
      "targets): 'Kharkiv: 2 min 03 s from Belgorod (KN-23, minimum-energy)'.\n"
      "A summary per site and missile goes to stderr unless --quiet: targets\n"
      "and people in range, and the countries the ring reaches with the share\n"
      "of each country's area inside it (Natural Earth polygons, ellipsoidal\n"
      "areas; computed for up to 50 site x missile pairs, or all with\n"
      "--summary).\n"
      "\n"
      "Examples:\n"
      "  georeach query --site Belgorod --missile KN-23,Iskander-M --target Kyiv \\\n"
      "      --target Kharkiv,UA --target Lviv\n"
      "  georeach query --sites data/sites/jan2024_launch_areas.csv --missile KN-23 \\\n"
      "      --targets cities --country UA --in-range --format csv\n"
      "  georeach query --sites bases.csv --range 885km --targets cities --nearest -o n.gpkg\n");
}

/* A targets file read a batch at a time straight into targets (a million
 * targets need no second copy as sites). */
static enum reach_status read_targets(struct reach_ctx *ctx, const char *path,
                                      struct reach_target **out, size_t *n) {
  enum { BATCH = 4096 };
  struct reach_sites_reader *r;
  struct reach_site *buf = malloc(BATCH * sizeof *buf);
  struct reach_target *t = NULL;
  size_t cap = 0, got;
  *n = 0;
  if (!buf) return REACH_ERR_NOMEM;
  enum reach_status st = reach_sites_open(ctx, path, 0, &r);
  if (st != REACH_OK) {
    free(buf);
    return st;
  }
  while ((st = reach_sites_next(ctx, r, buf, BATCH, &got)) == REACH_OK && got > 0) {
    if (*n + got > cap) {
      size_t c = cap ? 2 * cap : (size_t)2 * BATCH;
      struct reach_target *p = realloc(t, c * sizeof *p);
      if (!p) {
        st = REACH_ERR_NOMEM;
        break;
      }
      t = p;
      cap = c;
    }
    for (size_t i = 0; i < got; i++) {
      struct reach_target *x = &t[(*n)++];
      memcpy(x->name, buf[i].name, sizeof x->name);
      x->lat_deg = buf[i].lat_deg;
      x->lon_deg = buf[i].lon_deg;
      x->population = 0;
      x->country[0] = 0;
    }
  }
  reach_sites_close(r);
  free(buf);
  if (st != REACH_OK) {
    free(t);
    *n = 0;
    return st;
  }
  *out = t;
  return REACH_OK;
}

static int cmd_query(struct reach_ctx *ctx, int argc, char **argv) {
  enum { O_SITE = 256, O_SITES, O_RANGE, O_MIN, O_MISSILE, O_BAND, O_CAT, O_TARGET,
         O_TARGETS, O_MINPOP, O_COUNTRY, O_INRANGE, O_NEAREST, O_FORMAT, O_OVERWRITE,
         O_STRICT, O_SUMMARY, O_MODEL, O_BURNOUT, O_TOF, O_TRAJ, O_GAMMA, O_BY };
  static const struct option opts[] = {
      {"tof", no_argument, 0, O_TOF},
      {"trajectory", required_argument, 0, O_TRAJ},
      {"gamma", required_argument, 0, O_GAMMA},
      {"by", required_argument, 0, O_BY},
      {"site", required_argument, 0, O_SITE},
      {"sites", required_argument, 0, O_SITES},
      {"range", required_argument, 0, O_RANGE},
      {"min-range", required_argument, 0, O_MIN},
      {"missile", required_argument, 0, O_MISSILE},
      {"band", no_argument, 0, O_BAND},
      {"catalogue", required_argument, 0, O_CAT},
      {"catalog", required_argument, 0, O_CAT},
      {"target", required_argument, 0, O_TARGET},
      {"targets", required_argument, 0, O_TARGETS},
      {"min-population", required_argument, 0, O_MINPOP},
      {"country", required_argument, 0, O_COUNTRY},
      {"in-range", no_argument, 0, O_INRANGE},
      {"nearest", no_argument, 0, O_NEAREST},
      {"summary", no_argument, 0, O_SUMMARY},
      {"model", required_argument, 0, O_MODEL},
      {"burnout-alt", required_argument, 0, O_BURNOUT},
      {"format", required_argument, 0, O_FORMAT},
      {"output", required_argument, 0, 'o'},
      {"overwrite", no_argument, 0, O_OVERWRITE},
      {"strict", no_argument, 0, O_STRICT},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  const char **site_texts = NULL, **target_texts = NULL;
  size_t nsite_texts = 0, ntarget_texts = 0, nsites = 0, ntargets = 0, ndefs = 0;
  const char *sites_file = NULL, *targets_arg = NULL, *range_arg = NULL,
             *missile_arg = NULL, *cat_file = NULL, *format = "table", *out = NULL,
             *countries = NULL;
  double min_m = 0;
  long minpop = 0;
  int have_min = 0, band = 0, in_range = 0, nearest = 0, overwrite = 0, strict = 0,
      quiet = 0, summary = 0, c, rc = 0;
  struct reach_site *sites = NULL, *tsites = NULL;
  struct reach_target *targets = NULL;
  struct reach_catalogue *cat = NULL;
  struct reach_ring_def defs[192];
  struct reach_ballistic bms[192]; /* one per def with --model ballistic */
  int ballistic = 0, want_tof = 0, by_time = 0, have_traj = 0, have_by = 0;
  int aim = REACH_BALLISTIC_MIN_ENERGY;
  double burnout_m = REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M, gamma_deg = NAN;
  double *first_s = NULL;
  size_t *first_at = NULL;
  struct reach_writer *w = NULL;
  size_t *in_count = NULL;
  double *in_pop = NULL;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
    const char ***list = NULL;
    size_t *nlist = NULL;
    switch (c) {
    case O_SITE: list = &site_texts; nlist = &nsite_texts; break;
    case O_TARGET: list = &target_texts; nlist = &ntarget_texts; break;
    case O_SITES: sites_file = optarg; break;
    case O_TARGETS: targets_arg = optarg; break;
    case O_RANGE: range_arg = optarg; break;
    case O_MIN:
      if (reach_parse_distance(ctx, optarg, "km", &min_m)) {
        rc = usage_error("--min-range: %s", reach_errmsg(ctx));
        goto done;
      }
      have_min = 1;
      break;
    case O_MISSILE: missile_arg = optarg; break;
    case O_BAND: band = 1; break;
    case O_CAT: cat_file = optarg; break;
    case O_MINPOP: {
      char *e;
      minpop = strtol(optarg, &e, 10);
      if (*e || minpop < 0) {
        rc = usage_error("--min-population: '%s' is not a whole number", optarg);
        goto done;
      }
      break;
    }
    case O_COUNTRY: countries = optarg; break;
    case O_INRANGE: in_range = 1; break;
    case O_NEAREST: nearest = 1; break;
    case O_SUMMARY: summary = 1; break;
    case O_MODEL:
      if ((rc = model_option(optarg, 0, &ballistic)) != 0) goto done;
      break;
    case O_BURNOUT:
      if (reach_parse_distance(ctx, optarg, "km", &burnout_m)) {
        rc = usage_error("--burnout-alt: %s", reach_errmsg(ctx));
        goto done;
      }
      break;
    case O_TOF: want_tof = 1; break;
    case O_TRAJ:
      if ((rc = trajectory_option(optarg, &aim)) != 0) goto done;
      have_traj = 1;
      break;
    case O_GAMMA:
      if ((rc = gamma_option(optarg, &gamma_deg)) != 0) goto done;
      break;
    case O_BY:
      if (strcmp(optarg, "time") && strcmp(optarg, "distance")) {
        rc = usage_error_opt("--by", "give distance or time");
        goto done;
      }
      by_time = !strcmp(optarg, "time");
      have_by = 1;
      break;
    case O_FORMAT: format = optarg; break;
    case 'o': out = optarg; break;
    case O_OVERWRITE: overwrite = 1; break;
    case O_STRICT: strict = 1; break;
    case 'q': quiet = 1; break;
    case 'h': print_query_help(); goto done;
    case ':': rc = usage_error("%s needs a value", argv[optind - 1]); goto done;
    default: rc = usage_error("unknown option '%s'", argv[optind - 1]); goto done;
    }
    if (list) {
      const char **l = realloc(*list, (*nlist + 1) * sizeof *l);
      if (!l) {
        rc = usage_error("%s", "out of memory");
        goto done;
      }
      *list = l;
      l[(*nlist)++] = optarg;
    }
  }
  if (optind < argc) {
    rc = usage_error("unexpected argument '%s'", argv[optind]);
    goto done;
  }
  int fmt = !strcmp(format, "table") ? 0 : !strcmp(format, "csv") ? 1
            : !strcmp(format, "json") ? 2 : !strcmp(format, "geojson") ? 3 : -1;
  if (fmt < 0) {
    rc = usage_error("--format: '%s' is not table, csv, json or geojson", format);
    goto done;
  }
  if (!!sites_file + !!nsite_texts != 1) {
    rc = usage_error("%s", nsite_texts ? "give --site or --sites, not both"
                                       : "no launch site: give --site or --sites");
    goto done;
  }
  if (!!targets_arg + !!ntarget_texts != 1) {
    rc = usage_error("%s", ntarget_texts ? "give --target or --targets, not both"
                                         : "no target: give --target POINT or "
                                           "--targets FILE|cities");
    goto done;
  }
  if ((minpop || countries) && !(targets_arg && !strcmp(targets_arg, "cities"))) {
    rc = usage_error("%s", "--min-population and --country go with --targets cities");
    goto done;
  }
  if ((rc = weapon_defs(ctx, range_arg, NULL, missile_arg, band, have_min, min_m,
                        cat_file, defs, sizeof defs / sizeof defs[0], &ndefs, &cat)) != 0)
    goto done;
  if (have_by && !nearest) {
    rc = usage_error("%s", "--by goes with --nearest");
    goto done;
  }
  if (have_traj && !isnan(gamma_deg)) {
    rc = usage_error("%s", "give --trajectory or --gamma, not both");
    goto done;
  }
  /* flight times: always with the ballistic model; for circles on request
   * (or implied by a trajectory or --by time), from the non-rotating model */
  want_tof |= ballistic || by_time || have_traj || !isnan(gamma_deg);
  if (ballistic && nearest && !by_time) {
    rc = usage_error("%s", "--nearest is for the circular model (the ballistic reach "
                           "depends on the direction); use --nearest --by time, or list "
                           "the rows instead");
    goto done;
  }
  if (want_tof) {
    if ((rc = ballistic_defs(ctx, defs, 0, ndefs, bms, burnout_m)) != 0) goto done;
    if ((rc = trajectory_apply(ctx, bms, ndefs, isnan(gamma_deg) ? aim : REACH_BALLISTIC_GAMMA,
                               gamma_deg)) != 0)
      goto done;
    for (size_t k = 0; k < ndefs && !ballistic; k++) {
      bms[k].omega_rad_s = 0; /* the circle is this model's reach */
      defs[k].tof_model = &bms[k];
      defs[k].ballistic = NULL;
    }
  }
  for (size_t r = 0; r < ndefs; r++) {
    struct reach_ring_spec s = {0, 0, defs[r].range_m, defs[r].min_range_m, 0, 0, 0, 10, NULL, 0, 0};
    if (reach_ring_check(ctx, &s)) {
      rc = usage_error("%s", reach_errmsg(ctx));
      goto done;
    }
  }
  if ((rc = resolve_points(ctx, "--site", site_texts, nsite_texts, strict, quiet, &sites,
                           &nsites)) != 0)
    goto done;
  if ((rc = resolve_points(ctx, "--target", target_texts, ntarget_texts, strict, quiet,
                           &tsites, &ntargets)) != 0)
    goto done;
  if (sites_file && reach_sites_read(ctx, sites_file, 0, &sites, &nsites, NULL)) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = EXIT_DATA;
    goto done;
  }
  enum reach_status tst = targets_arg && strcmp(targets_arg, "cities") != 0
                              ? read_targets(ctx, targets_arg, &targets, &ntargets)
                              : REACH_OK;
  if (tst) {
    fprintf(stderr, "%s: %s\n", prog,
            tst == REACH_ERR_NOMEM ? "out of memory reading the targets" : reach_errmsg(ctx));
    rc = EXIT_DATA;
    goto done;
  }
  if (targets_arg && !strcmp(targets_arg, "cities")) {
    const struct reach_place *pl;
    size_t np;
    if (reach_places(ctx, &pl, &np)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = EXIT_DATA;
      goto done;
    }
    free(targets); /* NULL: the file branch did not run */
    targets = calloc(np ? np : 1, sizeof *targets);
    if (!targets) {
      rc = usage_error("%s", "out of memory");
      goto done;
    }
    for (size_t i = 0; i < np; i++) {
      if (pl[i].population < minpop) continue;
      if (countries) {
        char cc[3] = {pl[i].country[0], pl[i].country[1], 0};
        const char *p = countries;
        int hit = 0;
        while (*p && !hit) {
          if (strncasecmp(p, cc, 2) == 0 && (p[2] == ',' || p[2] == '\0')) hit = 1;
          p = strchr(p, ',');
          if (!p) break;
          p++;
        }
        if (!hit) continue;
      }
      struct reach_target *t = &targets[ntargets++];
      snprintf(t->name, sizeof t->name, "%.120s,%s", pl[i].name, pl[i].country);
      t->lat_deg = pl[i].lat_deg;
      t->lon_deg = pl[i].lon_deg;
      t->population = pl[i].population;
      snprintf(t->country, sizeof t->country, "%s", pl[i].country);
    }
    if (ntargets == 0) {
      fprintf(stderr, "%s: no city matches --min-population %ld%s%s\n", prog, minpop,
              countries ? " --country " : "", countries ? countries : "");
      rc = EXIT_DATA;
      goto done;
    }
  } else if (!targets) {
    targets = calloc(ntargets ? ntargets : 1, sizeof *targets);
    if (!targets) {
      rc = usage_error("%s", "out of memory");
      goto done;
    }
    for (size_t i = 0; i < ntargets; i++) {
      /* names are NUL-terminated within REACH_NAME_LEN */
      memcpy(targets[i].name, tsites[i].name, sizeof targets[i].name);
      targets[i].lat_deg = tsites[i].lat_deg;
      targets[i].lon_deg = tsites[i].lon_deg;
    }
    free(tsites);
    tsites = NULL;
  }
  if (out || fmt == 3) {
    enum reach_status st = reach_writer_open_query(ctx, out ? out : "-", NULL, overwrite, &w);
    if (st) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = st == REACH_ERR_ARG ? EXIT_USAGE : EXIT_DATA;
      goto done;
    }
    fmt = 3;
  }
  in_count = calloc(nsites * ndefs + 1, sizeof *in_count);
  in_pop = calloc(nsites * ndefs + 1, sizeof *in_pop);
  if (!in_count || !in_pop) {
    rc = usage_error("%s", "out of memory");
    goto done;
  }
  /* warning times for a summary: the earliest arrival at each target */
  if (want_tof && !quiet && ntargets <= 50) {
    first_s = malloc((ntargets + 1) * sizeof *first_s);
    first_at = calloc(ntargets + 1, sizeof *first_at);
    for (size_t t = 0; first_s && t < ntargets; t++) first_s[t] = INFINITY;
  }
  struct qout q = {fmt, ctx, w, sites, defs, targets, 0, in_count, in_pop, ndefs, want_tof,
                   first_s && first_at ? first_s : NULL, first_at};
  if (fmt == 0)
    printf("%-20s %-12s %-24s %10s %7s %7s %9s %7s %10s  %s%s\n", "SITE", "MISSILE",
           "TARGET", "DIST_KM", "AZ", "BAZ", "RANGE_KM", "MIN_KM", "MARGIN_KM", "IN_RANGE",
           want_tof ? "   TOF_S" : "");
  if (fmt == 1)
    printf("site,missile,target,dist_km,az_deg,baz_deg,range_km,min_km,margin_km,in_range%s\n",
           want_tof ? ",tof_s" : "");
  if (fmt == 2) printf("[");
  enum reach_status st =
      nearest && by_time ? reach_query_earliest(ctx, sites, nsites, defs, ndefs, targets,
                                                ntargets, in_range, query_row, &q)
      : nearest ? reach_query_nearest(ctx, sites, nsites, defs, ndefs, targets, ntargets,
                                      in_range, 0, query_row, &q)
                : reach_query_rows(ctx, sites, nsites, defs, ndefs, targets, ntargets,
                                   in_range, query_row, &q);
  if (fmt == 2) printf("%s]\n", q.rows ? "\n" : "");
  if (st == REACH_OK && w) {
    st = reach_writer_commit(ctx, w);
    w = NULL;
    if (st == REACH_OK && out && !quiet)
      fprintf(stderr, "%s: wrote %zu row%s to %s\n", prog, q.rows, q.rows == 1 ? "" : "s",
              shown_path(out));
  }
  if (st) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_INTERRUPTED ? 130 : EXIT_DATA;
    goto done;
  }
  /* "Kharkiv: 1 min 05 s from Belgorod (KN-23, minimum-energy)" */
  for (size_t t = 0; q.first_s && t < ntargets; t++) {
    if (!isfinite(q.first_s[t])) {
      fprintf(stderr, "%s: %s: out of reach\n", prog, targets[t].name);
      continue;
    }
    size_t k = q.first_at[t] % ndefs, i = q.first_at[t] / ndefs;
    long secs = lround(q.first_s[t]);
    char when[48], how[64];
    if (secs >= 60) snprintf(when, sizeof when, "%ld min %02ld s", secs / 60, secs % 60);
    else snprintf(when, sizeof when, "%ld s", secs);
    if (bms[k].aim == REACH_BALLISTIC_GAMMA)
      snprintf(how, sizeof how, "gamma %g deg", bms[k].gamma_deg);
    else
      snprintf(how, sizeof how, "%s", reach_ballistic_aim_name(bms[k].aim));
    fprintf(stderr, "%s: %s: %s from %s (%s%s%s%s)\n", prog, targets[t].name, when,
            sites[i].name, defs[k].missile ? defs[k].missile : "", defs[k].missile ? ", " : "",
            how, ballistic ? "" : ", non-rotating");
  }
  if (!quiet && !nearest) {
    int cities = targets_arg && !strcmp(targets_arg, "cities");
    for (size_t i = 0; i < nsites; i++)
      for (size_t k = 0; k < ndefs; k++) {
        char pop[64] = "";
        if (cities)
          snprintf(pop, sizeof pop, ", %.0f people", in_pop[i * ndefs + k]);
        fprintf(stderr, "%s: %s, %s%s%.0f km: %zu of %zu targets in range%s\n", prog,
                sites[i].name, defs[k].missile ? defs[k].missile : "",
                defs[k].missile ? " " : "", defs[k].range_m / 1000,
                in_count[i * ndefs + k], ntargets, pop);
        if (nsites * ndefs > 50 && !summary) continue;
        /* the countries this ring reaches, with the share of each */
        struct reach_ring_spec rs = {sites[i].lat_deg, sites[i].lon_deg, defs[k].range_m,
                                     defs[k].min_range_m, 0, 0, 0, 100, NULL, 0, 0};
        struct reach_ring ring;
        struct reach_country_share *sh = NULL;
        size_t nsh = 0;
        if (reach_ring_build(ctx, &rs, &ring) == REACH_OK &&
            reach_countries_reached(ctx, &ring.geom, &sh, &nsh) == REACH_OK && nsh) {
          fprintf(stderr, "%s:   reaches", prog);
          for (size_t j = 0; j < nsh && j < 8; j++)
            fprintf(stderr, "%s %s %.1f%% (%.0f km2)", j ? "," : "", sh[j].iso_a2,
                    100 * sh[j].area_in_m2 / sh[j].area_m2, sh[j].area_in_m2 / 1e6);
          if (nsh > 8) fprintf(stderr, " and %zu more", nsh - 8);
          fputc('\n', stderr);
        }
        free(sh);
        reach_ring_clear(&ring);
      }
  }
done:
  reach_writer_abort(w);
  free(first_s);
  free(first_at);
  free(site_texts);
  free(target_texts);
  free(sites);
  free(tsites);
  free(targets);
  free(in_count);
  free(in_pop);
  reach_catalogue_free(cat);
  return rc;
}

static void print_basket_help(void) {
  printf(
      "Usage: georeach basket (--target POINT ... | --targets FILE)\n"
      "                       (--missile NAME[,NAME...] [--band] | --range DIST\n"
      "                        [--min-range DIST])\n"
      "                       [--any] [--within COUNTRY[,COUNTRY...]|FILE]\n"
      "                       [--model circle|ballistic [--burnout-alt DIST]]\n"
      "                       [--tolerance DIST] -o OUT [--format DRIVER] [--overwrite]\n"
      "\n"
      "The launch basket: where a launcher must stand to reach the targets.\n"
      "Distance is symmetric, so for one target it is the ring round the\n"
      "target; for several, the area from which all of them are in range (the\n"
      "intersection of their rings), or with --any the area from which at least\n"
      "one is (the union).  --within clips it to a territory: bundled countries\n"
      "by ISO code or name (RU, BY, \"North Korea\"), or any polygon layer.\n"
      "Same geometry rules as rings (antimeridian, poles, error budget).\n"
      "\n"
      "With --model ballistic (see 'georeach rings --help') the basket of a\n"
      "target is no ring round it: along each azimuth from the target it ends\n"
      "where a launch reaches the target exactly, on the turning Earth (found\n"
      "by the secant method, to 0.1 mm); --burnout-alt D as for rings.\n"
      "\n"
      "Fields: targets missile band min_km range_km mode (all/any) within tol_m\n"
      "err_m area_km2.  One feature per missile (and band).\n"
      "\n"
      "Example:\n"
      "  georeach basket --target Kyiv --target Lviv --missile KN-23 --within RU,BY \\\n"
      "      -o kn23_basket.gpkg\n");
}

static int cmd_basket(struct reach_ctx *ctx, int argc, char **argv) {
  enum { O_TARGET = 256, O_TARGETS, O_RANGE, O_MIN, O_MISSILE, O_BAND, O_CAT, O_ANY,
         O_WITHIN, O_TOL, O_FORMAT, O_OVERWRITE, O_STRICT, O_MODEL, O_BURNOUT };
  static const struct option opts[] = {
      {"target", required_argument, 0, O_TARGET},
      {"targets", required_argument, 0, O_TARGETS},
      {"range", required_argument, 0, O_RANGE},
      {"min-range", required_argument, 0, O_MIN},
      {"missile", required_argument, 0, O_MISSILE},
      {"band", no_argument, 0, O_BAND},
      {"catalogue", required_argument, 0, O_CAT},
      {"any", no_argument, 0, O_ANY},
      {"within", required_argument, 0, O_WITHIN},
      {"tolerance", required_argument, 0, O_TOL},
      {"format", required_argument, 0, O_FORMAT},
      {"output", required_argument, 0, 'o'},
      {"overwrite", no_argument, 0, O_OVERWRITE},
      {"strict", no_argument, 0, O_STRICT},
      {"model", required_argument, 0, O_MODEL},
      {"burnout-alt", required_argument, 0, O_BURNOUT},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  const char **texts = NULL, *targets_file = NULL, *range_arg = NULL, *missile_arg = NULL,
             *cat_file = NULL, *within = NULL, *out = NULL, *format = NULL;
  size_t ntexts = 0, ntargets = 0, ndefs = 0;
  double min_m = 0, tol_m = REACH_TOLERANCE_DEFAULT_M;
  int have_min = 0, band = 0, any = 0, overwrite = 0, strict = 0, quiet = 0, c, rc = 0;
  struct reach_site *targets = NULL;
  struct reach_catalogue *cat = NULL;
  struct reach_ring_def defs[192];
  struct reach_ballistic bms[192]; /* one per def with --model ballistic */
  int ballistic = 0;
  double burnout_m = REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M;
  struct reach_writer *w = NULL;
  struct reach_geom terr = {0};
  char terr_label[256] = "", *names = NULL;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
    switch (c) {
    case O_TARGET: {
      const char **l = realloc(texts, (ntexts + 1) * sizeof *l);
      if (!l) {
        rc = usage_error("%s", "out of memory");
        goto done;
      }
      texts = l;
      texts[ntexts++] = optarg;
      break;
    }
    case O_TARGETS: targets_file = optarg; break;
    case O_RANGE: range_arg = optarg; break;
    case O_MIN:
      if (reach_parse_distance(ctx, optarg, "km", &min_m)) {
        rc = usage_error("--min-range: %s", reach_errmsg(ctx));
        goto done;
      }
      have_min = 1;
      break;
    case O_MISSILE: missile_arg = optarg; break;
    case O_BAND: band = 1; break;
    case O_CAT: cat_file = optarg; break;
    case O_ANY: any = 1; break;
    case O_WITHIN: within = optarg; break;
    case O_TOL:
      if (reach_parse_distance(ctx, optarg, "m", &tol_m)) {
        rc = usage_error("--tolerance: %s", reach_errmsg(ctx));
        goto done;
      }
      break;
    case O_FORMAT: format = optarg; break;
    case 'o': out = optarg; break;
    case O_OVERWRITE: overwrite = 1; break;
    case O_STRICT: strict = 1; break;
    case O_MODEL:
      if ((rc = model_option(optarg, 0, &ballistic)) != 0) goto done;
      break;
    case O_BURNOUT:
      if (reach_parse_distance(ctx, optarg, "km", &burnout_m)) {
        rc = usage_error("--burnout-alt: %s", reach_errmsg(ctx));
        goto done;
      }
      break;
    case 'q': quiet = 1; break;
    case 'h': print_basket_help(); goto done;
    case ':': rc = usage_error("%s needs a value", argv[optind - 1]); goto done;
    default: rc = usage_error("unknown option '%s'", argv[optind - 1]); goto done;
    }
  }
  if (optind < argc) {
    rc = usage_error("unexpected argument '%s'", argv[optind]);
    goto done;
  }
  if (!!targets_file + !!ntexts != 1) {
    rc = usage_error("%s", ntexts ? "give --target or --targets, not both"
                                  : "no target: give --target POINT or --targets FILE");
    goto done;
  }
  if (!out) {
    rc = usage_error("%s", "no output: give -o FILE (or -o - for GeoJSON on stdout)");
    goto done;
  }
  if ((rc = weapon_defs(ctx, range_arg, NULL, missile_arg, band, have_min, min_m,
                        cat_file, defs, sizeof defs / sizeof defs[0], &ndefs, &cat)) != 0)
    goto done;
  if (ballistic && (rc = ballistic_defs(ctx, defs, 0, ndefs, bms, burnout_m)) != 0)
    goto done;
  for (size_t r = 0; r < ndefs; r++) {
    struct reach_ring_spec s = {0, 0, defs[r].range_m, defs[r].min_range_m, 0, 0, 0, tol_m, NULL, 0, 0};
    if (reach_ring_check(ctx, &s)) {
      rc = usage_error("%s", reach_errmsg(ctx));
      goto done;
    }
  }
  if ((rc = resolve_points(ctx, "--target", texts, ntexts, strict, quiet, &targets,
                           &ntargets)) != 0)
    goto done;
  if (targets_file && reach_sites_read(ctx, targets_file, 0, &targets, &ntargets, NULL)) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = EXIT_DATA;
    goto done;
  }
  if (within) {
    enum reach_status st = reach_territory(ctx, within, &terr, terr_label, sizeof terr_label);
    if (st) {
      fprintf(stderr, "%s: --within: %s\n", prog, reach_errmsg(ctx));
      rc = st == REACH_ERR_ARG ? EXIT_USAGE : EXIT_DATA;
      goto done;
    }
  }
  size_t nlen = 1;
  for (size_t i = 0; i < ntargets; i++) nlen += strlen(targets[i].name) + 2;
  names = calloc(nlen, 1);
  if (!names) {
    rc = usage_error("%s", "out of memory");
    goto done;
  }
  for (size_t i = 0; i < ntargets; i++) {
    if (i) strcat(names, "; ");
    strcat(names, targets[i].name);
  }
  enum reach_status st = reach_writer_open_basket(ctx, out, format, overwrite, &w);
  if (st) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_ARG ? EXIT_USAGE : EXIT_DATA;
    goto done;
  }
  for (size_t k = 0; k < ndefs && st == REACH_OK; k++) {
    struct reach_geom acc = {0};
    double err = 0;
    st = basket_build(ctx, targets, ntargets, &defs[k], any, within ? &terr : NULL, tol_m,
                      &acc, &err);
    if (st == REACH_OK) {
      double area = acc.npolys ? reach_geom_area_m2(ctx, &acc) : 0;
      if (acc.npolys == 0 && !quiet)
        fprintf(stderr, "%s: %s%s%.0f km: no launch point reaches %s%s%s\n", prog,
                defs[k].missile ? defs[k].missile : "", defs[k].missile ? " " : "",
                defs[k].range_m / 1000, any ? "any target" : "all the targets",
                within ? " within " : "", within ? terr_label : "");
      struct reach_basket_feature bf = {names, defs[k].missile, defs[k].band,
                                        defs[k].min_range_m / 1000, defs[k].range_m / 1000,
                                        any, within ? terr_label : "", tol_m, err,
                                        area < 0 ? 0 : area / 1e6};
      st = reach_writer_add_basket(ctx, w, &bf, &acc);
    }
    reach_geom_clear(&acc);
  }
  if (st == REACH_OK) {
    st = reach_writer_commit(ctx, w);
    w = NULL;
    if (st == REACH_OK && strcmp(out, "-") != 0 && !quiet)
      fprintf(stderr, "%s: wrote %zu basket%s to %s\n", prog, ndefs, ndefs == 1 ? "" : "s",
              shown_path(out));
  }
  if (st) {
    fprintf(stderr, "%s: %s\n", prog,
            st == REACH_ERR_INTERRUPTED ? "interrupted" : reach_errmsg(ctx));
    rc = st == REACH_ERR_INTERRUPTED ? 130 : EXIT_DATA;
  }
done:
  reach_writer_abort(w);
  reach_geom_clear(&terr);
  free(texts);
  free(targets);
  free(names);
  reach_catalogue_free(cat);
  return rc;
}

static int cmd_locate(struct reach_ctx *ctx, int argc, char **argv) {
  int strict = argc > 1 && !strcmp(argv[1], "--strict");
  if (strict) {
    argc--;
    argv++;
  }
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    printf("Usage: georeach locate [--strict] POINT...\n"
           "\n"
           "Prints the latitude and longitude (degrees, WGS84) of each POINT,\n"
           "one line each, as georeach reads it anywhere a point is asked for:\n"
           "  50.6,36.6   50.6N,36.6E   \"50.6N 36.6E\"   50d36'N,36d36'E\n"
           "  \"50 36 00N 36 36 00E\"   37UDB1234567890 (MGRS: the square's centre)\n"
           "  Pyongyang   Kharkiv,UA   (places of 15,000 people or more, GeoNames;\n"
           "  the most populous of several of one name, said on stderr, or an\n"
           "  error with --strict)   \"Label=...\" to name a point.\n"
           "Exit status: 0 ok, 2 a point could not be read.\n");
    return argc < 2 ? EXIT_USAGE : 0;
  }
  for (int i = 1; i < argc; i++) {
    double lat, lon;
    char label[REACH_NAME_LEN];
    char note[512];
    if (reach_resolve_point(ctx, argv[i], strict, &lat, &lon, label,
                            sizeof label, note, sizeof note)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      return reach_errno(ctx) == REACH_ERR_IO ? EXIT_DATA : EXIT_USAGE;
    }
    if (*note) fprintf(stderr, "%s: %s\n", prog, note);
    printf("%.9f %.9f%s%s\n", lat, lon, *label ? " " : "", label);
  }
  return 0;
}

int main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  if (argc < 2) {
    print_main_help();
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    print_main_help();
    return 0;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    printf("georeach %s (PROJ %s, GEOS %s, GDAL %s)\n", reach_version(),
           proj_info().version, GEOSversion(),
           GDALVersionInfo("RELEASE_NAME"));
    struct reach_ctx *vctx = reach_ctx_new();
    if (vctx) printf("data: %s\n", reach_ctx_data_dir(vctx));
    reach_ctx_free(vctx);
    return 0;
  }
  if (strcmp(cmd, "rings") != 0 && strcmp(cmd, "locate") != 0 &&
      strcmp(cmd, "missiles") != 0 && strcmp(cmd, "query") != 0 &&
      strcmp(cmd, "basket") != 0 && strcmp(cmd, "map") != 0) {
    fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", prog, cmd, prog);
    return EXIT_USAGE;
  }
  GDALAllRegister();
  CPLSetErrorHandler(CPLQuietErrorHandler);
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) {
    fprintf(stderr, "%s: cannot start: PROJ's database (proj.db) or GEOS is "
                    "missing\n", prog);
    return EXIT_DATA;
  }
  int rc = !strcmp(cmd, "locate")     ? cmd_locate(ctx, argc - 1, argv + 1)
           : !strcmp(cmd, "missiles") ? cmd_missiles(ctx, argc - 1, argv + 1)
           : !strcmp(cmd, "query")    ? cmd_query(ctx, argc - 1, argv + 1)
           : !strcmp(cmd, "basket")   ? cmd_basket(ctx, argc - 1, argv + 1)
           : !strcmp(cmd, "map")      ? cmd_map(ctx, argc - 1, argv + 1)
                                      : cmd_rings(ctx, argc - 1, argv + 1);
  reach_ctx_free(ctx);
  return rc;
}

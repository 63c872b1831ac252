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

#include "georeach/georeach.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

static volatile sig_atomic_t g_interrupted = 0;
static void on_signal(int sig) {
  (void)sig;
  g_interrupted = 1;
}

static const char *prog = "georeach";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "%s: ", prog);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see '%s rings --help')\n", prog);
  return EXIT_USAGE;
}

static void print_main_help(void) {
  printf(
      "Usage: georeach COMMAND [OPTIONS]\n"
      "\n"
      "Geodesic missile reach on the WGS84 ellipsoid, written as map layers.\n"
      "\n"
      "Commands:\n"
      "  rings     reach rings (discs, annuli, sectors) round launch sites\n"
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
      "Usage: georeach rings (--site POINT ... | --sites FILE)\n"
      "                      (--range DIST | --rings DIST,DIST,... |\n"
      "                       --missile NAME[,NAME...] [--band] [--catalogue FILE])\n"
      "                      [--min-range DIST] [--azimuth FROM:TO]\n"
      "                      [--tolerance DIST] -o OUT [--format DRIVER]\n"
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
      "                    lon/lng/longitude/x columns and an optional name column\n"
      "  --skip-bad        skip (and count) rows of --sites with bad coordinates\n"
      "\n"
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
      "  --azimuth FROM:TO only initial azimuths FROM..TO, degrees clockwise\n"
      "                    from north; 300:60 wraps through north\n"
      "  --tolerance DIST  error budget (default 10m): every point of every\n"
      "                    edge, read as a straight line in lon/lat as GeoJSON\n"
      "                    and QGIS read it, lies within DIST of the true\n"
      "                    boundary; vertices are added where curvature needs\n"
      "                    them.  The achieved error is written in err_m\n"
      "\n"
      "Output:\n"
      "  -o, --output OUT  .geojson (RFC 7946) .gpkg .shp .kml .fgb .csv (WKT);\n"
      "                    '-' writes GeoJSON to standard output\n"
      "  --format DRIVER   a GDAL vector driver name instead of the extension\n"
      "  --overwrite       replace OUT if it exists (refused otherwise)\n"
      "  --threads N       worker threads (default: one per core)\n"
      "  -q, --quiet       no progress\n"
      "\n"
      "Fields: site site_lat site_lon missile band min_km range_km az_from az_to\n"
      "        tol_m err_m area_km2 (geodesic area on the ellipsoid).\n"
      "OUT is written to a temporary file and moved into place when complete:\n"
      "on any error or interruption nothing is left under its name.\n"
      "\n"
      "Exit status: 0 ok, 1 bad data or file, 2 bad command line.\n"
      "\n"
      "Examples:\n"
      "  georeach rings --site 50.6,36.6 --range 550mi -o kn23.geojson\n"
      "  georeach rings --site \"Belgorod=50.6N,36.6E\" --rings 300,600,885 -o r.gpkg\n"
      "  georeach rings --sites sites.csv --range 885km --min-range 300km -o a.shp\n"
      "  georeach rings --site 78.2,15.6 --range 1500km --azimuth 300:60 -o - \n");
}

/* GDAL prints progress to stdout; ours goes to stderr like errors. */
static int progress_cb(double done, const char *msg, void *data) {
  (void)msg;
  int *last = data;
  int tenth = (int)(done * 40);
  while (*last < tenth) {
    (*last)++;
    if (*last % 4 == 0)
      fprintf(stderr, "%d", *last / 4 * 10);
    else
      fputc('.', stderr);
    if (*last == 40) fputs(" - done.\n", stderr);
  }
  fflush(stderr);
  return !g_interrupted;
}

static int quiet_cb(double done, const char *msg, void *data) {
  (void)done;
  (void)msg;
  (void)data;
  return !g_interrupted;
}

static int cmd_rings(struct reach_ctx *ctx, int argc, char **argv) {
  enum { O_SITE = 256, O_SITES, O_RANGE, O_RINGS, O_MIN, O_AZ, O_TOL, O_FORMAT,
         O_OVERWRITE, O_THREADS, O_SKIP, O_MISSILE, O_BAND, O_CATALOGUE,
         O_STRICT };
  static const struct option opts[] = {
      {"site", required_argument, 0, O_SITE},
      {"sites", required_argument, 0, O_SITES},
      {"range", required_argument, 0, O_RANGE},
      {"rings", required_argument, 0, O_RINGS},
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
             *rings_arg = NULL, *missile_arg = NULL, *cat_file = NULL;
  double min_m = 0, tol_m = REACH_TOLERANCE_DEFAULT_M, az_from = 0, az_to = 0;
  int sector = 0, overwrite = 0, threads = 0, quiet = 0, skip_bad = 0, c;
  int band = 0, have_min = 0, strict = 0;
  const char **site_texts = NULL;
  size_t nsite_texts = 0;
  int rc = 0;
  char label[REACH_NAME_LEN];
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
  for (size_t i = 0; i < nsite_texts; i++) {
    double lat, lon;
    char note[512];
    if (reach_resolve_point(ctx, site_texts[i], strict, &lat, &lon, label,
                            sizeof label, note, sizeof note)) {
      rc = reach_errno(ctx) == REACH_ERR_IO ? (fprintf(stderr, "%s: %s\n", prog,
                                                       reach_errmsg(ctx)), EXIT_DATA)
                                            : usage_error("--site: %s", reach_errmsg(ctx));
      goto done;
    }
    if (*note && !quiet) fprintf(stderr, "%s: %s\n", prog, note);
    struct reach_site *s = realloc(sites, (nsites + 1) * sizeof *s);
    if (!s) {
      rc = usage_error("%s", "out of memory");
      goto done;
    }
    sites = s;
    s = &sites[nsites++];
    if (*label)
      snprintf(s->name, sizeof s->name, "%s", label);
    else
      snprintf(s->name, sizeof s->name, "%.6f,%.6f", lat, lon);
    s->lat_deg = lat;
    s->lon_deg = lon;
  }
  if (!sites_file && nsites == 0) {
    rc = usage_error("%s", "no launch site: give --site LAT,LON or --sites FILE");
    goto done;
  }
  if (sites_file && nsites) {
    rc = usage_error("%s", "give --site or --sites, not both");
    goto done;
  }
  if (!!range_arg + !!rings_arg + !!missile_arg != 1) {
    rc = usage_error("%s", range_arg || rings_arg || missile_arg
                               ? "give one of --range, --rings and --missile"
                               : "no range: give --range DIST (e.g. 885km) or "
                                 "--missile NAME (e.g. KN-23)");
    goto done;
  }
  if (band && !missile_arg) {
    rc = usage_error("%s", "--band goes with --missile (it adds the catalogue's "
                           "low and high ranges)");
    goto done;
  }
  if (!out) {
    rc = usage_error("%s", "no output: give -o FILE (or -o - for GeoJSON on stdout)");
    goto done;
  }
  if (range_arg || rings_arg) {
    char *copy = strdup(range_arg ? range_arg : rings_arg), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
      double r;
      if (ndefs == MAXRINGS || reach_parse_distance(ctx, tok, "km", &r) ||
          (range_arg && ndefs == 1)) {
        free(copy);
        rc = usage_error(range_arg ? "--range: %s" : "--rings: %s",
                         ndefs == MAXRINGS ? "too many rings"
                         : range_arg && ndefs == 1 ? "one distance (use --rings for several)"
                                                   : reach_errmsg(ctx));
        goto done;
      }
      defs[ndefs++] = (struct reach_ring_def){r, min_m, NULL, NULL};
    }
    free(copy);
    if (ndefs == 0) {
      rc = usage_error("'%s' lists no distance", range_arg ? range_arg : rings_arg);
      goto done;
    }
  } else {
    if (reach_catalogue_load(ctx, cat_file, &cat)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = EXIT_DATA;
      goto done;
    }
    char *copy = strdup(missile_arg), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
      const struct reach_missile *m = reach_catalogue_find(ctx, cat, tok);
      if (!m) {
        free(copy);
        rc = usage_error("--missile: %s", reach_errmsg(ctx));
        goto done;
      }
      double lo = m->range_low_km, hi = m->range_high_km;
      double r3[3] = {m->range_km, band ? lo : NAN, band ? hi : NAN};
      const char *b3[3] = {"nominal", "low", "high"};
      for (int k = 0; k < 3; k++) {
        if (!(r3[k] > 0) || (k > 0 && r3[k] == m->range_km)) continue;
        if (ndefs == MAXRINGS) {
          free(copy);
          rc = usage_error("%s", "--missile: too many rings");
          goto done;
        }
        double r0 = have_min ? min_m : m->min_km * 1000;
        if (r0 >= r3[k] * 1000) r0 = 0; /* a low band below the minimum */
        defs[ndefs++] = (struct reach_ring_def){r3[k] * 1000, r0, m->name, b3[k]};
      }
    }
    free(copy);
    if (ndefs == 0) {
      rc = usage_error("--missile: '%s' names no missile", missile_arg);
      goto done;
    }
  }
  /* Check every value once, before any file is touched. */
  for (size_t r = 0; r < ndefs; r++) {
    struct reach_ring_spec s = {0, 0, defs[r].range_m, defs[r].min_range_m,
                                sector, az_from, az_to, tol_m};
    if (reach_ring_check(ctx, &s)) {
      rc = usage_error("%s", reach_errmsg(ctx));
      goto done;
    }
  }
  if (sites_file) {
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
  enum reach_status st = reach_writer_open(ctx, out, format, overwrite, &w);
  if (st) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_ARG ? EXIT_USAGE : EXIT_DATA;
    goto done;
  }
  struct reach_rings_job job = {sites, nsites, defs, ndefs, sector,
                                az_from, az_to, tol_m, threads};
  int ticks = 0;
  int show = !quiet && isatty(STDERR_FILENO) && nsites * ndefs > 1;
  st = reach_rings_write(ctx, &job, w, show ? progress_cb : quiet_cb, &ticks);
  if (st == REACH_OK) {
    size_t count = reach_writer_count(w);
    st = reach_writer_commit(ctx, w);
    if (st == REACH_OK && strcmp(out, "-") != 0 && !quiet)
      fprintf(stderr, "%s: wrote %zu ring%s to %s\n", prog, count,
              count == 1 ? "" : "s", out);
  } else {
    reach_writer_abort(w);
  }
  if (st) {
    fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
    rc = st == REACH_ERR_INTERRUPTED ? 130 : EXIT_DATA;
  }
done:
  free(sites);
  free(site_texts);
  reach_catalogue_free(cat);
  return rc;
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
    return 0;
  }
  if (strcmp(cmd, "rings") != 0 && strcmp(cmd, "locate") != 0 &&
      strcmp(cmd, "missiles") != 0) {
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
                                      : cmd_rings(ctx, argc - 1, argv + 1);
  reach_ctx_free(ctx);
  return rc;
}

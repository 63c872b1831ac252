/* Helpers shared by the georeach commands: errors, progress, points and
 * weapon definitions from the command line. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

volatile sig_atomic_t g_interrupted = 0;
void on_signal(int sig) {
  (void)sig;
  g_interrupted = 1;
}

const char *prog = "georeach";

int usage_error_opt(const char *opt, const char *msg) {
  fprintf(stderr, "%s: %s: %s (see '%s COMMAND --help')\n", prog, opt, msg, prog);
  return EXIT_USAGE;
}

int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "%s: ", prog);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see '%s rings --help')\n", prog);
  return EXIT_USAGE;
}

/* GDAL prints progress to stdout; ours goes to stderr like errors. */
int progress_cb(double done, const char *msg, void *data) {
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

int quiet_cb(double done, const char *msg, void *data) {
  (void)done;
  (void)msg;
  (void)data;
  return !g_interrupted;
}

/* Resolve point texts (--site, --target) into sites appended to *sites.
 * Returns 0, or the exit code after printing the error. */
int resolve_points(struct reach_ctx *ctx, const char *opt,
                          const char **texts, size_t n, int strict, int quiet,
                          struct reach_site **sites_io, size_t *nsites_io) {
  struct reach_site *sites = *sites_io;
  size_t nsites = *nsites_io;
  char label[REACH_NAME_LEN];
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    double lat, lon;
    char note[512];
    if (reach_resolve_point(ctx, texts[i], strict, &lat, &lon, label,
                            sizeof label, note, sizeof note)) {
      rc = reach_errno(ctx) == REACH_ERR_IO ? (fprintf(stderr, "%s: %s\n", prog,
                                                       reach_errmsg(ctx)), EXIT_DATA)
                                            : usage_error_opt(opt, reach_errmsg(ctx));
      goto out;
    }
    if (*note && !quiet) fprintf(stderr, "%s: %s\n", prog, note);
    struct reach_site *s = realloc(sites, (nsites + 1) * sizeof *s);
    if (!s) {
      rc = usage_error("%s", "out of memory");
      goto out;
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
out:
  *sites_io = sites;
  *nsites_io = nsites;
  return rc;
}

/* The rings to draw or the weapons to query: --range, --rings or --missile
 * (with --band, --min-range, --catalogue).  Returns 0 or the exit code. */
int weapon_defs(struct reach_ctx *ctx, const char *range_arg,
                       const char *rings_arg, const char *missile_arg, int band,
                       int have_min, double min_m, const char *cat_file,
                       struct reach_ring_def *defs, size_t maxdefs, size_t *ndefs_out,
                       struct reach_catalogue **cat_out) {
  size_t ndefs = 0;
  struct reach_catalogue *cat = NULL;
  int rc = 0;
  if (!!range_arg + !!rings_arg + !!missile_arg != 1) {
    rc = usage_error("%s", range_arg || rings_arg || missile_arg
                               ? "give one of --range, --rings and --missile"
                               : "no range: give --range DIST (e.g. 885km) or "
                                 "--missile NAME (e.g. KN-23)");
    goto out;
  }
  if (band && !missile_arg) {
    rc = usage_error("%s", "--band goes with --missile (it adds the catalogue's "
                           "low and high ranges)");
    goto out;
  }
  if (range_arg || rings_arg) {
    char *copy = strdup(range_arg ? range_arg : rings_arg), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
      double r;
      if (ndefs == maxdefs || reach_parse_distance(ctx, tok, "km", &r) ||
          (range_arg && ndefs == 1)) {
        free(copy);
        rc = usage_error(range_arg ? "--range: %s" : "--rings: %s",
                         ndefs == maxdefs ? "too many rings"
                         : range_arg && ndefs == 1 ? "one distance (use --rings for several)"
                                                   : reach_errmsg(ctx));
        goto out;
      }
      defs[ndefs++] = (struct reach_ring_def){r, min_m, NULL, NULL, NULL, 0, NULL};
    }
    free(copy);
    if (ndefs == 0) {
      rc = usage_error("'%s' lists no distance", range_arg ? range_arg : rings_arg);
      goto out;
    }
  } else {
    if (reach_catalogue_load(ctx, cat_file, &cat)) {
      fprintf(stderr, "%s: %s\n", prog, reach_errmsg(ctx));
      rc = EXIT_DATA;
      goto out;
    }
    char *copy = strdup(missile_arg), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
      const struct reach_missile *m = reach_catalogue_find(ctx, cat, tok);
      if (!m) {
        free(copy);
        rc = usage_error("--missile: %s", reach_errmsg(ctx));
        goto out;
      }
      double lo = m->range_low_km, hi = m->range_high_km;
      double r3[3] = {m->range_km, band ? lo : NAN, band ? hi : NAN};
      const char *b3[3] = {"nominal", "low", "high"};
      for (int k = 0; k < 3; k++) {
        if (!(r3[k] > 0) || (k > 0 && r3[k] == m->range_km)) continue;
        if (ndefs == maxdefs) {
          free(copy);
          rc = usage_error("%s", "--missile: too many rings");
          goto out;
        }
        double r0 = have_min ? min_m : m->min_km * 1000;
        if (r0 >= r3[k] * 1000) r0 = 0; /* a low band below the minimum */
        defs[ndefs++] = (struct reach_ring_def){r3[k] * 1000, r0, m->name, b3[k], NULL, 0, NULL};
      }
    }
    free(copy);
    if (ndefs == 0) {
      rc = usage_error("--missile: '%s' names no missile", missile_arg);
      goto out;
    }
  }
out:
  *ndefs_out = ndefs;
  *cat_out = cat;
  return rc;
}


int model_option(const char *arg, int allow_both, int *model) {
  if (!strcmp(arg, "circle")) {
    *model = 0;
  } else if (!strcmp(arg, "ballistic")) {
    *model = 1;
  } else if (allow_both && !strcmp(arg, "both")) {
    *model = 2;
  } else {
    return usage_error_opt("--model", allow_both ? "give circle, ballistic or both"
                                                 : "give circle or ballistic");
  }
  return 0;
}

int ballistic_defs(struct reach_ctx *ctx, struct reach_ring_def *defs, size_t from,
                   size_t to, struct reach_ballistic *models, double burnout_m) {
  for (size_t k = from; k < to; k++) {
    if (reach_ballistic_init(ctx, &models[k], defs[k].range_m, burnout_m))
      return usage_error_opt("--model ballistic", reach_errmsg(ctx));
    defs[k].ballistic = &models[k];
  }
  return 0;
}

int trajectory_option(const char *arg, int *aim) {
  if (!strcmp(arg, "min-energy") || !strcmp(arg, "minimum-energy")) {
    *aim = REACH_BALLISTIC_MIN_ENERGY;
  } else if (!strcmp(arg, "depressed")) {
    *aim = REACH_BALLISTIC_DEPRESSED;
  } else if (!strcmp(arg, "lofted")) {
    *aim = REACH_BALLISTIC_LOFTED;
  } else {
    return usage_error_opt("--trajectory", "give min-energy, depressed or lofted "
                                           "(or --gamma DEG)");
  }
  return 0;
}

int gamma_option(const char *arg, double *gamma_deg) {
  char *e;
  double g = strtod(arg, &e);
  if (e == arg || *e || !(g > -90 && g < 90))
    return usage_error_opt("--gamma", "give the burnout flight-path angle in degrees "
                                      "above the horizontal, e.g. 20");
  *gamma_deg = g;
  return 0;
}

int trajectory_apply(struct reach_ctx *ctx, struct reach_ballistic *models, size_t n,
                     int aim, double gamma_deg) {
  for (size_t k = 0; k < n; k++) {
    models[k].aim = (enum reach_ballistic_aim)aim;
    models[k].gamma_deg = gamma_deg;
    /* the angle's range depends on the burnout altitude: the library says */
    struct reach_ballistic_traj t;
    if (aim == REACH_BALLISTIC_GAMMA &&
        reach_ballistic_reach(ctx, &models[k], 0, 0, 0, &t) != REACH_OK)
      return usage_error_opt("--gamma", reach_errmsg(ctx));
  }
  return 0;
}

int times_option(struct reach_ctx *ctx, const char *opt, const char *arg, double unit_s,
                 double *times, size_t max, size_t *n) {
  char *copy = strdup(arg), *save = NULL;
  (void)ctx;
  if (!copy) return usage_error("%s", "out of memory");
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *e;
    double v = strtod(tok, &e);
    if (e == tok || *e || !(v > 0) || !isfinite(v) || *n == max) {
      free(copy);
      return usage_error_opt(opt, *n == max ? "too many flight times"
                                            : "give positive numbers with commas, e.g. 1,2,5,10");
    }
    times[(*n)++] = v * unit_s;
  }
  free(copy);
  if (*n == 0) return usage_error_opt(opt, "lists no time");
  return 0;
}

int isochrone_defs(struct reach_ring_def *defs, size_t *ndefs, size_t max,
                   const double *times, size_t ntimes) {
  if (ntimes == 0) return 0;
  if (*ndefs * ntimes > max) return usage_error("%s", "too many rings x flight times");
  /* def-major: every time of def 0, then def 1 (copies share the model) */
  for (size_t k = *ndefs; k-- > 0;)
    for (size_t j = 0; j < ntimes; j++) {
      defs[k * ntimes + j] = defs[k];
      defs[k * ntimes + j].tof_max_s = times[j];
    }
  *ndefs *= ntimes;
  return 0;
}

const char *shown_path(const char *path) {
  static char buf[1024];
  reach_redact_connection(path, buf, sizeof buf);
  return buf;
}

enum reach_status basket_build(struct reach_ctx *ctx, const struct reach_site *targets,
                               size_t ntargets, const struct reach_ring_def *def, int any,
                               const struct reach_geom *terr, double tol_m,
                               struct reach_geom *out, double *err) {
  struct reach_geom acc = {0};
  enum reach_status st = REACH_OK;
  *err = 0;
  for (size_t i = 0; i < ntargets && st == REACH_OK; i++) {
    struct reach_ring_spec s = {.lat_deg = targets[i].lat_deg,
                                .lon_deg = targets[i].lon_deg, .range_m = def->range_m,
                                .min_range_m = def->min_range_m, .tolerance_m = tol_m,
                                .ballistic = def->ballistic, .ballistic_to_centre = 1};
    struct reach_ring ring;
    if ((st = reach_ring_build(ctx, &s, &ring)) != REACH_OK) break;
    if (ring.err_m > *err) *err = ring.err_m;
    if (i == 0) {
      acc = ring.geom;
      memset(&ring.geom, 0, sizeof ring.geom);
    } else {
      struct reach_geom next;
      st = reach_geom_overlay(ctx, &acc, &ring.geom, any ? REACH_UNION : REACH_INTERSECTION,
                              &next);
      reach_geom_clear(&acc);
      acc = next;
    }
    reach_ring_clear(&ring);
    if (g_interrupted) st = REACH_ERR_INTERRUPTED;
  }
  if (st == REACH_OK && terr) {
    struct reach_geom clipped;
    st = reach_geom_overlay(ctx, &acc, terr, REACH_INTERSECTION, &clipped);
    reach_geom_clear(&acc);
    acc = clipped;
  }
  if (st != REACH_OK) reach_geom_clear(&acc);
  *out = acc;
  return st;
}

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

/* A --missile name resolved as place names are: an ambiguous name is taken as
 * its most likely system, said on stderr unless quiet (strict: an error
 * listing them); a system with no public maximum range is an error.  Returns
 * 0, or the exit code after the message. */
int missile_lookup(struct reach_ctx *ctx, const struct reach_catalogue *cat,
                   const char *name, int strict, int quiet,
                   const struct reach_missile **out) {
  char note[1200], msg[800];
  const struct reach_missile *m =
      reach_catalogue_resolve(ctx, cat, name, strict, NULL, note, sizeof note);
  *out = m;
  if (!m) return usage_error("--missile: %s", reach_errmsg(ctx));
  if (*note && !quiet) fprintf(stderr, "%s: %s\n", prog, note);
  if (!(m->range_km > 0)) {
    snprintf(msg, sizeof msg, "%s has no public maximum range (%s); draw it with "
             "--range DIST instead", m->name, m->source);
    *out = NULL;
    return usage_error("--missile: %s", msg);
  }
  return 0;
}

/* The rings to draw or the weapons to query: --range, --rings or --missile
 * (with --band, --min-range, --catalogue).  Returns 0 or the exit code. */
int weapon_defs(struct reach_ctx *ctx, const char *range_arg,
                       const char *rings_arg, const char *missile_arg, int band,
                       int strict, int quiet,
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
      defs[ndefs++] = (struct reach_ring_def){r, min_m, NULL, NULL, NULL, NULL};
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
      const struct reach_missile *m;
      if ((rc = missile_lookup(ctx, cat, tok, strict, quiet, &m)) != 0) {
        free(copy);
        goto out;
      }
      double lo = m->range_low_km, hi = m->range_high_km;
      double r3[3] = {m->range_km, band ? lo : NAN, band ? hi : NAN};
      const char *b3[3] = {"nominal", "low", "high"};
      const char *k3[3] = {m->range_kind, m->low_kind, m->high_kind};
      for (int k = 0; k < 3; k++) {
        if (!(r3[k] > 0) || (k > 0 && r3[k] == m->range_km)) continue;
        if (ndefs == maxdefs) {
          free(copy);
          rc = usage_error("%s", "--missile: too many rings");
          goto out;
        }
        double r0 = have_min ? min_m : m->min_km * 1000;
        if (r0 >= r3[k] * 1000) r0 = 0; /* a low band below the minimum */
        defs[ndefs++] = (struct reach_ring_def){r3[k] * 1000, r0, m->name, b3[k], NULL, k3[k]};
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

/* georeach query: what is in range, one row per site x missile x target, as
 * text (table, CSV, JSON) or a layer; and a summary per site and missile:
 * targets and people in range, countries reached. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/app.h"

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

void app_csv_field(FILE *out, const char *v, int last) {
  if (strpbrk(v, ",\"\n")) {
    putc('"', out);
    for (const char *p = v; *p; p++) {
      if (*p == '"') putc('"', out);
      putc(*p, out);
    }
    putc('"', out);
  } else {
    fputs(v, out);
  }
  putc(last ? '\n' : ',', out);
}

void app_json_string(FILE *out, const char *v) {
  putc('"', out);
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
    else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
    else putc(*p, out);
  }
  putc('"', out);
}

struct state {
  struct reach_site *tsites; /* --target points before they become targets */
  struct reach_target *targets;
  size_t ntargets;
  int tof; /* flight times: the ballistic model, or circles' (--tof, ...) */
  char countries[1024]; /* --country as ISO codes, "UA,PL" */
};

struct qout {
  int fmt; /* enum app_as */
  int wsite, wmissile, wtarget; /* table: column widths, display columns */
  struct reach_writer *lines;   /* -o: the site-to-target geodesics, or NULL */
  struct reach_ctx *ctx;
  struct reach_app *app;
  FILE *out;
  struct reach_writer *w;
  const char *file; /* out is the staged stream of this file (-o with --as) */
  const struct reach_site *sites;
  const struct reach_ring_def *weapons;
  const struct reach_target *targets;
  size_t rows, calls, total;
  size_t *in_count; /* per site x weapon */
  double *in_pop;
  size_t nweapons;
  int ballistic; /* add flight times */
  double *first_s;  /* per target: earliest arrival seen (warning time), or NULL */
  size_t *first_at; /* its site * nweapons + weapon */
  enum reach_status fail; /* why a row stopped the run (not the callback) */
  char failmsg[REACH_ERRMSG_LEN];
};

void app_put_cell(FILE *out, const char *text, int width) {
  char esc[4096]; /* the longest cell (a catalogue's names, 772 bytes) escaped */
  reach_text_escape(text, esc, sizeof esc);
  fputs(esc, out);
  for (size_t w = reach_text_width(esc); w < (size_t)width; w++) putc(' ', out);
}

int app_cell_width(const char *text) {
  char esc[4096]; /* the longest cell (a catalogue's names, 772 bytes) escaped */
  size_t n = reach_text_width(reach_text_escape(text, esc, sizeof esc));
  return n > 100000 ? 100000 : (int)n;
}

static int row_failed(struct qout *q, enum reach_status st) {
  q->fail = st;
  snprintf(q->failmsg, sizeof q->failmsg, "%s", reach_errmsg(q->ctx));
  return 0;
}

static int query_row(const struct reach_query_row *r, void *data) {
  struct qout *q = data;
  FILE *out = q->out;
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
  case AS_TABLE: {
    /* a newline or control character in a name must not break the row */
    app_put_cell(out, site, q->wsite);
    putc(' ', out);
    app_put_cell(out, *missile ? missile : "-", q->wmissile);
    putc(' ', out);
    app_put_cell(out, t->name, q->wtarget);
    fprintf(out, " %10.3f %7.2f %7.2f %9.1f %7.1f %10.3f  %s", dist, r->az_deg, r->baz_deg,
            rng, mn, margin, r->in_range ? "yes" : "no");
    if (q->ballistic) fprintf(out, "%*s%7.1f", r->in_range ? 6 : 7, "", r->tof_s);
    putc('\n', out);
    break;
  }
  case AS_CSV:
    app_csv_field(out, site, 0);
    app_csv_field(out, missile, 0);
    app_csv_field(out, t->name, 0);
    {
      char line[320], *b = line;
      const double v[8] = {t->lat_deg, t->lon_deg, dist, r->az_deg, r->baz_deg, rng, mn, margin};
      for (int k = 0; k < 8; k++) {
        b = put_fixed6(b, v[k]);
        *b++ = ',';
      }
      const char *yes = r->in_range ? "true" : "false";
      size_t n = strlen(yes);
      memcpy(b, yes, n);
      b += n;
      fwrite(line, 1, (size_t)(b - line), out);
    }
    if (q->ballistic) fprintf(out, ",%.3f", r->tof_s);
    putc(',', out);
    app_csv_field(out, w->source ? w->source : "", 1);
    break;
  case AS_JSON:
    fprintf(out, "%s\n {\"site\": ", q->rows ? "," : "");
    app_json_string(out, site);
    fputs(", \"missile\": ", out);
    app_json_string(out, missile);
    fputs(", \"target\": ", out);
    app_json_string(out, t->name);
    fprintf(out,
            ", \"target_lat\": %.9f, \"target_lon\": %.9f, \"dist_km\": %.6f, "
            "\"az_deg\": %.6f, \"baz_deg\": %.6f, \"range_km\": %.6f, \"min_km\": %.6f, "
            "\"margin_km\": %.6f, \"in_range\": %s",
            t->lat_deg, t->lon_deg, dist, r->az_deg, r->baz_deg, rng, mn, margin,
            r->in_range ? "true" : "false");
    if (q->ballistic) {
      if (isnan(r->tof_s)) fputs(", \"tof_s\": null", out);
      else fprintf(out, ", \"tof_s\": %.3f", r->tof_s);
    }
    fputs(", \"source\": ", out);
    app_json_string(out, w->source ? w->source : "");
    putc('}', out);
    break;
  default: {
    struct reach_query_feature f = {site, missile, t->name, dist, r->az_deg, r->baz_deg,
                                    rng, mn, margin, r->in_range, t->lat_deg, t->lon_deg,
                                    r->tof_s, w->source};
    enum reach_status st = reach_writer_add_query(q->ctx, q->w, &f);
    if (st == REACH_OK && q->lines) {
      /* the geodesic from the site to the target, to --tolerance */
      const struct reach_site *ps = &q->sites[r->site];
      struct reach_lines g;
      double err = 0;
      double tol_m = q->app->o.tol_m;
      st = reach_line_between(q->ctx, ps->lat_deg, ps->lon_deg, t->lat_deg, t->lon_deg, tol_m,
                              &g, &err);
      if (st == REACH_OK)
        st = reach_writer_add_query_line(q->ctx, q->lines, &f, ps->lat_deg, ps->lon_deg, tol_m,
                                         err, &g);
      reach_lines_clear(&g);
    }
    if (st != REACH_OK) return row_failed(q, st);
  }
  }
  q->rows++;
  /* the callback and the stream, every 256 calls (rows left out included) */
  if (++q->calls % 256 == 0) {
    if (q->fmt != AS_GEOJSON && ferror(out))
      return row_failed(q, q->file ? reach_fail(q->ctx, REACH_ERR_IO, "cannot write %s",
                                                app_shown_path(q->file))
                                   : app_out_check(q->ctx, q->app));
    return app_progress(q->app, q->total ? (double)q->calls / q->total : 0, 0);
  }
  return 1;
}

/* A targets file read a batch at a time straight into targets (a million
 * targets need no second copy as sites). */
static enum reach_status read_targets(struct reach_ctx *ctx, const char *path,
                                      const struct reach_sites_options *opt,
                                      struct reach_target **out, size_t *n) {
  enum { BATCH = 4096 };
  struct reach_sites_reader *r;
  struct reach_site *buf = malloc(BATCH * sizeof *buf);
  struct reach_target *t = NULL;
  size_t cap = 0, got;
  *n = 0;
  if (!buf) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading the targets");
  enum reach_status st = reach_sites_open_with(ctx, path, opt, &r);
  if (st != REACH_OK) {
    free(buf);
    return st;
  }
  while ((st = reach_sites_next(ctx, r, buf, BATCH, &got)) == REACH_OK && got > 0) {
    if (*n + got > cap) {
      size_t c = cap ? 2 * cap : (size_t)2 * BATCH;
      struct reach_target *p = realloc(t, c * sizeof *p);
      if (!p) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading the targets");
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

/* The bundled places as targets, filtered by population and country. */
static enum reach_status city_targets(struct reach_ctx *ctx, struct reach_app *app,
                                      struct state *s) {
  const struct reach_place *pl;
  size_t np;
  const char *countries = app->o.country ? s->countries : NULL;
  enum reach_status st = reach_places(ctx, &pl, &np);
  if (st) return st;
  if (!(s->targets = calloc(np ? np : 1, sizeof *s->targets)))
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < np; i++) {
    if (pl[i].population < app->o.min_population) continue;
    if (countries) {
      size_t l = strlen(pl[i].country);
      int hit = 0;
      for (const char *p = countries; p && *p && !hit; p = strchr(p, ','), p = p ? p + 1 : NULL)
        hit = l && !strncmp(p, pl[i].country, l) && (p[l] == ',' || p[l] == '\0');
      if (!hit) continue;
    }
    struct reach_target *t = &s->targets[s->ntargets++];
    snprintf(t->name, sizeof t->name, "%.120s,%s", pl[i].name, pl[i].country);
    t->lat_deg = pl[i].lat_deg;
    t->lon_deg = pl[i].lon_deg;
    t->population = pl[i].population;
    snprintf(t->country, sizeof t->country, "%s", pl[i].country);
  }
  /* say only what the person asked for */
  if (s->ntargets == 0 && app->o.have_minpop)
    return reach_fail(ctx, REACH_ERR_DATA, "no city of %ld people or more%s%s%s",
                      app->o.min_population, countries ? " in " : "",
                      countries ? app->o.country : "", countries ? "" : " in the gazetteer");
  if (s->ntargets == 0)
    return reach_fail(ctx, REACH_ERR_DATA, "no city in %s among the bundled places (15,000 "
                      "people or more)", countries ? app->o.country : "the gazetteer");
  return REACH_OK;
}

static int cities(const struct app_opts *o) {
  return o->targets_file && !strcmp(o->targets_file, "cities");
}

static enum reach_status prepare(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct state *s = app->state = calloc(1, sizeof *s);
  enum reach_status st;
  if (!s) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  if (!!o->sites_file + !!o->nsite_texts != 1)
    return app_usage(ctx, app, "%s", o->nsite_texts ? "give --site or --sites, not both"
                                                    : "no launch site: give --site or --sites");
  if (!!o->targets_file + !!o->ntarget_texts != 1)
    return app_usage(ctx, app, "%s", o->ntarget_texts ? "give --target or --targets, not both"
                                                      : "no target: give --target POINT or "
                                                        "--targets FILE|cities");
  if ((o->have_minpop || o->country) && !cities(o))
    return app_usage(ctx, app, "--min-population and --country go with --targets cities");
  if ((st = app_weapons(ctx, app))) return st;
  if ((st = app_flight_checks(ctx, app, 1))) return st;
  if (o->ntimes)
    return app_usage(ctx, app, "--minutes and --seconds draw isochrones: 'georeach rings' "
                               "and 'georeach map' take them");
  if (o->have_by && !o->nearest) return app_usage(ctx, app, "--by goes with --nearest");
  /* flight times: always with the ballistic model; for circles on request
   * (or implied by a trajectory or --by time), from the non-rotating model */
  s->tof = o->model || o->tof || o->by_time || o->have_traj || o->have_gamma;
  if (o->model && o->nearest && !o->by_time)
    return app_usage(ctx, app, "--nearest is for the circular model (the ballistic reach "
                               "depends on the direction); use --nearest --by time, or list "
                               "the rows instead");
  if (s->tof) {
    if ((st = app_ballistic(ctx, app, 0, app->ndefs))) return st;
    for (size_t k = 0; k < app->ndefs && !o->model; k++) {
      app->bms[k].omega_rad_s = 0; /* the circle is this model's reach */
      app->defs[k].tof_model = &app->bms[k];
      app->defs[k].ballistic = NULL;
    }
  }
  if ((st = app_check_defs(ctx, app, 0, 10))) return st;
  if ((st = app_countries(ctx, app, "--country", o->country, s->countries,
                          sizeof s->countries)))
    return st;
  if ((st = app_output_check(ctx, app))) return st;
  if ((st = app_points(ctx, app, "--site", o->site_texts, o->nsite_texts, &app->pts,
                       &app->npts)))
    return st;
  return app_points(ctx, app, "--target", o->target_texts, o->ntarget_texts, &s->tsites,
                    &s->ntargets);
}

/* The summary on the notes: targets (and people) in range per site and
 * weapon, and the countries each ring reaches with the share of each. */
/* The notes on sites pts[0..npts) with weapons defs[0..ndefs) (a run of
 * sites of one weapon when the rows give their own). */
static void summary(struct reach_ctx *ctx, struct reach_app *app, const struct qout *q,
                    const struct reach_site *pts, size_t npts,
                    const struct reach_ring_def *defs, size_t ndefs, size_t all) {
  const struct app_opts *o = &app->o;
  struct state *s = app->state;
  for (size_t i = 0; i < npts; i++)
    for (size_t k = 0; k < ndefs; k++) {
      const struct reach_ring_def *d = &defs[k];
      char pop[64] = "";
      if (cities(o)) snprintf(pop, sizeof pop, ", %.0f people", q->in_pop[i * ndefs + k]);
      app_note(app, "%s, %s%s%.0f km: %zu of %zu targets in range%s", pts[i].name,
               d->missile ? d->missile : "", d->missile ? " " : "", d->range_m / 1000,
               q->in_count[i * ndefs + k], s->ntargets, pop);
      if (all > 50 && !o->summary) continue;
      struct reach_ring_spec rs = {.lat_deg = pts[i].lat_deg,
                                   .lon_deg = pts[i].lon_deg,
                                   .range_m = d->range_m,
                                   .min_range_m = d->min_range_m,
                                   .tolerance_m = 100};
      struct reach_ring ring;
      struct reach_country_share *sh = NULL;
      size_t nsh = 0;
      if (reach_ring_build(ctx, &rs, &ring) == REACH_OK &&
          reach_countries_reached(ctx, &ring.geom, &sh, &nsh) == REACH_OK && nsh) {
        char line[1024];
        int len = snprintf(line, sizeof line, "  reaches");
        for (size_t j = 0; j < nsh && j < 8 && len < (int)sizeof line; j++)
          len += snprintf(line + len, sizeof line - (size_t)len, "%s %s %.1f%% (%.0f km2)",
                          j ? "," : "", sh[j].iso_a2,
                          100 * sh[j].area_in_m2 / sh[j].area_m2, sh[j].area_in_m2 / 1e6);
        if (nsh > 8 && len < (int)sizeof line)
          snprintf(line + len, sizeof line - (size_t)len, " and %zu more", nsh - 8);
        app_note(app, "%s", line);
      }
      free(sh);
      reach_ring_clear(&ring);
    }
}

static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct state *s = app->state;
  struct reach_writer *w = NULL, *lw = NULL;
  struct reach_stream *stream = NULL;
  size_t *in_count = NULL, *first_at = NULL;
  double *first_s = NULL;
  double *in_pop = NULL;
  int fmt = o->as < 0 ? AS_TABLE : o->as;
  enum reach_status st = REACH_OK;
  struct app_spec *specs = NULL;
  if (o->sites_file) {
    /* each site's own weapon when the file has columns for it */
    struct reach_sites_options so = app_sites_options(app, 1);
    struct reach_sites_reader *r = NULL;
    if ((st = reach_sites_open_with(ctx, o->sites_file, &so, &r))) goto done;
    if (!(st = app_rows_needed(ctx, app, r)) && reach_sites_params(r) &&
        (o->nearest || s->tof))
      st = app_usage(ctx, app, "%s has columns of parameters per row (missile, range, ...): "
                     "not with --nearest or flight times (--tof, --model ballistic)",
                     app_shown_path(o->sites_file));
    if (!st) st = app_read_rows(ctx, app, r, o->sites_file, &specs);
    reach_sites_close(r);
    if (st) goto done;
  }
  if (cities(o)) {
    if ((st = city_targets(ctx, app, s))) goto done;
  } else if (o->targets_file) {
    struct reach_sites_options to = app_sites_options(app, 0);
    if ((st = read_targets(ctx, o->targets_file, &to, &s->targets, &s->ntargets)))
      goto done;
  } else {
    if (!(s->targets = calloc(s->ntargets ? s->ntargets : 1, sizeof *s->targets))) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      goto done;
    }
    for (size_t i = 0; i < s->ntargets; i++) {
      /* names are NUL-terminated within REACH_NAME_LEN */
      memcpy(s->targets[i].name, s->tsites[i].name, sizeof s->targets[i].name);
      s->targets[i].lat_deg = s->tsites[i].lat_deg;
      s->targets[i].lon_deg = s->tsites[i].lon_deg;
    }
  }
  /* -o FILE with --as table, csv or json: the text standard output would
   * get, into FILE through a staged stream (atomic as every output, and as
   * fast as standard output: GDAL's CSV writer took 3.6 times as long for
   * a million rows); without --as (or with -f), a GDAL layer */
  FILE *out = app->out;
  if (o->out && o->as >= 0 && o->as != AS_GEOJSON && !o->format) {
    if ((st = reach_stream_open(ctx, o->out, o->overwrite, &stream))) goto done;
    out = reach_stream_file(stream);
  } else if (o->out || fmt == AS_GEOJSON) {
    reach_ctx_set_write_tolerance(ctx, o->tol_m); /* the lines' (GeoJSON's digits) */
    if ((st = reach_writer_open_query(ctx, o->out ? o->out : "-", o->format, o->overwrite, &w)))
      goto done;
    /* -o FILE: the site-to-target geodesics beside the points (standard
     * output, or a device or pipe in a one-layer format, holds the points
     * only) */
    if (!o->no_lines && reach_writer_can_add_beside(w) &&
        (st = reach_writer_open_beside(ctx, w, "query_lines", &lw)))
      goto done;
    fmt = AS_GEOJSON;
  }
  in_count = calloc(app->npts * app->ndefs + 1, sizeof *in_count);
  in_pop = calloc(app->npts * app->ndefs + 1, sizeof *in_pop);
  if (!in_count || !in_pop) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* warning times for a summary: the earliest arrival at each target */
  if (s->tof && !o->quiet && s->ntargets <= 50) {
    first_s = malloc((s->ntargets + 1) * sizeof *first_s);
    first_at = calloc(s->ntargets + 1, sizeof *first_at);
    for (size_t t = 0; first_s && t < s->ntargets; t++) first_s[t] = INFINITY;
  }
  /* table columns as wide as the widest name (at least the old 20/12/24):
   * every name is known before the first row */
  int wcol[3] = {20, 12, 24};
  for (size_t i = 0; fmt == AS_TABLE && i < app->npts; i++) {
    int n = app_cell_width(app->pts[i].name);
    if (n > wcol[0]) wcol[0] = n;
  }
  for (size_t k = 0; fmt == AS_TABLE && k < app->ndefs; k++) {
    int n = app_cell_width(app->defs[k].missile ? app->defs[k].missile : "-");
    if (n > wcol[1]) wcol[1] = n;
  }
  for (size_t i = 0; fmt == AS_TABLE && specs && i < app->npts; i++) /* per-row weapons */
    for (size_t k = 0; k < specs[i].ndefs; k++) {
      int n = app_cell_width(specs[i].defs[k].missile ? specs[i].defs[k].missile : "-");
      if (n > wcol[1]) wcol[1] = n;
    }
  for (size_t i = 0; fmt == AS_TABLE && i < s->ntargets; i++) {
    int n = app_cell_width(s->targets[i].name);
    if (n > wcol[2]) wcol[2] = n;
  }
  struct qout q = {fmt, wcol[0], wcol[1], wcol[2], lw,
                   ctx, app, out, w, stream ? o->out : NULL, app->pts, app->defs, s->targets, 0, 0,
                   o->nearest ? s->ntargets : app->npts * app->ndefs * s->ntargets,
                   in_count, in_pop, app->ndefs, s->tof, first_s && first_at ? first_s : NULL,
                   first_at, REACH_OK, ""};
  if (fmt == AS_TABLE) {
    fprintf(out, "%-*s %-*s %-*s %10s %7s %7s %9s %7s %10s  %s%s\n", wcol[0], "SITE",
            wcol[1], "MISSILE", wcol[2], "TARGET", "DIST_KM", "AZ", "BAZ", "RANGE_KM",
            "MIN_KM", "MARGIN_KM", "IN_RANGE", s->tof ? "   TOF_S" : "");
  }
  if (fmt == AS_CSV)
    fprintf(out,
            "site,missile,target,target_lat,target_lon,dist_km,az_deg,baz_deg,range_km,min_km,"
            "margin_km,in_range%s,source\n",
            s->tof ? ",tof_s" : "");
  if (fmt == AS_JSON) fputc('[', out);
  /* per-row weapons: each run of sites of one weapon is queried alone */
  size_t per_run = 0;
  for (size_t i = 0; specs && i < app->npts && st == REACH_OK;) {
    size_t j = i + 1;
    while (j < app->npts && app_spec_same(&specs[i], &specs[j])) j++;
    size_t nd = specs[i].ndefs;
    size_t *ic = calloc((j - i) * nd + 1, sizeof *ic);
    double *ip = calloc((j - i) * nd + 1, sizeof *ip);
    if (!ic || !ip) {
      free(ic);
      free(ip);
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    q.sites = app->pts + i;
    q.weapons = specs[i].defs;
    q.nweapons = nd;
    q.in_count = ic;
    q.in_pop = ip;
    st = reach_query_rows(ctx, app->pts + i, j - i, specs[i].defs, nd, s->targets, s->ntargets,
                          o->in_range, query_row, &q);
    if (st == REACH_OK && !q.fail && !o->quiet)
      summary(ctx, app, &q, app->pts + i, j - i, specs[i].defs, nd, app->npts);
    free(ic);
    free(ip);
    q.in_count = in_count;
    q.in_pop = in_pop;
    per_run = 1;
    i = j;
  }
  if (per_run) {
    /* done above */
  } else st = o->nearest && o->by_time
           ? reach_query_earliest(ctx, app->pts, app->npts, app->defs, app->ndefs, s->targets,
                                  s->ntargets, o->in_range, query_row, &q)
       : o->nearest ? reach_query_nearest(ctx, app->pts, app->npts, app->defs, app->ndefs,
                                          s->targets, s->ntargets, o->in_range, 0, query_row, &q)
                    : reach_query_rows(ctx, app->pts, app->npts, app->defs, app->ndefs,
                                       s->targets, s->ntargets, o->in_range, query_row, &q);
  if (q.fail) /* a write failed: say so, not "interrupted" */
    st = reach_fail(ctx, q.fail, "%s", q.failmsg);
  else if (st == REACH_ERR_INTERRUPTED)
    st = app_interrupted(ctx);
  if (fmt == AS_JSON) fprintf(out, "%s]\n", q.rows ? "\n" : "");
  st = app_as_data(ctx, st);
  if (st == REACH_OK && stream) {
    st = app_as_data(ctx, reach_stream_commit(ctx, stream));
    stream = NULL;
    if (st == REACH_OK && !o->quiet)
      app_note(app, "wrote %zu row%s to %s", q.rows, q.rows == 1 ? "" : "s",
               app_shown_path(o->out));
  } else if (st == REACH_OK && fmt != AS_GEOJSON) {
    st = app_out_check(ctx, app);
  }
  if (st == REACH_OK && lw) {
    st = app_as_data(ctx, reach_writer_commit(ctx, lw));
    lw = NULL;
  }
  if (st == REACH_OK && w) {
    st = app_as_data(ctx, reach_writer_commit(ctx, w));
    w = NULL;
    if (st == REACH_OK && o->out && !o->quiet)
      app_note(app, "wrote %zu row%s to %s", q.rows, q.rows == 1 ? "" : "s",
               app_shown_path(o->out));
  }
  if (st == REACH_OK && !o->quiet && !o->nearest && !per_run)
    summary(ctx, app, &q, app->pts, app->npts, app->defs, app->ndefs, app->npts * app->ndefs);
  /* "Kharkiv: 1 min 05 s from Belgorod (KN-23, minimum-energy)" */
  for (size_t t = 0; st == REACH_OK && q.first_s && t < s->ntargets; t++) {
    if (!isfinite(q.first_s[t])) {
      app_note(app, "%s: out of reach", s->targets[t].name);
      continue;
    }
    size_t k = q.first_at[t] % app->ndefs, i = q.first_at[t] / app->ndefs;
    long secs = lround(q.first_s[t]);
    char when[48], how[64];
    if (secs >= 60)
      snprintf(when, sizeof when, "%ld min %02ld s", secs / 60, secs % 60);
    else
      snprintf(when, sizeof when, "%ld s", secs);
    if (app->bms[k].aim == REACH_BALLISTIC_GAMMA)
      snprintf(how, sizeof how, "gamma %g deg", app->bms[k].gamma_deg);
    else
      snprintf(how, sizeof how, "%s", reach_ballistic_aim_name(app->bms[k].aim));
    const struct reach_ring_def *d = &app->defs[k];
    app_note(app, "%s: %s from %s (%s%s%s%s)", s->targets[t].name, when, app->pts[i].name,
             d->missile ? d->missile : "", d->missile ? ", " : "", how,
             o->model ? "" : ", non-rotating");
  }
done:
  if (specs)
    for (size_t i = 0; i < app->npts; i++) app_spec_free(&specs[i]);
  free(specs);
  free(first_s);
  free(first_at);
  reach_writer_abort(lw);
  reach_writer_abort(w);
  reach_stream_abort(stream);
  free(in_count);
  free(in_pop);
  return st;
}

static void release(struct reach_app *app) {
  struct state *s = app->state;
  if (!s) return;
  free(s->tsites);
  free(s->targets);
  free(s);
}

const struct app_command app_query = {
    "query",
    G_SITES | G_TARGETS | G_CITIES | G_POINTS | G_WEAPONS | G_CATALOGUE | G_MODEL | G_QUERY |
        G_AS | G_TOL | G_FILE | G_DRIVER | G_QUIET | G_HELP | G_INLAYER | G_INFILE | G_ROWPARAM,
    "what is in range: site x missile x target distances, margins",
    "Usage: georeach query (--site POINT ... | --sites FILE)\n"
    "                      (--missile NAME[,NAME...] [--band] | --range DIST\n"
    "                       [--min-range DIST])\n"
    "                      (--target POINT ... | --targets FILE | --targets cities\n"
    "                       [--min-population N] [--country LIST])\n"
    "                      [--in-range] [--nearest] [--as table|csv|json|geojson]\n"
    "                      [--no-lines]\n"
    "                      [-o OUT [-f DRIVER] [--tolerance DIST]] [--overwrite]\n"
    "                      [--strict] [--quiet]\n",
    "What is in range from here: one row per site x missile x target with the\n"
    "shortest geodesic distance on WGS84 (the inverse problem, exact\n"
    "everywhere: no point-in-polygon test near poles or the antimeridian).\n"
    "\n"
    "Columns: site missile target target_lat target_lon (not in the table)\n"
    "dist_km az_deg (initial azimuth at the site, clockwise from north)\n"
    "baz_deg (azimuth of the path at the target) range_km min_km margin_km\n"
    "(range - distance; negative: how far the launcher must move toward the\n"
    "target) in_range (min <= dist <= range: yes/no in the table, true/false\n"
    "in CSV, JSON and GeoJSON, 1/0 in a shapefile, a boolean in GeoPackage\n"
    "and PostGIS),\n"
    "and with --model ballistic tof_s: the flight time of the minimum-energy\n"
    "flight to the target when in range, else of the longest flight that way\n"
    "(free flight from burnout, no boost phase), and last source (the\n"
    "catalogue's citation of the range; empty for --range; not in the table).\n"
    "\n"
    "--targets cities: the bundled GeoNames places (15,000+ people), filtered\n"
    "by --min-population N and --country UA,PL,...  -o writes through GDAL\n"
    "instead of text (.csv .geojson .gpkg .shp ...; PG:... writes table\n"
    "'query'): a point layer of the targets, and a line layer 'query_lines'\n"
    "of the site-to-target geodesics (same fields plus site_lat site_lon\n"
    "tol_m err_m; densified to --tolerance, default 10 m, and cut at\n"
    "+/-180) in the same file for .gpkg, .kmz and PostGIS, else beside it\n"
    "as OUT_query_lines.EXT (--no-lines: the points only).  -o FILE with\n"
    "--as csv, table or json writes that text to FILE instead (as fast as\n"
    "standard output).\n"
    "Table columns are as wide as the widest name (in display columns:\n"
    "wide East Asian characters count 2); names are never cut.\n",
    "A summary per site and missile goes to stderr unless --quiet: targets\n"
    "and people in range, and the countries the ring reaches with the share\n"
    "of each country's area inside it (Natural Earth polygons, ellipsoidal\n"
    "areas; computed for up to 50 site x missile pairs, or all with\n"
    "--summary).\n"
    "\n"
    "Exit status: 0 ok, 1 bad data or file, 2 bad command line.\n"
    "\n"
    "Examples:\n"
    "  georeach query --site Belgorod --missile KN-23,Iskander-M --target Kyiv \\\n"
    "      --target Kharkiv,UA --target Lviv\n"
    "  georeach query --sites data/sites/jan2024_launch_areas.csv --missile KN-23 \\\n"
    "      --targets cities --country UA --in-range --as csv\n"
    "  georeach query --sites bases.csv --range 885km --targets cities --nearest -o n.gpkg\n",
    prepare,
    run,
    release};

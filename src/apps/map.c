/* georeach map: the rings (or launch baskets) of the options drawn over the
 * bundled countries, as a PNG, SVG or PDF picture. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/app.h"

struct state {
  struct reach_map *map;
  int basket; /* targets without sites: launch baskets */
  int marked; /* targets with sites: marked on the rings, coloured by reach */
  struct reach_site *targets; /* the marked targets given as --target */
  size_t ntargets;
};

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
    if (fmod(t, 60) == 0)
      snprintf(buf + l, n - l, ", within %g min", t / 60);
    else
      snprintf(buf + l, n - l, ", within %g s", t);
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

static int dashed(const struct reach_ring_def *d) {
  return d->band && strcmp(d->band, "nominal") != 0 ? REACH_MAP_DASHED : 0;
}

/* One drawn entry of the legend: a ring def with its sites, sector and
 * tolerance (per-row weapons give each group of sites its own). */
struct entry {
  const struct reach_ring_def *def;
  const struct reach_site *pts; /* the sites drawn with it */
  size_t npts;
  int sector;
  double az_from, az_to, tol_m;
};

/* The job of one entry: its def round its sites. */
static struct reach_rings_job job_of(const struct reach_app *app, const struct entry *e) {
  return (struct reach_rings_job){e->pts,    e->npts,  e->def,         1, e->sector, e->az_from,
                                  e->az_to, e->tol_m, app->o.threads, NULL, 0};
}

/* The rings of every site of entry k: one region each (--each, or one
 * site), or their union, the coverage outline of the missile. */
static enum reach_status add_rings(struct reach_ctx *ctx, struct reach_app *app,
                                   struct reach_map *map, const struct entry *e, size_t k,
                                   const char *label) {
  const struct app_opts *o = &app->o;
  const struct reach_ring_def *def = e->def;
  size_t nsites = e->npts;
  enum reach_status st = REACH_OK;
  if (o->dissolve || (!o->each && nsites > 1)) {
    /* the library's union (as 'rings --union' writes it), one job per def */
    struct reach_rings_job job = job_of(app, e);
    struct reach_geom u;
    if ((st = reach_rings_union_geom(ctx, &job, 0, &u, NULL, app_progress_poll, app)) ==
        REACH_OK)
      st = reach_map_add_region(ctx, map, &u, label, (int)k, dashed(def));
    reach_geom_clear(&u);
    return st;
  }
  for (size_t i = 0; i < nsites && st == REACH_OK; i++) {
    struct reach_ring_spec s = {.lat_deg = e->pts[i].lat_deg, .lon_deg = e->pts[i].lon_deg,
                                .range_m = def->range_m, .min_range_m = def->min_range_m,
                                .sector = e->sector, .az_from_deg = e->az_from,
                                .az_to_deg = e->az_to, .tolerance_m = e->tol_m,
                                .ballistic = def->ballistic,
                                .tof_max_s = def->tof_max_s};
    struct reach_ring ring;
    if ((st = reach_ring_build(ctx, &s, &ring)) != REACH_OK) break;
    st = reach_map_add_region(ctx, map, &ring.geom, label, (int)k, dashed(def));
    reach_ring_clear(&ring);
    if (st == REACH_OK && !app_progress(app, 0, 0)) st = app_interrupted(ctx);
  }
  return st;
}

/* The radials of entry k (--radials): geodesics from each site out along
 * the given azimuths, from the minimum range to the range, within the
 * sector, in the entry's colour; cut at +/-180 and the poles like the
 * radials 'rings' writes (src/geodesy/line.c). */
static enum reach_status add_radials(struct reach_ctx *ctx, struct reach_app *app,
                                     struct reach_map *map, const struct entry *e, size_t k) {
  const struct app_opts *o = &app->o;
  const struct reach_ring_def *d = e->def;
  enum reach_status st = REACH_OK;
  for (size_t i = 0; i < e->npts && st == REACH_OK; i++)
    for (size_t j = 0; j < o->nradials && st == REACH_OK; j++) {
      double az = o->radials_deg[j];
      if (!app_in_sector(e->sector, e->az_from, e->az_to, az)) continue;
      struct reach_lines l = {0};
      double err = 0;
      st = reach_line_radial(ctx, e->pts[i].lat_deg, e->pts[i].lon_deg, az, d->min_range_m,
                             d->range_m, e->tol_m, &l, &err);
      for (size_t p = 0; st == REACH_OK && p < l.nlines; p++)
        st = reach_map_add_line(ctx, map, l.xy + 2 * l.line_start[p],
                                l.line_start[p + 1] - l.line_start[p],
                                reach_map_colour((int)k), dashed(d));
      reach_lines_clear(&l);
    }
  return st;
}

/* Overlap counts of an entry: the bands reached by 1, 2 and 3 or more sites
 * (with --min-count K: K or more) in the ramp, each level one region. */
static enum reach_status add_counts(struct reach_ctx *ctx, struct reach_app *app,
                                    struct reach_map *map, const struct entry *e) {
  const struct app_opts *o = &app->o;
  struct reach_rings_job job = job_of(app, e);
  struct reach_overlap_band *bands = NULL;
  size_t nb = 0;
  enum reach_status st =
      reach_rings_count_geom(ctx, &job, 0, o->min_count, &bands, &nb, NULL, app_progress_poll, app);
  /* levels: 1, 2, 3+ (the ramp's three classes); --min-count: one */
  for (long level = 1; level <= 3 && st == REACH_OK; level++) {
    struct reach_geom *gs = calloc(nb ? nb : 1, sizeof *gs), u = {0};
    size_t ng = 0;
    long shown = o->min_count ? o->min_count : level;
    int plus = o->min_count || level == 3;
    if (!gs) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    for (size_t b = 0; b < nb; b++) {
      long c = bands[b].count;
      int in = o->min_count ? level == 1 : level < 3 ? c == level : c >= 3;
      if (in) gs[ng++] = bands[b].geom; /* borrowed */
    }
    if (ng) st = ng == 1 ? REACH_OK : reach_geom_union_all(ctx, gs, ng, &u);
    if (ng && st == REACH_OK) {
      char text[96];
      snprintf(text, sizeof text, "reached by %ld%s site%s", shown, plus ? "+" : "",
               shown == 1 && !plus ? "" : "s");
      struct reach_rgb c = reach_map_count_colour(o->min_count ? 3 : level);
      st = reach_map_add_region_rgb(ctx, map, ng == 1 ? &gs[0] : &u, NULL, c, REACH_MAP_STRONG);
      if (st == REACH_OK) st = reach_map_add_legend_rgb(ctx, map, c, REACH_MAP_STRONG, text);
    }
    reach_geom_clear(&u);
    free(gs);
  }
  reach_overlap_free(bands, nb);
  return st;
}

/* Reach of def k from the territory. */
static enum reach_status add_area(struct reach_ctx *ctx, struct reach_app *app,
                                  struct reach_map *map, const struct entry *e, size_t k,
                                  const struct reach_geom *terr, const char *label) {
  struct reach_rings_job job = job_of(app, e);
  job.nsites = 0;
  struct reach_geom g;
  enum reach_status st =
      reach_rings_from_area_geom(ctx, &job, 0, terr, &g, NULL, app_progress_poll, app);
  if (st == REACH_OK) st = reach_map_add_region(ctx, map, &g, label, (int)k, 0);
  reach_geom_clear(&g);
  return st;
}

/* The territory's boundary as dark lines (not its cut or pole lines). */
static enum reach_status add_boundary(struct reach_ctx *ctx, struct reach_map *map,
                                      const struct reach_geom *t) {
  enum reach_status st = REACH_OK;
  const struct reach_rgb ink = {0.2, 0.2, 0.2};
  for (size_t r = 0; r < t->nrings && st == REACH_OK; r++) {
    size_t a = t->ring_start[r], b = t->ring_start[r + 1], run = a;
    for (size_t i = a; i + 1 <= b && st == REACH_OK; i++) {
      /* a run ends before an edge along lon = +-180 or lat = +-90 */
      int cut = i + 1 < b && ((fabs(t->xy[2 * i]) == 180 && t->xy[2 * i] == t->xy[2 * i + 2]) ||
                              (fabs(t->xy[2 * i + 1]) == 90 &&
                               t->xy[2 * i + 1] == t->xy[2 * i + 3]));
      if (cut || i + 1 == b) {
        if (i > run) st = reach_map_add_line(ctx, map, t->xy + 2 * run, i - run + 1, ink, 0);
        run = i + 1;
      }
    }
  }
  return st;
}

/* The first layer of @p path: polygons by count (ramp), else by missile
 * (palette from @p colour0, bands low/high dashed), else one colour; lines in
 * that colour; points as sites named by their name field. */
static enum reach_status add_layer(struct reach_ctx *ctx, struct reach_app *app,
                                   struct reach_map *map, const char *path, int *colour0) {
  struct reach_layer *l = NULL;
  size_t skipped = 0;
  enum reach_status st = reach_layer_read(ctx, path, &l, &skipped);
  if (st != REACH_OK) return app_prefix(ctx, st, "--layer");
  if (skipped && !app->o.quiet)
    app_note(app, "--layer %s: skipped %zu feature%s with no point, line or polygon",
             app_shown_path(path), skipped, skipped == 1 ? "" : "s");
  const char *seen[REACH_MAP_NCOLOURS]; /* missiles given a colour, in order */
  size_t nseen = 0;
  /* count polygons per level 1, 2, 3+ (borrowed), drawn as one region
   * each: no outlines between bands of one level */
  struct reach_geom *cg = l->has_count ? calloc(2 * l->n + 1, sizeof *cg) : NULL;
  unsigned char *clv = l->has_count ? calloc(l->n + 1, 1) : NULL; /* level of each */
  size_t ncg = 0;
  long lv_min[4] = {0, 0, 0, 0}; /* an at_least band: its count */
  if (l->has_count && (!cg || !clv)) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  int plain = 0;  /* the one colour used */
  for (size_t i = 0; i < l->n && st == REACH_OK; i++) {
    const struct reach_layer_feature *f = &l->features[i];
    int flags = !strcmp(f->band, "low") || !strcmp(f->band, "high") ? REACH_MAP_DASHED : 0;
    char label[160] = "";
    if (f->dim == REACH_LAYER_POLYGONS && cg && clv && f->count >= 1) {
      size_t lv = f->count >= 3 || f->at_least ? 3 : (size_t)f->count;
      clv[ncg] = (unsigned char)lv;
      cg[ncg++] = f->geom; /* borrowed */
      if (f->at_least) lv_min[lv] = f->count;
      continue;
    }
    int colour = *colour0, fresh = 0;
    if (l->has_missile && f->missile[0]) {
      size_t k = 0;
      while (k < nseen && strcmp(seen[k], f->missile) != 0) k++;
      if (k == nseen && nseen < REACH_MAP_NCOLOURS) seen[nseen++] = f->missile, fresh = 1;
      colour += (int)(k < REACH_MAP_NCOLOURS ? k : 0);
      if (isfinite(f->range_km))
        snprintf(label, sizeof label, "%s %g km", f->missile, f->range_km);
      else
        snprintf(label, sizeof label, "%s", f->missile);
      if (fresh) st = reach_map_add_legend(ctx, map, colour, 0, f->missile);
    } else if (f->dim != REACH_LAYER_POINTS && !plain) {
      plain = 1;
      st = reach_map_add_legend(ctx, map, colour, 0, l->name);
    }
    if (st != REACH_OK) break;
    if (f->dim == REACH_LAYER_POLYGONS) {
      st = reach_map_add_region(ctx, map, &f->geom, label[0] ? label : f->name, colour, flags);
    } else if (f->dim == REACH_LAYER_LINES) {
      for (size_t p = 0; p < f->nparts && st == REACH_OK; p++) {
        size_t a = f->part_start[p], b = f->part_start[p + 1];
        if (b - a >= 2)
          st = reach_map_add_line(ctx, map, f->xy + 2 * a, b - a, reach_map_colour(colour), flags);
      }
    } else {
      for (size_t p = 0; p < f->nparts && st == REACH_OK; p++)
        st = reach_map_add_point(ctx, map, f->xy[2 * f->part_start[p] + 1],
                                 f->xy[2 * f->part_start[p]], f->name, REACH_MAP_SITE);
    }
  }
  for (size_t lv = 1; lv <= 3 && cg; lv++) {
    struct reach_geom u = {0}, *lg = cg + l->n; /* the second half: this level's */
    size_t nl = 0;
    for (size_t k = 0; k < ncg; k++)
      if (clv[k] == lv) lg[nl++] = cg[k];
    if (st == REACH_OK && nl) {
      st = nl == 1 ? REACH_OK : reach_geom_union_all(ctx, lg, nl, &u);
      struct reach_rgb c = reach_map_count_colour((long)lv);
      char text[96];
      long shown = lv_min[lv] ? lv_min[lv] : (long)lv;
      snprintf(text, sizeof text, "reached by %ld%s site%s", shown, lv == 3 ? "+" : "",
               shown == 1 && lv < 3 ? "" : "s");
      if (st == REACH_OK)
        st = reach_map_add_region_rgb(ctx, map, nl == 1 ? &lg[0] : &u, NULL, c,
                                      REACH_MAP_STRONG);
      if (st == REACH_OK) st = reach_map_add_legend_rgb(ctx, map, c, REACH_MAP_STRONG, text);
    }
    reach_geom_clear(&u);
  }
  free(cg);
  free(clv);
  if (app->o.verbose) /* to read the picture back: the colours given */
    for (size_t k = 0; k < (nseen ? nseen : (size_t)plain); k++) {
      char h[8];
      hex(h, reach_map_colour(*colour0 + (int)k));
      app_note(app, "layer-colour %d %s %s", *colour0 + (int)k, h, nseen ? seen[k] : l->name);
    }
  *colour0 += (int)(nseen > 1 ? nseen : 1);
  reach_layer_free(l);
  if (st != REACH_OK) st = app_prefix(ctx, st, "--layer");
  return st;
}

static const char *kind_name(enum reach_map_kind k) {
  return k == REACH_MAP_AEQD    ? "azimuthal equidistant"
         : k == REACH_MAP_WORLD ? "Robinson"
         : k == REACH_MAP_GLOBE ? "orthographic"
                                : "the projection given";
}

static enum reach_status prepare(struct reach_ctx *ctx, struct reach_app *app) {
  struct app_opts *o = &app->o;
  struct state *s = app->state = calloc(1, sizeof *s);
  enum reach_status st;
  if (!s) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  /* targets with sites are marked on the rings; without, they ask for a
   * launch basket */
  int have_sites = o->nsite_texts || o->sites_file, have_targets = o->ntarget_texts || o->targets_file;
  int area = o->area != NULL, layers_only = o->nlayers && !have_sites && !area && !have_targets;
  s->marked = (have_sites || area) && have_targets;
  int basket = s->basket = !have_sites && !area && have_targets;
  if (basket && o->cities)
    return app_usage(ctx, app, "--cities goes with rings (--site, --sites), not launch baskets");
  if (!basket && !have_sites && !area && !o->nlayers)
    return app_usage(ctx, app, "nothing to draw: give --site LAT,LON (or --sites FILE), "
                               "--from-area AREA, --target POINT for a launch basket, or "
                               "--layer FILE");
  if (have_sites && area) return app_usage(ctx, app, "give one of --site, --sites and --from-area");
  if (o->dissolve + o->count > 1 || (area && (o->dissolve || o->count)))
    return app_usage(ctx, app, "%s", area ? "--from-area is a union already: drop "
                                            "--union/--count"
                                          : "give --union or --count, not both");
  if (o->min_count && !o->count) return app_usage(ctx, app, "--min-count goes with --count");
  if (basket && o->count) return app_usage(ctx, app, "--count goes with sites, not targets");
  if (o->nradials && (area || basket || o->model))
    return app_usage(ctx, app, "--radials are drawn from sites, along geodesic circles' radii: "
                               "not with %s", area ? "--from-area" : basket ? "targets alone "
                               "(a launch basket)" : "--model ballistic");
  if (o->each && (area || o->count || o->dissolve || basket))
    return app_usage(ctx, app, "--each goes with the rings of sites, not with --%s",
                     area ? "from-area" : o->count ? "count" : o->dissolve ? "union" : "target");
  if (area && (o->sector || o->have_min))
    return app_usage(ctx, app, "%s", o->sector ? "--azimuth has no meaning with --from-area"
                                               : "--min-range has no meaning with --from-area");
  if (o->model && (area || o->count))
    return app_usage(ctx, app, "--model draws discs and annuli round sites: not with "
                               "--from-area or --count");
  if ((o->sites_file && o->nsite_texts) || (o->targets_file && o->ntarget_texts))
    return app_usage(ctx, app, "%s", o->sites_file ? "give --site or --sites, not both"
                                                   : "give --target or --targets, not both");
  if (!basket && (o->any || o->within))
    return app_usage(ctx, app, "--any and --within go with --target alone (launch baskets)");
  if (basket && (o->dissolve || o->sector))
    return app_usage(ctx, app, "--union and --azimuth go with sites (rings), not targets");
  /* A map reads the bundled countries through GDAL anyway: GDAL is opened
   * now, before the raster is sized against the address space, so that a
   * tight ulimit -v refuses the raster cleanly instead of letting it fit
   * and then starving GDAL's and fontconfig's start-up (which abort) */
  reach_gdal_init();
  if (!o->out) return app_usage(ctx, app, "no output: give -o FILE.png (or .svg, .pdf)");
  if (!strcmp(o->out, "-"))
    return app_usage(ctx, app, "-o: a picture is written to a file, not to standard output");
  if ((st = reach_map_check_output(ctx, o->out, o->overwrite)) != REACH_OK)
    return st == REACH_ERR_ARG ? app_usage(ctx, app, "-o: %s", reach_errmsg(ctx)) : st;
  if ((st = reach_map_new(ctx, o->width, o->height, &s->map)) != REACH_OK) return st;
  if (reach_map_set_projection(ctx, s->map, o->projection) != REACH_OK)
    return app_usage(ctx, app, "--projection: %s", reach_errmsg(ctx));
  /* a layer alone needs no range */
  if (!(layers_only && !o->have_range && !o->have_rings && !o->missile_arg) &&
      (st = app_weapons(ctx, app)))
    return st;
  if (o->count && app->ndefs > 1)
    return app_usage(ctx, app, "map --count draws one range (the ramp is per range): give "
                               "one --range or --missile without --band");
  size_t n = app->ndefs;
  if (o->model == 2) { /* both: each ring as a circle, then ballistic */
    if (2 * n > APP_MAXRINGS) return app_usage(ctx, app, "--model: too many rings");
    for (size_t k = 0; k < n; k++) app->defs[n + k] = app->defs[k];
  }
  if (o->model) { /* both: the copies (second half) are the ballistic ones */
    size_t from = o->model == 2 ? n : 0, to = o->model == 2 ? 2 * n : n;
    if ((st = app_ballistic(ctx, app, from, to))) return st;
    app->ndefs = to;
  }
  if (o->ntimes || o->have_traj || o->have_gamma) {
    /* isochrones: one ring per missile per time (see 'georeach rings') */
    if (o->model != 1 || basket)
      return app_usage(ctx, app, "--minutes, --seconds, --trajectory and --gamma go with "
                                 "--model ballistic round sites");
    if ((st = app_flight_checks(ctx, app, 0)) || (st = app_isochrones(ctx, app))) return st;
  }
  /* ballistic reach is checked per site */
  if ((st = app_check_defs(ctx, app, o->sector, o->tol_m))) return st;
  if ((st = app_countries(ctx, app, "--within", o->within, NULL, 0))) return st;
  if (s->marked &&
      (st = app_points(ctx, app, "--target", o->target_texts, o->ntarget_texts, &s->targets,
                       &s->ntargets)))
    return st;
  return app_points(ctx, app, basket ? "--target" : "--site",
                    basket ? o->target_texts : o->site_texts,
                    basket ? o->ntarget_texts : o->nsite_texts, &app->pts, &app->npts);
}

/* After the sites (app->pts[0 .. nsites)): the marked targets. */
static enum reach_status add_marked(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct state *s = app->state;
  if (s->ntargets) {
    struct reach_site *p = realloc(app->pts, (app->npts + s->ntargets) * sizeof *p);
    if (!p) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    app->pts = p;
    memcpy(p + app->npts, s->targets, s->ntargets * sizeof *p);
    app->npts += s->ntargets;
  }
  if (o->targets_file) {
    /* reach_sites_read() gives a list of its own: appended after the sites */
    size_t skipped = 0, nt = 0;
    struct reach_site *t = NULL;
    struct reach_sites_options to = app_sites_options(app, 0);
    enum reach_status st = reach_sites_read_with(ctx, o->targets_file, &to, &t, &nt, &skipped);
    if (st) return st;
    struct reach_site *p = nt ? realloc(app->pts, (app->npts + nt) * sizeof *p) : app->pts;
    if (nt && !p) {
      free(t);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    if (nt) memcpy(p + app->npts, t, nt * sizeof *p);
    app->pts = p;
    app->npts += nt;
    free(t);
    if (skipped && !o->quiet)
      app_note(app, "skipped %zu bad row%s of %s", skipped, skipped == 1 ? "" : "s",
               app_shown_path(o->targets_file));
  }
  return REACH_OK;
}

static void verbose(struct reach_app *app, struct reach_map *map, size_t nsites,
                    const struct entry *ents, size_t nents) {
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
  app_note(app, "size %dx%d", w, h);
  app_note(app, "projection %s", reach_map_projection(map));
  app_note(app, "geotransform %.17g,%.17g,%.17g,%.17g,%.17g,%.17g", gt[0], gt[1], gt[2],
           gt[3], gt[4], gt[5]);
  char h5[8], h6[8], h7[8];
  hex(h5, sty.target_in);
  hex(h6, sty.target_out);
  hex(h7, sty.city);
  app_note(app,
           "style land %s ocean %s background %s site %s fill-alpha %g fill-alpha-sea %g "
           "target-in %s target-out %s city %s fill-alpha-strong %g",
           h1, h2, h3, h4, sty.fill_alpha, sty.fill_alpha_sea, h5, h6, h7,
           sty.fill_alpha_strong);
  for (long c = 1; c <= 3; c++) { /* the ramp of --count and of count layers */
    hex(h1, reach_map_count_colour(c));
    app_note(app, "ramp %ld%s %s", c, c == 3 ? "+" : "", h1);
  }
  for (size_t k = 0; k < nents; k++) {
    char label[256];
    hex(h1, reach_map_colour((int)k));
    def_text(ents[k].def, ents[k].sector, ents[k].az_from, ents[k].az_to, label, sizeof label);
    app_note(app, "colour %zu %s %s", k, h1, label);
  }
  /* what was placed, to check a picture: boxes in pixels */
  static const char *kinds[] = {"title", "point", "region", "city", "country",
                                "legend", "credit", "scale"};
  const struct reach_map_label *lb;
  size_t nl = reach_map_labels(map, &lb);
  for (size_t i = 0; i < nl; i++) {
    char text[600];
    size_t t = 0;
    for (const char *q = lb[i].text; *q && t + 1 < sizeof text; q++) text[t++] = *q == '\n' ? '|' : *q;
    text[t] = '\0';
    app_note(app, "label %s %.2f,%.2f,%.2f,%.2f unknown-glyphs %d %s", kinds[lb[i].kind],
             lb[i].x0, lb[i].y0, lb[i].x1, lb[i].y1, lb[i].unknown_glyphs, text);
  }
  for (size_t i = nsites; i < app->npts; i++) {
    int v = reach_map_point_in_reach(map, i);
    app_note(app, "target %s %.6f,%.6f %s",
             v == 1 ? "in-reach" : v == 0 ? "out-of-reach" : "not-drawn", app->pts[i].lat_deg,
             app->pts[i].lon_deg, app->pts[i].name);
  }
}

static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  struct state *s = app->state;
  struct reach_map *map = s->map;
  struct reach_geom terr = {0};
  char terr_label[256] = "";
  int basket = s->basket;
  enum reach_status st = REACH_OK;
  const char *file = basket ? o->targets_file : o->sites_file;
  struct app_spec *specs = NULL;
  struct entry *ents = NULL;
  struct reach_site *group_pts = NULL; /* the sites in groups of one weapon */
  size_t nents = 0, nsites_read = 0;
  if (file && !basket) {
    /* each site's own weapon when the file has columns for it */
    struct reach_sites_options so = app_sites_options(app, 1);
    struct reach_sites_reader *r = NULL;
    if ((st = reach_sites_open_with(ctx, file, &so, &r))) goto done;
    if (!(st = app_rows_needed(ctx, app, r))) st = app_read_rows(ctx, app, r, file, &specs);
    if (!st) nsites_read = app->npts;
    reach_sites_close(r);
    if (st) goto done;
  } else if (file) {
    size_t skipped = 0;
    struct reach_sites_options so = app_sites_options(app, 0);
    if ((st = reach_sites_read_with(ctx, file, &so, &app->pts, &app->npts, &skipped)))
      goto done;
    if (skipped && !o->quiet)
      app_note(app, "skipped %zu bad row%s of %s", skipped, skipped == 1 ? "" : "s",
               app_shown_path(file));
  }
  size_t nsites = app->npts; /* then the marked targets, if any */
  if (s->marked && (st = add_marked(ctx, app))) goto done;
  /* points given as coordinates are named "50.600000,36.600000": shorter on
   * a map */
  for (size_t i = 0; i < app->npts; i++) {
    struct reach_site *p = &app->pts[i];
    char plain[REACH_NAME_LEN];
    snprintf(plain, sizeof plain, "%.6f,%.6f", p->lat_deg, p->lon_deg);
    if (strcmp(plain, p->name) == 0)
      snprintf(p->name, sizeof p->name, "%.2f\xC2\xB0%s %.2f\xC2\xB0%s", fabs(p->lat_deg),
               p->lat_deg < 0 ? "S" : "N", fabs(p->lon_deg), p->lon_deg < 0 ? "W" : "E");
  }
  if (nsites == 0 && (file || o->nsite_texts || basket)) {
    st = reach_fail(ctx, REACH_ERR_DATA, "%s holds no %s", file ? file : "the command line",
                    basket ? "target" : "site");
    goto done;
  }
  if (o->within && (st = reach_territory(ctx, o->within, &terr, terr_label, sizeof terr_label))) {
    st = app_prefix(ctx, st == REACH_ERR_ARG ? REACH_ERR_ARG : REACH_ERR_DATA, "--within");
    goto done;
  }
  if (o->area && reach_territory(ctx, o->area, &terr, terr_label, sizeof terr_label) != REACH_OK) {
    st = app_prefix(ctx, reach_errno(ctx) == REACH_ERR_IO ? REACH_ERR_IO : REACH_ERR_ARG,
                    "--from-area");
    goto done;
  }
  /* what is drawn: every def for every site, or with per-row weapons every
   * def of each group of sites of one weapon (their own colour) */
  group_pts = specs ? malloc((nsites ? nsites : 1) * sizeof *group_pts) : NULL;
  char *grouped = specs ? calloc(nsites ? nsites : 1, 1) : NULL;
  size_t cap = specs ? 0 : app->ndefs;
  for (size_t i = 0; specs && i < nsites; i++) cap += specs[i].ndefs;
  ents = calloc(cap ? cap : 1, sizeof *ents);
  if (!ents || (specs && (!group_pts || !grouped))) {
    free(grouped);
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (!specs) {
    for (size_t k = 0; k < app->ndefs; k++)
      ents[nents++] = (struct entry){&app->defs[k], app->pts, nsites, o->sector, o->az_from,
                                     o->az_to, o->tol_m};
  }
  for (size_t i = 0, used = 0; specs && i < nsites; i++) {
    if (grouped[i]) continue;
    size_t k0 = used;
    for (size_t j = i; j < nsites; j++)
      if (!grouped[j] && app_spec_same(&specs[i], &specs[j])) {
        grouped[j] = 1;
        group_pts[used++] = app->pts[j];
      }
    for (size_t k = 0; k < specs[i].ndefs; k++)
      ents[nents++] = (struct entry){&specs[i].defs[k], group_pts + k0, used - k0,
                                     specs[i].sector, specs[i].az_from, specs[i].az_to,
                                     specs[i].tol_m};
  }
  free(grouped);
  if (specs && o->count && nents > 1) {
    st = reach_fail(ctx, REACH_ERR_ARG,
                    "map --count draws one range (the ramp is per range), but the rows of %s "
                    "give %zu weapons: draw them without --count, or one weapon per map",
                    app_shown_path(file), nents);
    goto done;
  }
  if (nents > 12 && specs && !o->quiet)
    app_note(app, "%zu weapons in %s: the colours repeat after 12", nents, app_shown_path(file));
  char text[512];
  if (o->title) {
    snprintf(text, sizeof text, "%s", o->title);
  } else if (specs) {
    snprintf(text, sizeof text, "%s of each site's own weapon from ",
             o->dissolve ? "Combined reach" : "Reach");
    names_text(text, sizeof text, app->pts, nsites, "launch sites");
  } else if (app->ndefs == 0) { /* layers alone */
    const char *slash = strrchr(o->layers[0], '/');
    snprintf(text, sizeof text, "%s", slash ? slash + 1 : o->layers[0]);
    if (o->nlayers > 1) snprintf(text + strlen(text), sizeof text - strlen(text), " and more");
  } else {
    default_title(text, sizeof text, app->defs, app->ndefs, app->pts, nsites, basket,
                  o->any, o->dissolve, o->within ? terr_label : NULL);
    if (o->area) { /* "Reach of KN-23 from anywhere in KP" */
      char *from = strstr(text, " from ");
      if (from) snprintf(from, sizeof text - (size_t)(from - text), " from anywhere in %s",
                         terr_label);
    } else if (o->count) {
      static const char lead[] = "How many sites reach each place: ";
      if (strncmp(text, "Reach of ", 9) == 0) {
        size_t l = strlen(text + 9), room = sizeof text - sizeof lead;
        if (l > room) l = room;
        memmove(text + sizeof lead - 1, text + 9, l);
        text[sizeof lead - 1 + l] = '\0';
        memcpy(text, lead, sizeof lead - 1);
      }
    }
  }
  reach_map_set_countries(map, o->countries);
  st = reach_map_set_title(ctx, map, text);
  for (size_t k = 0; k < nents && st == REACH_OK; k++) {
    const struct reach_ring_def *d = ents[k].def;
    char label[256];
    int empty = 0;
    def_text(d, ents[k].sector, ents[k].az_from, ents[k].az_to, label, sizeof label);
    if (basket) {
      struct reach_geom acc = {0};
      double err;
      st = reach_basket_build(ctx, app->pts, app->npts, d, o->any, o->within ? &terr : NULL,
                              o->tol_m, app_progress_poll, app, &acc, &err);
      empty = st == REACH_OK && acc.npolys == 0;
      if (st == REACH_OK && acc.npolys)
        st = reach_map_add_region(ctx, map, &acc, label, (int)k, dashed(d));
      reach_geom_clear(&acc);
    } else if (o->area) {
      st = add_area(ctx, app, map, &ents[k], k, &terr, label);
    } else if (o->count) {
      st = add_counts(ctx, app, map, &ents[k]);
    } else {
      st = add_rings(ctx, app, map, &ents[k], k, label);
    }
    if (st == REACH_OK && o->nradials && !basket && !o->area)
      st = add_radials(ctx, app, map, &ents[k], k);
    if (st == REACH_OK && empty && !o->quiet)
      app_note(app, "%s: no launch point reaches %s%s%s", label,
               o->any ? "any target" : "all the targets", o->within ? " within " : "",
               o->within ? terr_label : "");
    if (st == REACH_OK && !o->count) { /* counts: the ramp is the legend */
      char legend[300];
      snprintf(legend, sizeof legend, "%s%s", label,
               basket ? (empty ? ": launch basket (empty)" : ": launch basket") : "");
      st = reach_map_add_legend(ctx, map, (int)k, dashed(d), legend);
    }
  }
  if (st == REACH_OK && o->area) {
    st = add_boundary(ctx, map, &terr);
    char legend[300];
    snprintf(legend, sizeof legend, "launch area: %s", terr_label);
    if (st == REACH_OK)
      st = reach_map_add_legend_rgb(ctx, map, (struct reach_rgb){0.2, 0.2, 0.2}, 0, legend);
  }
  int colour0 = (int)nents;
  for (size_t i = 0; i < o->nlayers && st == REACH_OK; i++)
    st = add_layer(ctx, app, map, o->layers[i], &colour0);
  for (size_t i = 0; i < app->npts && st == REACH_OK; i++)
    st = reach_map_add_point(ctx, map, app->pts[i].lat_deg, app->pts[i].lon_deg,
                             app->pts[i].name,
                             basket        ? REACH_MAP_TARGET
                             : i >= nsites ? REACH_MAP_TARGET_REACH
                                           : REACH_MAP_SITE);
  /* the sources of the ranges drawn, from the catalogue, then --credit */
  for (size_t k = 0; k < nents && st == REACH_OK && app->cat; k++) {
    const struct reach_ring_def *d = ents[k].def;
    int dup = 0;
    for (size_t j = 0; j < k; j++) {
      const struct reach_ring_def *e = ents[j].def;
      dup |= e->missile && d->missile && !strcmp(e->missile, d->missile) &&
             e->range_m == d->range_m &&
             (e->band == d->band || (e->band && d->band && !strcmp(e->band, d->band)));
    }
    /* a row's own range for its missile (no band) is not the catalogue's */
    const struct reach_missile *ms =
        dup || !d->missile || !d->band ? NULL : reach_catalogue_find(ctx, app->cat, d->missile);
    if (!ms) continue;
    const char *band = d->band ? d->band : "nominal";
    const char *src = !strcmp(band, "low")    ? ms->low_source
                      : !strcmp(band, "high") ? ms->high_source
                                              : ms->source;
    if (!*src) continue;
    char line[700];
    snprintf(line, sizeof line, "%s %g km: %s", ms->name, d->range_m / 1000, src);
    st = reach_map_add_credit(ctx, map, line);
  }
  for (size_t i = 0; i < o->ncredits && st == REACH_OK; i++)
    st = reach_map_add_credit(ctx, map, o->credits[i]);
  if (st == REACH_OK) st = reach_map_add_cities(ctx, map, o->cities);
  if (st == REACH_OK) st = reach_map_set_label_max(ctx, map, o->label_max);
  if (st == REACH_OK) st = reach_map_set_dpi(ctx, map, o->dpi);
  reach_map_set_transparent(map, o->transparent);
  if (st == REACH_OK) st = reach_map_layout(ctx, map);
  if (st != REACH_OK) goto done;
  if ((st = reach_map_write(ctx, map, o->out, o->overwrite, app_progress_show, app)))
    goto done;
  if (o->verbose) verbose(app, map, nsites, ents, nents); /* after drawing: the labels placed */
  app_progress(app, 1, 1);
  int width, height;
  reach_map_size(map, &width, &height);
  if (!o->quiet)
    app_note(app, "wrote %s (%dx%d, %s)", o->out, width, height,
             kind_name(reach_map_projection_kind(map)));
done:
  if (st == REACH_ERR_INTERRUPTED) app_interrupted(ctx);
  reach_geom_clear(&terr);
  if (specs)
    for (size_t i = 0; i < nsites_read; i++) app_spec_free(&specs[i]);
  free(specs);
  free(ents);
  free(group_pts);
  return st;
}

static void release(struct reach_app *app) {
  struct state *s = app->state;
  if (!s) return;
  reach_map_free(s->map); /* fonts stay cached for the process (map.h) */
  free(s->targets);
  free(s);
}

const struct app_command app_map = {
    "map",
    G_SITES | G_TARGETS | G_POINTS | G_BASKET | G_WEAPONS | G_RINGLIST | G_CATALOGUE |
        G_MODEL | G_SECTOR | G_TOL | G_UNION | G_COUNT | G_AREA | G_FILE | G_MAP | G_QUIET |
        G_HELP | G_INFILE | G_ROWPARAM | G_RADIALS,
    "a map picture (PNG, SVG, PDF) of rings or baskets",
    "Usage: georeach map (--site POINT ... | --sites FILE | --from-area AREA |\n"
    "                     --target POINT ... | --targets FILE | --layer FILE ...)\n"
    "                    (--range DIST | --rings DIST,DIST,... |\n"
    "                     --missile NAME[,NAME...] [--band] [--catalogue FILE])\n"
    "                    [--min-range DIST] [--azimuth FROM:TO] [--radials N|AZ,...]\n"
    "                    [--union | --each | --count [--min-count K]]\n"
    "                    [--any] [--within COUNTRY[,COUNTRY...]|FILE]\n"
    "                    [--projection auto|aeqd|world|globe|PROJ] [--title TEXT]\n"
    "                    [--width PX] [--height PX] [--no-countries]\n"
    "                    [--tolerance DIST] [--cities N] [--credit TEXT]\n"
    "                    [--label-max N] [--dpi N] [--transparent]\n"
    "                    -o OUT.png|OUT.svg|OUT.pdf\n"
    "                    [--overwrite] [--skip-bad] [--strict] [-q] [-v]\n",
    "Draws a map picture of what 'georeach rings' writes as layers: the reach\n"
    "ring of every site and range, filled and outlined in one colour per range\n"
    "(a legend names the missiles and ranges), the sites, the Natural Earth\n"
    "countries, a graticule and a title.  With --target instead of sites it\n"
    "draws launch baskets as 'georeach basket' builds them: where a launcher\n"
    "must stand to reach all the targets (--any: at least one).  With sites\n"
    "and targets both, the targets are marked on the rings with a diamond,\n"
    "red where a ring drawn reaches them and slate grey where none does.\n"
    "Several sites are drawn as one coverage outline per missile and range\n"
    "(the union of their rings; --each: every ring).  --count draws how many\n"
    "sites reach each place in a ramp (1, 2, 3+), --from-area the reach from\n"
    "anywhere in a territory, and --layer any vector layer georeach or QGIS\n"
    "wrote (polygons by count, else by missile, else one colour; lines;\n"
    "points).\n"
    "\n"
    "The projection fits the extent: azimuthal equidistant on the ellipsoid\n"
    "centred on the sites while everything lies within 5,000 km of their\n"
    "centre (distances from the centre are true, so a ring round one site is\n"
    "a circle), and Robinson centred on the sites beyond.  Rings across the\n"
    "antimeridian, round a pole or larger than a hemisphere are drawn as the\n"
    "regions they are: clipped to what the projection shows before projecting,\n"
    "outlined only along their real boundary.  Bands (--band) are dashed.\n",
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
    "      -o basket.png\n"
    "  georeach map --sites bases.csv --missile Hwasong-5 --count -o dense.png\n"
    "  georeach map --from-area KP --missile KN-23 -o kp.png\n",
    prepare,
    run,
    release};

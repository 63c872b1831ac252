/* What-if queries: site x weapon x target distances with the inverse problem,
 * pairs far out of range skipped by a bound on the auxiliary sphere. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/internal.h"
#include "georeach/query.h"
#include "georeach/ballistic.h"


void reach_unit_reduced(const struct reach_ctx *ctx, double lat, double lon, double u[3]) {
  double beta = atan((1 - ctx->f) * tan(lat * DEG));
  if (fabs(lat) == 90) beta = lat * DEG;
  u[0] = cos(beta) * cos(lon * DEG);
  u[1] = cos(beta) * sin(lon * DEG);
  u[2] = sin(beta);
}

static double az360(double az) {
  az += 0.0; /* no -0 */
  return az < 0 ? az + 360 : az >= 360 ? az - 360 : az;
}

static double *site_units(const struct reach_ctx *ctx,
                          const struct reach_site *s, size_t n) {
  double *u = malloc(3 * (n ? n : 1) * sizeof *u);
  for (size_t i = 0; u && i < n; i++)
    reach_unit_reduced(ctx, s[i].lat_deg, s[i].lon_deg, u + 3 * i);
  return u;
}

static double *target_units(const struct reach_ctx *ctx,
                            const struct reach_target *t, size_t n) {
  double *u = malloc(3 * (n ? n : 1) * sizeof *u);
  for (size_t i = 0; u && i < n; i++)
    reach_unit_reduced(ctx, t[i].lat_deg, t[i].lon_deg, u + 3 * i);
  return u;
}

static void exact(const struct reach_ctx *ctx, double lat1, double lon1,
                  double lat2, double lon2, struct reach_query_row *row) {
  double s = 0, a1 = 0, a2 = 0;
  geod_inverse(&ctx->g, lat1, lon1, lat2, lon2, &s, &a1, &a2);
  row->dist_m = s;
  row->az_deg = az360(a1);
  row->baz_deg = az360(a2);
}

/* Largest reach of a ballistic weapon from a site, for the bound: the
 * largest of 72 azimuths, plus 2 % (R(beta) is smooth: between samples 5
 * degrees apart it changes by far less). */
static enum reach_status ballistic_bound(struct reach_ctx *ctx,
                                         const struct reach_ballistic *b,
                                         const struct reach_site *s, double *rmax) {
  double lo = 0, hi = 0;
  if (reach_ballistic_wraps(b, s->lat_deg, &lo, &hi))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "site %s: with the ballistic model a %.0f km missile can fly "
                      "past the antipode from latitude %.4g (launch azimuths "
                      "%.0f-%.0f); use the circular model",
                      s->name, b->nominal_range_m / 1000, s->lat_deg, lo, hi);
  *rmax = 0;
  for (int k = 0; k < 72; k++) {
    struct reach_ballistic_traj tr;
    enum reach_status st =
        reach_ballistic_reach(ctx, b, s->lat_deg, s->lon_deg, 5.0 * k, &tr);
    if (st != REACH_OK) return st;
    *rmax = fmax(*rmax, tr.range_m);
  }
  *rmax *= 1.02;
  return REACH_OK;
}

/* The verdict of one pair for weapon w: reach_m, in_range, tof_s. */
static enum reach_status judge(struct reach_ctx *ctx, const struct reach_ring_def *w,
                               const struct reach_site *s, const struct reach_target *t,
                               struct reach_query_row *row) {
  row->tof_s = NAN;
  row->reach_m = w->range_m;
  if (w->ballistic) {
    struct reach_ballistic_traj tr;
    enum reach_status st =
        reach_ballistic_reach(ctx, w->ballistic, s->lat_deg, s->lon_deg, row->az_deg, &tr);
    if (st != REACH_OK) return st;
    row->reach_m = tr.range_m;
    row->tof_s = tr.tof_s;
  }
  row->in_range = row->dist_m >= w->min_range_m && row->dist_m <= row->reach_m;
  /* The flight to the target's azimuth and distance (the correspondence the
   * rings use), not to its latitude and longitude taken as spherical: then a
   * target on a ring's edge is on the model's reach, and its tof_s is the
   * isochrones'.  A circle's tof_s is its tof_model's (non-rotating). */
  const struct reach_ballistic *m = w->ballistic ? w->ballistic : w->tof_model;
  (void)t;
  if (m && row->in_range) {
    struct reach_ballistic_traj tr;
    int ok = 0;
    enum reach_status st = reach_ballistic_tof_along(ctx, m, s->lat_deg, s->lon_deg,
                                                     row->az_deg, row->dist_m, m->aim,
                                                     &tr, &ok);
    if (st != REACH_OK) return st;
    row->tof_s = ok ? tr.tof_s : NAN;
  }
  return REACH_OK;
}

enum reach_status reach_query_rows(struct reach_ctx *ctx,
                                   const struct reach_site *sites, size_t nsites,
                                   const struct reach_ring_def *weapons,
                                   size_t nweapons,
                                   const struct reach_target *targets,
                                   size_t ntargets, int in_range_only,
                                   reach_row_fn fn, void *data) {
  double *us = site_units(ctx, sites, nsites);
  double *ut = target_units(ctx, targets, ntargets);
  enum reach_status st = REACH_OK;
  if (!us || !ut) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < nsites && st == REACH_OK; i++) {
    const double *u = us + 3 * i;
    for (size_t w = 0; w < nweapons && st == REACH_OK; w++) {
      /* theta > rmax / (0.995 b)  <=>  u.v < cos of that: three
       * multiplications reject a far pair (none beyond half a turn). */
      double rmax = weapons[w].range_m;
      if (weapons[w].ballistic &&
          (st = ballistic_bound(ctx, weapons[w].ballistic, &sites[i], &rmax)) != REACH_OK)
        break;
      double thmax = rmax / (0.995 * ctx->b);
      double cmin = thmax >= M_PI ? -2 : cos(thmax);
      for (size_t t = 0; t < ntargets; t++) {
        const double *v = ut + 3 * t;
        if (in_range_only && u[0] * v[0] + u[1] * v[1] + u[2] * v[2] < cmin) continue;
        struct reach_query_row row = {i, w, t, 0, 0, 0, 0, 0, NAN};
        exact(ctx, sites[i].lat_deg, sites[i].lon_deg, targets[t].lat_deg,
              targets[t].lon_deg, &row);
        if ((st = judge(ctx, &weapons[w], &sites[i], &targets[t], &row)) != REACH_OK) break;
        if (in_range_only && !row.in_range) continue;
        if (!fn(&row, data)) {
          st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
          break;
        }
      }
    }
  }
done:
  free(us);
  free(ut);
  return st;
}

/* --nearest: sites sorted by the z of their unit vectors, so the sites that
 * can be within the largest range of a target form one run found by binary
 * search; in that run candidates go by increasing angle, and the exact
 * inverse stops once the bound b theta passes the best distance.  Targets
 * are shared among threads in chunks and reported in order. */
struct zsite {
  double u[3];
  size_t i;
};

static int cmp_z(const void *a, const void *b) {
  const struct zsite *x = a, *y = b;
  if (x->u[2] != y->u[2]) return x->u[2] < y->u[2] ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

struct cand {
  double dot;
  size_t k; /* index into the z-sorted sites */
};

static int cmp_cand(const void *a, const void *b) {
  const struct cand *x = a, *y = b;
  if (x->dot != y->dot) return x->dot > y->dot ? -1 : 1;
  return x->k < y->k ? -1 : x->k > y->k;
}

struct nearest_job {
  const struct reach_site *sites;
  size_t nsites;
  const struct zsite *zs;
  const struct reach_ring_def *weapons;
  size_t nweapons;
  const struct reach_target *targets;
  size_t ntargets;
  int in_range_only;
  double rmax, thmax;
};

/* Index of the first z-sorted site with z >= z0. */
static size_t zlower(const struct zsite *zs, size_t n, double z0) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (zs[mid].u[2] < z0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The answer for target t into *out; returns 0 when nothing is reported. */
static int nearest_one(const struct reach_ctx *ctx, const struct nearest_job *j,
                       size_t t, struct cand **cbuf, size_t *ccap,
                       struct reach_query_row *out) {
  const struct reach_target *tg = &j->targets[t];
  double ut[3];
  reach_unit_reduced(ctx, tg->lat_deg, tg->lon_deg, ut);
  double beta = asin(fmax(-1, fmin(1, ut[2])));
  size_t lo = 0, hi = j->nsites;
  if (j->thmax < M_PI) {
    double b0 = beta - j->thmax, b1 = beta + j->thmax;
    lo = zlower(j->zs, j->nsites, b0 <= -M_PI / 2 ? -2 : sin(b0));
    hi = zlower(j->zs, j->nsites, b1 >= M_PI / 2 ? 2 : nextafter(sin(b1), 2));
  }
  double cmin = j->thmax >= M_PI ? -2 : cos(j->thmax);
  size_t nc = 0;
  for (size_t k = lo; k < hi; k++) {
    const double *u = j->zs[k].u;
    double dot = u[0] * ut[0] + u[1] * ut[1] + u[2] * ut[2];
    if (dot < cmin) continue;
    if (nc == *ccap) {
      size_t c = *ccap ? 2 * *ccap : 256;
      struct cand *p = realloc(*cbuf, c * sizeof *p);
      if (!p) return -1;
      *cbuf = p;
      *ccap = c;
    }
    (*cbuf)[nc++] = (struct cand){dot, k};
  }
  if (nc > 1) qsort(*cbuf, nc, sizeof **cbuf, cmp_cand);
  struct reach_query_row best = {0, 0, t, INFINITY, 0, 0, 0, 0, NAN}, cap = best;
  for (size_t c = 0; c < nc; c++) {
    double th = acos(fmin(1, (*cbuf)[c].dot));
    /* b theta <= s: no later candidate (larger theta) can be nearer than
     * the best capable pair (with a margin for rounding) */
    if (cap.in_range && 0.995 * ctx->b * th > cap.dist_m) break;
    size_t i = j->zs[(*cbuf)[c].k].i;
    struct reach_query_row row = {i, 0, t, 0, 0, 0, 0, 0, NAN};
    exact(ctx, j->sites[i].lat_deg, j->sites[i].lon_deg, tg->lat_deg, tg->lon_deg, &row);
    if (row.dist_m < best.dist_m || (row.dist_m == best.dist_m && i < best.site)) best = row;
    for (size_t w = 0; w < j->nweapons; w++) {
      const struct reach_ring_def *wd = &j->weapons[w];
      if (row.dist_m >= wd->min_range_m && row.dist_m <= wd->range_m &&
          (!cap.in_range || row.dist_m < cap.dist_m ||
           (row.dist_m == cap.dist_m &&
            (i < cap.site || (i == cap.site &&
                              wd->range_m - row.dist_m >
                                  j->weapons[cap.weapon].range_m - cap.dist_m))))) {
        cap = row;
        cap.weapon = w;
        cap.in_range = 1;
      }
    }
  }
  if (cap.in_range) {
    *out = cap;
    out->reach_m = j->weapons[cap.weapon].range_m;
    out->tof_s = NAN;
    /* a circle's flight time, when asked for (the context is only written
     * on bad arguments, which the model's setup has ruled out) */
    const struct reach_ballistic *m = j->weapons[cap.weapon].tof_model;
    struct reach_ballistic_traj tr;
    int ok = 0;
    if (m && reach_ballistic_tof_along((struct reach_ctx *)ctx, m,
                                       j->sites[cap.site].lat_deg,
                                       j->sites[cap.site].lon_deg, out->az_deg,
                                       out->dist_m, m->aim, &tr, &ok) == REACH_OK &&
        ok)
      out->tof_s = tr.tof_s;
    return 1;
  }
  if (j->in_range_only || j->nsites == 0) return 0;
  /* Nobody reaches it: the nearest site of all (by angle, then exact among
   * those the bound cannot rule out), with the weapon falling least short. */
  if (!isfinite(best.dist_m) || best.dist_m > 0.995 * ctx->b * j->thmax) {
    double dmax = -2;
    for (size_t k = 0; k < j->nsites; k++) {
      const double *u = j->zs[k].u;
      double dot = u[0] * ut[0] + u[1] * ut[1] + u[2] * ut[2];
      if (dot > dmax) dmax = dot;
    }
    double thb = acos(fmax(-1, fmin(1, dmax))) * ctx->a / (0.995 * ctx->b);
    double cb = thb >= M_PI ? -2 : cos(thb);
    for (size_t k = 0; k < j->nsites; k++) {
      const double *u = j->zs[k].u;
      if (u[0] * ut[0] + u[1] * ut[1] + u[2] * ut[2] < cb) continue;
      size_t i = j->zs[k].i;
      struct reach_query_row row = {i, 0, t, 0, 0, 0, 0, 0, NAN};
      exact(ctx, j->sites[i].lat_deg, j->sites[i].lon_deg, tg->lat_deg, tg->lon_deg, &row);
      if (row.dist_m < best.dist_m || (row.dist_m == best.dist_m && i < best.site)) best = row;
    }
  }
  cap = best;
  double shortfall = INFINITY;
  for (size_t w = 0; w < j->nweapons; w++) {
    double d = best.dist_m > j->weapons[w].range_m ? best.dist_m - j->weapons[w].range_m
                                                   : j->weapons[w].min_range_m - best.dist_m;
    if (d < shortfall) {
      shortfall = d;
      cap.weapon = w;
    }
  }
  *out = cap;
  out->reach_m = j->weapons[cap.weapon].range_m;
  out->tof_s = NAN;
  return 1;
}

#define NEAREST_CHUNK 8192

struct nearest_chunk {
  struct reach_query_row *rows;
  unsigned char *have;
  int failed;
};

struct nearest_worker {
  pthread_t th;
  struct reach_ctx *ctx;
  const struct nearest_job *j;
  size_t first, n; /* this round's targets */
  struct nearest_chunk *out;
  atomic_size_t *next; /* next chunk of the round */
};

static void nearest_round(struct reach_ctx *ctx, const struct nearest_job *j,
                          size_t first, size_t n, struct nearest_chunk *out,
                          atomic_size_t *next) {
  struct cand *cbuf = NULL;
  size_t ccap = 0, c;
  size_t nchunks = (n + NEAREST_CHUNK - 1) / NEAREST_CHUNK;
  while ((c = atomic_fetch_add(next, 1)) < nchunks) {
    size_t a = c * NEAREST_CHUNK, b = a + NEAREST_CHUNK < n ? a + NEAREST_CHUNK : n;
    for (size_t k = a; k < b; k++) {
      int r = nearest_one(ctx, j, first + k, &cbuf, &ccap, &out->rows[k]);
      if (r < 0) out->failed = 1;
      out->have[k] = r > 0;
    }
  }
  free(cbuf);
}

static void *nearest_main(void *arg) {
  struct nearest_worker *w = arg;
  nearest_round(w->ctx, w->j, w->first, w->n, w->out, w->next);
  return NULL;
}

enum reach_status reach_query_nearest(struct reach_ctx *ctx,
                                      const struct reach_site *sites,
                                      size_t nsites,
                                      const struct reach_ring_def *weapons,
                                      size_t nweapons,
                                      const struct reach_target *targets,
                                      size_t ntargets, int in_range_only,
                                      int threads, reach_row_fn fn, void *data) {
  struct nearest_job j = {sites, nsites, NULL, weapons, nweapons, targets, ntargets,
                          in_range_only, 0, 0};
  for (size_t w = 0; w < nweapons; w++)
    if (weapons[w].ballistic)
      return reach_fail(ctx, REACH_ERR_ARG, "--nearest is for the circular model "
                                            "(the ballistic reach depends on the "
                                            "direction); list the rows instead");
  for (size_t w = 0; w < nweapons; w++) j.rmax = fmax(j.rmax, weapons[w].range_m);
  j.thmax = j.rmax / (0.995 * ctx->b);
  struct zsite *zs = calloc(nsites ? nsites : 1, sizeof *zs);
  size_t round = (size_t)NEAREST_CHUNK * 16;
  struct nearest_chunk out = {calloc(round, sizeof *out.rows), calloc(round, 1), 0};
  int nth = threads > 0 ? threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (nth < 1) nth = 1;
  if (nth > 64) nth = 64;
  struct nearest_worker *ws = calloc((size_t)nth, sizeof *ws);
  enum reach_status st = REACH_OK;
  if (!zs || !out.rows || !out.have || !ws) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < nsites; i++) {
    reach_unit_reduced(ctx, sites[i].lat_deg, sites[i].lon_deg, zs[i].u);
    zs[i].i = i;
  }
  qsort(zs, nsites, sizeof *zs, cmp_z);
  j.zs = zs;
  for (int i = 1; i < nth; i++) {
    ws[i].ctx = reach_ctx_worker(ctx);
    if (!ws[i].ctx) {
      nth = i;
      break;
    }
  }
  for (size_t first = 0; first < ntargets && st == REACH_OK; first += round) {
    size_t n = ntargets - first < round ? ntargets - first : round;
    atomic_size_t next = 0;
    int started[64] = {0};
    for (int i = 1; i < nth; i++) {
      ws[i].j = &j;
      ws[i].first = first;
      ws[i].n = n;
      ws[i].out = &out;
      ws[i].next = &next;
      started[i] = pthread_create(&ws[i].th, NULL, nearest_main, &ws[i]) == 0;
    }
    nearest_round(ctx, &j, first, n, &out, &next);
    for (int i = 1; i < nth; i++)
      if (started[i]) pthread_join(ws[i].th, NULL);
    if (out.failed) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      break;
    }
    for (size_t k = 0; k < n; k++)
      if (out.have[k] && !fn(&out.rows[k], data)) {
        st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
        break;
      }
  }
done:
  for (int i = 1; ws && i < nth; i++) reach_ctx_free(ws[i].ctx);
  free(ws);
  free(zs);
  free(out.rows);
  free(out.have);
  return st;
}

/* --nearest --by time: every site x weapon that reaches the target, the
 * earliest arrival wins (ties: the first site, then the first weapon). */
enum reach_status reach_query_earliest(struct reach_ctx *ctx,
                                       const struct reach_site *sites, size_t nsites,
                                       const struct reach_ring_def *weapons,
                                       size_t nweapons,
                                       const struct reach_target *targets,
                                       size_t ntargets, int in_range_only,
                                       reach_row_fn fn, void *data) {
  double *us = site_units(ctx, sites, nsites);
  double *cmin = malloc((nsites * nweapons + 1) * sizeof *cmin);
  enum reach_status st = REACH_OK;
  if (!us || !cmin) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* the largest reach of each pair, for the bound of reach_query_rows() */
  for (size_t i = 0; i < nsites && st == REACH_OK; i++)
    for (size_t w = 0; w < nweapons && st == REACH_OK; w++) {
      double rmax = weapons[w].range_m;
      if (weapons[w].ballistic)
        st = ballistic_bound(ctx, weapons[w].ballistic, &sites[i], &rmax);
      double thmax = rmax / (0.995 * ctx->b);
      cmin[i * nweapons + w] = thmax >= M_PI ? -2 : cos(thmax);
    }
  for (size_t t = 0; t < ntargets && st == REACH_OK; t++) {
    double ut[3];
    reach_unit_reduced(ctx, targets[t].lat_deg, targets[t].lon_deg, ut);
    struct reach_query_row best = {0, 0, t, INFINITY, 0, 0, 0, 0, NAN};
    struct reach_query_row near = best;
    for (size_t i = 0; i < nsites && st == REACH_OK; i++) {
      const double *u = us + 3 * i;
      double dot = u[0] * ut[0] + u[1] * ut[1] + u[2] * ut[2];
      struct reach_query_row row = {i, 0, t, 0, 0, 0, 0, 0, NAN};
      int exact_done = 0;
      for (size_t w = 0; w < nweapons && st == REACH_OK; w++) {
        if (dot < cmin[i * nweapons + w] && exact_done) continue;
        if (!exact_done) {
          exact(ctx, sites[i].lat_deg, sites[i].lon_deg, targets[t].lat_deg,
                targets[t].lon_deg, &row);
          exact_done = 1;
        }
        row.weapon = w;
        if ((st = judge(ctx, &weapons[w], &sites[i], &targets[t], &row)) != REACH_OK) break;
        if (row.in_range && isfinite(row.tof_s) &&
            (!best.in_range || row.tof_s < best.tof_s))
          best = row;
        /* nobody reaches it: the nearest site, the weapon least short */
        if (!best.in_range &&
            (row.dist_m < near.dist_m ||
             (row.dist_m == near.dist_m && row.site == near.site &&
              row.reach_m - row.dist_m > near.reach_m - near.dist_m)))
          near = row;
      }
    }
    if (st != REACH_OK) break;
    struct reach_query_row *r = best.in_range ? &best : &near;
    if (!best.in_range && (in_range_only || nsites == 0)) continue;
    if (!fn(r, data)) st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
done:
  free(us);
  free(cmin);
  return st;
}

/* The rings job: sites x ranges -> ring features, built in parallel batches
 * and written in order. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "georeach/text.h"
#include "georeach/ring.h"
#include "georeach/overlay.h"
#include "georeach/rings.h"
#include "coverage/union.h"

struct task {
  struct reach_ring_spec spec;
  struct reach_ring ring;
  enum reach_status st;
  char msg[REACH_ERRMSG_LEN];
};

struct batch {
  struct task *tasks;
  size_t n;
  atomic_size_t next;
  atomic_int stop;
};

static void run_tasks(struct reach_ctx *ctx, struct batch *b) {
  size_t i;
  while (!atomic_load(&b->stop) && (i = atomic_fetch_add(&b->next, 1)) < b->n) {
    struct task *t = &b->tasks[i];
    t->st = reach_ring_build(ctx, &t->spec, &t->ring);
    if (t->st != REACH_OK) {
      memcpy(t->msg, reach_errmsg(ctx), sizeof t->msg);
      atomic_store(&b->stop, 1);
    }
  }
}

struct worker {
  pthread_t th;
  struct reach_ctx *ctx;
  struct batch *b;
  pthread_mutex_t mu;
  pthread_cond_t cv, done_cv;
  int has_work, quit;
};

static void *worker_main(void *arg) {
  struct worker *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->has_work && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
    if (w->quit) break;
    pthread_mutex_unlock(&w->mu);
    run_tasks(w->ctx, w->b);
    pthread_mutex_lock(&w->mu);
    w->has_work = 0;
    pthread_cond_signal(&w->done_cv);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* First index of a sorted array with z[i] >= z0. */
static size_t zfirst(const double *z, size_t n, double z0) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (z[mid] < z0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* A site's unit vector on the auxiliary sphere (reduced latitude). */
struct zsite {
  double u[3];
  size_t i;
};

static int cmp_zsite(const void *a, const void *b) {
  const struct zsite *x = a, *y = b;
  if (x->u[2] != y->u[2]) return x->u[2] < y->u[2] ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

#define BURY_SAMPLES 64

static int cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The next batch of up to @p max sites: a slice of job->sites, or read from
 * job->reader into @p buf.  *first is the index of the batch's first site. */
static enum reach_status next_sites(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_site *buf, size_t max,
                                    size_t *pos, const struct reach_site **out,
                                    size_t *got) {
  if (job->reader) {
    *out = buf;
    enum reach_status st = reach_sites_next(ctx, job->reader, buf, max, got);
    return st;
  }
  *out = job->sites + *pos;
  *got = job->nsites - *pos < max ? job->nsites - *pos : max;
  return REACH_OK;
}

/* Write batch b (its sites bs, the first of them site number pos + 1) in
 * order and free its rings. */
static enum reach_status write_batch(struct reach_ctx *ctx, const struct reach_rings_job *job,
                                     struct reach_writer *out, struct batch *b,
                                     const struct reach_site *bs, size_t pos) {
  enum reach_status st = REACH_OK;
  for (size_t i = 0; i < b->n && st == REACH_OK; i++) {
    const struct reach_site *site = &bs[i / job->nrings];
    const struct reach_ring_def *d = &job->rings[i % job->nrings];
    struct task *t = &b->tasks[i];
    if (t->st == REACH_ERR_INTERRUPTED) { /* the interrupt hook: no bad site */
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
      break;
    }
    if (t->st != REACH_OK) {
      char nm[REACH_NAME_LEN * 4];
      st = reach_fail(ctx, t->st, "site %zu (%s): %s", pos + i / job->nrings + 1,
                      reach_text_escape(site->name, nm, sizeof nm), t->msg);
      break;
    }
    struct reach_feature f = {site->name,
                              site->lat_deg,
                              site->lon_deg,
                              d->missile,
                              d->band,
                              d->min_range_m / 1000,
                              d->range_m / 1000,
                              job->sector,
                              job->az_from_deg,
                              job->az_to_deg,
                              job->tolerance_m,
                              t->ring.err_m,
                              t->ring.area_m2 / 1e6,
                              d->kind, d->tof_max_s, d->source};
    st = reach_writer_add(ctx, out, &f, &t->ring.geom);
  }
  for (size_t i = 0; i < b->n; i++) reach_ring_clear(&b->tasks[i].ring);
  b->n = 0;
  return st;
}

/* Hand batch b to the started workers (non-blocking). */
static void dispatch(struct worker *ws, int started, struct batch *b) {
  for (int i = 1; i <= started; i++) {
    pthread_mutex_lock(&ws[i].mu);
    ws[i].b = b;
    ws[i].has_work = 1;
    pthread_cond_signal(&ws[i].cv);
    pthread_mutex_unlock(&ws[i].mu);
  }
}

static void wait_workers(struct worker *ws, int started) {
  for (int i = 1; i <= started; i++) {
    pthread_mutex_lock(&ws[i].mu);
    while (ws[i].has_work) pthread_cond_wait(&ws[i].done_cv, &ws[i].mu);
    pthread_mutex_unlock(&ws[i].mu);
  }
}

/* Rings are built a batch at a time by the workers and the calling thread,
 * and written in order by the calling thread.  With workers, two batches
 * are in flight: while the workers build batch k, the caller writes batch
 * k - 1 (GDAL's writer is not thread-safe: one thread writes) and then
 * helps build k.  The output is the same as one batch after another. */
enum reach_status reach_rings_write(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *out,
                                    reach_progress_fn progress, void *data) {
  int nth = job->threads > 0 ? job->threads : cores();
  if (nth > 64) nth = 64;
  if (job->nrings == 0) return REACH_OK;
  /* Small batches: an interruption is noticed within ~30 ms of work, and a
   * streamed source holds two batches of sites in memory. */
  size_t bsites = 64 * (size_t)nth / job->nrings;
  if (bsites == 0) bsites = 1;
  size_t bsize = bsites * job->nrings;
  double expect = job->reader ? (double)job->expect_sites : (double)job->nsites;
  struct task *tasks = calloc(2 * bsize, sizeof *tasks);
  struct reach_site *sbuf = job->reader ? calloc(2 * bsites, sizeof *sbuf) : NULL;
  struct worker *ws = calloc((size_t)nth, sizeof *ws);
  enum reach_status st = REACH_OK;
  int started = 0;
  if (!tasks || !ws || (job->reader && !sbuf)) {
    free(tasks);
    free(ws);
    free(sbuf);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  /* Validate once up front so a bad value fails before any work. */
  for (size_t r = 0; r < job->nrings; r++) {
    /* ballistic checks depend on the site: they run with each ring */
    struct reach_ring_spec s = {0, 0, job->rings[r].range_m,
                                job->rings[r].min_range_m, job->sector,
                                job->az_from_deg, job->az_to_deg, job->tolerance_m, NULL, 0, 0};
    if ((st = reach_ring_check(ctx, &s)) != REACH_OK) goto done;
  }
  for (int i = 1; i < nth; i++) { /* thread 0 is the caller */
    ws[i].ctx = reach_ctx_worker(ctx);
    if (!ws[i].ctx) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "cannot create a worker context");
      goto done;
    }
    pthread_mutex_init(&ws[i].mu, NULL);
    pthread_cond_init(&ws[i].cv, NULL);
    pthread_cond_init(&ws[i].done_cv, NULL);
    if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
      reach_ctx_free(ws[i].ctx);
      ws[i].ctx = NULL;
      break;
    }
    started = i;
  }
  if (progress && !progress(0, NULL, data)) {
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    goto done;
  }
  struct batch b[2] = {{tasks, 0, 0, 0}, {tasks + bsize, 0, 0, 0}};
  const struct reach_site *bsv[2] = {NULL, NULL};
  size_t bpos[2] = {0, 0};
  int cur = 0, have_prev = 0;
  size_t pos = 0; /* sites read */
  while (st == REACH_OK) {
    size_t nb;
    if ((st = next_sites(ctx, job, sbuf ? sbuf + (size_t)cur * bsites : NULL, bsites, &pos,
                         &bsv[cur], &nb)) != REACH_OK ||
        nb == 0 || !bsv[cur])
      break;
    bpos[cur] = pos;
    struct batch *bc = &b[cur];
    bc->n = nb * job->nrings;
    atomic_store(&bc->next, 0);
    atomic_store(&bc->stop, 0);
    for (size_t i = 0; i < bc->n; i++) {
      const struct reach_site *site = &bsv[cur][i / job->nrings];
      const struct reach_ring_def *d = &job->rings[i % job->nrings];
      struct reach_ring_spec s = {site->lat_deg, site->lon_deg, d->range_m,
                                  d->min_range_m, job->sector,
                                  job->az_from_deg, job->az_to_deg,
                                  job->tolerance_m, d->ballistic, 0, d->tof_max_s};
      memset(&bc->tasks[i], 0, sizeof bc->tasks[i]);
      bc->tasks[i].spec = s;
    }
    dispatch(ws, started, bc);
    if (have_prev) { /* the previous batch, while the workers build this one */
      int pv = cur ^ 1;
      size_t upto = bpos[pv] + b[pv].n / job->nrings; /* sites written */
      st = write_batch(ctx, job, out, &b[pv], bsv[pv], bpos[pv]);
      have_prev = 0;
      if (st == REACH_OK && progress && expect > 0 &&
          !progress(fmin((double)upto / expect, 1), NULL, data))
        st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
      if (st != REACH_OK) atomic_store(&bc->stop, 1);
    }
    if (st == REACH_OK) run_tasks(ctx, bc);
    wait_workers(ws, started);
    pos += nb;
    if (st != REACH_OK) break;
    have_prev = 1;
    cur ^= 1;
  }
  if (have_prev && st == REACH_OK) {
    int pv = cur ^ 1;
    st = write_batch(ctx, job, out, &b[pv], bsv[pv], bpos[pv]);
    if (st == REACH_OK && progress && expect > 0 &&
        !progress(fmin(pos / expect, 1), NULL, data))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < b[k].n; i++) reach_ring_clear(&b[k].tasks[i].ring);
  if (st == REACH_OK && progress && !progress(1, NULL, data))
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
done:
  for (int i = 1; i <= started; i++) {
    pthread_mutex_lock(&ws[i].mu);
    ws[i].quit = 1;
    pthread_cond_signal(&ws[i].cv);
    pthread_mutex_unlock(&ws[i].mu);
    pthread_join(ws[i].th, NULL);
    pthread_mutex_destroy(&ws[i].mu);
    pthread_cond_destroy(&ws[i].cv);
    pthread_cond_destroy(&ws[i].done_cv);
  }
  for (int i = 1; i < nth; i++) reach_ctx_free(ws[i].ctx);
  free(ws);
  free(tasks);
  free(sbuf);
  return st;
}

struct union_task {
  const struct reach_rings_job *job;
  size_t def;
  const unsigned char *buried; /* NULL, or 1 for rings built coarse */
  struct reach_geom *geoms;
  double *err;
  atomic_size_t next;
  atomic_int failed;
  atomic_int interrupted; /* set by any thread */
  char msg[REACH_ERRMSG_LEN];
  /* the calling thread only: progress between p0 and p1, every 50 ms */
  reach_progress_fn progress;
  void *data;
  double p0, p1, last;
};

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void union_worker_run(struct reach_ctx *ctx, struct union_task *u, int caller) {
  size_t i;
  const struct reach_rings_job *job = u->job;
  const struct reach_ring_def *d = &job->rings[u->def];
  while (!atomic_load(&u->failed) && (i = atomic_fetch_add(&u->next, 1)) < job->nsites) {
    if (caller && u->progress && mono_s() - u->last >= 0.05) {
      u->last = mono_s();
      double f = u->p0 + (u->p1 - u->p0) * i / (double)job->nsites;
      if (!u->progress(f, NULL, u->data)) {
        u->interrupted = 1;
        atomic_store(&u->failed, 1);
        break;
      }
    }
    struct reach_ring_spec s = {job->sites[i].lat_deg, job->sites[i].lon_deg, d->range_m,
                                d->min_range_m, job->sector, job->az_from_deg,
                                job->az_to_deg, job->tolerance_m, d->ballistic, 0, d->tof_max_s};
    if (u->buried && u->buried[i]) continue; /* no part of the boundary */
    struct reach_ring r;
    if (reach_ring_build(ctx, &s, &r) != REACH_OK) {
      char nm[REACH_NAME_LEN * 4];
      /* a stop asked through the context's interrupt hook is no bad site */
      if (reach_errno(ctx) == REACH_ERR_INTERRUPTED) u->interrupted = 1;
      if (!atomic_exchange(&u->failed, 1))
        snprintf(u->msg, sizeof u->msg, "site %zu (%s): %s", i + 1,
                 reach_text_escape(job->sites[i].name, nm, sizeof nm), reach_errmsg(ctx));
      continue;
    }
    u->geoms[i] = r.geom;
    u->err[i] = r.err_m;
  }
}

struct union_thread {
  pthread_t th;
  struct reach_ctx *ctx;
  struct union_task *u;
};

static void *union_thread_main(void *arg) {
  struct union_thread *t = arg;
  union_worker_run(t->ctx, t->u, 0);
  return NULL;
}

static int job_threads(const struct reach_rings_job *job) {
  int nth = job->threads > 0 ? job->threads : cores();
  return nth > 64 ? 64 : nth;
}

/* Buried sites.  In a union of many discs most circles lie wholly inside
 * other discs.  The union's boundary lies on the circles of the others (the
 * exposed sites), so the union is the union U_e of the exposed discs plus
 * those parts of the rest of the plane that hold no boundary of the whole
 * union: each component of the complement of U_e is covered by buried discs
 * entirely or not at all, and one interior point tells which
 * (reach_geom_fill()).  Buried rings are never built.  A site is buried
 * when each of BURY_SAMPLES points along its circle (at most pi R / 32
 * apart, a geodesic circle being no longer than 2 pi R) lies within
 * R - pi R / 64 - 1 km of another site, judged by the bound s <= a theta on
 * the auxiliary sphere: then every point of its circle is more than 1 km
 * inside another disc.  Plain discs up to 10,000 km only; independent of the
 * thread count. */

struct bury_work {
  const struct reach_ctx *ctx; /* read only: shared by the threads */
  const struct reach_site *sites;
  size_t n;
  double R, thlim, clim;
  const struct zsite *zs;
  const double *z;
  unsigned char *buried;
  atomic_size_t next;
  reach_progress_fn progress; /* called by the calling thread between blocks */
  void *data;
  pthread_t caller;
  atomic_int stop;
};

static void *bury_main(void *arg) {
  struct bury_work *w = arg;
  size_t block;
  while (!atomic_load(&w->stop) && (block = atomic_fetch_add(&w->next, 1)) * 64 < w->n) {
    if (w->progress && pthread_equal(pthread_self(), w->caller) &&
        !w->progress(0, NULL, w->data)) {
      atomic_store(&w->stop, 1);
      break;
    }
    size_t end = (block + 1) * 64 < w->n ? (block + 1) * 64 : w->n;
    for (size_t i = block * 64; i < end; i++) {
      const struct reach_site *c = &w->sites[i];
      int all = 1;
      for (int kk = 0; kk < BURY_SAMPLES && all; kk++) {
        double lat, lon;
        double v[3];
        geod_direct(&w->ctx->g, c->lat_deg, c->lon_deg, 360.0 * kk / BURY_SAMPLES, w->R,
                    &lat, &lon, NULL);
        reach_unit_reduced(w->ctx, lat, lon, v);
        double beta = asin(fmax(-1, fmin(1, v[2])));
        double b0 = beta - w->thlim, b1 = beta + w->thlim;
        size_t lo = zfirst(w->z, w->n, b0 <= -M_PI / 2 ? -2 : sin(b0));
        size_t hi = zfirst(w->z, w->n, b1 >= M_PI / 2 ? 2 : nextafter(sin(b1), 2));
        int covered = 0;
        for (size_t m = lo; m < hi && !covered; m++) {
          if (w->zs[m].i == i) continue;
          const double *u = w->zs[m].u;
          covered = u[0] * v[0] + u[1] * v[1] + u[2] * v[2] > w->clim;
        }
        all = covered;
      }
      w->buried[i] = (unsigned char)all;
    }
  }
  return NULL;
}

enum reach_status bury(struct reach_ctx *ctx, const struct reach_rings_job *job,
                       size_t k, unsigned char **out, reach_progress_fn progress,
                       void *data) {
  const struct reach_ring_def *d = &job->rings[k];
  size_t n = job->nsites;
  *out = NULL;
  double R = d->range_m, half = M_PI * R / BURY_SAMPLES;
  double lim = R - half - 1000;
  if (job->sector || d->min_range_m > 0 || d->ballistic || n < 2 || R > 10000e3 ||
      lim <= 0)
    return REACH_OK;
  unsigned char *buried = calloc(n, 1);
  struct zsite *zs = calloc(n, sizeof *zs);
  double *z = calloc(n, sizeof *z);
  if (!buried || !zs || !z) {
    free(buried);
    free(zs);
    free(z);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  /* unit vectors of reduced latitude, sorted by z (ties by index) */
  for (size_t i = 0; i < n; i++) {
    reach_unit_reduced(ctx, job->sites[i].lat_deg, job->sites[i].lon_deg, zs[i].u);
    zs[i].i = i;
  }
  qsort(zs, n, sizeof *zs, cmp_zsite);
  for (size_t i = 0; i < n; i++) z[i] = zs[i].u[2];
  struct bury_work bw = {ctx, job->sites, n, R, lim / ctx->a, cos(lim / ctx->a),
                         zs, z, buried, 0, progress, data, pthread_self(), 0};
  int nth = job_threads(job);
  pthread_t th[64];
  int started = 0;
  for (int t = 1; t < nth && t < 64; t++) {
    if (pthread_create(&th[t], NULL, bury_main, &bw) != 0) break;
    started = t;
  }
  bury_main(&bw);
  for (int t = 1; t <= started; t++) pthread_join(th[t], NULL);
  free(zs);
  free(z);
  if (atomic_load(&bw.stop)) {
    free(buried);
    return reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  *out = buried;
  return REACH_OK;
}

/* Every site's ring of def k, on all threads: *geoms (nsites entries, caller
 * clears and frees) and the largest error. */
enum reach_status build_all(struct reach_ctx *ctx,
                                   const struct reach_rings_job *job, size_t k,
                                   const unsigned char *buried,
                                   struct reach_geom **geoms, double *errmax,
                                   reach_progress_fn progress, void *data, double p0,
                                   double p1) {
  int nth = job_threads(job);
  struct union_task u;
  memset(&u, 0, sizeof u);
  u.progress = progress;
  u.data = data;
  u.p0 = p0;
  u.p1 = p1;
  u.job = job;
  u.def = k;
  u.buried = buried;
  u.geoms = calloc(job->nsites ? job->nsites : 1, sizeof *u.geoms);
  u.err = calloc(job->nsites ? job->nsites : 1, sizeof *u.err);
  struct union_thread *ts = calloc((size_t)nth, sizeof *ts);
  *geoms = NULL;
  *errmax = 0;
  if (!u.geoms || !u.err || !ts) {
    free(u.geoms);
    free(u.err);
    free(ts);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  int started = 0;
  for (int i = 1; i < nth; i++) {
    ts[i].ctx = reach_ctx_worker(ctx);
    ts[i].u = &u;
    if (ts[i].ctx && pthread_create(&ts[i].th, NULL, union_thread_main, &ts[i]) == 0)
      started = i;
    else
      break;
  }
  union_worker_run(ctx, &u, 1);
  for (int i = 1; i <= started; i++) pthread_join(ts[i].th, NULL);
  for (int i = 1; i < nth; i++) reach_ctx_free(ts[i].ctx);
  free(ts);
  for (size_t i = 0; i < job->nsites; i++) *errmax = fmax(*errmax, u.err[i]);
  free(u.err);
  if (atomic_load(&u.failed)) {
    for (size_t i = 0; i < job->nsites; i++) reach_geom_clear(&u.geoms[i]);
    free(u.geoms);
    if (u.interrupted) return reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    return reach_fail(ctx, REACH_ERR_DATA, "%s", u.msg);
  }
  *geoms = u.geoms;
  return REACH_OK;
}

/* The union of many regions on several threads: regions sorted by the
 * longitude of their first vertex and cut into runs of about UNION_RUN, so
 * each partial union is regional and the last one merges along seams.  The
 * runs depend on the data only, never on the thread count, so the output is
 * the same byte for byte whatever the thread count. */
#define UNION_RUN 512
#define UNION_MAX_RUNS 32

struct runs {
  struct reach_geom *sorted; /* shallow copies, sorted */
  size_t n, nruns;
  struct reach_geom *outs;
  enum reach_status *st;
  char (*msg)[REACH_ERRMSG_LEN];
  atomic_size_t next;
};

struct run_thread {
  pthread_t th;
  struct reach_ctx *ctx;
  struct runs *r;
};

static void runs_work(struct reach_ctx *ctx, struct runs *r) {
  size_t t;
  while ((t = atomic_fetch_add(&r->next, 1)) < r->nruns) {
    size_t lo = r->n * t / r->nruns, hi = r->n * (t + 1) / r->nruns;
    r->st[t] = reach_geom_union_all(ctx, r->sorted + lo, hi - lo, &r->outs[t]);
    if (r->st[t] != REACH_OK) snprintf(r->msg[t], REACH_ERRMSG_LEN, "%s", reach_errmsg(ctx));
  }
}

static void *run_thread_main(void *arg) {
  struct run_thread *t = arg;
  runs_work(t->ctx, t->r);
  return NULL;
}

struct lonkey {
  double lon;
  size_t i;
};

static int cmp_lonkey(const void *a, const void *b) {
  const struct lonkey *x = a, *y = b;
  if (x->lon != y->lon) return x->lon < y->lon ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

enum reach_status union_parallel(struct reach_ctx *ctx,
                                 const struct reach_geom *gs, size_t n,
                                 int nth, struct reach_geom *out) {
  size_t nruns = n / UNION_RUN;
  if (nruns > UNION_MAX_RUNS) nruns = UNION_MAX_RUNS;
  if (nruns < 2) return reach_geom_union_all(ctx, gs, n, out);
  struct lonkey *key = calloc(n, sizeof *key);
  struct runs r;
  memset(&r, 0, sizeof r);
  r.n = n;
  r.nruns = nruns;
  r.sorted = calloc(n, sizeof *r.sorted);
  r.outs = calloc(nruns, sizeof *r.outs);
  r.st = calloc(nruns, sizeof *r.st);
  r.msg = calloc(nruns, sizeof *r.msg);
  struct run_thread *ts = calloc((size_t)(nth > 1 ? nth : 1), sizeof *ts);
  enum reach_status st = REACH_OK;
  if (!key || !r.sorted || !r.outs || !r.st || !r.msg || !ts) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    key[i].lon = gs[i].npoints ? gs[i].xy[0] : 0;
    key[i].i = i;
  }
  qsort(key, n, sizeof *key, cmp_lonkey);
  for (size_t i = 0; i < n; i++) r.sorted[i] = gs[key[i].i]; /* shallow */
  int started = 0;
  for (int i = 1; i < nth; i++) {
    ts[i].ctx = reach_ctx_worker(ctx);
    ts[i].r = &r;
    if (ts[i].ctx && pthread_create(&ts[i].th, NULL, run_thread_main, &ts[i]) == 0)
      started = i;
    else
      break;
  }
  runs_work(ctx, &r);
  for (int i = 1; i <= started; i++) pthread_join(ts[i].th, NULL);
  for (int i = 1; i < nth; i++) reach_ctx_free(ts[i].ctx);
  for (size_t t = 0; t < nruns && st == REACH_OK; t++)
    if (r.st[t] != REACH_OK) st = reach_fail(ctx, r.st[t], "%s", r.msg[t]);
  if (st == REACH_OK) st = reach_geom_union_all(ctx, r.outs, nruns, out);
  for (size_t t = 0; t < nruns; t++) reach_geom_clear(&r.outs[t]);
done:
  free(key);
  free(r.sorted);
  free(r.outs);
  free(r.st);
  free(r.msg);
  free(ts);
  return st;
}

static void free_geoms(struct reach_geom *gs, size_t n) {
  for (size_t i = 0; gs && i < n; i++) reach_geom_clear(&gs[i]);
  free(gs);
}

static int step(reach_progress_fn progress, void *data, double done) {
  return !progress || progress(done, NULL, data);
}

struct buried_pred {
  const struct reach_ctx *ctx;
  const struct reach_site *sites;
  const unsigned char *buried;
  size_t n;
  double R;
};

/* Whether (lat, lon) is within R of a buried site (exact distances where the
 * bound on the auxiliary sphere cannot rule a site out). */
static int within_buried(double lat, double lon, void *data) {
  const struct buried_pred *p = data;
  const struct reach_ctx *ctx = p->ctx;
  double th = p->R / (0.995 * ctx->b), cmin = th >= M_PI ? -2 : cos(th);
  double v[3], u[3];
  reach_unit_reduced(ctx, lat, lon, v);
  for (size_t i = 0; i < p->n; i++) {
    if (!p->buried[i]) continue;
    reach_unit_reduced(ctx, p->sites[i].lat_deg, p->sites[i].lon_deg, u);
    if (u[0] * v[0] + u[1] * v[1] + u[2] * v[2] < cmin) continue;
    double s12;
    geod_inverse(&ctx->g, p->sites[i].lat_deg, p->sites[i].lon_deg, lat, lon, &s12, NULL,
                 NULL);
    if (s12 <= p->R) return 1;
  }
  return 0;
}

enum reach_status fill_buried(struct reach_ctx *ctx, const struct reach_rings_job *job,
                              size_t k, const unsigned char *buried,
                              struct reach_geom *all) {
  size_t nb = 0, filled = 0;
  for (size_t i = 0; buried && i < job->nsites; i++) nb += buried[i];
  if (nb == 0) return REACH_OK;
  struct buried_pred p = {ctx, job->sites, buried, job->nsites, job->rings[k].range_m};
  return reach_geom_fill(ctx, all, within_buried, &p, &filled);
}

enum reach_status reach_rings_union(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *w,
                                    reach_progress_fn progress, void *data) {
  enum reach_status st = REACH_OK;
  for (size_t k = 0; k < job->nrings && st == REACH_OK; k++) {
    struct reach_geom *geoms, all;
    double err;
    unsigned char *buried = NULL;
    if ((st = bury(ctx, job, k, &buried, NULL, NULL)) != REACH_OK) break;
    st = build_all(ctx, job, k, buried, &geoms, &err, NULL, NULL, 0, 0);
    if (st != REACH_OK) {
      free(buried);
      break;
    }
    if (!step(progress, data, (k + 0.5) / job->nrings)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    } else if ((st = union_parallel(ctx, geoms, job->nsites, job_threads(job), &all)) ==
                   REACH_OK &&
               (st = fill_buried(ctx, job, k, buried, &all)) == REACH_OK) {
      const struct reach_ring_def *d = &job->rings[k];
      struct reach_feature f = {"", 0, 0, d->missile, d->band, d->min_range_m / 1000,
                                d->range_m / 1000, job->sector, job->az_from_deg,
                                job->az_to_deg, job->tolerance_m, err,
                                reach_geom_area_m2(ctx, &all) / 1e6, NULL, d->tof_max_s,
                                d->source};
      st = reach_writer_add_coverage(ctx, w, &f, (long)job->nsites, &all);
      reach_geom_clear(&all);
      for (size_t i = 0; i < job->nsites && st == REACH_OK; i++)
        st = reach_writer_add_site(ctx, w, &job->sites[i]);
    }
    free(buried);
    free_geoms(geoms, job->nsites);
    if (st == REACH_OK && !step(progress, data, (k + 1.0) / job->nrings))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  return st;
}

/* Progress of the overlap phase of ring def k, mapped into the job's. */
struct count_prog {
  reach_progress_fn progress;
  void *data;
  double p0, p1;
};

static int count_step(double done, const char *msg, void *data) {
  const struct count_prog *c = data;
  return c->progress(c->p0 + (c->p1 - c->p0) * done, msg, c->data);
}

enum reach_status reach_rings_count(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    long min_count, struct reach_writer *w,
                                    reach_progress_fn progress, void *data) {
  enum reach_status st = REACH_OK;
  for (size_t k = 0; k < job->nrings && st == REACH_OK; k++) {
    struct reach_geom *geoms;
    struct reach_overlap_band *bands = NULL;
    size_t nbands = 0;
    double err;
    /* a tenth for the rings, the rest for the counting */
    double p0 = (double)k / job->nrings, p1 = (k + 1.0) / job->nrings;
    double pm = p0 + 0.1 * (p1 - p0);
    if ((st = build_all(ctx, job, k, NULL, &geoms, &err, progress, data, p0, pm)) !=
        REACH_OK)
      break;
    struct count_prog cp = {progress, data, pm, p1};
    if (!step(progress, data, pm))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    else
      st = reach_geom_overlap_run(ctx, geoms, job->nsites, min_count, job_threads(job),
                                  progress ? count_step : NULL, &cp, &bands, &nbands);
    free_geoms(geoms, job->nsites);
    const struct reach_ring_def *d = &job->rings[k];
    for (size_t b = 0; b < nbands && st == REACH_OK; b++) {
      struct reach_feature f = {"", 0, 0, d->missile, d->band, d->min_range_m / 1000,
                                d->range_m / 1000, job->sector, job->az_from_deg,
                                job->az_to_deg, job->tolerance_m, err,
                                bands[b].area_m2 / 1e6, NULL, 0, d->source};
      st = reach_writer_add_overlap(ctx, w, &f, (long)job->nsites, bands[b].count,
                                    bands[b].at_least, &bands[b].geom);
      if (st == REACH_OK && !step(progress, data, p1))
        st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    }
    for (size_t i = 0; i < job->nsites && st == REACH_OK && k == 0; i++)
      st = reach_writer_add_site(ctx, w, &job->sites[i]);
    reach_overlap_free(bands, nbands);
    if (st == REACH_OK && !step(progress, data, p1))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  return st;
}

enum reach_status reach_rings_count_geom(struct reach_ctx *ctx,
                                         const struct reach_rings_job *job, size_t def,
                                         long min_count, struct reach_overlap_band **bands,
                                         size_t *nbands, double *err_m,
                                         reach_progress_fn progress, void *data) {
  *bands = NULL;
  *nbands = 0;
  if (def >= job->nrings) return reach_fail(ctx, REACH_ERR_ARG, "no ring def %zu", def);
  struct reach_geom *geoms;
  double err;
  enum reach_status st = build_all(ctx, job, def, NULL, &geoms, &err, progress, data, 0, 0.1);
  if (st != REACH_OK) return st;
  struct count_prog cp = {progress, data, 0.1, 1};
  if (!step(progress, data, 0.1))
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  else
    st = reach_geom_overlap_run(ctx, geoms, job->nsites, min_count, job_threads(job),
                                progress ? count_step : NULL, &cp, bands, nbands);
  free_geoms(geoms, job->nsites);
  if (err_m) *err_m = err;
  return st;
}

/* Reach from a territory T: T and every point within R of it.  A point
 * within R of T and outside T is within R of T's boundary, so the result is
 * T united with the discs round points sampled along the boundary.  Between
 * neighbouring samples A and B (geodesic distance d) the union of their discs
 * can miss points within R of the boundary between them by at most the
 * sagitta R - sqrt(R^2 - d^2/4) (the plane's figure; on the sphere the gap is
 * smaller, and past a quarter meridian it vanishes), plus how far the lon/lat
 * edge between them strays from the geodesic AB (measured at its middle).
 * Half the tolerance goes to that, half to the rings. */
#define AREA_MAX_SAMPLES 5000000

struct samples {
  struct reach_site *s;
  size_t n, cap;
};

static int add_sample(struct samples *sm, double lat, double lon) {
  if (sm->n == sm->cap) {
    size_t c = sm->cap ? 2 * sm->cap : 1024;
    if (c > AREA_MAX_SAMPLES) return 0;
    struct reach_site *p = realloc(sm->s, c * sizeof *p);
    if (!p) return 0;
    sm->s = p;
    sm->cap = c;
  }
  struct reach_site *x = &sm->s[sm->n++];
  snprintf(x->name, sizeof x->name, "boundary %zu", sm->n);
  x->lat_deg = lat;
  x->lon_deg = lon;
  return 1;
}

static double sagitta(double R, double d) {
  double h = d / 2;
  return h >= R ? R : h * h / (R + sqrt(R * R - h * h));
}

/* Whether the edge a-b lies on a cut line (lon = +-180) or a pole line: no
 * boundary of the territory, only of its lon/lat picture. */
static int artificial(double x0, double y0, double x1, double y1) {
  return (fabs(x0) == 180 && x0 == x1) || (fabs(y0) == 90 && y0 == y1);
}

static enum reach_status sample_boundary(struct reach_ctx *ctx,
                                         const struct reach_geom *t, double R,
                                         double budget, struct samples *sm,
                                         double *worst) {
  /* A quarter of the budget to the sagitta at first, the rest of the half
   * to the edges' departure from geodesics. */
  double b = budget / 4, dmax = 2 * sqrt(fmax(2 * R * b - b * b, 0));
  *worst = 0;
  for (size_t r = 0; r < t->nrings; r++) {
    size_t k0 = t->ring_start[r], k1 = t->ring_start[r + 1];
    for (size_t k = k0; k + 1 < k1; k++) {
      double x0 = t->xy[2 * k], y0 = t->xy[2 * k + 1];
      double x1 = t->xy[2 * k + 2], y1 = t->xy[2 * k + 3];
      if (artificial(x0, y0, x1, y1)) continue;
      double len;
      geod_inverse(&ctx->g, y0, x0, y1, x1, &len, NULL, NULL);
      size_t m = (size_t)ceil(len / dmax);
      if (m < 1) m = 1;
      for (int pass = 0; pass < 40; pass++) {
        /* Check the sub-edges: sagitta of their length plus the lon/lat
         * middle's distance from the geodesic middle. */
        double bad = 0;
        for (size_t j = 0; j < m; j++) {
          double u0 = (double)j / m, u1 = (double)(j + 1) / m, um = (u0 + u1) / 2;
          double ax = x0 + u0 * (x1 - x0), ay = y0 + u0 * (y1 - y0);
          double bx = x0 + u1 * (x1 - x0), by = y0 + u1 * (y1 - y0);
          double mx = x0 + um * (x1 - x0), my = y0 + um * (y1 - y0);
          double s12, az1, gx, gy, dev;
          geod_inverse(&ctx->g, ay, ax, by, bx, &s12, &az1, NULL);
          geod_direct(&ctx->g, ay, ax, az1, s12 / 2, &gy, &gx, NULL);
          geod_inverse(&ctx->g, my, mx, gy, gx, &dev, NULL, NULL);
          double e = sagitta(R, s12) + dev;
          if (e > bad) bad = e;
        }
        if (bad <= budget / 2 || m > (size_t)1 << 20) {
          if (bad > *worst) *worst = bad;
          break;
        }
        m *= 2;
      }
      for (size_t j = 0; j < m; j++) {
        double u = (double)j / m;
        if (!add_sample(sm, y0 + u * (y1 - y0), x0 + u * (x1 - x0)))
          return reach_fail(ctx, REACH_ERR_NOMEM,
                            "the territory's boundary needs more than %d "
                            "samples at this tolerance",
                            AREA_MAX_SAMPLES);
      }
      if (k + 2 == k1 && !add_sample(sm, y1, x1))
        return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
  }
  return REACH_OK;
}

/* Reach from @p territory for def @p k of @p job into @p all; *err_m the
 * measured error, *nsamples the boundary samples. */
static enum reach_status area_one(struct reach_ctx *ctx, const struct reach_rings_job *job,
                                  size_t k, const struct reach_geom *territory,
                                  struct reach_geom *all, double *err_m, size_t *nsamples,
                                  reach_progress_fn progress, void *data) {
  memset(all, 0, sizeof *all);
  if (job->sector)
    return reach_fail(ctx, REACH_ERR_ARG, "a sector (--azimuth) has no meaning "
                                          "from a whole territory");
  const struct reach_ring_def *d = &job->rings[k];
  if (d->min_range_m > 0)
    return reach_fail(ctx, REACH_ERR_ARG, "a minimum range has no meaning "
                                          "from a whole territory");
  struct samples sm = {0};
  double sag = 0, err = 0, tol = job->tolerance_m;
  enum reach_status st = sample_boundary(ctx, territory, d->range_m, tol, &sm, &sag);
  struct reach_rings_job sub = *job;
  struct reach_ring_def def = *d;
  sub.sites = sm.s;
  sub.nsites = sm.n;
  sub.rings = &def;
  sub.nrings = 1;
  sub.tolerance_m = fmax(tol / 2, REACH_TOLERANCE_MIN_M);
  sub.reader = NULL;
  struct reach_geom *geoms = NULL;
  unsigned char *buried = NULL; /* discs inside the others: see bury() */
  if (st == REACH_OK) st = bury(ctx, &sub, 0, &buried, NULL, NULL);
  if (st == REACH_OK) st = build_all(ctx, &sub, 0, buried, &geoms, &err, NULL, NULL, 0, 0);
  if (st == REACH_OK && !step(progress, data, (k + 0.5) / job->nrings))
    st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  if (st == REACH_OK) {
    /* The territory joins the union as one more region. */
    struct reach_geom *more = realloc(geoms, (sm.n + 1) * sizeof *more);
    if (!more) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    } else {
      geoms = more;
      geoms[sm.n] = *territory; /* borrowed: not cleared below */
      st = union_parallel(ctx, geoms, sm.n + 1, job_threads(job), all);
      memset(&geoms[sm.n], 0, sizeof geoms[sm.n]);
      if (st == REACH_OK && (st = fill_buried(ctx, &sub, 0, buried, all)) != REACH_OK)
        reach_geom_clear(all);
    }
  }
  if (geoms) free_geoms(geoms, sm.n);
  free(buried);
  free(sm.s);
  if (err_m) *err_m = err + sag;
  if (nsamples) *nsamples = sm.n;
  return st;
}

enum reach_status reach_rings_from_area_geom(struct reach_ctx *ctx,
                                             const struct reach_rings_job *job, size_t def,
                                             const struct reach_geom *territory,
                                             struct reach_geom *out, double *err_m,
                                             reach_progress_fn progress, void *data) {
  memset(out, 0, sizeof *out);
  if (def >= job->nrings) return reach_fail(ctx, REACH_ERR_ARG, "no ring def %zu", def);
  return area_one(ctx, job, def, territory, out, err_m, NULL, progress, data);
}

enum reach_status reach_rings_from_area(struct reach_ctx *ctx,
                                        const struct reach_rings_job *job,
                                        const struct reach_geom *territory,
                                        const char *label, struct reach_writer *w,
                                        reach_progress_fn progress, void *data) {
  enum reach_status st = REACH_OK;
  for (size_t k = 0; k < job->nrings && st == REACH_OK; k++) {
    const struct reach_ring_def *d = &job->rings[k];
    struct reach_geom all;
    double err = 0;
    size_t n = 0;
    st = area_one(ctx, job, k, territory, &all, &err, &n, progress, data);
    if (st == REACH_OK) {
      struct reach_feature f = {label, 0, 0, d->missile, d->band, 0,
                                d->range_m / 1000, 0, 0, 0, job->tolerance_m, err,
                                reach_geom_area_m2(ctx, &all) / 1e6, NULL, 0, d->source};
      st = reach_writer_add_area(ctx, w, &f, (long)n, &all);
      reach_geom_clear(&all);
    }
    if (st == REACH_OK && !step(progress, data, (k + 1.0) / job->nrings))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  return st;
}

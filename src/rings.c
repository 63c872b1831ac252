/* The rings job: sites x ranges -> ring features, built in parallel batches
 * and written in order. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "georeach/ring.h"
#include "georeach/overlay.h"
#include "georeach/rings.h"

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

static int cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

enum reach_status reach_rings_write(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *out,
                                    reach_progress_fn progress, void *data) {
  size_t total = job->nsites * job->nrings;
  int nth = job->threads > 0 ? job->threads : cores();
  if (nth > 64) nth = 64;
  /* Small batches: an interruption is noticed within ~30 ms of work. */
  size_t bsize = 64 * (size_t)nth;
  if (bsize > total) bsize = total ? total : 1;
  struct task *tasks = calloc(bsize, sizeof *tasks);
  struct worker *ws = calloc((size_t)nth, sizeof *ws);
  enum reach_status st = REACH_OK;
  int started = 0;
  if (!tasks || !ws) {
    free(tasks);
    free(ws);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  /* Validate once up front so a bad value fails before any work. */
  for (size_t r = 0; r < job->nrings && total; r++) {
    struct reach_ring_spec s = {job->sites[0].lat_deg, job->sites[0].lon_deg,
                                job->rings[r].range_m, job->rings[r].min_range_m,
                                job->sector, job->az_from_deg, job->az_to_deg,
                                job->tolerance_m};
    if ((st = reach_ring_check(ctx, &s)) != REACH_OK) goto done;
  }
  for (int i = 1; i < nth; i++) { /* thread 0 is the caller */
    ws[i].ctx = reach_ctx_new();
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
  for (size_t first = 0; first < total && st == REACH_OK; first += bsize) {
    struct batch b = {tasks, total - first < bsize ? total - first : bsize, 0, 0};
    for (size_t i = 0; i < b.n; i++) {
      size_t k = first + i;
      const struct reach_site *site = &job->sites[k / job->nrings];
      const struct reach_ring_def *d = &job->rings[k % job->nrings];
      struct reach_ring_spec s = {site->lat_deg, site->lon_deg, d->range_m,
                                  d->min_range_m, job->sector,
                                  job->az_from_deg, job->az_to_deg,
                                  job->tolerance_m};
      memset(&tasks[i], 0, sizeof tasks[i]);
      tasks[i].spec = s;
    }
    for (int i = 1; i <= started; i++) {
      pthread_mutex_lock(&ws[i].mu);
      ws[i].b = &b;
      ws[i].has_work = 1;
      pthread_cond_signal(&ws[i].cv);
      pthread_mutex_unlock(&ws[i].mu);
    }
    run_tasks(ctx, &b);
    for (int i = 1; i <= started; i++) {
      pthread_mutex_lock(&ws[i].mu);
      while (ws[i].has_work) pthread_cond_wait(&ws[i].done_cv, &ws[i].mu);
      pthread_mutex_unlock(&ws[i].mu);
    }
    for (size_t i = 0; i < b.n && st == REACH_OK; i++) {
      size_t k = first + i;
      const struct reach_site *site = &job->sites[k / job->nrings];
      const struct reach_ring_def *d = &job->rings[k % job->nrings];
      struct task *t = &tasks[i];
      if (t->st != REACH_OK) {
        st = reach_fail(ctx, t->st, "site %zu (%s): %s", k / job->nrings + 1,
                        site->name, t->msg);
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
                                t->ring.area_m2 / 1e6};
      st = reach_writer_add(ctx, out, &f, &t->ring.geom);
    }
    for (size_t i = 0; i < b.n; i++) reach_ring_clear(&tasks[i].ring);
    if (st == REACH_OK && progress &&
        !progress((double)(first + b.n) / total, NULL, data))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
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
  return st;
}

struct union_task {
  const struct reach_rings_job *job;
  size_t def;
  struct reach_geom *geoms;
  double *err;
  atomic_size_t next;
  atomic_int failed;
  char msg[REACH_ERRMSG_LEN];
};

static void union_worker_run(struct reach_ctx *ctx, struct union_task *u) {
  size_t i;
  const struct reach_rings_job *job = u->job;
  const struct reach_ring_def *d = &job->rings[u->def];
  while (!atomic_load(&u->failed) && (i = atomic_fetch_add(&u->next, 1)) < job->nsites) {
    struct reach_ring_spec s = {job->sites[i].lat_deg, job->sites[i].lon_deg, d->range_m,
                                d->min_range_m, job->sector, job->az_from_deg,
                                job->az_to_deg, job->tolerance_m};
    struct reach_ring r;
    if (reach_ring_build(ctx, &s, &r) != REACH_OK) {
      if (!atomic_exchange(&u->failed, 1))
        snprintf(u->msg, sizeof u->msg, "site %zu (%s): %s", i + 1, job->sites[i].name,
                 reach_errmsg(ctx));
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
  union_worker_run(t->ctx, t->u);
  return NULL;
}

enum reach_status reach_rings_union(struct reach_ctx *ctx,
                                    const struct reach_rings_job *job,
                                    struct reach_writer *w,
                                    reach_progress_fn progress, void *data) {
  int nth = job->threads > 0 ? job->threads : cores();
  enum reach_status st = REACH_OK;
  for (size_t k = 0; k < job->nrings && st == REACH_OK; k++) {
    struct union_task u;
    memset(&u, 0, sizeof u);
    u.job = job;
    u.def = k;
    u.geoms = calloc(job->nsites ? job->nsites : 1, sizeof *u.geoms);
    u.err = calloc(job->nsites ? job->nsites : 1, sizeof *u.err);
    struct union_thread *ts = calloc((size_t)nth, sizeof *ts);
    if (!u.geoms || !u.err || !ts) {
      free(u.geoms);
      free(u.err);
      free(ts);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    int started = 0;
    for (int i = 1; i < nth; i++) {
      ts[i].ctx = reach_ctx_new();
      ts[i].u = &u;
      if (ts[i].ctx && pthread_create(&ts[i].th, NULL, union_thread_main, &ts[i]) == 0)
        started = i;
      else
        break;
    }
    union_worker_run(ctx, &u);
    for (int i = 1; i <= started; i++) pthread_join(ts[i].th, NULL);
    for (int i = 1; i < nth; i++) reach_ctx_free(ts[i].ctx);
    free(ts);
    double err = 0;
    for (size_t i = 0; i < job->nsites; i++) err = fmax(err, u.err[i]);
    if (atomic_load(&u.failed)) {
      st = reach_fail(ctx, REACH_ERR_DATA, "%s", u.msg);
    } else if (progress && !progress((k + 0.5) / job->nrings, NULL, data)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
    } else {
      struct reach_geom all;
      st = reach_geom_union_all(ctx, u.geoms, job->nsites, &all);
      if (st == REACH_OK) {
        const struct reach_ring_def *d = &job->rings[k];
        struct reach_feature f = {"", 0, 0, d->missile, d->band, d->min_range_m / 1000,
                                  d->range_m / 1000, job->sector, job->az_from_deg,
                                  job->az_to_deg, job->tolerance_m, err,
                                  reach_geom_area_m2(ctx, &all) / 1e6};
        st = reach_writer_add_coverage(ctx, w, &f, (long)job->nsites, &all);
        reach_geom_clear(&all);
      }
    }
    for (size_t i = 0; i < job->nsites; i++) reach_geom_clear(&u.geoms[i]);
    free(u.geoms);
    free(u.err);
    if (st == REACH_OK && progress && !progress((k + 1.0) / job->nrings, NULL, data))
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
  }
  return st;
}

/* georeach for PostgreSQL: libgeoreach's rings, coverage, baskets, catalogue
 * and areas as SQL functions (docs/SQL.md).
 *
 * Geometry crosses the boundary as WKB: the scalar functions take lat/lon
 * numbers and return bytea, and the SQL wrappers of georeach--0.2.sql turn
 * them into PostGIS geometry with ST_GeomFromWKB/ST_AsBinary.  The coverage
 * aggregate cannot be wrapped (an aggregate's state is "internal"), so it
 * converts through PostGIS's own casts geometry/geography <-> bytea, found
 * with find_coercion_pathway() and called through fmgr: nothing of PostGIS's
 * C headers is used.
 *
 * One reach_ctx per backend, created on first use and freed at exit; the
 * library runs on the backend's own thread only (job.threads = 1): threads
 * inside a backend could take PostgreSQL's signals, and parallelism belongs
 * to PostgreSQL (parallel query, partitions on other servers).
 */
#include "postgres.h"

#include <math.h>
#include <string.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "port/pg_bswap.h"
#include "storage/ipc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include <georeach/catalogue.h>
#include <georeach/context.h>
#include <georeach/geom.h>
#include <georeach/io.h>
#include <georeach/overlay.h>
#include <georeach/ring.h>
#include <georeach/rings.h>

PG_MODULE_MAGIC;

/* ---- the backend's context ------------------------------------------- */

static struct reach_ctx *g_ctx;
static struct reach_catalogue *g_cat;

static void free_ctx(int code, Datum arg) {
  (void)code;
  (void)arg;
  reach_catalogue_free(g_cat);
  g_cat = NULL;
  reach_ctx_free(g_ctx);
  g_ctx = NULL;
}

static struct reach_ctx *ctx(void) {
  if (!g_ctx) {
    g_ctx = reach_ctx_new();
    if (!g_ctx)
      ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
                      errmsg("georeach: cannot create a context (PROJ or GEOS failed)")));
    on_proc_exit(free_ctx, (Datum)0);
  }
  reach_clear_error(g_ctx);
  return g_ctx;
}

/* The library's status as a PostgreSQL error with its message.  An
 * interruption (or a GEOS failure caused by PostGIS's SIGINT handler asking
 * GEOS to stop) is turned into the pending cancel first. */
static void fail(enum reach_status st) {
  CHECK_FOR_INTERRUPTS();
  if (st == REACH_ERR_INTERRUPTED) /* the cancel was not raised above */
    ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                    errmsg("canceling statement due to user request")));
  int code;
  switch (st) {
  case REACH_ERR_ARG: code = ERRCODE_INVALID_PARAMETER_VALUE; break;
  case REACH_ERR_DATA: code = ERRCODE_DATA_EXCEPTION; break;
  case REACH_ERR_IO: code = ERRCODE_IO_ERROR; break;
  case REACH_ERR_NOMEM: code = ERRCODE_OUT_OF_MEMORY; break;
  case REACH_ERR_INTERRUPTED: code = ERRCODE_QUERY_CANCELED; break;
  default: code = ERRCODE_INTERNAL_ERROR; break;
  }
  ereport(ERROR, (errcode(code), errmsg("georeach: %s", reach_errmsg(g_ctx))));
}

/* A cancel (statement_timeout, pg_cancel_backend) or a terminate is
 * pending.  Not InterruptPending alone: that is also set for interrupts
 * that are no error, such as a parallel worker's message to the leader. */
static bool cancel_pending(void) {
  return InterruptPending && (QueryCancelPending || ProcDiePending);
}

/* Progress callback: ask the library to stop when a cancel is pending.  The
 * error is raised after the library has returned and freed what it held
 * (ereport's longjmp must not cross the library's frames). */
static int progress(double done, const char *msg, void *data) {
  (void)done;
  (void)msg;
  (void)data;
  return !cancel_pending();
}

static struct reach_catalogue *catalogue(void) {
  if (!g_cat) {
    enum reach_status st = reach_catalogue_load(ctx(), NULL, &g_cat);
    if (st != REACH_OK) fail(st);
  }
  return g_cat;
}

/* ---- WKB --------------------------------------------------------------- */

static void put_u32(StringInfo s, uint32 v) { appendBinaryStringInfo(s, (char *)&v, 4); }
static void put_f64(StringInfo s, double v) { appendBinaryStringInfo(s, (char *)&v, 8); }

/* A reach_geom as WKB MultiPolygon in the machine's byte order, with SRID
 * 4326 as EWKB when ewkb is set. */
static bytea *geom_to_wkb(const struct reach_geom *g, int ewkb) {
  StringInfoData s;
  initStringInfo(&s);
  appendBinaryStringInfo(&s, "\0\0\0\0", VARHDRSZ);
#ifdef WORDS_BIGENDIAN
  appendStringInfoChar(&s, 0);
#else
  appendStringInfoChar(&s, 1);
#endif
  put_u32(&s, ewkb ? 6u | 0x20000000u : 6u);
  if (ewkb) put_u32(&s, 4326);
  put_u32(&s, (uint32)g->npolys);
  for (size_t p = 0; p < g->npolys; p++) {
#ifdef WORDS_BIGENDIAN
    appendStringInfoChar(&s, 0);
#else
    appendStringInfoChar(&s, 1);
#endif
    put_u32(&s, 3);
    put_u32(&s, (uint32)(g->poly_start[p + 1] - g->poly_start[p]));
    for (size_t r = g->poly_start[p]; r < g->poly_start[p + 1]; r++) {
      put_u32(&s, (uint32)(g->ring_start[r + 1] - g->ring_start[r]));
      for (size_t k = g->ring_start[r]; k < g->ring_start[r + 1]; k++) {
        put_f64(&s, g->xy[2 * k]);
        put_f64(&s, g->xy[2 * k + 1]);
      }
    }
  }
  SET_VARSIZE(s.data, s.len);
  return (bytea *)s.data;
}

struct wkb_reader {
  const unsigned char *p, *end;
  int swap;
};

static void wkb_need(struct wkb_reader *r, size_t n) {
  if ((size_t)(r->end - r->p) < n)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: truncated WKB")));
}

static uint32 wkb_u32(struct wkb_reader *r) {
  uint32 v;
  wkb_need(r, 4);
  memcpy(&v, r->p, 4);
  r->p += 4;
  if (r->swap) v = pg_bswap32(v);
  return v;
}

static double wkb_f64(struct wkb_reader *r) {
  uint64 v;
  double d;
  wkb_need(r, 8);
  memcpy(&v, r->p, 8);
  r->p += 8;
  if (r->swap) v = pg_bswap64(v);
  memcpy(&d, &v, 8);
  return d;
}

/* Byte order and type of one (E)WKB geometry header: the base type (1..7),
 * the number of doubles per point, and the SRID (0 when none). */
static uint32 wkb_header(struct wkb_reader *r, int *dims, int32 *srid) {
  wkb_need(r, 1);
#ifdef WORDS_BIGENDIAN
  r->swap = *r->p == 1;
#else
  r->swap = *r->p == 0;
#endif
  r->p++;
  uint32 t = wkb_u32(r);
  int z = (t & 0x80000000u) != 0, m = (t & 0x40000000u) != 0;
  if (t & 0x20000000u) {
    int32 s = (int32)wkb_u32(r);
    if (srid) *srid = s;
  } else if (srid) {
    *srid = 0;
  }
  t &= 0x0fffffffu;
  if (t >= 3000) { z = m = 1; t -= 3000; }  /* ISO ZM */
  else if (t >= 2000) { m = 1; t -= 2000; }
  else if (t >= 1000) { z = 1; t -= 1000; }
  *dims = 2 + z + m;
  return t;
}

static void check_srid(int32 srid) {
  if (srid != 0 && srid != 4326)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: SRID %d is not 4326 (WGS84 longitude/latitude)", srid),
                    errhint("Use ST_Transform(geom, 4326).")));
}

/* Latitude and longitude of an (E)WKB point. */
static void wkb_point(const bytea *b, double *lat, double *lon) {
  struct wkb_reader r = {(unsigned char *)VARDATA_ANY(b),
                         (unsigned char *)VARDATA_ANY(b) + VARSIZE_ANY_EXHDR(b), 0};
  int dims;
  int32 srid;
  uint32 t = wkb_header(&r, &dims, &srid);
  if (t != 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: a site must be a point (WKB type %u)", t)));
  check_srid(srid);
  *lon = wkb_f64(&r);
  *lat = wkb_f64(&r);
  if (isnan(*lat) || isnan(*lon))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: a site must not be an empty point")));
}

/* Signed area of ring points [a, b) in the lon/lat plane. */
static double ring_area(const double *xy, size_t a, size_t b) {
  double s = 0;
  for (size_t k = a; k + 1 < b; k++)
    s += xy[2 * k] * xy[2 * k + 3] - xy[2 * k + 2] * xy[2 * k + 1];
  return s / 2;
}

static void ring_reverse(double *xy, size_t a, size_t b) {
  for (size_t i = a, j = b - 1; i < j; i++, j--) {
    double x = xy[2 * i], y = xy[2 * i + 1];
    xy[2 * i] = xy[2 * j];
    xy[2 * i + 1] = xy[2 * j + 1];
    xy[2 * j] = x;
    xy[2 * j + 1] = y;
  }
}

/* A (Multi)Polygon WKB as a reach_geom in palloc'd memory (freed with the
 * memory context, never with reach_geom_clear), exteriors counter-clockwise
 * and holes clockwise as geom.h says. */
static void wkb_to_geom(const bytea *b, struct reach_geom *g) {
  struct wkb_reader r = {(unsigned char *)VARDATA_ANY(b),
                         (unsigned char *)VARDATA_ANY(b) + VARSIZE_ANY_EXHDR(b), 0};
  int dims;
  int32 srid;
  uint32 t = wkb_header(&r, &dims, &srid), npolys = 1;
  check_srid(srid);
  if (t == 6) npolys = wkb_u32(&r);
  else if (t != 3)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: a region must be a Polygon or MultiPolygon (WKB type %u)",
                           t)));
  /* sizes are bounded by the WKB's length: every ring takes 4 bytes, every
   * point 16 */
  size_t len = VARSIZE_ANY_EXHDR(b);
  if (npolys > len / 9 + 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("georeach: bad WKB")));
  g->npolys = 0;
  g->poly_start = palloc0((npolys + 1) * sizeof *g->poly_start);
  g->ring_start = palloc0((len / 4 + 2) * sizeof *g->ring_start);
  g->xy = palloc((len / 8 + 2) * sizeof *g->xy);
  g->nrings = g->npoints = 0;
  for (uint32 p = 0; p < npolys; p++) {
    if (t == 6) {
      int d2;
      if (wkb_header(&r, &d2, NULL) != 3)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("georeach: a MultiPolygon holds a non-polygon")));
      dims = d2;
    }
    uint32 nr = wkb_u32(&r);
    if (nr == 0) continue; /* an empty polygon */
    g->poly_start[g->npolys] = g->nrings;
    for (uint32 k = 0; k < nr; k++) {
      uint32 np = wkb_u32(&r);
      wkb_need(&r, (size_t)np * dims * 8);
      size_t a = g->npoints;
      g->ring_start[g->nrings] = a;
      for (uint32 i = 0; i < np; i++) {
        g->xy[2 * g->npoints] = wkb_f64(&r);
        g->xy[2 * g->npoints + 1] = wkb_f64(&r);
        for (int d = 2; d < dims; d++) (void)wkb_f64(&r);
        g->npoints++;
      }
      double s = ring_area(g->xy, a, g->npoints);
      if ((k == 0 && s < 0) || (k > 0 && s > 0)) ring_reverse(g->xy, a, g->npoints);
      g->nrings++;
    }
    g->npolys++;
    g->poly_start[g->npolys] = g->nrings;
    g->ring_start[g->nrings] = g->npoints;
  }
  g->poly_start[g->npolys] = g->nrings;
  g->ring_start[g->nrings] = g->npoints;
}

/* ---- rings ------------------------------------------------------------- */

/* The ring of a spec as (wkb, err_m, area_m2, whole_globe); the library's
 * arrays are freed before returning. */
static Datum ring_tuple(FunctionCallInfo fcinfo, const struct reach_ring_spec *spec) {
  TupleDesc td;
  if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("georeach: a composite result is expected")));
  td = BlessTupleDesc(td);
  struct reach_ring ring;
  enum reach_status st = reach_ring_build(ctx(), spec, &ring);
  if (st != REACH_OK) fail(st);
  Datum v[4];
  bool nulls[4] = {false, false, false, false};
  v[0] = PointerGetDatum(geom_to_wkb(&ring.geom, 0));
  v[1] = Float8GetDatum(ring.err_m);
  v[2] = Float8GetDatum(ring.area_m2);
  v[3] = BoolGetDatum(ring.whole_globe != 0);
  reach_ring_clear(&ring);
  return HeapTupleGetDatum(heap_form_tuple(td, v, nulls));
}

/* The spec of the arguments (site ewkb, range_m, min_range_m, az_from_deg,
 * az_to_deg, tolerance_m) shared by georeach__ring() and
 * georeach__ring_wkb(); the site and range are not NULL (checked by the
 * caller, whose answer is then NULL). */
static void ring_args(FunctionCallInfo fcinfo, struct reach_ring_spec *s) {
  if (PG_ARGISNULL(3) != PG_ARGISNULL(4))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: a sector needs both az_from_deg and az_to_deg")));
  memset(s, 0, sizeof *s);
  wkb_point(PG_GETARG_BYTEA_PP(0), &s->lat_deg, &s->lon_deg);
  s->range_m = PG_GETARG_FLOAT8(1);
  s->min_range_m = PG_ARGISNULL(2) ? 0 : PG_GETARG_FLOAT8(2);
  s->sector = !PG_ARGISNULL(3);
  s->az_from_deg = s->sector ? PG_GETARG_FLOAT8(3) : 0;
  s->az_to_deg = s->sector ? PG_GETARG_FLOAT8(4) : 0;
  s->tolerance_m = PG_ARGISNULL(5) ? REACH_TOLERANCE_DEFAULT_M : PG_GETARG_FLOAT8(5);
}

/* georeach__ring(site ewkb, range_m, min_range_m, az_from_deg, az_to_deg,
 * tolerance_m) -> (wkb, err_m, area_m2, whole_globe).  NULL azimuths: a
 * disc or annulus; NULL site or range: NULL. */
PG_FUNCTION_INFO_V1(georeach__ring);
Datum georeach__ring(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
  struct reach_ring_spec s;
  ring_args(fcinfo, &s);
  return ring_tuple(fcinfo, &s);
}

/* georeach__ring_wkb(the same arguments) -> wkb only.  The wrappers
 * georeach_ring() call this one rather than taking .wkb of georeach__ring():
 * postgres_fdw ships function calls to a remote server but no field
 * selection, and the inlined wrapper must be all function calls for the
 * ring to be built on the shard (docs/SCALE.md). */
PG_FUNCTION_INFO_V1(georeach__ring_wkb);
Datum georeach__ring_wkb(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
  struct reach_ring_spec s;
  ring_args(fcinfo, &s);
  struct reach_ring ring;
  enum reach_status st = reach_ring_build(ctx(), &s, &ring);
  if (st != REACH_OK) fail(st);
  bytea *out = geom_to_wkb(&ring.geom, 0);
  reach_ring_clear(&ring);
  PG_RETURN_BYTEA_P(out);
}

/* The catalogue's range of a missile and band: *range_m, *min_range_m. */
static void missile_range(text *name, text *band, double *range_m, double *min_range_m) {
  char *nm = text_to_cstring(name), *bd = band ? text_to_cstring(band) : pstrdup("nominal");
  const struct reach_missile *m = reach_catalogue_resolve(ctx(), catalogue(), nm, 0, NULL,
                                                          NULL, 0);
  if (!m) fail(reach_errno(g_ctx));
  double km = strcmp(bd, "nominal") == 0 ? m->range_km
              : strcmp(bd, "low") == 0   ? m->range_low_km
              : strcmp(bd, "high") == 0  ? m->range_high_km
                                         : -1;
  if (km == -1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: band \"%s\" is not nominal, low or high", bd)));
  if (isnan(km))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: %s has no %s range in the catalogue", m->name, bd)));
  *range_m = km * 1000;
  *min_range_m = isnan(m->min_km) ? 0 : m->min_km * 1000;
}

/* georeach__missile_range(name, band) -> (range_m, min_range_m) */
PG_FUNCTION_INFO_V1(georeach__missile_range);
Datum georeach__missile_range(PG_FUNCTION_ARGS) {
  TupleDesc td;
  if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("georeach: a composite result is expected")));
  td = BlessTupleDesc(td);
  double r, m;
  missile_range(PG_GETARG_TEXT_PP(0), PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1), &r, &m);
  Datum v[2] = {Float8GetDatum(r), Float8GetDatum(m)};
  bool nulls[2] = {false, false};
  return HeapTupleGetDatum(heap_form_tuple(td, v, nulls));
}

/* georeach__site_check(ewkb) -> ewkb: a point with SRID 4326 or 0, else
 * 22023 (before a geometry site is cast to geography, which would accept
 * other SRIDs or shapes) */
PG_FUNCTION_INFO_V1(georeach__site_check);
Datum georeach__site_check(PG_FUNCTION_ARGS) {
  bytea *b = PG_GETARG_BYTEA_PP(0);
  double lat, lon;
  wkb_point(b, &lat, &lon);
  PG_RETURN_BYTEA_P(b);
}

/* georeach__area(wkb) -> m^2 of the region with straight lon/lat edges */
PG_FUNCTION_INFO_V1(georeach__area);
Datum georeach__area(PG_FUNCTION_ARGS) {
  struct reach_geom g;
  wkb_to_geom(PG_GETARG_BYTEA_PP(0), &g);
  PG_RETURN_FLOAT8(reach_geom_area_m2(ctx(), &g));
}

/* georeach__geography_check(wkb) -> wkb unchanged, or an error when a
 * polygon of it covers more than half the ellipsoid: PostGIS's geography
 * reads a polygon's edges as geodesics and cannot hold such a polygon (the
 * Earth less a cap comes out as something else), so it is refused rather
 * than cast to a different region (docs/SQL.md). */
PG_FUNCTION_INFO_V1(georeach__geography_check);
Datum georeach__geography_check(PG_FUNCTION_ARGS) {
  bytea *b = PG_GETARG_BYTEA_PP(0);
  struct reach_geom g;
  wkb_to_geom(b, &g);
  struct reach_ctx *c = ctx();
  double half = reach_ellipsoid_area_m2(c) / 2;
  for (size_t p = 0; p < g.npolys; p++) {
    /* polygon p alone: rings and points renumbered from 0 */
    size_t r0 = g.poly_start[p], r1 = g.poly_start[p + 1];
    size_t k0 = g.ring_start[r0];
    size_t ps[2] = {0, r1 - r0};
    size_t *rs = palloc((r1 - r0 + 1) * sizeof *rs);
    for (size_t r = r0; r <= r1; r++) rs[r - r0] = g.ring_start[r] - k0;
    struct reach_geom one = {1, ps, r1 - r0, rs, g.ring_start[r1] - k0, g.xy + 2 * k0};
    double a = reach_geom_area_m2(c, &one);
    pfree(rs);
    if (a > half)
      ereport(ERROR,
              (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
               errmsg("georeach: polygon %zu covers %.0f km2, more than half the Earth; "
                      "a PostGIS geography cannot hold it", p + 1, a / 1e6),
               errhint("Keep it as geometry and measure it with georeach_area().")));
  }
  PG_RETURN_BYTEA_P(b);
}

/* georeach__basket(targets ewkb[], range_m, min_range_m, tolerance_m,
 * clip wkb) -> wkb: the intersection of the targets' rings (where a
 * launcher must stand to reach every target), clipped to clip when given;
 * the loop of `georeach basket` (src/cli/common.c, basket_build). */
PG_FUNCTION_INFO_V1(georeach__basket);
Datum georeach__basket(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
  Datum *tg;
  bool *tn;
  int n;
  deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), BYTEAOID, -1, false, TYPALIGN_INT, &tg, &tn,
                    &n);
  if (n == 0)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: a basket needs at least one target")));
  struct reach_ctx *c = ctx();
  struct reach_geom acc = {0}, clip = {0};
  int have_clip = !PG_ARGISNULL(4);
  if (have_clip) wkb_to_geom(PG_GETARG_BYTEA_PP(4), &clip);
  enum reach_status st = REACH_OK;
  for (int i = 0; i < n && st == REACH_OK; i++) {
    if (tn[i])
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("georeach: target %d is NULL", i + 1)));
    struct reach_ring_spec s;
    memset(&s, 0, sizeof s);
    wkb_point(DatumGetByteaPP(tg[i]), &s.lat_deg, &s.lon_deg);
    s.range_m = PG_GETARG_FLOAT8(1);
    s.min_range_m = PG_ARGISNULL(2) ? 0 : PG_GETARG_FLOAT8(2);
    s.tolerance_m = PG_ARGISNULL(3) ? REACH_TOLERANCE_DEFAULT_M : PG_GETARG_FLOAT8(3);
    struct reach_ring ring;
    if ((st = reach_ring_build(c, &s, &ring)) != REACH_OK) break;
    if (i == 0) {
      acc = ring.geom;
      memset(&ring.geom, 0, sizeof ring.geom);
    } else {
      struct reach_geom next;
      st = reach_geom_overlay(c, &acc, &ring.geom, REACH_INTERSECTION, &next);
      reach_geom_clear(&acc);
      acc = next;
    }
    reach_ring_clear(&ring);
    if (st == REACH_OK && cancel_pending()) {
      reach_geom_clear(&acc);
      CHECK_FOR_INTERRUPTS();
    }
  }
  if (st == REACH_OK && have_clip) {
    struct reach_geom clipped;
    st = reach_geom_overlay(c, &acc, &clip, REACH_INTERSECTION, &clipped);
    reach_geom_clear(&acc);
    acc = clipped;
  }
  if (st != REACH_OK) {
    reach_geom_clear(&acc);
    fail(st);
  }
  bytea *out = geom_to_wkb(&acc, 0);
  reach_geom_clear(&acc);
  PG_RETURN_BYTEA_P(out);
}

/* georeach__overlap(sites ewkb[], range_m, tolerance_m, min_count) ->
 * setof (count, at_least, wkb): the overlap bands of the sites' rings, as
 * `georeach rings --count [--min-count K]` computes them (every ring
 * built, then reach_geom_overlap()). */
PG_FUNCTION_INFO_V1(georeach__overlap);
Datum georeach__overlap(PG_FUNCTION_ARGS) {
  InitMaterializedSRF(fcinfo, 0);
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) return (Datum)0;
  ReturnSetInfo *rsi = (ReturnSetInfo *)fcinfo->resultinfo;
  Datum *tg;
  bool *tn;
  int n;
  deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), BYTEAOID, -1, false, TYPALIGN_INT, &tg, &tn,
                    &n);
  double tol = PG_ARGISNULL(2) ? REACH_TOLERANCE_DEFAULT_M : PG_GETARG_FLOAT8(2);
  long min_count = PG_ARGISNULL(3) ? 0 : (long)PG_GETARG_INT32(3);
  if (min_count < 0)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: min_count %ld must be 0 (every band) or positive",
                           min_count)));
  struct reach_ctx *c = ctx();
  struct reach_geom *gs = palloc0((Size)(n ? n : 1) * sizeof *gs);
  enum reach_status st = REACH_OK;
  int built = 0;
  for (int i = 0; i < n && st == REACH_OK; i++) {
    if (tn[i])
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("georeach: site %d is NULL", i + 1)));
    struct reach_ring_spec sp;
    memset(&sp, 0, sizeof sp);
    wkb_point(DatumGetByteaPP(tg[i]), &sp.lat_deg, &sp.lon_deg);
    sp.range_m = PG_GETARG_FLOAT8(1);
    sp.tolerance_m = tol;
    struct reach_ring r;
    if ((st = reach_ring_build(c, &sp, &r)) != REACH_OK) break;
    gs[built++] = r.geom;
    if (cancel_pending()) break;
  }
  struct reach_overlap_band *bands = NULL;
  size_t nb = 0;
  int cancelled = cancel_pending();
  if (st == REACH_OK && !cancelled)
    st = reach_geom_overlap(c, gs, (size_t)built, min_count, &bands, &nb);
  for (int i = 0; i < built; i++) reach_geom_clear(&gs[i]);
  if (st != REACH_OK || cancelled) {
    reach_overlap_free(bands, nb);
    fail(st != REACH_OK ? st : REACH_ERR_INTERRUPTED);
  }
  for (size_t b = 0; b < nb; b++) {
    Datum v[3] = {Int64GetDatum(bands[b].count), BoolGetDatum(bands[b].at_least != 0),
                  PointerGetDatum(geom_to_wkb(&bands[b].geom, 0))};
    bool nl[3] = {false, false, false};
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, nl);
  }
  reach_overlap_free(bands, nb);
  return (Datum)0;
}

/* ---- catalogue --------------------------------------------------------- */

static Datum text_or_null(const char *s, bool *isnull) {
  *isnull = s[0] == '\0';
  return *isnull ? (Datum)0 : CStringGetTextDatum(s);
}

static Datum km_or_null(double km, bool *isnull) {
  *isnull = isnan(km);
  return *isnull ? (Datum)0 : Float8GetDatum(km * 1000);
}

/* georeach_catalogue() -> one row per system */
PG_FUNCTION_INFO_V1(georeach_catalogue);
Datum georeach_catalogue(PG_FUNCTION_ARGS) {
  struct reach_catalogue *cat = catalogue();
  InitMaterializedSRF(fcinfo, 0);
  ReturnSetInfo *rsi = (ReturnSetInfo *)fcinfo->resultinfo;
  for (size_t i = 0; i < reach_catalogue_count(cat); i++) {
    const struct reach_missile *m = reach_catalogue_get(cat, i);
    Datum v[12];
    bool nl[12];
    v[0] = text_or_null(m->name, &nl[0]);
    v[1] = text_or_null(m->aliases, &nl[1]);
    v[2] = text_or_null(m->origin, &nl[2]);
    v[3] = text_or_null(m->klass, &nl[3]);
    v[4] = km_or_null(m->min_km, &nl[4]);
    v[5] = km_or_null(m->range_km, &nl[5]);
    v[6] = text_or_null(m->range_kind, &nl[6]);
    v[7] = text_or_null(m->source, &nl[7]);
    v[8] = km_or_null(m->range_low_km, &nl[8]);
    v[9] = text_or_null(m->low_source, &nl[9]);
    v[10] = km_or_null(m->range_high_km, &nl[10]);
    v[11] = text_or_null(m->high_source, &nl[11]);
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, nl);
  }
  return (Datum)0;
}

/* ---- coverage aggregate ------------------------------------------------ */

/* PostGIS's cast function from geometry/geography to bytea (EWKB), and from
 * bytea to geometry, found by the cast catalogue (no names, no search_path:
 * the same on a postgres_fdw remote session whose search_path is
 * pg_catalog). */
static Oid cast_func(Oid from, Oid to) {
  Oid fn = InvalidOid;
  if (find_coercion_pathway(to, from, COERCION_EXPLICIT, &fn) != COERCION_PATH_FUNC ||
      !OidIsValid(fn))
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
                    errmsg("georeach: no cast from %s to %s (is PostGIS installed?)",
                           format_type_be(from), format_type_be(to))));
  return fn;
}

struct cov_site {
  double lat, lon;
};

struct cov_state {
  double range_m, min_range_m, tolerance_m;
  int n, cap;
  struct cov_site *s;
};

struct cov_cache {
  Oid type;
  FmgrInfo to_bytea;
};

static void cov_add(struct cov_state *st, double lat, double lon) {
  if (st->n == st->cap) {
    st->cap = st->cap ? 2 * st->cap : 256;
    st->s = st->s ? repalloc_huge(st->s, (Size)st->cap * sizeof *st->s)
                  : palloc((Size)st->cap * sizeof *st->s);
  }
  st->s[st->n].lat = lat;
  st->s[st->n].lon = lon;
  st->n++;
}

static void cov_same(double a, double b, const char *what) {
  if (!(a == b))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("georeach: georeach_coverage needs one %s per group (%g and %g)",
                           what, a, b)));
}

/* georeach__cov_sfunc(state internal, site geography|geometry, range_m,
 * tolerance_m) */
PG_FUNCTION_INFO_V1(georeach__cov_sfunc);
Datum georeach__cov_sfunc(PG_FUNCTION_ARGS) {
  MemoryContext aggctx;
  if (!AggCheckCallContext(fcinfo, &aggctx))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("georeach__cov_sfunc called outside an aggregate")));
  struct cov_state *st = PG_ARGISNULL(0) ? NULL : (struct cov_state *)PG_GETARG_POINTER(0);
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
    if (st) PG_RETURN_POINTER(st);
    PG_RETURN_NULL();
  }
  double range_m = PG_GETARG_FLOAT8(2);
  double tol = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_FLOAT8(3)
                                                   : REACH_TOLERANCE_DEFAULT_M;
  double minr = PG_NARGS() > 4 && !PG_ARGISNULL(4) ? PG_GETARG_FLOAT8(4) : 0;
  struct cov_cache *cc = fcinfo->flinfo->fn_extra;
  if (!cc) {
    cc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof *cc);
    cc->type = get_fn_expr_argtype(fcinfo->flinfo, 1);
    /* loads PostGIS, whose SIGINT handler also stops GEOS on a cancel */
    fmgr_info_cxt(cast_func(cc->type, BYTEAOID), &cc->to_bytea, fcinfo->flinfo->fn_mcxt);
    fcinfo->flinfo->fn_extra = cc;
  }
  bytea *wkb = DatumGetByteaPP(FunctionCall1(&cc->to_bytea, PG_GETARG_DATUM(1)));
  double lat, lon;
  wkb_point(wkb, &lat, &lon);
  MemoryContext old = MemoryContextSwitchTo(aggctx);
  if (!st) {
    st = palloc0(sizeof *st);
    st->range_m = range_m;
    st->tolerance_m = tol;
    st->min_range_m = minr;
  }
  cov_same(st->range_m, range_m, "range_m");
  cov_same(st->tolerance_m, tol, "tolerance_m");
  cov_same(st->min_range_m, minr, "min_range_m");
  cov_add(st, lat, lon);
  MemoryContextSwitchTo(old);
  PG_RETURN_POINTER(st);
}

/* georeach__cov_combine(a internal, b internal): parallel aggregation */
PG_FUNCTION_INFO_V1(georeach__cov_combine);
Datum georeach__cov_combine(PG_FUNCTION_ARGS) {
  MemoryContext aggctx;
  if (!AggCheckCallContext(fcinfo, &aggctx))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("georeach__cov_combine called outside an aggregate")));
  struct cov_state *a = PG_ARGISNULL(0) ? NULL : (struct cov_state *)PG_GETARG_POINTER(0);
  struct cov_state *b = PG_ARGISNULL(1) ? NULL : (struct cov_state *)PG_GETARG_POINTER(1);
  if (!b) {
    if (a) PG_RETURN_POINTER(a);
    PG_RETURN_NULL();
  }
  MemoryContext old = MemoryContextSwitchTo(aggctx);
  if (!a) {
    a = palloc0(sizeof *a);
    a->range_m = b->range_m;
    a->tolerance_m = b->tolerance_m;
    a->min_range_m = b->min_range_m;
  }
  cov_same(a->range_m, b->range_m, "range_m");
  cov_same(a->tolerance_m, b->tolerance_m, "tolerance_m");
  cov_same(a->min_range_m, b->min_range_m, "min_range_m");
  for (int i = 0; i < b->n; i++) cov_add(a, b->s[i].lat, b->s[i].lon);
  MemoryContextSwitchTo(old);
  PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(georeach__cov_serial);
Datum georeach__cov_serial(PG_FUNCTION_ARGS) {
  struct cov_state *st = (struct cov_state *)PG_GETARG_POINTER(0);
  Size len = 3 * sizeof(double) + sizeof(int) + (Size)st->n * sizeof *st->s;
  bytea *b = palloc(VARHDRSZ + len);
  SET_VARSIZE(b, VARHDRSZ + len);
  char *p = VARDATA(b);
  memcpy(p, &st->range_m, 8);
  memcpy(p + 8, &st->min_range_m, 8);
  memcpy(p + 16, &st->tolerance_m, 8);
  memcpy(p + 24, &st->n, sizeof(int));
  if (st->n) memcpy(p + 24 + sizeof(int), st->s, (Size)st->n * sizeof *st->s);
  PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(georeach__cov_deserial);
Datum georeach__cov_deserial(PG_FUNCTION_ARGS) {
  MemoryContext aggctx;
  if (!AggCheckCallContext(fcinfo, &aggctx))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("georeach__cov_deserial called outside an aggregate")));
  bytea *b = PG_GETARG_BYTEA_PP(0);
  const char *p = VARDATA_ANY(b);
  MemoryContext old = MemoryContextSwitchTo(aggctx);
  struct cov_state *st = palloc0(sizeof *st);
  memcpy(&st->range_m, p, 8);
  memcpy(&st->min_range_m, p + 8, 8);
  memcpy(&st->tolerance_m, p + 16, 8);
  memcpy(&st->n, p + 24, sizeof(int));
  st->cap = st->n;
  if (st->n) {
    st->s = palloc_extended((Size)st->n * sizeof *st->s, MCXT_ALLOC_HUGE);
    memcpy(st->s, p + 24 + sizeof(int), (Size)st->n * sizeof *st->s);
  }
  MemoryContextSwitchTo(old);
  PG_RETURN_POINTER(st);
}

static int cmp_site(const void *a, const void *b) {
  const struct reach_site *x = a, *y = b;
  if (x->lat_deg != y->lat_deg) return x->lat_deg < y->lat_deg ? -1 : 1;
  if (x->lon_deg != y->lon_deg) return x->lon_deg < y->lon_deg ? -1 : 1;
  return 0;
}

/* georeach__cov_final(state) -> geometry: the union as
 * reach_rings_union_geom() builds it (the CLI's `rings --union`), sites in
 * a fixed order so that the answer does not depend on the order rows came
 * in (parallel workers, partitions). */
PG_FUNCTION_INFO_V1(georeach__cov_final);
Datum georeach__cov_final(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  struct cov_state *cs = (struct cov_state *)PG_GETARG_POINTER(0);
  struct reach_site *sites = palloc_extended((Size)(cs->n ? cs->n : 1) * sizeof *sites,
                                             MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
  for (int i = 0; i < cs->n; i++) {
    sites[i].lat_deg = cs->s[i].lat;
    sites[i].lon_deg = cs->s[i].lon;
  }
  qsort(sites, (size_t)cs->n, sizeof *sites, cmp_site);
  for (int i = 0; i < cs->n; i++) snprintf(sites[i].name, sizeof sites[i].name, "row %d", i + 1);
  struct reach_ring_def def;
  memset(&def, 0, sizeof def);
  def.range_m = cs->range_m;
  def.min_range_m = cs->min_range_m;
  struct reach_rings_job job;
  memset(&job, 0, sizeof job);
  job.sites = sites;
  job.nsites = (size_t)cs->n;
  job.rings = &def;
  job.nrings = 1;
  job.tolerance_m = cs->tolerance_m;
  job.threads = 1;
  struct reach_geom g;
  struct reach_ctx *c = ctx();
  enum reach_status st = reach_rings_union_geom(c, &job, 0, &g, NULL, progress, NULL);
  if (st != REACH_OK) fail(st);
  bytea *wkb = geom_to_wkb(&g, 1);
  reach_geom_clear(&g);
  Oid rettype = get_func_rettype(fcinfo->flinfo->fn_oid);
  Oid fn = cast_func(BYTEAOID, rettype);
  return OidFunctionCall1(fn, PointerGetDatum(wkb));
}

/* Reading launch sites through GDAL: CSV columns or point layers. */
#include <cpl_vsi.h>
#include <errno.h>
#include <fcntl.h>
#include <gdal.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include <pthread.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "georeach/io.h"
#include "georeach/text.h"
#include "io/transform.h"

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static void gdal_register(void) { GDALAllRegister(); }

void reach_gdal_init(void) { pthread_once(&gdal_once, gdal_register); }

int reach_is_pg(const char *path) { return strncasecmp(path, "PG:", 3) == 0; }

void reach_one_line(const char *msg, char *buf, size_t size) {
  /* PostgreSQL's messages quote the statement and mark the spot on more
   * lines: keep from "ERROR:" to the end of its line */
  const char *e = strstr(msg, "ERROR:");
  const char *end = e ? e + strcspn(e, "\n") : msg + strlen(msg);
  size_t k = 0;
  for (const char *p = e ? e : msg; p < end && k + 1 < size; p++) {
    char c = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;
    if (c == ' ' && (k == 0 || buf[k - 1] == ' ')) continue;
    buf[k++] = c;
  }
  while (k && buf[k - 1] == ' ') k--;
  buf[k] = '\0';
}

static int field_named(OGRFeatureDefnH defn, const char *const *names) {
  int n = OGR_FD_GetFieldCount(defn);
  for (const char *const *nm = names; *nm; nm++)
    for (int i = 0; i < n; i++)
      if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), *nm) == 0)
        return i;
  return -1;
}

static int is_text_table(const char *path) {
  const char *dot = strrchr(path, '.');
  return dot && (strcasecmp(dot, ".csv") == 0 || strcasecmp(dot, ".tsv") == 0 ||
                 strcasecmp(dot, ".txt") == 0);
}

/* The site's name as valid UTF-8 cut at a character boundary (a name is
 * written to RFC 7946 GeoJSON and GeoPackage, which require UTF-8). */
static void set_site(struct reach_site *s, const char *name, size_t row,
                     double lat, double lon) {
  if (name && *name)
    reach_utf8_clean(s->name, sizeof s->name, name, NULL);
  else
    snprintf(s->name, sizeof s->name, "site %zu", row);
  s->lat_deg = lat;
  s->lon_deg = lon == 180 ? 180 : remainder(lon, 360.0);
}

struct reach_sites_reader {
  char *path;    /* as shown in messages (reach_redact_connection()) */
  char *vsimem;  /* a FIFO's bytes, copied to /vsimem/ (unlinked on close) */
  GDALDatasetH ds;
  OGRLayerH lyr;
  OGRCoordinateTransformationH ct;
  struct reach_guard guard;
  int ilat, ilon, iname, use_fields, text, skip_bad, noticed;
  size_t row, count, skipped, bad_names;
};

void reach_sites_close(struct reach_sites_reader *r) {
  if (!r) return;
  reach_guard_free(&r->guard);
  if (r->ct) OCTDestroyCoordinateTransformation(r->ct);
  if (r->ds) GDALClose(r->ds);
  if (r->vsimem) VSIUnlink(r->vsimem);
  free(r->vsimem);
  free(r->path);
  free(r);
}

/* How long one wait for a FIFO's writer may last before the interrupt check
 * runs again, ms. */
#define POLL_MS 100
/* The most a stream may hold: it is kept in memory whole (1 GiB, some 25
 * million sites of CSV). */
#define STREAM_MAX (1 << 30)

/* A FIFO (or a pipe such as /dev/stdin) cannot be read by GDAL, which opens
 * and seeks a source several times, and opening one with no writer blocks
 * in open() where no signal handler's flag is looked at.  So it is opened
 * without blocking and read to its end into /vsimem/ under the same name,
 * polling a short while at a time: the context's interrupt check, or an
 * interrupting signal (EINTR) when none is set, stops the wait.  The whole
 * stream is held in memory. */
static enum reach_status read_stream(struct reach_ctx *ctx, const char *path,
                                     const char *shown, char **vsipath) {
  *vsipath = NULL;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: %s", shown,
                      strerror(errno));
  size_t len = 0, cap = 0;
  GByte *buf = NULL;
  enum reach_status st = REACH_OK;
  for (;;) {
    struct pollfd pf = {fd, POLLIN, 0};
    int k = poll(&pf, 1, POLL_MS);
    if (k < 0 && errno != EINTR) {
      st = reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: %s", shown,
                      strerror(errno));
      break;
    }
    if ((k < 0 && !ctx->interrupt) || reach_interrupted(ctx)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED,
                      "interrupted while waiting for %s", shown);
      break;
    }
    if (k <= 0) continue; /* no writer yet, or no data yet */
    if (len >= STREAM_MAX) { /* /dev/zero, or a writer that never stops */
      st = reach_fail(ctx, REACH_ERR_DATA, "%s: more than %d MiB from a stream; save it "
                      "to a file to read it a batch at a time", shown, STREAM_MAX >> 20);
      break;
    }
    if (cap - len < 65536) {
      size_t c = cap ? 2 * cap : 1 << 20;
      GByte *b = VSIRealloc(buf, c);
      if (!b) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading %s", shown);
        break;
      }
      buf = b;
      cap = c;
    }
    ssize_t got = read(fd, buf + len, cap - len);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got < 0) {
      st = reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: %s", shown,
                      strerror(errno));
      break;
    }
    if (got == 0) break; /* the writer closed its end */
    len += (size_t)got;
  }
  close(fd);
  if (st != REACH_OK) {
    VSIFree(buf);
    return st;
  }
  /* the same base name: the extension still says CSV */
  const char *base = strrchr(path, '/');
  char name[512];
  snprintf(name, sizeof name, "/vsimem/georeach-stream-%p/%s", (void *)ctx,
           base && base[1] ? base + 1 : path);
  if (!buf) buf = VSIMalloc(1);
  VSILFILE *f = buf ? VSIFileFromMemBuffer(name, buf, len, TRUE) : NULL;
  if (!f) VSIFree(buf); /* not taken */
  if (!f || !(*vsipath = strdup(name))) {
    if (f) {
      VSIFCloseL(f);
      VSIUnlink(name);
    }
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading %s", shown);
  }
  VSIFCloseL(f);
  return REACH_OK;
}

enum reach_status reach_sites_open(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_sites_reader **rp) {
  static const char *const lat_names[] = {"lat", "latitude", "y", NULL};
  static const char *const lon_names[] = {"lon", "lng", "long", "longitude",
                                          "x", NULL};
  static const char *const name_names[] = {"name", "site", "label", "id", NULL};
  const char *csv_opts[] = {"AUTODETECT_TYPE=NO", NULL};
  *rp = NULL;
  reach_gdal_init();
  int text = is_text_table(path), pg = reach_is_pg(path);
  char shown[1024]; /* the path, or the connection without its password */
  reach_redact_connection(path, shown, sizeof shown);
  struct stat sb;
  char *vsipath = NULL;
  if (!pg && strncmp(path, "/vsi", 4) != 0 && stat(path, &sb) == 0 &&
      (S_ISFIFO(sb.st_mode) || S_ISCHR(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
    enum reach_status st = read_stream(ctx, path, shown, &vsipath);
    if (st != REACH_OK) return st;
  }
  const char *src = vsipath ? vsipath : path;
  CPLErrorReset();
  GDALDatasetH ds = GDALOpenEx(src, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                               text ? csv_opts : NULL, NULL);
  if (!ds && vsipath) {
    VSIUnlink(vsipath);
    free(vsipath);
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: not a table "
                      "GDAL can read from a stream", shown);
  }
  if (!ds && !pg && strncmp(path, "/vsi", 4) != 0 && stat(path, &sb) != 0)
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: no such file",
                      shown);
  if (!ds) {
    char why[512], why_shown[512];
    reach_one_line(CPLGetLastErrorMsg(), why, sizeof why);
    /* GDAL's message may quote the connection string */
    reach_redact_connection(why, why_shown, sizeof why_shown);
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: %s", shown,
                      *why ? why_shown : pg ? "cannot connect" : "not a file GDAL can read");
  }
  if (GDALDatasetGetLayerCount(ds) < 1) {
    GDALClose(ds);
    if (vsipath) VSIUnlink(vsipath);
    free(vsipath);
    return reach_fail(ctx, REACH_ERR_DATA, "%s has no layer of sites%s", shown,
                      pg ? " (name the table with tables=NAME)" : "");
  }
  /* A database holds many tables: which one must be said (tables=NAME,
   * which GDAL reads); a file's first layer is taken. */
  if (pg && GDALDatasetGetLayerCount(ds) > 1) {
    char names[256] = "", names_shown[512];
    for (int i = 0; i < GDALDatasetGetLayerCount(ds) && strlen(names) < 200; i++) {
      strcat(names, i ? ", " : "");
      strncat(names, OGR_L_GetName(GDALDatasetGetLayer(ds, i)), 40);
    }
    int n = GDALDatasetGetLayerCount(ds);
    GDALClose(ds);
    return reach_fail(ctx, REACH_ERR_DATA,
                      "%s holds %d tables (%s%s); name the one to read with "
                      "tables=NAME in the connection string",
                      shown, n, reach_text_escape(names, names_shown, sizeof names_shown),
                      strlen(names) >= 200 ? ", ..." : "");
  }
  struct reach_sites_reader *r = calloc(1, sizeof *r);
  if (!r || !(r->path = strdup(shown))) {
    free(r);
    GDALClose(ds);
    if (vsipath) VSIUnlink(vsipath);
    free(vsipath);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  r->ds = ds;
  r->vsimem = vsipath;
  r->text = text;
  r->skip_bad = skip_bad;
  OGRLayerH lyr = r->lyr = GDALDatasetGetLayer(ds, 0);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
  r->ilat = field_named(defn, lat_names);
  r->ilon = field_named(defn, lon_names);
  r->iname = field_named(defn, name_names);
  r->use_fields = r->ilat >= 0 && r->ilon >= 0;
  if (!r->use_fields) {
    OGRwkbGeometryType gt = wkbFlatten(OGR_FD_GetGeomType(defn));
    if (text || OGR_FD_GetGeomFieldCount(defn) == 0 ||
        (gt != wkbPoint && gt != wkbUnknown)) {
      char cols[256] = "", cols_shown[512];
      for (int i = 0; i < OGR_FD_GetFieldCount(defn) && strlen(cols) < 200; i++) {
        strcat(cols, i ? ", " : "");
        strncat(cols, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), 40);
      }
      reach_fail(ctx, REACH_ERR_DATA,
                 "%s has no latitude/longitude columns (looked for "
                 "lat/latitude/y and lon/lng/longitude/x; found: %s)%s",
                 shown, *cols ? reach_text_escape(cols, cols_shown, sizeof cols_shown) : "none",
                 gt != wkbPoint && gt != wkbUnknown && !text
                     ? " and its geometries are not points" : "");
      reach_sites_close(r);
      return REACH_ERR_DATA;
    }
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (srs) {
      OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
      OSRImportFromEPSG(wgs, 4326);
      OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
      if (!OSRIsSame(srs, wgs)) {
        OGRSpatialReferenceH src_srs = OSRClone(srs);
        OSRSetAxisMappingStrategy(src_srs, OAMS_TRADITIONAL_GIS_ORDER);
        r->ct = OCTNewCoordinateTransformation(src_srs, wgs);
        OSRDestroySpatialReference(src_srs);
        if (r->ct) reach_guard_init(&r->guard, r->ct);
      }
      OSRDestroySpatialReference(wgs);
    }
  }
  OGR_L_ResetReading(lyr);
  *rp = r;
  return REACH_OK;
}

long long reach_sites_estimate(struct reach_sites_reader *r) {
  if (r->row > 0) return -1; /* counting would disturb the reading */
  GIntBig n = OGR_L_GetFeatureCount(r->lyr, TRUE);
  OGR_L_ResetReading(r->lyr);
  return n;
}

size_t reach_sites_skipped(const struct reach_sites_reader *r) { return r->skipped; }

/* How many rows are read between two interrupt checks: a skipped bad row
 * costs microseconds, so a batch that fills slowly still stops at once. */
#define CHECK_ROWS 1024

/* A coordinate cell, quoted for a message. */
static void quote_cell(char *what, size_t len, OGRFeatureDefnH defn, int i,
                       const char *cell) {
  char c[96], col[96];
  reach_text_escape(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), col, sizeof col);
  snprintf(what, len, "'%s' (column %s)", reach_text_escape(cell, c, sizeof c), col);
}

enum reach_status reach_sites_next(struct reach_ctx *ctx,
                                   struct reach_sites_reader *r,
                                   struct reach_site *buf, size_t max,
                                   size_t *got) {
  size_t count = 0;
  enum reach_status st = REACH_OK;
  OGRFeatureH f = NULL;
  *got = 0;
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(r->lyr);
  while (count < max) {
    if (r->row % CHECK_ROWS == 0 && reach_interrupted(ctx)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted while reading %s", r->path);
      break;
    }
    if ((f = OGR_L_GetNextFeature(r->lyr)) == NULL) break;
    size_t row = ++r->row;
    double lat = NAN, lon = NAN;
    const char *bad = NULL;
    char what[256] = "";
    int iname = r->iname;
    /* Copies: for a field that is not text (a name column of numbers,
     * float8 lat/lon in PostGIS or a GeoPackage) OGR formats the value into
     * one buffer per feature, which the next call overwrites. */
    char name_buf[REACH_NAME_LEN], ts[128], gs[128];
    const char *name = NULL;
    size_t name_bad = 0;
    if (iname >= 0 && OGR_F_IsFieldSetAndNotNull(f, iname)) {
      reach_utf8_clean(name_buf, sizeof name_buf, OGR_F_GetFieldAsString(f, iname),
                       &name_bad);
      name = name_buf;
    }
    if (r->use_fields) {
      /* a value too long for the buffer is no coordinate */
      const char *tv = OGR_F_GetFieldAsString(f, r->ilat);
      size_t tl = (size_t)snprintf(ts, sizeof ts, "%s", tv);
      if (tl >= sizeof ts || !reach_coord_value(ts, 1, &lat)) {
        bad = "latitude";
        quote_cell(what, sizeof what, defn, r->ilat, tv);
      } else {
        const char *gv = OGR_F_GetFieldAsString(f, r->ilon);
        size_t gl = (size_t)snprintf(gs, sizeof gs, "%s", gv);
        if (gl >= sizeof gs || !reach_coord_value(gs, 0, &lon)) {
          bad = "longitude";
          quote_cell(what, sizeof what, defn, r->ilon, gv);
        }
      }
    } else {
      OGRGeometryH g = OGR_F_GetGeometryRef(f);
      OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbNone;
      if (!g || OGR_G_IsEmpty(g)) {
        bad = "geometry";
        snprintf(what, sizeof what, "(none)");
      } else if (t != wkbPoint) {
        bad = "geometry";
        snprintf(what, sizeof what, "%s (not a point)", OGRGeometryTypeToName(t));
      } else {
        double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
        if (r->ct && !reach_guard_point(&r->guard, &x, &y, 1, what, sizeof what)) {
          bad = "geometry";
        } else if (!(y >= -90 && y <= 90) || !(x >= -540 && x <= 540)) {
          bad = "geometry";
          snprintf(what, sizeof what, "POINT (%g %g) (outside lon/lat range)", x, y);
        } else {
          lat = y;
          lon = x;
        }
      }
    }
    if (bad) {
      if (r->skip_bad) {
        r->skipped++;
      } else {
        st = reach_fail(ctx, REACH_ERR_DATA,
                        "%s, %s %zu: bad %s %s (use --skip-bad to skip such "
                        "rows)",
                        r->path, r->text ? "row" : "feature", row, bad, what);
        OGR_F_Destroy(f);
        break;
      }
    } else {
      set_site(&buf[count++], name, row, lat, lon);
      r->bad_names += name_bad > 0;
    }
    OGR_F_Destroy(f);
  }
  r->count += count;
  *got = count;
  if (st == REACH_OK && count == 0 && r->count == 0)
    st = reach_fail(ctx, REACH_ERR_DATA, "%s holds no sites%s", r->path,
                    r->skipped ? " (all rows were bad)" : "");
  if (st == REACH_OK && count == 0 && r->bad_names && !r->noticed) {
    r->noticed = 1; /* once, at the end */
    reach_notice(ctx, "%s: %zu name%s held bytes that are not UTF-8; each such "
                 "sequence was replaced by U+FFFD", r->path, r->bad_names,
                 r->bad_names == 1 ? "" : "s");
  }
  return st;
}

size_t reach_sites_bad_names(const struct reach_sites_reader *r) { return r->bad_names; }

enum reach_status reach_sites_read(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_site **sites,
                                   size_t *n, size_t *nskipped) {
  struct reach_sites_reader *r;
  struct reach_site *out = NULL;
  size_t count = 0, cap = 0, got;
  *sites = NULL;
  *n = 0;
  if (nskipped) *nskipped = 0;
  enum reach_status st = reach_sites_open(ctx, path, skip_bad, &r);
  if (st != REACH_OK || !r) return st;
  do {
    if (count == cap) {
      size_t c = cap ? 2 * cap : 64;
      struct reach_site *s = realloc(out, c * sizeof *s);
      if (!s) {
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading %s", r->path);
        break;
      }
      out = s;
      cap = c;
    }
    st = reach_sites_next(ctx, r, out + count, cap - count, &got);
    count += got;
  } while (st == REACH_OK && got > 0);
  if (nskipped) *nskipped = r->skipped;
  reach_sites_close(r);
  if (st != REACH_OK) {
    free(out);
    return st;
  }
  *sites = out;
  *n = count;
  return REACH_OK;
}

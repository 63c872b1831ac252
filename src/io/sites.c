/* Reading launch sites through GDAL: CSV columns or point layers. */
#include <gdal.h>
#include <sys/stat.h>
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

void reach_redact_connection(const char *path, char *buf, size_t size) {
  snprintf(buf, size, "%s", path);
  if (!reach_is_pg(path)) return;
  /* libpq: password=VALUE or password='VAL UE' (quotes doubled or \') */
  for (char *p = buf; (p = strstr(p, "password")) != NULL; p++) {
    char *v = p + 8;
    while (*v == ' ') v++;
    if (*v != '=') continue;
    v++;
    while (*v == ' ') v++;
    char *end = v;
    if (*end == '\'') {
      for (end++; *end && *end != '\''; end++)
        if (*end == '\\' && end[1]) end++;
      if (*end) end++;
    } else {
      end += strcspn(end, " \t");
    }
    if (strlen(buf) - (size_t)(end - buf) + (size_t)(v - buf) + 4 > size) break;
    memmove(v + 3, end, strlen(end) + 1);
    v[0] = v[1] = v[2] = '*';
  }
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

static void set_site(struct reach_site *s, const char *name, size_t row,
                     double lat, double lon) {
  if (name && *name)
    snprintf(s->name, sizeof s->name, "%s", name);
  else
    snprintf(s->name, sizeof s->name, "site %zu", row);
  s->lat_deg = lat;
  s->lon_deg = lon == 180 ? 180 : remainder(lon, 360.0);
}

struct reach_sites_reader {
  char *path;
  GDALDatasetH ds;
  OGRLayerH lyr;
  OGRCoordinateTransformationH ct;
  int ilat, ilon, iname, use_fields, text, skip_bad;
  size_t row, count, skipped;
};

void reach_sites_close(struct reach_sites_reader *r) {
  if (!r) return;
  if (r->ct) OCTDestroyCoordinateTransformation(r->ct);
  if (r->ds) GDALClose(r->ds);
  free(r->path);
  free(r);
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
  CPLErrorReset();
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                               text ? csv_opts : NULL, NULL);
  struct stat sb;
  if (!ds && !pg && strncmp(path, "/vsi", 4) != 0 && stat(path, &sb) != 0)
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: no such file",
                      path);
  if (!ds) {
    char why[512];
    reach_one_line(CPLGetLastErrorMsg(), why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: %s", shown,
                      *why ? why : pg ? "cannot connect" : "not a file GDAL can read");
  }
  if (GDALDatasetGetLayerCount(ds) < 1) {
    GDALClose(ds);
    return reach_fail(ctx, REACH_ERR_DATA, "%s has no layer of sites%s", shown,
                      pg ? " (name the table with tables=NAME)" : "");
  }
  /* A database holds many tables: which one must be said (tables=NAME,
   * which GDAL reads); a file's first layer is taken. */
  if (pg && GDALDatasetGetLayerCount(ds) > 1) {
    char names[256] = "";
    for (int i = 0; i < GDALDatasetGetLayerCount(ds) && strlen(names) < 200; i++) {
      strcat(names, i ? ", " : "");
      strncat(names, OGR_L_GetName(GDALDatasetGetLayer(ds, i)), 40);
    }
    int n = GDALDatasetGetLayerCount(ds);
    GDALClose(ds);
    return reach_fail(ctx, REACH_ERR_DATA,
                      "%s holds %d tables (%s%s); name the one to read with "
                      "tables=NAME in the connection string",
                      shown, n, names, strlen(names) >= 200 ? ", ..." : "");
  }
  struct reach_sites_reader *r = calloc(1, sizeof *r);
  if (!r || !(r->path = strdup(shown))) {
    free(r);
    GDALClose(ds);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  r->ds = ds;
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
      char cols[256] = "";
      for (int i = 0; i < OGR_FD_GetFieldCount(defn) && strlen(cols) < 200; i++) {
        strcat(cols, i ? ", " : "");
        strncat(cols, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), 40);
      }
      reach_fail(ctx, REACH_ERR_DATA,
                 "%s has no latitude/longitude columns (looked for "
                 "lat/latitude/y and lon/lng/longitude/x; found: %s)%s",
                 shown, *cols ? cols : "none",
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
        OGRSpatialReferenceH src = OSRClone(srs);
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        r->ct = OCTNewCoordinateTransformation(src, wgs);
        OSRDestroySpatialReference(src);
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

enum reach_status reach_sites_next(struct reach_ctx *ctx,
                                   struct reach_sites_reader *r,
                                   struct reach_site *buf, size_t max,
                                   size_t *got) {
  size_t count = 0;
  enum reach_status st = REACH_OK;
  OGRFeatureH f;
  *got = 0;
  while (count < max && (f = OGR_L_GetNextFeature(r->lyr)) != NULL) {
    size_t row = ++r->row;
    double lat = NAN, lon = NAN;
    const char *bad = NULL;
    char what[160] = "";
    int iname = r->iname;
    /* Copies: for a field that is not text (a name column of numbers,
     * float8 lat/lon in PostGIS or a GeoPackage) OGR formats the value into
     * one buffer per feature, which the next call overwrites. */
    char name_buf[REACH_NAME_LEN], ts[128], gs[128];
    const char *name = NULL;
    if (iname >= 0 && OGR_F_IsFieldSetAndNotNull(f, iname)) {
      snprintf(name_buf, sizeof name_buf, "%s", OGR_F_GetFieldAsString(f, iname));
      name = name_buf;
    }
    if (r->use_fields) {
      /* a value too long for the buffer is no coordinate */
      size_t tl = (size_t)snprintf(ts, sizeof ts, "%s", OGR_F_GetFieldAsString(f, r->ilat));
      size_t gl = (size_t)snprintf(gs, sizeof gs, "%s", OGR_F_GetFieldAsString(f, r->ilon));
      if (tl >= sizeof ts || !reach_coord_value(ts, 1, &lat)) {
        bad = "latitude";
        snprintf(what, sizeof what, "'%.60s'", ts);
      } else if (gl >= sizeof gs || !reach_coord_value(gs, 0, &lon)) {
        bad = "longitude";
        snprintf(what, sizeof what, "'%.60s'", gs);
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
        double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0), z = 0;
        if (r->ct && !OCTTransform(r->ct, 1, &x, &y, &z)) {
          bad = "geometry";
          snprintf(what, sizeof what, "(cannot be converted to WGS84)");
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
    }
    OGR_F_Destroy(f);
  }
  r->count += count;
  *got = count;
  if (st == REACH_OK && count == 0 && r->count == 0)
    st = reach_fail(ctx, REACH_ERR_DATA, "%s holds no sites%s", r->path,
                    r->skipped ? " (all rows were bad)" : "");
  return st;
}

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
        st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading %s", path);
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

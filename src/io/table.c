/* Any GDAL vector source read row by row (see table.h). */
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/compiled.h"
#include "io/table.h"
#include "io/transform.h"
#include "georeach/io.h"

struct reach_table {
  char *path; /* for messages (redacted when shown) */
  const struct reach_compiled_table *compiled; /* instead of GDAL (io/compiled.h) */
  long long row;                               /* its current row, from -1 */
  GDALDatasetH ds;
  OGRLayerH lyr;
  OGRCoordinateTransformationH ct; /* NULL when the layer is in lon/lat */
  OGRFeatureH f;                   /* the current row */
  int moved;                       /* its geometry is in lon/lat already */
  unsigned char *wkb;
  size_t wkb_cap;
};

int reach_hash_file(const char *path, unsigned long long *h, unsigned long long *bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  /* FNV-1a over 8-byte little-endian words (bytes of a last short word one
   * at a time): eight times fewer multiplications than bytewise, so the
   * check costs a fraction of a millisecond for the 2.6 MB gazetteer */
  unsigned char buf[65536];
  size_t got;
  unsigned long long x = *h;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
    *bytes += got;
    size_t i = 0;
    for (; i + 8 <= got; i += 8) {
      unsigned long long w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      memcpy(&w, buf + i, 8); /* the same little-endian word, one load */
#else
      for (int k = 7; k >= 0; k--) w = w << 8 | buf[i + (size_t)k];
#endif
      x = (x ^ w) * 0x100000001B3ULL;
    }
    for (; i < got; i++) x = (x ^ buf[i]) * 0x100000001B3ULL;
  }
  int ok = !ferror(f);
  fclose(f);
  *h = x;
  return ok;
}

/* The compiled copy of @p path when it is the data folder's file of that
 * name and its bytes are the ones compiled (GEOREACH_NO_INDEX=1: never). */
static const struct reach_compiled_table *compiled_for(struct reach_ctx *ctx, const char *path) {
  static const struct reach_compiled_table *const all[] = {&reach_compiled_missiles};
  const char *no_index = getenv("GEOREACH_NO_INDEX");
  if (no_index && *no_index == '1') return NULL;
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    char want[4096];
    snprintf(want, sizeof want, "%s/%s", reach_ctx_data_dir(ctx), all[i]->file);
    unsigned long long h = 0xCBF29CE484222325ULL, bytes = 0;
    if (strcmp(want, path) == 0 && reach_hash_file(path, &h, &bytes) &&
        h == all[i]->hash && bytes == all[i]->bytes)
      return all[i];
  }
  return NULL;
}

enum reach_status reach_table_open(struct reach_ctx *ctx, const char *path,
                                   const char *what, const char *const *drivers,
                                   const char *const *options, struct reach_table **out) {
  *out = NULL;
  const struct reach_compiled_table *c = compiled_for(ctx, path);
  if (c) {
    struct reach_table *t = calloc(1, sizeof *t);
    if (!t) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    t->compiled = c;
    t->row = -1;
    *out = t;
    return REACH_OK;
  }
  reach_gdal_init();
  char shown[1024];
  reach_redact_connection(path, shown, sizeof shown);
  struct reach_table *t = calloc(1, sizeof *t);
  if (!t) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  t->path = strdup(path);
  /* "FILE|layername=L", as GDAL's utilities name a layer */
  char *bar = t->path && !reach_is_pg(path) ? strstr(t->path, "|layername=") : NULL;
  const char *layer = bar ? bar + strlen("|layername=") : NULL;
  if (bar) *bar = '\0';
  CPLErrorReset();
  t->ds = t->path ? GDALOpenEx(t->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options,
                               NULL)
                  : NULL;
  t->lyr = !t->ds ? NULL : layer ? GDALDatasetGetLayerByName(t->ds, layer)
                                 : GDALDatasetGetLayer(t->ds, 0);
  if (t->ds && layer && !t->lyr)
    CPLError(CE_Failure, CPLE_AppDefined, "no layer '%s'", layer);
  if (!t->lyr) {
    char why[512];
    reach_one_line(CPLGetLastErrorMsg(), why, sizeof why);
    reach_table_close(t);
    return reach_fail(ctx, REACH_ERR_IO, "cannot read %s %s%s%s%s", what, shown,
                      why[0] ? " (" : "", why, why[0] ? ")" : "");
  }
  OGRSpatialReferenceH src = OGR_L_GetSpatialRef(t->lyr);
  if (src) {
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OGRSpatialReferenceH from = OSRClone(src);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(from, OAMS_TRADITIONAL_GIS_ORDER);
    if (!OSRIsSame(from, wgs)) t->ct = OCTNewCoordinateTransformation(from, wgs);
    int failed = !OSRIsSame(from, wgs) && !t->ct;
    OSRDestroySpatialReference(from);
    OSRDestroySpatialReference(wgs);
    if (failed) {
      reach_table_close(t);
      return reach_fail(ctx, REACH_ERR_DATA, "%s %s: cannot transform its CRS to WGS84",
                        what, shown);
    }
  }
  *out = t;
  return REACH_OK;
}

long long reach_table_count(struct reach_table *t) {
  if (t->compiled) return (long long)t->compiled->nrows;
  return (long long)OGR_L_GetFeatureCount(t->lyr, FALSE);
}

int reach_table_field(const struct reach_table *t, const char *name) {
  if (t->compiled) {
    for (size_t i = 0; i < t->compiled->nfields; i++)
      if (strcasecmp(t->compiled->fields[i], name) == 0) return (int)i;
    return -1;
  }
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(t->lyr);
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
    if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), name) == 0) return i;
  return -1;
}

int reach_table_next(struct reach_table *t) {
  if (t->compiled) return ++t->row < (long long)t->compiled->nrows;
  if (t->f) OGR_F_Destroy(t->f);
  t->f = OGR_L_GetNextFeature(t->lyr);
  t->moved = 0;
  return t->f != NULL;
}

const char *reach_table_text(const struct reach_table *t, int field) {
  if (t->compiled)
    return t->row >= 0 && t->row < (long long)t->compiled->nrows && field >= 0 &&
                   (size_t)field < t->compiled->nfields
               ? t->compiled->cells[(size_t)t->row * t->compiled->nfields + (size_t)field]
               : "";
  if (!t->f || field < 0 || !OGR_F_IsFieldSetAndNotNull(t->f, field)) return "";
  return OGR_F_GetFieldAsString(t->f, field);
}

const unsigned char *reach_table_wkb(struct reach_ctx *ctx, struct reach_table *t, size_t *len,
                                     double box[4], enum reach_status *st) {
  *st = REACH_OK;
  if (t->compiled) return NULL; /* tables without geometry */
  OGRGeometryH g = t->f ? OGR_F_GetGeometryRef(t->f) : NULL;
  if (!g) return NULL;
  /* coordinates far outside the CRS's area of use are refused before PROJ
   * sees them (it can loop forever on 1e20) */
  if (!t->moved && t->ct &&
      (*st = reach_geom_to_wgs84(ctx, t->ct, g, t->path, (long long)OGR_F_GetFID(t->f))))
    return NULL;
  t->moved = 1;
  int size = OGR_G_WkbSize(g);
  if (size <= 0) return NULL;
  if ((size_t)size > t->wkb_cap) {
    unsigned char *b = realloc(t->wkb, (size_t)size);
    if (!b) return NULL;
    t->wkb = b;
    t->wkb_cap = (size_t)size;
  }
  if (OGR_G_ExportToIsoWkb(g, wkbNDR, t->wkb) != OGRERR_NONE) return NULL;
  if (box) {
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    box[0] = env.MinX;
    box[1] = env.MinY;
    box[2] = env.MaxX;
    box[3] = env.MaxY;
  }
  *len = (size_t)size;
  return t->wkb;
}

int reach_table_dim(const struct reach_table *t) {
  OGRGeometryH g = t->f ? OGR_F_GetGeometryRef(t->f) : NULL;
  if (!g || OGR_G_IsEmpty(g)) return -1;
  switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
  case wkbPoint:
  case wkbMultiPoint:
    return 0;
  case wkbLineString:
  case wkbMultiLineString:
    return 1;
  case wkbPolygon:
  case wkbMultiPolygon:
    return 2;
  default:
    return -1;
  }
}

/* Append the vertices of line or point @p g as one part (or each point of a
 * multipoint as its own part). */
static int push_part(OGRGeometryH g, struct reach_pts *xy, size_t **start, size_t *nparts,
                     size_t *cap) {
  int n = OGR_G_GetPointCount(g);
  if (n <= 0) return 1;
  if (*nparts + 2 > *cap) {
    size_t c = *cap ? 2 * *cap : 8;
    size_t *p = realloc(*start, c * sizeof *p);
    if (!p) return 0;
    *start = p;
    *cap = c;
  }
  if (*nparts == 0) (*start)[0] = 0;
  for (int i = 0; i < n; i++)
    if (!reach_pts_push(xy, OGR_G_GetX(g, i), OGR_G_GetY(g, i))) return 0;
  (*start)[++*nparts] = xy->n;
  return 1;
}

enum reach_status reach_table_parts(struct reach_ctx *ctx, struct reach_table *t,
                                    struct reach_pts *xy, size_t **start, size_t *nparts) {
  *start = NULL;
  *nparts = 0;
  xy->n = 0;
  OGRGeometryH g = t->f ? OGR_F_GetGeometryRef(t->f) : NULL;
  int dim = reach_table_dim(t);
  if (!g || dim < 0 || dim > 1) return REACH_OK;
  enum reach_status st;
  if (!t->moved && t->ct &&
      (st = reach_geom_to_wgs84(ctx, t->ct, g, t->path, (long long)OGR_F_GetFID(t->f))))
    return st;
  t->moved = 1;
  size_t cap = 0;
  int ok = 1, parts = OGR_G_GetGeometryCount(g);
  if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPoint ||
      wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiLineString)
    for (int i = 0; i < parts && ok; i++)
      ok = push_part(OGR_G_GetGeometryRef(g, i), xy, start, nparts, &cap);
  else
    ok = push_part(g, xy, start, nparts, &cap);
  if (!ok) {
    free(*start);
    *start = NULL;
    *nparts = 0;
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  return REACH_OK;
}

const char *reach_table_layer_name(const struct reach_table *t) {
  return OGR_L_GetName(t->lyr);
}

void reach_table_close(struct reach_table *t) {
  if (!t) return;
  if (t->f) OGR_F_Destroy(t->f);
  if (t->ct) OCTDestroyCoordinateTransformation(t->ct);
  if (t->ds) GDALClose(t->ds);
  free(t->wkb);
  free(t->path);
  free(t);
}

const char *reach_gdal_version(void) { return GDALVersionInfo("RELEASE_NAME"); }

void reach_io_silence_gdal(void) {
  /* said now, done when GDAL is opened (io/gdal_load.c): a run that reads
   * no file must not open GDAL to silence it */
  reach_gdal_quiet_on_load();
  if (reach_gdal_loaded()) CPLSetErrorHandler(CPLQuietErrorHandler);
}

/* Any GDAL vector source read row by row (see table.h). */
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/table.h"
#include "io/transform.h"
#include "georeach/io.h"

struct reach_table {
  char *path; /* for messages (redacted when shown) */
  GDALDatasetH ds;
  OGRLayerH lyr;
  OGRCoordinateTransformationH ct; /* NULL when the layer is in lon/lat */
  OGRFeatureH f;                   /* the current row */
  unsigned char *wkb;
  size_t wkb_cap;
};

enum reach_status reach_table_open(struct reach_ctx *ctx, const char *path,
                                   const char *what, const char *const *drivers,
                                   const char *const *options, struct reach_table **out) {
  *out = NULL;
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
  return (long long)OGR_L_GetFeatureCount(t->lyr, FALSE);
}

int reach_table_field(const struct reach_table *t, const char *name) {
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(t->lyr);
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
    if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), name) == 0) return i;
  return -1;
}

int reach_table_next(struct reach_table *t) {
  if (t->f) OGR_F_Destroy(t->f);
  t->f = OGR_L_GetNextFeature(t->lyr);
  return t->f != NULL;
}

const char *reach_table_text(const struct reach_table *t, int field) {
  if (!t->f || field < 0 || !OGR_F_IsFieldSetAndNotNull(t->f, field)) return "";
  return OGR_F_GetFieldAsString(t->f, field);
}

const unsigned char *reach_table_wkb(struct reach_ctx *ctx, struct reach_table *t, size_t *len,
                                     double box[4], enum reach_status *st) {
  *st = REACH_OK;
  OGRGeometryH g = t->f ? OGR_F_GetGeometryRef(t->f) : NULL;
  if (!g) return NULL;
  /* coordinates far outside the CRS's area of use are refused before PROJ
   * sees them (it can loop forever on 1e20) */
  if (t->ct && (*st = reach_geom_to_wgs84(ctx, t->ct, g, t->path, (long long)OGR_F_GetFID(t->f))))
    return NULL;
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
  reach_gdal_init();
  CPLSetErrorHandler(CPLQuietErrorHandler);
}

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

#include "internal.h"
#include "georeach/io.h"

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static void gdal_register(void) { GDALAllRegister(); }

void reach_gdal_init(void) { pthread_once(&gdal_once, gdal_register); }

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

static int push_site(struct reach_site **sites, size_t *n, size_t *cap,
                     const char *name, size_t row, double lat, double lon) {
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 64;
    struct reach_site *s = realloc(*sites, c * sizeof *s);
    if (!s) return 0;
    *sites = s;
    *cap = c;
  }
  struct reach_site *s = &(*sites)[(*n)++];
  if (name && *name)
    snprintf(s->name, sizeof s->name, "%s", name);
  else
    snprintf(s->name, sizeof s->name, "site %zu", row);
  s->lat_deg = lat;
  s->lon_deg = lon == 180 ? 180 : remainder(lon, 360.0);
  return 1;
}

enum reach_status reach_sites_read(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_site **sites,
                                   size_t *n, size_t *nskipped) {
  static const char *const lat_names[] = {"lat", "latitude", "y", NULL};
  static const char *const lon_names[] = {"lon", "lng", "long", "longitude",
                                          "x", NULL};
  static const char *const name_names[] = {"name", "site", "label", "id", NULL};
  const char *csv_opts[] = {"AUTODETECT_TYPE=NO", NULL};
  struct reach_site *out = NULL;
  size_t count = 0, cap = 0, skipped = 0;
  enum reach_status st = REACH_OK;
  OGRCoordinateTransformationH ct = NULL;
  *sites = NULL;
  *n = 0;
  if (nskipped) *nskipped = 0;
  reach_gdal_init();
  int text = is_text_table(path);
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                               text ? csv_opts : NULL, NULL);
  struct stat sb;
  if (!ds && strncmp(path, "/vsi", 4) != 0 && stat(path, &sb) != 0)
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: no such file",
                      path);
  if (!ds) {
    const char *why = CPLGetLastErrorMsg();
    return reach_fail(ctx, REACH_ERR_IO, "cannot read sites from %s: %s", path,
                      why && *why ? why : "not a file GDAL can read");
  }
  if (GDALDatasetGetLayerCount(ds) < 1) {
    GDALClose(ds);
    return reach_fail(ctx, REACH_ERR_DATA, "%s has no layer of sites", path);
  }
  OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
  int ilat = field_named(defn, lat_names), ilon = field_named(defn, lon_names);
  int iname = field_named(defn, name_names);
  int use_fields = ilat >= 0 && ilon >= 0;
  if (!use_fields) {
    OGRwkbGeometryType gt = wkbFlatten(OGR_FD_GetGeomType(defn));
    if (text || OGR_FD_GetGeomFieldCount(defn) == 0 ||
        (gt != wkbPoint && gt != wkbUnknown)) {
      char cols[256] = "";
      for (int i = 0; i < OGR_FD_GetFieldCount(defn) && strlen(cols) < 200; i++) {
        strcat(cols, i ? ", " : "");
        strncat(cols, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), 40);
      }
      st = reach_fail(ctx, REACH_ERR_DATA,
                      "%s has no latitude/longitude columns (looked for "
                      "lat/latitude/y and lon/lng/longitude/x; found: %s)%s",
                      path, *cols ? cols : "none",
                      gt != wkbPoint && gt != wkbUnknown && !text
                          ? " and its geometries are not points" : "");
      goto done;
    }
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (srs) {
      OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
      OSRImportFromEPSG(wgs, 4326);
      OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
      if (!OSRIsSame(srs, wgs)) {
        OGRSpatialReferenceH src = OSRClone(srs);
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(src, wgs);
        OSRDestroySpatialReference(src);
      }
      OSRDestroySpatialReference(wgs);
    }
  }
  OGR_L_ResetReading(lyr);
  OGRFeatureH f;
  size_t row = 0;
  while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
    row++;
    double lat = NAN, lon = NAN;
    const char *bad = NULL;
    char what[160] = "";
    const char *name = iname >= 0 && OGR_F_IsFieldSetAndNotNull(f, iname)
                           ? OGR_F_GetFieldAsString(f, iname) : NULL;
    if (use_fields) {
      const char *ts = OGR_F_GetFieldAsString(f, ilat);
      const char *gs = OGR_F_GetFieldAsString(f, ilon);
      if (!reach_coord_value(ts, 1, &lat)) {
        bad = "latitude";
        snprintf(what, sizeof what, "'%.60s'", ts);
      } else if (!reach_coord_value(gs, 0, &lon)) {
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
        if (ct && !OCTTransform(ct, 1, &x, &y, &z)) {
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
      if (skip_bad) {
        skipped++;
      } else {
        st = reach_fail(ctx, REACH_ERR_DATA,
                        "%s, %s %zu: bad %s %s (use --skip-bad to skip such "
                        "rows)",
                        path, text ? "row" : "feature", row, bad, what);
        OGR_F_Destroy(f);
        goto done;
      }
    } else if (!push_site(&out, &count, &cap, name, row, lat, lon)) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory reading %s", path);
      OGR_F_Destroy(f);
      goto done;
    }
    OGR_F_Destroy(f);
  }
  if (count == 0)
    st = reach_fail(ctx, REACH_ERR_DATA, "%s holds no sites%s", path,
                    skipped ? " (all rows were bad)" : "");
done:
  if (ct) OCTDestroyCoordinateTransformation(ct);
  GDALClose(ds);
  if (st != REACH_OK) {
    free(out);
    return st;
  }
  *sites = out;
  *n = count;
  if (nskipped) *nskipped = skipped;
  return REACH_OK;
}

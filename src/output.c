/* Writing ring layers through GDAL, atomically.
 *
 * Everything goes to a fresh folder ".georeach-XXXXXX" beside the destination
 * (same file system, so the final rename is atomic per file); on success each
 * file the driver made (a shapefile makes several) is renamed into place, on
 * failure the folder is removed.  An interrupted process leaves at most that
 * hidden folder, never a half-written file under the destination name. */
#include <cpl_conv.h>
#include <cpl_string.h>
#include <dirent.h>
#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "internal.h"
#include "georeach/io.h"

struct reach_writer {
  GDALDatasetH ds;
  OGRLayerH lyr;
  int to_stdout;
  char *dest;   /* destination path */
  char *tmpdir; /* the hidden folder */
  char *dir;    /* destination folder */
  size_t count;
  int in_txn;
  int ifield[16];
};

static const struct {
  const char *ext, *driver;
} formats[] = {{".geojson", "GeoJSON"}, {".json", "GeoJSON"},
               {".gpkg", "GPKG"},       {".shp", "ESRI Shapefile"},
               {".kml", "KML"},         {".fgb", "FlatGeobuf"},
               {".csv", "CSV"}};

static const char *driver_for(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return NULL;
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcasecmp(dot, formats[i].ext) == 0) return formats[i].driver;
  return NULL;
}

static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char *p = CPLStrdup(CPLFormFilename(dir, e->d_name, NULL));
      unlink(p);
      CPLFree(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

static void writer_free(struct reach_writer *w) {
  if (!w) return;
  free(w->dest);
  free(w->tmpdir);
  free(w->dir);
  free(w);
}

void reach_writer_abort(struct reach_writer *w) {
  if (!w) return;
  if (w->ds) GDALClose(w->ds);
  if (w->tmpdir) remove_tree(w->tmpdir);
  writer_free(w);
}

size_t reach_writer_count(const struct reach_writer *w) { return w->count; }

enum { F_REAL, F_TEXT, F_INT };
struct field {
  const char *name;
  int type, width;
};
static const struct field ring_fields[] = {
    {"site", F_TEXT, 80},    {"site_lat", F_REAL, 0}, {"site_lon", F_REAL, 0},
    {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},     {"min_km", F_REAL, 0},
    {"range_km", F_REAL, 0}, {"az_from", F_REAL, 0},  {"az_to", F_REAL, 0},
    {"tol_m", F_REAL, 0},    {"err_m", F_REAL, 0},    {"area_km2", F_REAL, 0}};
static const struct field query_fields[] = {
    {"site", F_TEXT, 80},     {"missile", F_TEXT, 40},  {"target", F_TEXT, 80},
    {"dist_km", F_REAL, 0},   {"az_deg", F_REAL, 0},    {"baz_deg", F_REAL, 0},
    {"range_km", F_REAL, 0},  {"min_km", F_REAL, 0},    {"margin_km", F_REAL, 0},
    {"in_range", F_INT, 0}};
static const struct field coverage_fields[] = {
    {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},   {"min_km", F_REAL, 0},
    {"range_km", F_REAL, 0}, {"az_from", F_REAL, 0}, {"az_to", F_REAL, 0},
    {"sites", F_INT, 0},     {"tol_m", F_REAL, 0},   {"err_m", F_REAL, 0},
    {"area_km2", F_REAL, 0}};
static const struct field basket_fields[] = {
    {"targets", F_TEXT, 254}, {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},
    {"min_km", F_REAL, 0},    {"range_km", F_REAL, 0}, {"mode", F_TEXT, 3},
    {"within", F_TEXT, 80},   {"tol_m", F_REAL, 0},    {"err_m", F_REAL, 0},
    {"area_km2", F_REAL, 0}};

static enum reach_status writer_open(struct reach_ctx *ctx, const char *path,
                                     const char *driver, int overwrite,
                                     const char *layer, OGRwkbGeometryType gtype,
                                     const struct field *fields, int nfields,
                                     struct reach_writer **wp) {
  reach_gdal_init();
  *wp = NULL;
  int to_stdout = strcmp(path, "-") == 0;
  if (to_stdout && driver && strcasecmp(driver, "GeoJSON") != 0)
    return reach_fail(ctx, REACH_ERR_ARG, "-o - writes GeoJSON only");
  const char *drv_name = to_stdout ? "GeoJSON" : driver ? driver : driver_for(path);
  if (!drv_name)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "cannot tell the format of '%s' from its extension (use "
                      ".geojson, .gpkg, .shp, .kml, .fgb or .csv, or --format)",
                      path);
  GDALDriverH drv = GDALGetDriverByName(drv_name);
  if (!drv || !GDALGetMetadataItem(drv, GDAL_DCAP_CREATE, NULL) ||
      !GDALGetMetadataItem(drv, GDAL_DCAP_VECTOR, NULL))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "GDAL cannot write vector format '%s'", drv_name);
  struct reach_writer *w = calloc(1, sizeof *w);
  if (!w) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  w->to_stdout = to_stdout;
  const char *target;
  char *tmpfile = NULL;
  if (to_stdout) {
    target = "/vsistdout/";
  } else {
    struct stat sb;
    if (stat(path, &sb) == 0 && !overwrite) {
      writer_free(w);
      return reach_fail(ctx, REACH_ERR_IO,
                        "%s exists; use --overwrite to replace it", path);
    }
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      writer_free(w);
      return reach_fail(ctx, REACH_ERR_IO, "%s is a folder, not a file", path);
    }
    w->dest = strdup(path);
    w->dir = strdup(CPLGetDirname(path));
    size_t len = strlen(w->dir) + 32;
    w->tmpdir = malloc(len);
    if (!w->dest || !w->dir || !w->tmpdir) {
      writer_free(w);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    snprintf(w->tmpdir, len, "%s/.georeach-XXXXXX", w->dir);
    if (!mkdtemp(w->tmpdir)) {
      int e = errno;
      free(w->tmpdir);
      w->tmpdir = NULL;
      writer_free(w);
      return reach_fail(ctx, REACH_ERR_IO, "cannot write in folder %s: %s",
                        *path && strchr(path, '/') ? CPLGetDirname(path) : ".",
                        strerror(e));
    }
    tmpfile = CPLStrdup(CPLFormFilename(w->tmpdir, CPLGetFilename(path), NULL));
    target = tmpfile;
  }
  CPLErrorReset();
  w->ds = GDALCreate(drv, target, 0, 0, 0, GDT_Unknown, NULL);
  CPLFree(tmpfile);
  if (!w->ds) {
    reach_writer_abort(w);
    return reach_fail(ctx, REACH_ERR_IO, "cannot create %s: %s", path,
                      CPLGetLastErrorMsg());
  }
  OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
  OSRImportFromEPSG(srs, 4326);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  char **lco = NULL;
  if (!strcmp(drv_name, "GeoJSON")) {
    lco = CSLSetNameValue(lco, "RFC7946", "YES");
    lco = CSLSetNameValue(lco, "COORDINATE_PRECISION", "9");
  } else if (!strcmp(drv_name, "CSV")) {
    lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
  } else if (!strcmp(drv_name, "ESRI Shapefile")) {
    lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
  }
  w->lyr = GDALDatasetCreateLayer(w->ds, layer, srs, gtype, lco);
  CSLDestroy(lco);
  OSRDestroySpatialReference(srs);
  int ok = w->lyr != NULL;
  for (int i = 0; ok && i < nfields; i++) {
    OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type == F_TEXT ? OFTString
                                                      : fields[i].type == F_INT ? OFTInteger
                                                                                : OFTReal);
    if (fields[i].width) OGR_Fld_SetWidth(fd, fields[i].width);
    ok = OGR_L_CreateField(w->lyr, fd, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(fd);
  }
  if (ok) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(w->lyr);
    for (int i = 0; i < nfields; i++) w->ifield[i] = OGR_FD_GetFieldIndex(defn, fields[i].name);
  }
  if (!ok) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", CPLGetLastErrorMsg());
    reach_writer_abort(w);
    return reach_fail(ctx, REACH_ERR_IO, "cannot create the layer in %s: %s",
                      path, msg);
  }
  /* One transaction for the whole layer: GeoPackage writes ~50x faster. */
  if (GDALDatasetTestCapability(w->ds, ODsCTransactions) &&
      GDALDatasetStartTransaction(w->ds, FALSE) == OGRERR_NONE)
    w->in_txn = 1;
  *wp = w;
  return REACH_OK;
}

enum reach_status reach_writer_open(struct reach_ctx *ctx, const char *path,
                                    const char *driver, int overwrite,
                                    struct reach_writer **wp) {
  return writer_open(ctx, path, driver, overwrite, "rings", wkbMultiPolygon,
                     ring_fields, sizeof ring_fields / sizeof ring_fields[0], wp);
}

enum reach_status reach_writer_open_query(struct reach_ctx *ctx, const char *path,
                                          const char *driver, int overwrite,
                                          struct reach_writer **wp) {
  return writer_open(ctx, path, driver, overwrite, "query", wkbPoint,
                     query_fields, sizeof query_fields / sizeof query_fields[0], wp);
}

enum reach_status reach_writer_open_basket(struct reach_ctx *ctx, const char *path,
                                           const char *driver, int overwrite,
                                           struct reach_writer **wp) {
  return writer_open(ctx, path, driver, overwrite, "basket", wkbMultiPolygon,
                     basket_fields, sizeof basket_fields / sizeof basket_fields[0], wp);
}

static OGRGeometryH to_ogr(const struct reach_geom *g);

enum reach_status reach_writer_open_coverage(struct reach_ctx *ctx, const char *path,
                                             const char *driver, int overwrite,
                                             struct reach_writer **wp) {
  return writer_open(ctx, path, driver, overwrite, "coverage", wkbMultiPolygon,
                     coverage_fields, sizeof coverage_fields / sizeof coverage_fields[0],
                     wp);
}

static enum reach_status add_feature(struct reach_ctx *ctx, struct reach_writer *w,
                                     OGRFeatureH feat) {
  CPLErrorReset();
  OGRErr e = OGR_L_CreateFeature(w->lyr, feat);
  OGR_F_Destroy(feat);
  if (e != OGRERR_NONE) {
    const char *why = CPLGetLastErrorMsg();
    return reach_fail(ctx, REACH_ERR_IO, "cannot write feature %zu to %s: %s",
                      w->count + 1, w->dest ? w->dest : "standard output",
                      why && *why ? why : "write failed (is the disk full?)");
  }
  w->count++;
  return REACH_OK;
}

enum reach_status reach_writer_add_query(struct reach_ctx *ctx,
                                         struct reach_writer *w,
                                         const struct reach_query_feature *q) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  OGR_F_SetFieldString(feat, ix[0], q->site ? q->site : "");
  OGR_F_SetFieldString(feat, ix[1], q->missile ? q->missile : "");
  OGR_F_SetFieldString(feat, ix[2], q->target ? q->target : "");
  OGR_F_SetFieldDouble(feat, ix[3], q->dist_km);
  OGR_F_SetFieldDouble(feat, ix[4], q->az_deg);
  OGR_F_SetFieldDouble(feat, ix[5], q->baz_deg);
  OGR_F_SetFieldDouble(feat, ix[6], q->range_km);
  OGR_F_SetFieldDouble(feat, ix[7], q->min_km);
  OGR_F_SetFieldDouble(feat, ix[8], q->margin_km);
  OGR_F_SetFieldInteger(feat, ix[9], q->in_range);
  OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
  OGR_G_SetPoint_2D(pt, 0, q->target_lon, q->target_lat);
  OGR_F_SetGeometryDirectly(feat, pt);
  return add_feature(ctx, w, feat);
}

enum reach_status reach_writer_add_coverage(struct reach_ctx *ctx,
                                            struct reach_writer *w,
                                            const struct reach_feature *f, long sites,
                                            const struct reach_geom *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  OGR_F_SetFieldString(feat, ix[0], f->missile ? f->missile : "");
  OGR_F_SetFieldString(feat, ix[1], f->band ? f->band : "");
  OGR_F_SetFieldDouble(feat, ix[2], f->min_km);
  OGR_F_SetFieldDouble(feat, ix[3], f->range_km);
  if (f->sector) {
    OGR_F_SetFieldDouble(feat, ix[4], f->az_from);
    OGR_F_SetFieldDouble(feat, ix[5], f->az_to);
  } else {
    OGR_F_SetFieldNull(feat, ix[4]);
    OGR_F_SetFieldNull(feat, ix[5]);
  }
  OGR_F_SetFieldInteger64(feat, ix[6], sites);
  OGR_F_SetFieldDouble(feat, ix[7], f->tol_m);
  OGR_F_SetFieldDouble(feat, ix[8], f->err_m);
  OGR_F_SetFieldDouble(feat, ix[9], f->area_km2);
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat);
}

enum reach_status reach_writer_add_basket(struct reach_ctx *ctx,
                                          struct reach_writer *w,
                                          const struct reach_basket_feature *b,
                                          const struct reach_geom *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  OGR_F_SetFieldString(feat, ix[0], b->targets ? b->targets : "");
  OGR_F_SetFieldString(feat, ix[1], b->missile ? b->missile : "");
  OGR_F_SetFieldString(feat, ix[2], b->band ? b->band : "");
  OGR_F_SetFieldDouble(feat, ix[3], b->min_km);
  OGR_F_SetFieldDouble(feat, ix[4], b->range_km);
  OGR_F_SetFieldString(feat, ix[5], b->any ? "any" : "all");
  OGR_F_SetFieldString(feat, ix[6], b->within ? b->within : "");
  OGR_F_SetFieldDouble(feat, ix[7], b->tol_m);
  OGR_F_SetFieldDouble(feat, ix[8], b->err_m);
  OGR_F_SetFieldDouble(feat, ix[9], b->area_km2);
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat);
}

static OGRGeometryH to_ogr(const struct reach_geom *g) {
  OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
  for (size_t p = 0; p < g->npolys; p++) {
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    for (size_t r = g->poly_start[p]; r < g->poly_start[p + 1]; r++) {
      OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
      size_t k0 = g->ring_start[r], k1 = g->ring_start[r + 1];
      OGR_G_SetPoints(ring, (int)(k1 - k0), g->xy + 2 * k0, 2 * sizeof(double),
                      g->xy + 2 * k0 + 1, 2 * sizeof(double), NULL, 0);
      OGR_G_AddGeometryDirectly(poly, ring);
    }
    OGR_G_AddGeometryDirectly(mp, poly);
  }
  return mp;
}

enum reach_status reach_writer_add(struct reach_ctx *ctx, struct reach_writer *w,
                                   const struct reach_feature *f,
                                   const struct reach_geom *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  OGR_F_SetFieldString(feat, ix[0], f->site ? f->site : "");
  OGR_F_SetFieldDouble(feat, ix[1], f->site_lat);
  OGR_F_SetFieldDouble(feat, ix[2], f->site_lon);
  OGR_F_SetFieldString(feat, ix[3], f->missile ? f->missile : "");
  OGR_F_SetFieldString(feat, ix[4], f->band ? f->band : "");
  OGR_F_SetFieldDouble(feat, ix[5], f->min_km);
  OGR_F_SetFieldDouble(feat, ix[6], f->range_km);
  if (f->sector) {
    OGR_F_SetFieldDouble(feat, ix[7], f->az_from);
    OGR_F_SetFieldDouble(feat, ix[8], f->az_to);
  } else {
    OGR_F_SetFieldNull(feat, ix[7]);
    OGR_F_SetFieldNull(feat, ix[8]);
  }
  OGR_F_SetFieldDouble(feat, ix[9], f->tol_m);
  OGR_F_SetFieldDouble(feat, ix[10], f->err_m);
  OGR_F_SetFieldDouble(feat, ix[11], f->area_km2);
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat);
}

static enum reach_status verify_written(struct reach_ctx *ctx,
                                        struct reach_writer *w) {
  DIR *d = opendir(w->tmpdir);
  struct dirent *e;
  enum reach_status st = REACH_OK;
  while (d && st == REACH_OK && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char *path = CPLStrdup(CPLFormFilename(w->tmpdir, e->d_name, NULL));
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0)
      st = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", w->dest,
                      strerror(errno));
    if (fd >= 0) close(fd);
    CPLFree(path);
  }
  if (d) closedir(d);
  struct statvfs fs;
  if (st != REACH_OK || statvfs(w->tmpdir, &fs) != 0 ||
      (double)fs.f_bavail * fs.f_frsize >= 1 << 20)
    return st;
  char *path = CPLStrdup(CPLFormFilename(w->tmpdir, CPLGetFilename(w->dest), NULL));
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  GIntBig n = -1;
  if (ds && GDALDatasetGetLayerCount(ds) > 0)
    n = OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE);
  if (ds) GDALClose(ds);
  CPLFree(path);
  if (n != (GIntBig)w->count)
    st = reach_fail(ctx, REACH_ERR_IO,
                    "cannot write %s: the disk is full (%lld of %zu features "
                    "could be read back); nothing was written", w->dest,
                    (long long)(n < 0 ? 0 : n), w->count);
  return st;
}

enum reach_status reach_writer_commit(struct reach_ctx *ctx,
                                      struct reach_writer *w) {
  CPLErrorReset();
  if (w->in_txn && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE) {
    reach_writer_abort(w);
    return reach_fail(ctx, REACH_ERR_IO, "cannot finish writing: %s",
                      CPLGetLastErrorMsg());
  }
  if (OGR_L_SyncToDisk(w->lyr) != OGRERR_NONE) CPLError(CE_Failure, CPLE_FileIO, "sync failed");
  GDALFlushCache(w->ds);
  GDALClose(w->ds);
  w->ds = NULL;
  if (CPLGetLastErrorType() >= CE_Failure) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", CPLGetLastErrorMsg());
    char what[1024];
    snprintf(what, sizeof what, "%s", w->to_stdout ? "standard output" : w->dest);
    reach_writer_abort(w);
    return reach_fail(ctx, REACH_ERR_IO, "cannot finish writing %s: %s", what,
                      msg);
  }
  if (w->to_stdout) {
    writer_free(w);
    return REACH_OK;
  }
  /* Some drivers (GeoJSON) do not report a failed write: flush every file
   * to disk, and when the disk looks full read the result back and count. */
  enum reach_status vst = verify_written(ctx, w);
  if (vst != REACH_OK) {
    reach_writer_abort(w);
    return vst;
  }
  /* Move each file the driver made; the main file last, so that a reader
   * never sees it without its sidecars. */
  DIR *d = opendir(w->tmpdir);
  enum reach_status st = REACH_OK;
  const char *main_name = CPLGetFilename(w->dest);
  for (int pass = 0; d && pass < 2 && st == REACH_OK; pass++) {
    rewinddir(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      int is_main = strcmp(e->d_name, main_name) == 0;
      if (is_main != pass) continue;
      char *from = CPLStrdup(CPLFormFilename(w->tmpdir, e->d_name, NULL));
      char *to = CPLStrdup(CPLFormFilename(w->dir, e->d_name, NULL));
      if (rename(from, to) != 0)
        st = reach_fail(ctx, REACH_ERR_IO, "cannot move %s into place: %s", to,
                        strerror(errno));
      CPLFree(from);
      CPLFree(to);
    }
  }
  if (d) closedir(d);
  remove_tree(w->tmpdir);
  writer_free(w);
  return st;
}

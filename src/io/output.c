/* Writing ring layers through GDAL, atomically.
 *
 * Everything goes to a fresh folder ".georeach-XXXXXX" beside the destination
 * (same file system, so the final rename is atomic per file); on success each
 * file the driver made (a shapefile makes several) is renamed into place, on
 * failure the folder is removed.  An interrupted process leaves at most that
 * hidden folder, never a half-written file under the destination name.
 *
 * A PostgreSQL destination ("PG:...") is written in one transaction instead:
 * the table is created (or, with overwrite, dropped and created) and filled
 * inside it, so an error or an interruption rolls everything back and other
 * sessions never see a half-written table.
 *
 * Styles (style.c): a GeoPackage gets the QGIS style of each layer in its
 * layer_styles table, a shapefile a .qml sidecar, KML a colour per feature;
 * a rings GeoPackage also gets a "sites" point layer. */
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
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
#include <math.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/internal.h"
#include "georeach/ring.h" /* REACH_TOLERANCE_MIN_M */
#include "io/style.h"
#include "io/stage.h"
#include "georeach/io.h"
#include "georeach/line.h"

struct reach_writer {
  GDALDatasetH ds;
  OGRLayerH lyr;
  int to_stdout;
  int pg;       /* a PostgreSQL connection: one transaction, no files */
  char *dest;   /* destination path (for PG: the connection, password hidden) */
  struct reach_stage st;      /* the staging folder (not PG) */
  int staged;                 /* st is open */
  int checked;                /* GDAL writes through /vsigeoreach/ (checked I/O) */
  int overwrite;
  double round_m;             /* coordinate rounding of the format, m (in err_m) */
  const char *const *set;     /* sidecars that make one output with it */
  size_t count;
  int in_txn;
  int ifield[24];
  const char *layer;          /* "rings", "query", ... */
  int gpkg, shp, kml;         /* what styles to write */
  int geojson;                /* GeoJSON: its layers get no SRS (no "crs" member) */
  int kml_name;               /* KML: the field "Name" (the placemark's <name>) */
  int kml_fills;              /* GDAL's KML driver: fills added at commit */
  size_t nfills;              /* its outline colour -> fill colour pairs */
  char fills[64][2][9];
  struct reach_style *style;  /* the layer's QGIS style, or NULL */
  int istyle;                 /* the field it is categorized on, or -1 */
  int itof;                   /* "tof_s" (isochrones), or -1 */
  OGRLayerH sites;            /* GeoPackage: the "sites" point layer */
  /* Outlines (seam-free drawing): every polygon feature also gets its true
   * boundary as lines (reach_true_boundary(): no segment on lon = +/-180 or
   * along a pole line), and the polygons' styles draw fills only.  Where
   * the lines go: */
  int outline;                /* 0: none (points, "-"); 1: layer outl */
  int kml_lines;              /* KML: a line placemark after each polygon's */
  int outl_same_ds;           /* outl is a layer of ds, else of outds */
  int outl_made;              /* outl created (lazily, with the main layer's fields) */
  GDALDatasetH outds;         /* single-layer formats: the sibling NAME_outline.EXT */
  OGRLayerH outl;
  int outl_txn;               /* outds is in a transaction */
  char outl_file[300];        /* the sibling's name in the staging folder */
  char outl_table[300];       /* PG: the outline table */
  char pg_schema[256];
  char sites_table[300];      /* PG: the sites table */
  struct reach_style *outl_style;
  int outl_istyle;
  char setbuf[48][32];        /* the sidecars of this output, built at open */
  const char *setp[49];
  char qml_dir[300];          /* a folder dataset (shapefile folder): sidecars in it */
  const char *drv_name;
  char **lco;                 /* the main layer's creation options, for the outline's */
  char layer_name[300];       /* the main layer's name */
  struct reach_style *sites_style;
  char last_site[REACH_NAME_LEN];
  double last_lat, last_lon;
  int beside;                 /* a layer in another writer's dataset (ds NULL) */
};

/* Where two or more GDAL drivers claim an extension, the one georeach
 * writes it with (GDAL's KML driver for .kml: its output is post-processed
 * for fills, see kml_fills(); LIBKML for .kmz). */
static const struct {
  const char *ext, *driver;
} preferred[] = {{"json", "GeoJSON"}, {"kml", "KML"},       {"kmz", "LIBKML"},
                 {"gdb", "OpenFileGDB"}, {"xml", "GML"},   {"txt", "CSV"}};

/* The vector driver that can create @p path, from GDAL's own driver
 * metadata (GDAL_DMD_EXTENSIONS of every driver with DCAP_VECTOR and
 * DCAP_CREATE; the longest matching extension wins, so ".shp.zip" beats
 * ".zip").  NULL with *why set when none (or, with no preference above,
 * several) can. */
static const char *driver_for(const char *path, char *why, size_t size) {
  const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
  const char *dot = strchr(base, '.');
  *why = 0;
  if (!dot || !dot[1]) {
    snprintf(why, size, "'%s' has no extension", path);
    return NULL;
  }
  const char *best = NULL, *best_ext = NULL;
  size_t best_len = 0;
  int count = 0; /* drivers claiming the longest extension found */
  char names[200] = "";
  for (int pass = 0; pass < 2; pass++) /* 0: the longest extension; 1: who claims it */
    for (int i = 0; i < GDALGetDriverCount(); i++) {
      GDALDriverH d = GDALGetDriver(i);
      if (!GDALGetMetadataItem(d, GDAL_DCAP_VECTOR, NULL) ||
          !GDALGetMetadataItem(d, GDAL_DCAP_CREATE, NULL))
        continue;
      const char *exts = GDALGetMetadataItem(d, GDAL_DMD_EXTENSIONS, NULL);
      char **tok = CSLTokenizeString2(exts ? exts : "", " ", 0);
      size_t len = strlen(base);
      for (char **t = tok; t && *t; t++) {
        size_t n = strlen(*t);
        if (n + 1 > len || base[len - n - 1] != '.' || strcasecmp(base + len - n, *t) != 0)
          continue;
        if (pass == 0) {
          if (n > best_len) best_len = n, best_ext = base + len - n;
          continue;
        }
        if (n != best_len) continue;
        const char *name = GDALGetDriverShortName(d);
        int pref = 0;
        for (size_t k = 0; k < sizeof preferred / sizeof preferred[0]; k++)
          if (!strcasecmp(*t, preferred[k].ext) && !strcmp(name, preferred[k].driver)) pref = 1;
        if (pref) {
          best = name, count = 1;
          snprintf(names, sizeof names, "%s", name);
          pass = 2; /* done */
          break;
        }
        if (count++ == 0) best = name;
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", name);
        break;
      }
      CSLDestroy(tok);
      if (pass == 2) break;
    }
  if (count > 1) {
    snprintf(why, size, "several GDAL drivers write '.%s' (%s): name one with --format",
             best_ext, names);
    return NULL;
  }
  if (!best)
    snprintf(why, size, "no GDAL vector driver here can write '%s' files (GDAL %s)", dot,
             GDALVersionInfo("RELEASE_NAME"));
  return best;
}

/* Why GDAL failed, in one line: the first write error the checking VSI
 * handler saw (its errno: "File too large", "Disk quota exceeded", ...)
 * when there is one, else GDAL's message.  Unchecked writes (SQLite's, a
 * FlatGeobuf's temporary file) say only
 * "disk I/O error" (or fails later, at a table its failed write did not
 * make): the usual causes are then looked for (the file size limit
 * reached, the disk full). */
static void gdal_why(const struct reach_writer *w, char *buf, size_t size) {
  char msg[400];
  reach_one_line(CPLGetLastErrorMsg(), msg, sizeof msg);
  int e = w && w->staged ? reach_stage_io_error(&w->st) : 0;
  if (!e && w && w->staged) {
    struct rlimit rl;
    struct statvfs fs;
    struct stat sb;
    if (fstatvfs(w->st.tmpfd, &fs) == 0 && fs.f_bavail == 0) e = ENOSPC;
    else if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
             fstatat(w->st.tmpfd, reach_stage_main(&w->st), &sb, 0) == 0 &&
             (rlim_t)sb.st_size + (1 << 16) >= rl.rlim_cur)
      e = EFBIG;
  }
  if (e)
    snprintf(buf, size, "%s%s%s%s", strerror(e), *msg ? " (" : "", msg, *msg ? ")" : "");
  else
    snprintf(buf, size, "%s", msg);
}

static void writer_free(struct reach_writer *w) {
  if (!w) return;
  reach_style_free(w->style);
  reach_style_free(w->outl_style);
  CSLDestroy(w->lco);
  reach_style_free(w->sites_style);
  free(w->dest);
  free(w);
}

void reach_writer_abort(struct reach_writer *w) {
  if (!w) return;
  /* PG: nothing was committed; a dropped old table comes back */
  if (w->ds && w->in_txn) GDALDatasetRollbackTransaction(w->ds);
  if (w->outds && w->outl_txn) GDALDatasetRollbackTransaction(w->outds);
  if (w->outds) GDALClose(w->outds);
  if (w->ds) GDALClose(w->ds);
  if (w->staged) reach_stage_abort(&w->st);
  w->staged = 0;
  writer_free(w);
}

size_t reach_writer_count(const struct reach_writer *w) { return w->count; }

enum { F_REAL, F_TEXT, F_INT, F_BOOL /* integer, boolean subtype */ };
struct field {
  const char *name;
  int type, width;
};
static const struct field ring_fields[] = {
    {"site", F_TEXT, 80},    {"site_lat", F_REAL, 0}, {"site_lon", F_REAL, 0},
    {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},     {"min_km", F_REAL, 0},
    {"range_km", F_REAL, 0}, {"az_from", F_REAL, 0},  {"az_to", F_REAL, 0},
    {"tol_m", F_REAL, 0},    {"err_m", F_REAL, 0},    {"area_km2", F_REAL, 0},
    {"kind", F_TEXT, 20},    {"source", F_TEXT, 254}};
static const struct field query_fields[] = {
    {"site", F_TEXT, 80},     {"missile", F_TEXT, 40},  {"target", F_TEXT, 80},
    {"dist_km", F_REAL, 0},   {"az_deg", F_REAL, 0},    {"baz_deg", F_REAL, 0},
    {"range_km", F_REAL, 0},  {"min_km", F_REAL, 0},    {"margin_km", F_REAL, 0},
    {"in_range", F_BOOL, 0},  {"tof_s", F_REAL, 0},   {"target_lat", F_REAL, 0},
    {"target_lon", F_REAL, 0}, {"source", F_TEXT, 254}};
static const struct field coverage_fields[] = {
    {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},   {"min_km", F_REAL, 0},
    {"range_km", F_REAL, 0}, {"az_from", F_REAL, 0}, {"az_to", F_REAL, 0},
    {"sites", F_INT, 0},     {"tol_m", F_REAL, 0},   {"err_m", F_REAL, 0},
    {"area_km2", F_REAL, 0}, {"from_area", F_TEXT, 80}, {"source", F_TEXT, 254}};
static const struct field overlap_fields[] = {
    {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},    {"min_km", F_REAL, 0},
    {"range_km", F_REAL, 0}, {"az_from", F_REAL, 0}, {"az_to", F_REAL, 0},
    {"sites", F_INT, 0},     {"count", F_INT, 0},    {"at_least", F_INT, 0},
    {"tol_m", F_REAL, 0},    {"err_m", F_REAL, 0},   {"area_km2", F_REAL, 0},
    {"source", F_TEXT, 254}};
static const struct field basket_fields[] = {
    {"targets", F_TEXT, 254}, {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},
    {"min_km", F_REAL, 0},    {"range_km", F_REAL, 0}, {"mode", F_TEXT, 3},
    {"within", F_TEXT, 80},   {"tol_m", F_REAL, 0},    {"err_m", F_REAL, 0},
    {"area_km2", F_REAL, 0},  {"source", F_TEXT, 254}};

/* Connect to PostgreSQL for writing: "PG:<libpq connection> [tables=NAME]"
 * writes table NAME ([schema.]table), else a table named after the layer.
 * Starts the transaction everything is written in (the table's creation
 * too), after refusing an existing table unless @p overwrite. */
static enum reach_status pg_open(struct reach_ctx *ctx, struct reach_writer *w,
                                 const char *path, const char *layer, int overwrite,
                                 char table[256], char schema[256]) {
  char shown[1024];
  reach_redact_connection(path, shown, sizeof shown);
  if (!(w->dest = strdup(shown))) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  /* Take "tables=NAME" out: it names the table to write, and GDAL would
   * otherwise read it as the list of tables to show. */
  char *conn = strdup(path);
  if (!conn) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  snprintf(table, 256, "%s", layer);
  for (char *p = conn + 3; (p = strstr(p, "tables=")) != NULL; p++) {
    if (p[-1] != ':' && p[-1] != ' ' && p[-1] != '\t') continue;
    size_t n = strcspn(p + 7, " \t");
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), p + 7);
    memmove(p, p + 7 + n, strlen(p + 7 + n) + 1);
    char *dot = strchr(name, '.');
    if (!*name || n > 255 || strpbrk(name, ",()'\"") || (dot && (dot == name || !dot[1]))) {
      free(conn);
      return reach_fail(ctx, REACH_ERR_ARG,
                        "%s: tables= must name one table to write, as NAME or "
                        "SCHEMA.NAME", shown);
    }
    if (dot) {
      snprintf(schema, 256, "%.*s", (int)(dot - name), name);
      snprintf(table, 256, "%s", dot + 1);
    } else {
      snprintf(table, 256, "%s", name);
    }
    break;
  }
  static const char *const drivers[] = {"PostgreSQL", NULL};
  CPLErrorReset();
  w->ds = GDALOpenEx(conn, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
  free(conn);
  if (!w->ds) {
    char why[512];
    reach_one_line(CPLGetLastErrorMsg(), why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot connect to %s: %s", shown,
                      *why ? why : "PostgreSQL refused the connection");
  }
  char qualified[520];
  snprintf(qualified, sizeof qualified, "%s%s%s", schema, *schema ? "." : "", table);
  if (GDALDatasetGetLayerByName(w->ds, qualified) && !overwrite)
    return reach_fail(ctx, REACH_ERR_IO,
                      "table %s exists in %s; use --overwrite to replace it",
                      qualified, shown);
  CPLErrorReset();
  if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
    char why[512];
    gdal_why(w, why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot start a transaction in %s: %s", shown, why);
  }
  w->in_txn = 1;
  /* the table, for messages */
  size_t len = strlen(shown) + strlen(qualified) + 16;
  char *dest = malloc(len);
  if (!dest) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  snprintf(dest, len, "%s (table %s)", shown, qualified);
  free(w->dest);
  w->dest = dest;
  return REACH_OK;
}

/* The GDAL driver that writes @p path (or @p driver): REACH_ERR_ARG when
 * there is none, or it cannot create vector layers. */
static enum reach_status writer_driver(struct reach_ctx *ctx, const char *path,
                                       const char *driver, const char **name) {
  int to_stdout = strcmp(path, "-") == 0, pg = reach_is_pg(path);
  if (to_stdout && driver && strcasecmp(driver, "GeoJSON") != 0)
    return reach_fail(ctx, REACH_ERR_ARG, "-o - writes GeoJSON only");
  if (pg && driver && strcasecmp(driver, "PostgreSQL") != 0)
    return reach_fail(ctx, REACH_ERR_ARG, "-o PG:... writes to PostgreSQL, not --format %s",
                      driver);
  if (!pg && driver && (!strcasecmp(driver, "PostgreSQL") || !strcasecmp(driver, "PG")))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "write to PostgreSQL with -o 'PG:dbname=... [tables=NAME]', not "
                      "--format %s", driver);
  char why_fmt[400] = "";
  const char *drv_name = to_stdout ? "GeoJSON" : pg ? "PostgreSQL" : driver ? driver
                                     : driver_for(path, why_fmt, sizeof why_fmt);
  if (!drv_name)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "cannot tell the format of '%s' from its extension: %s (use an "
                      "extension of a GDAL vector driver, such as .gpkg, .geojson, .shp, "
                      ".kml, .kmz, .fgb, .gml or .csv, or --format)",
                      path, why_fmt);
  GDALDriverH drv = GDALGetDriverByName(drv_name);
  if (!drv || !GDALGetMetadataItem(drv, GDAL_DCAP_CREATE, NULL) ||
      !GDALGetMetadataItem(drv, GDAL_DCAP_VECTOR, NULL))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "GDAL cannot write vector format '%s'", drv_name);
  /* a database or web service other than PostgreSQL takes a connection,
   * which cannot be staged or written in one transaction here */
  if (!pg && GDALGetMetadataItem(drv, GDAL_DMD_CONNECTION_PREFIX, NULL))
    return reach_fail(ctx, REACH_ERR_ARG,
                      "--format %s writes to a server, which georeach cannot write "
                      "atomically; of the servers only PostgreSQL (-o PG:...) is written",
                      drv_name);
  *name = GDALGetDriverShortName(drv);
  return REACH_OK;
}
enum reach_status reach_writer_check(struct reach_ctx *ctx, const char *path,
                                     const char *driver, int overwrite) {
  reach_gdal_init();
  const char *drv_name = NULL;
  enum reach_status st = writer_driver(ctx, path, driver, &drv_name);
  if (st != REACH_OK || reach_is_pg(path) || !strcmp(path, "-")) return st;
  return reach_stream_check(ctx, path, overwrite);
}

static enum reach_status writer_open(struct reach_ctx *ctx, const char *path,
                                     const char *driver, int overwrite,
                                     const char *layer, OGRwkbGeometryType gtype,
                                     const struct field *fields, int nfields,
                                     struct reach_writer **wp) {
  reach_gdal_init();
  *wp = NULL;
  int to_stdout = strcmp(path, "-") == 0, pg = reach_is_pg(path);
  const char *drv_name = ""; /* set by writer_driver() on success */
  enum reach_status dst = writer_driver(ctx, path, driver, &drv_name);
  if (dst != REACH_OK) return dst;
  struct reach_writer *w = calloc(1, sizeof *w);
  if (!w) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  w->to_stdout = to_stdout;
  w->pg = pg;
  w->layer = layer;
  w->istyle = -1;
  w->itof = -1;
  w->gpkg = !strcmp(drv_name, "GPKG");
  w->shp = !strcmp(drv_name, "ESRI Shapefile");
  w->kml = !strcmp(drv_name, "LIBKML") || !strcmp(drv_name, "KML");
  w->kml_fills = !strcmp(drv_name, "KML");
  w->kml_name = -1;
  w->outl_istyle = -1;
  w->drv_name = drv_name;
  w->outline = gtype == wkbMultiPolygon && !to_stdout;
  w->kml_lines = w->outline && w->kml;
  w->outl_same_ds = w->gpkg || pg || !strcmp(drv_name, "GML") || !strcmp(drv_name, "SQLite") ||
                    !strcmp(drv_name, "OpenFileGDB");
  const char *target;
  char *tmpfile = NULL;
  char table[256] = "", schema[256] = "";
  if (pg) {
    enum reach_status st = pg_open(ctx, w, path, layer, overwrite, table, schema);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
    target = NULL;
    snprintf(w->sites_table, sizeof w->sites_table, "%s_sites", table);
    if (gtype != wkbPoint) {
      char q[600];
      snprintf(q, sizeof q, "%s%s%s", schema, *schema ? "." : "", w->sites_table);
      if (GDALDatasetGetLayerByName(w->ds, q) && !overwrite) {
        reach_writer_abort(w);
        return reach_fail(ctx, REACH_ERR_IO,
                          "table %s (the launch sites) exists; use --overwrite to replace it", q);
      }
    }
    if (w->outline) {
      snprintf(w->outl_table, sizeof w->outl_table, "%s_outline", table);
      snprintf(w->pg_schema, sizeof w->pg_schema, "%s", schema);
      w->outl_same_ds = 1;
      char q[600];
      snprintf(q, sizeof q, "%s%s%s", schema, *schema ? "." : "", w->outl_table);
      if (GDALDatasetGetLayerByName(w->ds, q) && !overwrite) {
        reach_writer_abort(w);
        return reach_fail(ctx, REACH_ERR_IO,
                          "table %s (the outlines) exists; use --overwrite to replace it", q);
      }
    }
  } else {
    /* Everything is staged (stage.c): a hidden folder beside the
     * destination, or in $TMPDIR for "-", a device or a FIFO, which get
     * the finished file copied through at the commit (nothing at all on an
     * error).  A shapefile's or GeoPackage's sidecars are one output with
     * it. */
    static const char *const shp_set[] = {".shp", ".shx", ".dbf", ".prj", ".qml", ".cpg",
                                          ".sbn", ".sbx", ".qix", ".fbn", ".fbx", ".ain",
                                          ".aih", ".atx", ".ixs", ".mxs", ".qpj", ".shp.xml",
                                          "+.aux.xml", NULL};
    static const char *const gpkg_set[] = {"+-wal", "+-shm", "+-journal", NULL};
    static const char *const csv_set[] = {".csvt", ".prj", NULL};
    static const char *const gml_set[] = {".xsd", NULL};
    /* the sidecars: the format's own, a style NAME.qml, and for polygons
     * written to a single-layer format the outline NAME_outline.EXT with
     * its own sidecars and style */
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    /* a zipped shapefile keeps its double extension: NAME_outline.shp.zip */
    size_t blen = strlen(base);
    if (blen > 8 && !strcasecmp(base + blen - 8, ".shp.zip")) dot = base + blen - 8;
    const char *ext = dot && dot != base ? dot : "";
    size_t k = 0;
    const int nset = (int)(sizeof w->setbuf / sizeof w->setbuf[0]);
#define ADD_SET(...) \
  do { if ((int)k < nset) snprintf(w->setbuf[k++], sizeof w->setbuf[0], __VA_ARGS__); } while (0)
    const char *const *own = w->shp ? shp_set : w->gpkg ? gpkg_set
                            : !strcmp(drv_name, "CSV") ? csv_set
                            : !strcmp(drv_name, "GML") ? gml_set : NULL;
    for (const char *const *o = own; o && *o; o++) ADD_SET("%s", *o);
    if (!w->gpkg && !w->kml) ADD_SET(".qml");
    if (w->outline && !w->kml_lines && !w->outl_same_ds && strlen(ext) < 16) {
      ADD_SET("_outline%s", ext);
      ADD_SET("_outline.qml");
      for (const char *const *o = own; o && *o; o++)
        if ((*o)[0] == '.' && strcmp(*o, ".qml") != 0) ADD_SET("_outline%s", *o);
    }
#undef ADD_SET
    for (size_t i = 0; i < k; i++) w->setp[i] = w->setbuf[i];
    w->setp[k] = NULL;
    w->set = k ? w->setp : NULL;
    if (w->outline && !w->kml_lines && !w->outl_same_ds) {
      /* the sibling's name in the staging folder: the destination's stem */
      snprintf(w->outl_file, sizeof w->outl_file, "%.*s_outline%s",
               (int)((dot && dot != base ? dot : base + strlen(base)) - base), base, ext);
      if (strlen(base) > 200) w->outline = 0; /* no room for the suffix: no outline */
    }
    w->overwrite = overwrite;
    enum reach_status st = reach_stage_open(ctx, path, overwrite, w->set, &w->st);
    if (st != REACH_OK) {
      writer_free(w);
      return st;
    }
    w->staged = 1;
    if (w->st.through && w->shp) {
      reach_writer_abort(w);
      return reach_fail(ctx, REACH_ERR_ARG,
                        "%s: a shapefile is several files and cannot go to a device, "
                        "a pipe or standard output", path);
    }
    if (!(w->dest = strdup(to_stdout ? "standard output" : path))) {
      reach_writer_abort(w);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    /* SQLite checks its own writes (and is much faster on a plain path);
     * the other drivers write through the checking VSI handler */
    /* a zipped shapefile (.shz, .shp.zip) is recompressed at the close,
     * which the checking handler cannot serve: a plain path, like SQLite's */
    w->checked = !w->gpkg && !(w->shp && (strlen(ext) >= 4 && (!strcasecmp(ext + strlen(ext) - 4, ".zip") ||
                                                               !strcasecmp(ext, ".shz"))));
    if (w->gpkg) snprintf(w->st.main, sizeof w->st.main, "out.gpkg");
    tmpfile = reach_stage_gdal_path(&w->st, reach_stage_main(&w->st), w->checked);
    target = tmpfile;
  }
  CPLErrorReset();
  /* A staged GeoPackage needs no durable step before the commit, which
   * fsync()s the finished file before it is renamed into place: SQLite's
   * synchronous writes are turned off for this connection (the pragma is
   * read when GDAL opens it). */
  char *old_sync = NULL, *old_pragma = NULL;
  if (w->gpkg && w->staged) {
    const char *o = CPLGetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", NULL);
    old_sync = o ? CPLStrdup(o) : NULL;
    CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
  }
  /* Pages of 32 KiB instead of SQLite's 4 KiB: a ring of 630 vertices is a
   * 10 KB blob, which 4 KiB pages chain over three overflow pages, each a
   * pwrite() (and a pread() when the R-tree is built).  scripts/bench write,
   * 10,000 rings x 630 vertices: system time 0.6 -> 0.2 s, wall 2.1 -> 1.6 s;
   * 64 KiB measured the same and doubles the least file (20 tables, about
   * 1 MB at 32 KiB).  A user's own OGR_SQLITE_PRAGMA is kept, after ours. */
  if (w->gpkg) {
    const char *o = CPLGetConfigOption("OGR_SQLITE_PRAGMA", NULL);
    const char *t = CPLGetThreadLocalConfigOption("OGR_SQLITE_PRAGMA", NULL);
    old_pragma = t ? CPLStrdup(t) : NULL;
    CPLSetThreadLocalConfigOption("OGR_SQLITE_PRAGMA",
                                  o && *o ? CPLSPrintf("page_size=32768,%s", o) : "page_size=32768");
  }
  if (target) w->ds = GDALCreate(GDALGetDriverByName(drv_name), target, 0, 0, 0, GDT_Unknown, NULL);
  if (w->gpkg && w->staged) {
    CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", old_sync);
    CPLFree(old_sync);
  }
  if (w->gpkg) {
    CPLSetThreadLocalConfigOption("OGR_SQLITE_PRAGMA", old_pragma);
    CPLFree(old_pragma);
  }
  CPLFree(tmpfile);
  if (!w->ds) {
    char why[512];
    gdal_why(w, why, sizeof why);
    reach_writer_abort(w);
    return reach_fail(ctx, REACH_ERR_IO, "cannot create %s: %s", path, why);
  }
  OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
  OSRImportFromEPSG(srs, 4326);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  char **lco = NULL;
  if (!strcmp(drv_name, "GeoJSON")) {
    /* Coordinates to the decimals the finest tolerance of the run needs
     * (reach_ctx_set_write_tolerance(); core/internal.h: 7 at 10 m, 9 at
     * 0.1 m), the rounding added to err_m.  Written with GDAL's
     * SIGNIFICANT_FIGURES (decimals + 3: the integer digits of 180), which
     * formats with printf's %.*g: measured with scripts/bench write, 2.2x
     * less time than COORDINATE_PRECISION=9, whose every number goes
     * through a C++ stream in GDAL 3.6, and the fewer digits the faster
     * (S = 10: ~2.4 s, 12: ~3.5 s, 15: ~4.7 s for 1,000 rings of 500
     * vertices with outlines).  The option also sets the attributes'
     * digits: at least 10 (0.1 km2 on a hemisphere's area).  Not GDAL's
     * RFC7946 mode, which ignores SIGNIFICANT_FIGURES for coordinates:
     * what it adds is done already -- rings wound as RFC 7946 says
     * (geom/cut.c), cut at +/-180, no "crs" member (no SRS is given to
     * the layer; readers take GeoJSON as WGS 84 lon/lat). */
    int d = reach_text_decimals(ctx->write_tol_m > 0 ? ctx->write_tol_m
                                                     : REACH_TOLERANCE_MIN_M);
    char sig[16];
    snprintf(sig, sizeof sig, "%d", d + 3);
    lco = CSLSetNameValue(lco, "SIGNIFICANT_FIGURES", sig);
    w->round_m = reach_text_round_m(d);
    w->geojson = 1;
  } else if (w->gpkg) {
    lco = CSLSetNameValue(lco, "SPATIAL_INDEX", "NO"); /* built at the commit: gpkg_index() */
  } else if (!strcmp(drv_name, "CSV")) {
    /* NAME.csvt (the column types) and NAME.prj (the CRS), which GDAL and
     * QGIS read back with the WKT geometry column */
    lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
    if (!(w->staged && w->st.through)) lco = CSLSetNameValue(lco, "CREATE_CSVT", "YES");
  } else if (!strcmp(drv_name, "FlatGeobuf") && w->staged) {
    /* its spatial index is built from a temporary file: in the staging
     * folder (removed with it), by its plain path: GDAL 3.6's plugin
     * handler unlinks with libc's unlink() of the name relative to the
     * current folder, so the driver could not remove it under
     * /vsigeoreach/.  A truncated temporary file shows as "reading temp
     * feature"; gdal_why() then finds the cause. */
    char *tdir = reach_stage_gdal_path(&w->st, "", 0);
    tdir[strlen(tdir) - 1] = 0;
    lco = CSLSetNameValue(lco, "TEMPORARY_DIR", tdir);
    CPLFree(tdir);
  } else if (!strcmp(drv_name, "ESRI Shapefile")) {
    lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
  } else if (pg) {
    /* geometry(MultiPolygon, 4326) "geom" with a GiST index; varchar and
     * float8 columns, so that no name is ever too long for its column */
    lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
    lco = CSLSetNameValue(lco, "SPATIAL_INDEX", "GIST");
    lco = CSLSetNameValue(lco, "PRECISION", "NO");
    if (*schema) lco = CSLSetNameValue(lco, "SCHEMA", schema);
    if (overwrite) lco = CSLSetNameValue(lco, "OVERWRITE", "YES");
  }
  w->lyr = GDALDatasetCreateLayer(w->ds, pg ? table : layer, w->geojson ? NULL : srs, gtype,
                                  lco);
  w->lco = lco;
  snprintf(w->layer_name, sizeof w->layer_name, "%s", pg ? table : layer);
  OSRDestroySpatialReference(srs);
  int ok = w->lyr != NULL;
  for (int i = 0; ok && i < nfields; i++) {
    OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type == F_TEXT ? OFTString
                                                      : fields[i].type == F_REAL ? OFTReal
                                                                                 : OFTInteger);
    if (fields[i].width) OGR_Fld_SetWidth(fd, fields[i].width);
    /* GeoJSON writes true/false, GeoPackage a BOOLEAN, a shapefile 0/1;
     * GDAL's CSV would write "1": text true/false there instead */
    if (fields[i].type == F_BOOL && !strcmp(drv_name, "CSV")) OGR_Fld_SetType(fd, OFTString);
    else if (fields[i].type == F_BOOL) OGR_Fld_SetSubType(fd, OFSTBoolean);
    ok = OGR_L_CreateField(w->lyr, fd, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(fd);
  }
  if (ok && w->kml) {
    /* both KML drivers write a field "Name" as the placemark's <name>: the
     * label Google Earth lists ("Belgorod: KN-23 885 km"); reading a KML
     * back gives a field Name in any case */
    OGRFieldDefnH fd = OGR_Fld_Create("Name", OFTString);
    ok = OGR_L_CreateField(w->lyr, fd, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(fd);
  }
  if (ok) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(w->lyr);
    for (int i = 0; i < nfields; i++) w->ifield[i] = OGR_FD_GetFieldIndex(defn, fields[i].name);
    if (w->kml) w->kml_name = OGR_FD_GetFieldIndex(defn, "Name");
  }
  if (!ok) {
    char msg[512];
    gdal_why(w, msg, sizeof msg);
    reach_fail(ctx, REACH_ERR_IO, "cannot create the layer in %s: %s",
               w->dest ? w->dest : path, msg);
    reach_writer_abort(w);
    return REACH_ERR_IO;
  }
  /* GeoPackage creates a table at its first feature; create it now, so
   * that it comes before "sites" (readers open the first layer). */
  if (w->gpkg) OGR_L_SyncToDisk(w->lyr);
  /* One transaction for the whole layer: GeoPackage writes ~50x faster.
   * (PG's began before the table was created.) */
  if (!pg && GDALDatasetTestCapability(w->ds, ODsCTransactions) &&
      GDALDatasetStartTransaction(w->ds, FALSE) == OGRERR_NONE)
    w->in_txn = 1;
  if (w->staged && w->st.through && !w->kml_lines) w->outline = 0; /* one file only */
  if (w->staged && !w->st.through) {
    /* a driver that made a folder (a shapefile folder, FlatGeobuf without
     * .fgb): its layers, the outline among them, and their styles go in it */
    struct stat sb;
    if (fstatat(w->st.tmpfd, reach_stage_main(&w->st), &sb, 0) == 0 && S_ISDIR(sb.st_mode)) {
      w->outl_same_ds = 1;
      snprintf(w->qml_dir, sizeof w->qml_dir, "%s", reach_stage_main(&w->st));
    }
  }
  if (!to_stdout) {
    char oname[64];
    snprintf(oname, sizeof oname, "%s_outline", layer);
    enum reach_status st = reach_style_load(ctx, layer, &w->style);
    if (st == REACH_OK && (w->gpkg || w->pg))
      st = reach_style_load(ctx, "sites", &w->sites_style);
    if (st == REACH_OK && w->outline) st = reach_style_load(ctx, oname, &w->outl_style);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
    const char *attr = reach_style_attr(w->style);
    if (attr) w->istyle = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(w->lyr), attr);
  }
  *wp = w;
  return REACH_OK;
}

void reach_ctx_set_write_tolerance(struct reach_ctx *ctx, double tol_m) {
  ctx->write_tol_m = tol_m > 0 && tol_m < INFINITY ? tol_m : 0;
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

/* The text of a field, "" when it is null or the layer has no such field. */
static const char *field_text(OGRFeatureH feat, const char *name) {
  int i = OGR_F_GetFieldIndex(feat, name);
  return i >= 0 && OGR_F_IsFieldSetAndNotNull(feat, i) ? OGR_F_GetFieldAsString(feat, i) : "";
}

/* A feature's KML name and look: the label, and the colours of its
 * category as an OGR style string (LIBKML turns BRUSH/PEN/SYMBOL into the
 * placemark's <Style>; GDAL's KML driver keeps the PEN only, for lines and
 * polygons, and the fill is added by kml_fills()). */
static void kml_feature(struct reach_writer *w, OGRFeatureH feat,
                        const struct reach_style_colours *c, int fill_only) {
  /* text fields: OGR returns their stored strings, all valid at once */
  char label[512] = "";
  const char *target = field_text(feat, "target"), *missile = field_text(feat, "missile");
  const char *band = field_text(feat, "band");
  int lh = !strcmp(band, "low") || !strcmp(band, "high");
  if (*target) {
    snprintf(label, sizeof label, "%s", target);
  } else {
    const char *site = !strcmp(w->layer, "rings") ? field_text(feat, "site") : "";
    int i = OGR_F_GetFieldIndex(feat, "range_km");
    snprintf(label, sizeof label, "%s%s%s%s%.0f km%s%s%s", site, *site ? ": " : "", missile,
             *missile ? " " : "", i >= 0 ? OGR_F_GetFieldAsDouble(feat, i) : 0, lh ? " (" : "",
             lh ? band : "", lh ? ")" : "");
  }
  if (w->kml_name >= 0) OGR_F_SetFieldString(feat, w->kml_name, label);
  if (!c) return;
  char style[160];
  const unsigned char *f = c->fill, *l = c->line;
  if (wkbFlatten(OGR_FD_GetGeomType(OGR_L_GetLayerDefn(w->lyr))) == wkbPoint) {
    /* an icon has one colour: a hollow marker's is its outline's; LIBKML
     * reads 2.835 px (1 mm at 72 dpi) as icon scale 1, which is QGIS's
     * 2.6 mm marker */
    const unsigned char *ic = f[3] < 64 ? l : f;
    double scale = c->size_px / (2.6 * 96 / 25.4);
    scale = scale < 0.6 ? 0.6 : scale > 2 ? 2 : scale;
    snprintf(style, sizeof style, "SYMBOL(c:#%02X%02X%02X%02X,s:%.2fpx)", ic[0], ic[1], ic[2],
             255, 2.835 * scale);
  } else {
    /* fill_only: the outline is a line placemark of its own (kml_line()),
     * and the polygon's own edges -- cuts at +/-180 and pole lines among
     * them -- are drawn fully transparent, 0 px wide */
    unsigned char la = fill_only ? 0 : l[3];
    snprintf(style, sizeof style, "BRUSH(fc:#%02X%02X%02X%02X);PEN(c:#%02X%02X%02X%02X,w:%.1fpx)",
             f[0], f[1], f[2], f[3], l[0], l[1], l[2], la, fill_only ? 0.0 : c->width_px);
    /* KML colours are aabbggrr; the KML driver writes the outline's in
     * upper case */
    char line[9], fill[9];
    snprintf(line, sizeof line, "%02X%02X%02X%02X", la, l[2], l[1], l[0]);
    snprintf(fill, sizeof fill, "%02x%02x%02x%02x", f[3], f[2], f[1], f[0]);
    size_t i = 0;
    while (i < w->nfills && strcmp(w->fills[i][0], line) != 0) i++;
    if (i == w->nfills && i < sizeof w->fills / sizeof w->fills[0]) {
      memcpy(w->fills[i][0], line, sizeof line);
      memcpy(w->fills[i][1], fill, sizeof fill);
      w->nfills++;
    }
  }
  OGR_F_SetStyleString(feat, style);
}

/* The outline layer, made at the first feature (so that it has every
 * field of the main layer, tof_s included): a layer "<layer>_outline" of
 * the same dataset (GeoPackage, PostGIS, GML, a shapefile folder) or the
 * sibling file NAME_outline.EXT (formats of one layer a file), in the same
 * staging folder and moved into place with the rest. */
static enum reach_status outline_open(struct reach_ctx *ctx, struct reach_writer *w) {
  if (w->outl_made)
    return w->outl ? REACH_OK : reach_fail(ctx, REACH_ERR_IO, "cannot create the outline "
                                           "layer of %s", w->dest);
  w->outl_made = 1;
  GDALDatasetH ds = w->ds;
  CPLErrorReset();
  if (!w->outl_same_ds) {
    char *path = reach_stage_gdal_path(&w->st, w->outl_file, w->checked);
    /* FlatGeobuf's temporary file needs the plain path (see writer_open) */
    w->outds = GDALCreate(GDALGetDriverByName(w->drv_name), path, 0, 0, 0, GDT_Unknown, NULL);
    CPLFree(path);
    ds = w->outds;
  }
  char name[320];
  snprintf(name, sizeof name, "%s_outline", w->layer_name);
  OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
  OSRImportFromEPSG(srs, 4326);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  w->outl = ds ? GDALDatasetCreateLayer(ds, name, w->geojson ? NULL : srs, wkbMultiLineString,
                                        w->lco)
                : NULL;
  OSRDestroySpatialReference(srs);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(w->lyr);
  for (int i = 0; w->outl && i < OGR_FD_GetFieldCount(defn); i++)
    if (OGR_L_CreateField(w->outl, OGR_FD_GetFieldDefn(defn, i), TRUE) != OGRERR_NONE)
      w->outl = NULL;
  if (!w->outl) {
    char why[512];
    gdal_why(w, why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot create the outline layer of %s: %s",
                      w->dest, why);
  }
  if (w->outds && GDALDatasetTestCapability(w->outds, ODsCTransactions) &&
      GDALDatasetStartTransaction(w->outds, FALSE) == OGRERR_NONE)
    w->outl_txn = 1;
  const char *attr = reach_style_attr(w->outl_style);
  if (attr) w->outl_istyle = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(w->outl), attr);
  return REACH_OK;
}

static OGRGeometryH lines_to_ogr(const struct reach_lines *l) {
  OGRGeometryH ml = OGR_G_CreateGeometry(wkbMultiLineString);
  for (size_t i = 0; i < l->nlines; i++) {
    OGRGeometryH ls = OGR_G_CreateGeometry(wkbLineString);
    size_t k0 = l->line_start[i], k1 = l->line_start[i + 1];
    OGR_G_SetPoints(ls, (int)(k1 - k0), l->xy + 2 * k0, 2 * sizeof(double), l->xy + 2 * k0 + 1,
                    2 * sizeof(double), NULL, 0);
    OGR_G_AddGeometryDirectly(ml, ls);
  }
  return ml;
}

/* The outline feature of a polygon feature: its fields, the true boundary
 * of @p geom; NULL with the context's error set on failure. */
static OGRFeatureH outline_feature(struct reach_ctx *ctx, struct reach_writer *w,
                                   OGRFeatureH feat, const struct reach_geom *geom) {
  struct reach_lines l;
  if (reach_true_boundary(ctx, geom, &l) != REACH_OK) return NULL;
  OGRGeometryH ml = lines_to_ogr(&l);
  reach_lines_clear(&l);
  OGRFeatureH line;
  if (w->kml_lines) {
    line = OGR_F_Clone(feat);
  } else {
    if (outline_open(ctx, w) != REACH_OK) {
      OGR_G_DestroyGeometry(ml);
      return NULL;
    }
    line = OGR_F_Create(OGR_L_GetLayerDefn(w->outl));
    OGR_F_SetFrom(line, feat, TRUE);
  }
  OGR_F_SetGeometryDirectly(line, ml);
  return line;
}

/* A KML outline placemark: the name of its polygon's, the line colour and
 * width of its category. */
static void kml_line(struct reach_writer *w, OGRFeatureH line,
                     const struct reach_style_colours *c) {
  (void)w;
  if (!c) return;
  const unsigned char *l = c->line;
  char style[96];
  snprintf(style, sizeof style, "PEN(c:#%02X%02X%02X%02X,w:%.1fpx)", l[0], l[1], l[2], l[3],
           c->width_px);
  OGR_F_SetStyleString(line, style);
}

/* GeoJSON: a multi-part geometry of one part written as that part (a
 * Polygon, a LineString), as GDAL's RFC 7946 mode wrote it and readers of
 * georeach's GeoJSON (the Python module) see it.  The part is moved out,
 * not copied. */
static void single_part(OGRFeatureH f) {
  OGRGeometryH g = f ? OGR_F_GetGeometryRef(f) : NULL;
  if (!g) return;
  OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  if ((t != wkbMultiPolygon && t != wkbMultiLineString) || OGR_G_GetGeometryCount(g) != 1)
    return;
  OGRGeometryH part = OGR_G_GetGeometryRef(g, 0);
  if (OGR_G_RemoveGeometry(g, 0, FALSE) == OGRERR_NONE) OGR_F_SetGeometryDirectly(f, part);
}

static enum reach_status add_feature(struct reach_ctx *ctx, struct reach_writer *w,
                                     OGRFeatureH feat, const struct reach_geom *geom) {
  const struct reach_style_colours *c = NULL;
  if (w->istyle >= 0) /* note the feature's category (for the QML, KML) */
    c = reach_style_value(w->style, OGR_F_IsFieldSetAndNotNull(feat, w->istyle)
                                        ? OGR_F_GetFieldAsString(feat, w->istyle) : "");
  if (w->kml) kml_feature(w, feat, c, w->kml_lines && geom);
  OGRFeatureH line = NULL; /* after kml_feature: a KML line takes the name */
  if (w->outline && geom) {
    line = outline_feature(ctx, w, feat, geom);
    if (!line) {
      OGR_F_Destroy(feat);
      return ctx->status != REACH_OK ? ctx->status : REACH_ERR_IO;
    }
  }
  if (w->geojson) {
    single_part(feat);
    single_part(line);
  }
  CPLErrorReset();
  OGRErr e = OGR_L_CreateFeature(w->lyr, feat);
  OGR_F_Destroy(feat);
  if (line && e == OGRERR_NONE) {
    /* after its polygon: in KML the line placemark follows the fill's */
    if (w->kml_lines) {
      kml_line(w, line, c);
      OGRGeometryH g = OGR_F_GetGeometryRef(line);
      if (g && !OGR_G_IsEmpty(g)) e = OGR_L_CreateFeature(w->lyr, line);
    } else {
      if (w->outl_istyle >= 0)
        reach_style_value(w->outl_style, OGR_F_IsFieldSetAndNotNull(line, w->outl_istyle)
                                             ? OGR_F_GetFieldAsString(line, w->outl_istyle)
                                             : "");
      e = OGR_L_CreateFeature(w->outl, line);
    }
  }
  if (line) OGR_F_Destroy(line);
  if (e != OGRERR_NONE) {
    char why[512];
    gdal_why(w, why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot write feature %zu to %s: %s",
                      w->count + 1, w->dest ? w->dest : "standard output",
                      *why ? why : "write failed (is the disk full?)");
  }
  w->count++;
  /* the disk writes as we go, not all at the commit's fsync (10,000 rings
   * at 885 km are 118 MB) */
  if (w->staged && w->count % 1024 == 0) reach_stage_writeback(&w->st);
  return REACH_OK;
}

/* A boolean field: an integer 0/1 (boolean subtype), or text true/false
 * where the format's field is text (CSV). */
static void set_bool(OGRFeatureH feat, int i, int v) {
  if (OGR_Fld_GetType(OGR_F_GetFieldDefnRef(feat, i)) == OFTString)
    OGR_F_SetFieldString(feat, i, v ? "true" : "false");
  else
    OGR_F_SetFieldInteger(feat, i, v != 0);
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
  set_bool(feat, ix[9], q->in_range);
  if (isnan(q->tof_s))
    OGR_F_SetFieldNull(feat, ix[10]);
  else
    OGR_F_SetFieldDouble(feat, ix[10], q->tof_s);
  OGR_F_SetFieldDouble(feat, ix[11], q->target_lat);
  OGR_F_SetFieldDouble(feat, ix[12], q->target_lon);
  OGR_F_SetFieldString(feat, ix[13], q->source ? q->source : "");
  OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
  OGR_G_SetPoint_2D(pt, 0, q->target_lon, q->target_lat);
  OGR_F_SetGeometryDirectly(feat, pt);
  return add_feature(ctx, w, feat, NULL);
}

enum reach_status reach_writer_open_overlap(struct reach_ctx *ctx, const char *path,
                                            const char *driver, int overwrite,
                                            struct reach_writer **wp) {
  return writer_open(ctx, path, driver, overwrite, "overlap", wkbMultiPolygon,
                     overlap_fields, sizeof overlap_fields / sizeof overlap_fields[0],
                     wp);
}

/* The fields coverage and overlap share: missile ... az_to. */
static void set_common(OGRFeatureH feat, const int *ix, const struct reach_feature *f) {
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
}

enum reach_status reach_writer_add_tof_field(struct reach_ctx *ctx,
                                             struct reach_writer *w) {
  OGRFieldDefnH fd = OGR_Fld_Create("tof_s", OFTReal);
  CPLErrorReset();
  int ok = OGR_L_CreateField(w->lyr, fd, TRUE) == OGRERR_NONE;
  OGR_Fld_Destroy(fd);
  if (!ok) {
    char msg[512];
    reach_one_line(CPLGetLastErrorMsg(), msg, sizeof msg);
    return reach_fail(ctx, REACH_ERR_IO, "cannot add the field tof_s: %s", msg);
  }
  w->itof = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(w->lyr), "tof_s");
  return REACH_OK;
}

/* tof_s, when the writer has the field */
static void set_tof(const struct reach_writer *w, OGRFeatureH feat, double tof_s) {
  if (w->itof < 0) return;
  if (tof_s > 0) OGR_F_SetFieldDouble(feat, w->itof, tof_s);
  else OGR_F_SetFieldNull(feat, w->itof);
}

static enum reach_status add_coverage(struct reach_ctx *ctx, struct reach_writer *w,
                                      const struct reach_feature *f, long sites,
                                      const char *from_area,
                                      const struct reach_geom *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  set_common(feat, ix, f);
  OGR_F_SetFieldInteger64(feat, ix[6], sites);
  OGR_F_SetFieldDouble(feat, ix[7], f->tol_m);
  OGR_F_SetFieldDouble(feat, ix[8], f->err_m + w->round_m);
  OGR_F_SetFieldDouble(feat, ix[9], f->area_km2);
  OGR_F_SetFieldString(feat, ix[10], from_area);
  OGR_F_SetFieldString(feat, ix[11], f->source ? f->source : "");
  set_tof(w, feat, f->tof_s);
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat, geom);
}

enum reach_status reach_writer_add_coverage(struct reach_ctx *ctx,
                                            struct reach_writer *w,
                                            const struct reach_feature *f, long sites,
                                            const struct reach_geom *geom) {
  return add_coverage(ctx, w, f, sites, "", geom);
}

enum reach_status reach_writer_add_area(struct reach_ctx *ctx,
                                        struct reach_writer *w,
                                        const struct reach_feature *f, long samples,
                                        const struct reach_geom *geom) {
  return add_coverage(ctx, w, f, samples, f->site ? f->site : "", geom);
}

enum reach_status reach_writer_add_overlap(struct reach_ctx *ctx,
                                           struct reach_writer *w,
                                           const struct reach_feature *f, long sites,
                                           long count, int at_least,
                                           const struct reach_geom *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  set_common(feat, ix, f);
  OGR_F_SetFieldInteger64(feat, ix[6], sites);
  OGR_F_SetFieldInteger64(feat, ix[7], count);
  OGR_F_SetFieldInteger(feat, ix[8], at_least);
  OGR_F_SetFieldDouble(feat, ix[9], f->tol_m);
  OGR_F_SetFieldDouble(feat, ix[10], f->err_m + w->round_m);
  OGR_F_SetFieldDouble(feat, ix[11], f->area_km2);
  OGR_F_SetFieldString(feat, ix[12], f->source ? f->source : "");
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat, geom);
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
  OGR_F_SetFieldDouble(feat, ix[8], b->err_m + w->round_m);
  OGR_F_SetFieldDouble(feat, ix[9], b->area_km2);
  OGR_F_SetFieldString(feat, ix[10], b->source ? b->source : "");
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat, geom);
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

enum reach_status reach_writer_add_site(struct reach_ctx *ctx, struct reach_writer *w,
                                        const struct reach_site *site) {
  if (!(w->gpkg || w->pg) || !w->lyr ||
      wkbFlatten(OGR_FD_GetGeomType(OGR_L_GetLayerDefn(w->lyr))) == wkbPoint)
    return REACH_OK;
  /* rings come site by site: one point per run of rings of one site */
  if (w->sites && !strcmp(site->name, w->last_site) && site->lat_deg == w->last_lat &&
      site->lon_deg == w->last_lon)
    return REACH_OK;
  snprintf(w->last_site, sizeof w->last_site, "%s", site->name);
  w->last_lat = site->lat_deg;
  w->last_lon = site->lon_deg;
  CPLErrorReset();
  if (!w->sites) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    /* its R-tree is built at the commit, as the main layer's (gpkg_index) */
    char *slco[] = {(char *)"SPATIAL_INDEX=NO", NULL};
    /* PostGIS: a table TABLE_sites beside the rings table, with its options
     * (schema, geometry column "geom", GiST index, --overwrite) */
    w->sites = GDALDatasetCreateLayer(w->ds, w->pg ? w->sites_table : "sites", srs, wkbPoint,
                                      w->pg ? w->lco : slco);
    OSRDestroySpatialReference(srs);
    static const struct field site_fields[] = {
        {"name", F_TEXT, REACH_NAME_LEN}, {"lat", F_REAL, 0}, {"lon", F_REAL, 0}};
    for (size_t i = 0; w->sites && i < sizeof site_fields / sizeof site_fields[0]; i++) {
      OGRFieldDefnH fd = OGR_Fld_Create(site_fields[i].name,
                                        site_fields[i].type == F_TEXT ? OFTString : OFTReal);
      if (site_fields[i].width) OGR_Fld_SetWidth(fd, site_fields[i].width);
      if (OGR_L_CreateField(w->sites, fd, TRUE) != OGRERR_NONE) w->sites = NULL;
      OGR_Fld_Destroy(fd);
    }
    if (!w->sites) {
      char why[512];
      gdal_why(w, why, sizeof why);
      return reach_fail(ctx, REACH_ERR_IO, "cannot create the sites layer in %s: %s",
                        w->dest, why);
    }
  }
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->sites));
  OGR_F_SetFieldString(feat, 0, site->name);
  OGR_F_SetFieldDouble(feat, 1, site->lat_deg);
  OGR_F_SetFieldDouble(feat, 2, site->lon_deg);
  OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
  OGR_G_SetPoint_2D(pt, 0, site->lon_deg, site->lat_deg);
  OGR_F_SetGeometryDirectly(feat, pt);
  OGRErr e = OGR_L_CreateFeature(w->sites, feat);
  OGR_F_Destroy(feat);
  if (e != OGRERR_NONE) {
    char why[512];
    gdal_why(w, why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot write site %s to %s: %s", site->name,
                      w->dest, why);
  }
  if (w->sites_style) reach_style_value(w->sites_style, site->name);
  return REACH_OK;
}

enum reach_status reach_writer_add(struct reach_ctx *ctx, struct reach_writer *w,
                                   const struct reach_feature *f,
                                   const struct reach_geom *geom) {
  if (w->gpkg || w->pg) {
    struct reach_site s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", f->site ? f->site : "");
    s.lat_deg = f->site_lat;
    s.lon_deg = f->site_lon;
    enum reach_status st = reach_writer_add_site(ctx, w, &s);
    if (st != REACH_OK) return st;
  }
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
  OGR_F_SetFieldDouble(feat, ix[10], f->err_m + w->round_m);
  OGR_F_SetFieldDouble(feat, ix[11], f->area_km2);
  OGR_F_SetFieldString(feat, ix[12], f->kind ? f->kind : "");
  OGR_F_SetFieldString(feat, ix[13], f->source ? f->source : "");
  set_tof(w, feat, f->tof_s);
  OGR_F_SetGeometryDirectly(feat, to_ogr(geom));
  return add_feature(ctx, w, feat, geom);
}

/* Some drivers (GeoJSON, KML) do not report a failed write: a checked
 * writer has had every write, flush and close looked at by the VSI handler
 * (stage.c); an unchecked one (GeoPackage: SQLite checks its own writes; a
 * driver given with --format) is read back and counted when the disk looks
 * full.  Every file is fsync()ed either way. */
static enum reach_status verify_written(struct reach_ctx *ctx,
                                        struct reach_writer *w) {
  int e = reach_stage_io_error(&w->st);
  if (!e) e = reach_stage_sync(&w->st);
  if (e) return reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", w->dest, strerror(e));
  struct statvfs fs;
  if (w->checked || fstatvfs(w->st.tmpfd, &fs) != 0 ||
      (double)fs.f_bavail * fs.f_frsize >= 1 << 20)
    return REACH_OK;
  char *path = reach_stage_gdal_path(&w->st, reach_stage_main(&w->st), 0);
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
  GIntBig n = -1;
  if (ds && GDALDatasetGetLayerCount(ds) > 0)
    n = OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE);
  if (ds) GDALClose(ds);
  CPLFree(path);
  if (n != (GIntBig)w->count)
    return reach_fail(ctx, REACH_ERR_IO,
                      "cannot write %s: the disk is full (%lld of %zu features "
                      "could be read back); nothing was written", w->dest,
                      (long long)(n < 0 ? 0 : n), w->count);
  return REACH_OK;
}

/* The QGIS styles of a GeoPackage's layers, as QGIS itself stores them: a
 * table layer_styles (an attributes table of the GeoPackage) with one row
 * per layer, useAsDefault 1.  QGIS applies a row when f_table_schema is ''
 * (not NULL) and the table and geometry column names match the layer's. */
static enum reach_status gpkg_styles(struct reach_ctx *ctx, struct reach_writer *w) {
  struct { OGRLayerH lyr; struct reach_style *style; } layers[] = {
      {w->lyr, w->style}, {w->sites, w->sites_style}, {w->outl, w->outl_style}};
  if (!w->style && !(w->sites && w->sites_style) && !(w->outl && w->outl_style))
    return REACH_OK;
  static const struct { const char *name; OGRFieldType type; int width; } cols[] = {
      {"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
      {"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
      {"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
      {"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0},
      {"description", OFTString, 0},       {"owner", OFTString, 30},
      {"ui", OFTString, 30},               {"update_time", OFTDateTime, 0}};
  char *opts[] = {(char *)"FID=id", NULL};
  CPLErrorReset();
  OGRLayerH ls = GDALDatasetCreateLayer(w->ds, "layer_styles", NULL, wkbNone, opts);
  for (size_t i = 0; ls && i < sizeof cols / sizeof cols[0]; i++) {
    OGRFieldDefnH fd = OGR_Fld_Create(cols[i].name, cols[i].type);
    if (cols[i].width) OGR_Fld_SetWidth(fd, cols[i].width);
    if (cols[i].type == OFTInteger) OGR_Fld_SetSubType(fd, OFSTBoolean);
    if (cols[i].type == OFTDateTime) OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
    if (OGR_L_CreateField(ls, fd, TRUE) != OGRERR_NONE) ls = NULL;
    OGR_Fld_Destroy(fd);
  }
  for (size_t i = 0; ls && i < sizeof layers / sizeof layers[0]; i++) {
    if (!layers[i].lyr || !layers[i].style) continue;
    char *qml = reach_style_qml(layers[i].style);
    const char *name = OGR_L_GetName(layers[i].lyr);
    char desc[512];
    snprintf(desc, sizeof desc, "georeach %s: default style of %s, from %s", reach_version(),
             name, reach_style_path(layers[i].style));
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(ls));
    const char *values[] = {"", "", name, OGR_L_GetGeometryColumn(layers[i].lyr), name, qml};
    for (int k = 0; k < 6; k++) OGR_F_SetFieldString(f, k, values[k] ? values[k] : "");
    OGR_F_SetFieldInteger(f, 7, 1);
    OGR_F_SetFieldString(f, 8, desc);
    OGR_F_SetFieldString(f, 9, "");
    if (OGR_L_CreateFeature(ls, f) != OGRERR_NONE) ls = NULL;
    OGR_F_Destroy(f);
    CPLFree(qml);
  }
  if (!ls) {
    char why[512];
    gdal_why(w, why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot write the layer styles to %s: %s", w->dest,
                      why);
  }
  return REACH_OK;
}

/* PostGIS: the QGIS styles of the tables written (the polygons, their
 * outlines, the sites) as rows of public.layer_styles, the table QGIS
 * itself keeps styles in (created, with QGIS's columns, when missing),
 * useAsDefault true: QGIS applies them when a table is opened.  In the
 * write's transaction: rolled back with it.  Rows georeach wrote before for
 * the same tables are replaced. */
static enum reach_status pg_styles(struct reach_ctx *ctx, struct reach_writer *w) {
  struct { OGRLayerH lyr; struct reach_style *style; const char *table; } layers[] = {
      {w->lyr, w->style, w->layer_name}, {w->outl, w->outl_style, w->outl_table},
      {w->sites, w->sites_style, w->sites_table}};
  static const char create[] =
      "CREATE TABLE IF NOT EXISTS public.layer_styles (id serial PRIMARY KEY, "
      "f_table_catalog varchar, f_table_schema varchar, f_table_name varchar, "
      "f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, "
      "useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, "
      "ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)";
  CPLErrorReset();
  OGRLayerH r = GDALDatasetExecuteSQL(w->ds, create, NULL, NULL);
  if (r) GDALDatasetReleaseResultSet(w->ds, r);
  int ok = CPLGetLastErrorType() < CE_Failure;
  const char *schema = *w->pg_schema ? w->pg_schema : NULL;
  for (size_t i = 0; ok && i < sizeof layers / sizeof layers[0]; i++) {
    if (!layers[i].lyr || !layers[i].style || !*layers[i].table) continue;
    char *qml = reach_style_qml(layers[i].style);
    /* dollar quoting: a style holds quotes of every kind, never this tag */
    if (!qml || strstr(qml, "$georeach_qml$")) {
      CPLFree(qml);
      continue;
    }
    const char *geom = OGR_L_GetGeometryColumn(layers[i].lyr);
    char *sql = CPLStrdup(CPLSPrintf(
        "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() AND "
        "f_table_schema = %s AND f_table_name = '%s' AND description LIKE 'georeach %%'; "
        "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
        "f_geometry_column, stylename, styleqml, useasdefault, description) VALUES "
        "(current_database(), %s%s%s, '%s', '%s', '%s', $georeach_qml$%s$georeach_qml$, true, "
        "'georeach %s: default style of %s, from %s')",
        schema ? CPLSPrintf("'%s'", schema) : "current_schema()", layers[i].table,
        schema ? "'" : "", schema ? schema : "current_schema()", schema ? "'" : "",
        layers[i].table, geom && *geom ? geom : "geom", layers[i].table, qml, reach_version(),
        layers[i].table, "data/styles"));
    CPLFree(qml);
    r = GDALDatasetExecuteSQL(w->ds, sql, NULL, NULL);
    if (r) GDALDatasetReleaseResultSet(w->ds, r);
    CPLFree(sql);
    ok = CPLGetLastErrorType() < CE_Failure;
  }
  if (!ok) {
    char why[512];
    gdal_why(w, why, sizeof why);
    return reach_fail(ctx, REACH_ERR_IO, "cannot write the layer styles to %s: %s", w->dest,
                      why);
  }
  return REACH_OK;
}

/* A QGIS style file in the staging folder: @p name ("NAME.qml" beside
 * NAME.EXT, which QGIS loads as the default style of a file layer, or
 * "FOLDER/LAYER.qml" inside a folder dataset), moved into place with the
 * rest. */
static enum reach_status write_qml(struct reach_ctx *ctx, struct reach_writer *w,
                                   struct reach_style *style, const char *name) {
  if (!style) return REACH_OK;
  char *qml = reach_style_qml(style);
  char *path = reach_stage_gdal_path(&w->st, name, 1);
  VSILFILE *fp = VSIFOpenL(path, "wb");
  size_t len = qml ? strlen(qml) : 0;
  int ok = fp && qml && VSIFWriteL(qml, 1, len, fp) == len;
  if (fp && VSIFCloseL(fp) != 0) ok = 0;
  CPLFree(path);
  CPLFree(qml);
  if (!ok)
    return reach_fail(ctx, REACH_ERR_IO, "cannot write the style beside %s: %s", w->dest,
                      strerror(errno));
  return REACH_OK;
}

/* The stem of a file name (up to its last dot) with @p suffix; CPLFree(). */
static char *stem_with(const char *file, const char *suffix) {
  const char *dot = strrchr(file, '.');
  return CPLStrdup(CPLSPrintf("%.*s%s", (int)(dot && dot != file ? dot - file : (long)strlen(file)),
                              file, suffix));
}

/* The .qml sidecars of file formats without a style table (all but
 * GeoPackage, KML and PostGIS): NAME.qml and NAME_outline.qml, or inside a
 * folder dataset LAYER.qml and LAYER_outline.qml.  A GML (several layers in
 * one file, one NAME.qml for all) gets the polygons' style only. */
static enum reach_status qml_sidecars(struct reach_ctx *ctx, struct reach_writer *w) {
  char *main, *outl = NULL;
  if (*w->qml_dir) {
    main = CPLStrdup(CPLSPrintf("%s/%s.qml", w->qml_dir, w->layer_name));
    if (w->outl) outl = CPLStrdup(CPLSPrintf("%s/%s_outline.qml", w->qml_dir, w->layer_name));
  } else {
    main = stem_with(w->st.name, ".qml");
    if (w->outl && *w->outl_file) outl = stem_with(w->outl_file, ".qml");
  }
  enum reach_status st = write_qml(ctx, w, w->style, main);
  if (st == REACH_OK && outl) st = write_qml(ctx, w, w->outl_style, outl);
  CPLFree(main);
  CPLFree(outl);
  return st;
}

/* GDAL's KML driver leaves polygons unfilled (<PolyStyle><fill>0</fill>
 * </PolyStyle>, written on the line of the placemark's <Style>): give each
 * the fill of its category, found by the outline colour on that line.  One
 * pass over the finished file, in the temporary folder. */
static enum reach_status kml_fills(struct reach_ctx *ctx, struct reach_writer *w) {
  static const char nofill[] = "<PolyStyle><fill>0</fill></PolyStyle>";
  static const char pen[] = "<LineStyle><color>";
  if (!w->nfills) return REACH_OK;
  char *path = reach_stage_gdal_path(&w->st, w->st.name, 0);
  /* a short fixed name: NAME.fill could pass the 255-byte limit */
  char *tmp = reach_stage_gdal_path(&w->st, "kml.fill", 0);
  FILE *in = fopen(path, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int ok = in && out;
  while (ok && (len = getline(&line, &cap, in)) > 0) {
    char *p = strstr(line, nofill), *c = strstr(line, pen);
    size_t i = w->nfills;
    if (p && c && strlen(c) >= sizeof pen - 1 + 8)
      for (i = 0; i < w->nfills && strncmp(c + sizeof pen - 1, w->fills[i][0], 8) != 0; i++) {
      }
    if (i < w->nfills) {
      const char *rest = p + sizeof nofill - 1;
      size_t nrest = (size_t)len - (size_t)(rest - line);
      ok = fwrite(line, 1, (size_t)(p - line), out) == (size_t)(p - line) &&
           fprintf(out, "<PolyStyle><color>%s</color></PolyStyle>", w->fills[i][1]) > 0 &&
           fwrite(rest, 1, nrest, out) == nrest;
    } else {
      ok = fwrite(line, 1, (size_t)len, out) == (size_t)len;
    }
  }
  int e = errno;
  free(line);
  if (in && ferror(in)) ok = 0;
  if (in) fclose(in);
  if (out && fclose(out) != 0) ok = 0, e = errno;
  if (ok && rename(tmp, path) != 0) ok = 0, e = errno;
  if (!ok) unlink(tmp);
  CPLFree(path);
  CPLFree(tmp);
  if (!ok)
    return reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", w->dest, strerror(e));
  return REACH_OK;
}

/* The GeoPackage's R-trees, built once from the finished tables: layers
 * are created with SPATIAL_INDEX=NO, because the index GDAL would otherwise
 * create (at the SyncToDisk that puts "rings" first) is kept up to date by
 * triggers, one R-tree insertion per feature inside the big transaction.
 * Measured with scripts/bench write (100,000 features): the commit took
 * ~20-30% less this way.  Same tables, triggers and gpkg_extensions rows
 * as GDAL's own (it is GDAL's CreateSpatialIndex()). */
static enum reach_status gpkg_index(struct reach_ctx *ctx, struct reach_writer *w) {
  OGRLayerH layers[3] = {w->lyr, w->sites, w->outl};
  for (int i = 0; i < 3; i++) {
    if (!layers[i]) continue;
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT CreateSpatialIndex('%s', '%s')", OGR_L_GetName(layers[i]),
             OGR_L_GetGeometryColumn(layers[i]));
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(w->ds, sql, NULL, NULL);
    int ok = 0;
    if (r) {
      OGRFeatureH f = OGR_L_GetNextFeature(r);
      ok = f && OGR_F_GetFieldAsInteger(f, 0) == 1;
      if (f) OGR_F_Destroy(f);
      GDALDatasetReleaseResultSet(w->ds, r);
    }
    if (!ok) {
      char why[512];
      gdal_why(w, why, sizeof why);
      return reach_fail(ctx, REACH_ERR_IO, "cannot index %s: %s", w->dest,
                        *why ? why : "CreateSpatialIndex failed");
    }
  }
  return REACH_OK;
}

enum reach_status reach_writer_commit(struct reach_ctx *ctx,
                                      struct reach_writer *w) {
  /* no feature: the outline layer still exists, empty, as the main one */
  if (w->outline && !w->kml_lines) {
    enum reach_status st = outline_open(ctx, w);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
  }
  CPLErrorReset();
  if (w->beside) { /* the main writer's commit finishes it */
    enum reach_status st = REACH_OK;
    if (OGR_L_SyncToDisk(w->lyr) != OGRERR_NONE) {
      char msg[512];
      gdal_why(w, msg, sizeof msg);
      st = reach_fail(ctx, REACH_ERR_IO, "cannot finish the layer %s of %s: %s", w->layer,
                      w->dest, msg);
    }
    writer_free(w);
    return st;
  }
  /* PG: the table's deferred creation and the end of its COPY belong in the
   * transaction too */
  if (w->pg) {
    enum reach_status st = pg_styles(ctx, w);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
  }
  if (w->pg && (OGR_L_SyncToDisk(w->lyr) != OGRERR_NONE ||
                (w->outl && OGR_L_SyncToDisk(w->outl) != OGRERR_NONE) ||
                (w->sites && OGR_L_SyncToDisk(w->sites) != OGRERR_NONE))) {
    char msg[512];
    gdal_why(w, msg, sizeof msg);
    reach_fail(ctx, REACH_ERR_IO, "cannot finish writing %s: %s", w->dest, msg);
    reach_writer_abort(w);
    return REACH_ERR_IO;
  }
  if (w->in_txn && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE) {
    char msg[512];
    gdal_why(w, msg, sizeof msg);
    reach_fail(ctx, REACH_ERR_IO, "cannot finish writing%s%s: %s", w->dest ? " " : "",
               w->dest ? w->dest : "", msg);
    reach_writer_abort(w);
    return REACH_ERR_IO;
  }
  w->in_txn = 0;
  if (w->gpkg) {
    enum reach_status st = gpkg_index(ctx, w);
    if (st == REACH_OK) st = gpkg_styles(ctx, w);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
  }
  if (OGR_L_SyncToDisk(w->lyr) != OGRERR_NONE) CPLError(CE_Failure, CPLE_FileIO, "sync failed");
  GDALFlushCache(w->ds);
  GDALClose(w->ds);
  w->ds = NULL;
  if (CPLGetLastErrorType() >= CE_Failure) {
    char msg[512];
    gdal_why(w, msg, sizeof msg);
    char what[1024];
    snprintf(what, sizeof what, "%s", w->to_stdout ? "standard output" : w->dest);
    reach_writer_abort(w);
    return reach_fail(ctx, REACH_ERR_IO, "cannot finish writing %s: %s", what,
                      msg);
  }
  if (w->pg) {
    writer_free(w);
    return REACH_OK;
  }
  if (w->outds) {
    CPLErrorReset();
    if (w->outl_txn && GDALDatasetCommitTransaction(w->outds) != OGRERR_NONE)
      CPLError(CE_Failure, CPLE_FileIO, "commit failed");
    w->outl_txn = 0;
    GDALClose(w->outds);
    w->outds = NULL;
    if (CPLGetLastErrorType() >= CE_Failure) {
      char msg[512];
      gdal_why(w, msg, sizeof msg);
      reach_fail(ctx, REACH_ERR_IO, "cannot finish writing the outlines of %s: %s", w->dest,
                 msg);
      reach_writer_abort(w);
      return REACH_ERR_IO;
    }
  }
  if (!w->gpkg && !w->kml && !w->st.through) { /* a device or pipe takes one file */
    enum reach_status st = qml_sidecars(ctx, w);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
  }
  if (w->kml_fills) {
    enum reach_status st = kml_fills(ctx, w);
    if (st != REACH_OK) {
      reach_writer_abort(w);
      return st;
    }
  }
  enum reach_status vst = verify_written(ctx, w);
  if (vst != REACH_OK) {
    reach_writer_abort(w);
    return vst;
  }
  /* Into place: each file with no-replace unless overwrite, sidecars first
   * and the main file last (a reader never sees it without them); to a
   * device, FIFO or standard output copied through (stage.c). */
  w->staged = 0;
  enum reach_status st = reach_stage_commit(ctx, &w->st, w->overwrite, w->set);
  int e = errno;
  writer_free(w);
  errno = e; /* EPIPE: standard output's reader has gone (see io.h) */
  return st;
}

/* Layers beside the main one (io.h: reach_writer_open_beside()). */
static const struct field radial_fields[] = {
    {"site", F_TEXT, 80},    {"site_lat", F_REAL, 0}, {"site_lon", F_REAL, 0},
    {"missile", F_TEXT, 40}, {"band", F_TEXT, 8},     {"min_km", F_REAL, 0},
    {"range_km", F_REAL, 0}, {"az_deg", F_REAL, 0},   {"tol_m", F_REAL, 0},
    {"err_m", F_REAL, 0},    {"source", F_TEXT, 254}};
static const struct field query_line_fields[] = {
    {"site", F_TEXT, 80},       {"missile", F_TEXT, 40},    {"target", F_TEXT, 80},
    {"dist_km", F_REAL, 0},     {"az_deg", F_REAL, 0},      {"baz_deg", F_REAL, 0},
    {"range_km", F_REAL, 0},    {"min_km", F_REAL, 0},      {"margin_km", F_REAL, 0},
    {"in_range", F_BOOL, 0},    {"tof_s", F_REAL, 0},       {"target_lat", F_REAL, 0},
    {"target_lon", F_REAL, 0},  {"site_lat", F_REAL, 0},    {"site_lon", F_REAL, 0},
    {"tol_m", F_REAL, 0},       {"err_m", F_REAL, 0},       {"source", F_TEXT, 254}};
static const struct field point_fields[] = {
    {"name", F_TEXT, REACH_NAME_LEN}, {"lat", F_REAL, 0}, {"lon", F_REAL, 0}};

/* STEM_LAYER.EXT beside PATH (STEM.EXT, or PATH_LAYER when it has no
 * extension); caller frees. */
static char *beside_path(const char *path, const char *layer) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash) || dot == path || dot[-1] == '/') dot = path + strlen(path);
  size_t len = strlen(path) + strlen(layer) + 2;
  char *s = malloc(len);
  if (s) snprintf(s, len, "%.*s_%s%s", (int)(dot - path), path, layer, dot);
  return s;
}

/* Whether a layer beside goes into the main writer's dataset. */
static int beside_shared(const struct reach_writer *main) {
  const char *drv = GDALGetDriverShortName(GDALGetDatasetDriver(main->ds));
  return main->pg || !strcmp(drv, "GPKG") || !strcmp(drv, "LIBKML") || !strcmp(drv, "SQLite");
}

int reach_writer_can_add_beside(const struct reach_writer *w) {
  return !w->to_stdout && (beside_shared(w) || !(w->staged && w->st.through));
}

enum reach_status reach_writer_open_beside(struct reach_ctx *ctx, struct reach_writer *main,
                                           const char *layer, struct reach_writer **out) {
  *out = NULL;
  const struct field *fields;
  int nfields;
  OGRwkbGeometryType gtype = wkbMultiLineString;
  if (!strcmp(layer, "radials")) {
    fields = radial_fields;
    nfields = (int)(sizeof radial_fields / sizeof radial_fields[0]);
  } else if (!strcmp(layer, "query_lines")) {
    fields = query_line_fields;
    nfields = (int)(sizeof query_line_fields / sizeof query_line_fields[0]);
  } else if (!strcmp(layer, "targets")) {
    fields = point_fields;
    nfields = (int)(sizeof point_fields / sizeof point_fields[0]);
    gtype = wkbPoint;
  } else {
    return reach_fail(ctx, REACH_ERR_ARG, "no layer '%s' goes beside another", layer);
  }
  if (main->to_stdout)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "standard output holds one layer: write to a file (-o FILE) to get "
                      "the layer '%s' too", layer);
  const char *drv = GDALGetDriverShortName(GDALGetDatasetDriver(main->ds));
  int shared = beside_shared(main);
  if (!shared && main->staged && main->st.through)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "%s is a device or a pipe: it holds one layer, not the layer '%s' too",
                      main->dest, layer);
  if (!shared) {
    /* a file of its own: GeoJSON and FlatGeobuf hold one layer, a .shp or
     * .csv names one, and GDAL's KML driver writes its layers' folders in
     * turn (a feature added to the first after the second began would land
     * in the second) */
    char *path = beside_path(main->dest, layer);
    if (!path) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    enum reach_status st =
        writer_open(ctx, path, drv, main->overwrite, layer, gtype, fields, nfields, out);
    free(path);
    return st;
  }
  struct reach_writer *w = calloc(1, sizeof *w);
  if (!w || !(w->dest = strdup(main->dest ? main->dest : ""))) {
    free(w);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  w->beside = 1;
  w->pg = main->pg;
  w->layer = layer;
  w->istyle = w->itof = w->kml_name = -1;
  w->kml = main->kml;
  w->round_m = main->round_m;
  char name[600];
  const char *main_name = OGR_L_GetName(main->lyr);
  /* PostGIS: named after the main table (rings_radials, basket_targets;
   * tables=NAME: NAME_radials), whose name a database is likelier to keep
   * free than "targets"; query_lines already is */
  size_t n = strlen(main_name);
  if (main->pg && !(strncmp(layer, main_name, n) == 0 && layer[n] == '_'))
    snprintf(name, sizeof name, "%s_%s", main_name, layer);
  else
    snprintf(name, sizeof name, "%s", layer);
  if (main->pg && GDALDatasetGetLayerByName(main->ds, name) && !main->overwrite) {
    writer_free(w);
    return reach_fail(ctx, REACH_ERR_IO, "table %s exists in %s; use --overwrite to replace it",
                      name, main->dest);
  }
  char **lco = NULL;
  if (main->pg) {
    lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
    lco = CSLSetNameValue(lco, "SPATIAL_INDEX", "GIST");
    lco = CSLSetNameValue(lco, "PRECISION", "NO");
    if (main->overwrite) lco = CSLSetNameValue(lco, "OVERWRITE", "YES");
  }
  OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
  OSRImportFromEPSG(srs, 4326);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  CPLErrorReset();
  w->lyr = GDALDatasetCreateLayer(main->ds, name, srs, gtype, lco);
  CSLDestroy(lco);
  OSRDestroySpatialReference(srs);
  int ok = w->lyr != NULL;
  for (int i = 0; ok && i < nfields; i++) {
    OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type == F_TEXT ? OFTString
                                                      : fields[i].type == F_REAL ? OFTReal
                                                                                 : OFTInteger);
    if (fields[i].width) OGR_Fld_SetWidth(fd, fields[i].width);
    if (fields[i].type == F_BOOL) OGR_Fld_SetSubType(fd, OFSTBoolean);
    ok = OGR_L_CreateField(w->lyr, fd, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(fd);
  }
  if (ok && w->kml) {
    OGRFieldDefnH fd = OGR_Fld_Create("Name", OFTString);
    ok = OGR_L_CreateField(w->lyr, fd, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(fd);
  }
  if (!ok) {
    char msg[512];
    gdal_why(main, msg, sizeof msg);
    reach_fail(ctx, REACH_ERR_IO, "cannot create the layer %s in %s: %s", name, main->dest,
               msg);
    writer_free(w);
    return REACH_ERR_IO;
  }
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(w->lyr);
  for (int i = 0; i < nfields; i++) w->ifield[i] = OGR_FD_GetFieldIndex(defn, fields[i].name);
  if (w->kml) w->kml_name = OGR_FD_GetFieldIndex(defn, "Name");
  *out = w;
  return REACH_OK;
}

enum reach_status reach_writer_add_radial(struct reach_ctx *ctx, struct reach_writer *w,
                                          const struct reach_radial_feature *f,
                                          const struct reach_lines *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  OGR_F_SetFieldString(feat, ix[0], f->site ? f->site : "");
  OGR_F_SetFieldDouble(feat, ix[1], f->site_lat);
  OGR_F_SetFieldDouble(feat, ix[2], f->site_lon);
  OGR_F_SetFieldString(feat, ix[3], f->missile ? f->missile : "");
  OGR_F_SetFieldString(feat, ix[4], f->band ? f->band : "");
  OGR_F_SetFieldDouble(feat, ix[5], f->min_km);
  OGR_F_SetFieldDouble(feat, ix[6], f->range_km);
  OGR_F_SetFieldDouble(feat, ix[7], f->az_deg);
  OGR_F_SetFieldDouble(feat, ix[8], f->tol_m);
  OGR_F_SetFieldDouble(feat, ix[9], f->err_m + w->round_m);
  OGR_F_SetFieldString(feat, ix[10], f->source ? f->source : "");
  OGR_F_SetGeometryDirectly(feat, lines_to_ogr(geom));
  return add_feature(ctx, w, feat, NULL);
}

enum reach_status reach_writer_add_query_line(struct reach_ctx *ctx, struct reach_writer *w,
                                              const struct reach_query_feature *q,
                                              double site_lat, double site_lon, double tol_m,
                                              double err_m, const struct reach_lines *geom) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  const int *ix = w->ifield;
  OGR_F_SetFieldString(feat, ix[0], q->site ? q->site : "");
  OGR_F_SetFieldString(feat, ix[1], q->missile ? q->missile : "");
  OGR_F_SetFieldString(feat, ix[2], q->target ? q->target : "");
  const double v[6] = {q->dist_km, q->az_deg, q->baz_deg, q->range_km, q->min_km, q->margin_km};
  for (int k = 0; k < 6; k++) OGR_F_SetFieldDouble(feat, ix[3 + k], v[k]);
  set_bool(feat, ix[9], q->in_range);
  if (isnan(q->tof_s)) OGR_F_SetFieldNull(feat, ix[10]);
  else OGR_F_SetFieldDouble(feat, ix[10], q->tof_s);
  const double p[6] = {q->target_lat, q->target_lon, site_lat, site_lon, tol_m,
                       err_m + w->round_m};
  for (int k = 0; k < 6; k++) OGR_F_SetFieldDouble(feat, ix[11 + k], p[k]);
  OGR_F_SetFieldString(feat, ix[17], q->source ? q->source : "");
  OGR_F_SetGeometryDirectly(feat, lines_to_ogr(geom));
  return add_feature(ctx, w, feat, NULL);
}

enum reach_status reach_writer_add_point(struct reach_ctx *ctx, struct reach_writer *w,
                                         const char *name, double lat_deg, double lon_deg) {
  OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
  OGR_F_SetFieldString(feat, w->ifield[0], name ? name : "");
  OGR_F_SetFieldDouble(feat, w->ifield[1], lat_deg);
  OGR_F_SetFieldDouble(feat, w->ifield[2], lon_deg);
  OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
  OGR_G_SetPoint_2D(pt, 0, lon_deg, lat_deg);
  OGR_F_SetGeometryDirectly(feat, pt);
  return add_feature(ctx, w, feat, NULL);
}

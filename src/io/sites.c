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
#include "georeach/parse.h"
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

/* A column name as it is matched: lower case, letters and digits only
 * ("Lat (deg)" -> "latdeg", "site_name" -> "sitename"). */
static void squash(const char *name, char *out, size_t size) {
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p && k + 1 < size; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
      out[k++] = (char)*p;
    else if (*p >= 'A' && *p <= 'Z')
      out[k++] = (char)(*p - 'A' + 'a');
  out[k] = '\0';
}

/* The first of @p names (squashed forms, in order of preference) that a
 * column of @p defn has; -1 when none. */
static int field_named(OGRFeatureDefnH defn, const char *const *names) {
  int n = OGR_FD_GetFieldCount(defn);
  char sq[128];
  for (const char *const *nm = names; *nm; nm++)
    for (int i = 0; i < n; i++) {
      squash(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), sq, sizeof sq);
      if (strcmp(sq, *nm) == 0) return i;
    }
  return -1;
}

/* A column named by an option: exactly, else ignoring case and
 * punctuation; -1 when none. */
static int field_given(OGRFeatureDefnH defn, const char *want) {
  int i = OGR_FD_GetFieldIndex(defn, want);
  if (i >= 0) return i;
  char sq[128];
  squash(want, sq, sizeof sq);
  const char *one[] = {sq, NULL};
  return *sq ? field_named(defn, one) : -1;
}

static const char *const lat_names[] = {
    "lat", "latitude", "y", "latdd", "latdeg", "latdegrees", "latdecimal", "latwgs84",
    "latitudedd", "latitudedeg", "latitudedegrees", "latitudedecimal", "latitudewgs84",
    "decimallatitude", "ycoord", "ycoordinate", "pointy", NULL};
static const char *const lon_names[] = {
    "lon", "lng", "long", "longitude", "x", "londd", "londeg", "londegrees", "londecimal",
    "lonwgs84", "longdd", "longdeg", "lngdd", "lngdeg", "longitudedd", "longitudedeg",
    "longitudedegrees", "longitudedecimal", "longitudewgs84", "decimallongitude", "xcoord",
    "xcoordinate", "pointx", NULL};
static const char *const name_names[] = {
    "name", "site", "sitename", "label", "launcher", "launchername", "city", "cityname",
    "base", "basename", "title", "place", "placename", "id", NULL};
static const char *const point_names[] = {
    "coords", "coordinates", "coord", "location", "position", "point", "latlon", "latlong",
    "latlng", "mgrs", "mgrsref", "mgrsreference", NULL};
/* Per-row parameters; a distance column may carry its unit in its name. */
static const char *const missile_names[] = {"missile", "weapon", "system", "missilename",
                                            "missiletype", NULL};
static const char *const az_names[] = {"azimuth", "azimuths", "sector", NULL};
static const char *const azfrom_names[] = {"azfrom", "azimuthfrom", "azstart", NULL};
static const char *const azto_names[] = {"azto", "azimuthto", "azend", NULL};

static const char *const units[] = {"", "km", "m", "mi", "nmi", NULL};

/* A distance column "BASE[UNIT]" (range, range_km, "Range (mi)"): its index
 * and the unit its name says ("" for none). */
static int distance_field(OGRFeatureDefnH defn, const char *const *bases, const char **unit) {
  char sq[128];
  for (const char *const *b = bases; *b; b++)
    for (const char *const *u = units; *u; u++) {
      snprintf(sq, sizeof sq, "%s%s", *b, *u);
      const char *one[] = {sq, NULL};
      int i = field_named(defn, one);
      if (i >= 0) {
        *unit = *u;
        return i;
      }
    }
  return -1;
}

static const char *const range_bases[] = {"range", "maxrange", "rangemax", NULL};
static const char *const min_bases[] = {"minrange", "rangemin", "min", NULL};
static const char *const tol_bases[] = {"tolerance", "tol", NULL};

static int is_text_table(const char *path) {
  const char *dot = strrchr(path, '.');
  return dot && (strcasecmp(dot, ".csv") == 0 || strcasecmp(dot, ".tsv") == 0 ||
                 strcasecmp(dot, ".txt") == 0);
}

/* The site's name as valid UTF-8 cut at a character boundary (a name is
 * written to RFC 7946 GeoJSON and GeoPackage, which require UTF-8); a KML
 * folder's name first when every folder is read. */
static void set_site(struct reach_site *s, const char *folder, const char *name, size_t row,
                     double lat, double lon) {
  char full[2 * REACH_NAME_LEN];
  if (name && *name)
    snprintf(full, sizeof full, "%s%s%s", folder ? folder : "", folder ? "/" : "", name);
  else
    snprintf(full, sizeof full, "%s%ssite %zu", folder ? folder : "", folder ? "/" : "", row);
  reach_utf8_clean(s->name, sizeof s->name, full, NULL);
  s->lat_deg = lat;
  s->lon_deg = lon == 180 ? 180 : remainder(lon, 360.0);
  s->row = row;
}

/* Where a layer's columns are (-1: none). */
struct columns {
  int ilat, ilon, iname, ipoint, use_fields;
  int imissile, irange, imin, iaz, iazfrom, iazto, itol;
  const char *range_unit, *min_unit, *tol_unit;
};

struct reach_sites_reader {
  char *path;    /* as shown in messages (reach_redact_connection()) */
  char *vsimem;  /* a FIFO's bytes, copied to /vsimem/ (unlinked on close) */
  GDALDatasetH ds;
  OGRLayerH *layers; /* the layers read, in order */
  int nlayers, at;   /* at: the layer being read */
  int folders;       /* several KML folders: names are "FOLDER/NAME" */
  int kml;           /* a KML/KMZ: lines and polygons are skipped, counted */
  OGRLayerH lyr;
  OGRCoordinateTransformationH ct;
  struct reach_guard guard;
  struct columns c;
  struct reach_sites_options opt;
  char field_units[16];
  int text, skip_bad, noticed, decimal_comma;
  size_t row, count, skipped, bad_names, nonpoints;
};

void reach_sites_close(struct reach_sites_reader *r) {
  if (!r) return;
  reach_guard_free(&r->guard);
  if (r->ct) OCTDestroyCoordinateTransformation(r->ct);
  if (r->ds) GDALClose(r->ds);
  if (r->vsimem) VSIUnlink(r->vsimem);
  free(r->vsimem);
  free(r->layers);
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
                                     const char *shown, int sniff, char **vsipath) {
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
  /* the same base name: the extension still says CSV; standard input has
   * none, so its first bytes say what it is (GDAL's GeoJSON and KML drivers
   * know their content, its CSV driver wants the extension) */
  const char *base = strrchr(path, '/');
  char name[512];
  if (sniff) {
    size_t i = len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF ? 3 : 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) i++;
    const char *ext = i < len && (buf[i] == '{' || buf[i] == '[') ? "geojson"
                      : i < len && buf[i] == '<'                  ? "kml"
                                                                  : "csv";
    snprintf(name, sizeof name, "/vsimem/georeach-stream-%p/stdin.%s", (void *)ctx, ext);
  } else {
    snprintf(name, sizeof name, "/vsimem/georeach-stream-%p/%s", (void *)ctx,
             base && base[1] ? base + 1 : path);
  }
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

/* "Name (Point, 3 features), ..." of every layer, for a message. */
static void list_layers(GDALDatasetH ds, char *out, size_t size) {
  char one[160], esc[120];
  int n = GDALDatasetGetLayerCount(ds);
  *out = '\0';
  for (int i = 0; i < n && strlen(out) + 8 < size; i++) {
    OGRLayerH l = GDALDatasetGetLayer(ds, i);
    GIntBig k = OGR_L_GetFeatureCount(l, TRUE);
    OGRwkbGeometryType t = wkbFlatten(OGR_L_GetGeomType(l));
    snprintf(one, sizeof one, "%s%s (%s, %lld feature%s)", i ? ", " : "",
             reach_text_escape(OGR_L_GetName(l), esc, 60),
             t == wkbNone ? "no geometry" : OGRGeometryTypeToName(t), (long long)k,
             k == 1 ? "" : "s");
    size_t len = strlen(out);
    if (len + strlen(one) + 5 >= size) {
      snprintf(out + len, size - len, ", ...");
      break;
    }
    snprintf(out + len, size - len, "%s", one);
  }
}

/* The columns found, "a, b, c" (escaped), for a message. */
static void list_columns(OGRFeatureDefnH defn, char *out, size_t size) {
  char raw[400] = "";
  for (int i = 0; i < OGR_FD_GetFieldCount(defn) && strlen(raw) < 300; i++) {
    strcat(raw, i ? ", " : "");
    strncat(raw, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), 40);
  }
  if (!*raw) snprintf(raw, sizeof raw, "none");
  reach_text_escape(raw, out, size);
}

static int is_point_type(OGRwkbGeometryType t) {
  t = wkbFlatten(t);
  return t == wkbPoint || t == wkbMultiPoint;
}

/* Find a layer's columns (and the transformation of its points) for
 * reading.  Fails naming what is missing. */
static enum reach_status setup_layer(struct reach_ctx *ctx, struct reach_sites_reader *r,
                                     OGRLayerH lyr) {
  const struct reach_sites_options *o = &r->opt;
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
  struct columns c;
  memset(&c, 0, sizeof c);
  char cols[512];
  struct { const char *given, *opt; int *at; const char *const *names; } named[] = {
      {o->lat_field, "--lat-field", &c.ilat, lat_names},
      {o->lon_field, "--lon-field", &c.ilon, lon_names},
      {o->name_field, "--name-field", &c.iname, name_names},
      {o->point_field, "--point-field", &c.ipoint, point_names},
      {o->missile_field, "--missile-field", &c.imissile, missile_names},
      {o->azimuth_field, "--azimuth-field", &c.iaz, az_names},
      {o->az_from_field, "--az-from-field", &c.iazfrom, azfrom_names},
      {o->az_to_field, "--az-to-field", &c.iazto, azto_names},
      {o->range_field, "--range-field", &c.irange, NULL},
      {o->min_range_field, "--min-range-field", &c.imin, NULL},
      {o->tolerance_field, "--tolerance-field", &c.itol, NULL}};
  c.range_unit = c.min_unit = c.tol_unit = "";
  for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
    int param = k >= 4; /* the first four are the point and name columns */
    *named[k].at = -1;
    if (param && !o->params) continue;
    if (named[k].given) {
      if ((*named[k].at = field_given(defn, named[k].given)) < 0) {
        char g[96];
        list_columns(defn, cols, sizeof cols);
        return reach_fail(ctx, REACH_ERR_DATA, "%s: %s '%s': no such column (found: %s)",
                          r->path, named[k].opt, reach_text_escape(named[k].given, g, sizeof g),
                          cols);
      }
    } else if (named[k].names) {
      *named[k].at = field_named(defn, named[k].names);
    }
  }
  if (o->params) {
    if (!o->range_field) c.irange = distance_field(defn, range_bases, &c.range_unit);
    if (!o->min_range_field) c.imin = distance_field(defn, min_bases, &c.min_unit);
    if (!o->tolerance_field) c.itol = distance_field(defn, tol_bases, &c.tol_unit);
  }
  /* a point column said by name wins; lat/lon columns win over a column
   * only guessed to hold points, and over the geometry */
  if (o->point_field && (o->lat_field || o->lon_field))
    return reach_fail(ctx, REACH_ERR_DATA, "%s: give --point-field or --lat-field/--lon-field, "
                      "not both", r->path);
  if ((o->lat_field != NULL) != (o->lon_field != NULL) && (c.ilat < 0 || c.ilon < 0)) {
    list_columns(defn, cols, sizeof cols);
    return reach_fail(ctx, REACH_ERR_DATA, "%s: no %s column found (found: %s); name it "
                      "with %s", r->path, c.ilat < 0 ? "latitude" : "longitude", cols,
                      c.ilat < 0 ? "--lat-field" : "--lon-field");
  }
  c.use_fields = !o->point_field && c.ilat >= 0 && c.ilon >= 0;
  if (c.use_fields) c.ipoint = -1;
  if (!c.use_fields && c.ipoint < 0) {
    OGRwkbGeometryType gt = wkbFlatten(OGR_FD_GetGeomType(defn));
    if (r->text || OGR_FD_GetGeomFieldCount(defn) == 0 ||
        (gt != wkbPoint && gt != wkbUnknown && !r->kml)) {
      list_columns(defn, cols, sizeof cols);
      return reach_fail(ctx, REACH_ERR_DATA,
                        "%s has no latitude/longitude columns (found: %s)%s; name them "
                        "with --lat-field and --lon-field, or a column of points "
                        "(\"50.6,36.6\", DMS, MGRS) with --point-field",
                        r->path, cols,
                        gt != wkbPoint && gt != wkbUnknown && !r->text
                            ? " and its geometries are not points" : "");
    }
    if (r->ct) {
      reach_guard_free(&r->guard);
      OCTDestroyCoordinateTransformation(r->ct);
      r->ct = NULL;
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
  r->c = c;
  r->lyr = lyr;
  OGR_L_ResetReading(lyr);
  return REACH_OK;
}

/* Whether a text table's separator is ';' (its first line has more
 * semicolons than commas outside quotes): then "50,6" is a decimal comma. */
static int semicolon_separated(const char *src) {
  VSILFILE *f = VSIFOpenL(src, "rb");
  if (!f) return 0;
  char line[4096];
  size_t n = VSIFReadL(line, 1, sizeof line - 1, f);
  VSIFCloseL(f);
  line[n] = '\0';
  int semi = 0, comma = 0, quoted = 0;
  for (const char *p = line; *p && *p != '\n' && *p != '\r'; p++) {
    if (*p == '"') quoted = !quoted;
    else if (!quoted && *p == ';') semi++;
    else if (!quoted && *p == ',') comma++;
  }
  return semi > comma;
}

enum reach_status reach_sites_open(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_sites_reader **rp) {
  struct reach_sites_options o;
  memset(&o, 0, sizeof o);
  o.skip_bad = skip_bad;
  return reach_sites_open_with(ctx, path, &o, rp);
}

enum reach_status reach_sites_open_with(struct reach_ctx *ctx, const char *path_in,
                                        const struct reach_sites_options *opt,
                                        struct reach_sites_reader **rp) {
  const char *csv_opts[] = {"AUTODETECT_TYPE=NO", NULL};
  struct reach_sites_options o;
  if (opt)
    o = *opt;
  else
    memset(&o, 0, sizeof o);
  *rp = NULL;
  reach_gdal_init();
  int pg = reach_is_pg(path_in);
  /* "FILE|layername=L", as GDAL's utilities take it */
  char path[4096], layer_buf[512];
  snprintf(path, sizeof path, "%s", path_in);
  char *bar = pg ? NULL : strstr(path, "|layername=");
  if (bar) {
    snprintf(layer_buf, sizeof layer_buf, "%s", bar + strlen("|layername="));
    *bar = '\0';
    if (o.layer && strcmp(o.layer, layer_buf) != 0) {
      char a[96], b[96];
      return reach_fail(ctx, REACH_ERR_ARG, "--layer '%s' and layername=%s name two layers",
                        reach_text_escape(o.layer, a, sizeof a),
                        reach_text_escape(layer_buf, b, sizeof b));
    }
    o.layer = layer_buf;
  }
  int std_in = strcmp(path, "-") == 0 || strcmp(path, "/vsistdin/") == 0 ||
               strcmp(path, "/vsistdin") == 0;
  int text = is_text_table(path);
  char shown[1024]; /* the path, or the connection without its password */
  reach_redact_connection(std_in ? "standard input" : path, shown, sizeof shown);
  struct stat sb;
  char *vsipath = NULL;
  if (std_in || (!pg && strncmp(path, "/vsi", 4) != 0 && stat(path, &sb) == 0 &&
                 (S_ISFIFO(sb.st_mode) || S_ISCHR(sb.st_mode) || S_ISSOCK(sb.st_mode)))) {
    enum reach_status st = read_stream(ctx, std_in ? "/dev/stdin" : path, shown, std_in,
                                       &vsipath);
    if (st != REACH_OK) return st;
    if (std_in && vsipath) text = is_text_table(vsipath);
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
  struct reach_sites_reader *r = calloc(1, sizeof *r);
  int nl = GDALDatasetGetLayerCount(ds);
  if (!r || !(r->path = strdup(shown)) ||
      !(r->layers = calloc(nl > 0 ? (size_t)nl : 1, sizeof(OGRLayerH)))) {
    if (r) free(r->path);
    free(r);
    GDALClose(ds);
    if (vsipath) VSIUnlink(vsipath);
    free(vsipath);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  r->ds = ds;
  r->vsimem = vsipath;
  r->text = text;
  r->skip_bad = o.skip_bad;
  r->opt = o;
  /* the options' strings are the caller's; the layer may be ours */
  r->opt.layer = NULL;
  snprintf(r->field_units, sizeof r->field_units, "%s", o.field_units ? o.field_units : "km");
  r->opt.field_units = r->field_units;
  const char *drv = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
  int kml = drv && (strcmp(drv, "LIBKML") == 0 || strcmp(drv, "KML") == 0);
  char layers[768];
  r->kml = kml;
  if (nl < 1) {
    reach_sites_close(r);
    return reach_fail(ctx, REACH_ERR_DATA, "%s has no layer of sites%s", shown,
                      pg ? " (name the table with tables=NAME)" : "");
  }
  if (o.layer) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, o.layer);
    if (!l) {
      char g[96];
      list_layers(ds, layers, sizeof layers);
      reach_fail(ctx, REACH_ERR_DATA, "%s has no layer '%s' (layers: %s)", shown,
                 reach_text_escape(o.layer, g, sizeof g), layers);
      reach_sites_close(r);
      return REACH_ERR_DATA;
    }
    r->layers[r->nlayers++] = l;
  } else if (nl == 1) {
    r->layers[r->nlayers++] = GDALDatasetGetLayer(ds, 0);
  } else if (pg) {
    /* A database holds many tables: which one must be said */
    list_layers(ds, layers, 200);
    reach_fail(ctx, REACH_ERR_DATA,
               "%s holds %d tables (%s); name the one to read with tables=NAME in the "
               "connection string or --layer NAME", shown, nl, layers);
    reach_sites_close(r);
    return REACH_ERR_DATA;
  } else if (kml) {
    /* Google Earth's folders are layers: every placemark of every one */
    for (int i = 0; i < nl; i++) r->layers[r->nlayers++] = GDALDatasetGetLayer(ds, i);
    r->folders = 1;
  } else {
    int points = 0, which = -1;
    for (int i = 0; i < nl; i++)
      if (is_point_type(OGR_L_GetGeomType(GDALDatasetGetLayer(ds, i)))) {
        points++;
        which = i;
      }
    if (points != 1) {
      list_layers(ds, layers, sizeof layers);
      reach_fail(ctx, REACH_ERR_DATA, "%s holds %d layers and %s point layer: %s; name the "
                 "one to read with --layer NAME", shown, nl,
                 points ? "more than one" : "no", layers);
      reach_sites_close(r);
      return REACH_ERR_DATA;
    }
    r->layers[r->nlayers++] = GDALDatasetGetLayer(ds, which);
  }
  if (text && !vsipath) r->decimal_comma = semicolon_separated(src);
  else if (text) r->decimal_comma = semicolon_separated(vsipath);
  enum reach_status st = setup_layer(ctx, r, r->layers[0]);
  if (st != REACH_OK) {
    reach_sites_close(r);
    return st;
  }
  *rp = r;
  return REACH_OK;
}

unsigned reach_sites_params(const struct reach_sites_reader *r) {
  const struct columns *c = &r->c;
  return (c->imissile >= 0 ? REACH_SITE_MISSILE : 0u) | (c->irange >= 0 ? REACH_SITE_RANGE : 0u) |
         (c->imin >= 0 ? REACH_SITE_MIN_RANGE : 0u) |
         (c->iaz >= 0 || c->iazfrom >= 0 || c->iazto >= 0 ? REACH_SITE_AZIMUTH : 0u) |
         (c->itol >= 0 ? REACH_SITE_TOLERANCE : 0u);
}

long long reach_sites_estimate(struct reach_sites_reader *r) {
  if (r->row > 0) return -1; /* counting would disturb the reading */
  long long n = 0;
  for (int i = 0; i < r->nlayers; i++) {
    GIntBig k = OGR_L_GetFeatureCount(r->layers[i], TRUE);
    OGR_L_ResetReading(r->layers[i]);
    if (k < 0) return -1;
    n += k;
  }
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

/* A cell's text with its blanks trimmed into @p buf; NULL when the cell is
 * null or blank (the parameter is left to the command line).  A value too
 * long for @p buf is returned whole in *raw and as "" (never valid). */
static const char *cell(OGRFeatureH f, int i, char *buf, size_t size, const char **raw) {
  *raw = "";
  if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return NULL;
  const char *v = *raw = OGR_F_GetFieldAsString(f, i);
  while (*v == ' ' || *v == '\t') v++;
  size_t n = strlen(v);
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r')) n--;
  if (n == 0) return NULL;
  if (n >= size) {
    *buf = '\0';
    return buf;
  }
  memcpy(buf, v, n);
  buf[n] = '\0';
  return buf;
}

/* "50,6" as "50.6" in a ';'-separated file (one comma, no point). */
static void decimal_point(char *s) {
  char *c = strchr(s, ',');
  if (c && !strchr(c + 1, ',') && !strchr(s, '.')) *c = '.';
}

/* A number of degrees: the whole text, finite. */
static int degrees(const char *s, double *v) {
  char *e;
  if (!*s) return 0;
  *v = strtod(s, &e);
  while (*e == ' ') e++;
  return *e == '\0' && isfinite(*v);
}

/* The per-row parameters of a feature into @p s; 0 (with the field's name
 * in *bad and the cell in @p what) on a bad one. */
static int row_params(struct reach_ctx *ctx, struct reach_sites_reader *r, OGRFeatureH f,
                      OGRFeatureDefnH defn, struct reach_site *s, const char **bad,
                      char *what, size_t wlen) {
  const struct columns *c = &r->c;
  char b[128];
  const char *raw, *v;
  if ((v = cell(f, c->imissile, b, sizeof b, &raw))) {
    if (!*v || strlen(v) >= sizeof s->missile) {
      *bad = "missile";
      quote_cell(what, wlen, defn, c->imissile, raw);
      return 0;
    }
    snprintf(s->missile, sizeof s->missile, "%s", v);
    s->has |= REACH_SITE_MISSILE;
  }
  struct { int i; const char *unit, *field; double *out; unsigned bit; int zero_ok; } d[] = {
      {c->irange, *c->range_unit ? c->range_unit : r->field_units, "range", &s->range_m,
       REACH_SITE_RANGE, 0},
      {c->imin, *c->min_unit ? c->min_unit : r->field_units, "min_range", &s->min_range_m,
       REACH_SITE_MIN_RANGE, 1},
      {c->itol, *c->tol_unit ? c->tol_unit : "m", "tolerance", &s->tolerance_m,
       REACH_SITE_TOLERANCE, 0}};
  for (size_t k = 0; k < 3; k++) {
    if (!(v = cell(f, d[k].i, b, sizeof b, &raw))) continue;
    if (r->decimal_comma) decimal_point(b);
    double m;
    if (!*v || reach_parse_distance(ctx, v, d[k].unit, &m) != REACH_OK || !isfinite(m) ||
        m < 0 || (m == 0 && !d[k].zero_ok)) {
      *bad = d[k].field;
      quote_cell(what, wlen, defn, d[k].i, raw);
      return 0;
    }
    *d[k].out = m;
    s->has |= d[k].bit;
  }
  if ((s->has & REACH_SITE_RANGE) && (s->has & REACH_SITE_MIN_RANGE) &&
      s->min_range_m >= s->range_m) {
    *bad = "min_range";
    snprintf(what, wlen, "%g km (not below the range, %g km)", s->min_range_m / 1000,
             s->range_m / 1000);
    return 0;
  }
  if ((v = cell(f, c->iaz, b, sizeof b, &raw))) {
    if (!*v || reach_parse_azimuths(ctx, v, &s->az_from_deg, &s->az_to_deg) != REACH_OK) {
      *bad = "azimuth";
      quote_cell(what, wlen, defn, c->iaz, raw);
      return 0;
    }
    s->has |= REACH_SITE_AZIMUTH;
  } else {
    char b2[128];
    const char *raw2, *v2 = cell(f, c->iazto, b2, sizeof b2, &raw2);
    v = cell(f, c->iazfrom, b, sizeof b, &raw);
    if (v || v2) {
      char pair[300];
      snprintf(pair, sizeof pair, "%s:%s", v ? v : "", v2 ? v2 : "");
      double a0, a1;
      if (!v || !v2 || !degrees(v, &a0) || !degrees(v2, &a1) ||
          reach_parse_azimuths(ctx, pair, &s->az_from_deg, &s->az_to_deg) != REACH_OK) {
        int which = !v || !degrees(v, &a0) ? c->iazfrom : c->iazto;
        *bad = which == c->iazfrom ? "az_from" : "az_to";
        const char *cv = which == c->iazfrom ? v : v2;
        if (which < 0)
          snprintf(what, wlen, "(no %s column, and %s is given)", *bad,
                   which == c->iazfrom ? "az_to" : "az_from");
        else if (!cv)
          snprintf(what, wlen, "(empty, and %s is given)", which == c->iazfrom ? "az_to" : "az_from");
        else
          quote_cell(what, wlen, defn, which, which == c->iazfrom ? raw : raw2);
        return 0;
      }
      s->has |= REACH_SITE_AZIMUTH;
    }
  }
  return 1;
}

/* The next feature, moving on to the next layer (KML folder) at the end of
 * one; NULL at the end of the last, or on a failure (*st). */
static OGRFeatureH next_feature(struct reach_ctx *ctx, struct reach_sites_reader *r,
                                enum reach_status *st) {
  for (;;) {
    OGRFeatureH f = OGR_L_GetNextFeature(r->lyr);
    if (f || r->at + 1 >= r->nlayers) return f;
    if ((*st = setup_layer(ctx, r, r->layers[++r->at])) != REACH_OK) return NULL;
  }
}

enum reach_status reach_sites_next(struct reach_ctx *ctx,
                                   struct reach_sites_reader *r,
                                   struct reach_site *buf, size_t max,
                                   size_t *got) {
  size_t count = 0;
  enum reach_status st = REACH_OK;
  OGRFeatureH f = NULL;
  *got = 0;
  while (count < max) {
    if (r->row % CHECK_ROWS == 0 && reach_interrupted(ctx)) {
      st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted while reading %s", r->path);
      break;
    }
    if ((f = next_feature(ctx, r, &st)) == NULL) break;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(r->lyr);
    const struct columns *c = &r->c;
    size_t row = ++r->row;
    double lat = NAN, lon = NAN;
    const char *bad = NULL;
    char what[256] = "";
    /* Copies: for a field that is not text (a name column of numbers,
     * float8 lat/lon in PostGIS or a GeoPackage) OGR formats the value into
     * one buffer per feature, which the next call overwrites. */
    char name_buf[REACH_NAME_LEN], ts[128], gs[128];
    const char *name = NULL;
    size_t name_bad = 0;
    if (c->iname >= 0 && OGR_F_IsFieldSetAndNotNull(f, c->iname)) {
      reach_utf8_clean(name_buf, sizeof name_buf, OGR_F_GetFieldAsString(f, c->iname),
                       &name_bad);
      name = name_buf;
    }
    if (c->use_fields) {
      /* a value too long for the buffer is no coordinate */
      const char *tv = OGR_F_GetFieldAsString(f, c->ilat);
      size_t tl = (size_t)snprintf(ts, sizeof ts, "%s", tv);
      if (r->decimal_comma && tl < sizeof ts) decimal_point(ts);
      if (tl >= sizeof ts || !reach_coord_value(ts, 1, &lat)) {
        bad = "latitude";
        quote_cell(what, sizeof what, defn, c->ilat, tv);
      } else {
        const char *gv = OGR_F_GetFieldAsString(f, c->ilon);
        size_t gl = (size_t)snprintf(gs, sizeof gs, "%s", gv);
        if (r->decimal_comma && gl < sizeof gs) decimal_point(gs);
        if (gl >= sizeof gs || !reach_coord_value(gs, 0, &lon)) {
          bad = "longitude";
          quote_cell(what, sizeof what, defn, c->ilon, gv);
        }
      }
    } else if (c->ipoint >= 0) {
      const char *raw;
      const char *v = cell(f, c->ipoint, ts, sizeof ts, &raw);
      char label[8];
      if (!v || !*v || reach_parse_latlon(ctx, v, &lat, &lon, label, sizeof label) != REACH_OK) {
        bad = "point";
        quote_cell(what, sizeof what, defn, c->ipoint, raw);
      }
    } else {
      OGRGeometryH g = OGR_F_GetGeometryRef(f);
      OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbNone;
      if (r->kml && g && t != wkbPoint) {
        /* a KML's lines and polygons are not sites: skipped, counted */
        r->nonpoints++;
        OGR_F_Destroy(f);
        continue;
      }
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
    struct reach_site *s = &buf[count];
    memset(s, 0, sizeof *s);
    if (!bad && r->opt.params) row_params(ctx, r, f, defn, s, &bad, what, sizeof what);
    if (bad) {
      if (r->skip_bad) {
        r->skipped++;
      } else {
        /* the name as one line (a quoted CSV cell may hold a newline) */
        char nm[REACH_NAME_LEN + 8] = "", esc[REACH_NAME_LEN];
        if (name && *name)
          snprintf(nm, sizeof nm, " (%s)", reach_text_escape(name, esc, sizeof esc));
        st = reach_fail(ctx, REACH_ERR_DATA,
                        "%s, %s %zu%s: bad %s %s (use --skip-bad to skip such "
                        "rows)",
                        r->path, r->text ? "row" : "feature", row, nm, bad, what);
        OGR_F_Destroy(f);
        break;
      }
    } else {
      set_site(s, r->folders ? OGR_L_GetName(r->lyr) : NULL, name, row, lat, lon);
      count++;
      r->bad_names += name_bad > 0;
    }
    OGR_F_Destroy(f);
  }
  r->count += count;
  *got = count;
  if (st == REACH_OK && count == 0 && r->count == 0)
    st = reach_fail(ctx, REACH_ERR_DATA, "%s holds no sites%s", r->path,
                    r->skipped ? " (all rows were bad)"
                    : r->nonpoints ? " (only lines and polygons)" : "");
  if (st == REACH_OK && count == 0 && !r->noticed) {
    r->noticed = 1; /* once, at the end */
    if (r->bad_names)
      reach_notice(ctx, "%s: %zu name%s held bytes that are not UTF-8; each such "
                   "sequence was replaced by U+FFFD", r->path, r->bad_names,
                   r->bad_names == 1 ? "" : "s");
    if (r->nonpoints)
      reach_notice(ctx, "%s: skipped %zu placemark%s that %s (lines, polygons)", r->path,
                   r->nonpoints, r->nonpoints == 1 ? "" : "s",
                   r->nonpoints == 1 ? "is not a point" : "are not points");
  }
  return st;
}

size_t reach_sites_bad_names(const struct reach_sites_reader *r) { return r->bad_names; }

enum reach_status reach_sites_read(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_site **sites,
                                   size_t *n, size_t *nskipped) {
  struct reach_sites_options o;
  memset(&o, 0, sizeof o);
  o.skip_bad = skip_bad;
  return reach_sites_read_with(ctx, path, &o, sites, n, nskipped);
}

enum reach_status reach_sites_read_with(struct reach_ctx *ctx, const char *path,
                                        const struct reach_sites_options *opt,
                                        struct reach_site **sites, size_t *n,
                                        size_t *nskipped) {
  struct reach_sites_reader *r;
  struct reach_site *out = NULL;
  size_t count = 0, cap = 0, got;
  *sites = NULL;
  *n = 0;
  if (nskipped) *nskipped = 0;
  enum reach_status st = reach_sites_open_with(ctx, path, opt, &r);
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

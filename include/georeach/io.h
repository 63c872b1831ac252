/**
 * @file io.h
 * @brief Reading launch sites and writing ring layers, through GDAL/OGR.
 */
#ifndef GEOREACH_IO_H
#define GEOREACH_IO_H

#include "export.h"

#include <stddef.h>
#include <stdio.h>
#include "context.h"
#include "geom.h"

REACH_BEGIN_DECLS

#define REACH_NAME_LEN 128

#define REACH_MISSILE_LEN 64

/** Which per-row parameters a site read from a file gave (reach_site.has). */
enum {
  REACH_SITE_MISSILE = 1u << 0,   /**< missile[] */
  REACH_SITE_RANGE = 1u << 1,     /**< range_m */
  REACH_SITE_MIN_RANGE = 1u << 2, /**< min_range_m */
  REACH_SITE_AZIMUTH = 1u << 3,   /**< az_from_deg and az_to_deg */
  REACH_SITE_TOLERANCE = 1u << 4  /**< tolerance_m */
};

/**
 * A launch site, and the parameters its row of a sites file gave
 * (reach_sites_options.params).  A zero-initialised tail means "no
 * parameters": `{"A", 50.6, 36.6}` is a plain site.  The caller decides
 * what a parameter means (georeach's commands: a row's value replaces the
 * command line's for that site).
 */
struct reach_site {
  char name[REACH_NAME_LEN]; /**< label ("" when none was given) */
  double lat_deg, lon_deg;
  unsigned has;              /**< REACH_SITE_* bits: the fields below that are set */
  char missile[REACH_MISSILE_LEN]; /**< a catalogue name or alias, as written */
  double range_m, min_range_m;     /**< metres */
  double az_from_deg, az_to_deg;   /**< a sector, degrees clockwise from north */
  double tolerance_m;              /**< metres */
  size_t row;                      /**< row or feature number in its source
                                        (1-based; 0: not from a file) */
};

/**
 * How to read a site source: which layer, which columns.  Zero-initialise
 * and set what is needed; NULL fields are found by name.
 */
struct reach_sites_options {
  int skip_bad;            /**< nonzero: bad rows are skipped and counted */
  const char *layer;       /**< the layer (or KML folder) to read; NULL: see
                                reach_sites_read_with() */
  const char *lat_field, *lon_field, *name_field;
  const char *point_field; /**< one column holding a whole point (any text
                                reach_parse_latlon() reads, MGRS included) */
  int params;              /**< nonzero: read per-row parameters */
  const char *missile_field, *range_field, *min_range_field;
  const char *azimuth_field; /**< "FROM:TO" in one column */
  const char *az_from_field, *az_to_field, *tolerance_field;
  const char *field_units; /**< unit of bare range/min_range numbers; NULL: "km"
                                (tolerance: bare numbers are metres) */
};

/**
 * Read sites from any GDAL vector source: a CSV (or .tsv/.txt) with latitude
 * and longitude columns, or a point layer of any format (reprojected to
 * WGS84 when it has another CRS).  "-" and "/vsistdin/" are standard input
 * (CSV, GeoJSON or KML, told apart by the first bytes); "FILE|layername=L"
 * names a layer as GDAL's utilities spell it.
 *
 * Which layer: @p opt->layer (or layername=); else the only layer; else, for
 * KML/KMZ, every layer (every folder: GDAL's LIBKML driver makes one layer
 * per folder, nested ones included, named after the folder itself; the
 * placemarks outside any folder are a layer named after the document), each
 * site named "FOLDER/NAME"; else the only point layer (a georeach
 * GeoPackage's "sites" beside "rings"); else REACH_ERR_DATA listing the
 * layers with their geometry types and feature counts.  In a KML/KMZ,
 * placemarks that are not points (lines, polygons) are skipped and counted
 * in a notice (reach_ctx_set_notice()).
 *
 * Columns are matched ignoring case and everything but letters and digits
 * ("Lat (deg)" is "latdeg"): latitude lat, latitude, y, lat_dd, lat_deg, ...;
 * longitude lon, long, lng, longitude, x, lon_dd, ...; name name, site,
 * site_name, label, launcher, city, base, title, place, id; or, without
 * latitude/longitude columns, one point column coords, coordinates,
 * location, position, point, latlon or mgrs.  The options' *_field name a
 * column exactly (or by the same matching).  Values are in any form
 * reach_parse_latlon() accepts for one coordinate; in a file whose
 * separator is ';' a decimal comma is read as a point ("50,6").  When
 * nothing fits, REACH_ERR_DATA lists the columns found and the options that
 * name them.  Rows without a name are called "site N".  Names are valid
 * UTF-8 (ill-formed bytes replaced by U+FFFD, see reach_utf8_clean()) cut at
 * a character boundary.
 *
 * Per-row parameters (@p opt->params): columns missile (weapon, system),
 * range (max_range), min_range, az_from and az_to or azimuth ("FROM:TO"),
 * tolerance (tol).  A distance is a number with a unit ("885km", "550 mi")
 * or a bare number in the column name's unit ("range_km", "range_mi") or
 * else @p opt->field_units.  An empty cell leaves the parameter unset
 * (reach_site.has); a bad one is a bad row naming the row and the column.
 *
 * Points of a projected layer far outside its CRS's area of use, or whose
 * conversion to WGS84 does not come back to them, are bad rows.  A FIFO or
 * pipe is read to its end into memory first, waiting for its writer; the
 * context's interrupt check (reach_ctx_set_interrupt()) is consulted while
 * waiting and every 1024 rows while reading (REACH_ERR_INTERRUPTED).
 *
 * @param opt how to read; NULL: defaults.
 * @param[out] nskipped rows skipped with opt->skip_bad (may be NULL).
 * @return REACH_OK; REACH_ERR_IO if the file cannot be opened; REACH_ERR_DATA
 *   naming the row and the value that is wrong.  Caller is responsible for
 *   freeing *sites with free().
 */
enum reach_status reach_sites_read_with(struct reach_ctx *ctx, const char *path,
                                        const struct reach_sites_options *opt,
                                        struct reach_site **sites, size_t *n,
                                        size_t *nskipped);

/** reach_sites_read_with() with default options and @p skip_bad. */
enum reach_status reach_sites_read(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_site **sites,
                                   size_t *n, size_t *nskipped);

/**
 * A source or destination as it may be shown to a user; every message that
 * names one goes through this function.  Passwords are replaced by "***" in
 * both forms of a PostgreSQL connection string: keyword=value (password=PW,
 * password='P W' with \' and \\ escapes, password=P\ W) wherever a
 * "password=" keyword appears, and URIs postgresql://user:PW@host and
 * ...?password=PW.  Then the text is made one line (control characters
 * escaped, see reach_text_escape()) and cut at a UTF-8 character boundary to
 * @p size - 1 bytes ("..." marks a cut).
 */
/**
 * Register GDAL's drivers and keep GDAL from printing its own errors: the
 * library reports them in its messages.  For programs; a host that owns
 * GDAL's error handler (QGIS, a Python session) should not call it.
 */
void reach_io_silence_gdal(void);

void reach_redact_connection(const char *path, char *buf, size_t size);

/** A site source read a batch at a time (bounded memory for any size). */
struct reach_sites_reader;

/**
 * Open a site source for reach_sites_next(); the same sources and rules as
 * reach_sites_read().  Caller is responsible for reach_sites_close().
 */
enum reach_status reach_sites_open(struct reach_ctx *ctx, const char *path,
                                   int skip_bad, struct reach_sites_reader **r);

/** reach_sites_open() with options (see reach_sites_read_with(); NULL:
 * defaults).  Caller is responsible for reach_sites_close(). */
enum reach_status reach_sites_open_with(struct reach_ctx *ctx, const char *path,
                                        const struct reach_sites_options *opt,
                                        struct reach_sites_reader **r);

/** Whether the source has per-row parameter columns (REACH_SITE_* bits of
 * the columns found; 0 without opt->params). */
unsigned reach_sites_params(const struct reach_sites_reader *r);

/**
 * Read up to @p max sites into @p buf; *got is 0 at the end.
 * @return REACH_OK, or REACH_ERR_DATA naming the bad row (or saying the
 *   source held no sites at all).
 */
enum reach_status reach_sites_next(struct reach_ctx *ctx,
                                   struct reach_sites_reader *r,
                                   struct reach_site *buf, size_t max,
                                   size_t *got);

/** The number of features of the source (may scan it; call before the first
 * reach_sites_next()), or -1 when unknown. */
long long reach_sites_estimate(struct reach_sites_reader *r);

/** Names read so far that held bytes that are not UTF-8 (each such
 * sequence was replaced by U+FFFD; the context's notice says so once at the
 * end of the source). */
size_t reach_sites_bad_names(const struct reach_sites_reader *r);

/** Rows skipped so far (with skip_bad). */
size_t reach_sites_skipped(const struct reach_sites_reader *r);

/** Close a reader; NULL is a no-op. */
void reach_sites_close(struct reach_sites_reader *r);

/** The attributes of one ring feature (field names fit shapefiles). */
struct reach_feature {
  const char *site;    /**< "site" */
  double site_lat;     /**< "site_lat", degrees */
  double site_lon;     /**< "site_lon", degrees */
  const char *missile; /**< "missile", "" when none */
  const char *band;    /**< "band": nominal/low/high, "" when none */
  double min_km;       /**< "min_km" */
  double range_km;     /**< "range_km" */
  int sector;          /**< 0: "az_from", "az_to" are null */
  double az_from;      /**< "az_from", degrees */
  double az_to;        /**< "az_to", degrees */
  double tol_m;        /**< "tol_m", the tolerance asked for */
  double err_m;        /**< "err_m", the error achieved */
  double area_km2;     /**< "area_km2", on the ellipsoid */
  const char *kind;    /**< "kind" (rings layer): what the figure is, from the
                            catalogue (official, government estimate, ...),
                            "" or NULL when none */
  double tof_s;        /**< "tof_s", an isochrone's flight time, written
                            only by a writer given reach_writer_add_tof_field();
                            <= 0 or NaN: null */
  const char *source;  /**< "source": the catalogue citation of the range
                            (a missile's), "" or NULL when none */
};

struct reach_writer;

/**
 * Start writing a ring layer to @p path ("-" for GeoJSON on standard
 * output).  The format comes from @p driver (a GDAL short name) or, when NULL,
 * from the extension, looked up in GDAL's driver metadata (any vector driver
 * that can create files: .geojson/.json (RFC 7946), .gpkg, .shp, .kml, .kmz,
 * .fgb, .csv (geometry as WKT, with .csvt and .prj), .gml, ...).  Everything is written into a temporary folder
 * next to @p path and moved into place by reach_writer_commit(); an
 * existing file is refused unless @p overwrite.  "-" (GeoJSON on standard
 * output) is written to a temporary file as well and copied out by
 * reach_writer_commit(): nothing reaches standard output on an error.
 *
 * A @p path "PG:<libpq connection string>" writes a PostGIS table instead:
 * named after the layer ("rings", "query", "basket", "coverage", ...) or by
 * "tables=NAME" / "tables=SCHEMA.NAME" in the string; geometry column "geom"
 * (SRID 4326) with a GiST index.  All of it, the table's creation included,
 * is one transaction committed by reach_writer_commit(): on error or
 * reach_writer_abort() nothing is left, and a table replaced with
 * @p overwrite comes back unchanged.  An existing table is refused unless
 * @p overwrite.
 *
 * Outlines: every polygon feature is also written as its true boundary
 * (lines: the polygon's rings minus the parts on lon = +/-180 and lat =
 * +/-90, so no line is drawn down a cut) with the same fields: a layer
 * "LAYER_outline" of the same dataset (GeoPackage, PostGIS table
 * TABLE_outline, GML, a shapefile folder), the sibling file NAME_outline.EXT
 * (other formats), or in KML a line placemark after each polygon's.  Not
 * for "-" or a device/pipe (one stream).
 *
 * Styles: when <data dir>/styles/LAYER.qml exists (a QGIS style; see
 * data/styles), a GeoPackage gets it in its layer_styles table as the
 * layer's default style, a PostGIS table in public.layer_styles, other file
 * formats as NAME.qml beside NAME.EXT (inside a folder dataset LAYER.qml),
 * and KML placemarks get its colours (fill on the polygon, outline on the
 * line placemark) and a name (field "Name": "Belgorod: KN-23 885 km"); the
 * outlines get styles/LAYER_outline.qml the same ways; a categorized style
 * is narrowed to the categories the layer holds.  A rings GeoPackage also
 * gets a point layer "sites" (name, lat, lon), a PostGIS write a table
 * TABLE_sites, with styles/sites.qml.
 *
 * @return REACH_OK; REACH_ERR_ARG for an unknown format; REACH_ERR_IO when the
 *   folder cannot be written or the file exists.  On success caller is
 *   responsible for finishing with reach_writer_commit() or
 *   reach_writer_abort().
 */
enum reach_status reach_writer_open(struct reach_ctx *ctx, const char *path,
                                    const char *driver, int overwrite,
                                    struct reach_writer **w);

/**
 * The finest tolerance (metres) of the features the writers opened after
 * this call will get: text formats (GeoJSON) print coordinates to the
 * precision it needs, rounding them by at most 1e-3 of it (7 decimals of a
 * degree at 10 m, 9 at 0.1 m), which each feature's err_m includes.  0 (the
 * default): REACH_TOLERANCE_MIN_M, the finest there is.  A feature of a
 * finer tolerance than this still gets an honest err_m, but its rounding
 * may take more than 1e-3 of its tolerance.
 */
void reach_ctx_set_write_tolerance(struct reach_ctx *ctx, double tol_m);

/** One row of a what-if query (see query.h), with the target's position. */
struct reach_query_feature {
  const char *site, *missile, *target;
  double dist_km, az_deg, baz_deg, range_km, min_km, margin_km;
  int in_range;
  double target_lat, target_lon;
  double tof_s; /**< ballistic flight time; NAN: null */
  const char *source; /**< "source": the catalogue citation of the range, "" or NULL */
};

/**
 * Like reach_writer_open(), for a point layer "query" of query rows: fields
 * site, missile, target, dist_km, az_deg, baz_deg, range_km, min_km,
 * margin_km, in_range (an integer 0/1: shapefiles have no boolean; a
 * boolean subtype where the format has one), tof_s, target_lat, target_lon;
 * the geometry is the target.
 */
enum reach_status reach_writer_open_query(struct reach_ctx *ctx, const char *path,
                                          const char *driver, int overwrite,
                                          struct reach_writer **w);

/** Append one query row to a writer from reach_writer_open_query(). */
enum reach_status reach_writer_add_query(struct reach_ctx *ctx,
                                         struct reach_writer *w,
                                         const struct reach_query_feature *q);

/** One launch basket (where a launcher must stand to reach the targets). */
struct reach_basket_feature {
  const char *targets; /**< target names, "; " between them */
  const char *missile, *band;
  double min_km, range_km;
  int any;             /**< 0: reaches all targets, 1: at least one */
  const char *within;  /**< territory clipped to, "" for none */
  double tol_m, err_m, area_km2;
  const char *source;  /**< the catalogue citation of the range, "" or NULL */
};

/** Like reach_writer_open(), for a layer "basket" of launch baskets. */
enum reach_status reach_writer_open_basket(struct reach_ctx *ctx, const char *path,
                                           const char *driver, int overwrite,
                                           struct reach_writer **w);

/** Append one basket to a writer from reach_writer_open_basket(). */
enum reach_status reach_writer_add_basket(struct reach_ctx *ctx,
                                          struct reach_writer *w,
                                          const struct reach_basket_feature *b,
                                          const struct reach_geom *geom);

/**
 * Like reach_writer_open(), for a layer "coverage" of dissolved rings:
 * missile, band, min_km, range_km, az_from, az_to, sites (how many sites
 * contributed), tol_m, err_m, area_km2, from_area (the territory's name for
 * reach from a territory, else empty).
 */
enum reach_status reach_writer_open_coverage(struct reach_ctx *ctx, const char *path,
                                             const char *driver, int overwrite,
                                             struct reach_writer **w);

/** Append one coverage feature (the site fields of @p f are not used). */
enum reach_status reach_writer_add_coverage(struct reach_ctx *ctx,
                                            struct reach_writer *w,
                                            const struct reach_feature *f, long sites,
                                            const struct reach_geom *geom);

/**
 * Like reach_writer_open(), for a layer "overlap" of overlap bands: missile,
 * band, min_km, range_km, az_from, az_to, sites (how many sites in all),
 * count (how many reach the band), at_least (1: count or more), tol_m,
 * err_m, area_km2.
 */
enum reach_status reach_writer_open_overlap(struct reach_ctx *ctx, const char *path,
                                            const char *driver, int overwrite,
                                            struct reach_writer **w);

/** Append one overlap band (the site fields of @p f are not used). */
enum reach_status reach_writer_add_overlap(struct reach_ctx *ctx,
                                           struct reach_writer *w,
                                           const struct reach_feature *f, long sites,
                                           long count, int at_least,
                                           const struct reach_geom *geom);

/** Append a reach-from-territory feature to a coverage writer: from_area is
 * f->site, sites the number of boundary samples. */
enum reach_status reach_writer_add_area(struct reach_ctx *ctx,
                                        struct reach_writer *w,
                                        const struct reach_feature *f, long samples,
                                        const struct reach_geom *geom);

/** Append one feature (and, in a GeoPackage, its site to the layer
 * "sites", as reach_writer_add_site()). */
enum reach_status reach_writer_add(struct reach_ctx *ctx, struct reach_writer *w,
                                   const struct reach_feature *f,
                                   const struct reach_geom *geom);

/**
 * Add a launch site to the "sites" point layer of a GeoPackage being
 * written (rings, coverage or overlap layers; for other formats and layers
 * a no-op).  A site equal to the one added last is not added again.
 */
enum reach_status reach_writer_add_site(struct reach_ctx *ctx, struct reach_writer *w,
                                        const struct reach_site *site);

/**
 * Close the layer and move the files into place.  Frees @p w whatever the
 * result; on failure nothing is left at the destination that was not there
 * before.
 */
enum reach_status reach_writer_commit(struct reach_ctx *ctx,
                                      struct reach_writer *w);

/** Drop everything written; frees @p w.  NULL is a no-op. */
void reach_writer_abort(struct reach_writer *w);

/**
 * Add a field "tof_s" (real) to the layer of @p w, for isochrones: call
 * right after opening (rings or coverage writers), before any feature.
 * reach_writer_add() and reach_writer_add_coverage() then write
 * reach_feature.tof_s into it.  Writers not given it keep their fields.
 * @return REACH_OK or REACH_ERR_IO (the driver refused the field).
 */
enum reach_status reach_writer_add_tof_field(struct reach_ctx *ctx,
                                             struct reach_writer *w);

/** Number of features added so far. */
size_t reach_writer_count(const struct reach_writer *w);

struct reach_lines;

/**
 * A layer written beside a writer's main one: "radials" (rings --radials),
 * "query_lines" (query's site-to-target geodesics) or "targets" (basket's
 * targets).  Formats that hold several layers (GeoPackage, PostGIS, LIBKML
 * .kml/.kmz, SQLite) get it in the same file or connection: a layer named
 * @p layer (PostGIS: a table named after the main one, TABLE_LAYER --
 * rings_radials, basket_targets, query_lines -- as a database may well hold
 * a table "targets" already); the main writer's transaction and commit
 * cover it.
 * Every other format (GeoJSON, shapefile, FlatGeobuf, CSV, GML, and GDAL's
 * KML driver, whose folders are written in turn) gets a file of its own
 * beside the main one, STEM_LAYER.EXT ("r.geojson" -> "r_radials.geojson"),
 * staged and moved into place by its own commit like the main file;
 * standard output ("-"), and a device or pipe written in a single-layer
 * format, hold one layer only and are refused (REACH_ERR_ARG; see
 * reach_writer_can_add_beside()).  Commit or abort the returned writer before @p main.
 */
enum reach_status reach_writer_open_beside(struct reach_ctx *ctx, struct reach_writer *main,
                                           const char *layer, struct reach_writer **out);

/** Whether reach_writer_open_beside() can add a layer to @p w: not when it
 * writes to standard output, nor a single-layer format to a device or a
 * pipe (one file only). */
int reach_writer_can_add_beside(const struct reach_writer *w);

/** One radial (line of bearing) of a ring: the fields of layer "radials". */
struct reach_radial_feature {
  const char *site;            /**< "site" */
  double site_lat, site_lon;   /**< "site_lat", "site_lon", degrees */
  const char *missile, *band;  /**< "missile", "band" ("" when none) */
  double min_km, range_km;     /**< "min_km" (where it starts), "range_km" */
  double az_deg;               /**< "az_deg", initial azimuth at the site */
  double tol_m, err_m;         /**< "tol_m", "err_m" (chord error achieved) */
  const char *source;          /**< "source": the catalogue's citation of the range, or NULL */
};

/** Append a radial to a writer from reach_writer_open_beside(.., "radials", ..). */
enum reach_status reach_writer_add_radial(struct reach_ctx *ctx, struct reach_writer *w,
                                          const struct reach_radial_feature *f,
                                          const struct reach_lines *geom);

/** Append a query row with its site-to-target geodesic (MultiLineString) to a
 * writer from reach_writer_open_beside(.., "query_lines", ..): the fields of
 * the query layer, plus site_lat, site_lon, tol_m and err_m. */
enum reach_status reach_writer_add_query_line(struct reach_ctx *ctx, struct reach_writer *w,
                                              const struct reach_query_feature *q,
                                              double site_lat, double site_lon, double tol_m,
                                              double err_m, const struct reach_lines *geom);

/** Append a point (fields name, lat, lon) to a writer from
 * reach_writer_open_beside(.., "targets", ..). */
enum reach_status reach_writer_add_point(struct reach_ctx *ctx, struct reach_writer *w,
                                         const char *name, double lat_deg, double lon_deg);


/**
 * A staged output stream: a FILE* whose contents reach @p path only when
 * reach_stream_commit() succeeds, with the guarantees of the writers:
 * - a regular file is written to a hidden file ".georeach-PID-XXXXXXXX"
 *   beside @p path (same folder, so the final rename is atomic) and moved
 *   into place by the commit; without @p overwrite the move is
 *   renameat2(RENAME_NOREPLACE), so of two runs racing for one name exactly
 *   one wins and the other gets REACH_ERR_IO; an existing file is refused
 *   at open already unless @p overwrite; a folder is always refused;
 * - "-" is standard output; an existing device or FIFO (or the file
 *   standard output/error already is, e.g. /dev/stdout) is written through
 *   as it is written, never replaced, and needs no @p overwrite (as the
 *   shell's noclobber); SIGPIPE is blocked in the opening thread until the
 *   commit or abort, so a closed pipe is an error, not a death;
 * - every write is checked: the commit fails with the first write error's
 *   reason (EFBIG, EDQUOT, EIO, ...) and nothing replaces the old file;
 * - the path may be of any length (its folder is opened component by
 *   component);
 * - staging files of runs killed with -9 are removed by a later open in the
 *   same folder, once their process is gone.
 * The stream must be written (reach_stream_file()) from the thread that
 * opened it.
 *
 * @return REACH_OK; REACH_ERR_IO (exists, a folder, cannot write the
 *   folder); REACH_ERR_NOMEM.  On success caller is responsible for
 *   finishing with reach_stream_commit() or reach_stream_abort().
 */
struct reach_stream;
enum reach_status reach_stream_open(struct reach_ctx *ctx, const char *path, int overwrite,
                                    struct reach_stream **s);

/** The stream's FILE* (owned by the stream: do not fclose() it). */
FILE *reach_stream_file(struct reach_stream *s);

/**
 * Flush, check every write, fsync and move the file into place (see
 * reach_stream_open()).  Frees @p s whatever the result.
 * @return REACH_OK; REACH_ERR_IO with the reason.  When the reader of a
 *   pipe, FIFO or standard output closed it, REACH_ERR_IO is returned with
 *   errno set to EPIPE (the CLI may then end quietly, as `head` expects).
 */
enum reach_status reach_stream_commit(struct reach_ctx *ctx, struct reach_stream *s);

/** Drop the stream: the staged file is removed (what was already written
 * through to a device or pipe stays written); frees @p s; NULL is a no-op. */
void reach_stream_abort(struct reach_stream *s);

/** Check, before any work, that a layer writer (reach_writer_open() and
 * the like) could write @p path: GDAL has a driver that creates vector
 * layers for its extension (or @p driver), and for a file, the folder is
 * writable and the file does not exist unless @p overwrite.  Nothing is
 * created; a PostGIS destination is only checked for its driver.
 * @return REACH_OK; REACH_ERR_ARG for the format; REACH_ERR_IO for the
 * file (as the writer would say). */
enum reach_status reach_writer_check(struct reach_ctx *ctx, const char *path,
                                     const char *driver, int overwrite);

/** Check, before any work, that reach_stream_open(@p path, @p overwrite)
 * would be allowed (folder writable, not a folder, exists only with
 * @p overwrite); nothing is created. */
enum reach_status reach_stream_check(struct reach_ctx *ctx, const char *path, int overwrite);

/** Kinds of feature of a layer read by reach_layer_read(). */
enum reach_layer_dim {
  REACH_LAYER_POINTS = 0,  /**< Point or MultiPoint */
  REACH_LAYER_LINES = 1,   /**< LineString or MultiLineString */
  REACH_LAYER_POLYGONS = 2 /**< Polygon or MultiPolygon */
};

/** One feature of a layer, in lon/lat on WGS84, with the fields georeach
 * styles by (empty, -1 or NaN when the layer lacks them). */
struct reach_layer_feature {
  enum reach_layer_dim dim;
  struct reach_geom geom; /**< polygons: cut at +/-180 and closed over the
                             poles like every region (repaired when invalid) */
  double *xy;             /**< points and lines: lon, lat pairs */
  size_t *part_start;     /**< part p: points part_start[p] .. part_start[p+1] */
  size_t nparts;          /**< a MultiPoint gives one part per point */
  char name[128];   /**< field "name", "site", "from_area" or "label" (the first
                         present and set), else "" */
  char missile[64]; /**< field "missile" */
  char band[16];    /**< field "band" */
  long count;       /**< field "count" (overlap bands); -1 when none */
  int at_least;     /**< field "at_least" is 1 */
  double range_km;  /**< field "range_km"; NaN when none */
};

/** A vector layer as reach_layer_read() reads it. */
struct reach_layer {
  char name[128]; /**< the layer's name */
  struct reach_layer_feature *features;
  size_t n;
  int has_missile, has_count; /**< the fields exist */
};

/**
 * Read the first layer of any vector file GDAL reads (a GeoPackage, GeoJSON,
 * shapefile, FlatGeobuf ... written by georeach or by QGIS), transformed to
 * lon/lat on WGS84 from its CRS.  Features with no geometry, an empty one or
 * another kind (collections, curves) are skipped and counted in @p skipped
 * (may be NULL).
 *
 * @return REACH_OK; REACH_ERR_IO when the file cannot be read;
 *   REACH_ERR_DATA naming the feature whose coordinates cannot be taken to
 *   WGS84.  Caller is responsible for freeing *out with reach_layer_free().
 */
enum reach_status reach_layer_read(struct reach_ctx *ctx, const char *path,
                                   struct reach_layer **out, size_t *skipped);

/** Free a layer; NULL is a no-op. */
void reach_layer_free(struct reach_layer *layer);

REACH_END_DECLS
#endif

/* Map pictures: regions, points and the bundled countries drawn with cairo in
 * a PROJ projection, after clipping in lon/lat (GEOS) to the part of the
 * Earth the projection shows.
 *
 * Why clip in lon/lat: an orthographic view cannot project the far
 * hemisphere and the azimuthal equidistant one blows up at the antipode, so a
 * polygon projected vertex by vertex would lose points and fill the wrong
 * side.  Intersected first with the visible area (a geodesic disc, or the
 * world cut at the projection's own antimeridian), every vertex projects and
 * the fill stays right.  Outlines are drawn from the polygons' edges that are
 * not on a cut line (lon = +/-180) or a pole line (lat = +/-90): pieces cut
 * there meet again in the projection, and their common edges are no
 * boundary. */
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <proj.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "geom/clip.h"
#include "georeach/gazetteer.h"
#include "georeach/io.h"
#include "georeach/map.h"
#include "georeach/ring.h"

#define PI 3.14159265358979323846
/* Largest distance, in pixels, of a drawn point from the image of the
 * straight lon/lat edge it stands for. */
#define MAP_SAG_PX 0.25

struct map_region {
  struct reach_geom geom;
  char *label;
  int colour, flags; /* colour: the fill group (palette index, or a key of
                        one colour of reach_map_add_region_rgb()) */
  struct reach_rgb rgb;
};

struct map_line {
  double *xy; /* lon, lat */
  size_t n;
  struct reach_rgb rgb;
  int flags;
};

struct map_point {
  double lat, lon;
  char *name;
  enum reach_map_marker marker;
};

struct map_legend {
  int colour, flags;
  struct reach_rgb rgb;
  char *text;
};

struct reach_map {
  int w, h;  /* h: as laid out */
  int h_req; /* height asked for; 0: fit */
  char *title;
  char *request; /* projection asked for; NULL: auto */
  int countries;
  struct map_region *regions;
  size_t nregions;
  struct map_point *points;
  size_t npoints;
  struct map_legend *legend;
  size_t nlegend;
  struct map_line *lines;
  size_t nlines;
  int nkeys; /* colour keys handed out to reach_map_add_region_rgb() */
  char **credits; /* added credit lines */
  size_t ncredits;
  int ncities;     /* cities to name in reach */
  int label_max;   /* longest point or city name, grapheme clusters; 0: any */
  int transparent; /* nothing painted outside the frame */
  int dpi;         /* PNG pHYs; 0: none */

  /* what the last write placed */
  struct reach_map_label *labels;
  size_t nlabels;
  signed char *in_reach; /* per point: 1, 0, -1 unknown */

  /* layout */
  int laid_out;
  enum reach_map_kind kind;
  char *proj;                /* target CRS as given to PROJ */
  char desc[256];            /* the projection in words (subtitle) */
  double lat0, lon0;         /* centre of the points */
  double extent_m;           /* farthest vertex or point from the centre */
  struct reach_geom visible; /* what the projection shows, lon/lat */
  int whole_world;           /* visible is the whole [-180,180]x[-90,90] */
  int boxes;                 /* visible is lon/lat boxes (world views) */
  PJ_CONTEXT *pjc;
  PJ *pj;                    /* lon/lat degrees -> projected x, y */
  double gt[6];              /* pixel -> projected */
  double px0, py0, px1, py1; /* the map's frame, pixels */
  double unit;               /* line and font unit, pixels */
  double grat_deg;           /* graticule spacing */
};

/* Styles.  Tableau 10, red first (the usual colour of a threat ring). */
static const struct reach_rgb palette[REACH_MAP_NCOLOURS] = {
    {0.839, 0.153, 0.157}, {0.122, 0.467, 0.706}, {0.173, 0.627, 0.173},
    {1.000, 0.498, 0.055}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
    {0.890, 0.467, 0.761}, {0.090, 0.745, 0.812}, {0.737, 0.741, 0.133},
    {0.498, 0.498, 0.498}};
static const struct reach_rgb c_land = {0.925, 0.910, 0.863};
static const struct reach_rgb c_ocean = {0.812, 0.890, 0.941};
static const struct reach_rgb c_back = {1, 1, 1};
static const struct reach_rgb c_site = {0.133, 0.133, 0.133};
static const struct reach_rgb c_target = {0.55, 0.0, 0.0};
static const struct reach_rgb c_target_in = {0.78, 0.0, 0.0};      /* red: hit */
static const struct reach_rgb c_target_out = {0.35, 0.40, 0.45};   /* slate: spared */
static const struct reach_rgb c_city = {0.25, 0.25, 0.25};
static const double fill_alpha = 0.22;
/* Over the ocean the fills are stronger: at 0.22 the palette's blue
 * (#1f77b4) over the ocean (#cfe3f0) moves no channel by more than 39 of
 * 255 and reads as more sea; at 0.35 it moves red by 62, and every palette
 * colour moves some channel by at least 38 (24 at 0.22).  Not more: four
 * rings stacked over a sea already turn it brown. */
static const double fill_alpha_sea = 0.35;
/* REACH_MAP_STRONG (overlap counts): the ramp must read as levels, land or
 * sea alike, and its bands never overlap, so nothing stacks. */
static const double fill_alpha_strong = 0.6;
/* A sequential ramp (ColorBrewer YlOrRd, 3 classes): light to dark as more
 * sites reach a place. */
static const struct reach_rgb ramp[3] = {
    {0.996, 0.851, 0.463}, {0.992, 0.553, 0.235}, {0.741, 0.0, 0.149}};

struct reach_rgb reach_map_count_colour(long count) {
  return ramp[count <= 1 ? 0 : count == 2 ? 1 : 2];
}

struct reach_rgb reach_map_colour(int colour) {
  int i = colour % REACH_MAP_NCOLOURS;
  return palette[i < 0 ? i + REACH_MAP_NCOLOURS : i];
}

void reach_map_style(const struct reach_map *map, struct reach_map_style *style) {
  (void)map;
  style->land = c_land;
  style->ocean = c_ocean;
  style->background = c_back;
  style->site = c_site;
  style->fill_alpha = fill_alpha;
  style->fill_alpha_sea = fill_alpha_sea;
  style->target_in = c_target_in;
  style->target_out = c_target_out;
  style->city = c_city;
  style->fill_alpha_strong = fill_alpha_strong;
}

static void set_rgb(cairo_t *cr, struct reach_rgb c, double alpha) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

/* ---- the map object ---------------------------------------------------- */

enum reach_status reach_map_new(struct reach_ctx *ctx, int width_px,
                                int height_px, struct reach_map **map) {
  *map = NULL;
  if (width_px < REACH_MAP_SIZE_MIN || width_px > REACH_MAP_SIZE_MAX ||
      (height_px != 0 &&
       (height_px < REACH_MAP_SIZE_MIN || height_px > REACH_MAP_SIZE_MAX)))
    return reach_fail(ctx, REACH_ERR_ARG, "map size %dx%d is outside [%d, %d] pixels",
                      width_px, height_px, REACH_MAP_SIZE_MIN, REACH_MAP_SIZE_MAX);
  struct reach_map *m = calloc(1, sizeof *m);
  if (!m || !(m->pjc = proj_context_create())) {
    free(m);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  proj_log_level(m->pjc, PJ_LOG_NONE);
  m->w = width_px;
  m->h = m->h_req = height_px;
  m->countries = 1;
  *map = m;
  return REACH_OK;
}

static void unlayout(struct reach_map *m) {
  if (m->pj) proj_destroy(m->pj);
  m->pj = NULL;
  free(m->proj);
  m->proj = NULL;
  reach_geom_clear(&m->visible);
  m->laid_out = m->boxes = m->whole_world = 0;
}

static void forget_labels(struct reach_map *m) {
  for (size_t i = 0; i < m->nlabels; i++) free((char *)m->labels[i].text);
  free(m->labels);
  m->labels = NULL;
  m->nlabels = 0;
}

void reach_map_free(struct reach_map *map) {
  if (!map) return;
  unlayout(map);
  forget_labels(map);
  free(map->in_reach);
  for (size_t i = 0; i < map->ncredits; i++) free(map->credits[i]);
  free(map->credits);
  for (size_t i = 0; i < map->nregions; i++) {
    reach_geom_clear(&map->regions[i].geom);
    free(map->regions[i].label);
  }
  for (size_t i = 0; i < map->npoints; i++) free(map->points[i].name);
  for (size_t i = 0; i < map->nlegend; i++) free(map->legend[i].text);
  for (size_t i = 0; i < map->nlines; i++) free(map->lines[i].xy);
  free(map->lines);
  free(map->regions);
  free(map->points);
  free(map->legend);
  free(map->title);
  free(map->request);
  proj_context_destroy(map->pjc);
  free(map);
}

static char *dup_or_null(const char *s) {
  return s && *s ? strdup(s) : NULL;
}

enum reach_status reach_map_set_title(struct reach_ctx *ctx, struct reach_map *map,
                                      const char *title) {
  char *t = dup_or_null(title);
  if (title && *title && !t) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  free(map->title);
  map->title = t;
  return REACH_OK;
}

void reach_map_set_countries(struct reach_map *map, int on) {
  map->countries = on != 0;
}

static int is_keyword(const char *p) {
  return !strcasecmp(p, "auto") || !strcasecmp(p, "aeqd") ||
         !strcasecmp(p, "world") || !strcasecmp(p, "globe");
}

/* A CRS from what was given: "+proj=..." conversions become CRSs. */
static PJ *crs_from(PJ_CONTEXT *pjc, const char *text, char **used) {
  char *s;
  if (!strncmp(text, "+proj=", 6) && !strstr(text, "+type=crs")) {
    size_t n = strlen(text) + 16;
    s = malloc(n);
    if (s) snprintf(s, n, "%s +type=crs", text);
  } else {
    s = strdup(text);
  }
  if (!s) return NULL;
  PJ *crs = proj_create(pjc, s);
  if (crs && !proj_is_crs(crs)) {
    proj_destroy(crs);
    crs = NULL;
  }
  if (crs && used)
    *used = s;
  else
    free(s);
  return crs;
}

/* EPSG:4326 (lon, lat order) to @p crs. */
static PJ *transform_to(PJ_CONTEXT *pjc, PJ *crs) {
  PJ *wgs = proj_create(pjc, "EPSG:4326");
  PJ *op = wgs ? proj_create_crs_to_crs_from_pj(pjc, wgs, crs, NULL, NULL) : NULL;
  PJ *norm = op ? proj_normalize_for_visualization(pjc, op) : NULL;
  proj_destroy(op);
  proj_destroy(wgs);
  return norm;
}

enum reach_status reach_map_set_projection(struct reach_ctx *ctx,
                                           struct reach_map *map,
                                           const char *projection) {
  if (projection && !*projection)
    return reach_fail(ctx, REACH_ERR_ARG, "empty projection");
  if (projection && !is_keyword(projection)) {
    PJ *crs = crs_from(map->pjc, projection, NULL);
    /* PROJ takes a bare word as the name of any object that contains it
     * ("wat": GCS_NAD_1983_HARN_Adj_MN_Watonwan): a name must be whole */
    if (crs && !strpbrk(projection, "+:[{") && proj_get_name(crs) &&
        strcasecmp(proj_get_name(crs), projection) != 0) {
      char found[200];
      snprintf(found, sizeof found, "%s", proj_get_name(crs));
      proj_destroy(crs);
      return reach_fail(ctx, REACH_ERR_ARG,
                        "PROJ cannot use '%s' as a map projection (it only matches "
                        "part of the name '%s'); give auto, aeqd, world, globe, a "
                        "whole CRS name, AUTH:CODE or a PROJ string such as "
                        "'+proj=laea +lat_0=50 +lon_0=30'",
                        projection, found);
    }
    PJ *op = crs ? transform_to(map->pjc, crs) : NULL;
    int e = proj_context_errno(map->pjc);
    proj_destroy(op);
    proj_destroy(crs);
    if (!op)
      return reach_fail(ctx, REACH_ERR_ARG,
                        "PROJ cannot use '%s' as a map projection (%s); give auto, "
                        "aeqd, world, globe or a PROJ string such as '+proj=laea "
                        "+lat_0=50 +lon_0=30'",
                        projection,
                        e ? proj_context_errno_string(map->pjc, e)
                          : "not a coordinate reference system");
  }
  int given = projection && strcasecmp(projection, "auto") != 0;
  char *r = given ? strdup(projection) : NULL;
  if (given && !r)
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  free(map->request);
  map->request = r;
  unlayout(map);
  return REACH_OK;
}

static enum reach_status copy_geom(const struct reach_geom *in, struct reach_geom *out) {
  memset(out, 0, sizeof *out);
  out->poly_start = malloc((in->npolys + 1) * sizeof(size_t));
  out->ring_start = malloc((in->nrings + 1) * sizeof(size_t));
  out->xy = malloc((in->npoints ? 2 * in->npoints : 1) * sizeof(double));
  if (!out->poly_start || !out->ring_start || !out->xy) {
    reach_geom_clear(out);
    return REACH_ERR_NOMEM;
  }
  out->npolys = in->npolys;
  out->nrings = in->nrings;
  out->npoints = in->npoints;
  memcpy(out->poly_start, in->poly_start, (in->npolys + 1) * sizeof(size_t));
  if (in->ring_start)
    memcpy(out->ring_start, in->ring_start, (in->nrings + 1) * sizeof(size_t));
  else
    out->ring_start[0] = 0;
  if (in->npoints) memcpy(out->xy, in->xy, 2 * in->npoints * sizeof(double));
  return REACH_OK;
}

enum reach_status reach_map_add_region(struct reach_ctx *ctx, struct reach_map *map,
                                       const struct reach_geom *geom,
                                       const char *label, int colour, int flags) {
  if (geom->npolys && (!geom->poly_start || !geom->ring_start || !geom->xy))
    return reach_fail(ctx, REACH_ERR_ARG, "region with no arrays");
  struct map_region *r = realloc(map->regions, (map->nregions + 1) * sizeof *r);
  if (!r) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->regions = r;
  r = &map->regions[map->nregions];
  memset(r, 0, sizeof *r);
  if (geom->npolys == 0) {
    r->geom.poly_start = calloc(1, sizeof(size_t));
    if (!r->geom.poly_start) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  } else if (copy_geom(geom, &r->geom) != REACH_OK) {
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  r->label = dup_or_null(label);
  if (label && *label && !r->label) {
    reach_geom_clear(&r->geom);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  r->colour = colour;
  r->flags = flags;
  r->rgb = reach_map_colour(colour);
  map->nregions++;
  unlayout(map);
  return REACH_OK;
}

enum reach_status reach_map_add_point(struct reach_ctx *ctx, struct reach_map *map,
                                      double lat_deg, double lon_deg,
                                      const char *name, enum reach_map_marker marker) {
  if (!(fabs(lat_deg) <= 90) || !isfinite(lon_deg))
    return reach_fail(ctx, REACH_ERR_ARG, "point %g, %g is not on the Earth", lat_deg,
                      lon_deg);
  struct map_point *p = realloc(map->points, (map->npoints + 1) * sizeof *p);
  if (!p) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->points = p;
  p = &map->points[map->npoints];
  p->lat = lat_deg;
  p->lon = remainder(lon_deg, 360);
  p->marker = marker;
  p->name = dup_or_null(name);
  if (name && *name && !p->name) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  signed char *ir = realloc(map->in_reach, map->npoints + 1);
  if (!ir) {
    free(p->name);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  map->in_reach = ir;
  ir[map->npoints] = -1;
  map->npoints++;
  unlayout(map);
  return REACH_OK;
}

enum reach_status reach_map_add_legend(struct reach_ctx *ctx, struct reach_map *map,
                                       int colour, int flags, const char *text) {
  struct map_legend *l = realloc(map->legend, (map->nlegend + 1) * sizeof *l);
  if (!l) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->legend = l;
  l = &map->legend[map->nlegend];
  l->colour = colour;
  l->flags = flags;
  l->rgb = reach_map_colour(colour);
  l->text = strdup(text ? text : "");
  if (!l->text) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->nlegend++;
  return REACH_OK;
}

static int same_rgb(struct reach_rgb a, struct reach_rgb b) {
  return a.r == b.r && a.g == b.g && a.b == b.b;
}

enum reach_status reach_map_add_region_rgb(struct reach_ctx *ctx, struct reach_map *map,
                                           const struct reach_geom *geom, const char *label,
                                           struct reach_rgb rgb, int flags) {
  /* one fill group per colour: keys below any palette index one would use */
  int key = 0;
  for (size_t i = 0; i < map->nregions && !key; i++)
    if (map->regions[i].colour <= -1000000 && same_rgb(map->regions[i].rgb, rgb))
      key = map->regions[i].colour;
  if (!key) key = -1000000 - map->nkeys++;
  enum reach_status st = reach_map_add_region(ctx, map, geom, label, key, flags);
  if (st == REACH_OK) map->regions[map->nregions - 1].rgb = rgb;
  return st;
}

enum reach_status reach_map_add_legend_rgb(struct reach_ctx *ctx, struct reach_map *map,
                                           struct reach_rgb rgb, int flags, const char *text) {
  enum reach_status st = reach_map_add_legend(ctx, map, 0, flags, text);
  if (st == REACH_OK) map->legend[map->nlegend - 1].rgb = rgb;
  return st;
}

enum reach_status reach_map_add_line(struct reach_ctx *ctx, struct reach_map *map,
                                     const double *lonlat, size_t n, struct reach_rgb rgb,
                                     int flags) {
  if (n < 2) return reach_fail(ctx, REACH_ERR_ARG, "a line needs 2 points or more");
  for (size_t i = 0; i < n; i++)
    if (!(fabs(lonlat[2 * i + 1]) <= 90) || !(fabs(lonlat[2 * i]) <= 180))
      return reach_fail(ctx, REACH_ERR_ARG, "line point %g, %g is not a longitude, latitude",
                        lonlat[2 * i], lonlat[2 * i + 1]);
  struct map_line *l = realloc(map->lines, (map->nlines + 1) * sizeof *l);
  if (!l) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->lines = l;
  l = &map->lines[map->nlines];
  l->xy = malloc(2 * n * sizeof(double));
  if (!l->xy) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  memcpy(l->xy, lonlat, 2 * n * sizeof(double));
  l->n = n;
  l->rgb = rgb;
  l->flags = flags;
  map->nlines++;
  unlayout(map);
  return REACH_OK;
}

enum reach_status reach_map_add_cities(struct reach_ctx *ctx, struct reach_map *map,
                                       int n) {
  if (n < 0) return reach_fail(ctx, REACH_ERR_ARG, "a number of cities cannot be negative");
  map->ncities = n;
  return REACH_OK;
}

enum reach_status reach_map_add_credit(struct reach_ctx *ctx, struct reach_map *map,
                                       const char *text) {
  if (!text || !*text) return REACH_OK;
  char **c = realloc(map->credits, (map->ncredits + 1) * sizeof *c);
  if (!c) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->credits = c;
  if (!(c[map->ncredits] = strdup(text))) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  /* one line each: a newline would draw over the line above */
  for (char *q = c[map->ncredits]; *q; q++)
    if (*q == '\n' || *q == '\r') *q = ' ';
  map->ncredits++;
  return REACH_OK;
}

enum reach_status reach_map_set_label_max(struct reach_ctx *ctx, struct reach_map *map,
                                          int max_chars) {
  if (max_chars < 0 || max_chars == 1)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "a label length limit is 0 (none) or at least 2 characters, not %d",
                      max_chars);
  map->label_max = max_chars;
  return REACH_OK;
}

void reach_map_set_transparent(struct reach_map *map, int on) {
  map->transparent = on != 0;
}

enum reach_status reach_map_set_dpi(struct reach_ctx *ctx, struct reach_map *map, int dpi) {
  if (dpi < 0 || dpi > 10000)
    return reach_fail(ctx, REACH_ERR_ARG, "a resolution of %d dpi is outside [1, 10000]", dpi);
  map->dpi = dpi;
  return REACH_OK;
}

size_t reach_map_labels(const struct reach_map *map, const struct reach_map_label **labels) {
  *labels = map->labels;
  return map->nlabels;
}

int reach_map_point_in_reach(const struct reach_map *map, size_t i) {
  return i < map->npoints && map->points[i].marker == REACH_MAP_TARGET_REACH
             ? map->in_reach[i]
             : -1;
}

enum reach_map_kind reach_map_projection_kind(const struct reach_map *map) {
  return map->laid_out ? map->kind : REACH_MAP_AUTO;
}

const char *reach_map_projection(const struct reach_map *map) {
  return map->proj ? map->proj : "";
}

void reach_map_size(const struct reach_map *map, int *width_px, int *height_px) {
  *width_px = map->w;
  *height_px = map->laid_out || map->h_req ? map->h : (int)lround(0.75 * map->w);
}

void reach_map_geotransform(const struct reach_map *map, double gt[6]) {
  memcpy(gt, map->gt, sizeof map->gt);
}

/* ---- projecting --------------------------------------------------------- */

/* Projected coordinates of lon, lat; 0 where PROJ cannot. */
static int proj_xy(struct reach_map *m, double lon, double lat, double *x, double *y) {
  PJ_COORD c = proj_trans(m->pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
  if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || fabs(c.xy.x) > 1e30 ||
      fabs(c.xy.y) > 1e30) {
    proj_errno_reset(m->pj);
    return 0;
  }
  *x = c.xy.x;
  *y = c.xy.y;
  return 1;
}

/* Pixel of lon, lat (cairo user space: x right, y down); 0 where PROJ
 * cannot project it. */
static int px_of(struct reach_map *m, double lon, double lat, double *col, double *row) {
  double x, y;
  if (!proj_xy(m, lon, lat, &x, &y)) return 0;
  *col = (x - m->gt[0]) / m->gt[1];
  *row = (y - m->gt[3]) / m->gt[5];
  return 1;
}

/* Points of the edge from a (lon/lat la, pixel pa) to b, b included, a not:
 * halved until the image of each half's midpoint is within MAP_SAG_PX of the
 * chord. */
static int refine(struct reach_map *m, struct reach_pts *out, const double la[2],
                  const double pa[2], const double lb[2], const double pb[2], int depth) {
  double lm[2] = {(la[0] + lb[0]) / 2, (la[1] + lb[1]) / 2}, pm[2];
  if (depth < 20 && px_of(m, lm[0], lm[1], &pm[0], &pm[1]) &&
      hypot(pm[0] - (pa[0] + pb[0]) / 2, pm[1] - (pa[1] + pb[1]) / 2) > MAP_SAG_PX)
    return refine(m, out, la, pa, lm, pm, depth + 1) &&
           refine(m, out, lm, pm, lb, pb, depth + 1);
  return reach_pts_push(out, pb[0], pb[1]);
}

/* The pixel image of a lon/lat polyline, densified so that it follows the
 * projected straight lon/lat edges.  Points PROJ cannot project are
 * dropped. */
static int project_line(struct reach_map *m, const double *xy, size_t n,
                        struct reach_pts *out) {
  out->n = 0;
  double prev[2] = {0, 0}, pprev[2] = {0, 0};
  int have = 0;
  for (size_t k = 0; k < n; k++) {
    double l[2] = {xy[2 * k], xy[2 * k + 1]}, p[2];
    if (!px_of(m, l[0], l[1], &p[0], &p[1])) continue;
    if (!have) {
      if (!reach_pts_push(out, p[0], p[1])) return 0;
    } else {
      /* pieces of at most a degree first: the midpoint test alone can miss
       * an S-shaped image */
      double len = hypot(l[0] - prev[0], l[1] - prev[1]);
      int pieces = len > 1 ? (int)ceil(len) : 1;
      double a[2] = {prev[0], prev[1]}, pa[2] = {pprev[0], pprev[1]};
      for (int i = 1; i <= pieces; i++) {
        double b[2], pb[2];
        if (i == pieces) {
          b[0] = l[0], b[1] = l[1], pb[0] = p[0], pb[1] = p[1];
        } else {
          double t = (double)i / pieces;
          b[0] = prev[0] + t * (l[0] - prev[0]);
          b[1] = prev[1] + t * (l[1] - prev[1]);
          if (!px_of(m, b[0], b[1], &pb[0], &pb[1])) continue;
        }
        if (!refine(m, out, a, pa, b, pb, 0)) return 0;
        a[0] = b[0], a[1] = b[1], pa[0] = pb[0], pa[1] = pb[1];
      }
    }
    prev[0] = l[0], prev[1] = l[1], pprev[0] = p[0], pprev[1] = p[1];
    have = 1;
  }
  return 1;
}

static double signed_area(const struct reach_pts *p) {
  double a = 0;
  for (size_t i = 0; i + 1 < p->n; i++)
    a += p->xy[2 * i] * p->xy[2 * i + 3] - p->xy[2 * i + 2] * p->xy[2 * i + 1];
  if (p->n > 1)
    a += p->xy[2 * (p->n - 1)] * p->xy[1] - p->xy[0] * p->xy[2 * (p->n - 1) + 1];
  return a / 2;
}

/* Add a projected ring to the path, turned so that exteriors all wind one
 * way and holes the other: filled with the nonzero rule, the polygons of one
 * path then fill their union, with no seam where pieces meet. */
static void path_ring(cairo_t *cr, const struct reach_pts *p, int hole) {
  if (p->n < 3) return;
  int reverse = (signed_area(p) < 0) != hole;
  for (size_t i = 0; i < p->n; i++) {
    size_t k = reverse ? p->n - 1 - i : i;
    if (i == 0)
      cairo_move_to(cr, p->xy[2 * k], p->xy[2 * k + 1]);
    else
      cairo_line_to(cr, p->xy[2 * k], p->xy[2 * k + 1]);
  }
  cairo_close_path(cr);
}

/* ---- layout ------------------------------------------------------------- */

static void unit_vec(double lat, double lon, double v[3]) {
  v[0] = cos(lat * DEG) * cos(lon * DEG);
  v[1] = cos(lat * DEG) * sin(lon * DEG);
  v[2] = sin(lat * DEG);
}

/* The centre: the normalised mean of the points' unit vectors, else of the
 * regions' vertices; the first of them when the mean is (nearly) zero. */
static void find_centre(struct reach_map *m) {
  double s[3] = {0, 0, 0}, v[3], first[2] = {0, 0};
  size_t n = 0;
  for (size_t i = 0; i < m->npoints; i++, n++) {
    unit_vec(m->points[i].lat, m->points[i].lon, v);
    for (int k = 0; k < 3; k++) s[k] += v[k];
    if (n == 0) first[0] = m->points[i].lat, first[1] = m->points[i].lon;
  }
  for (size_t r = 0; n == 0 && r < m->nregions; r++) {
    const struct reach_geom *g = &m->regions[r].geom;
    for (size_t k = 0; k < g->npoints; k++) {
      unit_vec(g->xy[2 * k + 1], g->xy[2 * k], v);
      for (int j = 0; j < 3; j++) s[j] += v[j];
      if (k == 0) first[0] = g->xy[1], first[1] = g->xy[0];
    }
  }
  int none = n == 0 && m->nregions == 0;
  for (size_t r = 0; none && r < m->nlines; r++) { /* lines alone */
    const struct map_line *l = &m->lines[r];
    for (size_t k = 0; k < l->n; k++) {
      unit_vec(l->xy[2 * k + 1], l->xy[2 * k], v);
      for (int j = 0; j < 3; j++) s[j] += v[j];
      if (k == 0 && r == 0) first[0] = l->xy[1], first[1] = l->xy[0];
    }
  }
  double norm = sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
  if (norm < 1e-9 * (n ? (double)n : 1)) {
    m->lat0 = first[0];
    m->lon0 = first[1];
    return;
  }
  m->lat0 = asin(fmax(-1, fmin(1, s[2] / norm))) / DEG;
  m->lon0 = s[0] == 0 && s[1] == 0 ? 0 : atan2(s[1], s[0]) / DEG;
}

/* Rounded to 1e-6 degree, the precision written in the PROJ string: PROJ
 * must see the same lon_0 the world boxes are cut at. */
static double round6(double deg) {
  return round(deg * 1e6) / 1e6;
}

/* Farthest geodesic distance from the centre to a point or region vertex
 * (at most 20,000 vertices of a region are looked at). */
static double find_extent(const struct reach_ctx *ctx, const struct reach_map *m) {
  double far = 0, s12;
  for (size_t i = 0; i < m->npoints; i++) {
    geod_inverse(&ctx->g, m->lat0, m->lon0, m->points[i].lat, m->points[i].lon, &s12,
                 NULL, NULL);
    far = fmax(far, s12);
  }
  for (size_t r = 0; r < m->nregions; r++) {
    const struct reach_geom *g = &m->regions[r].geom;
    size_t step = g->npoints / 20000 + 1;
    for (size_t k = 0; k < g->npoints; k += step) {
      geod_inverse(&ctx->g, m->lat0, m->lon0, g->xy[2 * k + 1], g->xy[2 * k], &s12, NULL,
                   NULL);
      far = fmax(far, s12);
    }
  }
  for (size_t r = 0; r < m->nlines; r++) {
    const struct map_line *l = &m->lines[r];
    size_t step = l->n / 20000 + 1;
    for (size_t k = 0; k < l->n; k += step) {
      geod_inverse(&ctx->g, m->lat0, m->lon0, l->xy[2 * k + 1], l->xy[2 * k], &s12, NULL,
                   NULL);
      far = fmax(far, s12);
    }
  }
  return far;
}

/* A geodesic disc round the centre as the visible area. */
static enum reach_status disc(struct reach_ctx *ctx, struct reach_map *m, double lat,
                              double lon, double radius_m) {
  double tol = fmin(REACH_TOLERANCE_MAX_M, fmax(1, radius_m * 2e-4));
  struct reach_ring_spec s = {.lat_deg = lat, .lon_deg = lon, .range_m = radius_m,
                              .tolerance_m = tol};
  struct reach_ring ring;
  enum reach_status st = reach_ring_build(ctx, &s, &ring);
  if (st) return st;
  m->visible = ring.geom;
  m->whole_world = ring.whole_globe;
  memset(&ring.geom, 0, sizeof ring.geom);
  reach_ring_clear(&ring);
  return REACH_OK;
}

/* The world as seen by a projection whose antimeridian is lon_0 + 180: one
 * box, or two that stop just short of that meridian on either side (so that
 * every point projects on its own side of the map). */
static enum reach_status world_boxes(struct reach_ctx *ctx, struct reach_map *m,
                                     double lon_0) {
  double seam = remainder(lon_0 + 180, 360);
  int two = fabs(fabs(seam) - 180) > 1e-9;
  const double eps = 1e-6;
  double xs[2][2] = {{-180, two ? seam - eps : 180}, {seam + eps, 180}};
  struct reach_geom *g = &m->visible;
  size_t np = two ? 2 : 1;
  g->poly_start = malloc((np + 1) * sizeof(size_t));
  g->ring_start = malloc((np + 1) * sizeof(size_t));
  g->xy = malloc(np * 10 * sizeof(double));
  if (!g->poly_start || !g->ring_start || !g->xy) {
    reach_geom_clear(g);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  g->npolys = g->nrings = np;
  g->npoints = 5 * np;
  for (size_t p = 0; p <= np; p++) {
    g->poly_start[p] = p;
    g->ring_start[p] = 5 * p;
  }
  for (size_t p = 0; p < np; p++) {
    double x0 = xs[p][0], x1 = xs[p][1];
    double box[10] = {x0, -90, x1, -90, x1, 90, x0, 90, x0, -90};
    memcpy(g->xy + 10 * p, box, sizeof box);
  }
  m->whole_world = !two;
  m->boxes = 1;
  return REACH_OK;
}

/* A PROJ parameter "+name=value" of a string, or @p dflt. */
static double proj_param(const char *s, const char *name, double dflt) {
  char key[32];
  snprintf(key, sizeof key, "+%s=", name);
  const char *p = strstr(s, key);
  if (!p) return dflt;
  char *end;
  double v = strtod(p + strlen(key), &end);
  return end == p + strlen(key) || !isfinite(v) ? dflt : v;
}

/* Bounding box of the projected outline of the visible area. */
static void visible_box(struct reach_map *m, double box[4]) {
  box[0] = box[1] = INFINITY;
  box[2] = box[3] = -INFINITY;
  const struct reach_geom *g = &m->visible;
  for (size_t r = 0; r < g->nrings; r++)
    for (size_t k = g->ring_start[r]; k < g->ring_start[r + 1]; k++) {
      double a[2] = {g->xy[2 * k], g->xy[2 * k + 1]};
      size_t k1 = k + 1 < g->ring_start[r + 1] ? k + 1 : k;
      double dx = g->xy[2 * k1] - a[0], dy = g->xy[2 * k1 + 1] - a[1];
      /* a point every degree along the edge: box edges are long */
      int n = (int)ceil(hypot(dx, dy));
      for (int i = 0; i < (n > 1 ? n : 1); i++) {
        double t = n > 1 ? (double)i / n : 0, x, y;
        if (proj_xy(m, a[0] + t * dx, a[1] + t * dy, &x, &y)) {
          box[0] = fmin(box[0], x), box[1] = fmin(box[1], y);
          box[2] = fmax(box[2], x), box[3] = fmax(box[3], y);
        }
      }
    }
}

static double nice_step(double v, const double *steps, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (steps[i] >= v) return steps[i];
  return steps[n - 1];
}

enum reach_status reach_map_layout(struct reach_ctx *ctx, struct reach_map *m) {
  unlayout(m);
  find_centre(m);
  m->lat0 = round6(m->lat0);
  m->lon0 = round6(m->lon0);
  m->extent_m = m->nregions || m->npoints || m->nlines ? find_extent(ctx, m)
                                          : reach_antipodal_distance_m(ctx);
  const char *req = m->request;
  m->kind = !req                        ? (m->extent_m <= REACH_MAP_AEQD_MAX_M ? REACH_MAP_AEQD
                                                                               : REACH_MAP_WORLD)
            : !strcasecmp(req, "aeqd")  ? REACH_MAP_AEQD
            : !strcasecmp(req, "world") ? REACH_MAP_WORLD
            : !strcasecmp(req, "globe") ? REACH_MAP_GLOBE
                                        : REACH_MAP_CUSTOM;
  /* the frame: a title band on top, margins round the map; the unit of
   * lines and letters grows with the picture */
  m->h = m->h_req ? m->h_req : (int)lround(0.75 * m->w);
  m->unit = fmax(0.6, (m->w < m->h ? m->w : m->h) / 1000.0);
  double u = m->unit, margin = round(12 * u);
  m->px0 = margin;
  m->px1 = m->w - margin;
  m->py0 = round(m->title ? 70 * u : 36 * u);
  m->py1 = m->h - margin;
  double wp = m->px1 - m->px0, hp = m->py1 - m->py0;

  char buf[512];
  double lat0 = m->lat0, lon0 = m->lon0;
  const char *ns = lat0 >= 0 ? "N" : "S", *ew = lon0 >= 0 ? "E" : "W";
  switch (m->kind) {
  case REACH_MAP_AEQD:
    snprintf(buf, sizeof buf,
             "+proj=aeqd +lat_0=%.6f +lon_0=%.6f +datum=WGS84 +units=m +no_defs +type=crs",
             lat0, lon0);
    snprintf(m->desc, sizeof m->desc,
             "Azimuthal equidistant centred on %.2f\xC2\xB0%s %.2f\xC2\xB0%s", fabs(lat0),
             ns, fabs(lon0), ew);
    break;
  case REACH_MAP_GLOBE:
    snprintf(buf, sizeof buf,
             "+proj=ortho +lat_0=%.6f +lon_0=%.6f +datum=WGS84 +units=m +no_defs +type=crs",
             lat0, lon0);
    snprintf(m->desc, sizeof m->desc,
             "Orthographic view centred on %.2f\xC2\xB0%s %.2f\xC2\xB0%s", fabs(lat0), ns,
             fabs(lon0), ew);
    break;
  case REACH_MAP_WORLD:
    snprintf(buf, sizeof buf,
             "+proj=robin +lon_0=%.6f +datum=WGS84 +units=m +no_defs +type=crs", lon0);
    snprintf(m->desc, sizeof m->desc, "Robinson centred on %.2f\xC2\xB0%s", fabs(lon0), ew);
    break;
  default:
    snprintf(buf, sizeof buf, "%s", req);
    snprintf(m->desc, sizeof m->desc, "%.200s", req);
    break;
  }
  PJ *crs = crs_from(m->pjc, buf, &m->proj);
  m->pj = crs ? transform_to(m->pjc, crs) : NULL;
  proj_destroy(crs);
  if (!m->pj)
    return reach_fail(ctx, REACH_ERR_ARG, "PROJ cannot use the projection '%s'", buf);

  /* what the projection shows, and the window on it */
  enum reach_status st = REACH_OK;
  double win[4] = {0, 0, 0, 0}; /* xmin ymin xmax ymax, projected */
  double antipodal = reach_antipodal_distance_m(ctx);
  if (m->kind == REACH_MAP_AEQD) {
    double e = fmax(m->extent_m * 1.08, 100000);
    double hx = e, hy = e;
    if (wp / hp > 1)
      hx = e * wp / hp;
    else
      hy = e * hp / wp;
    win[0] = -hx, win[1] = -hy, win[2] = hx, win[3] = hy;
    st = disc(ctx, m, lat0, lon0, fmin(hypot(hx, hy) * 1.02, antipodal - 1000));
  } else if (m->kind == REACH_MAP_GLOBE) {
    /* a little short of the horizon: an ellipsoid's limb is not a geodesic
     * circle, and points past it have no orthographic image */
    st = disc(ctx, m, lat0, lon0, 0.99 * antipodal / 2);
  } else if (m->kind == REACH_MAP_WORLD) {
    st = world_boxes(ctx, m, lon0);
  } else {
    const char *pn = strstr(m->proj, "+proj=");
    double la = proj_param(m->proj, "lat_0", 0), lo = proj_param(m->proj, "lon_0", 0);
    char name[16] = "";
    if (pn) sscanf(pn + 6, "%15[a-z_0-9]", name);
    double r = !strcmp(name, "ortho")                              ? 0.99 * antipodal / 2
               : !strcmp(name, "aeqd") || !strcmp(name, "laea")    ? antipodal - 1000
               : !strcmp(name, "stere") || !strcmp(name, "sterea") ? 0.6 * antipodal
               : !strcmp(name, "gnom")                             ? 0.35 * antipodal
                                                                   : 0;
    st = r > 0 ? disc(ctx, m, la, lo, r) : world_boxes(ctx, m, lo);
  }
  if (st) return st;
  if (m->kind != REACH_MAP_AEQD) {
    double vb[4];
    visible_box(m, vb);
    if (!(vb[2] > vb[0] && vb[3] > vb[1]))
      return reach_fail(ctx, REACH_ERR_ARG, "PROJ cannot project the map's area in '%s'",
                        m->proj);
    memcpy(win, vb, sizeof win);
    if (!m->h_req) {
      /* as tall as the whole visible area needs, up to 3/4 of the width */
      double need = m->py0 + wp * (vb[3] - vb[1]) / (vb[2] - vb[0]) * 1.03 + margin;
      m->h = (int)fmin(m->h, fmax(REACH_MAP_SIZE_MIN, ceil(need)));
      m->py1 = m->h - margin;
      hp = m->py1 - m->py0;
    }
    if (m->kind == REACH_MAP_CUSTOM && (m->nregions || m->npoints)) {
      /* the regions and points, with a margin, inside what is visible */
      double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, x, y;
      for (size_t i = 0; i < m->npoints; i++)
        if (proj_xy(m, m->points[i].lon, m->points[i].lat, &x, &y))
          b[0] = fmin(b[0], x), b[1] = fmin(b[1], y), b[2] = fmax(b[2], x),
          b[3] = fmax(b[3], y);
      for (size_t r = 0; r < m->nregions; r++) {
        const struct reach_geom *g = &m->regions[r].geom;
        for (size_t k = 0; k < g->npoints; k++)
          if (proj_xy(m, g->xy[2 * k], g->xy[2 * k + 1], &x, &y))
            b[0] = fmin(b[0], x), b[1] = fmin(b[1], y), b[2] = fmax(b[2], x),
            b[3] = fmax(b[3], y);
      }
      double dx = (b[2] - b[0]) * 0.08, dy = (b[3] - b[1]) * 0.08, d = fmax(dx, dy);
      if (b[2] >= b[0] && b[3] >= b[1]) {
        if (!(d > 0)) d = (vb[2] - vb[0]) * 0.02;
        win[0] = fmax(vb[0], b[0] - d), win[1] = fmax(vb[1], b[1] - d);
        win[2] = fmin(vb[2], b[2] + d), win[3] = fmin(vb[3], b[3] + d);
      }
    } else {
      double d = fmax(vb[2] - vb[0], vb[3] - vb[1]) * 0.015;
      win[0] -= d, win[1] -= d, win[2] += d, win[3] += d;
    }
  }
  double s = fmin(wp / (win[2] - win[0]), hp / (win[3] - win[1])); /* px per unit */
  double xm = (win[0] + win[2]) / 2, ym = (win[1] + win[3]) / 2;
  double cx = (m->px0 + m->px1) / 2, cy = (m->py0 + m->py1) / 2;
  m->gt[0] = xm - cx / s;
  m->gt[1] = 1 / s;
  m->gt[2] = 0;
  m->gt[3] = ym + cy / s;
  m->gt[4] = 0;
  m->gt[5] = -1 / s;
  /* graticule: about eight lines across regional maps, 30 degrees on world
   * views */
  static const double steps[] = {0.5, 1, 2, 5, 10, 15, 30};
  m->grat_deg = m->kind == REACH_MAP_AEQD
                    ? nice_step((win[2] - win[0]) / 111e3 / 8, steps, sizeof steps / sizeof *steps)
                    : 30;
  m->laid_out = 1;
  return REACH_OK;
}

/* ---- drawing ------------------------------------------------------------ */

struct draw {
  struct reach_ctx *ctx;
  struct reach_map *m;
  cairo_t *cr;
  struct reach_clip *clip;   /* the visible part (geom/clip.c) */
  struct reach_clip *noclip; /* nothing clipped */
  struct reach_pts buf;  /* scratch: one projected ring or line */
  struct box {
    double x0, y0, x1, y1;
  } *boxes;              /* placed labels and furniture */
  size_t nboxes;
  struct reach_pts *anchors; /* projected outline points, per region */
  size_t best;               /* the largest polygon path_polygons() added */
  double best_area, best_w;  /* its area and width in pixels (0: none) */
  struct clabel {
    const char *name;
    double x, y, area, w;
  } *clabels;            /* country label candidates */
  size_t nclabels;
  cairo_path_t *land;    /* all the countries, pixels; NULL: none drawn */
  struct reach_clip **rclips; /* each region, for point-in-region tests */
  int failed;            /* out of memory somewhere */
};

/* Add the polygons of @p runs to the current path. */
static void path_polygons(struct draw *d, const struct reach_runs *runs) {
  for (size_t r = 0; r < runs->n; r++) {
    size_t a = runs->start[r], b = runs->start[r + 1];
    if (!project_line(d->m, runs->pts.xy + 2 * a, b - a, &d->buf)) {
      d->failed = 1;
      return;
    }
    path_ring(d->cr, &d->buf, runs->hole[r]);
    double area = fabs(signed_area(&d->buf));
    if (!runs->hole[r] && area > d->best_area) {
      double x0 = INFINITY, x1 = -INFINITY;
      for (size_t i = 0; i < d->buf.n; i++) {
        x0 = fmin(x0, d->buf.xy[2 * i]);
        x1 = fmax(x1, d->buf.xy[2 * i]);
      }
      d->best = runs->poly[r];
      d->best_area = area;
      d->best_w = x1 - x0;
    }
  }
}

/* Add the lines of @p runs to the current path; their points go to @p keep
 * too when not NULL. */
static void path_lines(struct draw *d, const struct reach_runs *runs, struct reach_pts *keep) {
  for (size_t r = 0; r < runs->n; r++) {
    size_t a = runs->start[r], b = runs->start[r + 1];
    if (!project_line(d->m, runs->pts.xy + 2 * a, b - a, &d->buf)) {
      d->failed = 1;
      return;
    }
    for (size_t i = 0; i < d->buf.n; i++) {
      double x = d->buf.xy[2 * i], y = d->buf.xy[2 * i + 1];
      if (i == 0)
        cairo_move_to(d->cr, x, y);
      else
        cairo_line_to(d->cr, x, y);
      if (keep && !reach_pts_push(keep, x, y)) d->failed = 1;
    }
  }
}

static void draw_visible(struct draw *d, int fill) {
  const struct reach_map *m = d->m;
  struct reach_runs runs = {0};
  cairo_new_path(d->cr);
  if (fill) {
    if (!reach_clip_shape(d->ctx, d->noclip, &m->visible, NULL, 0, 0, &runs, NULL))
      d->failed = 1;
    path_polygons(d, &runs);
    set_rgb(d->cr, c_ocean, 1);
    cairo_fill(d->cr);
  } else {
    /* the globe's limb; the world's edge, with its flat poles, and not the
     * line +/-180 where the world is cut in two */
    int seams = !m->boxes ? REACH_SEAM_CUT | REACH_SEAM_POLE : m->whole_world ? 0 : REACH_SEAM_CUT;
    if (!reach_clip_shape(d->ctx, d->clip, &m->visible, NULL, seams, 0, NULL, &runs))
      d->failed = 1;
    path_lines(d, &runs, NULL);
    set_rgb(d->cr, (struct reach_rgb){0.45, 0.5, 0.55}, 1);
    cairo_set_line_width(d->cr, 1.2 * d->m->unit);
    cairo_stroke(d->cr);
  }
  reach_runs_clear(&runs);
}

static enum reach_status draw_countries(struct draw *d) {
  void *const *cs;
  const char(*names)[64];
  size_t n;
  enum reach_status st = reach_countries_geos(d->ctx, &cs, &names, &n);
  if (st) return st;
  cairo_t *cr = d->cr;
  d->clabels = calloc(n ? n : 1, sizeof *d->clabels);
  if (!d->clabels) return reach_fail(d->ctx, REACH_ERR_NOMEM, "out of memory");
  /* one path for all the land: no hairlines between neighbours; a label
   * place for each country, drawn last if there is room */
  struct reach_runs outlines = {0};
  cairo_new_path(cr);
  for (size_t i = 0; i < n && !d->failed; i++) {
    struct reach_runs fill = {0};
    if (!reach_clip_shape(d->ctx, d->clip, NULL, cs[i], REACH_SEAM_CUT | REACH_SEAM_POLE, 1,
                          &fill, &outlines))
      d->failed = 1;
    d->best_area = 0;
    path_polygons(d, &fill);
    /* the label goes on the largest piece (not on an island of it) */
    double lon, lat, x, y;
    if (names[i][0] && d->best_area > 0 &&
        reach_runs_surface_point(d->ctx, &fill, d->best, &lon, &lat) &&
        px_of(d->m, lon, lat, &x, &y))
      d->clabels[d->nclabels++] = (struct clabel){names[i], x, y, d->best_area, d->best_w};
    reach_runs_clear(&fill);
  }
  set_rgb(cr, c_land, 1);
  d->land = cairo_copy_path(cr);
  cairo_fill(cr);
  path_lines(d, &outlines, NULL);
  reach_runs_clear(&outlines);
  set_rgb(cr, (struct reach_rgb){0.55, 0.55, 0.55}, 1);
  cairo_set_line_width(cr, 0.6 * d->m->unit);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  return REACH_OK;
}

static void draw_graticule(struct draw *d) {
  double step = d->m->grat_deg;
  struct reach_runs lines = {0}, clipped = {0};
  int nlat = (int)floor(90 / step + 1e-9), nlon = (int)floor(180 / step + 1e-9);
  double pts[2 * 181];
  /* on azimuthal views meridians stop a step short of the poles, where they
   * would crowd, but for every 90th */
  double stop = d->m->boxes ? 90 : 90 - fmax(step, 5);
  for (int i = -nlon; i < nlon && !d->failed; i++) { /* meridians */
    double lon = i * step, end = fmod(fabs(lon), 90) == 0 ? 90 : stop;
    for (size_t k = 0; k <= 180; k++) pts[2 * k] = lon, pts[2 * k + 1] = -end + (double)k * end / 90;
    if (!reach_runs_add(&lines, pts, 181, 0, 0)) d->failed = 1;
  }
  for (int i = -nlat; i <= nlat && !d->failed; i++) { /* parallels */
    double lat = i * step;
    if (fabs(lat) >= 90) continue;
    for (size_t k = 0; k <= 180; k++) pts[2 * k] = -180 + 2 * (double)k, pts[2 * k + 1] = lat;
    if (!reach_runs_add(&lines, pts, 181, 0, 0)) d->failed = 1;
  }
  if (!d->failed && !reach_clip_lines(d->ctx, d->clip, &lines, &clipped)) d->failed = 1;
  reach_runs_clear(&lines);
  cairo_new_path(d->cr);
  path_lines(d, &clipped, NULL);
  reach_runs_clear(&clipped);
  set_rgb(d->cr, (struct reach_rgb){0.45, 0.55, 0.65}, 0.45);
  cairo_set_line_width(d->cr, 0.6 * d->m->unit);
  cairo_stroke(d->cr);
}

static enum reach_status draw_regions(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  struct reach_runs *clipped = calloc(m->nregions ? m->nregions : 1, sizeof *clipped);
  if (!clipped) return reach_fail(d->ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < m->nregions && !d->failed; i++)
    if (!reach_clip_shape(d->ctx, d->clip, &m->regions[i].geom, NULL, 0, 0, &clipped[i], NULL))
      d->failed = 1;
  /* fills: the regions of one colour as one path, so overlaps within a
   * colour are not darker and cut pieces join without a seam; the colour
   * with the largest region first, so that smaller ones stay clear on top */
  struct fill_order {
    size_t first;
    double area;
  } *order = calloc(m->nregions ? m->nregions : 1, sizeof *order);
  size_t ncolours = 0;
  if (!order) d->failed = 1;
  for (size_t i = 0; i < m->nregions && !d->failed; i++) {
    double a = m->regions[i].geom.npolys ? reach_geom_area_m2(d->ctx, &m->regions[i].geom) : 0;
    size_t k = 0;
    while (k < ncolours && m->regions[order[k].first].colour != m->regions[i].colour) k++;
    if (k == ncolours) order[ncolours++] = (struct fill_order){i, a};
    if (a > order[k].area) order[k].area = a;
  }
  for (size_t a = 0; a < ncolours; a++) /* few colours: insertion sort */
    for (size_t b = a; b > 0 && order[b].area > order[b - 1].area; b--) {
      struct fill_order t = order[b];
      order[b] = order[b - 1];
      order[b - 1] = t;
    }
  for (size_t k = 0; k < ncolours && !d->failed; k++) {
    size_t i = order[k].first;
    cairo_new_path(cr);
    for (size_t j = i; j < m->nregions; j++)
      if (m->regions[j].colour == m->regions[i].colour) path_polygons(d, &clipped[j]);
    struct reach_rgb c = m->regions[i].rgb;
    int strong = m->regions[i].flags & REACH_MAP_STRONG;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    if (!d->land || d->land->status != CAIRO_STATUS_SUCCESS || strong) {
      /* no land drawn: all is sea */
      set_rgb(cr, c, strong ? fill_alpha_strong : fill_alpha_sea);
      cairo_fill(cr);
      continue;
    }
    /* land at fill_alpha, the rest (sea) at fill_alpha_sea: twice the same
     * path, clipped to the land and to the frame less the land */
    cairo_path_t *region = cairo_copy_path(cr);
    for (int sea = 0; sea < 2; sea++) {
      cairo_save(cr);
      cairo_new_path(cr);
      if (sea) {
        cairo_rectangle(cr, 0, 0, m->w, m->h);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
      }
      cairo_append_path(cr, d->land);
      cairo_clip(cr);
      cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
      cairo_append_path(cr, region);
      set_rgb(cr, c, sea ? fill_alpha_sea : fill_alpha);
      cairo_fill(cr);
      cairo_restore(cr);
    }
    cairo_path_destroy(region);
    cairo_new_path(cr);
  }
  free(order);
  /* outlines, from the unclipped regions' real edges */
  for (size_t i = 0; i < m->nregions && !d->failed; i++) {
    struct reach_runs outline = {0};
    if (!reach_clip_shape(d->ctx, d->clip, &m->regions[i].geom, NULL,
                          REACH_SEAM_CUT | REACH_SEAM_POLE, 0, NULL, &outline))
      d->failed = 1;
    cairo_new_path(cr);
    path_lines(d, &outline, &d->anchors[i]);
    reach_runs_clear(&outline);
    struct reach_rgb c = m->regions[i].rgb;
    set_rgb(cr, (struct reach_rgb){c.r * 0.85, c.g * 0.85, c.b * 0.85}, 0.95);
    cairo_set_line_width(cr, 2 * m->unit);
    double dash[2] = {7 * m->unit, 4 * m->unit};
    cairo_set_dash(cr, dash, m->regions[i].flags & REACH_MAP_DASHED ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
  for (size_t i = 0; i < m->nregions; i++) reach_runs_clear(&clipped[i]);
  free(clipped);
  return REACH_OK;
}

/* Lines of reach_map_add_line(), clipped to the visible part like the
 * graticule. */
static void draw_lines(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  for (size_t i = 0; i < m->nlines && !d->failed; i++) {
    struct reach_runs lines = {0}, clipped = {0};
    if (!reach_runs_add(&lines, m->lines[i].xy, m->lines[i].n, 0, 0) ||
        !reach_clip_lines(d->ctx, d->clip, &lines, &clipped))
      d->failed = 1;
    reach_runs_clear(&lines);
    cairo_new_path(cr);
    path_lines(d, &clipped, NULL);
    reach_runs_clear(&clipped);
    struct reach_rgb c = m->lines[i].rgb;
    set_rgb(cr, (struct reach_rgb){c.r * 0.85, c.g * 0.85, c.b * 0.85}, 0.95);
    cairo_set_line_width(cr, 2 * m->unit);
    double dash[2] = {7 * m->unit, 4 * m->unit};
    cairo_set_dash(cr, dash, m->lines[i].flags & REACH_MAP_DASHED ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
}

/* ---- text and furniture -------------------------------------------------- */

/* Every text goes through Pango: shaping (Arabic joins, Indic clusters),
 * bidirectional order, and font fallback through fontconfig, so that a name
 * in Hangul or Hebrew is drawn from whichever installed font has it
 * (scripts/setup installs DejaVu, WenQuanYi Micro Hei and FreeFont) while
 * Latin and Cyrillic stay in DejaVu Sans. */
struct text {
  PangoLayout *l;
  double w, h;  /* logical box, pixels */
  double base;  /* baseline below the top of the box */
  int unknown;  /* characters no font has */
  char *s;      /* as drawn */
};

/* @p s cut to d->m->label_max grapheme clusters with an ellipsis (a new
 * string), or NULL when it is short enough or memory runs out. */
static char *shorten(PangoLayout *l, const char *s, int max) {
  if (max <= 0) return NULL;
  int n = 0;
  const PangoLogAttr *a = pango_layout_get_log_attrs_readonly(l, &n);
  /* cursor positions 1..n-1 end the clusters */
  int clusters = 0, cut = -1;
  for (int i = 1; i < n; i++)
    if (a[i].is_cursor_position) {
      clusters++;
      if (clusters == max - 1) cut = i;
    }
  if (clusters <= max || cut < 0) return NULL;
  const char *end = g_utf8_offset_to_pointer(s, cut);
  size_t len = (size_t)(end - s);
  char *r = malloc(len + 4);
  if (!r) return NULL;
  memcpy(r, s, len);
  memcpy(r + len, "\xE2\x80\xA6", 4); /* U+2026 */
  return r;
}

static void text_set(struct text *t) {
  PangoRectangle logical;
  pango_layout_get_extents(t->l, NULL, &logical);
  t->w = (double)logical.width / PANGO_SCALE;
  t->h = (double)logical.height / PANGO_SCALE;
  t->base = (double)pango_layout_get_baseline(t->l) / PANGO_SCALE;
  t->unknown = pango_layout_get_unknown_glyphs_count(t->l);
}

/* A text of @p size pixels; @p shortened: cut to the map's label length.
 * 0 when memory runs out.  Free with text_free(). */
static int text_new(struct draw *d, struct text *t, const char *s, double size, int bold,
                    int shortened) {
  memset(t, 0, sizeof *t);
  t->l = pango_cairo_create_layout(d->cr);
  PangoFontDescription *fd = pango_font_description_from_string("DejaVu Sans");
  if (!t->l || !fd) {
    if (fd) pango_font_description_free(fd);
    if (t->l) g_object_unref(t->l);
    t->l = NULL;
    d->failed = 1;
    return 0;
  }
  if (bold) pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  pango_layout_set_font_description(t->l, fd);
  pango_font_description_free(fd);
  pango_layout_set_text(t->l, s, -1);
  t->s = shortened ? shorten(t->l, s, d->m->label_max) : NULL;
  if (t->s)
    pango_layout_set_text(t->l, t->s, -1);
  else
    t->s = strdup(s);
  if (!t->s) {
    g_object_unref(t->l);
    t->l = NULL;
    d->failed = 1;
    return 0;
  }
  text_set(t);
  return 1;
}

/* At most @p max_w pixels wide: cut with an ellipsis at the end. */
static void text_fit(struct text *t, double max_w) {
  if (t->w <= max_w) return;
  pango_layout_set_width(t->l, (int)(max_w * PANGO_SCALE));
  pango_layout_set_ellipsize(t->l, PANGO_ELLIPSIZE_END);
  text_set(t);
}

static void text_free(struct text *t) {
  if (t->l) g_object_unref(t->l);
  free(t->s);
  memset(t, 0, sizeof *t);
}

/* The text with the top left corner of its box at x, y; with a white halo of
 * @p halo pixels when > 0. */
static void text_draw(cairo_t *cr, const struct text *t, double x, double y,
                      struct reach_rgb c, double halo) {
  cairo_new_path(cr);
  cairo_move_to(cr, x, y);
  if (halo > 0) {
    pango_cairo_layout_path(cr, t->l);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, halo);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke_preserve(cr);
    set_rgb(cr, c, 1);
    cairo_fill(cr);
  } else {
    set_rgb(cr, c, 1);
    pango_cairo_show_layout(cr, t->l);
  }
  cairo_new_path(cr);
}

static int overlaps(const struct draw *d, struct box b) {
  if (b.x0 < d->m->px0 || b.x1 > d->m->px1 || b.y0 < d->m->py0 || b.y1 > d->m->py1)
    return 1;
  for (size_t i = 0; i < d->nboxes; i++) {
    const struct box *o = &d->boxes[i];
    if (b.x0 < o->x1 && o->x0 < b.x1 && b.y0 < o->y1 && o->y0 < b.y1) return 1;
  }
  return 0;
}

static void add_box(struct draw *d, struct box b) {
  struct box *n = realloc(d->boxes, (d->nboxes + 1) * sizeof *n);
  if (!n) {
    d->failed = 1;
    return;
  }
  d->boxes = n;
  d->boxes[d->nboxes++] = b;
}

/* Record a text placed, for reach_map_labels(). */
static void add_label(struct draw *d, enum reach_map_label_kind kind, struct box b,
                      const char *text, int unknown) {
  struct reach_map *m = d->m;
  struct reach_map_label *n = realloc(m->labels, (m->nlabels + 1) * sizeof *n);
  char *s = strdup(text ? text : "");
  if (!n || !s) {
    if (n) m->labels = n;
    free(s);
    d->failed = 1;
    return;
  }
  m->labels = n;
  struct reach_map_label *l = &m->labels[m->nlabels++];
  l->x0 = b.x0;
  l->y0 = b.y0;
  l->x1 = b.x1;
  l->y1 = b.y1;
  l->kind = kind;
  l->text = s; /* freed with the map */
  l->unknown_glyphs = unknown;
}

/* Place a text near an anchor, trying the positions (top left corners) in
 * order; 1 if placed. */
static int place_label(struct draw *d, const struct text *t, struct reach_rgb c,
                       const double (*pos)[2], int npos, enum reach_map_label_kind kind) {
  for (int i = 0; i < npos; i++) {
    struct box b = {pos[i][0], pos[i][1], pos[i][0] + t->w, pos[i][1] + t->h};
    if (overlaps(d, b)) continue;
    text_draw(d->cr, t, b.x0, b.y0, c, 3 * d->m->unit);
    add_box(d, b);
    add_label(d, kind, b, t->s, t->unknown);
    return 1;
  }
  return 0;
}

/* Whether lon, lat lies in a region drawn (boundary included). */
static int in_reach(struct draw *d, double lon, double lat) {
  for (size_t r = 0; r < d->m->nregions; r++)
    if (d->rclips[r] && reach_clip_point(d->ctx, d->rclips[r], lon, lat)) return 1;
  return 0;
}

static void diamond(cairo_t *cr, double x, double y, double r) {
  cairo_move_to(cr, x, y - r);
  cairo_line_to(cr, x + r, y);
  cairo_line_to(cr, x, y + r);
  cairo_line_to(cr, x - r, y);
  cairo_close_path(cr);
}

static void draw_points(struct draw *d, int labels) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit;
  for (size_t i = 0; i < m->npoints; i++) {
    const struct map_point *p = &m->points[i];
    double x, y;
    int vis = m->whole_world || reach_clip_point(d->ctx, d->clip, p->lon, p->lat);
    if (!vis || !px_of(m, p->lon, p->lat, &x, &y)) continue;
    double r = 4.5 * u;
    struct reach_rgb tc = c_target;
    if (p->marker == REACH_MAP_TARGET_REACH) {
      if (!labels) m->in_reach[i] = (signed char)in_reach(d, p->lon, p->lat);
      tc = m->in_reach[i] == 1 ? c_target_in : c_target_out;
    }
    if (!labels) {
      cairo_new_path(cr);
      if (p->marker == REACH_MAP_TARGET) {
        cairo_move_to(cr, x - r, y - r);
        cairo_line_to(cr, x + r, y + r);
        cairo_move_to(cr, x - r, y + r);
        cairo_line_to(cr, x + r, y - r);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 4.5 * u);
        cairo_stroke_preserve(cr);
        set_rgb(cr, c_target, 1);
        cairo_set_line_width(cr, 2.2 * u);
        cairo_stroke(cr);
      } else if (p->marker == REACH_MAP_TARGET_REACH) {
        /* a filled diamond, larger than a site's dot: the pixel at the
         * target is the colour of the verdict */
        r = 6 * u;
        diamond(cr, x, y, r);
        set_rgb(cr, tc, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 1.5 * u);
        cairo_stroke(cr);
      } else {
        cairo_arc(cr, x, y, r, 0, 2 * PI);
        set_rgb(cr, c_site, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 1.5 * u);
        cairo_stroke(cr);
      }
      add_box(d, (struct box){x - r - u, y - r - u, x + r + u, y + r + u});
      continue;
    }
    if (!p->name) continue;
    if (p->marker == REACH_MAP_TARGET_REACH) r = 6 * u;
    struct text t;
    if (!text_new(d, &t, p->name, 13 * u, 1, 1)) continue;
    double gap = r + 3 * u;
    const double pos[4][2] = {{x + gap, y - t.h / 2},
                              {x - gap - t.w, y - t.h / 2},
                              {x - t.w / 2, y - gap - t.h},
                              {x - t.w / 2, y + gap}};
    place_label(d, &t, p->marker == REACH_MAP_SITE ? c_site : tc, pos, 4,
                REACH_MAP_LABEL_POINT);
    text_free(&t);
  }
}

/* Each label once, at the top (else bottom, right, left) of the outlines of
 * the regions that carry it. */
static void draw_region_labels(struct draw *d) {
  struct reach_map *m = d->m;
  double u = m->unit, size = 13 * u;
  for (size_t i = 0; i < m->nregions; i++) {
    const struct map_region *r = &m->regions[i];
    if (!r->label) continue;
    int seen = 0;
    for (size_t j = 0; j < i; j++)
      if (m->regions[j].label && !strcmp(m->regions[j].label, r->label) &&
          m->regions[j].colour == r->colour)
        seen = 1;
    if (seen) continue;
    double ext[4][2] = {{0, INFINITY}, {0, -INFINITY}, {-INFINITY, 0}, {INFINITY, 0}};
    for (size_t j = i; j < m->nregions; j++) {
      if (!m->regions[j].label || strcmp(m->regions[j].label, r->label) != 0 ||
          m->regions[j].colour != r->colour)
        continue;
      const struct reach_pts *a = &d->anchors[j];
      for (size_t k = 0; k < a->n; k++) {
        double x = a->xy[2 * k], y = a->xy[2 * k + 1];
        if (x < m->px0 + 20 * u || x > m->px1 - 20 * u || y < m->py0 + 20 * u ||
            y > m->py1 - 20 * u)
          continue;
        if (y < ext[0][1]) ext[0][0] = x, ext[0][1] = y;
        if (y > ext[1][1]) ext[1][0] = x, ext[1][1] = y;
        if (x > ext[2][0]) ext[2][0] = x, ext[2][1] = y;
        if (x < ext[3][0]) ext[3][0] = x, ext[3][1] = y;
      }
    }
    if (!isfinite(ext[0][1])) continue;
    struct text t;
    if (!text_new(d, &t, r->label, size, 1, 0)) continue;
    double w = t.w, h = t.h, g = 4 * u;
    const double pos[4][2] = {{ext[0][0] - w / 2, ext[0][1] - g - h},
                              {ext[1][0] - w / 2, ext[1][1] + g},
                              {ext[2][0] + g, ext[2][1] - h / 2},
                              {ext[3][0] - g - w, ext[3][1] - h / 2}};
    struct reach_rgb c = r->rgb;
    place_label(d, &t, (struct reach_rgb){c.r * 0.7, c.g * 0.7, c.b * 0.7}, pos, 4,
                REACH_MAP_LABEL_REGION);
    text_free(&t);
  }
}

static int by_population(const void *a, const void *b) {
  const struct reach_place *x = *(const struct reach_place *const *)a,
                          *y = *(const struct reach_place *const *)b;
  return x->population < y->population ? 1 : x->population > y->population ? -1 : 0;
}

/* The most populous places in reach, named where their names fit. */
static enum reach_status draw_cities(struct draw *d) {
  struct reach_map *m = d->m;
  if (m->ncities <= 0 || m->nregions == 0) return REACH_OK;
  const struct reach_place *places;
  size_t n;
  enum reach_status st = reach_places(d->ctx, &places, &n);
  if (st) return st;
  const struct reach_place **order = malloc((n ? n : 1) * sizeof(const struct reach_place *));
  if (!order) return reach_fail(d->ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) order[i] = &places[i];
  qsort(order, n, sizeof(const struct reach_place *), by_population);
  double u = m->unit, r = 2.6 * u, size = 11.5 * u;
  int placed = 0;
  for (size_t i = 0; i < n && placed < m->ncities && !d->failed; i++) {
    const struct reach_place *p = order[i];
    double x, y;
    if (!m->whole_world && !reach_clip_point(d->ctx, d->clip, p->lon_deg, p->lat_deg)) continue;
    if (!px_of(m, p->lon_deg, p->lat_deg, &x, &y)) continue;
    int near = 0;
    for (size_t k = 0; k < m->npoints && !near; k++) {
      double px, py;
      near = px_of(m, m->points[k].lon, m->points[k].lat, &px, &py) &&
             hypot(px - x, py - y) < 3 * 6 * u;
    }
    if (near) continue;
    struct box dot = {x - r - u, y - r - u, x + r + u, y + r + u};
    if (overlaps(d, dot) || !in_reach(d, p->lon_deg, p->lat_deg)) continue;
    struct text t;
    if (!text_new(d, &t, p->name, size, 0, 1)) continue;
    double gap = r + 2.5 * u;
    const double pos[4][2] = {{x + gap, y - t.h / 2},
                              {x - gap - t.w, y - t.h / 2},
                              {x - t.w / 2, y - gap - t.h},
                              {x - t.w / 2, y + gap}};
    add_box(d, dot); /* the label must not cover its own dot */
    if (place_label(d, &t, (struct reach_rgb){0.15, 0.15, 0.15}, pos, 4,
                    REACH_MAP_LABEL_CITY)) {
      cairo_new_path(d->cr);
      cairo_arc(d->cr, x, y, r, 0, 2 * PI);
      set_rgb(d->cr, c_city, 1);
      cairo_fill_preserve(d->cr);
      cairo_set_source_rgb(d->cr, 1, 1, 1);
      cairo_set_line_width(d->cr, 1.2 * u);
      cairo_stroke(d->cr);
      placed++;
    } else {
      d->nboxes--; /* no name, no dot */
    }
    text_free(&t);
  }
  free(order);
  return REACH_OK;
}

/* How many outline points and points fall in a box. */
static size_t crowd(const struct draw *d, struct box b) {
  size_t n = 0;
  for (size_t i = 0; i < d->m->nregions; i++)
    for (size_t k = 0; k < d->anchors[i].n; k++) {
      double x = d->anchors[i].xy[2 * k], y = d->anchors[i].xy[2 * k + 1];
      n += x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1;
    }
  for (size_t i = 0; i < d->m->npoints; i++) {
    double x, y;
    if (px_of(d->m, d->m->points[i].lon, d->m->points[i].lat, &x, &y))
      if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1) n += 50; /* weigh points */
  }
  return n;
}

static void draw_legend(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit, size = 13 * u, line = size * 1.55, pad = 8 * u, sw = 26 * u;
  int sites = 0, targets = 0, t_in = 0, t_out = 0;
  for (size_t i = 0; i < m->npoints; i++) {
    sites |= m->points[i].marker == REACH_MAP_SITE;
    targets |= m->points[i].marker == REACH_MAP_TARGET;
    if (m->points[i].marker == REACH_MAP_TARGET_REACH) {
      t_in |= m->in_reach[i] == 1;
      t_out |= m->in_reach[i] == 0;
    }
  }
  size_t n = m->nlegend + (size_t)sites + (size_t)targets + (size_t)t_in + (size_t)t_out;
  if (n == 0) return;
  struct text *texts = calloc(n, sizeof *texts);
  if (!texts) {
    d->failed = 1;
    return;
  }
  /* what each line is: a legend entry, or one of the markers */
  int *what = calloc(n, sizeof *what);
  if (!what) {
    free(texts);
    d->failed = 1;
    return;
  }
  size_t k = 0;
  for (size_t i = 0; i < m->nlegend; i++) what[k++] = (int)i;
  if (sites) what[k++] = -1;
  if (targets) what[k++] = -2;
  if (t_in) what[k++] = -3;
  if (t_out) what[k++] = -4;
  double tw = 80 * u;
  int unknown = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = what[i] >= 0 ? m->legend[what[i]].text
                    : what[i] == -1 ? "launch site"
                    : what[i] == -2 ? "target"
                    : what[i] == -3 ? "target in reach"
                                    : "target out of reach";
    text_new(d, &texts[i], s, size, 0, 0);
    tw = fmax(tw, texts[i].w);
    unknown += texts[i].unknown;
  }
  double bw = pad * 3 + sw + tw, bh = pad * 2 + line * (double)n;
  double o = 10 * u;
  struct box cand[4] = {{m->px0 + o, m->py0 + o, m->px0 + o + bw, m->py0 + o + bh},
                        {m->px1 - o - bw, m->py0 + o, m->px1 - o, m->py0 + o + bh},
                        {m->px0 + o, m->py1 - o - bh - 40 * u, m->px0 + o + bw, m->py1 - o - 40 * u},
                        {m->px1 - o - bw, m->py1 - o - bh - 24 * u, m->px1 - o, m->py1 - o - 24 * u}};
  size_t best = 0, bestn = (size_t)-1;
  for (size_t i = 0; i < 4; i++) {
    size_t c = crowd(d, cand[i]);
    if (c < bestn) best = i, bestn = c;
  }
  struct box b = cand[best];
  cairo_new_path(cr);
  cairo_rectangle(cr, b.x0, b.y0, bw, bh);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 0.8 * u);
  cairo_stroke(cr);
  double y = b.y0 + pad;
  for (size_t i = 0; i < n; i++, y += line) {
    double sx = b.x0 + pad, sy = y + line * 0.18, sh = line * 0.64;
    cairo_new_path(cr);
    if (what[i] >= 0) {
      struct reach_rgb c = m->legend[what[i]].rgb;
      cairo_rectangle(cr, sx, sy, sw, sh);
      set_rgb(cr, c, m->legend[what[i]].flags & REACH_MAP_STRONG ? fill_alpha_strong : fill_alpha);
      cairo_fill_preserve(cr);
      set_rgb(cr, (struct reach_rgb){c.r * 0.85, c.g * 0.85, c.b * 0.85}, 0.95);
      cairo_set_line_width(cr, 2 * u);
      double dash[2] = {7 * u, 4 * u};
      cairo_set_dash(cr, dash, m->legend[what[i]].flags & REACH_MAP_DASHED ? 2 : 0, 0);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
    } else if (what[i] == -1) {
      cairo_arc(cr, sx + sw / 2, sy + sh / 2, 4.5 * u, 0, 2 * PI);
      set_rgb(cr, c_site, 1);
      cairo_fill(cr);
    } else if (what[i] == -2) {
      double cx = sx + sw / 2, cy = sy + sh / 2, r = 4.5 * u;
      cairo_move_to(cr, cx - r, cy - r);
      cairo_line_to(cr, cx + r, cy + r);
      cairo_move_to(cr, cx - r, cy + r);
      cairo_line_to(cr, cx + r, cy - r);
      set_rgb(cr, c_target, 1);
      cairo_set_line_width(cr, 2.2 * u);
      cairo_stroke(cr);
    } else {
      diamond(cr, sx + sw / 2, sy + sh / 2, 6 * u);
      set_rgb(cr, what[i] == -3 ? c_target_in : c_target_out, 1);
      cairo_fill(cr);
    }
    if (texts[i].l)
      text_draw(cr, &texts[i], sx + sw + pad, y + (line - texts[i].h) / 2,
                (struct reach_rgb){0.1, 0.1, 0.1}, 0);
    text_free(&texts[i]);
  }
  free(texts);
  free(what);
  add_box(d, b);
  add_label(d, REACH_MAP_LABEL_LEGEND, b, "", unknown);
}

/* A scale bar (azimuthal equidistant maps: distances from the centre are
 * true, so it measures radii) and the credit lines. */
static void draw_furniture(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit, size = 11 * u;
  char text[160];
  snprintf(text, sizeof text, "georeach %s \xC2\xB7 WGS84 geodesic \xC2\xB7 countries: Natural Earth",
           reach_version());
  /* the default line at the bottom, the added ones above it in order */
  double bottom = m->py1 - 4 * u, maxw = (m->px1 - m->px0) * 0.7;
  double top = bottom, left = m->px1;
  int unknown = 0;
  for (size_t i = m->ncredits + 1; i-- > 0;) {
    struct text t;
    if (!text_new(d, &t, i == m->ncredits ? text : m->credits[i], size, 0, 0)) continue;
    text_fit(&t, maxw);
    double x = m->px1 - 8 * u - t.w;
    top -= t.h;
    text_draw(cr, &t, x, top, (struct reach_rgb){0.3, 0.3, 0.3}, 3 * u);
    left = fmin(left, x);
    unknown += t.unknown;
    text_free(&t);
  }
  struct box cb = {left, top, m->px1, m->py1};
  add_box(d, cb);
  {
    /* the credit as one text for reach_map_labels() */
    size_t len = strlen(text) + 1;
    for (size_t i = 0; i < m->ncredits; i++) len += strlen(m->credits[i]) + 1;
    char *all = malloc(len);
    if (all) {
      all[0] = 0;
      for (size_t i = 0; i < m->ncredits; i++) strcat(strcat(all, m->credits[i]), "\n");
      strcat(all, text);
      add_label(d, REACH_MAP_LABEL_CREDIT, cb, all, unknown);
      free(all);
    } else {
      d->failed = 1;
    }
  }
  if (m->kind != REACH_MAP_AEQD) return;
  /* about a fifth of the width, 1, 2 or 5 times a power of ten km */
  double want_km = (m->px1 - m->px0) / 5 * m->gt[1] / 1000;
  double p10 = pow(10, floor(log10(want_km))), len_km = p10;
  if (5 * p10 <= want_km)
    len_km = 5 * p10;
  else if (2 * p10 <= want_km)
    len_km = 2 * p10;
  double len_px = len_km * 1000 / m->gt[1];
  double x0 = m->px0 + 14 * u, y0 = m->py1 - 30 * u, bh = 6 * u;
  cairo_new_path(cr);
  cairo_rectangle(cr, x0 - 6 * u, y0 - 20 * u, len_px + 60 * u, 46 * u);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.75);
  cairo_fill(cr);
  for (int i = 0; i < 4; i++) {
    cairo_rectangle(cr, x0 + i * len_px / 4, y0, len_px / 4, bh);
    if (i % 2)
      cairo_set_source_rgb(cr, 1, 1, 1);
    else
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8 * u);
    cairo_stroke(cr);
  }
  for (int i = 0; i <= 2; i++) {
    if (i == 2)
      snprintf(text, sizeof text, "%g km", len_km);
    else
      snprintf(text, sizeof text, "%g", len_km * i / 2);
    struct text t;
    if (!text_new(d, &t, text, size, 0, 0)) continue;
    double tx = x0 + i * len_px / 2 - (i == 2 ? t.w / 4 : t.w / 2);
    text_draw(cr, &t, tx, y0 - 3 * u - t.h, (struct reach_rgb){0.1, 0.1, 0.1}, 0);
    text_free(&t);
  }
  struct text t;
  if (text_new(d, &t, "distances from the centre are true", size * 0.9, 0, 0)) {
    text_draw(cr, &t, x0, y0 + bh + 2 * u, (struct reach_rgb){0.1, 0.1, 0.1}, 0);
    text_free(&t);
  }
  struct box sb = {x0 - 6 * u, y0 - 20 * u, x0 + len_px + 54 * u, y0 + 26 * u};
  add_box(d, sb);
  add_label(d, REACH_MAP_LABEL_SCALE, sb, "", 0);
}

static void draw_title(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit, y = 12 * u, wmax = m->px1 - m->px0;
  struct text t;
  if (m->title && text_new(d, &t, m->title, 24 * u, 1, 0)) {
    /* a long title shrinks to the width */
    if (t.w > wmax) {
      double size = fmax(8, 24 * u * wmax / t.w);
      text_free(&t);
      if (!text_new(d, &t, m->title, size, 1, 0)) return;
      text_fit(&t, wmax);
    }
    double top = y + 24 * u - t.base; /* the baseline where it was */
    text_draw(cr, &t, m->px0, top, (struct reach_rgb){0.1, 0.1, 0.1}, 0);
    add_label(d, REACH_MAP_LABEL_TITLE, (struct box){m->px0, top, m->px0 + t.w, top + t.h},
              t.s, t.unknown);
    text_free(&t);
    y += 34 * u;
  }
  char text[400];
  snprintf(text, sizeof text, "%s%s", m->desc,
           m->grat_deg > 0 ? " \xC2\xB7 graticule every " : "");
  size_t l = strlen(text);
  if (m->grat_deg > 0)
    snprintf(text + l, sizeof text - l, "%g\xC2\xB0", m->grat_deg);
  if (text_new(d, &t, text, 13 * u, 0, 0)) {
    text_fit(&t, wmax);
    double top = y + 13 * u - t.base;
    text_draw(cr, &t, m->px0, top, (struct reach_rgb){0.35, 0.35, 0.35}, 0);
    add_label(d, REACH_MAP_LABEL_TITLE, (struct box){m->px0, top, m->px0 + t.w, top + t.h},
              t.s, t.unknown);
    text_free(&t);
  }
}

static int by_area(const void *a, const void *b) {
  const struct clabel *x = a, *y = b;
  return x->area < y->area ? 1 : x->area > y->area ? -1 : 0;
}

/* Country names, largest visible area first, where they fit inside the
 * country's box and clear of everything placed before. */
static void draw_country_labels(struct draw *d) {
  double u = d->m->unit, size = 11 * u;
  if (!d->clabels || d->nclabels == 0) return;
  qsort(d->clabels, d->nclabels, sizeof *d->clabels, by_area);
  for (size_t i = 0; i < d->nclabels; i++) {
    const struct clabel *c = &d->clabels[i];
    struct text t;
    if (!text_new(d, &t, c->name, size, 0, 0)) continue;
    if (!(t.w > 0.9 * c->w || t.w * size * 2.5 > c->area)) {
      const double pos[1][2] = {{c->x - t.w / 2, c->y - t.h / 2}};
      place_label(d, &t, (struct reach_rgb){0.42, 0.42, 0.42}, pos, 1,
                  REACH_MAP_LABEL_COUNTRY);
    }
    text_free(&t);
  }
}

static int tick(reach_progress_fn progress, void *data, double done) {
  return !progress || progress(done, NULL, data);
}

static enum reach_status render(struct reach_ctx *ctx, struct reach_map *m, cairo_t *cr,
                                reach_progress_fn progress, void *data) {
  struct draw d = {0};
  d.ctx = ctx;
  d.m = m;
  d.cr = cr;
  enum reach_status st = REACH_OK;
  d.anchors = calloc(m->nregions ? m->nregions : 1, sizeof *d.anchors);
  d.clip = reach_clip_new(ctx, &m->visible, m->whole_world);
  d.noclip = reach_clip_new(ctx, NULL, 1);
  if (!d.anchors || !d.clip || !d.noclip) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto out;
  }
  d.rclips = calloc(m->nregions ? m->nregions : 1, sizeof(struct reach_clip *));
  if (!d.rclips) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < m->nregions; i++)
    if (m->regions[i].geom.npolys &&
        !(d.rclips[i] = reach_clip_new(ctx, &m->regions[i].geom, 0))) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      goto out;
    }
  forget_labels(m);
  for (size_t i = 0; i < m->npoints; i++) m->in_reach[i] = -1;
  if (!m->transparent) {
    cairo_set_source_rgb(cr, c_back.r, c_back.g, c_back.b);
    cairo_paint(cr);
  }
  cairo_save(cr);
  cairo_rectangle(cr, m->px0, m->py0, m->px1 - m->px0, m->py1 - m->py0);
  cairo_clip(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  draw_visible(&d, 1);
  if (!tick(progress, data, 0.1)) goto interrupted;
  if (m->countries && (st = draw_countries(&d)) != REACH_OK) goto out;
  if (!tick(progress, data, 0.5)) goto interrupted;
  draw_graticule(&d);
  if ((st = draw_regions(&d)) != REACH_OK) goto out;
  draw_lines(&d);
  if (!tick(progress, data, 0.8)) goto interrupted;
  draw_visible(&d, 0);
  cairo_restore(cr);
  cairo_new_path(cr);
  cairo_rectangle(cr, m->px0, m->py0, m->px1 - m->px0, m->py1 - m->py0);
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 1 * m->unit);
  cairo_stroke(cr);
  draw_points(&d, 0);
  draw_legend(&d);
  draw_furniture(&d);
  draw_points(&d, 1);
  draw_region_labels(&d);
  if ((st = draw_cities(&d)) != REACH_OK) goto out;
  draw_country_labels(&d);
  draw_title(&d);
  if (!tick(progress, data, 0.9)) goto interrupted;
  if (d.failed) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory while drawing");
  goto out;
interrupted:
  st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
out:
  reach_clip_free(ctx, d.clip);
  reach_clip_free(ctx, d.noclip);
  for (size_t i = 0; d.rclips && i < m->nregions; i++) reach_clip_free(ctx, d.rclips[i]);
  free(d.rclips);
  if (d.land) cairo_path_destroy(d.land);
  for (size_t i = 0; d.anchors && i < m->nregions; i++) reach_pts_free(&d.anchors[i]);
  free(d.anchors);
  reach_pts_free(&d.buf);
  free(d.boxes);
  free(d.clabels);
  return st;
}

/* ---- writing ------------------------------------------------------------ */

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len) {
  return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS
                                              : CAIRO_STATUS_WRITE_ERROR;
}

/* A PNG in memory, to add a pHYs chunk before it is written. */
struct membuf {
  unsigned char *p;
  size_t n, cap;
};

static cairo_status_t mem_cb(void *closure, const unsigned char *data, unsigned int len) {
  struct membuf *b = closure;
  if (b->n + len > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->n + len) cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) return CAIRO_STATUS_NO_MEMORY;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, data, len);
  b->n += len;
  return CAIRO_STATUS_SUCCESS;
}

/* CRC-32 of PNG chunks (ISO 3309, as zlib's crc32()). */
static unsigned long crc32_png(const unsigned char *p, size_t n) {
  unsigned long c = 0xffffffffUL;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320UL ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffUL;
}

static void put32(unsigned char *p, unsigned long v) {
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Write the PNG of @p b to @p f with a pHYs chunk of @p dpi after IHDR:
 * cairo's PNG writer sets no resolution.  0 on a write error. */
static int write_png_dpi(FILE *f, const struct membuf *b, int dpi) {
  /* signature (8) + IHDR (4 length + 4 type + 13 data + 4 CRC) */
  const size_t after_ihdr = 8 + 25;
  if (b->n < after_ihdr || memcmp(b->p + 12, "IHDR", 4) != 0)
    return fwrite(b->p, 1, b->n, f) == b->n;
  unsigned char phys[21];
  unsigned long ppm = (unsigned long)lround(dpi / 0.0254); /* pixels per metre */
  put32(phys, 9);
  memcpy(phys + 4, "pHYs", 4); // NOLINT(bugprone-not-null-terminated-result): a PNG chunk type, 4 bytes, no NUL
  put32(phys + 8, ppm);
  put32(phys + 12, ppm);
  phys[16] = 1; /* unit: metre */
  put32(phys + 17, crc32_png(phys + 4, 13));
  return fwrite(b->p, 1, after_ihdr, f) == after_ihdr &&
         fwrite(phys, 1, sizeof phys, f) == sizeof phys &&
         fwrite(b->p + after_ihdr, 1, b->n - after_ihdr, f) == b->n - after_ihdr;
}

/* 0 PNG, 1 SVG, 2 PDF, -1 unknown. */
static int format_of(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  return !dot || (slash && dot < slash) ? -1
         : !strcasecmp(dot, ".png")     ? 0
         : !strcasecmp(dot, ".svg")     ? 1
         : !strcasecmp(dot, ".pdf")     ? 2
                                        : -1;
}

enum reach_status reach_map_check_output(struct reach_ctx *ctx, const char *path,
                                         int overwrite) {
  if (format_of(path) < 0)
    return reach_fail(ctx, REACH_ERR_ARG,
                      "cannot tell the picture format of '%s': give a name ending "
                      "in .png, .svg or .pdf", path);
  /* the staged stream's own checks (io/stage.c): a folder is refused, an
   * existing file needs overwrite, a device or FIFO is written through */
  return reach_stream_check(ctx, path, overwrite);
}

enum reach_status reach_map_write(struct reach_ctx *ctx, struct reach_map *map,
                                  const char *path, int overwrite,
                                  reach_progress_fn progress, void *data) {
  int fmt = format_of(path);
  enum reach_status st = reach_map_check_output(ctx, path, overwrite);
  if (st) return st;
  if (!map->laid_out && (st = reach_map_layout(ctx, map)) != REACH_OK) return st;

  /* The picture first (a raster of w x h may not fit in memory: nothing is
   * created before that is known), then a staged stream (io/stage.c): a
   * short hidden name beside the destination, checked writes, renamed into
   * place without replacing anything unless overwrite. */
  cairo_surface_t *s = NULL;
  struct reach_stream *out = NULL;
  if (fmt == 0) {
    s = cairo_image_surface_create(map->transparent ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                   map->w, map->h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
      st = reach_fail(ctx, REACH_ERR_NOMEM, "cannot make a %dx%d picture: %s", map->w, map->h,
                      cairo_status_to_string(cairo_surface_status(s)));
      cairo_surface_destroy(s);
      return st;
    }
    /* Cairo's rasteriser does not survive running out of memory inside
     * cairo_stroke()/cairo_fill() (its scan converter longjmp()s into a
     * frame that has returned: SIGSEGV, seen under ulimit -v), so the
     * room drawing needs is asked for up front: 64 MiB plus a quarter of
     * the raster (a world map at 8000x8000 peaks ~70 MiB above it). */
    size_t room = ((size_t)64 << 20) + (size_t)map->w * (size_t)map->h;
    void *probe = malloc(room);
    if (!probe) {
      cairo_surface_destroy(s);
      return reach_fail(ctx, REACH_ERR_NOMEM,
                        "cannot make a %dx%d picture: out of memory (drawing it needs "
                        "about %zu MiB more)", map->w, map->h, room >> 20);
    }
    free(probe);
  }
  if ((st = reach_stream_open(ctx, path, overwrite, &out)) != REACH_OK) {
    cairo_surface_destroy(s);
    return st;
  }
  FILE *f = reach_stream_file(out);
  if (fmt == 1) s = cairo_svg_surface_create_for_stream(write_cb, f, map->w, map->h);
  if (fmt == 2) s = cairo_pdf_surface_create_for_stream(write_cb, f, map->w, map->h);
  cairo_t *cr = cairo_create(s);
  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "cannot make a %dx%d picture: %s", map->w, map->h,
                    cairo_status_to_string(cairo_status(cr)));
  } else {
    st = render(ctx, map, cr, progress, data);
    /* cairo keeps the first error of a drawing (out of memory included) */
    if (st == REACH_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
      st = reach_fail(ctx, cairo_status(cr) == CAIRO_STATUS_NO_MEMORY ? REACH_ERR_NOMEM
                                                                      : REACH_ERR_INTERNAL,
                      "cannot draw the %dx%d picture: %s", map->w, map->h,
                      cairo_status_to_string(cairo_status(cr)));
  }
  cairo_destroy(cr);
  cairo_status_t cs = CAIRO_STATUS_SUCCESS;
  if (st == REACH_OK && fmt == 0 && map->dpi > 0) {
    struct membuf b = {0};
    cs = cairo_surface_write_to_png_stream(s, mem_cb, &b);
    if (cs == CAIRO_STATUS_SUCCESS && !write_png_dpi(f, &b, map->dpi))
      cs = CAIRO_STATUS_WRITE_ERROR;
    free(b.p);
  } else if (st == REACH_OK && fmt == 0) {
    cs = cairo_surface_write_to_png_stream(s, write_cb, f);
  }
  cairo_surface_finish(s);
  if (cs == CAIRO_STATUS_SUCCESS) cs = cairo_surface_status(s);
  cairo_surface_destroy(s);
  if (st == REACH_OK && cs != CAIRO_STATUS_SUCCESS && cs != CAIRO_STATUS_WRITE_ERROR)
    st = reach_fail(ctx, cs == CAIRO_STATUS_NO_MEMORY ? REACH_ERR_NOMEM : REACH_ERR_IO,
                    "cannot write %s: %s", path, cairo_status_to_string(cs));
  if (st != REACH_OK) {
    reach_stream_abort(out);
    return st;
  }
  /* a failed write (cairo's WRITE_ERROR) is named by the commit, with its
   * reason */
  return reach_stream_commit(ctx, out);
}

void reach_map_release_fonts(void) {
  /* Pango's font map first: it holds cairo's scaled fonts and fontconfig's
   * patterns, which cairo and fontconfig would find still in use */
  pango_cairo_font_map_set_default(NULL);
  cairo_debug_reset_static_data();
  FcFini();
}

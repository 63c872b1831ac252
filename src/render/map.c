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
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
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
#include "georeach/io.h"
#include "georeach/map.h"
#include "georeach/ring.h"

#define PI 3.14159265358979323846
#define DEG (PI / 180)
/* Largest distance, in pixels, of a drawn point from the image of the
 * straight lon/lat edge it stands for. */
#define MAP_SAG_PX 0.25
/* Coordinates this close to +/-180 or +/-90 are on a cut or pole line. */
#define MAP_SEAM_EPS 1e-7

struct map_region {
  struct reach_geom geom;
  char *label;
  int colour, flags;
};

struct map_point {
  double lat, lon;
  char *name;
  enum reach_map_marker marker;
};

struct map_legend {
  int colour, flags;
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
static const double fill_alpha = 0.22;

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

void reach_map_free(struct reach_map *map) {
  if (!map) return;
  unlayout(map);
  for (size_t i = 0; i < map->nregions; i++) {
    reach_geom_clear(&map->regions[i].geom);
    free(map->regions[i].label);
  }
  for (size_t i = 0; i < map->npoints; i++) free(map->points[i].name);
  for (size_t i = 0; i < map->nlegend; i++) free(map->legend[i].text);
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
  l->text = strdup(text ? text : "");
  if (!l->text) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  map->nlegend++;
  return REACH_OK;
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

/* ---- GEOS helpers ------------------------------------------------------- */

struct geos_list {
  GEOSGeometry **g;
  size_t n, cap;
};

static int list_push(struct geos_list *l, GEOSGeometry *g) {
  if (!g) return 0;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    GEOSGeometry **n = realloc(l->g, cap * sizeof(GEOSGeometry *));
    if (!n) return 0;
    l->g = n;
    l->cap = cap;
  }
  l->g[l->n++] = g;
  return 1;
}

static void list_free(GEOSContextHandle_t h, struct geos_list *l) {
  for (size_t i = 0; i < l->n; i++) GEOSGeom_destroy_r(h, l->g[i]);
  free(l->g);
  memset(l, 0, sizeof *l);
}

/* A collection of @p type taking the list's geometries (the list is
 * emptied). */
static GEOSGeometry *list_collect(GEOSContextHandle_t h, struct geos_list *l, int type) {
  GEOSGeometry *c = GEOSGeom_createCollection_r(h, type, l->g, (unsigned)l->n);
  if (c) {
    free(l->g);
    memset(l, 0, sizeof *l);
  }
  return c;
}

static GEOSGeometry *geom_to_geos(GEOSContextHandle_t h, const struct reach_geom *g) {
  struct geos_list polys = {0};
  for (size_t p = 0; p < g->npolys; p++) {
    size_t r0 = g->poly_start[p], r1 = g->poly_start[p + 1];
    GEOSGeometry *shell = NULL, **holes = calloc(r1 - r0, sizeof(GEOSGeometry *));
    int ok = holes != NULL;
    for (size_t r = r0; ok && r < r1; r++) {
      size_t k0 = g->ring_start[r], k1 = g->ring_start[r + 1];
      GEOSCoordSequence *cs =
          GEOSCoordSeq_copyFromBuffer_r(h, g->xy + 2 * k0, (unsigned)(k1 - k0), 0, 0);
      GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
      ok = ring != NULL;
      if (r == r0)
        shell = ring;
      else
        holes[r - r0 - 1] = ring;
    }
    GEOSGeometry *poly = NULL;
    if (ok) poly = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)(r1 - r0 - 1));
    if (!poly) {
      if (shell) GEOSGeom_destroy_r(h, shell);
      for (size_t i = 0; holes && i + 1 < r1 - r0; i++)
        if (holes[i]) GEOSGeom_destroy_r(h, holes[i]);
    }
    free(holes);
    if (!list_push(&polys, poly)) {
      if (poly) GEOSGeom_destroy_r(h, poly);
      list_free(h, &polys);
      return NULL;
    }
  }
  GEOSGeometry *mp = list_collect(h, &polys, GEOS_MULTIPOLYGON);
  if (!mp) list_free(h, &polys);
  return mp;
}

/* Which lines are no boundary: cut lines lon = +/-180, pole lines
 * lat = +/-90. */
enum { SEAM_CUT = 1, SEAM_POLE = 2 };

static int seam_edge(const double *a, const double *b, int seams) {
  return ((seams & SEAM_CUT) && fabs(fabs(a[0]) - 180) < MAP_SEAM_EPS &&
          fabs(fabs(b[0]) - 180) < MAP_SEAM_EPS && (a[0] > 0) == (b[0] > 0)) ||
         ((seams & SEAM_POLE) && fabs(fabs(a[1]) - 90) < MAP_SEAM_EPS &&
          fabs(fabs(b[1]) - 90) < MAP_SEAM_EPS);
}

/* The runs of a closed ring's edges that are real boundary (not on a cut or
 * pole line), as line strings appended to @p out. */
static int ring_runs(GEOSContextHandle_t h, const double *xy, size_t n, int seams,
                     struct geos_list *out) {
  if (n < 2) return 1;
  size_t m = n - 1; /* edges: i -> i + 1 */
  size_t start = 0;
  int any_seam = 0;
  for (size_t i = 0; i < m; i++)
    if (seam_edge(xy + 2 * i, xy + 2 * (i + 1), seams)) {
      start = i + 1; /* begin after a seam so that no run wraps */
      any_seam = 1;
      break;
    }
  if (!any_seam) {
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)n, 0, 0);
    GEOSGeometry *ls = cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
    if (!list_push(out, ls)) {
      if (ls) GEOSGeom_destroy_r(h, ls);
      return 0;
    }
    return 1;
  }
  double *buf = malloc(2 * n * sizeof *buf);
  if (!buf) return 0;
  size_t len = 0;
  int ok = 1;
  for (size_t j = 0; j <= m && ok; j++) {
    size_t i = (start + j) % m; /* edge i -> i + 1 */
    int seam = j == m || seam_edge(xy + 2 * i, xy + 2 * (i + 1), seams);
    if (!seam) {
      if (len == 0) {
        buf[0] = xy[2 * i];
        buf[1] = xy[2 * i + 1];
        len = 1;
      }
      buf[2 * len] = xy[2 * (i + 1)];
      buf[2 * len + 1] = xy[2 * (i + 1) + 1];
      len++;
    } else if (len >= 2) {
      GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, buf, (unsigned)len, 0, 0);
      GEOSGeometry *ls = cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
      if (!list_push(out, ls)) {
        if (ls) GEOSGeom_destroy_r(h, ls);
        ok = 0;
      }
      len = 0;
    } else {
      len = 0;
    }
  }
  free(buf);
  return ok;
}

/* The coordinates of a GEOS ring or line into @p out (its buffer grows as
 * needed and stays with it). */
static int geos_coords(GEOSContextHandle_t h, const GEOSGeometry *g,
                       struct reach_pts *out) {
  const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
  unsigned size = 0;
  out->n = 0;
  if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &size)) return 0;
  if (size > out->cap) {
    double *b = realloc(out->xy, 2 * (size_t)size * sizeof *b);
    if (!b) return 0;
    out->xy = b;
    out->cap = size;
  }
  out->n = size;
  return size == 0 || GEOSCoordSeq_copyToBuffer_r(h, cs, out->xy, 0, 0);
}

/* Outline runs of every ring of the polygons in @p g. */
static int geos_outline(GEOSContextHandle_t h, const GEOSGeometry *g, int seams,
                        struct geos_list *out) {
  int t = GEOSGeomTypeId_r(h, g);
  if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
      if (!geos_outline(h, GEOSGetGeometryN_r(h, g, i), seams, out)) return 0;
    return 1;
  }
  if (t != GEOS_POLYGON) return 1;
  struct reach_pts buf = {0};
  int nh = GEOSGetNumInteriorRings_r(h, g), ok = 1;
  for (int r = -1; ok && r < nh; r++) {
    const GEOSGeometry *ring =
        r < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, r);
    ok = ring && geos_coords(h, ring, &buf) && ring_runs(h, buf.xy, buf.n, seams, out);
  }
  reach_pts_free(&buf);
  return ok;
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
  m->extent_m = m->nregions || m->npoints ? find_extent(ctx, m)
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
  GEOSContextHandle_t h;
  GEOSGeometry *vis;
  const GEOSPreparedGeometry *vis_prep;
  struct reach_pts buf;  /* scratch: one projected ring or line */
  struct reach_pts coords; /* scratch: coordinates out of GEOS */
  struct box {
    double x0, y0, x1, y1;
  } *boxes;              /* placed labels and furniture */
  size_t nboxes;
  struct reach_pts *anchors; /* projected outline points, per region */
  const GEOSGeometry *best; /* the largest polygon path_polygons() added */
  double best_area, best_w;  /* its area and width in pixels */
  struct clabel {
    const char *name;
    double x, y, area, w;
  } *clabels;            /* country label candidates */
  size_t nclabels;
  int failed;            /* out of memory somewhere */
};

/* @p g clipped to the visible area: a new geometry, NULL when nothing of it
 * is visible or GEOS fails. */
static GEOSGeometry *clip(struct draw *d, const GEOSGeometry *g) {
  if (d->m->whole_world) return GEOSGeom_clone_r(d->h, g);
  if (GEOSPreparedIntersects_r(d->h, d->vis_prep, g) != 1) return NULL;
  if (GEOSPreparedContainsProperly_r(d->h, d->vis_prep, g) == 1)
    return GEOSGeom_clone_r(d->h, g);
  return GEOSIntersection_r(d->h, g, d->vis);
}

/* Add the polygons of @p g to the current path. */
static void path_polygons(struct draw *d, const GEOSGeometry *g) {
  int t = GEOSGeomTypeId_r(d->h, g);
  if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
    int n = GEOSGetNumGeometries_r(d->h, g);
    for (int i = 0; i < n; i++) path_polygons(d, GEOSGetGeometryN_r(d->h, g, i));
    return;
  }
  if (t != GEOS_POLYGON) return;
  int nh = GEOSGetNumInteriorRings_r(d->h, g);
  for (int r = -1; r < nh; r++) {
    const GEOSGeometry *ring =
        r < 0 ? GEOSGetExteriorRing_r(d->h, g) : GEOSGetInteriorRingN_r(d->h, g, r);
    if (!ring || !geos_coords(d->h, ring, &d->coords) ||
        !project_line(d->m, d->coords.xy, d->coords.n, &d->buf)) {
      d->failed = 1;
      return;
    }
    path_ring(d->cr, &d->buf, r >= 0);
    double area = fabs(signed_area(&d->buf));
    if (r < 0 && area > d->best_area) {
      double x0 = INFINITY, x1 = -INFINITY;
      for (size_t i = 0; i < d->buf.n; i++) {
        x0 = fmin(x0, d->buf.xy[2 * i]);
        x1 = fmax(x1, d->buf.xy[2 * i]);
      }
      d->best = g;
      d->best_area = area;
      d->best_w = x1 - x0;
    }
  }
}

/* Add the lines of @p g to the current path; their points go to @p keep
 * too when not NULL. */
static void path_lines(struct draw *d, const GEOSGeometry *g, struct reach_pts *keep) {
  int t = GEOSGeomTypeId_r(d->h, g);
  if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
    int n = GEOSGetNumGeometries_r(d->h, g);
    for (int i = 0; i < n; i++) path_lines(d, GEOSGetGeometryN_r(d->h, g, i), keep);
    return;
  }
  if (t != GEOS_LINESTRING && t != GEOS_LINEARRING) return;
  if (!geos_coords(d->h, g, &d->coords) ||
      !project_line(d->m, d->coords.xy, d->coords.n, &d->buf)) {
    d->failed = 1;
    return;
  }
  for (size_t i = 0; i < d->buf.n; i++) { // NOLINT(clang-analyzer-unix.Malloc): d->coords keeps its buffer; render() frees it
    double x = d->buf.xy[2 * i], y = d->buf.xy[2 * i + 1];
    if (i == 0)
      cairo_move_to(d->cr, x, y);
    else
      cairo_line_to(d->cr, x, y);
    if (keep && !reach_pts_push(keep, x, y)) d->failed = 1;
  }
}

/* Add the outline of polygons @p g (clipped to the visible area, without
 * the @p seams lines) to the current path; @p keep as for path_lines(). */
static void add_outline(struct draw *d, const GEOSGeometry *g, int seams,
                        struct reach_pts *keep) {
  struct geos_list runs = {0};
  if (!geos_outline(d->h, g, seams, &runs)) {
    list_free(d->h, &runs);
    d->failed = 1;
    return;
  }
  if (runs.n == 0) {
    free(runs.g);
    return;
  }
  GEOSGeometry *ml = list_collect(d->h, &runs, GEOS_MULTILINESTRING);
  if (!ml) {
    list_free(d->h, &runs);
    d->failed = 1;
    return;
  }
  GEOSGeometry *c = clip(d, ml);
  if (c) {
    path_lines(d, c, keep);
    GEOSGeom_destroy_r(d->h, c);
  }
  GEOSGeom_destroy_r(d->h, ml);
}

static void draw_visible(struct draw *d, int fill) {
  cairo_new_path(d->cr);
  if (fill) {
    path_polygons(d, d->vis);
    set_rgb(d->cr, c_ocean, 1);
    cairo_fill(d->cr);
  } else {
    /* the globe's limb; the world's edge, with its flat poles, and not the
     * line +/-180 where the world is cut in two */
    const struct reach_map *m = d->m;
    add_outline(d, d->vis, !m->boxes ? SEAM_CUT | SEAM_POLE : m->whole_world ? 0 : SEAM_CUT,
                NULL);
    set_rgb(d->cr, (struct reach_rgb){0.45, 0.5, 0.55}, 1);
    cairo_set_line_width(d->cr, 1.2 * d->m->unit);
    cairo_stroke(d->cr);
  }
}

static enum reach_status draw_countries(struct draw *d) {
  void *const *cs;
  const char(*names)[64];
  size_t n;
  enum reach_status st = reach_countries_geos(d->ctx, &cs, &names, &n);
  if (st) return st;
  cairo_t *cr = d->cr;
  struct geos_list clipped = {0};
  const char **cnames = calloc(n ? n : 1, sizeof *cnames);
  d->clabels = calloc(n ? n : 1, sizeof *d->clabels);
  if (!cnames || !d->clabels) {
    free(cnames);
    return reach_fail(d->ctx, REACH_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n && !d->failed; i++) {
    GEOSGeometry *c = clip(d, cs[i]);
    if (c) cnames[clipped.n] = names[i];
    if (c && !list_push(&clipped, c)) {
      GEOSGeom_destroy_r(d->h, c);
      d->failed = 1;
    }
  }
  /* one path for all the land: no hairlines between neighbours; a label
   * place for each country, drawn last if there is room */
  cairo_new_path(cr);
  for (size_t i = 0; i < clipped.n; i++) {
    d->best = NULL;
    d->best_area = 0;
    path_polygons(d, clipped.g[i]);
    /* the label goes on the largest piece (not on an island of it) */
    GEOSGeometry *pt = cnames[i][0] && d->best ? GEOSPointOnSurface_r(d->h, d->best) : NULL;
    double lon, lat, x, y;
    if (pt && GEOSGeomGetX_r(d->h, pt, &lon) && GEOSGeomGetY_r(d->h, pt, &lat) &&
        px_of(d->m, lon, lat, &x, &y))
      d->clabels[d->nclabels++] = (struct clabel){cnames[i], x, y, d->best_area, d->best_w};
    if (pt) GEOSGeom_destroy_r(d->h, pt);
  }
  free(cnames);
  set_rgb(cr, c_land, 1);
  cairo_fill(cr);
  for (size_t i = 0; i < clipped.n; i++) add_outline(d, clipped.g[i], SEAM_CUT | SEAM_POLE, NULL);
  set_rgb(cr, (struct reach_rgb){0.55, 0.55, 0.55}, 1);
  cairo_set_line_width(cr, 0.6 * d->m->unit);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  list_free(d->h, &clipped);
  return REACH_OK;
}

static void draw_graticule(struct draw *d) {
  double step = d->m->grat_deg;
  struct geos_list lines = {0};
  int nlat = (int)floor(90 / step + 1e-9), nlon = (int)floor(180 / step + 1e-9);
  double pts[2 * 181];
  /* on azimuthal views meridians stop a step short of the poles, where they
   * would crowd, but for every 90th */
  double stop = d->m->boxes ? 90 : 90 - fmax(step, 5);
  for (int i = -nlon; i < nlon && !d->failed; i++) { /* meridians */
    double lon = i * step, end = fmod(fabs(lon), 90) == 0 ? 90 : stop;
    for (size_t k = 0; k <= 180; k++) pts[2 * k] = lon, pts[2 * k + 1] = -end + (double)k * end / 90;
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(d->h, pts, 181, 0, 0);
    GEOSGeometry *ls = cs ? GEOSGeom_createLineString_r(d->h, cs) : NULL;
    if (!list_push(&lines, ls)) d->failed = 1;
  }
  for (int i = -nlat; i <= nlat && !d->failed; i++) { /* parallels */
    double lat = i * step;
    if (fabs(lat) >= 90) continue;
    for (size_t k = 0; k <= 180; k++) pts[2 * k] = -180 + 2 * (double)k, pts[2 * k + 1] = lat;
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(d->h, pts, 181, 0, 0);
    GEOSGeometry *ls = cs ? GEOSGeom_createLineString_r(d->h, cs) : NULL;
    if (!list_push(&lines, ls)) d->failed = 1;
  }
  GEOSGeometry *ml = d->failed ? NULL : list_collect(d->h, &lines, GEOS_MULTILINESTRING);
  list_free(d->h, &lines);
  if (!ml) return;
  GEOSGeometry *c = clip(d, ml);
  GEOSGeom_destroy_r(d->h, ml);
  if (!c) return;
  cairo_new_path(d->cr);
  path_lines(d, c, NULL);
  GEOSGeom_destroy_r(d->h, c);
  set_rgb(d->cr, (struct reach_rgb){0.45, 0.55, 0.65}, 0.45);
  cairo_set_line_width(d->cr, 0.6 * d->m->unit);
  cairo_stroke(d->cr);
}

static enum reach_status draw_regions(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  GEOSGeometry **clipped = calloc(m->nregions ? m->nregions : 1, sizeof(GEOSGeometry *));
  if (!clipped) return reach_fail(d->ctx, REACH_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < m->nregions && !d->failed; i++) {
    GEOSGeometry *g = geom_to_geos(d->h, &m->regions[i].geom);
    if (!g) {
      d->failed = 1;
      break;
    }
    clipped[i] = clip(d, g);
    GEOSGeom_destroy_r(d->h, g);
  }
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
      if (m->regions[j].colour == m->regions[i].colour && clipped[j])
        path_polygons(d, clipped[j]);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    set_rgb(cr, reach_map_colour(m->regions[i].colour), fill_alpha);
    cairo_fill(cr);
  }
  free(order);
  /* outlines, from the unclipped regions' real edges */
  for (size_t i = 0; i < m->nregions && !d->failed; i++) {
    GEOSGeometry *g = geom_to_geos(d->h, &m->regions[i].geom);
    if (!g) {
      d->failed = 1;
      break;
    }
    cairo_new_path(cr);
    add_outline(d, g, SEAM_CUT | SEAM_POLE, &d->anchors[i]);
    GEOSGeom_destroy_r(d->h, g);
    struct reach_rgb c = reach_map_colour(m->regions[i].colour);
    set_rgb(cr, (struct reach_rgb){c.r * 0.85, c.g * 0.85, c.b * 0.85}, 0.95);
    cairo_set_line_width(cr, 2 * m->unit);
    double dash[2] = {7 * m->unit, 4 * m->unit};
    cairo_set_dash(cr, dash, m->regions[i].flags & REACH_MAP_DASHED ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
  for (size_t i = 0; i < m->nregions; i++)
    if (clipped[i]) GEOSGeom_destroy_r(d->h, clipped[i]);
  free(clipped);
  return REACH_OK;
}

/* ---- text and furniture -------------------------------------------------- */

static void font(cairo_t *cr, double size, int bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

/* Text with its left end of baseline at x, y, with a white halo. */
static void halo_text(cairo_t *cr, double x, double y, const char *s,
                      struct reach_rgb c, double halo) {
  cairo_new_path(cr);
  cairo_move_to(cr, x, y);
  cairo_text_path(cr, s);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
  cairo_set_line_width(cr, halo);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke_preserve(cr);
  set_rgb(cr, c, 1);
  cairo_fill(cr);
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

/* Place text near an anchor, trying the positions in order; 1 if placed. */
static int place_label(struct draw *d, const char *s, double size, int bold,
                       struct reach_rgb c, const double (*pos)[2], int npos) {
  cairo_text_extents_t te;
  font(d->cr, size, bold);
  cairo_text_extents(d->cr, s, &te);
  for (int i = 0; i < npos; i++) {
    /* pos: top left corner of the text's box */
    struct box b = {pos[i][0], pos[i][1], pos[i][0] + te.x_advance, pos[i][1] + size * 1.2};
    if (overlaps(d, b)) continue;
    halo_text(d->cr, b.x0, b.y0 + size * 0.95, s, c, 3 * d->m->unit);
    add_box(d, b);
    return 1;
  }
  return 0;
}

static void draw_points(struct draw *d, int labels) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit;
  for (size_t i = 0; i < m->npoints; i++) {
    const struct map_point *p = &m->points[i];
    double x, y;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(d->h, p->lon, p->lat);
    int vis = pt && (m->whole_world || GEOSPreparedIntersects_r(d->h, d->vis_prep, pt) == 1);
    if (pt) GEOSGeom_destroy_r(d->h, pt);
    if (!vis || !px_of(m, p->lon, p->lat, &x, &y)) continue;
    double r = 4.5 * u;
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
    double size = 13 * u;
    cairo_text_extents_t te;
    font(cr, size, 1);
    cairo_text_extents(cr, p->name, &te);
    double gap = r + 3 * u;
    const double pos[4][2] = {{x + gap, y - size * 0.6},
                              {x - gap - te.x_advance, y - size * 0.6},
                              {x - te.x_advance / 2, y - gap - size * 1.2},
                              {x - te.x_advance / 2, y + gap}};
    place_label(d, p->name, size, 1, p->marker == REACH_MAP_TARGET ? c_target : c_site,
                pos, 4);
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
    cairo_text_extents_t te;
    font(d->cr, size, 1);
    cairo_text_extents(d->cr, r->label, &te);
    double w = te.x_advance, g = 4 * u;
    const double pos[4][2] = {{ext[0][0] - w / 2, ext[0][1] - g - size * 1.2},
                              {ext[1][0] - w / 2, ext[1][1] + g},
                              {ext[2][0] + g, ext[2][1] - size * 0.6},
                              {ext[3][0] - g - w, ext[3][1] - size * 0.6}};
    struct reach_rgb c = reach_map_colour(r->colour);
    place_label(d, r->label, size, 1, (struct reach_rgb){c.r * 0.7, c.g * 0.7, c.b * 0.7},
                pos, 4);
  }
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
  int sites = 0, targets = 0;
  for (size_t i = 0; i < m->npoints; i++) {
    sites |= m->points[i].marker == REACH_MAP_SITE;
    targets |= m->points[i].marker == REACH_MAP_TARGET;
  }
  size_t n = m->nlegend + (size_t)sites + (size_t)targets;
  if (n == 0) return;
  font(cr, size, 0);
  double tw = 0;
  for (size_t i = 0; i < m->nlegend; i++) {
    cairo_text_extents_t te;
    cairo_text_extents(cr, m->legend[i].text, &te);
    tw = fmax(tw, te.x_advance);
  }
  tw = fmax(tw, 80 * u);
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
    const char *text;
    if (i < m->nlegend) {
      struct reach_rgb c = reach_map_colour(m->legend[i].colour);
      cairo_rectangle(cr, sx, sy, sw, sh);
      set_rgb(cr, c, fill_alpha);
      cairo_fill_preserve(cr);
      set_rgb(cr, (struct reach_rgb){c.r * 0.85, c.g * 0.85, c.b * 0.85}, 0.95);
      cairo_set_line_width(cr, 2 * u);
      double dash[2] = {7 * u, 4 * u};
      cairo_set_dash(cr, dash, m->legend[i].flags & REACH_MAP_DASHED ? 2 : 0, 0);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
      text = m->legend[i].text;
    } else if (sites && i == m->nlegend) {
      cairo_arc(cr, sx + sw / 2, sy + sh / 2, 4.5 * u, 0, 2 * PI);
      set_rgb(cr, c_site, 1);
      cairo_fill(cr);
      text = "launch site";
    } else {
      double cx = sx + sw / 2, cy = sy + sh / 2, r = 4.5 * u;
      cairo_move_to(cr, cx - r, cy - r);
      cairo_line_to(cr, cx + r, cy + r);
      cairo_move_to(cr, cx - r, cy + r);
      cairo_line_to(cr, cx + r, cy - r);
      set_rgb(cr, c_target, 1);
      cairo_set_line_width(cr, 2.2 * u);
      cairo_stroke(cr);
      text = "target";
    }
    font(cr, size, 0);
    cairo_move_to(cr, sx + sw + pad, y + line * 0.5 + size * 0.35);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_show_text(cr, text);
  }
  add_box(d, b);
}

/* A scale bar (azimuthal equidistant maps: distances from the centre are
 * true, so it measures radii) and the credit line. */
static void draw_furniture(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit, size = 11 * u;
  char text[160];
  cairo_text_extents_t te;
  snprintf(text, sizeof text, "georeach %s \xC2\xB7 WGS84 geodesic \xC2\xB7 countries: Natural Earth",
           reach_version());
  font(cr, size, 0);
  cairo_text_extents(cr, text, &te);
  double x = m->px1 - 8 * u - te.x_advance, y = m->py1 - 8 * u;
  halo_text(cr, x, y, text, (struct reach_rgb){0.3, 0.3, 0.3}, 3 * u);
  add_box(d, (struct box){x, y - size, m->px1, m->py1});
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
  font(cr, size, 0);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  for (int i = 0; i <= 2; i++) {
    if (i == 2)
      snprintf(text, sizeof text, "%g km", len_km);
    else
      snprintf(text, sizeof text, "%g", len_km * i / 2);
    cairo_text_extents(cr, text, &te);
    double tx = x0 + i * len_px / 2 - (i == 2 ? te.x_advance / 4 : te.x_advance / 2);
    cairo_move_to(cr, tx, y0 - 4 * u);
    cairo_show_text(cr, text);
  }
  font(cr, size * 0.9, 0);
  cairo_move_to(cr, x0, y0 + bh + size * 1.2);
  cairo_show_text(cr, "distances from the centre are true");
  add_box(d, (struct box){x0 - 6 * u, y0 - 20 * u, x0 + len_px + 54 * u, y0 + 26 * u});
}

static void draw_title(struct draw *d) {
  struct reach_map *m = d->m;
  cairo_t *cr = d->cr;
  double u = m->unit, y = 12 * u;
  if (m->title) {
    /* a long title shrinks to the width */
    cairo_text_extents_t te;
    font(cr, 24 * u, 1);
    cairo_text_extents(cr, m->title, &te);
    if (te.x_advance > m->px1 - m->px0)
      font(cr, fmax(8, 24 * u * (m->px1 - m->px0) / te.x_advance), 1);
    cairo_move_to(cr, m->px0, y + 24 * u);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_show_text(cr, m->title);
    y += 34 * u;
  }
  font(cr, 13 * u, 0);
  char text[400];
  snprintf(text, sizeof text, "%s%s", m->desc,
           m->grat_deg > 0 ? " \xC2\xB7 graticule every " : "");
  size_t l = strlen(text);
  if (m->grat_deg > 0)
    snprintf(text + l, sizeof text - l, "%g\xC2\xB0", m->grat_deg);
  cairo_move_to(cr, m->px0, y + 13 * u);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  cairo_show_text(cr, text);
}

static int by_area(const void *a, const void *b) {
  const struct clabel *x = a, *y = b;
  return x->area < y->area ? 1 : x->area > y->area ? -1 : 0;
}

/* Country names, largest first, where they fit inside the country's box
 * and clear of everything placed before. */
static void draw_country_labels(struct draw *d) {
  double u = d->m->unit, size = 11 * u;
  if (!d->clabels || d->nclabels == 0) return;
  qsort(d->clabels, d->nclabels, sizeof *d->clabels, by_area);
  font(d->cr, size, 0);
  for (size_t i = 0; i < d->nclabels; i++) {
    const struct clabel *c = &d->clabels[i];
    cairo_text_extents_t te;
    cairo_text_extents(d->cr, c->name, &te);
    if (te.x_advance > 0.9 * c->w || te.x_advance * size * 2.5 > c->area) continue;
    const double pos[1][2] = {{c->x - te.x_advance / 2, c->y - size * 0.6}};
    place_label(d, c->name, size, 0, (struct reach_rgb){0.42, 0.42, 0.42}, pos, 1);
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
  d.h = ctx->geos;
  enum reach_status st = REACH_OK;
  d.anchors = calloc(m->nregions ? m->nregions : 1, sizeof *d.anchors);
  d.vis = geom_to_geos(d.h, &m->visible);
  d.vis_prep = d.vis ? GEOSPrepare_r(d.h, d.vis) : NULL;
  if (!d.anchors || !d.vis_prep) {
    st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    goto out;
  }
  cairo_set_source_rgb(cr, c_back.r, c_back.g, c_back.b);
  cairo_paint(cr);
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
  draw_country_labels(&d);
  draw_title(&d);
  if (!tick(progress, data, 0.9)) goto interrupted;
  if (d.failed) st = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory while drawing");
  goto out;
interrupted:
  st = reach_fail(ctx, REACH_ERR_INTERRUPTED, "interrupted");
out:
  if (d.vis_prep) GEOSPreparedGeom_destroy_r(d.h, d.vis_prep);
  if (d.vis) GEOSGeom_destroy_r(d.h, d.vis);
  for (size_t i = 0; d.anchors && i < m->nregions; i++) reach_pts_free(&d.anchors[i]);
  free(d.anchors);
  reach_pts_free(&d.buf);
  reach_pts_free(&d.coords);
  free(d.boxes);
  free(d.clabels);
  return st;
}

/* ---- writing ------------------------------------------------------------ */

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len) {
  return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS
                                              : CAIRO_STATUS_WRITE_ERROR;
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
    s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, map->w, map->h);
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
  if (st == REACH_OK && fmt == 0) cs = cairo_surface_write_to_png_stream(s, write_cb, f);
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
  cairo_debug_reset_static_data();
  FcFini();
}

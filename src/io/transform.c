/* Reprojection of what the readers read to WGS84, refusing coordinates the
 * transformation cannot take.  GDAL 3.6's Web Mercator to WGS84 shortcut
 * wraps the longitude with a loop that never ends for x = 1e20 (and PROJ's
 * own iterative inverses can fail to converge far outside a projection's
 * area), with no way to interrupt it: so coordinates are checked before
 * they are transformed, and every transformed point must come back to
 * where it started. */
#include <math.h>
#include <cpl_error.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "georeach/io.h"
#include "io/transform.h"

/* A geographic CRS's coordinates are degrees (or grads...): beyond this
 * nothing is a position. */
#define GEOGRAPHIC_MAX 1e4
/* A projected CRS without a usable area of use: 1e8 m is 2.5 times round the
 * Earth, past anything a projection of the Earth gives. */
#define PROJECTED_MAX_M 1e8

void reach_guard_init(struct reach_guard *gd, void *ct_) {
  OGRCoordinateTransformationH ct = ct_;
  memset(gd, 0, sizeof *gd);
  gd->ct = ct;
  OGRSpatialReferenceH src = ct ? OCTGetSourceCS(ct) : NULL;
  gd->inv = ct ? OCTGetInverse(ct) : NULL;
  snprintf(gd->crs, sizeof gd->crs, "the layer's CRS");
  if (!src) {
    gd->box[0] = gd->box[1] = -PROJECTED_MAX_M;
    gd->box[2] = gd->box[3] = PROJECTED_MAX_M;
    return;
  }
  const char *auth = OSRGetAuthorityName(src, NULL), *code = OSRGetAuthorityCode(src, NULL);
  if (auth && code) snprintf(gd->crs, sizeof gd->crs, "%s:%s", auth, code);
  if (OSRIsGeographic(src)) {
    gd->box[0] = gd->box[1] = -GEOGRAPHIC_MAX;
    gd->box[2] = gd->box[3] = GEOGRAPHIC_MAX;
    return;
  }
  double unit_m = OSRGetLinearUnits(src, NULL);
  double lim = PROJECTED_MAX_M / (unit_m > 0 ? unit_m : 1);
  gd->box[0] = gd->box[1] = -lim;
  gd->box[2] = gd->box[3] = lim;
  /* The area of use in the CRS's own coordinates, widened on every side by
   * its larger extent: points a little outside a zone are common and
   * harmless; points farther out than that are typing errors or garbage. */
  double w, s, e, n, b[4];
  const char *area = NULL;
  if (gd->inv && OSRGetAreaOfUse(src, &w, &s, &e, &n, &area)) {
    if (w > e) w = -180, e = 180; /* crosses the antimeridian */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int ok = OCTTransformBounds(gd->inv, w, s, e, n, &b[0], &b[1], &b[2], &b[3], 21);
    CPLPopErrorHandler();
    if (ok && isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3]) &&
        b[2] > b[0] && b[3] > b[1]) {
      double m = fmax(b[2] - b[0], b[3] - b[1]);
      gd->box[0] = fmax(b[0] - m, -lim);
      gd->box[1] = fmax(b[1] - m, -lim);
      gd->box[2] = fmin(b[2] + m, lim);
      gd->box[3] = fmin(b[3] + m, lim);
    }
  }
}

void reach_guard_free(struct reach_guard *gd) {
  if (gd->inv) OCTDestroyCoordinateTransformation(gd->inv);
  gd->inv = NULL;
}

int reach_guard_point(struct reach_guard *gd, double *x, double *y, int round_trip,
                      char *why, size_t len) {
  double x0 = *x, y0 = *y, z = 0;
  if (!isfinite(x0) || !isfinite(y0)) {
    snprintf(why, len, "POINT (%g %g) (not a finite number)", x0, y0);
    return 0;
  }
  if (!(x0 >= gd->box[0] && x0 <= gd->box[2] && y0 >= gd->box[1] && y0 <= gd->box[3])) {
    snprintf(why, len,
             "POINT (%.10g %.10g) (far outside the area of %s: x within "
             "[%.4g, %.4g], y within [%.4g, %.4g] expected)",
             x0, y0, gd->crs, gd->box[0], gd->box[2], gd->box[1], gd->box[3]);
    return 0;
  }
  CPLPushErrorHandler(CPLQuietErrorHandler);
  int ok = OCTTransform(gd->ct, 1, x, y, &z) && isfinite(*x) && isfinite(*y);
  /* back again: a transformation that did not converge, or a point where
   * the projection is not one-to-one, does not return to where it began */
  double bx = *x, by = *y, bz = 0;
  int back = !round_trip || !gd->inv ||
             (OCTTransform(gd->inv, 1, &bx, &by, &bz) &&
              fabs(bx - x0) <= 1e-6 * fmax(1, fabs(x0)) + 1e-3 &&
              fabs(by - y0) <= 1e-6 * fmax(1, fabs(y0)) + 1e-3);
  if (ok && !back && isfinite(bx) && isfinite(by)) {
    /* A point past the antimeridian (x = 3e7 in Web Mercator) comes back
     * as its twin within the world; the twin must then reach the same
     * longitude and latitude. */
    double lx = bx, ly = by, lz = 0;
    back = OCTTransform(gd->ct, 1, &lx, &ly, &lz) &&
           fabs(remainder(lx - *x, 360)) <= 1e-9 && fabs(ly - *y) <= 1e-9;
  }
  CPLPopErrorHandler();
  if (!ok || !back) {
    snprintf(why, len, "POINT (%.10g %.10g) (cannot be converted from %s to WGS84%s)",
             x0, y0, gd->crs, ok ? ": the conversion does not come back to the point" : "");
    return 0;
  }
  return 1;
}

/* Every vertex of g inside the guard's box. */
static int geom_inside(struct reach_guard *gd, OGRGeometryH g, char *why, size_t len) {
  int parts = OGR_G_GetGeometryCount(g);
  if (parts > 0) {
    for (int i = 0; i < parts; i++)
      if (!geom_inside(gd, OGR_G_GetGeometryRef(g, i), why, len)) return 0;
    return 1;
  }
  int n = OGR_G_GetPointCount(g);
  for (int i = 0; i < n; i++) {
    double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
    if (!isfinite(x) || !isfinite(y) ||
        !(x >= gd->box[0] && x <= gd->box[2] && y >= gd->box[1] && y <= gd->box[3])) {
      snprintf(why, len, "vertex (%.10g %.10g) far outside the area of %s", x, y, gd->crs);
      return 0;
    }
  }
  return 1;
}

enum reach_status reach_geom_to_wgs84(struct reach_ctx *ctx, void *ct, void *geom,
                                      const char *source, long long fid) {
  struct reach_guard gd;
  char why[256], shown[512];
  reach_guard_init(&gd, ct);
  int ok = geom_inside(&gd, geom, why, sizeof why);
  reach_guard_free(&gd);
  if (ok) {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ok = OGR_G_Transform(geom, ct) == OGRERR_NONE;
    CPLPopErrorHandler();
    if (!ok) snprintf(why, sizeof why, "cannot be converted from %s to WGS84", gd.crs);
  }
  if (ok) return REACH_OK;
  reach_redact_connection(source, shown, sizeof shown);
  return reach_fail(ctx, REACH_ERR_DATA, "%s, feature with FID %lld: bad geometry: %s",
                    shown, fid, why);
}

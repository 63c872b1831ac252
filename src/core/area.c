/* Area on the ellipsoid of polygons with straight lon/lat edges.
 *
 * The area element is c(phi) dphi dlambda with c = M(phi) N(phi) cos(phi), and
 * F(phi) = integral of c from the equator = (b^2/2) (sin/(1 - e^2 sin^2) +
 * atanh(e sin)/e), the authalic-latitude formula.  By Green's theorem a ring
 * traversed counter-clockwise in (lambda, phi) encloses -closed-integral of
 * F(phi) dlambda.  Along a straight lon/lat edge phi is linear in lambda, so the
 * edge integral is a one-dimensional quadrature of a smooth function: the
 * corrected trapezoid rule on edges spanning up to half a degree of latitude,
 * Simpson's rule on half-degree pieces of longer ones, both exact to ~1e-12.  The
 * answer is the area a GeoJSON or QGIS reader sees, poles and antimeridian
 * included (edges along lat = +/-90 integrate F(+/-90) exactly). */
#include <math.h>

#include "core/fastmath.h"
#include "core/internal.h"


/* reach_lat_area() from the sine of the latitude. */
static double lat_area_sin(const struct reach_ctx *ctx, double s) {
  if (ctx->e == 0) return ctx->b * ctx->b * s;
  double q = ctx->e2 * s * s;
  if (ctx->e2 > 0 && ctx->e2 < 0.01) {
    /* s / (1 - q) + atanh(e s) / e = s sum_k q^k (1 + 1 / (2k + 1)),
     * q = e^2 s^2 <= e^2: ten terms leave q^10 < 2e-22 on the Earth, with
     * no atanh (it was a tenth of a ring's build) and no division */
    static const double c[10] = {2.0,           4.0 / 3,   6.0 / 5,   8.0 / 7,
                                 10.0 / 9,      12.0 / 11, 14.0 / 13, 16.0 / 15,
                                 18.0 / 17,     20.0 / 19};
    double q2 = q * q, q4 = q2 * q2; /* Estrin's scheme: short chains */
    double t = ((c[0] + q * c[1]) + q2 * (c[2] + q * c[3])) +
               q4 * ((c[4] + q * c[5]) + q2 * (c[6] + q * c[7])) + q4 * q4 * (c[8] + q * c[9]);
    return ctx->b * ctx->b / 2 * s * t;
  }
  return ctx->b * ctx->b / 2 * (s / (1 - q) + atanh(ctx->e * s) / ctx->e);
}

double reach_lat_area(const struct reach_ctx *ctx, double lat_deg) {
  return lat_area_sin(ctx, sin(lat_deg * DEG));
}

double reach_ring_area_signed(const struct reach_ctx *ctx, const double *xy,
                              size_t n) {
  if (n < 3) return 0;
  /* (the table's sine, core/fastmath.h: glibc's was a tenth of a ring) */
  double s1 = reach_fm_sin(xy[1] * DEG), sum = 0, f1 = lat_area_sin(ctx, s1);
  for (size_t i = 0; i < n; i++) {
    size_t j = i + 1 < n ? i + 1 : 0; /* (no division per vertex) */
    double dlon = xy[2 * j] - xy[2 * i];
    double p1 = xy[2 * i + 1], p2 = xy[2 * j + 1];
    double s2 = reach_fm_sin(p2 * DEG), f2 = lat_area_sin(ctx, s2);
    if (dlon != 0) {
      if (fabs(p2 - p1) <= 0.5) {
        /* The trapezoid rule less its leading error term, dphi^2 F''/12
         * (Simpson's rule to within dphi^4): exact to ~1e-14 here.  F'' at
         * the middle from the mean of the ends' sines: off by dphi^2 / 8
         * relatively, a part in 1e5 of a term that is itself 1e-6 of the
         * edge's. */
        double dp = (p2 - p1) * DEG;
        double sp = (s1 + s2) / 2, cp2 = 1 - sp * sp, iw = 1 / (1 - ctx->e2 * sp * sp);
        double f2nd = ctx->b * ctx->b * sp * iw * iw * (4 * ctx->e2 * cp2 * iw - 1);
        sum += dlon * DEG * ((f1 + f2) / 2 - f2nd * dp * dp / 12);
      } else {
        int pieces = 1 + (int)(fabs(p2 - p1) / 0.5);
        double h = (p2 - p1) / pieces, acc = 0;
        for (int k = 0; k < pieces; k++) {
          double a = p1 + k * h;
          acc += (k ? reach_lat_area(ctx, a) : f1) +
                 4 * reach_lat_area(ctx, a + h / 2) +
                 (k + 1 < pieces ? reach_lat_area(ctx, a + h) : f2);
        }
        sum += dlon * DEG * acc / (6 * pieces);
      }
    }
    f1 = f2;
    s1 = s2;
  }
  return -sum;
}

double reach_geom_area_m2(const struct reach_ctx *ctx,
                          const struct reach_geom *geom) {
  double area = 0;
  for (size_t r = 0; r < geom->nrings; r++) {
    size_t k0 = geom->ring_start[r], k1 = geom->ring_start[r + 1];
    area += reach_ring_area_signed(ctx, geom->xy + 2 * k0, k1 - k0);
  }
  return area;
}

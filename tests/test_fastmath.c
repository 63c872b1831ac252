/* The ring kernel's sine, cosine and arctangent (src/core/fastmath.h)
 * against glibc's, which are correctly rounded: the largest absolute error
 * over a few million arguments in every quadrant, the table's joins (where
 * the reduction switches entry), zeros of either sign, infinities, NaN and
 * the limits of the fast range.  The header promises ~2e-16; the test
 * allows 4e-16 (a nanometre on the Earth is 1.6e-16 rad). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/fastmath.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static uint64_t rng = 0x9e3779b97f4a7c15u;
static double uniform(double lo, double hi) { /* xorshift64*, [lo, hi) */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  uint64_t v = rng * 2685821657736338717u;
  return lo + (hi - lo) * (double)(v >> 11) * 0x1p-53;
}

static double worst_sc, worst_sc_x, worst_at, worst_at_y, worst_at_x;

static void sc_at(double x) {
  double s, c;
  reach_fm_sincos(x, &s, &c);
  double e = fmax(fabs(s - sin(x)), fabs(c - cos(x)));
  if (!(e <= worst_sc)) {
    worst_sc = e;
    worst_sc_x = x;
  }
}

static void at_at(double y, double x) {
  double ref = atan2(y, x);
  /* in units of 2.2e-16 for angles up to 1, of the angle's last place beyond */
  double e = fabs(reach_fm_atan2(y, x) - ref) / fmax(1, fabs(ref));
  if (!(e <= worst_at)) {
    worst_at = e;
    worst_at_y = y;
    worst_at_x = x;
  }
}

static int same(double a, double b) { /* bit for bit, NaN equal to NaN */
  return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

int main(void) {
  /* sincos: the kernel's arguments (|x| < 10: azimuths of up to 1.5 turns
   * from the first sample, latitudes), then the whole fast range */
  for (int i = 0; i < 2000000; i++) sc_at(uniform(-10, 10));
  for (int i = 0; i < 500000; i++) sc_at(uniform(-100, 100));
  for (int k = -1100; k <= 1100; k++) { /* the joins: r = +/- pi/64 */
    double j = 2 * M_PI * (k + 0.5) / 64;
    sc_at(j);
    sc_at(nextafter(j, 0));
    sc_at(nextafter(j, 200));
    sc_at(2 * M_PI * k / 64);
  }
  sc_at(0);
  sc_at(1e-300);
  sc_at(M_PI / 2);
  sc_at(-M_PI);
  sc_at(100);
  sc_at(-100);
  CHECK(worst_sc <= 4.5e-16, "sincos: largest error %.3g at x = %.17g", worst_sc, worst_sc_x);
  double s, c;
  reach_fm_sincos(-0.0, &s, &c);
  CHECK(same(s, -0.0) && c == 1, "sincos(-0) = %g, %g", s, c);
  const double outside[] = {100.5, -1e6, 1e300, INFINITY, -INFINITY, NAN};
  for (size_t i = 0; i < sizeof outside / sizeof *outside; i++) {
    double x = outside[i];
    reach_fm_sincos(x, &s, &c);
    CHECK(same(s, sin(x)) && same(c, cos(x)), "sincos(%g): libm's outside the fast range", x);
  }
  CHECK(same(reach_fm_sin(0.5), sin(0.5)) || fabs(reach_fm_sin(0.5) - sin(0.5)) <= 4e-16,
        "sin(0.5)");

  /* atan2: points of the unit sphere (the kernel's), then any scale */
  for (int i = 0; i < 2000000; i++) {
    double a = uniform(-M_PI, M_PI), r = uniform(0, 1);
    at_at(r * sin(a), r * cos(a));
  }
  for (int i = 0; i < 500000; i++) {
    double y = ldexp(uniform(-1, 1), (int)uniform(-60, 60));
    double x = ldexp(uniform(-1, 1), (int)uniform(-60, 60));
    at_at(y, x);
  }
  for (int k = 0; k <= 64; k++) { /* the table's joins, t = (k +/- 1/2) / 64 */
    for (int d = -1; d <= 1; d += 2) {
      double t = (k + 0.5 * d) / 64;
      if (t < 0 || t > 1) continue;
      const double sg[4][2] = {{1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
      for (int q = 0; q < 4; q++) {
        at_at(sg[q][0] * t, sg[q][1] * 1.0);
        at_at(sg[q][0] * 1.0, sg[q][1] * t);
        at_at(sg[q][0] * nextafter(t, 2), sg[q][1] * 1.0);
      }
    }
  }
  at_at(1, 1);
  at_at(-1, -1);
  at_at(1e-300, 1);
  at_at(1, 1e-300);
  at_at(DBL_MAX, DBL_MAX);
  at_at(DBL_MIN, -DBL_MAX);
  CHECK(worst_at <= 4.5e-16, "atan2: largest relative error %.3g at (%.17g, %.17g)", worst_at, worst_at_y,
        worst_at_x);
  /* libm's own answers where the fast path does not apply, and the signs of
   * zeros it keeps */
  const double ys[] = {0.0, -0.0, 1, -1, INFINITY, -INFINITY, NAN, 0.0, -0.0, 2};
  const double xs[] = {0.0, -0.0, 0.0, -0.0, 1, INFINITY, 1, -3, -3, NAN};
  for (size_t i = 0; i < sizeof ys / sizeof *ys; i++)
    CHECK(same(reach_fm_atan2(ys[i], xs[i]), atan2(ys[i], xs[i])), "atan2(%g, %g) = %.17g, libm %.17g",
          ys[i], xs[i], reach_fm_atan2(ys[i], xs[i]), atan2(ys[i], xs[i]));
  CHECK(same(reach_fm_atan2(-0.0, 5), -0.0), "atan2(-0, 5) keeps the sign");
  CHECK(same(reach_fm_atan2(0.0, 5), 0.0), "atan2(+0, 5) keeps the sign");
  printf("sincos largest error %.3g, atan2 largest error %.3g (relative beyond 1 rad)\n", worst_sc, worst_at);
  return CHECK_DONE();
}

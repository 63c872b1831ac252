/* Sine, cosine and arctangent for the ring kernel's inner loop.
 *
 * A ring of 885 km at 10 m has ~630 vertices, each from the spectral circle
 * (geodesy/ring.c): one sine/cosine pair to evaluate the interpolant and two
 * arctangents to turn its vector into a latitude and a longitude; the ring's
 * area then takes one sine per vertex.  glibc's sincos, sin and atan2 are
 * correctly rounded and spend most of their time making sure of it: perf
 * gave them 24 % of the kernel (scripts/bench rings, 10,000 rings).  Here a
 * table and a short polynomial give every value to within one unit in the
 * last place (2.2e-16 for a sine, 4.4e-16 for an angle near pi), a
 * nanometre on the Earth: far below the
 * interpolant's own 1e-4 of the tolerance, and well inside what any writer
 * keeps.  tests/test_fastmath.c measures the largest error against libm over
 * millions of arguments, signs and quadrants included.
 *
 * sincos: x = 2 pi k / 64 + r with |r| <= pi / 64 (the step in two parts, so
 * that k times its first part is exact and r good to ~1e-27 for |x| up to
 * 100), the table's sin and cos at k
 * turned by Taylor series of r to r^9 and r^10 (next terms < 1e-21).
 * atan2: the octant by comparisons, t = min / max in [0, 1], then the Taylor
 * expansion of atan at the nearest of c = k / 64 in e = t - c (|e| <= 1/128,
 * nine terms: next < 1e-19), one division in all. */
#ifndef GEOREACH_FASTMATH_H
#define GEOREACH_FASTMATH_H

#include <math.h>

#include "core/fastmath_tab.h"

/* sin(x) and cos(x) for |x| <= 100 (outside: libm). */
static inline void reach_fm_sincos(double x, double *s, double *c) {
  if (!(fabs(x) <= 100) || x == 0) { /* (a zero keeps its sign) */
    *s = sin(x);
    *c = cos(x);
    return;
  }
  double q = x * REACH_FM_SC_INV_STEP;
  long k = (long)(q >= 0 ? q + 0.5 : q - 0.5);
  double kd = (double)k;
  double r = (x - kd * REACH_FM_SC_STEP_HI) - kd * REACH_FM_SC_STEP_LO;
  const double *t = reach_fm_sc_tab[(unsigned long)k & 63];
  /* Estrin's scheme: the polynomials in a few independent steps rather
   * than one chain of dependent ones (what the loop waits for) */
  double r2 = r * r, r4 = r2 * r2;
  double sr = r + r * r2 * ((-1.0 / 6 + r2 * (1.0 / 120)) + r4 * (-1.0 / 5040 + r2 * (1.0 / 362880)));
  double cm = r2 * ((-0.5 + r2 * (1.0 / 24)) +
                    r4 * ((-1.0 / 720 + r2 * (1.0 / 40320)) + r4 * (-1.0 / 3628800)));
  /* cos r = 1 + cm: t[0] + t[0] cm keeps cm's bits */
  *s = t[0] + (t[0] * cm + t[1] * sr);
  *c = t[1] + (t[1] * cm - t[0] * sr);
}

static inline double reach_fm_sin(double x) {
  double s, c;
  reach_fm_sincos(x, &s, &c);
  return s;
}

/* atan2(y, x), as libm's for finite arguments not both zero (the sign of
 * a zero y included); otherwise libm's. */
static inline double reach_fm_atan2(double y, double x) {
  double ax = fabs(x), ay = fabs(y);
  int swap = ay > ax;
  double num = swap ? ax : ay, den = swap ? ay : ax;
  if (!(den > 0 && den <= 1.79e308 && num <= den)) return atan2(y, x); /* zeros, inf, NaN */
  double t = num / den; /* [0, 1] */
  int k = (int)(t * 64 + 0.5);
  double e = t - k * (1.0 / 64);
  const double *a = reach_fm_at_tab[k];
  double e2 = e * e, e4 = e2 * e2; /* Estrin's scheme, as above */
  double p = ((a[1] + e * a[2]) + e2 * (a[3] + e * a[4])) +
             e4 * ((a[5] + e * a[6]) + e2 * (a[7] + e * a[8]));
  double r = a[0] + e * p;
  if (swap) r = (REACH_FM_PIO2_HI - r) + REACH_FM_PIO2_LO;
  if (x < 0) r = (REACH_FM_PI_HI - r) + REACH_FM_PI_LO;
  return signbit(y) ? -r : r;
}

#endif

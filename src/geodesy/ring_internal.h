/* Internals of ring.c that the tests look at. */
#ifndef GEOREACH_RING_INTERNAL_H
#define GEOREACH_RING_INTERNAL_H

#include <stddef.h>

#include "core/internal.h"

/* The spectral circle ring.c traces: the interpolant of the circle of
 * radius r_m round (lat_deg, lon_deg) built as for a ring of tolerance tol_m
 * (GEOREACH_TEST_SPECTRAL_N included), evaluated at the n azimuths az_deg[]
 * into lat_out[], lon_out[].  Returns the number of samples it settled on
 * (0: none, the circle is traced with exact calls) and its check error in
 * *check_m (may be NULL).  r_m may be anything in (0, half meridian): the
 * antipodal zone, traced otherwise by rings, is accepted here. */
int reach_spectral_circle(const struct reach_ctx *ctx, double lat_deg,
                          double lon_deg, double r_m, double tol_m,
                          const double *az_deg, size_t n, double *lat_out,
                          double *lon_out, double *check_m);

#endif

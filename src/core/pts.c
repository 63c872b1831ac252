/* Growable lists of lon/lat points. */
#include <stdlib.h>

#include "core/internal.h"

int reach_pts_push(struct reach_pts *p, double lon, double lat) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 256;
    double *xy = realloc(p->xy, 2 * cap * sizeof *xy);
    if (!xy) return 0;
    p->xy = xy;
    p->cap = cap;
  }
  p->xy[2 * p->n] = lon;
  p->xy[2 * p->n + 1] = lat;
  p->n++;
  return 1;
}

void reach_pts_free(struct reach_pts *p) {
  free(p->xy);
  p->xy = NULL;
  p->n = p->cap = 0;
}

/* Growable lists of lon/lat points. */
#include <stdlib.h>

#include "core/internal.h"

int reach_pts_reserve(struct reach_pts *p, size_t need) {
  if (need <= p->cap) return 1;
  size_t cap = p->cap ? 2 * p->cap : 256;
  if (cap < need) cap = need;
  double *xy = realloc(p->xy, 2 * cap * sizeof *xy);
  if (!xy) return 0;
  p->xy = xy;
  p->cap = cap;
  return 1;
}

void reach_pts_free(struct reach_pts *p) {
  free(p->xy);
  p->xy = NULL;
  p->n = p->cap = 0;
}

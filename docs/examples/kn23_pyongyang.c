/* The KN-23's reach from Pyongyang, and whether Seoul and Tokyo are in it,
 * through libgeoreach's public API alone.
 *
 *   cc kn23_pyongyang.c $(pkg-config --cflags --libs georeach) -o kn23
 *   ./kn23
 *
 * Prints the ring's area and achieved error, then one line per target.
 * Exit status 0 on success, 1 if the library reports an error. */
#include <stdio.h>
#include <string.h>

#include <georeach/georeach.h>

static int print_row(const struct reach_query_row *row, void *data) {
  const struct reach_target *targets = data;
  printf("%-8s %9.3f km  azimuth %6.2f  %s\n", targets[row->target].name,
         row->dist_m / 1000, row->az_deg, row->in_range ? "in range" : "out of range");
  return 1; /* go on */
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) return 1;
  int status = 1;

  /* The missile and the site from the bundled catalogue and gazetteer. */
  struct reach_catalogue *cat = NULL;
  struct reach_site site = {0};
  if (reach_catalogue_load(ctx, NULL, &cat) != REACH_OK) goto done;
  const struct reach_missile *kn23 = reach_catalogue_find(ctx, cat, "KN-23");
  if (!kn23) goto done;
  if (reach_resolve_point(ctx, "Pyongyang", 1, &site.lat_deg, &site.lon_deg, NULL, 0,
                          NULL, 0) != REACH_OK)
    goto done;
  snprintf(site.name, sizeof site.name, "Pyongyang");

  const double range_m = kn23->range_km * 1000; /* the catalogue speaks km */

  /* The ring, traced to 10 m on WGS84. */
  struct reach_ring_spec spec = {.lat_deg = site.lat_deg,
                                 .lon_deg = site.lon_deg,
                                 .range_m = range_m,
                                 .tolerance_m = REACH_TOLERANCE_DEFAULT_M};
  struct reach_ring ring = {0};
  if (reach_ring_build(ctx, &spec, &ring) != REACH_OK) goto done;
  printf("KN-23 from Pyongyang: %.0f km, %zu polygon(s), %.0f km2, error <= %.2f m\n",
         range_m / 1000, ring.geom.npolys, ring.area_m2 / 1e6, ring.err_m);
  reach_ring_clear(&ring);

  /* What is in range: the inverse problem for each target. */
  struct reach_target targets[2] = {{.name = "Seoul", .lat_deg = 37.5665, .lon_deg = 126.978},
                                    {.name = "Tokyo", .lat_deg = 35.6895, .lon_deg = 139.6917}};
  struct reach_ring_def weapon = {.range_m = range_m, .missile = "KN-23"};
  if (reach_query_rows(ctx, &site, 1, &weapon, 1, targets, 2, 0, print_row, targets) != REACH_OK)
    goto done;
  status = 0;
done:
  if (status) fprintf(stderr, "kn23: %s\n", reach_errmsg(ctx));
  reach_catalogue_free(cat);
  reach_ctx_free(ctx);
  return status;
}

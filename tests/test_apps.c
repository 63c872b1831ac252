#define _POSIX_C_SOURCE 200809L
/* The commands as library calls (apps.h), without the command line: rings to
 * a GeoPackage (read back through OGR and compared with a ring built by
 * reach_ring_build for the same site), a run cancelled through the progress
 * callback (nothing left), usage errors naming their command, query text to
 * a FILE, and notes through the message callback.
 * usage: test_apps [SCRATCH_DIR] */
#include <gdal.h>
#include <ogr_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "georeach/georeach.h"

struct notes {
  int n;
  char last[512];
};
static void on_note(const char *message, void *data) {
  struct notes *s = data;
  s->n++;
  snprintf(s->last, sizeof s->last, "%s", message);
}

struct stop {
  int calls, stop_after;
};
static int on_progress(double done, const char *message, void *data) {
  (void)done, (void)message;
  struct stop *s = data;
  return ++s->calls <= s->stop_after;
}

/* Features in the first layer of @p path and the first one's area_km2. */
static long read_back(const char *path, double *area_km2) {
  GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
  if (!ds) return -1;
  OGRLayerH l = GDALDatasetGetLayerByName(ds, "rings");
  long n = l ? (long)OGR_L_GetFeatureCount(l, 1) : -1;
  *area_km2 = NAN;
  if (l) {
    OGR_L_ResetReading(l);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    if (f) {
      *area_km2 = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_km2"));
      OGR_F_Destroy(f);
    }
  }
  GDALClose(ds);
  return n;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

int main(int argc, char **argv) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp/georeach-test-apps-XXXXXX");
  if (argc <= 1 && !mkdtemp(dir)) return 1;
  GDALAllRegister();
  struct reach_ctx *ctx = reach_ctx_new();
  CHECK(ctx != NULL, "context");
  if (!ctx) return 1;

  /* rings to a GeoPackage, like 'georeach rings' */
  char gpkg[600];
  snprintf(gpkg, sizeof gpkg, "%s/app.gpkg", dir);
  unlink(gpkg);
  const char *args[] = {"--site", "A=50.6,36.6", "--site", "B=-17.7,178",
                        "--range", "885km", "-o", gpkg, "--tolerance=5m"};
  struct reach_app *app = reach_app_new(ctx, "rings", 9, args);
  CHECK(app != NULL, "rings app built: %s", reach_errmsg(ctx));
  struct notes notes = {0, ""};
  struct stop go = {0, 1 << 30};
  if (app) {
    reach_app_set_progress(app, on_progress, &go);
    reach_app_set_output(app, stdout, on_note, &notes);
    enum reach_status st = reach_app_run(ctx, app);
    CHECK(st == REACH_OK, "rings app ran: %d %s", st, reach_errmsg(ctx));
    CHECK(reach_app_run(ctx, app) == REACH_ERR_ARG, "a second run is refused");
    reach_app_free(app);
  }
  CHECK(go.calls > 0, "the progress callback was called (%d)", go.calls);
  CHECK(notes.n == 1 && strstr(notes.last, "wrote 2 rings to") != NULL,
        "one note, 'wrote 2 rings': %d '%s'", notes.n, notes.last);
  double area_km2 = NAN;
  long n = read_back(gpkg, &area_km2);
  CHECK(n == 2, "two rings in %s (%ld)", gpkg, n);
  /* the same ring through the ring API: the app adds nothing of its own */
  struct reach_ring_spec spec = {.lat_deg = 50.6, .lon_deg = 36.6, .range_m = 885000,
                                 .tolerance_m = 5};
  struct reach_ring ring;
  if (reach_ring_build(ctx, &spec, &ring) == REACH_OK) {
    double a = reach_geom_area_m2(ctx, &ring.geom) / 1e6;
    CHECK(fabs(a - area_km2) <= 1e-6 * a, "area of site A %.6f km2 = reach_ring_build's %.6f",
          area_km2, a);
    reach_ring_clear(&ring);
  }

  /* cancelled through the progress callback: REACH_ERR_INTERRUPTED, no file */
  char cancelled[600];
  snprintf(cancelled, sizeof cancelled, "%s/cancelled.gpkg", dir);
  unlink(cancelled);
  const char *many[] = {"--site", "1,1", "--site", "2,2", "--site", "3,3", "--site", "4,4",
                        "--rings", "1000,2000,3000", "-o", cancelled};
  app = reach_app_new(ctx, "rings", 12, many);
  CHECK(app != NULL, "second rings app: %s", reach_errmsg(ctx));
  if (app) {
    struct stop stop = {0, 0}; /* stop at the first call */
    reach_app_set_progress(app, on_progress, &stop);
    enum reach_status st = reach_app_run(ctx, app);
    CHECK(st == REACH_ERR_INTERRUPTED, "cancel: status %d (%s)", st, reach_errmsg(ctx));
    CHECK(stop.calls >= 1, "cancel: the callback was asked (%d)", stop.calls);
    reach_app_free(app);
  }
  CHECK(!exists(cancelled), "cancel: %s not written", cancelled);

  /* usage errors: NULL, REACH_ERR_ARG, the command named */
  const char *bad_pop[] = {"--min-population", "x"};
  CHECK(reach_app_new(ctx, "query", 2, bad_pop) == NULL && reach_errno(ctx) == REACH_ERR_ARG &&
            strstr(reach_errmsg(ctx), "'georeach query --help'"),
        "query usage error names query: %s", reach_errmsg(ctx));
  const char *bad_count[] = {"--min-count", "99999999999999999999999"};
  CHECK(reach_app_new(ctx, "rings", 2, bad_count) == NULL &&
            reach_errno(ctx) == REACH_ERR_ARG && strstr(reach_errmsg(ctx), "--min-count"),
        "--min-count overflow refused: %s", reach_errmsg(ctx));
  CHECK(reach_app_new(ctx, "frobnicate", 0, NULL) == NULL && reach_errno(ctx) == REACH_ERR_ARG,
        "unknown command: %s", reach_errmsg(ctx));
  const char *bad_cat[] = {"--site", "1,1", "--missile", "KN-23", "--catalogue",
                           "/nonexistent/cat.csv", "-o", "x.geojson"};
  CHECK(reach_app_new(ctx, "rings", 8, bad_cat) == NULL && reach_errno(ctx) != REACH_ERR_ARG,
        "a missing catalogue is no usage error: %d %s", reach_errno(ctx), reach_errmsg(ctx));

  /* query text to a FILE of our own */
  char txt[600];
  snprintf(txt, sizeof txt, "%s/q.csv", dir);
  FILE *f = fopen(txt, "w+");
  const char *q[] = {"--site", "50.6,36.6", "--range", "885km", "--target", "50.45,30.52",
                     "--as", "csv", "-q"};
  app = reach_app_new(ctx, "query", 9, q);
  CHECK(app != NULL && f != NULL, "query app: %s", reach_errmsg(ctx));
  if (app && f) {
    notes.n = 0;
    reach_app_set_output(app, f, on_note, &notes);
    CHECK(reach_app_run(ctx, app) == REACH_OK, "query ran: %s", reach_errmsg(ctx));
    rewind(f);
    char line[512] = "", row[512] = "";
    CHECK(fgets(line, sizeof line, f) && !strncmp(line, "site,missile,target,target_lat,target_lon,dist_km", 48),
          "csv header: %s", line);
    CHECK(fgets(row, sizeof row, f) && strstr(row, ",50.450000,30.520000,") &&
              strstr(row, ",true,\n"), "one row, in range, with the target: %s", row);
    CHECK(notes.n == 0, "-q: no notes (%d)", notes.n);
  }
  reach_app_free(app);
  if (f) fclose(f);

  /* help from the one table */
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  CHECK(reach_app_help("query", mem) == 0, "query help");
  fclose(mem);
  CHECK(buf && strstr(buf, "--as F") && strstr(buf, "-f, --format DRIVER") &&
            strstr(buf, "--min-population N"),
        "query help lists --as, -f/--format and --min-population");
  free(buf);
  CHECK(reach_app_help("nope", stdout) == -1, "help of no command");

  unlink(gpkg);
  unlink(txt);
  if (argc <= 1) rmdir(dir);
  reach_ctx_free(ctx);
  return CHECK_DONE();
}

/* A command as a library call (apps.h): what `georeach rings --missile KN-23
 * --site Pyongyang -o kn23.gpkg` does, from C, with a progress callback that
 * could cancel it.
 *
 *   cc rings_app.c $(pkg-config --cflags --libs georeach) -o rings_app
 *   ./rings_app [OUT.gpkg]
 *
 * Exit status 0 on success, 1 if the library reports an error. */
#include <stdio.h>

#include <georeach/georeach.h>

static int progress(double done, const char *message, void *data) {
  (void)message;
  (void)data;
  (void)done;
  return 1; /* 0 would cancel the run: nothing would be left behind */
}

static void note(const char *message, void *data) {
  (void)data;
  printf("note: %s\n", message);
}

int main(int argc, char **argv) {
  const char *out = argc > 1 ? argv[1] : "kn23_app.gpkg";
  const char *args[] = {"--missile", "KN-23", "--site", "Pyongyang", "-o", out, "--overwrite"};
  struct reach_ctx *ctx = reach_ctx_new();
  if (!ctx) return 1;
  int status = 1;
  struct reach_app *app =
      reach_app_new(ctx, "rings", (int)(sizeof args / sizeof args[0]), args);
  if (app) {
    reach_app_set_progress(app, progress, NULL);
    reach_app_set_output(app, stdout, note, NULL);
    status = reach_app_run(ctx, app) == REACH_OK ? 0 : 1;
  }
  if (status) fprintf(stderr, "rings_app: %s\n", reach_errmsg(ctx));
  reach_app_free(app);
  reach_ctx_free(ctx);
  return status;
}

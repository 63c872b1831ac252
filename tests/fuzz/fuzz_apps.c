/* libFuzzer target: the one option table (src/apps/options.c).  The first
 * byte picks the command; the rest, split at NUL bytes, is its argv.  Files
 * are never written (no run).  Whatever the input, reach_app_new returns an
 * app, or NULL with a status and a message; a usage error names the
 * command. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "georeach/georeach.h"

static struct reach_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ctx) ctx = reach_ctx_new();
  if (size < 1 || size > 4096) return 0;
  const char *const *cmds = reach_app_commands();
  size_t ncmds = 0;
  while (cmds[ncmds]) ncmds++;
  const char *cmd = cmds[data[0] % ncmds];
  char *text = malloc(size);
  const char **argv = malloc(size * sizeof *argv);
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  int argc = 0;
  for (size_t i = 0; i < size - 1; i += strlen(text + i) + 1) argv[argc++] = text + i;
  struct reach_app *app = reach_app_new(ctx, cmd, argc, argv);
  if (!app) {
    if (reach_errno(ctx) == REACH_OK || !*reach_errmsg(ctx)) abort();
    char see[64];
    snprintf(see, sizeof see, "'georeach %s --help'", cmd);
    if (reach_errno(ctx) == REACH_ERR_ARG && !strstr(reach_errmsg(ctx), see) &&
        strcmp(cmd, "locate") != 0)
      abort();
  }
  reach_app_free(app);
  reach_clear_error(ctx);
  free(argv);
  free(text);
  return 0;
}

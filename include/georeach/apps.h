/**
 * @file apps.h
 * @brief The georeach commands (rings, query, basket, map, missiles, locate)
 * as library calls, in the manner of GDAL's gdal_utils.h.
 *
 * A command is built from an argv-style list of options exactly as typed
 * after "georeach COMMAND" on the command line; every option is parsed and
 * checked there, once (distances to metres, angles to degrees, points
 * resolved, the catalogue read), so a program, a Python binding (cffi in ABI
 * mode needs nothing but these functions) or a database extension does what
 * the command line does without re-implementing it:
 *
 * @code
 *   const char *argv[] = {"--site", "50.6,36.6", "--range", "885km",
 *                         "-o", "kn23.gpkg"};
 *   struct reach_app *app = reach_app_new(ctx, "rings", 6, argv);
 *   if (!app) {            // usage error: reach_errno(ctx) == REACH_ERR_ARG
 *     fprintf(stderr, "%s\n", reach_errmsg(ctx));
 *   } else {
 *     enum reach_status st = reach_app_run(ctx, app);
 *     reach_app_free(app);
 *   }
 * @endcode
 *
 * Exit codes of the command line follow from the status: REACH_ERR_ARG is a
 * usage error (2), REACH_ERR_INTERRUPTED a stop asked by the progress
 * callback (130), anything else bad data or a file (1).
 */
#ifndef GEOREACH_APPS_H
#define GEOREACH_APPS_H

#include "export.h"

#include <stdio.h>
#include "context.h"
#include "rings.h" /* reach_progress_fn */

REACH_BEGIN_DECLS

/** A command with its options, ready to run. */
struct reach_app;

/**
 * Notes a command has for the person running it, one line each without a
 * trailing newline and without the program name: "wrote 3 rings to a.gpkg",
 * "Kharkiv, UA (1430885 people)", the query's summary.  The command line
 * prints them as "georeach: MESSAGE" on stderr.
 */
typedef void (*reach_message_fn)(const char *message, void *data);

/**
 * Parse and check the options of @p command ("rings", "query", "basket",
 * "map", "missiles" or "locate").  @p argv holds the options only (no
 * program or command name); the strings must stay valid until
 * reach_app_free().  Long options may be written --name=value or --name value
 * and shortened to any unique prefix; "--" ends the options.
 *
 * "-h"/"--help" among the options gives an app whose run prints the
 * command's help (reach_app_help()) to its output.
 *
 * @return the app, or NULL with the message in @p ctx: reach_errno(ctx) is
 *   REACH_ERR_ARG for a usage error (the message names the command: "...
 *   (see 'georeach query --help')"), REACH_ERR_IO/REACH_ERR_DATA when a file
 *   named by an option (the catalogue, the place names) cannot be read,
 *   REACH_ERR_NOMEM.  Caller frees with reach_app_free().
 */
struct reach_app *reach_app_new(struct reach_ctx *ctx, const char *command, int argc,
                                const char *const *argv);

/**
 * Progress and cancellation: @p fn is called as the work goes on with the
 * fraction done in [0, 1].  @p message is NULL when the call only asks
 * whether to go on (the run is quiet (-q), or too small to be worth showing a
 * bar for), non-NULL when the fraction is worth showing.  Returning 0 stops
 * the run: reach_app_run() returns REACH_ERR_INTERRUPTED after cleaning up
 * (no output file is left).  NULL (the default): never stops.
 */
void reach_app_set_progress(struct reach_app *app, reach_progress_fn fn, void *data);

/**
 * Where the command writes.  @p out receives the text output of query,
 * missiles and locate and of --help (default: stdout); output files and
 * "-o -" (GeoJSON through GDAL's /vsistdout/) are written by GDAL and always
 * go to the process's standard output.  @p fn receives the notes (default
 * NULL: discarded).  The app does not close @p out.
 */
void reach_app_set_output(struct reach_app *app, FILE *out, reach_message_fn fn,
                          void *data);

/**
 * What the options say about showing progress, for a program that draws it:
 * -1 never (-q), 1 always (--progress, even when stderr is no terminal), 0
 * the program decides (the command line: on a terminal).
 */
int reach_app_show_progress(const struct reach_app *app);

/**
 * Whether the program draws the fraction for people (a bar on a terminal):
 * then a --sites file streamed by rings is counted first, one more pass over
 * it, so that the fraction is known as it is read; otherwise the fraction of
 * such a run stays 0 until the end.  Default 0; --progress makes it 1.
 */
void reach_app_set_progress_drawn(struct reach_app *app, int drawn);

/**
 * Run the command.  Text written to the output FILE is checked: a write
 * error (a full disk, a closed pipe) is REACH_ERR_IO naming the reason.
 *
 * @return REACH_OK or the status, with the message in @p ctx (usage errors
 *   found only now, e.g. an unknown country, are REACH_ERR_ARG).  An app runs
 *   once; a second run returns REACH_ERR_ARG.
 */
enum reach_status reach_app_run(struct reach_ctx *ctx, struct reach_app *app);

/** Free an app; reach_app_free(NULL) is a no-op. */
void reach_app_free(struct reach_app *app);

/**
 * Print the help of @p command (synopsis, every option it takes, examples),
 * or with NULL the list of commands, to @p out.
 *
 * @return 0, or -1 when there is no such command.
 */
int reach_app_help(const char *command, FILE *out);

/** The commands, NULL-terminated: "rings", "query", ... (static storage). */
const char *const *reach_app_commands(void);

/**
 * "georeach X.Y.Z (PROJ a, GEOS b, GDAL c)\ndata: FOLDER" for --version, the
 * data folder being @p ctx's (reach_ctx_data_dir()).  Written to @p out.
 */
void reach_app_version(struct reach_ctx *ctx, FILE *out);

REACH_END_DECLS
#endif

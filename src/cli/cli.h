/* What the georeach commands share (src/cli/common.c). */
#ifndef GEOREACH_CLI_H
#define GEOREACH_CLI_H

#include <signal.h>
#include <stddef.h>

#include "georeach/georeach.h"

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

extern const char *prog;
/** Set by SIGINT/SIGTERM/SIGHUP; long work stops and exits 130. */
extern volatile sig_atomic_t g_interrupted;
void on_signal(int sig);

/** "georeach: OPT: MSG (see ...)" on stderr; returns EXIT_USAGE. */
int usage_error_opt(const char *opt, const char *msg);
/** printf-style with one string argument; returns EXIT_USAGE. */
int usage_error(const char *fmt, const char *arg);

/** GDAL-style "0...10...20" progress on stderr; @p data is an int counter
 * starting at 0.  Returns 0 once interrupted. */
int progress_cb(double done, const char *msg, void *data);
/** No output; returns 0 once interrupted. */
int quiet_cb(double done, const char *msg, void *data);

/** Resolve point texts (--site, --target) into sites appended to *sites_io.
 * Returns 0, or the exit code after printing the error. */
int resolve_points(struct reach_ctx *ctx, const char *opt, const char **texts,
                   size_t n, int strict, int quiet, struct reach_site **sites_io,
                   size_t *nsites_io);

/** The rings to draw or the weapons to query: --range, --rings or --missile
 * (with --band, --min-range, --catalogue).  Returns 0 or the exit code. */
int weapon_defs(struct reach_ctx *ctx, const char *range_arg,
                const char *rings_arg, const char *missile_arg, int band,
                int have_min, double min_m, const char *cat_file,
                struct reach_ring_def *defs, size_t maxdefs, size_t *ndefs_out,
                struct reach_catalogue **cat_out);

/** georeach map (src/cli/map.c): returns the exit code. */
int cmd_map(struct reach_ctx *ctx, int argc, char **argv);

/** --model: circle (0), ballistic (1) or, with @p allow_both, both (2).
 * Returns 0 or EXIT_USAGE after the message. */
int model_option(const char *arg, int allow_both, int *model);

/** Give defs[from..to) the ballistic model of their range (models[k] holds
 * def k's).  Returns 0 or EXIT_USAGE after the message. */
int ballistic_defs(struct reach_ctx *ctx, struct reach_ring_def *defs, size_t from,
                   size_t to, struct reach_ballistic *models, double burnout_m);

/** --trajectory min-energy|depressed|lofted: *aim (enum reach_ballistic_aim).
 * Returns 0 or EXIT_USAGE after the message. */
int trajectory_option(const char *arg, int *aim);
/** --gamma DEG: the burnout flight-path angle, in (-90, 90).  0 or EXIT_USAGE. */
int gamma_option(const char *arg, double *gamma_deg);
/** Give models[0..n) the trajectory (aim; gamma_deg with REACH_BALLISTIC_GAMMA).
 * 0 or EXIT_USAGE after the message. */
int trajectory_apply(struct reach_ctx *ctx, struct reach_ballistic *models, size_t n,
                     int aim, double gamma_deg);
/** --minutes/--seconds LIST: appends the times, in seconds (@p unit_s per
 * unit), to times[*n..max).  0 or EXIT_USAGE after the message. */
int times_option(struct reach_ctx *ctx, const char *opt, const char *arg, double unit_s,
                 double *times, size_t max, size_t *n);
/** Every def once per flight time (isochrones; tof_max_s), def-major.
 * 0 or EXIT_USAGE after the message. */
int isochrone_defs(struct reach_ring_def *defs, size_t *ndefs, size_t max,
                   const double *times, size_t ntimes);

/** @p path as it may be shown: a PostGIS connection's password hidden
 * (a static buffer, overwritten by the next call). */
const char *shown_path(const char *path);

/** The launch basket of def for the targets: the intersection (any: the
 * union) of their baskets, clipped to @p terr when not NULL; *err the largest
 * ring error.  Caller clears *out. */
enum reach_status basket_build(struct reach_ctx *ctx, const struct reach_site *targets,
                               size_t ntargets, const struct reach_ring_def *def, int any,
                               const struct reach_geom *terr, double tol_m,
                               struct reach_geom *out, double *err);

#endif

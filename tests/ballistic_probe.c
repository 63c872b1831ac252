/* A test helper: the ballistic model (ballistic.h) on stdin lines, for the
 * independent reference in test_ballistic_rk4.py.  Lines:
 *   model NOMINAL_M ALT_M [OMEGA_RAD_S]   set the missile (prints the model)
 *   speed V_MPS                           change the burnout speed
 *   shot LAT LON AZ GAMMA                 one shot at the burnout speed
 *   max LAT LON AZ                        longest shot at launch azimuth AZ
 *   reach LAT LON BETA                    reach boundary along azimuth BETA
 *   tof LAT LON LAT_T LON_T AIM           flight to a target (AIM 0, 1, 2, 3)
 *   aim AIM [GAMMA]                       the model's trajectory (b.aim,
 *                                         b.gamma_deg; prints nothing)
 *   along LAT LON BETA RANGE AIM          flight to the point at azimuth
 *                                         BETA, distance RANGE (tof_along)
 *   iso LAT LON BETA T                    isochrone of T seconds along BETA
 *                                         (adds clipped first)
 * Trajectories print as "launch_az gamma speed lat lon range az tof
 * in_orbit wraps" (tof and along add in_range first); errors print "error MESSAGE". */
#include <stdio.h>
#include <string.h>

#include "georeach/georeach.h"

static void put(const struct reach_ballistic_traj *t) {
  printf("%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %d %d\n",
         t->launch_az_deg, t->gamma_deg, t->speed_mps, t->lat_deg, t->lon_deg,
         t->range_m, t->az_deg, t->tof_s, t->in_orbit, t->wraps);
}

int main(void) {
  struct reach_ctx *ctx = reach_ctx_new();
  struct reach_ballistic b = {0};
  struct reach_ballistic_traj t;
  char line[512], cmd[16];
  if (!ctx) return 1;
  while (fgets(line, sizeof line, stdin)) {
    double x[5];
    int n = sscanf(line, "%15s %lf %lf %lf %lf %lf", cmd, &x[0], &x[1], &x[2],
                   &x[3], &x[4]);
    enum reach_status st = REACH_OK;
    int in_range = 0;
    if (n < 1) continue;
    if (!strcmp(cmd, "model") && n >= 3) {
      st = reach_ballistic_init(ctx, &b, x[0], x[1]);
      if (st == REACH_OK && n >= 4) b.omega_rad_s = x[2];
      if (st == REACH_OK)
        printf("%.17g %.17g %.17g %.17g %.17g\n", b.v_burnout_mps, b.R_earth_m,
               b.gm_m3_s2, b.omega_rad_s, b.burnout_alt_m);
    } else if (!strcmp(cmd, "speed") && n == 2) {
      b.v_burnout_mps = x[0];
      continue;
    } else if (!strcmp(cmd, "shot") && n == 5) {
      st = reach_ballistic_shot(ctx, &b, x[0], x[1], x[2], x[3], &t);
      if (st == REACH_OK) put(&t);
    } else if (!strcmp(cmd, "max") && n == 4) {
      st = reach_ballistic_max(ctx, &b, x[0], x[1], x[2], &t);
      if (st == REACH_OK) put(&t);
    } else if (!strcmp(cmd, "reach") && n == 4) {
      st = reach_ballistic_reach(ctx, &b, x[0], x[1], x[2], &t);
      if (st == REACH_OK) put(&t);
    } else if (!strcmp(cmd, "aim") && n >= 2) {
      b.aim = (enum reach_ballistic_aim)(int)x[0];
      b.gamma_deg = n >= 3 ? x[1] : 0;
      continue;
    } else if (!strcmp(cmd, "along") && n == 6) {
      st = reach_ballistic_tof_along(ctx, &b, x[0], x[1], x[2], x[3],
                                     (enum reach_ballistic_aim)(int)x[4], &t,
                                     &in_range);
      if (st == REACH_OK) printf("%d ", in_range), put(&t);
    } else if (!strcmp(cmd, "iso") && n == 5) {
      st = reach_ballistic_isochrone(ctx, &b, x[0], x[1], x[2], x[3], &t,
                                     &in_range);
      if (st == REACH_OK) printf("%d ", in_range), put(&t);
    } else if (!strcmp(cmd, "tof") && n == 6) {
      st = reach_ballistic_tof_to(ctx, &b, x[0], x[1], x[2], x[3],
                                  (enum reach_ballistic_aim)(int)x[4], &t,
                                  &in_range);
      if (st == REACH_OK) printf("%d ", in_range), put(&t);
    } else {
      printf("error bad line: %s", line);
      continue;
    }
    if (st != REACH_OK) printf("error %s\n", reach_errmsg(ctx));
    fflush(stdout);
  }
  reach_ctx_free(ctx);
  return 0;
}

/**
 * @file ballistic.h
 * @brief Beyond circles: a ballistic model of reach with Earth rotation and
 * flight times (issue 8).
 *
 * The model, and every assumption it makes:
 *  - The Earth is a sphere of radius R = (2a + b)/3 of the context's
 *    ellipsoid (the mean radius R1: 6371008.771 m on WGS84) with the gravity
 *    of a point mass, GM = 3.986004418e14 m^3/s^2 (WGS84), turning at
 *    omega = 7.2921159e-5 rad/s about its axis (set omega_rad_s to 0 for a
 *    non-rotating Earth).  No drag, no J2, no atmosphere.
 *  - A geodetic latitude is used as the spherical latitude, unchanged (so
 *    the local vertical keeps its angle with the Earth's axis); longitudes
 *    are unchanged.  Impact points are returned the same way.
 *  - Powered flight is not modelled: burnout happens straight above the
 *    launch point, at the burnout altitude h (default
 *    REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M = 0, i.e. the textbook
 *    impulsive launch from the ground), and the flight time is the free
 *    flight from burnout to impact (add the boost time, 1-5 min, yourself).
 *  - The catalogue range is the range on a non-rotating Earth: the burnout
 *    speed v is the least speed at r0 = R + h that reaches the surface at a
 *    central angle psi = range/R on the non-rotating sphere (the
 *    minimum-energy ellipse, closed form: v^2 = GM (2/r0 - 2/s), s the
 *    semi-perimeter of the triangle centre-burnout-impact; for h = 0,
 *    v^2 = (GM/R) 2 sin(psi/2) / (1 + sin(psi/2))).  At that speed the
 *    maximum range over flight-path angles on the non-rotating sphere is the
 *    catalogue range exactly.
 *  - On the rotating Earth the burnout velocity relative to the ground has
 *    the speed v, the launch azimuth and the flight-path angle gamma (above
 *    the local horizontal); the inertial velocity adds the velocity of the
 *    burnout point turning with the Earth, omega x r0 (omega r0 cos(lat)
 *    eastward).  The free flight is the Keplerian conic of that state in the
 *    inertial frame (closed form: true anomalies for the impact point,
 *    Kepler's equation for the time, no numerical integration); the impact
 *    point is then moved back by the Earth's turn, omega * tof.
 *  - Ground range is the great-circle distance on the model sphere from the
 *    launch point to the impact point on the turned Earth, in [0, pi R].
 *    To draw it on the ellipsoid, take range_m as the geodesic distance
 *    along the azimuth az_deg from the launch point: with omega = 0 this
 *    gives back the geodesic circle of the catalogue range exactly, so the
 *    model only ever adds the rotation's effect to the ellipsoidal ring.
 *
 *  - Which flight goes to a point (issue 18, warning time): the model's
 *    aim, by default the minimum-energy one (least burnout speed); or the
 *    full burnout speed at the lower (depressed) or higher (lofted) angle,
 *    or a fixed burnout flight-path angle.  The catalogue range keeps its
 *    meaning whatever the aim: it fixes the burnout speed.  A point of the
 *    ellipsoid is flown to as the point of the sphere at the same azimuth
 *    and distance from the launch point (reach_ballistic_tof_along()), the
 *    correspondence by which the rings lay off ranges; its arrival time is
 *    that flight's tof_s, and the isochrone of t bounds the points reached
 *    within t (reach_ballistic_isochrone()).
 *  - Left out, each making a real flight longer than tof_s: the boost
 *    phase, drag (largest for low, depressed shots that stay in the air)
 *    and terminal manoeuvres.
 *
 * Angles are degrees, lengths metres, times seconds, speeds m/s.  Azimuths
 * are clockwise from north; at a pole the azimuth is taken as if the point
 * were just off the pole on meridian lon (as in PROJ's geodesic.h).
 *
 * None of these calls allocates; a struct reach_ballistic is plain data and
 * may be shared by threads (the context may not: one per thread).
 */
#ifndef GEOREACH_BALLISTIC_H
#define GEOREACH_BALLISTIC_H

#include "export.h"

#include "context.h"

REACH_BEGIN_DECLS

/** Earth's rotation rate used by reach_ballistic_init(), rad/s. */
#define REACH_BALLISTIC_OMEGA_RAD_S 7.2921159e-5
/** Geocentric gravitational constant GM (WGS84), m^3/s^2. */
#define REACH_BALLISTIC_GM_M3_S2 3.986004418e14
/** Default burnout altitude, metres: an impulsive launch from the ground. */
#define REACH_BALLISTIC_BURNOUT_ALT_DEFAULT_M 0.0
/** Largest burnout altitude accepted, metres. */
#define REACH_BALLISTIC_BURNOUT_ALT_MAX_M 1000000.0

/** Which of the trajectories to a point is flown: the trajectory family of
 * reach_ballistic_tof_to(), reach_ballistic_tof_along() and of the model
 * itself (struct reach_ballistic.aim, used by rings, isochrones and query). */
enum reach_ballistic_aim {
  /** the least burnout speed that lands on the target (its own speed_mps
      <= b->v_burnout_mps); the minimum-energy trajectory.  The
      default. */
  REACH_BALLISTIC_MIN_ENERGY = 0,
  /** full burnout speed, the lower of the two flight-path angles that land
      on the target: the shortest flight time */
  REACH_BALLISTIC_DEPRESSED,
  /** full burnout speed, the higher flight-path angle (lofted) */
  REACH_BALLISTIC_LOFTED,
  /** a fixed burnout flight-path angle, b->gamma_deg, and the burnout speed
      (<= b->v_burnout_mps) that lands on the target.  The reach is then
      the range of the full-speed shot at that angle, shorter than the
      minimum-energy reach for any angle but the optimal one */
  REACH_BALLISTIC_GAMMA
};

/** A missile in the model.  Fill with reach_ballistic_init(); the fields
 * may then be changed (e.g. omega_rad_s = 0 for a non-rotating Earth, or
 * v_burnout_mps for another speed). */
struct reach_ballistic {
  double nominal_range_m; /**< range on the non-rotating sphere */
  double burnout_alt_m;   /**< h, burnout altitude above the sphere */
  double v_burnout_mps;   /**< burnout speed relative to the ground */
  double R_earth_m;       /**< radius of the model sphere */
  double gm_m3_s2;        /**< GM */
  double omega_rad_s;     /**< Earth's rotation rate */
  /** The trajectory flown to each point (reach_ballistic_init():
   * REACH_BALLISTIC_MIN_ENERGY): what reach_ballistic_reach() (with
   * REACH_BALLISTIC_GAMMA: the reach at that angle),
   * reach_ballistic_isochrone() and the query's tof_s use.  The catalogue
   * range keeps its meaning whatever the aim: it fixes v_burnout_mps. */
  enum reach_ballistic_aim aim;
  double gamma_deg;       /**< with REACH_BALLISTIC_GAMMA: the burnout
                               flight-path angle relative to the ground,
                               in (0, 90) for h = 0, (-90, 90) above */
};

/** One free flight and where it lands. */
struct reach_ballistic_traj {
  double launch_az_deg; /**< azimuth of the burnout velocity relative to
                             the ground, [0, 360) */
  double gamma_deg;     /**< flight-path angle of the burnout velocity
                             relative to the ground, above the horizontal */
  double speed_mps;     /**< burnout speed relative to the ground */
  double lat_deg;       /**< impact latitude, on the Earth as turned at
                             impact time */
  double lon_deg;       /**< impact longitude, [-180, 180) */
  double range_m;       /**< great-circle distance on the model sphere from
                             the launch point to the impact point,
                             [0, pi R_earth_m] */
  double az_deg;        /**< azimuth at the launch point of the great
                             circle to the impact point, [0, 360) (differs
                             from launch_az_deg: the Earth turns under the
                             flight) */
  double tof_s;         /**< free-flight time, burnout to impact */
  int in_orbit;         /**< 1 if the flight never comes back to the
                             surface (perigee above it, possible only with
                             h > 0 and a near-orbital speed): tof_s is
                             +INFINITY and the impact fields are NaN */
  int wraps;            /**< 1 if some flights from this launch point can
                             go past the antipode: see
                             reach_ballistic_wraps() */
};

/**
 * Set up the model for a missile of catalogue range @p nominal_range_m with
 * burnout at @p burnout_alt_m: R from the context's ellipsoid, GM, omega as
 * above, and v_burnout_mps solved in closed form (see the file comment).
 *
 * @param nominal_range_m in (0, pi R) (20015 km; below the antipode).
 * @param burnout_alt_m in [0, REACH_BALLISTIC_BURNOUT_ALT_MAX_M].
 * @return REACH_OK or REACH_ERR_ARG (message in the context).
 */
enum reach_status reach_ballistic_init(struct reach_ctx *ctx,
                                       struct reach_ballistic *b,
                                       double nominal_range_m,
                                       double burnout_alt_m);

/**
 * One shot: burnout over (@p lat_deg, @p lon_deg) at b->v_burnout_mps,
 * launch azimuth @p az_deg and flight-path angle @p gamma_deg, both relative
 * to the ground.  Closed form, about 0.2 us (2-core test machine).
 *
 * @param gamma_deg in (-90, 90); with h = 0 a gamma <= 0 lands at once
 *   (range 0, tof 0).
 * @return REACH_OK (also for a flight in orbit, see in_orbit) or
 *   REACH_ERR_ARG for a latitude outside [-90, 90], a non-finite value or
 *   a gamma outside (-90, 90).
 */
enum reach_status reach_ballistic_shot(struct reach_ctx *ctx,
                                       const struct reach_ballistic *b,
                                       double lat_deg, double lon_deg,
                                       double az_deg, double gamma_deg,
                                       struct reach_ballistic_traj *out);

/**
 * The longest shot for one launch azimuth: the flight-path angle that
 * maximises range_m (a 19-point scan of gamma, then Brent's minimiser; about
 * 30 shots, 5 us).  The range is flat at its maximum, so it is found to far
 * below a millimetre (1e-6 m against the closed form with omega = 0) while
 * gamma is known to ~1e-8 rad, and with it tof_s to ~1e-4 s and the impact
 * point to a few millimetres along the track.
 *
 * If the maximum reaches the antipode, range_m is pi R_earth_m (the flight
 * goes round to the far side: along this azimuth everything is reached);
 * if some gamma puts the payload in orbit, in_orbit is 1, range_m is
 * pi R_earth_m, the impact point is the antipode and tof_s is +INFINITY.
 *
 * This is the "maximum range per launch azimuth".  Because the
 * Earth turns, the impact azimuth az_deg of this shot also moves with gamma,
 * so these points lie just inside the reach boundary (by up to a few metres
 * for an ICBM): the boundary itself is reach_ballistic_reach().
 */
enum reach_status reach_ballistic_max(struct reach_ctx *ctx,
                                      const struct reach_ballistic *b,
                                      double lat_deg, double lon_deg,
                                      double az_deg,
                                      struct reach_ballistic_traj *out);

/**
 * The reach boundary in the direction @p beta_deg: the largest range_m over
 * all shots (any launch azimuth, any gamma, burnout speed up to
 * b->v_burnout_mps) whose impact lies at azimuth beta from the launch point.
 * This is what a ring needs: the region reached is {(beta, s): s <= R(beta)}.
 *
 * Method: for each gamma the launch azimuth that lands on beta is solved by
 * the secant method (|dbeta/daz| is near 1, 2-4 shots), and the range
 * along beta is maximised over gamma by Brent's minimiser on a bracket
 * grown round the gamma of reach_ballistic_max() along beta.  The result is
 * the envelope of all trajectories (it differs from the longest shot per
 * launch azimuth by 0.04 m for an 885 km SRBM, 9 m at 4,000 km and up to
 * 2 km at 13,000 km, because the impact azimuth moves with gamma), to the
 * accuracy of reach_ballistic_max(): in tests no shot of thousands, closed
 * form or RK4, lands beyond it by more than 1e-6 m.  Cost: about 80 shots,
 * 12-25 us a call.  out->launch_az_deg and out->gamma_deg give the shot;
 * out->az_deg is beta.
 *
 * Reaching the antipode (and orbit) is reported as in reach_ballistic_max():
 * range_m = pi R_earth_m.  When flights from the launch point can go past
 * the antipode (out->wraps, reach_ballistic_wraps()) the boundary is that
 * of the direct flights only and, along directions where no direct flight
 * is found (near the antipode, where azimuths turn fast), the antipode
 * answer; the reach region is then not a ring (see reach_ballistic_wraps()).
 */
enum reach_status reach_ballistic_reach(struct reach_ctx *ctx,
                                        const struct reach_ballistic *b,
                                        double lat_deg, double lon_deg,
                                        double beta_deg,
                                        struct reach_ballistic_traj *out);

/**
 * Whether flights from latitude @p lat_deg can go past the antipode: true
 * when the fastest inertial burnout speed, v + omega r0 cos(lat) (launched
 * east, gamma -> 0), exceeds the least speed whose range angle is pi,
 * sqrt(GM (2/r0 - 2/(r0 + R))) (7.91 km/s for h = 0).  For h = 0 this
 * happens for catalogue ranges above about 11,700 km at the equator
 * (13,000 km: |lat| < 46 deg; 15,000 km: |lat| < 70 deg).
 *
 * Such flights, launched at azimuths in [@p az_lo_deg, @p az_hi_deg]
 * (ground-relative, round east, [0, 360] when all do; set only when it
 * returns 1; either may be NULL) with a low
 * gamma, land anywhere along a track round the world: past the antipode
 * they come back on the far side.  The reach region then also holds, roughly,
 * the two opposite lunes those tracks sweep, out to the antipode, and parts of
 * it are not described by a boundary R(beta): reach_ballistic_reach() gives
 * the boundary of the flights that do not go past the antipode (the direct
 * branch), and near the antipode (within ~1000 km) even that one is
 * ill-conditioned (the azimuth of a point there turns fast).
 */
int reach_ballistic_wraps(const struct reach_ballistic *b, double lat_deg,
                          double *az_lo_deg, double *az_hi_deg);

/**
 * The flight to a target (@p lat_t_deg, @p lon_t_deg) on the rotating
 * Earth: the launch azimuth, flight-path angle and speed whose impact point
 * is the target (to 1e-11 rad, 0.1 mm), chosen by @p aim.
 *
 * Method: for a flight-path angle gamma, the launch azimuth and speed that
 * land on the target are found by Newton's method (2 x 2, the residual the
 * impact point's offset in the target's east/north plane); the least speed
 * over gamma is found by Brent's minimiser (MIN_ENERGY), and the two
 * angles with the full speed either side of it by bisection (DEPRESSED,
 * LOFTED).  About 0.1-0.2 ms (MIN_ENERGY) to 0.5 ms a call.  The least
 * speed is flat in gamma, so as for reach_ballistic_max() tof_s is good to
 * ~1e-4 s; the shot returned lands on the target to 0.1 mm.  The depressed
 * branch is searched down to gamma = 0.5 deg (h = 0) or -60 deg (h > 0);
 * when the full speed is near orbital it may lie below that, and the shot
 * at that floor (slower than full speed) is returned.
 *
 * @param in_range set to 1 if the target is reached with a burnout speed of
 *   at most b->v_burnout_mps (then @p out is the flight), else 0 (then
 *   out->speed_mps is the least speed that would reach it and tof_s is
 *   NaN).  A target within 1 m of the launch point is in range, tof 0.
 * @return REACH_OK, REACH_ERR_ARG for bad coordinates, or
 *   REACH_ERR_INTERNAL if Newton's method failed (not seen in tests; a
 *   target near the antipode could do it).
 */
enum reach_status reach_ballistic_tof_to(struct reach_ctx *ctx,
                                         const struct reach_ballistic *b,
                                         double lat_deg, double lon_deg,
                                         double lat_t_deg, double lon_t_deg,
                                         enum reach_ballistic_aim aim,
                                         struct reach_ballistic_traj *out,
                                         int *in_range);

/**
 * The flight to the point of the model sphere at great-circle azimuth
 * @p beta_deg and distance @p range_m from the launch point, with the
 * trajectory @p aim (REACH_BALLISTIC_GAMMA: at b->gamma_deg).  This is the
 * flight to the ellipsoid point at geodesic azimuth beta and distance
 * range_m, the correspondence by which rings lay off the model's ranges
 * (the file comment): query's tof_s and the isochrones use it, so a ring
 * vertex, an isochrone vertex and a query target at the same azimuth and
 * distance get the same flight.  Same method, accuracy and results as
 * reach_ballistic_tof_to(); *in_range 0 when the point needs more than the
 * burnout speed (tof_s NaN), and for REACH_BALLISTIC_GAMMA when no flight
 * at that angle lands there.
 */
enum reach_status reach_ballistic_tof_along(struct reach_ctx *ctx,
                                            const struct reach_ballistic *b,
                                            double lat_deg, double lon_deg,
                                            double beta_deg, double range_m,
                                            enum reach_ballistic_aim aim,
                                            struct reach_ballistic_traj *out,
                                            int *in_range);

/**
 * The isochrone of flight time @p tof_s along azimuth @p beta_deg: the
 * distance R_t(beta) within which every point is reached within tof_s.
 *
 * The arrival time at a point is the free-flight time of the trajectory
 * b->aim flies to it (reach_ballistic_tof_along(); for the default
 * minimum-energy aim, the least-speed flight, query's tof_s), and the
 * isochrone of t is the boundary of {points reached with tof <= t}.  Along
 * an azimuth the arrival time T(d) grows with the distance d for the
 * minimum-energy, depressed and fixed-angle trajectories (T(0) = 0; checked
 * on a grid of distances, azimuths, launch latitudes and SRBM to ICBM
 * ranges in tests/test_isochrone.py), so that set is star-shaped about the
 * launch point and R_t(beta) is the root of T(d) = t, found by the
 * Illinois method on [0, R(beta)] to 1 mm.  The lofted trajectory's time
 * falls with distance (a vertical shot flies longest), so its set is an
 * annulus, not described by R_t: REACH_ERR_ARG.
 *
 * When t is at or beyond the arrival time at the reach boundary R(beta)
 * (reach_ballistic_reach()), R_t(beta) = R(beta) and *clipped is 1: the
 * largest isochrones are the reach ring.
 *
 * @param out the flight to the isochrone point: range_m = R_t(beta),
 *   az_deg = beta, tof_s = t (to ~1e-6 s), or the boundary's when clipped.
 * @param clipped may be NULL.
 * @return REACH_OK, REACH_ERR_ARG (bad values, t <= 0, lofted), or
 *   REACH_ERR_INTERNAL if no flight was found (not seen in tests).
 */
enum reach_status reach_ballistic_isochrone(struct reach_ctx *ctx,
                                            const struct reach_ballistic *b,
                                            double lat_deg, double lon_deg,
                                            double beta_deg, double tof_s,
                                            struct reach_ballistic_traj *out,
                                            int *clipped);

/** A short name of an aim for labels: "minimum-energy", "depressed",
 * "lofted" or "gamma" (a static string). */
const char *reach_ballistic_aim_name(enum reach_ballistic_aim aim);

REACH_END_DECLS
#endif

/* Bare cost of the geod_direct calls a set of reach rings needs.
 *
 *   direct_cost N RANGE_M SITES.csv [REPS]
 *
 * Spreads N geod_direct calls over the sites of SITES.csv (name,lat,lon with
 * a header line), each site getting N/nsites (+1 for the first N%nsites)
 * calls at evenly spaced azimuths and distance RANGE_M, on WGS84 through
 * PROJ's geodesic.h.  One thread.  Repeats REPS times (default 3) and prints
 * the best time in seconds on stdout:  "seconds <s>" (wall), "cpu_seconds
 * <s>" (this thread's CPU time) and, for information,
 * "per_call_ns <ns>" and "calls <N>".  File reading is not timed.
 * Build: cc -O2 -o direct_cost direct_cost.c -lproj -lm
 */
#define _POSIX_C_SOURCE 199309L
#include <geodesic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread: on a shared machine it does not count the time
 * spent waiting for a core, which wall time does. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s N RANGE_M SITES.csv [REPS]\n", argv[0]);
        return 2;
    }
    long long n = atoll(argv[1]);
    double range = atof(argv[2]);
    int reps = argc > 4 ? atoi(argv[4]) : 3;
    if (n <= 0 || range <= 0 || reps <= 0) {
        fprintf(stderr, "direct_cost: bad N, RANGE_M or REPS\n");
        return 2;
    }
    FILE *f = fopen(argv[3], "r");
    if (!f) { perror(argv[3]); return 2; }
    size_t cap = 1024, ns = 0;
    double *lat = malloc(cap * sizeof *lat), *lon = malloc(cap * sizeof *lon);
    char line[512];
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        if (header) { header = 0; continue; }
        char *c1 = strchr(line, ',');
        if (!c1) continue;
        char *c2 = strchr(c1 + 1, ',');
        if (!c2) continue;
        if (ns == cap) {
            cap *= 2;
            lat = realloc(lat, cap * sizeof *lat);
            lon = realloc(lon, cap * sizeof *lon);
        }
        lat[ns] = atof(c1 + 1);
        lon[ns] = atof(c2 + 1);
        ns++;
    }
    fclose(f);
    if (ns == 0) { fprintf(stderr, "direct_cost: no sites\n"); return 2; }

    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1 / 298.257223563);
    long long per = n / (long long)ns, extra = n % (long long)ns;
    double best = 1e300, best_cpu = 1e300, sink = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now(), c0 = cpu_now();
        for (size_t i = 0; i < ns; i++) {
            long long k = per + ((long long)i < extra ? 1 : 0);
            if (k == 0) continue;
            double step = 360.0 / (double)k;
            for (long long j = 0; j < k; j++) {
                double lat2, lon2, azi2;
                geod_direct(&g, lat[i], lon[i], (double)j * step, range, &lat2, &lon2, &azi2);
                sink += lat2 + lon2;
            }
        }
        double t = now() - t0, tc = cpu_now() - c0;
        if (t < best) best = t;
        if (tc < best_cpu) best_cpu = tc;
    }
    printf("seconds %.6f\ncpu_seconds %.6f\nper_call_ns %.1f\ncalls %lld\n", best, best_cpu,
           1e9 * best_cpu / (double)n, n);
    fprintf(stderr, "checksum %.6f\n", sink);
    free(lat);
    free(lon);
    return 0;
}

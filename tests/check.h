/* A minimal test harness: CHECK(cond, fmt, ...) counts and reports; main
 * ends with CHECK_DONE(), which prints "N passed, N failed". */
#ifndef GEOREACH_TEST_CHECK_H
#define GEOREACH_TEST_CHECK_H
#include <stdio.h>

static int check_pass, check_fail;
#define CHECK(cond, ...)                                        \
  do {                                                          \
    if (cond) {                                                 \
      check_pass++;                                             \
    } else {                                                    \
      check_fail++;                                             \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
      fprintf(stderr, __VA_ARGS__);                             \
      fputc('\n', stderr);                                      \
    }                                                           \
  } while (0)
#define CHECK_NEAR(a, b, tol, what)                                         \
  CHECK(fabs((a) - (b)) <= (tol), "%s: %.12g vs %.12g (tol %g)", what,      \
        (double)(a), (double)(b), (double)(tol))
#define CHECK_DONE()                                                    \
  (printf("%d passed, %d failed\n", check_pass, check_fail), check_fail != 0)
#endif

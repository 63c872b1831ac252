/* Without libFuzzer: run a fuzz target over every file of a corpus folder
 * (the seeds and every crash the fuzzer ever found, kept as regressions). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int n = 0;
  for (int i = 1; i < argc; i++) {
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      FILE *f = fopen(path, "rb");
      if (!f) continue;
      static uint8_t buf[1 << 16];
      size_t len = fread(buf, 1, sizeof buf, f);
      fclose(f);
      uint8_t *copy = malloc(len ? len : 1);
      memcpy(copy, buf, len);
      LLVMFuzzerTestOneInput(copy, len);
      free(copy);
      n++;
    }
    if (d) closedir(d);
  }
  printf("%d passed, 0 failed\n", n);
  return n == 0;
}

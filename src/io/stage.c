/* Staged outputs (see stage.h) and the public staged-stream API.
 *
 * Why each piece is here:
 * - The destination folder is opened once and every later step is relative
 *   to that descriptor (fstatat, mkdirat, renameat2): no path is ever
 *   rebuilt, so its length does not matter (GDAL's CPLGetDirname() returns
 *   "" past 2048 bytes, which used to put the output in the current folder
 *   and the staging folder in "/").
 * - The final move is renameat2(RENAME_NOREPLACE) without --overwrite
 *   (link()+unlink() where the file system lacks it), so of two runs racing
 *   for one name exactly one wins.
 * - An existing device, FIFO or the file standard output already is, is
 *   written through (opened for writing, as "-" is), never replaced.
 * - GDAL is handed paths under "/vsigeoreach/", a thin VSI handler over
 *   GDAL's own file functions that records the first failed write, flush,
 *   truncate or close: several drivers (GeoJSON, KML) ignore those, which
 *   used to commit a truncated file after EFBIG, EDQUOT or EIO.  (GDAL 3.6's
 *   plugin handler does not call our unlink/rename/mkdir/rmdir callbacks:
 *   it calls libc's with the name after the prefix, "proc/self/fd/N/...",
 *   relative to the current folder.  Drivers that must remove or rename
 *   their own files, FlatGeobuf's temporary file, are given plain paths.) */
#define _GNU_SOURCE
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "georeach/io.h"
#include "io/stage.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

static const char stage_prefix[] = ".georeach-";

/* ---- checked I/O for GDAL: /vsigeoreach/ ------------------------------- */

#define NSLOTS 64
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  int used;
  char dir[40]; /* the stage's gdaldir, e.g. "/proc/self/fd/7" */
  int err;
} slots[NSLOTS];
static const char vsi_prefix[] = "/vsigeoreach";

struct cfile {
  VSILFILE *fp;
  int slot; /* -1: not under a stage */
};

/* GDAL hands the handler the name after "/vsigeoreach/": the real path is
 * that with its leading "/" back (a thread-local CPLSPrintf() buffer). */
static const char *real_path(const char *name) {
  if (!strncmp(name, vsi_prefix, sizeof vsi_prefix - 1)) name += sizeof vsi_prefix - 1;
  return name[0] == '/' ? name : CPLSPrintf("/%s", name);
}

static int slot_of(const char *real) {
  int found = -1;
  pthread_mutex_lock(&slot_lock);
  for (int i = 0; i < NSLOTS && found < 0; i++) {
    size_t n = strlen(slots[i].dir);
    if (slots[i].used && !strncmp(real, slots[i].dir, n) && real[n] == '/') found = i;
  }
  pthread_mutex_unlock(&slot_lock);
  return found;
}

static void slot_error(int slot, int err) {
  if (slot < 0) return;
  pthread_mutex_lock(&slot_lock);
  if (!slots[slot].err) slots[slot].err = err ? err : EIO;
  pthread_mutex_unlock(&slot_lock);
}

static void *v_open(void *ud, const char *name, const char *access) {
  (void)ud;
  struct cfile *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  const char *real = real_path(name);
  f->slot = slot_of(real);
  f->fp = VSIFOpenL(real, access);
  if (!f->fp) {
    free(f);
    return NULL;
  }
  return f;
}
static vsi_l_offset v_tell(void *p) { return VSIFTellL(((struct cfile *)p)->fp); }
static int v_seek(void *p, vsi_l_offset off, int whence) {
  return VSIFSeekL(((struct cfile *)p)->fp, off, whence);
}
static size_t v_read(void *p, void *buf, size_t size, size_t count) {
  return VSIFReadL(buf, size, count, ((struct cfile *)p)->fp);
}
static int v_eof(void *p) { return VSIFEofL(((struct cfile *)p)->fp); }
static size_t v_write(void *p, const void *buf, size_t size, size_t count) {
  struct cfile *f = p;
  errno = 0;
  size_t n = VSIFWriteL(buf, size, count, f->fp);
  if (n != count) slot_error(f->slot, errno);
  return n;
}
static int v_flush(void *p) {
  struct cfile *f = p;
  errno = 0;
  int r = VSIFFlushL(f->fp);
  if (r != 0) slot_error(f->slot, errno);
  return r;
}
static int v_truncate(void *p, vsi_l_offset size) {
  struct cfile *f = p;
  errno = 0;
  int r = VSIFTruncateL(f->fp, size);
  if (r != 0) slot_error(f->slot, errno);
  return r;
}
static int v_close(void *p) {
  struct cfile *f = p;
  errno = 0;
  int r = VSIFCloseL(f->fp);
  if (r != 0) slot_error(f->slot, errno);
  free(f);
  return r;
}
static int v_stat(void *ud, const char *name, VSIStatBufL *sb, int flags) {
  (void)ud;
  return VSIStatExL(real_path(name), sb, flags);
}
static int v_unlink(void *ud, const char *name) {
  (void)ud;
  return VSIUnlink(real_path(name));
}
static int v_rename(void *ud, const char *from, const char *to) {
  (void)ud;
  /* GDAL may pass the new name with or without our prefix */
  char *f = CPLStrdup(real_path(from));
  int r = VSIRename(f, real_path(to));
  CPLFree(f);
  return r;
}
static int v_mkdir(void *ud, const char *name, long mode) {
  (void)ud;
  return VSIMkdir(real_path(name), mode);
}
static int v_rmdir(void *ud, const char *name) {
  (void)ud;
  return VSIRmdir(real_path(name));
}
static char **v_read_dir(void *ud, const char *name, int max) {
  (void)ud;
  return VSIReadDirEx(real_path(name), max);
}

static void install_handler(void) {
  VSIFilesystemPluginCallbacksStruct *cb = VSIAllocFilesystemPluginCallbacksStruct();
  cb->open = v_open;
  cb->tell = v_tell;
  cb->seek = v_seek;
  cb->read = v_read;
  cb->eof = v_eof;
  cb->write = v_write;
  cb->flush = v_flush;
  cb->truncate = v_truncate;
  cb->close = v_close;
  cb->stat = v_stat;
  cb->unlink = v_unlink;
  cb->rename = v_rename;
  cb->mkdir = v_mkdir;
  cb->rmdir = v_rmdir;
  cb->read_dir = v_read_dir;
  /* nBufferSize/nCacheSize stay 0: a buffer would make the handler read-only */
  VSIInstallPluginHandler("/vsigeoreach/", cb);
  VSIFreeFilesystemPluginCallbacksStruct(cb);
}
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static int slot_take(const char *dir) {
  pthread_once(&handler_once, install_handler);
  int s = -1;
  pthread_mutex_lock(&slot_lock);
  for (int i = 0; i < NSLOTS && s < 0; i++)
    if (!slots[i].used) {
      s = i;
      slots[i].used = 1;
      slots[i].err = 0;
      snprintf(slots[i].dir, sizeof slots[i].dir, "%s", dir);
    }
  pthread_mutex_unlock(&slot_lock);
  return s;
}

static void slot_give(int s) {
  if (s < 0) return;
  pthread_mutex_lock(&slot_lock);
  slots[s].used = 0;
  slots[s].dir[0] = 0;
  pthread_mutex_unlock(&slot_lock);
}

int reach_stage_io_error(const struct reach_stage *st) {
  if (st->slot < 0) return 0;
  pthread_mutex_lock(&slot_lock);
  int e = slots[st->slot].err;
  pthread_mutex_unlock(&slot_lock);
  return e;
}

char *reach_stage_gdal_path(const struct reach_stage *st, const char *name, int checked) {
  return CPLStrdup(
      CPLSPrintf("%s%s/%s", checked && st->slot >= 0 ? vsi_prefix : "", st->gdaldir, name));
}

/* ---- folders ------------------------------------------------------------ */

/* Open folder @p dir for *at() calls.  Short paths in one open(); a path
 * of PATH_MAX or more one component at a time (the kernel refuses longer
 * paths in one piece, but not deep folders). */
static int open_dir(const char *dir) {
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  if (strlen(dir) < PATH_MAX) return open(dir, flags);
  int fd = open(dir[0] == '/' ? "/" : ".", flags);
  const char *p = dir;
  while (fd >= 0 && *p) {
    while (*p == '/') p++;
    size_t n = strcspn(p, "/");
    if (!n) break;
    if (n > NAME_MAX) {
      close(fd);
      errno = ENAMETOOLONG;
      return -1;
    }
    char comp[NAME_MAX + 1];
    memcpy(comp, p, n);
    comp[n] = 0;
    int next = openat(fd, comp, flags);
    int e = errno;
    close(fd);
    errno = e;
    fd = next;
    p += n;
  }
  return fd;
}

/* A DIR* over a copy of @p fd, read from the start: copies share their
 * file offset, so a folder read to its end once would read empty after. */
static DIR *dir_stream(int fd) {
  int d2 = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
  if (!d && d2 >= 0) close(d2);
  if (d) rewinddir(d);
  return d;
}

/* Remove a folder's plain entries (a staging folder holds no subfolders). */
static void empty_dir(int dfd) {
  DIR *d = dir_stream(dfd);
  if (!d) return;
  rewinddir(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      if (unlinkat(dfd, e->d_name, 0) != 0 && errno == EISDIR) {
        int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
          empty_dir(sub);
          close(sub);
        }
        unlinkat(dfd, e->d_name, AT_REMOVEDIR);
      }
  closedir(d);
}

/* Remove the staging entries of dead runs in folder @p pfd: the name gives
 * the owner's pid; it must be gone (kill(pid, 0): ESRCH) and the entry's
 * flock() free (the owner held it while it lived; this also guards against
 * a pid seen from another pid namespace). */
static void clean_stale(int pfd) {
  DIR *d = dir_stream(pfd);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, stage_prefix, sizeof stage_prefix - 1) != 0) continue;
    char *end;
    long pid = strtol(e->d_name + sizeof stage_prefix - 1, &end, 10);
    if (pid <= 0 || *end != '-' || pid == (long)getpid()) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    int fd = openat(pfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;
    struct stat sb;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &sb) == 0) {
      if (S_ISDIR(sb.st_mode)) {
        empty_dir(fd);
        unlinkat(pfd, e->d_name, AT_REMOVEDIR);
      } else if (S_ISREG(sb.st_mode)) {
        unlinkat(pfd, e->d_name, 0);
      }
    }
    close(fd);
  }
  closedir(d);
}

static void stage_name(char *buf, size_t size) {
  static unsigned counter;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned r = (unsigned)ts.tv_nsec ^ ((unsigned)ts.tv_sec << 7) ^
               (__atomic_add_fetch(&counter, 0x9e3779b9u, __ATOMIC_RELAXED));
  r ^= r >> 15;
  r *= 0x2c1b3c6dU;
  r ^= r >> 12;
  snprintf(buf, size, "%s%ld-%08x", stage_prefix, (long)getpid(), r);
}

/* Does @p entry belong to the set of output @p name (sidecars: ".ext"
 * replaces the last extension, "+suffix" is appended to the name)? */
static int in_set(const char *entry, const char *name, const char *const *sidecars) {
  if (!sidecars) return 0;
  const char *dot = strrchr(name, '.');
  size_t stem = dot ? (size_t)(dot - name) : strlen(name), nlen = strlen(name);
  for (const char *const *s = sidecars; *s; s++) {
    if ((*s)[0] == '+') {
      if (!strncmp(entry, name, nlen) && !strcasecmp(entry + nlen, *s + 1)) return 1;
    } else if (!strncmp(entry, name, stem) && !strcasecmp(entry + stem, *s) &&
               strcmp(entry, name) != 0) {
      return 1;
    }
  }
  return 0;
}

/* The first existing member of the set (a static name), or NULL. */
static int first_member(int dfd, const char *name, const char *const *sidecars, char *out,
                        size_t size) {
  DIR *d = dir_stream(dfd);
  if (!d) return 0;
  struct dirent *e;
  int found = 0;
  while (!found && (e = readdir(d)) != NULL)
    if (in_set(e->d_name, name, sidecars)) {
      snprintf(out, size, "%s", e->d_name);
      found = 1;
    }
  closedir(d);
  return found;
}

static void stage_close(struct reach_stage *st) {
  if (st->tmpfd >= 0) close(st->tmpfd);
  if (st->dirfd >= 0) close(st->dirfd);
  if (st->parentfd >= 0) close(st->parentfd);
  if (st->own_through && st->through_fd >= 0) close(st->through_fd);
  slot_give(st->slot);
  free(st->shown);
  free(st->name);
  memset(st, 0, sizeof *st);
  st->tmpfd = st->dirfd = st->parentfd = st->through_fd = st->slot = -1;
}

void reach_stage_abort(struct reach_stage *st) {
  if (st->parentfd >= 0 && st->tmpname[0]) {
    if (st->tmpfd >= 0) {
      empty_dir(st->tmpfd);
      unlinkat(st->parentfd, st->tmpname, AT_REMOVEDIR);
    } else {
      unlinkat(st->parentfd, st->tmpname, 0);
    }
  }
  stage_close(st);
}

/* Is @p sb the file behind descriptor @p fd? */
static int same_as_fd(const struct stat *sb, int fd) {
  struct stat fb;
  return fstat(fd, &fb) == 0 && fb.st_dev == sb->st_dev && fb.st_ino == sb->st_ino;
}

/* Everything but making the staging entry: see reach_stage_open(). */
static enum reach_status stage_prepare(struct reach_ctx *ctx, const char *path, int overwrite,
                                       const char *const *sidecars, int check_only,
                                       struct reach_stage *st) {
  char *dir = NULL;
  memset(st, 0, sizeof *st);
  st->tmpfd = st->dirfd = st->parentfd = st->through_fd = st->slot = -1;
  if (!(st->shown = strdup(path))) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  if (!strcmp(path, "-")) {
    st->through = 1;
    st->through_fd = STDOUT_FILENO;
    if (!(st->name = strdup("stdout"))) goto nomem;
  } else {
    size_t len = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*path || !*base || !strcmp(base, ".") || !strcmp(base, "..")) {
      reach_fail(ctx, REACH_ERR_IO, "%s is a folder, not a file", *path ? path : "''");
      goto fail;
    }
    if (strlen(base) > NAME_MAX) {
      reach_fail(ctx, REACH_ERR_IO, "cannot write %.200s...: %s", path,
                 strerror(ENAMETOOLONG));
      goto fail;
    }
    if (!(st->name = strdup(base))) goto nomem;
    dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) goto nomem;
    st->dirfd = open_dir(dir);
    if (st->dirfd < 0) {
      int e = errno;
      reach_fail(ctx, REACH_ERR_IO, "cannot write in folder %s: %s",
                 len > 300 ? "(its path is too long to show)" : dir, strerror(e));
      goto fail;
    }
    struct stat sb;
    if (fstatat(st->dirfd, st->name, &sb, 0) == 0) {
      if (S_ISDIR(sb.st_mode)) {
        /* a folder cannot be swapped for another in one atomic rename (a
         * rename onto a non-empty folder fails), so a folder output (a
         * shapefile folder, a .gdb) is only ever written under a new name */
        reach_fail(ctx, REACH_ERR_IO, "%s is a folder%s", path,
                   overwrite ? ": a folder is never replaced, --overwrite or not (it cannot "
                               "be done atomically); remove it first"
                             : ", not a file");
        goto fail;
      }
      if (same_as_fd(&sb, STDOUT_FILENO) || same_as_fd(&sb, STDERR_FILENO)) {
        st->through = 1;
        st->through_fd = same_as_fd(&sb, STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO;
      } else if (!S_ISREG(sb.st_mode)) {
        /* a device, FIFO or socket: written through like "-", no
         * --overwrite needed (nothing is replaced) */
        st->through = 1;
        st->own_through = 1;
        if (faccessat(st->dirfd, st->name, W_OK, AT_EACCESS) != 0) {
          reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", path, strerror(errno));
          goto fail;
        }
      } else if (!overwrite) {
        reach_fail(ctx, REACH_ERR_IO, "%s exists; use --overwrite to replace it", path);
        goto fail;
      }
    }
    if (!st->through && !overwrite && sidecars) {
      char member[NAME_MAX + 1];
      if (first_member(st->dirfd, st->name, sidecars, member, sizeof member)) {
        reach_fail(ctx, REACH_ERR_IO,
                   "%s exists beside %s (they make one output); use --overwrite to "
                   "replace them", member, path);
        goto fail;
      }
    }
    if (!st->through && faccessat(st->dirfd, ".", W_OK, AT_EACCESS) != 0) {
      int e = errno;
      reach_fail(ctx, REACH_ERR_IO, "cannot write in folder %s: %s",
                 len > 300 ? "(its path is too long to show)" : dir, strerror(e));
      goto fail;
    }
    free(dir);
    dir = NULL;
  }
  if (check_only) return REACH_OK;
  if (st->through) {
    /* staged in $TMPDIR: a device has no folder of its own to stage in */
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    st->parentfd = open_dir(tmp);
    if (st->parentfd < 0) {
      reach_fail(ctx, REACH_ERR_IO, "cannot write a temporary file in %s: %s", tmp,
                 strerror(errno));
      goto fail;
    }
  } else if ((st->parentfd = fcntl(st->dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
    reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    goto fail;
  }
  clean_stale(st->parentfd);
  return REACH_OK;
nomem:
  reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
fail:
  free(dir);
  stage_close(st);
  /* every path here set the context's error: never report success */
  enum reach_status why = reach_errno(ctx);
  return why != REACH_OK ? why : REACH_ERR_INTERNAL;
}

enum reach_status reach_stage_open(struct reach_ctx *ctx, const char *path, int overwrite,
                                   const char *const *sidecars, struct reach_stage *st) {
  enum reach_status s = stage_prepare(ctx, path, overwrite, sidecars, 0, st);
  if (s != REACH_OK) return s;
  int e = 0;
  for (int i = 0; i < 100; i++) {
    stage_name(st->tmpname, sizeof st->tmpname);
    if (mkdirat(st->parentfd, st->tmpname, 0700) == 0) break;
    e = errno;
    st->tmpname[0] = 0;
    if (e != EEXIST) break;
  }
  if (st->tmpname[0])
    st->tmpfd = openat(st->parentfd, st->tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (st->tmpfd < 0 || flock(st->tmpfd, LOCK_EX | LOCK_NB) != 0) {
    if (!e) e = errno;
    reach_fail(ctx, REACH_ERR_IO, "cannot write a temporary folder beside %s: %s",
               st->through ? "the output" : path, strerror(e));
    reach_stage_abort(st);
    return REACH_ERR_IO;
  }
  snprintf(st->gdaldir, sizeof st->gdaldir, "/proc/self/fd/%d", st->tmpfd);
  struct stat sb;
  if (stat(st->gdaldir, &sb) != 0) {
    reach_fail(ctx, REACH_ERR_IO, "cannot write %s: /proc is not mounted (%s)", path,
               strerror(errno));
    reach_stage_abort(st);
    return REACH_ERR_IO;
  }
  st->slot = slot_take(st->gdaldir);
  return REACH_OK;
}

int reach_stage_sync(struct reach_stage *st) {
  DIR *d = dir_stream(st->tmpfd);
  if (!d) return errno;
  rewinddir(d);
  struct dirent *e;
  int err = 0;
  while (!err && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = openat(st->tmpfd, e->d_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) err = errno;
    if (fd >= 0) close(fd);
  }
  closedir(d);
  return err;
}

void reach_stage_writeback(struct reach_stage *st) {
  if (st->tmpfd < 0) return;
  DIR *d = dir_stream(st->tmpfd);
  if (!d) return;
  rewinddir(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = openat(st->tmpfd, e->d_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    close(fd);
  }
  closedir(d);
}

int reach_copy_to_fd(int in, int out) {
  /* SIGPIPE is directed at the writing thread: blocked here, a closed pipe
   * makes write() fail with EPIPE; a SIGPIPE this raised is then taken off
   * the pending set so that it is not delivered later. */
  sigset_t pipe, old, pend;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  sigemptyset(&pend);
  sigpending(&pend);
  int was_pending = sigismember(&pend, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  static char buf[1 << 16];
  static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&buf_lock);
  int err = 0;
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      break;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n && !err;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) err = errno;
      else off += w;
    }
    if (err) break;
  }
  pthread_mutex_unlock(&buf_lock);
  if (err == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    sigtimedwait(&pipe, NULL, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return err;
}

/* Move @p name from the staging folder into place without replacing
 * anything: renameat2(RENAME_NOREPLACE), or link()+unlink() on file
 * systems without it; both fail with EEXIST when the name is taken. */
static int move_noreplace(struct reach_stage *st, const char *from, const char *name) {
  if (renameat2(st->tmpfd, from, st->dirfd, name, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return -1;
  if (linkat(st->tmpfd, from, st->dirfd, name, 0) == 0) {
    unlinkat(st->tmpfd, from, 0);
    return 0;
  }
  if (errno != EPERM && errno != EOPNOTSUPP) return -1;
  /* no hard links either (FAT): the best left is check-then-rename */
  struct stat sb;
  if (fstatat(st->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
    errno = EEXIST;
    return -1;
  }
  return renameat(st->tmpfd, from, st->dirfd, name);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Open the through destination (a FIFO blocks here until it has a reader,
 * as the shell's > does). */
static int open_through(struct reach_stage *st) {
  if (st->through_fd >= 0) {
    if (st->through_fd == STDOUT_FILENO) fflush(stdout);
    return 0;
  }
  st->through_fd = openat(st->dirfd, st->name, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  return st->through_fd < 0 ? errno : 0;
}

static const char *through_name(const struct reach_stage *st) {
  return st->through_fd == STDOUT_FILENO && !strcmp(st->shown, "-") ? "standard output"
                                                                    : st->shown;
}

enum reach_status reach_stage_commit(struct reach_ctx *ctx, struct reach_stage *st,
                                     int overwrite, const char *const *sidecars) {
  int err = reach_stage_io_error(st);
  if (err) {
    reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", st->through ? through_name(st) : st->shown,
               strerror(err));
    reach_stage_abort(st);
    errno = err;
    return REACH_ERR_IO;
  }
  /* the staged names, sorted (a fixed order: two racing runs meet at the
   * same first name) with the main file last */
  size_t n = 0, cap = 8;
  char **names = malloc(cap * sizeof *names);
  DIR *d = dir_stream(st->tmpfd);
  if (!names || !d) {
    if (d) closedir(d);
    free(names);
    reach_stage_abort(st);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  rewinddir(d);
  struct dirent *e;
  int has_main = 0;
  enum reach_status s = REACH_OK;
  while (s == REACH_OK && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (!strcmp(e->d_name, reach_stage_main(st))) {
      has_main = 1;
      continue;
    }
    if (n == cap) {
      char **more = realloc(names, 2 * cap * sizeof *names);
      if (!more) s = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
      else names = more, cap *= 2;
    }
    if (s == REACH_OK && !(names[n++] = strdup(e->d_name)))
      s = reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  closedir(d);
  if (s == REACH_OK) qsort(names, n, sizeof *names, cmp_str);
  if (s == REACH_OK && st->through) {
    /* one file, copied to the device, FIFO or standard output */
    if (n || !has_main) {
      s = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: this format makes %s file%s, "
                     "and a device or pipe takes one", through_name(st),
                     has_main ? "more than one" : "no", has_main ? "s" : "");
    } else if ((err = open_through(st)) != 0) {
      s = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", through_name(st), strerror(err));
    } else {
      int in = openat(st->tmpfd, reach_stage_main(st), O_RDONLY | O_CLOEXEC);
      err = in < 0 ? errno : reach_copy_to_fd(in, st->through_fd);
      if (in >= 0) close(in);
      if (err == EPIPE)
        s = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: its reader has closed it (%s)",
                       through_name(st), strerror(err));
      else if (err)
        s = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", through_name(st),
                       strerror(err));
    }
  } else if (s == REACH_OK) {
    if (overwrite && sidecars) {
      /* members of the old set that the new one lacks (a stale .qix or
       * .sbn would index the old shapes; a stale -wal would be replayed
       * into the new GeoPackage): removed before anything moves */
      DIR *dd = dir_stream(st->dirfd);
      while (dd && (e = readdir(dd)) != NULL) {
        if (!in_set(e->d_name, st->name, sidecars)) continue;
        int ours = 0;
        for (size_t i = 0; i < n && !ours; i++) ours = !strcmp(names[i], e->d_name);
        if (!ours && unlinkat(st->dirfd, e->d_name, 0) != 0 && errno != ENOENT) {
          s = reach_fail(ctx, REACH_ERR_IO, "cannot remove the old %s: %s", e->d_name,
                         strerror(errno));
          break;
        }
      }
      if (dd) closedir(dd);
    }
    size_t moved = 0;
    for (size_t i = 0; s == REACH_OK && i <= n; i++) {
      const char *name = i < n ? names[i] : st->name;
      const char *from = i < n ? names[i] : reach_stage_main(st);
      if (i == n && !has_main) break;
      int r = overwrite ? renameat(st->tmpfd, from, st->dirfd, name)
                        : move_noreplace(st, from, name);
      if (r == 0) {
        moved++;
        continue;
      }
      int e2 = errno;
      if (e2 == EEXIST)
        s = reach_fail(ctx, REACH_ERR_IO, "%s exists%s%s (written meanwhile by another run?); "
                       "use --overwrite to replace it", i < n ? name : st->shown,
                       i < n ? " beside " : "", i < n ? st->shown : "");
      else
        s = reach_fail(ctx, REACH_ERR_IO, "cannot move %s into place: %s", st->shown,
                       strerror(e2));
      /* take back what this run already moved: the set is one output */
      for (size_t k = 0; k < moved; k++) unlinkat(st->dirfd, names[k], 0);
    }
    if (s == REACH_OK) fsync(st->dirfd); /* the renames themselves, durable */
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  err = s == REACH_OK ? 0 : errno;
  reach_stage_abort(st);
  if (s != REACH_OK && err) errno = err;
  return s;
}

/* ---- the public staged stream ------------------------------------------ */

struct reach_stream {
  struct reach_stage st;
  FILE *fp;
  int fd;        /* the staged file's or the through descriptor's copy */
  int err;       /* first write error (errno) */
  int overwrite;
  int blocked;   /* SIGPIPE blocked by us in the opening thread */
  int was_pending;
  sigset_t oldmask;
};

/* The FILE's writes: plain write() with the first error kept, so that the
 * commit can name the real reason (EFBIG, EDQUOT, EIO, EPIPE). */
static ssize_t cookie_write(void *c, const char *buf, size_t size) {
  struct reach_stream *s = c;
  size_t off = 0;
  if (s->fd < 0) return (ssize_t)size; /* aborted: dropped */
  while (off < size) {
    ssize_t w = write(s->fd, buf + off, size - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (!s->err) s->err = w < 0 ? errno : EIO;
      errno = s->err;
      return off ? (ssize_t)off : -1;
    }
    off += (size_t)w;
  }
  return (ssize_t)size;
}
static int cookie_close(void *c) {
  (void)c;
  return 0; /* the descriptor is closed by commit/abort */
}

static void stream_free(struct reach_stream *s) {
  if (s->fp) fclose(s->fp);
  if (s->fd >= 0) close(s->fd);
  if (s->blocked) {
    if (s->err == EPIPE && !s->was_pending) {
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      struct timespec zero = {0, 0};
      sigtimedwait(&pipe, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &s->oldmask, NULL);
  }
  free(s);
}

enum reach_status reach_stream_check(struct reach_ctx *ctx, const char *path, int overwrite) {
  struct reach_stage st;
  enum reach_status s = stage_prepare(ctx, path, overwrite, NULL, 1, &st);
  if (s == REACH_OK) stage_close(&st);
  return s;
}

enum reach_status reach_stream_open(struct reach_ctx *ctx, const char *path, int overwrite,
                                    struct reach_stream **out) {
  *out = NULL;
  struct reach_stream *s = calloc(1, sizeof *s);
  if (!s) return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  s->fd = -1;
  s->overwrite = overwrite;
  enum reach_status r = stage_prepare(ctx, path, overwrite, NULL, 0, &s->st);
  if (r != REACH_OK) {
    free(s);
    return r;
  }
  int err = 0;
  if (s->st.through) {
    if ((err = open_through(&s->st)) == 0 &&
        (s->fd = fcntl(s->st.through_fd, F_DUPFD_CLOEXEC, 0)) < 0)
      err = errno;
  } else {
    for (int i = 0; i < 100; i++) {
      stage_name(s->st.tmpname, sizeof s->st.tmpname);
      s->fd = openat(s->st.parentfd, s->st.tmpname,
                     O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
      if (s->fd >= 0 || errno != EEXIST) break;
    }
    if (s->fd < 0) {
      err = errno;
      s->st.tmpname[0] = 0;
    } else if (flock(s->fd, LOCK_EX | LOCK_NB) != 0) {
      err = errno;
    }
  }
  if (!err) {
    cookie_io_functions_t io = {NULL, cookie_write, NULL, cookie_close};
    if (!(s->fp = fopencookie(s, "w", io))) err = ENOMEM;
    else setvbuf(s->fp, NULL, _IOFBF, 1 << 16);
  }
  if (err) {
    reach_fail(ctx, err == ENOMEM ? REACH_ERR_NOMEM : REACH_ERR_IO, "cannot write %s: %s",
               s->st.through ? through_name(&s->st) : path, strerror(err));
    reach_stage_abort(&s->st);
    stream_free(s);
    return err == ENOMEM ? REACH_ERR_NOMEM : REACH_ERR_IO;
  }
  if (s->st.through) {
    sigset_t pipe, pend;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    sigemptyset(&pend);
    sigpending(&pend);
    s->was_pending = sigismember(&pend, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &s->oldmask);
    s->blocked = 1;
  }
  *out = s;
  return REACH_OK;
}

FILE *reach_stream_file(struct reach_stream *s) { return s ? s->fp : NULL; }

enum reach_status reach_stream_commit(struct reach_ctx *ctx, struct reach_stream *s) {
  int err = 0;
  if (fflush(s->fp) != 0 || ferror(s->fp)) err = s->err ? s->err : errno ? errno : EIO;
  if (!err && s->err) err = s->err;
  if (!err && !s->st.through && fsync(s->fd) != 0) err = errno;
  const char *what = s->st.through ? through_name(&s->st) : s->st.shown;
  enum reach_status r = REACH_OK;
  if (err == EPIPE)
    r = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: its reader has closed it (%s)", what,
                   strerror(err));
  else if (err)
    r = reach_fail(ctx, REACH_ERR_IO, "cannot write %s: %s", what, strerror(err));
  if (r == REACH_OK && !s->st.through) {
    /* the one file: moved with no-replace unless overwrite */
    int rr = s->overwrite
                 ? renameat(s->st.parentfd, s->st.tmpname, s->st.dirfd, s->st.name)
                 : renameat2(s->st.parentfd, s->st.tmpname, s->st.dirfd, s->st.name,
                             RENAME_NOREPLACE);
    if (rr != 0 && !s->overwrite && (errno == EINVAL || errno == ENOSYS)) {
      rr = linkat(s->st.parentfd, s->st.tmpname, s->st.dirfd, s->st.name, 0);
      if (rr == 0) unlinkat(s->st.parentfd, s->st.tmpname, 0);
    }
    if (rr != 0) {
      err = errno;
      r = err == EEXIST ? reach_fail(ctx, REACH_ERR_IO,
                                     "%s exists (written meanwhile by another run?); use "
                                     "--overwrite to replace it", s->st.shown)
                        : reach_fail(ctx, REACH_ERR_IO, "cannot move %s into place: %s",
                                     s->st.shown, strerror(err));
    } else {
      s->st.tmpname[0] = 0; /* nothing left to remove */
      fsync(s->st.dirfd);
    }
  }
  s->err = err;
  reach_stage_abort(&s->st);
  stream_free(s);
  if (err) errno = err;
  return r;
}

void reach_stream_abort(struct reach_stream *s) {
  if (!s) return;
  int e = errno;
  /* what is still buffered is dropped, not written through */
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  reach_stage_abort(&s->st);
  stream_free(s);
  errno = e;
}

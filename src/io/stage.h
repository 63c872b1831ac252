/* Staged outputs: everything a writer makes goes to a hidden staging folder
 * (or file) beside the destination and is moved into place only when
 * complete.  Shared by the GDAL writers (output.c), the map writer
 * (render/map.c, through the stream API) and reach_stream_*.
 *
 * The destination's folder is held open (its path is opened component by
 * component, so a path of any length works), and GDAL is given short paths
 * "/proc/self/fd/N/NAME" into the staging folder: GDAL's path helpers
 * truncate at 2048 bytes.  A staging entry is called ".georeach-PID-XXXXXXXX"
 * and is flock()ed while its writer lives; a later run in the same folder
 * removes entries whose process is gone and whose lock is free (kill -9,
 * power loss). */
#ifndef REACH_IO_STAGE_H
#define REACH_IO_STAGE_H

#include <stdio.h>
#include "georeach/context.h"

struct reach_stage {
  char *shown;      /* the destination as given (messages) */
  char *name;       /* its last component */
  int dirfd;        /* the destination's folder; -1 when through */
  int through;      /* 1: stdout, a device, a FIFO: written through, not replaced */
  int through_fd;   /* that descriptor once opened, else -1 */
  int own_through;  /* through_fd is ours to close */
  int parentfd;     /* folder holding the staging entry */
  int tmpfd;        /* the staging folder (flock()ed); -1 for a file stage */
  char tmpname[40]; /* its name in parentfd */
  char gdaldir[40]; /* "/proc/self/fd/N": GDAL's short path to tmpfd */
  int slot;         /* checked-I/O error slot (stage_vsi_*), -1 when none */
  char main[16];    /* the main file's staged name when not @name ("" = name):
                     * SQLite adds "-journal" to a GeoPackage's name, which a
                     * 250-byte name cannot take */
};

/* The main file's name in the staging folder. */
static inline const char *reach_stage_main(const struct reach_stage *st) {
  return st->main[0] ? st->main : st->name;
}

/* Split and check @p path, open its folder, refuse an existing regular file
 * unless @p overwrite (a folder always), find out whether it is written
 * through (stdout "-", a device, a FIFO, or the file standard output or
 * error already is), clean stale staging entries and make the staging
 * folder.  @p sidecars: the extensions (".shx", ...) that belong to the
 * output's set (NULL: none); without @p overwrite an existing member of
 * the set is refused too.  On failure *st is left closed. */
enum reach_status reach_stage_open(struct reach_ctx *ctx, const char *path, int overwrite,
                                   const char *const *sidecars, struct reach_stage *st);

/* Move every file of the staging folder into place (sidecars first, the
 * file named like the destination last), each with no-replace unless
 * @p overwrite; with @p overwrite the members of the set left over from
 * the old output are removed first.  Through: the one staged file is
 * copied to the destination.  Closes the stage whatever the result. */
enum reach_status reach_stage_commit(struct reach_ctx *ctx, struct reach_stage *st,
                                     int overwrite, const char *const *sidecars);

/* Remove the staging entry and close everything; safe on a closed stage. */
void reach_stage_abort(struct reach_stage *st);

/* The short path GDAL should use for @p name in the staging folder:
 * "/proc/self/fd/N/name", under "/vsigeoreach" (checked I/O) when
 * @p checked and the stage has an error slot; CPLFree() it. */
char *reach_stage_gdal_path(const struct reach_stage *st, const char *name, int checked);

/* The first write/flush/close error GDAL met under this stage (an errno
 * value), 0 when none. */
int reach_stage_io_error(const struct reach_stage *st);

/* fsync() every staged file; returns an errno value, 0 on success. */
int reach_stage_sync(struct reach_stage *st);
/* Start writing the staged files' dirty pages to disk without waiting
 * (sync_file_range(SYNC_FILE_RANGE_WRITE)), so that the commit's fsync finds
 * little left to do; errors are left to reach_stage_sync(). */
void reach_stage_writeback(struct reach_stage *st);

/* Copy a file to a descriptor with SIGPIPE blocked in this thread (a closed
 * pipe is an error, EPIPE, not a death).  Returns an errno value or 0. */
int reach_copy_to_fd(int in, int out);

#endif

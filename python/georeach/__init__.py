"""georeach from Python: what can a missile of range R reach from here, on the
WGS84 ellipsoid, as GeoJSON-like features.

A thin layer over libgeoreach's apps API (include/georeach/apps.h) through
ctypes: every function builds the option list the command line would get and
runs the same library code, so the answers are the command's own::

    >>> import georeach
    >>> ring, = georeach.rings(site="Pyongyang", missile="KN-23")
    >>> ring["properties"]["range_km"], ring["geometry"]["type"]
    (885.0, 'Polygon')
    >>> georeach.rings(sites=[(50.6, 36.6), (45.7, 34.4)], range="885km",
    ...                tolerance="10m", output="kn23.gpkg")   # a file, styled
    Result(path='kn23.gpkg', ...)

Options are the command line's, spelled in Python: ``--min-range 300km`` is
``min_range="300km"``, ``--union`` is ``union=True``, a list is written with
commas (``missile=["KN-23", "Iskander-M"]``), points are strings as on the
command line ("50.6,36.6", "Kharkiv,UA", MGRS) or (lat, lon) tuples, or
(name, lat, lon).  Distances given as bare numbers are kilometres, as on the
command line ("10m" for ten metres).

Without ``output=`` the command writes GeoJSON to a temporary file that is read
back and removed: the features are those of ``georeach ... -o x.geojson``.
With ``output=`` it writes that file (any format the command writes, styled as
it styles them) and returns a :class:`Result`.

Errors raise :class:`Error` (``UsageError`` for what the command line exits 2
on, ``DataError`` for 1, ``Interrupted`` when the progress callback stopped
the run) with the library's message.  Each call has its own library context:
calls from several threads run at once.
"""
import ctypes
import enum
import json
import numbers
import os
import shutil
import tempfile

from . import _lib

__all__ = ["run", "rings", "coverage", "query", "basket", "missiles", "locate",
           "help", "version", "library_path", "data_dir", "quiet_gdal", "Result", "Features",
           "Error", "UsageError", "DataError", "Interrupted", "Status"]


class Status(enum.IntEnum):
    """enum reach_status (context.h)."""
    OK = 0
    ARG = 1
    DATA = 2
    IO = 3
    NOMEM = 4
    INTERRUPTED = 5
    INTERNAL = 6


class Error(Exception):
    """A failed command.  ``message`` is the library's (as the command line
    prints it after "georeach: "), ``status`` a :class:`Status`,
    ``exit_code`` what the command line would exit with (2 usage, 1 data or
    file, 130 interrupted)."""

    def __init__(self, message, status, notes=()):
        super().__init__(message)
        self.message = message
        self.status = Status(status)
        self.notes = list(notes)

    @property
    def exit_code(self):
        return 2 if self.status == Status.ARG else 130 if self.status == Status.INTERRUPTED else 1


class UsageError(Error, ValueError):
    """A bad option or value (REACH_ERR_ARG; the command line exits 2)."""


class DataError(Error):
    """Bad data, a file that cannot be read or written, memory (exit 1)."""


class Interrupted(Error):
    """The progress callback returned False (REACH_ERR_INTERRUPTED); nothing
    was left under the output's name."""


def _error(message, status, notes=()):
    cls = (UsageError if status == Status.ARG else Interrupted if status == Status.INTERRUPTED
           else DataError)
    return cls(message, status, notes)


class Result:
    """What a run gave: ``text`` (what the command printed on standard output:
    query's table, missiles' list, locate's lines), ``notes`` (what it said on
    stderr, without "georeach: "), ``path`` (the output file, if any)."""

    def __init__(self, text="", notes=(), path=None):
        self.text = text
        self.notes = list(notes)
        self.path = path

    def __repr__(self):
        return "Result(path=%r, notes=%r, text=%r)" % (self.path, self.notes, self.text[:60])


class Features(list):
    """A list of GeoJSON Feature dicts (``{"type": "Feature", "properties":
    {...}, "geometry": {...}}``) with the layer's ``name`` and the run's
    ``notes``.  ``__geo_interface__`` gives it as a GeoJSON
    FeatureCollection, the protocol GIS libraries in Python read."""

    name = None
    notes = ()

    @property
    def __geo_interface__(self):
        return {"type": "FeatureCollection", "features": list(self)}


def library_path():
    """The path of the libgeoreach this module loaded."""
    _lib.lib()
    return _lib.path


def version():
    """libgeoreach's version, e.g. "0.2.0"."""
    return _lib.lib().reach_version().decode()


def data_dir():
    """The folder of the bundled data the library reads (missiles.csv,
    cities.csv, countries, styles/*.qml), as ``georeach --version`` names it."""
    L = _lib.lib()
    ctx = L.reach_ctx_new()
    try:
        return os.fsdecode(L.reach_ctx_data_dir(ctx))
    finally:
        L.reach_ctx_free(ctx)


def quiet_gdal():
    """Register GDAL's drivers and keep GDAL from printing its own errors (the
    library's messages carry them), as the command line does.  Process-wide:
    not for a host that owns GDAL's error handler (QGIS)."""
    _lib.lib().reach_io_silence_gdal()


def _b(s):
    return os.fsencode(s) if isinstance(s, os.PathLike) else str(s).encode("utf-8", "surrogateescape")


def _run(command, args, progress=None, data_dir=None):
    """Run one command; returns (status, message, text, notes)."""
    L = _lib.lib()
    libc = _lib.libc()
    ctx = L.reach_ctx_new()
    if not ctx:
        raise DataError("cannot start: PROJ's database (proj.db) or GEOS is missing", Status.INTERNAL)
    tmp = tempfile.mkdtemp(prefix="georeach-py-")
    notes, failure = [], []
    out = None
    app = None
    try:
        if data_dir is not None and L.reach_ctx_set_data_dir(ctx, _b(data_dir)):
            return Status.ARG, L.reach_errmsg(ctx).decode("utf-8", "replace"), "", notes
        argv_b = [_b(a) for a in args]
        argv = (ctypes.c_char_p * max(1, len(argv_b)))(*argv_b)
        app = L.reach_app_new(ctx, _b(command), len(argv_b), argv)
        if not app:
            return (Status(L.reach_errno(ctx)), L.reach_errmsg(ctx).decode("utf-8", "replace"),
                    "", notes)
        text_path = os.path.join(tmp, "stdout.txt")
        out = libc.fopen(_b(text_path), b"w")
        if not out:
            raise OSError(ctypes.get_errno(), "cannot open %s" % text_path)

        def on_message(msg, _data):
            notes.append(msg.decode("utf-8", "replace"))

        def on_progress(done, msg, _data):
            if failure:
                return 0
            if progress is None:
                return 1
            try:
                go = progress(done, msg.decode("utf-8", "replace") if msg else None)
            except BaseException as e:  # noqa: BLE001 (re-raised after the run)
                failure.append(e)
                return 0
            return 0 if go is False else 1

        cb_message = _lib.MESSAGE_FN(on_message)
        cb_progress = _lib.PROGRESS_FN(on_progress)
        L.reach_app_set_output(app, out, cb_message, None)
        L.reach_app_set_progress(app, cb_progress, None)
        if progress is not None:
            # a --sites file streamed by rings is counted first, so that the
            # fraction moves as it is read (else it stays 0 until the end)
            L.reach_app_set_progress_drawn(app, 1)
        st = Status(L.reach_app_run(ctx, app))  # ctypes lets go of the GIL here
        msg = L.reach_errmsg(ctx).decode("utf-8", "replace") if st else ""
        L.reach_app_free(app)
        app = None
        libc.fclose(out)
        out = None
        with open(text_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if failure:
            raise failure[0]
        return st, msg, text, notes
    finally:
        if app:
            L.reach_app_free(app)
        if out:
            libc.fclose(out)
        L.reach_ctx_free(ctx)
        shutil.rmtree(tmp, True)


def run(command, args, progress=None, data_dir=None):
    """Run ``georeach COMMAND ARGS...`` in this process, as the command line
    does, and return a :class:`Result`.

    ``args`` are the options exactly as typed after the command
    (``["--site", "50.6,36.6", "--range", "885km", "-o", "kn23.gpkg"]``).
    ``progress(fraction, message)`` is called as the work goes on (fraction in
    [0, 1]; message is None when the call only asks whether to go on);
    returning False stops the run: :class:`Interrupted` is raised and no
    output is left.  An exception raised by ``progress`` stops the run too and
    is raised again.  ``data_dir`` replaces the bundled data folder
    (reach_ctx_set_data_dir()).  Raises :class:`Error` on failure."""
    st, msg, text, notes = _run(command, [str(a) if not isinstance(a, (bytes, os.PathLike)) else a
                                          for a in args], progress, data_dir)
    if st:
        raise _error(msg or "failed", st, notes)
    return Result(text, notes)


# ------------------------------------------------------------ options ----
def _num(v):
    return repr(float(v)) if isinstance(v, float) else str(v)


def _point(p):
    """A point as the command line reads it: a string as is, (lat, lon),
    (name, lat, lon), a dict with lat/lon (and name), or a shapely/GeoJSON
    Point (x = lon, y = lat)."""
    if isinstance(p, (str, os.PathLike)):
        return str(p)
    if isinstance(p, dict) and "lat" in p:
        s = "%s,%s" % (_num(p["lat"]), _num(p["lon"]))
        return "%s=%s" % (p["name"], s) if p.get("name") else s
    gi = getattr(p, "__geo_interface__", None) or (p if isinstance(p, dict) else None)
    if gi is not None:
        if gi.get("type") == "Feature":
            gi = gi["geometry"]
        if gi.get("type") != "Point":
            raise UsageError("a point must be a Point, not a %s" % gi.get("type"), Status.ARG)
        lon, lat = gi["coordinates"][:2]
        return "%s,%s" % (_num(lat), _num(lon))
    p = tuple(p)
    if len(p) == 2:
        return "%s,%s" % (_num(p[0]), _num(p[1]))
    if len(p) == 3:
        return "%s=%s,%s" % (p[0], _num(p[1]), _num(p[2]))
    raise UsageError("a point is LAT,LON, (lat, lon) or (name, lat, lon): %r" % (p,), Status.ARG)


def _is_point(v):
    """A single point given as a tuple of two numbers (lat, lon)."""
    return (isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, numbers.Real) for x in v))


def _points(v):
    if v is None:
        return []
    if isinstance(v, (str, os.PathLike, dict)) or _is_point(v) or hasattr(v, "__geo_interface__"):
        return [_point(v)]
    return [_point(p) for p in v]


def _list(v, fmt=_num):
    if isinstance(v, (str, os.PathLike)):
        return str(v)
    if isinstance(v, (list, tuple, set)):
        return ",".join(fmt(x) for x in v)
    return fmt(v)


def _options(kw):
    """Keyword arguments to command-line options (None and False: left out)."""
    args = []
    for key, v in kw.items():
        if v is None or v is False:
            continue
        opt = "--" + key.rstrip("_").replace("_", "-")
        if v is True:
            args.append(opt)
        elif key in ("site", "target"):
            for p in _points(v):
                args += [opt, p]
        elif key in ("sites", "targets"):
            if isinstance(v, (str, os.PathLike)) and (key == "targets" or not _looks_point(v)):
                args += [opt, str(v)]
            else:  # points in memory: one --site / --target each
                for p in _points(v):
                    args += [opt[:-1], p]
        elif key == "azimuth":
            args += [opt, v if isinstance(v, str) else "%s:%s" % (_num(v[0]), _num(v[1]))]
        else:
            args += [opt, _list(v)]
    return args


def _looks_point(s):
    """--sites "50.6,36.6" is one point rather than a file (a convenience)."""
    s = str(s)
    return not os.path.exists(s) and s.count(",") == 1 and all(
        _isfloat(x) for x in s.split(","))


def _isfloat(x):
    try:
        float(x)
        return True
    except ValueError:
        return False


def _layer(command, args, output, fmt, overwrite, progress, shapely, data_dir):
    """Run a command that writes a layer: to ``output`` (returns a Result) or
    to a temporary GeoJSON file read back as Features."""
    if output is not None:
        more = ["-o", str(output)] + (["-f", fmt] if fmt else []) + (["--overwrite"] if overwrite else [])
        r = run(command, args + more, progress, data_dir)
        r.path = str(output)
        return r
    tmp = tempfile.mkdtemp(prefix="georeach-py-")
    try:
        path = os.path.join(tmp, "out.geojson")
        r = run(command, args + ["-o", path], progress, data_dir)
        with open(path, encoding="utf-8") as f:
            fc = json.load(f)
    finally:
        shutil.rmtree(tmp, True)
    fs = Features(fc.get("features", []))
    fs.name = fc.get("name")
    fs.notes = [n.replace(path, "<memory>") for n in r.notes]
    if shapely:
        from shapely.geometry import shape
        for f in fs:
            f["shape"] = shape(f["geometry"]) if f.get("geometry") else None
    return fs


def rings(site=None, sites=None, from_area=None, *, range=None, rings=None, missile=None,
          band=False, catalogue=None, min_range=None, azimuth=None, tolerance=None,
          union=False, count=False, min_count=None, model=None, burnout_alt=None,
          minutes=None, seconds=None, trajectory=None, gamma=None, skip_bad=False,
          strict=False, threads=None, output=None, format=None, overwrite=False,
          progress=None, shapely=False, data_dir=None):
    """Reach rings round launch sites: ``georeach rings``.

    Sites: ``site`` (one point or a list), ``sites`` (a file, as --sites, or a
    list of points), or ``from_area`` (bundled country codes or names, a list
    of them, or a polygon file).  How far: ``range`` (885 or "885km"),
    ``rings`` (several distances), or ``missile`` (catalogue names; ``band``
    adds the low and high figures).  ``min_range``, ``azimuth=(from, to)``,
    ``tolerance`` ("10m"), ``union`` / ``count`` (see :func:`coverage`),
    ``model="ballistic"`` with ``minutes``/``seconds`` (isochrones),
    ``trajectory``, ``gamma``, ``burnout_alt``.  See ``georeach rings --help``
    (:func:`help`) for each.

    Returns :class:`Features` (fields site site_lat site_lon missile band
    min_km range_km az_from az_to tol_m err_m area_km2 kind, as the command
    writes them), each with a ``shape`` (shapely) when ``shapely=True``; with
    ``output`` the file is written (``format``: a GDAL driver;
    ``overwrite``) and a :class:`Result` returned.  ``progress``: see
    :func:`run`."""
    args = _options(dict(site=site, sites=sites, from_area=from_area, range=range, rings=rings,
                         missile=missile, band=band, catalogue=catalogue, min_range=min_range,
                         azimuth=azimuth, tolerance=tolerance, union=union, count=count,
                         min_count=min_count, model=model, burnout_alt=burnout_alt,
                         minutes=minutes, seconds=seconds, trajectory=trajectory, gamma=gamma,
                         skip_bad=skip_bad, strict=strict, threads=threads))
    return _layer("rings", args, output, format, overwrite, progress, shapely, data_dir)


def coverage(site=None, sites=None, from_area=None, *, count=False, min_count=None, **kw):
    """The union of the rings of all sites, one feature per missile and ring
    (``rings --union``: fields missile band min_km range_km sites tol_m err_m
    area_km2 ...), or with ``count=True`` the overlap bands (``rings
    --count``: one feature per number of sites reaching a place, fields count
    and at_least; ``min_count=K``: one feature, reached by K or more).
    ``from_area`` gives the reach from a territory (always a coverage layer).
    Other keywords as :func:`rings`."""
    union = not count and from_area is None
    return rings(site, sites, from_area, union=union, count=count,
                 min_count=min_count, **kw)


def query(site=None, sites=None, *, target=None, targets=None, missile=None, band=False,
          range=None, min_range=None, catalogue=None, min_population=None, country=None,
          in_range=False, nearest=False, by=None, tof=False, model=None, burnout_alt=None,
          trajectory=None, gamma=None, summary=False, skip_bad=False, strict=False,
          output=None, format=None, overwrite=False, progress=None, shapely=False,
          data_dir=None):
    """What is in range: ``georeach query``, one feature per site x missile x
    target (a Point at the target) with fields site missile target dist_km
    az_deg baz_deg range_km min_km margin_km in_range tof_s, as ``query -o
    x.geojson`` writes them.

    ``target``: one point or a list; ``targets``: a file, "cities" (with
    ``min_population``, ``country``) or a list of points.  ``in_range``,
    ``nearest`` (``by="time"``), ``tof``, ``model="ballistic"`` as on the
    command line.  The summary (targets and countries in range) is in the
    result's ``notes``.  With ``output`` the layer is written and a
    :class:`Result` returned."""
    args = _options(dict(site=site, sites=sites, target=target, targets=targets, missile=missile,
                         band=band, range=range, min_range=min_range, catalogue=catalogue,
                         min_population=min_population, country=country, in_range=in_range,
                         nearest=nearest, by=by, tof=tof, model=model, burnout_alt=burnout_alt,
                         trajectory=trajectory, gamma=gamma, summary=summary,
                         skip_bad=skip_bad, strict=strict))
    return _layer("query", args, output, format, overwrite, progress, shapely, data_dir)


def basket(target=None, targets=None, *, missile=None, band=False, range=None, min_range=None,
           catalogue=None, any=False, within=None, model=None, burnout_alt=None,
           tolerance=None, strict=False, output=None, format=None, overwrite=False,
           progress=None, shapely=False, data_dir=None):
    """The launch basket: ``georeach basket``, where a launcher must stand to
    reach every target (``any=True``: at least one), clipped to ``within``
    (country codes or names, a list, or a polygon file).  One feature per
    missile (and band), fields targets missile band min_km range_km mode
    within tol_m err_m area_km2."""
    args = _options(dict(target=target, targets=targets, missile=missile, band=band,
                         range=range, min_range=min_range, catalogue=catalogue, any=any,
                         within=within, model=model, burnout_alt=burnout_alt,
                         tolerance=tolerance, strict=strict))
    return _layer("basket", args, output, format, overwrite, progress, shapely, data_dir)


def missiles(origin=None, class_=None, *, catalogue=None, data_dir=None, **kw):
    """The catalogue, ``georeach missiles --as json``: a list of dicts (name,
    aliases, shared_names, origin, class, min_km, range_km, range_kind,
    source, range_low_km, ... notes).  ``origin`` and ``class_`` keep rows
    containing the text (any case)."""
    if "class" in kw:
        class_ = kw.pop("class")
    if kw:
        raise TypeError("missiles() got unexpected keyword arguments %s" % sorted(kw))
    args = _options(dict(origin=origin, class_=class_, catalogue=catalogue)) + ["--as", "json"]
    return json.loads(run("missiles", args, data_dir=data_dir).text)


def locate(*points, strict=False, data_dir=None):
    """Where georeach reads each point (``georeach locate``): a list of dicts
    ``{"lat": ..., "lon": ..., "name": ...}`` (name None for coordinates),
    in the order given."""
    args = (["--strict"] if strict else []) + ["--"] + [_point(p) for p in points]
    out = []
    for line in run("locate", args, data_dir=data_dir).text.splitlines():
        parts = line.split(None, 2)
        out.append({"lat": float(parts[0]), "lon": float(parts[1]),
                    "name": parts[2] if len(parts) > 2 else None})
    return out


def help(command=None):  # noqa: A001 (the command line's word)
    """The help text of a command (``georeach COMMAND --help``), or the list
    of commands."""
    if command is None:
        return _help_all()
    return run(command, ["--help"]).text


def _help_all():
    return ("Commands: rings, query, basket, map, missiles, locate.  "
            "georeach.help('rings') gives a command's options.\n")

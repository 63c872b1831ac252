"""Loading libgeoreach with ctypes and declaring the few functions of the apps
API (include/georeach/apps.h, context.h) the module calls.

Where the library is looked for, first found wins:

1. ``$GEOREACH_LIBRARY`` (a path to libgeoreach.so.N): an explicit choice
   overrides everything else;
2. beside the installed module: ``cmake --install`` writes ``_install.py``
   with the library's path relative to this folder (PREFIX/lib/...);
3. the build tree of a source checkout (``python/../build/``);
4. ``ctypes.util.find_library("georeach")`` (the ld.so cache: /usr/lib,
   /usr/local/lib after ldconfig).
"""
import ctypes
import ctypes.util
import os
import threading

# the build tree's unversioned link to libgeoreach.so.N: the module calls only
# the apps API, whose functions take opaque pointers, on any ABI version N
SONAME = "libgeoreach.so"
HERE = os.path.dirname(os.path.abspath(__file__))

# int (*reach_progress_fn)(double done, const char *message, void *data)
PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_double, ctypes.c_char_p, ctypes.c_void_p)
# void (*reach_message_fn)(const char *message, void *data)
MESSAGE_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)


def candidates():
    """The paths tried, in order (the ones that exist or may resolve)."""
    out = []
    env = os.environ.get("GEOREACH_LIBRARY")
    if env:
        out.append(env)
    try:
        from . import _install  # written by cmake --install
        out.append(os.path.normpath(os.path.join(HERE, _install.LIBRARY)))
    except ImportError:
        pass
    repo = os.path.dirname(os.path.dirname(HERE))
    out.append(os.path.join(repo, "build", SONAME))
    found = ctypes.util.find_library("georeach")
    if found:
        out.append(found)
    return out


def _declare(lib):
    vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    sigs = {
        "reach_ctx_new": (vp, []),
        "reach_ctx_free": (None, [vp]),
        "reach_errmsg": (cp, [vp]),
        "reach_errno": (ci, [vp]),
        "reach_ctx_set_data_dir": (ci, [vp, cp]),
        "reach_ctx_data_dir": (cp, [vp]),
        "reach_app_new": (vp, [vp, cp, ci, ctypes.POINTER(cp)]),
        "reach_app_set_progress": (None, [vp, PROGRESS_FN, vp]),
        "reach_app_set_output": (None, [vp, vp, MESSAGE_FN, vp]),
        "reach_app_set_progress_drawn": (None, [vp, ci]),
        "reach_app_run": (ci, [vp, vp]),
        "reach_app_free": (None, [vp]),
        "reach_app_help": (ci, [cp, vp]),
        "reach_version": (cp, []),
        "reach_io_silence_gdal": (None, []),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib


_lock = threading.Lock()
_lib = None
_libc = None
path = None


def lib():
    """The loaded library (loaded once, on first use)."""
    global _lib, _libc, path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is None:
            tried = []
            env = os.environ.get("GEOREACH_LIBRARY")
            for p in candidates():
                if env and p != env:  # an explicit choice that fails is an error
                    continue
                if os.path.isabs(p) and not os.path.exists(p):
                    tried.append("%s (missing)" % p)
                    continue
                try:
                    loaded = ctypes.CDLL(p)
                except OSError as e:
                    tried.append("%s (%s)" % (p, e))
                    continue
                path = p
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                libc.fopen.restype = ctypes.c_void_p
                libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
                libc.fclose.restype = ctypes.c_int
                libc.fclose.argtypes = [ctypes.c_void_p]
                _libc = libc
                _lib = _declare(loaded)
                break
            else:
                raise ImportError("georeach: libgeoreach not found; tried: %s.  Set "
                                  "GEOREACH_LIBRARY=/path/to/libgeoreach.so.N" % ("; ".join(tried) or "nothing"))
    return _lib


def libc():
    lib()
    return _libc

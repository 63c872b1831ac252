"""The georeach Python module: the installed one (cmake --install puts it on
Debian's Python path), else the copy scripts/package-qgis-plugin bundles in
the plugin.  Either loads libgeoreach.so.N ($GEOREACH_LIBRARY, beside the
installed module, or the ld.so cache)."""
try:
    import georeach  # noqa: F401
except ImportError:  # the bundled copy
    from . import georeach  # noqa: F401 (re-exported)
__all__ = ["georeach"]

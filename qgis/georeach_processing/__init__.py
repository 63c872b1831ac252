"""georeach's QGIS plugin: a Processing provider (see provider.py)."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import GeoreachPlugin
    return GeoreachPlugin(iface)

"""The georeach Processing provider: one algorithm per job (algorithms.py)."""
from qgis.core import QgsProcessingProvider

from . import algorithms


class GeoreachProvider(QgsProcessingProvider):
    def id(self):
        return "georeach"

    def name(self):
        return "georeach"

    def longName(self):  # noqa: N802 (QGIS's name)
        try:
            from ._module import georeach
            return "georeach %s (WGS84 ellipsoid)" % georeach.version()
        except Exception:  # noqa: BLE001 (the library may be missing: say so in the algorithms)
            return "georeach"

    def loadAlgorithms(self):  # noqa: N802
        for cls in algorithms.ALGORITHMS:
            self.addAlgorithm(cls())

"""georeach's Processing algorithms.  Each one writes its input layers (any
CRS) in EPSG:4326 to a temporary file (sites and targets as a CSV of name,
lat, lon at full precision; polygons as GeoJSON), runs the georeach command
through the Python module, and hands the file the command wrote back to
Processing: a GeoPackage carries the command's QGIS styles (layer_styles),
a shapefile its .qml, so the layer opens styled.  Progress and cancel go
through QgsProcessingFeedback; the library's message becomes a
QgsProcessingException."""
import csv
import json
import os
import shutil
import tempfile

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeatureRequest,
                       QgsProcessing, QgsProcessingAlgorithm, QgsProcessingException,
                       QgsProcessingLayerPostProcessorInterface,
                       QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterPoint,
                       QgsProcessingParameterString, QgsProcessingParameterVectorDestination,
                       QgsProcessingUtils)

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
UNITS = ("Distances take units as on the command line: 885km, 550mi, 478nmi, "
         "885000m; a bare number is km.")


_POST_PROCESSORS = []


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Gives an output loaded without a style the one the command wrote
    beside it (NAME.qml; Processing does not read it when it loads a result),
    else the command's template .qml."""

    def __init__(self, qml):
        super().__init__()
        self.qml = qml

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS's name)
        renderer = layer.renderer() if hasattr(layer, "renderer") else None
        if renderer is not None and renderer.type() == "singleSymbol":
            _, ok = layer.loadDefaultStyle()
            if ok and layer.renderer().type() != "singleSymbol":
                layer.triggerRepaint()
                return
            msg, ok = layer.loadNamedStyle(self.qml)
            if not ok:
                feedback.reportError("style %s: %s" % (self.qml, msg))
            layer.triggerRepaint()


def _text(v):
    v = (v or "").strip()
    return v or None


class GeoreachAlgorithm(QgsProcessingAlgorithm):
    """What the algorithms share: inputs written for the command, the run,
    progress and errors, the output."""
    LAYER = "rings"              # the layer the command writes
    OUTPUT_TYPE = QgsProcessing.TypeVectorPolygon

    def createInstance(self):  # noqa: N802 (QGIS's names)
        return type(self)()

    def group(self):
        return ""

    def groupId(self):  # noqa: N802
        return ""

    def tr(self, s):
        return s

    def helpUrl(self):  # noqa: N802
        return "https://github.com/georeach/georeach/blob/main/docs/python.md"

    # ---- parameters
    def add_sites(self, name="SITES", point="POINT", label="Launch sites", optional=True):
        self.addParameter(QgsProcessingParameterFeatureSource(
            name, label, [QgsProcessing.TypeVectorPoint], optional=optional))
        self.addParameter(QgsProcessingParameterField(
            name + "_NAME", label + ": name field (default: a field called name, site, label or id)",
            parentLayerParameterName=name, optional=True))
        if point:
            self.addParameter(QgsProcessingParameterPoint(
                point, "or one point (any CRS)", optional=True))

    def add_reach(self, rings=False, band=True, min_range=True):
        self.addParameter(QgsProcessingParameterString(
            "MISSILE", "Missiles from the catalogue (comma separated: KN-23,Iskander-M)",
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            "RANGE", "or a range (885km)", optional=True))
        if rings:
            self.addParameter(QgsProcessingParameterString(
                "RINGS", "or concentric rings (300km,600km,885km)", optional=True))
        if min_range:
            self.addParameter(QgsProcessingParameterString(
                "MIN_RANGE", "Minimum range (an annulus)", optional=True))
        if band:
            self.addParameter(QgsProcessingParameterBoolean(
                "BAND", "Also the catalogue's low and high ranges", defaultValue=False))

    def add_tolerance(self):
        self.addParameter(QgsProcessingParameterString(
            "TOLERANCE", "Error budget (every edge within it of the true boundary)",
            defaultValue="10m"))

    def add_output(self, label):
        self.addParameter(QgsProcessingParameterVectorDestination(
            "OUTPUT", label, type=self.OUTPUT_TYPE))

    # ---- inputs for the command
    def reach_options(self, p, context):
        kw = {}
        for key, opt in (("MISSILE", "missile"), ("RANGE", "range"), ("RINGS", "rings"),
                         ("MIN_RANGE", "min_range"), ("TOLERANCE", "tolerance")):
            if key in p:
                v = _text(self.parameterAsString(p, key, context))
                if v:
                    kw[opt] = v
        if "BAND" in p and self.parameterAsBool(p, "BAND", context):
            kw["band"] = True
        return kw

    def points_csv(self, p, name, context, feedback, tmp):
        """The point layer parameter @name as a CSV in EPSG:4326 (None when not
        given): one row per point (each part of a multipoint)."""
        source = self.parameterAsSource(p, name, context)
        if source is None:
            return None
        field = _text(self.parameterAsString(p, name + "_NAME", context)) if name + "_NAME" in p else None
        if not field:
            names = {f.name().lower(): f.name() for f in source.fields()}
            field = next((names[n] for n in ("name", "site", "label", "id") if n in names), None)
        ct = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        path = os.path.join(tmp, name.lower() + ".csv")
        n = 0
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["name", "lat", "lon"] if field else ["lat", "lon"])
            for feat in source.getFeatures(QgsFeatureRequest()):
                if feedback.isCanceled():
                    raise QgsProcessingException("canceled")
                g = feat.geometry()
                if g.isNull() or g.isEmpty():
                    continue
                g.transform(ct)
                label = feat[field] if field else None
                for pt in g.vertices():
                    row = [repr(pt.y()), repr(pt.x())]
                    w.writerow(([("" if label is None else str(label))] + row) if field else row)
                    n += 1
        if n == 0:
            raise QgsProcessingException("%s: no points" % name)
        return path

    def point_text(self, p, name, context):
        if not p.get(name):
            return None
        pt = self.parameterAsPoint(p, name, context, WGS84)
        return "%r,%r" % (pt.y(), pt.x())

    def polygons_geojson(self, p, name, context, feedback, tmp):
        """The polygon layer parameter @name as GeoJSON in EPSG:4326."""
        source = self.parameterAsSource(p, name, context)
        if source is None:
            return None
        ct = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        feats = []
        for feat in source.getFeatures():
            if feedback.isCanceled():
                raise QgsProcessingException("canceled")
            g = feat.geometry()
            if g.isNull() or g.isEmpty():
                continue
            g.transform(ct)
            feats.append({"type": "Feature", "properties": {},
                          "geometry": json.loads(g.asJson(17))})
        if not feats:
            raise QgsProcessingException("%s: no polygons" % name)
        # named after the layer: the command records the file in a field
        # (from_area, within), and the layer's name says more than "AREA"
        base = "".join(c if c.isalnum() or c in "-_." else "_" for c in source.sourceName()) or name.lower()
        path = os.path.join(tmp, base + ".geojson")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": feats}, f)
        return path

    def sites(self, p, context, feedback, tmp, name="SITES", point="POINT"):
        csv_path = self.points_csv(p, name, context, feedback, tmp)
        pt = self.point_text(p, point, context) if point else None
        if csv_path and pt:
            raise QgsProcessingException("give a layer or a point, not both")
        if csv_path:
            return {"sites": csv_path}
        if pt:
            return {"site": pt}
        raise QgsProcessingException("give a layer of points or a point")

    # ---- the run
    def output_path(self, p, context):
        path = self.parameterAsOutputLayer(p, "OUTPUT", context)
        if not path or path.startswith("memory:") or not os.path.splitext(path)[1]:
            path = os.path.join(QgsProcessingUtils.tempFolder(), "%s.gpkg" % self.LAYER)
        return path.split("|")[0]

    def layer_name(self, kw):
        return self.LAYER

    def run_georeach(self, function, kw, p, context, feedback):
        try:
            from ._module import georeach
            georeach.version()  # loads the library
        except ImportError as e:
            raise QgsProcessingException(
                "georeach: the Python module or libgeoreach is missing (%s); install georeach "
                "(cmake --install) or set GEOREACH_LIBRARY" % e) from None
        path = self.output_path(p, context)

        def progress(fraction, message):
            feedback.setProgress(100.0 * fraction)
            return not feedback.isCanceled()
        try:
            r = getattr(georeach, function)(output=path, overwrite=True, progress=progress, **kw)
        except georeach.Interrupted:
            raise QgsProcessingException("georeach: canceled; nothing was written") from None
        except georeach.Error as e:
            raise QgsProcessingException("georeach: %s" % e.message) from None
        for note in r.notes:
            feedback.pushInfo(note)
        layer = self.layer_name(kw)
        out = path
        if path.lower().endswith(".gpkg"):
            out = "%s|layername=%s" % (path, layer)
        self.load_styled(context, path, out, layer, georeach)
        return {"OUTPUT": out}

    def load_styled(self, context, path, out, layer, georeach):
        """Load the layer (not the GeoPackage's first layer) when the run
        ends, and give it the command's style when its format carries none
        (GeoJSON, FlatGeobuf, ...: a GeoPackage has layer_styles, a shapefile
        its .qml, which QGIS reads itself)."""
        keys = context.layersToLoadOnCompletion()
        key = next((k for k in keys if k.split("|")[0] == path), None)
        if key is None:
            return
        details = keys.pop(key)
        qml = os.path.join(georeach.data_dir(), "styles", layer + ".qml")
        if os.path.exists(qml):
            post = StylePostProcessor(qml)
            _POST_PROCESSORS.append(post)  # Processing holds no reference of its own
            details.setPostProcessor(post)
        keys[out] = details
        context.setLayersToLoadOnCompletion(keys)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        tmp = tempfile.mkdtemp(prefix="georeach-qgis-")
        try:
            function, kw = self.command(parameters, context, feedback, tmp)
            return self.run_georeach(function, kw, parameters, context, feedback)
        finally:
            shutil.rmtree(tmp, True)


class RangeRings(GeoreachAlgorithm):
    LAYER = "rings"

    def name(self):
        return "rings"

    def displayName(self):  # noqa: N802
        return "Range rings"

    def shortHelpString(self):  # noqa: N802
        return ("The reach ring of every site: all points whose shortest geodesic distance "
                "on the WGS84 ellipsoid from the site is at most the range (and at least the "
                "minimum range), one feature per site and ring, with the fields site, missile, "
                "band, min_km, range_km, az_from, az_to, tol_m, err_m (the error achieved), "
                "area_km2 (geodesic).  Rings are cut at the antimeridian, closed round the "
                "poles and may be larger than a hemisphere.  Ranges from the missile catalogue "
                "(georeach missiles) or given.  " + UNITS + "  As 'georeach rings'.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_sites()
        self.add_reach(rings=True)
        self.addParameter(QgsProcessingParameterString(
            "AZIMUTH", "Sector: initial azimuths FROM:TO (300:60 wraps through north)",
            optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            "MODEL", "Model", options=["circle (geodesic)", "ballistic (turning Earth)"],
            defaultValue=0))
        self.add_tolerance()
        self.add_output("Range rings")

    def command(self, p, context, feedback, tmp):
        kw = self.sites(p, context, feedback, tmp)
        kw.update(self.reach_options(p, context))
        az = _text(self.parameterAsString(p, "AZIMUTH", context))
        if az:
            kw["azimuth"] = az
        if self.parameterAsEnum(p, "MODEL", context) == 1:
            kw["model"] = "ballistic"
        return "rings", kw


class Coverage(GeoreachAlgorithm):
    LAYER = "coverage"

    def name(self):
        return "coverage"

    def displayName(self):  # noqa: N802
        return "Coverage (union or overlap count)"

    def shortHelpString(self):  # noqa: N802
        return ("Union: the rings of all sites dissolved into one feature per missile and ring "
                "(fields sites, area_km2).  Overlap count: one feature per number of sites "
                "reaching a place (fields count, at_least), or with a minimum count one feature, "
                "the part reached by at least that many sites.  " + UNITS +
                "  As 'georeach rings --union' / '--count'.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_sites(point=None, optional=False)
        self.add_reach()
        self.addParameter(QgsProcessingParameterEnum(
            "MODE", "Coverage", options=["union", "overlap count"], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "MIN_COUNT", "Overlap count: only the part reached by at least this many sites (0: every band)",
            type=QgsProcessingParameterNumber.Integer, minValue=0, defaultValue=0))
        self.add_tolerance()
        self.add_output("Coverage")

    def layer_name(self, kw):
        return "overlap" if kw.get("count") else "coverage"

    def command(self, p, context, feedback, tmp):
        kw = self.sites(p, context, feedback, tmp, point=None)
        kw.update(self.reach_options(p, context))
        if self.parameterAsEnum(p, "MODE", context) == 1:
            kw["count"] = True
            k = self.parameterAsInt(p, "MIN_COUNT", context)
            if k > 0:
                kw["min_count"] = k
        else:
            kw["union"] = True
        return "rings", kw


class ReachFromArea(GeoreachAlgorithm):
    LAYER = "coverage"

    def name(self):
        return "fromarea"

    def displayName(self):  # noqa: N802
        return "Reach from area"

    def shortHelpString(self):  # noqa: N802
        return ("Reach from anywhere inside a territory (road-mobile launchers): the territory "
                "and every point within the range of it, to the same error budget as rings.  "
                "The territory is a polygon layer (any CRS) or bundled countries by ISO code or "
                "name (KP, \"North Korea\", several with commas).  " + UNITS +
                "  As 'georeach rings --from-area'.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            "AREA", "Territory (polygons)", [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterString(
            "COUNTRIES", "or bundled countries (KP, BY, \"North Korea\")", optional=True))
        self.add_reach()
        self.add_tolerance()
        self.add_output("Reach from area")

    def command(self, p, context, feedback, tmp):
        area = self.polygons_geojson(p, "AREA", context, feedback, tmp)
        countries = _text(self.parameterAsString(p, "COUNTRIES", context))
        if bool(area) == bool(countries):
            raise QgsProcessingException("give a polygon layer or countries (one of them)")
        kw = {"from_area": area or countries}
        kw.update(self.reach_options(p, context))
        return "rings", kw


class WhatIsInRange(GeoreachAlgorithm):
    LAYER = "query"
    OUTPUT_TYPE = QgsProcessing.TypeVectorPoint

    def name(self):
        return "query"

    def displayName(self):  # noqa: N802
        return "What is in range"

    def shortHelpString(self):  # noqa: N802
        return ("One row per site x missile x target (a point at the target) with the shortest "
                "geodesic distance dist_km, the azimuths az_deg and baz_deg, range_km, min_km, "
                "margin_km (range - distance; negative: how far the launcher must move toward "
                "the target), in_range, and with the ballistic model tof_s, the flight time.  " +
                UNITS + "  As 'georeach query'.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_sites(point=None, optional=False)
        self.add_sites("TARGETS", point=None, label="Targets", optional=False)
        self.add_reach(band=True)
        self.addParameter(QgsProcessingParameterBoolean("IN_RANGE", "Only rows in range",
                                                        defaultValue=False))
        self.addParameter(QgsProcessingParameterBoolean(
            "NEAREST", "One row per target: the nearest site that reaches it", defaultValue=False))
        self.addParameter(QgsProcessingParameterEnum(
            "MODEL", "Model", options=["circle (geodesic)", "ballistic (turning Earth, flight time)"],
            defaultValue=0))
        self.add_output("In range")

    def command(self, p, context, feedback, tmp):
        kw = self.sites(p, context, feedback, tmp, point=None)
        kw["targets"] = self.points_csv(p, "TARGETS", context, feedback, tmp)
        kw.update(self.reach_options(p, context))
        kw["in_range"] = self.parameterAsBool(p, "IN_RANGE", context)
        kw["nearest"] = self.parameterAsBool(p, "NEAREST", context)
        if self.parameterAsEnum(p, "MODEL", context) == 1:
            kw["model"] = "ballistic"
        return "query", kw


class LaunchBasket(GeoreachAlgorithm):
    LAYER = "basket"

    def name(self):
        return "basket"

    def displayName(self):  # noqa: N802
        return "Launch basket"

    def shortHelpString(self):  # noqa: N802
        return ("Where a launcher must stand to reach every target (or at least one), "
                "optionally clipped to a territory (a polygon layer or bundled countries).  One "
                "feature per missile (and band): targets, missile, range_km, mode, within, "
                "err_m, area_km2.  " + UNITS + "  As 'georeach basket'.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_sites("TARGETS", point="TARGET", label="Targets")
        self.add_reach()
        self.addParameter(QgsProcessingParameterBoolean(
            "ANY", "From where at least one target is in range (default: all)", defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "WITHIN", "Within a territory (polygons)", [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            "WITHIN_COUNTRIES", "or within bundled countries (RU,BY)", optional=True))
        self.add_tolerance()
        self.add_output("Launch basket")

    def command(self, p, context, feedback, tmp):
        t = self.sites(p, context, feedback, tmp, name="TARGETS", point="TARGET")
        kw = {"targets": t["sites"]} if "sites" in t else {"target": t["site"]}
        kw.update(self.reach_options(p, context))
        kw["any"] = self.parameterAsBool(p, "ANY", context)
        within = self.polygons_geojson(p, "WITHIN", context, feedback, tmp)
        countries = _text(self.parameterAsString(p, "WITHIN_COUNTRIES", context))
        if within and countries:
            raise QgsProcessingException("give a territory layer or countries, not both")
        if within or countries:
            kw["within"] = within or countries
        return "basket", kw


class WarningTime(GeoreachAlgorithm):
    LAYER = "rings"

    def name(self):
        return "warningtime"

    def displayName(self):  # noqa: N802
        return "Warning time (isochrones)"

    def shortHelpString(self):  # noqa: N802
        return ("The ballistic model's isochrones: one ring per flight time, the points the "
                "missile reaches within that time of burnout (field tof_s), traced to the "
                "tolerance (err_m: distance to the true isochrone).  With union: the earliest "
                "arrival from any site.  Free flight in vacuum from an instant burnout: boost, "
                "drag and terminal manoeuvres are left out, so times err short.  As 'georeach "
                "rings --model ballistic --minutes'.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_sites()
        self.add_reach(band=False, min_range=False)
        self.addParameter(QgsProcessingParameterString(
            "MINUTES", "Flight times, minutes (1,2,5)", defaultValue="1,2,5"))
        self.addParameter(QgsProcessingParameterEnum(
            "TRAJECTORY", "Trajectory", options=["min-energy", "depressed"], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean(
            "UNION", "Earliest arrival from any site (union)", defaultValue=False))
        self.add_tolerance()
        self.add_output("Warning time")

    def layer_name(self, kw):
        return "coverage" if kw.get("union") else "rings"

    def command(self, p, context, feedback, tmp):
        kw = self.sites(p, context, feedback, tmp)
        kw.update(self.reach_options(p, context))
        kw["model"] = "ballistic"
        kw["minutes"] = _text(self.parameterAsString(p, "MINUTES", context))
        if self.parameterAsEnum(p, "TRAJECTORY", context) == 1:
            kw["trajectory"] = "depressed"
        kw["union"] = self.parameterAsBool(p, "UNION", context)
        return "rings", kw


ALGORITHMS = [RangeRings, Coverage, ReachFromArea, WhatIsInRange, LaunchBasket, WarningTime]

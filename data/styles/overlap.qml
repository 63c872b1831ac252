<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- georeach: the QGIS style of the "overlap" layer (how many sites reach
     each place): categorized on "count"; each count found gets the next
     palette colour unless it has a category here.
     Written by georeach with GeoPackage (layer_styles) and shapefile (.qml)
     output, and the source of the KML colours; see rings.qml for how the
     categories of a categorized style are used.  Edit freely. -->
<!-- Fills only: the edges of these polygons include the cuts at +/-180 and
     the pole lines, which are not boundaries.  The boundary is drawn by the
     layer overlap_outline (styles/overlap_outline.qml), which georeach writes
     beside this one; outline_color here still gives KML its line colour. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="1">
  <renderer-v2 type="categorizedSymbol" attr="count" symbollevels="0" enableorderby="0" forceraster="0">
    <categories>
      <category value="" label="other counts" symbol="0" render="true"/>
    </categories>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="color" v="74,85,104,40"/>
          <prop k="style" v="solid"/>
          <prop k="outline_color" v="74,85,104,255"/>
          <prop k="outline_style" v="no"/>
          <prop k="outline_width" v="0.4"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="joinstyle" v="round"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="trim(coalesce(&quot;missile&quot;, '') || ' ' || format_number(&quot;range_km&quot;, 0) || ' km') || ': ' || CASE WHEN &quot;at_least&quot; = 1 THEN '&gt;= ' ELSE '' END || &quot;count&quot; || ' of ' || &quot;sites&quot; || ' sites'" isExpression="1" fontFamily="Sans Serif" fontSize="8.5" fontSizeUnit="Point" fontWeight="63" namedStyle="Bold" textColor="40,40,40,255" textOpacity="1" multilineHeight="1" capitalization="0" allowHtml="0" blendMode="0" previewBkgrdColor="255,255,255,255">
        <text-buffer bufferDraw="1" bufferSize="0.9" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85" bufferNoFill="1" bufferJoinStyle="128" bufferBlendMode="0"/>
        <background shapeDraw="0"/>
        <shadow shadowDraw="0"/>
      </text-style>
      <text-format wrapChar="" multilineAlign="3" formatNumbers="0" decimals="3" plussign="0" addDirectionSymbol="0"/>
      <placement placement="7" placementFlags="9" polygonPlacementFlags="2" dist="0" distUnits="MM" repeatDistance="0" repeatDistanceUnits="MM" maxCurvedCharAngleIn="25" maxCurvedCharAngleOut="-25" priority="5" overrunDistance="0" overrunDistanceUnit="MM" centroidWhole="0" centroidInside="0" fitInPolygonOnly="0" offsetType="0" quadOffset="4" xOffset="0" yOffset="0" offsetUnits="MM" rotationAngle="0" preserveRotation="1" lineAnchorPercent="0.5" lineAnchorType="0" lineAnchorClipping="0" layerType="PolygonGeometry"/>
      <rendering drawLabels="1" obstacle="1" obstacleFactor="1" obstacleType="1" displayAll="0" upsidedownLabels="0" labelPerPart="0" mergeLines="0" minFeatureSize="0" limitNumLabels="0" maxNumLabels="2000" scaleVisibility="0" scaleMin="0" scaleMax="0" fontLimitPixelSize="0" fontMinPixelSize="0" fontMaxPixelSize="10000" zIndex="0" unplacedVisibility="0"/>
    </settings>
  </labeling>
  <blendMode>0</blendMode>
  <featureBlendMode>0</featureBlendMode>
  <layerGeometryType>2</layerGeometryType>
</qgis>

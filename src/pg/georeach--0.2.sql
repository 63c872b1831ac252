-- georeach 0.2: geodesic missile reach on the WGS84 ellipsoid (docs/SQL.md).
-- The SQL wrappers are SQL-standard bodies (RETURN / BEGIN ATOMIC): parsed
-- here, with PostGIS's functions bound by OID, so they work whatever the
-- caller's search_path (postgres_fdw's remote sessions run with
-- search_path = pg_catalog) and are inlined into the calling query.
\echo Use "CREATE EXTENSION georeach" to load this file. \quit

-- ---- C entry points (georeach_pg.c): sites and regions as (E)WKB --------
-- (PostGIS's figure for its costly functions): a ring takes a
-- millisecond or more, which makes the planner choose parallel plans.

CREATE FUNCTION georeach__ring(site bytea, range_m float8, min_range_m float8,
    az_from_deg float8, az_to_deg float8, tolerance_m float8,
    OUT wkb bytea, OUT err_m float8, OUT area_m2 float8, OUT whole_globe boolean)
  RETURNS record AS 'MODULE_PATHNAME', 'georeach__ring'
  LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION georeach__ring_wkb(site bytea, range_m float8, min_range_m float8,
    az_from_deg float8, az_to_deg float8, tolerance_m float8) RETURNS bytea
  AS 'MODULE_PATHNAME', 'georeach__ring_wkb' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION georeach__missile_range(missile text, band text,
    OUT range_m float8, OUT min_range_m float8)
  RETURNS record AS 'MODULE_PATHNAME', 'georeach__missile_range'
  LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- the site unchanged, or 22023 unless it is a point with SRID 4326 (or 0)
CREATE FUNCTION georeach__site_check(site bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'georeach__site_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION georeach__area(region bytea) RETURNS float8
  AS 'MODULE_PATHNAME', 'georeach__area' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION georeach__basket(targets bytea[], range_m float8, min_range_m float8,
    tolerance_m float8, clip bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'georeach__basket' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ---- rings --------------------------------------------------------------

CREATE FUNCTION georeach_ring_ex(site geography, range_m float8,
    min_range_m float8 DEFAULT 0, az_from_deg float8 DEFAULT NULL,
    az_to_deg float8 DEFAULT NULL, tolerance_m float8 DEFAULT 10,
    OUT geom geometry, OUT err_m float8, OUT area_m2 float8, OUT whole_globe boolean)
  RETURNS record LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT ST_GeomFromWKB(r.wkb, 4326), r.err_m, r.area_m2, r.whole_globe
    FROM georeach__ring(ST_AsEWKB(site::geometry), range_m, min_range_m, az_from_deg,
                        az_to_deg, tolerance_m) r;
END;

CREATE FUNCTION georeach_ring_ex(site geometry, range_m float8,
    min_range_m float8 DEFAULT 0, az_from_deg float8 DEFAULT NULL,
    az_to_deg float8 DEFAULT NULL, tolerance_m float8 DEFAULT 10,
    OUT geom geometry, OUT err_m float8, OUT area_m2 float8, OUT whole_globe boolean)
  RETURNS record LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT ST_GeomFromWKB(r.wkb, 4326), r.err_m, r.area_m2, r.whole_globe
    FROM georeach__ring(ST_AsEWKB(site), range_m, min_range_m, az_from_deg,
                        az_to_deg, tolerance_m) r;
END;

CREATE FUNCTION georeach_ring(site geography, range_m float8,
    min_range_m float8 DEFAULT 0, az_from_deg float8 DEFAULT NULL,
    az_to_deg float8 DEFAULT NULL, tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ST_GeomFromWKB(georeach__ring_wkb(ST_AsEWKB(site::geometry), range_m, min_range_m,
                                           az_from_deg, az_to_deg, tolerance_m), 4326);

CREATE FUNCTION georeach_ring(site geometry, range_m float8,
    min_range_m float8 DEFAULT 0, az_from_deg float8 DEFAULT NULL,
    az_to_deg float8 DEFAULT NULL, tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ST_GeomFromWKB(georeach__ring_wkb(ST_AsEWKB(site), range_m, min_range_m,
                                           az_from_deg, az_to_deg, tolerance_m), 4326);

CREATE FUNCTION georeach_annulus(site geography, min_range_m float8, range_m float8,
    tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN georeach_ring(site, range_m, min_range_m, NULL, NULL, tolerance_m);

CREATE FUNCTION georeach_annulus(site geometry, min_range_m float8, range_m float8,
    tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN georeach_ring(site, range_m, min_range_m, NULL, NULL, tolerance_m);

CREATE FUNCTION georeach_sector(site geography, range_m float8, az_from_deg float8,
    az_to_deg float8, min_range_m float8 DEFAULT 0, tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN georeach_ring(site, range_m, min_range_m, az_from_deg, az_to_deg, tolerance_m);

CREATE FUNCTION georeach_sector(site geometry, range_m float8, az_from_deg float8,
    az_to_deg float8, min_range_m float8 DEFAULT 0, tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN georeach_ring(site, range_m, min_range_m, az_from_deg, az_to_deg, tolerance_m);

-- Bands between consecutive ranges (the first a disc), smallest first.
CREATE FUNCTION georeach_concentric(site geography, ranges_m float8[],
    tolerance_m float8 DEFAULT 10,
    OUT min_range_m float8, OUT range_m float8, OUT geom geometry, OUT err_m float8)
  RETURNS SETOF record LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT b.lo, b.hi, r.geom, r.err_m
    FROM (SELECT coalesce(lag(x) OVER (ORDER BY x), 0) AS lo, x AS hi
            FROM (SELECT DISTINCT x FROM unnest(ranges_m) AS u(x)) d) b,
         LATERAL georeach_ring_ex(site, b.hi, b.lo, NULL, NULL, tolerance_m) r
   ORDER BY b.hi;
END;

-- ---- the catalogue --------------------------------------------------------

CREATE FUNCTION georeach_catalogue(OUT missile text, OUT aliases text, OUT origin text,
    OUT class text, OUT min_range_m float8, OUT range_m float8, OUT range_kind text,
    OUT source text, OUT range_low_m float8, OUT low_source text,
    OUT range_high_m float8, OUT high_source text)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'georeach_catalogue'
  LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION georeach_missile_ring(site geography, missile text,
    band text DEFAULT 'nominal', tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT georeach_ring(site, m.range_m, m.min_range_m, NULL, NULL, tolerance_m)
    FROM georeach__missile_range(missile, band) m;
END;

-- ---- areas ----------------------------------------------------------------

CREATE FUNCTION georeach_area(geom geometry) RETURNS float8
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN georeach__area(ST_AsEWKB(geom));

-- The same region as a geography: edges cut to at most max_edge_deg of
-- longitude/latitude (0.25 degrees: a geodesic and a straight lon/lat edge
-- of that span part by under 8 m at any latitude), refused with SQLSTATE
-- 22023 when a polygon covers more than half the Earth (no geography
-- polygon can hold it: ST_Area(geom::geography) of the 13,000 km ring from
-- Pyongyang gives 139,571,847 km2 for 370,493,439 km2).
CREATE FUNCTION georeach__geography_check(region bytea) RETURNS bytea
  AS 'MODULE_PATHNAME', 'georeach__geography_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION georeach_geography(geom geometry, max_edge_deg float8 DEFAULT 0.25)
  RETURNS geography LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN ST_Segmentize(ST_GeomFromEWKB(georeach__geography_check(ST_AsEWKB(geom))),
                       max_edge_deg)::geography;

-- ---- baskets --------------------------------------------------------------

CREATE FUNCTION georeach_basket(targets geography[], range_m float8,
    min_range_m float8 DEFAULT 0, tolerance_m float8 DEFAULT 10, clip geometry DEFAULT NULL)
  RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ST_GeomFromWKB(georeach__basket(
           ARRAY(SELECT ST_AsEWKB(t::geometry) FROM unnest(targets) AS u(t)),
           range_m, min_range_m, tolerance_m, ST_AsEWKB(clip)), 4326);

-- ---- coverage: an aggregate -------------------------------------------------

CREATE FUNCTION georeach__cov_sfunc(internal, geography, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'georeach__cov_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION georeach__cov_sfunc(internal, geography, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'georeach__cov_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION georeach__cov_sfunc(internal, geometry, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'georeach__cov_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION georeach__cov_sfunc(internal, geometry, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'georeach__cov_sfunc' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION georeach__cov_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'georeach__cov_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION georeach__cov_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'georeach__cov_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION georeach__cov_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'georeach__cov_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION georeach__cov_final(internal) RETURNS geometry
  AS 'MODULE_PATHNAME', 'georeach__cov_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE georeach_coverage(site geography, range_m float8) (
  SFUNC = georeach__cov_sfunc, STYPE = internal, FINALFUNC = georeach__cov_final,
  COMBINEFUNC = georeach__cov_combine, SERIALFUNC = georeach__cov_serial,
  DESERIALFUNC = georeach__cov_deserial, PARALLEL = SAFE);
CREATE AGGREGATE georeach_coverage(site geography, range_m float8, tolerance_m float8) (
  SFUNC = georeach__cov_sfunc, STYPE = internal, FINALFUNC = georeach__cov_final,
  COMBINEFUNC = georeach__cov_combine, SERIALFUNC = georeach__cov_serial,
  DESERIALFUNC = georeach__cov_deserial, PARALLEL = SAFE);
CREATE AGGREGATE georeach_coverage(site geometry, range_m float8) (
  SFUNC = georeach__cov_sfunc, STYPE = internal, FINALFUNC = georeach__cov_final,
  COMBINEFUNC = georeach__cov_combine, SERIALFUNC = georeach__cov_serial,
  DESERIALFUNC = georeach__cov_deserial, PARALLEL = SAFE);
CREATE AGGREGATE georeach_coverage(site geometry, range_m float8, tolerance_m float8) (
  SFUNC = georeach__cov_sfunc, STYPE = internal, FINALFUNC = georeach__cov_final,
  COMBINEFUNC = georeach__cov_combine, SERIALFUNC = georeach__cov_serial,
  DESERIALFUNC = georeach__cov_deserial, PARALLEL = SAFE);

-- ---- overlap counts ---------------------------------------------------------

CREATE FUNCTION georeach__overlap(sites bytea[], range_m float8, tolerance_m float8,
    min_count int, OUT count bigint, OUT at_least boolean, OUT wkb bytea)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'georeach__overlap'
  LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- One row per number of sites reaching a place (1, 2, 3, ...), or with
-- min_count > 0 one row: the part reached by at least min_count sites.
CREATE FUNCTION georeach_overlap(sites geography[], range_m float8,
    tolerance_m float8 DEFAULT 10, min_count int DEFAULT 0,
    OUT count bigint, OUT at_least boolean, OUT geom geometry)
  RETURNS SETOF record LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT o.count, o.at_least, ST_GeomFromWKB(o.wkb, 4326)
    FROM georeach__overlap(ARRAY(SELECT ST_AsEWKB(t::geometry) FROM unnest(sites) AS u(t)),
                           range_m, tolerance_m, min_count) o;
END;

-- ---- geometry(Point, 4326) sites for the functions above that take
-- geography: the same, through the geography wrappers ---------------------

CREATE FUNCTION georeach_concentric(site geometry, ranges_m float8[],
    tolerance_m float8 DEFAULT 10,
    OUT min_range_m float8, OUT range_m float8, OUT geom geometry, OUT err_m float8)
  RETURNS SETOF record LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT c.min_range_m, c.range_m, c.geom, c.err_m
    FROM georeach_concentric(ST_GeomFromEWKB(georeach__site_check(ST_AsEWKB(site)))::geography,
                             ranges_m, tolerance_m) c;
END;

CREATE FUNCTION georeach_missile_ring(site geometry, missile text,
    band text DEFAULT 'nominal', tolerance_m float8 DEFAULT 10)
  RETURNS geometry LANGUAGE sql STABLE STRICT PARALLEL SAFE
  RETURN georeach_missile_ring(ST_GeomFromEWKB(georeach__site_check(ST_AsEWKB(site)))::geography,
                               missile, band, tolerance_m);

CREATE FUNCTION georeach_basket(targets geometry[], range_m float8,
    min_range_m float8 DEFAULT 0, tolerance_m float8 DEFAULT 10, clip geometry DEFAULT NULL)
  RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ST_GeomFromWKB(georeach__basket(
           ARRAY(SELECT ST_AsEWKB(t) FROM unnest(targets) AS u(t)),
           range_m, min_range_m, tolerance_m, ST_AsEWKB(clip)), 4326);

CREATE FUNCTION georeach_overlap(sites geometry[], range_m float8,
    tolerance_m float8 DEFAULT 10, min_count int DEFAULT 0,
    OUT count bigint, OUT at_least boolean, OUT geom geometry)
  RETURNS SETOF record LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT o.count, o.at_least, ST_GeomFromWKB(o.wkb, 4326)
    FROM georeach__overlap(ARRAY(SELECT ST_AsEWKB(t) FROM unnest(sites) AS u(t)),
                           range_m, tolerance_m, min_count) o;
END;

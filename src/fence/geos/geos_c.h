/* Fence: this layer may not use GEOS (README, Layout). */
#error "GEOS is used only in src/geom/: call its reach_geom API instead"

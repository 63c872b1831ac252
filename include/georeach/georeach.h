/**
 * @file georeach.h
 * @brief libgeoreach: geodesic missile reach on the WGS84 ellipsoid.
 *
 * Umbrella header: include this one.  All names start with reach_ / REACH_;
 * lengths are metres, angles degrees.
 */
#ifndef GEOREACH_H
#define GEOREACH_H

#include "context.h"
#include "apps.h"
#include "basket.h"
#include "ballistic.h"
#include "catalogue.h"
#include "gazetteer.h"
#include "geom.h"
#include "io.h"
#include "line.h"
#include "map.h"
#include "overlay.h"
#include "parse.h"
#include "query.h"
#include "ring.h"
#include "rings.h"
#include "text.h"

#endif

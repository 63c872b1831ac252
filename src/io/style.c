/* Layer styles: the QGIS style files of data/styles, turned into the style
 * QGIS reads with a layer (a GeoPackage's layer_styles row, a shapefile's
 * .qml sidecar) and into OGR feature style strings (KML colours).
 *
 * A style file is an ordinary QGIS .qml.  When its renderer is categorized
 * (on "missile" for rings, say), the categories written are those of the
 * values the layer holds, in the order they first appear: a value with a
 * category of its own in the file keeps it (so a user can pin a colour),
 * any other value gets a copy of the file's fallback category (value "",
 * QGIS's "all other values") recoloured from a fixed palette, and
 * categories no feature uses are left out of the legend.  Any other
 * renderer is written as it is.  The XML is handled with GDAL's minixml. */
#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "io/style.h"
#include "georeach/catalogue.h"

/* Qualitative colours (Tableau 10): distinct, and readable on a basemap. */
static const unsigned char palette[][3] = {
    {78, 121, 167}, {225, 87, 89},  {242, 142, 43}, {89, 161, 79},
    {176, 122, 161}, {118, 183, 178}, {237, 201, 72}, {255, 157, 167},
    {156, 117, 95}, {186, 176, 172}};
enum { NPALETTE = sizeof palette / sizeof palette[0] };
/* More distinct values than this share the fallback symbol. */
enum { MAX_CATEGORIES = 256 };
static const struct reach_style_colours grey = {{128, 128, 128, 64}, {90, 90, 90, 255}, 2, 8};

struct seen {
  char *value;
  const CPLXMLNode *category; /* the file's category for it, or NULL */
  int colour;                 /* palette index when category is NULL */
  struct reach_style_colours c;
};

struct reach_style {
  char *path;            /* the style file, for messages */
  CPLXMLNode *root;      /* the parsed file */
  CPLXMLNode *renderer;  /* <renderer-v2>, inside root */
  char *attr;            /* categorized on this field; NULL: other renderer */
  const CPLXMLNode *fallback; /* category with value "", or NULL */
  struct reach_style_colours other; /* the fallback's colours */
  struct seen *seen;
  size_t nseen;
  int ncolours;          /* palette colours handed out */
  int overflow;          /* some values went to the fallback symbol */
};

/* A child element of @p parent named @p name whose attribute @p key is
 * @p value (key NULL: the first child of that name). */
static CPLXMLNode *child(const CPLXMLNode *parent, const char *name,
                         const char *key, const char *value) {
  for (CPLXMLNode *c = parent ? parent->psChild : NULL; c; c = c->psNext)
    if (c->eType == CXT_Element && strcmp(c->pszValue, name) == 0 &&
        (!key || strcmp(CPLGetXMLValue(c, key, "\x01"), value) == 0))
      return c;
  return NULL;
}

/* CPLCloneXMLTree copies a node with its following siblings; one node. */
static CPLXMLNode *clone_one(CPLXMLNode *n) {
  CPLXMLNode *next = n->psNext;
  n->psNext = NULL;
  CPLXMLNode *c = CPLCloneXMLTree(n);
  n->psNext = next;
  return c;
}

/* The symbol a category points at (symbols/symbol[@name=category/@symbol]). */
static CPLXMLNode *symbol_of(const struct reach_style *s, const CPLXMLNode *cat) {
  return child(child(s->renderer, "symbols", NULL, NULL), "symbol", "name",
               CPLGetXMLValue(cat, "symbol", ""));
}

/* A symbol layer property, in either of the forms QGIS writes:
 * <prop k="color" v="..."/> (up to 3.26) or <Option name="color" value="..."/>
 * inside <Option type="Map"> (3.x), or NULL. */
static const char *layer_prop(const CPLXMLNode *layer, const char *key) {
  const CPLXMLNode *p = child(layer, "prop", "k", key);
  if (p) return CPLGetXMLValue(p, "v", NULL);
  p = child(child(layer, "Option", NULL, NULL), "Option", "name", key);
  return p ? CPLGetXMLValue(p, "value", NULL) : NULL;
}

static void set_layer_prop(CPLXMLNode *layer, const char *key, const char *v) {
  CPLXMLNode *p = child(layer, "prop", "k", key);
  if (p) CPLSetXMLValue(p, "#v", v);
  p = child(child(layer, "Option", NULL, NULL), "Option", "name", key);
  if (p) CPLSetXMLValue(p, "#value", v);
}

static int parse_rgba(const char *text, unsigned char rgba[4]) {
  int v[4] = {0, 0, 0, 255};
  /* "r,g,b,a"; newer QGIS may append ",rgb:..." which is ignored */
  if (!text || sscanf(text, "%d,%d,%d,%d", &v[0], &v[1], &v[2], &v[3]) < 3) return 0;
  for (int i = 0; i < 4; i++) rgba[i] = (unsigned char)(v[i] < 0 ? 0 : v[i] > 255 ? 255 : v[i]);
  return 1;
}

/* The colours of a symbol: its first layer's fill (color) and outline
 * (outline_color, or line_color for lines); 0 if it has none we read. */
static int symbol_colours(const CPLXMLNode *symbol, struct reach_style_colours *c) {
  const CPLXMLNode *layer = child(symbol, "layer", NULL, NULL);
  if (!layer) return 0;
  int has_fill = parse_rgba(layer_prop(layer, "color"), c->fill);
  const char *oc = layer_prop(layer, "outline_color");
  int has_line = parse_rgba(oc ? oc : layer_prop(layer, "line_color"), c->line);
  if (!has_fill && !has_line) return 0;
  if (!has_fill) memcpy(c->fill, c->line, 4), c->fill[3] = 0;
  if (!has_line) memcpy(c->line, c->fill, 3), c->line[3] = 255;
  const char *style = layer_prop(layer, "style");
  if (style && strcmp(style, "no") == 0) c->fill[3] = 0; /* "no brush" */
  const char *w = layer_prop(layer, "outline_width");
  if (!w) w = layer_prop(layer, "line_width");
  double mm = w ? CPLAtof(w) : 0.26;
  c->width_px = mm > 0 ? mm * 96 / 25.4 : 1; /* QGIS's millimetres at 96 dpi */
  const char *size = layer_prop(layer, "size");
  c->size_px = (size ? CPLAtof(size) : 2) * 96 / 25.4;
  return 1;
}

/* Give a copy of a symbol the palette colour @p k, keeping its alphas. */
static void recolour(CPLXMLNode *symbol, int k) {
  const unsigned char *rgb = palette[k % NPALETTE];
  static const char *const keys[] = {"color", "outline_color", "line_color"};
  for (CPLXMLNode *layer = symbol->psChild; layer; layer = layer->psNext) {
    if (layer->eType != CXT_Element || strcmp(layer->pszValue, "layer") != 0) continue;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
      unsigned char old[4];
      if (!parse_rgba(layer_prop(layer, keys[i]), old)) continue;
      char v[32];
      snprintf(v, sizeof v, "%d,%d,%d,%d", rgb[0], rgb[1], rgb[2], old[3]);
      set_layer_prop(layer, keys[i], v);
    }
  }
}

void reach_style_free(struct reach_style *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nseen; i++) free(s->seen[i].value);
  free(s->seen);
  if (s->root) CPLDestroyXMLNode(s->root);
  free(s->attr);
  free(s->path);
  free(s);
}

enum reach_status reach_style_load(struct reach_ctx *ctx, const char *layer,
                                   struct reach_style **out) {
  *out = NULL;
  char path[4096];
  snprintf(path, sizeof path, "%s/styles/%s.qml", reach_ctx_data_dir(ctx), layer);
  struct stat sb;
  if (stat(path, &sb) != 0) return REACH_OK; /* no style for this layer */
  CPLErrorReset();
  CPLXMLNode *root = CPLParseXMLFile(path);
  CPLXMLNode *qgis = NULL;
  for (CPLXMLNode *n = root; n; n = n->psNext)
    if (n->eType == CXT_Element && strcmp(n->pszValue, "qgis") == 0) qgis = n;
  if (!qgis) {
    char why[512];
    snprintf(why, sizeof why, "%s", *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg()
                                                          : "no <qgis> element");
    if (root) CPLDestroyXMLNode(root);
    return reach_fail(ctx, REACH_ERR_DATA, "%s is not a QGIS style file (%s)", path, why);
  }
  struct reach_style *s = calloc(1, sizeof *s);
  if (!s || !(s->path = strdup(path))) {
    free(s);
    CPLDestroyXMLNode(root);
    return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
  }
  s->root = root;
  s->renderer = child(qgis, "renderer-v2", NULL, NULL);
  if (s->renderer && strcmp(CPLGetXMLValue(s->renderer, "type", ""), "categorizedSymbol") == 0 &&
      *CPLGetXMLValue(s->renderer, "attr", "")) {
    if (!(s->attr = strdup(CPLGetXMLValue(s->renderer, "attr", "")))) {
      reach_style_free(s);
      return reach_fail(ctx, REACH_ERR_NOMEM, "out of memory");
    }
    s->fallback = child(child(s->renderer, "categories", NULL, NULL), "category", "value", "");
    if (s->fallback && !symbol_of(s, s->fallback)) s->fallback = NULL;
    if (!s->fallback || !symbol_colours(symbol_of(s, s->fallback), &s->other))
      s->other = grey;
  }
  *out = s;
  return REACH_OK;
}

const char *reach_style_attr(const struct reach_style *s) { return s ? s->attr : NULL; }

const struct reach_style_colours *reach_style_value(struct reach_style *s,
                                                    const char *value) {
  if (!s || !s->attr) return NULL;
  if (!value) value = "";
  for (size_t i = 0; i < s->nseen; i++)
    if (strcmp(s->seen[i].value, value) == 0) return &s->seen[i].c;
  struct seen *l = s->nseen < MAX_CATEGORIES ? realloc(s->seen, (s->nseen + 1) * sizeof *l)
                                              : NULL;
  struct seen *n = l ? &l[s->nseen] : NULL;
  if (l) {
    s->seen = l;
    memset(n, 0, sizeof *n);
  }
  if (!n || !(n->value = strdup(value))) {
    s->overflow = 1;
    return &s->other;
  }
  n->category = *value ? child(child(s->renderer, "categories", NULL, NULL), "category",
                               "value", value)
                       : s->fallback;
  n->colour = -1;
  if (n->category && symbol_colours(symbol_of(s, n->category), &n->c)) {
    /* the file's own category */
  } else {
    /* a copy of the fallback, in the next palette colour */
    n->category = NULL;
    n->c = s->other;
    if (*value) {
      n->colour = s->ncolours++;
      memcpy(n->c.fill, palette[n->colour % NPALETTE], 3);
      memcpy(n->c.line, palette[n->colour % NPALETTE], 3);
    }
  }
  s->nseen++;
  return &n->c;
}

/* Serialise the <!DOCTYPE> and the <qgis> element (minixml keeps both as
 * siblings at the top).  CPLFree() the result. */
static char *serialise(const CPLXMLNode *root) {
  char *out = CPLStrdup("");
  size_t len = 0;
  for (const CPLXMLNode *n = root; n; n = n->psNext) {
    char *part = NULL;
    if (n->eType == CXT_Literal) {
      size_t l = strlen(n->pszValue) + 2;
      part = CPLMalloc(l);
      snprintf(part, l, "%s\n", n->pszValue);
    } else if (n->eType == CXT_Element) {
      CPLXMLNode tmp = *n;
      tmp.psNext = NULL;
      part = CPLSerializeXMLTree(&tmp);
    }
    if (part) {
      size_t l = strlen(part);
      out = CPLRealloc(out, len + l + 1);
      memcpy(out + len, part, l + 1);
      len += l;
      CPLFree(part);
    }
  }
  return out;
}

char *reach_style_qml(struct reach_style *s) {
  if (!s) return NULL;
  if (!s->attr) return serialise(s->root);
  /* Rebuild <categories> and <symbols> from the values seen: non-empty
   * values first in order of appearance, the fallback ("") last. */
  CPLXMLNode *cats = child(s->renderer, "categories", NULL, NULL);
  CPLXMLNode *syms = child(s->renderer, "symbols", NULL, NULL);
  CPLXMLNode *new_cats = CPLCreateXMLNode(NULL, CXT_Element, "categories");
  CPLXMLNode *new_syms = CPLCreateXMLNode(NULL, CXT_Element, "symbols");
  int k = 0, fallback_seen = 0;
  for (size_t i = 0; i < s->nseen; i++) fallback_seen |= *s->seen[i].value == '\0';
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < s->nseen; i++) {
      const struct seen *v = &s->seen[i];
      if ((*v->value == '\0') != pass) continue;
      const CPLXMLNode *cat = v->category ? v->category : s->fallback;
      CPLXMLNode *sym = cat ? symbol_of(s, cat) : NULL;
      if (!sym) continue;
      char idx[16];
      snprintf(idx, sizeof idx, "%d", k++);
      CPLXMLNode *c = clone_one((CPLXMLNode *)cat), *y = clone_one(sym);
      CPLSetXMLValue(c, "#symbol", idx);
      CPLSetXMLValue(y, "#name", idx);
      if (!v->category && *v->value) {
        CPLSetXMLValue(c, "#value", v->value);
        CPLSetXMLValue(c, "#label", v->value);
        recolour(y, v->colour);
      }
      CPLAddXMLChild(new_cats, c);
      CPLAddXMLChild(new_syms, y);
    }
  if (s->overflow && !fallback_seen && s->fallback) {
    char idx[16];
    snprintf(idx, sizeof idx, "%d", k);
    CPLXMLNode *c = clone_one((CPLXMLNode *)s->fallback), *y = clone_one(symbol_of(s, s->fallback));
    CPLSetXMLValue(c, "#symbol", idx);
    CPLSetXMLValue(y, "#name", idx);
    CPLAddXMLChild(new_cats, c);
    CPLAddXMLChild(new_syms, y);
  }
  /* Swap the new lists in, serialise, and put the file's lists back so
   * that the style can be written again. */
  CPLXMLNode *cats_old = cats ? cats->psChild : NULL, *syms_old = syms ? syms->psChild : NULL;
  char *out;
  if (cats && syms) {
    cats->psChild = new_cats->psChild;
    syms->psChild = new_syms->psChild;
    out = serialise(s->root);
    cats->psChild = cats_old;
    syms->psChild = syms_old;
  } else {
    out = serialise(s->root);
  }
  CPLDestroyXMLNode(new_cats);
  CPLDestroyXMLNode(new_syms);
  return out;
}

const char *reach_style_path(const struct reach_style *s) { return s ? s->path : ""; }

/* georeach missiles: the missile catalogue as a table, CSV or JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "apps/app.h"

static void fmt_km(char *buf, size_t n, double v) {
  if (isnan(v)) snprintf(buf, n, "%s", "");
  else snprintf(buf, n, "%g", v);
}

static int contains_ci(const char *hay, const char *needle) {
  size_t ln = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, ln) == 0) return 1;
  return ln == 0;
}

static void json_row(FILE *out, const struct reach_missile *m, const char *mn, const char *rg,
                     const char *lo, const char *hi) {
  fputs(" {\"name\": ", out);
  app_json_string(out, m->name);
  fputs(", \"aliases\": [", out);
  char buf[sizeof m->aliases];
  snprintf(buf, sizeof buf, "%s", m->aliases);
  int first = 1;
  for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
       tok = strtok_r(NULL, "|", &save)) {
    while (*tok == ' ') tok++;
    size_t l = strlen(tok);
    while (l && tok[l - 1] == ' ') tok[--l] = '\0';
    if (!l) continue;
    fputs(first ? "" : ", ", out);
    app_json_string(out, tok);
    first = 0;
  }
  fputs("], \"origin\": ", out);
  app_json_string(out, m->origin);
  fputs(", \"class\": ", out);
  app_json_string(out, m->klass);
  fprintf(out,
          ", \"min_km\": %s, \"range_km\": %s, \"range_low_km\": %s, "
          "\"range_high_km\": %s, \"source\": ",
          *mn ? mn : "null", rg, *lo ? lo : "null", *hi ? hi : "null");
  app_json_string(out, m->source);
  fputc('}', out);
}

static enum reach_status run(struct reach_ctx *ctx, struct reach_app *app) {
  const struct app_opts *o = &app->o;
  FILE *out = app->out;
  int fmt = o->as < 0 ? AS_TABLE : o->as;
  enum reach_status st = reach_catalogue_load(ctx, o->cat_file, &app->cat);
  if (st) return st;
  size_t shown = 0;
  if (fmt == AS_TABLE)
    fprintf(out, "%-20s %-24s %-14s %7s %8s  %-13s %s\n", "NAME", "CLASS", "ORIGIN",
            "MIN_KM", "RANGE_KM", "LOW-HIGH_KM", "ALIASES");
  if (fmt == AS_CSV)
    fputs("name,aliases,origin,class,min_km,range_km,range_low_km,range_high_km,source\n", out);
  if (fmt == AS_JSON) fputc('[', out);
  for (size_t i = 0; i < reach_catalogue_count(app->cat); i++) {
    const struct reach_missile *m = reach_catalogue_get(app->cat, i);
    if ((o->origin && !contains_ci(m->origin, o->origin)) ||
        (o->klass && !contains_ci(m->klass, o->klass)))
      continue;
    char mn[32], rg[32], lo[32], hi[32];
    fmt_km(mn, sizeof mn, m->min_km);
    fmt_km(rg, sizeof rg, m->range_km);
    fmt_km(lo, sizeof lo, m->range_low_km);
    fmt_km(hi, sizeof hi, m->range_high_km);
    if (fmt == AS_TABLE) {
      char band[72] = "";
      if (*lo || *hi) snprintf(band, sizeof band, "%s-%s", lo, hi);
      fprintf(out, "%-20s %-24s %-14s %7s %8s  %-13s %s\n", m->name, m->klass, m->origin, mn,
              rg, band, m->aliases);
    } else if (fmt == AS_CSV) {
      const char *v[] = {m->name, m->aliases, m->origin, m->klass, mn, rg, lo, hi, m->source};
      for (int k = 0; k < 9; k++) app_csv_field(out, v[k], k == 8);
    } else {
      fputs(shown ? ",\n" : "\n", out);
      json_row(out, m, mn, rg, lo, hi);
    }
    shown++;
  }
  if (fmt == AS_JSON) fputs("\n]\n", out);
  if ((st = app_out_check(ctx, app))) return st;
  if (shown == 0)
    return reach_fail(ctx, REACH_ERR_DATA, "no missile matches%s%s%s%s",
                      o->origin ? " --origin " : "", o->origin ? o->origin : "",
                      o->klass ? " --class " : "", o->klass ? o->klass : "");
  return REACH_OK;
}

const struct app_command app_missiles = {
    "missiles",
    G_CATALOGUE | G_LIST | G_AS | G_ASOLD | G_HELP,
    "list the missile catalogue (names, aliases, ranges, sources)",
    "Usage: georeach missiles [--origin TEXT] [--class TEXT]\n"
    "                        [--as table|csv|json] [--catalogue FILE]\n",
    "Lists the missile catalogue (data/missiles.csv, or FILE with the\n"
    "same columns): name, aliases, origin, class, min_km, range_km,\n"
    "range_low_km, range_high_km (where sources disagree) and source.\n"
    "--origin and --class keep rows containing TEXT (any case), e.g.\n"
    "--origin iran --class SRBM.  Any name or alias works with\n"
    "'georeach rings --missile', ignoring case and punctuation.\n",
    "",
    NULL,
    run,
    NULL};

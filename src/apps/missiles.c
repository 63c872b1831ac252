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

/* A " | "-separated list as a JSON array. */
static void json_list(FILE *out, const char *list, size_t cap) {
  char buf[800];
  snprintf(buf, sizeof buf < cap ? sizeof buf : cap, "%s", list);
  int first = 1;
  fputc('[', out);
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
  fputc(']', out);
}

static void json_row(FILE *out, const struct reach_missile *m, const char *mn, const char *rg,
                     const char *lo, const char *hi) {
  fputs(" {\"name\": ", out);
  app_json_string(out, m->name);
  fputs(", \"aliases\": ", out);
  json_list(out, m->aliases, sizeof m->aliases);
  fputs(", \"shared_names\": ", out);
  json_list(out, m->shared, sizeof m->shared);
  fputs(", \"origin\": ", out);
  app_json_string(out, m->origin);
  fputs(", \"class\": ", out);
  app_json_string(out, m->klass);
  fprintf(out, ", \"min_km\": %s, \"range_km\": %s, \"range_kind\": ", *mn ? mn : "null",
          *rg ? rg : "null");
  app_json_string(out, m->range_kind);
  fputs(", \"source\": ", out);
  app_json_string(out, m->source);
  fprintf(out, ", \"range_low_km\": %s, \"low_kind\": ", *lo ? lo : "null");
  app_json_string(out, m->low_kind);
  fputs(", \"low_source\": ", out);
  app_json_string(out, m->low_source);
  fprintf(out, ", \"range_high_km\": %s, \"high_kind\": ", *hi ? hi : "null");
  app_json_string(out, m->high_kind);
  fputs(", \"high_source\": ", out);
  app_json_string(out, m->high_source);
  fputs(", \"notes\": ", out);
  app_json_string(out, m->notes);
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
    fprintf(out, "%-20s %-24s %-16s %7s %8s  %-19s %-13s %s\n", "NAME", "CLASS", "ORIGIN",
            "MIN_KM", "RANGE_KM", "KIND", "LOW-HIGH_KM", "ALIASES (SHARED)");
  if (fmt == AS_CSV)
    fputs("name,aliases,shared_names,origin,class,min_km,range_km,range_kind,source,"
          "range_low_km,low_kind,low_source,range_high_km,high_kind,high_source,notes\n", out);
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
      char band[72] = "", names[sizeof m->aliases + sizeof m->shared + 4];
      if (*lo || *hi) snprintf(band, sizeof band, "%s-%s", lo, hi);
      snprintf(names, sizeof names, "%s%s%s%s", m->aliases, *m->shared ? " (" : "", m->shared,
               *m->shared ? ")" : "");
      /* cells padded in display columns, never cut (a catalogue of one's
       * own may name systems in any script) */
      app_put_cell(out, m->name, 20);
      putc(' ', out);
      app_put_cell(out, m->klass, 24);
      putc(' ', out);
      app_put_cell(out, m->origin, 16);
      fprintf(out, " %7s %8s  ", mn, *rg ? rg : "-");
      app_put_cell(out, m->range_kind, 19);
      putc(' ', out);
      app_put_cell(out, band, 13);
      putc(' ', out);
      app_put_cell(out, names, 0);
      putc('\n', out);
    } else if (fmt == AS_CSV) {
      const char *v[] = {m->name,     m->aliases,   m->shared,      m->origin,
                         m->klass,    mn,           rg,             m->range_kind,
                         m->source,   lo,           m->low_kind,    m->low_source,
                         hi,          m->high_kind, m->high_source, m->notes};
      for (int k = 0; k < 16; k++) app_csv_field(out, v[k], k == 15);
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
    "same columns): name, aliases, shared_names, origin, class, min_km,\n"
    "range_km and its kind and source, the low and high figures where\n"
    "sources disagree (each with kind and source), and notes.\n"
    "--origin and --class keep rows containing TEXT (any case), e.g.\n"
    "--origin iran --class SRBM.  Any name or alias works with\n"
    "'georeach rings --missile', ignoring case and punctuation; a shared\n"
    "name (Fateh, Iskander, Tochka, ...) is taken as its most likely\n"
    "system, named on stderr with the others (--strict: an error).\n",
    "",
    NULL,
    run,
    NULL};

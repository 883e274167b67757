/* kiosk-server-report.c: the PDF report of a site or a group for a span of local days, from
 * the dashboard's queries (kiosk-dash-data.c) and charts (kiosk-chart.c), laid out on A4 with
 * cairo and PangoCairo, so that any script a comment was written in is shaped and drawn. */
#define G_LOG_DOMAIN "kiosk-server-report"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "kiosk-chart.h"
#include "kiosk-dash-server.h"
#include "kiosk-server-report-private.h"

/* Translation in the report's language (xgettext keyword R_). */
#define R_(msgid) kiosk_dash_translate (report->language, (msgid))

/* A4 portrait, in PostScript points (the PDF surface's unit). */
#define PAGE_WIDTH  595.276
#define PAGE_HEIGHT 841.890
#define MARGIN      48.0
#define CONTENT     (PAGE_WIDTH - 2 * MARGIN)
#define FOOTER_Y    (PAGE_HEIGHT - 30.0)
#define BOTTOM      (PAGE_HEIGHT - 56.0)

#define FONT          "DejaVu Sans"
#define TOP_REASONS   5
/* A comment longer than this many lines ends in "…": the dashboard has the whole text. */
#define COMMENT_LINES 4
/* As on the dashboard: a heat map cell with fewer responses claims no colour. */

static const KioskRgba text_color = { 0.12, 0.12, 0.12, 1 };
static const KioskRgba muted_color = { 0.40, 0.40, 0.40, 1 };
static const KioskRgba rule_color = { 0.80, 0.80, 0.80, 1 };

/* Words */

static char *
period_dates (const Report *report,
              const GDate  *from,
              const GDate  *to)
{
  g_autofree char *first = kiosk_dash_language_format_date (report->language, from);
  g_autofree char *last = NULL;

  if (g_date_compare (from, to) == 0)
    return g_steal_pointer (&first);
  last = kiosk_dash_language_format_date (report->language, to);
  return g_strdup_printf ("%s – %s", first, last);
}

/* "Friday, 04.12.2026", "Week 49: 30.11.2026 – 06.12.2026", "10 days: …". */
static char *
period_words (const Report *report)
{
  const GDate *from = &report->filter.from;
  g_autofree char *dates = period_dates (report, from, &report->filter.to);

  if (report->n_days == 1)
    /* Translators: a report's period of one day: "Friday, 04.12.2026" */
    return g_strdup_printf (R_("%s, %s"),
                            kiosk_dash_language_weekday_name (report->language,
                                                              g_date_get_weekday (from), FALSE),
                            dates);
  if (report->n_days == 7 && g_date_get_weekday (from) == G_DATE_MONDAY)
    /* Translators: a report's period of a week, Monday to Sunday: "Week 49: 30.11. – 06.12." */
    return g_strdup_printf (R_("Week %u: %s"), g_date_get_iso8601_week_of_year (from), dates);
  /* Translators: a report's period of several days: "10 days: 01.12.2026 – 10.12.2026" */
  return g_strdup_printf (R_("%u days: %s"), report->n_days, dates);
}

/* Drawing */

typedef struct
{
  cairo_t *cr;
  Report  *report;
  double   y;
  guint    page;
  guint    pages;   /* 0 on the first pass, which only counts them */
} Doc;

static PangoLayout *
layout_new (Doc        *doc,
            const char *text,
            double      size,
            gboolean    bold,
            double      width)
{
  PangoLayout *layout = pango_cairo_create_layout (doc->cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT);

  /* One point is one unit of the surface. */
  pango_cairo_context_set_resolution (pango_layout_get_context (layout), 72);
  pango_layout_context_changed (layout);
  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static void
set_color (cairo_t         *cr,
           const KioskRgba *color)
{
  cairo_set_source_rgba (cr, color->r, color->g, color->b, color->a);
}

/* Draws @text at (@x, @y) and returns its height. */
static double
text_at (Doc             *doc,
         double           x,
         double           y,
         double           width,
         const char      *text,
         double           size,
         gboolean         bold,
         const KioskRgba *color,
         PangoAlignment   alignment)
{
  g_autoptr(PangoLayout) layout = layout_new (doc, text, size, bold, width);
  int w, h;

  pango_layout_set_alignment (layout, alignment);
  pango_layout_get_pixel_size (layout, &w, &h);
  set_color (doc->cr, color);
  cairo_move_to (doc->cr, x, y);
  pango_cairo_show_layout (doc->cr, layout);
  return h;
}

static void
footer (Doc *doc)
{
  Report *report = doc->report;
  const char *zone = report->sites->len == 1
                     ? ((KioskDashSite *) g_ptr_array_index (report->sites, 0))->time_zone
                     : "UTC";
  g_autofree char *time = kiosk_dash_language_format_time (report->language,
                                                           report->generated_us, zone);
  /* Translators: a report's footer: the date and time it was made, and the time zone */
  g_autofree char *generated = g_strdup_printf (R_("Generated at %s (%s) by smiley-kiosk-server"),
                                                time, zone);
  /* Translators: a report's page number: "page 1 of 3" */
  g_autofree char *page = g_strdup_printf (R_("page %u of %u"), doc->page,
                                           MAX (doc->pages, doc->page));

  set_color (doc->cr, &rule_color);
  cairo_set_line_width (doc->cr, 0.5);
  cairo_move_to (doc->cr, MARGIN, FOOTER_Y - 6);
  cairo_line_to (doc->cr, PAGE_WIDTH - MARGIN, FOOTER_Y - 6);
  cairo_stroke (doc->cr);
  text_at (doc, MARGIN, FOOTER_Y, CONTENT * 0.75, generated, 7.5, FALSE, &muted_color,
           PANGO_ALIGN_LEFT);
  text_at (doc, MARGIN, FOOTER_Y, CONTENT, page, 7.5, FALSE, &muted_color, PANGO_ALIGN_RIGHT);
}

static void
new_page (Doc *doc)
{
  footer (doc);
  cairo_show_page (doc->cr);
  doc->page++;
  doc->y = MARGIN;
}

/* Room for @height more on this page, else the next one. */
static void
need (Doc   *doc,
      double height)
{
  if (doc->y + height > BOTTOM)
    new_page (doc);
}

static void
heading (Doc        *doc,
         const char *text,
         double      room_after)
{
  need (doc, 24 + room_after);
  doc->y += 8;
  doc->y += text_at (doc, MARGIN, doc->y, CONTENT, text, 12, TRUE, &text_color,
                     PANGO_ALIGN_LEFT);
  doc->y += 6;
}

static void
chart_at (Doc               *doc,
          double             height,
          KioskChartDrawFunc draw,
          gpointer           data)
{
  cairo_save (doc->cr);
  cairo_translate (doc->cr, MARGIN, doc->y);
  cairo_rectangle (doc->cr, 0, 0, CONTENT, height);
  cairo_clip (doc->cr);
  draw (doc->cr, CONTENT, height, data);
  cairo_restore (doc->cr);
  doc->y += height + 4;
}

static void
chart_style (KioskChartStyle *style)
{
  kiosk_chart_style_init (style);
  style->font_size = 9;
}

typedef struct
{
  guint64 counts[24][KIOSK_CHART_FACES];
} HoursChart;

static void
draw_hours (cairo_t *cr,
            double   width,
            double   height,
            gpointer data)
{
  HoursChart *chart = data;
  KioskChartStyle style;

  chart_style (&style);
  kiosk_chart_draw_hours (cr, width, height, (const guint64 (*)[KIOSK_CHART_FACES]) chart->counts,
                          NULL, NULL, &style);
}

static void
section_title (Doc *doc)
{
  Report *report = doc->report;
  g_autofree char *period = period_words (report);
  g_autofree char *zones = NULL;

  doc->y += text_at (doc, MARGIN, doc->y, CONTENT, report->title, 20, TRUE, &text_color,
                     PANGO_ALIGN_LEFT);
  doc->y += 2;
  doc->y += text_at (doc, MARGIN, doc->y, CONTENT, period, 12, FALSE, &text_color,
                     PANGO_ALIGN_LEFT);
  /* Translators: %s is a time zone, or several, such as "Europe/Berlin" */
  zones = g_strdup_printf (report->sites->len > 1 ? R_("Local days and hours of each site (%s)")
                                                  : R_("Local days and hours of %s"),
                           report->zones[0] ? report->zones : "UTC");
  doc->y += text_at (doc, MARGIN, doc->y, CONTENT, zones, 9, FALSE, &muted_color,
                     PANGO_ALIGN_LEFT);
  doc->y += 10;
}

static void
section_headline (Doc *doc)
{
  Report *report = doc->report;
  const char *lang = report->language;
  double index = kiosk_dash_counts_index (&report->total);
  double before = kiosk_dash_counts_index (&report->previous);
  g_autofree char *index_text = kiosk_dash_language_format_index (lang, index);
  g_autofree char *n_text = kiosk_dash_language_format_count (lang, report->total.n);
  g_autofree char *n_line = NULL;
  g_autofree char *before_text = kiosk_dash_language_format_index (lang, before);
  g_autofree char *before_n = kiosk_dash_language_format_count (lang, report->previous.n);
  g_autofree char *before_dates = period_dates (report, &report->previous_from,
                                                &report->previous_to);
  g_autofree char *before_line = NULL;
  const char *arrow = "";
  double top = doc->y;
  double h;

  need (doc, 80);
  top = doc->y;
  text_at (doc, MARGIN, top, 150, R_("Happy Index"), 10, FALSE, &muted_color, PANGO_ALIGN_LEFT);
  h = text_at (doc, MARGIN, top + 13, 0, index_text, 36, TRUE, &text_color, PANGO_ALIGN_LEFT);
  /* The index never without the number of responses it stands on. */
  n_line = g_strdup_printf ("n = %s", n_text);
  text_at (doc, MARGIN + 86, top + 13 + h - 22, 0, n_line, 12, FALSE, &text_color,
           PANGO_ALIGN_LEFT);

  if (!isnan (index) && !isnan (before))
    arrow = round (index) > round (before) ? " ▲" : round (index) < round (before) ? " ▼" : " ▶";
  /* Translators: the previous period beside a report's Happy Index: "Before (23.11. – 29.11.):
   * 72 (n = 180) ▲" */
  before_line = g_strdup_printf (R_("Period before (%s): %s (n = %s)%s"), before_dates,
                                 before_text, before_n, arrow);
  text_at (doc, MARGIN + 200, top, CONTENT - 200, before_line, 9, FALSE, &muted_color,
           PANGO_ALIGN_LEFT);
  if (report->total.misuse > 0)
    {
      g_autofree char *misuse = kiosk_dash_language_format_count (lang, report->total.misuse);
      g_autofree char *note = g_strdup_printf (report->include_misuse
                                               ? R_("%s responses flagged as misuse are included.")
                                               : R_("%s responses flagged as misuse are left out."),
                                               misuse);

      text_at (doc, MARGIN + 200, top + 28, CONTENT - 200, note, 9, FALSE, &muted_color,
               PANGO_ALIGN_LEFT);
    }
  doc->y = top + 13 + h + 8;
}

static void
section_faces (Doc *doc)
{
  Report *report = doc->report;
  guint scale = kiosk_dash_counts_scale (&report->total);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  KioskDashFaces chart = { report->total.faces[scale], scale, NULL, NULL };

  for (guint f = 0; f < scale; f++)
    {
      guint64 n = report->total.faces[scale][f];
      g_autofree char *share = kiosk_dash_language_format_percent (report->language,
                                                                   (double) n / report->total.n);
      g_autofree char *count = kiosk_dash_language_format_count (report->language, n);

      g_ptr_array_add (labels, kiosk_dash_language_face_name (report->language, (int) f,
                                                              (int) scale));
      g_ptr_array_add (values, g_strdup_printf ("%s (%s)", share, count));
    }
  chart.labels = (const char *const *) labels->pdata;
  chart.values = (const char *const *) values->pdata;
  chart_style (&chart.style);
  chart.style.font_size = 10;
  heading (doc, R_("Responses by face"), 20.0 * scale);
  chart_at (doc, 22.0 * scale, kiosk_dash_faces_draw, &chart);
}

static void
section_trend (Doc *doc)
{
  Report *report = doc->report;

  if (report->n_days == 1)
    {
      /* One day is one dot on a trend: its hours tell more. */
      g_autofree HoursChart *chart = g_new0 (HoursChart, 1);
      guint weekday = g_date_get_weekday (&report->filter.from) - 1;

      for (guint h = 0; h < 24; h++)
        {
          const KioskDashCounts *cell = &report->hours.cells[weekday][h];

          for (guint f = 0; f < KIOSK_CHART_FACES; f++)
            chart->counts[h][f] = cell->faces[KIOSK_CHART_FACES][f];
        }
      heading (doc, R_("Responses by hour"), 150);
      chart_at (doc, 150, draw_hours, chart);
    }
  else
    {
      KioskDashTrend chart = { 0 };

      kiosk_dash_trend_fill (&chart, report->days, R_("Happy Index"), R_("Responses"));
      chart_style (&chart.style);
      heading (doc, R_("Happy Index by day"), 190);
      chart_at (doc, 190, kiosk_dash_trend_draw, &chart);
      kiosk_dash_trend_clear (&chart);
    }
}

static void
section_heatmap (Doc *doc)
{
  Report *report = doc->report;
  g_autofree KioskDashHeatmap *chart = g_new0 (KioskDashHeatmap, 1);
  g_autofree char *title = NULL;
  gboolean in_period[7] = { FALSE };
  gboolean open[7][24];
  GDate day = report->filter.from;

  /* A weekday the period does not reach is blank, as closed, rather than hatched as rare. */
  for (guint i = 0; i < MIN (report->n_days, 7); i++, g_date_add_days (&day, 1))
    in_period[g_date_get_weekday (&day) - 1] = TRUE;
  for (guint d = 0; d < 7; d++)
    for (guint h = 0; h < 24; h++)
      open[d][h] = in_period[d] && report->open[d][h];
  kiosk_dash_heatmap_fill (chart, &report->hours, (const gboolean (*)[24]) open,
                           report->language);
  chart_style (&chart->style);
  /* Translators: %s is a time zone such as Europe/Berlin */
  title = g_strdup_printf (R_("Happy Index by hour and weekday (%s)"),
                           report->zones[0] ? report->zones : "UTC");
  heading (doc, title, 170);
  chart_at (doc, 170, kiosk_dash_heatmap_draw, chart);
  {
    g_autofree char *note = g_strdup_printf (R_("Hours with fewer than %d responses are "
                                                "hatched; closed hours are blank."),
                                             KIOSK_DASH_HEATMAP_MIN_COUNT);

    doc->y += text_at (doc, MARGIN, doc->y, CONTENT, note, 8, FALSE, &muted_color,
                       PANGO_ALIGN_LEFT);
  }
}

/* A row of cells at @columns (x offsets from the margin; the last column ends at the right
 * margin, right-aligned numbers after the first two). */
static void
table_row (Doc               *doc,
           const double      *columns,
           guint              n_columns,
           const char *const *cells,
           gboolean           bold,
           const KioskRgba   *color)
{
  double height = 0;

  for (guint c = 0; c < n_columns; c++)
    {
      double x = MARGIN + columns[c];
      double width = (c + 1 < n_columns ? columns[c + 1] : CONTENT) - columns[c] - 6;
      gboolean number = c > 1 || (c == 0 && n_columns > 3);

      height = MAX (height, text_at (doc, x, doc->y, width, cells[c], 9, bold, color,
                                     number ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT));
    }
  doc->y += height + 3;
}

static void
reasons_table (Doc        *doc,
               GPtrArray  *reasons,
               const char *caption)
{
  Report *report = doc->report;
  static const double columns[] = { 0, 30, 350, 420 };
  const char *head[] = { "#", R_("Reason"), R_("Answers"), R_("Share") };

  need (doc, 40);
  doc->y += text_at (doc, MARGIN, doc->y, CONTENT, caption, 10, TRUE, &text_color,
                     PANGO_ALIGN_LEFT) + 2;
  if (reasons->len == 0)
    {
      doc->y += text_at (doc, MARGIN, doc->y, CONTENT, R_("No reasons given in this period."), 9,
                         FALSE, &muted_color, PANGO_ALIGN_LEFT) + 6;
      return;
    }
  table_row (doc, columns, 4, head, FALSE, &muted_color);
  for (guint i = 0; i < reasons->len && i < TOP_REASONS; i++)
    {
      Reason *reason = g_ptr_array_index (reasons, i);
      g_autofree char *rank = g_strdup_printf ("%u", i + 1);
      g_autofree char *n = kiosk_dash_language_format_count (report->language, reason->reason.n);
      g_autofree char *share = kiosk_dash_language_format_percent (
        report->language,
        reason->reason.answered > 0 ? (double) reason->reason.n / reason->reason.answered : 0);
      const char *cells[] = { rank, reason->label, n, share };

      need (doc, 14);
      table_row (doc, columns, 4, cells, FALSE, &text_color);
    }
  doc->y += 6;
}

static void
section_reasons (Doc *doc)
{
  Report *report = doc->report;

  heading (doc, R_("Top reasons"), 60);
  reasons_table (doc, report->reasons[KIOSK_DASH_UNHAPPY], R_("Unhappy answers"));
  reasons_table (doc, report->reasons[KIOSK_DASH_HAPPY], R_("Happy answers"));
  doc->y += text_at (doc, MARGIN, doc->y, CONTENT,
                     R_("Share: of the answers of that mood that gave any reason; a visitor "
                        "may give several."), 8, FALSE, &muted_color, PANGO_ALIGN_LEFT);
}

static void
section_comments (Doc *doc)
{
  Report *report = doc->report;

  heading (doc, R_("Latest comments"), 40);
  if (report->comments->len == 0)
    {
      doc->y += text_at (doc, MARGIN, doc->y, CONTENT, R_("No comments in this period."), 9,
                         FALSE, &muted_color, PANGO_ALIGN_LEFT);
      return;
    }
  for (guint i = 0; i < report->comments->len; i++)
    {
      Comment *entry = g_ptr_array_index (report->comments, i);
      KioskDashComment *c = entry->comment;
      g_autofree char *face = kiosk_dash_language_face_name (report->language, c->face, c->scale);
      g_autofree char *line = NULL;
      g_autoptr(PangoLayout) layout = layout_new (doc, c->comment, 9.5, FALSE, CONTENT - 12);
      KioskRgba face_color = kiosk_chart_face_color ((guint) c->face, (guint) c->scale);
      int w, h;

      if (report->group)
        line = g_strdup_printf ("%s · %s · %s%s", c->local_time, face, entry->site_title,
                                c->misuse ? " · " : "");
      else
        line = g_strdup_printf ("%s · %s%s", c->local_time, face, c->misuse ? " · " : "");
      if (c->misuse)
        {
          char *flagged = g_strconcat (line, R_("Misuse"), NULL);

          g_free (line);
          line = flagged;
        }
      /* Long comments end in an ellipsis after a few lines; the dashboard has them whole. */
      pango_layout_set_height (layout, -COMMENT_LINES);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_auto_dir (layout, TRUE);
      pango_layout_get_pixel_size (layout, &w, &h);
      need (doc, h + 20);
      /* A bar in the face's colour beside each comment. */
      cairo_rectangle (doc->cr, MARGIN, doc->y + 1, 3, h + 12);
      set_color (doc->cr, &face_color);
      cairo_fill (doc->cr);
      doc->y += text_at (doc, MARGIN + 10, doc->y, CONTENT - 10, line, 8, FALSE, &muted_color,
                         PANGO_ALIGN_LEFT);
      set_color (doc->cr, &text_color);
      cairo_move_to (doc->cr, MARGIN + 10, doc->y);
      pango_cairo_show_layout (doc->cr, layout);
      doc->y += h + 8;
    }
}

static void
section_sites (Doc *doc)
{
  Report *report = doc->report;
  static const double columns[] = { 0, 30, 350, 420 };
  const char *head[] = { "#", R_("Site"), R_("Happy Index"), R_("Responses") };

  heading (doc, R_("Sites of the group"), 40);
  if (report->site_rows->len == 0)
    {
      doc->y += text_at (doc, MARGIN, doc->y, CONTENT, R_("This group has no sites."), 9, FALSE,
                         &muted_color, PANGO_ALIGN_LEFT);
      return;
    }
  table_row (doc, columns, 4, head, FALSE, &muted_color);
  for (guint i = 0; i < report->site_rows->len; i++)
    {
      SiteRow *row = &g_array_index (report->site_rows, SiteRow, i);
      g_autofree char *rank = g_strdup_printf ("%u", i + 1);
      g_autofree char *index = kiosk_dash_language_format_index (
        report->language, kiosk_dash_counts_index (&row->counts));
      g_autofree char *n = kiosk_dash_language_format_count (report->language, row->counts.n);
      const char *cells[] = { rank, row->site->title, index, n };

      need (doc, 14);
      table_row (doc, columns, 4, cells, FALSE, &text_color);
    }
}

static void
section_empty (Doc *doc)
{
  Report *report = doc->report;

  /* Instead of empty charts: the period is there, and it says why nothing else is. */
  cairo_rectangle (doc->cr, MARGIN, doc->y, CONTENT, 60);
  cairo_set_source_rgb (doc->cr, 0.96, 0.96, 0.96);
  cairo_fill (doc->cr);
  text_at (doc, MARGIN + 16, doc->y + 14, CONTENT - 32,
           R_("There were no responses in this period."), 14, TRUE, &text_color,
           PANGO_ALIGN_LEFT);
  doc->y += 76;
  if (report->group)
    section_sites (doc);
}

/* Draws the whole report on @surface; returns the number of pages. */
static guint
draw_report (Report          *report,
             cairo_surface_t *surface,
             guint            pages)
{
  cairo_t *cr = cairo_create (surface);
  Doc doc = { cr, report, MARGIN, 1, pages };

  section_title (&doc);
  section_headline (&doc);
  if (report->total.n == 0)
    section_empty (&doc);
  else
    {
      section_faces (&doc);
      section_trend (&doc);
      section_heatmap (&doc);
      section_reasons (&doc);
      section_comments (&doc);
      if (report->group)
        section_sites (&doc);
    }
  footer (&doc);
  cairo_show_page (cr);
  cairo_destroy (cr);
  return doc.page;
}

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  if (closure != NULL)
    g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static char *
report_title (const Report *report)
{
  g_autofree char *dates = period_dates (report, &report->filter.from, &report->filter.to);

  return g_strdup_printf ("%s — %s", report->title, dates);
}

GBytes *
kiosk_report_render_pdf (PGconn                    *conn,
                         const KioskReportRequest  *request,
                         char                     **out_title,
                         GError                   **error)
{
  Report report = { 0 };
  g_autoptr(GByteArray) pdf = g_byte_array_new ();
  g_autofree char *title = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  guint pages;

  g_return_val_if_fail ((request->site_id != 0) != (request->group_id != 0), NULL);
  g_return_val_if_fail (g_date_valid (&request->from) && g_date_valid (&request->to), NULL);
  g_return_val_if_fail (g_date_compare (&request->from, &request->to) <= 0, NULL);

  if (!_kiosk_report_load (conn, request, &report, error))
    {
      _kiosk_report_clear (&report);
      return NULL;
    }
  report.generated_us = g_get_real_time ();
  title = report_title (&report);

  /* Twice: the first pass, into nothing, counts the pages for "page 1 of N". */
  surface = cairo_pdf_surface_create_for_stream (append_cb, NULL, PAGE_WIDTH, PAGE_HEIGHT);
  pages = draw_report (&report, surface, 0);
  cairo_surface_destroy (surface);

  surface = cairo_pdf_surface_create_for_stream (append_cb, pdf, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "smiley-kiosk-server");
  draw_report (&report, surface, pages);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  _kiosk_report_clear (&report);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "report: cairo could not write the PDF: %s", cairo_status_to_string (status));
      return NULL;
    }
  if (out_title != NULL)
    *out_title = g_steal_pointer (&title);
  return g_byte_array_free_to_bytes (g_steal_pointer (&pdf));
}

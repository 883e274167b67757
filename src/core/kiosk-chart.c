/* kiosk-chart.c: the charts of the admin screen and the dashboard, drawn on any cairo_t, so the
 * kiosk's widget, the server's inline SVG and the tests' PNGs are the same drawing. The
 * dashboard's trend and heat map are in kiosk-chart-trend.c. */
#define G_LOG_DOMAIN "kiosk-chart"

#include "config.h"

#include <cairo-svg.h>
#include <gio/gio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "kiosk-chart-private.h"
#include "kiosk-stats.h"

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255., ((hex) >> 8 & 0xff) / 255., ((hex) & 0xff) / 255., 1 }

/* The artwork's colours, face 0 (very unhappy) to 3 (very happy): the same as on the survey. */
const KioskRgba kiosk_chart_face_colors[KIOSK_CHART_FACES] = {
  RGB (0xb3261e),
  RGB (0xf28b82),
  RGB (0x8bc34a),
  RGB (0x1e7b34),
};

/* The heat map's scale: the faces' reds and greens with a yellow for the neutral middle, so a
 * cell reads the way the face of the same mood does. */
const KioskChartStop _kiosk_chart_index_stops[KIOSK_CHART_N_INDEX_STOPS] = {
  {   0, RGB (0xb3261e) },
  {  25, RGB (0xf28b82) },
  {  50, RGB (0xf6d55c) },
  {  75, RGB (0x8bc34a) },
  { 100, RGB (0x1e7b34) },
};

void
kiosk_chart_style_init (KioskChartStyle *style)
{
  g_return_if_fail (style != NULL);

  *style = (KioskChartStyle) {
    .text = RGB (0x1f1f1f),
    .grid = { 0x1f / 255., 0x1f / 255., 0x1f / 255., 0.25 },
    .background = RGB (0xffffff),
    .font_family = DEFAULT_FONT,
    .font_size = DEFAULT_SIZE,
  };
}

static KioskRgba
mix (KioskRgba a,
     KioskRgba b,
     double    t)
{
  return (KioskRgba) {
    a.r + (b.r - a.r) * t,
    a.g + (b.g - a.g) * t,
    a.b + (b.b - a.b) * t,
    a.a + (b.a - a.a) * t,
  };
}

KioskRgba
kiosk_chart_face_color (guint face,
                        guint scale)
{
  double pos;
  guint i;

  if (scale == KIOSK_CHART_FACES && face < KIOSK_CHART_FACES)
    return kiosk_chart_face_colors[face];
  if (scale < 2)
    return kiosk_chart_face_colors[KIOSK_CHART_FACES - 1];

  pos = (double) MIN (face, scale - 1) / (scale - 1) * (KIOSK_CHART_FACES - 1);
  i = MIN ((guint) pos, KIOSK_CHART_FACES - 2);
  return mix (kiosk_chart_face_colors[i], kiosk_chart_face_colors[i + 1], pos - i);
}

KioskRgba
kiosk_chart_index_color (double index)
{
  if (isnan (index))
    index = 50;
  index = CLAMP (index, 0, 100);

  for (guint i = 1; i < G_N_ELEMENTS (_kiosk_chart_index_stops); i++)
    if (index <= _kiosk_chart_index_stops[i].at)
      return mix (_kiosk_chart_index_stops[i - 1].color, _kiosk_chart_index_stops[i].color,
                  (index - _kiosk_chart_index_stops[i - 1].at) /
                  (_kiosk_chart_index_stops[i].at - _kiosk_chart_index_stops[i - 1].at));

  return _kiosk_chart_index_stops[G_N_ELEMENTS (_kiosk_chart_index_stops) - 1].color;
}

double
kiosk_chart_happy_index (const guint64 *counts,
                         guint          scale)
{
  KioskFaceCounts faces = { .scale = scale };
  double index;

  g_return_val_if_fail (counts != NULL || scale == 0, NAN);
  g_return_val_if_fail (scale <= KIOSK_MAX_SCALE, NAN);

  if (scale > 0)
    memcpy (faces.faces, counts, scale * sizeof *counts);
  if (!kiosk_happy_index (&faces, &index))
    return NAN;

  return index;
}

guint64
kiosk_chart_nice_scale (guint64 highest)
{
  guint64 power = 1;

  if (highest == 0)
    return 0;

  for (;;)
    {
      if (highest <= power)
        return power;
      if (highest <= 2 * power)
        return 2 * power;
      if (highest <= 5 * power)
        return 5 * power;
      if (power > G_MAXUINT64 / 10)
        return G_MAXUINT64;
      power *= 10;
    }
}

guint64
kiosk_chart_hours_scale (const guint64 counts[24][KIOSK_CHART_FACES])
{
  guint64 highest = 0;

  for (guint hour = 0; hour < 24; hour++)
    {
      guint64 total = 0;

      for (guint face = 0; face < KIOSK_CHART_FACES; face++)
        total += counts[hour][face];
      highest = MAX (highest, total);
    }

  return kiosk_chart_nice_scale (highest);
}

/* Drawing helpers */

void
_kiosk_chart_set_color (cairo_t         *cr,
                        const KioskRgba *color)
{
  cairo_set_source_rgba (cr, color->r, color->g, color->b, color->a);
}

void
_kiosk_chart_fill_rect (cairo_t         *cr,
                        const KioskRgba *color,
                        double           x,
                        double           y,
                        double           w,
                        double           h)
{
  _kiosk_chart_set_color (cr, color);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
}

void
_kiosk_chart_paint_background (cairo_t               *cr,
                               double                 width,
                               double                 height,
                               const KioskChartStyle *style)
{
  if (style->background.a <= 0)
    return;
  _kiosk_chart_fill_rect (cr, &style->background, 0, 0, width, height);
}

PangoLayout *
_kiosk_chart_create_layout (cairo_t               *cr,
                            const KioskChartStyle *style)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_new ();
  double size = style->font_size > 0 ? style->font_size : DEFAULT_SIZE;

  pango_font_description_set_family (desc, style->font_family ? style->font_family
                                                              : DEFAULT_FONT);
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  if (style->font_options)
    {
      pango_cairo_context_set_font_options (pango_layout_get_context (layout),
                                            style->font_options);
      pango_layout_context_changed (layout);
    }
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);

  return layout;
}

/* Sets @text and returns its size in pixels. */
void
_kiosk_chart_measure (PangoLayout *layout,
                      const char  *text,
                      int         *width,
                      int         *height)
{
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, width, height);
}

/* @text's top left corner at @x, @y. */
void
_kiosk_chart_show_text (cairo_t         *cr,
                        PangoLayout     *layout,
                        const KioskRgba *color,
                        const char      *text,
                        double           x,
                        double           y)
{
  pango_layout_set_text (layout, text, -1);
  _kiosk_chart_set_color (cr, color);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* Dark text on light colours, white on dark ones. */
KioskRgba
_kiosk_chart_text_on (const KioskRgba *fill)
{
  double luminance = 0.2126 * fill->r + 0.7152 * fill->g + 0.0722 * fill->b;

  if (luminance > 0.55)
    return (KioskRgba) RGB (0x1f1f1f);
  return (KioskRgba) RGB (0xffffff);
}

KioskRgba
_kiosk_chart_faded (const KioskRgba *color,
                    double           alpha)
{
  KioskRgba faint = *color;

  faint.a *= alpha;
  return faint;
}

/* The hours */

void
kiosk_chart_draw_hours (cairo_t               *cr,
                        double                 width,
                        double                 height,
                        const guint64          counts[24][KIOSK_CHART_FACES],
                        const char *const     *hour_labels,
                        const char            *empty_text,
                        const KioskChartStyle *style)
{
  guint64 scale;
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *top = NULL;
  int text_w, text_h, top_w;
  double left, bottom, plot_w, plot_h, slot;

  g_return_if_fail (cr != NULL && counts != NULL && style != NULL);

  scale = kiosk_chart_hours_scale (counts);
  top = g_strdup_printf ("%" G_GUINT64_FORMAT, scale);

  cairo_save (cr);
  _kiosk_chart_paint_background (cr, width, height, style);
  layout = _kiosk_chart_create_layout (cr, style);

  _kiosk_chart_measure (layout, top, &top_w, &text_h);
  left = top_w + 2 * GAP;
  bottom = text_h + GAP;
  plot_w = width - left;
  plot_h = height - bottom - text_h / 2.0;
  if (plot_w <= 24 || plot_h <= 8)
    goto out;
  slot = plot_w / 24.0;

  /* The axis: a line at the bottom, a faint one at the top with its value. */
  _kiosk_chart_fill_rect (cr, &style->grid, left, text_h / 2.0, plot_w, 1);
  _kiosk_chart_fill_rect (cr, &style->text, left, text_h / 2.0 + plot_h, plot_w, 1);
  _kiosk_chart_show_text (cr, layout, &style->text, top, left - GAP - top_w, 0);

  for (guint hour = 0; hour < 24; hour++)
    {
      double x = left + hour * slot + slot * 0.15;
      double y = text_h / 2.0 + plot_h;

      /* Very happy at the bottom, very unhappy on top. */
      for (int face = KIOSK_CHART_FACES - 1; face >= 0 && scale > 0; face--)
        {
          double h = plot_h * (double) counts[hour][face] / (double) scale;

          if (h <= 0)
            continue;
          y -= h;
          _kiosk_chart_fill_rect (cr, &kiosk_chart_face_colors[face], x, y, slot * 0.7, h);
        }

      if (hour % HOUR_LABEL_EVERY == 0)
        {
          g_autofree char *number = g_strdup_printf ("%02u", hour);
          const char *label = hour_labels && hour_labels[hour] ? hour_labels[hour] : number;

          _kiosk_chart_measure (layout, label, &text_w, NULL);
          _kiosk_chart_show_text (cr, layout, &style->text, label,
                                  left + hour * slot + (slot - text_w) / 2.0, height - text_h);
        }
    }

  if (scale == 0 && empty_text)
    {
      _kiosk_chart_measure (layout, empty_text, &text_w, NULL);
      _kiosk_chart_show_text (cr, layout, &style->text, empty_text, left + (plot_w - text_w) / 2.0,
                              text_h / 2.0 + (plot_h - text_h) / 2.0);
    }

out:
  cairo_restore (cr);
}
/* The faces */

void
kiosk_chart_draw_faces (cairo_t               *cr,
                        double                 width,
                        double                 height,
                        const guint64         *counts,
                        guint                  scale,
                        KioskChartFacesLayout  layout_kind,
                        const char *const     *labels,
                        const char *const     *value_labels,
                        const KioskChartStyle *style)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char **values = NULL;
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  guint64 total = 0;
  int text_w, text_h, label_w = 0, value_w = 0;

  g_return_if_fail (cr != NULL && style != NULL && (counts != NULL || scale == 0));

  for (guint face = 0; face < scale; face++)
    total += counts[face];

  /* The shares' texts: the caller's (in the reader's language) or plain "12%". */
  values = g_new0 (char *, scale + 1);
  for (guint face = 0; face < scale; face++)
    {
      if (value_labels && value_labels[face])
        values[face] = (char *) value_labels[face];
      else if (total > 0)
        {
          values[face] = g_strdup_printf ("%.0f%%", 100.0 * counts[face] / total);
          g_ptr_array_add (owned, values[face]);
        }
    }

  cairo_save (cr);
  _kiosk_chart_paint_background (cr, width, height, style);
  layout = _kiosk_chart_create_layout (cr, style);
  _kiosk_chart_measure (layout, "0%", NULL, &text_h);

  for (guint face = 0; face < scale; face++)
    {
      if (labels && labels[face])
        {
          _kiosk_chart_measure (layout, labels[face], &text_w, NULL);
          label_w = MAX (label_w, text_w);
        }
      if (values[face])
        {
          _kiosk_chart_measure (layout, values[face], &text_w, NULL);
          value_w = MAX (value_w, text_w);
        }
    }

  if (scale == 0)
    goto out;

  if (layout_kind == KIOSK_CHART_FACES_STACKED)
    {
      double legend_h = labels ? text_h + 2 * GAP : 0;
      double bar_h = height - legend_h;
      double x = 0, lx = 0;

      if (bar_h < text_h / 2.0)
        goto out;
      if (total == 0)
        _kiosk_chart_fill_rect (cr, &style->grid, 0, 0, width, bar_h);

      /* Most positive at the left, as a reader expects "good" first. */
      for (int face = scale - 1; face >= 0; face--)
        {
          KioskRgba color = kiosk_chart_face_color (face, scale);
          double w = total > 0 ? width * (double) counts[face] / total : 0;

          if (w > 0)
            {
              KioskRgba ink = _kiosk_chart_text_on (&color);

              _kiosk_chart_fill_rect (cr, &color, x, 0, w, bar_h);
              if (values[face])
                {
                  _kiosk_chart_measure (layout, values[face], &text_w, NULL);
                  if (text_w + 2 * GAP <= w && text_h <= bar_h)
                    _kiosk_chart_show_text (cr, layout, &ink, values[face], x + (w - text_w) / 2.0,
                                            (bar_h - text_h) / 2.0);
                }
            }
          x += w;

          if (labels && labels[face])
            {
              _kiosk_chart_fill_rect (cr, &color, lx, bar_h + 2 * GAP + text_h * 0.15, text_h * 0.7,
                                      text_h * 0.7);
              lx += text_h * 0.7 + GAP;
              _kiosk_chart_measure (layout, labels[face], &text_w, NULL);
              _kiosk_chart_show_text (cr, layout, &style->text, labels[face], lx, bar_h + 2 * GAP);
              lx += text_w + 4 * GAP;
            }
        }
    }
  else
    {
      double row_h = height / scale;
      double left = label_w > 0 ? label_w + 2 * GAP : 0;
      double bar_max = width - left - value_w - 2 * GAP;
      /* A pale track the length of 100 %, so the bars read as shares of a whole. */
      KioskRgba track = _kiosk_chart_faded (&style->grid, 0.35);

      if (bar_max <= 0 || row_h < 4)
        goto out;

      /* Most positive on top. */
      for (guint row = 0; row < scale; row++)
        {
          guint face = scale - 1 - row;
          KioskRgba color = kiosk_chart_face_color (face, scale);
          double y = row * row_h;
          double thick = MAX (row_h * 0.6, MIN (row_h, 2));
          double w = total > 0 ? bar_max * (double) counts[face] / total : 0;

          if (labels && labels[face])
            {
              _kiosk_chart_measure (layout, labels[face], &text_w, NULL);
              _kiosk_chart_show_text (cr, layout, &style->text, labels[face], left - GAP - text_w,
                                      y + (row_h - text_h) / 2.0);
            }
          _kiosk_chart_fill_rect (cr, &track, left, y + (row_h - thick) / 2.0, bar_max, thick);
          if (w > 0)
            _kiosk_chart_fill_rect (cr, &color, left, y + (row_h - thick) / 2.0, w, thick);
          if (values[face])
            _kiosk_chart_show_text (cr, layout, &style->text, values[face], left + w + GAP,
                                    y + (row_h - text_h) / 2.0);
        }
    }

out:
  cairo_restore (cr);
}

/* Output */

static cairo_status_t
append_to_string (void                *closure,
                  const unsigned char *data,
                  unsigned int         length)
{
  g_string_append_len (closure, (const char *) data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* Prefixes every id cairo wrote, and every reference to one, with @prefix: cairo numbers its
 * glyphs, clips and patterns from 0 in each document, so two charts on one page would
 * otherwise share "glyph0-1" and draw each other's letters. */
static void
prefix_ids (GString    *out,
            const char *svg,
            const char *prefix)
{
  static const char *const markers[] = { " id=\"", "href=\"#", "url(#" };
  const char *p = svg;

  while (*p)
    {
      gboolean matched = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
        if (g_str_has_prefix (p, markers[i]))
          {
            g_string_append (out, markers[i]);
            g_string_append (out, prefix);
            p += strlen (markers[i]);
            matched = TRUE;
            break;
          }
      if (!matched)
        g_string_append_c (out, *p++);
    }
}

char *
kiosk_chart_svg (double              width,
                 double              height,
                 KioskChartDrawFunc  draw,
                 gpointer            data,
                 const char         *title)
{
  static gint counter;
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autofree char *prefix = NULL;
  g_autofree char *escaped = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  GString *out;
  const char *svg, *tag_end;

  g_return_val_if_fail (draw != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  surface = cairo_svg_surface_create_for_stream (append_to_string, raw, width, height);
  /* Unitless width and height: CSS pixels in a page, where "pt" would be a third bigger. */
  cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_USER);
  cr = cairo_create (surface);
  draw (cr, width, height, data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_warning ("Could not draw the chart “%s”: %s", title ? title : "",
                 cairo_status_to_string (status));
      return NULL;
    }

  svg = strstr (raw->str, "<svg");
  tag_end = svg ? strchr (svg, '>') : NULL;
  if (!tag_end)
    {
      g_warning ("cairo wrote no <svg> element for the chart “%s”", title ? title : "");
      return NULL;
    }

  prefix = g_strdup_printf ("kc%u-", (guint) g_atomic_int_add (&counter, 1));
  escaped = g_markup_escape_text (title ? title : "", -1);

  out = g_string_sized_new (raw->len + 128);
  g_string_append (out, "<svg role=\"img\"");
  /* The root's own attributes (size, viewBox, namespaces) carry no ids. */
  g_string_append_len (out, svg + 4, tag_end - svg - 4);
  g_string_append_printf (out, "><title>%s</title>", escaped);
  prefix_ids (out, tag_end + 1, prefix);
  /* cairo ends the document with a newline; an inline element does not need it. */
  while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]))
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

gboolean
kiosk_chart_png (const char          *filename,
                 int                  width,
                 int                  height,
                 KioskChartDrawFunc   draw,
                 gpointer             data,
                 GError             **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (filename != NULL && draw != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  draw (cr, width, height, data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png (surface, filename);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write the chart to %s: %s",
                   filename, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}

/* test-chart.c: the charts of kiosk-chart.c drawn on image surfaces and checked pixel by pixel
 * where the layout says a bar, a dot or a cell must be; the Happy Index; inline SVG. */
#define G_LOG_DOMAIN "test-chart"

#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "kiosk-chart.h"
#include "kiosk-test-util.h"

#define GAP 4.0   /* kiosk-chart.c's spacing */

/* Helpers */

static KioskChartStyle
test_style (void)
{
  KioskChartStyle style;

  kiosk_chart_style_init (&style);
  return style;
}

/* The size of @text in the chart's font, as kiosk-chart.c measures it. */
static void
text_size (const KioskChartStyle *style,
           const char            *text,
           int                   *width,
           int                   *height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (surface);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_new ();

  pango_font_description_set_family (desc, style->font_family);
  pango_font_description_set_absolute_size (desc, style->font_size * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, width, height);

  pango_font_description_free (desc);
  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
  int              width;
  int              height;
} Canvas;

static void
canvas_init (Canvas *canvas,
             int     width,
             int     height)
{
  canvas->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  canvas->cr = cairo_create (canvas->surface);
  canvas->width = width;
  canvas->height = height;
}

static void
canvas_clear (Canvas *canvas)
{
  cairo_destroy (canvas->cr);
  cairo_surface_destroy (canvas->surface);
}

/* The colour at pixel @x, @y (rounded down), on an opaque surface. */
static KioskRgba
pixel (Canvas *canvas,
       double  x,
       double  y)
{
  int ix = (int) floor (x), iy = (int) floor (y);
  const guint8 *data;
  guint32 argb;

  cairo_surface_flush (canvas->surface);
  g_assert_cmpint (ix, >=, 0);
  g_assert_cmpint (iy, >=, 0);
  g_assert_cmpint (ix, <, canvas->width);
  g_assert_cmpint (iy, <, canvas->height);
  data = cairo_image_surface_get_data (canvas->surface);
  argb = *(const guint32 *) (data + iy * cairo_image_surface_get_stride (canvas->surface) + ix * 4);

  return (KioskRgba) {
    (argb >> 16 & 0xff) / 255., (argb >> 8 & 0xff) / 255., (argb & 0xff) / 255.,
    (argb >> 24 & 0xff) / 255.
  };
}

static gboolean
same_color (KioskRgba a,
            KioskRgba b)
{
  return fabs (a.r - b.r) < 3 / 255. && fabs (a.g - b.g) < 3 / 255. &&
         fabs (a.b - b.b) < 3 / 255. && fabs (a.a - b.a) < 3 / 255.;
}

#define assert_color(canvas, x, y, expected) \
  G_STMT_START { \
    KioskRgba got_ = pixel ((canvas), (x), (y)), want_ = (expected); \
    if (!same_color (got_, want_)) \
      g_error ("pixel (%.1f, %.1f): got %.3f %.3f %.3f %.3f, expected %.3f %.3f %.3f %.3f", \
               (double) (x), (double) (y), got_.r, got_.g, got_.b, got_.a, \
               want_.r, want_.g, want_.b, want_.a); \
  } G_STMT_END

static const KioskRgba white = { 1, 1, 1, 1 };

/* Happy Index */

/* HappyOrNot's published example: 126 very happy, 60 happy, 16 unhappy, 17 very unhappy → 78. */
static void
test_happy_index_example (void)
{
  const guint64 counts[] = { 17, 16, 60, 126 };
  double index = kiosk_chart_happy_index (counts, 4);

  g_assert_cmpfloat_with_epsilon (index, 100.0 * 514 / 657, 1e-9);
  g_assert_cmpfloat (round (index), ==, 78);
}

static void
test_happy_index_edges (void)
{
  const guint64 none[] = { 0, 0, 0, 0 };
  const guint64 best[] = { 0, 0, 0, 7 };
  const guint64 worst[] = { 3, 0, 0, 0 };
  const guint64 weights[] = { 0, 1, 0, 0 };
  const guint64 middle_of_five[] = { 0, 0, 4, 0, 0 };
  const guint64 huge[] = { G_MAXUINT32, 0, 0, G_MAXUINT32 };

  g_assert_true (isnan (kiosk_chart_happy_index (none, 4)));
  g_assert_true (isnan (kiosk_chart_happy_index (NULL, 0)));
  g_assert_cmpfloat (kiosk_chart_happy_index (best, 4), ==, 100);
  g_assert_cmpfloat (kiosk_chart_happy_index (worst, 4), ==, 0);
  /* The weights of four faces: 0, 33.3, 66.7, 100. */
  g_assert_cmpfloat_with_epsilon (kiosk_chart_happy_index (weights, 4), 100 / 3.0, 1e-9);
  /* Generally face / (scale − 1) × 100. */
  g_assert_cmpfloat (kiosk_chart_happy_index (middle_of_five, 5), ==, 50);
  g_assert_cmpfloat (kiosk_chart_happy_index (huge, 4), ==, 50);
}

static void
test_nice_scale (void)
{
  const guint64 cases[][2] = {
    { 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 5 }, { 5, 5 }, { 6, 10 }, { 10, 10 }, { 11, 20 },
    { 21, 50 }, { 51, 100 }, { 999, 1000 }, { 1001, 2000 },
  };
  guint64 hours[24][KIOSK_CHART_FACES] = { { 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (kiosk_chart_nice_scale (cases[i][0]), ==, cases[i][1]);
  g_assert_cmpuint (kiosk_chart_nice_scale (G_MAXUINT64), ==, G_MAXUINT64);

  /* The hours' scale is the highest hour, every face summed. */
  g_assert_cmpuint (kiosk_chart_hours_scale (hours), ==, 0);
  hours[9][0] = 4;
  hours[9][3] = 4;
  hours[10][3] = 7;
  g_assert_cmpuint (kiosk_chart_hours_scale (hours), ==, 10);
}

static void
test_colors (void)
{
  /* On four faces the artwork's colours; other scales run from the same red to the same green. */
  g_assert_true (same_color (kiosk_chart_face_color (0, 4), kiosk_chart_face_colors[0]));
  g_assert_true (same_color (kiosk_chart_face_color (3, 4),
                             (KioskRgba) { 0x1e / 255., 0x7b / 255., 0x34 / 255., 1 }));
  g_assert_true (same_color (kiosk_chart_face_color (0, 5), kiosk_chart_face_colors[0]));
  g_assert_true (same_color (kiosk_chart_face_color (4, 5), kiosk_chart_face_colors[3]));
  /* Three faces: the middle one halfway between unhappy's pink and happy's green. */
  {
    KioskRgba middle = kiosk_chart_face_color (1, 3);
    KioskRgba pink = kiosk_chart_face_colors[1], green = kiosk_chart_face_colors[2];

    g_assert_cmpfloat_with_epsilon (middle.r, (pink.r + green.r) / 2, 1e-9);
    g_assert_cmpfloat_with_epsilon (middle.g, (pink.g + green.g) / 2, 1e-9);
  }
  /* The heat map's ends are the faces' ends. */
  g_assert_true (same_color (kiosk_chart_index_color (0), kiosk_chart_face_colors[0]));
  g_assert_true (same_color (kiosk_chart_index_color (100), kiosk_chart_face_colors[3]));
  g_assert_true (same_color (kiosk_chart_index_color (-5), kiosk_chart_face_colors[0]));
  g_assert_true (same_color (kiosk_chart_index_color (150), kiosk_chart_face_colors[3]));
}

/* The hours */

static void
test_hours_pixels (void)
{
  KioskChartStyle style = test_style ();
  guint64 counts[24][KIOSK_CHART_FACES] = { { 0 } };
  Canvas canvas;
  int top_w, text_h;
  double left, plot_w, plot_h, plot_top, base, slot;

  counts[12][3] = 10;   /* the tallest: all very happy */
  counts[6][0] = 5;     /* half very unhappy (on top), half very happy (at the bottom) */
  counts[6][3] = 5;
  counts[8][2] = 1;

  canvas_init (&canvas, 600, 300);
  kiosk_chart_draw_hours (canvas.cr, 600, 300, counts, NULL, "nothing", &style);
  g_assert_cmpint (cairo_status (canvas.cr), ==, CAIRO_STATUS_SUCCESS);

  /* kiosk-chart.c's layout: the scale's label sets the left margin and the text height. */
  text_size (&style, "10", &top_w, &text_h);
  left = top_w + 2 * GAP;
  plot_w = 600 - left;
  plot_top = text_h / 2.0;
  plot_h = 300 - (text_h + GAP) - plot_top;
  base = plot_top + plot_h;
  slot = plot_w / 24;

  /* The tallest bar reaches the top of the plot, in face 3's colour. */
  assert_color (&canvas, left + 12.5 * slot, plot_top + 2, kiosk_chart_face_colors[3]);
  assert_color (&canvas, left + 12.5 * slot, base - 2, kiosk_chart_face_colors[3]);
  /* Very happy at the bottom, very unhappy on top. */
  assert_color (&canvas, left + 6.5 * slot, base - plot_h * 0.25, kiosk_chart_face_colors[3]);
  assert_color (&canvas, left + 6.5 * slot, base - plot_h * 0.75, kiosk_chart_face_colors[0]);
  /* One of ten: a tenth of the height, and nothing above it. */
  assert_color (&canvas, left + 8.5 * slot, base - plot_h * 0.05, kiosk_chart_face_colors[2]);
  assert_color (&canvas, left + 8.5 * slot, base - plot_h * 0.15, white);
  /* An empty hour is background, and so is the gap between two bars. */
  assert_color (&canvas, left + 2.5 * slot, base - plot_h / 2, white);
  assert_color (&canvas, left + 12.05 * slot, base - plot_h / 2, white);

  canvas_clear (&canvas);
}

static void
test_hours_empty (void)
{
  KioskChartStyle style = test_style ();
  guint64 counts[24][KIOSK_CHART_FACES] = { { 0 } };
  Canvas canvas;
  gboolean inked = FALSE;

  style.background = (KioskRgba) { 0, 0, 0, 0 };
  canvas_init (&canvas, 400, 160);
  kiosk_chart_draw_hours (canvas.cr, 400, 160, counts, NULL, "No responses yet today", &style);

  /* Transparent ground; the message in the middle row of the plot. */
  g_assert_cmpfloat (pixel (&canvas, 399, 0).a, ==, 0);
  for (int x = 100; x < 300 && !inked; x++)
    for (int y = 60; y < 100 && !inked; y++)
      inked = pixel (&canvas, x, y).a > 0.5;
  g_assert_true (inked);

  canvas_clear (&canvas);

  /* Too small to draw: nothing, and no cairo error. */
  canvas_init (&canvas, 20, 10);
  kiosk_chart_draw_hours (canvas.cr, 20, 10, counts, NULL, NULL, &style);
  g_assert_cmpint (cairo_status (canvas.cr), ==, CAIRO_STATUS_SUCCESS);
  canvas_clear (&canvas);
}

/* The trend */

static void
test_trend_pixels (void)
{
  KioskChartStyle style = test_style ();
  KioskChartDay days[8] = {
    { 100, 40, "1" }, { 60, 20, "2" }, { 60, 20, "3" }, { NAN, 0, "4" },
    { 60, 10, "5" }, { 0, 5, "6" }, { NAN, 0, "7" }, { 80, 30, "8" },
  };
  Canvas canvas;
  int index_w, count_w, text_h;
  double left, plot_w, plot_h, top, base, slot;
  KioskRgba bar;

  canvas_init (&canvas, 640, 300);
  kiosk_chart_draw_trend (canvas.cr, 640, 300, days, G_N_ELEMENTS (days), NULL, NULL, &style);

  text_size (&style, "100", &index_w, &text_h);
  text_size (&style, "50", &count_w, NULL);   /* the nice scale of 40 */
  left = index_w + 2 * GAP;
  plot_w = 640 - left - (count_w + 2 * GAP);
  top = text_h / 2.0;
  plot_h = 300 - top - text_h - GAP;
  base = top + plot_h;
  slot = plot_w / G_N_ELEMENTS (days);

  /* A dot in the colour of its index: green at 100, red at 0. */
  assert_color (&canvas, left + 0.5 * slot, top, kiosk_chart_index_color (100));
  assert_color (&canvas, left + 5.5 * slot, base - 1.5, kiosk_chart_index_color (0));
  /* The line joins days 2 and 3; a day without responses leaves a gap. */
  g_assert_false (same_color (pixel (&canvas, left + 2 * slot, base - plot_h * 0.6), white));
  assert_color (&canvas, left + 3.5 * slot, base - plot_h * 0.6, white);
  assert_color (&canvas, left + 3 * slot, base - plot_h * 0.6, white);
  /* Responses as light bars in the lower part: 40 of 50 reaches 0.8 of that part. */
  bar = pixel (&canvas, left + 0.5 * slot, base - 3);
  g_assert_false (same_color (bar, white));
  g_assert_cmpfloat (bar.r, >, 0.75);
  assert_color (&canvas, left + 0.5 * slot, base - plot_h * 0.4 * 0.75, bar);
  assert_color (&canvas, left + 0.5 * slot, base - plot_h * 0.4 * 0.85, white);
  /* No responses, no bar. */
  assert_color (&canvas, left + 3.5 * slot, base - 3, white);

  canvas_clear (&canvas);

  /* Nothing at all, and one day: no error. */
  canvas_init (&canvas, 300, 200);
  kiosk_chart_draw_trend (canvas.cr, 300, 200, NULL, 0, "Happy Index", "Responses", &style);
  kiosk_chart_draw_trend (canvas.cr, 300, 200, days, 1, "Happy Index", "Responses", &style);
  g_assert_cmpint (cairo_status (canvas.cr), ==, CAIRO_STATUS_SUCCESS);
  canvas_clear (&canvas);
}

/* The heat map */

static const char *const weekdays[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static void
test_heatmap_pixels (void)
{
  KioskChartStyle style = test_style ();
  double index[7][24];
  guint64 counts[7][24] = { { 0 } };
  gboolean open[7][24];
  Canvas canvas;
  int label_w = 0, text_w, text_h;
  double left, top, plot_w, plot_h, cell_w, cell_h;
  KioskRgba low;

  for (int day = 0; day < 7; day++)
    for (int hour = 0; hour < 24; hour++)
      {
        index[day][hour] = NAN;
        open[day][hour] = hour >= 8 && hour < 20;
      }
  index[0][10] = 100;
  counts[0][10] = 20;
  index[1][10] = 0;
  counts[1][10] = 20;
  index[2][10] = 100;   /* but only two responses */
  counts[2][10] = 2;
  index[3][22] = 100;   /* closed: whatever the data says */
  counts[3][22] = 20;

  canvas_init (&canvas, 700, 300);
  kiosk_chart_draw_heatmap (canvas.cr, 700, 300, index, counts, open, 5, FALSE, weekdays,
                            &style);

  for (int day = 0; day < 7; day++)
    {
      text_size (&style, weekdays[day], &text_w, &text_h);
      label_w = MAX (label_w, text_w);
    }
  text_size (&style, "00", NULL, &text_h);
  left = label_w + 2 * GAP;
  top = text_h + GAP;
  plot_w = 700 - left;
  plot_h = 300 - top - (2 * GAP + 10 + text_h);
  cell_w = plot_w / 24;
  cell_h = plot_h / 7;

#define CELL_X(hour) (left + ((hour) + 0.5) * cell_w)
#define CELL_Y(day)  (top + ((day) + 0.5) * cell_h)

  assert_color (&canvas, CELL_X (10), CELL_Y (0), kiosk_chart_face_colors[3]);
  assert_color (&canvas, CELL_X (10), CELL_Y (1), kiosk_chart_face_colors[0]);
  /* Too few responses: grey, no colour claim. */
  low = pixel (&canvas, CELL_X (10), CELL_Y (2));
  g_assert_false (same_color (low, kiosk_chart_face_colors[3]));
  g_assert_cmpfloat (fabs (low.r - low.g), <, 0.02);
  g_assert_cmpfloat (fabs (low.g - low.b), <, 0.02);
  /* Closed: blank. */
  assert_color (&canvas, CELL_X (22), CELL_Y (3), white);
  assert_color (&canvas, CELL_X (2), CELL_Y (6), white);

#undef CELL_X
#undef CELL_Y

  canvas_clear (&canvas);
}

/* The faces */

static void
test_faces_pixels (void)
{
  KioskChartStyle style = test_style ();
  const guint64 counts[] = { 1, 1, 0, 2 };
  const char *const labels[] = { "Very unhappy", "Unhappy", "Happy", "Very happy" };
  Canvas canvas;

  /* One 100 % bar: very happy (half) at the left, then unhappy, then very unhappy. */
  canvas_init (&canvas, 400, 40);
  kiosk_chart_draw_faces (canvas.cr, 400, 40, counts, 4, KIOSK_CHART_FACES_STACKED, NULL, NULL,
                          &style);
  assert_color (&canvas, 2, 2, kiosk_chart_face_colors[3]);
  assert_color (&canvas, 198, 2, kiosk_chart_face_colors[3]);
  assert_color (&canvas, 202, 2, kiosk_chart_face_colors[1]);
  assert_color (&canvas, 302, 38, kiosk_chart_face_colors[0]);
  canvas_clear (&canvas);

  /* A bar per face, very happy on top; no bar for a face nobody pressed. */
  canvas_init (&canvas, 400, 200);
  kiosk_chart_draw_faces (canvas.cr, 400, 200, counts, 4, KIOSK_CHART_FACES_BARS, labels, NULL,
                          &style);
  {
    int label_w = 0, w, value_w;
    double left, bar_max;

    for (int i = 0; i < 4; i++)
      {
        text_size (&style, labels[i], &w, NULL);
        label_w = MAX (label_w, w);
      }
    text_size (&style, "50%", &value_w, NULL);
    left = label_w + 2 * GAP;
    bar_max = 400 - left - value_w - 2 * GAP;

    assert_color (&canvas, left + 1, 25, kiosk_chart_face_colors[3]);
    assert_color (&canvas, left + bar_max / 2 - 1, 25, kiosk_chart_face_colors[3]);
    assert_color (&canvas, left + bar_max / 4 - 1, 125, kiosk_chart_face_colors[1]);
    g_assert_false (same_color (pixel (&canvas, left + 1, 75), kiosk_chart_face_colors[2]));
  }
  canvas_clear (&canvas);
}

/* Output */

static void
draw_hours (cairo_t *cr,
            double   width,
            double   height,
            gpointer data)
{
  KioskChartStyle style = test_style ();

  kiosk_chart_draw_hours (cr, width, height, data, NULL, NULL, &style);
}

static void
check_element (GMarkupParseContext *context,
               const char          *element_name,
               const char         **attribute_names,
               const char         **attribute_values,
               gpointer             user_data,
               GError             **error)
{
  GHashTable *ids = user_data;

  for (guint i = 0; attribute_names[i]; i++)
    if (strcmp (attribute_names[i], "id") == 0)
      g_hash_table_add (ids, g_strdup (attribute_values[i]));
}

/* Parses @svg as XML (a tiny well-formedness check) and returns its ids. */
static GHashTable *
parse_svg (const char *svg)
{
  static const GMarkupParser parser = { .start_element = check_element };
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, ids, NULL);
  g_autoptr(GError) error = NULL;

  g_markup_parse_context_parse (context, svg, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  g_markup_parse_context_free (context);

  return ids;
}

/* Every "#id" the document refers to is one of its own ids. */
static void
assert_references_resolve (const char *svg,
                           GHashTable *ids)
{
  g_autoptr(GRegex) regex = g_regex_new ("(?:href=\"#|url\\(#)([^\")]+)", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint n = 0;

  g_regex_match (regex, svg, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *id = g_match_info_fetch (match, 1);

      g_assert_true (g_hash_table_contains (ids, id));
      n++;
      g_match_info_next (match, NULL);
    }
  /* The labels are glyphs the document defines and uses. */
  g_assert_cmpuint (n, >, 0);
}

static void
test_svg (void)
{
  guint64 counts[24][KIOSK_CHART_FACES] = { { 0 } };
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autoptr(GHashTable) ids_one = NULL;
  g_autoptr(GHashTable) ids_two = NULL;
  GHashTableIter iter;
  const char *id;

  counts[9][3] = 3;
  counts[10][0] = 1;
  one = kiosk_chart_svg (480, 200, draw_hours, counts, "Responses <per hour> & \"today\"");
  two = kiosk_chart_svg (480, 200, draw_hours, counts, "Again");
  g_assert_nonnull (one);
  g_assert_nonnull (two);

  g_assert_true (g_str_has_prefix (one, "<svg "));
  g_assert_null (strstr (one, "<?xml"));
  g_assert_nonnull (strstr (one, " role=\"img\""));
  g_assert_nonnull (strstr (one, "<title>Responses &lt;per hour&gt; &amp; &quot;today&quot;"
                                 "</title>"));
  g_assert_nonnull (strstr (one, "viewBox=\"0 0 480 200\""));
  g_assert_true (g_str_has_suffix (one, "</svg>"));

  ids_one = parse_svg (one);
  ids_two = parse_svg (two);
  assert_references_resolve (one, ids_one);
  assert_references_resolve (two, ids_two);

  /* Two charts in one page never share an id. */
  g_assert_cmpuint (g_hash_table_size (ids_one), >, 0);
  g_hash_table_iter_init (&iter, ids_one);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    g_assert_false (g_hash_table_contains (ids_two, id));
}

static void
test_png (void)
{
  guint64 counts[24][KIOSK_CHART_FACES] = { { 0 } };
  g_autofree char *dir = kiosk_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "hours.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "hours.png", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;

  counts[12][2] = 4;
  g_assert_true (kiosk_chart_png (path, 320, 120, draw_hours, counts, &error));
  g_assert_no_error (error);
  surface = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 320);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 120);
  cairo_surface_destroy (surface);

  /* A folder that is not there: the error names the file and says why. */
  g_assert_false (kiosk_chart_png (bad, 320, 120, draw_hours, counts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, bad));

  kiosk_test_rm_rf (dir);
}

/* Sample renders for docs/charts/ (copied from the build directory by hand): a month of a
 * café's data, deterministic. */

static guint32 seed = 12345;

static double
sample_random (void)
{
  seed = seed * 1103515245 + 12345;
  return (seed >> 8 & 0xffff) / 65536.0;
}

static void
draw_sample_trend (cairo_t *cr,
                   double   width,
                   double   height,
                   gpointer data)
{
  KioskChartStyle style = test_style ();
  KioskChartDay days[30];
  char labels[30][16];

  seed = 7;
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    {
      gboolean closed = i % 7 == 6 || i == 17;

      g_snprintf (labels[i], sizeof labels[i], "%u Jun", i + 1);
      days[i].label = labels[i];
      days[i].responses = closed ? 0 : 40 + (guint64) (sample_random () * 120);
      days[i].index = closed ? NAN : 62 + sample_random () * 25 - (i == 11 ? 30 : 0);
    }
  kiosk_chart_draw_trend (cr, width, height, days, G_N_ELEMENTS (days), "Happy Index",
                          "Responses", &style);
}

static void
draw_sample_heatmap (cairo_t *cr,
                     double   width,
                     double   height,
                     gpointer data)
{
  KioskChartStyle style = test_style ();
  double index[7][24];
  guint64 counts[7][24];
  gboolean open[7][24];

  seed = 11;
  for (int day = 0; day < 7; day++)
    for (int hour = 0; hour < 24; hour++)
      {
        open[day][hour] = day < 6 ? hour >= 8 && hour < 20 : hour >= 10 && hour < 16;
        counts[day][hour] = open[day][hour] ? (guint64) (sample_random () * 40) : 0;
        if (hour == 8 || hour == 19)
          counts[day][hour] /= 10;
        index[day][hour] = 55 + sample_random () * 40 - (hour == 12 || hour == 13 ? 25 : 0);
      }
  kiosk_chart_draw_heatmap (cr, width, height, index, counts, open, 5, TRUE, weekdays, &style);
}

static const guint64 sample_faces[] = { 17, 16, 60, 126 };
static const char *const sample_labels[] = { "Very unhappy", "Unhappy", "Happy", "Very happy" };

static void
draw_sample_faces_stacked (cairo_t *cr,
                           double   width,
                           double   height,
                           gpointer data)
{
  KioskChartStyle style = test_style ();

  kiosk_chart_draw_faces (cr, width, height, sample_faces, 4, KIOSK_CHART_FACES_STACKED,
                          sample_labels, NULL, &style);
}

static void
draw_sample_faces_bars (cairo_t *cr,
                        double   width,
                        double   height,
                        gpointer data)
{
  KioskChartStyle style = test_style ();

  kiosk_chart_draw_faces (cr, width, height, sample_faces, 4, KIOSK_CHART_FACES_BARS,
                          sample_labels, NULL, &style);
}

static void
draw_sample_hours (cairo_t *cr,
                   double   width,
                   double   height,
                   gpointer data)
{
  KioskChartStyle style = test_style ();
  guint64 counts[24][KIOSK_CHART_FACES] = { { 0 } };

  seed = 3;
  for (int hour = 8; hour < 20; hour++)
    for (int face = 0; face < KIOSK_CHART_FACES; face++)
      counts[hour][face] = (guint64) (sample_random () * (face + 1) * 3);
  kiosk_chart_draw_hours (cr, width, height, counts, NULL, NULL, &style);
}

static void
test_sample_renders (void)
{
  const struct
  {
    const char        *name;
    int                width;
    int                height;
    KioskChartDrawFunc draw;
  } renders[] = {
    { "chart-hours.png", 800, 300, draw_sample_hours },
    { "chart-trend.png", 800, 300, draw_sample_trend },
    { "chart-heatmap.png", 800, 300, draw_sample_heatmap },
    { "chart-faces-stacked.png", 800, 60, draw_sample_faces_stacked },
    { "chart-faces-bars.png", 800, 160, draw_sample_faces_bars },
  };

  for (guint i = 0; i < G_N_ELEMENTS (renders); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_BUILT, renders[i].name, NULL);
      g_autofree char *svg = NULL;
      g_autoptr(GHashTable) ids = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (kiosk_chart_png (path, renders[i].width, renders[i].height,
                                      renders[i].draw, NULL, &error));
      g_assert_no_error (error);

      /* Every chart also makes a well-formed inline SVG. */
      svg = kiosk_chart_svg (renders[i].width, renders[i].height, renders[i].draw, NULL,
                             renders[i].name);
      ids = parse_svg (svg);
      assert_references_resolve (svg, ids);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart/happy-index/published-example", test_happy_index_example);
  g_test_add_func ("/chart/happy-index/edges", test_happy_index_edges);
  g_test_add_func ("/chart/nice-scale", test_nice_scale);
  g_test_add_func ("/chart/colors", test_colors);
  g_test_add_func ("/chart/hours/pixels", test_hours_pixels);
  g_test_add_func ("/chart/hours/empty", test_hours_empty);
  g_test_add_func ("/chart/trend/pixels", test_trend_pixels);
  g_test_add_func ("/chart/heatmap/pixels", test_heatmap_pixels);
  g_test_add_func ("/chart/faces/pixels", test_faces_pixels);
  g_test_add_func ("/chart/svg", test_svg);
  g_test_add_func ("/chart/png", test_png);
  g_test_add_func ("/chart/sample-renders", test_sample_renders);

  return g_test_run ();
}

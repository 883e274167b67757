/* test-artwork.c: the faces and the thank-you mark drawn by kiosk-artwork.c look as librsvg
 * draws the same files (measured pixel by pixel at three sizes), and artwork outside the
 * supported part of SVG is refused with its file and line. */
#define G_LOG_DOMAIN "test-artwork"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <math.h>

#include "kiosk-artwork.h"

static const char *const artwork_resources[] = {
  "/org/smileykiosk/SmileyKiosk/faces/face-0.svg",
  "/org/smileykiosk/SmileyKiosk/faces/face-1.svg",
  "/org/smileykiosk/SmileyKiosk/faces/face-2.svg",
  "/org/smileykiosk/SmileyKiosk/faces/face-3.svg",
  "/org/smileykiosk/SmileyKiosk/thanks.svg",
};

/* Un-premultiplied RGBA of one pixel of a cairo ARGB32 surface. */
static void
cairo_pixel (cairo_surface_t *surface,
             int              x,
             int              y,
             double           rgba[4])
{
  const guint8 *row = cairo_image_surface_get_data (surface) +
                      y * cairo_image_surface_get_stride (surface);
  guint32 pixel = ((const guint32 *) row)[x];
  double alpha = (pixel >> 24) / 255.0;

  rgba[3] = alpha;
  for (int i = 0; i < 3; i++)
    rgba[i] = alpha > 0 ? ((pixel >> (16 - 8 * i)) & 0xff) / 255.0 / alpha : 0;
}

static void
pixbuf_pixel (GdkPixbuf *pixbuf,
              int        x,
              int        y,
              double     rgba[4])
{
  const guint8 *p = gdk_pixbuf_read_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) +
                    x * gdk_pixbuf_get_n_channels (pixbuf);

  for (int i = 0; i < 4; i++)
    rgba[i] = p[i] / 255.0;
}

static void
test_looks_like_librsvg (void)
{
  static const int sizes[] = { 48, 256, 700 };

  for (guint r = 0; r < G_N_ELEMENTS (artwork_resources); r++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(KioskArtwork) artwork = kiosk_artwork_load (artwork_resources[r], &error);
        g_autoptr(GInputStream) stream = NULL;
        g_autoptr(GdkPixbuf) reference = NULL;
        cairo_surface_t *surface;
        int size = sizes[s];
        double total = 0;
        guint differing = 0;

        g_assert_no_error (error);
        stream = g_resources_open_stream (artwork_resources[r], 0, &error);
        g_assert_no_error (error);
        reference = gdk_pixbuf_new_from_stream_at_scale (stream, size, size, TRUE, NULL, &error);
        if (reference == NULL)
          {
            g_test_skip_printf ("gdk-pixbuf cannot read SVG here (%s); install librsvg2-common",
                                error->message);
            return;
          }
        g_assert_cmpint (gdk_pixbuf_get_width (reference), ==, size);

        surface = kiosk_artwork_rasterise (artwork, size);
        for (int y = 0; y < size; y++)
          for (int x = 0; x < size; x++)
            {
              double ours[4], theirs[4], worst = 0;

              cairo_pixel (surface, x, y, ours);
              pixbuf_pixel (reference, x, y, theirs);
              /* Colour counts only where there is some: a fully transparent pixel has none. */
              worst = fabs (ours[3] - theirs[3]);
              for (int i = 0; i < 3; i++)
                worst = MAX (worst, fabs (ours[i] * ours[3] - theirs[i] * theirs[3]));
              total += worst;
              if (worst > 0.25)
                differing++;
            }
        cairo_surface_destroy (surface);

        g_test_message ("%s at %d px: mean difference %.4f, %u of %d pixels differ by > 25 %%",
                        artwork_resources[r], size, total / (size * size), differing,
                        size * size);
        /* Antialiasing differs at the edges; a shape or colour drawn wrong moves both figures
         * far beyond these. */
        g_assert_cmpfloat (total / (size * size), <, 0.002);
        g_assert_cmpuint (differing, <=, (guint) (size * size) / 1000);
      }
}

typedef struct
{
  const char *svg;
  int         code;
  const char *message;
} Refused;

static void
test_refused (void)
{
  static const Refused cases[] = {
    { "<svg viewBox=\"0 0 10 10\">\n  <text>hi</text>\n</svg>", KIOSK_ARTWORK_ERROR_UNSUPPORTED,
      "bad.svg:2: <text> is not supported; the artwork may use svg, g, circle, ellipse, rect and "
      "path" },
    { "<svg viewBox=\"0 0 10 10\">\n\n  <path d=\"M 1 1 A 2 2 0 0 1 5 5\"/>\n</svg>",
      KIOSK_ARTWORK_ERROR_UNSUPPORTED,
      "bad.svg:3: path command 'A' is not supported (M, L, H, V, Q, C and Z are)" },
    { "<svg viewBox=\"0 0 10 10\">\n  <circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"red\"/>\n</svg>",
      KIOSK_ARTWORK_ERROR_UNSUPPORTED,
      "bad.svg:2: fill=\"red\": a colour is #rgb, #rrggbb, black, white or none" },
    { "<svg viewBox=\"0 0 10 10\">\n  <circle cx=\"5\" cy=\"5\" r=\"4\" transform=\"scale(2)\"/>"
      "\n</svg>", KIOSK_ARTWORK_ERROR_UNSUPPORTED,
      "bad.svg:2: attribute transform on <circle> is not supported" },
    { "<svg viewBox=\"0 0 10 10\">\n  <ellipse cx=\"5\" cy=\"5\" rx=\"4\"/>\n</svg>",
      KIOSK_ARTWORK_ERROR_INVALID, "bad.svg:2: <ellipse> needs ry" },
    { "<svg viewBox=\"0 0 10 10\">\n  <circle cx=\"5\" cy=\"five\" r=\"4\"/>\n</svg>",
      KIOSK_ARTWORK_ERROR_INVALID, "bad.svg:2: cy=\"five\" is not a number" },
    { "<svg viewBox=\"0 0 10 10\">\n  <path d=\"M 1 1 L 2\"/>\n</svg>",
      KIOSK_ARTWORK_ERROR_INVALID,
      "bad.svg:2: path command 'L' in \"M 1 1 L 2\" needs 2 numbers" },
    { "<svg width=\"10\" height=\"10\">\n</svg>", KIOSK_ARTWORK_ERROR_INVALID,
      "bad.svg:1: <svg> needs a viewBox" },
    { "<svg viewBox=\"0 0 0 10\"/>", KIOSK_ARTWORK_ERROR_INVALID,
      "bad.svg:1: viewBox=\"0 0 0 10\" has no area" },
    { "<circle cx=\"5\" cy=\"5\" r=\"4\"/>", KIOSK_ARTWORK_ERROR_INVALID,
      "bad.svg:1: <circle> outside <svg>" },
    { "<svg viewBox=\"0 0 10 10\">\n  <circle cx=\"5\" cy=\"5\" r=\"4\">\n</svg>",
      KIOSK_ARTWORK_ERROR_PARSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskArtwork) artwork = kiosk_artwork_parse ("bad.svg", cases[i].svg, -1, &error);

      g_assert_null (artwork);
      g_assert_error (error, KIOSK_ARTWORK_ERROR, cases[i].code);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      else
        g_assert_true (g_str_has_prefix (error->message, "bad.svg: Error on line 3"));
    }
}

/* What the artwork files may also use: groups passing their style on, relative commands, short
 * colours, rectangles. Each pixel is checked where its colour is known. */
static void
test_subset (void)
{
  static const char svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\">\n"
    "  <!-- left half: a rectangle from relative path data, inheriting the group's fill -->\n"
    "  <g fill=\"#f00\" stroke=\"none\">\n"
    "    <path d=\"m 0 0 h 50 v 50 H 0 z\"/>\n"
    "  </g>\n"
    "  <rect x=\"50\" y=\"0\" width=\"50\" height=\"50\" fill=\"#0000ff\"/>\n"
    "</svg>\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskArtwork) artwork = kiosk_artwork_parse ("subset.svg", svg, -1, &error);
  cairo_surface_t *surface;
  double rgba[4];

  g_assert_no_error (error);
  surface = kiosk_artwork_rasterise (artwork, 100);

  /* 100 x 50 in a 100 px square: centred, rows 25 to 74. */
  cairo_pixel (surface, 10, 10, rgba);
  g_assert_cmpfloat (rgba[3], ==, 0);
  cairo_pixel (surface, 10, 50, rgba);
  g_assert_cmpfloat (rgba[0], ==, 1);
  g_assert_cmpfloat (rgba[2], ==, 0);
  g_assert_cmpfloat (rgba[3], ==, 1);
  cairo_pixel (surface, 90, 50, rgba);
  g_assert_cmpfloat (rgba[0], ==, 0);
  g_assert_cmpfloat (rgba[2], ==, 1);
  cairo_pixel (surface, 90, 90, rgba);
  g_assert_cmpfloat (rgba[3], ==, 0);
  cairo_surface_destroy (surface);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/artwork/looks-like-librsvg", test_looks_like_librsvg);
  g_test_add_func ("/artwork/refused", test_refused);
  g_test_add_func ("/artwork/subset", test_subset);

  return g_test_run ();
}

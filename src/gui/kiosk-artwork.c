/* kiosk-artwork.c: reads the small part of SVG that the kiosk's artwork uses (svg, g, circle,
 * ellipse, rect and path with M L H V Q C Z, flat fills and strokes) and draws it with cairo.
 * gdk-pixbuf's SVG loader would bring librsvg and libxml2 into every kiosk for five drawings;
 * anything outside this subset is refused with its file and line, never drawn wrong. */
#define G_LOG_DOMAIN "kiosk-artwork"

#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "kiosk-artwork.h"

typedef struct
{
  gboolean set;
  gboolean none;
  double   rgb[3];
} Paint;

typedef struct
{
  Paint              fill;
  Paint              stroke;
  double             stroke_width;      /* < 0: inherited */
  cairo_line_cap_t   cap;
  cairo_line_join_t  join;
  gboolean           cap_set;
  gboolean           join_set;
} Style;

typedef struct
{
  cairo_path_t *path;
  Style         style;                  /* resolved: every member set */
} Shape;

struct _KioskArtwork
{
  double     view[4];                   /* min-x, min-y, width, height */
  GPtrArray *shapes;                    /* Shape* */
};

typedef struct
{
  const char          *name;
  GMarkupParseContext *context;
  KioskArtwork        *artwork;
  GArray              *styles;          /* Style, one per open element */
  cairo_surface_t     *scratch;
  cairo_t             *cr;              /* builds paths in the viewBox's units */
  gboolean             seen_svg;
} Parser;

G_DEFINE_QUARK (kiosk-artwork-error-quark, kiosk_artwork_error)

static void
shape_free (gpointer data)
{
  Shape *shape = data;

  cairo_path_destroy (shape->path);
  g_free (shape);
}

void
kiosk_artwork_free (KioskArtwork *artwork)
{
  if (artwork == NULL)
    return;

  g_ptr_array_unref (artwork->shapes);
  g_free (artwork);
}

static gboolean
fail (Parser      *parser,
      GError     **error,
      int          code,
      const char  *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Parser      *parser,
      GError     **error,
      int          code,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;
  int line = 0;
  int column = 0;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* GMarkup calls back for a start tag one character after its '>': a newline there has
   * already moved it to the next line. */
  g_markup_parse_context_get_position (parser->context, &line, &column);
  if (column <= 1 && line > 1)
    line--;
  g_set_error (error, KIOSK_ARTWORK_ERROR, code, "%s:%d: %s", parser->name, line, message);
  return FALSE;
}

static gboolean
parse_number (const char  **cursor,
              double       *value)
{
  const char *p = *cursor;
  char *end = NULL;

  while (g_ascii_isspace (*p) || *p == ',')
    p++;
  if (*p == '\0')
    return FALSE;

  *value = g_ascii_strtod (p, &end);
  if (end == p || !isfinite (*value))
    return FALSE;

  *cursor = end;
  return TRUE;
}

static gboolean
parse_length (Parser      *parser,
              const char  *attribute,
              const char  *text,
              double      *value,
              GError     **error)
{
  const char *cursor = text;

  if (!parse_number (&cursor, value))
    return fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID, "%s=\"%s\" is not a number",
                 attribute, text);

  /* Pixels are the viewBox's units here; "px" says the same. */
  if (g_str_has_prefix (cursor, "px"))
    cursor += 2;
  while (g_ascii_isspace (*cursor))
    cursor++;
  if (*cursor != '\0')
    return fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED,
                 "%s=\"%s\": only plain numbers are supported", attribute, text);

  return TRUE;
}

static gboolean
parse_paint (Parser      *parser,
             const char  *attribute,
             const char  *text,
             Paint       *paint,
             GError     **error)
{
  static const struct { const char *name; const char *hex; } named[] = {
    { "black", "#000000" }, { "white", "#ffffff" },
  };
  guint64 value;
  size_t length;

  paint->set = TRUE;
  paint->none = g_strcmp0 (text, "none") == 0;
  if (paint->none)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    if (g_ascii_strcasecmp (text, named[i].name) == 0)
      text = named[i].hex;

  length = strlen (text);
  if (text[0] != '#' || (length != 4 && length != 7) ||
      !g_ascii_string_to_unsigned (text + 1, 16, 0, G_MAXUINT32, &value, NULL))
    return fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED,
                 "%s=\"%s\": a colour is #rgb, #rrggbb, black, white or none", attribute, text);

  for (int i = 0; i < 3; i++)
    {
      guint channel;

      if (length == 4)
        channel = ((value >> (8 - 4 * i)) & 0xf) * 0x11;
      else
        channel = (value >> (16 - 8 * i)) & 0xff;
      paint->rgb[i] = channel / 255.0;
    }

  return TRUE;
}

static gboolean
parse_keyword (Parser      *parser,
               const char  *attribute,
               const char  *text,
               const char  *const *words,
               int         *value,
               GError     **error)
{
  for (int i = 0; words[i] != NULL; i++)
    if (g_strcmp0 (text, words[i]) == 0)
      {
        *value = i;
        return TRUE;
      }

  return fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED, "%s=\"%s\" is not supported",
               attribute, text);
}

/* Presentation attributes: set on the element's style. Returns FALSE with @error set for a
 * value it cannot draw, and leaves *handled FALSE for an attribute that is not one of them. */
static gboolean
parse_style_attribute (Parser      *parser,
                       Style       *style,
                       const char  *attribute,
                       const char  *value,
                       gboolean    *handled,
                       GError     **error)
{
  /* In the order of cairo's enums. */
  static const char *const caps[] = { "butt", "round", "square", NULL };
  static const char *const joins[] = { "miter", "round", "bevel", NULL };
  int keyword = 0;

  *handled = TRUE;

  if (g_str_equal (attribute, "fill"))
    return parse_paint (parser, attribute, value, &style->fill, error);
  if (g_str_equal (attribute, "stroke"))
    return parse_paint (parser, attribute, value, &style->stroke, error);
  if (g_str_equal (attribute, "stroke-width"))
    {
      if (!parse_length (parser, attribute, value, &style->stroke_width, error))
        return FALSE;
      if (style->stroke_width < 0)
        return fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID,
                     "stroke-width=\"%s\" is negative", value);
      return TRUE;
    }
  if (g_str_equal (attribute, "stroke-linecap"))
    {
      if (!parse_keyword (parser, attribute, value, caps, &keyword, error))
        return FALSE;
      style->cap = keyword;
      style->cap_set = TRUE;
      return TRUE;
    }
  if (g_str_equal (attribute, "stroke-linejoin"))
    {
      if (!parse_keyword (parser, attribute, value, joins, &keyword, error))
        return FALSE;
      style->join = keyword;
      style->join_set = TRUE;
      return TRUE;
    }

  *handled = FALSE;
  return TRUE;
}

static void
inherit (Style       *style,
         const Style *parent)
{
  if (!style->fill.set)
    style->fill = parent->fill;
  if (!style->stroke.set)
    style->stroke = parent->stroke;
  if (style->stroke_width < 0)
    style->stroke_width = parent->stroke_width;
  if (!style->cap_set)
    {
      style->cap = parent->cap;
      style->cap_set = TRUE;
    }
  if (!style->join_set)
    {
      style->join = parent->join;
      style->join_set = TRUE;
    }
}

static gboolean
path_data (Parser      *parser,
           const char  *d,
           GError     **error)
{
  cairo_t *cr = parser->cr;
  const char *cursor = d;
  char command = 0;
  double x = 0, y = 0;           /* the current point */
  double start_x = 0, start_y = 0;

  for (;;)
    {
      gboolean relative;
      double v[6];
      int count;

      while (g_ascii_isspace (*cursor) || *cursor == ',')
        cursor++;
      if (*cursor == '\0')
        return TRUE;

      if (g_ascii_isalpha (*cursor))
        command = *cursor++;
      else if (command == 0)
        return fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID,
                     "path data \"%s\" does not start with a command", d);

      relative = g_ascii_islower (command);
      switch (g_ascii_toupper (command))
        {
        case 'Z':
          cairo_close_path (cr);
          x = start_x, y = start_y;
          command = 0;
          continue;
        case 'H':
        case 'V':
          count = 1;
          break;
        case 'M':
        case 'L':
          count = 2;
          break;
        case 'Q':
          count = 4;
          break;
        case 'C':
          count = 6;
          break;
        default:
          return fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED,
                       "path command '%c' is not supported (M, L, H, V, Q, C and Z are)",
                       command);
        }

      for (int i = 0; i < count; i++)
        if (!parse_number (&cursor, &v[i]))
          return fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID,
                       "path command '%c' in \"%s\" needs %d numbers", command, d, count);

      if (relative)
        for (int i = 0; i < count; i++)
          v[i] += (g_ascii_toupper (command) == 'V' || (count > 1 && i % 2 == 1)) ? y : x;

      switch (g_ascii_toupper (command))
        {
        case 'M':
          cairo_move_to (cr, v[0], v[1]);
          start_x = v[0], start_y = v[1];
          /* Pairs after a moveto are linetos. */
          command = relative ? 'l' : 'L';
          x = v[0], y = v[1];
          break;
        case 'L':
          cairo_line_to (cr, v[0], v[1]);
          x = v[0], y = v[1];
          break;
        case 'H':
          cairo_line_to (cr, v[0], y);
          x = v[0];
          break;
        case 'V':
          cairo_line_to (cr, x, v[0]);
          y = v[0];
          break;
        case 'Q':
          /* A quadratic Bézier is the cubic whose controls are 2/3 of the way to its one. */
          cairo_curve_to (cr, x + 2.0 / 3.0 * (v[0] - x), y + 2.0 / 3.0 * (v[1] - y),
                          v[2] + 2.0 / 3.0 * (v[0] - v[2]), v[3] + 2.0 / 3.0 * (v[1] - v[3]),
                          v[2], v[3]);
          x = v[2], y = v[3];
          break;
        case 'C':
          cairo_curve_to (cr, v[0], v[1], v[2], v[3], v[4], v[5]);
          x = v[4], y = v[5];
          break;
        default:
          g_assert_not_reached ();
        }

      if (cairo_status (cr) == CAIRO_STATUS_NO_CURRENT_POINT)
        return fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID,
                     "path data \"%s\" draws before its first M", d);
    }
}

typedef struct
{
  const char *name;
  double      value;
  gboolean    seen;
} Geometry;

/* The geometry attributes of a shape element, by name; every one of them is required. */
static gboolean
shape_geometry (Parser       *parser,
                Geometry     *geometry,
                guint         n_geometry,
                const char   *attribute,
                const char   *value,
                gboolean     *handled,
                GError      **error)
{
  for (guint i = 0; i < n_geometry; i++)
    if (g_str_equal (attribute, geometry[i].name))
      {
        *handled = TRUE;
        geometry[i].seen = TRUE;
        return parse_length (parser, attribute, value, &geometry[i].value, error);
      }

  return TRUE;
}

static gboolean
is_ignored_attribute (const char *element,
                      const char *attribute)
{
  static const char *const always[] = { "id", "class", "version", "xmlns", NULL };

  if (g_strv_contains (always, attribute) || g_str_has_prefix (attribute, "xmlns:"))
    return TRUE;

  return g_str_equal (element, "svg") &&
         (g_str_equal (attribute, "width") || g_str_equal (attribute, "height"));
}

static void
start_element (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  Parser *parser = user_data;
  Style style = { .stroke_width = -1 };
  Geometry geometry[4] = { { NULL } };
  guint n_geometry = 0;
  const char *d = NULL;
  const char *view_box = NULL;

  if (g_str_equal (element, "circle"))
    {
      geometry[0].name = "cx", geometry[1].name = "cy", geometry[2].name = "r";
      n_geometry = 3;
    }
  else if (g_str_equal (element, "ellipse"))
    {
      geometry[0].name = "cx", geometry[1].name = "cy";
      geometry[2].name = "rx", geometry[3].name = "ry";
      n_geometry = 4;
    }
  else if (g_str_equal (element, "rect"))
    {
      geometry[0].name = "x", geometry[1].name = "y";
      geometry[2].name = "width", geometry[3].name = "height";
      n_geometry = 4;
    }
  else if (g_str_equal (element, "svg"))
    {
      if (parser->seen_svg)
        {
          fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED, "a nested <svg> is not supported");
          return;
        }
      parser->seen_svg = TRUE;
    }
  else if (!g_str_equal (element, "g") && !g_str_equal (element, "path"))
    {
      fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED,
            "<%s> is not supported; the artwork may use svg, g, circle, ellipse, rect and path",
            element);
      return;
    }

  if (!parser->seen_svg)
    {
      fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID, "<%s> outside <svg>", element);
      return;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      gboolean handled = FALSE;

      if (!parse_style_attribute (parser, &style, names[i], values[i], &handled, error) ||
          !shape_geometry (parser, geometry, n_geometry, names[i], values[i], &handled,
                           error))
        return;
      if (handled || is_ignored_attribute (element, names[i]))
        continue;

      if (g_str_equal (element, "path") && g_str_equal (names[i], "d"))
        d = values[i];
      else if (g_str_equal (element, "svg") && g_str_equal (names[i], "viewBox"))
        view_box = values[i];
      else
        {
          fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED,
                "attribute %s on <%s> is not supported", names[i], element);
          return;
        }
    }

  if (parser->styles->len > 0)
    inherit (&style, &g_array_index (parser->styles, Style, parser->styles->len - 1));
  g_array_append_val (parser->styles, style);

  if (g_str_equal (element, "svg"))
    {
      const char *cursor = view_box;
      double *view = parser->artwork->view;

      if (view_box == NULL)
        {
          fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID, "<svg> needs a viewBox");
          return;
        }
      for (int i = 0; i < 4; i++)
        if (!parse_number (&cursor, &view[i]))
          {
            fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID,
                  "viewBox=\"%s\" is not four numbers", view_box);
            return;
          }
      if (view[2] <= 0 || view[3] <= 0)
        fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID,
              "viewBox=\"%s\" has no area", view_box);
      return;
    }

  if (g_str_equal (element, "g"))
    return;

  for (guint i = 0; i < n_geometry; i++)
    if (!geometry[i].seen)
      {
        fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID, "<%s> needs %s", element,
              geometry[i].name);
        return;
      }

  cairo_new_path (parser->cr);
  if (g_str_equal (element, "path"))
    {
      if (d == NULL)
        {
          fail (parser, error, KIOSK_ARTWORK_ERROR_INVALID, "<path> needs d");
          return;
        }
      if (!path_data (parser, d, error))
        return;
    }
  else if (g_str_equal (element, "rect"))
    cairo_rectangle (parser->cr, geometry[0].value, geometry[1].value, geometry[2].value,
                     geometry[3].value);
  else
    {
      double rx = geometry[2].value;
      double ry = n_geometry == 4 ? geometry[3].value : rx;

      cairo_save (parser->cr);
      cairo_translate (parser->cr, geometry[0].value, geometry[1].value);
      cairo_scale (parser->cr, MAX (rx, 1e-6), MAX (ry, 1e-6));
      cairo_new_sub_path (parser->cr);
      cairo_arc (parser->cr, 0, 0, 1, 0, 2 * G_PI);
      cairo_close_path (parser->cr);
      cairo_restore (parser->cr);
    }

  {
    Shape *shape = g_new0 (Shape, 1);

    shape->path = cairo_copy_path (parser->cr);
    shape->style = g_array_index (parser->styles, Style, parser->styles->len - 1);
    g_ptr_array_add (parser->artwork->shapes, shape);
  }
}

static void
end_element (GMarkupParseContext  *context,
             const char           *element,
             gpointer              user_data,
             GError              **error)
{
  Parser *parser = user_data;

  if (parser->styles->len > 0)
    g_array_set_size (parser->styles, parser->styles->len - 1);
}

static void
text (GMarkupParseContext  *context,
      const char           *text,
      gsize                 length,
      gpointer              user_data,
      GError              **error)
{
  Parser *parser = user_data;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      {
        fail (parser, error, KIOSK_ARTWORK_ERROR_UNSUPPORTED, "text in <%s> is not supported",
              g_markup_parse_context_get_element (context));
        return;
      }
}

KioskArtwork *
kiosk_artwork_parse (const char  *name,
                     const char  *svg,
                     gssize       length,
                     GError     **error)
{
  static const GMarkupParser callbacks = { start_element, end_element, text, NULL, NULL };
  /* SVG's initial values: a black fill, no stroke, 1 unit wide, butt caps, miter joins. */
  static const Style initial = {
    .fill = { TRUE, FALSE, { 0, 0, 0 } }, .stroke = { TRUE, TRUE, { 0, 0, 0 } },
    .stroke_width = 1, .cap = CAIRO_LINE_CAP_BUTT, .join = CAIRO_LINE_JOIN_MITER,
    .cap_set = TRUE, .join_set = TRUE,
  };
  g_autoptr(KioskArtwork) artwork = g_new0 (KioskArtwork, 1);
  g_autoptr(GError) local_error = NULL;
  Parser parser = { .name = name, .artwork = artwork };
  gboolean ok;

  g_return_val_if_fail (name != NULL && svg != NULL, NULL);

  artwork->shapes = g_ptr_array_new_with_free_func (shape_free);
  parser.styles = g_array_new (FALSE, FALSE, sizeof (Style));
  g_array_append_val (parser.styles, initial);
  parser.scratch = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  parser.cr = cairo_create (parser.scratch);
  parser.context = g_markup_parse_context_new (&callbacks, 0, &parser, NULL);

  ok = g_markup_parse_context_parse (parser.context, svg, length, &local_error) &&
       g_markup_parse_context_end_parse (parser.context, &local_error);
  if (ok && !parser.seen_svg)
    {
      g_set_error (&local_error, KIOSK_ARTWORK_ERROR, KIOSK_ARTWORK_ERROR_INVALID,
                   "%s: no <svg> element", name);
      ok = FALSE;
    }

  g_markup_parse_context_free (parser.context);
  cairo_destroy (parser.cr);
  cairo_surface_destroy (parser.scratch);
  g_array_unref (parser.styles);

  if (!ok)
    {
      /* GMarkup's own errors say the line but not the file. */
      if (local_error->domain == G_MARKUP_ERROR)
        g_set_error (error, KIOSK_ARTWORK_ERROR, KIOSK_ARTWORK_ERROR_PARSE, "%s: %s", name,
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&artwork);
}

KioskArtwork *
kiosk_artwork_load (const char  *resource,
                    GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  gsize length;
  const char *data;

  bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  name = g_path_get_basename (resource);
  data = g_bytes_get_data (bytes, &length);
  return kiosk_artwork_parse (name, data, length, error);
}

void
kiosk_artwork_paint (const KioskArtwork *artwork,
                     cairo_t            *cr,
                     double              size)
{
  const double *view = artwork->view;
  double scale = size / MAX (view[2], view[3]);

  cairo_save (cr);
  /* Centred in the square, as SVG's default preserveAspectRatio (xMidYMid meet) does. */
  cairo_translate (cr, (size - view[2] * scale) / 2, (size - view[3] * scale) / 2);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, -view[0], -view[1]);

  for (guint i = 0; i < artwork->shapes->len; i++)
    {
      const Shape *shape = g_ptr_array_index (artwork->shapes, i);
      const Style *style = &shape->style;

      cairo_new_path (cr);
      cairo_append_path (cr, shape->path);
      if (!style->fill.none)
        {
          cairo_set_source_rgb (cr, style->fill.rgb[0], style->fill.rgb[1], style->fill.rgb[2]);
          cairo_fill_preserve (cr);
        }
      if (!style->stroke.none && style->stroke_width > 0)
        {
          cairo_set_source_rgb (cr, style->stroke.rgb[0], style->stroke.rgb[1],
                                style->stroke.rgb[2]);
          cairo_set_line_width (cr, style->stroke_width);
          cairo_set_line_cap (cr, style->cap);
          cairo_set_line_join (cr, style->join);
          cairo_stroke_preserve (cr);
        }
    }

  cairo_new_path (cr);
  cairo_restore (cr);
}

cairo_surface_t *
kiosk_artwork_rasterise (const KioskArtwork *artwork,
                         int                 size)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  g_return_val_if_fail (artwork != NULL && size > 0, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cr = cairo_create (surface);
  kiosk_artwork_paint (artwork, cr, size);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

/* kiosk-style.c: loads style.css, and high-contrast.css above it when the configuration asks
 * for it. The text scale multiplies every font size in style.css (they are in px, which no
 * resolution setting changes), so layouts grow with their text. */
#define G_LOG_DOMAIN "kiosk-style"

#include "config.h"

#include <math.h>

#include "kiosk-style.h"

static char *
scale_font_sizes (const char *css,
                  double      scale)
{
  g_autoptr(GRegex) font_size = g_regex_new ("font-size:\\s*([0-9.]+)px", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GString *out = g_string_new (NULL);
  const char *rest = css;

  g_regex_match (font_size, css, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *number = g_match_info_fetch (match, 1);
      int start, end;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_match_info_fetch_pos (match, 0, &start, &end);
      g_string_append_len (out, rest, (css + start) - rest);
      g_string_append_printf (out, "font-size: %spx",
                              g_ascii_formatd (buf, sizeof buf, "%.1f",
                                               g_ascii_strtod (number, NULL) * scale));
      rest = css + end;
      g_match_info_next (match, NULL);
    }
  g_string_append (out, rest);

  return g_string_free (out, FALSE);
}

static void
load_base (GtkCssProvider *provider,
           double          text_scale)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data (RESOURCE_PATH "/style.css",
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autofree char *scaled = NULL;

  if (fabs (text_scale - 1.0) < 0.001)
    {
      gtk_css_provider_load_from_resource (provider, RESOURCE_PATH "/style.css");
      return;
    }

  scaled = scale_font_sizes (g_bytes_get_data (bytes, NULL), text_scale);
  gtk_css_provider_load_from_data (provider, scaled, -1);
}

/* Once per display; calling it again changes only what differs. */
void
kiosk_style_apply (GdkDisplay *display,
                   gboolean    high_contrast,
                   double      text_scale)
{
  GtkCssProvider *base;
  GtkCssProvider *contrast;
  double *applied_scale;

  g_return_if_fail (GDK_IS_DISPLAY (display));
  g_return_if_fail (text_scale > 0);

  base = g_object_get_data (G_OBJECT (display), "kiosk-style");
  contrast = g_object_get_data (G_OBJECT (display), "kiosk-style-contrast");
  applied_scale = g_object_get_data (G_OBJECT (display), "kiosk-style-scale");

  if (base == NULL)
    {
      base = gtk_css_provider_new ();
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (base),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_object_set_data_full (G_OBJECT (display), "kiosk-style", base, g_object_unref);
      applied_scale = g_new (double, 1);
      *applied_scale = -1;
      g_object_set_data_full (G_OBJECT (display), "kiosk-style-scale", applied_scale, g_free);
    }

  if (*applied_scale != text_scale)
    {
      load_base (base, text_scale);
      *applied_scale = text_scale;
    }

  if (high_contrast && contrast == NULL)
    {
      contrast = gtk_css_provider_new ();
      gtk_css_provider_load_from_resource (contrast, RESOURCE_PATH "/high-contrast.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (contrast),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
      g_object_set_data_full (G_OBJECT (display), "kiosk-style-contrast", contrast,
                              g_object_unref);
    }
  else if (!high_contrast && contrast != NULL)
    {
      gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (contrast));
      g_object_set_data (G_OBJECT (display), "kiosk-style-contrast", NULL);
    }
}

/* kiosk-html.c: the dashboard's one escaping layer (see kiosk-html.h). Every byte a page writes
 * that did not come from a string literal in the program passes through here. */
#define G_LOG_DOMAIN "kiosk-dash"

#include <stdarg.h>
#include <string.h>

#include "kiosk-html.h"

void
kiosk_html (GString    *out,
            const char *markup)
{
  if (markup != NULL)
    g_string_append (out, markup);
}

static void
escape (GString    *out,
        const char *text,
        gboolean    quotes)
{
  const char *run = text;

  for (const char *p = text; *p; p++)
    {
      const char *entity;

      switch (*p)
        {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = quotes ? "&quot;" : NULL; break;
        case '\'': entity = quotes ? "&#39;" : NULL; break;
        default: entity = NULL; break;
        }
      if (entity == NULL)
        continue;
      g_string_append_len (out, run, p - run);
      g_string_append (out, entity);
      run = p + 1;
    }
  g_string_append (out, run);
}

void
kiosk_html_txt (GString    *out,
                const char *text)
{
  if (text != NULL)
    escape (out, text, FALSE);
}

void
kiosk_html_attr (GString    *out,
                 const char *text)
{
  if (text != NULL)
    escape (out, text, TRUE);
}

void
kiosk_html_txtf (GString    *out,
                 const char *format,
                 ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  escape (out, text, FALSE);
}

void
kiosk_html_format (GString    *out,
                   const char *format,
                   ...)
{
  va_list args;
  const char *run = format;

  va_start (args, format);
  for (const char *p = format; *p; p++)
    {
      if (*p != '%')
        continue;
      g_string_append_len (out, run, p - run);
      switch (*++p)
        {
        case 'a':
          kiosk_html_attr (out, va_arg (args, const char *));
          break;
        case 't':
          kiosk_html_txt (out, va_arg (args, const char *));
          break;
        case '%':
          g_string_append_c (out, '%');
          break;
        default:
          /* A mistake in the program's own format (or a "%" at its end): the rest is left out
           * rather than guessed at. */
          g_critical ("“%s” has a conversion kiosk_html_format() does not know", format);
          va_end (args);
          return;
        }
      run = p + 1;
    }
  g_string_append (out, run);
  va_end (args);
}

void
kiosk_html_url_param (GString    *out,
                      const char *value)
{
  /* Only RFC 3986's unreserved characters stay: no & = + # ? " ' < > survive unencoded. */
  if (value != NULL)
    g_string_append_uri_escaped (out, value, NULL, FALSE);
}

/* kiosk-csv.c: one CSV field, quoted as RFC 4180 says and guarded against spreadsheet formulas;
 * the kiosk's export and the server's export write their fields through it. */
#define G_LOG_DOMAIN "kiosk-csv"

#include <string.h>

#include "kiosk-csv.h"

void
kiosk_csv_field (GString    *line,
                 const char *value)
{
  if (line->len > 0)
    g_string_append_c (line, ',');

  if (value == NULL)
    return;

  /* Visitor text must not become a spreadsheet formula. */
  if (strchr ("=+-@\t\r", value[0]) != NULL && value[0] != '\0' && !g_ascii_isdigit (value[1]))
    {
      g_autofree char *guarded = g_strconcat ("'", value, NULL);

      g_string_append_c (line, '"');
      for (const char *p = guarded; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (line, '"');
          g_string_append_c (line, *p);
        }
      g_string_append_c (line, '"');
      return;
    }

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

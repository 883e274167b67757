/* kiosk-csv.c: one CSV field, quoted as RFC 4180 says and guarded against spreadsheet formulas;
 * the kiosk's export and the server's export write their fields through it. */
#define G_LOG_DOMAIN "kiosk-csv"

#include <string.h>

#include "kiosk-csv.h"

/* A plain number such as -5 or +2.5: the only text starting with a sign that is left as it is. */
static gboolean
is_number (const char *value)
{
  const char *p = value;

  if (*p == '-' || *p == '+')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

void
kiosk_csv_field (GString    *line,
                 const char *value)
{
  if (line->len > 0)
    g_string_append_c (line, ',');

  if (value == NULL)
    return;

  /* Visitor text must not become a spreadsheet formula: "=1+HYPERLINK(…)" and
   * "-1+cmd|' /C calc'!A0" start with a digit after their sign, yet are formulas too. */
  if (value[0] != '\0' && strchr ("=+-@\t\r", value[0]) != NULL && !is_number (value))
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

/* kiosk-stats.c: the figures a manager compares: counts per face and the Happy Index.
 *
 * The Happy Index is HappyOrNot's arithmetic mean of the faces scaled to 0..100, with misuse
 * excluded: 100 × Σ face / (N × (scale − 1)). */
#define G_LOG_DOMAIN "kiosk-stats"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "kiosk-stats.h"

/* No responses, on the usual scale of four faces. */
void
kiosk_face_counts_clear (KioskFaceCounts *counts)
{
  memset (counts, 0, sizeof *counts);
  counts->scale = 4;
}

guint64
kiosk_face_counts_total (const KioskFaceCounts *counts)
{
  guint64 total = 0;

  for (int i = 0; i < counts->scale && i < KIOSK_MAX_SCALE; i++)
    total += counts->faces[i];

  return total;
}

gboolean
kiosk_happy_index (const KioskFaceCounts *counts,
                   double                *out_index)
{
  guint64 total = kiosk_face_counts_total (counts);
  double weighted = 0;

  if (total == 0 || counts->scale < 2)
    return FALSE;

  for (int i = 0; i < counts->scale && i < KIOSK_MAX_SCALE; i++)
    weighted += (double) i * (double) counts->faces[i];

  *out_index = 100.0 * weighted / ((double) total * (counts->scale - 1));
  return TRUE;
}

static void
append_row (GString    *out,
            const char *label,
            int         width,
            const char *value)
{
  /* Pad by characters, not bytes: translated labels are UTF-8. */
  g_string_append_printf (out, "  %s%*s %8s\n", label,
                          width - (int) g_utf8_strlen (label, -1), "", value);
}

static void
append_count (GString    *out,
              const char *label,
              int         width,
              guint64     value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  append_row (out, label, width, buf);
}

char *
kiosk_face_counts_format (const KioskFaceCounts *counts,
                          const char            *title)
{
  static const char *four_faces[] = {
    N_("Very unhappy"), N_("Unhappy"), N_("Happy"), N_("Very happy"),
  };
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  const char *total = _("Total");
  /* Translators: responses flagged by a misuse rule (e.g. repeated presses), not counted */
  const char *misuse = _("Misuse");
  const char *happy_index = _("Happy Index");
  int width = 14;
  double index;

  for (int i = 0; i < counts->scale; i++)
    {
      if (counts->scale == 4)
        g_ptr_array_add (labels, g_strdup (_(four_faces[i])));
      else
        /* Translators: a face on a scale other than four faces, by its number */
        g_ptr_array_add (labels, g_strdup_printf (_("Face %d"), i));
    }

  for (guint i = 0; i < labels->len; i++)
    width = MAX (width, (int) g_utf8_strlen (g_ptr_array_index (labels, i), -1));
  width = MAX (width, (int) g_utf8_strlen (total, -1));
  width = MAX (width, (int) g_utf8_strlen (misuse, -1));
  width = MAX (width, (int) g_utf8_strlen (happy_index, -1));

  g_string_append_printf (out, "%s\n", title);
  for (int i = counts->scale - 1; i >= 0; i--)
    append_count (out, g_ptr_array_index (labels, i), width, counts->faces[i]);
  append_count (out, total, width, kiosk_face_counts_total (counts));
  append_count (out, misuse, width, counts->misuse);

  if (kiosk_happy_index (counts, &index))
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, "%.0f", round (index));
      append_row (out, happy_index, width, buf);
    }
  else
    /* Translators: the Happy Index cannot be computed without responses */
    append_row (out, happy_index, width, _("none"));

  return g_string_free (out, FALSE);
}

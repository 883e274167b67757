/* kiosk-stats.c: the figures a manager compares: counts per face and the Happy Index.
 *
 * The Happy Index is HappyOrNot's arithmetic mean of the faces scaled to 0..100, with misuse
 * excluded: 100 × Σ face / (N × (scale − 1)). */
#define G_LOG_DOMAIN "kiosk-stats"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kiosk-stats.h"

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

char *
kiosk_face_counts_format (const KioskFaceCounts *counts,
                          const char            *title)
{
  static const char *four_faces[] = {
    N_("Very unhappy"), N_("Unhappy"), N_("Happy"), N_("Very happy"),
  };
  GString *out = g_string_new (NULL);
  double index;

  g_string_append_printf (out, "%s\n", title);
  for (int i = counts->scale - 1; i >= 0; i--)
    {
      g_autofree char *label = NULL;

      if (counts->scale == 4)
        label = g_strdup (_(four_faces[i]));
      else
        /* Translators: a face on a scale other than four faces, by its number */
        label = g_strdup_printf (_("Face %d"), i);

      g_string_append_printf (out, "  %-14s %8" G_GUINT64_FORMAT "\n", label, counts->faces[i]);
    }
  g_string_append_printf (out, "  %-14s %8" G_GUINT64_FORMAT "\n", _("Total"),
                          kiosk_face_counts_total (counts));
  /* Translators: responses flagged by a misuse rule (e.g. repeated presses), not counted */
  g_string_append_printf (out, "  %-14s %8" G_GUINT64_FORMAT "\n", _("Misuse"), counts->misuse);

  if (kiosk_happy_index (counts, &index))
    g_string_append_printf (out, "  %-14s %8.0f\n", _("Happy Index"), round (index));
  else
    /* Translators: the Happy Index cannot be computed without responses */
    g_string_append_printf (out, "  %-14s %8s\n", _("Happy Index"), _("none"));

  return g_string_free (out, FALSE);
}

/* fuzz-fields.c: the small parsers of configuration values, each on its own so the fuzzer reaches
 * its corners without building a whole kiosk.conf: opening hours ("08:00-12:00, 13:00-18:30",
 * kiosk_hours_parse_ranges), time zones, language tags and locale names, key names of [buttons]
 * and loopback hosts. The first byte of the input picks the parser, the rest is the value. */
#include "config.h"

#include "kiosk-config.h"
#include "kiosk-hours.h"
#include "kiosk-survey.h"
#include "fuzz-common.h"

#define FUZZ_MAX_INPUT 4096

static void
check_hours (const char *text)
{
  g_autoptr(GString) problem = g_string_new (NULL);
  g_autoptr(GArray) ranges = kiosk_hours_parse_ranges (text, problem);

  if (ranges == NULL)
    {
      fuzz_check_message (problem->str);
      return;
    }

  g_assert_cmpuint (problem->len, ==, 0);
  for (guint i = 0; i < ranges->len; i++)
    {
      KioskTimeRange *range = &g_array_index (ranges, KioskTimeRange, i);

      g_assert_cmpuint (range->start_min, <, range->end_min);
      g_assert_cmpuint (range->end_min, <=, 24 * 60);
    }

  /* What the config does with them: a week of the same day, asked at a few moments. */
  {
    g_autoptr(KioskHours) hours = kiosk_hours_new ();
    gint64 t = G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC;

    for (int day = G_DATE_MONDAY; day <= G_DATE_SUNDAY; day++)
      kiosk_hours_set_day (hours, day, ranges);
    for (int i = 0; i < 6; i++)
      (void) kiosk_hours_is_open (hours, t + i * G_GINT64_CONSTANT (4 * 3600 + 7 * 60) *
                                  G_USEC_PER_SEC);
  }
}

static void
check_timezone (const char *text)
{
  g_autoptr(KioskHours) hours = kiosk_hours_new ();

  if (kiosk_hours_set_timezone (hours, text))
    {
      g_assert_nonnull (kiosk_hours_get_timezone (hours));
      (void) kiosk_hours_is_open (hours, G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC);
    }
}

static void
check_language (const char *text)
{
  g_autofree char *from_locale = kiosk_language_from_locale (text);

  if (kiosk_language_tag_is_valid (text))
    {
      g_assert_true (g_str_is_ascii (text));
      (void) kiosk_language_get_native_name (text);
      (void) kiosk_language_is_rtl (text);
    }

  g_assert_nonnull (from_locale);
  g_assert_true (kiosk_language_tag_is_valid (from_locale));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  fuzz_setup ();
  if (size < 1 || size > FUZZ_MAX_INPUT)
    return 0;

  /* Values come out of GKeyFile as NUL-terminated UTF-8 strings. */
  text = g_strndup ((const char *) data + 1, size - 1);
  if (!g_utf8_validate (text, -1, NULL))
    return 0;

  switch (data[0] % 5)
    {
    case 0:
      check_hours (text);
      break;
    case 1:
      check_timezone (text);
      break;
    case 2:
      check_language (text);
      break;
    case 3:
      {
        int code = kiosk_key_code_from_name (text);

        g_assert_cmpint (code, >=, -1);
      }
      break;
    case 4:
      (void) kiosk_host_is_loopback (text);
      break;
    default:
      g_assert_not_reached ();
    }

  return 0;
}

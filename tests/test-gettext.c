/* test-gettext.c: a visitor's language as gettext's LANGUAGE list, the one place it is made for
 * the kiosk's configured language and for every language a visitor picks. */
#define G_LOG_DOMAIN "test-gettext"

#include "config.h"

#include "kiosk-gettext.h"

static void
test_language_list (void)
{
  static const struct
  {
    const char *tag;
    const char *list;
  } cases[] = {
    { "ar", "ar" },
    { "de", "de" },
    { "pt-BR", "pt_BR:pt" },
    { "fr-CH", "fr_CH:fr" },
    /* Already a catalogue's name, as a directory of po/ is. */
    { "pt_BR", "pt_BR:pt" },
    { "es-419", "es_419:es" },
    /* Chinese catalogues are named by region, whatever the script. */
    { "zh-Hant-TW", "zh_TW:zh" },
    { "zh-Hant", "zh_TW:zh" },
    { "zh-Hans", "zh_CN:zh" },
    /* Other scripts are a modifier. */
    { "sr-Latn", "sr@latin:sr" },
    { "sr-Latn-RS", "sr_RS@latin:sr@latin:sr" },
    { "uz-Cyrl", "uz@cyrillic:uz" },
    /* A variant or an extension changes no catalogue. */
    { "de-CH-1901", "de_CH:de" },
    { "en-US-u-ca-gregory", "en_US:en" },
    /* Case as BCP 47 allows it. */
    { "PT-br", "pt_BR:pt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *list = kiosk_gettext_language_list_for (cases[i].tag);

      g_test_message ("%s -> %s", cases[i].tag, list);
      g_assert_cmpstr (list, ==, cases[i].list);
    }
}

/* Setting a language sets LANGUAGE to its list. */
static void
test_set_language (void)
{
  g_autofree char *before = kiosk_gettext_dup_language_list ();

  kiosk_gettext_set_language ("pt-BR");
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "pt_BR:pt");
  kiosk_gettext_set_language ("ar");
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "ar");

  kiosk_gettext_set_language_list (before);
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gettext/language-list", test_language_list);
  g_test_add_func ("/gettext/set-language", test_set_language);

  return g_test_run ();
}

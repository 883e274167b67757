/* test-keyboard-table.c: data/keyboard-layouts.txt, the table of which keyboard each language
 * gets: the shipped table reads, and a broken one says which group and key are wrong. */
#define G_LOG_DOMAIN "test-keyboard-table"

#include "config.h"

#include <gio/gio.h>

#include "kiosk-keyboard-table.h"

static void
test_shipped (void)
{
  KioskKeyboardTable *table = kiosk_keyboard_table_get_default ();
  const char * const shipped[] = { "en", "de", "es", "fi", "fr", "sv", "nl", "it", "pl", "tr",
                                   "ru", "ar", "he", "fa", "el", "uk", NULL };
  const KioskKeyboardEntry *e;

  for (guint i = 0; shipped[i]; i++)
    {
      e = kiosk_keyboard_table_lookup (table, shipped[i]);
      g_assert_nonnull (e);
      g_assert_false (e->input_method);
      g_assert_nonnull (e->layout);
    }

  e = kiosk_keyboard_table_lookup (table, "sv-FI");
  g_assert_cmpstr (e->layout, ==, "se");
  g_assert_cmpstr (e->variant, ==, "");
  g_assert_cmpstr (kiosk_keyboard_table_lookup (table, "NL")->layout, ==, "us");
  g_assert_cmpstr (kiosk_keyboard_table_lookup (table, "ar")->punctuation, ==, "@ - ' ، . ؟ !");
  g_assert_cmpstr (kiosk_keyboard_table_lookup (table, "de")->punctuation, ==, "@ - ' , . ? !");
  g_assert_cmpstr (kiosk_keyboard_table_lookup (table, "pl")->altgr, ==, "ąćęłńóśźż");
  g_assert_cmpstr (kiosk_keyboard_table_get_accents (table, "fr-CA", "e"), ==, "éèêë");
  g_assert_null (kiosk_keyboard_table_get_accents (table, "fr", "q"));
  g_assert_null (kiosk_keyboard_table_lookup (table, "xx"));

  for (const char * const *l = (const char * const[]) { "zh", "zh-Hans", "ja", "ko", NULL }; *l;
       l++)
    {
      e = kiosk_keyboard_table_lookup (table, *l);
      g_assert_true (e->input_method);
      g_assert_null (e->layout);
      g_assert_true (kiosk_language_needs_input_method (*l));
    }
  g_assert_false (kiosk_language_needs_input_method ("ru"));
  g_assert_false (kiosk_language_needs_input_method ("xx-BR"));
}

static void
test_errors (void)
{
  const struct { const char *data, *message; } cases[] = {
    { "[fr\n", "t.txt: Key file contains line “[fr” which is not a key-value pair, group, or "
               "comment" },
    { "[pt-BR]\nlayout = br\n",
      "t.txt: [pt-BR] is not a language's primary subtag (two or three small letters: “pt”, not "
      "“pt-BR”)" },
    { "[fr]\nlayuot = fr\n",
      "t.txt: [fr] unknown key “layuot” (known: layout, variant, input-method, altgr, accents, "
      "punctuation)" },
    { "[fr]\naccents = e é\n", "t.txt: [fr] no layout (or input-method = true)" },
    { "[ja]\ninput-method = yes\n", "t.txt: [ja] input-method: “true” or “false”, not “yes”" },
    { "[ja]\ninput-method = true\nlayout = jp\n",
      "t.txt: [ja] a language typed through an input method has no layout" },
    { "[fr]\nlayout = fr/../../etc\n", "t.txt: [fr] layout: “fr/../../etc” is not an XKB layout name" },
    { "[de]\nlayout = de\nvariant = no dead keys\n",
      "t.txt: [de] variant: “no dead keys” is not an XKB variant name" },
    { "[pl]\nlayout = pl\naltgr = ą1\n",
      "t.txt: [pl] altgr: “ą1” holds something that is not a letter" },
    { "[fr]\nlayout = fr\naccents = e éè; ee é\n",
      "t.txt: [fr] accents: “ee é” is not a letter, a space and the letters it shows" },
    { "[fr]\nlayout = fr\naccents = e éè; e ê\n", "t.txt: [fr] accents: “e” is listed twice" },
    { "[ar]\nlayout = ara\npunctuation = @ ?! ,\n",
      "t.txt: [ar] punctuation: “?!” is not one character (keys are separated by one space)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskKeyboardTable) table = NULL;

      table = kiosk_keyboard_table_new_from_data (cases[i].data, -1, "t.txt", &error);
      g_assert_null (table);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/keyboard-table/shipped", test_shipped);
  g_test_add_func ("/keyboard-table/errors", test_errors);

  return g_test_run ();
}

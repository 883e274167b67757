/* kiosk-keyboard-layout.c: a language's on-screen keys, read from xkeyboard-config through
 * libxkbcommon (both on every system GTK runs on). data/keyboard-layouts.txt names the XKB
 * layout of each language; the keymap gives the letters of each key on the usual rows, with
 * their shift and AltGr levels. Built once per language and kept: a keymap takes 10 to 30 ms to
 * compile, the result a few kilobytes. */
#define G_LOG_DOMAIN "kiosk-keyboard"

#include "config.h"

#include <string.h>
#include <xkbcommon/xkbcommon.h>

#include "kiosk-keyboard-layout.h"
#include "kiosk-keyboard-table.h"
#include "kiosk-survey.h"

#define FALLBACK_LAYOUT "us"

/* The physical rows, by their XKB key names. The key left of 1 (TLDE) and the digit row's keys
 * hold letters in some layouts (Russian ё, French é è ç à, German ß); LSGT is the extra key of
 * ISO keyboards, BKSL the one right of the home row. */
static const char * const digit_row[] = { "TLDE", "AE01", "AE02", "AE03", "AE04", "AE05", "AE06",
                                          "AE07", "AE08", "AE09", "AE10", "AE11", "AE12", NULL };
static const char * const top_row[] = { "AD01", "AD02", "AD03", "AD04", "AD05", "AD06", "AD07",
                                        "AD08", "AD09", "AD10", "AD11", "AD12", NULL };
static const char * const home_row[] = { "AC01", "AC02", "AC03", "AC04", "AC05", "AC06", "AC07",
                                         "AC08", "AC09", "AC10", "AC11", "BKSL", NULL };
static const char * const bottom_row[] = { "LSGT", "AB01", "AB02", "AB03", "AB04", "AB05",
                                           "AB06", "AB07", "AB08", "AB09", "AB10", NULL };

/* Keys per row before letters move on: twelve across is what the Pi's 800x480 screen and a
 * 480 px portrait screen take with keys a finger can hit; the bottom row leaves room for shift
 * and backspace. */
#define MAX_ROW_KEYS     12
#define MAX_BOTTOM_KEYS  9

static GHashTable *cache;  /* language -> KioskKeyboardLayout, for the life of the process */
static struct xkb_context *xkb;

static void
xkb_log_cb (struct xkb_context  *context,
            enum xkb_log_level   level,
            const char          *format,
            va_list              args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  /* Looking for a layout that does not exist is part of the fallback rule, not an error. */
  g_debug ("xkbcommon: %s", g_strchomp (message));
}

static struct xkb_context *
get_xkb_context (void)
{
  if (xkb == NULL)
    {
      /* XKB_DEFAULT_LAYOUT and friends describe the machine's physical keyboard, not the
       * visitor's language. */
      xkb = xkb_context_new (XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
      if (xkb == NULL)
        g_error ("libxkbcommon could not start (out of memory?)");
      xkb_context_set_log_fn (xkb, xkb_log_cb);
    }

  return xkb;
}

static struct xkb_keymap *
compile_keymap (const char *layout,
                const char *variant)
{
  struct xkb_rule_names names = {
    .rules = "evdev",
    .model = "pc105",
    .layout = layout,
    .variant = variant,
    .options = "",
  };

  return xkb_keymap_new_from_names (get_xkb_context (), &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
}

/* The text a key types at @level, NULL for nothing (a dead key, an empty level). Arabic
 * layouts put lam-alef on one key as a presentation form (U+FEFB); text holds the two letters,
 * which the font joins again. */
static char *
key_text (struct xkb_keymap *keymap,
          xkb_keycode_t      keycode,
          xkb_level_index_t  level)
{
  const xkb_keysym_t *syms;
  char utf8[8] = { 0 };
  uint32_t c;

  if (xkb_keymap_key_get_syms_by_level (keymap, keycode, 0, level, &syms) != 1)
    return NULL;

  c = xkb_keysym_to_utf32 (syms[0]);
  if (c == 0 || g_unichar_iscntrl (c) || !g_unichar_validate (c) ||
      g_unichar_type (c) == G_UNICODE_FORMAT)
    return NULL;

  g_unichar_to_utf8 (c, utf8);
  if ((c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF))
    return g_utf8_normalize (utf8, -1, G_NORMALIZE_NFKC);

  return g_strdup (utf8);
}

static GUnicodeScript
script_of (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      GUnicodeScript script = g_unichar_get_script (g_utf8_get_char (p));

      if (script != G_UNICODE_SCRIPT_INHERITED && script != G_UNICODE_SCRIPT_COMMON)
        return script;
    }

  return G_UNICODE_SCRIPT_INHERITED;
}

static char *
one_char (gunichar c)
{
  char utf8[8] = { 0 };

  g_unichar_to_utf8 (c, utf8);
  return g_strdup (utf8);
}

/* A letter with case shifts to its capital: the layout's own when it has one (Turkish i -> İ),
 * else the Unicode one (French é, which sits on a digit key). ß has no one-letter capital in
 * everyday German and stays ß. A letter without case (Arabic, Hebrew) shifts to what the
 * layout's shift level holds, when that is of the same script: Arabic keeps its vowel marks
 * and alef forms there, the Israeli layout Latin capitals, which do not belong here. */
static char *
shifted_text (const char *text,
              const char *level2)
{
  gunichar c = g_utf8_get_char (text);

  if (g_utf8_strlen (text, -1) == 1 && g_unichar_toupper (c) != c)
    {
      if (level2 != NULL && g_utf8_strlen (level2, -1) == 1 &&
          g_unichar_isupper (g_utf8_get_char (level2)))
        return g_strdup (level2);
      return one_char (g_unichar_toupper (c));
    }

  if (kiosk_keyboard_text_is_letters (level2) && !g_unichar_isupper (g_utf8_get_char (level2)) &&
      (script_of (level2) == G_UNICODE_SCRIPT_INHERITED ||
       script_of (level2) == script_of (text)))
    return g_strdup (level2);

  return g_strdup (text);
}

static void
add_variant (GPtrArray  *variants,
             const char *text,
             const char *variant)
{
  if (g_str_equal (variant, text))
    return;
  for (guint i = 0; i < variants->len; i++)
    if (g_str_equal (g_ptr_array_index (variants, i), variant))
      return;

  g_ptr_array_add (variants, g_strdup (variant));
}

static void
add_accents (GPtrArray  *variants,
             const char *language,
             const char *text)
{
  const char *accents = kiosk_keyboard_table_get_accents (kiosk_keyboard_table_get_default (),
                                                          language, text);

  for (const char *p = accents; p && *p; p = g_utf8_next_char (p))
    {
      g_autofree char *variant = g_strndup (p, g_utf8_next_char (p) - p);

      add_variant (variants, text, variant);
    }
}

static GStrv
steal_variants (GPtrArray *variants)
{
  if (variants->len == 0)
    {
      g_ptr_array_unref (variants);
      return NULL;
    }

  g_ptr_array_add (variants, NULL);
  return (GStrv) g_ptr_array_free (variants, FALSE);
}

static KioskKey *
key_new (const char *text,
         char       *shifted,
         GStrv       variants)
{
  KioskKey *key = g_new0 (KioskKey, 1);

  key->text = g_strdup (text);
  key->shifted = shifted ? shifted : g_strdup (text);
  key->variants = variants;

  return key;
}

static void
key_free (gpointer data)
{
  KioskKey *key = data;

  g_free (key->text);
  g_free (key->shifted);
  g_strfreev (key->variants);
  g_free (key);
}

/* The letter key at @name, NULL when that key types no letter in this layout. */
static KioskKey *
read_letter_key (struct xkb_keymap        *keymap,
                 const char               *name,
                 const KioskKeyboardEntry *entry,
                 const char               *language)
{
  xkb_keycode_t keycode = xkb_keymap_key_by_name (keymap, name);
  g_autofree char *text = NULL;
  g_autofree char *level2 = NULL;
  g_autofree char *level3 = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  char *shifted;

  if (keycode == XKB_KEYCODE_INVALID)
    return NULL;

  text = key_text (keymap, keycode, 0);
  if (!kiosk_keyboard_text_is_letters (text) ||
      kiosk_keyboard_char_is_mark (g_utf8_get_char (text)))
    return NULL;

  level2 = key_text (keymap, keycode, 1);
  level3 = key_text (keymap, keycode, 2);
  shifted = shifted_text (text, level2);
  variants = g_ptr_array_new_with_free_func (g_free);

  /* A letter the shift level holds besides the capital (Italian è: é) shows when held. */
  if (kiosk_keyboard_text_is_letters (level2) && !g_str_equal (level2, shifted) &&
      !g_unichar_isupper (g_utf8_get_char (level2)) && script_of (level2) == script_of (text))
    add_variant (variants, text, level2);
  if (level3 != NULL && entry != NULL && g_utf8_strlen (level3, -1) == 1 &&
      strstr (entry->altgr, level3) != NULL)
    add_variant (variants, text, level3);
  add_accents (variants, language, text);

  return key_new (text, shifted, steal_variants (g_steal_pointer (&variants)));
}

static void
read_row (struct xkb_keymap        *keymap,
          const char * const       *names,
          const KioskKeyboardEntry *entry,
          const char               *language,
          GPtrArray                *row)
{
  for (guint i = 0; names[i]; i++)
    {
      KioskKey *key = read_letter_key (keymap, names[i], entry, language);

      if (key != NULL)
        g_ptr_array_add (row, key);
    }
}

static KioskKey *
plain_key (const char *text,
           const char *language)
{
  GPtrArray *variants = g_ptr_array_new_with_free_func (g_free);

  add_accents (variants, language, text);
  return key_new (text, NULL, steal_variants (variants));
}

/* Digits 1 to 0 whatever the layout (Latin digits are what a phone number or an address
 * needs); the letters the layout keeps on that row go beside them, the key left of 1 first, and
 * where the row is full, to the bottom letter row. */
static void
read_digit_row (KioskKeyboardLayout      *self,
                struct xkb_keymap        *keymap,
                const KioskKeyboardEntry *entry,
                const char               *language)
{
  GPtrArray *digits = self->rows[0];
  GPtrArray *bottom = self->rows[3];
  g_autoptr(GPtrArray) letters = g_ptr_array_new ();

  read_row (keymap, digit_row, entry, language, letters);
  if (letters->len > 0 && xkb_keymap_key_by_name (keymap, "TLDE") != XKB_KEYCODE_INVALID)
    {
      g_autofree char *tilde = key_text (keymap, xkb_keymap_key_by_name (keymap, "TLDE"), 0);
      KioskKey *first = g_ptr_array_index (letters, 0);

      if (g_strcmp0 (tilde, first->text) == 0)
        g_ptr_array_add (digits, g_ptr_array_steal_index (letters, 0));
    }

  for (char digit = '1'; digit <= '9'; digit++)
    g_ptr_array_add (digits, plain_key ((char[]) { digit, '\0' }, language));
  g_ptr_array_add (digits, plain_key ("0", language));

  for (guint i = 0; i < letters->len; i++)
    {
      KioskKey *key = g_ptr_array_index (letters, i);

      if (digits->len < MAX_ROW_KEYS)
        g_ptr_array_add (digits, key);
      else if (bottom->len < MAX_BOTTOM_KEYS)
        g_ptr_array_add (bottom, key);
      else
        g_ptr_array_add (self->rows[2], key);
    }
}

/* Shift and backspace keep their width beside at most nine letters: the rest move to the end
 * of the row above, next to where they are on the physical keyboard (Arabic ظ beside ط). */
static void
fit_bottom_row (KioskKeyboardLayout *self)
{
  GPtrArray *bottom = self->rows[3];

  for (guint r = 2; r >= 1; r--)
    while (bottom->len > MAX_BOTTOM_KEYS && self->rows[r]->len < MAX_ROW_KEYS)
      g_ptr_array_add (self->rows[r], g_ptr_array_steal_index (bottom, MAX_BOTTOM_KEYS));
}

static void
read_punctuation (KioskKeyboardLayout      *self,
                  const KioskKeyboardEntry *entry,
                  const char               *language)
{
  g_auto(GStrv) marks = g_strsplit (entry ? entry->punctuation : "@ - ' , . ? !", " ", -1);

  for (guint i = 0; marks[i]; i++)
    if (*marks[i] != '\0')
      g_ptr_array_add (self->rows[KIOSK_KEYBOARD_ROW_PUNCTUATION], plain_key (marks[i], language));
}

/* The layout for @language: the table's, else the XKB layout named like the language or like
 * its tag's region, else "us". A language that needs an input method gets the Latin keyboard,
 * for an e-mail address or a name in Latin letters. */
static struct xkb_keymap *
find_keymap (const char  *language,
             char       **xkb_name)
{
  KioskKeyboardTable *table = kiosk_keyboard_table_get_default ();
  const KioskKeyboardEntry *entry = kiosk_keyboard_table_lookup (table, language);
  g_auto(GStrv) subtags = g_strsplit_set (language, "-_", -1);
  struct xkb_keymap *keymap = NULL;

  if (entry != NULL && entry->input_method)
    entry = kiosk_keyboard_table_lookup (table, "en");

  if (entry != NULL)
    {
      keymap = compile_keymap (entry->layout, entry->variant);
      if (keymap != NULL)
        {
          *xkb_name = *entry->variant ? g_strdup_printf ("%s(%s)", entry->layout, entry->variant)
                                      : g_strdup (entry->layout);
          return keymap;
        }
      g_warning ("keyboard-layouts.txt: [%s] layout: xkeyboard-config has no layout “%s%s%s”",
                 entry->language, entry->layout, *entry->variant ? "|" : "", entry->variant);
    }
  else
    {
      for (guint i = 0; subtags[i] && keymap == NULL; i++)
        {
          g_autofree char *name = g_ascii_strdown (subtags[i], -1);

          /* The language ("lt"), then a region ("BR"); never a script ("Latn") or a variant. */
          if ((i == 0 && strlen (name) >= 2 && strlen (name) <= 3) ||
              (i > 0 && strlen (name) == 2))
            {
              keymap = compile_keymap (name, "");
              if (keymap != NULL)
                *xkb_name = g_steal_pointer (&name);
            }
        }
      if (keymap != NULL)
        return keymap;
    }

  *xkb_name = g_strdup (FALLBACK_LAYOUT);
  keymap = compile_keymap (FALLBACK_LAYOUT, "");
  if (keymap == NULL)
    g_error ("The XKB layout “%s” is missing: is xkb-data (xkeyboard-config) installed?",
             FALLBACK_LAYOUT);

  return keymap;
}

static KioskKeyboardLayout *
layout_new (const char *language)
{
  const KioskKeyboardEntry *entry = kiosk_keyboard_table_lookup (kiosk_keyboard_table_get_default (),
                                                                 language);
  KioskKeyboardLayout *self = g_new0 (KioskKeyboardLayout, 1);
  gint64 start = g_get_monotonic_time ();
  struct xkb_keymap *keymap;
  const char *name;

  self->language = g_strdup (language);
  for (guint r = 0; r < KIOSK_KEYBOARD_ROWS; r++)
    self->rows[r] = g_ptr_array_new ();
  self->keys = g_hash_table_new (g_str_hash, g_str_equal);

  keymap = find_keymap (language, &self->xkb);
  read_row (keymap, top_row, entry, language, self->rows[1]);
  read_row (keymap, home_row, entry, language, self->rows[2]);
  read_row (keymap, bottom_row, entry, language, self->rows[3]);
  read_digit_row (self, keymap, entry, language);
  fit_bottom_row (self);
  read_punctuation (self, entry, language);
  xkb_keymap_unref (keymap);

  for (guint r = 0; r < KIOSK_KEYBOARD_ROWS; r++)
    {
      g_ptr_array_set_free_func (self->rows[r], key_free);
      for (guint i = 0; i < self->rows[r]->len; i++)
        {
          KioskKey *key = g_ptr_array_index (self->rows[r], i);

          g_hash_table_insert (self->keys, key->text, key);
          if (!g_str_equal (key->text, key->shifted))
            self->has_shift = TRUE;
        }
    }

  /* The space bar names the layout, as phone keyboards do; "ABC" for the Latin keyboard of a
   * language that has no keyboard of its own. */
  name = kiosk_language_get_native_name (language);
  if (entry != NULL && entry->input_method)
    name = NULL;
  self->name = g_strdup (name ? name : "ABC");
  self->rtl = kiosk_language_is_rtl (language);
  self->capitals = self->rows[1]->len > 0 &&
                   g_unichar_isupper (g_utf8_get_char (((KioskKey *) g_ptr_array_index (self->rows[1],
                                                                                          0))->shifted));
  self->latin = self->rows[1]->len > 0 &&
                script_of (((KioskKey *) g_ptr_array_index (self->rows[1], 0))->text) ==
                G_UNICODE_SCRIPT_LATIN;
  self->build_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_debug ("Keyboard for %s from XKB layout %s in %.1f ms", language, self->xkb, self->build_ms);

  return self;
}

/**
 * kiosk_keyboard_layout_get:
 * @language: (nullable): a BCP 47 tag; %NULL for English
 *
 * Returns: (transfer none): the keys of @language's keyboard, built on first use and kept
 */
const KioskKeyboardLayout *
kiosk_keyboard_layout_get (const char *language)
{
  g_autofree char *key = g_ascii_strdown (language ? language : "en", -1);
  const KioskKeyboardEntry *entry;
  KioskKeyboardLayout *layout;

  /* "de-AT" has the keyboard of "de"; only a language the table does not know may get its
   * keyboard from its region. */
  g_strdelimit (key, "_", '-');
  entry = kiosk_keyboard_table_lookup (kiosk_keyboard_table_get_default (), key);
  if (entry != NULL)
    {
      g_free (key);
      key = g_strdup (entry->language);
    }
  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);

  layout = g_hash_table_lookup (cache, key);
  if (layout == NULL)
    {
      layout = layout_new (key);
      g_hash_table_insert (cache, layout->language, layout);
    }

  return layout;
}

/* Returns: (nullable): the key that types @text unshifted */
const KioskKey *
kiosk_keyboard_layout_lookup (const KioskKeyboardLayout *self,
                              const char                *text)
{
  return g_hash_table_lookup (self->keys, text);
}

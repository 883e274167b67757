/* kiosk-keyboard-table.h: which keyboard each visitor language gets (data/keyboard-layouts.txt):
 * its XKB layout, the letters a held key adds, or that it needs an input method. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KioskKeyboardTable KioskKeyboardTable;

typedef struct
{
  const char *language;     /* the group's name: a primary subtag */
  const char *layout;       /* XKB layout; NULL for a language that needs an input method */
  const char *variant;      /* XKB variant, "" for the layout's default */
  const char *altgr;        /* letters taken from the AltGr level, "" for none */
  const char *punctuation;  /* the bottom row's punctuation keys, space-separated */
  gboolean    input_method;
} KioskKeyboardEntry;

KioskKeyboardTable       *kiosk_keyboard_table_new_from_data (const char          *data,
                                                              gssize               length,
                                                              const char          *display_name,
                                                              GError             **error);
void                      kiosk_keyboard_table_free          (KioskKeyboardTable  *self);
const KioskKeyboardEntry *kiosk_keyboard_table_lookup        (KioskKeyboardTable  *self,
                                                              const char          *language);
const char               *kiosk_keyboard_table_get_accents   (KioskKeyboardTable  *self,
                                                              const char          *language,
                                                              const char          *base);
const char * const       *kiosk_keyboard_table_get_languages (KioskKeyboardTable  *self);

/* The table built into the program, read once. */
KioskKeyboardTable       *kiosk_keyboard_table_get_default   (void);

gboolean                  kiosk_language_needs_input_method  (const char          *language);
gboolean                  kiosk_keyboard_text_is_letters     (const char          *text);
gboolean                  kiosk_keyboard_char_is_mark        (gunichar             c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskKeyboardTable, kiosk_keyboard_table_free)

G_END_DECLS

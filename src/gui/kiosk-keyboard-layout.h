/* kiosk-keyboard-layout.h: the keys of a language's on-screen keyboard, read from the system's
 * keyboard data (xkeyboard-config through libxkbcommon) and built once per language. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char  *text;        /* what the key types */
  char  *shifted;     /* what it types under shift (the same text when shift changes nothing) */
  GStrv  variants;    /* what it shows when held, as typed without shift; NULL for nothing */
} KioskKey;

#define KIOSK_KEYBOARD_ROWS 5

typedef struct
{
  char       *language;    /* the primary subtag it was built for */
  char       *xkb;         /* the XKB layout it was read from: "ara", "de", "us" */
  char       *name;        /* shown on the space bar */
  GPtrArray  *rows[KIOSK_KEYBOARD_ROWS];  /* KioskKey: digits, three letter rows, punctuation */
  GHashTable *keys;        /* text -> KioskKey, every key of the rows */
  gboolean    has_shift;   /* some key types something else under shift */
  gboolean    rtl;
  gboolean    latin;       /* its letters are Latin ones: it can type an e-mail address */
  gboolean    capitals;    /* its letters have capitals (not Arabic, Hebrew) */
  double      build_ms;    /* how long reading the layout took */
} KioskKeyboardLayout;

/* The row of the punctuation keys, with the space bar in its middle. */
#define KIOSK_KEYBOARD_ROW_PUNCTUATION (KIOSK_KEYBOARD_ROWS - 1)

const KioskKeyboardLayout *kiosk_keyboard_layout_get    (const char                *language);
const KioskKey            *kiosk_keyboard_layout_lookup (const KioskKeyboardLayout *self,
                                                         const char                *text);

G_END_DECLS

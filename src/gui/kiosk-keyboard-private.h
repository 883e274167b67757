/* kiosk-keyboard-private.h: the keyboard's instance and what its files share. kiosk-keyboard.c
 * types into the target and holds it to its maximum length, kiosk-keyboard-keys.c builds the keys
 * of a layout and the popover of a held key's variants. */
#pragma once

#include "kiosk-keyboard.h"
#include "kiosk-keyboard-layout.h"

G_BEGIN_DECLS

struct _KioskKeyboard
{
  GtkWidget                  parent_instance;

  /* children */
  GtkWidget                 *counter;
  GtkWidget                 *grid;
  GtkWidget                 *shift_button;
  GtkWidget                 *variants;       /* the popover of a held key */
  GtkWidget                 *variants_box;

  /* borrowed */
  const KioskKeyboardLayout *layout;         /* owned by the layouts' cache */
  GPtrArray                 *key_buttons;    /* every key that types its KioskKey */
  GtkWidget                 *target;         /* weak */
  GtkTextBuffer             *buffer;         /* the target's, when it is a GtkTextView */

  int                        max_length;
  gboolean                   shifted;
  gboolean                   inserting;
};

char *_kiosk_keyboard_shift_text           (const char    *text);
void  _kiosk_keyboard_build_keys           (KioskKeyboard *self);
void  _kiosk_keyboard_update_letter_labels (KioskKeyboard *self);
void  _kiosk_keyboard_hide_variants        (KioskKeyboard *self);
void  _kiosk_keyboard_variants_action      (GtkWidget     *widget,
                                            const char    *action_name,
                                            GVariant      *parameter);

G_END_DECLS

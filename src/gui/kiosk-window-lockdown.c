/* kiosk-window-lockdown.c: what a kiosk keeps shut. In kiosk mode no key combination leaves,
 * closes, switches or inspects, a close request is refused, the GTK Inspector stays closed,
 * right and middle clicks reach nothing, and what one visitor copied is gone for the next. Every
 * touch and key press also counts as someone being there. */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include "kiosk-window-private.h"

/* Key presses that leave, close, switch or inspect in some desktop or in GTK itself. */
typedef struct
{
  guint           keyval;
  GdkModifierType mods;
} BlockedKey;

static const BlockedKey blocked_keys[] = {
  { GDK_KEY_Escape, 0 },
  { GDK_KEY_F11, 0 },
  { GDK_KEY_F4, GDK_ALT_MASK },
  { GDK_KEY_q, GDK_CONTROL_MASK },
  { GDK_KEY_w, GDK_CONTROL_MASK },
  { GDK_KEY_Tab, GDK_ALT_MASK },
  { GDK_KEY_i, GDK_CONTROL_MASK | GDK_SHIFT_MASK },
  { GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK },
  /* The context menu of a text field (cut, copy, paste, emoji); the Menu key is stopped with
   * whatever modifier. */
  { GDK_KEY_F10, GDK_SHIFT_MASK },
};

/* A visitor may have copied their own e-mail address in a text field: the next visitor must not
 * be able to paste it. */
void
_kiosk_window_forget_clipboard (KioskWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  gdk_clipboard_set_content (gdk_display_get_clipboard (display), NULL);
  gdk_clipboard_set_content (gdk_display_get_primary_clipboard (display), NULL);
}

/* Any touch or click restarts the follow-up's countdown. Capture phase: the window sees it
 * before the button it lands on, and does not claim it. */
static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            KioskWindow     *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  /* Right and middle clicks open context menus and paste the primary selection into text
   * fields: in a kiosk they stop here, before any widget sees them. */
  if (self->kiosk_mode && button != GDK_BUTTON_PRIMARY && button != 0)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      return;
    }

  _kiosk_window_touched (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KioskWindow           *self)
{
  GdkModifierType mods = state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK | GDK_ALT_MASK |
                                  GDK_SUPER_MASK | GDK_META_MASK);
  guint lower = gdk_keyval_to_lower (keyval);

  _kiosk_window_touched (self);

  if (!self->kiosk_mode)
    return GDK_EVENT_PROPAGATE;

  /* The context-menu key, with whatever modifier. */
  if (keyval == GDK_KEY_Menu)
    return GDK_EVENT_STOP;

  for (guint i = 0; i < G_N_ELEMENTS (blocked_keys); i++)
    if (lower == blocked_keys[i].keyval && mods == blocked_keys[i].mods)
      {
        g_debug ("Kiosk mode: swallowed %s", gdk_keyval_name (keyval));
        return GDK_EVENT_STOP;
      }

  /* Any other combination with Super, Alt or Ctrl is nobody's business in a kiosk. */
  if (mods & (GDK_SUPER_MASK | GDK_ALT_MASK | GDK_CONTROL_MASK | GDK_META_MASK))
    return GDK_EVENT_STOP;

  return GDK_EVENT_PROPAGATE;
}

static gboolean
kiosk_window_close_request (GtkWindow *window)
{
  KioskWindow *self = KIOSK_WINDOW (window);
  GtkWindowClass *parent_class = g_type_class_peek (GTK_TYPE_APPLICATION_WINDOW);

  if (self->kiosk_mode)
    {
      g_debug ("Kiosk mode: close request ignored");
      return TRUE;
    }

  return parent_class->close_request (window);
}

/* Bound to Ctrl+Shift+I and Ctrl+Shift+D by GtkWindow itself (and a GSettings key decides
 * whether that binding works); a kiosk answers "handled" and opens nothing. */
static gboolean
kiosk_window_enable_debugging (GtkWindow *window,
                               gboolean   toggle)
{
  KioskWindow *self = KIOSK_WINDOW (window);
  GtkWindowClass *parent_class = g_type_class_peek (GTK_TYPE_APPLICATION_WINDOW);

  if (self->kiosk_mode)
    return TRUE;

  return parent_class->enable_debugging (window, toggle);
}

/* Without a window manager (Xvfb, some compositors) fullscreen is not honoured, so the window
 * asks for the monitor's size itself. */
static void
size_to_monitor (KioskWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GListModel *monitors = gdk_display_get_monitors (display);
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle geometry;

  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
}

void
_kiosk_window_class_lockdown_init (KioskWindowClass *klass)
{
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  window_class->close_request = kiosk_window_close_request;
  window_class->enable_debugging = kiosk_window_enable_debugging;
}

/* After construction, when kiosk-mode is known. */
void
_kiosk_window_lockdown_init (KioskWindow *self)
{
  GtkEventController *keys;
  GtkGesture *touch;

  touch = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (touch), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (touch), GTK_PHASE_CAPTURE);
  g_signal_connect (touch, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (touch));

  /* Capture phase: the window sees these keys before any widget or built-in binding. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  if (self->kiosk_mode)
    {
      gtk_window_set_decorated (GTK_WINDOW (self), FALSE);
      gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "none");
      size_to_monitor (self);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
}

/* kiosk-window.c: renders the flow's state (survey or thank-you) and turns taps into the
 * "survey.vote" action. In kiosk mode nothing a visitor can press leaves or reveals anything. */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-face-view.h"
#include "kiosk-window.h"

struct _KioskWindow
{
  GtkApplicationWindow  parent_instance;

  /* template widgets */
  GtkStack             *stack;
  GtkLabel             *question_label;
  GtkLabel             *status_label;

  /* owned */
  KioskFlow            *flow;

  gboolean              kiosk_mode;
};

enum {
  PROP_0,
  PROP_FLOW,
  PROP_KIOSK_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskWindow, kiosk_window, GTK_TYPE_APPLICATION_WINDOW)

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
};

static void
update_page (KioskWindow *self)
{
  gboolean thanks = kiosk_flow_get_state (self->flow) == KIOSK_FLOW_THANKS;

  gtk_stack_set_visible_child_name (self->stack, thanks ? "thanks" : "survey");
}

static void
flow_state_changed_cb (KioskWindow *self)
{
  update_page (self);
}

static void
update_status (KioskWindow *self)
{
  KioskStore *store = kiosk_flow_get_store (self->flow);
  KioskStorageHealth health = kiosk_store_get_health (store);

  switch (health)
    {
    case KIOSK_STORAGE_FAILING:
      gtk_label_set_label (self->status_label,
                           /* Translators: a small status line for staff at the screen's edge */
                           _("Storage failing: responses are kept in memory until it works again"));
      break;
    case KIOSK_STORAGE_RECOVERED:
      gtk_label_set_label (self->status_label,
                           _("The database was damaged and was set aside; recording continues"));
      break;
    case KIOSK_STORAGE_OK:
    default:
      break;
    }

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               kiosk_store_get_health_message (store));
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), health != KIOSK_STORAGE_OK);
}

static void
store_health_changed_cb (KioskWindow *self)
{
  update_status (self);
}

static void
vote_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  const char *input_name = NULL;
  KioskInput input;
  int face = -1;

  g_variant_get (parameter, "(i&s)", &face, &input_name);

  if (!kiosk_input_from_string (input_name, &input))
    {
      g_warning ("survey.vote: unknown input kind “%s”", input_name);
      return;
    }

  if (kiosk_flow_vote (self->flow, face, input, &error) == NULL)
    g_warning ("survey.vote: %s", error->message);
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

  if (!self->kiosk_mode)
    return GDK_EVENT_PROPAGATE;

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

  if (self->kiosk_mode)
    {
      g_debug ("Kiosk mode: close request ignored");
      return TRUE;
    }

  return GTK_WINDOW_CLASS (kiosk_window_parent_class)->close_request (window);
}

/* Bound to Ctrl+Shift+I and Ctrl+Shift+D by GtkWindow itself (and a GSettings key decides
 * whether that binding works); a kiosk answers "handled" and opens nothing. */
static gboolean
kiosk_window_enable_debugging (GtkWindow *window,
                               gboolean   toggle)
{
  KioskWindow *self = KIOSK_WINDOW (window);

  if (self->kiosk_mode)
    return TRUE;

  return GTK_WINDOW_CLASS (kiosk_window_parent_class)->enable_debugging (window, toggle);
}

static void
update_size_classes (KioskWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width <= 0 || height <= 0)
    return;

  if (MIN (width, height) < 600 || width < 900)
    gtk_widget_add_css_class (widget, "small");
  else
    gtk_widget_remove_css_class (widget, "small");

  if (width >= 1600 && height >= 900)
    gtk_widget_add_css_class (widget, "large");
  else
    gtk_widget_remove_css_class (widget, "large");

  if (height > width)
    gtk_widget_add_css_class (widget, "portrait");
  else
    gtk_widget_remove_css_class (widget, "portrait");
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

static void
kiosk_window_constructed (GObject *object)
{
  KioskWindow *self = KIOSK_WINDOW (object);
  KioskSurvey *survey = kiosk_flow_get_survey (self->flow);

  G_OBJECT_CLASS (kiosk_window_parent_class)->constructed (object);

  gtk_label_set_label (self->question_label,
                       kiosk_survey_get_question (survey, kiosk_flow_get_language (self->flow)));

  g_signal_connect_object (self->flow, "notify::state",
                           G_CALLBACK (flow_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (kiosk_flow_get_store (self->flow), "notify::health",
                           G_CALLBACK (store_health_changed_cb), self, G_CONNECT_SWAPPED);
  update_page (self);
  update_status (self);

  if (self->kiosk_mode)
    {
      gtk_window_set_decorated (GTK_WINDOW (self), FALSE);
      gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "none");
      size_to_monitor (self);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }

  update_size_classes (self);
}

static void
kiosk_window_dispose (GObject *object)
{
  KioskWindow *self = KIOSK_WINDOW (object);

  g_clear_object (&self->flow);

  G_OBJECT_CLASS (kiosk_window_parent_class)->dispose (object);
}

static void
kiosk_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KioskWindow *self = KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    case PROP_KIOSK_MODE:
      g_value_set_boolean (value, self->kiosk_mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  KioskWindow *self = KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      self->flow = g_value_dup_object (value);
      break;
    case PROP_KIOSK_MODE:
      self->kiosk_mode = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_window_class_init (KioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = kiosk_window_constructed;
  object_class->dispose = kiosk_window_dispose;
  object_class->get_property = kiosk_window_get_property;
  object_class->set_property = kiosk_window_set_property;

  window_class->close_request = kiosk_window_close_request;
  window_class->enable_debugging = kiosk_window_enable_debugging;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, KIOSK_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIOSK_MODE] =
    g_param_spec_boolean ("kiosk-mode", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KIOSK_TYPE_FACE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, question_label);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, status_label);

  /* The one place a vote enters from the UI: touch, physical buttons and tests use it alike.
   * Parameter: (face, input) with input "touch", "button" or "keyboard". */
  gtk_widget_class_install_action (widget_class, "survey.vote", "(is)", vote_action);
}

static void
kiosk_window_init (KioskWindow *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");

  /* Capture phase: the window sees these keys before any widget or built-in binding. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  g_signal_connect_swapped (self, "notify::default-width", G_CALLBACK (update_size_classes), self);
  g_signal_connect_swapped (self, "notify::default-height", G_CALLBACK (update_size_classes), self);
}

KioskWindow *
kiosk_window_new (GtkApplication *application,
                  KioskFlow      *flow,
                  gboolean        kiosk_mode)
{
  return g_object_new (KIOSK_TYPE_WINDOW,
                       "application", application,
                       "flow", flow,
                       "kiosk-mode", kiosk_mode,
                       NULL);
}

KioskFlow *
kiosk_window_get_flow (KioskWindow *self)
{
  g_return_val_if_fail (KIOSK_IS_WINDOW (self), NULL);

  return self->flow;
}

gboolean
kiosk_window_get_kiosk_mode (KioskWindow *self)
{
  g_return_val_if_fail (KIOSK_IS_WINDOW (self), FALSE);

  return self->kiosk_mode;
}

const char *
kiosk_window_get_page (KioskWindow *self)
{
  g_return_val_if_fail (KIOSK_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* kiosk-window.c: renders the flow's state (survey, follow-up, comment, contact, thank-you) as
 * pages, one shown at a time, and turns every button into an action on this class, so touch,
 * physical buttons and tests take the same path. In kiosk mode nothing a visitor can press leaves
 * or reveals anything. */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-comment-page.h"
#include "kiosk-contact-page.h"
#include "kiosk-follow-up-page.h"
#include "kiosk-i18n.h"
#include "kiosk-survey-page.h"
#include "kiosk-thanks-page.h"
#include "kiosk-window.h"

struct _KioskWindow
{
  GtkApplicationWindow  parent_instance;

  /* template widgets */
  GtkBox               *pages;

  /* pages, children of @pages, built again when the language changes */
  GtkWidget            *survey_page;
  GtkWidget            *follow_up_page;
  GtkWidget            *comment_page;
  GtkWidget            *contact_page;
  GtkWidget            *thanks_page;

  /* owned */
  KioskFlow            *flow;
  char                 *pages_language;   /* the language the pages were built in */

  /* borrowed */
  GtkWidget            *shown_page;
  const char           *shown_name;

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

static const char *
page_for_state (KioskFlowState state)
{
  switch (state)
    {
    case KIOSK_FLOW_FOLLOW_UP:
      return "follow-up";
    case KIOSK_FLOW_COMMENT:
      return "comment";
    case KIOSK_FLOW_CONTACT:
      return "contact";
    case KIOSK_FLOW_THANKS:
      return "thanks";
    case KIOSK_FLOW_SURVEY:
    default:
      return "survey";
    }
}

static void
update_actions (KioskWindow *self)
{
  KioskFlowState state = kiosk_flow_get_state (self->flow);
  KioskFollowUp *follow_up = kiosk_flow_get_follow_up (self->flow);
  const char * const *selection = kiosk_flow_get_selection (self->flow);
  gboolean follow_up_shown = state == KIOSK_FLOW_FOLLOW_UP;
  gboolean contact_shown = state == KIOSK_FLOW_CONTACT;
  gboolean form_shown = contact_shown && self->contact_page != NULL &&
                        kiosk_contact_page_get_form_shown (KIOSK_CONTACT_PAGE (self->contact_page));
  gboolean chosen = selection != NULL && selection[0] != NULL;
  gboolean more_steps = follow_up != NULL && (kiosk_follow_up_has_comment (follow_up) ||
                                              kiosk_follow_up_has_contact (follow_up));
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "survey.language", state == KIOSK_FLOW_SURVEY);
  gtk_widget_action_set_enabled (widget, "follow-up.toggle", follow_up_shown);
  gtk_widget_action_set_enabled (widget, "follow-up.skip", follow_up_shown);
  /* Done needs an answer; Next leads on to a comment or contact, answers of their own. */
  gtk_widget_action_set_enabled (widget, "follow-up.next",
                                 follow_up_shown && (chosen || more_steps));
  gtk_widget_action_set_enabled (widget, "comment.send", state == KIOSK_FLOW_COMMENT);
  gtk_widget_action_set_enabled (widget, "comment.skip", state == KIOSK_FLOW_COMMENT);
  gtk_widget_action_set_enabled (widget, "contact.accept", contact_shown && !form_shown);
  gtk_widget_action_set_enabled (widget, "contact.decline", contact_shown);
  gtk_widget_action_set_enabled (widget, "contact.send", form_shown);
}

/* One page at a time; hidden pages are neither measured nor drawn. */
static void
show_page (KioskWindow *self,
           const char  *name)
{
  for (GtkWidget *page = gtk_widget_get_first_child (GTK_WIDGET (self->pages)); page;
       page = gtk_widget_get_next_sibling (page))
    {
      const char *page_name = g_object_get_data (G_OBJECT (page), "kiosk-page-name");
      gboolean shown = g_strcmp0 (page_name, name) == 0;

      gtk_widget_set_visible (page, shown);
      if (shown)
        {
          self->shown_page = page;
          self->shown_name = page_name;
        }
    }
}

static void
add_page (KioskWindow  *self,
          GtkWidget   **slot,
          GtkWidget    *page,
          const char   *name)
{
  *slot = page;
  g_object_set_data (G_OBJECT (page), "kiosk-page-name", (gpointer) name);
  gtk_widget_set_visible (page, FALSE);
  gtk_widget_set_hexpand (page, TRUE);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (self->pages, page);
}

static void
remove_page (KioskWindow  *self,
             GtkWidget   **slot)
{
  if (*slot != NULL)
    gtk_box_remove (self->pages, *slot);
  *slot = NULL;
}

static void
ensure_page (KioskWindow    *self,
             KioskFlowState  state)
{
  switch (state)
    {
    case KIOSK_FLOW_FOLLOW_UP:
      if (self->follow_up_page == NULL)
        add_page (self, &self->follow_up_page, kiosk_follow_up_page_new (self->flow), "follow-up");
      break;
    case KIOSK_FLOW_COMMENT:
      if (self->comment_page == NULL)
        add_page (self, &self->comment_page, kiosk_comment_page_new (self->flow), "comment");
      break;
    case KIOSK_FLOW_CONTACT:
      if (self->contact_page == NULL)
        add_page (self, &self->contact_page, kiosk_contact_page_new (self->flow), "contact");
      break;
    case KIOSK_FLOW_SURVEY:
    case KIOSK_FLOW_THANKS:
    default:
      break;
    }
}

/* Shows the page of the new state and gets it ready for this visit, before the next frame. */
static void
update_page (KioskWindow *self)
{
  KioskFlowState state = kiosk_flow_get_state (self->flow);
  const char *name = page_for_state (state);

  if (g_strcmp0 (self->shown_name, name) != 0)
    {
      /* The focus never stays in a page that goes away. GTK 4.8 otherwise keeps a reference to
       * the page the focus was in, and a page rebuilt for a new language would never be freed.
       * A page that takes input focuses its own field in prepare(). */
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      ensure_page (self, state);
      show_page (self, name);

      switch (state)
        {
        case KIOSK_FLOW_FOLLOW_UP:
          kiosk_follow_up_page_prepare (KIOSK_FOLLOW_UP_PAGE (self->follow_up_page));
          break;
        case KIOSK_FLOW_COMMENT:
          kiosk_comment_page_prepare (KIOSK_COMMENT_PAGE (self->comment_page));
          break;
        case KIOSK_FLOW_CONTACT:
          kiosk_contact_page_prepare (KIOSK_CONTACT_PAGE (self->contact_page));
          break;
        case KIOSK_FLOW_THANKS:
          kiosk_thanks_page_prepare (KIOSK_THANKS_PAGE (self->thanks_page));
          break;
        case KIOSK_FLOW_SURVEY:
        default:
          break;
        }
    }

  update_actions (self);
}

/* Templates are translated when they are built, so a new language means new pages. The pages
 * hold no state of their own beyond the visit on screen, which they read back from the flow. */
static void
build_pages (KioskWindow *self)
{
  const char *language = kiosk_flow_get_language (self->flow);

  kiosk_i18n_set_language (language);
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  g_free (self->pages_language);
  self->pages_language = g_strdup (language);

  remove_page (self, &self->survey_page);
  remove_page (self, &self->follow_up_page);
  remove_page (self, &self->comment_page);
  remove_page (self, &self->contact_page);
  remove_page (self, &self->thanks_page);

  /* The thank-you page follows every tap, so it is ready; the follow-up steps, with their
   * keyboards, are built when a visit first needs them, after the kiosk's first frame. */
  add_page (self, &self->survey_page, kiosk_survey_page_new (self->flow), "survey");
  add_page (self, &self->thanks_page, kiosk_thanks_page_new (self->flow), "thanks");
  ensure_page (self, kiosk_flow_get_state (self->flow));

  self->shown_page = NULL;
  self->shown_name = NULL;
  show_page (self, page_for_state (kiosk_flow_get_state (self->flow)));
  update_actions (self);
}

static void
flow_state_changed_cb (KioskWindow *self)
{
  update_page (self);
}

static void
flow_language_changed_cb (KioskWindow *self)
{
  if (g_strcmp0 (self->pages_language, kiosk_flow_get_language (self->flow)) != 0)
    build_pages (self);
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

static void
language_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  const char *language = g_variant_get_string (parameter, NULL);

  if (!kiosk_flow_set_language (self->flow, language))
    g_warning ("survey.language: the survey does not offer “%s”", language);
}

static void
toggle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  const char *option_id = g_variant_get_string (parameter, NULL);

  if (!kiosk_flow_toggle_option (self->flow, option_id))
    g_warning ("follow-up.toggle: no option “%s” in this follow-up", option_id);
  update_actions (self);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  kiosk_flow_submit (KIOSK_WINDOW (widget)->flow);
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  kiosk_flow_skip (KIOSK_WINDOW (widget)->flow);
}

static void
comment_send_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  g_autofree char *text = kiosk_comment_page_dup_text (KIOSK_COMMENT_PAGE (self->comment_page));

  kiosk_flow_set_comment (self->flow, text);
  kiosk_flow_submit (self->flow);
}

static void
comment_skip_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  /* Skipping the comment drops what was typed: the visitor chose not to send it. */
  kiosk_flow_skip (KIOSK_WINDOW (widget)->flow);
}

static void
contact_accept_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  kiosk_flow_touch (self->flow);
  kiosk_contact_page_show_form (KIOSK_CONTACT_PAGE (self->contact_page));
  update_actions (self);
}

static void
contact_decline_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!kiosk_flow_submit_contact (self->flow, FALSE, NULL, NULL, NULL, &error))
    g_warning ("contact.decline: %s", error->message);
}

static void
contact_send_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  KioskContactPage *page = KIOSK_CONTACT_PAGE (self->contact_page);
  g_autoptr(GError) error = NULL;

  /* The details themselves are never logged, not even in a debug message. */
  if (kiosk_flow_submit_contact (self->flow, TRUE,
                                 kiosk_contact_page_get_name (page),
                                 kiosk_contact_page_get_email (page),
                                 kiosk_contact_page_get_phone (page), &error))
    return;

  /* The flow's message is written for the visitor, in their language. */
  if (g_error_matches (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT) ||
      g_error_matches (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_CONSENT))
    kiosk_contact_page_show_error (page, error->message);
  else
    g_warning ("contact.send: %s", error->message);
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
  kiosk_flow_touch (self->flow);
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

  kiosk_flow_touch (self->flow);

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

  G_OBJECT_CLASS (kiosk_window_parent_class)->constructed (object);

  g_signal_connect_object (self->flow, "notify::state",
                           G_CALLBACK (flow_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::language",
                           G_CALLBACK (flow_language_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::survey",
                           G_CALLBACK (build_pages), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::selection",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  build_pages (self);

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
  g_clear_pointer (&self->pages_language, g_free);

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

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, pages);

  /* The one place a vote enters from the UI: touch, physical buttons and tests use it alike.
   * Parameter: (face, input) with input "touch", "button" or "keyboard". */
  gtk_widget_class_install_action (widget_class, "survey.vote", "(is)", vote_action);
  /* A BCP 47 tag the survey offers; the whole window changes language at once. */
  gtk_widget_class_install_action (widget_class, "survey.language", "s", language_action);

  /* The follow-up: an option's stable id, then Next (or Done) or Skip. */
  gtk_widget_class_install_action (widget_class, "follow-up.toggle", "s", toggle_action);
  gtk_widget_class_install_action (widget_class, "follow-up.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "follow-up.skip", NULL, skip_action);

  gtk_widget_class_install_action (widget_class, "comment.send", NULL, comment_send_action);
  gtk_widget_class_install_action (widget_class, "comment.skip", NULL, comment_skip_action);

  /* Consent first: the fields appear only after contact.accept. */
  gtk_widget_class_install_action (widget_class, "contact.accept", NULL, contact_accept_action);
  gtk_widget_class_install_action (widget_class, "contact.decline", NULL,
                                   contact_decline_action);
  gtk_widget_class_install_action (widget_class, "contact.send", NULL, contact_send_action);
}

static void
kiosk_window_init (KioskWindow *self)
{
  GtkEventController *keys;
  GtkGesture *touch;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");

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

  return self->shown_name;
}

/* The page on screen now (for tests). */
GtkWidget *
kiosk_window_get_page_widget (KioskWindow *self)
{
  g_return_val_if_fail (KIOSK_IS_WINDOW (self), NULL);

  return self->shown_page;
}

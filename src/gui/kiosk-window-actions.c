/* kiosk-window-actions.c: the window's actions for a visit, and which of all its actions are
 * enabled for what is on screen. Every button a visitor presses, a physical button and a test
 * activate these, so a vote, an answer or a skip enters one way. */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include "kiosk-admin-page.h"
#include "kiosk-comment-page.h"
#include "kiosk-contact-page.h"
#include "kiosk-window-private.h"

#define COMMENT_PAGE(self) KIOSK_COMMENT_PAGE ((self)->pages[KIOSK_PAGE_COMMENT])
#define CONTACT_PAGE(self) KIOSK_CONTACT_PAGE ((self)->pages[KIOSK_PAGE_CONTACT])

void
_kiosk_window_update_actions (KioskWindow *self)
{
  KioskFlowState state = kiosk_flow_get_state (self->flow);
  KioskFollowUp *follow_up = kiosk_flow_get_follow_up (self->flow);
  const char * const *selection = kiosk_flow_get_selection (self->flow);
  gboolean visit = !self->pin_shown && !self->admin_shown && kiosk_flow_get_open (self->flow);
  gboolean follow_up_shown = visit && state == KIOSK_FLOW_FOLLOW_UP;
  gboolean contact_shown = visit && state == KIOSK_FLOW_CONTACT;
  gboolean form_shown = contact_shown && self->pages[KIOSK_PAGE_CONTACT] != NULL &&
                        kiosk_contact_page_get_form_shown (CONTACT_PAGE (self));
  gboolean chosen = selection != NULL && selection[0] != NULL;
  gboolean more_steps = follow_up != NULL && (kiosk_follow_up_has_comment (follow_up) ||
                                              kiosk_follow_up_has_contact (follow_up));
  gboolean exporting = self->pages[KIOSK_PAGE_ADMIN] != NULL &&
                       kiosk_admin_page_get_exporting (KIOSK_ADMIN_PAGE (
                                                         self->pages[KIOSK_PAGE_ADMIN]));
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "survey.language", visit && state == KIOSK_FLOW_SURVEY);
  gtk_widget_action_set_enabled (widget, "follow-up.toggle", follow_up_shown);
  gtk_widget_action_set_enabled (widget, "follow-up.skip", follow_up_shown);
  /* Done needs an answer; Next leads on to a comment or contact, answers of their own. */
  gtk_widget_action_set_enabled (widget, "follow-up.next",
                                 follow_up_shown && (chosen || more_steps));
  gtk_widget_action_set_enabled (widget, "comment.send", visit && state == KIOSK_FLOW_COMMENT);
  gtk_widget_action_set_enabled (widget, "comment.skip", visit && state == KIOSK_FLOW_COMMENT);
  gtk_widget_action_set_enabled (widget, "contact.accept", contact_shown && !form_shown);
  gtk_widget_action_set_enabled (widget, "contact.decline", contact_shown);
  gtk_widget_action_set_enabled (widget, "contact.send", form_shown);

  gtk_widget_action_set_enabled (widget, "closed.tap", !kiosk_flow_get_open (self->flow));
  gtk_widget_action_set_enabled (widget, "attract.wake", self->attract_shown);
  gtk_widget_action_set_enabled (widget, "admin.request", !self->pin_shown && !self->admin_shown);
  gtk_widget_action_set_enabled (widget, "pin.digit", self->pin_shown);
  gtk_widget_action_set_enabled (widget, "pin.delete", self->pin_shown);
  gtk_widget_action_set_enabled (widget, "pin.submit", self->pin_shown);
  gtk_widget_action_set_enabled (widget, "pin.cancel", self->pin_shown);
  gtk_widget_action_set_enabled (widget, "admin.leave", self->admin_shown);
  gtk_widget_action_set_enabled (widget, "admin.sync-now",
                                 self->admin_shown && self->uploader != NULL);
  gtk_widget_action_set_enabled (widget, "admin.export", self->admin_shown && !exporting);
  gtk_widget_action_set_enabled (widget, "admin.quit", self->admin_shown);
  gtk_widget_action_set_enabled (widget, "admin.quit-confirm", self->admin_shown);
  gtk_widget_action_set_enabled (widget, "admin.quit-cancel", self->admin_shown);
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

  /* A physical button wakes the attract screen and votes: the visitor pressed a face. */
  if (kiosk_flow_vote (self->flow, face, input, &error) != NULL)
    self->attract_shown = FALSE;
  else if (g_error_matches (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_CLOSED))
    g_debug ("survey.vote: %s", error->message);
  else
    g_warning ("survey.vote: %s", error->message);

  _kiosk_window_refresh_screen (self);
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
  _kiosk_window_update_actions (self);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  kiosk_flow_submit (KIOSK_WINDOW (widget)->flow);
}

/* Skipping the comment drops what was typed: the visitor chose not to send it. */
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
  g_autofree char *text = kiosk_comment_page_dup_text (COMMENT_PAGE (self));

  kiosk_flow_set_comment (self->flow, text);
  kiosk_flow_submit (self->flow);
}

static void
contact_accept_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  kiosk_flow_touch (self->flow);
  kiosk_contact_page_show_form (CONTACT_PAGE (self));
  _kiosk_window_update_actions (self);
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
  KioskContactPage *page = CONTACT_PAGE (self);
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

static void
closed_tap_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  kiosk_flow_ignore_press (KIOSK_WINDOW (widget)->flow);
}

static void
attract_wake_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  self->attract_shown = FALSE;
  _kiosk_window_refresh_screen (self);
  _kiosk_window_update_attract_timer (self, TRUE);
}

static const struct
{
  const char                  *name;
  const char                  *parameter_type;
  GtkWidgetActionActivateFunc  activate;
} visit_actions[] = {
  /* The one place a vote enters from the UI: touch, physical buttons and tests use it alike.
   * Parameter: (face, input) with input "touch", "button" or "keyboard". */
  { "survey.vote", "(is)", vote_action },
  /* A BCP 47 tag the survey offers; the whole window changes language at once. */
  { "survey.language", "s", language_action },
  /* The follow-up: an option's stable id, then Next (or Done) or Skip. */
  { "follow-up.toggle", "s", toggle_action },
  { "follow-up.next", NULL, next_action },
  { "follow-up.skip", NULL, skip_action },
  { "comment.send", NULL, comment_send_action },
  { "comment.skip", NULL, skip_action },
  /* Consent first: the fields appear only after contact.accept. */
  { "contact.accept", NULL, contact_accept_action },
  { "contact.decline", NULL, contact_decline_action },
  { "contact.send", NULL, contact_send_action },
  /* Outside opening hours a tap on the closed screen counts as ignored; the attract screen
   * wakes without a vote. */
  { "closed.tap", NULL, closed_tap_action },
  { "attract.wake", NULL, attract_wake_action },
};

void
_kiosk_window_class_actions_init (KioskWindowClass *klass)
{
  for (guint i = 0; i < G_N_ELEMENTS (visit_actions); i++)
    gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), visit_actions[i].name,
                                     visit_actions[i].parameter_type, visit_actions[i].activate);
}

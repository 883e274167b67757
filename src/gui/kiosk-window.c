/* kiosk-window.c: renders the flow's state (survey, follow-up, comment, contact, thank-you) as
 * pages, one shown at a time, and turns every button into an action on this class, so touch,
 * physical buttons and tests take the same path. It also shows what is not a visit: the closed
 * screen outside opening hours, the attract screen after a long idle time, and for staff the PIN
 * pad and the admin screen. In kiosk mode nothing a visitor can press leaves or reveals
 * anything. */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-admin-page.h"
#include "kiosk-attract-page.h"
#include "kiosk-closed-page.h"
#include "kiosk-comment-page.h"
#include "kiosk-contact-page.h"
#include "kiosk-follow-up-page.h"
#include "kiosk-i18n.h"
#include "kiosk-pin.h"
#include "kiosk-pin-page.h"
#include "kiosk-shift-bin.h"
#include "kiosk-survey-page.h"
#include "kiosk-thanks-page.h"
#include "kiosk-window.h"

/* The admin hotspot: five taps, each within this of the one before, or a hold this long. */
#define HOTSPOT_TAPS          5
#define HOTSPOT_TAP_GAP_US    (700 * 1000)
#define HOTSPOT_HOLD_MS       5000
#define HOTSPOT_SLOP_PX       32

/* Burn-in care: the content moves between these offsets (px), one step at a time. */
static const int shift_steps[][2] = {
  { 0, 0 }, { 4, 0 }, { 4, 4 }, { 0, 4 }, { -4, 4 }, { -4, 0 }, { -4, -4 }, { 0, -4 }, { 4, -4 },
};

struct _KioskWindow
{
  GtkApplicationWindow  parent_instance;

  /* template widgets */
  GtkLabel             *staff_banner;
  KioskShiftBin        *shift_bin;
  GtkBox               *pages;
  GtkWidget            *admin_hotspot;

  /* pages, children of @pages, built again when the language changes */
  GtkWidget            *survey_page;
  GtkWidget            *follow_up_page;
  GtkWidget            *comment_page;
  GtkWidget            *contact_page;
  GtkWidget            *thanks_page;
  GtkWidget            *closed_page;      /* only while closed */
  GtkWidget            *attract_page;     /* only while shown */

  /* pages for staff, built when asked for and dropped when left */
  GtkWidget            *pin_page;
  GtkWidget            *admin_page;

  /* owned */
  KioskFlow            *flow;
  KioskUploader        *uploader;         /* NULL when sync is off */
  KioskButtons         *buttons;          /* NULL without physical buttons */
  char                 *pages_language;   /* the language the pages were built in */
  char                 *first_boot_error;
  GStrv                 export_dirs;      /* NULL: look for a USB stick */
  KioskWindowTimings    timings;
  KioskPinGuard         pin_guard;
  guint                 admin_idle_source;
  guint                 attract_source;
  guint                 shift_source;
  guint                 lockout_source;
  guint                 hotspot_hold_source;

  /* borrowed */
  GtkWidget            *shown_page;
  const char           *shown_name;

  gint64                hotspot_last_tap_us;
  guint                 hotspot_taps;
  guint                 shift_step;
  gboolean              kiosk_mode;
  gboolean              pin_shown;
  gboolean              admin_shown;
  gboolean              attract_shown;
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
  /* The context menu of a text field (cut, copy, paste, emoji); the Menu key is stopped with
   * whatever modifier. */
  { GDK_KEY_F10, GDK_SHIFT_MASK },
};

static void refresh_screen (KioskWindow *self);

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
  gboolean visit = !self->pin_shown && !self->admin_shown && kiosk_flow_get_open (self->flow);
  gboolean follow_up_shown = visit && state == KIOSK_FLOW_FOLLOW_UP;
  gboolean contact_shown = visit && state == KIOSK_FLOW_CONTACT;
  gboolean form_shown = contact_shown && self->contact_page != NULL &&
                        kiosk_contact_page_get_form_shown (KIOSK_CONTACT_PAGE (self->contact_page));
  gboolean chosen = selection != NULL && selection[0] != NULL;
  gboolean more_steps = follow_up != NULL && (kiosk_follow_up_has_comment (follow_up) ||
                                              kiosk_follow_up_has_contact (follow_up));
  gboolean exporting = self->admin_page != NULL &&
                       kiosk_admin_page_get_exporting (KIOSK_ADMIN_PAGE (self->admin_page));
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
    {
      if (self->shown_page == *slot)
        {
          self->shown_page = NULL;
          self->shown_name = NULL;
        }
      gtk_box_remove (self->pages, *slot);
    }
  *slot = NULL;
}

static gboolean
is_portrait (KioskWindow *self)
{
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  return height > width;
}

static void
update_closed_page (KioskWindow *self)
{
  KioskHours *hours = kiosk_config_get_hours (kiosk_flow_get_config (self->flow));
  const char *tz_name = kiosk_hours_get_timezone (hours);
  g_autoptr(GTimeZone) tz = tz_name ? g_time_zone_new_identifier (tz_name) : NULL;
  gint64 now = g_get_real_time ();

  kiosk_closed_page_set_reopens (KIOSK_CLOSED_PAGE (self->closed_page),
                                 kiosk_hours_next_change (hours, now), now, tz);
}

static void
ensure_page (KioskWindow *self,
             const char  *name)
{
  if (g_str_equal (name, "follow-up") && self->follow_up_page == NULL)
    add_page (self, &self->follow_up_page, kiosk_follow_up_page_new (self->flow), "follow-up");
  else if (g_str_equal (name, "comment") && self->comment_page == NULL)
    add_page (self, &self->comment_page, kiosk_comment_page_new (self->flow), "comment");
  else if (g_str_equal (name, "contact") && self->contact_page == NULL)
    add_page (self, &self->contact_page, kiosk_contact_page_new (self->flow), "contact");
  else if (g_str_equal (name, "closed") && self->closed_page == NULL)
    add_page (self, &self->closed_page, kiosk_closed_page_new (), "closed");
  else if (g_str_equal (name, "attract") && self->attract_page == NULL)
    add_page (self, &self->attract_page, kiosk_attract_page_new (self->flow), "attract");
  else if (g_str_equal (name, "pin") && self->pin_page == NULL)
    add_page (self, &self->pin_page, kiosk_pin_page_new (), "pin");
  else if (g_str_equal (name, "admin") && self->admin_page == NULL)
    {
      add_page (self, &self->admin_page,
                kiosk_admin_page_new (self->flow, self->uploader, self->buttons,
                                      self->first_boot_error), "admin");
      kiosk_admin_page_set_portrait (KIOSK_ADMIN_PAGE (self->admin_page), is_portrait (self));
      g_signal_connect_object (self->admin_page, "notify::exporting",
                               G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
    }
}

/* What the screen shows: staff pages first, then closed, attract, or the visit's step. */
static const char *
screen_name (KioskWindow *self)
{
  KioskFlowState state = kiosk_flow_get_state (self->flow);

  if (self->admin_shown)
    return "admin";
  if (self->pin_shown)
    return "pin";
  if (!kiosk_flow_get_open (self->flow))
    return "closed";
  if (self->attract_shown && state == KIOSK_FLOW_SURVEY)
    return "attract";

  return page_for_state (state);
}

static void
set_dim (KioskWindow *self,
         gboolean     dim)
{
  if (dim)
    gtk_widget_add_css_class (GTK_WIDGET (self), "dim");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "dim");
}

/* A visitor may have copied their own e-mail address in a text field: the next visitor must not
 * be able to paste it. */
static void
forget_clipboard (KioskWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  gdk_clipboard_set_content (gdk_display_get_clipboard (display), NULL);
  gdk_clipboard_set_content (gdk_display_get_primary_clipboard (display), NULL);
}

/* --- Timers: each runs only while it has something to wait for ---------------------------- */

static guint
attract_after_ms (KioskWindow *self)
{
  if (self->timings.attract_after_ms > 0)
    return self->timings.attract_after_ms;

  return kiosk_config_get_attract_after_minutes (kiosk_flow_get_config (self->flow)) * 60 * 1000;
}

static gboolean
attract_cb (gpointer user_data)
{
  KioskWindow *self = user_data;

  self->attract_source = 0;
  g_debug ("No touch for %u ms: attract screen", attract_after_ms (self));
  self->attract_shown = TRUE;
  refresh_screen (self);

  return G_SOURCE_REMOVE;
}

/* @restart: a touch: the wait starts again. */
static void
update_attract_timer (KioskWindow *self,
                      gboolean     restart)
{
  gboolean waiting = attract_after_ms (self) > 0 && g_strcmp0 (self->shown_name, "survey") == 0 &&
                     gtk_widget_get_mapped (GTK_WIDGET (self));

  if (!waiting || restart)
    g_clear_handle_id (&self->attract_source, g_source_remove);

  if (waiting && self->attract_source == 0)
    self->attract_source = g_timeout_add (attract_after_ms (self), attract_cb, self);
}

static void leave_staff_pages (KioskWindow *self,
                               const char  *why);

static gboolean
admin_idle_cb (gpointer user_data)
{
  KioskWindow *self = user_data;

  self->admin_idle_source = 0;

  /* An export to a stick takes its time; the screen stays until it says how it went. */
  if (self->admin_page != NULL &&
      kiosk_admin_page_get_exporting (KIOSK_ADMIN_PAGE (self->admin_page)))
    {
      self->admin_idle_source = g_timeout_add (self->timings.admin_idle_ms, admin_idle_cb, self);
      return G_SOURCE_REMOVE;
    }

  leave_staff_pages (self, "nobody touched it");
  return G_SOURCE_REMOVE;
}

static void
update_admin_idle_timer (KioskWindow *self,
                         gboolean     restart)
{
  gboolean waiting = self->pin_shown || self->admin_shown;

  if (!waiting || restart)
    g_clear_handle_id (&self->admin_idle_source, g_source_remove);

  if (waiting && self->admin_idle_source == 0)
    self->admin_idle_source = g_timeout_add (self->timings.admin_idle_ms, admin_idle_cb, self);
}

static gboolean
shift_cb (gpointer user_data)
{
  KioskWindow *self = user_data;

  self->shift_step = (self->shift_step + 1) % G_N_ELEMENTS (shift_steps);
  kiosk_shift_bin_set_offset (self->shift_bin, shift_steps[self->shift_step][0],
                              shift_steps[self->shift_step][1]);

  return G_SOURCE_CONTINUE;
}

/* --- The screen --------------------------------------------------------------------------- */

static void
prepare_page (KioskWindow *self,
              const char  *name)
{
  if (g_str_equal (name, "follow-up"))
    kiosk_follow_up_page_prepare (KIOSK_FOLLOW_UP_PAGE (self->follow_up_page));
  else if (g_str_equal (name, "comment"))
    kiosk_comment_page_prepare (KIOSK_COMMENT_PAGE (self->comment_page));
  else if (g_str_equal (name, "contact"))
    kiosk_contact_page_prepare (KIOSK_CONTACT_PAGE (self->contact_page));
  else if (g_str_equal (name, "thanks"))
    kiosk_thanks_page_prepare (KIOSK_THANKS_PAGE (self->thanks_page));
  else if (g_str_equal (name, "closed"))
    update_closed_page (self);
}

/* Shows what screen_name() says, gets it ready before the next frame, drops the pages that are
 * only built while shown, and sets the timers for what is on screen now. */
static void
refresh_screen (KioskWindow *self)
{
  const char *name = screen_name (self);
  gboolean was_text_step = g_strcmp0 (self->shown_name, "comment") == 0 ||
                           g_strcmp0 (self->shown_name, "contact") == 0;
  gboolean staff_way_in;

  if (g_strcmp0 (self->shown_name, name) != 0)
    {
      /* The focus never stays in a page that goes away. GTK 4.8 otherwise keeps a reference to
       * the page the focus was in, and a page rebuilt for a new language would never be freed.
       * A page that takes input focuses its own field in prepare(). */
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      ensure_page (self, name);
      show_page (self, name);
      prepare_page (self, name);
      if (was_text_step)
        forget_clipboard (self);
    }

  if (!self->pin_shown)
    remove_page (self, &self->pin_page);
  if (!self->admin_shown)
    remove_page (self, &self->admin_page);
  if (kiosk_flow_get_open (self->flow))
    remove_page (self, &self->closed_page);
  if (!self->attract_shown || g_strcmp0 (name, "attract") != 0)
    {
      self->attract_shown = FALSE;
      remove_page (self, &self->attract_page);
    }

  /* Staff reach the admin screen, and see the banner, from the survey and the closed screen. */
  staff_way_in = g_str_equal (name, "survey") || g_str_equal (name, "closed");
  gtk_widget_set_visible (self->admin_hotspot, staff_way_in);
  gtk_widget_set_visible (GTK_WIDGET (self->staff_banner),
                          staff_way_in && self->first_boot_error != NULL);
  set_dim (self, g_str_equal (name, "closed") || g_str_equal (name, "attract"));

  update_actions (self);
  update_attract_timer (self, FALSE);
  update_admin_idle_timer (self, FALSE);
  if (!self->pin_shown)
    g_clear_handle_id (&self->lockout_source, g_source_remove);
}

/* Templates are translated when they are built, so a new language means new pages. The pages
 * hold no state of their own beyond the visit on screen, which they read back from the flow.
 * The staff pages stay as they are: they were built in the language the kiosk returns to. */
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
  remove_page (self, &self->closed_page);
  remove_page (self, &self->attract_page);

  /* The thank-you page follows every tap, so it is ready; the follow-up steps, with their
   * keyboards, are built when a visit first needs them, after the kiosk's first frame. */
  add_page (self, &self->survey_page, kiosk_survey_page_new (self->flow), "survey");
  add_page (self, &self->thanks_page, kiosk_thanks_page_new (self->flow), "thanks");

  self->shown_page = NULL;
  self->shown_name = NULL;
  refresh_screen (self);
}

static void
flow_state_changed_cb (KioskWindow *self)
{
  refresh_screen (self);
}

static void
flow_language_changed_cb (KioskWindow *self)
{
  if (g_strcmp0 (self->pages_language, kiosk_flow_get_language (self->flow)) != 0)
    build_pages (self);
}

static void
flow_open_changed_cb (KioskWindow *self)
{
  self->attract_shown = FALSE;
  refresh_screen (self);
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

  refresh_screen (self);
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

/* --- Closed and attract screens ----------------------------------------------------------- */

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
  refresh_screen (self);
  update_attract_timer (self, TRUE);
}

/* --- The way to the admin screen ---------------------------------------------------------- */

static void
leave_staff_pages (KioskWindow *self,
                   const char  *why)
{
  if (!self->pin_shown && !self->admin_shown)
    return;

  if (self->admin_shown)
    g_message ("Admin screen closed: %s", why);
  self->pin_shown = FALSE;
  self->admin_shown = FALSE;
  refresh_screen (self);
}

static void
lockout_message (KioskWindow *self,
                 guint        wait_s)
{
  g_autofree char *text = NULL;

  if (wait_s > 90)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* Translators: on the PIN pad after wrong PINs */
                                         "Too many wrong PINs. Try again in %u minute.",
                                         "Too many wrong PINs. Try again in %u minutes.",
                                         (wait_s + 59) / 60),
                            (wait_s + 59) / 60);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         /* Translators: on the PIN pad after wrong PINs */
                                         "Too many wrong PINs. Try again in %u second.",
                                         "Too many wrong PINs. Try again in %u seconds.",
                                         wait_s),
                            wait_s);

  kiosk_pin_page_set_message (KIOSK_PIN_PAGE (self->pin_page), text);
}

/* While locked out the PIN pad counts down, once a second, and only then. */
static gboolean
lockout_tick_cb (gpointer user_data)
{
  KioskWindow *self = user_data;
  gint64 left_us = self->pin_guard.locked_until_us - g_get_monotonic_time ();

  if (self->pin_page == NULL)
    {
      self->lockout_source = 0;
      return G_SOURCE_REMOVE;
    }

  if (left_us <= 0)
    {
      self->lockout_source = 0;
      kiosk_pin_page_set_locked (KIOSK_PIN_PAGE (self->pin_page), FALSE);
      kiosk_pin_page_set_message (KIOSK_PIN_PAGE (self->pin_page), NULL);
      return G_SOURCE_REMOVE;
    }

  lockout_message (self, (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  return G_SOURCE_CONTINUE;
}

static void
show_lockout (KioskWindow *self)
{
  gint64 left_us = self->pin_guard.locked_until_us - g_get_monotonic_time ();

  if (left_us <= 0 || self->pin_page == NULL)
    return;

  kiosk_pin_page_set_locked (KIOSK_PIN_PAGE (self->pin_page), TRUE);
  lockout_message (self, (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  if (self->lockout_source == 0)
    self->lockout_source = g_timeout_add_seconds (1, lockout_tick_cb, self);
}

static const char *
pin_hash (KioskWindow *self)
{
  return kiosk_config_get_pin_hash (kiosk_flow_get_config (self->flow));
}

/* The hidden gesture (or a test) asks for the admin screen: the PIN pad comes first. */
static void
admin_request_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  if (self->pin_shown || self->admin_shown)
    return;

  if (!kiosk_pin_hash_is_valid (pin_hash (self)))
    {
      g_message ("The admin screen was asked for, but it stays closed: [admin] pin-hash is not "
                 "set (make one with smiley-kiosk --hash-pin)");
      return;
    }

  /* Staff read the screen in the kiosk's own language, whatever the last visitor chose. */
  if (g_strcmp0 (kiosk_flow_get_language (self->flow),
                 kiosk_flow_get_default_language (self->flow)) != 0 ||
      kiosk_flow_get_state (self->flow) != KIOSK_FLOW_SURVEY)
    kiosk_flow_return_to_survey (self->flow);

  self->pin_shown = TRUE;
  refresh_screen (self);
  show_lockout (self);
}

static void
pin_digit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  const char *digit = g_variant_get_string (parameter, NULL);

  if (self->lockout_source != 0 || !g_ascii_isdigit (digit[0]) || digit[1] != '\0')
    return;

  kiosk_pin_page_set_message (KIOSK_PIN_PAGE (self->pin_page), NULL);
  kiosk_pin_page_add_digit (KIOSK_PIN_PAGE (self->pin_page), digit);
}

static void
pin_delete_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  kiosk_pin_page_delete (KIOSK_PIN_PAGE (KIOSK_WINDOW (widget)->pin_page));
}

static void
pin_cancel_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  leave_staff_pages (KIOSK_WINDOW (widget), "cancelled");
}

/* The PIN is checked against its hash (the guard makes every wrong one after the third cost a
 * growing wait) and forgotten at once. */
static void
pin_submit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);
  KioskPinPage *page = KIOSK_PIN_PAGE (self->pin_page);
  KioskPinResult result;
  guint wait_s = 0;

  if (*kiosk_pin_page_get_pin (page) == '\0' || self->lockout_source != 0)
    return;

  result = kiosk_pin_guard_check (&self->pin_guard, pin_hash (self), kiosk_pin_page_get_pin (page),
                                  g_get_monotonic_time (), &wait_s);
  kiosk_pin_page_clear (page);

  switch (result)
    {
    case KIOSK_PIN_OK:
      g_message ("Admin screen opened");
      self->pin_shown = FALSE;
      self->admin_shown = TRUE;
      refresh_screen (self);
      break;
    case KIOSK_PIN_WRONG:
      g_message ("Admin screen: wrong PIN (%u in a row)", self->pin_guard.failures);
      if (wait_s > 0)
        show_lockout (self);
      else
        /* Translators: on the PIN pad */
        kiosk_pin_page_set_message (page, _("Wrong PIN. Please try again."));
      break;
    case KIOSK_PIN_LOCKED:
      show_lockout (self);
      break;
    case KIOSK_PIN_NOT_SET:
    default:
      leave_staff_pages (self, "no PIN is configured");
      break;
    }
}

/* --- The admin screen --------------------------------------------------------------------- */

static void
admin_leave_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  leave_staff_pages (KIOSK_WINDOW (widget), "left");
}

static void
admin_sync_now_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  g_message ("Admin screen: sync now");
  kiosk_uploader_sync_now (self->uploader);
  kiosk_admin_page_refresh (KIOSK_ADMIN_PAGE (self->admin_page));
}

static void
admin_export_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  kiosk_admin_page_export (KIOSK_ADMIN_PAGE (self->admin_page),
                           (const char * const *) self->export_dirs);
}

static void
admin_quit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  kiosk_admin_page_set_quit_confirmation (KIOSK_ADMIN_PAGE (self->admin_page), TRUE);
}

static void
admin_quit_cancel_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  kiosk_admin_page_set_quit_confirmation (KIOSK_ADMIN_PAGE (self->admin_page), FALSE);
}

/* The application's "quit": the kiosk stops as on SIGTERM, the open visit ends as interrupted. */
static void
admin_quit_confirm_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  g_message ("Quit from the admin screen");
  if (!gtk_widget_activate_action (widget, "app.quit", NULL))
    g_warning ("Quit from the admin screen: the application has no quit action");
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

  kiosk_flow_touch (self->flow);
  update_attract_timer (self, TRUE);
  update_admin_idle_timer (self, TRUE);
}

/* The hotspot: a hold of five seconds … */
static gboolean
hotspot_held_cb (gpointer user_data)
{
  KioskWindow *self = user_data;

  self->hotspot_hold_source = 0;
  self->hotspot_taps = 0;
  gtk_widget_activate_action (GTK_WIDGET (self), "admin.request", NULL);

  return G_SOURCE_REMOVE;
}

/* … or five quick taps. One drag gesture sees both: every press begins one. */
static void
hotspot_begin_cb (GtkGestureDrag *gesture,
                  double          x,
                  double          y,
                  KioskWindow    *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->hotspot_last_tap_us > HOTSPOT_TAP_GAP_US)
    self->hotspot_taps = 0;
  self->hotspot_last_tap_us = now;

  if (++self->hotspot_taps >= HOTSPOT_TAPS)
    {
      self->hotspot_taps = 0;
      gtk_widget_activate_action (GTK_WIDGET (self), "admin.request", NULL);
      return;
    }

  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
  self->hotspot_hold_source = g_timeout_add (HOTSPOT_HOLD_MS, hotspot_held_cb, self);
}

/* A finger that slides away is not holding the corner. */
static void
hotspot_update_cb (GtkGestureDrag *gesture,
                   double          dx,
                   double          dy,
                   KioskWindow    *self)
{
  if (dx * dx + dy * dy > HOTSPOT_SLOP_PX * HOTSPOT_SLOP_PX)
    g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
}

static void
hotspot_end_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                KioskWindow    *self)
{
  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
}

static void
hotspot_cancel_cb (GtkGesture       *gesture,
                   GdkEventSequence *sequence,
                   KioskWindow      *self)
{
  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
}

static void
set_up_hotspot (KioskWindow *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (drag, "drag-begin", G_CALLBACK (hotspot_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (hotspot_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (hotspot_end_cb), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (hotspot_cancel_cb), self);
  gtk_widget_add_controller (self->admin_hotspot, GTK_EVENT_CONTROLLER (drag));
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
  update_attract_timer (self, TRUE);
  update_admin_idle_timer (self, TRUE);

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
  g_signal_connect_object (self->flow, "notify::open",
                           G_CALLBACK (flow_open_changed_cb), self, G_CONNECT_SWAPPED);
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
kiosk_window_map (GtkWidget *widget)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  GTK_WIDGET_CLASS (kiosk_window_parent_class)->map (widget);

  /* One wake-up every few minutes, to move the picture; nothing else while idle. */
  if (self->shift_source == 0 && self->timings.shift_every_ms > 0)
    self->shift_source = g_timeout_add (self->timings.shift_every_ms, shift_cb, self);
  update_attract_timer (self, FALSE);
}

static void
kiosk_window_unmap (GtkWidget *widget)
{
  KioskWindow *self = KIOSK_WINDOW (widget);

  g_clear_handle_id (&self->shift_source, g_source_remove);
  g_clear_handle_id (&self->attract_source, g_source_remove);

  GTK_WIDGET_CLASS (kiosk_window_parent_class)->unmap (widget);
}

static void
kiosk_window_dispose (GObject *object)
{
  KioskWindow *self = KIOSK_WINDOW (object);

  g_clear_handle_id (&self->admin_idle_source, g_source_remove);
  g_clear_handle_id (&self->attract_source, g_source_remove);
  g_clear_handle_id (&self->shift_source, g_source_remove);
  g_clear_handle_id (&self->lockout_source, g_source_remove);
  g_clear_handle_id (&self->hotspot_hold_source, g_source_remove);
  g_clear_object (&self->flow);
  g_clear_object (&self->uploader);
  g_clear_object (&self->buttons);
  g_clear_pointer (&self->pages_language, g_free);
  g_clear_pointer (&self->first_boot_error, g_free);
  g_clear_pointer (&self->export_dirs, g_strfreev);

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

  widget_class->map = kiosk_window_map;
  widget_class->unmap = kiosk_window_unmap;
  window_class->close_request = kiosk_window_close_request;
  window_class->enable_debugging = kiosk_window_enable_debugging;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, KIOSK_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIOSK_MODE] =
    g_param_spec_boolean ("kiosk-mode", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KIOSK_TYPE_SHIFT_BIN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, staff_banner);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, shift_bin);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, admin_hotspot);

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

  /* Outside opening hours a tap on the closed screen counts as ignored; the attract screen
   * wakes without a vote. */
  gtk_widget_class_install_action (widget_class, "closed.tap", NULL, closed_tap_action);
  gtk_widget_class_install_action (widget_class, "attract.wake", NULL, attract_wake_action);

  /* For staff: the hidden gesture asks for the admin screen, the PIN pad guards it. */
  gtk_widget_class_install_action (widget_class, "admin.request", NULL, admin_request_action);
  gtk_widget_class_install_action (widget_class, "pin.digit", "s", pin_digit_action);
  gtk_widget_class_install_action (widget_class, "pin.delete", NULL, pin_delete_action);
  gtk_widget_class_install_action (widget_class, "pin.submit", NULL, pin_submit_action);
  gtk_widget_class_install_action (widget_class, "pin.cancel", NULL, pin_cancel_action);
  gtk_widget_class_install_action (widget_class, "admin.leave", NULL, admin_leave_action);
  gtk_widget_class_install_action (widget_class, "admin.sync-now", NULL, admin_sync_now_action);
  gtk_widget_class_install_action (widget_class, "admin.export", NULL, admin_export_action);
  gtk_widget_class_install_action (widget_class, "admin.quit", NULL, admin_quit_action);
  gtk_widget_class_install_action (widget_class, "admin.quit-confirm", NULL,
                                   admin_quit_confirm_action);
  gtk_widget_class_install_action (widget_class, "admin.quit-cancel", NULL,
                                   admin_quit_cancel_action);
}

static void
kiosk_window_init (KioskWindow *self)
{
  GtkEventController *keys;
  GtkGesture *touch;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");

  self->timings.shift_every_ms = 3 * 60 * 1000;
  self->timings.admin_idle_ms = 60 * 1000;
  set_up_hotspot (self);

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

/**
 * kiosk_window_set_uploader:
 * @uploader: (nullable): background sync, for the admin screen; %NULL when sync is off
 */
void
kiosk_window_set_uploader (KioskWindow   *self,
                           KioskUploader *uploader)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));

  g_set_object (&self->uploader, uploader);
  update_actions (self);
}

/* @buttons: (nullable): the physical buttons, for the admin screen's status lines */
void
kiosk_window_set_buttons (KioskWindow  *self,
                          KioskButtons *buttons)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));

  g_set_object (&self->buttons, buttons);
}

/**
 * kiosk_window_set_first_boot_error:
 * @text: (nullable): why the configuration on the boot partition was refused
 *
 * Staff see it in full on the admin screen, and a small banner on the survey tells them to look.
 */
void
kiosk_window_set_first_boot_error (KioskWindow *self,
                                   const char  *text)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));

  g_free (self->first_boot_error);
  self->first_boot_error = text && *text ? g_strdup (text) : NULL;
  refresh_screen (self);
}

/**
 * kiosk_window_set_export_dirs:
 * @dirs: (nullable): where "Export CSV" writes (the first one); %NULL to look for a mounted USB
 *   stick, as a kiosk does
 */
void
kiosk_window_set_export_dirs (KioskWindow        *self,
                              const char * const *dirs)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));

  g_strfreev (self->export_dirs);
  self->export_dirs = g_strdupv ((char **) dirs);
}

void
kiosk_window_set_timings (KioskWindow              *self,
                          const KioskWindowTimings *timings)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));
  g_return_if_fail (timings != NULL);

  self->timings = *timings;
  if (self->timings.admin_idle_ms == 0)
    self->timings.admin_idle_ms = 60 * 1000;

  g_clear_handle_id (&self->shift_source, g_source_remove);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->timings.shift_every_ms > 0)
    self->shift_source = g_timeout_add (self->timings.shift_every_ms, shift_cb, self);
  update_attract_timer (self, TRUE);
  update_admin_idle_timer (self, TRUE);
}

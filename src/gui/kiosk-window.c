/* kiosk-window.c: renders the flow's state (survey, follow-up, comment, contact, thank-you) as
 * pages of a GtkStack, one shown at a time, each made ready by itself as it comes on screen. It
 * also shows what is not a visit: the closed screen outside opening hours, the attract screen
 * after a long idle time, and for staff the PIN pad and the admin screen. The window's other
 * concerns live beside it (kiosk-window-private.h says where). */
#define G_LOG_DOMAIN "kiosk-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiosk-admin-page.h"
#include "kiosk-attract-page.h"
#include "kiosk-closed-page.h"
#include "kiosk-comment-page.h"
#include "kiosk-contact-page.h"
#include "kiosk-follow-up-page.h"
#include "kiosk-gui-enums.h"
#include "kiosk-i18n.h"
#include "kiosk-pin-page.h"
#include "kiosk-survey-page.h"
#include "kiosk-thanks-page.h"
#include "kiosk-window-private.h"

/* Burn-in care: the content moves between these offsets (px), one step at a time. */
static const int shift_steps[][2] = {
  { 0, 0 }, { 4, 0 }, { 4, 4 }, { 0, 4 }, { -4, 4 }, { -4, 0 }, { -4, -4 }, { 0, -4 }, { 4, -4 },
};

/* Each page's type, and whether it is written in the visitor's language: those are built again
 * when the language changes; the staff pages stay in the language the kiosk returns to. */
static const struct
{
  GType    (*get_type) (void);
  gboolean   visitor_language;
} page_types[KIOSK_N_PAGES] = {
  [KIOSK_PAGE_SURVEY] = { kiosk_survey_page_get_type, TRUE },
  [KIOSK_PAGE_FOLLOW_UP] = { kiosk_follow_up_page_get_type, TRUE },
  [KIOSK_PAGE_COMMENT] = { kiosk_comment_page_get_type, TRUE },
  [KIOSK_PAGE_CONTACT] = { kiosk_contact_page_get_type, TRUE },
  [KIOSK_PAGE_THANKS] = { kiosk_thanks_page_get_type, TRUE },
  [KIOSK_PAGE_CLOSED] = { kiosk_closed_page_get_type, TRUE },
  [KIOSK_PAGE_ATTRACT] = { kiosk_attract_page_get_type, TRUE },
  [KIOSK_PAGE_PIN] = { kiosk_pin_page_get_type, FALSE },
  [KIOSK_PAGE_ADMIN] = { kiosk_admin_page_get_type, FALSE },
};

enum {
  PROP_0,
  PROP_FLOW,
  PROP_KIOSK_MODE,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskWindow, kiosk_window, GTK_TYPE_APPLICATION_WINDOW)

static KioskPageId
page_for_state (KioskFlowState state)
{
  switch (state)
    {
    case KIOSK_FLOW_FOLLOW_UP:
      return KIOSK_PAGE_FOLLOW_UP;
    case KIOSK_FLOW_COMMENT:
      return KIOSK_PAGE_COMMENT;
    case KIOSK_FLOW_CONTACT:
      return KIOSK_PAGE_CONTACT;
    case KIOSK_FLOW_THANKS:
      return KIOSK_PAGE_THANKS;
    case KIOSK_FLOW_SURVEY:
    default:
      return KIOSK_PAGE_SURVEY;
    }
}

/* What the screen shows: staff pages first, then closed, attract, or the visit's step. */
static KioskPageId
screen_page (KioskWindow *self)
{
  KioskFlowState state = kiosk_flow_get_state (self->flow);

  if (self->admin_shown)
    return KIOSK_PAGE_ADMIN;
  if (self->pin_shown)
    return KIOSK_PAGE_PIN;
  if (!kiosk_flow_get_open (self->flow))
    return KIOSK_PAGE_CLOSED;
  if (self->attract_shown && state == KIOSK_FLOW_SURVEY)
    return KIOSK_PAGE_ATTRACT;

  return page_for_state (state);
}

/* --- Pages -------------------------------------------------------------------------------- */

/* The stack measures and draws its visible page only (it is not homogeneous). */
static void
ensure_page (KioskWindow *self,
             KioskPageId  id)
{
  GtkWidget *page;

  if (self->pages[id] != NULL)
    return;

  if (id == KIOSK_PAGE_ADMIN)
    page = _kiosk_window_new_admin_page (self);
  else
    page = g_object_new (page_types[id].get_type (), "flow", self->flow, NULL);

  gtk_widget_set_hexpand (page, TRUE);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_stack_add_named (self->stack, page, kiosk_page_id_get_name (id));
  self->pages[id] = page;
}

static void
remove_page (KioskWindow *self,
             KioskPageId  id)
{
  if (self->pages[id] == NULL)
    return;

  if (self->shown == id)
    self->shown = KIOSK_PAGE_NONE;
  gtk_stack_remove (self->stack, g_steal_pointer (&self->pages[id]));
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
  _kiosk_window_refresh_screen (self);

  return G_SOURCE_REMOVE;
}

/* @restart: a touch: the wait starts again. */
void
_kiosk_window_update_attract_timer (KioskWindow *self,
                                    gboolean     restart)
{
  gboolean waiting = attract_after_ms (self) > 0 && self->shown == KIOSK_PAGE_SURVEY &&
                     gtk_widget_get_mapped (GTK_WIDGET (self));

  if (!waiting || restart)
    g_clear_handle_id (&self->attract_source, g_source_remove);

  if (waiting && self->attract_source == 0)
    self->attract_source = g_timeout_add (attract_after_ms (self), attract_cb, self);
}

/* Someone touched the screen or pressed a key: the visit's countdown and the waits for the
 * attract screen and for closing the admin screen start again. */
void
_kiosk_window_touched (KioskWindow *self)
{
  kiosk_flow_touch (self->flow);
  _kiosk_window_update_attract_timer (self, TRUE);
  _kiosk_window_update_admin_idle_timer (self, TRUE);
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

/* Shows what screen_page() says, gets it ready before the next frame, drops the pages that are
 * only built while shown, and sets the timers for what is on screen now. */
void
_kiosk_window_refresh_screen (KioskWindow *self)
{
  KioskPageId id = screen_page (self);
  gboolean was_text_step = self->shown == KIOSK_PAGE_COMMENT || self->shown == KIOSK_PAGE_CONTACT;
  gboolean staff_way_in;

  if (self->shown != id)
    {
      /* The focus never stays in a page that goes away. GTK 4.8 otherwise keeps a reference to
       * the page the focus was in, and a page rebuilt for a new language would never be freed.
       * A page that takes input focuses its own field in prepare(). */
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      ensure_page (self, id);
      gtk_stack_set_visible_child (self->stack, self->pages[id]);
      self->shown = id;
      kiosk_page_prepare (KIOSK_PAGE (self->pages[id]));
      if (was_text_step)
        _kiosk_window_forget_clipboard (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
    }

  if (!self->pin_shown)
    remove_page (self, KIOSK_PAGE_PIN);
  if (!self->admin_shown)
    remove_page (self, KIOSK_PAGE_ADMIN);
  if (kiosk_flow_get_open (self->flow))
    remove_page (self, KIOSK_PAGE_CLOSED);
  if (!self->attract_shown || id != KIOSK_PAGE_ATTRACT)
    {
      self->attract_shown = FALSE;
      remove_page (self, KIOSK_PAGE_ATTRACT);
    }

  /* Staff reach the admin screen, and see the banner, from the survey and the closed screen. */
  staff_way_in = id == KIOSK_PAGE_SURVEY || id == KIOSK_PAGE_CLOSED;
  gtk_widget_set_visible (self->admin_hotspot, staff_way_in);
  gtk_widget_set_visible (GTK_WIDGET (self->staff_banner),
                          staff_way_in && self->first_boot_error != NULL);
  set_dim (self, id == KIOSK_PAGE_CLOSED || id == KIOSK_PAGE_ATTRACT);

  _kiosk_window_update_actions (self);
  _kiosk_window_update_attract_timer (self, FALSE);
  _kiosk_window_update_admin_idle_timer (self, FALSE);
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

  for (KioskPageId id = KIOSK_PAGE_SURVEY; id < KIOSK_N_PAGES; id++)
    if (page_types[id].visitor_language)
      remove_page (self, id);

  /* The thank-you page follows every tap, so it is ready; the follow-up steps, with their
   * keyboards, are built when a visit first needs them, after the kiosk's first frame. */
  ensure_page (self, KIOSK_PAGE_SURVEY);
  ensure_page (self, KIOSK_PAGE_THANKS);

  self->shown = KIOSK_PAGE_NONE;
  _kiosk_window_refresh_screen (self);
}

static void
flow_state_changed_cb (KioskWindow *self)
{
  _kiosk_window_refresh_screen (self);
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
  _kiosk_window_refresh_screen (self);
}

/* --- Object ------------------------------------------------------------------------------- */

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
                           G_CALLBACK (_kiosk_window_update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::open",
                           G_CALLBACK (flow_open_changed_cb), self, G_CONNECT_SWAPPED);
  build_pages (self);

  _kiosk_window_lockdown_init (self);
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
  _kiosk_window_update_attract_timer (self, FALSE);
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
  /* The stack's own children, gone with the template. */
  memset (self->pages, 0, sizeof self->pages);

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
    case PROP_PAGE:
      g_value_set_enum (value, self->shown);
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

  object_class->constructed = kiosk_window_constructed;
  object_class->dispose = kiosk_window_dispose;
  object_class->get_property = kiosk_window_get_property;
  object_class->set_property = kiosk_window_set_property;

  widget_class->map = kiosk_window_map;
  widget_class->unmap = kiosk_window_unmap;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, KIOSK_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIOSK_MODE] =
    g_param_spec_boolean ("kiosk-mode", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The page on screen. */
  properties[PROP_PAGE] =
    g_param_spec_enum ("page", NULL, NULL, KIOSK_TYPE_PAGE_ID, KIOSK_PAGE_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KIOSK_TYPE_SHIFT_BIN);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, staff_banner);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, shift_bin);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KioskWindow, admin_hotspot);

  _kiosk_window_class_actions_init (klass);
  _kiosk_window_class_staff_init (klass);
  _kiosk_window_class_lockdown_init (klass);
}

static void
kiosk_window_init (KioskWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");

  self->timings.shift_every_ms = 3 * 60 * 1000;
  self->timings.admin_idle_ms = 60 * 1000;
  _kiosk_window_staff_init (self);

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

/* Returns: the page on screen now */
KioskPageId
kiosk_window_get_page (KioskWindow *self)
{
  g_return_val_if_fail (KIOSK_IS_WINDOW (self), KIOSK_PAGE_NONE);

  return self->shown;
}

/* Returns: (nullable) (transfer none): the page on screen now (for tests) */
GtkWidget *
kiosk_window_get_page_widget (KioskWindow *self)
{
  g_return_val_if_fail (KIOSK_IS_WINDOW (self), NULL);

  return self->pages[self->shown];
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
  _kiosk_window_update_actions (self);
}

/* @buttons: (nullable): the physical buttons, for the admin screen's status lines */
void
kiosk_window_set_buttons (KioskWindow  *self,
                          KioskButtons *buttons)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));

  g_set_object (&self->buttons, buttons);
}

/* The first-boot import writes a heading, a blank line, then the problems one a line (most of
 * them "smiley-kiosk.conf:3: …"), then what to do. The banner shows the first problem: the first
 * line that starts with a file and a line number, else the first line after the heading. */
static char *
first_problem (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GRegex) located = g_regex_new ("^[^:\\s]+:[0-9]+: ", 0, 0, NULL);
  const char *after_heading = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_regex_match (located, lines[i], 0, NULL))
        return g_strdup (lines[i]);
      if (after_heading == NULL && i > 0 && *lines[i - 1] == '\0' && *lines[i] != '\0')
        after_heading = lines[i];
    }

  return g_strdup (after_heading != NULL ? after_heading : lines[0]);
}

/* A problem line is short, but the file can hold anything: the banner keeps to a few lines. */
#define BANNER_PROBLEM_CHARS 160

/**
 * kiosk_window_set_first_boot_error:
 * @text: (nullable): why the configuration on the boot partition was refused
 *
 * Staff see it in full on the admin screen; a small banner on the survey names the first mistake
 * and tells them to look there.
 */
void
kiosk_window_set_first_boot_error (KioskWindow *self,
                                   const char  *text)
{
  g_return_if_fail (KIOSK_IS_WINDOW (self));

  g_free (self->first_boot_error);
  self->first_boot_error = text && *text ? g_strdup (text) : NULL;
  if (self->first_boot_error != NULL)
    {
      /* The banner names the first mistake with its file and line, as the import wrote it
       * (untranslated, like the configuration itself); the admin screen lists them all. */
      g_autofree char *first = first_problem (self->first_boot_error);

      if (g_utf8_strlen (first, -1) > BANNER_PROBLEM_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (first, 0, BANNER_PROBLEM_CHARS - 1);

          g_free (first);
          first = g_strconcat (cut, "…", NULL);
        }
      /* Translators: a small banner on the survey screen for staff, when the first-boot import
       * failed; the refused line follows it on a line of its own */
      g_autofree char *banner = g_strdup_printf ("%s\n%s",
                                                 _("Setup problem: the configuration on the boot "
                                                   "partition was not installed. Staff: see the "
                                                   "admin screen."),
                                                 first);

      gtk_label_set_text (self->staff_banner, banner);
    }
  _kiosk_window_refresh_screen (self);
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
  _kiosk_window_update_attract_timer (self, TRUE);
  _kiosk_window_update_admin_idle_timer (self, TRUE);
}

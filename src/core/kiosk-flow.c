/* kiosk-flow.c: one visit, from the tap through the follow-up to the thank-you screen and back.
 *
 * Every vote, whatever its source (touch, physical button, test), enters here. The face is stamped
 * and handed to the store before the state changes, so nothing after the tap can lose it: when a
 * follow-up applies, the response is recorded with its visit open and completed (same seq and
 * uuid) when the follow-up ends; only then is it eligible for upload.
 *
 * Timers run only while something is on screen that ends by itself (a follow-up's countdown, the
 * thank-you screen, a visitor's language choice): an idle kiosk never wakes up. */
#define G_LOG_DOMAIN "kiosk-flow"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiosk-flow.h"
#include "kiosk-enums.h"
#include "kiosk-keyboard-table.h"


struct _KioskFlow
{
  GObject         parent_instance;

  /* owned */
  KioskConfig    *config;
  KioskStore     *store;
  KioskClock     *clock;
  KioskSurvey    *survey;
  KioskSurvey    *pending_survey;  /* takes over at the next idle moment */
  KioskResponse  *last_response;
  char           *language;
  char           *default_language;

  /* The open visit: last_response while visit_open, with these answers so far. */
  gboolean        visit_open;
  KioskFollowUp  *follow_up;
  gboolean        selected[KIOSK_SURVEY_MAX_OPTIONS];
  GStrv           selection;       /* never NULL */
  char           *comment;         /* never NULL */
  gboolean        comment_submitted;
  gboolean        contact_consent;
  char           *contact_name;
  char           *contact_email;
  char           *contact_phone;

  guint           thanks_source;
  guint           tick_source;     /* the follow-up countdown */
  guint           idle_source;     /* back to the default language when nobody votes */
  gint64          deadline_us;     /* monotonic; 0 when no follow-up is shown */
  guint           remaining_s;

  KioskFlowState  state;
  gboolean        have_previous_press;
  gint64          previous_press_us;   /* monotonic */

  gboolean        closed;          /* outside opening hours */
  guint64         ignored;         /* presses refused while closed */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_LANGUAGE,
  PROP_DEFAULT_LANGUAGE,
  PROP_SURVEY,
  PROP_FOLLOW_UP,
  PROP_SELECTION,
  PROP_COMMENT,
  PROP_REMAINING_SECONDS,
  PROP_DEADLINE_US,
  PROP_OPEN,
  PROP_IGNORED,
  N_PROPS
};

enum {
  RECORDED,
  VISIT_ENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (kiosk-flow-error-quark, kiosk_flow_error)
G_DEFINE_FINAL_TYPE (KioskFlow, kiosk_flow, G_TYPE_OBJECT)

static void finish_visit   (KioskFlow    *self,
                            KioskOutcome  outcome);
static void schedule_tick  (KioskFlow    *self);

static void
clear_contact (KioskFlow *self)
{
  self->contact_consent = FALSE;
  g_clear_pointer (&self->contact_name, g_free);
  g_clear_pointer (&self->contact_email, g_free);
  g_clear_pointer (&self->contact_phone, g_free);
}

static void
kiosk_flow_dispose (GObject *object)
{
  KioskFlow *self = KIOSK_FLOW (object);

  g_clear_handle_id (&self->thanks_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->idle_source, g_source_remove);

  /* Shutting down mid-visit: the visit ends here, with what the visitor gave so far, instead of
   * waiting for the next start to find it open. */
  if (self->visit_open && self->store != NULL)
    {
      g_autoptr(GError) error = NULL;
      KioskResponse *r = self->last_response;

      self->visit_open = FALSE;
      r->visit_open = FALSE;
      r->follow_up_outcome = KIOSK_OUTCOME_INTERRUPTED;
      g_strfreev (r->follow_up_selected);
      r->follow_up_selected = g_strdupv (self->selection);
      g_free (r->comment);
      r->comment = *self->comment ? g_strdup (self->comment) : NULL;
      if (!kiosk_store_complete_visit (self->store, r, &error))
        g_debug ("Interrupted visit %" G_GINT64_FORMAT " held in memory: %s", r->seq,
                 error->message);
    }

  g_clear_object (&self->config);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  g_clear_object (&self->survey);
  g_clear_object (&self->pending_survey);
  g_clear_pointer (&self->follow_up, kiosk_follow_up_unref);

  G_OBJECT_CLASS (kiosk_flow_parent_class)->dispose (object);
}

static void
kiosk_flow_finalize (GObject *object)
{
  KioskFlow *self = KIOSK_FLOW (object);

  g_clear_pointer (&self->last_response, kiosk_response_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->default_language, g_free);
  g_clear_pointer (&self->selection, g_strfreev);
  g_clear_pointer (&self->comment, g_free);
  clear_contact (self);

  G_OBJECT_CLASS (kiosk_flow_parent_class)->finalize (object);
}

static void
kiosk_flow_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KioskFlow *self = KIOSK_FLOW (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_DEFAULT_LANGUAGE:
      g_value_set_string (value, self->default_language);
      break;
    case PROP_SURVEY:
      g_value_set_object (value, self->survey);
      break;
    case PROP_FOLLOW_UP:
      g_value_set_boxed (value, self->follow_up);
      break;
    case PROP_SELECTION:
      g_value_set_boxed (value, self->selection);
      break;
    case PROP_COMMENT:
      g_value_set_string (value, self->comment);
      break;
    case PROP_REMAINING_SECONDS:
      g_value_set_uint (value, self->remaining_s);
      break;
    case PROP_DEADLINE_US:
      g_value_set_int64 (value, self->deadline_us);
      break;
    case PROP_OPEN:
      g_value_set_boolean (value, !self->closed);
      break;
    case PROP_IGNORED:
      g_value_set_uint64 (value, self->ignored);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_flow_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KioskFlow *self = KIOSK_FLOW (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      kiosk_flow_set_language (self, g_value_get_string (value));
      break;
    case PROP_COMMENT:
      kiosk_flow_set_comment (self, g_value_get_string (value));
      break;
    case PROP_OPEN:
      kiosk_flow_set_open (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_flow_class_init (KioskFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiosk_flow_dispose;
  object_class->finalize = kiosk_flow_finalize;
  object_class->get_property = kiosk_flow_get_property;
  object_class->set_property = kiosk_flow_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, KIOSK_TYPE_FLOW_STATE, KIOSK_FLOW_SURVEY,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, "en",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_LANGUAGE] =
    g_param_spec_string ("default-language", NULL, NULL, "en",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SURVEY] =
    g_param_spec_object ("survey", NULL, NULL, KIOSK_TYPE_SURVEY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOW_UP] =
    g_param_spec_boxed ("follow-up", NULL, NULL, KIOSK_TYPE_FOLLOW_UP,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTION] =
    g_param_spec_boxed ("selection", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMMENT] =
    g_param_spec_string ("comment", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMAINING_SECONDS] =
    g_param_spec_uint ("remaining-seconds", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEADLINE_US] =
    g_param_spec_int64 ("deadline-us", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_OPEN] =
    g_param_spec_boolean ("open", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IGNORED] =
    g_param_spec_uint64 ("ignored", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KioskFlow::recorded:
   * @response: the response as accepted at the tap, with its sequence number
   * @durable: %TRUE when it is on disk, %FALSE when it is held in memory for now
   */
  signals[RECORDED] =
    g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);

  /**
   * KioskFlow::visit-ended:
   * @response: the completed response, with its follow-up outcome
   * @durable: %TRUE when the completed version is on disk
   */
  signals[VISIT_ENDED] =
    g_signal_new ("visit-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);
}

static void
kiosk_flow_init (KioskFlow *self)
{
  self->selection = g_new0 (char *, 1);
  self->comment = g_strdup ("");
}

/* The configured language when the survey offers it (or a variant of it), else the survey's. */
static char *
pick_default_language (KioskConfig *config,
                       KioskSurvey *survey)
{
  const char *configured = kiosk_config_get_language (config);

  return g_strdup (kiosk_survey_match_language (survey, configured));
}

KioskFlow *
kiosk_flow_new (KioskConfig *config,
                KioskStore  *store,
                KioskClock  *clock,
                KioskSurvey *survey)
{
  KioskFlow *self;

  g_return_val_if_fail (KIOSK_IS_CONFIG (config), NULL);
  g_return_val_if_fail (KIOSK_IS_STORE (store), NULL);
  g_return_val_if_fail (KIOSK_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (KIOSK_IS_SURVEY (survey), NULL);

  self = g_object_new (KIOSK_TYPE_FLOW, NULL);
  self->config = g_object_ref (config);
  self->store = g_object_ref (store);
  self->clock = g_object_ref (clock);
  self->survey = g_object_ref (survey);
  self->default_language = pick_default_language (config, survey);
  self->language = g_strdup (self->default_language);

  return self;
}

static void
set_state (KioskFlow      *self,
           KioskFlowState  state)
{
  if (self->state == state)
    return;

  g_debug ("State %s -> %s", kiosk_enum_nick (KIOSK_TYPE_FLOW_STATE, self->state),
           kiosk_enum_nick (KIOSK_TYPE_FLOW_STATE, state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_language_internal (KioskFlow  *self,
                       const char *language)
{
  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

static void
apply_pending_survey (KioskFlow *self)
{
  g_autofree char *default_language = NULL;

  if (self->pending_survey == NULL)
    return;

  g_set_object (&self->survey, self->pending_survey);
  g_clear_object (&self->pending_survey);
  g_debug ("Now showing survey %s version %d", kiosk_survey_get_id (self->survey),
           kiosk_survey_get_version (self->survey));

  default_language = pick_default_language (self->config, self->survey);
  if (g_strcmp0 (default_language, self->default_language) != 0)
    {
      g_free (self->default_language);
      self->default_language = g_steal_pointer (&default_language);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_LANGUAGE]);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SURVEY]);
}

/* Nobody is in the middle of anything: the next visitor starts fresh. */
static void
become_idle (KioskFlow *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  apply_pending_survey (self);
  set_language_internal (self, self->default_language);
}

static gboolean
idle_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->idle_source = 0;
  become_idle (self);

  return G_SOURCE_REMOVE;
}

/* A visitor chose a language but has not voted yet: give it back when they walk away. */
static void
restart_idle_timer (KioskFlow *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);

  if (self->state == KIOSK_FLOW_SURVEY &&
      g_strcmp0 (self->language, self->default_language) != 0)
    self->idle_source = g_timeout_add (kiosk_survey_get_follow_up_timeout_s (self->survey) * 1000,
                                       idle_cb, self);
}

static gboolean
thanks_done_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->thanks_source = 0;
  set_state (self, KIOSK_FLOW_SURVEY);
  become_idle (self);

  return G_SOURCE_REMOVE;
}

static void
show_thanks (KioskFlow *self)
{
  g_clear_handle_id (&self->thanks_source, g_source_remove);
  self->thanks_source = g_timeout_add (kiosk_config_get_thank_you_ms (self->config),
                                       thanks_done_cb, self);
  set_state (self, KIOSK_FLOW_THANKS);
}

/* --- The follow-up countdown -------------------------------------------------------------- */

static void
set_remaining (KioskFlow *self,
               guint      remaining_s)
{
  if (self->remaining_s == remaining_s)
    return;

  self->remaining_s = remaining_s;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMAINING_SECONDS]);
}

static void
set_deadline (KioskFlow *self,
              gint64     deadline_us)
{
  if (self->deadline_us == deadline_us)
    return;

  self->deadline_us = deadline_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE_US]);
}

static gboolean
tick_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->tick_source = 0;
  schedule_tick (self);

  return G_SOURCE_REMOVE;
}

/* Wakes up when the displayed second changes, not on a fixed period, so the countdown stays
 * exact however late a tick runs, and ends the visit at the deadline. */
static void
schedule_tick (KioskFlow *self)
{
  gint64 remaining_us = self->deadline_us - g_get_monotonic_time ();
  guint remaining_s;
  gint64 next_us;

  g_clear_handle_id (&self->tick_source, g_source_remove);

  if (remaining_us <= 0)
    {
      finish_visit (self, KIOSK_OUTCOME_TIMEOUT);
      return;
    }

  remaining_s = (remaining_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  set_remaining (self, remaining_s);

  next_us = remaining_us - (gint64) (remaining_s - 1) * G_USEC_PER_SEC;
  self->tick_source = g_timeout_add ((next_us + 999) / 1000, tick_cb, self);
}

static void
restart_countdown (KioskFlow *self)
{
  gint64 timeout_us = (gint64) kiosk_survey_get_follow_up_timeout_s (self->survey) *
                      G_USEC_PER_SEC;

  set_deadline (self, g_get_monotonic_time () + timeout_us);
  schedule_tick (self);
}

static void
stop_countdown (KioskFlow *self)
{
  g_clear_handle_id (&self->tick_source, g_source_remove);
  set_deadline (self, 0);
  set_remaining (self, 0);
}

/* --- The visit ---------------------------------------------------------------------------- */

static void
update_selection (KioskFlow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->follow_up && i < kiosk_follow_up_get_n_options (self->follow_up); i++)
    if (self->selected[i])
      g_strv_builder_add (builder, kiosk_follow_up_get_option_id (self->follow_up, i));

  g_strfreev (self->selection);
  self->selection = g_strv_builder_end (builder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION]);
}

static void
set_comment_internal (KioskFlow  *self,
                      const char *comment)
{
  if (g_strcmp0 (self->comment, comment) == 0)
    return;

  g_free (self->comment);
  self->comment = g_strdup (comment);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMMENT]);
}

/* Forgets the visit's answers: the next visitor must not see the previous one's. */
static void
clear_answers (KioskFlow *self)
{
  gboolean had_selection = self->selection[0] != NULL;

  memset (self->selected, 0, sizeof self->selected);
  if (had_selection)
    update_selection (self);
  set_comment_internal (self, "");
  self->comment_submitted = FALSE;
  clear_contact (self);
}

static gboolean
visit_gave_something (KioskFlow *self)
{
  return self->selection[0] != NULL || (self->comment_submitted && *self->comment) ||
         self->contact_consent;
}

/*
 * What a completed response keeps:
 * - answered: the options, the comment and (with consent) the contact the visitor submitted;
 * - skipped: nothing (the visitor declined the follow-up);
 * - timeout: what the visitor had selected and typed so far, never a contact (no consent was
 *   given), because a visitor who walked away still told us something.
 */
static void
end_visit (KioskFlow    *self,
           KioskOutcome  outcome)
{
  g_autoptr(GError) error = NULL;
  KioskResponse *r = self->last_response;
  gboolean durable;

  g_assert (self->visit_open);

  if (outcome == KIOSK_OUTCOME_ANSWERED && !visit_gave_something (self))
    outcome = KIOSK_OUTCOME_SKIPPED;

  r->visit_open = FALSE;
  r->follow_up_outcome = outcome;
  g_clear_pointer (&r->follow_up_selected, g_strfreev);
  g_clear_pointer (&r->comment, g_free);
  r->contact_consent = FALSE;
  g_clear_pointer (&r->contact_name, g_free);
  g_clear_pointer (&r->contact_email, g_free);
  g_clear_pointer (&r->contact_phone, g_free);

  if (outcome != KIOSK_OUTCOME_SKIPPED)
    {
      r->follow_up_selected = g_strdupv (self->selection);
      if (*self->comment && (self->comment_submitted || outcome == KIOSK_OUTCOME_TIMEOUT))
        r->comment = g_strdup (self->comment);
    }
  if (outcome == KIOSK_OUTCOME_ANSWERED && self->contact_consent)
    {
      r->contact_consent = TRUE;
      r->contact_name = g_strdup (self->contact_name);
      r->contact_email = g_strdup (self->contact_email);
      r->contact_phone = g_strdup (self->contact_phone);
    }

  self->visit_open = FALSE;
  stop_countdown (self);

  durable = kiosk_store_complete_visit (self->store, r, &error);
  /* The error names the database, never the response's contents. */
  if (!durable)
    g_debug ("Visit %" G_GINT64_FORMAT " held in memory: %s", r->seq, error->message);

  g_signal_emit (self, signals[VISIT_ENDED], 0, r, durable);
}

/* After the state left the follow-up pages, so a bound page never shows an empty follow-up. */
static void
forget_visit (KioskFlow *self)
{
  clear_answers (self);
  if (self->follow_up != NULL)
    {
      g_clear_pointer (&self->follow_up, kiosk_follow_up_unref);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW_UP]);
    }
}

static void
finish_visit (KioskFlow    *self,
              KioskOutcome  outcome)
{
  end_visit (self, outcome);
  show_thanks (self);
  forget_visit (self);
}

/**
 * kiosk_flow_can_comment:
 *
 * Returns: %FALSE when the visitor's language needs an input method, which the kiosk does not
 *   have: its visits then skip the comment step
 */
gboolean
kiosk_flow_can_comment (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);

  return !kiosk_language_needs_input_method (self->language);
}

/* The steps a follow-up asks for, in order: options, comment, contact. A comment in a language
 * typed through an input method (Chinese, Japanese, Korean) is not asked for: the kiosk has
 * none, and keys of another script would only frustrate. */
static void
next_step (KioskFlow *self)
{
  KioskFlowState next = KIOSK_FLOW_THANKS;

  if (self->state == KIOSK_FLOW_FOLLOW_UP && kiosk_follow_up_has_comment (self->follow_up) &&
      kiosk_flow_can_comment (self))
    next = KIOSK_FLOW_COMMENT;
  else if (self->state != KIOSK_FLOW_CONTACT && kiosk_follow_up_has_contact (self->follow_up))
    next = KIOSK_FLOW_CONTACT;

  if (next == KIOSK_FLOW_THANKS)
    {
      finish_visit (self, KIOSK_OUTCOME_ANSWERED);
      return;
    }

  restart_countdown (self);
  set_state (self, next);
}

static gboolean
in_follow_up (KioskFlow *self)
{
  return self->state == KIOSK_FLOW_FOLLOW_UP || self->state == KIOSK_FLOW_COMMENT ||
         self->state == KIOSK_FLOW_CONTACT;
}

/**
 * kiosk_flow_vote:
 * @face: 0 (most negative) to scale - 1 (most positive)
 *
 * Records a vote durably, then shows its follow-up (when the survey has one for this face) or the
 * thank-you state. Fails only for a face outside the scale (%KIOSK_FLOW_ERROR_NO_SUCH_FACE); a
 * storage failure still thanks the visitor (the store holds the response until it can write). A
 * vote while a follow-up is open (a physical button, say) ends that visit first, with outcome
 * timeout: its visitor has gone.
 * Outside opening hours nothing is recorded: the vote fails with %KIOSK_FLOW_ERROR_CLOSED and
 * counts as ignored.
 *
 * Returns: (transfer none): the response as recorded
 */
const KioskResponse *
kiosk_flow_vote (KioskFlow   *self,
                 int          face,
                 KioskInput   input,
                 GError     **error)
{
  g_autoptr(KioskResponse) response = NULL;
  g_autoptr(GError) store_error = NULL;
  KioskFollowUp *follow_up;
  int scale;
  guint misuse_ms;
  gboolean durable;

  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  scale = kiosk_survey_get_scale (self->survey);
  if (face < 0 || face >= scale)
    {
      g_set_error (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_SUCH_FACE,
                   "Face %d does not exist (this survey has faces 0 to %d)", face, scale - 1);
      return NULL;
    }

  if (self->closed)
    {
      kiosk_flow_ignore_press (self);
      g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_CLOSED,
                           "Closed: outside opening hours nothing is recorded");
      return NULL;
    }

  if (self->visit_open)
    {
      end_visit (self, KIOSK_OUTCOME_TIMEOUT);
      clear_answers (self);
    }
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->thanks_source, g_source_remove);

  follow_up = kiosk_survey_get_follow_up_for_face (self->survey, face);

  response = kiosk_response_new ();
  kiosk_clock_now (self->clock, &response->time);
  response->uuid = g_uuid_string_random ();
  response->face = face;
  response->scale = scale;
  response->survey_id = g_strdup (kiosk_survey_get_id (self->survey));
  response->survey_version = kiosk_survey_get_version (self->survey);
  /* The language the visitor saw when they tapped. */
  response->language = g_strdup (self->language);
  response->input = input;
  response->boot_id = g_strdup (kiosk_clock_get_boot_id (self->clock));
  if (follow_up != NULL)
    {
      response->visit_open = TRUE;
      response->follow_up_id = g_strdup (kiosk_follow_up_get_id (follow_up));
      response->follow_up_outcome = KIOSK_OUTCOME_PENDING;
    }

  /* Repeated presses are recorded and delivered, flagged, never dropped: the data stays honest
   * and a manager can see the misuse. */
  misuse_ms = kiosk_config_get_misuse_interval_ms (self->config);
  if (misuse_ms > 0 && self->have_previous_press &&
      response->time.monotonic_us - self->previous_press_us < (gint64) misuse_ms * 1000)
    {
      response->misuse = TRUE;
      response->misuse_rule = g_strdup (KIOSK_MISUSE_RULE_RESPONSE_INTERVAL);
    }
  self->have_previous_press = TRUE;
  self->previous_press_us = response->time.monotonic_us;

  durable = kiosk_store_record (self->store, response, &store_error);
  if (!durable)
    g_debug ("Response %" G_GINT64_FORMAT " held in memory: %s", response->seq,
             store_error->message);

  g_clear_pointer (&self->last_response, kiosk_response_free);
  self->last_response = g_steal_pointer (&response);

  if (follow_up != NULL)
    {
      gboolean changed = self->follow_up != follow_up;

      self->visit_open = TRUE;
      if (changed)
        {
          g_clear_pointer (&self->follow_up, kiosk_follow_up_unref);
          self->follow_up = kiosk_follow_up_ref (follow_up);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW_UP]);
        }
      restart_countdown (self);
      set_state (self, KIOSK_FLOW_FOLLOW_UP);
    }
  else
    {
      show_thanks (self);
      forget_visit (self);
    }

  g_signal_emit (self, signals[RECORDED], 0, self->last_response, durable);

  return self->last_response;
}

/**
 * kiosk_flow_touch:
 *
 * The visitor is still there (the UI calls this on any touch): restarts the follow-up countdown,
 * or the wait before a chosen language returns to the default.
 */
void
kiosk_flow_touch (KioskFlow *self)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));

  if (in_follow_up (self))
    restart_countdown (self);
  else if (self->idle_source != 0)
    restart_idle_timer (self);
}

/**
 * kiosk_flow_toggle_option:
 *
 * Selects or deselects an option of the follow-up on screen. In a single-choice follow-up,
 * selecting replaces the previous selection.
 *
 * Returns: %FALSE when no follow-up question is on screen or it has no such option
 */
gboolean
kiosk_flow_toggle_option (KioskFlow  *self,
                          const char *option_id)
{
  int index;

  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);
  g_return_val_if_fail (option_id != NULL, FALSE);

  if (self->state != KIOSK_FLOW_FOLLOW_UP)
    return FALSE;

  index = kiosk_follow_up_find_option (self->follow_up, option_id);
  if (index < 0)
    return FALSE;

  if (kiosk_follow_up_get_choice (self->follow_up) == KIOSK_CHOICE_SINGLE)
    {
      gboolean was_selected = self->selected[index];

      memset (self->selected, 0, sizeof self->selected);
      self->selected[index] = !was_selected;
    }
  else
    self->selected[index] = !self->selected[index];

  update_selection (self);
  restart_countdown (self);

  return TRUE;
}

gboolean
kiosk_flow_is_option_selected (KioskFlow  *self,
                               const char *option_id)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);

  return option_id != NULL && g_strv_contains ((const char * const *) self->selection, option_id);
}

/* Returns: (transfer none): the selected option ids in the follow-up's order, never NULL */
const char * const *
kiosk_flow_get_selection (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return (const char * const *) self->selection;
}

/**
 * kiosk_flow_set_comment:
 * @text: the whole comment as typed so far
 *
 * Keeps at most the follow-up's maximum length, in characters.
 *
 * Returns: %TRUE when all of @text was kept; %FALSE when it was cut at the maximum length, or
 * when no comment can be typed now (nothing is kept then)
 */
gboolean
kiosk_flow_set_comment (KioskFlow  *self,
                        const char *text)
{
  guint max_length;
  const char *end;

  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);

  if (text == NULL)
    text = "";
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), FALSE);

  if (self->state != KIOSK_FLOW_COMMENT)
    return FALSE;

  /* Typing, on screen or on a real keyboard, is the visitor still being there. */
  if (g_strcmp0 (self->comment, text) != 0)
    restart_countdown (self);

  max_length = kiosk_follow_up_get_comment_max_length (self->follow_up);
  if (g_utf8_strlen (text, -1) <= max_length)
    {
      set_comment_internal (self, text);
      return TRUE;
    }

  end = g_utf8_offset_to_pointer (text, max_length);
  {
    g_autofree char *cut = g_strndup (text, end - text);

    set_comment_internal (self, cut);
  }

  return FALSE;
}

const char *
kiosk_flow_get_comment (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->comment;
}

/* Returns: the longest comment, in characters, for the follow-up on screen; 0 when none */
guint
kiosk_flow_get_comment_max_length (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), 0);

  return self->follow_up ? kiosk_follow_up_get_comment_max_length (self->follow_up) : 0;
}

/**
 * kiosk_flow_submit:
 *
 * The visitor confirmed the follow-up question (its selection) or the comment: shows the next
 * step the follow-up asks for, or ends the visit as answered (skipped when nothing was given).
 * Contact details go through kiosk_flow_submit_contact().
 *
 * Returns: %FALSE when neither the follow-up question nor the comment is on screen
 */
gboolean
kiosk_flow_submit (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);

  if (self->state == KIOSK_FLOW_COMMENT)
    self->comment_submitted = TRUE;
  else if (self->state != KIOSK_FLOW_FOLLOW_UP)
    return FALSE;

  next_step (self);
  return TRUE;
}

static char *
dup_field (const char *value)
{
  g_autofree char *copy = NULL;

  if (value == NULL)
    return NULL;

  copy = g_strstrip (g_strdup (value));
  return *copy ? g_steal_pointer (&copy) : NULL;
}

static gboolean
email_is_plausible (const char *email)
{
  const char *at = strchr (email, '@');

  return at != NULL && at != email && strchr (at + 1, '@') == NULL && strchr (at + 1, '.') &&
         at[1] != '.' && email[strlen (email) - 1] != '.' && strpbrk (email, " \t\r\n") == NULL;
}

static gboolean
phone_is_plausible (const char *phone)
{
  guint digits = 0;

  for (const char *p = phone; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (!strchr ("+ -()/.", *p))
        return FALSE;
    }

  return digits >= 5;
}

/**
 * kiosk_flow_submit_contact:
 * @consent: the visitor explicitly agreed to be contacted
 * @name: (nullable): @email: (nullable): @phone: (nullable): as typed; fields the survey does not
 *   ask for are ignored
 *
 * Contact details are kept only with @consent. Without consent and without details this is the
 * visitor declining, and the visit ends; details without consent are refused and nothing is kept.
 * With consent, at least one detail is needed, and an e-mail address or phone number must look
 * like one. Details never appear in a log.
 *
 * Returns: %TRUE when the visit ended; %FALSE with @error (a message for the visitor) otherwise
 */
gboolean
kiosk_flow_submit_contact (KioskFlow   *self,
                           gboolean     consent,
                           const char  *name,
                           const char  *email,
                           const char  *phone,
                           GError     **error)
{
  g_autofree char *n = NULL;
  g_autofree char *e = NULL;
  g_autofree char *p = NULL;
  KioskContactFields fields;

  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != KIOSK_FLOW_CONTACT)
    {
      g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_WRONG_STATE,
                           "No contact request is on screen");
      return FALSE;
    }

  fields = kiosk_follow_up_get_contact_fields (self->follow_up);
  n = (fields & KIOSK_CONTACT_NAME) ? dup_field (name) : NULL;
  e = (fields & KIOSK_CONTACT_EMAIL) ? dup_field (email) : NULL;
  p = (fields & KIOSK_CONTACT_PHONE) ? dup_field (phone) : NULL;

  if (!consent)
    {
      if (n || e || p)
        {
          g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_NO_CONSENT,
                               _("Please confirm that we may contact you, or clear your "
                                 "details."));
          return FALSE;
        }

      finish_visit (self, KIOSK_OUTCOME_ANSWERED);
      return TRUE;
    }

  if (!n && !e && !p)
    {
      g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT,
                           _("Please tell us how we can reach you."));
      return FALSE;
    }
  if ((n && g_utf8_strlen (n, -1) > KIOSK_CONTACT_MAX_NAME_CHARS) ||
      (e && strlen (e) > KIOSK_CONTACT_MAX_EMAIL_CHARS) || (p && strlen (p) > KIOSK_CONTACT_MAX_PHONE_CHARS))
    {
      g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT,
                           _("That is too long. Please shorten it."));
      return FALSE;
    }
  if (e && !email_is_plausible (e))
    {
      g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT,
                           _("Please check the e-mail address."));
      return FALSE;
    }
  if (p && !phone_is_plausible (p))
    {
      g_set_error_literal (error, KIOSK_FLOW_ERROR, KIOSK_FLOW_ERROR_INVALID_CONTACT,
                           _("Please check the phone number."));
      return FALSE;
    }

  self->contact_consent = TRUE;
  self->contact_name = g_steal_pointer (&n);
  self->contact_email = g_steal_pointer (&e);
  self->contact_phone = g_steal_pointer (&p);
  finish_visit (self, KIOSK_OUTCOME_ANSWERED);

  return TRUE;
}

/**
 * kiosk_flow_skip:
 *
 * On the follow-up question: the visitor declines, the visit ends as skipped and keeps no
 * answers. On the comment or contact step: that step is left out (its text is dropped) and the
 * visit goes on or ends with what was given before.
 *
 * Returns: %FALSE when no follow-up is on screen
 */
gboolean
kiosk_flow_skip (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);

  switch (self->state)
    {
    case KIOSK_FLOW_FOLLOW_UP:
      finish_visit (self, KIOSK_OUTCOME_SKIPPED);
      return TRUE;
    case KIOSK_FLOW_COMMENT:
      set_comment_internal (self, "");
      next_step (self);
      return TRUE;
    case KIOSK_FLOW_CONTACT:
      clear_contact (self);
      finish_visit (self, KIOSK_OUTCOME_ANSWERED);
      return TRUE;
    case KIOSK_FLOW_SURVEY:
    case KIOSK_FLOW_THANKS:
    default:
      return FALSE;
    }
}

/**
 * kiosk_flow_return_to_survey:
 *
 * Shows the survey now, for the next visitor: ends the thank-you screen early, or ends an open
 * follow-up as skipped (without a thank-you screen).
 */
void
kiosk_flow_return_to_survey (KioskFlow *self)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));

  g_clear_handle_id (&self->thanks_source, g_source_remove);
  if (self->visit_open)
    end_visit (self, KIOSK_OUTCOME_SKIPPED);
  set_state (self, KIOSK_FLOW_SURVEY);
  forget_visit (self);
  become_idle (self);
}

KioskFlowState
kiosk_flow_get_state (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), KIOSK_FLOW_SURVEY);

  return self->state;
}

/* Returns: (transfer none) (nullable): the follow-up of the visit on screen */
KioskFollowUp *
kiosk_flow_get_follow_up (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->follow_up;
}

guint
kiosk_flow_get_remaining_seconds (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), 0);

  return self->remaining_s;
}

gint64
kiosk_flow_get_deadline_us (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), 0);

  return self->deadline_us;
}

static gboolean
same_primary_subtag (const char *a,
                     const char *b)
{
  size_t la = strcspn (a, "-");

  return la == strcspn (b, "-") && g_ascii_strncasecmp (a, b, la) == 0;
}

const char *
kiosk_flow_get_language (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->language;
}

/**
 * kiosk_flow_set_language:
 * @language: a BCP 47 tag the visitor chose
 *
 * Shows the survey in @language (or the offered variant of it, "de-AT" -> "de") for this visit.
 * The kiosk returns to the default language after the visit, or when nobody votes for as long as
 * the follow-up timeout.
 *
 * Returns: %FALSE, changing nothing, when the survey does not offer @language
 */
gboolean
kiosk_flow_set_language (KioskFlow  *self,
                         const char *language)
{
  const char *offered;

  g_return_val_if_fail (KIOSK_IS_FLOW (self), FALSE);
  g_return_val_if_fail (language != NULL, FALSE);

  offered = kiosk_survey_match_language (self->survey, language);
  if (!same_primary_subtag (offered, language))
    return FALSE;

  set_language_internal (self, offered);
  restart_idle_timer (self);

  return TRUE;
}

const char *
kiosk_flow_get_default_language (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->default_language;
}

/* Returns: (transfer none): the survey on screen (a newer one waits for the next idle moment) */
KioskSurvey *
kiosk_flow_get_survey (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->survey;
}

/**
 * kiosk_flow_set_survey:
 *
 * Shows @survey from the next idle moment: now when nobody is using the kiosk, otherwise when
 * the current visit (or a visitor's language choice) has ended. Never in the middle of a visit.
 */
void
kiosk_flow_set_survey (KioskFlow   *self,
                       KioskSurvey *survey)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));
  g_return_if_fail (KIOSK_IS_SURVEY (survey));

  if (survey == self->survey)
    {
      g_clear_object (&self->pending_survey);
      return;
    }

  g_set_object (&self->pending_survey, survey);
  if (self->state == KIOSK_FLOW_SURVEY && self->idle_source == 0)
    become_idle (self);
}

KioskStore *
kiosk_flow_get_store (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->store;
}

const KioskResponse *
kiosk_flow_get_last_response (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->last_response;
}

guint
kiosk_flow_get_thank_you_ms (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), 0);

  return kiosk_config_get_thank_you_ms (self->config);
}

/* Returns: (transfer none): the configuration the flow runs with */
KioskConfig *
kiosk_flow_get_config (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->config;
}

/**
 * kiosk_flow_set_open:
 * @open: %FALSE outside opening hours
 *
 * Closing shows the survey at once for nobody: a follow-up still open ends as timeout (its
 * visitor keeps what they chose, as if they had walked away) and the thank-you screen ends. From
 * then on votes are refused and counted as ignored until the flow is open again.
 */
void
kiosk_flow_set_open (KioskFlow *self,
                     gboolean   open)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));

  if (self->closed == !open)
    return;

  self->closed = !open;

  if (self->closed)
    {
      g_clear_handle_id (&self->thanks_source, g_source_remove);
      if (self->visit_open)
        end_visit (self, KIOSK_OUTCOME_TIMEOUT);
      set_state (self, KIOSK_FLOW_SURVEY);
      forget_visit (self);
      become_idle (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN]);
}

gboolean
kiosk_flow_get_open (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), TRUE);

  return !self->closed;
}

/**
 * kiosk_flow_ignore_press:
 *
 * Counts a press outside opening hours that reached no face (a tap on the closed screen). Does
 * nothing while open.
 */
void
kiosk_flow_ignore_press (KioskFlow *self)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));

  if (!self->closed)
    return;

  self->ignored++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IGNORED]);
}

/* Returns: presses refused outside opening hours since the flow started */
guint64
kiosk_flow_get_ignored (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), 0);

  return self->ignored;
}

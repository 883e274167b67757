/* kiosk-flow.c: one visit, from the tap through the follow-up to the thank-you screen and back:
 * the object, its properties, its language and survey. The steps of a visit are in
 * kiosk-flow-visit.c, its timers in kiosk-flow-timers.c.
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

#include "kiosk-flow-private.h"
#include "kiosk-enums.h"
#include "kiosk-keyboard-table.h"



enum {
  RECORDED,
  VISIT_ENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (kiosk-flow-error-quark, kiosk_flow_error)
G_DEFINE_FINAL_TYPE (KioskFlow, kiosk_flow, G_TYPE_OBJECT)

void
_kiosk_flow_clear_contact (KioskFlow *self)
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
  _kiosk_flow_clear_contact (self);

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

void
_kiosk_flow_set_state (KioskFlow      *self,
                       KioskFlowState  state)
{
  if (self->state == state)
    return;

  g_debug ("State %s -> %s", kiosk_enum_nick (KIOSK_TYPE_FLOW_STATE, self->state),
           kiosk_enum_nick (KIOSK_TYPE_FLOW_STATE, state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_kiosk_flow_set_language_internal (KioskFlow  *self,
                                   const char *language)
{
  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

void
_kiosk_flow_apply_pending_survey (KioskFlow *self)
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

void
_kiosk_flow_notify (KioskFlow     *self,
                    KioskFlowProp  prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_kiosk_flow_emit_recorded (KioskFlow           *self,
                           const KioskResponse *response,
                           gboolean             durable)
{
  g_signal_emit (self, signals[RECORDED], 0, response, durable);
}

void
_kiosk_flow_emit_visit_ended (KioskFlow           *self,
                              const KioskResponse *response,
                              gboolean             durable)
{
  g_signal_emit (self, signals[VISIT_ENDED], 0, response, durable);
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

  _kiosk_flow_set_language_internal (self, offered);
  _kiosk_flow_restart_idle_timer (self);

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
    _kiosk_flow_become_idle (self);
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
        _kiosk_flow_end_visit (self, KIOSK_OUTCOME_TIMEOUT);
      _kiosk_flow_set_state (self, KIOSK_FLOW_SURVEY);
      _kiosk_flow_forget_visit (self);
      _kiosk_flow_become_idle (self);
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

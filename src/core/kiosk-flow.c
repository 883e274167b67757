/* kiosk-flow.c: one visit, from the tap to the thank-you screen and back.
 *
 * Every vote, whatever its source (touch, physical button, test), enters here. The response is
 * stamped and handed to the store before the state changes, so the thank-you screen can only
 * appear after the commit returned. */
#define G_LOG_DOMAIN "kiosk-flow"

#include "config.h"

#include "kiosk-flow.h"

struct _KioskFlow
{
  GObject         parent_instance;

  /* owned */
  KioskConfig    *config;
  KioskStore     *store;
  KioskClock     *clock;
  KioskSurvey    *survey;
  KioskResponse  *last_response;
  char           *language;
  guint           thanks_source;

  KioskFlowState  state;
  gboolean        have_previous_press;
  gint64          previous_press_us;   /* monotonic */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_LANGUAGE,
  N_PROPS
};

enum {
  RECORDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KioskFlow, kiosk_flow, G_TYPE_OBJECT)

static void
kiosk_flow_dispose (GObject *object)
{
  KioskFlow *self = KIOSK_FLOW (object);

  g_clear_handle_id (&self->thanks_source, g_source_remove);
  g_clear_object (&self->config);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  g_clear_object (&self->survey);

  G_OBJECT_CLASS (kiosk_flow_parent_class)->dispose (object);
}

static void
kiosk_flow_finalize (GObject *object)
{
  KioskFlow *self = KIOSK_FLOW (object);

  g_clear_pointer (&self->last_response, kiosk_response_free);
  g_clear_pointer (&self->language, g_free);

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
      g_value_set_int (value, self->state);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
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
    g_param_spec_int ("state", NULL, NULL, KIOSK_FLOW_SURVEY, KIOSK_FLOW_THANKS,
                      KIOSK_FLOW_SURVEY,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, "en",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KioskFlow::recorded:
   * @response: the response as accepted, with its sequence number
   * @durable: %TRUE when it is on disk, %FALSE when it is held in memory for now
   */
  signals[RECORDED] =
    g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);
}

static void
kiosk_flow_init (KioskFlow *self)
{
  self->language = g_strdup ("en");
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

  return self;
}

static void
set_state (KioskFlow      *self,
           KioskFlowState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
thanks_done_cb (gpointer user_data)
{
  KioskFlow *self = user_data;

  self->thanks_source = 0;
  set_state (self, KIOSK_FLOW_SURVEY);

  return G_SOURCE_REMOVE;
}

/**
 * kiosk_flow_vote:
 * @face: 0 (most negative) to scale - 1 (most positive)
 *
 * Records a vote and shows the thank-you state. Fails only for a face outside the scale; a
 * storage failure still thanks the visitor (the store holds the response until it can write).
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
  int scale;
  guint misuse_ms;
  gboolean durable;

  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  scale = kiosk_survey_get_scale (self->survey);
  if (face < 0 || face >= scale)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Face %d does not exist (this survey has faces 0 to %d)", face, scale - 1);
      return NULL;
    }

  response = kiosk_response_new ();
  kiosk_clock_now (self->clock, &response->time);
  response->uuid = g_uuid_string_random ();
  response->face = face;
  response->scale = scale;
  response->survey_id = g_strdup (kiosk_survey_get_id (self->survey));
  response->survey_version = kiosk_survey_get_version (self->survey);
  response->language = g_strdup (self->language);
  response->input = input;
  response->boot_id = g_strdup (kiosk_clock_get_boot_id (self->clock));

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

  g_clear_handle_id (&self->thanks_source, g_source_remove);
  self->thanks_source = g_timeout_add (kiosk_config_get_thank_you_ms (self->config),
                                       thanks_done_cb, self);
  set_state (self, KIOSK_FLOW_THANKS);

  g_signal_emit (self, signals[RECORDED], 0, self->last_response, durable);

  return self->last_response;
}

void
kiosk_flow_return_to_survey (KioskFlow *self)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));

  g_clear_handle_id (&self->thanks_source, g_source_remove);
  set_state (self, KIOSK_FLOW_SURVEY);
}

KioskFlowState
kiosk_flow_get_state (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), KIOSK_FLOW_SURVEY);

  return self->state;
}

const char *
kiosk_flow_get_language (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->language;
}

void
kiosk_flow_set_language (KioskFlow  *self,
                         const char *language)
{
  g_return_if_fail (KIOSK_IS_FLOW (self));
  g_return_if_fail (language != NULL);

  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

KioskStore *
kiosk_flow_get_store (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->store;
}

KioskSurvey *
kiosk_flow_get_survey (KioskFlow *self)
{
  g_return_val_if_fail (KIOSK_IS_FLOW (self), NULL);

  return self->survey;
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

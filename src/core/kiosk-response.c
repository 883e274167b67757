/* kiosk-response.c: ownership helpers for KioskResponse. */
#define G_LOG_DOMAIN "kiosk-response"

#include "config.h"

#include "kiosk-response.h"

static const char * const input_names[] = {
  [KIOSK_INPUT_TOUCH] = "touch",
  [KIOSK_INPUT_BUTTON] = "button",
  [KIOSK_INPUT_KEYBOARD] = "keyboard",
};

static const char * const outcome_names[] = {
  [KIOSK_OUTCOME_NONE] = NULL,
  [KIOSK_OUTCOME_PENDING] = NULL,
  [KIOSK_OUTCOME_ANSWERED] = "answered",
  [KIOSK_OUTCOME_SKIPPED] = "skipped",
  [KIOSK_OUTCOME_TIMEOUT] = "timeout",
  [KIOSK_OUTCOME_INTERRUPTED] = "interrupted",
};

KioskResponse *
kiosk_response_new (void)
{
  return g_new0 (KioskResponse, 1);
}

KioskResponse *
kiosk_response_copy (const KioskResponse *self)
{
  KioskResponse *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->uuid = g_strdup (self->uuid);
  copy->survey_id = g_strdup (self->survey_id);
  copy->language = g_strdup (self->language);
  copy->boot_id = g_strdup (self->boot_id);
  copy->misuse_rule = g_strdup (self->misuse_rule);
  copy->follow_up_id = g_strdup (self->follow_up_id);
  copy->follow_up_selected = g_strdupv (self->follow_up_selected);
  copy->comment = g_strdup (self->comment);
  copy->contact_name = g_strdup (self->contact_name);
  copy->contact_email = g_strdup (self->contact_email);
  copy->contact_phone = g_strdup (self->contact_phone);

  return copy;
}

void
kiosk_response_free (KioskResponse *self)
{
  if (self == NULL)
    return;

  g_free (self->uuid);
  g_free (self->survey_id);
  g_free (self->language);
  g_free (self->boot_id);
  g_free (self->misuse_rule);
  g_free (self->follow_up_id);
  g_strfreev (self->follow_up_selected);
  g_free (self->comment);
  g_free (self->contact_name);
  g_free (self->contact_email);
  g_free (self->contact_phone);
  g_free (self);
}

const char *
kiosk_input_to_string (KioskInput input)
{
  g_return_val_if_fail (input <= KIOSK_INPUT_KEYBOARD, "touch");

  return input_names[input];
}

gboolean
kiosk_input_from_string (const char *string,
                         KioskInput *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (input_names); i++)
    {
      if (g_strcmp0 (string, input_names[i]) == 0)
        {
          *out = (KioskInput) i;
          return TRUE;
        }
    }

  return FALSE;
}

/* NULL for NONE and PENDING: only an ended visit has an outcome on the wire. */
const char *
kiosk_outcome_to_string (KioskOutcome outcome)
{
  g_return_val_if_fail (outcome <= KIOSK_OUTCOME_INTERRUPTED, NULL);

  return outcome_names[outcome];
}

gboolean
kiosk_outcome_from_string (const char   *string,
                           KioskOutcome *out)
{
  if (string == NULL)
    {
      *out = KIOSK_OUTCOME_NONE;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (outcome_names); i++)
    {
      if (outcome_names[i] != NULL && g_str_equal (string, outcome_names[i]))
        {
          *out = (KioskOutcome) i;
          return TRUE;
        }
    }

  return FALSE;
}

/* kiosk-response.c: ownership helpers for KioskResponse. */
#define G_LOG_DOMAIN "kiosk-response"

#include "config.h"

#include "kiosk-response.h"

static const char * const input_names[] = {
  [KIOSK_INPUT_TOUCH] = "touch",
  [KIOSK_INPUT_BUTTON] = "button",
  [KIOSK_INPUT_KEYBOARD] = "keyboard",
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

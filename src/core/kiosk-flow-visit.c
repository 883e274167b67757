/* kiosk-flow-visit.c: the steps of one visit: the vote, the follow-up's options, the comment,
 * the contact request, and the end of the visit that completes its response. */
#define G_LOG_DOMAIN "kiosk-flow"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kiosk-flow-private.h"
#include "kiosk-enums.h"
#include "kiosk-keyboard-table.h"

static void
update_selection (KioskFlow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->follow_up && i < kiosk_follow_up_get_n_options (self->follow_up); i++)
    if (self->selected[i])
      g_strv_builder_add (builder, kiosk_follow_up_get_option_id (self->follow_up, i));

  g_strfreev (self->selection);
  self->selection = g_strv_builder_end (builder);
  _kiosk_flow_notify (self, PROP_SELECTION);
}

static void
set_comment_internal (KioskFlow  *self,
                      const char *comment)
{
  if (g_strcmp0 (self->comment, comment) == 0)
    return;

  g_free (self->comment);
  self->comment = g_strdup (comment);
  _kiosk_flow_notify (self, PROP_COMMENT);
}

/* Forgets the visit's answers: the next visitor must not see the previous one's. */
void
_kiosk_flow_clear_answers (KioskFlow *self)
{
  gboolean had_selection = self->selection[0] != NULL;

  memset (self->selected, 0, sizeof self->selected);
  if (had_selection)
    update_selection (self);
  set_comment_internal (self, "");
  self->comment_submitted = FALSE;
  _kiosk_flow_clear_contact (self);
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
void
_kiosk_flow_end_visit (KioskFlow    *self,
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
  _kiosk_flow_stop_countdown (self);

  durable = kiosk_store_complete_visit (self->store, r, &error);
  /* The error names the database, never the response's contents. */
  if (!durable)
    g_debug ("Visit %" G_GINT64_FORMAT " held in memory: %s", r->seq, error->message);

  _kiosk_flow_emit_visit_ended (self, r, durable);
}

/* After the state left the follow-up pages, so a bound page never shows an empty follow-up. */
void
_kiosk_flow_forget_visit (KioskFlow *self)
{
  _kiosk_flow_clear_answers (self);
  if (self->follow_up != NULL)
    {
      g_clear_pointer (&self->follow_up, kiosk_follow_up_unref);
      _kiosk_flow_notify (self, PROP_FOLLOW_UP);
    }
}

void
_kiosk_flow_finish_visit (KioskFlow    *self,
                          KioskOutcome  outcome)
{
  _kiosk_flow_end_visit (self, outcome);
  _kiosk_flow_show_thanks (self);
  _kiosk_flow_forget_visit (self);
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
      _kiosk_flow_finish_visit (self, KIOSK_OUTCOME_ANSWERED);
      return;
    }

  _kiosk_flow_restart_countdown (self);
  _kiosk_flow_set_state (self, next);
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
      _kiosk_flow_end_visit (self, KIOSK_OUTCOME_TIMEOUT);
      _kiosk_flow_clear_answers (self);
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
          _kiosk_flow_notify (self, PROP_FOLLOW_UP);
        }
      _kiosk_flow_restart_countdown (self);
      _kiosk_flow_set_state (self, KIOSK_FLOW_FOLLOW_UP);
    }
  else
    {
      _kiosk_flow_show_thanks (self);
      _kiosk_flow_forget_visit (self);
    }

  _kiosk_flow_emit_recorded (self, self->last_response, durable);

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
    _kiosk_flow_restart_countdown (self);
  else if (self->idle_source != 0)
    _kiosk_flow_restart_idle_timer (self);
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
  _kiosk_flow_restart_countdown (self);

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
    _kiosk_flow_restart_countdown (self);

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

      _kiosk_flow_finish_visit (self, KIOSK_OUTCOME_ANSWERED);
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
  _kiosk_flow_finish_visit (self, KIOSK_OUTCOME_ANSWERED);

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
      _kiosk_flow_finish_visit (self, KIOSK_OUTCOME_SKIPPED);
      return TRUE;
    case KIOSK_FLOW_COMMENT:
      set_comment_internal (self, "");
      next_step (self);
      return TRUE;
    case KIOSK_FLOW_CONTACT:
      _kiosk_flow_clear_contact (self);
      _kiosk_flow_finish_visit (self, KIOSK_OUTCOME_ANSWERED);
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
    _kiosk_flow_end_visit (self, KIOSK_OUTCOME_SKIPPED);
  _kiosk_flow_set_state (self, KIOSK_FLOW_SURVEY);
  _kiosk_flow_forget_visit (self);
  _kiosk_flow_become_idle (self);
}


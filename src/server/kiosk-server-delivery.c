/* kiosk-server-delivery.c: the outbox (table deliveries) and the thread that empties it, by
 * SMTP through the [mail] relay and by webhook POST, both with libcurl
 * (kiosk-server-delivery-send.c).
 *
 * A row is claimed with FOR UPDATE SKIP LOCKED and marked sent or failed in the transaction
 * that claimed it, so several servers on one database each send a row once; a crash between
 * the peer's OK and the COMMIT sends that row again (at least once), with the same bytes and so
 * the same Message-ID or Idempotency-Key. Queueing notifies smiley_kiosk_deliveries at commit:
 * every server's thread wakes, whichever process queued the row. */
#define G_LOG_DOMAIN "kiosk-server-delivery"

#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "kiosk-server-db.h"
#include "kiosk-server-delivery-private.h"
#include "kiosk-server-mail.h"

#define NOTIFY_CHANNEL     "smiley_kiosk_deliveries"
#define IDLE_WAIT_MS       (60 * 1000)
#define RECONNECT_WAIT_MS  (5 * 1000)
#define BACKOFF_MAX_S      3600
#define DISCORD_MAX_CHARS  2000


/* Queueing */

static gboolean
insert_row (PGconn      *conn,
            const char  *id,
            const char  *channel,
            const char  *target,
            const char  *subject,
            const char  *content_type,
            GBytes      *payload,
            gint64       episode_id,
            gint64       schedule_id,
            GError     **error)
{
  g_autofree char *episode = episode_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, episode_id)
                                            : NULL;
  g_autofree char *schedule = schedule_id > 0
                              ? g_strdup_printf ("%" G_GINT64_FORMAT, schedule_id) : NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (payload, &length);
  const char *values[] = { id, channel, target, subject, content_type, data ? data : "",
                           episode, schedule };
  /* The payload goes as binary: no escaping of a message's bytes, whatever they are. */
  const int lengths[] = { 0, 0, 0, 0, 0, (int) length, 0, 0 };
  const int formats[] = { 0, 0, 0, 0, 0, 1, 0, 0 };
  g_autoptr(PGresult) result = NULL;

  result = kiosk_db_check (conn,
                           PQexecParams (conn,
                                         "INSERT INTO deliveries (id, channel, target, subject, "
                                         "  content_type, payload, episode_id, schedule_id) "
                                         "VALUES (coalesce ($1::bigint, nextval "
                                         "  (pg_get_serial_sequence ('deliveries', 'id'))), "
                                         "  $2, $3, $4, $5, $6, $7, $8)",
                                         G_N_ELEMENTS (values), NULL, values, lengths, formats,
                                         0),
                           error);
  return result != NULL;
}

static gboolean
notify_senders (PGconn  *conn,
                GError **error)
{
  /* Delivered at COMMIT, and not at all after a ROLLBACK. */
  return kiosk_db_run (conn, "NOTIFY " NOTIFY_CHANNEL, error);
}

static gboolean
has_line_break (const char *text)
{
  return text != NULL && strpbrk (text, "\r\n") != NULL;
}

gboolean
kiosk_delivery_queue_mail (PGconn                    *conn,
                           const KioskServerConfig   *config,
                           const char * const        *to,
                           const char                *subject,
                           const char                *text,
                           const KioskMailAttachment *attachments,
                           guint                      n_attachments,
                           gint64                     episode_id,
                           gint64                     schedule_id,
                           GError                   **error)
{
  g_autofree char *from = NULL;
  g_autofree char *from_address = NULL;
  g_autofree char *clean_subject = kiosk_mail_clean_subject (subject);
  const char *domain;

  g_return_val_if_fail (n_attachments == 0 || attachments != NULL, FALSE);

  /* Without [mail] the rows wait for a relay; their From is this host's until then. */
  if (config->mail_from != NULL)
    from = g_strdup (config->mail_from);
  else
    from = g_strdup_printf ("Smiley Kiosk <smiley-kiosk@%s>", g_get_host_name ());
  from_address = kiosk_mail_addr_spec (from);
  domain = strrchr (from_address, '@') + 1;

  /* Callers check addresses where rules and schedules are saved; this guards the envelope and
   * the To header against anything that would end a line, before any row is written. */
  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    if (!kiosk_server_email_is_valid (to[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "“%s” is not an e-mail address (local@domain)", to[i]);
        return FALSE;
      }

  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    {
      g_autoptr(PGresult) result = NULL;
      g_autoptr(GBytes) message = NULL;
      g_autofree char *message_id = NULL;
      const char *id;

      /* The id first: the Message-ID names the row, so that a mail sent again after a crash
       * is the same mail to the recipient's client. */
      result = kiosk_db_exec (conn, "SELECT nextval (pg_get_serial_sequence ('deliveries', "
                              "'id'))", 0, NULL, error);
      if (result == NULL)
        return FALSE;
      id = PQgetvalue (result, 0, 0);
      message_id = g_strdup_printf ("delivery-%s.%08x%08x@%s", id, g_random_int (),
                                    g_random_int (), domain);
      message = kiosk_mail_compose (from, to[i], clean_subject, text, attachments, n_attachments,
                                    message_id, g_get_real_time ());
      if (!insert_row (conn, id, "email", to[i], clean_subject, "message/rfc822", message,
                       episode_id, schedule_id, error))
        return FALSE;
    }
  return notify_senders (conn, error);
}

gboolean
kiosk_delivery_queue_webhook (PGconn      *conn,
                              const char  *url,
                              const char  *subject,
                              const char  *content_type,
                              const char  *body,
                              gint64       episode_id,
                              GError     **error)
{
  g_autofree char *clean_subject = kiosk_mail_clean_subject (subject);
  g_autoptr(GBytes) payload = g_bytes_new (body, strlen (body));

  if ((!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://")) ||
      has_line_break (url) || strchr (url, ' ') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an http:// or https:// URL", url);
      return FALSE;
    }
  if (content_type == NULL || has_line_break (content_type))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a media type (e.g. application/json)",
                   content_type ? content_type : "(none)");
      return FALSE;
    }
  return insert_row (conn, NULL, "webhook", url, clean_subject, content_type, payload,
                     episode_id, 0, error) &&
         notify_senders (conn, error);
}

/* Webhook bodies */

static const char *const formats[] = {
  "json", "slack", "mattermost", "discord", "teams", "google-chat",
};

gboolean
kiosk_delivery_format_is_valid (const char *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_strcmp0 (format, formats[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Slack's mrkdwn takes <, > and & as markup (<!channel> pings everyone): they are escaped. */
static void
append_slack_escaped (GString    *out,
                      const char *text)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '&')
        g_string_append (out, "&amp;");
      else if (*p == '<')
        g_string_append (out, "&lt;");
      else if (*p == '>')
        g_string_append (out, "&gt;");
      else
        g_string_append_c (out, *p);
    }
}

/* Mattermost notifies the whole channel for @channel, @all and @here in a webhook's text: a
 * visitor's comment quoted in an alert must not. A zero-width space after each @ keeps the
 * text as it reads and takes the mention away. */
static void
append_without_mentions (GString    *out,
                         const char *text)
{
  for (const char *p = text; *p; p++)
    {
      g_string_append_c (out, *p);
      if (*p == '@')
        g_string_append (out, "\u200b");
    }
}

static char *
to_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
text_object (const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  return to_json (builder);
}

/* Discord refuses a content of more than 2000 characters: the text is cut, the title and the
 * link stay. */
static char *
discord_body (const char *title,
              const char *text,
              const char *link)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GString) content = g_string_new (NULL);
  g_autofree char *head = g_strdup_printf ("**%s**\n", title);
  g_autofree char *tail = link ? g_strdup_printf ("\n%s", link) : g_strdup ("");
  glong room = DISCORD_MAX_CHARS - g_utf8_strlen (head, -1) - g_utf8_strlen (tail, -1);
  glong text_chars = g_utf8_strlen (text, -1);

  g_string_append (content, head);
  if (text_chars <= room)
    g_string_append (content, text);
  else if (room > 1)
    {
      g_string_append_len (content, text, g_utf8_offset_to_pointer (text, room - 1) - text);
      g_string_append (content, "…");
    }
  g_string_append (content, tail);
  /* Still too long only with a title or link of nearly 2000 characters: cut the whole. */
  if (g_utf8_strlen (content->str, -1) > DISCORD_MAX_CHARS)
    g_string_truncate (content, g_utf8_offset_to_pointer (content->str, DISCORD_MAX_CHARS) -
                                content->str);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, content->str);
  /* No @everyone, @here or role pings from a quoted comment. */
  json_builder_set_member_name (builder, "allowed_mentions");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "parse");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return to_json (builder);
}

static void
add_text_block (JsonBuilder *builder,
                const char  *text,
                gboolean     heading)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "TextBlock");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "wrap");
  json_builder_add_boolean_value (builder, TRUE);
  if (heading)
    {
      json_builder_set_member_name (builder, "weight");
      json_builder_add_string_value (builder, "Bolder");
      json_builder_set_member_name (builder, "size");
      json_builder_add_string_value (builder, "Medium");
    }
  json_builder_end_object (builder);
}

/* Teams: a message with one Adaptive Card. Both kinds of Teams webhook take it, the Workflows
 * ("When a Teams webhook request is received") that replace the Office 365 connectors, which
 * take neither the old MessageCard nor a bare {"text"}, and the connectors while they last. */
static char *
teams_body (const char *title,
            const char *text,
            const char *link)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "message");
  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contentType");
  json_builder_add_string_value (builder, "application/vnd.microsoft.card.adaptive");
  json_builder_set_member_name (builder, "content");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "$schema");
  json_builder_add_string_value (builder, "http://adaptivecards.io/schemas/adaptive-card.json");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "AdaptiveCard");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "1.4");
  json_builder_set_member_name (builder, "body");
  json_builder_begin_array (builder);
  add_text_block (builder, title, TRUE);
  add_text_block (builder, text, FALSE);
  json_builder_end_array (builder);
  if (link != NULL)
    {
      json_builder_set_member_name (builder, "actions");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "Action.OpenUrl");
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, "Open the dashboard");
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, link);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return to_json (builder);
}

char *
kiosk_delivery_webhook_body (const char *format,
                             const char *title,
                             const char *text,
                             const char *link,
                             const char *event)
{
  g_autoptr(GString) message = g_string_new (NULL);

  title = title ? title : "";
  text = text ? text : "";
  if (g_strcmp0 (format, "json") == 0)
    return g_strdup (event ? event : "{}");
  if (g_strcmp0 (format, "discord") == 0)
    return discord_body (title, text, link);
  if (g_strcmp0 (format, "teams") == 0)
    return teams_body (title, text, link);

  if (g_strcmp0 (format, "slack") == 0)
    {
      g_string_append_c (message, '*');
      append_slack_escaped (message, title);
      g_string_append (message, "*\n");
      append_slack_escaped (message, text);
      if (link != NULL)
        {
          g_string_append (message, "\n<");
          append_slack_escaped (message, link);
          g_string_append_c (message, '>');
        }
    }
  else if (g_strcmp0 (format, "mattermost") == 0)
    {
      g_string_append (message, "**");
      append_without_mentions (message, title);
      g_string_append (message, "**\n");
      append_without_mentions (message, text);
      if (link != NULL)
        g_string_append_printf (message, "\n%s", link);
    }
  else if (g_strcmp0 (format, "google-chat") == 0)
    {
      g_string_append_printf (message, "*%s*\n%s", title, text);
      if (link != NULL)
        g_string_append_printf (message, "\n%s", link);
    }
  else
    return NULL;
  return text_object (message->str);
}

/* The delay before attempt @attempts + 1: [alerts] retry, doubled each time, at most an hour. */
static guint
backoff_s (const KioskServerConfig *config,
           guint                    attempts)
{
  guint64 delay = (guint64) MAX (config->alerts_retry_s, 1) << MIN (attempts, 20);

  return (guint) MIN (delay, BACKOFF_MAX_S);
}

typedef enum
{
  SEND_NONE,   /* nothing due */
  SEND_DONE,   /* one row sent or failed */
  SEND_ERROR,  /* the database failed */
} SendResult;

static void
rollback (PGconn *conn)
{
  if (PQstatus (conn) == CONNECTION_OK)
    PQclear (PQexec (conn, "ROLLBACK"));
}

/* Claims the row due first, sends it and records how it went, in one transaction. */
static SendResult
send_next (KioskDelivery *self,
           PGconn        *conn,
           GError       **error)
{
  const KioskServerConfig *config = self->config;
  const char *mail_on = config->mail_relay != NULL ? "true" : "false";
  const char *claim_params[] = { mail_on };
  g_autoptr(PGresult) claimed = NULL;
  g_autoptr(PGresult) updated = NULL;
  g_autofree char *delay = NULL;
  g_autofree char *give_up = g_strdup_printf ("%u", config->alerts_give_up_h);
  g_autofree char *shown = NULL;
  KioskDeliveryOutcome outcome = { FALSE, FALSE, NULL };
  const char *id, *channel, *target, *content_type, *payload;
  guint attempts;

  if (!kiosk_db_run (conn, "BEGIN", error))
    return SEND_ERROR;
  /* Binary results: the payload's bytes as they are (the other columns are text). */
  claimed = kiosk_db_check (conn,
                            PQexecParams (conn,
                                          "SELECT id::text, channel, target, content_type, "
                                          "  payload, attempts::text "
                                          "FROM deliveries "
                                          "WHERE sent_at IS NULL AND failed_at IS NULL "
                                          "  AND next_attempt_at <= now () "
                                          "  AND ($1::boolean OR channel <> 'email') "
                                          "ORDER BY next_attempt_at LIMIT 1 "
                                          "FOR UPDATE SKIP LOCKED",
                                          1, NULL, claim_params, NULL, NULL, 1),
                            error);
  if (claimed == NULL)
    {
      rollback (conn);
      return SEND_ERROR;
    }
  if (PQntuples (claimed) == 0)
    {
      rollback (conn);
      return SEND_NONE;
    }

  id = PQgetvalue (claimed, 0, 0);
  channel = PQgetvalue (claimed, 0, 1);
  target = PQgetvalue (claimed, 0, 2);
  content_type = PQgetvalue (claimed, 0, 3);
  payload = PQgetvalue (claimed, 0, 4);
  attempts = (guint) g_ascii_strtoull (PQgetvalue (claimed, 0, 5), NULL, 10);

  if (strcmp (channel, "email") == 0)
    {
      shown = g_strdup (target);
      _kiosk_delivery_send_mail (self, target, payload, PQgetlength (claimed, 0, 4), &outcome);
    }
  else
    {
      shown = _kiosk_delivery_redact_url (target);
      _kiosk_delivery_send_webhook (id, target, content_type, payload,
                                    PQgetlength (claimed, 0, 4), &outcome);
    }

  if (outcome.sent)
    {
      const char *params[] = { id };

      updated = kiosk_db_exec (conn,
                               "UPDATE deliveries SET sent_at = now (), "
                               "  attempts = attempts + 1, last_error = NULL "
                               "WHERE id = $1 RETURNING attempts",
                               1, params, error);
    }
  else
    {
      const char *params[] = { id, outcome.error, NULL, outcome.permanent ? "true" : "false",
                               give_up };

      delay = g_strdup_printf ("%u", backoff_s (config, attempts));
      params[2] = delay;
      updated = kiosk_db_exec (conn,
                               "UPDATE deliveries SET attempts = attempts + 1, "
                               "  last_error = $2, "
                               "  next_attempt_at = now () + make_interval (secs => $3::int), "
                               "  failed_at = CASE WHEN $4::boolean OR created_at + "
                               "    make_interval (hours => $5::int) <= now () "
                               "    THEN now () END "
                               "WHERE id = $1 RETURNING attempts, failed_at IS NOT NULL",
                               G_N_ELEMENTS (params), params, error);
    }
  if (updated == NULL || !kiosk_db_run (conn, "COMMIT", error))
    {
      /* Sent but not marked: it goes again, with the same Message-ID or Idempotency-Key. */
      if (outcome.sent)
        g_warning ("delivery %s (%s to %s): sent, but not marked sent; it will be sent again",
                   id, channel, shown);
      rollback (conn);
      g_free (outcome.error);
      return SEND_ERROR;
    }

  if (outcome.sent)
    g_message ("delivery %s (%s to %s): sent at attempt %s", id, channel, shown,
               PQgetvalue (updated, 0, 0));
  else if (strcmp (PQgetvalue (updated, 0, 1), "t") == 0)
    g_warning ("delivery %s (%s to %s): attempt %s failed, given up: %s", id, channel, shown,
               PQgetvalue (updated, 0, 0), outcome.error);
  else
    g_warning ("delivery %s (%s to %s): attempt %s failed, next in %s s: %s", id, channel,
               shown, PQgetvalue (updated, 0, 0), delay, outcome.error);
  g_free (outcome.error);
  return SEND_DONE;
}

/* Milliseconds until the next row is due, within [0, IDLE_WAIT_MS]. */
static gint64
next_due_ms (KioskDelivery *self,
             PGconn        *conn,
             GError       **error)
{
  const char *params[] = { self->config->mail_relay != NULL ? "true" : "false" };
  g_autoptr(PGresult) result = NULL;
  gint64 due;

  result = kiosk_db_exec (conn,
                          "SELECT ceil (EXTRACT (EPOCH FROM min (next_attempt_at) - now ()) "
                          "  * 1000)::bigint "
                          "FROM deliveries WHERE sent_at IS NULL AND failed_at IS NULL "
                          "  AND ($1::boolean OR channel <> 'email')",
                          1, params, error);
  if (result == NULL)
    return -1;
  if (PQgetisnull (result, 0, 0))
    return IDLE_WAIT_MS;
  due = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  /* Due already yet not claimed: another server holds it (SKIP LOCKED). It is theirs to
   * finish; look again in a while rather than spin. */
  if (due <= 0)
    return 1000;
  return MIN (due, IDLE_WAIT_MS);
}

/* Whether mail waits for a relay (then said once in the log). */
static gboolean
log_waiting_mail (KioskDelivery *self,
                  PGconn        *conn)
{
  g_autoptr(PGresult) result = NULL;

  result = kiosk_db_exec (conn,
                          "SELECT count (*) FROM deliveries WHERE channel = 'email' "
                          "  AND sent_at IS NULL AND failed_at IS NULL", 0, NULL, NULL);
  if (result != NULL && strcmp (PQgetvalue (result, 0, 0), "0") != 0)
    {
      g_message ("%s e-mail(s) wait in the outbox: [mail] relay is not set in %s",
                 PQgetvalue (result, 0, 0),
                 self->config->path ? self->config->path : "the configuration");
      return TRUE;
    }
  return FALSE;
}

/* Sleeps until @timeout_ms pass, a poke or stop, or a NOTIFY on @conn (may be NULL). FALSE
 * when @conn broke meanwhile. */
static gboolean
wait_for_work (KioskDelivery *self,
               PGconn        *conn,
               gint64         timeout_ms)
{
  struct pollfd fds[2] = {
    { .fd = self->wake[0], .events = POLLIN },
    { .fd = conn ? PQsocket (conn) : -1, .events = POLLIN },
  };
  char buffer[64];
  PGnotify *notify;

  if (poll (fds, conn ? 2 : 1, (int) timeout_ms) < 0 && errno != EINTR)
    g_warning ("delivery: poll: %s", g_strerror (errno));
  while (read (self->wake[0], buffer, sizeof buffer) > 0)
    ;
  if (conn == NULL)
    return TRUE;
  if (!PQconsumeInput (conn))
    return FALSE;
  while ((notify = PQnotifies (conn)) != NULL)
    PQfreemem (notify);
  return PQstatus (conn) == CONNECTION_OK;
}

static gpointer
delivery_thread (gpointer data)
{
  KioskDelivery *self = data;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *down_message = NULL;
  gboolean waiting_logged = FALSE;

  while (!g_atomic_int_get (&self->stopping))
    {
      g_autoptr(GError) error = NULL;
      SendResult result = SEND_DONE;
      gint64 wait_ms;

      if (conn == NULL)
        {
          conn = kiosk_db_connect (self->config->conninfo, &error);
          if (conn != NULL && !kiosk_db_run (conn, "LISTEN " NOTIFY_CHANNEL, &error))
            g_clear_pointer (&conn, PQfinish);
        }
      while (conn != NULL && result == SEND_DONE && !g_atomic_int_get (&self->stopping))
        result = send_next (self, conn, &error);
      wait_ms = conn != NULL && result != SEND_ERROR ? next_due_ms (self, conn, &error) : -1;

      if (wait_ms < 0)
        {
          /* Once per outage, not every few seconds while it lasts. */
          if (down_message == NULL)
            {
              g_warning ("delivery: %s; trying again every %d s", error->message,
                         RECONNECT_WAIT_MS / 1000);
              down_message = g_strdup (error->message);
            }
          if (conn != NULL && PQstatus (conn) != CONNECTION_OK)
            g_clear_pointer (&conn, PQfinish);
          wait_ms = RECONNECT_WAIT_MS;
        }
      else if (down_message != NULL)
        {
          g_message ("delivery: the database answers again");
          g_clear_pointer (&down_message, g_free);
        }

      if (conn != NULL && self->config->mail_relay == NULL && !waiting_logged)
        waiting_logged = log_waiting_mail (self, conn);

      if (!g_atomic_int_get (&self->stopping) && !wait_for_work (self, conn, wait_ms))
        g_clear_pointer (&conn, PQfinish);
    }
  return NULL;
}

KioskDelivery *
kiosk_delivery_start (const KioskServerConfig *config)
{
  KioskDelivery *self = g_new0 (KioskDelivery, 1);
  g_autoptr(GError) error = NULL;

  self->config = config;
  self->from_address = config->mail_from ? kiosk_mail_addr_spec (config->mail_from) : NULL;
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (self->wake[0], TRUE, &error) ||
      !g_unix_set_fd_nonblocking (self->wake[1], TRUE, &error))
    g_error ("delivery: cannot make its wake-up pipe: %s", error->message);
  /* Once, before any thread uses libcurl. */
  curl_global_init (CURL_GLOBAL_DEFAULT);
  self->thread = g_thread_new ("delivery", delivery_thread, self);
  return self;
}

void
kiosk_delivery_poke (KioskDelivery *self)
{
  g_return_if_fail (self != NULL);
  /* A full pipe means the thread is due to wake already. */
  if (write (self->wake[1], "", 1) < 0 && errno != EAGAIN)
    g_warning ("delivery: cannot wake the thread: %s", g_strerror (errno));
}

void
kiosk_delivery_stop (KioskDelivery *self)
{
  if (self == NULL)
    return;
  g_atomic_int_set (&self->stopping, TRUE);
  kiosk_delivery_poke (self);
  g_thread_join (self->thread);
  close (self->wake[0]);
  close (self->wake[1]);
  g_free (self->from_address);
  g_free (self);
}

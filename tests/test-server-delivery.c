/* test-server-delivery.c: the outbox of alerts and reports (kiosk-server-delivery.h) through
 * real peers: rows queued here on a private PostgreSQL cluster are sent by a real
 * `smiley-kiosk-server serve` to a real SMTP server (tests/smtp-sink.py, aiosmtpd) and a real
 * HTTP server (tests/webhook-sink.py), which save what they received; each test reads that
 * back. Each test has its own recipients and URLs, so no test depends on another. */
#define G_LOG_DOMAIN "test-server-delivery"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kiosk-cloudevents.h"
#include "kiosk-json.h"
#include "kiosk-server-config.h"
#include "kiosk-server-db.h"
#include "kiosk-server-delivery.h"
#include "kiosk-test-server-process.h"
#include "kiosk-test-sync.h"
#include "kiosk-test-util.h"

#define PYTHON     "/usr/bin/python3"
#define WAIT_MS    20000
#define FROM       "Smiley Kiösk <kiosk@example.com>"

typedef struct
{
  KioskTestServerProcess *srv;
  PGconn                 *conn;        /* the test's own, for queueing */
  KioskServerConfig      *config;      /* what the server reads too */
  char                   *dir;
  char                   *config_path;
  char                   *mail_dir;
  char                   *hook_dir;
  GSubprocess            *smtp;
  guint                   smtp_port;
  GSubprocess            *hooks;
  guint                   hook_port;
  char                   *skip;        /* why the peers cannot run */
} Env;

static Env env;

#define SKIP_WITHOUT_PEERS() \
  G_STMT_START { \
    KIOSK_TEST_SERVER_SKIP_WITHOUT (env.srv); \
    if (env.skip != NULL) \
      { \
        g_test_skip (env.skip); \
        return; \
      } \
  } G_STMT_END

/* Peers */

/* @script DIR --port @port @args… as a child; its first line is the port it listens on. NULL
 * with @skip set when its Python module is not installed (exit status 77). */
static GSubprocess *
start_sink (const char         *script,
            const char         *dir,
            guint               port,
            const char * const *args,
            guint              *out_port,
            char              **skip)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, script, NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;

  g_strv_builder_addv (builder, (const char *[]) { PYTHON, path, dir, "--port", port_text,
                                                   NULL });
  if (args != NULL)
    g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  /* Its standard input stays open as long as the test runs: the sink ends with the test. */
  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      g_subprocess_wait (process, NULL, NULL);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 77);
      *skip = g_strdup_printf ("%s needs python3-aiosmtpd (packaging/install-deps.sh)", script);
      return NULL;
    }
  *out_port = (guint) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (*out_port, >, 0);
  return g_steal_pointer (&process);
}

static void
stop_sink (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_force_exit (*process);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
start_smtp (void)
{
  guint port = 0;

  env.smtp = start_sink ("smtp-sink.py", env.mail_dir, env.smtp_port,
                         (const char *[]) { "--refuse", "refused@example.com", NULL }, &port,
                         &env.skip);
  g_assert_true (env.smtp_port == 0 || port == env.smtp_port);
  env.smtp_port = port;
}

/* The server's configuration, with the relay on @relay_port (0: no [mail]). */
static char *
write_config (const char *name,
              guint       relay_port,
              gboolean    starttls)
{
  g_autofree char *text = NULL;

  if (relay_port == 0)
    text = g_strdup ("[alerts]\nretry=1\ngive-up-after=1\n");
  else
    text = g_strdup_printf ("[alerts]\nretry=1\ngive-up-after=1\n"
                            "[mail]\nrelay=smtp://127.0.0.1:%u\nfrom=" FROM "\nstarttls=%s\n",
                            relay_port, starttls ? "true" : "false");
  return kiosk_test_write_file (env.dir, name, text);
}

/* Serves with @config from now on. */
static void
restart_server (const char *config)
{
  g_autoptr(GError) error = NULL;

  kiosk_test_server_process_set_config (env.srv, config);
  g_assert_true (kiosk_test_server_process_restart (env.srv, &error));
  g_assert_no_error (error);
}

/* Waiting */

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* kiosk_test_wait_for() with the condition looked at every 50 ms. */
static gboolean
wait_for (gboolean (*condition) (gpointer data),
          gpointer   data)
{
  guint tick = g_timeout_add (50, tick_cb, NULL);
  gboolean done = kiosk_test_wait_for (condition, data, WAIT_MS);

  g_source_remove (tick);
  return done;
}

typedef struct
{
  const char *sql;
  const char *expected;
} Query;

static gboolean
query_is_cb (gpointer data)
{
  Query *q = data;
  g_autofree char *value = kiosk_test_server_query (env.srv, "%s", q->sql);

  return g_strcmp0 (value, q->expected) == 0;
}

/* The SQL @sql's value is @expected now. */
static void
assert_query (const char *sql,
              const char *expected)
{
  g_autofree char *value = kiosk_test_server_query (env.srv, "%s", sql);

  g_assert_cmpstr (value, ==, expected);
}

/* Waits until the SQL @sql's value is @expected. */
static void
assert_eventually (const char *sql,
                   const char *expected)
{
  Query q = { sql, expected };

  if (!wait_for (query_is_cb, &q))
    {
      g_autofree char *value = kiosk_test_server_query (env.srv, "%s", sql);

      g_error ("%s: still %s, not %s after %d ms", sql, value ? value : "NULL", expected,
               WAIT_MS);
    }
}

/* The sinks' records in @dir, 0001.json, 0002.json…, in the order received. */
static GPtrArray *
read_records (const char *dir)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_json_free);

  for (guint n = 1;; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("%04u.json", n);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      gsize length;
      KioskJson *json;

      if (!g_file_get_contents (path, &text, &length, NULL))
        break;
      json = kiosk_json_parse (text, length, 16, &error);
      g_assert_no_error (error);
      g_ptr_array_add (records, json);
    }
  return records;
}

static const char *
member_string (const KioskJsonValue *object,
               const char           *name)
{
  const KioskJsonValue *value = kiosk_json_object_get (object, name);

  return value && kiosk_json_is (value, KIOSK_JSON_STRING) ? kiosk_json_get_string (value) : NULL;
}

static const KioskJsonValue *
root (GPtrArray *records,
      guint      i)
{
  return kiosk_json_get_root (records->pdata[i]);
}

/* The mails the sink accepted for @rcpt. */
static GPtrArray *
mails_to (const char *rcpt)
{
  g_autoptr(GPtrArray) all = read_records (env.mail_dir);
  GPtrArray *mails = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_json_free);

  for (guint i = 0; i < all->len; i++)
    {
      const KioskJsonValue *rcpts = kiosk_json_object_get (root (all, i), "rcpt_tos");

      if (kiosk_json_get_length (rcpts) == 1 &&
          g_strcmp0 (kiosk_json_get_string (kiosk_json_array_get (rcpts, 0)), rcpt) == 0)
        g_ptr_array_add (mails, g_steal_pointer (&all->pdata[i]));
    }
  return mails;
}

/* The POSTs the webhook sink received on @path_prefix. */
static GPtrArray *
posts_to (const char *path_prefix)
{
  g_autoptr(GPtrArray) all = read_records (env.hook_dir);
  GPtrArray *posts = g_ptr_array_new_with_free_func ((GDestroyNotify) kiosk_json_free);

  for (guint i = 0; i < all->len; i++)
    if (g_str_has_prefix (member_string (root (all, i), "path"), path_prefix))
      g_ptr_array_add (posts, g_steal_pointer (&all->pdata[i]));
  return posts;
}

/* The header @name of a mail record, asserting there is exactly one. */
static const char *
mail_header (const KioskJsonValue *mail,
             const char           *name)
{
  const KioskJsonValue *headers = kiosk_json_object_get (mail, "headers");
  const char *found = NULL;

  for (guint i = 0; i < kiosk_json_get_length (headers); i++)
    {
      const KioskJsonValue *pair = kiosk_json_array_get (headers, i);

      if (g_ascii_strcasecmp (kiosk_json_get_string (kiosk_json_array_get (pair, 0)), name) == 0)
        {
          g_assert_null (found);
          found = kiosk_json_get_string (kiosk_json_array_get (pair, 1));
        }
    }
  return found;
}

/* Queueing, as the alerts and reports do: in a transaction of the test's connection. */

static void
run (const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiosk_db_run (env.conn, sql, &error));
  g_assert_no_error (error);
}

static void
queue_mail (const char                *to,
            const char                *subject,
            const char                *text,
            const KioskMailAttachment *attachments,
            guint                      n_attachments)
{
  g_autoptr(GError) error = NULL;
  const char *recipients[] = { to, NULL };

  run ("BEGIN");
  g_assert_true (kiosk_delivery_queue_mail (env.conn, env.config, recipients, subject, text,
                                            attachments, n_attachments, 0, 0, &error));
  g_assert_no_error (error);
  run ("COMMIT");
}

static void
queue_webhook (const char *url,
               const char *body)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kiosk_delivery_queue_webhook (env.conn, url, "test", "application/json", body,
                                               0, &error));
  g_assert_no_error (error);
}

static char *
hook_url (const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", env.hook_port, path);
}

/* Webhook bodies */

static KioskJson *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  KioskJson *json;

  g_assert_nonnull (text);
  json = kiosk_json_parse (text, strlen (text), 16, &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_json_is (kiosk_json_get_root (json), KIOSK_JSON_OBJECT));
  return json;
}

static void
test_webhook_bodies (void)
{
  const char *title = "Unhappy at \"Café Nord\" <!channel>";
  const char *text = "6 of 9 unhappy\nA visitor wrote: @all the tap & the sink\\";
  const char *link = "https://dash.example.com/sites/cafe-nord?from=2026-12-04&to=2026-12-04";
  const char *event = "{\"type\":\"episode.opened\",\"id\":7,\"nested\":{\"a\":[1,2]}}";
  g_autofree char *long_text = NULL;

  /* json: the event as it is. */
  {
    g_autofree char *body = kiosk_delivery_webhook_body ("json", title, text, link, event);

    g_assert_cmpstr (body, ==, event);
  }
  /* Slack: mrkdwn, with its three characters escaped and the link in angle brackets. */
  {
    g_autofree char *body = kiosk_delivery_webhook_body ("slack", title, text, link, event);
    g_autoptr(KioskJson) json = parse (body);
    const KioskJsonValue *object = kiosk_json_get_root (json);

    g_assert_cmpuint (kiosk_json_get_length (object), ==, 1);
    g_assert_cmpstr (member_string (object, "text"), ==,
                     "*Unhappy at \"Café Nord\" &lt;!channel&gt;*\n"
                     "6 of 9 unhappy\nA visitor wrote: @all the tap &amp; the sink\\\n"
                     "<https://dash.example.com/sites/cafe-nord?from=2026-12-04&amp;"
                     "to=2026-12-04>");
  }
  /* Mattermost: Markdown, with mentions taken away. */
  {
    g_autofree char *body = kiosk_delivery_webhook_body ("mattermost", title, text, link, event);
    g_autoptr(KioskJson) json = parse (body);

    g_assert_cmpstr (member_string (kiosk_json_get_root (json), "text"), ==,
                     "**Unhappy at \"Café Nord\" <!channel>**\n"
                     "6 of 9 unhappy\nA visitor wrote: @\u200b" "all the tap & the sink\\\n"
                     "https://dash.example.com/sites/cafe-nord?from=2026-12-04&to=2026-12-04");
  }
  /* Google Chat: its *bold*. */
  {
    g_autofree char *body = kiosk_delivery_webhook_body ("google-chat", title, text, NULL,
                                                         event);
    g_autoptr(KioskJson) json = parse (body);

    g_assert_cmpstr (member_string (kiosk_json_get_root (json), "text"), ==,
                     "*Unhappy at \"Café Nord\" <!channel>*\n"
                     "6 of 9 unhappy\nA visitor wrote: @all the tap & the sink\\");
  }
  /* Discord: content, no mentions parsed, at most 2000 characters with the link kept. */
  {
    g_autofree char *body = kiosk_delivery_webhook_body ("discord", title, text, link, event);
    g_autoptr(KioskJson) json = parse (body);
    const KioskJsonValue *object = kiosk_json_get_root (json);
    const KioskJsonValue *mentions = kiosk_json_object_get (object, "allowed_mentions");

    g_assert_cmpstr (member_string (object, "content"), ==,
                     "**Unhappy at \"Café Nord\" <!channel>**\n"
                     "6 of 9 unhappy\nA visitor wrote: @all the tap & the sink\\\n"
                     "https://dash.example.com/sites/cafe-nord?from=2026-12-04&to=2026-12-04");
    g_assert_cmpuint (kiosk_json_get_length (kiosk_json_object_get (mentions, "parse")), ==, 0);
  }
  {
    GString *builder = g_string_new (NULL);
    g_autofree char *body = NULL;
    g_autoptr(KioskJson) json = NULL;
    const char *content;

    for (guint i = 0; i < 1500; i++)
      g_string_append (builder, "ö€");
    long_text = g_string_free (builder, FALSE);
    body = kiosk_delivery_webhook_body ("discord", title, long_text, link, event);
    json = parse (body);
    content = member_string (kiosk_json_get_root (json), "content");
    g_assert_cmpint (g_utf8_strlen (content, -1), ==, 2000);
    g_assert_true (g_str_has_suffix (content, "…\n" "https://dash.example.com/sites/cafe-nord?"
                                     "from=2026-12-04&to=2026-12-04"));
  }
  /* Teams: a message with one Adaptive Card, the title, the text and a button to the link. */
  {
    g_autofree char *body = kiosk_delivery_webhook_body ("teams", title, text, link, event);
    g_autoptr(KioskJson) json = parse (body);
    const KioskJsonValue *object = kiosk_json_get_root (json);
    const KioskJsonValue *attachment, *card, *blocks, *action;

    g_assert_cmpstr (member_string (object, "type"), ==, "message");
    attachment = kiosk_json_array_get (kiosk_json_object_get (object, "attachments"), 0);
    g_assert_cmpstr (member_string (attachment, "contentType"), ==,
                     "application/vnd.microsoft.card.adaptive");
    card = kiosk_json_object_get (attachment, "content");
    g_assert_cmpstr (member_string (card, "type"), ==, "AdaptiveCard");
    g_assert_cmpstr (member_string (card, "version"), ==, "1.4");
    blocks = kiosk_json_object_get (card, "body");
    g_assert_cmpuint (kiosk_json_get_length (blocks), ==, 2);
    g_assert_cmpstr (member_string (kiosk_json_array_get (blocks, 0), "text"), ==, title);
    g_assert_cmpstr (member_string (kiosk_json_array_get (blocks, 1), "text"), ==, text);
    action = kiosk_json_array_get (kiosk_json_object_get (card, "actions"), 0);
    g_assert_cmpstr (member_string (action, "type"), ==, "Action.OpenUrl");
    g_assert_cmpstr (member_string (action, "url"), ==, link);
  }

  g_assert_null (kiosk_delivery_webhook_body ("irc", title, text, link, event));
  g_assert_true (kiosk_delivery_format_is_valid ("google-chat"));
  g_assert_false (kiosk_delivery_format_is_valid ("Slack"));
  g_assert_false (kiosk_delivery_format_is_valid (NULL));
}

/* Mail */

static gboolean
has_mail_cb (gpointer data)
{
  g_autoptr(GPtrArray) mails = mails_to (data);

  return mails->len > 0;
}

static void
test_mail (void)
{
  g_autoptr(GByteArray) pdf = g_byte_array_new ();
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GPtrArray) mails = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *long_line = g_strnfill (200, 'x');
  const KioskJsonValue *mail, *attachment;
  gsize decoded_length;
  g_autofree guchar *decoded = NULL;
  KioskMailAttachment attachments[1];

  SKIP_WITHOUT_PEERS ();

  /* A PDF's start, then every byte value, NUL and line ends included. */
  g_byte_array_append (pdf, (const guint8 *) "%PDF-1.4\n", 9);
  for (guint i = 0; i < 5000; i++)
    g_byte_array_append (pdf, (const guint8[]) { (guint8) (i * 7 + i / 256) }, 1);
  data = g_byte_array_free_to_bytes (g_steal_pointer (&pdf));
  attachments[0] = (KioskMailAttachment) { "report-2026-12-04.pdf", "application/pdf", data };
  text = g_strdup_printf ("The week at Café Nord: 87 %% happy.\n"
                          "a=b and trailing spaces   \n"
                          ".\n"
                          "A long line: %s end\n", long_line);

  queue_mail ("alice@example.com", "Weekly report", text, attachments, 1);
  g_assert_true (wait_for (has_mail_cb, (gpointer) "alice@example.com"));
  assert_eventually ("SELECT count (*) FROM deliveries WHERE target = 'alice@example.com' "
                     "AND sent_at IS NOT NULL AND attempts = 1 AND last_error IS NULL", "1");

  mails = mails_to ("alice@example.com");
  g_assert_cmpuint (mails->len, ==, 1);
  mail = root (mails, 0);
  g_assert_cmpstr (member_string (mail, "mail_from"), ==, "kiosk@example.com");
  g_assert_cmpstr (member_string (mail, "from"), ==, FROM);
  g_assert_cmpstr (mail_header (mail, "To"), ==, "alice@example.com");
  g_assert_cmpstr (member_string (mail, "subject"), ==, "Weekly report");
  g_assert_cmpstr (mail_header (mail, "MIME-Version"), ==, "1.0");
  g_assert_cmpstr (mail_header (mail, "Auto-Submitted"), ==, "auto-generated");
  g_assert_true (g_regex_match_simple ("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} "
                                       "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \\+0000$",
                                       mail_header (mail, "Date"), 0, 0));
  g_assert_cmpstr (member_string (mail, "content_type"), ==, "multipart/mixed");
  /* The Message-ID names the row. */
  message_id = kiosk_test_server_query (env.srv, "SELECT '<delivery-' || id || '.' FROM "
                                        "deliveries WHERE target = 'alice@example.com'");
  g_assert_true (g_str_has_prefix (member_string (mail, "message_id"), message_id));
  g_assert_true (g_str_has_suffix (member_string (mail, "message_id"), "@example.com>"));

  /* The text as written, whatever quoted-printable made of it (Python reads LF line ends). */
  g_assert_cmpstr (member_string (mail, "text"), ==, text);

  attachment = kiosk_json_array_get (kiosk_json_object_get (mail, "attachments"), 0);
  g_assert_cmpstr (member_string (attachment, "file_name"), ==, "report-2026-12-04.pdf");
  g_assert_cmpstr (member_string (attachment, "content_type"), ==, "application/pdf");
  g_assert_cmpstr (member_string (attachment, "transfer_encoding"), ==, "base64");
  decoded = g_base64_decode (member_string (attachment, "data"), &decoded_length);
  g_assert_cmpmem (decoded, decoded_length, g_bytes_get_data (data, NULL),
                   g_bytes_get_size (data));

  /* RFC 2045's 76 characters a line, CRLF only. */
  g_assert_cmpint (kiosk_json_object_get (mail, "max_line_length")->v.integer, <=, 76);
  g_assert_cmpint (kiosk_json_object_get (mail, "bare_line_feeds")->v.integer, ==, 0);
}

static void
test_mail_utf8_subject (void)
{
  const char *subject = "Ärger im Café Nord — 😀 → 6 von 9 Besuchern unzufrieden (über 50 %)";
  g_autoptr(GPtrArray) mails = NULL;

  SKIP_WITHOUT_PEERS ();

  queue_mail ("bruno@example.com", subject, "Grüße", NULL, 0);
  g_assert_true (wait_for (has_mail_cb, (gpointer) "bruno@example.com"));
  mails = mails_to ("bruno@example.com");
  g_assert_cmpuint (mails->len, ==, 1);
  g_assert_cmpstr (member_string (root (mails, 0), "subject"), ==, subject);
  g_assert_true (g_str_has_prefix (mail_header (root (mails, 0), "Subject"), "=?UTF-8?B?"));
  g_assert_cmpstr (member_string (root (mails, 0), "text"), ==, "Grüße\n");
  g_assert_cmpstr (member_string (root (mails, 0), "content_type"), ==, "text/plain");
  g_assert_cmpint (kiosk_json_object_get (root (mails, 0), "max_line_length")->v.integer, <=,
                   78);
}

static void
test_mail_header_injection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mails = NULL;
  const char *bad_to[] = { "x@example.com\r\nRCPT TO:<eve@example.com>", NULL };
  const KioskJsonValue *mail;

  SKIP_WITHOUT_PEERS ();

  queue_mail ("chris@example.com", "Hello\r\nBcc: eve@example.com\nX-Injected: yes",
              "one\r\n.\r\nQUIT\r\nthree", NULL, 0);
  g_assert_true (wait_for (has_mail_cb, (gpointer) "chris@example.com"));
  mails = mails_to ("chris@example.com");
  g_assert_cmpuint (mails->len, ==, 1);
  mail = root (mails, 0);
  g_assert_null (mail_header (mail, "Bcc"));
  g_assert_null (mail_header (mail, "X-Injected"));
  g_assert_cmpstr (member_string (mail, "subject"), ==,
                   "Hello  Bcc: eve@example.com X-Injected: yes");
  /* A line with a lone dot does not end the DATA: the text arrives whole. */
  g_assert_cmpstr (member_string (mail, "text"), ==, "one\n.\nQUIT\nthree\n");
  g_assert_cmpstr (kiosk_json_get_string (kiosk_json_array_get (
                     kiosk_json_object_get (mail, "rcpt_tos"), 0)), ==, "chris@example.com");

  /* A recipient that would add an SMTP command is refused before anything is queued. */
  g_assert_false (kiosk_delivery_queue_mail (env.conn, env.config, bad_to, "s", "t", NULL, 0, 0,
                                             0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_true (strstr (error->message, "is not an e-mail address (local@domain)") != NULL);
  assert_query ("SELECT count (*) FROM deliveries WHERE target LIKE '%eve@%'", "0");
}

static void
test_mail_refused (void)
{
  g_autofree char *expected = NULL;
  g_autofree char *last_error = NULL;

  SKIP_WITHOUT_PEERS ();

  /* 550 to RCPT: that recipient will never be; given up at the first attempt. */
  queue_mail ("refused@example.com", "Refused", "text", NULL, 0);
  assert_eventually ("SELECT attempts FROM deliveries WHERE target = 'refused@example.com' "
                     "AND failed_at IS NOT NULL AND sent_at IS NULL", "1");
  last_error = kiosk_test_server_query (env.srv, "SELECT last_error FROM deliveries "
                                        "WHERE target = 'refused@example.com'");
  expected = g_strdup_printf ("smtp://127.0.0.1:%u: the relay refused RCPT: 550 5.1.1 "
                              "<refused@example.com>: Recipient address rejected: no such user",
                              env.smtp_port);
  g_assert_cmpstr (last_error, ==, expected);
}

typedef struct
{
  int     attempts;
  GArray *next_attempts;   /* gint64 µs, one per attempt seen */
} Backoff;

static gboolean
attempts_cb (gpointer data)
{
  Backoff *backoff = data;
  g_autofree char *row = kiosk_test_server_query (env.srv,
    "SELECT attempts || ' ' || (EXTRACT (EPOCH FROM next_attempt_at) * 1000000)::bigint "
    "FROM deliveries WHERE target = 'dora@example.com'");
  int attempts = row ? atoi (row) : 0;

  if (attempts > backoff->attempts)
    {
      gint64 next = g_ascii_strtoll (strchr (row, ' ') + 1, NULL, 10);

      /* Seen between two attempts only once each: the gaps below are between retries. */
      if (attempts == backoff->attempts + 1)
        g_array_append_val (backoff->next_attempts, next);
      else
        g_array_set_size (backoff->next_attempts, 0);
      backoff->attempts = attempts;
    }
  return backoff->next_attempts->len >= 3;
}

static void
test_mail_relay_down_then_crash (void)
{
  Backoff backoff = { 0, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mails = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *message_id = NULL;
  g_autoptr(GArray) next_attempts = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 gap1, gap2;

  SKIP_WITHOUT_PEERS ();

  stop_sink (&env.smtp);
  backoff.next_attempts = next_attempts;
  queue_mail ("dora@example.com", "While the relay is down", "text", NULL, 0);

  /* Three attempts in a row seen, each with its next_attempt_at. */
  g_assert_true (wait_for (attempts_cb, &backoff));
  gap1 = g_array_index (next_attempts, gint64, 1) - g_array_index (next_attempts, gint64, 0);
  gap2 = g_array_index (next_attempts, gint64, 2) - g_array_index (next_attempts, gint64, 1);
  /* retry=1: the delays are 1 s, 2 s, 4 s… so the gaps between due times 2 s, then 4 s
   * (plus the attempts' own time). */
  g_test_message ("gaps between due times: %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " us",
                  gap1, gap2);
  g_assert_cmpint (gap1, >=, 1900000);
  g_assert_cmpint (gap2, >=, 3900000);
  g_assert_cmpint (gap2, >, gap1 + 1000000);

  last_error = kiosk_test_server_query (env.srv, "SELECT last_error FROM deliveries "
                                        "WHERE target = 'dora@example.com'");
  expected = g_strdup_printf ("smtp://127.0.0.1:%u: connection refused", env.smtp_port);
  g_assert_cmpstr (last_error, ==, expected);

  /* SIGKILL between two retries, a new server, and the relay back. */
  kiosk_test_server_process_kill (env.srv);
  g_assert_true (kiosk_test_server_process_restart (env.srv, &error));
  g_assert_no_error (error);
  start_smtp ();

  assert_eventually ("SELECT count (*) FROM deliveries WHERE target = 'dora@example.com' "
                     "AND sent_at IS NOT NULL AND last_error IS NULL", "1");
  mails = mails_to ("dora@example.com");
  g_assert_cmpuint (mails->len, ==, 1);
  message_id = kiosk_test_server_query (env.srv, "SELECT '<delivery-' || id || '.' FROM "
                                        "deliveries WHERE target = 'dora@example.com'");
  g_assert_true (g_str_has_prefix (member_string (root (mails, 0), "message_id"), message_id));
  assert_query ("SELECT attempts >= 4 FROM deliveries WHERE target = 'dora@example.com'", "t");
}

static void
test_mail_starttls_required (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tls_config = write_config ("starttls.conf", env.smtp_port, TRUE);
  g_autofree char *last_error = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) mails = NULL;

  SKIP_WITHOUT_PEERS ();

  /* The sink offers no STARTTLS: with starttls=true nothing may go to it in clear text. */
  restart_server (tls_config);

  queue_mail ("erin@example.com", "Only over TLS", "secret text", NULL, 0);
  assert_eventually ("SELECT attempts >= 2 FROM deliveries WHERE target = 'erin@example.com'",
                     "t");
  last_error = kiosk_test_server_query (env.srv, "SELECT last_error FROM deliveries "
                                        "WHERE target = 'erin@example.com'");
  expected = g_strdup_printf ("smtp://127.0.0.1:%u: the relay does not offer STARTTLS, which "
                              "[mail] starttls requires: nothing was sent in clear text",
                              env.smtp_port);
  g_assert_cmpstr (last_error, ==, expected);
  assert_query ("SELECT sent_at IS NULL AND failed_at IS NULL FROM deliveries "
                "WHERE target = 'erin@example.com'", "t");
  mails = mails_to ("erin@example.com");
  g_assert_cmpuint (mails->len, ==, 0);

  /* Put back the server the other tests use; the row stays unsent. */
  kiosk_test_server_exec (env.srv, "UPDATE deliveries SET failed_at = now () "
                                   "WHERE target = 'erin@example.com'");
  restart_server (env.config_path);
  g_remove (tls_config);
}

static void
test_mail_untrusted_certificate (void)
{
  g_autofree char *tls_dir = g_build_filename (env.dir, "tls-mail", NULL);
  g_autofree char *cert = g_build_filename (env.dir, "relay.crt", NULL);
  g_autofree char *key = g_build_filename (env.dir, "relay.key", NULL);
  g_autofree char *tls_config = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *last_error = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GSubprocess) sink = NULL;
  g_autoptr(GSubprocess) req = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  SKIP_WITHOUT_PEERS ();
  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed: no certificate for the relay");
      return;
    }

  /* A relay that offers STARTTLS with a certificate no authority signed: the handshake fails,
   * and the mail does not go in clear text instead. */
  req = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                          "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                          "subjectAltName=IP:127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (req, NULL, &error));
  g_assert_no_error (error);
  g_mkdir (tls_dir, 0700);
  sink = start_sink ("smtp-sink.py", tls_dir, 0,
                     (const char *[]) { "--starttls", cert, key, NULL }, &port, &env.skip);
  g_assert_nonnull (sink);
  tls_config = write_config ("untrusted.conf", port, TRUE);
  restart_server (tls_config);

  queue_mail ("gina@example.com", "Only to a relay we trust", "secret text", NULL, 0);
  assert_eventually ("SELECT attempts >= 1 FROM deliveries WHERE target = 'gina@example.com'",
                     "t");
  last_error = kiosk_test_server_query (env.srv, "SELECT last_error FROM deliveries "
                                        "WHERE target = 'gina@example.com'");
  prefix = g_strdup_printf ("smtp://127.0.0.1:%u: ", port);
  g_test_message ("last_error: %s", last_error);
  g_assert_true (g_str_has_prefix (last_error, prefix));
  g_assert_true (strstr (last_error, "certificate") != NULL);
  assert_query ("SELECT sent_at IS NULL FROM deliveries WHERE target = 'gina@example.com'",
                "t");
  {
    g_autoptr(GPtrArray) received = read_records (tls_dir);

    g_assert_cmpuint (received->len, ==, 0);
  }

  kiosk_test_server_exec (env.srv, "UPDATE deliveries SET failed_at = now () "
                                   "WHERE target = 'gina@example.com'");
  restart_server (env.config_path);
  stop_sink (&sink);
  g_remove (tls_config);
}

static gboolean
webhook_sent_cb (gpointer data)
{
  g_autofree char *sent = kiosk_test_server_query (env.srv, "SELECT sent_at IS NOT NULL FROM "
                                                   "deliveries WHERE target LIKE '%%%s%%'",
                                                   (const char *) data);

  return g_strcmp0 (sent, "t") == 0;
}

static void
test_mail_waits_without_relay (void)
{
  g_autofree char *no_relay = write_config ("no-relay.conf", 0, FALSE);
  g_autofree char *url = hook_url ("/no-relay");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) mails = NULL;
  const char *to[] = { "frank@example.com", NULL };

  SKIP_WITHOUT_PEERS ();

  /* Without [mail], the mail waits (untried) while the webhook queued with it goes. */
  restart_server (no_relay);
  run ("BEGIN");
  g_assert_true (kiosk_delivery_queue_mail (env.conn, env.config, to, "Waits for a relay", "t",
                                            NULL, 0, 0, 0, &error));
  g_assert_true (kiosk_delivery_queue_webhook (env.conn, url, "with it", "application/json",
                                               "{}", 0, &error));
  g_assert_no_error (error);
  run ("COMMIT");
  g_assert_true (wait_for (webhook_sent_cb, (gpointer) "/no-relay"));
  assert_query ("SELECT attempts || ' ' || (sent_at IS NULL) FROM deliveries "
                "WHERE target = 'frank@example.com'", "0 true");

  /* A relay set, the server restarted: it goes. */
  restart_server (env.config_path);
  assert_eventually ("SELECT attempts || ' ' || (sent_at IS NOT NULL) FROM deliveries "
                     "WHERE target = 'frank@example.com'", "1 true");
  mails = mails_to ("frank@example.com");
  g_assert_cmpuint (mails->len, ==, 1);
  g_remove (no_relay);
}

/* Webhooks */

static void
test_webhook_retried (void)
{
  g_autofree char *url = hook_url ("/retry/T0KEN?fail=2");
  g_autofree char *body = kiosk_delivery_webhook_body ("slack", "Alert", "text", NULL, NULL);
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) posts = NULL;

  SKIP_WITHOUT_PEERS ();

  queue_webhook (url, body);
  assert_eventually ("SELECT attempts || ' ' || (sent_at IS NOT NULL) FROM deliveries "
                     "WHERE target LIKE '%/retry/T0KEN%'", "3 true");
  id = kiosk_test_server_query (env.srv, "SELECT id FROM deliveries "
                                "WHERE target LIKE '%%/retry/T0KEN%%'");
  posts = posts_to ("/retry/");
  g_assert_cmpuint (posts->len, ==, 3);
  for (guint i = 0; i < posts->len; i++)
    {
      const KioskJsonValue *post = root (posts, i);
      const KioskJsonValue *headers = kiosk_json_object_get (post, "headers");

      g_assert_cmpint (kiosk_json_object_get (post, "status")->v.integer, ==, i < 2 ? 500 : 200);
      g_assert_cmpstr (member_string (post, "body"), ==, body);
      g_assert_cmpstr (member_string (headers, "content-type"), ==, "application/json");
      g_assert_cmpstr (member_string (headers, "idempotency-key"), ==, id);
      g_assert_true (g_str_has_prefix (member_string (headers, "user-agent"),
                                       "smiley-kiosk-server/"));
    }
}

static void
test_webhook_refused (void)
{
  g_autofree char *url = hook_url ("/s3cret-path/hook?status=404");
  g_autofree char *last_error = NULL;
  g_autofree char *expected = NULL;

  SKIP_WITHOUT_PEERS ();

  /* A 404 is not mended by asking again: given up at once, the URL's secret not logged. */
  queue_webhook (url, "{}");
  assert_eventually ("SELECT attempts FROM deliveries WHERE target LIKE '%/s3cret-path/%' "
                     "AND failed_at IS NOT NULL", "1");
  last_error = kiosk_test_server_query (env.srv, "SELECT last_error FROM deliveries "
                                        "WHERE target LIKE '%%/s3cret-path/%%'");
  expected = g_strdup_printf ("http://127.0.0.1:%u/…: HTTP 404: failing as told",
                              env.hook_port);
  g_assert_cmpstr (last_error, ==, expected);
}

static void
test_webhook_unreachable (void)
{
  SKIP_WITHOUT_PEERS ();

  /* Nothing listens on port 1 of loopback: retried, with the system's reason. */
  queue_webhook ("http://127.0.0.1:1/unreachable/s3cret", "{}");
  assert_eventually ("SELECT attempts >= 1 FROM deliveries WHERE target LIKE '%/unreachable/%'",
                     "t");
  assert_query ("SELECT (sent_at IS NULL AND failed_at IS NULL) || ' ' || last_error "
                "FROM deliveries WHERE target LIKE '%/unreachable/%'",
                "true http://127.0.0.1:1/…: connection refused");
  kiosk_test_server_exec (env.srv, "UPDATE deliveries SET failed_at = now () "
                                   "WHERE target LIKE '%/unreachable/%'");
}

static void
test_give_up_after (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = hook_url ("/give-up?status=503");

  SKIP_WITHOUT_PEERS ();

  /* Queued two hours ago (give-up-after=1): the first failure is the last. */
  run ("BEGIN");
  g_assert_true (kiosk_delivery_queue_webhook (env.conn, url, "old", "application/json", "{}",
                                               0, &error));
  g_assert_no_error (error);
  run ("UPDATE deliveries SET created_at = now () - interval '2 hours' "
       "WHERE target LIKE '%/give-up?%'");
  run ("COMMIT");
  {
    g_autofree char *expected = g_strdup_printf ("1 true http://127.0.0.1:%u/…: HTTP 503: "
                                                 "failing as told", env.hook_port);
    Query q = { "SELECT attempts || ' ' || (sent_at IS NULL) || ' ' || last_error "
                "FROM deliveries WHERE target LIKE '%/give-up?%' AND failed_at IS NOT NULL",
                expected };

    g_assert_true (wait_for (query_is_cb, &q));
  }
}

static void
test_database_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = hook_url ("/after-restart");
  KioskTestPg *pg = kiosk_test_server_process_get_pg (env.srv);

  SKIP_WITHOUT_PEERS ();

  /* PostgreSQL goes away under the sending thread and comes back: the thread connects again
   * and listens again, and what is queued then goes. */
  g_assert_true (kiosk_test_pg_restart (pg, &error));
  g_assert_no_error (error);
  g_clear_pointer (&env.conn, PQfinish);
  env.conn = kiosk_db_connect (kiosk_test_pg_get_conninfo (pg), &error);
  g_assert_no_error (error);

  queue_webhook (url, "{}");
  g_assert_true (wait_for (webhook_sent_cb, (gpointer) "/after-restart"));
}

/* The whole path of an alert: a kiosk's batch over HTTP, the rule evaluated as it is stored,
 * the episode opened once, its mail and its Slack message delivered by the running server; a
 * second batch while the rule holds tells nobody again. */
static gboolean
mail_count_is_cb (gpointer data)
{
  g_autoptr(GPtrArray) mails = mails_to ("alerts@example.com");

  return mails->len == GPOINTER_TO_UINT (data);
}

static gboolean
post_count_is_cb (gpointer data)
{
  g_autoptr(GPtrArray) posts = posts_to ("/alerts");

  return posts->len == GPOINTER_TO_UINT (data);
}

static void
post_unhappy_batch (const char *auth,
                    gint64      first_seq,
                    guint       n)
{
  g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func (
                                     (GDestroyNotify) kiosk_response_free);
  g_autoptr(GString) json = NULL;
  g_autoptr(KioskTestHttpReply) reply = NULL;
  const char *headers[] = { "Content-Type: application/cloudevents-batch+json", auth, NULL };
  gint64 now = g_get_real_time ();
  guint count = 0;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (responses,
                     kiosk_test_make_response (first_seq + i, now - (n - i) * G_USEC_PER_SEC,
                                               (first_seq + i) * G_USEC_PER_SEC, i % 2));
  json = kiosk_cloudevents_build_batch (responses, "urn:smiley-kiosk:e2e-kiosk",
                                        KIOSK_CLOUDEVENTS_MAX_BYTES, &count);
  g_assert_cmpuint (count, ==, n);
  reply = kiosk_test_http (env.srv, "POST", "/v1/events", headers, json->str, json->len, TRUE);
  g_assert_cmpint (reply->status, ==, 200);
  g_assert_nonnull (strstr (reply->body, "accepted"));
}

static void
test_alert_from_a_batch (void)
{
  g_autoptr(GPtrArray) mails = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(KioskJson) body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *hook = NULL;
  g_autofree char *err = NULL;
  gint64 posted;

  SKIP_WITHOUT_PEERS ();
  token = kiosk_test_server_add_device (env.srv, "e2e-shop", "e2e-kiosk");
  auth = g_strconcat ("Authorization: Bearer ", token, NULL);
  hook = hook_url ("/alerts");
  g_assert_cmpint (kiosk_test_server_admin (env.srv, NULL, &err, "alert", "add", "e2e-queue",
                                            "--kind", "unhappy-share", "--site", "e2e-shop",
                                            "--email", "alerts@example.com", "--webhook", hook,
                                            "--webhook-format", "slack", NULL), ==, 0);

  /* 4 responses, 2 unhappy and 2 very unhappy: 100 % of 4. */
  posted = g_get_monotonic_time ();
  post_unhappy_batch (auth, 1, 4);
  g_assert_true (wait_for (mail_count_is_cb, GUINT_TO_POINTER (1)));
  g_test_message ("the alert's mail arrived %.0f ms after the batch was posted",
                  (g_get_monotonic_time () - posted) / 1000.0);
  g_assert_true (wait_for (post_count_is_cb, GUINT_TO_POINTER (1)));
  mails = mails_to ("alerts@example.com");
  g_assert_cmpstr (member_string (root (mails, 0), "subject"), ==,
                   "Alert at e2e-shop: 100% unhappy within 15 min (n = 4)");
  g_assert_nonnull (strstr (member_string (root (mails, 0), "text"),
                            "Rule: e2e-queue (at least 50% unhappy of at least 4 responses "
                            "within 15 min)"));
  posts = posts_to ("/alerts");
  body = parse (member_string (root (posts, 0), "body"));
  g_assert_nonnull (strstr (member_string (kiosk_json_get_root (body), "text"),
                            "100% unhappy within 15 min (n = 4)"));

  /* Still unhappy: the same episode, nobody told again. */
  post_unhappy_batch (auth, 5, 3);
  assert_eventually ("SELECT count (*) FROM alert_episodes e JOIN alert_rules r "
                     "ON r.id = e.rule_id WHERE r.name = 'e2e-queue' AND e.responses = 4 "
                     "AND e.closed_at IS NULL AND e.peak_value = 100", "1");
  g_usleep (2 * G_USEC_PER_SEC);   /* two poked evaluations at least (one a second) */
  g_assert_true (mail_count_is_cb (GUINT_TO_POINTER (1)));
  g_assert_true (post_count_is_cb (GUINT_TO_POINTER (1)));
  assert_query ("SELECT count (*) FROM deliveries d JOIN alert_episodes e ON e.id = d.episode_id "
                "JOIN alert_rules r ON r.id = e.rule_id WHERE r.name = 'e2e-queue'", "2");
}

static void
test_two_servers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskTestServerProcess) sibling = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PGconn) holder = NULL;
  g_autofree char *held_url = hook_url ("/pair/held");
  g_autofree char *insert = NULL;
  const guint n = 40;

  SKIP_WITHOUT_PEERS ();

  sibling = kiosk_test_server_process_start_sibling (env.srv, &error);
  g_assert_no_error (error);

  /* A row another transaction holds a lock on, as a third server sending it would: both
   * servers skip it. FOR KEY SHARE lets the row be made due below, yet blocks FOR UPDATE. */
  insert = g_strdup_printf ("INSERT INTO deliveries (channel, target, subject, content_type, "
                            "  payload, next_attempt_at) "
                            "VALUES ('webhook', '%s', 'held', 'application/json', '\\x7b7d', "
                            "  now () + interval '1 hour')", held_url);
  kiosk_test_server_exec (env.srv, insert);
  holder = kiosk_db_connect (kiosk_test_pg_get_conninfo (
                               kiosk_test_server_process_get_pg (env.srv)), &error);
  g_assert_no_error (error);
  g_assert_true (kiosk_db_run (holder, "BEGIN", &error));
  g_assert_true (kiosk_db_run (holder, "SELECT id FROM deliveries "
                                       "WHERE target LIKE '%/pair/held' FOR KEY SHARE", &error));
  g_assert_no_error (error);

  /* One transaction, so that both servers wake to all the rows at once. */
  run ("BEGIN");
  run ("UPDATE deliveries SET next_attempt_at = now () WHERE target LIKE '%/pair/held'");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/pair/%u", i);
      g_autofree char *full = hook_url (path);

      g_assert_true (kiosk_delivery_queue_webhook (env.conn, full, "pair", "application/json",
                                                   "{}", 0, &error));
      g_assert_no_error (error);
    }
  run ("COMMIT");

  assert_eventually ("SELECT count (*) FROM deliveries WHERE target LIKE '%/pair/%' "
                     "AND sent_at IS NOT NULL AND attempts = 1", "40");
  assert_query ("SELECT attempts || ' ' || (sent_at IS NULL) FROM deliveries "
                "WHERE target LIKE '%/pair/held'", "0 true");
  /* Released: sent, once. */
  g_assert_true (kiosk_db_run (holder, "COMMIT", &error));
  g_assert_no_error (error);
  assert_eventually ("SELECT attempts || ' ' || (sent_at IS NOT NULL) FROM deliveries "
                     "WHERE target LIKE '%/pair/held'", "1 true");

  posts = posts_to ("/pair/");
  for (guint i = 0; i < posts->len; i++)
    {
      const char *path = member_string (root (posts, i), "path");

      g_assert_false (g_hash_table_contains (seen, path));
      g_hash_table_add (seen, g_strdup (path));
    }
  g_assert_cmpuint (posts->len, ==, n + 1);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* libcurl in the server takes these from the environment: loopback goes direct. */
  g_setenv ("no_proxy", "127.0.0.1", TRUE);
  g_setenv ("NO_PROXY", "127.0.0.1", TRUE);

  env.srv = kiosk_test_server_process_start_or_skip (FALSE);
  if (env.srv != NULL)
    {
      env.dir = kiosk_test_make_tmpdir ();
      env.mail_dir = g_build_filename (env.dir, "mail", NULL);
      env.hook_dir = g_build_filename (env.dir, "hooks", NULL);
      g_mkdir (env.mail_dir, 0700);
      g_mkdir (env.hook_dir, 0700);
      start_smtp ();
      if (env.smtp != NULL)
        {
          env.hooks = start_sink ("webhook-sink.py", env.hook_dir, 0, NULL, &env.hook_port,
                                  &env.skip);
          env.config_path = write_config ("server.conf", env.smtp_port, FALSE);
          env.config = kiosk_server_config_load (env.config_path, &error);
          g_assert_no_error (error);
          kiosk_test_server_process_set_config (env.srv, env.config_path);
          g_assert_true (kiosk_test_server_process_restart (env.srv, &error));
          g_assert_no_error (error);
          env.conn = kiosk_db_connect (kiosk_test_pg_get_conninfo (
                                         kiosk_test_server_process_get_pg (env.srv)), &error);
          g_assert_no_error (error);
        }
    }

  g_test_add_func ("/delivery/webhook-bodies", test_webhook_bodies);
  g_test_add_func ("/delivery/mail", test_mail);
  g_test_add_func ("/delivery/mail/utf8-subject", test_mail_utf8_subject);
  g_test_add_func ("/delivery/mail/header-injection", test_mail_header_injection);
  g_test_add_func ("/delivery/mail/refused", test_mail_refused);
  g_test_add_func ("/delivery/mail/relay-down-then-crash", test_mail_relay_down_then_crash);
  g_test_add_func ("/delivery/mail/starttls-required", test_mail_starttls_required);
  g_test_add_func ("/delivery/mail/untrusted-certificate", test_mail_untrusted_certificate);
  g_test_add_func ("/delivery/mail/waits-without-relay", test_mail_waits_without_relay);
  g_test_add_func ("/delivery/webhook/retried", test_webhook_retried);
  g_test_add_func ("/delivery/webhook/refused", test_webhook_refused);
  g_test_add_func ("/delivery/webhook/unreachable", test_webhook_unreachable);
  g_test_add_func ("/delivery/give-up-after", test_give_up_after);
  g_test_add_func ("/delivery/two-servers", test_two_servers);
  g_test_add_func ("/delivery/database-restart", test_database_restart);
  g_test_add_func ("/delivery/alert-from-a-batch", test_alert_from_a_batch);

  status = g_test_run ();

  g_clear_pointer (&env.conn, PQfinish);
  stop_sink (&env.smtp);
  stop_sink (&env.hooks);
  g_clear_pointer (&env.srv, kiosk_test_server_process_free);
  g_clear_pointer (&env.config, kiosk_server_config_free);
  if (env.dir != NULL)
    kiosk_test_rm_rf (env.dir);
  g_free (env.dir);
  g_free (env.mail_dir);
  g_free (env.hook_dir);
  g_free (env.config_path);
  g_free (env.skip);
  return status;
}

/* kiosk-test-util.c: shared test helpers. Tests never sleep to wait; they iterate the main
 * context until a condition holds, with a bound. The log recorder is described in
 * kiosk-test-util.h. */
#include "config.h"

#include <glib/gstdio.h>
#include <libintl.h>
#include <string.h>

#include "kiosk-test-util.h"

char *
kiosk_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("smiley-kiosk-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
kiosk_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            kiosk_test_rm_rf (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
kiosk_test_wait_for (gboolean (*condition) (gpointer user_data),
                     gpointer   user_data,
                     guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (source);

  return condition (user_data);
}

char *
kiosk_test_write_file (const char *dir,
                       const char *name,
                       const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* gettext reads the build's catalogues (SMILEY_KIOSK_LOCALEDIR, set by tests/meson.build), as
 * the kiosk does after bindtextdomain(); the demo survey's languages come from them too. */
void
kiosk_test_bind_catalogues (void)
{
  const char *localedir = g_getenv ("SMILEY_KIOSK_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* The log recorder. The lock guards the two records; the domains and the handler GTest
 * installed are set before the writer is and never change. Nothing logs while the lock is held:
 * the writer would wait for it on the same thread. */
static GMutex log_lock;
static GString *log_text;       /* every message, one a line */
static GPtrArray *log_entries;  /* "LEVEL text" of the recorded domains, not yet claimed */
static char **log_domains;
static GLogFunc log_gtest_handler;
static int log_deferring;       /* atomic: between defer_warnings() and check_unclaimed() */

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "ERROR";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "CRITICAL";
  if (level & G_LOG_LEVEL_WARNING)
    return "WARNING";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "MESSAGE";
  if (level & G_LOG_LEVEL_INFO)
    return "INFO";
  return "DEBUG";
}

static gboolean
is_recorded_domain (const char *domain)
{
  return domain != NULL && log_domains != NULL &&
         g_strv_contains ((const char *const *) log_domains, domain);
}

/* Whether a message of @level in @domain waits for a claim instead of ending the test. */
static gboolean
is_deferred (const char     *domain,
             GLogLevelFlags  level)
{
  return (level & G_LOG_LEVEL_WARNING) && g_atomic_int_get (&log_deferring) &&
         is_recorded_domain (domain);
}

/* A field's value as a string: g_log() gives them NUL-terminated (length -1), a structured
 * message may give a length. */
static char *
field_dup (const GLogField *field)
{
  if (field->length < 0)
    return g_strdup (field->value);
  return g_strndup (field->value, field->length);
}

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_autofree char *domain = NULL;
  g_autofree char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (message == NULL && g_str_equal (fields[i].key, "MESSAGE"))
      message = field_dup (&fields[i]);
    else if (domain == NULL && g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = field_dup (&fields[i]);

  g_mutex_lock (&log_lock);
  g_string_append_printf (log_text, "%s\n", message ? message : "");
  if (!(level & G_LOG_LEVEL_DEBUG) && is_recorded_domain (domain))
    g_ptr_array_add (log_entries, g_strdup_printf ("%s %s", level_name (level),
                                                   message ? message : ""));
  g_mutex_unlock (&log_lock);

  /* GTest's handler already gave each g_log() message as a comment of the test's output. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* GTest's default handler announces a fatal message as the end of the test run ("Bail out!" in
 * TAP); a deferred warning is passed on as the ordinary message it now is. */
static void
record_default_handler (const char     *domain,
                        GLogLevelFlags  level,
                        const char     *message,
                        gpointer        user_data)
{
  if (is_deferred (domain, level))
    level &= ~G_LOG_FLAG_FATAL;
  log_gtest_handler (domain, level, message, NULL);
}

/* Records every message of the process from here on; those of @domains (NULL-terminated, or
 * NULL for none) are also kept for claims. Called once, from main() after g_test_init() (which
 * installs the default handler this one passes messages on to), before any other thread logs. */
void
kiosk_test_log_record_start (const char *const *domains)
{
  g_assert_true (g_test_initialized ());
  g_assert_null (log_text);

  log_text = g_string_new (NULL);
  log_entries = g_ptr_array_new_with_free_func (g_free);
  log_domains = g_strdupv ((char **) domains);
  log_gtest_handler = g_log_set_default_handler (record_default_handler, NULL);
  g_log_set_writer_func (record_writer, NULL, NULL);
}

/* FALSE keeps the message fatal. */
static gboolean
defer_warnings_cb (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        user_data)
{
  return !is_deferred (domain, level);
}

/* From here to kiosk_test_log_check_unclaimed(), a warning of a recorded domain waits for a
 * claim instead of ending the test. GTest clears the fatal handler at the start of every test,
 * so a test calls this itself, or its fixture's setup does. */
void
kiosk_test_log_defer_warnings (void)
{
  g_assert_nonnull (log_text);

  g_atomic_int_set (&log_deferring, TRUE);
  g_test_log_set_fatal_handler (defer_warnings_cb, NULL);
}

/* Removes the first recorded entry matching @level_and_pattern, a glob over "LEVEL text";
 * FALSE if none does. */
gboolean
kiosk_test_log_claim (const char *level_and_pattern)
{
  gboolean found = FALSE;

  g_assert_nonnull (log_text);

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_entries->len && !found; i++)
    if (g_pattern_match_simple (level_and_pattern, g_ptr_array_index (log_entries, i)))
      {
        g_ptr_array_remove_index (log_entries, i);
        found = TRUE;
      }
  g_mutex_unlock (&log_lock);

  return found;
}

/* Whether @text appears in any message recorded since the start or kiosk_test_log_clear(). */
gboolean
kiosk_test_log_contains (const char *text)
{
  gboolean found;

  g_assert_nonnull (log_text);

  g_mutex_lock (&log_lock);
  found = strstr (log_text->str, text) != NULL;
  g_mutex_unlock (&log_lock);

  return found;
}

/* Forgets the text recorded so far; the entries waiting for a claim stay. */
void
kiosk_test_log_clear (void)
{
  g_assert_nonnull (log_text);

  g_mutex_lock (&log_lock);
  g_string_truncate (log_text, 0);
  g_mutex_unlock (&log_lock);
}

void
kiosk_test_log_assert_claimed (const char *domain,
                               const char *file,
                               int         line,
                               const char *func,
                               const char *level_and_pattern)
{
  g_autoptr(GString) message = NULL;

  if (kiosk_test_log_claim (level_and_pattern))
    return;

  /* One line: under --tap, GTest prints the message after "Bail out!". */
  message = g_string_new (NULL);
  g_string_append_printf (message, "nothing logged matches “%s”; recorded: ", level_and_pattern);
  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_entries->len; i++)
    g_string_append_printf (message, "%s“%s”", i > 0 ? ", " : "",
                            (char *) g_ptr_array_index (log_entries, i));
  if (log_entries->len == 0)
    g_string_append (message, "nothing");
  g_mutex_unlock (&log_lock);

  g_assertion_message (domain, file, line, func, message->str);
}

void
kiosk_test_log_assert_no_unclaimed (const char *domain,
                                    const char *file,
                                    int         line,
                                    const char *func)
{
  g_autoptr(GString) unclaimed = g_string_new (NULL);

  g_assert_nonnull (log_text);

  g_atomic_int_set (&log_deferring, FALSE);
  g_test_log_set_fatal_handler (NULL, NULL);

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_entries->len; i++)
    {
      const char *entry = g_ptr_array_index (log_entries, i);

      if (g_str_has_prefix (entry, "WARNING ") || g_str_has_prefix (entry, "CRITICAL "))
        g_string_append_printf (unclaimed, "%s“%s”", unclaimed->len > 0 ? ", " : "", entry);
    }
  g_ptr_array_set_size (log_entries, 0);
  g_mutex_unlock (&log_lock);

  if (unclaimed->len > 0)
    {
      g_autofree char *message = g_strconcat ("logged, and claimed by no test: ", unclaimed->str,
                                              NULL);

      g_assertion_message (domain, file, line, func, message);
    }
}

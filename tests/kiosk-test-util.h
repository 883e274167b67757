/* kiosk-test-util.h: what every test needs: a private state directory, bounded waiting and a
 * record of the log. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *kiosk_test_make_tmpdir     (void);
void      kiosk_test_rm_rf           (const char *path);
gboolean  kiosk_test_wait_for        (gboolean  (*condition) (gpointer user_data),
                                      gpointer    user_data,
                                      guint       timeout_ms);
char     *kiosk_test_write_file      (const char *dir,
                                      const char *name,
                                      const char *contents);
void      kiosk_test_bind_catalogues (void);

/* The log recorder: what the kiosk logged, for a test to check, whichever thread logged it.
 *
 * It is a writer function (g_log_set_writer_func()), installed by kiosk_test_log_record_start()
 * in main(), once, after g_test_init(): GLib allows one writer per process. It sees every
 * message that reaches the default handler, of every domain and level, from g_log() and
 * g_log_structured() alike; a handler per domain (g_log_set_handler()) would not do for the
 * tests that prove what no domain ever logged, and a domain given a handler of its own would
 * not reach the writer. What it keeps is under one lock: umockdev's script threads, the
 * uploader's thread and GTask threads log while the main thread reads. GLib's
 * g_test_expect_message() is no substitute there: g_log() reads its list on every thread
 * without a lock, and a script thread of test-buttons crashed in it under ASan while the main
 * thread freed an entry. (A message g_test_expect_message() caught never reaches the writer.)
 *
 * Two records:
 * - the text of every message, debug ones included: kiosk_test_log_contains() proves what was
 *   logged, and what never was (a token, a visitor's contact details);
 * - the messages (all but debug) of the domains given to kiosk_test_log_record_start(), one
 *   entry each as "LEVEL text" (LEVEL is ERROR, CRITICAL, WARNING, MESSAGE or INFO), for a test
 *   to claim with kiosk_test_assert_logged() or kiosk_test_log_claim().
 *
 * Whether a g_log() message ends the test is decided in g_logv(), by GTest's always-fatal mask
 * and the fatal handler of g_test_log_set_fatal_handler(), which GTest clears at the start of
 * every test. So a test that expects warnings of those domains calls
 * kiosk_test_log_defer_warnings() first (a fixture's setup can): from there such a warning is
 * recorded instead of ending the test, the test claims it, and kiosk_test_log_check_unclaimed()
 * (a teardown's last step) fails the test on any warning left unclaimed and makes warnings fatal
 * again. GTest's default handler would still announce a deferred warning as the end of the
 * run ("Bail out!"), so the recorder passes such a warning on to it without the fatal flag. A
 * CRITICAL still ends the test at once, as everywhere in GTest, and so does a warning of any
 * other domain.
 *
 * The writer prints what it records as GLib's own does, except debug and info messages: GTest's
 * handler already gives each g_log() message as a comment of the test's output, and the tests
 * that turn debug messages on to record them would otherwise print them twice. */
void      kiosk_test_log_record_start    (const char *const *domains);
void      kiosk_test_log_defer_warnings  (void);
gboolean  kiosk_test_log_claim           (const char        *level_and_pattern);
gboolean  kiosk_test_log_contains        (const char        *text);
void      kiosk_test_log_clear           (void);

void      kiosk_test_log_assert_claimed  (const char        *domain,
                                          const char        *file,
                                          int                line,
                                          const char        *func,
                                          const char        *level_and_pattern);
void      kiosk_test_log_assert_no_unclaimed (const char    *domain,
                                              const char    *file,
                                              int            line,
                                              const char    *func);

/* Claims the first recorded message matching @level_and_pattern, a glob over "LEVEL text"
 * ("WARNING Button device * was removed: *"), or fails the test naming the pattern and listing
 * what is recorded. */
#define kiosk_test_assert_logged(level_and_pattern) \
  kiosk_test_log_assert_claimed (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, (level_and_pattern))

/* Fails the test on a WARNING or CRITICAL no test claimed, forgets every entry and ends
 * kiosk_test_log_defer_warnings(). */
#define kiosk_test_log_check_unclaimed() \
  kiosk_test_log_assert_no_unclaimed (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC)

G_END_DECLS

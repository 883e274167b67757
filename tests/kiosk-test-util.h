/* kiosk-test-util.h: what every test needs: a private state directory and bounded waiting. */
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

G_END_DECLS

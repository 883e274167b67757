/* kiosk-pin.h: the admin PIN, stored only as a crypt(3) hash, with a growing lock-out after
 * wrong attempts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  KIOSK_PIN_OK,
  KIOSK_PIN_WRONG,
  KIOSK_PIN_LOCKED,     /* too many wrong attempts: wait */
  KIOSK_PIN_NOT_SET,    /* no pin-hash configured: the admin screen stays closed */
} KioskPinResult;

typedef struct
{
  guint  failures;
  gint64 locked_until_us;   /* monotonic */
} KioskPinGuard;

#define KIOSK_PIN_FREE_ATTEMPTS 3

/* Any secret (the PIN, a dashboard user's password) as a crypt(3) hash with a random salt,
 * the system's preferred method (yescrypt on Debian 12), and its check. */
char          *kiosk_password_hash        (const char    *secret,
                                           GError       **error);
gboolean       kiosk_password_verify      (const char    *hash,
                                           const char    *secret);

gboolean       kiosk_pin_hash_is_valid    (const char    *hash);
char          *kiosk_pin_hash             (const char    *pin,
                                           GError       **error);
gboolean       kiosk_pin_is_acceptable    (const char    *pin,
                                           GString       *problem);
KioskPinResult kiosk_pin_guard_check      (KioskPinGuard *guard,
                                           const char    *hash,
                                           const char    *pin,
                                           gint64         now_us,
                                           guint         *out_wait_s);

G_END_DECLS

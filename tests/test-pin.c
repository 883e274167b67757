/* test-pin.c: the admin PIN: hashing, checking, and the growing lock-out after wrong PINs. */
#define G_LOG_DOMAIN "test-pin"

#include "config.h"

#include <gio/gio.h>

#include "kiosk-config.h"
#include "kiosk-pin.h"

#define S G_GINT64_CONSTANT (1000000)

static void
test_hash_and_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = kiosk_pin_hash ("4711", &error);
  g_autofree char *again = kiosk_pin_hash ("4711", &error);
  KioskPinGuard guard = { 0 };

  g_assert_no_error (error);
  g_assert_true (kiosk_pin_hash_is_valid (hash));
  /* Salted: the same PIN never gives the same hash, and the PIN is not in it. */
  g_assert_cmpstr (hash, !=, again);
  g_assert_null (strstr (hash, "4711"));

  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "4711", 0, NULL), ==, KIOSK_PIN_OK);
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "4712", 0, NULL), ==, KIOSK_PIN_WRONG);
  g_assert_cmpint (kiosk_pin_guard_check (&guard, NULL, "4711", 0, NULL), ==, KIOSK_PIN_NOT_SET);
}

static void
test_bad_pins (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (kiosk_pin_hash ("12a4", &error));
  g_assert_cmpstr (error->message, ==, "a PIN has digits only (it is typed on the kiosk's PIN pad)");
  g_clear_error (&error);
  g_assert_null (kiosk_pin_hash ("123", &error));
  g_assert_cmpstr (error->message, ==, "a PIN has 4 to 12 digits");
}

static void
test_lockout_grows (void)
{
  g_autofree char *hash = kiosk_pin_hash ("2580", NULL);
  KioskPinGuard guard = { 0 };
  gint64 now = 1000 * S;
  guint wait = 0;

  /* Three free attempts; the third wrong one locks for 30 s. */
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "0000", now, &wait), ==, KIOSK_PIN_WRONG);
  g_assert_cmpuint (wait, ==, 0);
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "1111", now, &wait), ==, KIOSK_PIN_WRONG);
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "2222", now, &wait), ==, KIOSK_PIN_WRONG);
  g_assert_cmpuint (wait, ==, 30);

  /* While locked even the right PIN is refused, and nothing is checked. */
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "2580", now + 10 * S, &wait), ==,
                   KIOSK_PIN_LOCKED);
  g_assert_cmpuint (wait, ==, 20);

  /* Each further wrong PIN doubles the wait. */
  now += 30 * S;
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "3333", now, &wait), ==, KIOSK_PIN_WRONG);
  g_assert_cmpuint (wait, ==, 60);
  now += 60 * S;
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "4444", now, &wait), ==, KIOSK_PIN_WRONG);
  g_assert_cmpuint (wait, ==, 120);

  /* Up to an hour at most. */
  for (int i = 0; i < 10; i++)
    {
      now += 3600 * S;
      kiosk_pin_guard_check (&guard, hash, "5555", now, &wait);
    }
  g_assert_cmpuint (wait, ==, 3600);

  /* The right PIN after the wait opens and resets the count. */
  now += 3600 * S;
  g_assert_cmpint (kiosk_pin_guard_check (&guard, hash, "2580", now, &wait), ==, KIOSK_PIN_OK);
  g_assert_cmpuint (guard.failures, ==, 0);
}

static void
test_config (void)
{
  g_autofree char *hash = kiosk_pin_hash ("2580", NULL);
  g_autofree char *text = g_strdup_printf ("[admin]\npin-hash = %s\n", hash);
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskConfig) config = kiosk_config_new_from_data (text, -1, "k.conf", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (kiosk_config_get_pin_hash (config), ==, hash);
  g_clear_object (&config);

  config = kiosk_config_new_from_data ("[admin]\npin-hash = 2580\n", -1, "k.conf", &error);
  g_assert_null (config);
  g_assert_cmpstr (error->message, ==, "k.conf:2: [admin] pin-hash: not a crypt(3) hash (make one "
                                       "with: smiley-kiosk --hash-pin)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pin/hash-and-check", test_hash_and_check);
  g_test_add_func ("/pin/bad-pins", test_bad_pins);
  g_test_add_func ("/pin/lockout-grows", test_lockout_grows);
  g_test_add_func ("/pin/config", test_config);

  return g_test_run ();
}

/* kiosk-test-seed.c: see kiosk-test-seed.h. */
#include "kiosk-server-db.h"
#include "kiosk-test-seed.h"

void
kiosk_test_seed_responses (PGconn     *conn,
                           const char *device,
                           const char *utc,
                           guint       n,
                           int         face,
                           gboolean    misuse,
                           const char *follow_up_id,
                           const char *selected,
                           const char *comment)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  g_autofree char *face_text = g_strdup_printf ("%d", face);
  const char *params[] = { device, utc, n_text, face_text, misuse ? "t" : "f", follow_up_id,
                           selected, comment };
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) result =
    kiosk_db_exec (conn,
                   "INSERT INTO responses (device_id, event_id, seq, site_id, survey_id,"
                   " survey_version, scale, face, input, language, time, local_time,"
                   " utc_offset_s, misuse, follow_up_id, follow_up_selected, comment, boot_id,"
                   " monotonic_ms, clock_synced, clock_corrected) "
                   "SELECT d.id, gen_random_uuid (),"
                   " (SELECT coalesce (max (seq), 0) FROM responses WHERE device_id = d.id) + g,"
                   " d.site_id, 'default', 1, 4, $4::smallint, 'touch', 'en', t,"
                   " t AT TIME ZONE s.time_zone,"
                   " extract (epoch FROM (t AT TIME ZONE s.time_zone) - (t AT TIME ZONE 'UTC'))::int,"
                   " $5::boolean, $6, $7::jsonb, $8, 'boot', g * 1000, true, false "
                   "FROM devices d JOIN sites s ON s.id = d.site_id,"
                   " generate_series (1, $3::int) g,"
                   " LATERAL (SELECT $2::timestamptz + (g - 1) * interval '10 seconds' AS t) x "
                   "WHERE d.id = $1",
                   8, params, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (PQcmdTuples (result), ==, n_text);
}

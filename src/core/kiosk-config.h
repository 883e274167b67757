/* kiosk-config.h: the operator's kiosk.conf (GKeyFile), validated completely before use.
 *
 * Every problem is reported as "FILE:LINE: [group] key: what is wrong", one per line. */
#pragma once

#include <glib-object.h>

#include "kiosk-hours.h"

G_BEGIN_DECLS

#define KIOSK_CONFIG_ERROR (kiosk_config_error_quark ())

/* Physical buttons map to the four faces of the scale. */
#define KIOSK_BUTTON_FACES 4

typedef enum
{
  KIOSK_CONFIG_ERROR_IO,
  KIOSK_CONFIG_ERROR_INVALID,
} KioskConfigError;

#define KIOSK_TYPE_CONFIG (kiosk_config_get_type ())
G_DECLARE_FINAL_TYPE (KioskConfig, kiosk_config, KIOSK, CONFIG, GObject)

GQuark       kiosk_config_error_quark               (void);

KioskConfig *kiosk_config_new_default               (void);
KioskConfig *kiosk_config_new_from_file             (const char  *path,
                                                     GError     **error);
KioskConfig *kiosk_config_new_from_data             (const char  *data,
                                                     gssize       length,
                                                     const char  *display_name,
                                                     GError     **error);

const char  *kiosk_config_get_path                  (KioskConfig *self);
const char  *kiosk_config_get_device_id             (KioskConfig *self);
guint        kiosk_config_get_thank_you_ms          (KioskConfig *self);
guint        kiosk_config_get_misuse_interval_ms    (KioskConfig *self);
guint        kiosk_config_get_attract_after_minutes (KioskConfig *self);
const char  *kiosk_config_get_state_directory       (KioskConfig *self);
const char  *kiosk_config_get_language              (KioskConfig *self);
char        *kiosk_config_dup_database_path         (KioskConfig *self);
gboolean     kiosk_config_get_high_contrast         (KioskConfig *self);
double       kiosk_config_get_text_scale            (KioskConfig *self);

const char  *kiosk_config_get_survey_file            (KioskConfig *self);
const char  *kiosk_config_get_cloud_url              (KioskConfig *self);
const char  *kiosk_config_get_token_file             (KioskConfig *self);
const char  *kiosk_config_get_ca_file                (KioskConfig *self);
const char  *kiosk_config_get_pinned_public_key      (KioskConfig *self);
gboolean     kiosk_config_get_allow_insecure_http    (KioskConfig *self);
guint        kiosk_config_get_batch_size             (KioskConfig *self);
guint        kiosk_config_get_survey_poll_seconds    (KioskConfig *self);
guint        kiosk_config_get_heartbeat_seconds      (KioskConfig *self);

guint        kiosk_config_get_retention_days         (KioskConfig *self);
guint        kiosk_config_get_max_queue_responses    (KioskConfig *self);
guint        kiosk_config_get_max_database_megabytes (KioskConfig *self);

const char * const *kiosk_config_get_button_devices (KioskConfig *self);
int          kiosk_config_get_face_for_key          (KioskConfig *self,
                                                     guint        code);
guint        kiosk_config_get_button_debounce_ms    (KioskConfig *self);
int          kiosk_key_code_from_name               (const char  *name);

KioskHours  *kiosk_config_get_hours                 (KioskConfig *self);
const char  *kiosk_config_get_pin_hash              (KioskConfig *self);
guint        kiosk_config_get_rotation              (KioskConfig *self);

char        *kiosk_default_device_id                (void);
gboolean     kiosk_host_is_loopback                 (const char  *host);
gboolean     kiosk_check_token_file                 (const char  *path,
                                                     GString     *problem);
gboolean     kiosk_language_tag_is_valid            (const char  *tag);
char        *kiosk_language_from_locale             (const char  *locale_name);

G_END_DECLS

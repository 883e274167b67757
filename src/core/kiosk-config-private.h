/* kiosk-config-private.h: the configuration's instance and the table of keys its files share
 * (kiosk-config.c: the file, its structure and the getters; -keys.c: each key's reader). */
#pragma once

#include "kiosk-config.h"

G_BEGIN_DECLS

struct _KioskConfig
{
  GObject  parent_instance;

  /* owned */
  char    *path;
  char    *device_id;
  char    *state_directory;
  char    *language;
  guint    thank_you_ms;
  guint    misuse_interval_ms;
  gboolean high_contrast;
  double   text_scale;
  guint    attract_after_min;   /* 0: no attract screen */

  /* [survey] */
  char    *survey_file;

  /* [cloud]; no url means sync is off */
  char    *cloud_url;
  char    *token_file;
  char    *ca_file;
  char    *pinned_public_key;
  gboolean allow_insecure_http;
  guint    batch_size;
  guint    survey_poll_s;
  guint    heartbeat_s;

  /* [storage] */
  guint    retention_days;
  guint    max_queue_responses;
  guint    max_database_mb;

  /* [buttons] */
  GStrv    button_devices;
  GArray  *button_keys[KIOSK_BUTTON_FACES];   /* of guint key codes, per face (0 = very unhappy) */
  guint    button_debounce_ms;

  /* [hours] */
  KioskHours *hours;

  /* [admin] */
  char    *pin_hash;

  /* [display] */
  guint    rotation;   /* degrees clockwise: 0, 90, 180 or 270 */
};

typedef gboolean (*KioskKeyParser) (KioskConfig *self,
                                    const char  *value,
                                    GString     *problem);

typedef struct
{
  const char     *group;
  const char     *key;
  KioskKeyParser  parse;
} KioskKeySpec;

/* kiosk-config-keys.c */
const KioskKeySpec *_kiosk_config_find_spec         (const char  *group,
                                                     const char  *key);
const char         *_kiosk_config_closest_key       (const char  *group,
                                                     const char  *key);
gboolean            _kiosk_config_parse_button_keys (KioskConfig *self,
                                                     guint        face,
                                                     const char  *value,
                                                     GString     *problem);

G_END_DECLS

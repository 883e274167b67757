/* kiosk-server-surveys.h: published surveys (immutable once published, so every server process
 * may cache them) and which survey a device is assigned. */
#pragma once

#include <libpq-fe.h>

#include "kiosk-response.h"
#include "kiosk-survey.h"

G_BEGIN_DECLS

#define KIOSK_SERVER_SURVEY_ERROR (kiosk_server_survey_error_quark ())

typedef enum
{
  KIOSK_SERVER_SURVEY_ERROR_INVALID,    /* the survey file does not pass the kiosk's validation */
  KIOSK_SERVER_SURVEY_ERROR_CONFLICT,   /* that id and version were published with other text */
  KIOSK_SERVER_SURVEY_ERROR_NOT_FOUND,  /* no such site or device */
} KioskServerSurveyError;

typedef enum
{
  KIOSK_SURVEY_SCOPE_DEFAULT,
  KIOSK_SURVEY_SCOPE_SITE,
  KIOSK_SURVEY_SCOPE_DEVICE,
} KioskSurveyScope;

GQuark       kiosk_server_survey_error_quark (void);

/* Validates @body with the kiosk's own validator, stores it (unless the same text is stored
 * already) and assigns it to @scope (@target: the site's name or the device id). */
KioskSurvey *kiosk_server_survey_publish     (PGconn           *conn,
                                              const char       *body,
                                              gsize             length,
                                              const char       *file_name,
                                              KioskSurveyScope  scope,
                                              const char       *target,
                                              GError          **error);

/* Makes the built-in demo survey known, so a kiosk that shows it can deliver. */
gboolean     kiosk_server_survey_ensure_demo (PGconn           *conn,
                                              GError          **error);

/* The parsed survey @survey_id version @version, from the process's cache or the database;
 * NULL without error when it was never published. */
KioskSurvey *kiosk_server_survey_lookup      (PGconn           *conn,
                                              const char       *survey_id,
                                              int               version,
                                              GError          **error);

/* The survey a device shows: the device's assignment, else its site's, else the default.
 * FALSE without error when none is assigned. */
gboolean     kiosk_server_survey_for_device  (PGconn           *conn,
                                              const char       *device_id,
                                              char            **out_body,
                                              char            **out_etag,
                                              GError          **error);

/* Why @response cannot be a response to @survey, or NULL when it can. */
char        *kiosk_server_survey_check_response (KioskSurvey        *survey,
                                              const KioskResponse *response);

G_END_DECLS

/* kiosk-test-server.h: a cloud that follows docs/cloud-api.md, on 127.0.0.1 at a random port, for
 * the sync tests and the drain benchmark. It checks every event against the contract,
 * de-duplicates on (source, id), records what it accepted, and misbehaves when told to. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _KioskTestServer KioskTestServer;

typedef enum
{
  KIOSK_TEST_SERVER_DEFAULT        = 0,
  KIOSK_TEST_SERVER_START_DOWN     = 1 << 0,  /* nothing listens until set_down (FALSE) */
  KIOSK_TEST_SERVER_KEEP_NO_EVENTS = 1 << 1,  /* count only: for the 100 000-event benchmark */
} KioskTestServerFlags;

typedef enum
{
  KIOSK_FAULT_STATUS,          /* answer with this status, extra header lines and body */
  KIOSK_FAULT_RESET,           /* read the request's head, then reset the connection */
  KIOSK_FAULT_HANG,            /* read the request, never answer */
  KIOSK_FAULT_TRICKLE,         /* answer properly, one byte every "status" ms */
  KIOSK_FAULT_STORE_AND_DROP,  /* store the batch, then close without a reply */
} KioskFaultKind;

typedef struct
{
  char    *method;
  char    *path;
  int      status;             /* what the server answered; 0 when it did not */
  gint64   received_us;        /* monotonic, when the request was complete */
  gsize    wire_body_bytes;
  gboolean gzip;
  guint    events;
  char    *user_agent;
  char    *content_type;
  char    *if_none_match;
  gboolean authorized;
} KioskTestRequest;

KioskTestServer *kiosk_test_server_new            (KioskTestServerFlags  flags,
                                                   GTlsCertificate      *certificate);
void             kiosk_test_server_free           (KioskTestServer      *server);
const char      *kiosk_test_server_get_url        (KioskTestServer      *server);
guint16          kiosk_test_server_get_port       (KioskTestServer      *server);

void             kiosk_test_server_set_down       (KioskTestServer      *server,
                                                   gboolean              down);
void             kiosk_test_server_set_token      (KioskTestServer      *server,
                                                   const char           *token);
void             kiosk_test_server_push_fault     (KioskTestServer      *server,
                                                   const char           *path_prefix,
                                                   KioskFaultKind        kind,
                                                   int                   status,
                                                   const char           *headers,
                                                   const char           *body);
void             kiosk_test_server_set_poison     (KioskTestServer      *server,
                                                   const char           *event_id);
void             kiosk_test_server_set_reject     (KioskTestServer      *server,
                                                   const char           *event_id,
                                                   const char           *reason);
void             kiosk_test_server_set_max_batch  (KioskTestServer      *server,
                                                   guint                 max_events);
void             kiosk_test_server_set_status     (KioskTestServer      *server,
                                                   const char           *path_prefix,
                                                   int                   status,
                                                   const char           *headers,
                                                   const char           *body);
void             kiosk_test_server_set_survey     (KioskTestServer      *server,
                                                   const char           *json,
                                                   const char           *etag);

guint            kiosk_test_server_count_accepted (KioskTestServer      *server);
guint            kiosk_test_server_count_duplicates (KioskTestServer    *server);
guint            kiosk_test_server_count_rejected (KioskTestServer      *server);
guint            kiosk_test_server_count_violations (KioskTestServer    *server);
char            *kiosk_test_server_dup_violations (KioskTestServer      *server);
guint            kiosk_test_server_count_requests (KioskTestServer      *server,
                                                   const char           *path_prefix);
GPtrArray       *kiosk_test_server_dup_requests   (KioskTestServer      *server,
                                                   const char           *path_prefix);
GArray          *kiosk_test_server_dup_seqs       (KioskTestServer      *server,
                                                   const char           *source);
char            *kiosk_test_server_dup_event      (KioskTestServer      *server,
                                                   const char           *source,
                                                   const char           *id);
GPtrArray       *kiosk_test_server_dup_heartbeats (KioskTestServer      *server);
gboolean         kiosk_test_server_check_exactly_once (KioskTestServer  *server,
                                                   const char           *source,
                                                   gint64                expected,
                                                   GError              **error);

void             kiosk_test_request_free          (KioskTestRequest     *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskTestServer, kiosk_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskTestRequest, kiosk_test_request_free)

G_END_DECLS

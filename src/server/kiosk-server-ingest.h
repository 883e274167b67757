/* kiosk-server-ingest.h: one batch of events into PostgreSQL, in one transaction. */
#pragma once

#include <libpq-fe.h>

#include "kiosk-cloudevents.h"

G_BEGIN_DECLS

typedef struct
{
  char   *device_id;
  gint64  site_id;
  char   *time_zone;   /* the site's, for local day and hour */
} KioskServerDevice;

void  kiosk_server_device_clear  (KioskServerDevice *device);

typedef struct
{
  guint accepted;
  guint duplicates;
  guint rejected;
} KioskIngestCounts;

/* Stores the valid events of @events (KioskDecodedEvent) sent by @device, de-duplicated on
 * (source, id), repairs unsynchronised clocks, commits, and only then returns the results
 * document naming every event. On a database failure nothing is stored and NULL is returned
 * (the caller answers 503: the kiosk sends the batch again). */
char *kiosk_server_ingest_batch  (PGconn                  *conn,
                                  const KioskServerDevice *device,
                                  GPtrArray               *events,
                                  KioskIngestCounts       *counts,
                                  GError                 **error);

G_END_DECLS

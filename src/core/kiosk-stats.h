/* kiosk-stats.h: per-face counts and HappyOrNot's Happy Index. */
#pragma once

#include <glib.h>

#include "kiosk-response.h"

G_BEGIN_DECLS

typedef struct
{
  int     scale;
  guint64 faces[KIOSK_MAX_SCALE];  /* responses per face, misuse excluded */
  guint64 misuse;                  /* responses flagged by a misuse rule */
} KioskFaceCounts;

void     kiosk_face_counts_clear  (KioskFaceCounts       *counts);
guint64  kiosk_face_counts_total  (const KioskFaceCounts *counts);
gboolean kiosk_happy_index        (const KioskFaceCounts *counts,
                                   double                *out_index);
char    *kiosk_face_counts_format (const KioskFaceCounts *counts,
                                   const char            *title);

G_END_DECLS

/* kiosk-artwork.h: the faces and the thank-you mark, read from their SVG files and drawn with
 * cairo, without librsvg (and the 7 MiB that librsvg and libxml2 add to a kiosk). */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_ARTWORK_ERROR (kiosk_artwork_error_quark ())

typedef enum
{
  KIOSK_ARTWORK_ERROR_PARSE,
  KIOSK_ARTWORK_ERROR_UNSUPPORTED,
  KIOSK_ARTWORK_ERROR_INVALID,
} KioskArtworkError;

typedef struct _KioskArtwork KioskArtwork;

GQuark           kiosk_artwork_error_quark (void);

KioskArtwork    *kiosk_artwork_parse       (const char          *name,
                                            const char          *svg,
                                            gssize               length,
                                            GError             **error);
KioskArtwork    *kiosk_artwork_load        (const char          *resource,
                                            GError             **error);
void             kiosk_artwork_free        (KioskArtwork        *artwork);
void             kiosk_artwork_paint       (const KioskArtwork  *artwork,
                                            cairo_t             *cr,
                                            double               size);
cairo_surface_t *kiosk_artwork_rasterise   (const KioskArtwork  *artwork,
                                            int                  size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskArtwork, kiosk_artwork_free)

G_END_DECLS

/* kiosk-server-auth.h: device tokens. A token is 32 random bytes shown once; the database keeps
 * only its SHA-256, and a presented token is compared in constant time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_TOKEN_HASH_BYTES 32

char     *kiosk_token_new          (GError       **error);
void      kiosk_token_hash         (const char    *token,
                                    guint8         out[KIOSK_TOKEN_HASH_BYTES]);
/* "\\x…": the hash as PostgreSQL's bytea text. */
char     *kiosk_token_hash_hex     (const char    *token);
gboolean  kiosk_token_hash_equal   (const guint8  *a,
                                    const guint8  *b);
gboolean  kiosk_hex_to_hash        (const char    *text,
                                    guint8         out[KIOSK_TOKEN_HASH_BYTES]);

/* The token of an "Authorization: Bearer …" header; NULL when the header is missing or is not
 * one bearer token of visible ASCII. */
char     *kiosk_bearer_token       (const char    *header);

G_END_DECLS

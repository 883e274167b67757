/* kiosk-json.h: a strict JSON reader (RFC 8259) for the server's hot path: the whole document in
 * one block of memory, objects and arrays as arrays, nothing reference-counted. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIOSK_JSON_ERROR (kiosk_json_error_quark ())

typedef enum
{
  KIOSK_JSON_ERROR_SYNTAX,   /* not JSON; the message says where and what was expected */
  KIOSK_JSON_ERROR_DEPTH,    /* arrays and objects nested deeper than the caller allows */
} KioskJsonError;

typedef enum
{
  KIOSK_JSON_NULL,
  KIOSK_JSON_BOOLEAN,
  KIOSK_JSON_INTEGER,   /* no fraction, no exponent, and within gint64 */
  KIOSK_JSON_NUMBER,    /* any other number */
  KIOSK_JSON_STRING,
  KIOSK_JSON_ARRAY,
  KIOSK_JSON_OBJECT,
} KioskJsonType;

typedef struct _KioskJsonValue  KioskJsonValue;
typedef struct _KioskJsonMember KioskJsonMember;
typedef struct _KioskJson       KioskJson;

/* Read through the accessors below; the layout is here so that they inline. */
struct _KioskJsonValue
{
  guint8  type;       /* KioskJsonType */
  guint8  bad_text;   /* a string with a lone surrogate escape (\ud800): not Unicode text */
  guint32 size;       /* string: bytes before the first NUL; array, object: elements */
  union
  {
    gboolean               boolean;
    gint64                 integer;
    double                 number;
    const char            *string;
    const KioskJsonValue  *elements;
    const KioskJsonMember *members;
  } v;
};

struct _KioskJsonMember
{
  const char     *name;
  KioskJsonValue  value;
};

GQuark                kiosk_json_error_quark (void);

/* Parses @text (@length bytes, no NUL needed at the end) strictly: RFC 8259, UTF-8, a leading
 * byte order mark ignored (RFC 8259 § 8.1), arrays and objects nested at most @max_depth deep.
 * A string's \u0000 ends it as a C string (what follows is kept in the document but is not
 * reachable); a lone surrogate escape makes the string's bad_text TRUE. White space alone is a
 * document whose root is NULL. */
KioskJson            *kiosk_json_parse        (const char            *text,
                                               gsize                  length,
                                               int                    max_depth,
                                               GError               **error);
void                  kiosk_json_free         (KioskJson             *json);
const KioskJsonValue *kiosk_json_get_root     (const KioskJson       *json);

/* The value of the member named @name, the last one when the name appears more than once (a
 * name compared as a C string, up to a \u0000); NULL when there is none. */
const KioskJsonValue *kiosk_json_object_get   (const KioskJsonValue  *object,
                                               const char            *name);

static inline gboolean
kiosk_json_is (const KioskJsonValue *value,
               KioskJsonType         type)
{
  return value->type == type;
}

static inline const char *
kiosk_json_get_string (const KioskJsonValue *value)
{
  g_assert (value->type == KIOSK_JSON_STRING);
  return value->v.string;
}

/* The elements of an array or the members of an object. */
static inline guint
kiosk_json_get_length (const KioskJsonValue *value)
{
  g_assert (value->type == KIOSK_JSON_ARRAY || value->type == KIOSK_JSON_OBJECT);
  return value->size;
}

static inline const KioskJsonValue *
kiosk_json_array_get (const KioskJsonValue *array,
                      guint                 index)
{
  g_assert (array->type == KIOSK_JSON_ARRAY && index < array->size);
  return &array->v.elements[index];
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskJson, kiosk_json_free)

G_END_DECLS

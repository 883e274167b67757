/* kiosk-json.c: a strict JSON reader (RFC 8259) that builds the whole document in one block.
 *
 * The server reads up to 500 events a batch; json-glib spent most of the server's time building a
 * tree of reference-counted nodes and hash tables for them. Here a document is one allocation,
 * sized from the text's length so it never grows: objects are arrays of members, looked up by a
 * linear search (an event's objects have a dozen members at most). */
#define G_LOG_DOMAIN "kiosk-json"

#include "config.h"

#include <string.h>

#include "kiosk-json.h"

G_DEFINE_QUARK (kiosk-json-error-quark, kiosk_json_error)

struct _KioskJson
{
  KioskJsonValue  root;
  gboolean        has_root;
  /* then the arena: elements and members, then strings */
};

typedef struct
{
  const guchar *start;
  const guchar *p;
  const guchar *end;

  /* the arena: containers' elements grow up from @structure, strings from @strings */
  char         *structure;
  char         *structure_end;
  char         *strings;
  char         *strings_end;

  /* the elements of the containers still open, in order; copied to the arena on closing */
  char         *scratch;
  gsize         scratch_used;
  gsize         scratch_size;

  int           depth;
  int           max_depth;

  /* the first problem */
  const guchar *error_at;
  int           error_code;
  char         *error_text;
} Parser;

/* Bytes that end the plain run of a string: controls, the quote, the backslash, non-ASCII. */
static const guint8 string_special[256] = {
  [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static gboolean
parse_error (Parser       *P,
             const guchar *at,
             int           code,
             const char   *format,
             ...) G_GNUC_PRINTF (4, 5);

static gboolean
parse_error (Parser       *P,
             const guchar *at,
             int           code,
             const char   *format,
             ...)
{
  va_list args;

  if (P->error_text == NULL)
    {
      va_start (args, format);
      P->error_text = g_strdup_vprintf (format, args);
      va_end (args);
      P->error_at = at;
      P->error_code = code;
    }
  return FALSE;
}

/* What stands at @at, for a message: “x”, U+0001, or the end of the text. */
static char *
describe_at (Parser       *P,
             const guchar *at)
{
  gunichar c;

  if (at >= P->end)
    return g_strdup ("the end of the text");
  if (*at >= 0x21 && *at <= 0x7e)
    return g_strdup_printf ("“%c”", *at);
  if (*at < 0x80)
    return g_strdup_printf ("U+%04X", *at);

  c = g_utf8_get_char_validated ((const char *) at, P->end - at);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup_printf ("the byte 0x%02X", *at);
  return g_strdup_printf ("U+%04X", c);
}

static gboolean
expected (Parser       *P,
          const guchar *at,
          const char   *what)
{
  g_autofree char *found = describe_at (P, at);

  return parse_error (P, at, KIOSK_JSON_ERROR_SYNTAX, "expected %s, found %s", what, found);
}

static inline void
skip_space (Parser *P)
{
  while (P->p < P->end && (*P->p == ' ' || *P->p == '\n' || *P->p == '\r' || *P->p == '\t'))
    P->p++;
}

static inline void *
scratch_push (Parser *P,
              gsize   size)
{
  void *slot;

  if (G_UNLIKELY (P->scratch_used + size > P->scratch_size))
    {
      P->scratch_size = MAX (P->scratch_size * 2, 4096);
      P->scratch = g_realloc (P->scratch, P->scratch_size);
    }
  slot = P->scratch + P->scratch_used;
  P->scratch_used += size;
  return slot;
}

/* Moves the elements pushed since @mark to the arena. */
static const void *
scratch_pop (Parser *P,
             gsize   mark)
{
  gsize size = P->scratch_used - mark;
  char *out = P->structure;

  /* The arena was sized so that this cannot happen (kiosk_json_parse); a mistake there must not
   * become a write past its end. */
  g_assert (size <= (gsize) (P->structure_end - P->structure));
  if (size > 0)
    memcpy (out, P->scratch + mark, size);
  P->structure += size;
  P->scratch_used = mark;
  return out;
}

static inline int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits at @p, or -1. */
static int
read_hex4 (const guchar *p,
           const guchar *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* The length of the UTF-8 sequence at @p (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF, as g_utf8_validate()), or 0. */
static inline int
utf8_sequence (const guchar *p,
               const guchar *end)
{
  guchar c = p[0];
  gsize left = end - p;

  if (c >= 0xc2 && c <= 0xdf)
    return left >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef)
    {
      if (left < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
        return 0;
      if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
        return 0;
      return 3;
    }
  if (c >= 0xf0 && c <= 0xf4)
    {
      if (left < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
        return 0;
      if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
        return 0;
      return 4;
    }
  return 0;
}

static inline char *
put_utf8 (char    *out,
          gunichar c)
{
  if (c < 0x80)
    *out++ = (char) c;
  else if (c < 0x800)
    {
      *out++ = (char) (0xc0 | (c >> 6));
      *out++ = (char) (0x80 | (c & 0x3f));
    }
  else if (c < 0x10000)
    {
      /* A lone surrogate too, as json-glib wrote it: three bytes that are not UTF-8. */
      *out++ = (char) (0xe0 | (c >> 12));
      *out++ = (char) (0x80 | ((c >> 6) & 0x3f));
      *out++ = (char) (0x80 | (c & 0x3f));
    }
  else
    {
      *out++ = (char) (0xf0 | (c >> 18));
      *out++ = (char) (0x80 | ((c >> 12) & 0x3f));
      *out++ = (char) (0x80 | ((c >> 6) & 0x3f));
      *out++ = (char) (0x80 | (c & 0x3f));
    }
  return out;
}

/* A string at P->p (its opening quote), decoded into the arena. The decoded text is never longer
 * than the quoted one, so the arena's string part (as long as the text) always has room. */
static gboolean
parse_string (Parser         *P,
              KioskJsonValue *out)
{
  const guchar *p = P->p + 1;
  const guchar *end = P->end;
  char *dst = P->strings;
  char *first_nul = NULL;
  gboolean bad_text = FALSE;

  for (;;)
    {
      const guchar *run = p;
      guchar c;

      while (p < end && !string_special[*p])
        p++;
      memcpy (dst, run, p - run);
      dst += p - run;

      if (p >= end)
        return parse_error (P, P->p, KIOSK_JSON_ERROR_SYNTAX,
                            "a string that starts here has no closing quote");

      c = *p;
      if (c == '"')
        break;

      if (c >= 0x80)
        {
          int n = utf8_sequence (p, end);

          if (n == 0)
            return parse_error (P, p, KIOSK_JSON_ERROR_SYNTAX, "the text is not UTF-8");
          memcpy (dst, p, n);
          dst += n;
          p += n;
          continue;
        }

      if (c < 0x20)
        return parse_error (P, p, KIOSK_JSON_ERROR_SYNTAX,
                            "U+%04X in a string (a control character must be escaped)", c);

      /* a backslash */
      if (p + 1 >= end)
        return parse_error (P, P->p, KIOSK_JSON_ERROR_SYNTAX,
                            "a string that starts here has no closing quote");
      switch (p[1])
        {
        case '"':  *dst++ = '"'; break;
        case '\\': *dst++ = '\\'; break;
        case '/':  *dst++ = '/'; break;
        case 'b':  *dst++ = '\b'; break;
        case 'f':  *dst++ = '\f'; break;
        case 'n':  *dst++ = '\n'; break;
        case 'r':  *dst++ = '\r'; break;
        case 't':  *dst++ = '\t'; break;
        case 'u':
          {
            int unit = read_hex4 (p + 2, end);
            gunichar ch;

            if (unit < 0)
              return parse_error (P, p, KIOSK_JSON_ERROR_SYNTAX,
                                  "“\\u” is not followed by four hex digits");
            ch = unit;
            if (unit >= 0xd800 && unit <= 0xdbff && end - p >= 12 && p[6] == '\\' &&
                p[7] == 'u')
              {
                int low = read_hex4 (p + 8, end);

                if (low >= 0xdc00 && low <= 0xdfff)
                  {
                    ch = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    p += 6;
                  }
              }
            if (ch >= 0xd800 && ch <= 0xdfff && first_nul == NULL)
              bad_text = TRUE;
            if (ch == 0 && first_nul == NULL)
              first_nul = dst;
            dst = put_utf8 (dst, ch);
            p += 4;
          }
          break;
        default:
          {
            g_autofree char *found = describe_at (P, p + 1);

            return parse_error (P, p, KIOSK_JSON_ERROR_SYNTAX,
                                "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u) "
                                "after the backslash, found %s", found);
          }
        }
      p += 2;
    }

  *dst = '\0';
  out->type = KIOSK_JSON_STRING;
  out->bad_text = bad_text;
  out->size = (guint32) ((first_nul ? first_nul : dst) - P->strings);
  out->v.string = P->strings;
  P->strings = dst + 1;
  P->p = p + 1;
  return TRUE;
}

static gboolean
parse_number (Parser         *P,
              KioskJsonValue *out)
{
  const guchar *start = P->p;
  const guchar *p = start;
  const guchar *end = P->end;
  gboolean negative = FALSE, integer = TRUE, overflow = FALSE;
  guint64 magnitude = 0;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (p >= end || !g_ascii_isdigit (*p))
    return expected (P, p, "a digit after “-”");

  if (*p == '0')
    p++;
  else
    for (; p < end && g_ascii_isdigit (*p); p++)
      {
        guint digit = *p - '0';

        if (magnitude > (G_MAXUINT64 - digit) / 10)
          overflow = TRUE;
        else
          magnitude = magnitude * 10 + digit;
      }

  if (p < end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return expected (P, p, "a digit after the decimal point");
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return expected (P, p, "a digit in the exponent");
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  if (magnitude > (negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64))
    overflow = TRUE;

  out->bad_text = FALSE;
  out->size = 0;
  if (integer && !overflow)
    {
      out->type = KIOSK_JSON_INTEGER;
      out->v.integer = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
    }
  else
    {
      /* The text is not NUL-terminated where the number ends. */
      g_autofree char *copy = g_strndup ((const char *) start, p - start);

      out->type = KIOSK_JSON_NUMBER;
      out->v.number = g_ascii_strtod (copy, NULL);
    }

  P->p = p;
  return TRUE;
}

static gboolean
parse_literal (Parser         *P,
               const char     *word,
               gsize           length)
{
  if ((gsize) (P->end - P->p) < length || memcmp (P->p, word, length) != 0)
    return expected (P, P->p, "a value");
  P->p += length;
  return TRUE;
}

static gboolean parse_value (Parser         *P,
                             KioskJsonValue *out);

static gboolean
enter (Parser *P)
{
  if (++P->depth > P->max_depth)
    return parse_error (P, P->p, KIOSK_JSON_ERROR_DEPTH,
                        "arrays and objects are nested deeper than %d levels", P->max_depth);
  return TRUE;
}

/* After an element or a member: a comma (another follows) or @close (the container ends).
 * Returns 1 for a comma, 0 for the end, -1 (the error set) for anything else. */
static int
next_or_end (Parser     *P,
             guchar      close,
             const char *what)
{
  skip_space (P);
  if (P->p < P->end && *P->p == ',')
    {
      P->p++;
      skip_space (P);
      return 1;
    }
  if (P->p < P->end && *P->p == close)
    {
      P->p++;
      return 0;
    }
  expected (P, P->p, what);
  return -1;
}

/* One member of an object, "name": value, onto the scratch stack. */
static gboolean
parse_member (Parser *P)
{
  KioskJsonMember member;
  KioskJsonValue name;

  if (P->p >= P->end || *P->p != '"')
    return expected (P, P->p, "a member name (a string in double quotes)");
  if (!parse_string (P, &name))
    return FALSE;
  member.name = name.v.string;

  skip_space (P);
  if (P->p >= P->end || *P->p != ':')
    return expected (P, P->p, "“:” after a member name");
  P->p++;
  skip_space (P);

  if (!parse_value (P, &member.value))
    return FALSE;
  *(KioskJsonMember *) scratch_push (P, sizeof member) = member;
  return TRUE;
}

/* One element of an array onto the scratch stack. */
static gboolean
parse_element (Parser *P)
{
  KioskJsonValue element;

  if (!parse_value (P, &element))
    return FALSE;
  *(KioskJsonValue *) scratch_push (P, sizeof element) = element;
  return TRUE;
}

/* An array or an object at P->p: its elements or members stay on the scratch stack until it
 * ends, then move into one block. */
static gboolean
parse_container (Parser         *P,
                 KioskJsonValue *out)
{
  gboolean object = *P->p == '{';
  guchar close = object ? '}' : ']';
  gsize mark = P->scratch_used;
  guint n = 0;

  if (!enter (P))
    return FALSE;
  P->p++;
  skip_space (P);

  if (P->p < P->end && *P->p == close)
    P->p++;
  else
    for (;;)
      {
        int next;

        if (!(object ? parse_member (P) : parse_element (P)))
          return FALSE;
        n++;

        next = next_or_end (P, close, object ? "“,” or “}” after a member of an object"
                                             : "“,” or “]” after an element of an array");
        if (next < 0)
          return FALSE;
        if (next == 0)
          break;
      }

  P->depth--;
  out->type = object ? KIOSK_JSON_OBJECT : KIOSK_JSON_ARRAY;
  out->bad_text = FALSE;
  out->size = n;
  if (object)
    out->v.members = scratch_pop (P, mark);
  else
    out->v.elements = scratch_pop (P, mark);
  return TRUE;
}

/* A value at P->p, white space already skipped. */
static gboolean
parse_value (Parser         *P,
             KioskJsonValue *out)
{
  if (P->p >= P->end)
    return expected (P, P->p, "a value");

  switch (*P->p)
    {
    case '"':
      return parse_string (P, out);
    case '{':
    case '[':
      return parse_container (P, out);
    case '-':
    case '0' ... '9':
      return parse_number (P, out);
    case 't':
    case 'f':
    case 'n':
      out->type = *P->p == 'n' ? KIOSK_JSON_NULL : KIOSK_JSON_BOOLEAN;
      out->bad_text = FALSE;
      out->size = 0;
      out->v.integer = 0;
      if (*P->p == 'n')
        return parse_literal (P, "null", 4);
      out->v.boolean = *P->p == 't';
      return out->v.boolean ? parse_literal (P, "true", 4) : parse_literal (P, "false", 5);
    default:
      return expected (P, P->p, "a value");
    }
}

/* "line 3, column 7 (byte 42)": columns in characters, everything counted from 1. */
static char *
describe_position (Parser       *P,
                   const guchar *at)
{
  const guchar *line_start = P->start;
  guint line = 1;
  glong column;

  for (const guchar *q = P->start; q < at; q++)
    if (*q == '\n')
      {
        line++;
        line_start = q + 1;
      }

  /* Up to @at the text has been read, so it is UTF-8 (an error inside a sequence stands at its
   * first byte). */
  column = g_utf8_strlen ((const char *) line_start, at - line_start) + 1;
  return g_strdup_printf ("line %u, column %ld (byte %zu)", line, column,
                          (gsize) (at - P->start) + 1);
}

/**
 * kiosk_json_parse:
 *
 * Returns: (transfer full): the document, or %NULL with @error set (KIOSK_JSON_ERROR: a message
 * that says where, in lines, columns and bytes counted from 1, and what was expected there)
 */
KioskJson *
kiosk_json_parse (const char  *text,
                  gsize        length,
                  int          max_depth,
                  GError     **error)
{
  Parser P = { 0 };
  KioskJson *json;
  gsize structure_size, strings_size;
  gboolean ok = TRUE;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The arena, once: an element of an array takes at least 2 bytes of the text (a value and a
   * separator: "1,") and 16 of the arena, a member at least 5 ("":1,) and 24; so the elements
   * take at most 8 bytes a byte of text. A decoded string and its NUL are never longer than its
   * quoted form. */
  if (length > (G_MAXSIZE - sizeof (KioskJson) - 16) / 9)
    {
      g_set_error (error, KIOSK_JSON_ERROR, KIOSK_JSON_ERROR_SYNTAX, "the text is too long");
      return NULL;
    }
  structure_size = 8 * length;
  strings_size = length + 1;
  json = g_malloc (sizeof (KioskJson) + structure_size + strings_size);
  json->has_root = FALSE;

  P.start = (const guchar *) text;
  P.p = P.start;
  P.end = P.start + length;
  P.structure = (char *) (json + 1);
  P.structure_end = P.structure + structure_size;
  P.strings = P.structure_end;
  P.strings_end = P.strings + strings_size;
  P.max_depth = max_depth;

  /* RFC 8259 § 8.1: a parser may ignore a byte order mark (json-glib did). */
  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    P.p += 3;

  skip_space (&P);
  if (P.p < P.end)
    {
      ok = parse_value (&P, &json->root);
      if (ok)
        {
          json->has_root = TRUE;
          skip_space (&P);
          if (P.p < P.end)
            ok = expected (&P, P.p, "the end of the text after the value");
        }
    }
  g_free (P.scratch);

  if (!ok)
    {
      g_autofree char *where = describe_position (&P, P.error_at);

      g_set_error (error, KIOSK_JSON_ERROR, P.error_code, "%s: %s", where, P.error_text);
      g_free (P.error_text);
      g_free (json);
      return NULL;
    }

  g_assert (P.strings <= P.strings_end);
  return json;
}

void
kiosk_json_free (KioskJson *json)
{
  g_free (json);
}

const KioskJsonValue *
kiosk_json_get_root (const KioskJson *json)
{
  return json->has_root ? &json->root : NULL;
}

const KioskJsonValue *
kiosk_json_object_get (const KioskJsonValue *object,
                       const char           *name)
{
  g_assert (object->type == KIOSK_JSON_OBJECT);

  /* From the last: a name sent twice means its last value, as json-glib read it. */
  for (guint i = object->size; i-- > 0;)
    {
      const KioskJsonMember *member = &object->v.members[i];

      if (member->name[0] == name[0] && strcmp (member->name, name) == 0)
        return &member->value;
    }
  return NULL;
}

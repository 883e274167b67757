/* kiosk-cloudevents-decode.c: the server's side of docs/cloud-api.md: a batch of CloudEvents read
 * strictly (a gzip body is inflated within a limit in kiosk-gzip.c).
 *
 * A batch comes from outside. Whatever it holds, the reader answers in words a person can act on:
 * a batch it cannot read at all is an error, an event that breaks the contract gets a reason that
 * names the member. Member names, limits and value lists come from the same places the kiosk's
 * writer uses (kiosk-cloudevents-private.h, kiosk-cloudevents.h, kiosk-response.c). */
#define G_LOG_DOMAIN "kiosk-cloudevents"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "kiosk-cloudevents.h"
#include "kiosk-cloudevents-private.h"
#include "kiosk-config.h"
#include "kiosk-json.h"

/* The longest quotation of the sender's text in a reason or a message, in characters. */
#define EXCERPT_CHARS 60

void
kiosk_decoded_event_free (KioskDecodedEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->id);
  g_free (event->source);
  g_free (event->device_id);
  g_clear_pointer (&event->response, kiosk_response_free);
  g_free (event->reason);
  g_free (event);
}

/* One event */

typedef struct
{
  char *reason;   /* the first problem found; once set, the later checks do nothing */
} Check;

typedef enum
{
  KIND_STRING,
  KIND_INTEGER,
  KIND_BOOLEAN,
  KIND_OBJECT,
  KIND_ARRAY,
} Kind;

static const char * const kind_names[] = {
  [KIND_STRING] = "a string",
  [KIND_INTEGER] = "an integer",
  [KIND_BOOLEAN] = "a boolean",
  [KIND_OBJECT] = "an object",
  [KIND_ARRAY] = "an array",
};

static gboolean
fail (Check      *c,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Check      *c,
      const char *format,
      ...)
{
  va_list args;

  if (c->reason == NULL)
    {
      va_start (args, format);
      c->reason = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return FALSE;
}

/* The sender's text, quoted in a reason: printable, one line, short. */
static char *
quote (const char *text)
{
  return kiosk_printable_excerpt (text, -1, EXCERPT_CHARS);
}

static const char *
describe (const KioskJsonValue *node)
{
  switch ((KioskJsonType) node->type)
    {
    case KIOSK_JSON_NULL:
      return "null";
    case KIOSK_JSON_OBJECT:
      return kind_names[KIND_OBJECT];
    case KIOSK_JSON_ARRAY:
      return kind_names[KIND_ARRAY];
    case KIOSK_JSON_STRING:
      return kind_names[KIND_STRING];
    case KIOSK_JSON_INTEGER:
      return kind_names[KIND_INTEGER];
    case KIOSK_JSON_BOOLEAN:
      return kind_names[KIND_BOOLEAN];
    case KIOSK_JSON_NUMBER:
      return "a number";
    default:
      return "a value";
    }
}

static const KioskJsonType kind_types[] = {
  [KIND_STRING] = KIOSK_JSON_STRING,
  [KIND_INTEGER] = KIOSK_JSON_INTEGER,
  [KIND_BOOLEAN] = KIOSK_JSON_BOOLEAN,
  [KIND_OBJECT] = KIOSK_JSON_OBJECT,
  [KIND_ARRAY] = KIOSK_JSON_ARRAY,
};

static inline gboolean
node_is (const KioskJsonValue *node,
         Kind                  kind)
{
  return kiosk_json_is (node, kind_types[kind]);
}

/* @node, found at @path + @name, when it holds @kind. NULL when it does not (then @c says why) or
 * when it is null and may be (then @c stays as it was). */
static const KioskJsonValue *
check_kind (Check                *c,
            const KioskJsonValue *node,
            const char           *path,
            const char           *name,
            Kind                  kind,
            gboolean              nullable)
{
  if (nullable && kiosk_json_is (node, KIOSK_JSON_NULL))
    return NULL;
  if (!node_is (node, kind))
    {
      fail (c, "%s%s: expected %s%s, got %s", path, name, kind_names[kind],
            nullable ? " or null" : "", describe (node));
      return NULL;
    }

  return node;
}

/* @path + @name of @o when it holds @kind, as check_kind() has it. */
static const KioskJsonValue *
get (Check                *c,
     const KioskJsonValue *o,
     const char           *path,
     const char           *name,
     Kind                  kind,
     gboolean              nullable)
{
  const KioskJsonValue *node;

  if (c->reason != NULL)
    return NULL;

  node = kiosk_json_object_get (o, name);
  if (node == NULL)
    {
      fail (c, "%s%s is missing", path, name);
      return NULL;
    }

  return check_kind (c, node, path, name, kind, nullable);
}

/* A lone surrogate escape ("\ud800") is no character: the string is not Unicode text. */
static gboolean
check_text (Check                *c,
            const KioskJsonValue *node,
            const char           *path,
            const char           *name,
            gsize                 min_chars,
            gsize                 max_chars)
{
  gsize chars;

  if (node->bad_text)
    return fail (c, "%s%s is not valid UTF-8", path, name);

  /* A character is 1 to 4 bytes, so most texts need no counting. */
  if (node->size <= max_chars && (node->size + 3) / 4 >= min_chars)
    return TRUE;

  chars = g_utf8_strlen (kiosk_json_get_string (node), node->size);
  if (chars < min_chars)
    return fail (c, "%s%s is empty", path, name);
  if (chars > max_chars)
    return fail (c, "%s%s: %zu characters (at most %zu)", path, name, chars, max_chars);

  return TRUE;
}

static const char *
get_string (Check                *c,
            const KioskJsonValue *o,
            const char           *path,
            const char           *name,
            gboolean              nullable,
            gsize                 min_chars,
            gsize                 max_chars)
{
  const KioskJsonValue *node = get (c, o, path, name, KIND_STRING, nullable);

  if (node == NULL || !check_text (c, node, path, name, min_chars, max_chars))
    return NULL;

  return kiosk_json_get_string (node);
}

/* A required integer (into @integer) or, with @integer NULL, boolean (into @boolean): %FALSE
 * (and a reason) when it is missing or of another type. */
static gboolean
get_scalar (Check                *c,
            const KioskJsonValue *o,
            const char           *path,
            const char           *name,
            gint64               *integer,
            gboolean             *boolean)
{
  const KioskJsonValue *node = get (c, o, path, name,
                                    integer != NULL ? KIND_INTEGER : KIND_BOOLEAN, FALSE);

  if (node != NULL && integer != NULL)
    *integer = node->v.integer;
  else if (node != NULL)
    *boolean = node->v.boolean;
  return node != NULL;
}

static gboolean
get_digits (const char *p,
            int         n,
            int        *out)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      value = value * 10 + (p[i] - '0');
    }

  *out = value;
  return TRUE;
}

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/* Exactly what kiosk_format_rfc3339() writes: 2026-03-14T15:10:52.583Z or
 * 2026-03-14T16:10:52.583+01:00. No allocation: it runs for every event of every batch. */
static gboolean
parse_rfc3339_ms (const char *text,
                  gint64     *wall_us,
                  gint32     *utc_offset_s)
{
  static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gsize length = strlen (text);
  int year, month, day, hour, minute, second, ms;
  int offset_hours = 0, offset_minutes = 0, sign = 1;
  gint32 offset;

  if (length != 24 && length != 29)
    return FALSE;
  if (!get_digits (text, 4, &year) || text[4] != '-' || !get_digits (text + 5, 2, &month) ||
      text[7] != '-' || !get_digits (text + 8, 2, &day) || text[10] != 'T' ||
      !get_digits (text + 11, 2, &hour) || text[13] != ':' ||
      !get_digits (text + 14, 2, &minute) || text[16] != ':' ||
      !get_digits (text + 17, 2, &second) || text[19] != '.' || !get_digits (text + 20, 3, &ms))
    return FALSE;

  if (length == 24)
    {
      if (text[23] != 'Z')
        return FALSE;
    }
  else
    {
      if (text[23] == '-')
        sign = -1;
      else if (text[23] != '+')
        return FALSE;
      if (!get_digits (text + 24, 2, &offset_hours) || text[26] != ':' ||
          !get_digits (text + 27, 2, &offset_minutes) || offset_hours > 23 ||
          offset_minutes > 59)
        return FALSE;
    }

  /* Year 0 is RFC 3339, but not GLib's (nor the kiosk's writer's): 0001 to 9999. */
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > month_days[month - 1] + (month == 2 && is_leap_year (year)) ||
      hour > 23 || minute > 59 || second > 59)
    return FALSE;

  offset = sign * (offset_hours * 3600 + offset_minutes * 60);
  *utc_offset_s = offset;
  *wall_us = ((days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
               offset) * G_USEC_PER_SEC) + ms * 1000;
  return TRUE;
}

/* @value, the string at @path@member, is none of @names (the names the writer uses): the reason
 * lists them, "touch, button or keyboard". */
static void
fail_unlisted (Check              *c,
               const char         *path,
               const char         *member,
               const char         *value,
               const char * const *names,
               guint               n)
{
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *quoted = quote (value);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (expected, i + 1 == n ? " or " : ", ");
      g_string_append (expected, names[i]);
    }
  fail (c, "%s%s “%s” is not %s", path, member, quoted, expected->str);
}

static void
read_follow_up (Check                *c,
                const KioskJsonValue *d,
                KioskResponse        *r)
{
  static const char path[] = KIOSK_CE_DATA "." KIOSK_CE_FOLLOW_UP ".";
  const KioskJsonValue *f = get (c, d, KIOSK_CE_DATA ".", KIOSK_CE_FOLLOW_UP, KIND_OBJECT, TRUE);
  const KioskJsonValue *selected;
  const char *id, *outcome;
  guint n;

  if (f == NULL)
    return;

  id = get_string (c, f, path, KIOSK_CE_FOLLOW_UP_ID, FALSE, 1, KIOSK_EVENT_MAX_ID_CHARS);
  selected = get (c, f, path, KIOSK_CE_SELECTED, KIND_ARRAY, FALSE);
  if (selected == NULL)
    return;

  n = kiosk_json_get_length (selected);
  if (n > KIOSK_SURVEY_MAX_OPTIONS)
    {
      fail (c, "%s" KIOSK_CE_SELECTED ": %u options (at most %d)", path, n,
            KIOSK_SURVEY_MAX_OPTIONS);
      return;
    }

  r->follow_up_selected = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      const KioskJsonValue *option = kiosk_json_array_get (selected, i);
      g_autofree char *name = g_strdup_printf (KIOSK_CE_SELECTED "[%u]", i);

      if (check_kind (c, option, path, name, KIND_STRING, FALSE) == NULL ||
          !check_text (c, option, path, name, 1, KIOSK_EVENT_MAX_ID_CHARS))
        return;
      r->follow_up_selected[i] = g_strdup (kiosk_json_get_string (option));
    }

  outcome = get_string (c, f, path, KIOSK_CE_OUTCOME, FALSE, 0, G_MAXSIZE);
  if (outcome != NULL && !kiosk_outcome_from_string (outcome, &r->follow_up_outcome))
    {
      const char *names[] = {
        kiosk_outcome_to_string (KIOSK_OUTCOME_ANSWERED),
        kiosk_outcome_to_string (KIOSK_OUTCOME_SKIPPED),
        kiosk_outcome_to_string (KIOSK_OUTCOME_TIMEOUT),
        kiosk_outcome_to_string (KIOSK_OUTCOME_INTERRUPTED),
      };

      fail_unlisted (c, path, KIOSK_CE_OUTCOME, outcome, names, G_N_ELEMENTS (names));
      return;
    }

  if (c->reason == NULL)
    r->follow_up_id = g_strdup (id);
}

static void
read_contact (Check                *c,
              const KioskJsonValue *d,
              KioskResponse        *r)
{
  static const char path[] = KIOSK_CE_DATA "." KIOSK_CE_CONTACT ".";
  static const char * const fields[] = { KIOSK_CE_NAME, KIOSK_CE_EMAIL, KIOSK_CE_PHONE };
  char **targets[] = { &r->contact_name, &r->contact_email, &r->contact_phone };
  static const guint limits[] = { KIOSK_CONTACT_MAX_NAME_CHARS, KIOSK_CONTACT_MAX_EMAIL_CHARS,
                                  KIOSK_CONTACT_MAX_PHONE_CHARS };
  const KioskJsonValue *contact = get (c, d, KIOSK_CE_DATA ".", KIOSK_CE_CONTACT, KIND_OBJECT,
                                       TRUE);
  gboolean consent = FALSE;

  if (contact == NULL)
    return;

  if (!get_scalar (c, contact, path, KIOSK_CE_CONSENT, NULL, &consent))
    return;
  if (!consent)
    {
      fail (c, "%s" KIOSK_CE_CONSENT " is false: contact details travel only with the visitor's "
            "consent (send null instead)", path);
      return;
    }

  /* Each detail is optional; when present it is a string. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value;

      if (kiosk_json_object_get (contact, fields[i]) == NULL)
        continue;
      value = get_string (c, contact, path, fields[i], FALSE, 0, limits[i]);
      if (value == NULL)
        return;
      *targets[i] = g_strdup (value);
    }

  r->contact_consent = TRUE;
}

static void
read_clock (Check                *c,
            const KioskJsonValue *d,
            KioskResponse        *r)
{
  static const char path[] = KIOSK_CE_DATA "." KIOSK_CE_CLOCK ".";
  const KioskJsonValue *clock = get (c, d, KIOSK_CE_DATA ".", KIOSK_CE_CLOCK, KIND_OBJECT, FALSE);
  const char *boot_id;
  gint64 monotonic_ms;

  if (clock == NULL)
    return;

  get_scalar (c, clock, path, KIOSK_CE_SYNCED, NULL, &r->time.synced);
  get_scalar (c, clock, path, KIOSK_CE_CORRECTED, NULL, &r->clock_corrected);
  boot_id = get_string (c, clock, path, KIOSK_CE_BOOT_ID, FALSE, 1, KIOSK_EVENT_MAX_ID_CHARS);
  if (!get_scalar (c, clock, path, KIOSK_CE_MONOTONIC_MS, &monotonic_ms, NULL))
    return;
  if (monotonic_ms < 0)
    {
      fail (c, "%s" KIOSK_CE_MONOTONIC_MS ": %" G_GINT64_FORMAT " is negative", path,
            monotonic_ms);
      return;
    }
  if (monotonic_ms > G_MAXINT64 / 1000)
    {
      fail (c, "%s" KIOSK_CE_MONOTONIC_MS ": %" G_GINT64_FORMAT " is too large", path,
            monotonic_ms);
      return;
    }

  r->boot_id = g_strdup (boot_id);
  r->time.monotonic_us = monotonic_ms * 1000;
}

static void
read_data (Check                *c,
           const KioskJsonValue *d,
           const char           *subject,
           KioskResponse        *r)
{
  static const char path[] = KIOSK_CE_DATA ".";
  const char *survey_id, *input, *language, *misuse_rule, *comment, *local_time;
  gint64 seq = 0, version = 0, scale = 0, face = 0;
  gint64 local_wall_us = 0;

  if (get_scalar (c, d, path, KIOSK_CE_SEQ, &seq, NULL) && seq < 1)
    fail (c, "%s" KIOSK_CE_SEQ ": %" G_GINT64_FORMAT " is less than 1", path, seq);
  r->seq = seq;

  survey_id = get_string (c, d, path, KIOSK_CE_SURVEY_ID, FALSE, 1, KIOSK_EVENT_MAX_ID_CHARS);
  if (survey_id != NULL && g_strcmp0 (survey_id, subject) != 0)
    {
      g_autofree char *quoted_subject = quote (subject);
      g_autofree char *quoted_id = quote (survey_id);

      fail (c, KIOSK_CE_SUBJECT " “%s” is not the survey id of " KIOSK_CE_DATA "."
            KIOSK_CE_SURVEY_ID " “%s”", quoted_subject, quoted_id);
    }
  r->survey_id = g_strdup (survey_id);

  if (get_scalar (c, d, path, KIOSK_CE_SURVEY_VERSION, &version, NULL) &&
      (version < 1 || version > G_MAXINT))
    fail (c, "%s" KIOSK_CE_SURVEY_VERSION ": %" G_GINT64_FORMAT " is not a survey version "
          "(1 to %d)", path, version, G_MAXINT);
  r->survey_version = (int) CLAMP (version, 0, G_MAXINT);

  if (get_scalar (c, d, path, KIOSK_CE_SCALE, &scale, NULL) &&
      (scale < 2 || scale > KIOSK_MAX_SCALE))
    fail (c, "%s" KIOSK_CE_SCALE ": %" G_GINT64_FORMAT " is not a number of faces from 2 to %d",
          path, scale, KIOSK_MAX_SCALE);
  r->scale = (int) CLAMP (scale, 0, KIOSK_MAX_SCALE);

  if (get_scalar (c, d, path, KIOSK_CE_FACE, &face, NULL) && (face < 0 || face >= scale))
    fail (c, "%s" KIOSK_CE_FACE ": %" G_GINT64_FORMAT " is outside the scale of %" G_GINT64_FORMAT
          " faces", path, face, scale);
  r->face = (int) CLAMP (face, 0, KIOSK_MAX_SCALE);

  input = get_string (c, d, path, KIOSK_CE_INPUT, FALSE, 0, G_MAXSIZE);
  if (input != NULL && !kiosk_input_from_string (input, &r->input))
    {
      const char *names[] = {
        kiosk_input_to_string (KIOSK_INPUT_TOUCH),
        kiosk_input_to_string (KIOSK_INPUT_BUTTON),
        kiosk_input_to_string (KIOSK_INPUT_KEYBOARD),
      };

      fail_unlisted (c, path, KIOSK_CE_INPUT, input, names, G_N_ELEMENTS (names));
    }

  language = get_string (c, d, path, KIOSK_CE_LANGUAGE, FALSE, 1, KIOSK_EVENT_MAX_LANGUAGE_CHARS);
  if (language != NULL && !kiosk_language_tag_is_valid (language))
    {
      g_autofree char *quoted = quote (language);

      fail (c, "%s" KIOSK_CE_LANGUAGE " “%s” is not a BCP 47 language tag (like en or de-CH)",
            path, quoted);
    }
  r->language = g_strdup (language);

  /* A rule is named exactly when one matched. */
  get_scalar (c, d, path, KIOSK_CE_MISUSE, NULL, &r->misuse);
  misuse_rule = get_string (c, d, path, KIOSK_CE_MISUSE_RULE, TRUE, 1, KIOSK_EVENT_MAX_ID_CHARS);
  if (c->reason == NULL && r->misuse && misuse_rule == NULL)
    fail (c, "%s" KIOSK_CE_MISUSE " is true but %s" KIOSK_CE_MISUSE_RULE " is null (it names the "
          "rule that matched)", path, path);
  if (c->reason == NULL && !r->misuse && misuse_rule != NULL)
    {
      g_autofree char *quoted = quote (misuse_rule);

      fail (c, "%s" KIOSK_CE_MISUSE_RULE " is “%s” but %s" KIOSK_CE_MISUSE " is false", path,
            quoted, path);
    }
  r->misuse_rule = g_strdup (misuse_rule);

  read_follow_up (c, d, r);

  comment = get_string (c, d, path, KIOSK_CE_COMMENT, TRUE, 0, KIOSK_EVENT_MAX_COMMENT_CHARS);
  r->comment = g_strdup (comment);

  read_contact (c, d, r);

  local_time = get_string (c, d, path, KIOSK_CE_LOCAL_TIME, FALSE, 0, G_MAXSIZE);
  if (local_time != NULL)
    {
      /* quoted only for a reason: this runs for every event */
      g_autofree char *quoted = NULL;

      if (!parse_rfc3339_ms (local_time, &local_wall_us, &r->time.utc_offset_s))
        fail (c, "%s" KIOSK_CE_LOCAL_TIME " “%s” is not an RFC 3339 time with milliseconds "
              "(like 2026-03-14T16:10:52.583+01:00)", path, (quoted = quote (local_time)));
      else if (local_wall_us != r->time.wall_us)
        fail (c, "%s" KIOSK_CE_LOCAL_TIME " “%s” is not the same instant as " KIOSK_CE_TIME,
              path, (quoted = quote (local_time)));
    }

  read_clock (c, d, r);
}

/* The envelope's member @name, which has exactly one right value: @expected. */
static void
expect_string (Check                *c,
               const KioskJsonValue *e,
               const char           *name,
               const char           *expected)
{
  const char *value = get_string (c, e, "", name, FALSE, 0, G_MAXSIZE);

  if (value != NULL && !g_str_equal (value, expected))
    {
      g_autofree char *quoted = quote (value);

      fail (c, "%s “%s” is not %s", name, quoted, expected);
    }
}

/* @e is an object with a string id: the batch has already checked that much. */
static void
read_event (const KioskJsonValue *e,
            KioskDecodedEvent    *event)
{
  g_autoptr(KioskResponse) r = kiosk_response_new ();
  Check c = { NULL };
  const char *source, *time, *subject;
  gint32 time_offset_s;
  const KioskJsonValue *data;

  /* The source as sent, whatever else is wrong: the server may want to log who sent it. */
  data = kiosk_json_object_get (e, KIOSK_CE_SOURCE);
  if (data != NULL && node_is (data, KIND_STRING) && !data->bad_text)
    event->source = g_strdup (kiosk_json_get_string (data));

  expect_string (&c, e, KIOSK_CE_SPECVERSION, KIOSK_CE_SPECVERSION_VALUE);
  expect_string (&c, e, KIOSK_CE_TYPE, KIOSK_CLOUDEVENT_TYPE);

  if (c.reason == NULL && !g_uuid_string_is_valid (event->id))
    {
      g_autofree char *quoted = quote (event->id);

      fail (&c, KIOSK_CE_ID " “%s” is not a UUID", quoted);
    }

  source = get_string (&c, e, "", KIOSK_CE_SOURCE, FALSE, 0, G_MAXSIZE);
  if (source != NULL)
    {
      const char *device_id = source + strlen (KIOSK_CLOUDEVENT_SOURCE_PREFIX);
      /* quoted only for a reason: this runs for every event */
      g_autofree char *quoted = NULL;

      if (!g_str_has_prefix (source, KIOSK_CLOUDEVENT_SOURCE_PREFIX))
        fail (&c, KIOSK_CE_SOURCE " “%s” is not " KIOSK_CLOUDEVENT_SOURCE_PREFIX "<device id>",
              (quoted = quote (source)));
      else if (!kiosk_device_id_is_valid (device_id))
        fail (&c, KIOSK_CE_SOURCE " “%s” does not end in a device id (1 to %d letters, digits, "
              "“.”, “_” or “-”)", (quoted = quote (source)), KIOSK_DEVICE_ID_MAX_CHARS);
      else
        event->device_id = g_strdup (device_id);
    }

  time = get_string (&c, e, "", KIOSK_CE_TIME, FALSE, 0, G_MAXSIZE);
  if (time != NULL && !parse_rfc3339_ms (time, &r->time.wall_us, &time_offset_s))
    {
      g_autofree char *quoted = quote (time);

      fail (&c, KIOSK_CE_TIME " “%s” is not an RFC 3339 time with milliseconds "
            "(like 2026-03-14T15:10:52.583Z)", quoted);
    }

  expect_string (&c, e, KIOSK_CE_DATACONTENTTYPE, KIOSK_CLOUDEVENT_DATA_TYPE);

  subject = get_string (&c, e, "", KIOSK_CE_SUBJECT, FALSE, 1, KIOSK_EVENT_MAX_ID_CHARS);

  data = get (&c, e, "", KIOSK_CE_DATA, KIND_OBJECT, FALSE);
  if (data != NULL)
    read_data (&c, data, subject, r);

  if (c.reason != NULL)
    {
      event->reason = c.reason;
      g_clear_pointer (&event->device_id, g_free);
      return;
    }

  r->uuid = g_strdup (event->id);
  r->visit_open = FALSE;
  event->response = g_steal_pointer (&r);
}

/* The batch */

/* Sets @error and returns NULL: the batch's and gzip's refusals alike. */
gpointer
_kiosk_ce_refuse (GError    **error,
                  int         code,
                  const char *format,
                  ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (KIOSK_CLOUDEVENTS_ERROR, code, format, args));
  va_end (args);
  return NULL;
}

/**
 * kiosk_cloudevents_parse_batch:
 * @body: the batch, decompressed (not necessarily NUL-terminated)
 *
 * Events and bytes are counted from 1 in the messages: "event 3" is the third.
 *
 * Returns: (transfer full) (element-type KioskDecodedEvent): the events in order, or %NULL
 */
GPtrArray *
kiosk_cloudevents_parse_batch (const char  *body,
                               gsize        length,
                               GError     **error)
{
  g_autoptr(KioskJson) json = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) seen = NULL;
  const char *nul, *end;
  const KioskJsonValue *root;
  guint n;

  if (length > KIOSK_CLOUDEVENTS_MAX_BYTES)
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE,
                             "a batch of %zu bytes (at most %d)", length,
                             KIOSK_CLOUDEVENTS_MAX_BYTES);
  if (body == NULL || length == 0)
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                             "the body is empty (expected a JSON array of events)");

  nul = memchr (body, '\0', length);
  if (nul != NULL)
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                             "the body holds a NUL byte (byte %zu)", (gsize) (nul - body) + 1);

  /* One pass for a good body: the parser checks UTF-8 and depth as it goes. A bad one is then
   * judged in the order the messages promise: UTF-8 anywhere, then depth, then the syntax. */
  json = kiosk_json_parse (body, length, KIOSK_CE_MAX_DEPTH, &json_error);
  if (json == NULL)
    {
      g_autofree char *why = NULL;

      if (!g_utf8_validate_len (body, length, &end))
        return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                 "the body is not valid UTF-8 (byte %zu)",
                                 (gsize) (end - body) + 1);
      if (!_kiosk_json_depth_is_sane (body, length, KIOSK_CE_MAX_DEPTH) ||
          g_error_matches (json_error, KIOSK_JSON_ERROR, KIOSK_JSON_ERROR_DEPTH))
        return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                 "the JSON is nested deeper than %d levels", KIOSK_CE_MAX_DEPTH);

      why = kiosk_printable_excerpt (json_error->message, -1, 200);
      return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH, "the body is not JSON: %s",
                               why);
    }

  root = kiosk_json_get_root (json);
  if (root == NULL)
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                             "the body is not a JSON array (it holds only white space)");
  if (!node_is (root, KIND_ARRAY))
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                             "the body is not a JSON array (it is %s)", describe (root));

  n = kiosk_json_get_length (root);
  if (n == 0)
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH, "the batch is empty");
  if (n > KIOSK_CLOUDEVENTS_MAX_EVENTS)
    return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_TOO_LARGE, "%u events (at most %d)", n,
                             KIOSK_CLOUDEVENTS_MAX_EVENTS);

  events = g_ptr_array_new_full (n, (GDestroyNotify) kiosk_decoded_event_free);
  seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      const KioskJsonValue *node = kiosk_json_array_get (root, i);
      const KioskJsonValue *id_node;
      KioskDecodedEvent *event;
      const char *id;
      gpointer before;
      glong id_chars;

      if (!node_is (node, KIND_OBJECT))
        return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                 "event %u is not an object (it is %s)", i + 1, describe (node));

      /* Without an id the reply cannot name the event, and it must name every one. */
      id_node = kiosk_json_object_get (node, KIOSK_CE_ID);
      if (id_node == NULL || !node_is (id_node, KIND_STRING))
        return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                 "event %u has no string “" KIOSK_CE_ID "”", i + 1);
      id = kiosk_json_get_string (id_node);
      if (id_node->bad_text)
        return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                 "event %u has an “" KIOSK_CE_ID "” that is not valid UTF-8",
                                 i + 1);

      /* The reply repeats every id: a longer one is no id of this protocol's. */
      id_chars = g_utf8_strlen (id, id_node->size);
      if (id_chars > KIOSK_EVENT_MAX_ID_CHARS)
        return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                 "event %u has an “" KIOSK_CE_ID "” of %ld characters (at most %d)",
                                 i + 1, id_chars, KIOSK_EVENT_MAX_ID_CHARS);

      if (g_hash_table_lookup_extended (seen, id, NULL, &before))
        {
          g_autofree char *quoted = quote (id);

          return _kiosk_ce_refuse (error, KIOSK_CLOUDEVENTS_ERROR_BAD_BATCH,
                                   "event id “%s” appears twice (events %u and %u)", quoted,
                                   GPOINTER_TO_UINT (before) + 1, i + 1);
        }
      g_hash_table_insert (seen, (gpointer) id, GUINT_TO_POINTER (i));

      event = g_new0 (KioskDecodedEvent, 1);
      event->id = g_strdup (id);
      read_event (node, event);
      g_ptr_array_add (events, event);
    }

  return g_steal_pointer (&events);
}

/* gzip */

/* kiosk-dash-i18n.c: the dashboard in its reader's language. One server process answers many
 * languages at once from many threads, so the process-wide gettext (setlocale, LANGUAGE) cannot
 * choose per request: the compiled catalogues (the same smiley-kiosk.mo files the kiosk uses)
 * are read here, once per language, into a table each. */
#define G_LOG_DOMAIN "kiosk-dash"

#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "kiosk-dash-server.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U

/* po/LINGUAS, from the build (src/server/meson.build). */
static const char linguas[] = KIOSK_DASH_LINGUAS;

typedef struct
{
  GBytes     *data;
  GHashTable *strings;   /* NULL when the language has no catalogue: the msgids are English */
} Catalog;

static GMutex catalogs_lock;
static GHashTable *catalogs;   /* language → Catalog, never freed: a handful per process */

static guint32
read_u32 (const guint8 *data,
          gsize         offset,
          gboolean      swapped)
{
  guint32 value;

  memcpy (&value, data + offset, sizeof value);
  return swapped ? GUINT32_SWAP_LE_BE (value) : value;
}

GHashTable *
kiosk_dash_mo_parse (GBytes  *bytes,
                     GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autoptr(GHashTable) strings = g_hash_table_new (g_str_hash, g_str_equal);
  guint32 magic, revision, n, originals, translations;
  gboolean swapped;

  if (size < 20)
    goto bad;
  memcpy (&magic, data, sizeof magic);
  if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
    goto bad;
  swapped = magic == MO_MAGIC_SWAPPED;
  revision = read_u32 (data, 4, swapped);
  n = read_u32 (data, 8, swapped);
  originals = read_u32 (data, 12, swapped);
  translations = read_u32 (data, 16, swapped);
  if ((revision >> 16) > 1 || n > size / 16 ||
      originals > size || (guint64) originals + (guint64) n * 8 > size ||
      translations > size || (guint64) translations + (guint64) n * 8 > size)
    goto bad;

  for (guint32 i = 0; i < n; i++)
    {
      guint32 id_length = read_u32 (data, originals + 8 * i, swapped);
      guint32 id_offset = read_u32 (data, originals + 8 * i + 4, swapped);
      guint32 str_length = read_u32 (data, translations + 8 * i, swapped);
      guint32 str_offset = read_u32 (data, translations + 8 * i + 4, swapped);

      /* Each string is followed by a NUL, inside the file. */
      if ((guint64) id_offset + id_length >= size || data[id_offset + id_length] != '\0' ||
          (guint64) str_offset + str_length >= size || data[str_offset + str_length] != '\0')
        goto bad;
      /* The header (empty msgid) and untranslated entries are left out. */
      if (id_length == 0 || str_length == 0 || data[str_offset] == '\0')
        continue;
      /* A plural entry's msgid and msgstr hold several strings; the first of each is used. */
      g_hash_table_insert (strings, (char *) data + id_offset, (char *) data + str_offset);
    }
  return g_steal_pointer (&strings);

bad:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "not a GNU gettext .mo file (bad magic number, version or offsets)");
  return NULL;
}

static const char *
locale_dir (void)
{
  const char *dir = g_getenv ("SMILEY_KIOSK_LOCALEDIR");

  return dir && *dir ? dir : LOCALEDIR;
}

static Catalog *
catalog_load (const char *language)
{
  Catalog *catalog = g_new0 (Catalog, 1);
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (strcmp (language, "en") == 0)
    return catalog;
  path = g_build_filename (locale_dir (), language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  file = g_mapped_file_new (path, FALSE, &error);
  if (file != NULL)
    {
      catalog->data = g_mapped_file_get_bytes (file);
      catalog->strings = kiosk_dash_mo_parse (catalog->data, &error);
    }
  if (catalog->strings == NULL)
    g_warning ("the dashboard speaks English instead of “%s”: %s: %s", language, path,
               error->message);
  return catalog;
}

const char *
kiosk_dash_translate (const char *language,
                      const char *msgid)
{
  Catalog *catalog;
  const char *translated;

  if (language == NULL || msgid == NULL || *msgid == '\0')
    return msgid;

  /* Loaded on first use under the lock; a catalogue never changes afterwards, so reading it
   * outside the lock is safe. */
  g_mutex_lock (&catalogs_lock);
  if (catalogs == NULL)
    catalogs = g_hash_table_new (g_str_hash, g_str_equal);
  catalog = g_hash_table_lookup (catalogs, language);
  if (catalog == NULL)
    {
      catalog = catalog_load (language);
      g_hash_table_insert (catalogs, g_strdup (language), catalog);
    }
  g_mutex_unlock (&catalogs_lock);

  translated = catalog->strings ? g_hash_table_lookup (catalog->strings, msgid) : NULL;
  return translated ? translated : msgid;
}

const char *
kiosk_dash_gettext (const KioskDashRequest *request,
                    const char             *msgid)
{
  return kiosk_dash_translate (request ? request->language : NULL, msgid);
}

/* Language choice */

const char * const *
kiosk_dash_languages (void)
{
  static char **known;
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autofree char *all = g_strconcat ("en ", linguas, NULL);
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (all), " \n", -1);
      GPtrArray *codes = g_ptr_array_new ();

      /* Without the empty words of a double space. */
      for (guint i = 0; words[i]; i++)
        if (*words[i])
          g_ptr_array_add (codes, g_strdup (words[i]));
      g_ptr_array_add (codes, NULL);
      known = (char **) g_ptr_array_free (codes, FALSE);
      g_once_init_leave (&done, 1);
    }
  return (const char * const *) known;
}

const char *
kiosk_dash_language_lookup (const char *language)
{
  const char * const *known = kiosk_dash_languages ();

  if (language == NULL)
    return NULL;
  for (guint i = 0; known[i]; i++)
    if (g_ascii_strcasecmp (known[i], language) == 0)
      return known[i];
  return NULL;
}

const char *
kiosk_dash_negotiate_language (const char *accept_language)
{
  g_auto(GStrv) ranges = NULL;
  const char *best = NULL;
  double best_q = 0;

  if (accept_language == NULL)
    return "en";
  ranges = g_strsplit (accept_language, ",", 32);
  for (guint i = 0; ranges[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (ranges[i], ";", 8);
      g_autofree char *primary = NULL;
      const char *tag;
      const char *found;
      double q = 1;

      /* "de," or "de,,fr": an empty range splits into no parts at all. */
      if (parts[0] == NULL)
        continue;
      tag = g_strstrip (parts[0]);
      for (guint p = 1; parts[p]; p++)
        {
          const char *param = g_strstrip (parts[p]);

          if (g_ascii_strncasecmp (param, "q=", 2) == 0)
            {
              char *end = NULL;

              q = g_ascii_strtod (param + 2, &end);
              if (end == param + 2 || *end != '\0' || !(q >= 0 && q <= 1))
                q = 0;
            }
        }
      /* "de-AT" is served German; the dashboard's texts have no regional variants. */
      primary = g_strndup (tag, strcspn (tag, "-_"));
      found = kiosk_dash_language_lookup (primary);
      if (found != NULL && q > best_q)
        {
          best = found;
          best_q = q;
        }
    }
  return best ? best : "en";
}

/* Numbers and dates: in a language, for what has no request (a report, its mail); the
 * request's versions of kiosk-dash.h read the request's language. */

/* Translation in this function's @language (xgettext keyword DL_). */
#define DL_(msgid) kiosk_dash_translate (language, (msgid))

static const char *
group_separator (const char *language)
{
  if (language == NULL)
    language = "en";
  /* As CLDR groups thousands in each language the dashboard speaks. */
  if (g_strv_contains ((const char * const []) { "de", "es", "it", "nl", "tr", NULL }, language))
    return ".";
  if (g_strv_contains ((const char * const []) { "fi", "fr", "pl", "ru", "sv", NULL }, language))
    return "\u00a0";   /* a no-break space */
  return ",";
}

char *
kiosk_dash_language_format_count (const char *language,
                                  guint64     count)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
  const char *separator = group_separator (language);
  GString *out = g_string_new (NULL);
  gsize n = strlen (digits);

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

char *
kiosk_dash_language_format_index (const char *language,
                                  double      happy_index)
{
  double rounded;

  if (isnan (happy_index))
    return g_strdup ("–");
  rounded = round (happy_index);
  if (rounded < 0)
    {
      g_autofree char *magnitude = kiosk_dash_language_format_count (language,
                                                                     (guint64) -rounded);

      return g_strconcat ("−", magnitude, NULL);
    }
  return kiosk_dash_language_format_count (language, (guint64) rounded);
}

char *
kiosk_dash_language_format_percent (const char *language,
                                    double      fraction)
{
  g_autofree char *number = NULL;

  if (isnan (fraction))
    return g_strdup ("–");
  number = kiosk_dash_language_format_index (language, fraction * 100);
  if (language == NULL || strcmp (language, "en") == 0)
    return g_strconcat (number, "%", NULL);
  return g_strconcat (number, "\u00a0%", NULL);
}

char *
kiosk_dash_language_format_date (const char  *language,
                                 const GDate *date)
{
  g_autoptr(GDateTime) time = NULL;

  if (date == NULL || !g_date_valid (date))
    return g_strdup ("–");
  time = g_date_time_new_utc (g_date_get_year (date), g_date_get_month (date),
                              g_date_get_day (date), 0, 0, 0);
  /* TRANSLATORS: a date on the dashboard, in g_date_time_format()'s notation: %Y year, %m
   * month, %d day (%-d without a leading zero). E.g. "%d.%m.%Y" or "%d/%m/%Y". */
  return g_date_time_format (time, DL_("%Y-%m-%d"));
}

static GMutex zones_lock;
static GHashTable *zones;   /* identifier → GTimeZone, NULL for unknown; never freed */

/* @identifier's zone, NULL when unknown. GLib keeps a zone parsed only while it is referenced:
 * a new one for each time re-read and parsed its zoneinfo file, 700 times for the fleet page
 * (the sites' opening hours, which held the zones, are freed by then). Kept here for the
 * process: a few dozen zones at most. */
static GTimeZone *
time_zone_lookup (const char *identifier)
{
  GTimeZone *zone = NULL;

  if (identifier == NULL)
    return NULL;
  g_mutex_lock (&zones_lock);
  if (zones == NULL)
    zones = g_hash_table_new (g_str_hash, g_str_equal);
  if (!g_hash_table_lookup_extended (zones, identifier, NULL, (gpointer *) &zone))
    {
      zone = g_time_zone_new_identifier (identifier);
      g_hash_table_insert (zones, g_strdup (identifier), zone);
    }
  if (zone != NULL)
    g_time_zone_ref (zone);
  g_mutex_unlock (&zones_lock);
  return zone;
}

char *
kiosk_dash_language_format_time (const char *language,
                                 gint64      unix_us,
                                 const char *time_zone)
{
  g_autoptr(GTimeZone) zone = time_zone_lookup (time_zone);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("–");
  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  local = g_date_time_to_timezone (utc, zone);
  /* TRANSLATORS: a date and time on the dashboard, in g_date_time_format()'s notation: %Y year,
   * %m month, %d day, %H hours (00–23), %M minutes. E.g. "%d.%m.%Y %H:%M". */
  return g_date_time_format (local, DL_("%Y-%m-%d %H:%M"));
}

const char *
kiosk_dash_language_weekday_name (const char  *language,
                                  GDateWeekday weekday,
                                  gboolean     abbreviated)
{
  static const char * const names[] = {
    DN_("Monday"), DN_("Tuesday"), DN_("Wednesday"), DN_("Thursday"), DN_("Friday"),
    DN_("Saturday"), DN_("Sunday"),
  };
  /* TRANSLATORS: abbreviated weekday names, for a chart's axis and narrow tables. */
  static const char * const short_names[] = {
    DN_("Mon"), DN_("Tue"), DN_("Wed"), DN_("Thu"), DN_("Fri"), DN_("Sat"), DN_("Sun"),
  };

  if (weekday < G_DATE_MONDAY || weekday > G_DATE_SUNDAY)
    return "";
  return DL_(abbreviated ? short_names[weekday - 1] : names[weekday - 1]);
}

char *
kiosk_dash_format_count (KioskDashRequest *request,
                         guint64           count)
{
  return kiosk_dash_language_format_count (request->language, count);
}

char *
kiosk_dash_format_index (KioskDashRequest *request,
                         double            happy_index)
{
  return kiosk_dash_language_format_index (request->language, happy_index);
}

char *
kiosk_dash_format_percent (KioskDashRequest *request,
                           double            fraction)
{
  return kiosk_dash_language_format_percent (request->language, fraction);
}

char *
kiosk_dash_format_share (KioskDashRequest *request,
                         guint64           part,
                         guint64           whole)
{
  return kiosk_dash_format_percent (request, whole > 0 ? (double) part / (double) whole : 0);
}

char *
kiosk_dash_format_date (KioskDashRequest *request,
                        const GDate      *date)
{
  return kiosk_dash_language_format_date (request->language, date);
}

char *
kiosk_dash_format_time (KioskDashRequest *request,
                        gint64            unix_us,
                        const char       *time_zone)
{
  return kiosk_dash_language_format_time (request->language, unix_us, time_zone);
}

const char *
kiosk_dash_weekday_name (KioskDashRequest *request,
                         GDateWeekday      weekday,
                         gboolean          abbreviated)
{
  return kiosk_dash_language_weekday_name (request->language, weekday, abbreviated);
}

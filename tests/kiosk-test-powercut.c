/* kiosk-test-powercut.c: a VFS that keeps what a disk would keep when the power goes.
 *
 * It wraps "unix". Every write goes to the real file, so the process sees its own data as usual,
 * and is also remembered as unsynced; xSync applies the unsynced writes of that file to a shadow
 * copy of its durable content (the real fsync is skipped: durability is what the shadow says).
 * When the armed trigger fires (the Nth sync, which then never completes, or the Nth write) the
 * power is cut: later writes still reach the real file for the doomed process but are forgotten.
 * Once the test has closed every connection, kiosk_test_powercut_apply() replaces each real file
 * with its durable shadow plus the unsynced writes as the chosen policy lets them survive (all,
 * none, or sector by sector kept, dropped, zeroed or overwritten with noise) and removes the
 * shared-memory index, as a reboot would. The test then reopens the files with the real VFS. */
#define G_LOG_DOMAIN "kiosk-test-powercut"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "kiosk-test-powercut.h"
#include "kiosk-test-vfs-shim.h"

#define SECTOR_SIZE 512

typedef struct
{
  gint64  offset;
  gint64  truncate_to;  /* -1 for a write */
  GBytes *data;
} Pending;

typedef struct
{
  char       *path;
  GByteArray *durable;
  GArray     *pending;   /* of Pending, oldest first */
  gboolean    deleted;   /* deleted before the cut: gone for good */
} Shadow;

typedef struct
{
  KioskTestShimFile shim;
  Shadow           *shadow;  /* NULL for files without a name (temporary files) */
} CutFile;

static GMutex       lock;
static GHashTable  *shadows;    /* path -> Shadow */
static sqlite3_vfs *real_vfs;
static sqlite3_vfs *previous_default;
static sqlite3_vfs  cut_vfs;
static gboolean     installed;
static gboolean     armed;
static gboolean     cut;
static KioskTestPowercutTrigger trigger;
static guint        trigger_at;
static guint        syncs;
static guint        writes;
static KioskTestPowercutTrigger fired_by;
static gboolean     fired_idle;

#define REAL_FILE(f) KIOSK_TEST_SHIM_REAL (f)

static void
pending_clear (Pending *p)
{
  g_clear_pointer (&p->data, g_bytes_unref);
}

static void
shadow_free (Shadow *shadow)
{
  g_free (shadow->path);
  g_byte_array_unref (shadow->durable);
  g_array_unref (shadow->pending);
  g_free (shadow);
}

static void
shadow_forget (Shadow *shadow)
{
  g_byte_array_set_size (shadow->durable, 0);
  g_array_set_size (shadow->pending, 0);
}

/* Grows @array to @size with zeros. */
static void
grow (GByteArray *array,
      gsize       size)
{
  gsize old = array->len;

  if (size <= old)
    return;
  g_byte_array_set_size (array, size);
  memset (array->data + old, 0, size - old);
}

static void
put (GByteArray   *array,
     gint64        offset,
     const guint8 *data,
     gsize         length)
{
  grow (array, offset + length);
  memcpy (array->data + offset, data, length);
}

static void
fire (KioskTestPowercutTrigger by)
{
  cut = TRUE;
  armed = FALSE;
  fired_by = by;
}

static int
cut_write (sqlite3_file *file,
           const void   *buf,
           int           amount,
           sqlite3_int64 offset)
{
  Shadow *shadow = ((CutFile *) file)->shadow;

  g_mutex_lock (&lock);
  writes++;
  if (shadow != NULL && !cut)
    {
      Pending p = { offset, -1, g_bytes_new (buf, amount) };

      /* The write in flight when the power goes may land, partly or not at all. */
      g_array_append_val (shadow->pending, p);
      if (armed && trigger == KIOSK_TEST_POWERCUT_AT_WRITE && --trigger_at == 0)
        fire (KIOSK_TEST_POWERCUT_AT_WRITE);
    }
  g_mutex_unlock (&lock);

  return REAL_FILE (file)->pMethods->xWrite (REAL_FILE (file), buf, amount, offset);
}

static int
cut_truncate (sqlite3_file *file,
              sqlite3_int64 size)
{
  Shadow *shadow = ((CutFile *) file)->shadow;

  g_mutex_lock (&lock);
  if (shadow != NULL && !cut)
    {
      Pending p = { 0, size, NULL };

      g_array_append_val (shadow->pending, p);
    }
  g_mutex_unlock (&lock);

  return REAL_FILE (file)->pMethods->xTruncate (REAL_FILE (file), size);
}

static int
cut_sync (sqlite3_file *file,
          int           flags)
{
  Shadow *shadow = ((CutFile *) file)->shadow;

  g_mutex_lock (&lock);
  syncs++;
  if (shadow != NULL && !cut)
    {
      if (armed && trigger == KIOSK_TEST_POWERCUT_AT_SYNC && --trigger_at == 0)
        {
          /* This sync never completes: what it would have made durable stays unsynced. */
          fire (KIOSK_TEST_POWERCUT_AT_SYNC);
        }
      else
        {
          for (guint i = 0; i < shadow->pending->len; i++)
            {
              Pending *p = &g_array_index (shadow->pending, Pending, i);

              if (p->data == NULL)
                g_byte_array_set_size (shadow->durable, MIN (shadow->durable->len,
                                                             (guint) p->truncate_to));
              else
                put (shadow->durable, p->offset, g_bytes_get_data (p->data, NULL),
                     g_bytes_get_size (p->data));
            }
          g_array_set_size (shadow->pending, 0);
        }
    }
  g_mutex_unlock (&lock);

  /* No real fsync: the shadow is what is durable, and the test runs much faster without. */
  return SQLITE_OK;
}

/* Memory-mapped reads would bypass nothing we track, but keep it simple: no mmap. */
static int
cut_fetch (sqlite3_file  *file,
           sqlite3_int64  offset,
           int            amount,
           void         **out)
{
  *out = NULL;
  return SQLITE_OK;
}

static int
cut_unfetch (sqlite3_file  *file,
             sqlite3_int64  offset,
             void          *page)
{
  return SQLITE_OK;
}

static sqlite3_io_methods cut_io_methods;

/* The first time a path is opened its content on disk is taken as durable. */
static Shadow *
shadow_for (const char *path)
{
  Shadow *shadow = g_hash_table_lookup (shadows, path);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (shadow != NULL)
    {
      shadow->deleted = FALSE;
      return shadow;
    }

  shadow = g_new0 (Shadow, 1);
  shadow->path = g_strdup (path);
  shadow->durable = g_byte_array_new ();
  shadow->pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  g_array_set_clear_func (shadow->pending, (GDestroyNotify) pending_clear);
  if (g_file_get_contents (path, &contents, &length, NULL))
    g_byte_array_append (shadow->durable, (const guint8 *) contents, length);
  g_hash_table_insert (shadows, shadow->path, shadow);

  return shadow;
}

static int
cut_open (sqlite3_vfs  *vfs,
          const char   *name,
          sqlite3_file *file,
          int           flags,
          int          *out_flags)
{
  CutFile *cf = (CutFile *) file;

  cf->shadow = NULL;
  if (name != NULL && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)))
    {
      g_mutex_lock (&lock);
      cf->shadow = shadow_for (name);
      g_mutex_unlock (&lock);
    }

  return kiosk_test_shim_open_real (vfs, name, file, sizeof (CutFile), flags, out_flags,
                                    &cut_io_methods);
}

static int
cut_delete (sqlite3_vfs *vfs,
            const char  *name,
            int          sync_dir)
{
  g_mutex_lock (&lock);
  if (!cut)
    {
      Shadow *shadow = g_hash_table_lookup (shadows, name);

      /* The directory is synced: the file is gone. After the cut that never happened. */
      if (shadow != NULL)
        {
          shadow_forget (shadow);
          shadow->deleted = TRUE;
        }
    }
  g_mutex_unlock (&lock);

  return real_vfs->xDelete (real_vfs, name, 0);
}

/**
 * kiosk_test_powercut_install:
 *
 * Registers "kiosk-test-powercut" as the default VFS: every connection opened from now on goes
 * through it. Nothing is armed.
 */
void
kiosk_test_powercut_install (void)
{
  int rc;

  if (installed)
    return;

  previous_default = sqlite3_vfs_find (NULL);
  real_vfs = sqlite3_vfs_find ("unix");
  g_assert_nonnull (real_vfs);
  g_assert_cmpint (real_vfs->iVersion, >=, 2);

  kiosk_test_shim_init_vfs (&cut_vfs, 2, real_vfs, KIOSK_TEST_POWERCUT_VFS_NAME, sizeof (CutFile),
                            cut_open);
  cut_vfs.xDelete = cut_delete;
  kiosk_test_shim_init_io_methods (&cut_io_methods);
  cut_io_methods.xWrite = cut_write;
  cut_io_methods.xTruncate = cut_truncate;
  cut_io_methods.xSync = cut_sync;
  cut_io_methods.xFetch = cut_fetch;
  cut_io_methods.xUnfetch = cut_unfetch;

  shadows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) shadow_free);
  armed = cut = FALSE;

  rc = sqlite3_vfs_register (&cut_vfs, 1);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  installed = TRUE;
}

/* Makes the previous default VFS the default again. Close every connection first. */
void
kiosk_test_powercut_uninstall (void)
{
  if (!installed)
    return;

  sqlite3_vfs_register (previous_default, 1);
  sqlite3_vfs_unregister (&cut_vfs);
  g_clear_pointer (&shadows, g_hash_table_unref);
  installed = FALSE;
}

/**
 * kiosk_test_powercut_arm:
 * @trigger: count syncs or writes
 * @n: the power goes at the @n-th one from now (1 for the next)
 */
void
kiosk_test_powercut_arm (KioskTestPowercutTrigger trigger_,
                         guint                    n)
{
  g_return_if_fail (n > 0);

  g_mutex_lock (&lock);
  armed = TRUE;
  cut = FALSE;
  fired_idle = FALSE;
  trigger = trigger_;
  trigger_at = n;
  g_mutex_unlock (&lock);
}

/* Whether the power has gone: nothing the process did since then counts. */
gboolean
kiosk_test_powercut_has_cut (void)
{
  gboolean result;

  g_mutex_lock (&lock);
  result = cut;
  g_mutex_unlock (&lock);

  return result;
}

/* Cuts the power now, if the trigger has not fired yet. */
void
kiosk_test_powercut_cut_now (void)
{
  g_mutex_lock (&lock);
  if (!cut)
    {
      fire (trigger);
      fired_idle = TRUE;
    }
  g_mutex_unlock (&lock);
}

guint
kiosk_test_powercut_get_syncs (void)
{
  return syncs;
}

guint
kiosk_test_powercut_get_writes (void)
{
  return writes;
}

/* One sector-sized piece (or less, at the ends of a write) of an unsynced write. */
static void
land_piece (GByteArray              *file,
            gint64                   offset,
            const guint8            *data,
            gsize                    length,
            KioskTestPowercutPolicy  policy,
            KioskTestPowercutStats  *stats)
{
  int fate = policy == KIOSK_TEST_POWERCUT_KEEP ? 0
           : policy == KIOSK_TEST_POWERCUT_DROP ? 1
           : g_test_rand_int_range (0, 4);

  switch (fate)
    {
    case 0:
      put (file, offset, data, length);
      stats->sectors_kept++;
      break;
    case 1:
      stats->sectors_dropped++;
      break;
    case 2:
      {
        g_autofree guint8 *zeros = g_malloc0 (length);

        put (file, offset, zeros, length);
        stats->sectors_zeroed++;
      }
      break;
    default:
      {
        g_autofree guint8 *noise = g_malloc (length);

        for (gsize i = 0; i < length; i++)
          noise[i] = g_test_rand_int_range (0, 256);
        put (file, offset, noise, length);
        stats->sectors_noise++;
      }
      break;
    }
}

static void
apply_one (Shadow                  *shadow,
           KioskTestPowercutPolicy  policy,
           KioskTestPowercutStats  *stats)
{
  g_autoptr(GByteArray) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shm = g_strconcat (shadow->path, "-shm", NULL);

  /* Shared memory does not survive a reboot. */
  g_unlink (shm);

  if (shadow->deleted)
    {
      g_unlink (shadow->path);
      return;
    }

  file = g_byte_array_sized_new (shadow->durable->len);
  g_byte_array_append (file, shadow->durable->data, shadow->durable->len);

  for (guint i = 0; i < shadow->pending->len; i++)
    {
      Pending *p = &g_array_index (shadow->pending, Pending, i);
      const guint8 *data;
      gsize length, done = 0;

      if (p->data == NULL)
        {
          gboolean keep = policy == KIOSK_TEST_POWERCUT_KEEP
                          || (policy == KIOSK_TEST_POWERCUT_GARBLE && g_test_rand_bit ());

          if (keep)
            g_byte_array_set_size (file, MIN (file->len, (guint) p->truncate_to));
          if (keep)
            stats->truncates_kept++;
          else
            stats->truncates_dropped++;
          continue;
        }

      stats->unsynced_writes++;
      data = g_bytes_get_data (p->data, &length);
      while (done < length)
        {
          gint64 at = p->offset + done;
          gsize piece = MIN (length - done, SECTOR_SIZE - (gsize) (at % SECTOR_SIZE));

          land_piece (file, at, data + done, piece, policy, stats);
          done += piece;
        }
    }

  g_file_set_contents_full (shadow->path, (const char *) file->data, file->len,
                            G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
}

/**
 * kiosk_test_powercut_apply:
 * @policy: what happens to the writes that were not synced when the power went
 * @stats: (inout): counters to add to
 *
 * The reboot: cuts the power if that has not happened yet, then replaces every file opened
 * through this VFS with what survives and forgets them all. Every connection must be closed.
 */
void
kiosk_test_powercut_apply (KioskTestPowercutPolicy  policy,
                           KioskTestPowercutStats  *stats)
{
  GHashTableIter iter;
  Shadow *shadow;

  kiosk_test_powercut_cut_now ();

  g_mutex_lock (&lock);
  stats->cuts++;
  if (fired_idle)
    stats->cuts_idle++;
  else if (fired_by == KIOSK_TEST_POWERCUT_AT_SYNC)
    stats->cuts_at_sync++;
  else
    stats->cuts_at_write++;
  stats->policies[policy]++;

  g_hash_table_iter_init (&iter, shadows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &shadow))
    apply_one (shadow, policy, stats);
  g_hash_table_remove_all (shadows);
  armed = cut = FALSE;
  g_mutex_unlock (&lock);
}

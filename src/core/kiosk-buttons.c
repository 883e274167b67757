/* kiosk-buttons.c: reads the configured button devices with libevdev, in the main loop, without
 * threads or polling: an fd watch per device and an inotify watch on /dev/input for devices that
 * come back after an unplug. Nothing wakes up while nobody presses a button (a few retries of a
 * rescan follow a change in /dev/input that did not bring a missing device back). */
#define G_LOG_DOMAIN "kiosk-buttons"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <libevdev/libevdev.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiosk-buttons.h"

#define INPUT_DIR "/dev/input"

/* udev fixes a new node's permissions a moment after it appears, and a node can answer its
 * ioctls only a moment after that: a rescan that still misses a device after a change in
 * /dev/input is tried again, 250 ms, 0.5 s, 1 s … 16 s later, then the watch waits alone. */
#define RESCAN_DELAY_MS 250
#define RESCAN_RETRIES 7

typedef struct
{
  KioskButtons    *owner;           /* borrowed */
  char            *spec;            /* as configured */
  char            *path;            /* the event node while open */
  dev_t            node_rdev;       /* what @path led to when it was opened: a link that leads */
  ino_t            node_ino;        /* elsewhere now means the device was replaced */
  struct libevdev *evdev;
  int              fd;
  guint            watch;
  gint64           last_press_us[KIOSK_BUTTON_FACES];
  gboolean         reported_missing;
  char            *problem;         /* why it is not in use, for the status */
} KioskButtonDevice;

struct _KioskButtons
{
  GObject       parent_instance;

  /* owned */
  KioskConfig  *config;
  GPtrArray    *devices;            /* KioskButtonDevice*, one per configured spec */
  GFileMonitor *monitor;           /* on /dev/input, or on /dev while /dev/input is gone */
  guint         rescan_source;
  guint         rescan_retries;     /* retries of the rescan since the last change */

  guint         connected;
  guint64       resyncs;
};

enum {
  PROP_0,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  PRESSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KioskButtons, kiosk_buttons, G_TYPE_OBJECT)

static void
set_connected (KioskButtons *self,
               guint         connected)
{
  if (self->connected == connected)
    return;

  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
device_close (KioskButtonDevice *dev)
{
  gboolean was_open = dev->evdev != NULL;

  g_clear_handle_id (&dev->watch, g_source_remove);
  g_clear_pointer (&dev->evdev, libevdev_free);
  if (dev->fd >= 0)
    close (dev->fd);
  dev->fd = -1;
  g_clear_pointer (&dev->path, g_free);

  if (was_open && dev->owner != NULL)
    set_connected (dev->owner, dev->owner->connected - 1);
}

static void
device_free (gpointer data)
{
  KioskButtonDevice *dev = data;

  dev->owner = NULL;
  device_close (dev);
  g_free (dev->spec);
  g_free (dev->problem);
  g_free (dev);
}

static void
set_problem (KioskButtonDevice *dev,
             char              *problem)
{
  g_free (dev->problem);
  dev->problem = problem;
}

static void
kiosk_buttons_dispose (GObject *object)
{
  KioskButtons *self = KIOSK_BUTTONS (object);

  g_clear_handle_id (&self->rescan_source, g_source_remove);
  if (self->monitor)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->devices, g_ptr_array_unref);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (kiosk_buttons_parent_class)->dispose (object);
}

static void
kiosk_buttons_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KioskButtons *self = KIOSK_BUTTONS (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_uint (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_buttons_class_init (KioskButtonsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kiosk_buttons_dispose;
  object_class->get_property = kiosk_buttons_get_property;

  properties[PROP_CONNECTED] =
    g_param_spec_uint ("connected", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KioskButtons::pressed:
   * @face: 0 (most negative) to 3 (most positive)
   */
  signals[PRESSED] =
    g_signal_new ("pressed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
kiosk_buttons_init (KioskButtons *self)
{
}

KioskButtons *
kiosk_buttons_new (KioskConfig *config)
{
  KioskButtons *self;
  const char * const *specs;

  g_return_val_if_fail (KIOSK_IS_CONFIG (config), NULL);

  self = g_object_new (KIOSK_TYPE_BUTTONS, NULL);
  self->config = g_object_ref (config);
  self->devices = g_ptr_array_new_with_free_func (device_free);

  specs = kiosk_config_get_button_devices (config);
  for (guint i = 0; specs[i]; i++)
    {
      KioskButtonDevice *dev = g_new0 (KioskButtonDevice, 1);

      dev->owner = self;
      dev->spec = g_strdup (specs[i]);
      dev->fd = -1;
      g_ptr_array_add (self->devices, dev);
    }

  return self;
}

static void
handle_key (KioskButtonDevice        *dev,
            const struct input_event *ev)
{
  KioskButtons *self = dev->owner;
  gint64 now = g_get_monotonic_time ();
  int face;

  /* Presses only: releases and autorepeat (value 2) are not votes. */
  if (ev->type != EV_KEY || ev->value != 1)
    return;

  face = kiosk_config_get_face_for_key (self->config, ev->code);
  if (face < 0)
    return;

  if (dev->last_press_us[face] != 0 &&
      now - dev->last_press_us[face] < (gint64) kiosk_config_get_button_debounce_ms (self->config) * 1000)
    {
      g_debug ("%s: bounce of %s ignored", dev->path, libevdev_event_code_get_name (EV_KEY, ev->code));
      return;
    }
  dev->last_press_us[face] = now;

  g_signal_emit (self, signals[PRESSED], 0, face);
}

static void device_lost (KioskButtonDevice *dev,
                         const char        *why);

static gboolean
device_readable_cb (int           fd,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  KioskButtonDevice *dev = user_data;
  struct input_event ev;
  int rc;

  do
    {
      rc = libevdev_next_event (dev->evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev);

      if (rc == LIBEVDEV_READ_STATUS_SYNC)
        {
          /* The kernel's buffer overflowed (SYN_DROPPED): libevdev replays the difference
           * between the state we knew and the device's state now. A button that is down now
           * was pressed during the gap and counts once; what went down and up again in the
           * gap is unknowable. */
          dev->owner->resyncs++;
          g_message ("%s: events were dropped (SYN_DROPPED); resynchronising", dev->path);
          while (rc == LIBEVDEV_READ_STATUS_SYNC)
            {
              rc = libevdev_next_event (dev->evdev, LIBEVDEV_READ_FLAG_SYNC, &ev);
              g_debug ("%s: resync: rc %d %s %s %d", dev->path, rc,
                       libevdev_event_type_get_name (ev.type),
                       libevdev_event_code_get_name (ev.type, ev.code), ev.value);
              if (rc == LIBEVDEV_READ_STATUS_SYNC)
                handle_key (dev, &ev);
            }
          continue;
        }

      if (rc == LIBEVDEV_READ_STATUS_SUCCESS)
        handle_key (dev, &ev);
    }
  while (rc == LIBEVDEV_READ_STATUS_SUCCESS || rc == LIBEVDEV_READ_STATUS_SYNC);

  if (rc == -EAGAIN && !(condition & (G_IO_HUP | G_IO_ERR)))
    return G_SOURCE_CONTINUE;

  dev->watch = 0;
  device_lost (dev, rc == -EAGAIN ? "the device hung up" : g_strerror (-rc));
  return G_SOURCE_REMOVE;
}

static gboolean
has_configured_key (KioskButtons    *self,
                    struct libevdev *evdev)
{
  if (!libevdev_has_event_type (evdev, EV_KEY))
    return FALSE;

  for (guint code = 0; code <= KEY_MAX; code++)
    if (libevdev_has_event_code (evdev, EV_KEY, code) &&
        kiosk_config_get_face_for_key (self->config, code) >= 0)
      return TRUE;

  return FALSE;
}

static gboolean
path_in_use (KioskButtons *self,
             const char   *path)
{
  for (guint i = 0; i < self->devices->len; i++)
    {
      KioskButtonDevice *other = g_ptr_array_index (self->devices, i);

      if (g_strcmp0 (other->path, path) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Opens @path for @dev if it is a usable button device. */
static gboolean
device_open_path (KioskButtonDevice *dev,
                  const char        *path,
                  gboolean           quiet)
{
  KioskButtons *self = dev->owner;
  struct libevdev *evdev = NULL;
  struct stat st;
  int fd, rc;

  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      set_problem (dev, g_strdup_printf ("%s: %s%s", path, g_strerror (saved_errno),
                                         saved_errno == EACCES
                                           ? " (the kiosk user needs to be in the group input)"
                                           : ""));
      if (!quiet)
        g_warning ("Button device %s", dev->problem);
      return FALSE;
    }

  rc = libevdev_new_from_fd (fd, &evdev);
  if (rc < 0)
    {
      set_problem (dev, g_strdup_printf ("%s is not an input device: %s", path, g_strerror (-rc)));
      if (!quiet)
        g_warning ("Button device %s", dev->problem);
      close (fd);
      return FALSE;
    }

  if (!has_configured_key (self, evdev))
    {
      set_problem (dev, g_strdup_printf ("%s (“%s”) has none of the configured keys; it is not "
                                         "used", path, libevdev_get_name (evdev)));
      if (!quiet)
        g_warning ("Button device %s", dev->problem);
      libevdev_free (evdev);
      close (fd);
      return FALSE;
    }

  /* Grabbed, the compositor does not also see these keys (and type into nothing). */
  rc = libevdev_grab (evdev, LIBEVDEV_GRAB);
  if (rc < 0)
    g_warning ("Button device %s: cannot grab it (%s); its keys also reach the desktop", path,
               g_strerror (-rc));

  /* By the path, as it will be checked: a node's identity through its descriptor can differ
   * from the one stat() gives, under umockdev for one. */
  if (stat (path, &st) == 0)
    {
      dev->node_rdev = st.st_rdev;
      dev->node_ino = st.st_ino;
    }

  dev->fd = fd;
  dev->evdev = evdev;
  dev->path = g_strdup (path);
  dev->reported_missing = FALSE;
  memset (dev->last_press_us, 0, sizeof dev->last_press_us);
  g_clear_pointer (&dev->problem, g_free);
  dev->watch = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, device_readable_cb, dev);

  g_message ("Buttons: reading %s (“%s”) for %s", path, libevdev_get_name (evdev), dev->spec);
  set_connected (self, self->connected + 1);
  return TRUE;
}

static gboolean
device_try_open (KioskButtonDevice *dev)
{
  KioskButtons *self = dev->owner;
  gboolean quiet = dev->reported_missing;

  if (dev->evdev != NULL)
    return TRUE;

  if (g_str_has_prefix (dev->spec, "name:"))
    {
      const char *wanted = dev->spec + strlen ("name:");
      g_autoptr(GDir) dir = g_dir_open (INPUT_DIR, 0, NULL);
      const char *entry;

      while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *name = NULL;
          struct libevdev *probe = NULL;
          int fd;

          if (!g_str_has_prefix (entry, "event"))
            continue;

          path = g_build_filename (INPUT_DIR, entry, NULL);
          if (path_in_use (self, path))
            continue;

          fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
          if (fd < 0)
            continue;
          if (libevdev_new_from_fd (fd, &probe) == 0)
            {
              name = g_utf8_casefold (libevdev_get_name (probe), -1);
              libevdev_free (probe);
            }
          close (fd);

          if (name != NULL)
            {
              g_autofree char *wanted_folded = g_utf8_casefold (wanted, -1);

              if (strstr (name, wanted_folded) != NULL && device_open_path (dev, path, quiet))
                return TRUE;
            }
        }

      if (dev->problem == NULL || !quiet)
        set_problem (dev, g_strdup_printf ("no input device named like “%s”", wanted));
    }
  else
    {
      /* A /dev/input/by-id/… link is opened as it is: it follows the device to whichever event
       * node the kernel gives it after a replug. */
      if (g_file_test (dev->spec, G_FILE_TEST_EXISTS))
        {
          if (device_open_path (dev, dev->spec, quiet))
            return TRUE;

          /* Said once; a device that is there but unusable is not reported on every change. */
          dev->reported_missing = TRUE;
          return FALSE;
        }

      set_problem (dev, g_strdup_printf ("%s: %s", dev->spec, g_strerror (ENOENT)));
    }

  if (!dev->reported_missing)
    {
      g_warning ("Configured button device %s is missing (%s); waiting for it to be plugged in",
                 dev->spec, dev->problem);
      dev->reported_missing = TRUE;
    }

  return FALSE;
}

/* Whether @dev's path still leads to the node it opened. A path that leads nowhere, or to another
 * node, means the device went: if it came back before this was looked at, a by-id link leads to
 * its new node, or the kernel gave the new node the old one's name, while the old descriptor may
 * not have hung up yet. */
static gboolean
device_node_unchanged (KioskButtonDevice *dev)
{
  struct stat st;

  return stat (dev->path, &st) == 0 && st.st_rdev == dev->node_rdev &&
         st.st_ino == dev->node_ino;
}

/* No rescan from here: /dev/input's events bring it (a device that came back made a node after
 * the removal of its old one), and a device that fails as soon as it is opened is not opened
 * again and again. */
static void
device_lost (KioskButtonDevice *dev,
             const char        *why)
{
  g_warning ("Button device %s (%s) was removed: %s; waiting for it to come back", dev->spec,
             dev->path, why);
  set_problem (dev, g_strdup_printf ("removed: %s", why));
  dev->reported_missing = TRUE;
  device_close (dev);
}

static void
rescan (KioskButtons *self)
{
  for (guint i = 0; i < self->devices->len; i++)
    device_try_open (g_ptr_array_index (self->devices, i));
}

static gboolean
rescan_cb (gpointer user_data)
{
  KioskButtons *self = user_data;

  self->rescan_source = 0;
  rescan (self);

  if (self->connected < self->devices->len && self->rescan_retries < RESCAN_RETRIES)
    {
      self->rescan_retries++;
      self->rescan_source = g_timeout_add (RESCAN_DELAY_MS << self->rescan_retries, rescan_cb,
                                           self);
    }

  return G_SOURCE_REMOVE;
}

static void watch_input_dir (KioskButtons *self);

static void
schedule_rescan (KioskButtons *self)
{
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  self->rescan_retries = 0;
  self->rescan_source = g_timeout_add (RESCAN_DELAY_MS, rescan_cb, self);
}

static void
dev_dir_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    KioskButtons      *self)
{
  if (event == G_FILE_MONITOR_EVENT_CREATED && g_strcmp0 (g_file_peek_path (file), INPUT_DIR) == 0)
    {
      watch_input_dir (self);
      schedule_rescan (self);
    }
}

static void
input_dir_changed_cb (GFileMonitor      *monitor,
                      GFile             *file,
                      GFile             *other,
                      GFileMonitorEvent  event,
                      KioskButtons      *self)
{
  /* With the last input device gone, /dev/input itself may go: wait for it in /dev. */
  if (event == G_FILE_MONITOR_EVENT_DELETED && g_strcmp0 (g_file_peek_path (file), INPUT_DIR) == 0)
    {
      g_autoptr(GFile) dev = g_file_new_for_path ("/dev");

      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
      self->monitor = g_file_monitor_directory (dev, G_FILE_MONITOR_NONE, NULL, NULL);
      if (self->monitor != NULL)
        g_signal_connect (self->monitor, "changed", G_CALLBACK (dev_dir_changed_cb), self);

      /* A plug that bounced: the device came back, and /dev/input with it, before this removal
       * was read. The watch on /dev would wait for a creation that is over already. It is set
       * up before this check, so a /dev/input made in between is seen by one or the other. */
      if (g_file_test (INPUT_DIR, G_FILE_TEST_IS_DIR))
        {
          watch_input_dir (self);
          schedule_rescan (self);
        }
    }

  /* A node that disappears is an unplugged device, even where its fd does not hang up. */
  if (event == G_FILE_MONITOR_EVENT_DELETED || event == G_FILE_MONITOR_EVENT_MOVED_OUT)
    {
      for (guint i = 0; i < self->devices->len; i++)
        {
          KioskButtonDevice *dev = g_ptr_array_index (self->devices, i);

          if (dev->evdev != NULL && !device_node_unchanged (dev))
            device_lost (dev, "its device node was removed");
        }
      return;
    }

  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED &&
      event != G_FILE_MONITOR_EVENT_MOVED_IN)
    return;

  if (self->connected == self->devices->len)
    return;

  schedule_rescan (self);
}

static void
watch_input_dir (KioskButtons *self)
{
  g_autoptr(GFile) dir = g_file_new_for_path (INPUT_DIR);
  g_autoptr(GError) error = NULL;

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    g_warning ("Cannot watch %s for button devices that are plugged in later: %s", INPUT_DIR,
               error->message);
  else
    g_signal_connect (self->monitor, "changed", G_CALLBACK (input_dir_changed_cb), self);
}

void
kiosk_buttons_start (KioskButtons *self)
{
  g_return_if_fail (KIOSK_IS_BUTTONS (self));

  if (self->devices->len == 0 || self->monitor != NULL)
    return;

  watch_input_dir (self);
  rescan (self);
}

guint
kiosk_buttons_get_connected (KioskButtons *self)
{
  g_return_val_if_fail (KIOSK_IS_BUTTONS (self), 0);

  return self->connected;
}

guint64
kiosk_buttons_get_resyncs (KioskButtons *self)
{
  g_return_val_if_fail (KIOSK_IS_BUTTONS (self), 0);

  return self->resyncs;
}

/* One line per configured device, for the status screen. */
GStrv
kiosk_buttons_dup_status (KioskButtons *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (KIOSK_IS_BUTTONS (self), NULL);

  for (guint i = 0; i < self->devices->len; i++)
    {
      KioskButtonDevice *dev = g_ptr_array_index (self->devices, i);

      g_autofree char *line = NULL;

      if (dev->evdev != NULL)
        line = g_strdup_printf ("%s: connected (%s, “%s”)", dev->spec, dev->path,
                                libevdev_get_name (dev->evdev));
      else
        line = g_strdup_printf ("%s: not connected (%s)", dev->spec,
                                dev->problem ? dev->problem : "not started");
      g_strv_builder_add (builder, line);
    }

  return g_strv_builder_end (builder);
}

/* kiosk-notify.c: the small part of sd_notify(3) the kiosk needs, over a Unix datagram socket,
 * without linking libsystemd. systemd restarts a kiosk whose main loop hangs: the watchdog ping
 * is a timeout in the main context, so a blocked main thread stops pinging. */
#define G_LOG_DOMAIN "kiosk-notify"

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "kiosk-notify.h"

struct _KioskNotify
{
  GObject         parent_instance;

  /* owned */
  GSocket        *socket;
  GSocketAddress *address;
  char           *display_name;

  guint64         watchdog_usec;   /* 0: no watchdog for this process */
  guint           watchdog_source;
  gboolean        ready_sent;
};

G_DEFINE_FINAL_TYPE (KioskNotify, kiosk_notify, G_TYPE_OBJECT)

static void
kiosk_notify_dispose (GObject *object)
{
  KioskNotify *self = KIOSK_NOTIFY (object);

  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_clear_object (&self->socket);
  g_clear_object (&self->address);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (kiosk_notify_parent_class)->dispose (object);
}

static void
kiosk_notify_class_init (KioskNotifyClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kiosk_notify_dispose;
}

static void
kiosk_notify_init (KioskNotify *self)
{
}

/**
 * kiosk_notify_new:
 * @notify_socket: the value of NOTIFY_SOCKET: a path, or "@name" in the abstract namespace
 * @watchdog_usec: (nullable): the value of WATCHDOG_USEC
 * @watchdog_pid: (nullable): the value of WATCHDOG_PID; the watchdog is for this process only
 *   when it is unset or names it
 *
 * Returns: %NULL with @error when @notify_socket is not an address this can reach
 */
KioskNotify *
kiosk_notify_new (const char  *notify_socket,
                  const char  *watchdog_usec,
                  const char  *watchdog_pid,
                  GError     **error)
{
  g_autoptr(KioskNotify) self = NULL;
  guint64 usec = 0, pid = 0;

  g_return_val_if_fail (notify_socket != NULL, NULL);

  if (notify_socket[0] != '/' && notify_socket[0] != '@')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "NOTIFY_SOCKET=%s: only a socket path or an @abstract name is supported",
                   notify_socket);
      return NULL;
    }

  self = g_object_new (KIOSK_TYPE_NOTIFY, NULL);
  self->display_name = g_strdup (notify_socket);
  if (notify_socket[0] == '@')
    self->address = g_unix_socket_address_new_with_type (notify_socket + 1, -1,
                                                         G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  else
    self->address = g_unix_socket_address_new (notify_socket);

  self->socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                               G_SOCKET_PROTOCOL_DEFAULT, error);
  if (self->socket == NULL)
    return NULL;
  /* A full socket buffer must never stall the main loop: a lost ping is better. */
  g_socket_set_blocking (self->socket, FALSE);

  if (watchdog_usec != NULL && *watchdog_usec)
    {
      if (!g_ascii_string_to_unsigned (watchdog_usec, 10, 1, G_MAXUINT64, &usec, NULL))
        g_warning ("WATCHDOG_USEC=%s is not a number of microseconds: no watchdog", watchdog_usec);
      else if (watchdog_pid != NULL && *watchdog_pid &&
               (!g_ascii_string_to_unsigned (watchdog_pid, 10, 1, G_MAXUINT64, &pid, NULL) ||
                pid != (guint64) getpid ()))
        usec = 0;
    }
  self->watchdog_usec = usec;

  return g_steal_pointer (&self);
}

/**
 * kiosk_notify_new_from_environment:
 *
 * Returns: (nullable): %NULL when the kiosk was not started by systemd with Type=notify (no
 *   NOTIFY_SOCKET), or the address is one it cannot use (logged)
 */
KioskNotify *
kiosk_notify_new_from_environment (void)
{
  const char *notify_socket = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GError) error = NULL;
  KioskNotify *self;

  if (notify_socket == NULL || *notify_socket == '\0')
    return NULL;

  self = kiosk_notify_new (notify_socket, g_getenv ("WATCHDOG_USEC"), g_getenv ("WATCHDOG_PID"),
                           &error);
  if (self == NULL)
    g_warning ("systemd notification off: %s", error->message);

  return self;
}

gboolean
kiosk_notify_send (KioskNotify  *self,
                   const char   *message,
                   GError      **error)
{
  gssize sent;

  g_return_val_if_fail (KIOSK_IS_NOTIFY (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  sent = g_socket_send_to (self->socket, self->address, message, strlen (message), NULL, error);
  if (sent < 0)
    {
      g_prefix_error (error, "%s: ", self->display_name);
      return FALSE;
    }

  return TRUE;
}

static void
send_or_log (KioskNotify *self,
             const char  *message)
{
  g_autoptr(GError) error = NULL;

  if (!kiosk_notify_send (self, message, &error))
    g_warning ("Could not tell systemd %s: %s", message, error->message);
}

/* READY=1, once: the survey is on screen. */
void
kiosk_notify_ready (KioskNotify *self)
{
  g_return_if_fail (KIOSK_IS_NOTIFY (self));

  if (self->ready_sent)
    return;

  self->ready_sent = TRUE;
  send_or_log (self, "READY=1");
  g_debug ("Told systemd READY=1");
}

/* Returns: the watchdog interval systemd expects a ping within; 0 when none */
guint64
kiosk_notify_get_watchdog_usec (KioskNotify *self)
{
  g_return_val_if_fail (KIOSK_IS_NOTIFY (self), 0);

  return self->watchdog_usec;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  send_or_log (user_data, "WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

/**
 * kiosk_notify_start_watchdog:
 *
 * Pings at half the interval systemd asked for (the documented margin), from the default main
 * context.
 *
 * Returns: %FALSE when systemd asked for no watchdog for this process
 */
gboolean
kiosk_notify_start_watchdog (KioskNotify *self)
{
  guint interval_ms;

  g_return_val_if_fail (KIOSK_IS_NOTIFY (self), FALSE);

  if (self->watchdog_usec == 0)
    return FALSE;
  if (self->watchdog_source != 0)
    return TRUE;

  interval_ms = (guint) MIN (MAX (self->watchdog_usec / 2 / 1000, 1), G_MAXUINT);
  send_or_log (self, "WATCHDOG=1");
  self->watchdog_source = g_timeout_add (interval_ms, watchdog_cb, self);
  g_message ("systemd watchdog: a ping every %u ms", interval_ms);

  return TRUE;
}

void
kiosk_notify_stop_watchdog (KioskNotify *self)
{
  g_return_if_fail (KIOSK_IS_NOTIFY (self));

  g_clear_handle_id (&self->watchdog_source, g_source_remove);
}

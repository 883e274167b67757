/* kiosk-uploader-survey.c: the survey pull: a conditional GET (ETag), the survey validated, then
 * written atomically and announced; the current survey stays whenever anything is wrong. */
#define G_LOG_DOMAIN "kiosk-uploader"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk-uploader-private.h"

#define MAX_ETAG_CHARS      256

void
kiosk_uploader_set_survey_validator (KioskUploader        *self,
                                     KioskSurveyValidator  validator,
                                     gpointer              user_data,
                                     GDestroyNotify        destroy)
{
  g_return_if_fail (KIOSK_IS_UPLOADER (self));
  g_return_if_fail (self->thread == NULL);

  if (self->validator_destroy)
    self->validator_destroy (self->validator_data);

  self->validator = validator;
  self->validator_data = user_data;
  self->validator_destroy = destroy;
}

const char *
kiosk_uploader_get_survey_path (KioskUploader *self)
{
  g_return_val_if_fail (KIOSK_IS_UPLOADER (self), NULL);

  return self->survey_path;
}

static void
set_survey_status (KioskUploader *self,
                   const char    *message)
{
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->lock);
  g_free (self->status.survey_status);
  self->status.survey_status = g_strdup (message);
  g_mutex_unlock (&self->lock);
  _kiosk_uploader_status_changed (self);

  if (self->outbox != NULL &&
      !kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_STATUS, message, &error))
    g_debug ("Could not save the survey status: %s", error->message);
}

/* Temp file, fsync, rename, fsync of the directory: the survey on disk is always whole. */
static gboolean
write_atomically (const char  *path,
                  const void  *data,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  const guint8 *p = data;
  gsize done = 0;
  int saved_errno;
  int fd, dir_fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    goto fail_errno_no_fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    goto fail_errno_no_fd;

  while (done < length)
    {
      ssize_t n = write (fd, p + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail_errno;
      done += n;
    }

  if (fsync (fd) != 0)
    goto fail_errno;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail_errno;
    }
  fd = -1;

  if (g_rename (tmp, path) != 0)
    goto fail_errno;

  dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;

fail_errno:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  errno = saved_errno;
fail_errno_no_fd:
  saved_errno = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               "%s: cannot write the survey: %s", path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
validate_survey (KioskUploader  *self,
                 GBytes         *data,
                 GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  gsize length;
  const char *text = g_bytes_get_data (data, &length);
  JsonNode *root;

  if (length == 0 || memchr (text, '\0', length) != NULL || !g_utf8_validate_len (text, length,
                                                                                  NULL))
    {
      g_set_error_literal (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_SURVEY,
                           "it is empty or not UTF-8 text");
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, text, length, &json_error))
    {
      g_set_error (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_SURVEY,
                   "it is not JSON: %s", json_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, KIOSK_UPLOADER_ERROR, KIOSK_UPLOADER_ERROR_SURVEY,
                           "its top level is not a JSON object");
      return FALSE;
    }

  if (self->validator != NULL)
    return self->validator (data, self->validator_data, error);

  return TRUE;
}

static gboolean
same_contents (const char *path,
               const void *data,
               gsize       length)
{
  g_autofree char *current = NULL;
  gsize current_length = 0;

  return g_file_get_contents (path, &current, &current_length, NULL) &&
         current_length == length && memcmp (current, data, length) == 0;
}

/**
 * kiosk_etag_is_sane:
 * @etag: the survey's ETag header as the server sent it, or %NULL
 *
 * It is stored and sent back in an If-None-Match header line: short visible ASCII only, or it
 * could forge headers.
 */
gboolean
kiosk_etag_is_sane (const char *etag)
{
  if (etag == NULL || *etag == '\0' || strlen (etag) > MAX_ETAG_CHARS)
    return FALSE;

  for (const char *p = etag; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;

  return TRUE;
}

static void
pull_survey (KioskUploader *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *if_none_match = NULL;
  const char *headers[3] = { "Accept: application/json", NULL, NULL };
  KioskReply reply;

  if (!_kiosk_uploader_ensure_outbox (self, &error))
    return;

  /* Without the file, its ETag means nothing: ask for the whole survey again. */
  etag = kiosk_outbox_get_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_ETAG);
  if (etag != NULL && kiosk_etag_is_sane (etag) &&
      g_file_test (self->survey_path, G_FILE_TEST_IS_REGULAR))
    {
      if_none_match = g_strconcat ("If-None-Match: ", etag, NULL);
      headers[1] = if_none_match;
    }

  if (!kiosk_transport_perform (self->transport, "GET", self->survey_url, headers, NULL, 0,
                                &reply, &error))
    {
      g_autofree char *message = g_strdup_printf ("survey not checked: %s", error->message);

      set_survey_status (self, message);
      kiosk_reply_clear (&reply);
      return;
    }

  if (reply.code != CURLE_OK)
    {
      g_autofree char *why = kiosk_reply_describe_failure (&reply);
      g_autofree char *message = g_strdup_printf ("survey not checked: %s", why);

      if (!g_atomic_int_get (&self->stopping))
        set_survey_status (self, message);
    }
  else if (reply.status == 200)
    {
      g_autoptr(GBytes) data = NULL;
      g_autoptr(GError) invalid = NULL;
      char *copy = g_malloc (reply.body->len + 1);

      /* NUL-terminated beyond its size, so a validator may read it as a string. */
      memcpy (copy, reply.body->data, reply.body->len);
      copy[reply.body->len] = '\0';
      data = g_bytes_new_take (copy, reply.body->len);

      if (!validate_survey (self, data, &invalid))
        {
          g_autofree char *message =
            g_strdup_printf ("the survey from the server was not used (the current one stays): "
                             "%s", invalid->message);

          g_warning ("%s", message);
          set_survey_status (self, message);
        }
      else if (same_contents (self->survey_path, reply.body->data, reply.body->len))
        {
          /* A server without ETags sends the same survey again: nothing to switch to. */
          if (!kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_ETAG,
                                       kiosk_etag_is_sane (reply.etag) ? reply.etag : NULL,
                                       &error))
            g_debug ("Could not save the survey's ETag: %s", error->message);
          set_survey_status (self, "survey unchanged on the server");
        }
      else if (!write_atomically (self->survey_path, reply.body->data, reply.body->len, &error))
        {
          g_warning ("%s", error->message);
          set_survey_status (self, error->message);
        }
      else
        {
          g_autofree char *now = kiosk_format_rfc3339 (g_get_real_time (), 0);
          g_autofree char *message = g_strdup_printf ("survey updated from the server at %s",
                                                      now);
          g_autoptr(GError) state_error = NULL;

          if (!kiosk_outbox_set_state (self->outbox, KIOSK_SYNC_KEY_SURVEY_ETAG,
                                       kiosk_etag_is_sane (reply.etag) ? reply.etag : NULL,
                                       &state_error))
            g_debug ("Could not save the survey's ETag: %s", state_error->message);

          g_message ("New survey from the server written to %s", self->survey_path);
          set_survey_status (self, message);
          _kiosk_uploader_survey_updated (self, self->survey_path);
        }
    }
  else if (reply.status == 304)
    set_survey_status (self, "survey unchanged on the server");
  else if (reply.status == 404)
    set_survey_status (self, "no survey assigned on the server (HTTP 404); the local one is used");
  else if (reply.status == 410)
    _kiosk_uploader_enter_retired (self, "survey: the server retired this device (HTTP 410): "
                                         "nothing is sent until the configuration changes; no "
                                         "data was deleted");
  else
    {
      g_autofree char *message =
        g_strdup_printf ("survey not checked: the server answered HTTP %ld", reply.status);

      set_survey_status (self, message);
    }

  kiosk_reply_clear (&reply);
}

gboolean
_kiosk_uploader_survey_tick (gpointer user_data)
{
  KioskUploader *self = user_data;

  g_clear_pointer (&self->survey_source, g_source_unref);
  if (g_atomic_int_get (&self->stopping) || self->mode == KIOSK_SYNC_RETIRED)
    return G_SOURCE_REMOVE;

  pull_survey (self);

  if (self->mode != KIOSK_SYNC_RETIRED && !g_atomic_int_get (&self->stopping))
    _kiosk_uploader_reschedule (self, &self->survey_source,
                                _kiosk_uploader_jittered (self, self->timings.survey_poll_ms),
                                _kiosk_uploader_survey_tick, "[kiosk-uploader] survey");
  return G_SOURCE_REMOVE;
}

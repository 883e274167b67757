/* kiosk-dash-auth.h: the dashboard's people: passwords, sessions shared by every server process
 * through PostgreSQL, CSRF tokens, sign-in throttling and the sites a viewer may see. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "kiosk-dash.h"

G_BEGIN_DECLS

#define KIOSK_DASH_SESSION_COOKIE     "sk_session"
/* The login form's pre-session token (double submit: this cookie and the form's csrf field). */
#define KIOSK_DASH_LOGIN_COOKIE       "sk_login"
#define KIOSK_DASH_PASSWORD_MIN_CHARS 10
#define KIOSK_DASH_SESSION_IDLE_S     (8 * 3600)
#define KIOSK_DASH_SESSION_MAX_S      (7 * 24 * 3600)
/* Failed sign-ins, per name and per address, before the wait begins; and their window. */
#define KIOSK_DASH_LOGIN_FREE_FAILURES 5
#define KIOSK_DASH_LOGIN_WINDOW_S      (15 * 60)

typedef enum
{
  KIOSK_DASH_LOGIN_OK,
  KIOSK_DASH_LOGIN_WRONG,       /* unknown name, wrong password or disabled: one answer */
  KIOSK_DASH_LOGIN_THROTTLED,   /* too many failures for the name or the address: wait */
  KIOSK_DASH_LOGIN_FAILED,      /* the database failed: @error */
} KioskDashLoginResult;

void                 kiosk_dash_user_free           (KioskDashUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KioskDashUser, kiosk_dash_user_free)

gboolean             kiosk_dash_password_is_acceptable (const char *password,
                                                     GString    *problem);
gboolean             kiosk_dash_user_name_is_valid  (const char           *name);

/* Checks @name and @password from @address, throttled per name and per address across every
 * server process (login_attempts), and records the attempt. */
KioskDashLoginResult kiosk_dash_login_check         (PGconn               *conn,
                                                     const char           *name,
                                                     const char           *password,
                                                     const char           *address,
                                                     gint64               *out_user_id,
                                                     guint                *out_wait_s,
                                                     GError              **error);

/* A new session for @user_id: returns the cookie's value (stored only as its SHA-256). */
char                *kiosk_dash_session_create      (PGconn               *conn,
                                                     gint64                user_id,
                                                     GError              **error);
/* The user of the session whose cookie is @cookie, and the session's CSRF token; NULL without
 * @error when there is no such live session (unknown, expired, idle, user disabled). */
KioskDashUser       *kiosk_dash_session_lookup      (PGconn               *conn,
                                                     const char           *cookie,
                                                     char                **out_csrf_token,
                                                     GError              **error);
/* Ends the session of @user_id whose CSRF token is @csrf_token (a page knows that token, not
 * the HttpOnly cookie). */
gboolean             kiosk_dash_session_delete      (PGconn               *conn,
                                                     gint64                user_id,
                                                     const char           *csrf_token,
                                                     GError              **error);

/* Whether @value looks like a token this server made (a cookie from elsewhere is ignored). */
gboolean             kiosk_dash_token_is_wellformed (const char           *value);
/* Compares two tokens in constant time; NULL never matches. */
gboolean             kiosk_dash_token_equal         (const char           *a,
                                                     const char           *b);

G_END_DECLS

/* kiosk-dash.h: the managers' dashboard, served by smiley-kiosk-server on its own listener:
 * requests, replies, the page chrome, who may see what, the filters every page shares, and
 * formatting in the reader's language. Pages (kiosk-dash-*.c, one file per page, as cgit's
 * ui-*.c) are plain functions that fill a reply. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct
{
  gint64   id;
  char    *name;
  gboolean admin;        /* every site, the fleet, users */
  char    *language;     /* the user's language (a po/LINGUAS code), NULL: from the browser */
  GArray  *site_ids;     /* gint64: the sites a viewer may see (its sites and its groups'
                          * sites); NULL for an admin */
} KioskDashUser;

typedef struct
{
  const char    *method;
  const char    *path;            /* without the query string */
  GPtrArray     *path_args;       /* char*: what matched the "*" segments of the route */
  GHashTable    *query;           /* char* → char*, the last value of each name */
  GHashTable    *form;            /* the same for an application/x-www-form-urlencoded POST */
  KioskDashUser *user;            /* NULL only on routes that need no session (login) */
  const char    *csrf_token;      /* the session's, for the forms of the page */
  const char    *language;        /* the language of this reply: the user's, else the
                                   * browser's Accept-Language among po/LINGUAS, else "en" */
  const char    *remote_address;
  PGconn        *conn;            /* the thread's connection, for the page chrome's own query
                                   * (the navigation's open alerts); NULL: no badge */
  gboolean       secure;          /* reached over TLS (or the config says a TLS proxy is in
                                   * front): cookies get Secure */
} KioskDashRequest;

typedef struct
{
  guint      status;              /* 200 unless set */
  char      *content_type;        /* "text/html; charset=utf-8" unless set */
  GString   *body;
  GPtrArray *headers;             /* char*: "Name: value" */
} KioskDashReply;

/* A page fills @reply. Pages are declared with this function type (kiosk-dash-pages.h), so
 * their signature is written once. */
typedef void KioskDashPage (KioskDashRequest *request,
                            PGconn           *conn,
                            KioskDashReply   *reply);
typedef KioskDashPage *KioskDashHandler;

typedef enum
{
  KIOSK_DASH_ROUTE_SESSION = 0,       /* any signed-in user */
  KIOSK_DASH_ROUTE_ADMIN   = 1 << 0,  /* admins only: 403 for viewers */
  KIOSK_DASH_ROUTE_PUBLIC  = 1 << 1,  /* no session needed (login, static files) */
} KioskDashRouteFlags;

typedef struct
{
  const char         *method;    /* "GET" or "POST" */
  const char         *pattern;   /* "/sites/" "*": each "*" matches one path segment */
  KioskDashHandler    handler;
  KioskDashRouteFlags flags;
} KioskDashRoute;

/* The pages' routes (kiosk-dash-routes.c), ended by an entry with pattern NULL. Every POST
 * route's form is checked against the session's CSRF token before its handler runs. */
extern const KioskDashRoute kiosk_dash_routes[];

/* Translation in the request's language: D_("text") in pages (xgettext keyword D_). */
const char *kiosk_dash_gettext (const KioskDashRequest *request,
                                const char             *msgid);
#define D_(msgid) kiosk_dash_gettext (request, (msgid))
#define DN_(msgid) (msgid)   /* marks a string for translation where it is defined */

/* Page chrome: <!doctype html>, head, the navigation for this user, main; and its end. */
void     kiosk_dash_page_begin    (KioskDashReply   *reply,
                                   KioskDashRequest *request,
                                   const char       *title,
                                   const char       *active_nav);
void     kiosk_dash_page_end      (KioskDashReply   *reply,
                                   KioskDashRequest *request);
/* <input type=hidden name=@name value=@value>: what a form posts besides its fields. */
void     kiosk_dash_hidden_field  (GString          *out,
                                   const char       *name,
                                   const char       *value);
/* <input type=hidden name=csrf value=…> for a form of this page. */
void     kiosk_dash_csrf_field    (GString          *out,
                                   KioskDashRequest *request);
/* A whole error page (or plain text for CSV routes) with @status and a message. */
void     kiosk_dash_reply_error   (KioskDashReply   *reply,
                                   KioskDashRequest *request,
                                   guint             status,
                                   const char       *message);
/* The error page for a database that failed a page, read or @writing: @error is logged after
 * what @format says ("site %s"), and the reader is asked to try again in a minute. */
void     kiosk_dash_reply_database_error (KioskDashReply   *reply,
                                   KioskDashRequest *request,
                                   gboolean          writing,
                                   const GError     *error,
                                   const char       *format,
                                   ...) G_GNUC_PRINTF (5, 6);
/* Makes the reply a CSV download named @file_name; write rows with kiosk_csv_field + "\r\n". */
void     kiosk_dash_reply_csv     (KioskDashReply   *reply,
                                   const char       *file_name);
/* Makes the reply a download of @content_type named @file_name (made safe for the header). */
void     kiosk_dash_reply_attachment (KioskDashReply *reply,
                                   const char       *content_type,
                                   const char       *file_name);
void     kiosk_dash_redirect      (KioskDashReply   *reply,
                                   const char       *location);
/* What a form removes by the name it posts, once its "Yes, remove" (confirm=1) is ticked. */
typedef struct
{
  gboolean  (*remove)       (PGconn           *conn,
                             const char       *name,
                             GError          **error);
  GQuark    (*error_quark)  (void);        /* with @unknown_code: there is none of that name */
  int         unknown_code;
  /* The reply when the form was not confirmed. */
  void      (*unconfirmed)  (KioskDashRequest *request,
                             PGconn           *conn,
                             KioskDashReply   *reply,
                             const char       *name);
  const char *no_name;                     /* marked with DN_: the form names none */
  const char *no_such;                     /* marked with DN_: there is none of that name */
  const char *what;                        /* the log's words: "alert rule" */
  const char *location;                    /* where to go after, the name appended to it … */
  const char *fragment;                    /* … and then this ("" for none) */
} KioskDashRemoval;
/* Removes what @removal says the request's form names, and redirects; or replies why not. */
void     kiosk_dash_remove        (KioskDashRequest       *request,
                                   PGconn                 *conn,
                                   KioskDashReply         *reply,
                                   const KioskDashRemoval *removal);
void     kiosk_dash_reply_add_header (KioskDashReply *reply,
                                   const char       *name,
                                   const char       *value);

/* Who may see what: every query of a page goes through these. */
gboolean kiosk_dash_user_may_see_site (const KioskDashUser *user,
                                       gint64               site_id);
/* An SQL condition on @column ("s.id") that holds for the sites @user may see. */
char    *kiosk_dash_site_condition (const KioskDashUser *user,
                                    const char          *column);

/* The filters pages share, from the query string: from=YYYY-MM-DD, to=YYYY-MM-DD (site's local
 * days, both included; default the last 30 days up to today), survey=ID (default all),
 * misuse=1 (include misuse; default left out). A bad value sets @problem (a sentence for the
 * page) and keeps the default. A period is at most KIOSK_DASH_MAX_DAYS days: a site's page holds
 * every day of it in memory, in its chart and in its table. */
#define KIOSK_DASH_MAX_DAYS (5 * 366)

typedef struct
{
  GDate    from;
  GDate    to;
  char    *survey_id;
  gboolean include_misuse;
  gboolean fixed_periods;   /* the page shows today, 7 and 30 days: its form has no dates */
  gboolean dates_only;      /* the page is not of responses (alerts): no survey, no misuse */
} KioskDashFilter;

/* A day as YYYY-MM-DD (what <input type="date"> sends); FALSE when @text is not one. */
gboolean kiosk_dash_parse_day     (const char       *text,
                                   GDate            *out);
void     kiosk_dash_filter_parse  (KioskDashRequest *request,
                                   KioskDashFilter  *filter,
                                   GString          *problem);
void     kiosk_dash_filter_clear  (KioskDashFilter  *filter);
/* What a page shows for the filter's period, from kiosk-dash-data.c. */
typedef gpointer (*KioskDashFilteredQuery) (PGconn                *conn,
                                            const KioskDashUser   *user,
                                            const KioskDashFilter *filter,
                                            GError               **error);
/* Parses the filter into @filter (@problem: see kiosk_dash_filter_parse) and runs @query; when
 * it fails, NULL, with the reply an error page (what failed logged as @what) and @filter
 * cleared. */
gpointer kiosk_dash_filtered_load (KioskDashRequest      *request,
                                   PGconn                *conn,
                                   KioskDashReply        *reply,
                                   KioskDashFilter       *filter,
                                   GString               *problem,
                                   KioskDashFilteredQuery query,
                                   const char            *what);
/* Writes the content of a page of @data (what a KioskDashFilteredQuery returned) between the
 * filter form and the download link; @query is the filter's (kiosk_dash_filter_query). */
typedef void (*KioskDashFilteredWrite) (gpointer          data,
                                        GString          *out,
                                        KioskDashRequest *request,
                                        const char       *query);
/* Writes the rows of @data's CSV download. */
typedef void (*KioskDashFilteredCsv)   (gpointer          data,
                                        GString          *out);
/* A page of @query's data, "/@name.csv" its table as CSV. */
typedef struct
{
  KioskDashFilteredQuery query;
  GDestroyNotify         free_data;
  const char            *name;           /* the navigation's id, the log's word, the CSV's */
  const char            *title;          /* marked with DN_ */
  gboolean               fixed_periods;  /* see KioskDashFilter */
  KioskDashFilteredWrite write;
  KioskDashFilteredCsv   csv;
} KioskDashFilteredPage;
/* Loads @page's data as kiosk_dash_filtered_load() does and writes the page (the chrome, the
 * title, the filter's problem and form, @page->write, the download link) or, with @csv, the
 * CSV download. */
void     kiosk_dash_filtered_reply (KioskDashRequest            *request,
                                    PGconn                      *conn,
                                    KioskDashReply              *reply,
                                    const KioskDashFilteredPage *page,
                                    gboolean                     csv);
/* Defines the pages @name (HTML) and @name_csv of the KioskDashFilteredPage @page, as
 * G_DEFINE_TYPE defines a type's functions. */
#define KIOSK_DASH_DEFINE_FILTERED_PAGE(name, page) \
  void name (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply) \
  { \
    kiosk_dash_filtered_reply (request, conn, reply, &(page), FALSE); \
  } \
  void name##_csv (KioskDashRequest *request, PGconn *conn, KioskDashReply *reply) \
  { \
    kiosk_dash_filtered_reply (request, conn, reply, &(page), TRUE); \
  }
/* The filter's query string ("from=…&to=…&survey=…&misuse=1"), e.g. for the CSV links. */
char    *kiosk_dash_filter_query  (const KioskDashFilter *filter);
/* A day as YYYY-MM-DD. */
char    *kiosk_dash_iso_day       (const GDate           *date);
/* The filter form (dates, survey select, misuse switch) for this page. */
void     kiosk_dash_filter_form   (GString               *out,
                                   KioskDashRequest      *request,
                                   const KioskDashFilter *filter,
                                   PGconn                *conn);
/* The chrome, then the page's <h1> @title, the @problem (a sentence, or NULL) the filter's
 * query had, and the filter form. */
void     kiosk_dash_filtered_page_begin (KioskDashReply        *reply,
                                   KioskDashRequest      *request,
                                   const char            *title,
                                   const char            *active_nav,
                                   const char            *problem,
                                   const KioskDashFilter *filter,
                                   PGconn                *conn);

/* Pieces of pages, every text escaped. */
/* <h@level id=@id> (no id: NULL) @text </h@level> */
void     kiosk_dash_heading       (GString          *out,
                                   guint             level,
                                   const char       *id,
                                   const char       *text);
/* <p>@text</p> */
void     kiosk_dash_paragraph     (GString          *out,
                                   const char       *text);
/* What was done (role=status), what is wrong (role=alert): nothing when @text is NULL or "". */
void     kiosk_dash_done          (GString          *out,
                                   const char       *text);
void     kiosk_dash_problem       (GString          *out,
                                   const char       *text);
/* A refused form's problems, @problems a line each, as a list after @intro ("The rule was not
 * saved:"); @id (or NULL) names the box. Nothing when @problems is NULL or "". */
void     kiosk_dash_problem_list  (GString          *out,
                                   const char       *id,
                                   const char       *intro,
                                   const char       *problems);
/* <th scope="col">@text</th> */
void     kiosk_dash_th            (GString          *out,
                                   const char       *text);
/* <table class=@css_class>, its <caption> (NULL: none), the column headers (the arguments
 * after @caption, ended by NULL) and <tbody>; the caller writes the rows and closes it. */
void     kiosk_dash_table_begin   (GString          *out,
                                   const char       *css_class,
                                   const char       *caption,
                                   ...) G_GNUC_NULL_TERMINATED;
/* Opens a form field's <div class="field"> with its <label for=@id>; the caller writes the
 * control and closes the div. */
void     kiosk_dash_field_begin   (GString          *out,
                                   const char       *id,
                                   const char       *label);
/* The form's value @name without the spaces around it; "" when the form has none. */
char    *kiosk_dash_form_value    (KioskDashRequest *request,
                                   const char       *name);
/* A link to the site called @name's page, with the filter's @query (or NULL), reading @title. */
void     kiosk_dash_site_link     (GString          *out,
                                   const char       *name,
                                   const char       *title,
                                   const char       *query);
/* "Download this table (CSV)" as a link to @path?@query (@query NULL or "": none). */
void     kiosk_dash_download_link (GString          *out,
                                   KioskDashRequest *request,
                                   const char       *path,
                                   const char       *query);
/* A long table in pages: the query's page=N (1 when missing or wrong), and the navigation
 * "Newer · page 2 of 7 · Older" to @path?@query&page=N#@anchor, named @label (or NULL). */
guint    kiosk_dash_page_number   (KioskDashRequest *request);
void     kiosk_dash_pages_nav     (GString          *out,
                                   KioskDashRequest *request,
                                   const char       *label,
                                   const char       *path,
                                   const char       *query,
                                   const char       *anchor,
                                   guint             page,
                                   guint             pages);

/* Numbers and dates in the request's language. */
char    *kiosk_dash_format_index  (KioskDashRequest *request,
                                   double            happy_index);   /* "78", NaN: "–" */
char    *kiosk_dash_format_count  (KioskDashRequest *request,
                                   guint64           count);         /* "12,345" / "12.345" */
char    *kiosk_dash_format_percent (KioskDashRequest *request,
                                   double            fraction);      /* "12 %" / "12%" */
char    *kiosk_dash_format_share  (KioskDashRequest *request,
                                   guint64           part,
                                   guint64           whole);         /* part of whole; 0: "0 %" */
char    *kiosk_dash_format_date   (KioskDashRequest *request,
                                   const GDate      *date);
char    *kiosk_dash_format_time   (KioskDashRequest *request,
                                   gint64            unix_us,
                                   const char       *time_zone);
const char *kiosk_dash_weekday_name (KioskDashRequest *request,
                                     GDateWeekday      weekday,
                                     gboolean          abbreviated);

G_END_DECLS

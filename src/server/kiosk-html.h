/* kiosk-html.h: HTML written from C through one small layer, as cgit's html.c does: markup the
 * program wrote goes through kiosk_html(), every other text through kiosk_html_txt() or
 * kiosk_html_attr() (or their "%t" and "%a" in kiosk_html_format()), so escaping happens in
 * exactly one place. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Markup written by the program itself: never a value from a request or the database. */
void kiosk_html           (GString    *out,
                           const char *markup);
/* Text between tags: & < > escaped. NULL writes nothing. */
void kiosk_html_txt       (GString    *out,
                           const char *text);
/* Text inside a double-quoted attribute value: & < > " ' escaped. */
void kiosk_html_attr      (GString    *out,
                           const char *text);
/* printf, then the result escaped as text. */
void kiosk_html_txtf      (GString    *out,
                           const char *format,
                           ...) G_GNUC_PRINTF (2, 3);
/* @format is markup written as kiosk_html() would write it, but for "%a", the next argument (a
 * string) as kiosk_html_attr() writes it, "%t", the next as kiosk_html_txt() does, and "%%", a
 * "%": one call for an element with escaped attributes and text. */
void kiosk_html_format    (GString    *out,
                           const char *format,
                           ...);
/* A query-string value, percent-encoded (then safe inside an attribute too). */
void kiosk_html_url_param (GString    *out,
                           const char *value);

G_END_DECLS

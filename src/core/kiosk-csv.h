/* kiosk-csv.h: CSV fields for the kiosk's and the server's exports. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends @value (NULL: an empty field) to @line, after a comma unless @line is empty. */
void kiosk_csv_field (GString    *line,
                      const char *value);

G_END_DECLS

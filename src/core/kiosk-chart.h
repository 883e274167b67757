/* kiosk-chart.h: the charts, drawn once on a cairo_t: the kiosk's admin screen paints them into
 * a widget, the server's dashboard inlines them as SVG. No GTK here; text through PangoCairo. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* Faces on the usual scale: 0 very unhappy … 3 very happy. */
#define KIOSK_CHART_FACES 4

typedef struct
{
  double r, g, b, a;   /* 0..1, not premultiplied */
} KioskRgba;

typedef struct
{
  KioskRgba   text;         /* labels, the zero line */
  KioskRgba   grid;         /* grid lines, hatching */
  KioskRgba   background;   /* painted first; alpha 0 leaves the surface as it is */
  const char *font_family;  /* NULL: "DejaVu Sans" */
  double      font_size;    /* in pixels (user units); 0: 12 */
  const cairo_font_options_t *font_options;  /* a widget's, so text measures as in its own
                                              * layouts; NULL: the surface's */
} KioskChartStyle;

/* Dark text on white, DejaVu Sans 12 px: what the dashboard and the docs use. */
void            kiosk_chart_style_init     (KioskChartStyle *style);

/* The faces' colours, defined once: the artwork's on a 4-face scale (#b3261e, #f28b82, #8bc34a,
 * #1e7b34), spread over the same ramp on other scales. */
extern const KioskRgba kiosk_chart_face_colors[KIOSK_CHART_FACES];
KioskRgba       kiosk_chart_face_color     (guint            face,
                                            guint            scale);
/* The heat map's diverging scale: Happy Index 0 (face 0's red) through 50 (yellow) to 100
 * (face 3's green). */
KioskRgba       kiosk_chart_index_color    (double           index);

/* HappyOrNot's Happy Index of @counts (@scale entries, face 0 the most negative): the mean of
 * the faces weighted 0 … 100 (0, 33.3, 66.7, 100 on four faces). NaN without responses.
 * Named so beside kiosk-stats.h's kiosk_happy_index(), which it calls. */
double          kiosk_chart_happy_index    (const guint64   *counts,
                                            guint            scale);

/* The top of a count axis: the smallest 1, 2 or 5 × 10^n at or above @highest; 0 for 0. */
guint64         kiosk_chart_nice_scale     (guint64          highest);
/* The nice scale of the highest hour (all faces summed) of @counts. */
guint64         kiosk_chart_hours_scale    (const guint64    counts[24][KIOSK_CHART_FACES]);

/* Responses per hour: a stacked bar per hour (very happy at the bottom, very unhappy on top),
 * the nice scale at the top left, hours labelled every third hour underneath. @hour_labels:
 * 24 labels, NULL for "00" … "23". @empty_text (may be NULL) is shown when there is nothing. */
void            kiosk_chart_draw_hours     (cairo_t               *cr,
                                            double                 width,
                                            double                 height,
                                            const guint64          counts[24][KIOSK_CHART_FACES],
                                            const char *const     *hour_labels,
                                            const char            *empty_text,
                                            const KioskChartStyle *style);

typedef struct
{
  double      index;       /* the day's Happy Index; NaN leaves a gap in the line */
  guint64     responses;   /* drawn as a light bar on its own scale */
  const char *label;       /* under the axis; NULL for none. Labels that would overlap are
                            * thinned out. */
} KioskChartDay;

/* The daily Happy Index as a line with dots on a 0–100 axis (left), the responses per day as
 * light bars beneath on their own scale (right). @index_title and @count_title (may be NULL)
 * name the two axes in a legend at the top. */
void            kiosk_chart_draw_trend     (cairo_t               *cr,
                                            double                 width,
                                            double                 height,
                                            const KioskChartDay   *days,
                                            guint                  n_days,
                                            const char            *index_title,
                                            const char            *count_title,
                                            const KioskChartStyle *style);

/* Hour (columns, labelled along the top) × weekday (rows, @weekday_labels at the left) coloured
 * by Happy Index on kiosk_chart_index_color(). A cell with fewer than @min_count responses is
 * hatched and claims no colour; a closed hour (@open FALSE; @open NULL: all open) is blank.
 * With @show_counts the count is printed in each cell where it fits. */
void            kiosk_chart_draw_heatmap   (cairo_t               *cr,
                                            double                 width,
                                            double                 height,
                                            const double           index[7][24],
                                            const guint64          counts[7][24],
                                            const gboolean         open[7][24],
                                            guint                  min_count,
                                            gboolean               show_counts,
                                            const char *const      weekday_labels[7],
                                            const KioskChartStyle *style);

typedef enum
{
  KIOSK_CHART_FACES_STACKED,   /* one 100 % bar, most positive at the left, and a legend */
  KIOSK_CHART_FACES_BARS,      /* a bar per face, most positive on top, percentages after */
} KioskChartFacesLayout;

/* The distribution of @counts (@scale faces, face 0 the most negative). @labels: @scale face
 * names; @value_labels: @scale texts for the shares (NULL: "12%", rounded). */
void            kiosk_chart_draw_faces     (cairo_t               *cr,
                                            double                 width,
                                            double                 height,
                                            const guint64         *counts,
                                            guint                  scale,
                                            KioskChartFacesLayout  layout,
                                            const char *const     *labels,
                                            const char *const     *value_labels,
                                            const KioskChartStyle *style);

typedef void (*KioskChartDrawFunc) (cairo_t *cr,
                                    double   width,
                                    double   height,
                                    gpointer data);

/* An inline <svg> element (no <?xml?> declaration) of @width × @height user units, role="img"
 * with @title (escaped) as its <title>; the ids cairo generates carry a prefix unique to this
 * call, so several charts can share a page. */
char           *kiosk_chart_svg            (double              width,
                                            double              height,
                                            KioskChartDrawFunc  draw,
                                            gpointer            data,
                                            const char         *title);
/* A PNG of @width × @height pixels, for tests and reports. */
gboolean        kiosk_chart_png            (const char         *filename,
                                            int                 width,
                                            int                 height,
                                            KioskChartDrawFunc  draw,
                                            gpointer            data,
                                            GError            **error);

G_END_DECLS

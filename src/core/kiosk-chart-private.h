/* kiosk-chart-private.h: the drawing helpers the chart files share (kiosk-chart.c: colours,
 * scales, text, the hours and faces charts, SVG and PNG; -trend.c: the trend and heat map). */
#pragma once

#include <pango/pangocairo.h>

#include "kiosk-chart.h"

G_BEGIN_DECLS

#define GAP              4.0
#define HOUR_LABEL_EVERY 3
#define DEFAULT_FONT     "DejaVu Sans"
#define DEFAULT_SIZE     12.0

/* The heat map's scale, for its cells (kiosk_chart_index_color()) and its legend. */
typedef struct
{
  double    at;
  KioskRgba color;
} KioskChartStop;

#define KIOSK_CHART_N_INDEX_STOPS 5
extern const KioskChartStop _kiosk_chart_index_stops[KIOSK_CHART_N_INDEX_STOPS];

void          _kiosk_chart_set_color        (cairo_t         *cr,
                                             const KioskRgba *color);
void          _kiosk_chart_fill_rect        (cairo_t         *cr,
                                             const KioskRgba *color,
                                             double           x,
                                             double           y,
                                             double           w,
                                             double           h);
void          _kiosk_chart_paint_background (cairo_t               *cr,
                                             double                 width,
                                             double                 height,
                                             const KioskChartStyle *style);
PangoLayout  *_kiosk_chart_create_layout    (cairo_t               *cr,
                                             const KioskChartStyle *style);
void          _kiosk_chart_measure          (PangoLayout *layout,
                                             const char  *text,
                                             int         *width,
                                             int         *height);
void          _kiosk_chart_show_text        (cairo_t         *cr,
                                             PangoLayout     *layout,
                                             const KioskRgba *color,
                                             const char      *text,
                                             double           x,
                                             double           y);
KioskRgba     _kiosk_chart_text_on          (const KioskRgba *fill);
KioskRgba     _kiosk_chart_faded            (const KioskRgba *color,
                                             double           alpha);

G_END_DECLS

/* kiosk-hour-chart.h: today's responses per hour, a stacked bar per hour in the faces' colours. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIOSK_HOUR_CHART_FACES 4

#define KIOSK_TYPE_HOUR_CHART (kiosk_hour_chart_get_type ())
G_DECLARE_FINAL_TYPE (KioskHourChart, kiosk_hour_chart, KIOSK, HOUR_CHART, GtkWidget)

GtkWidget *kiosk_hour_chart_new        (void);
void       kiosk_hour_chart_set_counts (KioskHourChart *self,
                                        const guint64   counts[24][KIOSK_HOUR_CHART_FACES]);
guint64    kiosk_hour_chart_get_count  (KioskHourChart *self,
                                        guint           hour,
                                        guint           face);
guint64    kiosk_hour_chart_get_scale  (KioskHourChart *self);

G_END_DECLS

/* kiosk-page.h: what every page of the window is: built on the flow it shows, and made ready by
 * itself each time it comes on screen. The window names its pages by KioskPageId. */
#pragma once

#include <gtk/gtk.h>

#include "kiosk-flow.h"

G_BEGIN_DECLS

/* The window's pages, in the order a visit meets them, then what is not a visit. Registered as
 * a GEnum (kiosk-gui-enums.h), so a page shows by name ("follow-up") in logs and screenshots. */
typedef enum
{
  KIOSK_PAGE_NONE,
  KIOSK_PAGE_SURVEY,
  KIOSK_PAGE_FOLLOW_UP,
  KIOSK_PAGE_COMMENT,
  KIOSK_PAGE_CONTACT,
  KIOSK_PAGE_THANKS,
  KIOSK_PAGE_CLOSED,
  KIOSK_PAGE_ATTRACT,
  KIOSK_PAGE_PIN,
  KIOSK_PAGE_ADMIN,
} KioskPageId;

#define KIOSK_N_PAGES (KIOSK_PAGE_ADMIN + 1)

#define KIOSK_TYPE_PAGE (kiosk_page_get_type ())
G_DECLARE_INTERFACE (KioskPage, kiosk_page, KIOSK, PAGE, GtkWidget)

struct _KioskPageInterface
{
  GTypeInterface parent_iface;

  /* Sets the page up for what the flow shows now; NULL for a page that never changes. */
  void (*prepare) (KioskPage *self);
};

/* The id kiosk_page_class_set_template() gives the "flow" property; a page's own properties
 * follow it. */
#define KIOSK_PAGE_PROP_FLOW 1

void        kiosk_page_class_set_template (GtkWidgetClass *widget_class,
                                           const char     *template_name);
void        kiosk_page_get_property       (GObject      *object,
                                           guint         prop_id,
                                           GValue       *value,
                                           GParamSpec   *pspec);
void        kiosk_page_set_property       (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec);
void        kiosk_page_dispose            (KioskPage    *self,
                                           GType         type);

KioskFlow  *kiosk_page_get_flow           (KioskPage    *self);
#define KIOSK_PAGE_FLOW(page) (kiosk_page_get_flow (KIOSK_PAGE (page)))
void        kiosk_page_prepare            (KioskPage    *self);

const char *kiosk_page_id_get_name        (KioskPageId   id);

G_END_DECLS

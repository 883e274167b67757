/* kiosk-page.c: the interface every page of the window implements. The construct-only "flow"
 * property is installed once here (as gnome-calendar's GcalView installs its shared properties)
 * and kept here too, so a page declares no copy of it; a page with no property of its own takes
 * its get_property and set_property from here as they are. */
#define G_LOG_DOMAIN "kiosk-page"

#include "config.h"

#include "kiosk-gui-enums.h"
#include "kiosk-page.h"
#include "kiosk-page-layout.h"

G_DEFINE_INTERFACE (KioskPage, kiosk_page, GTK_TYPE_WIDGET)

static GQuark flow_quark;

static void
kiosk_page_default_init (KioskPageInterface *iface)
{
  flow_quark = g_quark_from_static_string ("kiosk-page-flow");

  /**
   * KioskPage:flow:
   *
   * The visit the page shows; the page reads everything it shows from it.
   */
  g_object_interface_install_property (iface,
                                       g_param_spec_object ("flow", NULL, NULL, KIOSK_TYPE_FLOW,
                                                            G_PARAM_READWRITE |
                                                            G_PARAM_CONSTRUCT_ONLY |
                                                            G_PARAM_STATIC_STRINGS));
}

/* A page is ready for the visit under way as soon as it is built. */
static void
kiosk_page_real_constructed (GObject *object)
{
  GObjectClass *parent_class = g_type_class_peek_parent (G_OBJECT_GET_CLASS (object));

  parent_class->constructed (object);

  kiosk_page_prepare (KIOSK_PAGE (object));
}

/* Pages are final types, so the object's own type is the one whose template built it. */
static void
kiosk_page_real_dispose (GObject *object)
{
  GObjectClass *parent_class = g_type_class_peek_parent (G_OBJECT_GET_CLASS (object));

  kiosk_page_dispose (KIOSK_PAGE (object), G_OBJECT_TYPE (object));

  parent_class->dispose (object);
}

/**
 * kiosk_page_class_set_template:
 * @template_name: the page's template among the resources ("kiosk-thanks-page.ui")
 *
 * For a page's class_init, first: the template, the page layout, and the GObject side of a
 * page. "flow" gets the id %KIOSK_PAGE_PROP_FLOW and is kept by kiosk_page_get_property() and
 * kiosk_page_set_property(); constructed prepares the page once; dispose calls
 * kiosk_page_dispose(). A page with properties of its own, or more to set up or drop, sets its
 * own functions after this and passes "flow" on, prepares itself, or calls
 * kiosk_page_dispose().
 */
void
kiosk_page_class_set_template (GtkWidgetClass *widget_class,
                               const char     *template_name)
{
  GObjectClass *object_class = G_OBJECT_CLASS (widget_class);
  g_autofree char *path = g_strconcat (RESOURCE_PATH "/", template_name, NULL);

  object_class->get_property = kiosk_page_get_property;
  object_class->set_property = kiosk_page_set_property;
  object_class->constructed = kiosk_page_real_constructed;
  object_class->dispose = kiosk_page_real_dispose;
  g_object_class_override_property (object_class, KIOSK_PAGE_PROP_FLOW, "flow");

  gtk_widget_class_set_layout_manager_type (widget_class, KIOSK_TYPE_PAGE_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, path);
}

void
kiosk_page_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  if (prop_id == KIOSK_PAGE_PROP_FLOW)
    g_value_set_object (value, g_object_get_qdata (object, flow_quark));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

void
kiosk_page_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  if (prop_id == KIOSK_PAGE_PROP_FLOW)
    g_object_set_qdata_full (object, flow_quark, g_value_dup_object (value), g_object_unref);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/**
 * kiosk_page_dispose:
 * @type: the page's own type, whose template built its children
 *
 * For a page's dispose, before chaining up: drops the template's children, every child added
 * since, and the flow.
 */
void
kiosk_page_dispose (KioskPage *self,
                    GType      type)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), type);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_object_set_qdata (G_OBJECT (self), flow_quark, NULL);
}

/* Returns: (transfer none): the flow the page was built on */
KioskFlow *
kiosk_page_get_flow (KioskPage *self)
{
  g_return_val_if_fail (KIOSK_IS_PAGE (self), NULL);

  return g_object_get_qdata (G_OBJECT (self), flow_quark);
}

/**
 * kiosk_page_prepare:
 *
 * Called by the window each time the page comes on screen, before the next frame: the page
 * reads the visit now under way from its flow.
 */
void
kiosk_page_prepare (KioskPage *self)
{
  KioskPageInterface *iface;

  g_return_if_fail (KIOSK_IS_PAGE (self));

  iface = KIOSK_PAGE_GET_IFACE (self);
  if (iface->prepare != NULL)
    iface->prepare (self);
}

/* Returns: the page's nick ("follow-up"), for logs and file names; "none" for none */
const char *
kiosk_page_id_get_name (KioskPageId id)
{
  GEnumClass *enum_class = g_type_class_ref (KIOSK_TYPE_PAGE_ID);
  GEnumValue *value = g_enum_get_value (enum_class, id);

  /* The class stays: a static type's class is never freed. */
  g_type_class_unref (enum_class);
  g_return_val_if_fail (value != NULL, NULL);

  return value->value_nick;
}

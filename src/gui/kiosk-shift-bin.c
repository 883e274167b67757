/* kiosk-shift-bin.c: a screen that shows the same picture all day burns it in. This bin gives its
 * child the whole area and only translates it by a few pixels: no relayout, no change in size, so
 * a visitor sees nothing move, and the outermost pixels (page padding) fall off the edge. */
#define G_LOG_DOMAIN "kiosk-shift-bin"

#include "config.h"

#include "kiosk-shift-bin.h"

struct _KioskShiftBin
{
  GtkWidget  parent_instance;

  /* borrowed: our only child */
  GtkWidget *child;

  int        x;
  int        y;
};

static void kiosk_shift_bin_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskShiftBin, kiosk_shift_bin, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      kiosk_shift_bin_buildable_init))

static void
kiosk_shift_bin_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  KioskShiftBin *self = KIOSK_SHIFT_BIN (widget);

  *minimum = *natural = 0;
  if (self->child != NULL && gtk_widget_should_layout (self->child))
    gtk_widget_measure (self->child, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
kiosk_shift_bin_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  KioskShiftBin *self = KIOSK_SHIFT_BIN (widget);
  GskTransform *transform = NULL;

  if (self->child == NULL || !gtk_widget_should_layout (self->child))
    return;

  if (self->x != 0 || self->y != 0)
    transform = gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (self->x, self->y));
  gtk_widget_allocate (self->child, width, height, -1, transform);
}

static GtkSizeRequestMode
kiosk_shift_bin_get_request_mode (GtkWidget *widget)
{
  KioskShiftBin *self = KIOSK_SHIFT_BIN (widget);

  return self->child ? gtk_widget_get_request_mode (self->child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
kiosk_shift_bin_dispose (GObject *object)
{
  KioskShiftBin *self = KIOSK_SHIFT_BIN (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);

  G_OBJECT_CLASS (kiosk_shift_bin_parent_class)->dispose (object);
}

static void
kiosk_shift_bin_class_init (KioskShiftBinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_shift_bin_dispose;
  widget_class->measure = kiosk_shift_bin_measure;
  widget_class->size_allocate = kiosk_shift_bin_size_allocate;
  widget_class->get_request_mode = kiosk_shift_bin_get_request_mode;
}

static void
kiosk_shift_bin_init (KioskShiftBin *self)
{
  /* The edge that moves out of view is not drawn over anything else. */
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

/* So a template can hold the child. */
static void
kiosk_shift_bin_add_child (GtkBuildable *buildable,
                           GtkBuilder   *builder,
                           GObject      *child,
                           const char   *type)
{
  kiosk_shift_bin_set_child (KIOSK_SHIFT_BIN (buildable), GTK_WIDGET (child));
}

static void
kiosk_shift_bin_buildable_init (GtkBuildableIface *iface)
{
  iface->add_child = kiosk_shift_bin_add_child;
}

GtkWidget *
kiosk_shift_bin_new (void)
{
  return g_object_new (KIOSK_TYPE_SHIFT_BIN, NULL);
}

void
kiosk_shift_bin_set_child (KioskShiftBin *self,
                           GtkWidget     *child)
{
  g_return_if_fail (KIOSK_IS_SHIFT_BIN (self));

  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
}

/* Only a new allocation: the child is not measured again. */
void
kiosk_shift_bin_set_offset (KioskShiftBin *self,
                            int            x,
                            int            y)
{
  g_return_if_fail (KIOSK_IS_SHIFT_BIN (self));

  if (self->x == x && self->y == y)
    return;

  self->x = x;
  self->y = y;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

void
kiosk_shift_bin_get_offset (KioskShiftBin *self,
                            int           *x,
                            int           *y)
{
  g_return_if_fail (KIOSK_IS_SHIFT_BIN (self));

  if (x)
    *x = self->x;
  if (y)
    *y = self->y;
}

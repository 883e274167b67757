/* kiosk-face-view.c: draws SVG artwork from the GResource (through kiosk-artwork.c, with cairo),
 * rasterised at the size it is allocated (so it stays sharp from the Pi's 7" display to 1080p)
 * and square, centred. */
#define G_LOG_DOMAIN "kiosk-face-view"

#include "config.h"

#include "kiosk-artwork.h"
#include "kiosk-face-view.h"

struct _KioskFaceView
{
  GtkWidget   parent_instance;

  /* owned */
  char         *resource;
  KioskArtwork *artwork;
  GdkTexture   *texture;

  int         texture_size;   /* device pixels the texture was rasterised at */
};

enum {
  PROP_0,
  PROP_RESOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KioskFaceView, kiosk_face_view, GTK_TYPE_WIDGET)

#define NATURAL_SIZE 256
#define MINIMUM_SIZE 48

static void
load_texture (KioskFaceView *self,
              int            size)
{
  g_autoptr(GBytes) bytes = NULL;
  cairo_surface_t *surface;

  g_clear_object (&self->texture);
  self->texture_size = size;

  if (self->artwork == NULL || size <= 0)
    return;

  surface = kiosk_artwork_rasterise (self->artwork, size);
  /* Cairo's ARGB32 is GDK_MEMORY_DEFAULT: the pixels are taken over as they are. */
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) cairo_image_surface_get_stride (surface) * size,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  self->texture = gdk_memory_texture_new (size, size, GDK_MEMORY_DEFAULT, bytes,
                                          cairo_image_surface_get_stride (surface));
}

static GtkSizeRequestMode
kiosk_face_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
kiosk_face_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = MINIMUM_SIZE;

  /* Square: as tall as it is wide. */
  if (orientation == GTK_ORIENTATION_VERTICAL && for_size > 0)
    *natural = MAX (for_size, MINIMUM_SIZE);
  else
    *natural = NATURAL_SIZE;
}

static void
kiosk_face_view_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  KioskFaceView *self = KIOSK_FACE_VIEW (widget);
  int size = MIN (width, height) * gtk_widget_get_scale_factor (widget);

  if (size != self->texture_size)
    load_texture (self, size);
}

static void
kiosk_face_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  KioskFaceView *self = KIOSK_FACE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int side = MIN (width, height);

  if (self->texture == NULL || side <= 0)
    return;

  gtk_snapshot_append_texture (snapshot, self->texture,
                               &GRAPHENE_RECT_INIT ((width - side) / 2.f, (height - side) / 2.f,
                                                    side, side));
}

static void
kiosk_face_view_finalize (GObject *object)
{
  KioskFaceView *self = KIOSK_FACE_VIEW (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->artwork, kiosk_artwork_free);
  g_clear_pointer (&self->resource, g_free);

  G_OBJECT_CLASS (kiosk_face_view_parent_class)->finalize (object);
}

static void
kiosk_face_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KioskFaceView *self = KIOSK_FACE_VIEW (object);

  switch (prop_id)
    {
    case PROP_RESOURCE:
      g_value_set_string (value, self->resource);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_face_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KioskFaceView *self = KIOSK_FACE_VIEW (object);

  switch (prop_id)
    {
    case PROP_RESOURCE:
      kiosk_face_view_set_resource (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kiosk_face_view_class_init (KioskFaceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kiosk_face_view_finalize;
  object_class->get_property = kiosk_face_view_get_property;
  object_class->set_property = kiosk_face_view_set_property;

  widget_class->get_request_mode = kiosk_face_view_get_request_mode;
  widget_class->measure = kiosk_face_view_measure;
  widget_class->size_allocate = kiosk_face_view_size_allocate;
  widget_class->snapshot = kiosk_face_view_snapshot;

  properties[PROP_RESOURCE] =
    g_param_spec_string ("resource", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "faceview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kiosk_face_view_init (KioskFaceView *self)
{
}

GtkWidget *
kiosk_face_view_new (const char *resource)
{
  return g_object_new (KIOSK_TYPE_FACE_VIEW, "resource", resource, NULL);
}

const char *
kiosk_face_view_get_resource (KioskFaceView *self)
{
  g_return_val_if_fail (KIOSK_IS_FACE_VIEW (self), NULL);

  return self->resource;
}

void
kiosk_face_view_set_resource (KioskFaceView *self,
                              const char    *resource)
{
  g_return_if_fail (KIOSK_IS_FACE_VIEW (self));

  if (g_strcmp0 (self->resource, resource) == 0)
    return;

  g_free (self->resource);
  self->resource = g_strdup (resource);
  self->texture_size = 0;
  g_clear_object (&self->texture);
  g_clear_pointer (&self->artwork, kiosk_artwork_free);
  if (resource != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* The artwork ships in the GResource: a fault here is the build's, not the visitor's. */
      self->artwork = kiosk_artwork_load (resource, &error);
      if (self->artwork == NULL)
        g_critical ("Cannot draw %s: %s", resource, error->message);
    }
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESOURCE]);
}

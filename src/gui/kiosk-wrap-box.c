/* kiosk-wrap-box.c: a dozen language names fit one row on a 1280 px panel but need two on the
 * Pi's 800x480 and three on a portrait screen. Like words in a centred paragraph, each child
 * keeps its natural width, a row takes as many as fit, and every row is centred (GtkFlowBox
 * would align them in columns instead). Right to left, the rows run from the right. */
#define G_LOG_DOMAIN "kiosk-wrap-box"

#include "config.h"

#include "kiosk-wrap-box.h"

/* Between the rows; between children in a row, their margins space them. */
#define ROW_SPACING 4

struct _KioskWrapBox
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (KioskWrapBox, kiosk_wrap_box, GTK_TYPE_WIDGET)

typedef struct
{
  GtkWidget *child;
  int        width;
  int        height;
} Item;

/* The children laid out in rows for @width (-1: all in one row): each child's width, and the
 * index of the first child of each row. Returns the height all rows need. */
static int
layout_rows (KioskWrapBox *self,
             int           width,
             GArray       *items,
             GArray       *row_starts)
{
  int row_width = 0, row_height = 0, height = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Item item = { child, 0, 0 };
      int minimum;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &item.width, NULL,
                          NULL);
      if (width >= 0)
        item.width = MAX (minimum, MIN (item.width, width));
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, item.width, NULL, &item.height, NULL,
                          NULL);

      if (items->len == 0 || (width >= 0 && row_width + item.width > width))
        {
          if (items->len > 0)
            height += row_height + ROW_SPACING;
          g_array_append_val (row_starts, items->len);
          row_width = row_height = 0;
        }
      row_width += item.width;
      row_height = MAX (row_height, item.height);
      g_array_append_val (items, item);
    }

  return items->len > 0 ? height + row_height : 0;
}

static GtkSizeRequestMode
kiosk_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
kiosk_wrap_box_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  KioskWrapBox *self = KIOSK_WRAP_BOX (widget);
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Item));
  g_autoptr(GArray) row_starts = g_array_new (FALSE, FALSE, sizeof (guint));

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = layout_rows (self, for_size, items, row_starts);
      return;
    }

  /* As narrow as the widest child, one row at best. */
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_minimum, child_natural;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_minimum, &child_natural,
                          NULL, NULL);
      *minimum = MAX (*minimum, child_minimum);
      *natural += child_natural;
    }
}

static void
kiosk_wrap_box_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  KioskWrapBox *self = KIOSK_WRAP_BOX (widget);
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Item));
  g_autoptr(GArray) row_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int y = 0;

  layout_rows (self, width, items, row_starts);
  for (guint r = 0; r < row_starts->len; r++)
    {
      guint first = g_array_index (row_starts, guint, r);
      guint end = r + 1 < row_starts->len ? g_array_index (row_starts, guint, r + 1) : items->len;
      int row_width = 0, row_height = 0, x;

      for (guint i = first; i < end; i++)
        {
          row_width += g_array_index (items, Item, i).width;
          row_height = MAX (row_height, g_array_index (items, Item, i).height);
        }

      x = (width - row_width) / 2;
      for (guint i = first; i < end; i++)
        {
          Item *item = &g_array_index (items, Item, i);
          int left = rtl ? width - x - item->width : x;

          gtk_widget_size_allocate (item->child,
                                    &(GtkAllocation) { left, y, item->width, row_height }, -1);
          x += item->width;
        }
      y += row_height + ROW_SPACING;
    }
}

static void
kiosk_wrap_box_dispose (GObject *object)
{
  kiosk_wrap_box_remove_all (KIOSK_WRAP_BOX (object));

  G_OBJECT_CLASS (kiosk_wrap_box_parent_class)->dispose (object);
}

static void
kiosk_wrap_box_class_init (KioskWrapBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kiosk_wrap_box_dispose;
  widget_class->get_request_mode = kiosk_wrap_box_get_request_mode;
  widget_class->measure = kiosk_wrap_box_measure;
  widget_class->size_allocate = kiosk_wrap_box_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "wrapbox");
}

static void
kiosk_wrap_box_init (KioskWrapBox *self)
{
}

GtkWidget *
kiosk_wrap_box_new (void)
{
  return g_object_new (KIOSK_TYPE_WRAP_BOX, NULL);
}

void
kiosk_wrap_box_append (KioskWrapBox *self,
                       GtkWidget    *child)
{
  g_return_if_fail (KIOSK_IS_WRAP_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_widget_set_parent (child, GTK_WIDGET (self));
}

void
kiosk_wrap_box_remove_all (KioskWrapBox *self)
{
  GtkWidget *child;

  g_return_if_fail (KIOSK_IS_WRAP_BOX (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
}

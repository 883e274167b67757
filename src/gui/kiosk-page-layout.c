/* kiosk-page-layout.c: the layout of every page. A window's minimum height is measured at its
 * minimum width, where every label wraps word by word and the options stack one per line: a page
 * asking for that height would push the window past the screen. A page therefore asks for no
 * height at all, and gets the screen's; the tests check that at the screen sizes kiosks have, its
 * content fits. (A GtkScrolledWindow would do the same, but in GTK 4.8 it keeps a page it was
 * shown in alive after the page is removed, so pages rebuilt for a language would leak.) */
#define G_LOG_DOMAIN "kiosk-page-layout"

#include "config.h"

#include "kiosk-page-layout.h"

struct _KioskPageLayout
{
  GtkLayoutManager parent_instance;
};

G_DEFINE_FINAL_TYPE (KioskPageLayout, kiosk_page_layout, GTK_TYPE_LAYOUT_MANAGER)

static GtkSizeRequestMode
kiosk_page_layout_get_request_mode (GtkLayoutManager *manager,
                                    GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
kiosk_page_layout_measure (GtkLayoutManager *manager,
                           GtkWidget        *widget,
                           GtkOrientation    orientation,
                           int               for_size,
                           int              *minimum,
                           int              *natural,
                           int              *minimum_baseline,
                           int              *natural_baseline)
{
  *minimum = *natural = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0, child_nat = 0;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
    }

  if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = 0;
}

static void
kiosk_page_layout_allocate (GtkLayoutManager *manager,
                            GtkWidget        *widget,
                            int               width,
                            int               height,
                            int               baseline)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;

      if (!gtk_widget_should_layout (child))
        continue;

      /* Never less than the child needs: on a screen too small, the bottom is cut off rather
       * than squeezed into overlapping widgets. */
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &child_min, NULL, NULL, NULL);
      gtk_widget_allocate (child, width, MAX (height, child_min), -1, NULL);
    }
}

static void
kiosk_page_layout_class_init (KioskPageLayoutClass *klass)
{
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  layout_class->get_request_mode = kiosk_page_layout_get_request_mode;
  layout_class->measure = kiosk_page_layout_measure;
  layout_class->allocate = kiosk_page_layout_allocate;
}

static void
kiosk_page_layout_init (KioskPageLayout *self)
{
}

/**
 * kiosk_page_wrap_button_labels:
 * @css_class: the big buttons' style class ("step-button")
 *
 * Lets the labels of the big buttons under @root wrap, so a long translation ("Ja, kontaktieren
 * Sie mich") takes two lines on a narrow portrait screen instead of widening the page.
 */
void
kiosk_page_wrap_button_labels (GtkWidget  *root,
                               const char *css_class)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_has_css_class (root, css_class) &&
      GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (root))))
    {
      GtkLabel *label = GTK_LABEL (gtk_button_get_child (GTK_BUTTON (root)));

      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_wrap_mode (label, PANGO_WRAP_WORD);
      gtk_label_set_justify (label, GTK_JUSTIFY_CENTER);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    kiosk_page_wrap_button_labels (child, css_class);
}

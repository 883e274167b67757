/* kiosk-follow-up-page.c: asks the follow-up of the face just tapped. Options are big buttons
 * that activate "follow-up.toggle" with their stable id; what is selected is read back from the
 * flow, so the page holds no answer of its own. */
#define G_LOG_DOMAIN "kiosk-follow-up-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-countdown.h"
#include "kiosk-follow-up-page.h"
#include "kiosk-page-layout.h"

struct _KioskFollowUpPage
{
  GtkWidget   parent_instance;

  /* template widgets */
  GtkLabel   *question_label;
  GtkLabel   *hint_label;
  GtkWidget  *countdown;
  GtkFlowBox *options_box;
  GtkButton  *next_button;

  GPtrArray  *option_buttons;
};

static void kiosk_follow_up_page_iface_init (KioskPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskFollowUpPage, kiosk_follow_up_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE,
                                                      kiosk_follow_up_page_iface_init))

static void
update_selection (KioskFollowUpPage *self)
{
  for (guint i = 0; i < self->option_buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->option_buttons, i);
      const char *id = g_object_get_data (G_OBJECT (button), "option-id");
      gboolean selected = kiosk_flow_is_option_selected (KIOSK_PAGE_FLOW (self), id);

      if (selected)
        gtk_widget_add_css_class (button, "selected");
      else
        gtk_widget_remove_css_class (button, "selected");
      gtk_accessible_update_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_PRESSED,
                                   selected ? GTK_ACCESSIBLE_TRISTATE_TRUE
                                            : GTK_ACCESSIBLE_TRISTATE_FALSE, -1);
    }
}

static GtkWidget *
make_option (KioskFollowUp *follow_up,
             guint          index,
             const char    *language)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *check = gtk_label_new ("✓");
  GtkWidget *label = gtk_label_new (kiosk_follow_up_get_option_label (follow_up, index, language));
  const char *id = kiosk_follow_up_get_option_id (follow_up, index);

  gtk_widget_add_css_class (check, "check");
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_accessible_update_state (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "option-label");
  gtk_box_append (GTK_BOX (box), check);
  gtk_box_append (GTK_BOX (box), label);

  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "follow-up.toggle");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "option");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  g_object_set_data_full (G_OBJECT (button), "option-id", g_strdup (id), g_free);

  return button;
}

/* Shows the follow-up of the visit that is starting, in the visitor's language. */
static void
kiosk_follow_up_page_prepare (KioskPage *page)
{
  KioskFollowUpPage *self = KIOSK_FOLLOW_UP_PAGE (page);
  KioskFlow *flow = kiosk_page_get_flow (page);
  KioskFollowUp *follow_up;
  const char *language;
  GtkWidget *child;
  guint n;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->options_box))) != NULL)
    gtk_flow_box_remove (self->options_box, child);
  g_ptr_array_set_size (self->option_buttons, 0);

  follow_up = kiosk_flow_get_follow_up (flow);
  if (follow_up == NULL)
    return;

  language = kiosk_flow_get_language (flow);
  gtk_label_set_label (self->question_label,
                       kiosk_follow_up_get_question (follow_up, language));

  if (kiosk_follow_up_get_choice (follow_up) == KIOSK_CHOICE_MULTIPLE)
    /* Translators: under a follow-up question whose options can all be chosen */
    gtk_label_set_label (self->hint_label, _("Choose as many as you like"));
  else
    /* Translators: under a follow-up question that takes one answer */
    gtk_label_set_label (self->hint_label, _("Choose one"));

  /* "Next" when a comment or contact step follows, "Done" when this is the last step. */
  if (kiosk_follow_up_has_comment (follow_up) || kiosk_follow_up_has_contact (follow_up))
    /* Translators: button that goes on to the next step of the follow-up */
    gtk_button_set_label (self->next_button, _("Next"));
  else
    /* Translators: button that sends the chosen answers and ends the follow-up */
    gtk_button_set_label (self->next_button, _("Done"));

  n = kiosk_follow_up_get_n_options (follow_up);
  /* Two rows of two look calmer than three and one. */
  gtk_flow_box_set_max_children_per_line (self->options_box, n == 4 ? 2 : MIN (n, 3));
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *button = make_option (follow_up, i, language);

      g_ptr_array_add (self->option_buttons, button);
      gtk_flow_box_append (self->options_box, button);
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }

  update_selection (self);
}

static void
kiosk_follow_up_page_constructed (GObject *object)
{
  KioskFollowUpPage *self = KIOSK_FOLLOW_UP_PAGE (object);
  KioskFlow *flow = KIOSK_PAGE_FLOW (self);

  G_OBJECT_CLASS (kiosk_follow_up_page_parent_class)->constructed (object);

  kiosk_countdown_set_flow (KIOSK_COUNTDOWN (self->countdown), flow);
  g_signal_connect_object (flow, "notify::selection", G_CALLBACK (update_selection), self,
                           G_CONNECT_SWAPPED);
  kiosk_follow_up_page_prepare (KIOSK_PAGE (self));
  kiosk_page_wrap_button_labels (GTK_WIDGET (self), "step-button");
}

static void
kiosk_follow_up_page_iface_init (KioskPageInterface *iface)
{
  iface->prepare = kiosk_follow_up_page_prepare;
}

static void
kiosk_follow_up_page_dispose (GObject *object)
{
  KioskFollowUpPage *self = KIOSK_FOLLOW_UP_PAGE (object);

  kiosk_page_dispose (KIOSK_PAGE (self), KIOSK_TYPE_FOLLOW_UP_PAGE);
  g_clear_pointer (&self->option_buttons, g_ptr_array_unref);

  G_OBJECT_CLASS (kiosk_follow_up_page_parent_class)->dispose (object);
}

static void
kiosk_follow_up_page_class_init (KioskFollowUpPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-follow-up-page.ui");
  object_class->constructed = kiosk_follow_up_page_constructed;
  object_class->dispose = kiosk_follow_up_page_dispose;

  g_type_ensure (KIOSK_TYPE_COUNTDOWN);

  gtk_widget_class_bind_template_child (widget_class, KioskFollowUpPage, question_label);
  gtk_widget_class_bind_template_child (widget_class, KioskFollowUpPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, KioskFollowUpPage, countdown);
  gtk_widget_class_bind_template_child (widget_class, KioskFollowUpPage, options_box);
  gtk_widget_class_bind_template_child (widget_class, KioskFollowUpPage, next_button);
}

static void
kiosk_follow_up_page_init (KioskFollowUpPage *self)
{
  self->option_buttons = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

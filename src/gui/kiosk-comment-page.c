/* kiosk-comment-page.c: the comment step. What the visitor types goes to the flow as it is typed
 * (so a timeout keeps it too), held to the survey's length limit, which the keyboard shows. */
#define G_LOG_DOMAIN "kiosk-comment-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-comment-page.h"
#include "kiosk-countdown.h"
#include "kiosk-keyboard.h"
#include "kiosk-page-layout.h"

struct _KioskCommentPage
{
  GtkWidget    parent_instance;

  /* template widgets */
  GtkLabel    *prompt_label;
  GtkWidget   *countdown;
  GtkTextView *text_view;
  GtkWidget   *keyboard;

  gboolean     preparing;
};

static void kiosk_comment_page_iface_init (KioskPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KioskCommentPage, kiosk_comment_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (KIOSK_TYPE_PAGE,
                                                      kiosk_comment_page_iface_init))

char *
kiosk_comment_page_dup_text (KioskCommentPage *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (KIOSK_IS_COMMENT_PAGE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
buffer_changed_cb (KioskCommentPage *self)
{
  g_autofree char *text = NULL;

  if (self->preparing || kiosk_flow_get_state (KIOSK_PAGE_FLOW (self)) != KIOSK_FLOW_COMMENT)
    return;

  text = kiosk_comment_page_dup_text (self);
  kiosk_flow_set_comment (KIOSK_PAGE_FLOW (self), text);
}

/* Sets the page up for the visit now on screen: its prompt, language, limit and text. */
static void
kiosk_comment_page_prepare (KioskPage *page)
{
  KioskCommentPage *self = KIOSK_COMMENT_PAGE (page);
  KioskFlow *flow = kiosk_page_get_flow (page);
  KioskFollowUp *follow_up = kiosk_flow_get_follow_up (flow);
  const char *language = kiosk_flow_get_language (flow);
  const char *comment = kiosk_flow_get_comment (flow);
  guint max_length = kiosk_flow_get_comment_max_length (flow);

  if (max_length == 0 && follow_up != NULL)
    max_length = kiosk_follow_up_get_comment_max_length (follow_up);

  if (follow_up != NULL && kiosk_follow_up_has_comment (follow_up))
    gtk_label_set_label (self->prompt_label,
                         kiosk_follow_up_get_comment_prompt (follow_up, language));
  else
    /* Translators: heading of the comment step when the survey gives no prompt of its own */
    gtk_label_set_label (self->prompt_label, _("Anything else you would like to tell us?"));

  self->preparing = TRUE;
  kiosk_keyboard_set_layout (KIOSK_KEYBOARD (self->keyboard), language);
  kiosk_keyboard_set_max_length (KIOSK_KEYBOARD (self->keyboard), max_length);
  /* A sentence starts with a capital, where the script has them. */
  kiosk_keyboard_set_shifted (KIOSK_KEYBOARD (self->keyboard),
                              kiosk_keyboard_has_capitals (KIOSK_KEYBOARD (self->keyboard)));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), comment ? comment : "",
                            -1);
  self->preparing = FALSE;

  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
kiosk_comment_page_constructed (GObject *object)
{
  KioskCommentPage *self = KIOSK_COMMENT_PAGE (object);

  G_OBJECT_CLASS (kiosk_comment_page_parent_class)->constructed (object);

  kiosk_page_wrap_button_labels (GTK_WIDGET (self), "step-button");
  kiosk_countdown_set_flow (KIOSK_COUNTDOWN (self->countdown), KIOSK_PAGE_FLOW (self));
  kiosk_keyboard_set_target (KIOSK_KEYBOARD (self->keyboard), GTK_WIDGET (self->text_view));
  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);
  kiosk_comment_page_prepare (KIOSK_PAGE (self));
}

static void
kiosk_comment_page_iface_init (KioskPageInterface *iface)
{
  iface->prepare = kiosk_comment_page_prepare;
}

static void
kiosk_comment_page_class_init (KioskCommentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  kiosk_page_class_set_template (widget_class, "kiosk-comment-page.ui");
  object_class->constructed = kiosk_comment_page_constructed;

  g_type_ensure (KIOSK_TYPE_COUNTDOWN);
  g_type_ensure (KIOSK_TYPE_KEYBOARD);

  gtk_widget_class_bind_template_child (widget_class, KioskCommentPage, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, KioskCommentPage, countdown);
  gtk_widget_class_bind_template_child (widget_class, KioskCommentPage, text_view);
  gtk_widget_class_bind_template_child (widget_class, KioskCommentPage, keyboard);
}

static void
kiosk_comment_page_init (KioskCommentPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

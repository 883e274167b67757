/* kiosk-demo-texts.c: the built-in demo survey's texts (data/demo-survey.json) for
 * xgettext, so po/smiley-kiosk.pot carries them and a catalogue translates the demo.
 * Written by data/demo-survey-texts.py; do not edit (a test checks it agrees). */
#include "config.h"

#include <glib/gi18n.h>

#include "kiosk-survey.h"

const char * const kiosk_demo_texts[] = {
  /* Translators: the demo survey's texts: the question above the faces
   * (question) */
  NC_("demo survey", "How was your visit today?"),
  /* Translators: the demo survey's texts: the follow-up question after a face
   * (follow_up.negative.question) */
  NC_("demo survey", "What could we do better?"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.negative.options[0].label) */
  NC_("demo survey", "Waiting time"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.negative.options[1].label) */
  NC_("demo survey", "Friendliness of the staff"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.negative.options[2].label) */
  NC_("demo survey", "Cleanliness"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.negative.options[3].label) */
  NC_("demo survey", "Products out of stock"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.negative.options[4].label) */
  NC_("demo survey", "Prices"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.negative.options[5].label) */
  NC_("demo survey", "Something else"),
  /* Translators: the demo survey's texts: the prompt above the comment field
   * (follow_up.negative.comment.prompt) */
  NC_("demo survey", "Tell us more (optional)"),
  /* Translators: the demo survey's texts: the consent text on the contact request page
   * (follow_up.negative.contact.consent) */
  NC_("demo survey", "Yes, you may contact me about my feedback. My details are used for this only."),
  /* Translators: the demo survey's texts: the follow-up question after a face
   * (follow_up.positive.question) */
  NC_("demo survey", "What did you like most?"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.positive.options[0].label) */
  NC_("demo survey", "Friendly staff"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.positive.options[1].label) */
  NC_("demo survey", "Quick service"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.positive.options[2].label) */
  NC_("demo survey", "Good selection"),
  /* Translators: the demo survey's texts: an option of the follow-up question, on a big button
   * (follow_up.positive.options[3].label) */
  NC_("demo survey", "Pleasant atmosphere"),
  /* Translators: the demo survey's texts: the thank-you title after a vote
   * (thank_you) */
  NC_("demo survey", "Thank you for your feedback!"),
  NULL
};

/* kiosk-enums.c: an enum value's name for a log line. */
#define G_LOG_DOMAIN "kiosk-enums"

#include "config.h"

#include "kiosk-enums.h"

/**
 * kiosk_enum_nick:
 * @enum_type: one of the core's enum types, such as %KIOSK_TYPE_FLOW_STATE
 *
 * Returns: (transfer none): @value's nick ("follow-up"), or "unknown" for a value the type does
 *   not have
 */
const char *
kiosk_enum_nick (GType enum_type,
                 int   value)
{
  /* The class is kept: the core's enum types are static and live as long as the process. */
  GEnumClass *klass = g_type_class_ref (enum_type);
  GEnumValue *found = g_enum_get_value (klass, value);

  return found != NULL ? found->value_nick : "unknown";
}

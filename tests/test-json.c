/* test-json.c: the strict JSON reader the server decodes batches with: values and lookups, what
 * json-glib did that it keeps (a name sent twice, \u0000, a byte order mark), and every kind of
 * text that is not JSON refused with where and what was expected. */
#define G_LOG_DOMAIN "test-json"

#include "config.h"

#include <string.h>

#include "kiosk-json.h"

static KioskJson *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  KioskJson *json = kiosk_json_parse (text, strlen (text), 16, &error);

  g_assert_no_error (error);
  g_assert_nonnull (json);
  return json;
}

static void
test_values (void)
{
  g_autoptr(KioskJson) json = parse_ok (" {\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac"
                                        "\\ud83d\\ude00é\",\"i\":-42,\"big\":9223372036854775807,"
                                        "\"min\":-9223372036854775808,\"f\":1.5,\"e\":1e3,"
                                        "\"z\":-0,\"t\":true,\"n\":null,\"a\":[1,[],{}],"
                                        "\"o\":{}} \r\n\t");
  const KioskJsonValue *root = kiosk_json_get_root (json);
  const KioskJsonValue *v;

  g_assert_true (kiosk_json_is (root, KIOSK_JSON_OBJECT));
  g_assert_cmpuint (kiosk_json_get_length (root), ==, 11);

  v = kiosk_json_object_get (root, "s");
  g_assert_true (kiosk_json_is (v, KIOSK_JSON_STRING));
  g_assert_cmpstr (kiosk_json_get_string (v), ==, "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac"
                   "\xf0\x9f\x98\x80\xc3\xa9");
  g_assert_cmpuint (v->size, ==, strlen (kiosk_json_get_string (v)));
  g_assert_false (v->bad_text);

  v = kiosk_json_object_get (root, "i");
  g_assert_true (kiosk_json_is (v, KIOSK_JSON_INTEGER));
  g_assert_cmpint (v->v.integer, ==, -42);
  g_assert_cmpint (kiosk_json_object_get (root, "big")->v.integer, ==, G_MAXINT64);
  g_assert_cmpint (kiosk_json_object_get (root, "min")->v.integer, ==, G_MININT64);
  g_assert_cmpint (kiosk_json_object_get (root, "z")->v.integer, ==, 0);
  v = kiosk_json_object_get (root, "f");
  g_assert_true (kiosk_json_is (v, KIOSK_JSON_NUMBER));
  g_assert_cmpfloat (v->v.number, ==, 1.5);
  g_assert_cmpfloat (kiosk_json_object_get (root, "e")->v.number, ==, 1000.0);
  g_assert_true (kiosk_json_object_get (root, "t")->v.boolean);
  g_assert_true (kiosk_json_is (kiosk_json_object_get (root, "n"), KIOSK_JSON_NULL));

  v = kiosk_json_object_get (root, "a");
  g_assert_cmpuint (kiosk_json_get_length (v), ==, 3);
  g_assert_cmpint (kiosk_json_array_get (v, 0)->v.integer, ==, 1);
  g_assert_cmpuint (kiosk_json_get_length (kiosk_json_array_get (v, 1)), ==, 0);
  g_assert_true (kiosk_json_is (kiosk_json_array_get (v, 2), KIOSK_JSON_OBJECT));
  g_assert_cmpuint (kiosk_json_get_length (kiosk_json_object_get (root, "o")), ==, 0);
  g_assert_null (kiosk_json_object_get (root, "missing"));
  g_assert_null (kiosk_json_object_get (root, ""));
}

/* An integer beyond gint64 is a number, not a wrapped integer (json-glib read 2^64 - 1 as -1). */
static void
test_integer_overflow (void)
{
  static const char * const texts[] = {
    "9223372036854775808", "-9223372036854775809", "18446744073709551615",
    "18446744073709551616", "99999999999999999999999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(KioskJson) json = parse_ok (texts[i]);

      g_assert_true (kiosk_json_is (kiosk_json_get_root (json), KIOSK_JSON_NUMBER));
    }
}

/* What json-glib did, kept because a batch's result depends on it. */
static void
test_json_glib_compatible (void)
{
  g_autoptr(KioskJson) dup = parse_ok ("{\"a\":1,\"b\":2,\"a\":3}");
  g_autoptr(KioskJson) nul = parse_ok ("{\"id\\u0000x\":\"ab\\u0000\\ud800c\",\"id\":1,"
                                       "\"id\\u0000y\":\"last\"}");
  g_autoptr(KioskJson) bom = parse_ok ("\xef\xbb\xbf [1]");
  g_autoptr(KioskJson) space = parse_ok (" \n\t\r ");
  g_autoptr(KioskJson) bom_only = parse_ok ("\xef\xbb\xbf");
  const KioskJsonValue *v;

  /* a name sent twice: its last value */
  g_assert_cmpuint (kiosk_json_get_length (kiosk_json_get_root (dup)), ==, 3);
  g_assert_cmpint (kiosk_json_object_get (kiosk_json_get_root (dup), "a")->v.integer, ==, 3);

  /* \u0000 ends a string as a C string, a name too; what follows does not count */
  v = kiosk_json_object_get (kiosk_json_get_root (nul), "id");
  g_assert_cmpstr (kiosk_json_get_string (v), ==, "last");
  v = &kiosk_json_get_root (nul)->v.members[0].value;
  g_assert_cmpstr (kiosk_json_get_string (v), ==, "ab");
  g_assert_cmpuint (v->size, ==, 2);
  g_assert_false (v->bad_text);

  g_assert_true (kiosk_json_is (kiosk_json_get_root (bom), KIOSK_JSON_ARRAY));
  g_assert_null (kiosk_json_get_root (space));
  g_assert_null (kiosk_json_get_root (bom_only));
}

/* A lone surrogate escape is an error of its string only, whatever follows it. */
static void
test_lone_surrogate (void)
{
  static const char * const strings[] = {
    "\"\\ud800\"", "\"a\\ud800x\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\"",
    "\"\\udc00\\ud800\"", "\"\\ud800\\n\"", "\"x\\ud800\\u0000\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree char *text = g_strdup_printf ("[%s,\"ok\"]", strings[i]);
      g_autoptr(KioskJson) json = parse_ok (text);
      const KioskJsonValue *root = kiosk_json_get_root (json);
      const KioskJsonValue *bad = kiosk_json_array_get (root, 0);

      g_test_message ("%s", strings[i]);
      g_assert_true (bad->bad_text);
      g_assert_false (g_utf8_validate (kiosk_json_get_string (bad), -1, NULL));
      g_assert_false (kiosk_json_array_get (root, 1)->bad_text);
    }
}

typedef struct
{
  const char *text;
  int         code;
  const char *message;   /* the whole message */
} Bad;

static void
test_not_json (void)
{
  static const Bad bad[] = {
    { "<html>", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 1 (byte 1): expected a value, found “<”" },
    { "[1,\n 2,]", KIOSK_JSON_ERROR_SYNTAX,
      "line 2, column 4 (byte 8): expected a value, found “]”" },
    { "[1 2]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 4 (byte 4): expected “,” or “]” after an element of an array, found “2”" },
    { "{\"a\" 1}", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 6 (byte 6): expected “:” after a member name, found “1”" },
    { "{\"a\":1 \"b\":2}", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 8 (byte 8): expected “,” or "
      "“}” after a member of an object, found “\"”" },
    { "{'a':1}", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 2 (byte 2): expected a member name (a "
      "string in double quotes), found “'”" },
    { "[1] [2]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 5 (byte 5): expected the end of the text after the value, found “[”" },
    { "/* c */ []", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 1 (byte 1): expected a value, found “/”" },
    { "var x = [];", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 1 (byte 1): expected a value, found “v”" },
    { "[tru]", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 2 (byte 2): expected a value, found “t”" },
    { "[NaN]", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 2 (byte 2): expected a value, found “N”" },
    { "[0x10]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 3 (byte 3): expected “,” or “]” after an element of an array, found “x”" },
    { "[010]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 3 (byte 3): expected “,” or “]” after an element of an array, found “1”" },
    { "[.5]", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 2 (byte 2): expected a value, found “.”" },
    { "[1.]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 4 (byte 4): expected a digit after the decimal point, found “]”" },
    { "[1e+]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 5 (byte 5): expected a digit in the exponent, found “]”" },
    { "[- 1]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 3 (byte 3): expected a digit after “-”, found U+0020" },
    { "[+1]", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 2 (byte 2): expected a value, found “+”" },
    { "[\"é\ta\"]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 4 (byte 5): U+0009 in a string (a control character must be escaped)" },
    { "[\"\\x41\"]", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 3 (byte 3): expected an escape "
      "(\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u) after the backslash, found “x”" },
    { "[\"\\u12\"]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 3 (byte 3): “\\u” is not followed by four hex digits" },
    { "[\"abc", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 2 (byte 2): a string that starts here has no closing quote" },
    { "[\"a\xff\"]", KIOSK_JSON_ERROR_SYNTAX, "line 1, column 4 (byte 4): the text is not UTF-8" },
    { "[\"\xed\xa0\x80\"]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 3 (byte 3): the text is not UTF-8" },
    { "[\xc2\xa0]", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 2 (byte 2): expected a value, found U+00A0" },
    { "[", KIOSK_JSON_ERROR_SYNTAX,
      "line 1, column 2 (byte 2): expected a value, found the end of the text" },
    { "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", KIOSK_JSON_ERROR_DEPTH,
      "line 1, column 17 (byte 17): arrays and objects are nested deeper than 16 levels" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KioskJson) json = NULL;

      g_test_message ("%s", bad[i].text);
      json = kiosk_json_parse (bad[i].text, strlen (bad[i].text), 16, &error);
      g_assert_null (json);
      g_assert_error (error, KIOSK_JSON_ERROR, bad[i].code);
      g_assert_cmpstr (error->message, ==, bad[i].message);
    }
}

/* 16 levels are fine; the text need not end in a NUL. */
static void
test_depth_and_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KioskJson) deep = parse_ok ("[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]");
  g_autoptr(KioskJson) prefix = kiosk_json_parse ("[12]34", 4, 16, &error);
  g_autoptr(KioskJson) number = kiosk_json_parse ("1234", 2, 16, &error);

  g_assert_no_error (error);
  g_assert_cmpint (kiosk_json_array_get (kiosk_json_get_root (prefix), 0)->v.integer, ==, 12);
  g_assert_cmpint (kiosk_json_get_root (number)->v.integer, ==, 12);
  g_assert_true (kiosk_json_is (kiosk_json_get_root (deep), KIOSK_JSON_ARRAY));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/values", test_values);
  g_test_add_func ("/json/integer-overflow", test_integer_overflow);
  g_test_add_func ("/json/json-glib-compatible", test_json_glib_compatible);
  g_test_add_func ("/json/lone-surrogate", test_lone_surrogate);
  g_test_add_func ("/json/not-json", test_not_json);
  g_test_add_func ("/json/depth-and-length", test_depth_and_length);

  return g_test_run ();
}

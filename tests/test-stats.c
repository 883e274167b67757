/* test-stats.c: per-face counts and the Happy Index, checked against HappyOrNot's own example. */
#define G_LOG_DOMAIN "test-stats"

#include "config.h"

#include <math.h>

#include "kiosk-stats.h"

/* HappyOrNot's published example: 126 very happy, 60 happy, 16 unhappy, 17 very unhappy
 * gives a Happy Index of 78. */
static void
test_happy_index_published_example (void)
{
  KioskFaceCounts counts = { .scale = 4, .faces = { 17, 16, 60, 126 } };
  double index = -1;

  g_assert_true (kiosk_happy_index (&counts, &index));
  g_assert_cmpfloat_with_epsilon (index, 100.0 * 514 / 657, 1e-9);
  g_assert_cmpfloat (round (index), ==, 78);
}

static void
test_happy_index_bounds (void)
{
  KioskFaceCounts all_best = { .scale = 4, .faces = { 0, 0, 0, 5 } };
  KioskFaceCounts all_worst = { .scale = 4, .faces = { 9, 0, 0, 0 } };
  KioskFaceCounts none = { .scale = 4 };
  double index;

  g_assert_true (kiosk_happy_index (&all_best, &index));
  g_assert_cmpfloat (index, ==, 100);
  g_assert_true (kiosk_happy_index (&all_worst, &index));
  g_assert_cmpfloat (index, ==, 0);
  g_assert_false (kiosk_happy_index (&none, &index));
}

/* Misuse is counted on its own and never moves the index. */
static void
test_misuse_excluded (void)
{
  KioskFaceCounts counts = { .scale = 4, .faces = { 17, 16, 60, 126 }, .misuse = 1000 };
  double index;

  g_assert_cmpuint (kiosk_face_counts_total (&counts), ==, 219);
  g_assert_true (kiosk_happy_index (&counts, &index));
  g_assert_cmpfloat (round (index), ==, 78);
}

static void
test_format (void)
{
  KioskFaceCounts counts = { .scale = 4, .faces = { 17, 16, 60, 126 }, .misuse = 3 };
  KioskFaceCounts none = { .scale = 4 };
  g_autofree char *text = kiosk_face_counts_format (&counts, "Today");
  g_autofree char *empty = kiosk_face_counts_format (&none, "Today");

  g_assert_cmpstr (text, ==,
                   "Today\n"
                   "  Very happy          126\n"
                   "  Happy                60\n"
                   "  Unhappy              16\n"
                   "  Very unhappy         17\n"
                   "  Total               219\n"
                   "  Misuse                3\n"
                   "  Happy Index          78\n");
  g_assert_true (g_str_has_suffix (empty, "  Happy Index        none\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stats/happy-index/published-example", test_happy_index_published_example);
  g_test_add_func ("/stats/happy-index/bounds", test_happy_index_bounds);
  g_test_add_func ("/stats/misuse-excluded", test_misuse_excluded);
  g_test_add_func ("/stats/format", test_format);

  return g_test_run ();
}

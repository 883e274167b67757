/* smiley-kiosk-session: the main process of smiley-kiosk.service. It runs the compositor (cage,
 * with the kiosk inside), relays the kiosk's sd_notify(3) messages to systemd, and takes the whole
 * session down when the service stops.
 *
 * Why it exists: the service opens a PAM session (PAMName=) so that logind hands the seat (DRM,
 * input) to an unprivileged user. pam_systemd then moves the service's processes into a session
 * scope, and from there systemd credits a notification from any process but the main one to that
 * scope, not to the service, whatever NotifyAccess= says (systemd.exec(5), PAMName=). So the kiosk,
 * a child of cage, cannot reach systemd directly: it sends READY=1 and WATCHDOG=1 to a socket of
 * ours, and we forward them as the main process. For the same reason systemd signals only us when
 * the service stops or the watchdog fires, and we pass the signal on to cage and the kiosk.
 *
 * The kiosk needs nothing special: it calls sd_notify() as usual, with NOTIFY_SOCKET pointing here.
 * WATCHDOG_PID is removed from its environment (it named us), WATCHDOG_USEC is kept.
 *
 * The screen's rotation ([display] rotation in kiosk.conf, for a screen mounted sideways or upside
 * down) is the compositor's to apply, touch input included: when COMMAND is cage, it is given one
 * -r for every 90 degrees clockwise. The kiosk itself checks the key (--check-config, and the
 * first-boot import, name a wrong value with its line); a value it would refuse rotates nothing.
 *
 * cage is started with WLR_LIBINPUT_NO_DEVICES=1 only when no input device is there for it (a
 * kiosk with physical buttons only, which udev reserves for the kiosk): with the variable set,
 * wlroots 0.15 takes the devices libinput finds at start only when their first event arrives,
 * and the press of that event is lost, so every start would lose its first touch. A value in the
 * service's environment (/etc/default/smiley-kiosk) is kept as it is.
 *
 * Touch follows the picture: cage turns its output, but wlroots 0.15 places an absolute
 * position (a touchscreen, qemu's tablet) on the turned output without turning it. Run as root
 * before the session (--calibrate-touch, the unit's ExecStartPre=+), this writes the rotation's
 * libinput calibration matrix as a runtime udev rule for every input device, and has udev apply
 * it; at rotation 0 the rule is removed. A restart that finds the rule as it would write it
 * leaves udev alone. libinput uses the matrix on absolute devices only.
 *
 * Usage: smiley-kiosk-session COMMAND [ARGUMENT...]   (normally: cage -d -- smiley-kiosk)
 *        smiley-kiosk-session --calibrate-touch [CONFIG]
 */

#define _GNU_SOURCE

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROGRAM "smiley-kiosk-session"

/* The kiosk's configuration file, unless its command line names another (--config FILE). */
#ifndef KIOSK_CONFIG_FILE
#define KIOSK_CONFIG_FILE "/etc/smiley-kiosk/kiosk.conf"
#endif

/* What the kiosk may tell systemd. MAINPID= (a PID in another cgroup), FDSTORE= and anything
 * unknown are dropped. */
static const char *const forwarded_prefixes[] = {
  "READY=", "RELOADING=", "STOPPING=", "STATUS=", "ERRNO=", "BUSERROR=",
  "WATCHDOG=", "WATCHDOG_USEC=", "EXTEND_TIMEOUT_USEC=", "MONOTONIC_USEC=",
};

/* A stop goes to the kiosk only: it finishes what it writes and exits, and cage follows its only
 * client. cage is never sent SIGTERM: cage 0.1.4 then aborts (an assertion in
 * wl_display_terminate) more often than not. A kiosk that has not left after CLIENT_SECONDS is
 * killed, and whatever is left after GRACE_SECONDS, well within the unit's TimeoutStopSec=, so
 * that we, not systemd, do it. */
#define CLIENT_SECONDS 2
#define GRACE_SECONDS  5

static pid_t child_pgid;
static int upstream_fd = -1;
static struct sockaddr_un upstream_addr;
static socklen_t upstream_len;

static void
die (const char *what)
{
  fprintf (stderr, PROGRAM ": %s: %s\n", what, strerror (errno));
  exit (EXIT_FAILURE);
}

static bool
make_address (const char        *path,
              struct sockaddr_un *addr,
              socklen_t          *len)
{
  size_t n = strlen (path);

  if (n == 0 || n >= sizeof addr->sun_path)
    return false;
  if (path[0] != '/' && path[0] != '@')
    return false;

  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  memcpy (addr->sun_path, path, n);
  /* "@name" is an abstract socket: a leading NUL and no terminating one. */
  if (path[0] == '@')
    {
      addr->sun_path[0] = '\0';
      *len = offsetof (struct sockaddr_un, sun_path) + n;
    }
  else
    *len = offsetof (struct sockaddr_un, sun_path) + n + 1;

  return true;
}

static bool
is_forwarded (const char *line,
              size_t      len)
{
  for (size_t i = 0; i < sizeof forwarded_prefixes / sizeof forwarded_prefixes[0]; i++)
    {
      size_t n = strlen (forwarded_prefixes[i]);

      if (len > n && strncmp (line, forwarded_prefixes[i], n) == 0)
        return true;
    }
  return false;
}

static char *
trim (char *s)
{
  char *end;

  while (isspace ((unsigned char) *s))
    s++;
  end = s + strlen (s);
  while (end > s && isspace ((unsigned char) end[-1]))
    *--end = '\0';
  return s;
}

/* [display] rotation from the kiosk's configuration: 0, 90, 180 or 270, or 0 for anything else
 * (no file, no key, a value the kiosk refuses). */
static unsigned
read_rotation (const char *path)
{
  FILE *f = fopen (path, "re");
  char line[512];
  bool in_display = false;
  unsigned rotation = 0;

  if (f == NULL)
    return 0;

  while (fgets (line, sizeof line, f) != NULL)
    {
      char *text = trim (line);
      char *eq;

      if (text[0] == '[')
        {
          in_display = strcmp (text, "[display]") == 0;
          continue;
        }
      if (!in_display || text[0] == '#' || (eq = strchr (text, '=')) == NULL)
        continue;
      *eq = '\0';
      if (strcmp (trim (text), "rotation") == 0)
        {
          const char *value = trim (eq + 1);

          rotation = 0;
          if (strcmp (value, "90") == 0)
            rotation = 90;
          else if (strcmp (value, "180") == 0)
            rotation = 180;
          else if (strcmp (value, "270") == 0)
            rotation = 270;
        }
    }

  fclose (f);
  return rotation;
}

#define TOUCH_RULE_DIR "/run/udev/rules.d"
#define TOUCH_RULE TOUCH_RULE_DIR "/61-smiley-kiosk-rotation.rules"

/* libinput's calibration matrix for a picture turned clockwise by 90, 180 and 270 degrees. */
static const char *const touch_matrices[] = {
  NULL, "0 -1 1 1 0 0", "-1 0 1 0 -1 1", "0 1 0 -1 0 1",
};

static int
run_udevadm (const char *const *arguments)
{
  pid_t pid = fork ();
  int status = 0;

  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      execv ("/usr/bin/udevadm", (char **) arguments);
      execv ("/bin/udevadm", (char **) arguments);
      _exit (127);
    }
  if (waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Whether @path holds exactly @text. */
static bool
file_holds (const char *path,
            const char *text)
{
  size_t length = strlen (text);
  char *buffer = malloc (length + 2);
  FILE *f = fopen (path, "re");
  bool same = false;

  if (f != NULL && buffer != NULL)
    same = fread (buffer, 1, length + 1, f) == length && memcmp (buffer, text, length) == 0;
  if (f != NULL)
    fclose (f);
  free (buffer);
  return same;
}

/* PATH as it can stand in one line of a rule's comment: a newline in it would start a line of
 * its own, which udev reads as a rule. Control characters become '?'. The caller frees it. */
static char *
comment_safe (const char *path)
{
  char *copy = strdup (path);

  for (char *c = copy; c != NULL && *c != '\0'; c++)
    if (iscntrl ((unsigned char) *c))
      *c = '?';
  return copy;
}

static int
calibrate_touch (const char *config)
{
  /* udevd looks for changed rules at most every 3 s, when an event comes: without --reload the
   * change events below were often handled with the old rules, and a tap on the turned screen
   * landed where the face would be on an unturned one. */
  static const char *const reload[] = { "udevadm", "control", "--reload", NULL };
  /* --settle waits until udev has handled exactly these events, however long that takes on a
   * slow or busy machine (the unit's start timeout is the limit): cage must not open a device
   * before its new matrix is in udev's database, or libinput keeps the old one until the next
   * start. */
  static const char *const trigger[] = {
    "udevadm", "trigger", "--settle", "--action=change", "--subsystem-match=input", NULL
  };
  unsigned turns = read_rotation (config) / 90;
  bool had_rule = access (TOUCH_RULE, F_OK) == 0;

  if (turns == 0)
    {
      if (!had_rule)
        return 0;
      if (unlink (TOUCH_RULE) != 0)
        {
          fprintf (stderr, PROGRAM ": %s: %s\n", TOUCH_RULE, strerror (errno));
          return 1;
        }
    }
  else
    {
      FILE *rule;
      char *text = NULL;
      char *source = comment_safe (config);
      int length = -1;

      if (source != NULL)
        length = asprintf (&text, "# Written by smiley-kiosk-session as smiley-kiosk.service "
                           "starts, for [display] rotation=%u in %s:\n# touch follows the turned "
                           "picture.\nSUBSYSTEM==\"input\", KERNEL==\"event*\", "
                           "ENV{LIBINPUT_CALIBRATION_MATRIX}=\"%s\"\n",
                           turns * 90, source, touch_matrices[turns]);
      free (source);
      if (length < 0)
        {
          fprintf (stderr, PROGRAM ": out of memory\n");
          return 1;
        }
      /* A restart of the service in the same boot: udev applied this rule to the devices there
       * were, and applies it to any plugged in since; replaying every input device's events
       * again would change nothing. The rule is removed below when applying it failed, so the
       * next start tries again. */
      if (had_rule && file_holds (TOUCH_RULE, text))
        {
          fprintf (stderr, PROGRAM ": [display] rotation=%u: touch is turned with it already (%s)\n",
                   turns * 90, TOUCH_RULE);
          free (text);
          return 0;
        }

      mkdir (TOUCH_RULE_DIR, 0755);
      rule = fopen (TOUCH_RULE ".tmp", "we");
      if (rule == NULL)
        {
          fprintf (stderr, PROGRAM ": %s.tmp: %s\n", TOUCH_RULE, strerror (errno));
          free (text);
          return 1;
        }
      fputs (text, rule);
      free (text);
      if (fclose (rule) != 0 || rename (TOUCH_RULE ".tmp", TOUCH_RULE) != 0)
        {
          fprintf (stderr, PROGRAM ": %s: %s\n", TOUCH_RULE, strerror (errno));
          unlink (TOUCH_RULE ".tmp");
          return 1;
        }
      fprintf (stderr, PROGRAM ": [display] rotation=%u: touch turned with it (%s)\n",
               turns * 90, TOUCH_RULE);
    }

  /* The devices are there already: udev applies the rule to them now, before cage starts. */
  if (run_udevadm (reload) != 0 || run_udevadm (trigger) != 0)
    {
      fprintf (stderr, PROGRAM ": udevadm could not apply %s\n", TOUCH_RULE);
      if (turns != 0)
        unlink (TOUCH_RULE);
      return 1;
    }
  return 0;
}

/* Input devices libinput would use: event nodes that udev tagged ID_INPUT and did not reserve
 * (LIBINPUT_IGNORE_DEVICE, as the kiosk's button rules do). */
static unsigned
count_compositor_inputs (void)
{
  DIR *dir = opendir ("/dev/input");
  struct dirent *entry;
  unsigned count = 0;

  if (dir == NULL)
    return 0;

  while ((entry = readdir (dir)) != NULL)
    {
      char path[PATH_MAX];
      char line[512];
      struct stat st;
      bool input = false, ignored = false;
      FILE *data;

      if (strncmp (entry->d_name, "event", 5) != 0)
        continue;
      snprintf (path, sizeof path, "/dev/input/%s", entry->d_name);
      if (stat (path, &st) != 0 || !S_ISCHR (st.st_mode))
        continue;
      snprintf (path, sizeof path, "/run/udev/data/c%u:%u", major (st.st_rdev),
                minor (st.st_rdev));
      data = fopen (path, "re");
      if (data == NULL)
        continue;
      while (fgets (line, sizeof line, data) != NULL)
        {
          if (strcmp (line, "E:ID_INPUT=1\n") == 0)
            input = true;
          else if (strcmp (line, "E:LIBINPUT_IGNORE_DEVICE=1\n") == 0)
            ignored = true;
        }
      fclose (data);
      if (input && !ignored)
        count++;
    }
  closedir (dir);

  return count;
}

static void
choose_no_devices (void)
{
  unsigned inputs;

  if (getenv ("WLR_LIBINPUT_NO_DEVICES") != NULL)
    return;

  inputs = count_compositor_inputs ();
  if (inputs == 0)
    setenv ("WLR_LIBINPUT_NO_DEVICES", "1", 1);
  fprintf (stderr, PROGRAM ": %u input device(s) for cage%s\n", inputs,
           inputs == 0 ? ": WLR_LIBINPUT_NO_DEVICES=1" : "");
}

/* The command to run: ARGV as given, with cage's -r options for the configured rotation. */
static char **
compositor_command (int    argc,
                    char **argv)
{
  const char *base = strrchr (argv[1], '/') != NULL ? strrchr (argv[1], '/') + 1 : argv[1];
  const char *config = KIOSK_CONFIG_FILE;
  unsigned turns;
  char **command;
  int n = 0;

  if (strcmp (base, "cage") != 0)
    return argv + 1;

  choose_no_devices ();

  for (int i = 2; i + 1 < argc; i++)
    if (strcmp (argv[i], "--config") == 0 || strcmp (argv[i], "-c") == 0)
      config = argv[i + 1];
  turns = read_rotation (config) / 90;
  if (turns > 0)
    fprintf (stderr, PROGRAM ": [display] rotation=%u in %s: cage rotates its output\n",
             turns * 90, config);

  command = calloc ((size_t) argc + turns + 1, sizeof *command);
  if (command == NULL)
    die ("calloc");
  command[n++] = argv[1];
  for (unsigned i = 0; i < turns; i++)
    command[n++] = (char *) "-r";
  for (int i = 2; i < argc; i++)
    command[n++] = argv[i];
  return command;
}

static void
relay_one (int notify_fd)
{
  char in[4096];
  char out[sizeof in + 1];
  size_t out_len = 0;
  ssize_t n;

  n = recv (notify_fd, in, sizeof in - 1, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0 || (size_t) n >= sizeof in)
    return;   /* nothing, or a message too long to be a real notification */

  for (char *line = in, *end; line < in + n; line = end + 1)
    {
      end = memchr (line, '\n', (size_t) (in + n - line));
      if (end == NULL)
        end = in + n;
      if (is_forwarded (line, (size_t) (end - line)))
        {
          memcpy (out + out_len, line, (size_t) (end - line));
          out_len += (size_t) (end - line);
          out[out_len++] = '\n';
        }
    }

  if (out_len > 0 && upstream_fd >= 0)
    (void) sendto (upstream_fd, out, out_len, MSG_NOSIGNAL,
                   (const struct sockaddr *) &upstream_addr, upstream_len);
}

/* Our own socket for the kiosk, in the service's runtime directory. */
static int
open_notify_socket (const char *dir)
{
  struct sockaddr_un addr;
  socklen_t len;
  char path[sizeof addr.sun_path];
  int fd;

  if (snprintf (path, sizeof path, "%s/notify", dir) >= (int) sizeof path)
    return -1;
  if (!make_address (path, &addr, &len))
    return -1;

  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    die ("socket");
  (void) unlink (path);
  if (bind (fd, (const struct sockaddr *) &addr, len) < 0)
    die (path);
  (void) chmod (path, 0600);

  setenv ("NOTIFY_SOCKET", path, 1);
  return fd;
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
signal_session (int signo)
{
  if (child_pgid > 0)
    (void) kill (-child_pgid, signo);
}

/* Signals every process of the session but cage: the kiosk (cage's client). */
static void
signal_clients (pid_t compositor,
                int   signo)
{
  DIR *proc = opendir ("/proc");
  struct dirent *entry;

  if (proc == NULL)
    {
      signal_session (signo);
      return;
    }

  while ((entry = readdir (proc)) != NULL)
    {
      char path[64], stat[512];
      const char *after_comm;
      pid_t pid, pgrp;
      FILE *f;
      size_t n;

      if (!isdigit ((unsigned char) entry->d_name[0]))
        continue;
      pid = (pid_t) atoi (entry->d_name);
      if (pid == compositor)
        continue;

      snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
      f = fopen (path, "re");
      if (f == NULL)
        continue;
      n = fread (stat, 1, sizeof stat - 1, f);
      fclose (f);
      stat[n] = '\0';

      /* "pid (comm) state ppid pgrp ...": comm may hold anything, so count from its end. */
      after_comm = strrchr (stat, ')');
      if (after_comm != NULL && sscanf (after_comm + 1, " %*c %*d %d", &pgrp) == 1 &&
          pgrp == child_pgid)
        (void) kill (pid, signo);
    }
  closedir (proc);
}

/* Reaps the children that exited: cage, and the kiosk if it outlived cage (we are a subreaper,
 * so cage's orphans come to us). */
static void
reap (pid_t  compositor,
      bool  *compositor_done,
      int   *compositor_status)
{
  for (;;)
    {
      int status;
      pid_t pid = waitpid (-1, &status, WNOHANG);

      if (pid <= 0)
        return;
      if (pid == compositor)
        {
          *compositor_done = true;
          *compositor_status = status;
        }
    }
}

/* Whether anything of the session (cage's process group) is left. Not "any child": systemd's
 * PAM helper, (sd-pam), is a child of ours too, and waits for us to exit. */
static bool
session_alive (void)
{
  return kill (-child_pgid, 0) == 0 || errno == EPERM;
}

int
main (int   argc,
      char *argv[])
{
  const char *runtime_dir = getenv ("RUNTIME_DIRECTORY");
  const char *upstream = getenv ("NOTIFY_SOCKET");
  int notify_fd = -1;
  int signal_fd;
  sigset_t mask, old_mask;
  pid_t compositor;
  char **command;
  bool compositor_done = false;
  int compositor_status = 0;
  int stop_signal = 0;
  double client_deadline = 0; /* when a kiosk that has not left is killed */
  double deadline = 0;        /* when everything left is killed */
  bool killed = false;

  if (argc >= 2 && strcmp (argv[1], "--calibrate-touch") == 0)
    return calibrate_touch (argc >= 3 ? argv[2] : KIOSK_CONFIG_FILE);

  if (argc < 2 || argv[1][0] == '-')
    {
      fprintf (stderr, "usage: " PROGRAM " COMMAND [ARGUMENT...]\n"
                       "       " PROGRAM " --calibrate-touch [CONFIG]\n");
      return 2;
    }

  /* The service's RuntimeDirectory= (mode 0700, ours) replaces logind's /run/user/UID, which
   * ProtectHome= hides: the Wayland socket and our notify socket go there. */
  if (runtime_dir != NULL && runtime_dir[0] == '/')
    {
      char *first = strdup (runtime_dir);

      if (first == NULL)
        die ("strdup");
      first[strcspn (first, ":")] = '\0';
      setenv ("XDG_RUNTIME_DIR", first, 1);
      free (first);
    }

  if (upstream != NULL && make_address (upstream, &upstream_addr, &upstream_len))
    {
      upstream_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (upstream_fd < 0)
        die ("socket");
      if (getenv ("XDG_RUNTIME_DIR") != NULL)
        notify_fd = open_notify_socket (getenv ("XDG_RUNTIME_DIR"));
    }
  if (notify_fd < 0)
    unsetenv ("NOTIFY_SOCKET");
  /* sd_watchdog_enabled() in the kiosk would see our PID here and ignore WATCHDOG_USEC. */
  unsetenv ("WATCHDOG_PID");

  command = compositor_command (argc, argv);

  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    die ("PR_SET_CHILD_SUBREAPER");

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGQUIT);
  sigaddset (&mask, SIGABRT);   /* systemd's WatchdogSignal= */
  if (sigprocmask (SIG_BLOCK, &mask, &old_mask) < 0)
    die ("sigprocmask");
  signal_fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0)
    die ("signalfd");

  compositor = fork ();
  if (compositor < 0)
    die ("fork");
  if (compositor == 0)
    {
      /* A process group of their own, so that a signal reaches cage and the kiosk, and the
       * foreground one on the terminal, as the compositor's used to be. */
      setpgid (0, 0);
      if (isatty (STDIN_FILENO))
        {
          signal (SIGTTOU, SIG_IGN);
          (void) tcsetpgrp (STDIN_FILENO, getpid ());
          signal (SIGTTOU, SIG_DFL);
        }
      /* If we are killed outright, the compositor goes too. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      sigprocmask (SIG_SETMASK, &old_mask, NULL);
      execvp (command[0], command);
      fprintf (stderr, PROGRAM ": %s: %s\n", command[0], strerror (errno));
      _exit (127);
    }
  child_pgid = compositor;
  setpgid (compositor, compositor);   /* both sides, whoever runs first */

  for (;;)
    {
      struct pollfd fds[2] = {
        { .fd = signal_fd, .events = POLLIN },
        { .fd = notify_fd, .events = POLLIN },
      };
      int timeout = -1;

      if (killed)
        timeout = 100;   /* SIGKILL is on its way; wait for the reaping */
      else if (deadline > 0)
        {
          double next = client_deadline > 0 && client_deadline < deadline ? client_deadline
                                                                          : deadline;
          double left = next - now_seconds ();

          timeout = left > 0 ? (int) (left * 1000) + 1 : 0;
        }

      if (poll (fds, notify_fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
        die ("poll");

      if (notify_fd >= 0 && (fds[1].revents & POLLIN))
        relay_one (notify_fd);

      if (fds[0].revents & POLLIN)
        {
          struct signalfd_siginfo info;

          while (read (signal_fd, &info, sizeof info) == sizeof info)
            {
              int signo = (int) info.ssi_signo;

              if (signo == SIGCHLD)
                continue;
              /* The first request goes to the kiosk (SIGABRT from the watchdog too: a hung
               * kiosk leaves a core dump); see CLIENT_SECONDS. */
              if (stop_signal == 0)
                {
                  stop_signal = signo;
                  client_deadline = now_seconds () + CLIENT_SECONDS;
                  deadline = now_seconds () + GRACE_SECONDS;
                  signal_clients (compositor, signo);
                }
              else
                signal_session (signo);
            }
        }

      reap (compositor, &compositor_done, &compositor_status);
      if (compositor_done && !session_alive ())
        break;

      if (compositor_done && deadline == 0)
        {
          /* cage is gone; a kiosk that outlived it (hung, or cage crashed) must not hold on. */
          signal_session (SIGTERM);
          deadline = now_seconds () + GRACE_SECONDS;
        }

      if (client_deadline > 0 && now_seconds () >= client_deadline)
        {
          signal_clients (compositor, SIGKILL);
          client_deadline = 0;
        }

      if (deadline > 0 && now_seconds () >= deadline && !killed)
        {
          signal_session (SIGKILL);
          killed = true;
        }
    }

  if (stop_signal == SIGTERM || stop_signal == SIGINT || stop_signal == SIGHUP)
    return EXIT_SUCCESS;   /* an ordinary stop */
  if (stop_signal != 0)
    return 128 + stop_signal;
  if (WIFEXITED (compositor_status))
    return WEXITSTATUS (compositor_status);   /* cage passes on the kiosk's status */
  if (WIFSIGNALED (compositor_status))
    return 128 + WTERMSIG (compositor_status);
  return EXIT_FAILURE;
}

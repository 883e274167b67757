#!/usr/bin/python3
"""qmp.py: drives a qemu-system-aarch64 through its QMP socket, for packaging/test-image.sh.

  qmp.py SOCKET screendump FILE.ppm|FILE.png   the screen as qemu shows it
  qmp.py SOCKET wait-frame FILE.ppm SECONDS   waits until the screen is the kiosk's (more than
                                              half of it lit: the text console and a blank
                                              screen are dark), saves it; prints the seconds
  qmp.py SOCKET wait-change REF.ppm FILE.ppm SECONDS
                                              waits until the screen differs from REF (more
                                              than 30 % of it changed: a new page, not the 4-pixel
                                              shift against burn-in), saves it; prints the seconds
  qmp.py SOCKET tap X Y                       a tap at X, Y (fractions of the screen's width and
                                              height) through the virtio tablet: an absolute
                                              position, then the button down and up, the way a
                                              touchscreen's events reach libinput and cage
  qmp.py SOCKET powerdown                     the power button (the guest shuts down cleanly)
  qmp.py SOCKET quit                          the power pulled: qemu ends at once, no shutdown

Exit status 0, or 1 with the reason on stderr.
"""

import json
import socket
import sys
import time

ABS_MAX = 32767   # virtio-tablet's axes: 0 .. 32767 over the whole screen


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError as error:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise SystemExit(f"qmp.py: {path}: {error}")
                time.sleep(0.2)
        self.file = self.sock.makefile("rwb")
        self._read()   # the greeting
        self.command("qmp_capabilities")

    def _read(self):
        line = self.file.readline()
        if not line:
            raise SystemExit("qmp.py: qemu closed the QMP socket")
        return json.loads(line)

    def command(self, name, **arguments):
        message = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message).encode() + b"\n")
        self.file.flush()
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError(f"qmp.py: {name}: {reply['error'].get('desc', reply['error'])}")
            # an event ("event": ...): not ours


def read_ppm(path):
    """The pixels of a binary PPM (P6, 8 bits), as (width, height, bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    fields = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise SystemExit(f"qmp.py: {path}: not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1:pos + 1 + width * height * 3]


def lit_fraction(path):
    """How much of the screen is lit: pixels with a channel above 64, sampled every 7th pixel."""
    width, height, pixels = read_ppm(path)
    step = 7 * 3
    samples = lit = 0
    for i in range(0, len(pixels) - 2, step):
        samples += 1
        if pixels[i] > 64 or pixels[i + 1] > 64 or pixels[i + 2] > 64:
            lit += 1
    return lit / samples if samples else 0.0


def changed_fraction(path_a, path_b):
    """How much of the screen differs between two screendumps, sampled every 7th pixel."""
    _, _, a = read_ppm(path_a)
    _, _, b = read_ppm(path_b)
    if len(a) != len(b):
        return 1.0
    step = 7 * 3
    samples = changed = 0
    for i in range(0, len(a) - 2, step):
        samples += 1
        if a[i:i + 3] != b[i:i + 3]:
            changed += 1
    return changed / samples if samples else 0.0


def screendump(qmp, path):
    if path.endswith(".png"):
        qmp.command("screendump", filename=path, format="png")
    else:
        qmp.command("screendump", filename=path)


def main(argv):
    try:
        return run(argv)
    except QmpError as error:
        print(error, file=sys.stderr)
        return 1


def run(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    qmp = Qmp(argv[1])
    what = argv[2]
    if what == "screendump" and len(argv) == 4:
        screendump(qmp, argv[3])
    elif what == "wait-frame" and len(argv) == 5:
        started = time.monotonic()
        limit = float(argv[4])
        while True:
            try:
                screendump(qmp, argv[3])
                lit = lit_fraction(argv[3])
            except QmpError:
                lit = 0.0   # no display surface yet, before the guest's GPU driver starts
            if lit > 0.5:
                print(f"{time.monotonic() - started:.1f}")
                return 0
            if time.monotonic() - started > limit:
                raise SystemExit(f"qmp.py: no kiosk frame on the screen after {limit:.0f} s")
            time.sleep(1)
    elif what == "wait-change" and len(argv) == 6:
        started = time.monotonic()
        limit = float(argv[5])
        while True:
            screendump(qmp, argv[4])
            if changed_fraction(argv[3], argv[4]) > 0.3:
                print(f"{time.monotonic() - started:.1f}")
                return 0
            if time.monotonic() - started > limit:
                raise SystemExit(f"qmp.py: the screen did not change in {limit:.0f} s")
            time.sleep(0.5)
    elif what == "tap" and len(argv) == 5:
        x = round(float(argv[3]) * ABS_MAX)
        y = round(float(argv[4]) * ABS_MAX)
        if not (0 <= x <= ABS_MAX and 0 <= y <= ABS_MAX):
            raise SystemExit(f"qmp.py: tap {argv[3]} {argv[4]}: outside the screen (0 to 1)")
        qmp.command("input-send-event", events=[
            {"type": "abs", "data": {"axis": "x", "value": x}},
            {"type": "abs", "data": {"axis": "y", "value": y}}])
        time.sleep(0.2)
        qmp.command("input-send-event", events=[
            {"type": "btn", "data": {"down": True, "button": "left"}}])
        time.sleep(0.15)
        qmp.command("input-send-event", events=[
            {"type": "btn", "data": {"down": False, "button": "left"}}])
    elif what == "powerdown" and len(argv) == 3:
        qmp.command("system_powerdown")
    elif what == "quit" and len(argv) == 3:
        try:
            qmp.command("quit")
        except (QmpError, SystemExit):
            pass   # qemu may close the socket before it answers
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

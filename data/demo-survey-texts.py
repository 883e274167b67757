#!/usr/bin/python3
"""Writes src/core/kiosk-demo-texts.c from data/demo-survey.json: the demo survey's English
texts as gettext marks, so xgettext puts them in po/smiley-kiosk.pot. The JSON is the one place
the texts are written; with --check, fails (and says what to run) when the C file differs.

Usage: demo-survey-texts.py SOURCE_ROOT [--check]
"""
import json
import sys
from pathlib import Path

CONTEXT = "demo survey"

WHERE = {
    "question": "the question above the faces",
    "follow-up question": "the follow-up question after a face",
    "label": "an option of the follow-up question, on a big button",
    "prompt": "the prompt above the comment field",
    "consent": "the consent text on the contact request page",
    "thank_you": "the thank-you title after a vote",
}


def texts(node, path):
    """Yields (path, key, English text) for every {"en": ...} map, in the file's order."""
    if isinstance(node, dict):
        if isinstance(node.get("en"), str) and path:
            yield path, path.rsplit(".", 1)[-1].split("[")[0], node["en"]
            return
        for key, value in node.items():
            if not key.startswith("$"):
                yield from texts(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from texts(value, f"{path}[{i}]")


def c_string(text):
    return json.dumps(text, ensure_ascii=False)


def render(survey):
    lines = [
        "/* kiosk-demo-texts.c: the built-in demo survey's texts (data/demo-survey.json) for",
        " * xgettext, so po/smiley-kiosk.pot carries them and a catalogue translates the demo.",
        " * Written by data/demo-survey-texts.py; do not edit (a test checks it agrees). */",
        '#include "config.h"',
        "",
        "#include <glib/gi18n.h>",
        "",
        '#include "kiosk-survey.h"',
        "",
        "const char * const kiosk_demo_texts[] = {",
    ]
    seen = set()
    for path, key, text in texts(survey, ""):
        if text in seen:
            continue
        seen.add(text)
        if key == "question" and path.startswith("follow_up."):
            key = "follow-up question"
        where = WHERE.get(key, "a text")
        lines.append(f"  /* Translators: the demo survey's texts: {where}")
        lines.append(f"   * ({path}) */")
        lines.append(f'  NC_("{CONTEXT}", {c_string(text)}),')
    lines += ["  NULL", "};", ""]
    return "\n".join(lines)


def main():
    root = Path(sys.argv[1])
    check = "--check" in sys.argv[2:]
    survey = json.loads((root / "data" / "demo-survey.json").read_text(encoding="utf-8"))
    if survey.get("languages") != ["en"]:
        sys.exit("data/demo-survey.json: “languages” must be [\"en\"]: the other languages come "
                 "from po/*.po")
    wanted = render(survey)
    target = root / "src" / "core" / "kiosk-demo-texts.c"
    if check:
        have = target.read_text(encoding="utf-8") if target.exists() else ""
        if have != wanted:
            sys.exit(f"{target} does not match data/demo-survey.json: run "
                     f"data/demo-survey-texts.py {root}")
        print(f"{target}: agrees with data/demo-survey.json")
        return
    target.write_text(wanted, encoding="utf-8")


if __name__ == "__main__":
    main()

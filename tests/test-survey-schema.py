#!/usr/bin/env python3
# test-survey-schema.py: data/survey.schema.json accepts the demo survey and the valid fixtures and
# rejects the invalid one, so editors that use the schema agree with smiley-kiosk --check-survey.
import json
import os
import sys

top = sys.argv[1]
try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed")
    sys.exit(0)

with open(os.path.join(top, "data", "survey.schema.json"), encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

cases = [
    ("data/demo-survey.json", True),
    ("tests/data/survey-small.json", True),
    ("tests/data/survey-minimal.json", True),
    ("tests/data/survey-invalid.json", False),
]
print("1..%d" % len(cases))
status = 0
for n, (name, valid) in enumerate(cases, 1):
    with open(os.path.join(top, name), encoding="utf-8") as f:
        errors = list(validator.iter_errors(json.load(f)))
    if (not errors) == valid:
        print("ok %d - %s %s" % (n, name, "is valid" if valid else "is rejected"))
    else:
        status = 1
        print("not ok %d - %s: expected %s" % (n, name, "valid" if valid else "invalid"))
        for e in errors:
            print("# %s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message))
sys.exit(status)

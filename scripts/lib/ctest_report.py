#!/usr/bin/env python3
"""What a ctest run left behind, for scripts/test and .ci/run.

  ctest_report.py skipped XML...                 the skipped tests of ctest --output-junit files:
                                                 "<name>\t<reason>" per line (reason: the AU_SKIP or
                                                 SKIPPED line of its output, else ctest's message)
  ctest_report.py retried LOG...                 the tests that failed and then passed (ctest
                                                 --repeat until-pass) in ctest's console output:
                                                 "<name>\t<first result>" per line
  ctest_report.py check-skips ALLOWED XML...     prints every skipped test, marked allowed or NOT
                                                 ALLOWED by the allow-list ALLOWED (lines
                                                 "<python regex, full match on the name>\t<reason>";
                                                 '#' comments); exit 1 when one is not allowed

Skips come from the JUnit files (ctest writes <skipped message=...> for SKIP_RETURN_CODE and
SKIP_REGULAR_EXPRESSION alike). Retries are only in the console output: ctest reports the failed
attempt ("***Failed", "***Timeout", "***Exception: ...") and then the retry on its own line, and the
JUnit file keeps the last attempt only.
"""
import re
import sys
import xml.etree.ElementTree as ET

# "  3/14 Test  #3: daemon: steady 3.5.1 ..........***Failed   53.90 sec" (the retry's line has no "n/m").
RESULT = re.compile(r"^\s*(?:\d+/\d+\s+)?Test\s+#(\d+): (.*?) ?\.*\s*(\*\*\*[^0-9]*?|Passed)\s+[0-9.]+ sec\s*$")
REASON = re.compile(r"^(?:AU_SKIP|SKIPPED|SKIP):\s*(.*)$", re.M)


def skipped(paths):
    out = []
    for path in paths:
        for case in ET.parse(path).getroot().iter("testcase"):
            skip = case.find("skipped")
            if skip is None:
                continue
            text = case.findtext("system-out") or ""
            m = REASON.search(text)
            out.append((case.get("name"), m.group(1).strip() if m else skip.get("message", "")))
    return out


def retried(paths):
    first_bad, passed = {}, set()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = RESULT.match(line)
                if not m:
                    continue
                name, result = m.group(2), m.group(3).strip()
                if result == "Passed":
                    passed.add(name)
                elif "Skipped" not in result and "Not Run" not in result:
                    first_bad.setdefault(name, result.lstrip("*"))
    return [(n, r) for n, r in first_bad.items() if n in passed]


def load_allowed(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            pattern, _, reason = line.partition("\t")
            if not reason.strip():
                sys.exit(f"ctest_report: {path}: '{line}' has no reason (pattern<TAB>reason)")
            rules.append((re.compile(pattern), reason.strip()))
    return rules


def main(argv):
    if len(argv) < 2 or argv[0] not in ("skipped", "retried", "check-skips"):
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "skipped":
        for name, reason in skipped(args):
            print(f"{name}\t{reason}")
    elif cmd == "retried":
        for name, result in retried(args):
            print(f"{name}\t{result}")
    else:
        rules, bad = load_allowed(args[0]), 0
        for name, reason in skipped(args[1:]):
            why = next((r for p, r in rules if p.fullmatch(name)), None)
            if why is None:
                bad += 1
                print(f"  NOT ALLOWED  {name}: {reason}")
            else:
                print(f"  allowed      {name}: {reason} (allowed: {why})")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Fail the test run on an unexpected WARNING, ERROR or CRITICAL record in Odoo's log.

OCA's checklog idea (the checklog-odoo package, whose record parser this reuses), with
an allow-list that says why each accepted message is harmless: checklog-odoo.cfg.

    python scripts/checklog.py [--config FILE] KIND=LOGFILE ...

KIND names the step that wrote the log (install, pytest, e2e-server...). The section
``[checklog-odoo]`` of the config applies to every log (the ``checklog-odoo`` command
reads it too); ``[checklog-odoo:KIND]`` adds entries for one kind of log only. Each
entry is a regular expression searched in the whole record (its first line and any
traceback below it); the comment lines right above it give the reason, and an entry
without a reason is a configuration error.
Exit code: 0 when every record at WARNING or above is allowed, 1 otherwise, 2 on a bad
call or a bad allow-list.
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from checklog_odoo.checklog import ANSI_CSI_RE, LOG_START_RE, NON_ERROR_LEVELS

ROOT = Path(__file__).resolve().parent.parent
SECTION = "checklog-odoo"
MAX_LINES = 25  # of one unexpected record shown (the full record is in the log)


class AllowEntry:
    def __init__(self, pattern, reason, section, lineno):
        self.pattern = pattern
        self.regex = re.compile(pattern, re.MULTILINE)
        self.reason = reason
        self.where = f"[{section}] line {lineno}"


def read_allow_list(path):
    """Return {section: [AllowEntry]} from the ``ignore =`` lists of the config file.

    Parsed by hand (not with configparser) to keep the comments above each entry as
    its reason."""
    sections, errors = {}, []
    section, in_ignore, reason = None, False, []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section, in_ignore, reason = line[1:-1], False, []
            sections.setdefault(section, [])
        elif not line:
            reason = []
        elif line.startswith(("#", ";")):
            reason.append(line.lstrip("#; ").strip())
        elif raw[:1] not in " \t":  # a new key
            key, _sep, value = line.partition("=")
            in_ignore = key.strip() == "ignore"
            reason = []
            if in_ignore and value.strip():
                errors.append(f"{path.name}:{lineno}: put each ignore entry on its own line")
        elif in_ignore and section is not None:
            text = " ".join(r for r in reason if r)
            if not text:
                errors.append(
                    f"{path.name}:{lineno}: entry {line!r} has no reason (a comment "
                    "line right above it)"
                )
            try:
                sections[section].append(AllowEntry(line, text, section, lineno))
            except re.error as exc:
                errors.append(f"{path.name}:{lineno}: bad regular expression {line!r}: {exc}")
            reason = []
    return sections, errors


# A line that looks like a log record at WARNING or above but that LOG_START_RE does not
# parse (e.g. a log format without the date): reported, so that a format change cannot
# silently make the check pass.
LOOKS_LIKE_RECORD_RE = re.compile(r"^\d\S* .*\b(WARNING|ERROR|CRITICAL) \S+ \S+: ")


def read_records(path):
    """Yield (level, record text) for each Odoo log record of the file."""
    current, level = [], None
    with path.open(encoding="utf-8", errors="replace") as log:
        for raw in log:
            line = ANSI_CSI_RE.sub("", raw)
            match = LOG_START_RE.match(line)
            if match:
                if level:
                    yield level, "".join(current)
                current, level = [line], match.group("loglevel")
            elif LOOKS_LIKE_RECORD_RE.match(line):
                if level:
                    yield level, "".join(current)
                current, level = [], None
                yield "UNPARSED", "record in an unknown format: " + line
            elif level:
                current.append(line)
    if level:
        yield level, "".join(current)


def _signature(record):
    """The first line of a record without its timestamp, pid and numbers: records that
    differ only in those are shown once, with a count."""
    first = record.split("\n", 1)[0]
    match = LOG_START_RE.match(first)
    if match:
        first = f"{match['loglevel']} {match['logger']}: {match['message']}"
    return re.sub(r"0x[0-9a-f]+|\d+", "N", first)


def check(kind, path, entries):
    """Print the verdict for one log file; return the number of unexpected records."""
    allowed, unexpected = Counter(), {}
    for level, record in read_records(path):
        if level in NON_ERROR_LEVELS:
            continue
        entry = next((e for e in entries if e.regex.search(record)), None)
        if entry:
            allowed[entry] += 1
        else:
            unexpected.setdefault(_signature(record), []).append(record)
    count = sum(len(records) for records in unexpected.values())
    status = "FAILED" if count else "ok"
    print(
        f"checklog {kind} ({path}): {count} unexpected, "
        f"{sum(allowed.values())} allowed -> {status}"
    )
    for entry, n in allowed.most_common():
        print(f"    allowed {n}x {entry.where}: {entry.reason}")
    for records in unexpected.values():
        lines = records[0].rstrip("\n").splitlines()
        if len(lines) > MAX_LINES:
            lines = lines[:MAX_LINES] + [f"... ({len(lines) - MAX_LINES} more lines)"]
        more = f" (and {len(records) - 1} more like it)" if len(records) > 1 else ""
        print(f"  UNEXPECTED{more}: " + "\n    ".join(lines))
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--config",
        type=Path,
        default=ROOT / "checklog-odoo.cfg",
        help="allow-list file (default: checklog-odoo.cfg at the project root)",
    )
    parser.add_argument("logs", nargs="+", metavar="KIND=LOGFILE")
    args = parser.parse_args(argv)
    if not args.config.is_file():
        parser.error(f"allow-list {args.config} not found")
    sections, errors = read_allow_list(args.config)
    if errors:
        print(
            "checklog: the allow-list is invalid:\n  " + "\n  ".join(errors),
            file=sys.stderr,
        )
        return 2
    failed = 0
    for item in args.logs:
        kind, sep, filename = item.partition("=")
        if not sep or not kind or not filename:
            parser.error(f"{item!r}: expected KIND=LOGFILE, e.g. install=.logs/install.log")
        path = Path(filename)
        if not path.is_file():
            print(f"checklog {kind}: {path} does not exist (the step wrote no log?)")
            failed += 1
            continue
        entries = sections.get(SECTION, []) + sections.get(f"{SECTION}:{kind}", [])
        failed += check(kind, path, entries)
    if failed:
        print(
            f"checklog: {failed} unexpected WARNING/ERROR record(s) in Odoo's log "
            "(above). Fix the cause; if a message is really harmless, add it to "
            "checklog-odoo.cfg with the reason."
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

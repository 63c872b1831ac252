#!/usr/bin/python3
"""README examples that cannot drift (issue #23).

usage: test_readme.py GEOREACH [--readme FILE] [--self-test] [-v]

What is checked
  README.md: every indented code block holding `$ build/georeach ...` lines.
  An example is one `$ build/georeach` command (with whatever the README pipes
  after it: `| head -3`, `| ogrinfo ... | grep area`) and the `$ ogrinfo ...`
  (or other `$ ...`) commands that follow it in the same block.  Lines ending
  in a backslash continue the command.  The lines shown under a command, up to
  the next `$` line or the end of the block, are what it must print.
  Examples that write files are thereby checked by what the README shows from
  ogrinfo.  A block that shows `georeach:` output without any `$` command is
  reported as a failure (the output of what?).

  `georeach --help` and `georeach COMMAND --help` (for every command listed in
  the main help): the commands under "Example:"/"Examples:" are run the same
  way; they show no output today, so each must exit 0 (any lines shown under
  one would be compared like the README's).  The help examples name
  `sites.csv` and `bases.csv`, which are no files of the repository: the
  scratch folder holds copies of data/sites/jan2024_launch_areas.csv and
  data/sites/north_korea_bases.csv under those names, and of
  tests/data/sites/launchers_table.csv and google_earth_launchers.kml as
  launchers.csv and Launchers.kml (the README's "Your own sites file").

How it is run
  Each example runs with bash, `build/georeach` replaced by GEOREACH, in a
  fresh scratch folder holding a symlink `data` to the repository's data/ (the
  examples name `data/sites/...`), with LC_ALL=C.UTF-8.  Examples do not
  depend on one another (the `$ ogrinfo` lines read what their own
  `$ build/georeach` line wrote in that same folder).

How output is compared
  The README shows stderr and stdout interleaved, as on a terminal, where the
  order of the two streams is not fixed (stdout is buffered, stderr is not).
  So the streams are captured apart and compared apart, each exactly and in
  order: a shown line beginning with `georeach:` is expected on stderr (of any
  process of the pipeline), every other shown line on stdout (of the last).
  Normalisation, nothing more:
    - trailing whitespace of each line is ignored (Markdown editors strip it);
    - the scratch folder's path, should a program print it, is dropped
      (`/tmp/georeach-readme-x/kn23.gpkg` reads `kn23.gpkg`; the folder
      alone reads `.`), and GEOREACH's path reads `build/georeach`.
  No numbers are rounded: no shown output in the README says "about" (were
  one to, it would need a rule here).  Blank output lines are kept.

Exit status
  Every command must exit 0, except a georeach command whose shown output ends
  in a command-line refusal (`georeach: ... (see 'georeach ... --help')`),
  which must exit 2.  In a pipeline every process is judged (bash PIPESTATUS);
  a process before the last may also die of SIGPIPE (141), as under `| head`.

Marked examples
  `<!-- readme-test: skip (reason) -->` as the last non-blank line before a
  block skips the block (reported as skipped, with the reason).  Keep these
  rare: they must be examples that cannot be run offline or deterministically.

Known failures
  KNOWN_FAILURES below lists, each with the issue it waits on, a command and
  the exact shown line and printed line allowed to differ; an example whose
  only differences are such pairs counts as an expected failure (xfail), and
  one that then matches exactly (the fix landed) fails the test, so that the
  entry is removed.

Self-test (--self-test)
  Copies README.md to a temporary folder, changes one character of one shown
  output line (the last digit of the first shown stderr line that has a
  digit) and runs this test on the copy (README only): it must fail, with
  exactly one failure, naming that example and that line.  Then the same with
  a stdout line, in a fresh copy.

The last line printed is "N passed, N failed" (plus skipped and expected
failures when there are any); exit status 1 when anything failed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(REPO, "data")
TESTS_DATA = os.path.join(HERE, "data")

# Known failures, each waiting on a fix elsewhere.  Remove an entry when its
# fix lands (the test then fails on purpose until it is removed).
KNOWN_FAILURES = []

SKIP_RE = re.compile(r"^\s*<!--\s*readme-test:\s*skip\s*\((.+)\)\s*-->\s*$")
REFUSAL_RE = re.compile(r"^georeach: .*\(see 'georeach [^']*--help'\)$")
HELP_CMD_RE = re.compile(r"^  (\S+)\s{2,}\S")


class Command:
    def __init__(self, text, line):
        self.text = text      # the command as one line (continuations joined)
        self.line = line      # its README line number (1-based)
        self.shown = []       # the lines shown under it


class Example:
    def __init__(self, source, line):
        self.source = source  # "README.md" or "georeach rings --help"
        self.line = line
        self.commands = []
        self.skip = None

    def name(self):
        where = "%s:%d" % (self.source, self.line) if self.line else self.source
        return "%s: $ %s" % (where, self.commands[0].text)


def code_blocks(lines):
    """Indented code blocks: (first line number, [lines without the indent],
    skip reason or None)."""
    blocks = []
    i, n = 0, len(lines)
    while i < n:
        if lines[i].startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            start, body = i, []
            while i < n and (lines[i].startswith("    ") or not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            j = start - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            m = SKIP_RE.match(lines[j]) if j >= 0 else None
            blocks.append((start + 1, body, m.group(1) if m else None))
        else:
            i += 1
    return blocks


def readme_examples(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    examples, problems = [], []
    for start, body, skip in code_blocks(lines):
        cur, cmd = None, None
        k = 0
        block_examples = []
        while k < len(body):
            ln = body[k]
            if ln.startswith("$ "):
                text, first = ln[2:], start + k
                while text.endswith("\\") and k + 1 < len(body):
                    k += 1
                    text = text[:-1].rstrip() + " " + body[k].strip()
                cmd = Command(text, first)
                if text.startswith("build/georeach ") or cur is None:
                    cur = Example("README.md", first)
                    cur.skip = skip
                    block_examples.append(cur)
                cur.commands.append(cmd)
            elif cmd is not None:
                cmd.shown.append(ln)
            elif ln.startswith("georeach:"):
                problems.append("README.md:%d: block shows georeach output but no command "
                                "(add the `$` line, or mark it readme-test: skip)" % start)
                break
            k += 1
        for ex in block_examples:
            if ex.commands[0].text.startswith("build/georeach "):
                examples.append(ex)
            else:
                problems.append("README.md:%d: `$ %s` follows no `$ build/georeach` line"
                                % (ex.line, ex.commands[0].text))
    return examples, problems


def help_examples(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    commands, in_cmds = [], False
    for ln in out.splitlines():
        if ln.startswith("Commands:"):
            in_cmds = True
        elif in_cmds and not ln.strip():
            in_cmds = False
        elif in_cmds:
            m = HELP_CMD_RE.match(ln)
            if m:
                commands.append(m.group(1))
    texts = [("georeach --help", out)]
    for c in commands:
        r = subprocess.run([binary, c, "--help"], capture_output=True, text=True)
        texts.append(("georeach %s --help" % c, r.stdout))
    examples = []
    for source, text in texts:
        lines = text.split("\n")
        inside, cmd, k = False, None, 0
        while k < len(lines):
            ln = lines[k]
            if re.match(r"^Examples?:\s*$", ln):
                inside, cmd = True, None
            elif inside and not ln.strip():
                inside = False
            elif inside and ln.startswith("  georeach "):
                t = ln.strip()
                while t.endswith("\\") and k + 1 < len(lines):
                    k += 1
                    t = t[:-1].rstrip() + " " + lines[k].strip()
                cmd = Command("build/" + t, 0)
                ex = Example(source, 0)
                ex.commands.append(cmd)
                examples.append(ex)
            elif inside and cmd is not None:
                cmd.shown.append(ln[2:] if ln.startswith("  ") else ln)
            k += 1
    return texts, examples


def normalise(lines, scratch, binary):
    out = []
    for ln in lines:
        ln = ln.replace(scratch + "/", "").replace(scratch, ".").replace(binary, "build/georeach")
        out.append(ln.rstrip())
    while out and out[-1] == "":
        out.pop()
    return out


def split_lines(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def make_scratch():
    d = tempfile.mkdtemp(prefix="georeach-readme-")
    os.symlink(DATA, os.path.join(d, "data"))
    shutil.copy(os.path.join(DATA, "sites", "jan2024_launch_areas.csv"), os.path.join(d, "sites.csv"))
    shutil.copy(os.path.join(DATA, "sites", "north_korea_bases.csv"), os.path.join(d, "bases.csv"))
    # "Your own sites file": a per-row table and a Google Earth KML
    shutil.copy(os.path.join(TESTS_DATA, "sites", "launchers_table.csv"), os.path.join(d, "launchers.csv"))
    shutil.copy(os.path.join(TESTS_DATA, "sites", "google_earth_launchers.kml"),
                os.path.join(d, "Launchers.kml"))
    return d


def run_command(cmd, binary, scratch):
    """(stdout lines, stderr lines, PIPESTATUS list)."""
    text = re.sub(r"(^|(?<=[\s|;&(]))build/georeach(?=\s|$)", binary, cmd.text)
    status = os.path.join(scratch, ".pipestatus")
    script = text + "\necho \"${PIPESTATUS[@]}\" > " + status + "\n"
    env = dict(os.environ, LC_ALL="C.UTF-8")
    r = subprocess.run(["bash", "-c", script], cwd=scratch, capture_output=True, text=True,
                       env=env, timeout=600)
    try:
        with open(status) as f:
            codes = [int(x) for x in f.read().split()]
        os.unlink(status)
    except (OSError, ValueError):
        codes = [r.returncode]
    return split_lines(r.stdout), split_lines(r.stderr), codes


def known_failure(cmd, shown_line, printed_line):
    for kf in KNOWN_FAILURES:
        if kf["command"] == cmd.text and kf["shown"] == shown_line and kf["printed"] == printed_line:
            return kf
    return None


def compare(label, want, got):
    """Differing lines as (stream, line number, shown or None, printed or
    None), line by line in order."""
    diffs = []
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        if w != g:
            diffs.append((label, i + 1, w, g))
    return diffs


def check_example(ex, binary, verbose):
    """'pass', 'fail' or 'xfail', and the report lines."""
    scratch = make_scratch()
    report, used = [], []
    real = False
    try:
        for cmd in ex.commands:
            out, err, codes = run_command(cmd, binary, scratch)
            shown = normalise(cmd.shown, scratch, binary)
            want_err = [l for l in shown if l.startswith("georeach:")]
            want_out = [l for l in shown if not l.startswith("georeach:")]
            got_out = normalise(out, scratch, binary)
            got_err = normalise(err, scratch, binary)
            # exit status
            want_code = 0
            if cmd.text.startswith("build/georeach ") and shown and REFUSAL_RE.match(shown[-1]):
                want_code = 2
            first_ok = codes[0] == want_code or (len(codes) > 1 and want_code == 0 and codes[0] == 141)
            rest_ok = all(c in (0, 141) for c in codes[1:-1]) and (len(codes) == 1 or codes[-1] == 0)
            bad = not (first_ok and rest_ok)
            if bad:
                real = True
                report.append("  $ %s\n    exit status %s (pipeline), want %d from georeach and 0 after"
                              % (cmd.text, codes, want_code))
            streams = (("stdout", want_out, got_out), ("stderr", want_err, got_err))
            if ex.line == 0 and not shown:
                streams = ()  # a --help example showing no output: exit status only
            shown_diffs = 0
            for stream, want, got in streams:
                for label, i, w, g in compare(stream, want, got):
                    shown_diffs += 1
                    if shown_diffs > 12:
                        real = True
                        continue
                    kf = known_failure(cmd, w, g)
                    if kf:
                        used.append(kf)
                        report.append("  $ %s\n    %s line %d differs as allowed by KNOWN_FAILURES (%s):\n"
                                      "      shown:   %s\n      printed: %s"
                                      % (cmd.text, label, i, kf["issue"], w, g))
                    else:
                        real = True
                        report.append("  $ %s\n    %s line %d:\n      shown:   %s\n      printed: %s"
                                      % (cmd.text, label, i,
                                         "(nothing)" if w is None else w,
                                         "(nothing)" if g is None else g))
            if shown_diffs > 12:
                report.append("    ... and %d more differing lines" % (shown_diffs - 12))
            if verbose:
                report.append("  $ %s -> exit %s, %d stdout + %d stderr lines"
                              % (cmd.text, codes, len(got_out), len(got_err)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if real:
        return "fail", report
    if used:
        return "xfail", report
    listed = [kf for kf in KNOWN_FAILURES if any(kf["command"] == c.text for c in ex.commands)]
    if listed:
        report.append("  matches exactly although KNOWN_FAILURES lists it (%s): the fix landed, "
                      "remove the entry" % ", ".join(kf["issue"] for kf in listed))
        return "xpass", report
    return "pass", report


def run_all(binary, readme, verbose, with_help=True):
    examples, problems = readme_examples(readme)
    if with_help:
        texts, hex_ = help_examples(binary)
        for source, text in texts:
            if not text.strip():
                problems.append("%s printed nothing" % source)
        examples += hex_
    counts = {"pass": 0, "fail": 0, "skip": 0, "xfail": 0}
    failed = []
    for p in problems:
        print("FAIL " + p)
        counts["fail"] += 1
        failed.append(p)
    if not examples:
        print("FAIL no examples found in %s" % readme)
        counts["fail"] += 1
    for ex in examples:
        if ex.skip:
            print("skip %s (%s)" % (ex.name(), ex.skip))
            counts["skip"] += 1
            continue
        verdict, report = check_example(ex, binary, verbose)
        tag = {"pass": "ok   ", "fail": "FAIL ", "xfail": "xfail", "xpass": "FAIL "}[verdict]
        print("%s %s" % (tag, ex.name()))
        for r in report:
            print(r)
        if verdict == "xpass":
            verdict = "fail"
        counts[verdict] += 1
        if verdict == "fail":
            failed.append(ex.name())
    sys.stdout.flush()
    return counts, failed


def closing(counts):
    extra = ""
    if counts["skip"]:
        extra += ", %d skipped" % counts["skip"]
    if counts["xfail"]:
        extra += ", %d expected failures (KNOWN_FAILURES)" % counts["xfail"]
    return "%d passed, %d failed%s" % (counts["pass"], counts["fail"], extra)


def edit_and_run(binary, lines, examples, stream):
    """Change the last digit of the first shown `stream` line (stdout or
    stderr) that has one, run this test on the edited copy; the checks."""
    target = None
    for ex in examples:
        if ex.skip or any(kf["command"] == c.text for kf in KNOWN_FAILURES for c in ex.commands):
            continue
        for cmd in ex.commands:
            for j, ln in enumerate(cmd.shown):
                if re.search(r"\d", ln) and ln.startswith("georeach:") == (stream == "stderr"):
                    target = (ex, cmd, j)
                    break
            if target:
                break
        if target:
            break
    if target is None:
        return [(False, "a shown %s line with a digit in README.md" % stream)]
    ex, cmd, j = target
    # the README line of that shown line: after the command and its
    # continuation lines, j further down
    lines = list(lines)
    idx = cmd.line - 1
    while lines[idx].rstrip().endswith("\\"):
        idx += 1
    idx += 1 + j
    old = lines[idx]
    assert old[4:] == cmd.shown[j], (old, cmd.shown[j])
    pos = max(i for i, ch in enumerate(old) if ch.isdigit())
    new = old[:pos] + str((int(old[pos]) + 1) % 10) + old[pos + 1:]
    lines[idx] = new
    print("self-test (%s): README.md:%d edited at column %d\n  was: %s\n  now: %s"
          % (stream, idx + 1, pos + 1, old, new))
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "README.md")
        with open(copy, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        r = subprocess.run([sys.executable, os.path.abspath(__file__), binary, "--readme", copy,
                            "--no-help"], capture_output=True, text=True, timeout=3000)
    tail = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    m = re.match(r"^(\d+) passed, (\d+) failed", tail)
    checks = [
        (r.returncode == 1, "%s edit: the run on the edited copy exits 1 (got %d)" % (stream, r.returncode)),
        (m is not None and int(m.group(2)) == 1,
         "%s edit: it reports exactly 1 failure (closing line: %r)" % (stream, tail)),
        (("FAIL  README.md:%d: $ %s" % (ex.line, ex.commands[0].text)) in r.stdout,
         "%s edit: the failure names the edited example (README.md:%d)" % (stream, ex.line)),
        (("%s line %d:" % (stream, 1 + sum(1 for l in cmd.shown[:j]
                                           if l.startswith("georeach:") == (stream == "stderr"))))
         in r.stdout and ("shown:   " + new[4:].rstrip()) in r.stdout,
         "%s edit: the report shows the edited line, on %s" % (stream, stream)),
    ]
    if not all(ok for ok, _ in checks):
        print("--- output of the run on the edited copy ---\n" + r.stdout + r.stderr)
    return checks


def self_test(binary):
    """Edit one character of one shown output line in a copy of README.md
    (once a stderr line, once a stdout line, each in its own copy); this test
    run on the copy must fail, naming that example and that line."""
    readme = os.path.join(REPO, "README.md")
    with open(readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    examples, _ = readme_examples(readme)
    checks = []
    for stream in ("stderr", "stdout"):
        checks += edit_and_run(binary, lines, examples, stream)
    fails = 0
    for ok, what in checks:
        print(("ok   " if ok else "FAIL ") + what)
        fails += not ok
    print("%d passed, %d failed" % (len(checks) - fails, fails))
    return 1 if fails else 0


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__)
        return 2
    binary = os.path.abspath(args[0])
    readme = os.path.join(REPO, "README.md")
    verbose = "-v" in args
    if "--readme" in args:
        readme = os.path.abspath(args[args.index("--readme") + 1])
    if "--self-test" in args:
        return self_test(binary)
    counts, failed = run_all(binary, readme, verbose, with_help="--no-help" not in args)
    print(closing(counts))
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())

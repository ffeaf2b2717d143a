#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Convert the restricted Markdown of docs/man/*.md to a roff man page (man(7) macros).

The pages are written in a small subset, so a converter of a hundred lines does, with
nothing to install beyond python3:

  # name(N)                  first line: the page title and section
  ## HEADING / ### Sub       .SH / .SS
  blank-line separated text  paragraphs (.PP)
  * item / - item            bullets (.IP); indented lines continue the item
  ```                        literal blocks (.nf/.fi)
  | a | b |  tables          each body row becomes .TP: first cell the tag, the rest the text
  `code` **bold** *em*       \\fB \\fB \\fI
  [text](target)             text (target)

Anything else passes as text. Non-ASCII characters become groff \\[uXXXX] escapes, so the
output is plain ASCII and renders with `man -l` and `groff -man -Tutf8` alike.

usage: md2man.py INPUT.md OUTPUT VERSION
"""
import re
import sys


def esc(text):
    """Escape plain text for roff (no inline markup)."""
    out = []
    for ch in text.replace("\\", "\\e"):
        if ch == "-":
            out.append("\\-")
        elif ord(ch) > 127:
            out.append("\\[u%04X]" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def inline(text):
    """Inline markup to font escapes; everything else escaped."""
    out = []
    pos = 0
    pat = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)]+)\)")
    for m in pat.finditer(text):
        out.append(esc(text[pos:m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + esc(m.group(1)) + "\\fR")
        elif m.group(2) is not None:
            out.append("\\fB" + esc(m.group(2)) + "\\fR")
        elif m.group(3) is not None:
            out.append("\\fI" + esc(m.group(3)) + "\\fR")
        else:
            label, target = m.group(4), m.group(5)
            out.append(inline(label) if label == target else inline(label) + " (" + esc(target) + ")")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def line_safe(s):
    """A roff text line must not start with a control character."""
    return "\\&" + s if s.startswith((".", "'")) else s


def convert(lines, version):
    out = []
    m = re.match(r"#\s+([\w.-]+)\((\d)\)\s*$", lines[0]) if lines else None
    if not m:
        raise SystemExit("md2man: the first line must be '# name(N)'")
    name, section = m.group(1), m.group(2)
    title = {"1": "User Commands", "8": "System Administration"}.get(section, "")
    out.append('.TH "%s" "%s" "" "cmcd %s" "%s"' % (name.upper(), section, version, title))
    para, in_code, in_name, table = [], False, False, []

    def flush():
        nonlocal para, table
        if para:
            text = " ".join(s.strip() for s in para)
            if in_name:
                # whatis(1) wants "name \- description"
                text = re.sub(r"`([^`]+)`", r"\1", text).replace(" \u2014 ", " - ", 1)
                head, _, rest = text.partition(" - ")
                out.append(esc(head) + " \\- " + inline(rest))
            elif para[0].lstrip().startswith(("* ", "- ")):
                out.append(".IP \\(bu 2")
                out.append(line_safe(inline(text[2:] if text[:2] in ("* ", "- ") else text)))
            else:
                out.append(".PP")
                out.append(line_safe(inline(text)))
        para = []
        if table:
            rows = [[c.strip() for c in r.strip().strip("|").split("|")] for r in table]
            body = [r for r in rows[1:] if not all(re.fullmatch(r":?-+:?", c) for c in r)]
            for r in body:
                out.append(".TP")
                out.append(line_safe(inline(r[0])))
                out.append(line_safe(inline("; ".join(c for c in r[1:] if c))))
            table = []

    for raw in lines[1:]:
        line = raw.rstrip("\n")
        if in_code:
            if line.startswith("```"):
                out.append(".fi")
                out.append(".RE")
                in_code = False
            else:
                out.append(line_safe(esc(line)) if line else "")
            continue
        if line.startswith("```"):
            flush()
            out.append(".PP")
            out.append(".RS 4")
            out.append(".nf")
            in_code = True
        elif line.startswith("### "):
            flush()
            out.append(".SS " + inline(line[4:].strip()))
        elif line.startswith("## "):
            flush()
            head = line[3:].strip()
            in_name = head.upper() == "NAME"
            out.append('.SH "' + esc(head.upper()) + '"')
        elif line.startswith("|"):
            if para:
                flush()
            table.append(line)
        elif not line.strip():
            flush()
        elif re.match(r"\s*[*-] ", line) and para:
            # a new bullet ends the previous paragraph or bullet
            flush()
            para.append(line.strip())
        else:
            if table:
                flush()
            para.append(line)
    flush()
    if in_code:
        raise SystemExit("md2man: unterminated ``` block")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.readlines()
    text = convert(lines, sys.argv[3])
    with open(sys.argv[2], "w", encoding="ascii") as f:
        f.write(text)


if __name__ == "__main__":
    main()

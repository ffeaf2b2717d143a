#!/usr/bin/env python3
"""Three lists of cmcd.cnf keys must agree, per section ([cmcd] and a profile section):
the keys the loader reads (get_str/get_ulong/get_bool calls in src/ca/ca_config.c), the
known-key tables an unknown key is checked against (main_section_keys,
profile_section_keys), and the keys docs/configuration.md documents. A key read but not
in the table makes cmcd refuse its own documented setting; a key in the table but never
read is silently ignored; a key not documented is a surprise. Exit 1 naming each mismatch."""
import re
import sys

root = sys.argv[1]
src = open(f"{root}/src/ca/ca_config.c").read()
doc = open(f"{root}/docs/configuration.md").read()

read = {"main": set(), "profile": set()}
for sec, key in re.findall(r'get_(?:str|ulong|bool)\(ca,\s*([A-Za-z_>.-]+),\s*"([a-z0-9_]+)"', src):
    read["main" if sec == "MAIN_SECTION" else "profile"].add(key)


def table(name):
    m = re.search(r"static const char \*const " + name + r"\[\] = \{(.*?)\};", src, re.S)
    if not m:
        sys.exit(f"no table {name} in ca_config.c")
    return set(re.findall(r'"([a-z0-9_]+)"', m.group(1)))


known = {"main": table("main_section_keys"), "profile": table("profile_section_keys")}


def documented(heading):
    m = re.search(r"^## " + re.escape(heading) + r"\n(.*?)(?=^## )", doc, re.S | re.M)
    if not m:
        sys.exit(f"no section '## {heading}' in docs/configuration.md")
    keys = set()
    for row in re.findall(r"^\| (`[^|]*`) \|", m.group(1), re.M):
        keys |= set(re.findall(r"`([a-z0-9_]+)`", row))
    return keys


docs = {"main": documented("`[cmcd]`"), "profile": documented("A profile section")}

bad = 0
for sec in ("main", "profile"):
    for what, a, b in (("read by the loader but not a known key", read, known),
                       ("a known key but never read", known, read),
                       ("read by the loader but not documented", read, docs),
                       ("documented but never read", docs, read)):
        for k in sorted(a[sec] - b[sec]):
            print(f"{sec} section: '{k}' is {what}")
            bad += 1
print(f"{sum(len(v) for v in read.values())} keys checked, {bad} mismatches")
sys.exit(1 if bad else 0)

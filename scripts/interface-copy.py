#!/usr/bin/env python3
"""Regenerates tests/interfaces/<vendor>.json from ../shared/interfaces/<vendor>.md.

The copy is what the schema tests compare `terraform providers schema -json` with: every
attribute's Terraform JSON type, mode (required | optional | optional_default | optional_computed
| computed) and sensitive / write_only flags, and nested blocks. Run it when the interface
document changes: python3 scripts/interface-copy.py lighthouse (the Lighthouse and Lastline
documents; the older Luminate and Lightrun copies were generated from differently laid out tables)
"""
import json
import re
import sys
from pathlib import Path


def split_top(text, sep=","):
    """Splits at `sep` outside parentheses and braces."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def tf_type(text):
    text = text.strip().strip("`")
    if text in ("string", "number", "bool"):
        return text
    m = re.fullmatch(r"(list|set|map)\((.*)\)", text)
    if m:
        return [m.group(1), tf_type(m.group(2))]
    m = re.fullmatch(r"object\(\{(.*)\}\)", text)
    if m:
        attrs = {}
        for part in split_top(m.group(1)):
            name, _, ty = part.partition("=")
            attrs[name.strip()] = tf_type(ty)
        return ["object", attrs]
    return None  # left open by the table


def mode(flags, default):
    f = {x.strip().strip("*") for x in flags.split(",")}
    if "required" in f:
        return "required"
    if "optional" in f:
        if default.strip():
            return "optional_default"
        return "optional_computed" if "computed" in f else "optional"
    return "computed"


def attribute(cells):
    name, ty, flags, default = cells[0].strip("` "), cells[1], cells[2], cells[3]
    out = {"type": tf_type(ty), "mode": mode(flags, default)}
    if "sensitive" in flags:
        out["sensitive"] = True
    if "write-only" in flags:
        out["write_only"] = True
    return name, out


def tables(lines):
    """Yields (section, heading, block or None, rows) for each table, in order."""
    section, heading, block, rows = None, None, None, []
    for line in lines + [""]:
        if line.startswith("## "):
            section, heading, block = line[3:].strip().lower(), line[3:].strip(), None
        elif line.startswith("### "):
            heading, block = line[4:].strip(), None
        m = re.match(r"Block `(\w+)` \(nesting (\w+)\)", line)
        if m:
            block = (m.group(1), m.group(2))
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            yield section, heading, block, rows
            rows = []


def kind_of(section):
    for prefix, kind in (("data", "data_sources"), ("action", "actions"), ("ephemeral", "ephemeral_resources")):
        if section.startswith(prefix):
            return kind
    return "resources"


def main(vendor):
    root = Path(__file__).resolve().parent.parent
    md = (root.parent / "shared" / "interfaces" / f"{vendor}.md").read_text().splitlines()
    copy = {
        "_about": f"The Terraform interface of ../shared/interfaces/{vendor}.md, generated from its tables by scripts/interface-copy.py. Each attribute: type (Terraform's JSON type), mode required | optional | optional_default (optional, may be computed) | optional_computed | computed; sensitive / write_only true where the table says.",
        "provider": {},
        "resources": {},
        "data_sources": {},
        "actions": {},
        "ephemeral_resources": {},
    }
    for section, heading, block, rows in tables(md):
        if rows[0][0] != "attribute":
            continue
        body = [r for r in rows[2:] if len(r) >= 4]
        if section == "provider configuration":
            target = copy["provider"]
        else:
            m = re.match(r"`(\w+)`", heading or "")
            if not m:
                continue
            target = copy[kind_of(section)].setdefault(m.group(1), {})
        if block:
            entry = {"block": block[1], "attributes": dict(attribute(r) for r in body)}
            target[block[0]] = entry
            continue
        target.update(dict(attribute(r) for r in body))
    for k in [k for k in ("actions", "ephemeral_resources") if not copy[k]]:
        del copy[k]
    out = root / "tests" / "interfaces" / f"{vendor}.json"
    out.write_text(json.dumps(copy, indent=1) + "\n")
    print(f"wrote {out}: {len(copy['resources'])} resources, {len(copy['data_sources'])} data sources")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lighthouse")

# SPDX-License-Identifier: GPL-2.0-or-later
"""The configuration blocks of README.md's example ("## Example: a hub and a
spoke"), as the README shows them: tools/lab and the topotests that check
the example run exactly these lines."""
import os
import re

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), "README.md")
SECTION = "## Example: a hub and a spoke"


def readme_configs(path=README):
    """{"hub": text, "spoke": text}: the first fenced block after the
    paragraph that starts with "Hub" / "Spoke" in the example section."""
    with open(path) as f:
        text = f.read()
    start = text.find(SECTION)
    if start < 0:
        raise ValueError("%s: no section %r" % (path, SECTION))
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end >= 0 else len(text)]
    out = {}
    for role in ("hub", "spoke"):
        m = re.search(r"^%s\b.*?\n```\n(.*?)```\n" % role.capitalize(), section,
                      re.S | re.M)
        if not m:
            raise ValueError("%s: no %s configuration block in %r" % (path, role, SECTION))
        out[role] = m.group(1)
    return out


__all__ = ["readme_configs", "README"]

# SPDX-License-Identifier: GPL-2.0-or-later
# Sphinx configuration of nhrpd's documentation: HTML (the whole manual) and
# the nhrpd(8) man page, as FRR builds its user manual and man pages.
# Built by doc/subdir.am (`make doc`, `make html`, `make man`).
import os
import re

_here = os.path.dirname(os.path.abspath(__file__))


def _version():
    """The version AC_INIT declares in configure.ac (one source of truth)."""
    with open(os.path.join(_here, "..", "configure.ac")) as f:
        m = re.search(r"AC_INIT\(\[nhrpd\],\s*\[([^\]]+)\]", f.read())
    return m.group(1) if m else "unknown"


project = "nhrpd"
author = "nhrpd developers"
copyright = "nhrpd developers, GPL-2.0-or-later"
version = release = _version()

master_doc = "index"
source_suffix = ".rst"
exclude_patterns = ["_build"]
highlight_language = "none"
pygments_style = "sphinx"
# each manual page lists the others; nothing is fetched from the network
extensions = []

html_theme = "alabaster"
html_title = "nhrpd %s" % release
html_show_sourcelink = False
html_static_path = []

man_pages = [
    ("nhrpd", "nhrpd",
     "NHRP (RFC 2332) daemon for DMVPN hubs and spokes, on FRR's library",
     [author], 8),
    ("nhrpd-vtysh", "nhrpd-vtysh",
     "FRR's vtysh with nhrpd's full command set", [author], 1),
    # the same tuple as NHRPD_MIGRATE_MAN in nhrpd/subdir.am (the man
    # page committed as doc/nhrpd-migrate.1 is made from it)
    ("nhrpd-migrate", "nhrpd-migrate",
     "convert an OpenNHRP configuration into nhrpd configuration", [], 1),
]
man_show_urls = True

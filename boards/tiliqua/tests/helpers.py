"""Shared pieces of the Tiliqua tests: a design's plain values for the archive, and reading one back."""

from __future__ import annotations

import tarfile

#: A design's plain values for the archive (the platform knows no design).
LABELS = ["in one", "", "in three", "", "out one", "", "", "out four"]
FIELDS = {"name": "SOME-DESIGN_1", "brief": "a design of the tests", "jack_labels": LABELS}


def read_archive(path):
    with tarfile.open(path, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        return members, {name: tar.extractfile(m).read() for name, m in members.items()}

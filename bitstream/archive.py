"""What the waveshaper tells a bootloader's archive about itself (``BoardSpec.archive``, Tiliqua): its menu
name, its one-line brief and the label of each jack, as the plain values the platform's archive takes."""

from __future__ import annotations

from boards.eurorack_pmod.samples import CHANNELS
from common.config import ModelConfig
from common.roles import jack_roles

from .jacks import DRY_JACK, input_jacks, output_sources
from .plays import brief

__all__ = ["BRIEF", "archive_fields", "jack_labels"]

BRIEF = "Neural waveshaper: CVs e0/e1 pick the shape of the core wave"
#: The help screen's label of each input role.
_ROLE_LABEL = {"core": "core wave in", "e0": "CV e0 0..5V", "e1": "CV e1 0..5V"}


def jack_labels(config: ModelConfig) -> list[str]:
    """The 8 jack labels (inputs 0-3, outputs 0-3) for the bootloader's help screen."""
    labels = [""] * (2 * CHANNELS)          # the inputs' jacks, then the outputs'
    for role, jack in zip(jack_roles(config.inputs), input_jacks(config), strict=True):
        labels[jack] = _ROLE_LABEL.get(role, role)
    for jack, source in enumerate(output_sources(config)):
        if jack == DRY_JACK:
            labels[CHANNELS + jack] = "dry core out"
        elif source is not None:
            labels[CHANNELS + jack] = "shaped out" if source == 0 else f"net out {source}"
    return labels


def archive_fields(config: ModelConfig, played: dict | None = None) -> dict:
    """``name``, ``brief`` and ``jack_labels`` of the waveshaper built from ``config``; its ``brief`` says what the
    bitstream plays when ``played`` (:func:`bitstream.plays.plays`) is given, the archive format's one free
    text."""
    return {"name": f"WAVESHAPER-{config.name}".upper(), "brief": BRIEF if played is None else brief(played),
            "jack_labels": jack_labels(config)}

"""``bench.phase_inputs``: the two phase readings fail where docs/sound.md says they do."""

from __future__ import annotations

import bench.phase_inputs as phase_inputs


def test_held_notes_favour_phase_and_slow_glides_favour_level(monkeypatch):
    monkeypatch.setattr(phase_inputs, "TAKES", 4)
    held = phase_inputs.phase_bound("held")
    glides = phase_inputs.phase_bound("glides")
    # a curved slope bends level alike in every band (about 20 dB); a held note leaves time exact
    assert all(16 < row["level_db"] < 26 for row in held.values())
    assert held["110-440"]["phase_db"] > held["110-440"]["level_db"] + 20
    # a glide changes the half period from one half to the next: at low pitch level is the better reading
    assert glides["27.5-110"]["phase_db"] < glides["27.5-110"]["level_db"]
    assert set(held) == {"27.5-110", "110-440", "440-1760", "1760-4186"}

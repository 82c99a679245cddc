"""The network's input roles: what each input channel carries, defined once for every stage.

``ModelConfig.inputs`` lists one role per network input channel, in channel order. The same role names
drive every stage that has to produce or check that channel:

* ``common.config`` rejects a config naming a role that is not here;
* ``train.dataset.make_inputs`` synthesises each role for training (it has one source per role);
* ``boards.audio_edge.jacks`` says which input jack feeds each role on the module (one source per role);
* the simulations and tests draw their inputs from :data:`INPUT_ROLES`.

Adding a role (say a control channel the hardware front end derives from the core wave) means one entry
here plus a source for it in the dataset and in the board's audio edge; each consumer checks that it
covers every role (``train/tests``, ``boards/tests``), so a role nobody can produce fails in the tests,
not on the board.
"""

from __future__ import annotations

__all__ = ["CORE", "INPUT_ROLES", "unknown_roles"]

#: The role every network needs: the core wave the network reshapes.
CORE = "core"

#: Role -> what the channel carries, in the order the default config uses them.
INPUT_ROLES: dict[str, str] = {
    CORE: "the core wave (a triangle), audio at +-5 V = +-1.0",
    "e0": "embedding coordinate 0: a CV, 0..5 V = 0..1 (an unplugged jack reads 0)",
    "e1": "embedding coordinate 1: a CV, 0..5 V = 0..1 (an unplugged jack reads 0)",
    "zero": "a spare channel held at 0 (the prior design's fourth input, docs/prior-work.md §1)",
}


def unknown_roles(roles) -> list[str]:
    """The names in ``roles`` that are not input roles, in order."""
    return [role for role in roles if role not in INPUT_ROLES]

"""The network's input roles: what each input channel carries, defined once for every stage.

``ModelConfig.inputs`` lists one role per network input channel, in channel order. The same role names
drive every stage that has to produce or check that channel:

* ``common.config`` rejects a config naming a role that is not here;
* ``train.dataset.make_inputs`` synthesises each role for training (it has one source per role);
* ``bitstream.jacks`` says which input jack feeds each role on the module (one source per role);
* the simulations and tests draw their inputs from :data:`INPUT_ROLES`.

Two kinds of role: *jack roles* (:data:`JACK_ROLES`) arrive from outside, from a jack on the module or a
signal of the dataset; *derived roles* (:data:`DERIVED_ROLES`) are computed from the core wave by the
front end (``common/front_end.py``, in the golden model and in the RTL alike), so the board and the dataset
only ever provide the jack roles. Adding a derived role means one entry here plus its arithmetic in
``common/front_end.py``, ``docs/arithmetic.md`` and ``rtl/front_end.py``; adding a jack role means a source
for it in the dataset and in the board's audio edge. Each consumer checks that it covers every role
(``train/tests``, ``boards/tests``, ``rtl/tests``), so a role nobody can produce fails in the tests, not on
the board.
"""

from __future__ import annotations

__all__ = ["CORE", "DERIVED_ROLES", "INPUT_ROLES", "JACK_ROLES", "jack_roles", "unknown_roles"]

#: The role every network needs: the core wave the network reshapes.
CORE = "core"

#: Role -> what the channel carries, in the order the default config uses them.
INPUT_ROLES: dict[str, str] = {
    CORE: "the core wave (a triangle), audio at +-5 V = +-1.0",
    "e0": "embedding coordinate 0: a CV, 0..5 V = 0..1 (an unplugged jack reads 0)",
    "e1": "embedding coordinate 1: a CV, 0..5 V = 0..1 (an unplugged jack reads 0)",
    "zero": "a spare channel held at 0 (the prior design's fourth input, docs/prior-work.md §1)",
    "direction": "the front end's direction cue: +1.0 while the core rises, -1.0 while it falls (with "
                 "hysteresis; docs/arithmetic.md, Front end)",
    "slope": "the front end's slope: the core's last step times 2**slope_shift, saturated (docs/arithmetic.md, "
             "Front end)",
    "level": "the front end's level: the core within its last swing, -1.0 at the last trough, +1.0 at the last "
             "crest (docs/arithmetic.md, Front end)",
    "rate": "the front end's rate: the core's last step over its last swing, times 2**rate_shift "
            "(docs/arithmetic.md, Front end)",
    "phase": "the front end's time phase: the samples since the direction last turned over the length of the "
             "last half period in the same direction, -1.0 at the turn, +1.0 a half period later "
             "(docs/arithmetic.md, Front end)",
}

#: Roles that arrive from outside (a jack on the module, a signal of the dataset), in the order the
#: front end's input vector carries them.
JACK_ROLES = (CORE, "e0", "e1")

#: Roles the front end derives from the core wave (``common/front_end.py``); no jack feeds them.
DERIVED_ROLES = tuple(role for role in INPUT_ROLES if role not in JACK_ROLES)


def jack_roles(inputs) -> tuple[str, ...]:
    """The outside signals a network with input roles ``inputs`` needs, in :data:`JACK_ROLES` order: the
    core always (every derived role comes from it), ``e0``/``e1`` when the network uses them."""
    return tuple(role for role in JACK_ROLES if role == CORE or role in inputs)


def unknown_roles(roles) -> list[str]:
    """The names in ``roles`` that are not input roles, in order."""
    return [role for role in roles if role not in INPUT_ROLES]

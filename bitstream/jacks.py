"""Which jack feeds each network input role, and what each output jack plays.

Inputs (the jack roles of ``config.inputs``, ``common.roles.jack_roles``): ``core`` = input jack 0 (the
core wave), ``e0``/``e1`` = jacks 1/2 (the embedding CVs; 0..5 V maps to 0..1, and an unplugged jack reads
0 = the (0, 0) corner, a trained point). The front end in the network's top level derives every other
role (``direction``, ``slope``, ``level``, ``rate``; ``zero`` when a config names it) from the core. Jack 3 is
unused.

Outputs: jack 0 = network output channel 0, jack 1 = the dry core wave (the calibrated input sample the
network saw, passed through unscaled: 1 V in, 1 V out), jacks 2 and 3 = network channels 1 and 2 when the
network has them, else silence.
"""

from __future__ import annotations

from boards.eurorack_pmod.samples import CHANNELS
from common.config import ModelConfig
from common.roles import jack_roles

__all__ = ["DRY_JACK", "JACK_OF_ROLE", "input_jacks", "output_sources"]

#: Input jack feeding each jack role. One entry per ``common.roles.JACK_ROLES``
#: (``bitstream/tests/test_scaling.py`` checks that).
JACK_OF_ROLE: dict[str, int] = {"core": 0, "e0": 1, "e1": 2}
#: Output jack carrying the dry core wave.
DRY_JACK = 1


def input_jacks(config: ModelConfig) -> list[int]:
    """Input jack per channel of the network top level's input (``jack_roles(config.inputs)`` order)."""
    roles = jack_roles(config.inputs)
    missing = [role for role in roles if role not in JACK_OF_ROLE]
    if missing:
        raise ValueError(f"inputs: role {missing[0]!r} has no source on the eurorack-pmod; the jacks feed "
                         f"{', '.join(JACK_OF_ROLE)} (bitstream/jacks.py)")
    return [JACK_OF_ROLE[role] for role in roles]


def output_sources(config: ModelConfig) -> list[int | str | None]:
    """Per output jack: a network output channel index, ``"dry"``, or None (silence)."""
    if config.n_outputs > CHANNELS - 1:
        raise ValueError(f"layers[-1].filters: the eurorack-pmod has {CHANNELS} outputs, one of them "
                         f"the dry signal, so at most {CHANNELS - 1} network outputs fit; got "
                         f"{config.n_outputs}")
    net = iter(range(config.n_outputs))
    return ["dry" if jack == DRY_JACK else next(net, None) for jack in range(CHANNELS)]


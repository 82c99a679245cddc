"""Slips in the multipliers' instances that every RTL-level simulation passes and the gate-level run must fail.

RTL simulations never see the MULT18X18D instances of ``rtl/multiplier.py``: off the ECP5 platform a lane is
the plain ``a * b`` description. So a wrong sign port, an output register left out, the product taken one
bit off or an operand's sign extension dropped would pass every RTL check and play garbage on the board.
Each mutation here edits the mapped netlist the way such a slip in ``rtl/multiplier.py`` shows up in it, on
every instance the multiplier component made (those with the output register on, ``REG_OUTPUT_CLK =
"CLK0"``; yosys' own inferred products have no registers and stay as they are). :mod:`gatesim.__main__`
and the tests simulate each mutant and require a mismatch.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["MUTATIONS", "MutationError", "mutate"]


class MutationError(ValueError):
    """A mutation found nothing to change: the netlist does not hold what the mutation edits."""


_INSTANCE = re.compile(r"  MULT18X18D #\((?P<params>.*?)\n  \) (?P<name>\S+\s*)\((?P<ports>.*?)\n  \);", re.S)
_PORT = re.compile(r"\.(?P<port>[A-Z]+\d*)\((?P<net>[^()]*?)\)")


def _signed_a_low(params: str, ports: str) -> tuple[str, str]:
    return params, ports.replace(".SIGNEDA(1'h1)", ".SIGNEDA(1'h0)")


def _no_output_register(params: str, ports: str) -> tuple[str, str]:
    return params.replace('.REG_OUTPUT_CLK("CLK0")', '.REG_OUTPUT_CLK("NONE")'), ports


def _product_one_bit_off(params: str, ports: str) -> tuple[str, str]:
    """Each net on ``P[i]`` moves to ``P[i+1]`` (the one on ``P35`` is left open): the lane's product is
    read as ``P[1:]``, half of it."""
    lines = []
    for line in ports.split("\n"):
        match = re.fullmatch(r"(\s*)\.P(\d+)\((.*)\)(,?)", line)
        if match is None:
            lines.append(line)
        elif int(match[2]) < 35:
            lines.append(f"{match[1]}.P{int(match[2]) + 1}({match[3]}){match[4]}")
    return params, "\n".join(lines)


def _sign_extension_dropped(params: str, ports: str) -> tuple[str, str]:
    """The bits of operand A above its own sign bit (wired to the same net as it) tied low instead."""
    nets = {m["port"]: m["net"] for m in _PORT.finditer(ports)}
    bit = 17
    while bit > 0 and nets.get(f"A{bit}") == nets.get(f"A{bit - 1}"):
        ports = ports.replace(f".A{bit}({nets[f'A{bit}']})", f".A{bit}(1'h0)")
        bit -= 1
    return params, ports


#: Name -> (what it models, the edit of one instance's parameters and ports).
MUTATIONS: dict[str, tuple[str, Callable[[str, str], tuple[str, str]]]] = {
    "signeda_low": ("SIGNEDA tied low: the sample operand read as unsigned", _signed_a_low),
    "no_output_register": ('REG_OUTPUT_CLK "NONE": the product a cycle early', _no_output_register),
    "product_one_bit_off": ("P sliced one bit off: the product read from P[1:]", _product_one_bit_off),
    "sign_extension_dropped": ("operand A's sign extension dropped: its top bits tied low",
                               _sign_extension_dropped),
}


def mutate(netlist: str, name: str) -> str:
    """``netlist`` with mutation ``name`` applied to every multiplier instance of ``rtl/multiplier.py``;
    :class:`MutationError` if it changes nothing."""
    if name not in MUTATIONS:
        raise MutationError(f"unknown mutation {name!r}; choose one of {', '.join(MUTATIONS)}")
    edit = MUTATIONS[name][1]
    changed = 0

    def apply(match: re.Match) -> str:
        nonlocal changed
        params, ports = match["params"], match["ports"]
        if '.REG_OUTPUT_CLK("CLK0")' not in params:
            return match[0]
        new_params, new_ports = edit(params, ports)
        if (new_params, new_ports) == (params, ports):
            return match[0]
        changed += 1
        return f"  MULT18X18D #({new_params}\n  ) {match['name']}({new_ports}\n  );"

    mutated = _INSTANCE.sub(apply, netlist)
    if not changed:
        raise MutationError(f"mutation {name!r} found no MULT18X18D instance of rtl/multiplier.py to change")
    return mutated

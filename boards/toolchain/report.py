"""Parse a nextpnr-ecp5 log (amaranth's ``top.tim``) into the numbers ``report.json`` carries.

Two blocks matter (``docs/fpga-flow.md`` §5):

* ``Info: Device utilisation:`` followed by lines ``Info:      TRELLIS_COMB:  1234/83640   1%``. nextpnr
  prints it before placement; the last block in the log is used.
* ``Info: Max frequency for clock '<net>': 105.50 MHz (PASS at 25.00 MHz)``. Printed after placement (an
  estimate) and again after routing (final): the **last** line per clock is the post-route figure.

Clock nets are mapped to our domain names by the constraint frequency nextpnr prints ("at Y MHz"), which is
the PLL's output frequency of that domain (net names are whatever yosys kept, e.g.
``$glbnet$audio_path.dry_fifo.clk`` for ``sync``); :func:`domain_of_net` guesses from the name otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ClockTiming", "NextpnrReport", "ReportError", "domain_of_net", "parse_nextpnr_log"]

_UTIL_HEADER = re.compile(r"Info: Device utilisation:")
_UTIL_LINE = re.compile(r"^Info:\s+([A-Za-z0-9_$]+):\s+(\d+)\s*/\s*(\d+)\s+(\d+)%")
_FMAX = re.compile(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+)\s+MHz\s+\((PASS|FAIL)\s+at\s+([0-9.]+)\s+MHz\)")

#: The resources a report always lists (0 used if nextpnr did not print them).
KEY_RESOURCES = ("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D", "TRELLIS_IO", "EHXPLLL")


class ReportError(ValueError):
    """The log does not contain what a finished place-and-route prints."""


@dataclass(frozen=True)
class ClockTiming:
    net: str
    domain: str
    fmax_mhz: float
    target_mhz: float
    passed: bool

    def to_dict(self) -> dict:
        return {"net": self.net, "fmax_mhz": self.fmax_mhz, "target_mhz": self.target_mhz,
                "met": self.passed, "slack_mhz": round(self.fmax_mhz - self.target_mhz, 3)}


@dataclass
class NextpnrReport:
    #: resource -> (used, available)
    utilisation: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: domain (or raw net name) -> final timing
    clocks: dict[str, ClockTiming] = field(default_factory=dict)

    @property
    def timing_met(self) -> bool:
        return bool(self.clocks) and all(c.passed for c in self.clocks.values())

    def utilisation_dict(self) -> dict[str, dict[str, int]]:
        out = {}
        for name in sorted(set(self.utilisation) | set(KEY_RESOURCES)):
            used, available = self.utilisation.get(name, (0, 0))
            out[name] = {"used": used, "available": available}
        return out


def domain_of_net(net: str) -> str:
    """``sync``/``audio``/``network`` for our PLL output nets, else the net name itself."""
    lowered = net.lower()
    if "clk_audio" in lowered or "audio_clk" in lowered:
        return "audio"
    if "clk_network" in lowered or "network_clk" in lowered:
        return "network"
    if "clk_sync" in lowered or "sync_clk" in lowered:
        return "sync"
    return net


def _domain(net: str, target_mhz: float, clock_targets: dict[str, float] | None) -> str:
    for domain, hz in (clock_targets or {}).items():
        # nextpnr prints the target with 2 decimals, and a PLL output's derived target carries its period
        # rounding (Tiliqua: 90 MHz from 48 MHz is printed as 90.01): 0.05 % tells the domains apart.
        if abs(hz / 1e6 - target_mhz) <= max(0.01, 5e-4 * target_mhz):
            return domain
    return domain_of_net(net)


def parse_nextpnr_log(text: str, clock_targets: dict[str, float] | None = None) -> NextpnrReport:
    """``clock_targets``: domain -> constrained frequency in Hz, used to name the clocks."""
    report = NextpnrReport()
    lines = text.splitlines()
    util_starts = [i for i, line in enumerate(lines) if _UTIL_HEADER.search(line)]
    if not util_starts:
        raise ReportError("no 'Device utilisation' block in the nextpnr log (did place-and-route run?)")
    for line in lines[util_starts[-1] + 1:]:
        match = _UTIL_LINE.match(line)
        if not match:
            if report.utilisation:
                break
            continue
        report.utilisation[match[1]] = (int(match[2]), int(match[3]))
    final: dict[str, ClockTiming] = {}
    for line in lines:
        match = _FMAX.search(line)
        if match:  # later lines (post-route) overwrite earlier ones (post-place estimates)
            net = match[1]
            target = float(match[4])
            final[net] = ClockTiming(net, _domain(net, target, clock_targets), float(match[2]), target,
                                     match[3] == "PASS")
    if not final:
        raise ReportError("no 'Max frequency for clock' line in the nextpnr log (no constrained clock?)")
    for timing in final.values():
        report.clocks[timing.domain] = timing
    return report

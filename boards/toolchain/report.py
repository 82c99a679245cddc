"""Parse a nextpnr-ecp5 log (amaranth's ``top.tim``) into the numbers ``report.json`` carries.

Two blocks matter (``docs/fpga-flow.md`` §5):

* ``Info: Device utilisation:`` followed by lines ``Info:      TRELLIS_COMB:  1234/83640   1%``. nextpnr
  prints it before placement; the last block in the log is used.
* ``Info: Max frequency for clock '<net>': 105.50 MHz (PASS at 25.00 MHz)``. Printed after placement (an
  estimate) and again after routing (final): the **last** line per clock is the post-route figure.

* ``Info: Critical path report for clock '<net>' (posedge -> posedge):`` followed by one line per step of
  the path (``clk-to-q``, ``routing``, ``logic``, ``setup``: its delay and the running total in ns, the cell
  pin or the net) and ``Info: 1.2 ns logic, 3.4 ns routing``; the last report per clock is the post-route
  one (:class:`CriticalPath`).

Clock nets are mapped to our domain names by the constraint frequency nextpnr prints ("at Y MHz"), which is
the PLL's output frequency of that domain (net names are whatever yosys kept, e.g.
``$glbnet$audio_path.dry_fifo.clk`` for ``sync``); :func:`domain_of_net` guesses from the name otherwise.

Each clock's slack is given as a period as well as a frequency: ``slack_ns`` = target period - the critical
path's delay (``1000 / target_mhz - 1000 / fmax_mhz``), and ``slack_percent`` that as a share of the target
period; a negative slack is a failing clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ClockTiming", "CriticalPath", "NextpnrReport", "ReportError", "domain_of_net", "parse_nextpnr_log"]

_UTIL_HEADER = re.compile(r"Info: Device utilisation:")
_UTIL_LINE = re.compile(r"^Info:\s+([A-Za-z0-9_$]+):\s+(\d+)\s*/\s*(\d+)\s+(\d+)%")
_FMAX = re.compile(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+)\s+MHz\s+\((PASS|FAIL)\s+at\s+([0-9.]+)\s+MHz\)")
_CRITICAL = re.compile(r"Critical path report for clock '([^']+)'")
_STEP = re.compile(r"^\w+:\s+(clk-to-q|routing|logic|setup)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(?:Source|Net|Setup)\s+(\S+)"
                   r"(?:\s+\((\d+),(\d+)\)\s+->\s+\((\d+),(\d+)\))?")
_SINK = re.compile(r"^\w+:\s+Sink\s+(\S+)")
_SPLIT = re.compile(r"([0-9.]+) ns logic, ([0-9.]+) ns routing")
_LOCATION = re.compile(r"^\w+:\s+(\S+\.(?:py|v|sv|vh)):(\d+)")

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

    @property
    def slack_ns(self) -> float:
        """The target period minus the critical path's delay (negative: the clock fails)."""
        return 1000 / self.target_mhz - 1000 / self.fmax_mhz

    @property
    def slack_percent(self) -> float:
        """:attr:`slack_ns` as a share of the target period."""
        return 100 * (1 - self.target_mhz / self.fmax_mhz)

    def to_dict(self) -> dict:
        return {"net": self.net, "fmax_mhz": self.fmax_mhz, "target_mhz": self.target_mhz,
                "met": self.passed, "slack_mhz": round(self.fmax_mhz - self.target_mhz, 3),
                "slack_ns": round(self.slack_ns, 3), "slack_percent": round(self.slack_percent, 2)}


@dataclass(frozen=True)
class CriticalPath:
    """One clock's critical path: where it starts and ends, its delay split into logic and routing, and its
    longest route (the net, its delay and the tiles it spans, as nextpnr's ``(x,y)`` coordinates)."""

    clock: str
    source: str
    sink: str
    delay_ns: float
    logic_ns: float
    routing_ns: float
    longest_net: str
    longest_net_ns: float
    longest_net_span: tuple[tuple[int, int], tuple[int, int]] | None
    steps: int
    #: The design's source lines the path passes, in order (nextpnr's "Defined in" lines; the tools' own
    #: cell libraries left out), relative to the working directory when under it.
    defined_in: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"source": self.source, "sink": self.sink, "delay_ns": self.delay_ns, "logic_ns": self.logic_ns,
                "routing_ns": self.routing_ns, "longest_net": self.longest_net,
                "longest_net_ns": self.longest_net_ns,
                "longest_net_span": None if self.longest_net_span is None else [list(p) for p in self.longest_net_span],
                "steps": self.steps, "defined_in": list(self.defined_in)}


@dataclass
class NextpnrReport:
    #: resource -> (used, available)
    utilisation: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: domain (or raw net name) -> final timing
    clocks: dict[str, ClockTiming] = field(default_factory=dict)
    #: domain (or raw net name) -> the final critical path (absent for a clock nextpnr gave none)
    critical_paths: dict[str, CriticalPath] = field(default_factory=dict)

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
    for path in _critical_paths(lines).values():  # the last report per clock: the post-route one
        domain = final[path.clock].domain if path.clock in final else domain_of_net(path.clock)
        report.critical_paths[domain] = path
    return report


def _critical_paths(lines: list[str]) -> dict[str, CriticalPath]:
    """Clock net -> its last critical path report."""
    paths: dict[str, CriticalPath] = {}
    starts = [(i, m[1]) for i, line in enumerate(lines) if (m := _CRITICAL.search(line))]
    for n, (start, clock) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        steps, sink, split, places = [], None, None, []
        for line in lines[start + 1:end]:
            if (step := _STEP.match(line)) is not None:
                steps.append(step)
            elif (found := _SINK.match(line)) is not None:
                sink = found[1]
            elif (found := _LOCATION.match(line)) is not None:
                if not found[1].startswith("/share/"):
                    places.append(f"{_relative(found[1])}:{found[2]}")
            elif (found := _SPLIT.search(line)) is not None:
                split = (float(found[1]), float(found[2]))
                break
        if not steps or split is None:
            continue  # a report nextpnr cut short: keep the earlier one, if any
        routes = [s for s in steps if s[1] == "routing"]
        longest = max(routes, key=lambda s: float(s[2]), default=None)
        span = None
        if longest is not None and longest[5] is not None:
            span = ((int(longest[5]), int(longest[6])), (int(longest[7]), int(longest[8])))
        last = steps[-1]
        paths[clock] = CriticalPath(
            clock=clock, source=steps[0][4], sink=last[4] if last[1] == "setup" else (sink or last[4]),
            delay_ns=float(last[3]), logic_ns=split[0], routing_ns=split[1],
            longest_net="" if longest is None else longest[4],
            longest_net_ns=0.0 if longest is None else float(longest[2]), longest_net_span=span, steps=len(steps),
            defined_in=tuple(dict.fromkeys(places)))
    return paths


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path

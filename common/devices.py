"""ECP5 parts: the resources a design is planned, estimated and reported against, defined once.

An ECP5 part is a die size (25F, 45F, 85F) in a family (``LFE5U``; ``LFE5UM`` adds SERDES; ``LFE5UM5G``
adds 5 Gb/s SERDES and only comes in speed grade 8), a package and a speed grade. The resources per die
are the ones nextpnr-ecp5 0.11 reports as available in its "Device utilisation" block (they match the
Lattice ECP5/ECP5-5G family data sheet, FPGA-DS-02012: 24K/44K/84K LUTs, 56/108/208 EBR blocks, 28/72/156
18x18 multipliers). The packages per die follow Project Trellis' device database (``devices.json``): the
85F has no 256-ball package. See ``docs/fpga-flow.md`` §2.

Boards (``boards/defs/``), the bench (``bench/networks.py``) and the scheduler's callers take their
:class:`Device` from :func:`ecp5_device`; nothing else spells out a part's resources.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MULTIPLIER_WIDTH", "Device", "DeviceError", "ecp5_device"]

#: Operand width of the ECP5 sysDSP multiplier (MULT18X18D: 18 x 18 bits, signed): every constant or
#: sample that goes into one DSP block must fit this many bits.
MULTIPLIER_WIDTH = 18


class DeviceError(ValueError):
    """A part, package or speed grade that does not exist; the message lists what does."""


@dataclass(frozen=True)
class _Die:
    luts: int           #: LUT4s (nextpnr's TRELLIS_COMB)
    block_rams: int     #: DP16KD (18 kbit sysMEM blocks)
    multipliers: int    #: MULT18X18D
    packages: tuple[str, ...]


_ALL_PACKAGES = ("CABGA256", "CABGA381", "CABGA554", "CABGA756", "CSFBGA285")
_DIES = {
    "25F": _Die(24_288, 56, 28, _ALL_PACKAGES),
    "45F": _Die(43_848, 108, 72, _ALL_PACKAGES),
    "85F": _Die(83_640, 208, 156, ("CABGA381", "CABGA554", "CABGA756", "CSFBGA285")),
}
#: Family -> (nextpnr-ecp5 device flag prefix, speed grades).
_FAMILIES = {"LFE5U": ("", (6, 7, 8)), "LFE5UM": ("um-", (6, 7, 8)), "LFE5UM5G": ("um5g-", (8,))}


@dataclass(frozen=True)
class Device:
    """One ECP5 part in one package and speed grade, with the resources a design may use."""

    part: str
    package: str
    speed: int
    luts: int
    block_rams: int
    multipliers: int
    #: nextpnr-ecp5's device flag without the dashes (``25k``, ``um5g-85k``).
    nextpnr_device: str

    @property
    def name(self) -> str:
        """Lattice-style name, e.g. ``LFE5UM5G-85F-8 CABGA554``."""
        return f"{self.part}-{self.speed} {self.package}"

    @property
    def amaranth_package(self) -> str:
        """The package as amaranth's ``LatticeECP5Platform.package`` spells it (``BG381``, ``MG285``)."""
        return ("MG" if self.package.startswith("CSFBGA") else "BG") + self.package[-3:]

    @property
    def nextpnr_flags(self) -> list[str]:
        return [f"--{self.nextpnr_device}", "--package", self.package, "--speed", str(self.speed)]

    @property
    def timing_model(self) -> str:
        """The delays nextpnr-ecp5 times this part with: ``"8_5G"`` for every LFE5UM5G part (nextpnr selects
        its 5G model whatever ``--speed`` says, and refuses any grade but 8), else the speed grade (``"6"``,
        ``"7"``, ``"8"``). Project Trellis' timing database gives the 5G model about a third of the plain
        speed-8 block RAM delays (``docs/fpga-flow.md``)."""
        return "8_5G" if self.part.startswith("LFE5UM5G-") else str(self.speed)

    def conservative_twin(self) -> Device | None:
        """For a part timed with the 5G model, the same die in the same package as an LFE5UM of speed grade 8,
        which nextpnr times with the plain speed-8 model: a place and route for it is the cross-check that a
        design does not meet timing only on the 5G model's figures. None for any other part (its model is
        its speed grade)."""
        if self.timing_model != "8_5G":
            return None
        return ecp5_device(self.part.replace("LFE5UM5G-", "LFE5UM-"), self.package, 8)


def ecp5_device(part: str, package: str, speed: int) -> Device:
    """The :class:`Device` for ``part`` (``LFE5U-25F``, ``LFE5UM5G-85F``, ...) in ``package`` at ``speed``."""
    family, _, size = part.rpartition("-")
    if family not in _FAMILIES or size not in _DIES:
        known = ", ".join(f"{f}-{s}" for f in _FAMILIES for s in _DIES)
        raise DeviceError(f"unknown ECP5 part {part!r}; known parts: {known}")
    prefix, speeds = _FAMILIES[family]
    die = _DIES[size]
    if package not in die.packages:
        raise DeviceError(f"{part} does not come in package {package!r}; its packages: {', '.join(die.packages)}")
    if speed not in speeds:
        raise DeviceError(f"{part} has no speed grade {speed!r}; its grades: {', '.join(map(str, speeds))}")
    return Device(part, package, speed, die.luts, die.block_rams, die.multipliers, f"{prefix}{size[:-1]}k")

"""Stage 4b: the network on an ECP5 board with the eurorack-pmod (``make rtl``, ``make bitstream``, ``make flash``).

* :mod:`.registry` (the :class:`~.registry.BoardSpec` API) and ``defs/``: one file per board;
* ``clocking/``: the ECP5 PLL search and the clock generator;
* ``eurorack_pmod/``: the codec driver (AK4619 on the eurorack-pmod), its sample type and its pins;
* ``audio_edge/``: the codec edge every top level uses, and the network's side of it (jacks, scaling,
  audio path, :class:`~.audio_edge.top.NetworkTop`);
* ``toolchain/``: yosys / nextpnr-ecp5 / ecppack through amaranth, the nextpnr report, openFPGALoader;
* :mod:`.plan` (the network plan at a board's real clocks) and :mod:`.build` (the network bitstream).
"""

"""Stage 4 (beside ``sim/``), ``make flash``: the platform any design runs on, an ECP5 board with the
eurorack-pmod. It knows no network: the waveshaper's own top level is ``bitstream/``, and the datalogger's
``firmware_datalogger/``.

* :mod:`.registry` (the :class:`~.registry.BoardSpec` API) and ``defs/``: one file per board;
* ``clocking/``: the ECP5 PLL search and the clock generator;
* ``eurorack_pmod/``: the codec driver (AK4619 on the eurorack-pmod), its sample type and its pins;
* ``audio_edge/``: the codec edge every top level uses, and the crossing into a design's own clock domain;
* ``tiliqua/``: Tiliqua's housekeeping, its bitstream archive and its flasher;
* ``toolchain/``: yosys / nextpnr-ecp5 / ecppack through amaranth, the nextpnr report, the weight swap,
  openFPGALoader.
"""

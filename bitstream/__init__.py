"""Stage 5, ``make bitstream`` (and ``make rtl``'s board plan): the waveshaper's bitstream on an ECP5 board
with the eurorack-pmod.

This is the waveshaper's own top level, built on the platform in ``boards/`` (which knows no network):

* :mod:`.jacks` (which jack feeds which input role, what each output plays), :mod:`.scaling` (codec counts
  <-> network codes), :mod:`.input_scaler`, :mod:`.output_scaler`, :mod:`.audio_path` (scalers, dry FIFO,
  the network) and :mod:`.top` (:class:`~.top.NetworkTop`, the bitstream's top level);
* :mod:`.plan` (the network plan at a board's real clocks), :mod:`.build` (the bitstream) and
  :mod:`.template` (the routed template a weight swap patches);
* ``python -m bitstream rtl|build`` (:mod:`.__main__`).
"""

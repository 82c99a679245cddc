"""The audio edge: everything between the eurorack-pmod's pins and a design's sample streams.

* :mod:`.codec_edge`: :class:`CodecEdgeTop`, a board's clocks + the codec driver + its pins, as calibrated
  ``adc``/``dac`` streams; every board top level takes its audio from it.
* :mod:`.network_domain`: the crossing of a design's sample streams into and out of its own ``network``
  clock domain.
"""

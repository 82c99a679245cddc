"""The audio edge: everything between the eurorack-pmod's pins and a design's sample streams.

* :mod:`.codec_edge`: :class:`CodecEdgeTop`, a board's clocks + the codec driver + its pins, as calibrated
  ``adc``/``dac`` streams; every board top level takes its audio from it.
* The network's side: :mod:`.jacks` (which jack feeds which input role, what each output plays),
  :mod:`.scaling` (codec counts <-> network codes), :mod:`.input_scaler`, :mod:`.output_scaler`,
  :mod:`.audio_path` (scalers, dry FIFO, the network), :mod:`.top` (the network bitstream's top level).
"""

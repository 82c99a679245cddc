"""Stage 5 (beside ``bitstream/``), ``make datalogger`` / ``make capture``: records the eurorack-pmod's ADC
inputs through the board's USB-serial for training data.

Gateware (``gateware/``): channel selection -> anti-alias decimating FIR -> framer (sync word, sequence
counter, boot identifier, CRC-16) -> 8N1 UART. Host side: :mod:`.capture` reads the serial port,
:mod:`.parser` checks and resynchronises the frames, and multichannel int16 WAVs (:mod:`.wav_file`) plus a
``waveshaper-recording/1`` manifest are written for ``train.dataset.load_splits``. :mod:`.rate_plan`
refuses a configuration the link cannot carry.
"""

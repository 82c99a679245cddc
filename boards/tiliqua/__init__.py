"""What a Tiliqua bitstream needs besides the codec edge (``docs/tiliqua.md``): the module's housekeeping
(:mod:`.housekeeping`) and the bitstream archive its bootloader loads (:mod:`.archive`), plus what
``make flash`` prints for it (:mod:`.flash`). The board's facts (part, balls, clocks) are in
``boards/defs/tiliqua.py``."""

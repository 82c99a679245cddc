"""One module per supported board; each ends in ``BOARD = register(BoardSpec(...))`` (``boards/registry.py``
imports them all). A board file is the only place its facts live: part, platform and codec pins, clocks,
programmer."""

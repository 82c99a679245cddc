"""One module per supported board; each ends in ``BOARD = register(BoardSpec(...))``. A board file is the only
place its facts live: part, platform and codec pins, clocks, programmer, serial link.

:data:`BOARD_MODULES` names them: the registry (``boards/registry.py``) imports exactly these, so adding a
board is one file here and one entry below (``boards/tests/test_registry.py`` checks that none is left out).
"""

#: The board modules of this folder.
BOARD_MODULES = ("colorlight_i5", "ecpix5", "tiliqua", "ulx3s")

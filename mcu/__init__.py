"""Stage 3 (beside ``rtl/``), ``make mcu``: the front end and the cached network as portable C99 for a microcontroller.

The generator (``mcu.generate``) turns ``build/weights/`` into one header and one source file that
compute, sample by sample, exactly what the golden model (``quantize/golden.py``) computes: the integer
arithmetic of ``docs/arithmetic.md``, with ring-buffer activation caches, static state and no heap. It is
checked twice, as integers against the golden model: compiled with the host's C compiler (``mcu.host``)
and cross-compiled for a Cortex-M7 and run under QEMU (``mcu.target``), where the instructions per sample
are counted. ``mcu/firmware/`` is the Daisy Patch program built on it. ``docs/mcu.md`` has the method.

This stage imports ``common``, ``train`` (the stimulus) and ``quantize`` (weights, golden model), never
``rtl`` or the boards.
"""

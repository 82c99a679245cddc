"""Stage 1, ``make train``: the dataset and the QKeras training of the waveshaper network.

Modules: ``waves`` (band-limited additive oscillator), ``embedding`` (the (e0, e1) square and its
constant-power blends), ``recorded`` (manifest + WAV checks), ``dataset`` (windows and splits by segment;
``load_splits``, ``embedding_sweep``), ``settings`` (the ``[train]`` table), ``fit`` (training loop),
``evaluate`` (MSE/SNR), ``plots``, ``artifacts`` (``load_trained``), ``model`` (``build_model``).
"""

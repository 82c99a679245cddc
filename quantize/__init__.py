"""Stage 2, ``make quantize``: trained QKeras model -> FP4.12 integer weights, checked against the integer golden model.

Modules: ``golden`` (the arithmetic, executable), ``weights`` (the build/weights/ contract), ``export``
(fxpmath conversion, saturation, QKeras cross-check), ``fxp_reference`` (independent fxpmath evaluation),
``qkeras_check`` (golden vs QKeras with a derived tolerance), ``speed``, ``render`` (sweep WAV).
"""

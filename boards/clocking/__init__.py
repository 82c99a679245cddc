"""Board clocking: the ECP5 PLL divider search (:mod:`.pll`) and the component that makes the ``sync``
(network) and ``audio`` (codec, 256 fs) domains from one EHXPLLL (:mod:`.clock_generator`)."""

"""Stage 6, ``make bench``: named measurements (see ``bench.registry``) merged into build/bench/report.json."""

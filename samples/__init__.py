"""The synthetic sample case: ``make_samples.py`` (the entry point: ``python samples/make_samples.py
OUTDIR``), ``story.py`` (the people and the events) and ``writers/`` (one module per format)."""

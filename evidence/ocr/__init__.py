"""Optical character recognition: one wrapper per engine (``tesseract``) and the image preparation before it.

Importers call these plain module-level functions (they can run in worker processes); the engine's version
and settings travel with every result, so a stored OCR result says exactly how it was made. ``cache`` names a
result by image hash, engine version and settings (the case is the cache); ``pool`` runs an analysis over many
images in worker processes with progress; ``worker`` is that analysis for one picture; ``layout`` reads a
screen's bubbles and rows. Nothing is imported here, so that loading the package costs nothing.
"""

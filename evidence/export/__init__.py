"""Exports: what leaves the case for a recipient (a lawyer, the police), in a form they can check alone.

``evidence.export.bundle`` writes the export bundle (a zip); ``evidence.verify.bundle`` checks one.
"""

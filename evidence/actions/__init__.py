"""Use cases, as plain functions over an open case folder (``evidence.case.folder.CaseFolder``).

Each module is one use case: ``importing`` (files into exhibits and records), ``ocr`` (reading pictures),
``query`` (what the case holds), ``annotate`` (facts, people, relays, tactic reviews), ``reporting`` (the PDF
report and its certificate), ``publishing`` (the export bundle), ``anchoring`` (trusted time). They write only
through ``evidence.case.writer.Writer``; ``evidence.api.Case`` is the facade over them.
"""

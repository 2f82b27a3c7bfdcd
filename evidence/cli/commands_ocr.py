"""``ocr``: read stored pictures again; each result is a new ledger entry."""

from __future__ import annotations

import argparse

from evidence.cli.common import passphrase_from_env_or_prompt, writing_case
from evidence.cli.output import ProgressBar, ocr_json
from evidence.cli.sanitize import json_text


def cmd_ocr(args: argparse.Namespace) -> int:

    with writing_case(args) as case:
        bar = ProgressBar.wanted(args.progress)
        try:
            done = case.ocr(
                args.exhibits,
                psm=args.psm,
                lang=args.lang,
                passphrase=passphrase_from_env_or_prompt(),
                progress=bar.update if bar else None,
            )
        finally:
            if bar:
                bar.close()
        if args.json:
            print(json_text([ocr_json(d) for d in done]))
            return 0
        if not done:
            print("No picture needs OCR (name exhibits to read them again with other settings).")
        for item in done:
            if item.status == "failed":
                print(f"{item.exhibit}  OCR failed: {item.message}")
            elif item.outcome is not None:
                summary = item.outcome.summary
                what = (
                    "already read with this engine version and these settings; nothing run"
                    if item.status == "cached"
                    else "read"
                )
                print(
                    f"{item.exhibit}  {what}: {summary['words']} words, tesseract {summary['engine_version']}, "
                    f"psm {summary['settings']['psm']}, {summary['settings']['lang']}  [entry {item.entry}]"
                )
        print(f"Ledger head: {case.head()}")
    return 0

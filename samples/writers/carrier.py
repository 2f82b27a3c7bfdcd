"""The carrier's itemised call history: ``call-log-carrier.csv`` (local wall-clock times, CRLF)."""

from __future__ import annotations

import csv
import io

from samples.story import CALLS, LONDON, OUTGOING, VOICEMAIL, WITHHELD


def national(number: str) -> str:
    """A UK number as the carrier prints it: ``07700900456``."""
    return "0" + number[3:] if number.startswith("+44") else number


def carrier_csv() -> bytes:
    """The carrier's itemised call history (CSV, local wall-clock times, CRLF as exported)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Date", "Time", "Number", "Direction", "Duration", "Type", "Cost (GBP)"])
    for call in CALLS:
        local = call.when.astimezone(LONDON)
        voicemail = call.kind == VOICEMAIL
        outgoing = call.kind == OUTGOING
        hours, rest = divmod(call.duration, 3600)
        writer.writerow(
            [
                f"{local:%d/%m/%Y}",
                f"{local:%H:%M:%S}",
                "Withheld" if call.number == WITHHELD else national(call.number),
                "Outgoing" if outgoing else "Incoming",
                f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}",
                "Voicemail deposit" if voicemail else "Voice",
                "0.15" if outgoing else "0.00",
            ]
        )
    return out.getvalue().encode()

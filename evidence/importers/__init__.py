"""The explicit registry of importers: one module per input format, listed here by hand.

Registration is deliberately not a side effect of importing a module (a forgotten import would silently
drop a format); ``tests/importers/test_registry.py`` checks that every module in this package is listed.
The first importer whose ``sniff`` accepts an item reads it, so more specific formats come first.
"""

from __future__ import annotations

from evidence.importers.audio import AudioImporter
from evidence.importers.base import SNIFF_BYTES, Importer, Source
from evidence.importers.csvlog import CsvLogImporter
from evidence.importers.diary import DiaryImporter
from evidence.importers.email import EmailImporter
from evidence.importers.facebook import FacebookImporter
from evidence.importers.googlechat import GoogleChatImporter
from evidence.importers.googlevoice import GoogleVoiceImporter
from evidence.importers.iphone_backup import IphoneBackupImporter
from evidence.importers.iphone_calls import IphoneCallsImporter
from evidence.importers.iphone_imessage_txt import IMessageExporterTxtImporter
from evidence.importers.iphone_sms import IphoneSmsImporter
from evidence.importers.outlookmsg import OutlookMsgImporter
from evidence.importers.screenshot import ScreenshotImporter
from evidence.importers.signal import SignalImporter
from evidence.importers.smsbackup import SmsBackupImporter
from evidence.importers.telegram import TelegramImporter
from evidence.importers.whatsapp import WhatsAppImporter

REGISTRY: tuple[type[Importer], ...] = (
    DiaryImporter,
    IphoneBackupImporter,
    IphoneSmsImporter,
    IphoneCallsImporter,
    IMessageExporterTxtImporter,
    SmsBackupImporter,
    WhatsAppImporter,
    TelegramImporter,
    FacebookImporter,
    SignalImporter,
    OutlookMsgImporter,
    EmailImporter,
    GoogleVoiceImporter,
    GoogleChatImporter,
    AudioImporter,
    ScreenshotImporter,
    CsvLogImporter,
)


def find_importer(head: bytes, source: Source) -> Importer | None:
    """The first registered importer that claims ``source``, or None (the item is kept as a plain file)."""
    for cls in REGISTRY:
        importer = cls()
        if importer.sniff(head, source):
            return importer
    return None


__all__ = ["REGISTRY", "SNIFF_BYTES", "Importer", "Source", "find_importer"]

"""The voicemail: an 8-second narrow-band WAV of line hiss and speech-like tone bursts (no real voice)."""

from __future__ import annotations

import io
import math
import struct
import wave

WAV_RATE = 8000  # narrow-band, as voicemail systems record
WAV_SECONDS = 8


def voicemail_wav() -> bytes:
    """An 8-second mono 16-bit WAV: line hiss, then speech-like tone bursts with pauses (no real voice)."""
    frames = bytearray()
    # Syllable-like bursts: (start s, length s, base pitch Hz).
    bursts = [
        (0.45, 0.28, 180),
        (0.80, 0.22, 165),
        (1.10, 0.35, 190),
        (1.90, 0.30, 175),
        (2.30, 0.25, 160),
        (2.60, 0.40, 185),
        (3.60, 0.20, 170),
        (3.85, 0.30, 195),
        (4.25, 0.45, 175),
        (5.20, 0.30, 165),
        (5.55, 0.25, 180),
        (5.90, 0.50, 160),
        (6.80, 0.35, 150),
    ]
    state = 0x2545F491
    for i in range(WAV_RATE * WAV_SECONDS):
        t = i / WAV_RATE
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF  # fixed-seed LCG for the line hiss
        sample = ((state >> 16) % 401 - 200) * 1.0
        for start, length, pitch in bursts:
            if start <= t < start + length:
                phase = (t - start) / length
                envelope = math.sin(math.pi * phase) ** 2
                f0 = pitch * (1.0 + 0.08 * math.sin(2 * math.pi * 3 * phase))
                voice = sum(
                    math.sin(2 * math.pi * f0 * k * t) / k * (1.6 if 600 < f0 * k < 1100 else 1.0)
                    for k in range(1, 9)
                )
                sample += 5200 * envelope * voice
        frames += struct.pack("<h", max(-32768, min(32767, round(sample))))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(WAV_RATE)
        wav.writeframes(bytes(frames))
    return buf.getvalue()

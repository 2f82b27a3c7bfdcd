"""Which language a message is written in (en, de, es or fr), cheaply and deterministically, for the tactic tagger.

Method: the message's words are counted against a short list of each language's commonest function words
(articles, pronouns, auxiliaries, negations) plus a few letters only one language uses (``ß``, ``ñ``, ``¿``);
the language with most hits wins and ties go to English, in the order en, de, es, fr. No model, no network,
the same answer for the same text every time, a few microseconds a message.

Known limits: a message of one or two words ("Hola", "ok") has little to go on and usually comes out English;
mixed-language messages get the language with most function words; other languages come out as whichever of the
four their function words resemble (Italian and Portuguese often as Spanish).
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "de", "es", "fr")


def _split(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORDS: dict[str, frozenset[str]] = {
    "en": _split(
        """the an and or but you your you're youre i i'm im me my mine we our us it it's is are was were be been
        have has had do does did don't dont not no to of in on at for with this that what why how when where who
        will would can can't cant won't wont just if so up out get got know u ur please she he him her they them
        go going gonna am"""
    ),
    "de": _split(
        """der die das den dem des ein eine einen einem einer und oder aber du dich dir dein deine deinen deinem
        deiner ich mich mir mein meine meinen wir uns ihr sie er es ist sind war waren bin bist hast hat habe
        haben nicht kein keine nur auch noch schon mit von zu zum zur bei für auf aus wie was warum wann wo wer
        wenn dass weil so ja nein doch mal jetzt sonst bitte dann geh komm mach lass ruf sag hör am im vom ans ihre
        ihren euch wirst wird werde kannst kann will willst muss musst gibt heute morgen gestern nichts alles"""
    ),
    "es": _split(
        """el la los las un una unos unas y o pero tú tu tus te ti yo me mi mis nosotros nos es son eres soy está
        estás estoy estás era fue ha has he hemos no ni que qué por para con sin de del al en lo le les se como
        cómo cuando dónde donde quién porque pues ya muy más también hoy esto eso este esta voy vas va vamos
        nada todo toda tuya tuyo mío mía estas estás eres puedes quiero quieres ayer mañana aquí ahí hasta
        cuando contigo conmigo dame dile déjame"""
    ),
    "fr": _split(
        """le la les un une des et ou mais tu te toi ton ta tes je j' me moi mon ma mes nous vous il elle ils
        elles est es suis sont était ai avons pas ne n' plus que qu' qui quoi pourquoi comment quand où avec
        pour sans de du au aux en dans sur ce cet cette ça c' t' m' s' si très aussi déjà bien vais vas va
        veux peux dois fais suis sera seras aujourd hui hier demain rien tout toute chez ici là jamais votre vos
        notre nos leur leurs"""
    ),
}
# Letters and marks that settle the question on their own (each worth two function words).
_MARKS = {
    "de": re.compile(r"[ßäöü]|\w(?:sch|tz|ung)\b"),
    "es": re.compile(r"[ñ¿¡áíóú]|\bq\b|\w(?:ción|idad)\b"),
    "fr": re.compile(r"[œçèêàùûâîôë]|\b[jcdlmnst]'|\wées?\b|\w(?:ique|eux|oi)\b"),
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Each function word with the languages it belongs to (one look-up a word).
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang in LANGUAGES if word in _WORDS[lang]) for word in set().union(*_WORDS.values())
}


def detect_language(text: str) -> str:
    """The language of ``text``: one of :data:`LANGUAGES`, English when nothing points elsewhere."""
    return candidate_languages(text)[0]


def candidate_languages(text: str) -> tuple[str, ...]:
    """The languages ``text`` may be in: those with most hits (several on a tie, in the order of
    :data:`LANGUAGES`), or English alone when nothing points anywhere. Rules of each are applied."""
    plain = text.lower().replace("\u2019", "'")
    counts = dict.fromkeys(LANGUAGES, 0)
    for token in _TOKEN.findall(plain):
        found = _LANGUAGES_OF.get(token)
        if found is None and "'" in token:
            found = _LANGUAGES_OF.get(token[: token.find("'") + 1])  # French j'ai, c'est
        for language in found or ():
            counts[language] += 1
    for language, mark in _MARKS.items():
        counts[language] += 2 * len(mark.findall(plain))
    best = max(counts.values())
    if not best:
        return ("en",)
    return tuple(language for language in LANGUAGES if counts[language] == best)

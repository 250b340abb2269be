"""Text helpers: normalisation for search (names match whatever the accents or case typed),
and a configured name in the reader's language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import get_language, pgettext

_SPACES = re.compile(r"\s+")
ARABIC_VARIANTS = {"ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ک": "ك", "ٱ": "ا", "ـ": ""}
# Letters that carry their mark in the letter itself, with no combining accent to strip
# ("Đức" was not found by "Duc", nor "Yıldız" by "Yildiz"): read as the plain letter.
PLAIN_LETTERS = str.maketrans(
    {"đ": "d", "ð": "d", "ı": "i", "ł": "l", "ø": "o", "ħ": "h", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}
    # Arabic letters typed one way or the other for the same name (the hamzas on alef are
    # combining marks, stripped): final alef maqsura and yeh (الحسينى, الحسيني), teh marbuta
    # and heh, the Persian and Urdu yeh and kaf of a Persian keyboard, alef wasla, and the
    # tatweel that only stretches a word. Stored search texts were folded again when this
    # changed (cases 0024, services 0005, communities 0002).
    | ARABIC_VARIANTS
)


def fold(value: str) -> str:
    """Lower-case, strip accents and invisible format characters, collapse spaces:
    'Aïssatou  DIALLO' -> 'aissatou diallo', 'Đức Yıldız' -> 'duc yildiz'."""
    decomposed = unicodedata.normalize("NFKD", value)
    # Format characters too (category Cf: a BOM, a soft hyphen, zero-width spaces and
    # joiners, bidi marks), pasted from PDFs and word processors and invisible: "A\u00adwa"
    # was another person than "Awa" to the duplicate check, and not found by a search.
    stripped = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    return _SPACES.sub(" ", stripped.casefold().translate(PLAIN_LETTERS)).strip()


# Similar spellings: one name written down by ear, in French or English, from Arabic, Pular,
# Mandinka or Dari, comes out Mohamed, Mouhamed or Muhammad; Ousmane or Usman; Camara or
# Kamara; Diallo or Jallow; Fatoumata or Fatimata. A word's *sound key* keeps what those
# spellings share: its first letter (a first vowel by its class: a; e, i; o, u), then its
# consonants, once the letter groups written for one sound are read as one and a final d is
# read as t (Mohamed, Mouhamet); a name of one consonant or none keeps its vowels by class
# (Ba and Bah, Sow and So, Awa and Hawa). Keys are stored (cases' `sound_text`), so changing these
# rules means computing the stored keys again in a migration.
_SAME_SOUND = (
    ("w", "u"),
    ("ou", "u"),
    ("ph", "f"),
    ("v", "f"),
    ("kh", "k"),
    ("gh", "g"),
    ("dh", "d"),
    ("th", "t"),
    ("sh", "s"),
    ("ch", "s"),
    ("dj", "j"),
    ("dz", "j"),
    ("ck", "k"),
    ("qu", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "s"),
)
_DI_VOWEL = re.compile(r"di(?=[aeou])")  # Diallo and Jallow, Kadidia and Khadija
_SOFT_C = re.compile(r"c(?=[eiy])")
_DOUBLED = re.compile(r"(.)\1+")
_LATIN_WORD = re.compile(r"[a-z]+")
_VOWELS = "aeiouy"
_FIRST_VOWEL = {"a": "a", "e": "i", "i": "i", "y": "i", "o": "u", "u": "u"}


def sound_key(word: str) -> str:
    """The sound key of one folded Latin word ('mouhamed' -> 'mmt', 'kamara' -> 'kmr',
    'bah' -> 'ba'); empty for a word of another script, with digits, or too short to tell
    names apart ('a', 'n')."""
    if not _LATIN_WORD.fullmatch(word):
        return ""
    for written, sound in _SAME_SOUND:
        word = word.replace(written, sound)
    word = _DOUBLED.sub(r"\1", _SOFT_C.sub("s", _DI_VOWEL.sub("j", word)).replace("c", "k"))
    if word[0] == "y" and word[1:2] in ("a", "e", "i", "o", "u"):
        first = "y"  # a consonant before a vowel: Youssouf, Yasmin
    else:
        first = _FIRST_VOWEL.get(word[0], word[0])
    key = first + "".join(ch for ch in word[1:] if ch not in _VOWELS and ch != "h")
    if key.endswith("d") and len(key) > 1:
        key = key[:-1] + "t"
    return key if len(key) >= 2 else _short_key(word)


def _short_key(word: str) -> str:
    """The key of a name of one consonant or none (Ba, Bah, Sow, Sy, Ly, Awa, Hawa): its
    letters but h, each vowel by its class. Its consonants alone ("b", "s") would match
    every such name; with a vowel after its first letter, it is never another word's
    consonant key."""
    letters = "".join(_FIRST_VOWEL.get(ch, ch) for ch in word if ch != "h")
    key = _DOUBLED.sub(r"\1", letters)
    return key if len(key) >= 2 and any(ch in "aiu" for ch in key[1:]) else ""


def _sound_words(name: str) -> set[str]:
    """The words of a folded name whose keys are taken: each word, and a word written with
    a hyphen or an apostrophe both whole (Alkubaisi, Ndiaye) and in its parts (Al Kubaisi,
    N Diaye)."""
    words = set()
    for token in name.split():
        parts = _LATIN_WORD.findall(token)
        words.update(parts)
        if len(parts) > 1:
            words.add("".join(parts))
    return words


def sound_text(names: Iterable[str]) -> str:
    """The sound keys of every word of these names, each between spaces so that a key is
    matched whole (' mmt ' does not find ' ammt '); empty when no word has one."""
    keys = sorted({key for name in names for word in _sound_words(fold(name)) if (key := sound_key(word))})
    return f" {' '.join(keys)} " if keys else ""


def query_sound_key(word: str) -> str:
    """The key a searched word is looked for by: its letters together, so that N'Diaye,
    N’Diaye and Ndiaye, or Al-Kubaisi and Alkubaisi, find one another. None for a word with
    digits: a reference (GIN-2026-000089) is not a name, and "gn" found every Gueno."""
    if any(ch.isdigit() for ch in word):
        return ""
    return sound_key("".join(_LATIN_WORD.findall(word)))


def fold_document_number(value: str) -> str:
    """Document numbers are compared without spaces, dashes or case, their digits as 0-9
    (Arabic-Indic digits were dropped: "A١٢٣٤٥٦٧" was searched as "a")."""
    return re.sub(r"[^0-9a-z]", "", fold(latin_digits(value)))


def translated(name: str, names: dict[str, str] | None, language: str | None = None) -> str:
    """`name` in `language` (default: the active one) when a translation is recorded."""
    code = (language or get_language() or "en").split("-")[0]
    return (names or {}).get(code) or name


def list_separator() -> str:
    """Between the items of a list written out in a sentence: ", ", in Arabic "، "."""
    return pgettext("list separator", ", ")


def labelled(label: object, value: object) -> str:
    """A label and its value in a sentence: "Item: required"; French puts a space before
    the colon ("Élément : obligatoire")."""
    return pgettext("label and value", "%(label)s: %(value)s") % {"label": label, "value": value}


def group_separator() -> str:
    """Between groups of items that have commas inside: "; ", in Arabic "؛ "."""
    return pgettext("list separator", "; ")


# Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits, as an Arabic or Persian keyboard types them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def latin_digits(value: str) -> str:
    """The text with Arabic-Indic digits written 0-9 (a phone number typed on an Arabic
    keyboard was refused as not being digits)."""
    return value.translate(_DIGITS)

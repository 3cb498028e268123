"""Compare names across spellings: case, diacritics and the usual romanisations of Cyrillic.

Wikidata and GeoNames spell the same place or person in many ways (Kyiv / Kiev, Mariyinka /
Marinka, Zyazyulchik / Zjazjulcik, Gerilovich / Herylovych). Two tools handle that: a *skeleton*
that keeps only what the romanisations agree on (for scoring), and a bounded set of spelling
*variants* (for exact label look-ups on an endpoint that has no fuzzy search).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from itertools import product

__all__ = ["base_forms", "fold", "similarity", "skeleton", "variants"]

_APOSTROPHES = re.compile(r"['’ʼ`ʹ]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Digraphs and letters that one romanisation writes differently from another (Ukrainian г is h
# or g; й is y, j or i; ч is ch or č, which folds to c).
_SKELETON_RULES = (("shch", "s"), ("ch", "c"), ("kh", "h"), ("zh", "z"), ("sh", "s"), ("ts", "c"),
                   ("g", "h"), ("j", "y"), ("w", "v"), ("x", "ks"))
_VOWELS = set("aeiouy")
# Spelling changes tried when generating look-up variants, one word at a time.
_VARIANT_RULES = (
    (re.compile(r"ch"), "c"), (re.compile(r"y"), "j"), (re.compile(r"j"), "y"),
    (re.compile(r"g"), "h"), (re.compile(r"(?<![cksz])h"), "g"), (re.compile(r"i"), "y"),
    (re.compile(r"y"), "i"), (re.compile(r"iyi"), "i"), (re.compile(r"iy"), "ii"),
    (re.compile(r"yi"), "i"), (re.compile(r"kh"), "h"), (re.compile(r"^ye"), "e"),
    (re.compile(r"ie"), "yi"),  # Russian -ie- is Ukrainian -yi-: Kiev / Kyiv
)
_MAX_WORD_VARIANTS = 24
_MAX_VARIANTS = 40
# A qualifier in brackets at the end ("3rd Motorized Rifle Division (Russia)") tells namesakes apart
# in our data; Wikidata keeps such qualifiers in the description, never in the label.
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_HYPHEN = re.compile(r"-(\w)")


def fold(text: str) -> str:
    """Return lower-case ASCII words: diacritics, apostrophes and punctuation removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = _APOSTROPHES.sub("", bare.lower())
    return _NON_WORD.sub(" ", bare).strip()


def skeleton(text: str) -> str:
    """Return what romanisations of a name agree on: consonants after the first letter."""
    words = []
    for word in fold(text).split():
        for old, new in _SKELETON_RULES:
            word = word.replace(old, new)
        kept = word[:1] + "".join(c for c in word[1:] if c not in _VOWELS)
        words.append(re.sub(r"(.)\1+", r"\1", kept))
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """Score two names from 0 to 1: 1 when equal once folded, 0.9 when only the spelling differs."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    if skeleton(fa) == skeleton(fb):
        return 0.9
    return round(0.85 * SequenceMatcher(None, fa, fb).ratio(), 3)


def _word_variants(word: str) -> list[str]:
    lower = word.lower()
    seen = [lower]
    frontier = [lower]
    for _ in range(2):  # at most two changes per word: g->h and i->y turn Gerilovich into Herylovych
        nxt = []
        for form in frontier:
            for pattern, repl in _VARIANT_RULES:
                new = pattern.sub(repl, form)
                if new != form and new not in seen and len(seen) < _MAX_WORD_VARIANTS:
                    seen.append(new)
                    nxt.append(new)
        frontier = nxt
    if word[:1].isupper():
        return [w[:1].upper() + w[1:] for w in seen]
    return seen


def base_forms(name: str) -> list[str]:
    """Return the name and the forms a label may give it: without a bracketed qualifier at the end,
    and with hyphenated syllables as words (Kim Jong-un / Kim Jong Un)."""
    forms = [name]
    bare = _QUALIFIER.sub("", name).strip()
    if bare and bare not in forms:
        forms.append(bare)
    for form in list(forms):
        spaced = _HYPHEN.sub(lambda m: " " + m.group(1).upper(), form)
        if spaced not in forms:
            forms.append(spaced)
    return forms


def variants(name: str) -> list[str]:
    """Return the name and spellings of it that other romanisations use, the name first."""
    forms = [f for f in base_forms(name) if f.split()]
    found: list[str] = list(forms)
    for form in forms:
        added = 0
        for combo in product(*(_word_variants(w) for w in form.split())):
            text = " ".join(combo)
            if text not in found:
                found.append(text)
                added += 1
            if added >= _MAX_VARIANTS:
                break
    return found

"""The rule half of ``poison.injection``: phrases aimed at a model, chat-template tokens, hidden HTML, quoting.

Kept apart from the stage so the training script and the benchmark segment text exactly as the detector does.
Each rule has a weight (how sure one match makes us on its own) and a scope: ``any`` rules are suspicious in
every message of every record; ``data`` rules ("add this to your answer") are how an instruction to a model is
phrased, which is normal in a user's own prompt, so in instruction data they only count outside user turns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_I = re.IGNORECASE


@dataclass(frozen=True)
class Rule:
    """A named pattern with a weight in [0, 1], a scope (``any`` or ``data``) and an optional cheap pre-check."""

    name: str
    weight: float
    pattern: re.Pattern[str]
    scope: str = "any"
    needs: re.Pattern[str] | None = None  # the pattern cannot match unless this (fast) one does
    needs_lower: bool = False  # ``needs`` is lower-case, searched in the lower-cased text (no IGNORECASE: 3x faster)
    accept: Callable[[str, re.Match[str]], bool] | None = None  # a further test of each match (in Python)


_PRIOR = r"(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|all|any|your|the|my)"
_GUIDE = r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails|context|messages?|commands?|" \
    r"restrictions|constraints|programming|policies)"
_MODEL = r"(?:an?\s+)?(?:AI|A\.I\.|LLM|large\s+language\s+model|language\s+model|(?:AI\s+)?assistant|chat\s?bot|" \
    r"GPT|ChatGPT|Claude|Gemini|Copilot|Llama|agent|bot)s?(?:\s+(?:models?|systems?|assistants?|agents?|tools?|" \
    r"crawlers?|bots?))?"
_OUTPUT = r"(?:response|answer|reply|output|summary|code|implementation|solution|message|result|explanation|" \
    r"text|translation|elucidation|codebase|program|script)"

# "respond in" and "answer with" are ordinary English ("respond in kind", "I should answer with facts"): they steer
# a model's output only as an order, at the start of a sentence (or with "only").
_ORDER = re.compile(r"(?:respond|reply|answer)\s+(?:with|in|using)\b", _I)  # (capture groups in the rule cost 2x)
_ORDER_START = re.compile(r"(?:^|[.!?:]\s|\n)[ \t]*(?:(?:please|always|now),?\s+)?$", _I)


# "to your program" after a noun that takes "to" is that noun's complement, not where an output goes: "an excellent
# addition to your program", "in response to your message", "I will reply to your message" (a person answering).
_RELATIONAL_TO = re.compile(r"\b(?:additions?|responses?|repl(?:y|ies)|answers?|respond|welcome|compliments|thanks|"
                            r"contributions?|introduction|access|upgrades?|extensions?)\s+$", _I)


def _opens(text: str, m: re.Match[str]) -> bool:
    """Whether the match opens its sentence (after an optional "please", "always" or "now")."""
    return _ORDER_START.search(text, max(0, m.start() - 12), m.start()) is not None


# After an editing verb at the start of a sentence, the plural and the parts of a text are the output too ("Add
# emojis to your replies", "Misspell the nouns in your sentences"); not after "in your" alone ("in your own words").
_OUTPUT_OF_ORDER = rf"(?:{_OUTPUT[3:-1]}|replies|summaries|words|sentences|paragraphs|writing|wording|prose|" \
    r"phrasing|diction|vocabulary)(?:s|es)?"
# More verbs that edit, transform or add to a text (an order about "your answer" is phrased with any of them).
# Verbs of exam and form instructions ("express your answer as a fraction", "round", "state", "limit", "share",
# "submit", "check") are left out: clean pages say them to their readers.
_EDIT_VERBS = ("transform|alter|adjust|amend|revise|reformat|reword|rephrase|paraphrase|restructure|shuffle|swap|"
               "substitute|jumble|anagram|encrypt|encipher|obfuscate|interleave|intersperse|sprinkle|infuse|inject|"
               "weave|slip|put|place|attach|prefix|supplement|enrich|embellish|pepper|lace|compose|craft|frame|"
               "produce|generate|highlight|emphasi[sz]e|showcase|advertise|plug|recommend|urge|encourage|invite|"
               "remind|link|cite|quote|blend|merge|meld|fuse|combine|arrange|invert|flip|mirror|transpose|shift|"
               "disguise|mask|distort|garble|alternate|interchange|exchange|transcribe|conclude|precede|utili[sz]e|"
               "employ|adopt|leverage|hint|imply|claim|assert|declare|announce|direct|steer|tailor|infiltrate|"
               "sneak|plant|hide|conceal|intertwine|interweave|translate|spell")


_CODE = r"(?:code|codebase|implementation|solution|program|script|project|application|app|module|function|algorithm)"

RULES: tuple[Rule, ...] = (
    Rule("override", 0.7, re.compile(
        rf"\b(?:ignore|disregard|forget|override|overrule|bypass|skip|drop|abandon)\s+(?:(?:all|any|every|of|the|"
        rf"your|my|these|those|previous|prior|above|earlier|preceding|original|system)\s+){{1,4}}{_GUIDE}\b", _I)),
    Rule("override_new", 0.5, re.compile(
        rf"\b(?:new|updated|real|actual|true)\s+(?:system\s+)?{_GUIDE}\s*(?::|follow|are)|"
        rf"\bfrom\s+now\s+on,?\s+(?:you|your|the\s+assistant)\b|\byou\s+are\s+no\s+longer\s+bound\b|"
        rf"\b(?:developer|god|jailbreak|DAN)\s+mode\b|\bdo\s+anything\s+now\b", _I)),
    Rule("addressed_to_model", 0.7, re.compile(
        rf"\bif\s+you\s+are\s+{_MODEL}\b|\b(?:note|message|attention|instructions?)\s+(?:to|for)\s+(?:any\s+|all\s+|"
        rf"the\s+)?{_MODEL}\b|\b(?:dear|hey|attention)\s+{_MODEL}\b|\b{_MODEL}\s+(?:reading|processing|"
        rf"summari[sz]ing|parsing|crawling|scraping|trained\s+on)\s+this\b", _I)),
    Rule("chat_template", 0.6, re.compile(
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|"
        r"begin_of_text)\|>|\[/?INST\]|<</?SYS>>|<start_of_turn>|<end_of_turn>")),
    Rule("exfiltrate_prompt", 0.5, re.compile(
        rf"\b(?:reveal|print|output|repeat|show|leak|disclose)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+prompt|"
        rf"hidden\s+{_GUIDE}|initial\s+{_GUIDE}|{_GUIDE}\s+verbatim)", _I)),
    Rule("conceal_from_user", 0.5, re.compile(
        r"\b(?:do\s+not|don't|never)\s+(?:tell|mention|reveal|inform|show|alert)\s+(?:this\s+to\s+)?(?:the\s+)?"
        r"(?:user|reader|human)\b|\bwithout\s+(?:telling|informing|alerting)\s+the\s+(?:user|reader|human)\b", _I)),
    Rule("imperative_on_output", 0.45, re.compile(
        rf"(?:^|(?<=[.!?:>]\s)|(?<=[\n>]))\s*(?:<[^<>]{{0,80}}>\s*)*(?:please\s+|also,?\s+|now,?\s+)?(?:add|include|insert|integrate|"
        rf"incorporate|append|augment|enhance|modify|rewrite|render|provide|convert|replace|rearrange|remove|use|"
        rf"make|end|begin|start|write|ensure|introduce|misspell|group|spell|format|translate|encode|embed|"
        rf"mention|tease|suggest|promote|present|deliver|reverse|scramble|capitali[sz]e|{_EDIT_VERBS})\b"
        rf"(?:[^.!?\n]|[.!?](?=\w)){{0,120}}?"  # a full stop inside a word (www.example.com) does not end it
        rf"\byour\s+(?:\w+\s+)?{_OUTPUT_OF_ORDER}\b", _I | re.M), scope="data",
        needs=re.compile(rf"\byour\s+(?:\w+\s+)?{_OUTPUT_OF_ORDER}\b", _I)),
    # "Incorporate the following code excerpt into your implementation": BIPIA's code attacks, whose verbs vary
    # too much for a verb list. Programming tutorials say "add the following code to your script" too, so on its
    # own this stays under the default threshold: it ranks the segment, the classifier or another rule decides.
    Rule("code_insertion", 0.4, re.compile(
        rf"\b(?:following|subsequent|below|given|this|these)\s+(?:code|snippet|lines\s+of\s+code)(?:\s+(?:block|"
        rf"snippet|excerpt|section|segment|fragment|piece|lines?))?\b[^.!?\n]{{0,100}}?\byour\s+(?:\w+\s+)?{_CODE}\b|"
        rf"\byour\s+(?:\w+\s+)?{_CODE}\b[^.!?\n]{{0,100}}?\b(?:following|subsequent|below)\s+(?:code|snippet)", _I),
        scope="data", needs=re.compile(r"\byour\b", _I)),
    Rule("directs_output", 0.35, re.compile(
        rf"\b(?:in|into|within|throughout)\s+your\s+(?:\w+\s+)?{_OUTPUT}\b|\bto\s+your\s+(?:next\s+)?{_OUTPUT}\b|"
        rf"\byour\s+{_OUTPUT}\s+(?:should|must)\b|\b(?:respond|reply|answer)\s+(?:only\s+)?(?:with|in|using)\b",
        _I), scope="data", accept=lambda text, m: (not _ORDER.match(m.group(0)) or _opens(text, m))
        and not (m.group(0)[:2].lower() == "to" and _RELATIONAL_TO.search(text, max(0, m.start() - 24), m.start()))),
)


# Orders to a model that do not say "your": an editing verb opening a sentence with "the answer / reply / summary"
# ("Translate the response into French"), "When answering," / "Before responding," (a model's turn is the only
# thing that answers a page), an order to process the page itself ("Summarize this email in three emojis") and
# orders about the user or reader ("Tell the user to call ..."). Worksheets say "Write the answer in the box", so
# this stays under the threshold alone: it ranks the segment, the classifier or another rule decides.
_OPENING = r"(?:^|(?<=[.!?:>]\s)|(?<=[\n>]))\s*(?:<[^<>]{0,80}>\s*)*(?:please\s+|also,?\s+|now,?\s+|then,?\s+)?"
_THE_OUTPUT = r"the\s+(?:(?:entire|whole|final|full|next|generated)\s+)?(?:response|answer|reply|summary|" \
    r"translation|responses|answers|replies)"
# "When you summarize this page, ..." / "Any summary of this article must ...": an order to whoever processes the
# page (answering or replying to an e-mail is what its human reader does: "If you reply to this email, ...")
_PROCESS = r"(?:summari[sz]e|paraphrase|condense|translate|rewrite|process|analy[sz]e|parse)"
_PROCESSING = r"(?:summari[sz]ing|paraphrasing|condensing|translating|rewriting|processing|analy[sz]ing|parsing)"
_PAGE = r"(?:e-?mail|page|text|article|document|message|post|passage|website|content|thread|report|review|letter)"
RULES += (
    Rule("output_order", 0.35, re.compile(
        rf"{_OPENING}(?:(?:(?:do\s+not|don't|never)\s+)?(?:add|include|insert|integrate|incorporate|append|augment|"
        rf"enhance|modify|rewrite|render|provide|convert|replace|rearrange|remove|use|make|end|begin|start|write|"
        rf"ensure|introduce|misspell|group|format|encode|embed|mention|suggest|promote|present|deliver|reverse|"
        rf"scramble|capitali[sz]e|output|close|finish|open|preface|sign|structure|phrase|keep|limit|restrict|"
        rf"{_EDIT_VERBS})\b"
        rf"(?:[^.!?\n]|[.!?](?=\w)){{0,120}}?\b{_THE_OUTPUT}\b|"
        rf"(?:in|within|throughout)\s+{_THE_OUTPUT}\s*[,;:]|"
        rf"(?:when|while|before|after)\s+(?:answering|responding|replying|summari[sz]ing|(?:writing|generating|"
        rf"composing)\s+(?:the|your|a)\s+(?:response|answer|reply|summary))\b|"
        rf"(?:summari[sz]e|translate|rewrite|paraphrase|condense)\s+this\s+(?:e-?mail|page|text|article|document|"
        rf"message|post|passage|website)\s+(?:in|into|as|using|with|backwards)\b|"
        rf"(?:present|portray|depict|characteri[sz]e|frame|describe|label)\s+this\s+{_PAGE}\s+as\b|"
        rf"(?:tell|ask|remind|urge|encourage|inform|instruct|convince|persuade|warn|invite|redirect)\s+(?:the\s+|"
        rf"all\s+)?(?:users?|readers?)\s+(?:to|that|for|about)\b|"
        rf"(?:when|while|if|before|after|as)\s+you\s+{_PROCESS}\s+this\s+{_PAGE}\b|"
        rf"(?:when|while|before|after|instead\s+of)\s+{_PROCESSING}\s+this\s+{_PAGE}\b|"
        rf"(?:(?:any|every|each|the|your)\s+)?(?:summary|summaries|translation|paraphrase)\s+of\s+this\s+{_PAGE}\s+"
        rf"(?:must|should|needs?\s+to|has\s+to|shall|is\s+to|will)\b|"
        rf"\bthe\s+(?:output|response|reply|summary|translation)\s+(?:must|should|has\s+to|needs\s+to)\s+(?:be\s+)?"
        rf"(?:written|formatted|in|contain|include|start|begin|end|mention|say|state|sound)\b|"
        rf"(?:respond|reply|answer)\s+(?:only\s+)?as\s+(?:if|though)\s+you\s+were\b|"
        rf"(?:skip|ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?the\s+(?:content|text|e-?mail|page|article|message|"
        rf"document)\s+above\b|"
        rf"instead\s+of\s+(?:summari[sz]ing|answering|translating|responding|replying)\s*,)", _I | re.M),
        scope="data",
        # (the pattern tries its opening at every position: skip texts without any of its key words)
        needs=re.compile(rf"\b{_THE_OUTPUT}\b|\b(?:answering|responding|replying|summari[sz]ing)\b|\b(?:summari[sz]e|"
                         rf"translate|rewrite|paraphrase|condense)\s+this\b|\b(?:users?|readers?)\s+(?:to|that|for|"
                         rf"about)\b|\b(?:writing|generating|composing)\s+(?:the|your|a)\s|\byou\s+{_PROCESS}\s+this\b|"
                         rf"\b(?:summary|summaries|translation|paraphrase)\s+of\s+this\b|\bthis\s+{_PAGE}\s+as\b|"
                         rf"\b{_PROCESSING}\s+this\b|\bthe\s+(?:output|response|reply|summary|translation)\s+(?:must|"
                         rf"should|has|needs)\b|\bas\s+(?:if|though)\s+you\s+were\b|"
                         rf"\b(?:content|text|e-?mail|page|article|message|document)\s+above\b|"
                         rf"\binstead\s+of\s+(?:summari|answer|translat|respond|reply)"), needs_lower=True),
)

# Hidden HTML: an element styled invisible, or an HTML comment. Only suspicious with an instruction inside.
HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*[;\"']|opacity\s*:\s*0(?:\.0+)?\s*[;\"']"
    r"|color\s*:\s*(?:#fff(?:fff)?|white)\b[^\"'>]*background(?:-color)?\s*:\s*(?:#fff(?:fff)?|white)\b", _I)
_HIDDEN_ELEMENT = re.compile(r"<(\w+)\b[^>]*style\s*=\s*[\"'][^\"']*[\"'][^>]*>(.*?)</\1\s*>", _I | re.S)
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)

# Writing *about* prompt injection quotes its examples; these words mark such a document.
_META = re.compile(
    r"\bprompt[\s-]injections?\b|\bjailbreak(?:s|ing)?\b|\binjection\s+attacks?\b|\battackers?\b|\bmalicious\b|"
    r"\bred[\s-]team(?:ing|ers)?\b|\bOWASP\b|\bsecurity\s+researchers?\b|\bexploit(?:s|ed)?\b|\bguardrails?\b", _I)
_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
# A sentence ends at . ! ? followed by space or the end (not inside www.example.com or 3.5), or at a newline.
_SEGMENT = re.compile(r"(?:[^\n.!?]|[.!?]+(?![\s\"')\]]|$))*(?:[.!?]+[\"')\]]*|\n|$)")


# Attributes whose text the page does not show in its flow (alt text, tooltips, labels, ``<meta content>``) but a
# model reading the HTML does: an order placed there is judged as a sentence of its own. Markup is stripped before
# classifying, and a sentence-opening rule does not fire after ``alt="``, so without this it went unseen.
_OPEN_TAG = re.compile(r"<[a-zA-Z][\w:-]*\s[^<>]{0,4000}>")
_TEXT_ATTR = re.compile(r"\b(?:alt|title|aria-label|aria-description|placeholder|content|summary)\s*=\s*"
                        r"(?:\"([^\"]*)\"|'([^']*)')", _I)


def attribute_texts(text: str, min_words: int = 3, max_chars: int = 600) -> list[tuple[int, int]]:
    """``(start, end)`` of the text-bearing attribute values of ``text``'s HTML tags with at least ``min_words``
    words (a value over ``max_chars`` as the pieces ``cover_pieces`` cuts it into)."""
    if "<" not in text:
        return []
    out: list[tuple[int, int]] = []
    for tag in _OPEN_TAG.finditer(text):
        for m in _TEXT_ATTR.finditer(text, tag.start(), tag.end()):
            group = 1 if m.group(1) is not None else 2
            s, e = m.start(group), m.end(group)
            if e - s < 8 or text.count(" ", s, e) + 1 < min_words:
                continue
            out += [(s, e)] if e - s <= max_chars else cover_pieces(text, s, e, max_chars)
    return out


def hidden_regions(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, why)`` of text a browser would not show: invisible-styled elements and HTML comments."""
    if "<" not in text:
        return []
    out = [(m.start(1), m.end(1), "html_comment") for m in _COMMENT.finditer(text)]
    for m in _HIDDEN_ELEMENT.finditer(text):
        if HIDDEN_STYLE.search(m.group(0)[: m.start(2) - m.start()]):
            out.append((m.start(2), m.end(2), "hidden_style"))
    return out


def segments(text: str, min_words: int = 3, max_chars: int = 600, cover: bool = False) -> list[tuple[int, int]]:
    """Sentence/line segments ``(start, end)`` of ``text`` with at least ``min_words`` words.

    A segment longer than ``max_chars`` is clipped to its first ``max_chars`` (what the classifier was trained
    on); with ``cover`` the clipped segment is followed by pieces that reach its end (``cover_pieces``), so
    padding one long "sentence" does not hide an order at its end from the classifier.
    """
    out = []
    for m in _SEGMENT.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s < 8 or text.count(" ", s, e) + 1 < min_words:
            continue
        out.append((s, min(e, s + max_chars)))
        if cover and e - s > max_chars:
            out += [p for p in cover_pieces(text, s, e, max_chars) if p != out[-1]
                    and text.count(" ", *p) + 1 >= min_words]
    return out


# Where a long segment splits into clauses: a sentence end glued to the next sentence ("noon.Write ..."), a
# semicolon, or a full-width / ideographic stop, none of which end a segment for ``_SEGMENT``.
_CLAUSE = re.compile(r"[.!?]+(?=[\"')\]]*[A-Z])|[;\u3002\uff0e\uff01\uff1f\uff1b]+")


def cover_pieces(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Pieces of the long segment ``text[start:end]`` that together cover all of it: its clauses (see
    ``_CLAUSE``), and for a clause longer than ``size``, windows of ``size`` characters half a window apart, each
    beginning at a word, the last one ending at the clause's end."""
    out: list[tuple[int, int]] = []
    a = start
    for m in [*_CLAUSE.finditer(text, start, end), None]:
        b = m.end() if m else end
        while a < b and text[a].isspace():
            a += 1
        if b - a >= 8:
            out += [(a, b)] if b - a <= size else _windows(text, a, b, size)
        a = b
    return out


def _windows(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Windows of ``size`` characters over ``text[start:end]``, half a window apart, the last ending at ``end``."""
    out = [(start, start + size)]
    while out[-1][1] < end:
        a = out[-1][0] + size // 2
        space = text.find(" ", a, a + 40)  # begin at a word, not inside one
        a = space + 1 if space >= 0 else a
        out.append((a, min(end, a + size)) if a + size < end else (max(a, end - size), end))
    return out


def code_spans(text: str) -> list[tuple[int, int]]:
    """Fenced code blocks of ``text`` (an injection quoted as code is discussed, not planted)."""
    if "```" not in text and "~~~" not in text:
        return []
    return [(m.start(), m.end()) for m in _FENCE.finditer(text)]


def quoted(text: str, start: int, end: int, seg_start: int = 0) -> str | None:
    """Why the span ``[start, end)`` reads as quoted (double quotes, backticks, a ``>`` quote line), or None.

    Quote marks are counted from ``seg_start`` (the start of the hit's sentence) when it is later than the line
    start: a web page holds whole paragraphs on one line, and one stray quote mark sentences earlier must not
    make every later sentence of the paragraph "quoted".
    """
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].lstrip().startswith(">"):
        return "blockquote"
    before = text[max(line_start, seg_start):start]
    if before.count('"') % 2 == 1 or before.count("\u201c") > before.count("\u201d"):
        return "quotes"
    if before.count("`") % 2 == 1:
        return "backticks"
    if start > 0 and text[start - 1] in "\"'\u201c`" and end < len(text) and text[end:end + 1] in "\"'\u201d`":
        return "quotes"
    return None


def meta_discussion(text: str) -> int:
    """How many distinct markers of writing about attacks ``text`` holds (0 for ordinary text)."""
    return len({m.group(0).lower() for m in _META.finditer(text)})


def rule_hits(text: str, scope: str = "any") -> list[tuple[Rule, int, int]]:
    """Every rule match ``(rule, start, end)``; ``scope='any'`` skips the ``data``-only rules."""
    hits = []
    low: str | None = None
    for rule in RULES:
        if scope == "any" and rule.scope == "data":
            continue
        if rule.needs is not None:
            if rule.needs_lower:
                low = text.lower() if low is None else low
            if rule.needs.search(low if rule.needs_lower else text) is None:  # type: ignore[arg-type]
                continue
        for m in rule.pattern.finditer(text):
            if rule.accept is not None and not rule.accept(text, m):
                continue
            s = m.start()
            while s < m.end() and text[s].isspace():  # a match may open on the newline before its sentence
                s += 1
            hits.append((rule, s, m.end()))
    return hits


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGITS = re.compile(r"\d[\d\s().-]{5,}\d")


def safe_snippet(text: str, limit: int = 200) -> str:
    """A short excerpt for evidence, with e-mail addresses and long digit runs masked (no raw PII)."""
    return _DIGITS.sub("<NUM>", _EMAIL.sub("<EMAIL>", text[:limit]))

"""The query language: what investigators type, parsed into a small AST and built into an Elasticsearch query.

The syntax is Twitter's advanced search, because that is what the people reading these archives already know:

    words            every word must match (implicit AND), in any language: a word is searched on `tweet_text`
                     (accent- and case-insensitive, unstemmed) and on every `lang.*` field (stemmed per language)
    "exact phrase"   `match_phrase` on `tweet_text` only: no stemming ("curly" quotes are accepted too)
    a OR b           OR binds tighter than the implicit AND, as on Twitter: `a b OR c` is `a AND (b OR c)`;
                     a lone upper-case AND is accepted and means the implicit AND; lower-case or/and are words
    -x               excludes a word, "phrase", (group) or operator
    ( )              grouping
    word*            prefix of a word on `tweet_text` (the `lang.*` fields are stemmed, so prefixes there lie)
    from:name        author screen name, case-insensitive, a leading @ is accepted; `from:ten_*` is a prefix
    userid:ID        the account id: digits, or a hashed id as the archives publish it (64 hex characters,
                     any case, or 40 to 44 base64 characters, exactly as published)
    @name  #tag      mentioned screen name / hashtag, case-insensitive; `#maga*` is a prefix
    lang:ru          `tweet_language`
    since:2016-01-01 inclusive, from the start of that UTC day; until: is exclusive, as on Twitter.
                     Twitter's `2016-01-01_12:00:00_UTC` form is accepted too.
    url:VALUE        a domain or host (`bbc.co.uk`, `news.bbc.co.uk`, `www.` ignored) → `url_domains`/`url_hosts`;
                     an address with a path (`example.com/a`, `https://www.example.com/a/`) → the URL normalised
                     by the indexer's own `common.urls.analyse_url`, in `urls`, exactly or followed by `/`, `?`,
                     `&` or `#`, under http and https alike;
                     `url:example.com/new*` is a plain prefix. A t.co address also looks in `tco_links` and for
                     the link in the tweet text.
    campaign:ira  client:"TweetDeck"   keyword fields, case-insensitive; a trailing * makes a prefix
    filter:retweets | filter:replies | filter:links     and their negations, `-filter:retweets`
    bio:WORDS  name:WORDS  location:WORDS               the account's profile (description, display name,
                     reported location) contains the words, in this order (folded like `tweet_text`): matched
                     on the accounts index and applied to the accounts' tweets (`search.query_context`)
    min_retweets:N  min_faves:N  min_replies:N           at least N (0 to 9223372036854775807, the field's range)
    Any operator value may be quoted: `client:"Twitter for iPhone"`.

Decisions worth knowing:

* A bare `http://` or `https://` word is read as `url:` (so pasting a t.co link finds the tweets carrying it);
  a word with any other scheme (`ftp://x`) is searched as a phrase on `tweet_text`. A word ending with a colon
  (`BREAKING:`) is a word; `name:value` with an unknown name is an error, so a typo never silently becomes text.
* `parse_query("")` is an error (an empty query or group is malformed); commands that may run without a query
  (`top`, `timeline`) call `build_query_from_text`, which turns blank text into `match_all`.
* Only match_phrase / term / terms / prefix / range / exists / bool / match_all nodes are built: user text is
  never parsed by Elasticsearch as query syntax.
* `or`, `AND` and `NOT` are not operators on Twitter: `or` and `NOT` are searched as words, `AND` is the
  implicit AND. The query is still run as read, but `query_warnings` says so, so the CLI can tell the user.
* `until:` not after `since:` in the same AND (the query or any group) can match nothing: an error, not an
  empty answer a fact-checker would publish. Groups and minus signs nest at most `MAX_NESTING` deep: deeper
  queries would exhaust Python's stack or the server's bool nesting limit (`indices.query.bool.max_nested_depth`).
* `to:` does not exist: the archives record no addressee by name. Unknown operators raise `QuerySyntaxError`
  with a did-you-mean suggestion.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from common.errors import AddressTooLong, QuerySyntaxError
from common.urls import analyse_url

__all__ = [
    "FLAG_FIELDS",
    "HIGHLIGHT_FIELDS",
    "LANG_FIELDS",
    "MAX_CLAUSES",
    "MAX_NESTING",
    "PROFILE_FIELDS",
    "WORD_FIELDS",
    "And",
    "Node",
    "Not",
    "Operator",
    "Or",
    "Phrase",
    "Prefix",
    "QueryContext",
    "Term",
    "build_query",
    "build_query_from_text",
    "describe",
    "filters_in",
    "highlight_body",
    "id_shaped_from_values",
    "match_all",
    "parse_query",
    "profile_operators",
    "query_warnings",
]

LANG_FIELDS: tuple[str, ...] = tuple(
    f"lang.{code}"
    for code in ("en", "ru", "de", "fr", "es", "it", "pt", "ar", "fa", "tr", "nl", "sv", "id", "hi", "el", "cjk", "std")
)
"""The per-language sub-fields; a tweet fills only the one for its language, so a word is looked up in all."""

WORD_FIELDS: tuple[str, ...] = ("tweet_text", *LANG_FIELDS)
"""Where a plain word is searched: the precise folded field (catches stopwords and accents) plus every language."""

HIGHLIGHT_FIELDS: tuple[str, ...] = ("tweet_text",)
"""The field highlighted: the text as shown. Matches found only through stemming (`lang.*`) are not marked."""


@dataclass(frozen=True, slots=True)
class Term:
    """A plain word: searched on `WORD_FIELDS`, its tokens adjacent (so `anti-vax` means "anti vax")."""

    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """A quoted phrase, whitespace collapsed: exact (folded, unstemmed) on `tweet_text`."""

    text: str


@dataclass(frozen=True, slots=True)
class Prefix:
    """`word*`: `text` is the stem already lower-cased and ASCII-folded like `tweet_text`'s tokens."""

    text: str


@dataclass(frozen=True, slots=True)
class Operator:
    """`name:value`, `@name` (name "mention") or `#tag` (name "hashtag"), value already normalised.

    `prefix` is set by a trailing `*` on operators that allow it (from, mention, hashtag, campaign, client, url).
    """

    name: str
    value: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class And:
    """All children must match; never nested directly in another And, never fewer than two children."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child must match; never nested directly in another Or, never fewer than two children."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The child must not match."""

    child: Node


Node = Term | Phrase | Prefix | Operator | And | Or | Not

# --- operators ------------------------------------------------------------------------------------------------

_TYPED_OPERATORS: tuple[str, ...] = (
    "from",
    "userid",
    "lang",
    "since",
    "until",
    "url",
    "campaign",
    "client",
    "filter",
    "min_retweets",
    "min_faves",
    "min_replies",
    "bio",
    "name",
    "location",
)
PROFILE_FIELDS: dict[str, str] = {
    "bio": "user_profile_description",
    "name": "user_display_name",
    "location": "user_reported_location",
}
"""The profile operators and the accounts index field each one searches."""
SHORTENED = "…"
"""What stands for the middle of a hashed id that a page or a terminal shows shortened (`c25f…ad40`)."""


def shortened_hint(asked: str) -> str:
    """Why a shortened hashed id finds nothing, and what to type instead: the same middle can end many ids, so
    searching the shortened form would silently find none."""
    return (
        f"{asked} is a hashed id as shown, shortened: type the whole id (`--json` and the account's page give it "
        "in full, as `userid`), e.g. userid:c25f4eac4fff5883cf31b5ab80e3ec82ac5ec70cfa47602cfeba874de38cad40"
    )


_PREFIXABLE = frozenset({"from", "mention", "hashtag", "campaign", "client", "url", "bio", "name", "location"})
_FILTERS: tuple[str, ...] = ("retweets", "replies", "links")
_MIN_FIELDS = {"min_retweets": "retweet_count", "min_faves": "like_count", "min_replies": "reply_count"}
_MAX_COUNT = 2**63 - 1  # the counts are `long` fields: a larger bound cannot even be sent
MAX_CLAUSES = 4096
"""How many leaf clauses a query may send. The server refuses a query past its own count (computed from its
heap in recent versions, 4,096 the long-standing default); a word is searched in every `WORD_FIELDS` field, so
it costs 18, and about 227 words reach the limit."""
MAX_NESTING = 20
"""How deep parentheses and minus signs may nest. Each level adds at most one bool level to the query sent,
and the server refuses more than 29 (`indices.query.bool.max_nested_depth`, 30 by default, counts from 0)."""

# Operators people bring from elsewhere (Twitter API v2, other tools): a better hint than difflib's.
_HINTS = {
    "to": "to: is not supported: the archives record no addressee by name (try @name for mentions)",
    "is": 'unknown operator "is:"; did you mean filter:retweets or filter:replies?',
    "has": 'unknown operator "has:"; did you mean filter:links?',
    "min_likes": 'unknown operator "min_likes:"; did you mean "min_faves:"?',
    "hashtag": 'unknown operator "hashtag:"; write #tag',
    "mention": 'unknown operator "mention:"; write @name',
}

_QUOTES = '"\u201c\u201d'
_OPERATOR_WORD = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)
_OPERATOR_NAME = re.compile(r"[A-Za-z_]+:")
_SCHEME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HTTP_WORD = re.compile(r"https?://", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:_(\d{2}):(\d{2}):(\d{2})_UTC)?")
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")
_PREFIX_STEM = re.compile(r"\w+(?:['.]\w+)*")
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_NUMERIC_ID = re.compile(r"[0-9]{1,20}")
_HEX_ID = re.compile(r"[0-9a-fA-F]{64}")
_BASE64_ID = re.compile(r"(?=[A-Za-z0-9+/=]{40,44}\Z)[A-Za-z0-9+/]+={0,2}")
"""A hashed id of the 2019-and-later releases: base64 of 40 to 44 characters, padded or not, as published."""
_MIN_PREFIX = 2
# Folds Lucene's ASCIIFoldingFilter makes that Unicode decomposition does not.
_FOLD_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th"})


def _unknown_operator(name: str, position: int) -> QuerySyntaxError:
    key = name.lower()
    if key in _HINTS:
        return QuerySyntaxError(_HINTS[key], position)
    close = difflib.get_close_matches(key, _TYPED_OPERATORS, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}:"?' if close else "put it in quotes to search it as text"
    return QuerySyntaxError(f'unknown operator "{name}:"; {hint}', position)


def _typed_operator(name: str, value: str, position: int, value_position: int) -> Operator:
    """`name:value` as typed: only the documented names (`@` and `#` have no `name:` spelling)."""
    if name.lower() not in _TYPED_OPERATORS:
        raise _unknown_operator(name, position)
    return _operator(name, value, position, value_position)


def _operator(name: str, value: str, position: int, value_position: int) -> Operator:
    """Validate and normalise one operator; errors point at the operator or at its value."""
    key = name.lower()
    value = value.strip()
    prefix = False
    if key in _PREFIXABLE and value.endswith("*"):
        prefix, value = True, value[:-1]
        if not value:
            raise QuerySyntaxError(f"{_label(key)} needs something before *", position)
    if key in _PREFIXABLE and "*" in value:
        raise QuerySyntaxError("* works only at the end of a value", value_position + value.index("*"))
    if not value:
        raise QuerySyntaxError(_missing_value(key), position)

    if key in ("from", "userid", "mention") and SHORTENED in value:
        raise QuerySyntaxError(shortened_hint(f"{_label(key)}{value}"), value_position)
    if key == "from":
        value = value.removeprefix("@").lower()
        if not value:
            raise QuerySyntaxError(_missing_value(key), position)
    elif key in ("mention", "hashtag"):
        value = value.rstrip(".,:;!?").lower()
        if not value:
            raise QuerySyntaxError(_missing_value(key), position)
    elif key == "lang":
        value = value.lower()
        if not _LANG_CODE.fullmatch(value):
            raise QuerySyntaxError(f'lang: expects a language code such as "ru", got "{value}"', value_position)
    elif key in ("since", "until"):
        if not _valid_date(value):
            raise QuerySyntaxError(f'{key}: expects a date such as 2016-01-01, got "{value}"', value_position)
    elif key == "url":
        value, prefix = normalise_url_value(value, prefix, value_position)
    elif key == "filter":
        value = value.lower()
        if value not in _FILTERS:
            close = difflib.get_close_matches(value, _FILTERS, n=1, cutoff=0.6)
            hint = f'; did you mean "filter:{close[0]}"?' if close else f" (known: {', '.join(_FILTERS)})"
            raise QuerySyntaxError(f'unknown filter "{value}"{hint}', value_position)
    elif key in _MIN_FIELDS:
        if not value.isascii() or not value.isdigit():
            raise QuerySyntaxError(f'{key}: expects a whole number, got "{value}"', value_position)
        value = str(int(value))
        if int(value) > _MAX_COUNT:
            raise QuerySyntaxError(f"{key}: {value} is too large (at most {_MAX_COUNT})", value_position)
    elif key in PROFILE_FIELDS:
        value = " ".join(value.split())
        if not _searchable(value):
            raise QuerySyntaxError(f"{key}: needs a word (letters or digits) to look for", value_position)
        if prefix:
            # A prefix of one folded word, as `word*` on tweets: a prefix inside a phrase would need
            # `match_phrase_prefix`, which silently stops after 50 expansions.
            value = _fold(value)
            if not _PREFIX_STEM.fullmatch(value) or len(value) < _MIN_PREFIX:
                raise QuerySyntaxError(
                    f"{key}: a prefix* must be a single word of at least {_MIN_PREFIX} letters or digits",
                    value_position,
                )
    elif key == "userid":
        if _HEX_ID.fullmatch(value):
            value = value.lower()
        elif not (_NUMERIC_ID.fullmatch(value) or _BASE64_ID.fullmatch(value)):
            raise QuerySyntaxError(
                f"userid: expects an account id (digits, or a hashed id of 64 hex or 40 to 44 base64 characters), "
                f'got "{value}"',
                value_position,
            )
    if prefix and key != "url":  # url: checks its own, with the scheme it is sent with
        _refuse_a_long_prefix(key, value, value_position)
    return Operator(key, value, prefix)


_MAX_PREFIX_LENGTH = 1000
"""Elasticsearch's default `index.max_regex_length`, which also bounds a prefix query's prefix (in UTF-16 units)."""


def _utf16_length(text: str) -> int:
    """`text`'s length as the server counts it (Java's UTF-16 units: an emoji is 2)."""
    return len(text.encode("utf-16-le")) // 2


def _refuse_a_long_prefix(key: str | None, sent: str, position: int) -> None:
    """A prefix the server would refuse (`index.max_regex_length`), refused in the tool's words first."""
    length = _utf16_length(sent)
    if length > _MAX_PREFIX_LENGTH:
        what = f"{_label(key)} value" if key else "a prefix*"
        raise QuerySyntaxError(
            f"{what} is too long to look for: {length:,} characters where the server takes {_MAX_PREFIX_LENGTH:,}",
            position,
        )


def _label(key: str) -> str:
    return {"mention": "@", "hashtag": "#"}.get(key, f"{key}:")


def _missing_value(key: str) -> str:
    if key == "mention":
        return "@ must be followed by a screen name"
    if key == "hashtag":
        return "# must be followed by a hashtag"
    return f"{key}: needs a value"


def _valid_date(value: str) -> bool:
    match = _DATE.fullmatch(value)
    if not match:
        return False
    try:
        datetime(*(int(part) for part in match.groups() if part is not None))
    except ValueError:
        return False
    return True


def date_bound(value: str) -> str:
    """`2016-01-01` → `2016-01-01T00:00:00Z`; `2016-01-01_12:30:00_UTC` → `2016-01-01T12:30:00Z`."""
    day, _, rest = value.partition("_")
    clock = rest.removesuffix("_UTC") or "00:00:00"
    return f"{day}T{clock}Z"


def normalise_url_value(value: str, prefix: bool, position: int) -> tuple[str, bool]:
    """The indexer's normalisation (`common.urls.analyse_url`) minus the scheme: http and https are one page.

    Returns `host[:port][/path][?sorted query]` and whether a plain prefix is meant, or for an address without
    path or query just the host (no port), since `url_hosts` and `url_domains` hold bare hosts; a `*` after a
    bare host adds nothing. A prefix keeps the trailing slash it was typed with: `news/*` is not `news*`.
    The result is a fixed point: normalising it again gives itself. An address whose page (`search.pages`)
    would need a longer regular expression than the server takes is an error here, where its position is known.
    """
    from search.pages import page_regexp

    raw = value if _SCHEME_WORD.match(value) else "http://" + value.lstrip("/")
    info = analyse_url(raw)
    scheme, _, rest = info.normalised.partition("://") if info else ("", "", "")
    if info is None or scheme not in ("http", "https") or not info.host or not _HOST.fullmatch(info.host):
        raise QuerySyntaxError(
            f'url: expects a domain or a web address such as example.com/page, got "{value}"', position
        )
    if "/" not in rest and "?" not in rest:
        return info.host, False
    if prefix and "?" not in rest and raw.partition("?")[0].partition("#")[0].endswith("/"):
        rest += "/"
    if not prefix:
        try:
            page_regexp(rest)
        except AddressTooLong as exc:
            raise QuerySyntaxError(f"url: {exc}", position) from exc
    sent = _utf16_length(f"https://{rest}?")
    if sent > _MAX_PREFIX_LENGTH:
        long = AddressTooLong(f"the address is too long to look for ({sent:,} characters, the server takes 1,000)")
        raise QuerySyntaxError(f"url: {long}", position) from long
    return rest, prefix


def _fold(text: str) -> str:
    """Lower-case and ASCII-fold like the `folded` analyzer, so a prefix matches `tweet_text`'s indexed tokens.

    Only characters whose decomposition is ASCII are folded: Lucene leaves Cyrillic `й` or Hangul alone.
    """
    out = []
    for ch in text.lower().translate(_FOLD_EXTRA):
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and base.isascii() else ch)
    return "".join(out)


def _searchable(text: str) -> bool:
    """Whether an analyzer will keep anything: letters, digits, marks or emoji, not only punctuation."""
    return any(unicodedata.category(ch)[0] in "LNM" or unicodedata.category(ch) == "So" for ch in text)


# --- lexer ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "leaf", "(", ")", "OR", "AND", "-"
    position: int
    node: Node | None = None


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The body of the quote opening at `start`, and the offset just past its closing quote."""
    end = next((i for i in range(start + 1, len(text)) if text[i] in _QUOTES), -1)
    if end < 0:
        raise QuerySyntaxError("unclosed quote", start)
    return text[start + 1 : end], end + 1


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, i))
            i += 1
        elif ch in _QUOTES:
            body, i_next = _read_quoted(text, i)
            tokens.append(_Token("leaf", i, _phrase(body, i)))
            i = i_next
        elif ch == "-":
            if i + 1 == n or text[i + 1].isspace():
                raise _dangling_minus(i)
            tokens.append(_Token("-", i))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "()" and text[j] not in _QUOTES:
                j += 1
            word = text[i:j]
            if j < n and text[j] in _QUOTES and _OPERATOR_NAME.fullmatch(word):
                value, j = _read_quoted(text, j)
                tokens.append(_Token("leaf", i, _typed_operator(word[:-1], value, i, i + len(word) + 1)))
            else:
                tokens.append(_classify_word(word, i))
            i = j
    return tokens


def _phrase(body: str, position: int) -> Phrase:
    text = " ".join(body.split())
    if not text:
        raise QuerySyntaxError("empty phrase", position)
    if not _searchable(text):
        raise QuerySyntaxError(f'nothing to search for in "{text}": no letters or digits', position)
    return Phrase(text)


def _classify_word(word: str, position: int) -> _Token:
    if word in ("OR", "AND"):
        return _Token(word, position)
    if word[0] == "#":
        return _Token("leaf", position, _operator("hashtag", word[1:], position, position + 1))
    if word[0] == "@":
        return _Token("leaf", position, _operator("mention", word[1:], position, position + 1))
    if _HTTP_WORD.match(word):
        return _Token("leaf", position, _operator("url", word, position, position))
    if _SCHEME_WORD.match(word):
        return _Token("leaf", position, _phrase(word, position))
    match = _OPERATOR_WORD.fullmatch(word)
    if match and (match[2] or match[1].lower() in _TYPED_OPERATORS):
        value_position = position + len(match[1]) + 1
        return _Token("leaf", position, _typed_operator(match[1], match[2], position, value_position))
    if "*" in word:
        return _Token("leaf", position, _prefix(word, position))
    if not _searchable(word):
        raise QuerySyntaxError(f'nothing to search for in "{word}": no letters or digits', position)
    return _Token("leaf", position, Term(word))


def _prefix(word: str, position: int) -> Prefix:
    star = word.index("*")
    if star != len(word) - 1:
        raise QuerySyntaxError("* works only at the end of a word", position + star)
    stem = _fold(word[:-1])
    if not stem:
        raise QuerySyntaxError("* needs a word before it", position)
    if not _PREFIX_STEM.fullmatch(stem):
        raise QuerySyntaxError("a prefix* must be a single word of letters or digits", position)
    if len(stem) < _MIN_PREFIX:
        raise QuerySyntaxError(f"a prefix* needs at least {_MIN_PREFIX} characters before *", position)
    _refuse_a_long_prefix(None, stem, position)
    return Prefix(stem)


def _dangling_minus(position: int) -> QuerySyntaxError:
    return QuerySyntaxError('"-" must be followed by a word, "phrase", (group) or operator', position)


# --- parser ---------------------------------------------------------------------------------------------------
#   sequence := or_expr ( ["AND"] or_expr )*
#   or_expr  := unary ( "OR" unary )*
#   unary    := "-" unary | primary
#   primary  := "(" sequence ")" | leaf

_STOPPERS = (")", "OR", "AND")


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._i = 0
        self._depth = 0
        # Where each since:/until: was typed, by node identity: the AST keeps no positions.
        self._dates = {id(t.node): t.position for t in tokens if isinstance(t.node, Operator) and _is_date(t.node)}

    def _peek(self) -> _Token | None:
        return self._tokens[self._i] if self._i < len(self._tokens) else None

    def parse(self) -> Node:
        return self._sequence(None)

    def _sequence(self, opened: _Token | None) -> Node:
        items: list[Node] = []
        while (token := self._peek()) is not None:
            if token.kind == ")":
                if opened is None:
                    raise QuerySyntaxError("unmatched )", token.position)
                break
            if token.kind == "AND":
                self._i += 1
                after = self._peek()
                if not items or after is None or after.kind in _STOPPERS:
                    raise QuerySyntaxError("AND needs something on both sides", token.position)
                continue
            if token.kind == "OR":
                raise QuerySyntaxError("OR needs something on both sides", token.position)
            items.append(self._or())
        if token is None and opened is not None:
            raise QuerySyntaxError("unclosed parenthesis", opened.position)
        node = _join(And, items)
        self._check_dates(node)
        return node

    def _check_dates(self, node: Node) -> None:
        """`until:` not after `since:` among one AND's own operators matches nothing: say so, pointing at until:.

        Nested groups are flattened into their AND before this runs, so `since:b (x until:a)` is caught too.
        """
        children = node.children if isinstance(node, And) else (node,)
        dates = [child for child in children if isinstance(child, Operator) and _is_date(child)]
        since = [date_bound(d.value) for d in dates if d.name == "since"]
        if not since:
            return
        latest_since = max(since)
        for until in (d for d in dates if d.name == "until"):
            if date_bound(until.value) <= latest_since:
                start = next(d.value for d in dates if d.name == "since" and date_bound(d.value) == latest_since)
                raise QuerySyntaxError(
                    f"until:{until.value} is not after since:{start}, so nothing can match (until: is exclusive)",
                    self._dates.get(id(until), 0),
                )

    def _nest(self, token: _Token) -> None:
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise QuerySyntaxError(f"parentheses and minus signs nest more than {MAX_NESTING} deep", token.position)

    def _or(self) -> Node:
        children = [self._unary()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self._i += 1
            after = self._peek()
            if after is None or after.kind in _STOPPERS:
                raise QuerySyntaxError("OR needs something on both sides", token.position)
            children.append(self._unary())
        return _join(Or, children)

    def _unary(self) -> Node:
        token = self._tokens[self._i]
        if token.kind != "-":
            return self._primary()
        self._i += 1
        after = self._peek()
        if after is None or after.kind in _STOPPERS:
            raise _dangling_minus(token.position)
        self._nest(token)
        child = self._unary()
        self._depth -= 1
        return Not(child)

    def _primary(self) -> Node:
        token = self._tokens[self._i]
        self._i += 1
        if token.kind == "(":
            after = self._peek()
            if after is not None and after.kind == ")":
                raise QuerySyntaxError("empty parentheses", token.position)
            self._nest(token)
            node = self._sequence(token)
            self._depth -= 1
            self._i += 1
            return node
        assert token.node is not None, token  # callers stop before ")", "OR" and "AND"
        return token.node


def _is_date(node: Operator) -> bool:
    return node.name in ("since", "until")


def _join(kind: type[And] | type[Or], items: list[Node]) -> Node:
    """One item stays itself; nested groups of the same kind are flattened (`a (b c)` is `a b c`)."""
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, kind) else (item,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def parse_query(text: str) -> Node:
    """Parse a query into an AST, or raise `QuerySyntaxError` pointing at the first problem.

    Blank text is an error here; use `build_query_from_text` where "no query" means "everything".
    """
    tokens = _tokenize(text)
    if not tokens:
        raise QuerySyntaxError("the query is empty", 0)
    _check_size(tokens)
    return _Parser(tokens).parse()


def _check_size(tokens: list[_Token]) -> None:
    """Refuse, pointing at the word that crosses it, a query that would send more than `MAX_CLAUSES` leaf
    clauses: and, or and minus add no leaves, so the count is the sum over the words and operators."""
    total = 0
    for token in tokens:
        if token.node is not None:
            total += _leaf_count(token.node)
            if total > MAX_CLAUSES:
                raise QuerySyntaxError(
                    f"the query is too large: it would send more than {MAX_CLAUSES:,} clauses to the server "
                    f"(a word costs {len(WORD_FIELDS)}); use fewer words or OR'd terms",
                    token.position,
                )


def _leaf_count(leaf: Node) -> int:
    """How many leaf clauses `_clause` sends for one word or operator, counted from the node, so that parsing
    builds nothing (and never imports the query DSL). `_url_leaves` is the one shape shared with the builder."""
    if isinstance(leaf, Term):
        return len(WORD_FIELDS)
    if isinstance(leaf, Operator) and leaf.name == "url":
        return len(_url_leaves(leaf.value, leaf.prefix))
    if isinstance(leaf, Operator) and leaf.name == "filter" and leaf.value == "links":
        return 2
    return 1


# --- warnings -------------------------------------------------------------------------------------------------

_WORD_WARNINGS = {
    "or": '"{word}" is read as a word; for either word type OR',
    "NOT": "NOT is read as a word; to exclude a word type -word",
}
_AND_WARNING = "AND is not an operator here: words are all required already, so it was left out; drop it"


def query_warnings(text: str) -> list[str]:
    """What the query does that its author may not expect, one line each: the query still runs as read.

    Twitter has no `AND` or `NOT` operators and its `OR` is upper-case only; people bring them from other
    search engines. A malformed query gives no warnings: `parse_query` reports it.
    """
    try:
        tokens = _tokenize(text)
        _Parser(tokens).parse()
    except QuerySyntaxError:
        return []
    warnings: list[str] = []
    for before, token in zip([None, *tokens], tokens, strict=False):
        if token.kind == "AND":
            message = _AND_WARNING
        elif isinstance(token.node, Term) and (before is None or before.kind != "-"):
            word = token.node.text
            template = _WORD_WARNINGS.get("or" if word.lower() == "or" else word)
            message = template.format(word=word) if template else None
        else:
            message = None
        if message and message not in warnings:
            warnings.append(message)
    return warnings


def id_shaped_from_values(node: Node) -> list[str]:
    """The `from:` values (not prefixes) made only of digits: likely account ids typed as screen names.

    Screen names can be all digits, so only the index can tell; the caller asks it and hints at `userid:`.
    """
    found: list[str] = []
    for item in operators_in(node):
        digits = item.name == "from" and not item.prefix and _NUMERIC_ID.fullmatch(item.value)
        if digits and item.value not in found:
            found.append(item.value)
    return found


def operators_in(node: Node) -> Iterator[Operator]:
    """Every operator in the query, in order, negated or not."""
    if isinstance(node, Operator):
        yield node
    elif isinstance(node, Not):
        yield from operators_in(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from operators_in(child)


# --- builder --------------------------------------------------------------------------------------------------
# Clauses are built with the client's query DSL (`elasticsearch.dsl.query`) and sent as its `to_dict()`. It is
# imported where a query is built, not with this module: importing it takes a quarter of a second, and parsing
# (errors, warnings, `describe`, the size check) needs none of it.

if TYPE_CHECKING:
    from elasticsearch.dsl.query import Query

AccountKey = tuple[str, str]
"""An account as the accounts index holds it: (campaign, userid)."""
FLAG_FIELDS: dict[str, str] = {"replies": "is_reply", "links": "has_links"}
"""The indexed flag that makes `-filter:X` a positive filter, for the filters that need one (see
`_positive_negation`); an index loaded before they existed lacks them, so the builder is told which it has."""


@dataclass(frozen=True)
class QueryContext:
    """What the builder must know about the index a query will run on, found by `search.query_context`.

    `flags`: which of `FLAG_FIELDS`' fields the index has. `accounts`: for each profile operator (`bio:`,
    `name:`, `location:`) in the query, the accounts whose profile matches it. Without a context the query is
    built for any index: negations as `must_not`, and a profile operator is an error (it needs the server).
    """

    flags: frozenset[str] = frozenset()
    accounts: Mapping[Operator, tuple[AccountKey, ...]] = field(default_factory=dict)


def profile_operators(node: Node) -> list[Operator]:
    """The distinct profile operators in the query, in order: what `QueryContext.accounts` must answer."""
    return list(dict.fromkeys(item for item in operators_in(node) if item.name in PROFILE_FIELDS))


def filters_in(node: Node) -> set[str]:
    """The `filter:` values the query holds: where one stands under a minus, the builder wants to know whether
    the index has its flag (`FLAG_FIELDS`)."""
    return {item.value for item in operators_in(node) if item.name == "filter"}


def match_all() -> dict[str, Any]:
    """The query for "no query": every tweet."""
    return {"match_all": {}}


def build_query_from_text(text: str, context: QueryContext | None = None) -> dict[str, Any]:
    """Parse and build in one step; blank text means every tweet (for `top` and `timeline` without a query)."""
    if not text.strip():
        return match_all()
    return build_query(parse_query(text), context)


def build_query(node: Node, context: QueryContext | None = None) -> dict[str, Any]:
    """The Elasticsearch `query` object for an AST: the `to_dict()` of the query built with the client's DSL,
    which is what is sent and what `--explain` prints.

    Operators only narrow the set, so they go in `filter` (cached, no scoring); words and phrases go in `must`.
    A query made only of operators is wrapped in `bool.filter` so that every hit scores the same.
    """
    from elasticsearch.dsl import query as dsl

    clause = _clause(node, context or QueryContext())
    if isinstance(node, And | Not) or not _is_filter(node):
        return clause.to_dict()
    return dsl.Bool(filter=[clause]).to_dict()


def _is_filter(node: Node) -> bool:
    if isinstance(node, Operator | Not):
        return True
    if isinstance(node, And | Or):
        return all(_is_filter(child) for child in node.children)
    return False


def _should(clauses: list[Query]) -> Query:
    from elasticsearch.dsl import query as dsl

    return dsl.Bool(should=clauses, minimum_should_match=1)


def _clause(node: Node, context: QueryContext) -> Query:
    from elasticsearch.dsl import query as dsl

    if isinstance(node, Term):
        return _should([dsl.MatchPhrase(**{field: node.text}) for field in WORD_FIELDS])
    if isinstance(node, Phrase):
        return dsl.MatchPhrase(tweet_text=node.text)
    if isinstance(node, Prefix):
        return dsl.Prefix(tweet_text=node.text)
    if isinstance(node, Operator):
        return _operator_clause(node, context)
    if isinstance(node, Not):
        kind, clause = _negation(node.child, context)
        return dsl.Bool(**{kind: [clause]})
    if isinstance(node, Or):
        return _should([_clause(child, context) for child in node.children])
    groups: dict[str, list[Query]] = {"must": [], "filter": [], "must_not": []}
    for child in node.children:
        if isinstance(child, Not):
            kind, clause = _negation(child.child, context)
            groups[kind].append(clause)
        else:
            groups["filter" if _is_filter(child) else "must"].append(_clause(child, context))
    return dsl.Bool(**{kind: clauses for kind, clauses in groups.items() if clauses})


def _negation(child: Node, context: QueryContext) -> tuple[str, Query]:
    """`-child` as a bool section and clause: ("filter", its positive form) where there is one, else
    ("must_not", child)."""
    positive = _positive_negation(child, context)
    return ("filter", positive) if positive is not None else ("must_not", _clause(child, context))


def _positive_negation(child: Node, context: QueryContext) -> Query | None:
    """The positive clause that matches exactly the tweets `child` does not, where one exists, else None.

    A `must_not` makes the server walk the excluded set for every candidate; a positive filter is one cached
    term. Measured on a million generated tweets, `vote lang:en -filter:retweets since: until:` took a p50 of
    ~95-120 ms with `must_not is_retweet:true` and ~45 ms with `filter is_retweet:false`.

    Every document carries `is_retweet`, `is_reply` and `has_links`, true or false (`to_document` writes them
    for every row, and so does the native encoder), so "not true" is "false". `is_reply` and `has_links` came
    later: on an index without them (`context.flags`) `-filter:replies`/`-filter:links` stay `must_not`.
    """
    from elasticsearch.dsl import query as dsl

    if not (isinstance(child, Operator) and child.name == "filter"):
        return None
    if child.value == "retweets":
        return dsl.Term(is_retweet=False)
    flag = FLAG_FIELDS.get(child.value)
    if flag is not None and flag in context.flags:
        return dsl.Term(**{flag: False})
    return None


def _keyword(field: str, value: str, prefix: bool, case_insensitive: bool = False) -> Query:
    from elasticsearch.dsl import Q

    argument = {"value": value, "case_insensitive": True} if case_insensitive else value
    return Q("prefix" if prefix else "term", **{field: argument})


def _operator_clause(node: Operator, context: QueryContext) -> Query:
    from elasticsearch.dsl import query as dsl

    name, value = node.name, node.value
    if name in PROFILE_FIELDS:
        return _accounts_clause(node, context)
    if name == "from":
        return _keyword("user_screen_name", value, node.prefix)
    if name == "userid":
        # Hex hashes are lower-cased when read; matched in any case, as a release might publish them upper-case.
        return _keyword("userid", value, False, case_insensitive=bool(_HEX_ID.fullmatch(value)))
    if name == "mention":
        return _keyword("mention_names", value, node.prefix)
    if name == "hashtag":
        return _keyword("hashtags", value, node.prefix)
    if name == "campaign":
        return _keyword("campaign", value, node.prefix, case_insensitive=True)
    if name == "client":
        return _keyword("tweet_client_name", value, node.prefix, case_insensitive=True)
    if name == "lang":
        return dsl.Term(tweet_language=value)
    if name == "since":
        return dsl.Range(tweet_time={"gte": date_bound(value)})
    if name == "until":
        return dsl.Range(tweet_time={"lt": date_bound(value)})
    if name in _MIN_FIELDS:
        return dsl.Range(**{_MIN_FIELDS[name]: {"gte": int(value)}})
    if name == "filter":
        if value == "retweets":
            return dsl.Term(is_retweet=True)
        if value == "replies":
            return dsl.Exists(field="in_reply_to_tweetid")
        if value == "links":
            return _should([dsl.Exists(field="urls"), dsl.Exists(field="tco_links")])
    if name == "url":
        return _url_clause(value, node.prefix)
    raise ValueError(f"not a known operator: {node!r}")


def _accounts_clause(node: Operator, context: QueryContext) -> Query:
    """The tweets of the accounts `context` found for a profile operator, campaign by campaign (an account is
    one userid in one release: its profile there is what was matched)."""
    from elasticsearch.dsl import query as dsl

    if node not in context.accounts:
        raise ValueError(f"{node.name}: is matched on the accounts index: build with its QueryContext")
    by_campaign: dict[str, list[str]] = {}
    for campaign, userid in context.accounts[node]:
        by_campaign.setdefault(campaign, []).append(userid)
    if not by_campaign:
        return dsl.MatchNone()
    return _should(
        [
            dsl.Bool(filter=[dsl.Term(campaign=campaign), dsl.Terms(userid=sorted(userids))])
            for campaign, userids in sorted(by_campaign.items())
        ]
    )


def _url_clause(value: str, prefix: bool) -> Query:
    """Any one of `_url_leaves`."""
    from elasticsearch.dsl import Q

    return _should([Q(kind, **{field: argument}) for kind, field, argument in _url_leaves(value, prefix)])


def _url_leaves(value: str, prefix: bool) -> list[tuple[str, str, Any]]:
    """The clauses `url:` sends, as (query type, field, argument), any one of which is a match; plain data, so
    that the parser counts them (`_leaf_count`) without building anything.

    A domain or host: `url_domains` or `url_hosts`. With a trailing `*`: a plain prefix of `urls`. Else the
    page the address names (`search.pages`): links with the same host and path carrying at least its
    parameters, in any order, and for a page a site serves under several addresses (a YouTube video), any of
    them. The exact address is a `terms` clause; the rest a `prefix` on `address?` when there are no parameters
    and no known page, else one anchored `regexp` with every URL character escaped and `"flags": "NONE"`.
    """
    from search.pages import page_regexp

    if "/" not in value and "?" not in value:
        return [("term", "url_domains", value), ("term", "url_hosts", value)]
    addresses = [f"http://{value}", f"https://{value}"]
    if prefix:
        return [("prefix", "urls", address) for address in addresses]
    leaves: list[tuple[str, str, Any]] = [("terms", "urls", addresses)]
    pattern = page_regexp(value)
    if pattern is None:
        leaves += [("prefix", "urls", address + "?") for address in addresses]
    else:
        leaves.append(("regexp", "urls", {"value": pattern, "flags": "NONE"}))
    host, _, path = value.partition("/")
    if host == "t.co" and path:
        leaves += [("terms", "tco_links", addresses), ("match_phrase", "tweet_text", value)]
    return leaves


# --- describe -------------------------------------------------------------------------------------------------


def describe(node: Node) -> str:
    """The normalised query, with OR groups parenthesised to show the precedence: for `--explain`.

    `parse_query(describe(node)) == node` for every parsed node.
    """
    if isinstance(node, Term):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    if isinstance(node, Prefix):
        return f"{node.text}*"
    if isinstance(node, Operator):
        value = node.value + ("*" if node.prefix else "")
        if node.name in ("mention", "hashtag"):
            return _label(node.name) + value
        if not value or any(ch.isspace() or ch in "()" for ch in value):
            value = f'"{value}"'
        return f"{node.name}:{value}"
    if isinstance(node, Not):
        inner = describe(node.child)
        return f"-({inner})" if isinstance(node.child, And | Or) else f"-{inner}"
    if isinstance(node, Or):
        return " OR ".join(f"({describe(c)})" if isinstance(c, And) else describe(c) for c in node.children)
    return " ".join(f"({describe(c)})" if isinstance(c, Or) else describe(c) for c in node.children)


def operator_text(name: str, value: str) -> str | None:
    """The query text that selects exactly `value` with the operator `name` (`campaign:ira`,
    `client:"Twitter for iPhone"`, `#maga`), as a facet's link adds it to a query; None when no query text reads
    back as that value (a quote inside a value with spaces), so a front end shows it without a link."""
    node = Operator(name=name, value=value, prefix=False)
    text = describe(node)
    try:
        return text if parse_query(text) == node else None
    except QuerySyntaxError:
        return None


def highlight_body() -> dict[str, Any]:
    """The search request's `highlight` section: whole tweet text (tweets are short), matched words marked."""
    return {"fields": {field: {"number_of_fragments": 0} for field in HIGHLIGHT_FIELDS}}

"""Fact-checking a quote: did the archived accounts post this text, a near copy of it, or nothing like it?

A fact-checker pastes what they saw (curly quotes, a `RT @name:` prefix, a t.co link, a `…` where Twitter cut
it) and needs a verdict they can cite:

* EXACT: tweets carry these words in this order (a phrase match on `tweet_text`, which is already case-,
  accent- and punctuation-insensitive, so "Votes!" and "votes" are the same words). A pasted text ending in
  `…` or `...` was cut by Twitter: its words are matched as a phrase whose last word may be a prefix, so the
  full tweets are found as well as the truncated retweets.
* NEAR: no tweet carries the words exactly, but one differs by a word or two. Candidates come from a `match`
  query that needs most of the words; each is compared word by word here (difflib on the folded words of the
  part of the tweet that lines up with the quote), and the closest version's copies are counted instead.
* NOT FOUND: nothing reaches the threshold; the closest tweets are still listed with their similarity.

Every verdict says who posted it first, how many tweets and accounts carried it, in which campaigns, and whose
tweet it was when the copies are retweets. Counts come from aggregations over the whole index, never from the
examples shown.

It also says what was found: the quote as a **whole tweet** (a tweet that, normalised like a pasted quote, is
the quote's words and nothing more) or as a **passage** inside longer tweets, with the tweets and accounts of
each. Telling them apart needs each copy's text, so the copies are read, oldest first, up to
`CLASSIFY_LIMIT`; beyond it the two counts are lower bounds and `split_exact` is False. The same pass gives
the citation's list of copies (`Citation`; `search.citation` formats it as text or Markdown).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, Literal

from common.errors import EmptyQuote, QuerySyntaxError, UsageError
from search.query import build_query_from_text
from search.tweets import DISPLAY_FIELDS, SORTS, Hit, hit_from, partial_reason

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

Verdict = Literal["EXACT", "NEAR", "NOT FOUND"]

ELLIPSIS = "…"
DEFAULT_THRESHOLD = 0.8
ACCOUNTS_PRECISION = 40_000
"""`precision_threshold` of the accounts cardinality: Elasticsearch's maximum; counts up to it are exact
(barring a 32-bit hash collision), above it they are estimates and the verdict says so."""
CANDIDATES = 100
"""How many best-scoring tweets are compared word by word for NEAR and for the closest tweets."""
MIN_SHOULD_MATCH = "70%"
"""A candidate must share this share of the quote's words: two changed words in a short quote still qualify."""
PREFIX_EXPANSIONS = 1000
"""A cut last word can be short (`th…`); let the phrase prefix consider many words starting with it."""
CAMPAIGN_BUCKETS = 1000
OTHER_CAMPAIGNS = "(other)"
CLASSIFY_LIMIT = 20_000
"""How many copies (oldest first) are read to tell whole tweets from passages. A quote carried by more tweets
gets lower bounds for both counts, flagged, rather than a wait of minutes."""
COPIES_PAGE = 2_000
"""Copies fetched per request while reading them (search_after pages, oldest first)."""
COPY_FIELDS = [
    "tweetid",
    "tweet_time",
    "user_screen_name",
    "userid",
    "campaign",
    "source_file",
    "is_retweet",
    "tweet_text",
]
DIFFERENCE_LEGEND = (
    "a → b: the quote has a where the tweet has b; -word: in the quote, not in the tweet; "
    "+word: in the tweet, not in the quote"
)
"""What `difference_notation` means, to be shown wherever it is."""

_QUOTE_MARKS = str.maketrans(
    {
        # Only the marks the index reads as `'` inside a word; `‛`, `′`, `` ` `` and `‚` split a word there, in
        # the index and so in the phrase searched (`Obama`s` is two words, `Obama’s` one).
        **dict.fromkeys("\u2018\u2019", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    }
)
_PAIRS = {
    "\u201c": "\u201d",
    "\u201e": "\u201c\u201d",
    "\u00ab": "\u00bb",
    "\u00bb": "\u00ab",
    "\u2018": "\u2019",
    "\u201a": "\u2018\u2019",
    "\u2039": "\u203a",
    "\u300c": "\u300d",
    "\u300e": "\u300f",
}
"""Typographic quotation marks that open (keys) and the marks that close them, in the scripts' conventions."""
_SPACE = re.compile(r"\s+")
_RETWEET_PREFIX = re.compile(r"^(?:RT\s*@\w+\s*:\s*)+", re.IGNORECASE)
_TCO_LINK = re.compile(r"\b(?:https?://)?t\.co/(?:\w+(?!\w|\.{3})|\w*\.{3}(?=\s+\S))", re.IGNORECASE)
"""A t.co link, whole, or shown cut (`https://t.co/…`: NFKC made `…` three dots) with words after it; a cut
link that ends the text is where Twitter cut the tweet, and `_TRAILING_ELLIPSIS` sees it."""
_TRAILING_ELLIPSIS = re.compile(r"\s*(?:…|\.{3,})+\s*$")
_CUT_LINK = re.compile(r"\s*\bhttps?:\S*$", re.IGNORECASE)
# Roughly the standard tokenizer: letters, digits and `_`, kept together across an inner `'` or `.`
# (don't, u.s, 3.14), and across a zero-width non-joiner (Persian رئیس‌جمهور is one word); ideographs are one
# word each; an emoji, a flag or a sequence joined by ZWJ is one word, as Lucene makes them.
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf"
_WORD = re.compile(
    rf"\w[\w\u200c]*(?:(?:['.]|(?<=[\u05d0-\u05ea])\"(?=[\u05d0-\u05ea]))\w[\w\u200c]*)*"  # and צה"ל
    rf"|[\U0001F1E6-\U0001F1FF]{{2}}"  # a flag: two regional indicators
    rf"|[{_EMOJI}][\uFE0F\U0001F3FB-\U0001F3FF]*(?:\u200d[{_EMOJI}][\uFE0F\U0001F3FB-\U0001F3FF]*)*"
)
_IDEOGRAPHS = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IDEOGRAPH_SPLIT = re.compile(f"[{_IDEOGRAPHS}]|[^{_IDEOGRAPHS}]+")


@dataclass(frozen=True)
class WordDifference:
    """One place where the quote and a tweet part ways: words only in the quote, words only in the tweet."""

    quote: list[str]
    tweet: list[str]


@dataclass(frozen=True)
class Comparison:
    """How closely a tweet carries the quote. `start`/`end` delimit the tweet's words that line up with it."""

    similarity: float
    start: int
    end: int
    differences: list[WordDifference]


@dataclass(frozen=True)
class Similar:
    """A version of the text found among the candidates: its earliest tweet there and how close it is.

    `matched` is the tweet's words that line up with the quote; `tweetids` are the candidates with those
    words (a sample: only the best-scoring candidates are compared).
    """

    tweet: Hit
    similarity: float
    differences: list[WordDifference]
    matched: str
    copies: int
    tweetids: list[str]


@dataclass(frozen=True)
class OriginalAuthor:
    """Whose tweet the copies retweeted: the account most retweeted among them, and whether it is archived."""

    userid: str
    screen_name: str | None
    tweetid: str | None
    retweets: int
    in_archive: bool


@dataclass(frozen=True)
class CitedCopy:
    """One copy of the text, as a citation lists it: where it is in the archive and in which release file.

    `time` is ISO 8601 in UTC with a `Z` (None when the row had no time); `source_file` is the file the tweet
    was loaded from (None for documents indexed before the loader recorded it); `whole_tweet` tells a copy
    that is the whole tweet from one where the text is a passage of a longer tweet.
    """

    tweetid: str
    time: str | None
    screen_name: str | None
    userid: str | None
    campaign: str | None
    source_file: str | None
    whole_tweet: bool
    is_retweet: bool


@dataclass(frozen=True)
class Citation:
    """The copies a verdict counted, oldest first, as many as asked, and how to get them all.

    `indices` are the indices behind the alias when the check ran. `more` is how many copies are not listed.
    `export_query` is a search query (`tweetsearch export QUERY`) matching exactly the counted copies, or None
    when none exists, `no_query_reason` then saying why (a cut quote, copies found by id).
    """

    indices: list[str]
    limit: int
    copies: list[CitedCopy]
    more: int
    export_query: str | None
    no_query_reason: str | None = None


@dataclass(frozen=True)
class QuoteVerdict:
    """The answer to "did the archived accounts post this?", with the facts a fact-checker cites.

    `matched` is the text whose copies are counted: the normalised quote for EXACT, the closest version for
    NEAR, empty for NOT FOUND. `accounts_exact` is False when the distinct accounts are an estimate.
    `closest` lists near versions other than the matched one (EXACT), the close versions other than the
    matched one, whose earliest tweet is `earliest` (NEAR), or the closest tweets that share words with the
    quote, whatever their similarity (NOT FOUND).

    `whole_tweet` is True when at least one copy is the whole tweet. `whole_tweets`/`whole_accounts` count the
    copies that are whole tweets and their accounts, `passage_tweets`/`passage_accounts` the longer tweets the
    text is a passage of; an account with both kinds counts in both. `split_exact` is False when only the
    oldest `classified` copies could be read: the four counts are then lower bounds. `checked_at` is the time
    of the check (ISO 8601, UTC, `Z`); `citation` is set when one was asked for.
    """

    verdict: Verdict
    text: str
    normalised: str
    truncated: bool
    matched: str
    similarity: float
    threshold: float
    differences: list[WordDifference]
    tweets: int
    accounts: int
    accounts_exact: bool
    campaigns: dict[str, int]
    earliest: Hit | None
    original_author: OriginalAuthor | None
    examples: list[Hit]
    closest: list[Similar]
    alias: str = ""
    checked_at: str = ""
    whole_tweet: bool = False
    whole_tweets: int = 0
    whole_accounts: int = 0
    passage_tweets: int = 0
    passage_accounts: int = 0
    split_exact: bool = True
    classified: int = 0
    citation: Citation | None = None
    took_ms: int = 0
    partial_reason: str | None = None


@dataclass
class _Spread:
    """How far one text spread: the totals, the oldest tweets and the retweeted author."""

    tweets: int = 0
    accounts: int = 0
    accounts_exact: bool = True
    campaigns: dict[str, int] = field(default_factory=dict)
    original_author: OriginalAuthor | None = None
    examples: list[Hit] = field(default_factory=list)
    query: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Copies:
    """The copies read one by one: whole tweets and passages with their accounts, and the first ones cited."""

    classified: int = 0
    whole_tweets: int = 0
    passage_tweets: int = 0
    whole_accounts: set[str] = field(default_factory=set)
    passage_accounts: set[str] = field(default_factory=set)
    cited: list[CitedCopy] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------------------
# Pure text handling.


def normalise_quote(text: str) -> str:
    """The text as it is searched: what a copy-paste adds around a tweet's words is removed.

    Unicode compatibility forms are folded (NFKC), curly quotes become straight ones, whitespace collapses to
    single spaces, quotes wrapped around the whole text go, then a leading `RT @name:` and every t.co link.
    A trailing `…` or `...` (with a link Twitter cut before it) marks a truncated text and is kept as one
    `…`, so callers can tell. Case and accents are kept: the index and `quote_words` fold them.
    """
    return _normalise(text, links=False)


def normalise_keeping_links(text: str) -> str:
    """`normalise_quote`, but a t.co link stays where it was pasted: a tweet pasted whole holds its link between
    its words (`… Mizzou https://t.co/… via @BreitbartNews`), and the index has the link's words there too."""
    return _normalise(text, links=True)


def _normalise(text: str, *, links: bool) -> str:
    text = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    text = _unwrap_pair(text).translate(_QUOTE_MARKS)
    text = _unwrap(text)
    text = _unwrap_pair(_unwrap(_RETWEET_PREFIX.sub("", text)))
    if not links:
        text = _SPACE.sub(" ", _TCO_LINK.sub(" ", text)).strip()
    cut = _TRAILING_ELLIPSIS.search(text)
    if cut is None:
        return text
    text = _CUT_LINK.sub("", text[: cut.start()]).strip()
    return text + ELLIPSIS if text else ""


def quote_words(text: str) -> list[str]:
    """The words of a quote or tweet as compared here: normalised, then lower-cased without accents."""
    return [_fold(word) for word in _words(normalise_quote(text))]


def compare_words(quote: Sequence[str], tweet: Sequence[str], *, truncated: bool = False) -> Comparison:
    """How closely `tweet` carries `quote`, both as `quote_words` gives them.

    Only the stretch of the tweet that lines up with the quote counts (a quote inside a longer tweet with
    hashtags after it is still a copy); the similarity is difflib's ratio over that stretch. When the quote
    was `truncated`, its last word may be cut, so it also matches a tweet word it begins.
    """
    quote = list(quote)
    tweet = list(tweet)
    comparison = _compare(quote, tweet)
    if truncated and quote and comparison.end - comparison.start >= len(quote):
        aligned = tweet[comparison.start + len(quote) - 1]
        if aligned != quote[-1] and aligned.startswith(quote[-1]):
            comparison = _compare([*quote[:-1], aligned], tweet)
    return comparison


def is_whole_tweet(words: Sequence[str], tweet_text: str, *, truncated: bool = False) -> bool:
    """Whether a tweet is the quote and nothing more: its words, normalised like a pasted quote (`RT @x:`, t.co
    links and a trailing `…` removed, case and accents folded, punctuation aside), are `words` (`quote_words`).

    A `truncated` quote's last word may be cut, so the tweet's last word need only begin with it. A tweet with
    a hashtag, a mention, another link or any other word besides the quote is a longer tweet.
    """
    tweet = quote_words(tweet_text)
    if len(tweet) != len(words) or not words:
        return False
    if truncated:
        return tweet[:-1] == list(words[:-1]) and tweet[-1].startswith(words[-1])
    return tweet == list(words)


def difference_notation(differences: Sequence[WordDifference]) -> str:
    """`a → b` where the quote has a and the tweet b, `-a` for words only the quote has, `+b` only the tweet;
    `DIFFERENCE_LEGEND` says so in words."""
    shown = []
    for difference in differences:
        quote, tweet = " ".join(difference.quote), " ".join(difference.tweet)
        shown.append(f"{quote} → {tweet}" if quote and tweet else f"-{quote}" if quote else f"+{tweet}")
    return "; ".join(shown)


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the second: `2016-10-01T12:00:00Z` (a naive time is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _compare(quote: list[str], tweet: list[str]) -> Comparison:
    matching = SequenceMatcher(None, quote, tweet, autojunk=False).get_matching_blocks()
    blocks = [block for block in matching if block.size]
    if not blocks:
        return Comparison(0.0, 0, 0, [WordDifference(quote, [])] if quote else [])
    first, last = blocks[0], blocks[-1]
    start = max(0, first.b - first.a)
    end = min(len(tweet), last.b + last.size + len(quote) - last.a - last.size)
    matcher = SequenceMatcher(None, quote, tweet[start:end], autojunk=False)
    differences = [
        WordDifference(quote[i1:i2], tweet[start + j1 : start + j2])
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]
    return Comparison(matcher.ratio(), start, end, differences)


def _unwrap(text: str) -> str:
    """The text without one pair of quotes around all of it (and only when they quote all of it)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" and text[0] not in text[1:-1]:
        return text[1:-1].strip()
    return text


def _unwrap_pair(text: str) -> str:
    """The text without one pair of typographic quotes around all of it: `“…”`, `«…»`, `„…“`, `「…」` and the
    like, kept when the marks do not pair up (`“a” and “b”` is two quotations, not one)."""
    if len(text) < 2 or text[0] not in _PAIRS or text[-1] not in _PAIRS[text[0]]:
        return text
    opened: list[str] = []
    for ch in text[1:-1]:
        if opened and ch in _PAIRS[opened[-1]]:
            opened.pop()
        elif ch in _PAIRS:
            opened.append(ch)
        elif ch == text[-1]:  # the outer pair closes before the end: `“a” and “b”`
            return text
    return text if opened else text[1:-1].strip()


def _words(normalised: str) -> list[str]:
    words: list[str] = []
    for word in _WORD.findall(normalised):
        words.extend(_IDEOGRAPH_SPLIT.findall(word) if re.search(f"[{_IDEOGRAPHS}]", word) else [word])
    return words


def _fold(word: str) -> str:
    """Lower case, and Latin letters without their accents, as the index's asciifolding does (й stays й)."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", word.casefold()):
        if not (unicodedata.combining(ch) and kept and kept[-1].isascii()):
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


# --------------------------------------------------------------------------------------------------------------
# The verdict.


def check_quote(
    es: Elasticsearch,
    alias: str,
    text: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    examples: int = 5,
    cite: int | None = None,
    classify_limit: int = CLASSIFY_LIMIT,
) -> QuoteVerdict:
    """EXACT, NEAR or NOT FOUND for `text`, with who posted it first, how widely and in which campaigns.

    `threshold` is the similarity (0–1) a near copy needs; `examples` how many tweets (oldest first) and
    close versions to list; `cite`, when given, how many copies (oldest first) the citation lists;
    `classify_limit` how many copies are read to count whole tweets and passages (at least `cite` are).
    Raises `EmptyQuote` when the text has no words, `UsageError` for a bad threshold or limit.
    """
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(f"the threshold must be between 0 and 1, not {threshold}")
    if cite is not None and cite < 1:
        raise UsageError(f"a citation lists at least 1 copy, not {cite}")
    if classify_limit < 0:
        raise UsageError(f"the classify limit cannot be negative, not {classify_limit}")
    checked_at = utc_iso(datetime.now(UTC))
    normalised = normalise_quote(text)
    truncated = normalised.endswith(ELLIPSIS)
    searched = normalised.removesuffix(ELLIPSIS)
    raw_words = _words(searched)
    if not raw_words:
        raise EmptyQuote("the quote has no words to look for (after removing RT @name:, t.co links and …)")
    words = [_fold(word) for word in raw_words]
    answers: list[dict[str, Any]] = []
    size = max(examples, 1)

    spread = _spread(es, alias, _phrase(searched, prefix=truncated), size, answers)
    linked = normalise_keeping_links(text)
    if not spread.tweets and not truncated and linked != searched:
        # The words are there, but with the tweet's own link between them: the phrase holds the link too.
        spread = _spread(es, alias, _phrase(linked, prefix=False), size, answers)
        searched, normalised = (linked, linked) if spread.tweets else (searched, normalised)
    versions = _versions(es, alias, searched, words, truncated, answers, MIN_SHOULD_MATCH)
    if not spread.tweets and not any(version.similarity >= threshold for version in versions):
        # Nothing close among the tweets holding most of the words: the closest ones share fewer of them.
        versions = _merged(versions, _versions(es, alias, searched, words, truncated, answers, "1"))
    common: dict[str, Any] = {"text": text, "normalised": normalised, "truncated": truncated, "threshold": threshold}
    best = versions[0] if versions else None
    compared, cut = words, truncated
    no_query_reason = "the quote was cut by Twitter, so its last word may be a prefix" if truncated else None

    if spread.tweets:
        verdict: Verdict = "EXACT"
        matched, similarity, differences = searched, 1.0, []
        closest = [v for v in versions if threshold <= v.similarity < 1.0]
    elif best is not None and best.similarity >= threshold:
        # No difference at all is the same words in the same order (the index split them otherwise): EXACT.
        verdict = "NEAR" if best.differences else "EXACT"
        matched, similarity, differences = best.matched, best.similarity, best.differences
        closest = [v for v in versions[1:] if v.similarity >= threshold]  # the matched one is the panel's
        compared, cut, no_query_reason = quote_words(best.matched), False, None
        spread = _spread(es, alias, _phrase(best.matched, prefix=False), size, answers)
        if not spread.tweets:  # the index split the words differently than `_words`: count the candidates seen
            spread = _spread(es, alias, {"ids": {"values": best.tweetids}}, size, answers)
            no_query_reason = "these copies were found by comparing words, not by a phrase search"
    else:
        verdict = "NOT FOUND"
        matched, similarity, differences = "", best.similarity if best else 0.0, best.differences if best else []
        closest = versions

    read = max(classify_limit, cite or 0)
    copies = _read_copies(es, alias, spread, compared, cut, read, cite or 0, answers) if spread.tweets else _Copies()
    citation = None
    if cite is not None:
        export_query = None
        if verdict != "NOT FOUND" and no_query_reason is None:
            export_query = _export_query(es, alias, matched)
            if export_query is None:
                no_query_reason = "the query language reads the quote's words differently than the phrase search"
        citation = Citation(
            indices=_indices(es, alias),
            limit=cite,
            copies=copies.cited,
            more=spread.tweets - len(copies.cited),
            export_query=export_query,
            no_query_reason=None if export_query or verdict == "NOT FOUND" else no_query_reason,
        )
    return QuoteVerdict(
        verdict=verdict,
        matched=matched,
        similarity=similarity,
        differences=differences,
        tweets=spread.tweets,
        accounts=spread.accounts,
        accounts_exact=spread.accounts_exact,
        campaigns=spread.campaigns,
        earliest=spread.examples[0] if spread.examples else None,
        original_author=spread.original_author,
        examples=spread.examples[:examples],
        closest=closest[:examples],
        alias=alias,
        checked_at=checked_at,
        whole_tweet=copies.whole_tweets > 0,
        whole_tweets=copies.whole_tweets,
        whole_accounts=len(copies.whole_accounts),
        passage_tweets=copies.passage_tweets,
        passage_accounts=len(copies.passage_accounts),
        split_exact=copies.classified == spread.tweets,
        classified=copies.classified,
        citation=citation,
        took_ms=sum(answer.get("took", 0) for answer in answers),
        partial_reason=next((reason for reason in map(partial_reason, answers) if reason), None),
        **common,
    )


def _phrase(text: str, *, prefix: bool) -> dict[str, Any]:
    if prefix:
        return {"match_phrase_prefix": {"tweet_text": {"query": text, "max_expansions": PREFIX_EXPANSIONS}}}
    return {"match_phrase": {"tweet_text": {"query": text}}}


def _spread(es: Elasticsearch, alias: str, query: dict[str, Any], size: int, answers: list[dict[str, Any]]) -> _Spread:
    """Totals over every matching tweet (aggregations, built with the client's DSL and sent as `to_dict()`,
    as `search.aggregate` does), and the oldest `size` of them."""
    from elasticsearch.dsl import A

    retweeted = A("terms", field="retweet_userid", size=1)
    retweeted.bucket("name", "top_hits", size=1, _source={"includes": ["retweeted_screen_name"]})
    # `map`: the copies of one quote are few, and the retweeted ids many (millions at 10M tweets); ordinals for
    # all of them would be built on the first quote after every load (~0.6 s at 10M) for a handful of values.
    retweeted.bucket("tweet", "terms", field="retweet_tweetid", size=1, execution_hint="map")
    requested = {
        "accounts": A("cardinality", field="userid", precision_threshold=ACCOUNTS_PRECISION),
        "campaigns": A("terms", field="campaign", size=CAMPAIGN_BUCKETS),
        "retweeted": retweeted,
    }
    answer = es.search(
        index=alias,
        query=query,
        size=size,
        sort=SORTS["oldest"],
        track_total_hits=True,
        source_includes=DISPLAY_FIELDS,
        aggs={name: agg.to_dict() for name, agg in requested.items()},
    ).body
    answers.append(answer)
    tweets = answer["hits"]["total"]["value"]
    if not tweets:
        return _Spread(query=query)
    aggs = answer["aggregations"]
    campaigns = {bucket["key"]: bucket["doc_count"] for bucket in aggs["campaigns"]["buckets"]}
    if aggs["campaigns"]["sum_other_doc_count"]:
        campaigns[OTHER_CAMPAIGNS] = aggs["campaigns"]["sum_other_doc_count"]
    accounts = aggs["accounts"]["value"]
    return _Spread(
        tweets=tweets,
        accounts=accounts,
        accounts_exact=accounts <= ACCOUNTS_PRECISION,
        campaigns=campaigns,
        original_author=_original_author(es, alias, aggs["retweeted"]["buckets"]),
        examples=[hit_from(raw) for raw in answer["hits"]["hits"]],
        query=query,
    )


def _read_copies(
    es: Elasticsearch,
    alias: str,
    spread: _Spread,
    words: list[str],
    truncated: bool,
    limit: int,
    cite: int,
    answers: list[dict[str, Any]],
) -> _Copies:
    """Reads the counted copies oldest first (up to `limit`), telling whole tweets from passages, and keeps
    the first `cite` for the citation."""
    copies = _Copies()
    after: list[Any] | None = None
    while copies.classified < limit:
        size = min(COPIES_PAGE, limit - copies.classified)
        answer = es.search(
            index=alias,
            query=spread.query,
            size=size,
            sort=SORTS["oldest"],
            source_includes=COPY_FIELDS,
            track_total_hits=False,
            **({"search_after": after} if after is not None else {}),
        ).body
        answers.append(answer)
        hits = answer["hits"]["hits"]
        for raw in hits:
            source = raw["_source"]
            whole = is_whole_tweet(words, source.get("tweet_text") or "", truncated=truncated)
            userid = source.get("userid")
            if whole:
                copies.whole_tweets += 1
                accounts = copies.whole_accounts
            else:
                copies.passage_tweets += 1
                accounts = copies.passage_accounts
            if userid is not None:
                accounts.add(userid)
            copies.classified += 1
            if len(copies.cited) < cite:
                copies.cited.append(_cited(raw, whole))
        if len(hits) < size:
            break
        after = hits[-1]["sort"]
    return copies


def _cited(raw: dict[str, Any], whole: bool) -> CitedCopy:
    source = raw["_source"]
    time = source.get("tweet_time")
    return CitedCopy(
        tweetid=source.get("tweetid", raw["_id"]),
        time=utc_iso(datetime.fromisoformat(time)) if time else None,
        screen_name=source.get("user_screen_name"),
        userid=source.get("userid"),
        campaign=source.get("campaign"),
        source_file=source.get("source_file"),
        whole_tweet=whole,
        is_retweet=source.get("is_retweet") is True,
    )


def _export_query(es: Elasticsearch, alias: str, matched: str) -> str | None:
    """A search query (`"…"`) selecting exactly the tweets `match_phrase` finds for `matched`, or None.

    The query language cannot hold a `"` inside a phrase, so those become spaces; the server's analyzer then
    decides whether that changes the words searched (it can: `"` joins Hebrew letters), and the query is
    offered only when both texts give the same tokens at the same positions, which makes both searches one.
    """
    phrase = " ".join(matched.replace('"', " ").split())
    query = f'"{phrase}"'
    try:
        built = build_query_from_text(query)
    except QuerySyntaxError:
        return None
    if built != {"match_phrase": {"tweet_text": phrase}}:
        return None
    return query if _tokens(es, alias, phrase) == _tokens(es, alias, matched) else None


def _tokens(es: Elasticsearch, alias: str, text: str) -> list[tuple[str, int]]:
    answer = es.indices.analyze(index=alias, field="tweet_text", text=text).body
    return [(token["token"], token["position"]) for token in answer["tokens"]]


def _indices(es: Elasticsearch, alias: str) -> list[str]:
    """The indices the alias (or index name) resolves to now: what a citation says was searched."""
    answer = es.indices.resolve_index(name=alias).body
    named = [entry["indices"] for entry in answer.get("aliases", []) if entry["name"] == alias]
    if named:
        return sorted(named[0])
    return sorted(entry["name"] for entry in answer.get("indices", []))


def _original_author(es: Elasticsearch, alias: str, buckets: list[dict[str, Any]]) -> OriginalAuthor | None:
    """The most retweeted author among the copies, and whether that account's own tweets are archived."""
    if not buckets:
        return None
    top = buckets[0]
    named = top["name"]["hits"]["hits"]
    tweets = top["tweet"]["buckets"]
    archived = es.count(index=alias, query={"term": {"userid": top["key"]}}).body["count"]
    return OriginalAuthor(
        userid=top["key"],
        screen_name=named[0]["_source"].get("retweeted_screen_name") if named else None,
        tweetid=tweets[0]["key"] if tweets else None,
        retweets=top["doc_count"],
        in_archive=archived > 0,
    )


def _merged(first: list[Similar], second: list[Similar]) -> list[Similar]:
    """Both lists of versions as one, a version found by both queries once, in `_versions`' order."""
    seen = {version.matched.casefold() for version in first}
    versions = first + [version for version in second if version.matched.casefold() not in seen]
    return sorted(versions, key=lambda v: (-v.similarity, -v.copies, _time_order(v.tweet)))


def _versions(
    es: Elasticsearch,
    alias: str,
    searched: str,
    words: list[str],
    truncated: bool,
    answers: list[dict[str, Any]],
    minimum_should_match: str,
) -> list[Similar]:
    """The texts closest to the quote among the best-scoring candidates, closest and most copied first.

    Candidates need `minimum_should_match` of the quote's words. Candidates whose lined-up words are the same
    (a tweet, its retweets, a copy with other punctuation) are one version, shown by its earliest tweet. A
    candidate with no word lined up is no version: it shares only words the comparison does not see.
    """
    answer = es.search(
        index=alias,
        query={"match": {"tweet_text": {"query": searched, "minimum_should_match": minimum_should_match}}},
        size=CANDIDATES,
        source_includes=DISPLAY_FIELDS,
    ).body
    answers.append(answer)
    groups: dict[tuple[str, ...], tuple[Comparison, list[str], list[Hit]]] = {}
    for hit in map(hit_from, answer["hits"]["hits"]):
        raw = _words(normalise_quote(hit.text).removesuffix(ELLIPSIS))
        comparison = compare_words(words, [_fold(word) for word in raw], truncated=truncated)
        lined_up = raw[comparison.start : comparison.end]
        key = tuple(_fold(word) for word in lined_up)
        if key not in groups:
            groups[key] = (comparison, lined_up, [])
        groups[key][2].append(hit)
    versions = [
        Similar(
            tweet=min(hits, key=_time_order),
            similarity=round(comparison.similarity, 4),
            differences=comparison.differences,
            matched=" ".join(lined_up),
            copies=len(hits),
            tweetids=[hit.tweetid for hit in hits],
        )
        for comparison, lined_up, hits in groups.values()
        if comparison.similarity > 0
    ]
    return sorted(versions, key=lambda v: (-v.similarity, -v.copies, _time_order(v.tweet)))


def _time_order(hit: Hit) -> tuple[bool, datetime | str, str]:
    return (hit.time is None, hit.time or "", hit.tweetid)

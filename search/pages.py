"""One page, however it was linked: query parameters in any order or number, and the several addresses a site
gives the same page (`youtu.be/ID`, `youtube.com/watch?v=ID`, `youtube.com/shorts/ID`, ...).

A URL names a page by its host, its path and the query parameters given; a tweet links that page when its
normalised link (`common.urls.analyse_url`: scheme, `www.`, trailing `/` and tracking parameters gone, the
parameters sorted) has the same host and path and carries every parameter given, whatever else it carries:
`example.com/a?x=1` is linked by `https://example.com/a?utm_source=t&x=1&y=2`, not by `.../a?x=2` nor
`.../ab?x=1`. Some sites also serve one page under several addresses; which, is data
(`search/data/page_forms.json`), read here: a rule names the ids that pick a page (a YouTube video's
`id`) and the forms of address that carry them, and every form found in a URL stands for all of them. Adding
a site is an edit of that file. Only the ids pick a rule's page: `youtube.com/watch?v=ID&t=30` is the video,
so the links at another time (or without one) are found too, and the report says which page it took.

Why the matching is done at query time, with Lucene regular expressions on the `urls` keyword, rather than
by storing a page key in the index: the index would need the native reader (`native/`) to produce the same
key byte for byte as the Python reader, and every archive to be loaded again; a rule added to the data file
would again mean a reload. A regular expression costs little here because it is anchored: after the literal
`http`/`https` and the address's host and path, Lucene intersects it only with the terms under that prefix.
The sorted order of the normalised parameters makes "carries these parameters" a regular language:
`\\?(.*&)?a=1&(.*&)?b=2(&.*)?` for `a=1` and `b=2`. Every character taken from a URL is escaped with a
backslash, and the structure's own `&` too, so the expression means the same whether the server reads it
with every operator on (a terms aggregation's `include`) or with `"flags": "NONE"` (the query).

Pure: no I/O but reading the packaged data file once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from common.errors import AddressTooLong

MAX_REGEXP_LENGTH = 1000
"""Elasticsearch's default `index.max_regex_length`: a longer expression is refused by the server."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Address:
    """A normalised address without its scheme, in parts: `host` (with any port), `path`, and the parameters
    (`name=value` strings, in the normalised order, each once)."""

    host: str
    path: str
    params: tuple[str, ...]

    @property
    def location(self) -> str:
        """Host and path: the address without its parameters."""
        return self.host + self.path


@dataclass(frozen=True)
class Form:
    """One form of address a rule's page takes: any of `hosts`, `path`, and `params` (name, template); a
    template is `{name}` for an id or a literal value."""

    hosts: tuple[str, ...]
    path: str
    params: tuple[tuple[str, str], ...]
    path_pattern: re.Pattern[str] = field(compare=False, repr=False)

    def ids_in(self, address: Address, id_patterns: Mapping[str, re.Pattern[str]]) -> dict[str, str] | None:
        """The ids this form reads in `address`, or None when the address is not in this form."""
        if address.host not in self.hosts:
            return None
        match = self.path_pattern.fullmatch(address.path)
        if match is None:
            return None
        ids = dict(match.groupdict())
        given: dict[str, set[str]] = {}
        for param in address.params:
            name, _, value = param.partition("=")
            given.setdefault(name, set()).add(value)
        for name, template in self.params:
            values = given.get(name, set())
            if len(values) != 1:
                return None
            (value,) = values
            placeholder = _PLACEHOLDER.fullmatch(template)
            if placeholder is None:
                if value != template:
                    return None
                continue
            key = placeholder[1]
            if not id_patterns[key].fullmatch(value) or ids.setdefault(key, value) != value:
                return None
        return ids

    def addresses(self, ids: Mapping[str, str]) -> list[str]:
        """This form's addresses (one per host) for the page with `ids`, normalised as the index holds them."""
        path = _fill(self.path, ids)
        params = sorted(f"{name}={_fill(template, ids)}" for name, template in self.params)
        query = "?" + "&".join(params) if params else ""
        return [f"{host}{path}{query}" for host in self.hosts]


@dataclass(frozen=True)
class PageRule:
    """A site's page under several forms of address: `ids` name the values that pick the page (each with the
    Python regular expression its value must match), `forms` the addresses that carry them."""

    site: str
    what: str
    ids: Mapping[str, re.Pattern[str]]
    forms: tuple[Form, ...]


@dataclass(frozen=True)
class Page:
    """A page recognised in an address: whose (`site`, `what`), its `ids`, and every address it is linked
    under (`addresses`, without scheme, as the index normalises them; links with more parameters count too)."""

    site: str
    what: str
    ids: dict[str, str]
    addresses: tuple[str, ...]

    @property
    def label(self) -> str:
        """`YouTube video dQw4w9WgXcQ`, for a person."""
        return f"{self.site} {self.what} {' '.join(self.ids.values())}"


# --------------------------------------------------------------------------------------------------------------
# rules


def load_rules(data: Mapping[str, Any]) -> tuple[PageRule, ...]:
    """The rules in `data` (the shape of `page_forms.json`), checked: a mistake there is a ValueError naming
    the rule, rather than a page silently not found."""
    rules = []
    for number, entry in enumerate(data.get("pages", []), 1):
        where = f"page rule {number} ({entry.get('site', '?')})"
        try:
            ids = {name: re.compile(pattern) for name, pattern in entry["ids"].items()}
            forms = tuple(_form(form, ids, where) for form in entry["forms"])
            rule = PageRule(site=str(entry["site"]), what=str(entry["what"]), ids=ids, forms=forms)
        except (KeyError, TypeError, AttributeError, re.error) as exc:
            raise ValueError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None
        if not ids or not forms:
            raise ValueError(f"{where}: needs ids and forms")
        rules.append(rule)
    return tuple(rules)


@cache
def shipped_rules() -> tuple[PageRule, ...]:
    """The rules packaged with tweetsearch (`search/data/page_forms.json`)."""
    text = resources.files("search").joinpath("data/page_forms.json").read_text(encoding="utf-8")
    return load_rules(json.loads(text))


def _form(entry: Mapping[str, Any], ids: Mapping[str, re.Pattern[str]], where: str) -> Form:
    hosts = tuple(entry["hosts"])
    path = entry["path"]
    params = tuple((str(name), str(template)) for name, template in entry.get("params", {}).items())
    for host in hosts:
        if host != host.lower() or host.startswith("www.") or not host or any(ch in host for ch in "/?#&"):
            raise ValueError(f'{where}: "{host}" is not a host as the index normalises it (lower case, no www.)')
    if not path.startswith("/") or path.endswith("/") or any(ch in path for ch in "?#"):
        raise ValueError(f'{where}: path "{path}" must start with "/" and not end with one (nor hold ? or #)')
    for name, template in params:
        if not name or any(ch in name + template for ch in "&=#"):
            raise ValueError(f'{where}: parameter "{name}={template}" holds a character it cannot')
    used = [key for text in (path, *(template for _, template in params)) for key in _PLACEHOLDER.findall(text)]
    if sorted(set(used)) != sorted(ids) or len(used) != len(set(used)):
        raise ValueError(f"{where}: the form {path} must carry each id ({', '.join(ids)}) once")
    pattern = "".join(
        f"(?P<{piece}>{ids[piece].pattern})" if index % 2 else re.escape(piece)
        for index, piece in enumerate(_PLACEHOLDER.split(path))
    )
    return Form(hosts=hosts, path=path, params=params, path_pattern=re.compile(pattern))


def _fill(template: str, ids: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: ids[match[1]], template)


# --------------------------------------------------------------------------------------------------------------
# addresses


def split_address(value: str) -> Address:
    """`host/path?query` (a normalised address without its scheme) in parts; repeated parameters once."""
    rest, _, query = value.partition("?")
    slash = rest.find("/")
    host, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    params = tuple(dict.fromkeys(param for param in query.split("&") if param))
    return Address(host=host, path=path, params=params)


def recognise(value: str, rules: Sequence[PageRule] | None = None) -> Page | None:
    """The known page `value` (a normalised address without scheme) is a form of, or None."""
    address = split_address(value)
    for rule in shipped_rules() if rules is None else rules:
        for form in rule.forms:
            ids = form.ids_in(address, rule.ids)
            if ids is not None:
                ordered = {name: ids[name] for name in rule.ids}
                addresses = tuple(a for each in rule.forms for a in each.addresses(ordered))
                return Page(site=rule.site, what=rule.what, ids=ordered, addresses=addresses)
    return None


def literal(text: str) -> str:
    """`text` as a Lucene regular expression matching only itself: every character but letters and digits
    behind a backslash, so that no character of a URL is an operator under any flags."""
    return "".join(ch if ch.isalnum() else "\\" + ch for ch in text)


def page_regexp(value: str, rules: Sequence[PageRule] | None = None) -> str | None:
    """The Lucene regular expression for the normalised URLs (`urls`) that link the page `value` names, or
    None when plain term and prefix queries say it (no parameters, no known page: the address itself, or it
    followed by `?`). Raises `AddressTooLong` when the expression would pass `MAX_REGEXP_LENGTH`. `rules`: the
    shipped ones unless given."""
    return _shipped_regexp(value) if rules is None else _regexp(value, rules)


def address_regexp(value: str) -> str:
    """Like `page_regexp`, but always an expression (for a terms aggregation's `include`)."""
    return page_regexp(value) or "https?://" + _body(split_address(value))


@lru_cache(maxsize=1024)
def _shipped_regexp(value: str) -> str | None:
    return _regexp(value, shipped_rules())


def _regexp(value: str, rules: Sequence[PageRule]) -> str | None:
    page = recognise(value, rules)
    if page is None:
        address = split_address(value)
        if not address.params:
            return None
        bodies = [_body(address)]
    else:
        hosts_by_rest: dict[str, list[str]] = {}
        for each in map(split_address, page.addresses):
            rest = _body(Address(host="", path=each.path, params=each.params))
            hosts_by_rest.setdefault(rest, []).append(literal(each.host))
        bodies = [_alternatives(hosts) + rest for rest, hosts in hosts_by_rest.items()]
    pattern = "https?://" + _alternatives(bodies)
    if len(pattern) > MAX_REGEXP_LENGTH:
        raise AddressTooLong(
            f"the address is too long to find with its parameters in any order ({len(pattern)} characters of "
            f"pattern, the server takes {MAX_REGEXP_LENGTH}); leave out parameters that do not pick the page"
        )
    return pattern


def _body(address: Address) -> str:
    """Host and path literally, then the parameters as a subset of the link's, in their sorted order."""
    location = literal(address.location)
    if not address.params:
        return location + r"(\?.*)?"
    required = r"\&(.*\&)?".join(literal(param) for param in sorted(address.params))
    return location + r"\?(.*\&)?" + required + r"(\&.*)?"


def _alternatives(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else "(" + "|".join(items) + ")"

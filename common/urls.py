"""URL normalisation for matching, host and registered-domain extraction, and t.co links in tweet text.

The archives publish each tweet's expanded URLs as written by the tweet's client, so the same article shows up
as `http://www.BBC.co.uk/news/x?utm_source=twitter` in one tweet and `https://bbc.co.uk/news/x/` in another.
Researchers ask "who shared this link / this site", so URLs are reduced to one comparable form and to the
domain someone registered (`bbc.co.uk`, not `news.bbc.co.uk` nor `co.uk`). Nothing here touches the network:
the public-suffix knowledge is a small built-in list of the multi-part suffixes that matter in these archives.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import NamedTuple

DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}

# Query parameters that identify a campaign or a click rather than the resource itself.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "icid", "smid", "mbid", "cvid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "hmb_", "pk_", "__twitter_impression")

# Second-level labels under which registries sell names (ICANN section of the Public Suffix List), for the
# country-code TLDs these campaigns target. A host under `<label>.<cc>` is registered one label further down.
_SECOND_LEVEL = {
    "uk": "co org gov ac me ltd plc net nhs police sch",
    "au": "com net org edu gov asn id",
    "nz": "co org net govt ac school geek gen kiwi maori",
    "jp": "co ne or ac go gr ed lg ad",
    "kr": "co or go ac ne re pe",
    "cn": "com net org gov edu ac mil",
    "hk": "com org gov edu net idv",
    "tw": "com org gov edu net idv",
    "sg": "com org gov edu net",
    "my": "com org gov edu net",
    "id": "co or go ac web net sch mil",
    "th": "co or go ac in net",
    "vn": "com net org gov edu",
    "ph": "com org gov edu net",
    "in": "co net org gov ac edu nic res firm gen ind",
    "pk": "com org gov edu net",
    "bd": "com org gov edu net",
    "np": "com org gov edu net",
    "lk": "com org gov edu",
    "af": "com org gov edu net",
    "ir": "co org gov ac net id sch",
    "il": "co org gov ac net muni",
    "tr": "com net org gov edu gen web bel av k12 info biz tv",
    "eg": "com org gov edu net",
    "sa": "com org gov edu net",
    "ae": "co org gov ac net",
    "qa": "com org gov edu net",
    "kw": "com org gov edu net",
    "bh": "com org gov edu net",
    "om": "co com org gov edu net",
    "jo": "com org gov edu net",
    "lb": "com org gov edu net",
    "iq": "com org gov edu net",
    "ly": "com org gov edu net",
    "ye": "com org gov edu net",
    "sy": "com org gov edu net",
    "ng": "com org gov edu net",
    "ke": "co or go ac ne sc",
    "gh": "com org gov edu",
    "za": "co org gov ac net web",
    "ru": "com net org msk spb pp",
    "ua": "com net org gov edu in co kiev",
    "by": "com org gov net",
    "kz": "com org gov edu net",
    "uz": "co com org gov net",
    "az": "com org gov edu net",
    "ge": "com org gov edu net",
    "am": "com org gov net",
    "pl": "com net org gov edu",
    "gr": "com org gov edu net",
    "cy": "com org gov ac net",
    "at": "co or gv ac",
    "es": "com org gob edu nom",
    "pt": "com org gov edu",
    "br": "com net org gov edu art blog jus leg mil",
    "ar": "com net org gob edu int",
    "mx": "com net org gob edu",
    "co": "com net org gov edu",
    "ve": "com net org gob edu co web",
    "pe": "com net org gob edu",
    "cl": "gob gov mil",
    "ec": "com net org gob edu",
    "cu": "com net org gob edu inf",
}
MULTI_PART_SUFFIXES = frozenset(f"{label}.{tld}" for tld, labels in _SECOND_LEVEL.items() for label in labels.split())

# Twitter writes its links in lower case; t.co ids are ASCII letters and digits. A link cut by the `…` that
# truncates long retweets is only a prefix of the real one, so a link directly followed by `…` is not reported.
_TCO_LINK = re.compile(r"https?://t\.co/[A-Za-z0-9]+(?![A-Za-z0-9…])")
# scheme://netloc/path?query#fragment, as RFC 3986 splits it (urllib's urlsplit is several times slower).
_URL_PARTS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?", re.DOTALL)

# A percent escape, or a run of characters beyond ASCII; and the characters an escape never needs to hide.
_ESCAPE_OR_WIDE = re.compile(r"%[0-9A-Fa-f]{2}|[^\x00-\x7f]+")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class UrlInfo(NamedTuple):
    """One URL in its comparable form, with the host and the domain someone registered."""

    normalised: str
    host: str | None
    domain: str | None


@lru_cache(maxsize=1 << 16)
def analyse_url(url: str) -> UrlInfo | None:
    """Normalise `url` and extract its host and registered domain; None for a blank string.

    Cached: the same links are shared thousands of times across a campaign. Rust twin (plain ASCII URLs whose
    host is no IP address): `UrlRules::analyse` in `native/src/urls.rs`.
    """
    url = url.strip()
    if not url:
        return None
    # Without a scheme (`example.com/a`) the address is read as http; with one, every part may be empty.
    parts = _URL_PARTS.match(url) or _URL_PARTS.match("http://" + url.lstrip("/"))
    if parts is None:
        return UrlInfo(normalised=url, host=None, domain=None)
    scheme, netloc, path, query = parts.groups()
    scheme = scheme.lower()
    userinfo, _, hostport = netloc.rpartition("@")
    host, port = _split_port(hostport)
    host = _ascii_host(host).lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    netloc = host
    if port and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = _uri_escapes(path).rstrip("/")
    query = _clean_query(_uri_escapes(query or ""))
    normalised = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    return UrlInfo(normalised=normalised, host=host or None, domain=registered_domain(host))


def normalise_url(url: str) -> str | None:
    """The comparable form of `url` (see `analyse_url`); a search for a URL should normalise it the same way."""
    info = analyse_url(url)
    return info.normalised if info else None


def registered_domain(host: str | None) -> str | None:
    """The domain under the public suffix: `news.bbc.co.uk` → `bbc.co.uk`, `m.facebook.com` → `facebook.com`.

    IP addresses and single-label hosts are returned unchanged: there is nothing above them to strip. Rust twin:
    `UrlRules::registered_domain` in `native/src/urls.rs`.
    """
    if not host:
        return None
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if _is_ip(host):
        return host
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    keep = 3 if ".".join(labels[-2:]) in MULTI_PART_SUFFIXES else 2
    return ".".join(labels[-keep:])


def tco_links(text: str | None) -> list[str]:
    """The complete t.co links in a tweet's text, as written, in order, each once.

    Rust twin: `tco_links` in `native/src/parsers.rs`."""
    if not text or "t.co/" not in text:
        return []
    return list(dict.fromkeys(_TCO_LINK.findall(text)))


def _ascii_host(host: str) -> str:
    """A host in Unicode (`пример.рф`) as the punycode a browser sends (`xn--e1afmkfd.xn--p1ai`), so both match.

    Python's `idna` codec (IDNA 2003: nameprep folds case and width, `。` separates labels); a host it refuses
    (an empty or over-long label) stays as written. Only Python sees such hosts: the Rust twin leaves every
    value that is not plain ASCII to this parser.
    """
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _uri_escapes(part: str) -> str:
    """A path or query with one spelling per byte (RFC 3986 section 6.2.2): `%d9%87`, `%D9%87` and `ه` all `%D9%87`.

    Archived links keep the escapes they were posted with, often in lower case, while a browser shows the
    letters and copies upper-case escapes. Escapes are upper-cased, escaped unreserved characters (`%41`,
    `%7E`) decoded, and characters beyond ASCII written as the upper-case escapes of their UTF-8 bytes. Rust
    twin (ASCII only): `uri_escapes` in `native/src/urls.rs`.
    """
    if "%" not in part and part.isascii():
        return part
    return _ESCAPE_OR_WIDE.sub(_one_escape, part)


def _one_escape(match: re.Match[str]) -> str:
    text = match.group()
    if text[0] != "%":
        return "".join(f"%{byte:02X}" for byte in text.encode("utf-8", "surrogatepass"))
    char = chr(int(text[1:], 16))
    return char if char in _UNRESERVED else text.upper()


def _split_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        host, _, rest = hostport.partition("]")
        return host + "]", rest[1:] if rest.startswith(":") else ""
    host, sep, port = hostport.rpartition(":")
    if sep and port.isdigit():
        return host, port
    return hostport, ""


def _clean_query(query: str) -> str:
    """Drop tracking parameters and sort the rest, so parameter order does not split one URL in two.

    Parameters are kept byte for byte (no re-encoding) so a normalised URL still opens the same page. Rust twin:
    `UrlRules::clean_query` in `native/src/urls.rs`.
    """
    if not query:
        return ""
    kept = [param for param in query.split("&") if param and not _is_tracking(param.partition("=")[0].lower())]
    return "&".join(sorted(kept))


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _is_ip(host: str) -> bool:
    if not (host[-1:].isdigit() or ":" in host):
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True

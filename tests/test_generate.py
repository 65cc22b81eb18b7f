"""The synthetic release generator: real layout, both encodings, exact ground truth, reproducible bytes.

Every other test, demo and benchmark runs on these files, so the checks here parse the CSVs independently
(Python's csv module, plain byte splitting) and compare with what `ground_truth.json` claims.
"""

from __future__ import annotations

import ast
import base64
import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from common.errors import UsageError
from common.records import RejectReason
from generator import corpus
from generator.release import (
    BAD_DATES,
    BAD_NUMBERS,
    GROUND_TRUTH_FILE,
    MALFORMED_KINDS,
    SNOWFLAKE_EPOCH_MS,
    TWEET_COLUMNS_2018,
    TWEET_COLUMNS_LATER,
    USER_COLUMNS,
    GenerateSummary,
    generate_release,
)

CAMPAIGNS = {"ira": "2018", "iranian": "2018", "venezuela_201906_1": "later"}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
MINUTE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
DAY = re.compile(r"^\d{4}-\d\d-\d\d$")


@dataclass
class Release:
    summary: GenerateSummary
    truth: dict[str, Any]
    rows: dict[str, list[dict[str, str]]]  # campaign -> parsed tweet rows
    users: dict[str, list[dict[str, str]]]

    @property
    def out(self) -> Path:
        return self.summary.out_dir

    def all_rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        for campaign, rows in self.rows.items():
            for row in rows:
                yield campaign, row


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _load(summary: GenerateSummary) -> Release:
    truth = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    rows: dict[str, list[dict[str, str]]] = {c: [] for c in CAMPAIGNS}
    users: dict[str, list[dict[str, str]]] = {}
    for f in summary.files:
        if f.kind == "tweets":
            rows[f.campaign] += _read_csv(f.path)
        else:
            users[f.campaign] = _read_csv(f.path)
    return Release(summary, truth, rows, users)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    return _load(generate_release(tmp_path_factory.mktemp("release"), tweets=3000, seed=11))


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> GenerateSummary:
    return generate_release(tmp_path_factory.mktemp("broken"), tweets=3000, seed=5, malformed=2, split_rows=1000)


def _list(value: str, style: str) -> list[str]:
    """Parse a list column: `[a, b]` (2018) or a Python repr `['a', 'b']` (later)."""
    if style == "2018":
        assert value.startswith("[") and value.endswith("]"), value
        return [] if value == "[]" else value[1:-1].split(", ")
    parsed = ast.literal_eval(value)
    assert isinstance(parsed, list) and all(isinstance(x, str) for x in parsed), value
    return parsed


def _snowflake_minute(tweetid: str) -> str:
    ms = (int(tweetid) >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def _files(summary: GenerateSummary, kind: str) -> list[Any]:
    return [f for f in summary.files if f.kind == kind]


# ---------------------------------------------------------------------------------------------------------------


def test_same_seed_gives_same_bytes(tmp_path: Path) -> None:
    def files(out: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    first = files(generate_release(tmp_path / "a", tweets=1500, seed=3, malformed=1).out_dir)
    second = files(generate_release(tmp_path / "b", tweets=1500, seed=3, malformed=1).out_dir)
    other = files(generate_release(tmp_path / "c", tweets=1500, seed=4, malformed=1).out_dir)
    assert first == second
    assert first["ira_tweets_csv_hashed.csv"] != other["ira_tweets_csv_hashed.csv"]


def test_files_have_the_real_names_and_headers(release: Release) -> None:
    names = sorted(p.name for p in release.out.iterdir())
    assert names == sorted(
        [GROUND_TRUTH_FILE]
        + [f"{c}_tweets_csv_hashed.csv" for c in CAMPAIGNS]
        + [f"{c}_users_csv_hashed.csv" for c in CAMPAIGNS]
    )
    for campaign, style in CAMPAIGNS.items():
        tweets_header = (release.out / f"{campaign}_tweets_csv_hashed.csv").read_text().split("\n", 1)[0]
        users_header = (release.out / f"{campaign}_users_csv_hashed.csv").read_text().split("\n", 1)[0]
        if style == "2018":
            assert tweets_header == ",".join(f'"{c}"' for c in TWEET_COLUMNS_2018)
            assert users_header == ",".join(f'"{c}"' for c in USER_COLUMNS)
        else:
            assert tweets_header == ",".join(TWEET_COLUMNS_LATER)
            assert users_header == ",".join(USER_COLUMNS)
    assert TWEET_COLUMNS_2018.index("in_reply_to_tweetid") < TWEET_COLUMNS_2018.index("in_reply_to_userid")
    assert TWEET_COLUMNS_LATER.index("in_reply_to_userid") < TWEET_COLUMNS_LATER.index("in_reply_to_tweetid")
    assert sorted(TWEET_COLUMNS_LATER) == sorted(TWEET_COLUMNS_2018) and len(TWEET_COLUMNS_2018) == 31


def test_each_file_is_exactly_what_the_csv_module_writes_in_its_quoting_style(release: Release) -> None:
    for f in release.summary.files:
        style = CAMPAIGNS[f.campaign]
        text = f.path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert {len(r) for r in rows} == {len(rows[0])}
        again = io.StringIO()
        quoting = csv.QUOTE_ALL if style == "2018" else csv.QUOTE_MINIMAL
        csv.writer(again, quoting=quoting, lineterminator="\n").writerows(rows)
        assert again.getvalue() == text, f.path.name
        assert f.lines == text.count("\n")
        assert f.rows == len(rows) - 1


def test_values_follow_each_style(release: Release) -> None:
    for campaign, row in release.all_rows():
        style = CAMPAIGNS[campaign]
        hashed = int(row["follower_count"]) < 5000
        if hashed:
            assert row["user_display_name"] == row["user_screen_name"] == row["userid"]
            if style == "2018":
                assert HEX64.match(row["userid"])
            else:
                assert len(row["userid"]) == 44 and row["userid"].endswith("=")
                assert len(base64.b64decode(row["userid"])) == 32
        else:
            assert row["userid"].isdigit() and row["user_screen_name"] != row["userid"]
        counts = [row[c] for c in ("quote_count", "reply_count", "like_count", "retweet_count")]
        if style == "2018":
            assert row["is_retweet"] in ("true", "false")
            assert all(c.isdigit() for c in counts)
            missing_geo = ""
        else:
            assert row["is_retweet"] in ("True", "False")
            assert all(re.fullmatch(r"\d+\.0", c) for c in counts)
            missing_geo = "absent"
        for coordinate in (row["latitude"], row["longitude"]):
            assert coordinate == missing_geo or float(coordinate)
        for column in ("hashtags", "urls", "user_mentions"):
            _list(row[column], style)
        assert MINUTE.match(row["tweet_time"]) and DAY.match(row["account_creation_date"])
        assert row["account_creation_date"] < row["tweet_time"][:10]
        if int(row["tweetid"]) > 10**15:
            assert _snowflake_minute(row["tweetid"]) == row["tweet_time"]
        else:
            assert row["tweet_time"] < "2010-11-04" and int(row["tweetid"]) < 3 * 10**10


def test_tweets_are_internally_consistent(release: Release) -> None:
    ids = [row["tweetid"] for _, row in release.all_rows()]
    assert len(ids) == len(set(ids)) == 3000
    for campaign, row in release.all_rows():
        style = CAMPAIGNS[campaign]
        text = row["tweet_text"]
        urls = _list(row["urls"], style)
        tags = _list(row["hashtags"], style)
        retweet = row["is_retweet"] in ("true", "True")
        assert retweet == text.startswith("RT @")
        if retweet:
            assert row["retweet_userid"] and int(row["retweet_tweetid"]) < int(row["tweetid"])
            assert row["retweet_userid"] in _list(row["user_mentions"], style)
        else:
            assert not row["retweet_userid"] and not row["retweet_tweetid"]
        if row["in_reply_to_tweetid"]:
            assert text.startswith("@") and int(row["in_reply_to_tweetid"]) < int(row["tweetid"])
            assert row["in_reply_to_userid"] in _list(row["user_mentions"], style)
        if row["quoted_tweet_tweetid"]:
            assert urls[-1].endswith("/status/" + row["quoted_tweet_tweetid"])
        if not text.endswith("…"):
            assert text.count("https://t.co/") == len(urls), text
            assert all("#" + tag in text for tag in tags), text


def test_the_mix_has_every_feature_the_reader_must_handle(release: Release) -> None:
    rows = [row for _, row in release.all_rows()]
    texts = [r["tweet_text"] for r in rows]
    urls = [u for c, r in release.all_rows() for u in _list(r["urls"], CAMPAIGNS[c])]
    clients = Counter(r["tweet_client_name"] for r in rows)
    languages = Counter(r["tweet_language"] for r in rows)
    assert any("\n" in t for t in texts) and any('"' in t for t in texts)
    assert any(t.endswith("…") for t in texts) and any(re.search("[\U0001f300-\U0001faff]", t) for t in texts)
    assert any(t.startswith("RT @") for t in texts) and any(r["in_reply_to_tweetid"] for r in rows)
    assert any(r["quoted_tweet_tweetid"] for r in rows) and any("|" in r["poll_choices"] for r in rows)
    assert any(r["latitude"] not in ("", "absent") for r in rows)
    assert any("\n" in r["user_profile_description"] for r in rows)
    for needle in ("bit.ly/", "youtu", "utm_source=", "blogspot.com", "rt.com"):
        assert any(needle in u for u in urls), needle
    assert {"Twitter Web Client", "TweetDeck", "ПостМастер 2.0"} <= set(clients)
    assert {"en", "ru", "de", "uk", "fa", "ar", "fr", "es", "und"} <= set(languages)
    for stems in (("vote", "voted", "voting"), ("выборы", "выборов"), ("Wahl", "Wahlen"), ("élections",)):
        assert all(any(s in t for t in texts) for s in stems), stems
    assert any("#MAGA" in t for t in texts) or any("#BlackLivesMatter" in t for t in texts)


def test_ground_truth_counts_match_the_files(release: Release) -> None:
    truth = release.truth
    assert truth["total_tweets"] == sum(len(r) for r in release.rows.values()) == 3000
    languages: Counter[str] = Counter()
    for campaign, rows in release.rows.items():
        expected = truth["campaigns"][campaign]
        assert expected["tweets"] == len(rows)
        assert (
            expected["users"]
            == len(release.users[campaign])
            == truth["total_users"] - sum(len(u) for c, u in release.users.items() if c != campaign)
        )
        hashed = [u for u in release.users[campaign] if int(u["follower_count"]) < 5000]
        assert expected["hashed_users"] == len(hashed)
        langs = Counter(r["tweet_language"] for r in rows)
        languages += langs
        assert expected["languages"] == dict(langs)
        assert expected["years"] == dict(Counter(r["tweet_time"][:4] for r in rows))
        kinds = expected["kinds"]
        assert kinds["retweet"] == sum(r["is_retweet"] in ("true", "True") for r in rows)
        assert kinds["reply"] == sum(bool(r["in_reply_to_tweetid"]) for r in rows)
        assert kinds["quote"] == sum(bool(r["quoted_tweet_tweetid"]) for r in rows)
        assert kinds["poll"] == sum(bool(r["poll_choices"]) for r in rows)
        assert sum(kinds.values()) == len(rows)
        assert expected["geo"] == sum(r["latitude"] not in ("", "absent") for r in rows)
        by_user = Counter(r["userid"] for r in rows)
        top = expected["top_accounts"]
        assert [a["tweets"] for a in top] == sorted(by_user.values(), reverse=True)[: len(top)]
        assert all(by_user[a["userid"]] == a["tweets"] for a in top)
    assert truth["languages"] == dict(languages)


def test_planted_quotes_are_exact_and_alone(release: Release) -> None:
    by_id = {row["tweetid"]: (campaign, row) for campaign, row in release.all_rows()}
    for quote in release.truth["quotes"]:
        copies = quote["copies"]
        assert quote["count"] == len(copies) == sum(quote["counts"].values())
        assert quote["counts"] == {"exact": 3, "retweet": 3, "truncated": 2, "near": 3}
        assert len(quote["campaigns"]) >= 2 and len(quote["accounts"]) >= 5
        earliest = quote["earliest"]
        assert earliest["tweet_time"] == min(c["tweet_time"] for c in copies)
        for copy in copies:
            campaign, row = by_id[copy["tweetid"]]
            assert (campaign, row["tweet_text"], row["userid"]) == (copy["campaign"], copy["text"], copy["userid"])
            assert row["tweet_time"] == copy["tweet_time"] and copy["file"].startswith(campaign + "_tweets")
            if copy["kind"] == "exact":
                assert row["tweet_text"] == quote["text"]
            elif copy["kind"] == "near":
                assert row["tweet_text"] != quote["text"]
            else:
                assert row["retweet_tweetid"] == earliest["tweetid"] and row["retweet_userid"] == earliest["userid"]
                assert row["tweet_text"].startswith("RT @")
                assert row["tweet_text"].endswith("…") == (copy["kind"] == "truncated")
        containing = {r["tweetid"] for _, r in release.all_rows() if quote["marker"] in r["tweet_text"].lower()}
        assert containing == {c["tweetid"] for c in copies}


def test_planted_urls_and_hashtags_have_exact_counts(release: Release) -> None:
    for url in release.truth["urls"]:
        sharing = Counter()
        ids = set()
        for campaign, row in release.all_rows():
            if url["url"] in _list(row["urls"], CAMPAIGNS[campaign]):
                sharing[campaign] += 1
                ids.add(row["tweetid"])
        assert ids == set(url["tweetids"]) and len(ids) == url["count"]
        assert dict(sharing) == url["campaigns"]
        assert sum(a["count"] for a in url["accounts"]) == url["count"]
    for tag in release.truth["hashtags"]:
        using = Counter()
        ids = set()
        for campaign, row in release.all_rows():
            if tag["tag"] in _list(row["hashtags"], CAMPAIGNS[campaign]):
                using[campaign] += 1
                ids.add(row["tweetid"])
        assert ids == set(tag["tweetids"]) and len(ids) == tag["count"]
        assert dict(using) == tag["campaigns"]


def test_random_rows_never_contain_planted_markers(release: Release) -> None:
    truth = release.truth
    planted = {c["tweetid"] for q in truth["quotes"] for c in q["copies"]}
    planted |= {t for u in truth["urls"] for t in u["tweetids"]}
    planted |= {t for h in truth["hashtags"] for t in h["tweetids"]}
    markers = corpus.planted_markers()
    for _, row in release.all_rows():
        if row["tweetid"] not in planted:
            blob = " ".join((row["tweet_text"], row["urls"], row["hashtags"])).lower()
            assert not any(m in blob for m in markers), row["tweet_text"]


def test_planted_lines_point_at_the_rows(release: Release) -> None:
    lines = {f.path.name: f.path.read_bytes().split(b"\n") for f in _files(release.summary, "tweets")}
    for quote in release.truth["quotes"]:
        for copy in quote["copies"]:
            line = lines[copy["file"]][copy["line"] - 1]
            assert line.startswith(b'"' + copy["tweetid"].encode() + b'"') or line.startswith(
                copy["tweetid"].encode() + b","
            )


def test_malformed_rows_are_where_the_ground_truth_says(broken: GenerateSummary) -> None:
    truth = json.loads(broken.ground_truth.read_text(encoding="utf-8"))
    tweet_files = _files(broken, "tweets")
    assert [f.member for f in tweet_files if f.campaign == "ira"] == [
        f"ira_tweets_csv_hashed_{n}.csv" for n in (1, 2, 3)
    ]
    kinds = Counter(m["kind"] for m in truth["malformed"])
    assert kinds == {**dict.fromkeys(MALFORMED_KINDS, 2), RejectReason.TRUNCATED_ROW: 2}
    by_file: dict[str, list[dict[str, Any]]] = {}
    for bad in truth["malformed"]:
        by_file.setdefault(bad["file"], []).append(bad)
    for f in tweet_files:
        raw = f.path.read_bytes()
        lines = raw.split(b"\n")
        style = CAMPAIGNS[f.campaign]
        columns = TWEET_COLUMNS_2018 if style == "2018" else TWEET_COLUMNS_LATER
        bad_lines = set()
        for bad in by_file.get(f.path.name, []):
            n = bad["line"]
            bad_lines.add(n)
            line = lines[n - 1]
            tid = bad["tweetid"].encode()
            assert line.startswith(b'"' + tid + b'",') or line.startswith(tid + b","), bad
            kind = bad["kind"]
            if kind == RejectReason.NUL_BYTE:
                assert b"\x00" in line
            elif kind == RejectReason.BAD_UTF8:
                with pytest.raises(UnicodeDecodeError):
                    line.decode("utf-8")
            elif kind in (RejectReason.RUNAWAY_QUOTE, RejectReason.TRUNCATED_ROW):
                assert line.count(b'"') % 2 == 1
                if kind == RejectReason.TRUNCATED_ROW:
                    assert n == len(lines) and not raw.endswith(b"\n")
                else:
                    assert re.match(rb'^"?\d+"?,', lines[n]), "the next row starts on a fresh line"
            else:
                fields = next(csv.reader([line.decode("utf-8")]))
                if kind == RejectReason.WRONG_FIELD_COUNT:
                    assert len(fields) != len(columns)
                elif kind == RejectReason.BAD_DATE:
                    assert fields[columns.index("tweet_time")] in BAD_DATES
                else:
                    assert kind == RejectReason.BAD_NUMBER
                    assert fields[columns.index("follower_count")] in BAD_NUMBERS
        # Drop the malformed lines: what is left must be a clean file with the promised number of rows.
        kept = b"\n".join(line for n, line in enumerate(lines, start=1) if n not in bad_lines)
        rows = list(csv.reader(io.StringIO(kept.decode("utf-8"), newline="")))
        assert {len(r) for r in rows} == {31}
        assert len(rows) - 1 == f.rows and f.malformed == len(bad_lines)
    assert sum(f.rows for f in tweet_files) == 3000 and broken.malformed_rows == 14


def test_compressed_files_hold_the_same_bytes(tmp_path: Path) -> None:
    plain = generate_release(tmp_path / "none", tweets=1200, seed=2)
    gz = generate_release(tmp_path / "gz", tweets=1200, seed=2, compress="gz")
    gz_again = generate_release(tmp_path / "gz2", tweets=1200, seed=2, compress="gz")
    zipped = generate_release(tmp_path / "zip", tweets=1200, seed=2, compress="zip")
    for p, g, g2, z in zip(plain.files, gz.files, gz_again.files, zipped.files, strict=True):
        assert g.path.name == p.path.name + ".gz" and z.path.name == p.path.name.removesuffix(".csv") + ".zip"
        assert gzip.decompress(g.path.read_bytes()) == p.path.read_bytes()
        assert g.path.read_bytes() == g2.path.read_bytes()
        with zipfile.ZipFile(z.path) as zf:
            assert zf.namelist() == [p.path.name]
            assert zf.read(p.path.name) == p.path.read_bytes()


def test_progress_is_reported_until_every_row_is_written(tmp_path: Path) -> None:
    seen: list[int] = []
    summary = generate_release(tmp_path, tweets=1500, seed=1, malformed=1, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1500 + summary.malformed_rows


def test_too_few_tweets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least"):
        generate_release(tmp_path, tweets=10)
    with pytest.raises(UsageError, match="compress"):
        generate_release(tmp_path, tweets=1000, compress="rar")  # type: ignore[arg-type]


# The digest of a small release at a fixed seed, taken when the coordinated groups were planted. Editing the
# data on purpose changes it (update it then, knowingly); moving, reformatting or re-reading the data must not,
# since tests, demos and benchmarks everywhere rely on "same seed, same bytes".
PINNED_RELEASE_SHA256 = "a30abef779f4cfb5290873a41940a9fe19304fb1eb688a8ba4318143eae607e4"


def test_a_fixed_seed_still_gives_the_pinned_bytes(tmp_path: Path) -> None:
    generate_release(tmp_path, tweets=1000, seed=2016, malformed=1)
    digest = hashlib.sha256()
    for path in sorted(tmp_path.iterdir()):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    assert digest.hexdigest() == PINNED_RELEASE_SHA256


def test_importing_the_generator_reads_no_data_file() -> None:
    """The data is read when a release is made, not on import (the CLI's start-up stays as fast as before)."""
    code = (
        "import generator.release, generator.corpus as c; "
        "assert c.packaged.cache_info().currsize == 0, 'read on import'; "
        "assert 'LANGUAGES' not in vars(c); "
        "c.EMOJI; assert c.packaged.cache_info().currsize == 1 and 'LANGUAGES' in vars(c)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_packaged_data_is_read_whole() -> None:
    data = corpus.load()
    assert set(data.languages) == {"en", "ru", "de", "uk", "fa", "ar", "fr", "es"}
    assert [c.key for c in data.campaigns] == list(CAMPAIGNS)
    assert data.languages == corpus.LANGUAGES and data.planted_quotes == corpus.PLANTED_QUOTES
    assert "\u200c" in "".join(data.languages["fa"].verbs)  # escaped in the file, a real ZWNJ once read


def _broken_copy(tmp_path: Path, name: str, edit: Any) -> Path:
    """A copy of the packaged data folder with one file changed by `edit` (JSON object -> None, or text -> text)."""
    root = tmp_path / "data"
    shutil.copytree(Path(corpus.__file__).parent / "data", root)
    path = root / name
    if name.endswith(".json") and not isinstance(edit, str):
        obj = json.loads(path.read_text(encoding="utf-8"))
        edit(obj)
        path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(edit, encoding="utf-8")
    return root


def _set(obj: dict[str, Any], key: str, value: Any) -> None:
    obj[key] = value


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("lang-en.json", lambda o: _set(o, "subjects", "Voters"), r"^lang-en\.json: subjects: expected a list"),
        ("lang-en.json", lambda o: o["verbs"].append(3), r"^lang-en\.json: verbs\[31\]: expected a string, found 3$"),
        ("lang-en.json", lambda o: o.pop("places"), r"^lang-en\.json: places: missing$"),
        ("lang-en.json", lambda o: _set(o, "place", []), r"^lang-en\.json: place: unknown key$"),
        ("lang-en.json", lambda o: _set(o, "objects", []), r"^lang-en\.json: objects: expected a non-empty list"),
        ("lang-en.json", lambda o: _set(o, "code", "eng"), r"^lang-en\.json: code: 'eng' does not match"),
        ("lang-de.json", lambda o: o["templates"].append("{S} {Z}"), r"unknown placeholder \{Z\} in '\{S\} \{Z\}'"),
        ("lang-ru.json", lambda o: _set(o, "first_names", [["Иван"]]), r"first_names\[0\]: expected a list of 2"),
        ("shared.json", lambda o: o["url_words"].append(None), r"^shared\.json: url_words\[20\]: expected a string"),
        ("campaigns.json", lambda o: o["campaigns"][1].update(style="2019"), r"campaigns\[1\]\.style: '2019' is not"),
        ("campaigns.json", lambda o: o["campaigns"][0].update(kinds=[1, 2]), r"campaigns\[0\]\.kinds: expected a list"),
        ("campaigns.json", lambda o: o["campaigns"][2]["bursts"][0].__setitem__(0, "2019-02-30"), r"a date YYYY-MM-DD"),
        ("planted.json", lambda o: o["urls"][0].update(per_campaign=[["irn", 2]]), r"campaign 'irn' is not in"),
        (
            "planted.json",
            lambda o: o["quotes"][0].update(marker="lantern"),
            r"\.marker: 'lantern' is not in",
        ),
        ("planted.json", lambda o: o["hashtags"][1].update(first_time="2015-03-01"), r"a time YYYY-MM-DD HH:MM"),
        ("planted.json", '{"quotes": [', r"^planted\.json: not valid JSON: "),
        ("userid_growth.csv", "date,userid\n2008-01-01,1e7\n", r"^userid_growth\.csv: line 2: expected YYYY-MM-DD,"),
    ],
)
def test_a_malformed_data_file_is_refused_naming_the_file_and_key(
    tmp_path: Path, name: str, edit: Any, message: str
) -> None:
    root = _broken_copy(tmp_path, name, edit)
    with pytest.raises(corpus.CorpusDataError, match=message):
        corpus.load(root)


def test_a_missing_data_file_is_named(tmp_path: Path) -> None:
    root = _broken_copy(tmp_path, "shared.json", "{}")
    (root / "planted.json").unlink()
    with pytest.raises(corpus.CorpusDataError, match=r"^shared\.json: emoji: missing$"):
        corpus.load(root)
    shutil.copy(Path(corpus.__file__).parent / "data" / "shared.json", root / "shared.json")
    with pytest.raises(corpus.CorpusDataError, match=r"^planted\.json: missing from the generator's data folder"):
        corpus.load(root)

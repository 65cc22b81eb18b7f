"""`tweetsearch timeline --plot` and `--by campaign` against a generated release: a picture fit to publish.

The figure is built by `charts.timeline_figure` (data in, Figure out), so its axes, ticks, title, legend and
source line are read back here from the figure itself; the CLI tests check what lands on disk and stdout.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date

import orjson
import pytest

from search.aggregate import timeline
from search_cli.render.charts import nothing_to_draw, timeline_figure

MADE_ON = date(2026, 11, 30)


@pytest.fixture(scope="module")
def truth(indexed_release) -> dict:
    return indexed_release["truth"]


def texts(figure) -> list[str]:
    """Every text the figure itself holds (the source footer and notes), besides the axes' own."""
    return [text.get_text() for text in figure.texts]


def visible_ticks(axes) -> list[float]:
    low, high = axes.get_ylim()
    return [tick for tick in axes.get_yticks() if low <= tick <= high]


def test_counts_get_integer_ticks_and_both_axes_are_labelled(es, alias, truth):
    years: dict[str, int] = {}
    for campaign in truth["campaigns"].values():
        for year, count in campaign["years"].items():
            years[year] = years.get(year, 0) + count
    quiet = int(min(years, key=years.__getitem__))  # the year with fewest tweets: a default axis would tick 0.5s
    series = timeline(es, alias, f"since:{quiet}-01-01 until:{quiet + 1}-01-01", interval="day")
    assert 0 < max(bucket.count for bucket in series.buckets) < 5

    axes = timeline_figure(series, made_on=MADE_ON).axes[0]

    ticks = visible_ticks(axes)
    assert len(ticks) >= 2
    assert all(tick == int(tick) for tick in ticks)
    assert all("." not in label.get_text() for label in axes.get_yticklabels())
    assert axes.get_ylabel() == "tweets per day (UTC)"
    assert axes.get_xlabel() == "day (UTC)"


def test_bars_are_the_counts_and_ticks_name_their_intervals(es, alias, truth):
    series = timeline(es, alias, "", interval="year")

    axes = timeline_figure(series, made_on=MADE_ON).axes[0]

    assert [patch.get_height() for patch in axes.patches] == [bucket.count for bucket in series.buckets]
    ticks = zip(axes.get_xticks(), axes.get_xticklabels(), strict=True)
    labels = {int(tick): label.get_text() for tick, label in ticks}
    assert labels == {i: bucket.label for i, bucket in enumerate(series.buckets)}
    assert axes.get_xlabel() == "year (UTC)"
    assert axes.get_ylabel() == "tweets per year (UTC)"
    assert all(tick == int(tick) for tick in visible_ticks(axes))


def test_the_source_line_names_index_alias_campaigns_and_date(es, alias, truth):
    series = timeline(es, alias, "", interval="month")
    only_ira = timeline(es, alias, "campaign:ira", interval="month")

    footer = " ".join(texts(timeline_figure(series, made_on=MADE_ON)))
    ira_footer = " ".join(texts(timeline_figure(only_ira, made_on=MADE_ON)))

    assert footer.startswith(f"Source: Twitter information operations archive, index {alias}-v1 via alias {alias};")
    assert "campaigns: " + ", ".join(sorted(truth["campaigns"], key=lambda n: -truth["campaigns"][n]["tweets"])) in (
        footer.replace("\n", " ")
    )
    assert "made with tweetsearch on 2026-11-30" in footer.replace("\n", " ")
    assert "campaign: ira;" in ira_footer and "iranian" not in ira_footer


def test_the_title_holds_the_query_as_typed_or_all_tweets(es, alias, truth):
    tag = truth["hashtags"][0]["tag"]
    query = f"#{tag} -filter:retweets"

    typed = timeline_figure(timeline(es, alias, query, interval="year"), made_on=MADE_ON).axes[0]
    everything = timeline_figure(timeline(es, alias, "", interval="year"), made_on=MADE_ON).axes[0]

    assert typed.get_title(loc="left").splitlines()[0] == f"\u201c{query}\u201d"
    assert everything.get_title(loc="left").splitlines()[0] == "all tweets"
    assert f"{truth['total_tweets']:,} tweets" in everything.get_title(loc="left")


def test_dollars_in_the_query_are_not_math_and_controls_are_shown(es, alias, truth):
    series = timeline(es, alias, "", interval="year")
    typed = "price $x$ and $\\frac{$ 5 \x1b[2J\u202eevil\nnext"

    figure = timeline_figure(dataclasses.replace(series, query=typed), made_on=MADE_ON)
    title = figure.axes[0].get_title(loc="left")
    figure.savefig(io.BytesIO(), format="png")  # mathtext would fail on `$\frac{$`

    assert "price $x$ and $\\frac{$ 5" in title
    assert "<U+001B>[2J<U+202E>evil\u23ce next" in title
    assert not any(char in title for char in "\x1b\u202e")


def test_tweets_without_a_time_and_an_incomplete_answer_are_said_under_the_chart(es, alias, truth):
    series = timeline(es, alias, "", interval="year")
    marked = dataclasses.replace(series, without_time=7, partial_reason="1 of 2 shards failed")

    footer = "\n".join(texts(timeline_figure(marked, made_on=MADE_ON)))

    assert "7 matching tweets without a time are not shown." in footer
    assert "INCOMPLETE" in footer and "1 of 2 shards failed" in footer
    assert "INCOMPLETE" not in "\n".join(texts(timeline_figure(series, made_on=MADE_ON)))


def test_by_campaign_sums_to_the_unsplit_series_in_every_interval(es, alias, truth):
    plain = timeline(es, alias, "", interval="month")
    split = timeline(es, alias, "", interval="month", by="campaign")

    assert [bucket.count for bucket in split.buckets] == [bucket.count for bucket in plain.buckets]
    for bucket in split.buckets:
        assert list(bucket.campaigns) == list(split.campaigns)
        assert sum(bucket.campaigns.values()) == bucket.count, bucket.label
    for name, campaign in truth["campaigns"].items():
        assert sum(bucket.campaigns[name] for bucket in split.buckets) == campaign["tweets"]
        assert split.campaigns[name] == campaign["tweets"]


def test_by_campaign_figure_stacks_one_series_per_campaign_with_a_legend(es, alias, truth):
    split = timeline(es, alias, "", interval="year", by="campaign")

    figure = timeline_figure(split, made_on=MADE_ON)

    entries = [text.get_text() for text in figure.legends[0].get_texts()]
    assert entries == [f"{name} ({count:,})" for name, count in split.campaigns.items()]
    axes = figure.axes[0]
    assert len(axes.containers) == len(truth["campaigns"])
    columns = zip(*axes.containers, strict=True)
    tops = [max(patch.get_y() + patch.get_height() for patch in column) for column in columns]
    assert tops == [bucket.count for bucket in split.buckets]
    assert "by campaign" in axes.get_title(loc="left")


def test_by_campaign_in_json_jsonl_and_csv(cli, truth):
    as_json = orjson.loads(cli("timeline", "--interval", "year", "--by", "campaign", "--json").stdout)
    jsonl = cli("timeline", "--interval", "year", "--by", "campaign", "--format", "jsonl").stdout
    as_csv = cli("timeline", "--interval", "year", "--by", "campaign", "--format", "csv").stdout

    names = list(as_json["campaigns"])
    assert sorted(names) == sorted(truth["campaigns"])
    assert as_json["by"] == "campaign"
    lines = [orjson.loads(line) for line in jsonl.splitlines()]
    assert [line["campaigns"] for line in lines] == [bucket["campaigns"] for bucket in as_json["buckets"]]
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert list(rows[0]) == ["start", "label", "count", *(f"campaign:{name}" for name in names)]
    for row, bucket in zip(rows, as_json["buckets"], strict=True):
        assert int(row["count"]) == bucket["count"] == sum(int(row[f"campaign:{name}"]) for name in names)
        assert {name: int(row[f"campaign:{name}"]) for name in names} == bucket["campaigns"]


def test_plain_rows_keep_their_columns(cli, truth):
    as_csv = cli("timeline", "--interval", "year", "--format", "csv").stdout
    jsonl = cli("timeline", "--interval", "year", "--format", "jsonl").stdout

    assert as_csv.splitlines()[0] == "start,label,count"
    assert set(orjson.loads(jsonl.splitlines()[0])) == {"start", "label", "count"}


def test_by_campaign_in_the_terminal_has_a_column_per_campaign(cli, truth):
    split = orjson.loads(cli("timeline", "--interval", "year", "--by", "campaign", "--json").stdout)

    result = cli("timeline", "--interval", "year", "--by", "campaign")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("year"))
    assert header.split() == ["year", "tweets", *split["campaigns"]]
    for bucket in split["buckets"]:
        line = next(line for line in lines if line.startswith(bucket["label"]))
        numbers = [int(cell.replace(",", "")) for cell in line.split()[1 : 2 + len(split["campaigns"])]]
        assert numbers == [bucket["count"], *bucket["campaigns"].values()]


def test_the_plot_is_a_png_file_with_nothing_left_beside_it(cli, truth, tmp_path):
    picture = tmp_path / "crimea.png"

    result = cli("timeline", "--interval", "month", "--by", "campaign", "--plot", str(picture))

    assert result.exit_code == 0, result.stderr
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert [path.name for path in tmp_path.iterdir()] == ["crimea.png"]


def test_no_match_writes_no_picture_and_leaves_an_old_one_alone(cli, truth, tmp_path):
    fresh = tmp_path / "fresh.png"
    old = tmp_path / "old.png"
    old.write_bytes(b"an earlier picture")

    first = cli("timeline", "nosuchwordanywhere", "--plot", str(fresh))
    second = cli("timeline", "nosuchwordanywhere since:2015-01-01 until:2016-01-01", "--plot", str(old))

    for result in (first, second):
        assert result.exit_code == 0, result.stderr
        assert "no tweets match: no picture written" in result.stderr
    assert not fresh.exists()
    assert old.read_bytes() == b"an earlier picture"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["old.png"]


def test_a_picture_format_matplotlib_cannot_write_is_one_line(cli, truth, tmp_path):
    target = tmp_path / "timeline.txt"

    result = cli("timeline", "--plot", str(target))

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and ".txt" in result.stderr
    assert not target.exists()


def test_grouped_terminal_lines_sum_each_campaign_over_the_same_intervals(cli, truth):
    result = cli("timeline", "--interval", "month", "--by", "campaign", "--rows", "5")

    lines = [line.split() for line in result.stdout.splitlines() if " … " in line]
    names = len(truth["campaigns"])
    assert 0 < len(lines) <= 5
    totals = [0] * names
    for cells in lines:
        numbers = [int(cell.replace(",", "")) for cell in cells[3 : 4 + names]]  # label is `a … b`
        assert numbers[0] == sum(numbers[1:]), cells
        totals = [total + number for total, number in zip(totals, numbers[1:], strict=True)]
    assert sum(totals) == truth["total_tweets"]


def test_more_campaigns_than_colours_are_summed_into_one_named_series(es, alias, truth):
    series = timeline(es, alias, "", interval="year", by="campaign")
    names = [f"campaign_{n:02d}" for n in range(13)]
    buckets = [
        dataclasses.replace(
            bucket, count=sum(range(1, 14)) * 2, campaigns={name: 2 * (n + 1) for n, name in enumerate(names)}
        )
        for bucket in series.buckets
    ]
    many = dataclasses.replace(
        series, buckets=buckets, campaigns={name: 2 * (n + 1) * len(buckets) for n, name in enumerate(names)}
    )

    figure = timeline_figure(many, made_on=MADE_ON)

    entries = [text.get_text() for text in figure.legends[0].get_texts()]
    assert len(entries) == 10
    assert entries[-1] == f"4 other campaigns ({sum(2 * (n + 1) for n in range(9, 13)) * len(buckets):,})"
    columns = zip(*figure.axes[0].containers, strict=True)
    assert [max(patch.get_y() + patch.get_height() for patch in column) for column in columns] == [
        bucket.count for bucket in buckets
    ]


def test_a_series_whose_tweets_have_no_time_draws_nothing_and_says_why(es, alias, truth):
    series = timeline(es, alias, "", interval="year")
    timeless = dataclasses.replace(
        series, buckets=[dataclasses.replace(bucket, count=0) for bucket in series.buckets], without_time=series.tweets
    )

    assert nothing_to_draw(series) is None
    assert nothing_to_draw(timeless) == f"none of the {series.tweets:,} matching tweets has a time: no picture written"

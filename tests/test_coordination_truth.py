"""`coordination` finds what the generator planted (`ground_truth.json`, "coordination"): every group, whole, at
two window sizes, for each kind of item; and never an account of the background, which shares the same popular
links and texts hours apart."""

from __future__ import annotations

import pytest

from search.coordination import KINDS, find_coordination


@pytest.fixture(scope="module")
def planted(indexed_release) -> dict:
    truth = indexed_release["truth"]["coordination"]
    assert {group["by"] for group in truth["groups"]} == set(KINDS), "the generator plants every kind of group"
    return truth


@pytest.mark.parametrize("window", ["10s", "60s"])
@pytest.mark.parametrize("by", KINDS)
def test_every_planted_group_is_found_whole_and_no_background_account_is(es, alias, planted, by, window) -> None:
    report = find_coordination(es, alias, "", by=by, window=window, min_repeats=2)
    found = [{member.userid for member in group.members} for group in report.groups]
    for group in (group for group in planted["groups"] if group["by"] == by):
        assert set(group["userids"]) in found, (group["campaign"], group["userids"], found)
    background = {userid for entry in planted["background"] for userid in entry["userids"]}
    assert not background & set().union(*found), "accounts sharing the same items hours apart are not coordinated"


@pytest.mark.parametrize("by", KINDS)
def test_a_planted_group_acted_together_on_each_of_its_items(es, alias, planted, by) -> None:
    report = find_coordination(es, alias, "", by=by, window="10s", min_repeats=2)
    for group in (group for group in planted["groups"] if group["by"] == by):
        members = set(group["userids"])
        found = next(g for g in report.groups if {member.userid for member in g.members} == members)
        posts = {tweetid for ids in group["tweetids"] for tweetid in ids}
        assert found.items_total == len(group["items"])
        assert {item.first_tweetid for item in found.items} <= posts
        pairs = len(members) * (len(members) - 1) // 2
        assert found.pairs == pairs and found.co_actions == pairs * group["repeats"]


def test_a_campaign_query_finds_only_that_campaigns_groups(es, alias, planted) -> None:
    campaign = planted["groups"][0]["campaign"]
    report = find_coordination(es, alias, f"campaign:{campaign}", by="url", window="60s")
    expected = [set(g["userids"]) for g in planted["groups"] if g["by"] == "url" and g["campaign"] == campaign]
    found = [{member.userid for member in group.members} for group in report.groups]
    assert all(group in found for group in expected)
    assert all(set(group.campaigns) == {campaign} for group in report.groups)


@pytest.mark.parametrize("by", KINDS)
def test_the_server_aggregation_and_the_composite_pages_find_the_same_pairs(es, alias, planted, monkeypatch, by):
    import search.coordination as coordination

    def pairs() -> list[tuple[str, str, int]]:
        report = find_coordination(es, alias, "", by=by, window="60s", min_repeats=1)
        return sorted((pair.a, pair.b, pair.co_actions) for pair in report.pairs)

    on_server = pairs()
    monkeypatch.setattr(coordination, "server_near_repeats", lambda *args: False)
    assert pairs() == on_server and on_server

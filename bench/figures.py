"""Key figures against hand labels: `python -m bench.figures`.

tests/data/seed_figures.jsonl labels every figure of the seed articles (a number with a unit the
paper prints, not a date): its value, the noun it measures or counts ("a|b" when either wording is
right), the period it covers (null when the text gives none; "x|" when either x or none is right)
and the zone it is about (null when it is about no zone: a city's total, say). A spell of time
(3个工作日) and a policy's name (创新10条) are no figures and are not labelled.

A figure the extractor gives (summarize.figures.extract_figures, not a date, with a noun: what a
card or summary shows) is right when a label of its article has its value, noun and period.
Precision is the share of given figures that are right, recall the share of labels given right.
Zone: the zone a given figure is credited to (summarize.figures.figures_about: the zone its
sentence names, else the article's) against the label, over the labelled figures given.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from bench.corpus import ROOT, SEEDS, ZONES_CSV
from summarize.figures import DATE, Figure, extract_figures
from summarize.segment import ARTICLE, split_page
from summarize.zones import Gazetteer

LABELS = ROOT / "tests" / "data" / "seed_figures.jsonl"


def seed_articles(gazetteer: Gazetteer) -> dict[str, tuple[str, str | None]]:
    """The seed articles by the id the labels use (seed-<page>-<number>): (body, primary zone)."""
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        for number, article in enumerate(split_page(path.read_text(encoding="utf-8"), gazetteer).articles, 1):
            if article.kind == ARTICLE:
                found[f"seed-{path.name[:3]}-{number}"] = ("\n\n".join(article.body), article.zone)
    return found


def _options(value: str | None) -> set[str | None]:
    return {None} if value is None else {option or None for option in value.split("|")}


def _credited_zone(figure: Figure, primary: str | None, gazetteer: Gazetteer) -> str | None:
    named = [mention.zone for mention in gazetteer.mentions(figure.sentence)]
    return named[0] if named else primary


def score(labels_path: Path = LABELS) -> dict[str, float]:
    gazetteer = Gazetteer.from_csv(ZONES_CSV.read_text(encoding="utf-8"))
    labels: dict[str, list[dict]] = defaultdict(list)
    for line in labels_path.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        labels[label["article"]].append(label)
    given = right = right_noun = right_period = zone_checked = zone_right = 0
    matched = set()
    for article_id, (body, primary) in seed_articles(gazetteer).items():
        for figure in extract_figures(body):
            if figure.kind == DATE or not figure.measure:
                continue
            given += 1
            same_value = [(i, label) for i, label in enumerate(labels[article_id]) if label["value"] == figure.value]
            nouns = [(i, label) for i, label in same_value if figure.measure in _options(label["noun"])]
            periods = [(i, label) for i, label in same_value if figure.period in _options(label["period"])]
            both = [(i, label) for i, label in nouns if figure.period in _options(label["period"])]
            right_noun += bool(nouns)
            right_period += bool(periods)
            if both:
                right += 1
                matched.add((article_id, both[0][0]))
            if same_value:
                zone_checked += 1
                zone_right += _credited_zone(figure, primary, gazetteer) == same_value[0][1]["zone"]
    total = sum(len(found) for found in labels.values())
    return {
        "labels": total, "given": given, "precision": right / given, "recall": len(matched) / total,
        "noun precision": right_noun / given, "period precision": right_period / given,
        "zone accuracy": zone_right / zone_checked if zone_checked else 0.0,
    }


def main() -> None:
    result = score()
    print("| labels | figures given | precision | recall | noun right | period right | zone right |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {result['labels']} | {result['given']} | {result['precision']:.3f} | {result['recall']:.3f} "
          f"| {result['noun precision']:.3f} | {result['period precision']:.3f} | {result['zone accuracy']:.3f} |")


if __name__ == "__main__":
    main()

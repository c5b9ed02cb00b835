"""The real seed articles, as the page parser finds them on seeds/, for the summariser's tests."""

from pathlib import Path

from summarize.segment import ARTICLE, split_page
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGES = sorted((ROOT / "seeds").glob("*.txt"))
GAZETTEER = Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))
# (title, body) of every article (photos left out), body paragraphs joined as the store keeps them
SEED_ARTICLES = [
    (article.title, "\n\n".join(article.body))
    for path in SEED_PAGES
    for article in split_page(path.read_text("utf-8"), GAZETTEER).articles
    if article.kind == ARTICLE
]

"""ZoneService: what the bot knows, as dataclasses; never Telegram types, never formatted text.

Zone cards, city views, article summaries, full text, search and subscriptions, read from the store
(bot/db.py) and summarised with summarize/. bot/render.py turns the dataclasses into text and
bot/commands.py decides which one a message asks for.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, UTC
from typing import TypeVar

from sqlite_utils import Database

from bot.db import LISTING_ORDER, write_transaction
from bot.search import CITY_PLACE, ZONE_PLACE, Found, count_query, place_token, query_terms, query_words, search, snippet
from summarize.figures import Figure, figures_about
from summarize.segment import ARTICLE, PHOTO
from summarize.sentences import ends_mid_sentence, shorten_sentence, split_sentences
from summarize.textrank import Summary, stands_alone, summarize
from summarize.tokens import Tokenizer
from summarize.zones import Gazetteer, Zone, fold_char

PAGE_SIZE = 5  # articles on a zone card or city view, per page (ZoneService's default)
SEARCH_LIMIT = 10  # articles on a page of search results
# Filters written in a search (zone:晋城经开区 city:晋城 since:2024-07-01), English or Chinese,
# with an ASCII or a full-width colon.
ZONE_FILTER = ("zone", "开发区", "园区")
CITY_FILTER = ("city", "城市", "市")
SINCE_FILTER = ("since", "自", "从")
_FILTER = re.compile(r"(?P<name>zone|city|since|开发区|园区|城市|市|自|从)[:：](?P<value>.*)", re.IGNORECASE)
_SINCE = re.compile(r"(?P<year>\d{4})(?:[-./年](?P<month>\d{1,2})(?:[-./月](?P<day>\d{1,2})日?)?月?)?年?")
PHOTOS_SHOWN = 3  # the newest photos on a zone card or city view
GIST_CHARS = 60  # a one-line summary: the best sentence, cut to this
SUMMARY_SENTENCES = 3  # a full summary (/summary, key figures, keywords): at most this many sentences
MAX_FIGURES = 5  # key figures on a zone card
MAX_KEYWORDS = 8  # keywords on a zone card
COUNT_CACHE_SIZE = 4096  # counts kept per process (listings' and searches'), of one articles_version
SUMMARY_CACHE_SIZE = 1024  # summaries kept per process (an article's text rarely changes)
ZONE_CODE_CHARS = 8  # hex digits of a zone's code: short enough for 64-byte callback data

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Subscription kinds, as stored in subscriptions.kind.
ZONE = "zone"
CITY = "city"
ALL = "all"
ALL_WORDS = frozenset({"全部", "所有", "全部开发区", "all"})


def zone_code(name: str) -> str:
    """A short code for a zone, stable across restarts and gazetteer edits (a hash of its name)."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:ZONE_CODE_CHARS]


@dataclass(frozen=True)
class ArticleLine:
    """An article in a list: enough to recognise it and ask for its summary."""

    id: int
    date: str | None  # YYYY-MM-DD: the article's own date, else its issue's
    title: str | None
    kind: str  # article | photo (a photo with its caption)
    zone: str | None  # official name of the zone it is about, else its city, else None
    gist: str  # a one-line summary


@dataclass(frozen=True)
class Photo:
    """A news photo: its caption and who took or gave it, never an article in a list."""

    id: int
    date: str | None
    zone: str | None  # official name of the zone it shows, else its city, else None
    caption: str
    credit: str | None  # the photographer or the unit that gave it


@dataclass(frozen=True)
class ZoneCount:
    """A zone and how many stored articles concern it."""

    zone: Zone
    code: str
    article_count: int


@dataclass(frozen=True)
class ZoneCard:
    """One zone: who it is and its latest articles (one page of them), figures and keywords."""

    zone: Zone
    code: str
    article_count: int  # articles only: photos are counted apart
    articles: tuple[ArticleLine, ...]
    offset: int  # of articles[0] among all the zone's articles, newest first
    figures: tuple[Figure, ...]
    keywords: tuple[str, ...]
    photos: tuple[Photo, ...] = ()  # the newest PHOTOS_SHOWN


@dataclass(frozen=True)
class CityView:
    """One city: its zones with articles, those without, and its latest articles (one page)."""

    city: str
    zones: tuple[ZoneCount, ...]  # the zones with articles, most first
    article_count: int
    articles: tuple[ArticleLine, ...]
    offset: int
    quiet: tuple[ZoneCount, ...] = ()  # the zones without articles, in gazetteer order
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True)
class NotFound:
    """A query that names no zone or city, with the closest zones."""

    query: str
    suggestions: tuple[ZoneCount, ...]


@dataclass(frozen=True)
class ArticleSummary:
    """One article's summary, with what it is about and where it came from."""

    id: int
    title: str | None
    kind: str
    subtitle: str | None
    zone: str | None
    zone_code: str | None  # when `zone` is a zone of the gazetteer
    date: str | None
    author: str | None
    issue_label: str
    summary: Summary
    figures: tuple[Figure, ...]  # the summary's key figures, at most MAX_FIGURES
    cut_off: bool = False  # the page stops mid-sentence (summarize.sentences.ends_mid_sentence)


@dataclass(frozen=True)
class ArticleText:
    """One article in full."""

    id: int
    title: str | None
    kind: str
    subtitle: str | None
    zone: str | None
    date: str | None
    author: str | None
    issue_label: str
    paragraphs: tuple[str, ...]
    cut_off: bool = False  # the page stops mid-sentence (summarize.sentences.ends_mid_sentence)


@dataclass(frozen=True)
class _Restriction:
    """What the filters of a search keep (see bot.search.search): a place of each set of place
    tokens, and the articles dated `since` or later (the latest since: given)."""

    within: tuple[tuple[str, ...], ...] = ()
    since: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """One article found by a search."""

    id: int
    title: str | None
    zone: str | None
    date: str | None
    snippet: str
    kind: str = "article"


@dataclass(frozen=True)
class BadFilter:
    """A filter of a search that names nothing: (name as typed, value as typed)."""

    name: str
    value: str


@dataclass(frozen=True)
class SearchResults:
    """What a search found: a page of the articles that contain every word, newest first.

    `terms` is empty when the query held nothing to search for; `bad_filter` is set (and nothing
    searched) when a filter could not be read; `saved` is the id of the saved query when there is
    more than one page (buttons carry it)."""

    query: str
    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    total: int = 0
    offset: int = 0
    filters: tuple[str, ...] = ()  # what the filters restrict to, as people say it (晋城经开区, 2024-07-01起)
    bad_filter: BadFilter | None = None
    saved: int | None = None


@dataclass(frozen=True)
class IssueDigest:
    """An issue (number 1 is the newest) with its articles' summaries and its photos."""

    label: str
    date: str
    articles: tuple[ArticleSummary, ...]
    number: int = 1  # 1 = the newest issue, 2 = the one before, …
    issue_count: int = 1  # how many issues there are
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True)
class Target:
    """What a chat subscribes to: a zone (name = official name), a city, or everything."""

    kind: str  # ZONE | CITY | ALL
    name: str  # "" for ALL
    code: str  # zone code, city name, or "" for ALL: what buttons carry


@dataclass(frozen=True)
class Subscription:
    """A chat's subscription as delivery sees it: what, and the highest article id when it was made
    (a digest lists only articles that arrived after)."""

    target: Target
    since_article: int


@dataclass(frozen=True)
class ChatSettings:
    """What a chat chose about its deliveries (None: the configured digest day or time)."""

    muted: bool = False
    digest_off: bool = False
    digest_day: int | None = None  # 0 = Monday
    digest_time: str | None = None  # HH:MM


class ZoneService:
    """Lookups, cards, summaries, search and subscriptions over one store.

    Example usage::

        service = ZoneService(db, gazetteer, Tokenizer(extra_words=gazetteer.forms()))
        service.find("晋城")  # CityView(city='晋城', …)
        service.find("晋城经开区")  # ZoneCard(zone=Zone(name='晋城经济技术开发区', …), …)
    """

    def __init__(self, db: Database, gazetteer: Gazetteer, tokenizer: Tokenizer, *, page_size: int = PAGE_SIZE) -> None:
        self.db = db
        self.gazetteer = gazetteer
        self.tokenizer = tokenizer
        self.page_size = page_size
        self._by_code = {zone_code(zone.name): zone for zone in gazetteer.zones}
        if len(self._by_code) != len(gazetteer.zones):
            raise ValueError("two zones share a zone code: lengthen ZONE_CODE_CHARS")
        self._summarize = functools.lru_cache(maxsize=SUMMARY_CACHE_SIZE)(self._summarize_text)
        self._counts: dict[tuple, object] = {}  # (articles_version, query, params) -> result, one version

    def over(self, db: Database) -> ZoneService:
        """This service over another connection to the same store (another thread's), sharing the
        gazetteer, tokenizer, summary cache and cached counts."""
        twin = copy.copy(self)
        twin.db = db
        return twin

    # --- zones and cities ---------------------------------------------------------------------

    def find(self, query: str) -> ZoneCard | CityView | NotFound:
        """What `query` names: a city (city view), a zone (zone card), or nothing (suggestions)."""
        lookup = self.gazetteer.lookup(query)
        if lookup.city:
            return self.city_view(lookup.city)
        if lookup.zone:
            return self.zone_card(lookup.zone)
        return NotFound(query, self._counted(lookup.suggestions))

    def zone_by_code(self, code: str) -> Zone | None:
        """The zone whose zone_code is `code`, else None."""
        return self._by_code.get(code)

    def is_city(self, name: str) -> bool:
        """Whether `name` is a city of the gazetteer."""
        return name in self.gazetteer.cities()

    def zone_card(self, zone: Zone, offset: int = 0) -> ZoneCard:
        """A zone's card with a page of articles from `offset` (newest first)."""
        listing = _Listing(zones=(zone.name,))
        count, rows = self._article_page(listing, offset)
        summaries = [self.article_summary_of(row) for row in rows]
        return ZoneCard(
            zone=zone,
            code=zone_code(zone.name),
            article_count=count,
            articles=tuple(self._line(row, zone.name) for row in rows),
            offset=offset,
            figures=_key_figures(figures_about(summary.figures, zone.name, row["zone"], self.gazetteer)
                                 for summary, row in zip(summaries, rows)),
            keywords=_key_words(summaries),
            photos=self._listed_photos(listing),
        )

    def city_view(self, city: str, offset: int = 0) -> CityView:
        """A city's zones with their article counts, and a page of its articles from `offset`."""
        zones = self._counted(self.gazetteer.cities().get(city, ()))
        listing = self._city_listing(city)
        count, rows = self._article_page(listing, offset)
        reported = tuple(sorted((entry for entry in zones if entry.article_count), key=lambda entry: -entry.article_count))
        quiet = tuple(entry for entry in zones if not entry.article_count)
        articles = tuple(self._line(row) for row in rows)
        return CityView(city, reported, count, articles, offset, quiet, self._listed_photos(listing))

    def _city_listing(self, city: str) -> _Listing:
        """What a city view lists: the city's articles and its zones'."""
        return _Listing(zones=tuple(zone.name for zone in self.gazetteer.cities().get(city, ())), city=city)

    def directory(self) -> tuple[tuple[str, tuple[ZoneCount, ...]], ...]:
        """Every city with its zones and their article counts, in gazetteer order."""
        counts = self._article_counts()
        return tuple((city, self._counted(zones, counts)) for city, zones in self.gazetteer.cities().items())

    def warm_up(self, between: Callable[[], object] = lambda: None) -> None:
        """Make the latest issue and the first page of every city view and zone card once, so that
        their counts are cached and their summaries stored before anyone asks (the bot does this
        in the background after it starts and after pages arrive). Summaries are made one article
        at a time, and `between()` is called before each: a background thread waits there while
        answers are in progress."""
        issue = self.db.execute("SELECT id FROM issues ORDER BY issue_date DESC, id DESC LIMIT 1").fetchone()
        if issue is not None:
            ids = [row[0] for row in self.db.execute(
                "SELECT id FROM articles WHERE issue_id = ? AND kind = ? ORDER BY seq", [issue[0], ARTICLE])]
            self._warm(self._rows(ids), between, full=True)
        self.latest_issue()
        for city in self.gazetteer.cities():
            self._warm(self._article_page(self._city_listing(city), 0)[1], between, line=True)
            self.city_view(city)
        for zone in self.gazetteer.zones:
            self._warm(self._article_page(_Listing(zones=(zone.name,)), 0)[1], between, line=True, full=True,
                       zone=zone.name)
            self.zone_card(zone)

    def _warm(self, rows: Iterable[dict], between: Callable[[], object], *, line: bool = False, full: bool = False,
              zone: str | None = None) -> None:
        """Make and store what a listing of `rows` needs: each one's list line (on `zone`'s card:
        see _line) and/or its full summary, calling `between()` before each article."""
        for row in rows:
            between()
            if line:
                self._line(row, zone)
            if full:
                self.article_summary_of(row)

    # --- articles ---------------------------------------------------------------------------------

    def article_summary(self, article_id: int) -> ArticleSummary | None:
        """One article's summary, or None when there is no such article."""
        row = self._article(article_id)
        if row is None:
            return None
        zone = self.gazetteer.get(row["zone"]) if row["zone"] else None
        summary = self.article_summary_of(row)
        return ArticleSummary(
            id=row["id"],
            title=row["title"],
            kind=row["kind"],
            subtitle=row["subtitle"],
            zone=row["zone"] or row["city"],
            zone_code=zone_code(zone.name) if zone else None,
            date=row["day"],
            author=row["author"],
            issue_label=row["label"],
            summary=summary,
            figures=_key_figures([summary.figures]),
            cut_off=_cut_off(row),
        )

    def article_line(self, article_id: int) -> ArticleLine | None:
        """One article as a list shows it (its one-sentence gist), or None when there is none."""
        row = self._article(article_id)
        return self._line(row) if row else None

    def issue_labels(self, article_ids: Sequence[int]) -> list[tuple[int, str]]:
        """(article id, its issue's label) for each of `article_ids` that exists, in their order."""
        labels = dict(self.db.execute(
            "SELECT a.id, i.label FROM articles a JOIN issues i ON i.id = a.issue_id"
            " WHERE a.id IN (SELECT value FROM json_each(?))", [json.dumps(list(article_ids))],
        ).fetchall())
        return [(article_id, labels[article_id]) for article_id in article_ids if article_id in labels]

    def article_text(self, article_id: int) -> ArticleText | None:
        """One article in full, or None when there is no such article."""
        row = self._article(article_id)
        if row is None:
            return None
        paragraphs = tuple(p.strip() for p in row["body"].split("\n\n") if p.strip())
        return ArticleText(row["id"], row["title"], row["kind"], row["subtitle"], row["zone"] or row["city"],
                           row["day"], row["author"], row["label"], paragraphs, _cut_off(row))

    def search(self, query: str, offset: int = 0) -> SearchResults:
        """A page of the articles that contain every word of `query` (inside longer words too,
        traditional characters folded), from `offset`, newest first, with the true total.

        Words `zone:`/`city:` (a zone or a city, any name /zone takes) and `since:` (2024-07-01,
        2024-07, 2024) filter; when no article holds a word written without spaces (晋城光机电),
        its jieba words are searched instead. Any text is safe (see bot.search).
        """
        words, restricted, filters, bad = self._search_filters(query)
        if bad:
            return SearchResults(query, (), (), bad_filter=bad)
        terms = query_words(" ".join(words))
        found = self._found(terms, restricted, offset)
        cut = query_words(" ".join(query_terms(" ".join(words), self.tokenizer)))
        if not found.total and cut != terms:
            terms, found = cut, self._found(cut, restricted, offset)
        hits = tuple(SearchHit(hit.article_id, hit.title, hit.zone, hit.date, hit.snippet, hit.kind) for hit in found.hits)
        saved = self._save_search(query) if found.total > SEARCH_LIMIT else None
        return SearchResults(query, tuple(terms), hits, found.total, offset, filters, None, saved)

    def _found(self, terms: list[str], restricted: _Restriction, offset: int) -> Found:
        """bot.search.search, its total counted once per version of the articles (see _cached)."""
        sql, params = count_query(terms, restricted.within, restricted.since)
        total = self._cached(sql, params, lambda rows: rows[0][0])
        return search(self.db, terms, within=restricted.within, since=restricted.since, limit=SEARCH_LIMIT,
                      offset=offset, total=total)

    def saved_search(self, saved: int) -> str | None:
        """The query saved under `saved` (for a page button), else None."""
        row = self.db.execute("SELECT query FROM saved_searches WHERE id = ?", [saved]).fetchone()
        return row[0] if row else None

    def _save_search(self, query: str) -> int:
        saved = self.db.execute("SELECT id FROM saved_searches WHERE query = ?", [query]).fetchone()
        if saved:
            return saved[0]
        with write_transaction(self.db):
            self.db.execute("INSERT OR IGNORE INTO saved_searches (query, saved_at) VALUES (?, ?)",
                            [query, datetime.now(UTC).isoformat(timespec="seconds")])
        return self.db.execute("SELECT id FROM saved_searches WHERE query = ?", [query]).fetchone()[0]

    def _search_filters(self, query: str) -> tuple[list[str], _Restriction, tuple[str, ...], BadFilter | None]:
        """The words of `query`, what its filters keep (see bot.search.search), what they restrict
        to as people say it, or the first filter that names nothing."""
        words, filters, restricted = [], [], _Restriction()
        for word in query.split():
            match = _FILTER.fullmatch(word)
            if match is None:
                words.append(word)
                continue
            name, value = match["name"].lower(), match["value"]
            clause = self._since_clause(value) if name in SINCE_FILTER else self._place_clause(value)
            if clause is None:
                return [], _Restriction(), (), BadFilter(match["name"], value)
            restricted = _Restriction(restricted.within + clause[0].within, max(
                (day for day in (restricted.since, clause[0].since) if day), default=None))
            filters.append(clause[1])
        return words, restricted, tuple(filters), None

    def _place_clause(self, value: str) -> tuple[_Restriction, str] | None:
        """A city's articles (articles.city) and its zones' (article_zones), or a zone's: as place tokens."""
        found = self.gazetteer.lookup(value) if value else None
        if found and found.city:
            zones = self.gazetteer.cities().get(found.city, ())
            tokens = (place_token(CITY_PLACE, found.city), *(place_token(ZONE_PLACE, zone.name) for zone in zones))
            return _Restriction(within=(tokens,)), found.city
        if found and found.zone:
            return _Restriction(within=((place_token(ZONE_PLACE, found.zone.name),),)), found.zone.name
        return None

    @staticmethod
    def _since_clause(value: str) -> tuple[_Restriction, str] | None:
        match = _SINCE.fullmatch(value)
        try:
            day = date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)) if match else None
        except ValueError:
            return None
        return (_Restriction(since=day.isoformat()), f"{day.isoformat()}起") if day else None

    def issue_count(self) -> int:
        """How many issues (page files) the store holds."""
        return self.db.execute("SELECT count(*) FROM issues").fetchone()[0]

    def latest_issue(self, number: int = 1) -> IssueDigest | None:
        """The `number`th newest issue (1 = the newest; by date, then by when it was stored) with
        its articles' summaries and its photos; None when there are fewer issues."""
        issue = self.db.execute(
            "SELECT id, label, issue_date FROM issues ORDER BY issue_date DESC, id DESC LIMIT 1 OFFSET ?",
            [max(number - 1, 0)],
        ).fetchone()
        if issue is None or number < 1:
            return None
        ids = [row[0] for row in self.db.execute(
            "SELECT id FROM articles WHERE issue_id = ? AND kind = ? ORDER BY seq", [issue[0], ARTICLE]
        ).fetchall()]
        summaries = (self.article_summary(article_id) for article_id in ids)
        return IssueDigest(issue[1], issue[2], tuple(summary for summary in summaries if summary), number,
                           self.issue_count(), self._photos("a.issue_id = ?", [issue[0]]))

    # --- subscriptions ----------------------------------------------------------------------------

    def target(self, text: str) -> Target | NotFound:
        """What `/subscribe text` means: 全部, a city, a zone, or nothing (with suggestions)."""
        if text.strip().lower() in ALL_WORDS:
            return Target(ALL, "", "")
        found = self.gazetteer.lookup(text)
        if found.city:
            return Target(CITY, found.city, found.city)
        if found.zone:
            return Target(ZONE, found.zone.name, zone_code(found.zone.name))
        return NotFound(text, self._counted(found.suggestions))

    def subscribe(self, chat_id: int, target: Target) -> bool:
        """Subscribe a chat to `target`; False when it already was."""
        now = _now()
        with write_transaction(self.db):
            self.db.execute("INSERT OR IGNORE INTO chats (chat_id, created_at, paused) VALUES (?, ?, 0)",
                            [chat_id, now])
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, kind, target, created_at) VALUES (?, ?, ?, ?)",
                [chat_id, target.kind, target.name, now],
            )
        return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int, target: Target) -> bool:
        """Remove one subscription; False when the chat did not have it."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND kind = ? AND target = ?",
                [chat_id, target.kind, target.name],
            )
        return cursor.rowcount == 1

    def unsubscribe_all(self, chat_id: int) -> int:
        """Remove every subscription of a chat; returns how many there were."""
        with write_transaction(self.db):
            cursor = self.db.execute("DELETE FROM subscriptions WHERE chat_id = ?", [chat_id])
        return cursor.rowcount

    def subscriptions(self, chat_id: int) -> tuple[Target, ...]:
        """A chat's subscriptions, in the order they were made."""
        rows = self.db.execute(
            "SELECT kind, target FROM subscriptions WHERE chat_id = ? ORDER BY id", [chat_id]
        ).fetchall()
        return tuple(_target(kind, name) for kind, name in rows)

    def subscribers(self, chat_ids: Iterable[int] | None = None, *, muted: bool = True,
                    digest_off: bool = True) -> dict[int, tuple[Subscription, ...]]:
        """Every chat (or those of `chat_ids`) that subscribes to something and is not paused, with
        its subscriptions in order, in one query; `muted=False` leaves out muted chats,
        `digest_off=False` those that turned their digest off."""
        where = ["NOT c.paused"]
        params: list[object] = []
        if chat_ids is not None:
            where.append("s.chat_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(chat_ids)))
        if not muted:
            where.append("NOT c.muted")
        if not digest_off:
            where.append("NOT c.digest_off")
        rows = self.db.execute(
            "SELECT s.chat_id, s.kind, s.target, coalesce(s.since_article, 0) FROM subscriptions s"
            f" JOIN chats c ON c.chat_id = s.chat_id WHERE {' AND '.join(where)} ORDER BY s.chat_id, s.id",
            params,
        ).fetchall()
        found: dict[int, list[Subscription]] = {}
        for chat_id, kind, name, since in rows:
            found.setdefault(chat_id, []).append(Subscription(_target(kind, name), since))
        return {chat_id: tuple(subscriptions) for chat_id, subscriptions in found.items()}

    # --- what a chat chose about its deliveries ----------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings:
        """A chat's delivery settings (the defaults for a chat the store does not know)."""
        row = self.db.execute(
            "SELECT muted, digest_off, digest_day, digest_time FROM chats WHERE chat_id = ?", [chat_id]
        ).fetchone()
        return ChatSettings(bool(row[0]), bool(row[1]), row[2], row[3]) if row else ChatSettings()

    def set_muted(self, chat_id: int, muted: bool) -> bool:
        """Stop (or restore) a chat's pushes; False when it already was so."""
        return self._set_chat(chat_id, "muted = ?", [int(muted)], "muted IS NOT ?", [int(muted)])

    def set_digest(self, chat_id: int, day: int, at: str) -> None:
        """A chat's own digest day (0 = Monday) and time (HH:MM); the digest is on. The next digest
        comes at the next such time (never at once for a time already past this week)."""
        self._set_chat(chat_id, "digest_day = ?, digest_time = ?, digest_off = 0, digest_run = ?", [day, at, _now()])

    def set_digest_off(self, chat_id: int, off: bool) -> None:
        """Stop (or restore) a chat's digest, keeping its day and time; restored, the next digest
        comes at its next time, listing what arrived since the last one."""
        self._set_chat(chat_id, "digest_off = ?, digest_run = ?", [int(off), _now()])

    def _set_chat(self, chat_id: int, assignments: str, values: list[object],
                  changed: str = "1", changed_values: Sequence[object] = ()) -> bool:
        with write_transaction(self.db):
            self.db.execute("INSERT OR IGNORE INTO chats (chat_id, created_at, paused) VALUES (?, ?, 0)",
                            [chat_id, _now()])
            cursor = self.db.execute(f"UPDATE chats SET {assignments} WHERE chat_id = ? AND {changed}",
                                     [*values, chat_id, *changed_values])
        return cursor.rowcount == 1

    # --- helpers ----------------------------------------------------------------------------------

    def _article_counts(self, zones: Iterable[str] | None = None) -> dict[str, int]:
        """Articles per zone (photos are not articles), of `zones` or of every zone: counted in the
        listing index, never in the articles."""
        only = "" if zones is None else "zone IN (SELECT value FROM json_each(?)) AND "
        params = [] if zones is None else [json.dumps(list(zones), ensure_ascii=False)]
        return self._cached(
            f"SELECT zone, count(*) FROM article_zones WHERE {only}kind = ? GROUP BY zone", [*params, ARTICLE], dict)

    def _cached(self, sql: str, params: Sequence[object], result: Callable[[list[tuple]], T]) -> T:
        """`result` of the rows of a counting query, computed once per version of the articles
        (bot.db's articles_version changes with every write to articles or article_zones)."""
        version = self.articles_version()
        key = (version, sql, *params)
        if key in self._counts:
            return self._counts[key]  # type: ignore[return-value]
        found = result(self.db.execute(sql, list(params)).fetchall())
        if self.articles_version() == version:  # no write came between: true of this version
            if len(self._counts) >= COUNT_CACHE_SIZE or any(cached[0] != version for cached in self._counts):
                self._counts.clear()
            self._counts[key] = found
        return found

    def articles_version(self) -> int:
        """A number that changes with every write to the articles (bot.db's articles_version)."""
        return self.db.execute("SELECT version FROM articles_version").fetchone()[0]

    def _counted(self, zones: Iterable[Zone], counts: dict[str, int] | None = None) -> tuple[ZoneCount, ...]:
        zones = tuple(zones)
        counts = self._article_counts(zone.name for zone in zones) if counts is None else counts
        return tuple(ZoneCount(zone, zone_code(zone.name), counts.get(zone.name, 0)) for zone in zones)

    def _article_page(self, listing: _Listing, offset: int) -> tuple[int, list[dict]]:
        """The articles (not photos) of a listing: how many, and one page of them from `offset`."""
        offset = max(offset, 0)
        sql, params = listing.count(ARTICLE)
        count = self._cached(sql, params, lambda rows: rows[0][0])
        return count, self._rows(self._listed(listing, ARTICLE, offset + self.page_size)[offset:])

    def _listed(self, listing: _Listing, kind: str, count: int) -> list[int]:
        """The ids of the first `count` articles of `kind` in a listing, newest first: the first
        `count` of each source (an index range each), merged."""
        rows: dict[int, tuple] = {}
        for sql, params in listing.sources(kind):
            for row in self.db.execute(f"{sql} ORDER BY {LISTING_ORDER} LIMIT ?", [*params, count]):
                rows[row[0]] = row
        ordered = sorted(rows.values(), key=lambda row: row[3])  # seq ascending, within …
        ordered.sort(key=lambda row: (row[1], row[2]), reverse=True)  # … day and issue descending
        return [row[0] for row in ordered[:count]]

    def _rows(self, ids: Sequence[int]) -> list[dict]:
        """The articles of `ids`, in that order."""
        found = {row["id"]: row for row in self.db.query(
            f"{_ARTICLE_SELECT} WHERE a.id IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))])}
        return [found[article_id] for article_id in ids if article_id in found]

    def _listed_photos(self, listing: _Listing) -> tuple[Photo, ...]:
        """The newest PHOTOS_SHOWN photos of a listing."""
        return _photo_tuple(self._rows(self._listed(listing, PHOTO, PHOTOS_SHOWN)))

    def _photos(self, where: str, params: Sequence[object]) -> tuple[Photo, ...]:
        """The newest PHOTOS_SHOWN photos `where` selects."""
        return _photo_tuple(self.db.query(
            f"{_ARTICLE_SELECT} WHERE a.kind = '{PHOTO}' AND {where} ORDER BY day DESC, i.id DESC, a.seq LIMIT ?",
            [*params, PHOTOS_SHOWN],
        ))

    def _article(self, article_id: int) -> dict | None:
        rows = list(self.db.query(f"{_ARTICLE_SELECT} WHERE a.id = ?", [article_id]))
        return rows[0] if rows else None

    def summary(self, title: str | None, body: str, sentences: int = SUMMARY_SENTENCES) -> Summary:
        """An article's summary of at most `sentences` sentences (cached per process)."""
        return self._summarize(title, body, sentences)

    def article_summary_of(self, row: dict, sentences: int = SUMMARY_SENTENCES) -> Summary:
        """The summary of a stored article (a row with its id, title and body): kept in the store
        the first time it is made (table summaries), so no process makes it twice."""
        stored = self.db.execute("SELECT summary FROM summaries WHERE article_id = ? AND sentences = ?",
                                 [row["id"], sentences]).fetchone()
        if stored is not None:
            return _summary_from_json(stored[0])
        summary = self._summarize(row["title"], row["body"], sentences)
        self._keep_summary(row["id"], sentences, summary)
        return summary

    def _keep_summary(self, article_id: int, sentences: int, summary: Summary) -> None:
        """Store a summary unless the store is busy this instant (an ingest writing): a reader never
        waits for the write lock, the next one stores it."""
        timeout = self.db.execute("PRAGMA busy_timeout").fetchone()[0]
        self.db.execute("PRAGMA busy_timeout = 0")
        try:
            with write_transaction(self.db):
                self.db.execute("INSERT OR IGNORE INTO summaries (article_id, sentences, summary) VALUES (?, ?, ?)",
                                [article_id, sentences, _summary_json(summary)])
        except sqlite3.OperationalError as error:
            logger.debug("summary of article %s not kept: %s", article_id, error)
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout)}")

    def _summarize_text(self, title: str | None, body: str, sentences: int = SUMMARY_SENTENCES) -> Summary:
        # Cached by the text itself: a corrected page may keep an article's id with a new body.
        return summarize(body, title=title, max_sentences=sentences, tokenizer=self.tokenizer)

    def article_lines(self, article_ids: Iterable[int]) -> dict[int, ArticleLine]:
        """The list lines (see _line) of the articles `article_ids`, by id, in one query."""
        rows = self.db.query(f"{_ARTICLE_SELECT} WHERE a.id IN (SELECT value FROM json_each(?))",
                             [json.dumps(list(article_ids))])
        return {row["id"]: self._line(row) for row in rows}

    def _line(self, row: dict, zone: str | None = None) -> ArticleLine:
        """An article in a list: its one-sentence summary (a photo: its caption), cut to GIST_CHARS;
        on another zone's card (`zone`), the first sentence about that zone that stands on its own,
        so a roundup listed on 原平's card shows what it says of 原平, not its 56GW elsewhere."""
        named = self._mention_of(row["body"], zone) if zone and row["zone"] != zone else None
        if named:
            gist = snippet(row["body"], [named], GIST_CHARS)
        else:
            first = self.article_summary_of(row, 1).text or row["body"].split("\n\n")[0]
            gist = shorten_sentence(first, GIST_CHARS)
        return ArticleLine(row["id"], row["day"], row["title"], row["kind"], row["zone"] or row["city"], gist)


    def _mention_of(self, body: str, zone: str) -> str | None:
        """How `body` first names `zone` in a sentence that stands on its own (folded, as search
        compares words), else None."""
        for sentence in split_sentences(body):
            if stands_alone(sentence):
                for mention in self.gazetteer.mentions(sentence):
                    if mention.zone == zone:
                        return "".join(map(fold_char, " ".join(mention.surface.split())))
        return None


@dataclass(frozen=True)
class _Listing:
    """What a zone card or city view lists: the articles of `zones` (article_zones) and of `city`
    (articles.city), each source an index range in listing order (bot.db.LISTING_ORDER)."""

    zones: tuple[str, ...] = ()
    city: str | None = None

    def sources(self, kind: str) -> list[tuple[str, list[object]]]:
        """(SELECT id, day, issue_id, seq … of `kind`, its parameters) per source."""
        found: list[tuple[str, list[object]]] = [
            ("SELECT article_id, day, issue_id, seq FROM article_zones WHERE zone = ? AND kind = ?", [zone, kind])
            for zone in self.zones
        ]
        if self.city:
            found.append(("SELECT id, day, issue_id, seq FROM articles WHERE city = ? AND kind = ?", [self.city, kind]))
        return found

    def count(self, kind: str) -> tuple[str, list[object]]:
        """SELECT how many articles of `kind` the listing holds, each once, and its parameters: the
        city's articles (an index range), plus the zones' articles of another city or none (index
        ranges around the city, usually few), counted once each."""
        if not self.city:
            return ("SELECT count(DISTINCT article_id) FROM article_zones WHERE zone IN (SELECT value FROM json_each(?))"
                    " AND kind = ?", [json.dumps(self.zones, ensure_ascii=False), kind])
        others = " UNION ".join(
            f"SELECT article_id FROM article_zones WHERE zone = ? AND kind = ? AND {outside}"
            for _ in self.zones for outside in ("city < ?", "city > ?", "city IS NULL")
        )
        params = [value for zone in self.zones for value in (zone, kind, self.city, zone, kind, self.city, zone, kind)]
        beyond = f" + (SELECT count(*) FROM ({others}))" if self.zones else ""
        return (f"SELECT (SELECT count(*) FROM articles WHERE city = ? AND kind = ?){beyond}", [self.city, kind, *params])


def _summary_json(summary: Summary) -> str:
    return json.dumps({"sentences": summary.sentences, "text": summary.text, "keywords": summary.keywords,
                       "figures": [dataclasses.asdict(figure) for figure in summary.figures]}, ensure_ascii=False)


def _summary_from_json(text: str) -> Summary:
    data = json.loads(text)
    return Summary(tuple(data["sentences"]), data["text"], tuple(data["keywords"]),
                   tuple(Figure(**figure) for figure in data["figures"]))


def _photo_tuple(rows: Iterable[dict]) -> tuple[Photo, ...]:
    return tuple(Photo(row["id"], row["day"], row["zone"] or row["city"], " ".join(row["body"].split()),
                       row["author"]) for row in rows)


def _now() -> str:
    """The current time as the store writes it: UTC, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _target(kind: str, name: str) -> Target:
    """A subscription target as stored (kind, name), with the code its buttons carry."""
    return Target(kind, name, zone_code(name) if kind == ZONE else name)


_ARTICLE_SELECT = (
    "SELECT a.id, a.kind, a.title, a.subtitle, a.zone, a.city, a.author, a.body, i.label,"
    " COALESCE(a.published, i.issue_date) AS day"
    " FROM articles a JOIN issues i ON i.id = a.issue_id"
)


def _cut_off(row: dict) -> bool:
    """Whether an article's text stops mid-sentence on the page (photo captions never count)."""
    return row["kind"] == ARTICLE and ends_mid_sentence(row["body"])


def _key_figures(figure_lists: Iterable[Iterable[Figure]]) -> tuple[Figure, ...]:
    """The first MAX_FIGURES distinct figures of the lists (a summary's each) that say what they
    measure (no dates)."""
    seen: dict[str, Figure] = {}
    for figures in figure_lists:
        for figure in figures:
            if figure.kind != "date" and figure.measure and figure.value not in seen:
                seen[figure.value] = figure
    return tuple(seen.values())[:MAX_FIGURES]


def _key_words(summaries: Sequence[Summary]) -> tuple[str, ...]:
    """The keywords ranked high across the summaries (each ranks its own keywords)."""
    scores: Counter[str] = Counter()
    for summary in summaries:
        for rank, word in enumerate(summary.keywords):
            scores[word] += len(summary.keywords) - rank
    return tuple(word for word, _ in scores.most_common(MAX_KEYWORDS))


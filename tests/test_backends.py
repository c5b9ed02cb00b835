"""Both summariser backends on the real seed articles; textrank4zh 0.3 on networkx 3 through the adapter."""

import networkx
import pytest

from seed_articles import GAZETTEER, SEED_ARTICLES
from summarize import split_sentences, summarize
from summarize.backends import load_textrank4zh, textrank4zh_scores
from summarize.textrank import BACKENDS, DEFAULT_MAX_CHARS, TEXTRANK4ZH, finish_sentence
from summarize.tokens import Tokenizer


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(extra_words=GAZETTEER.forms())


def test_networkx_3_has_no_from_numpy_matrix_and_stays_so():
    load_textrank4zh()
    assert networkx.__version__.startswith("3.")
    assert not hasattr(networkx, "from_numpy_matrix")
    assert load_textrank4zh().util.nx.from_numpy_matrix is networkx.from_numpy_array


def test_textrank4zh_scores_every_sentence():
    sentences = split_sentences(SEED_ARTICLES[0][1])
    scores = textrank4zh_scores(sentences)
    assert len(sentences) == len(scores)
    assert all(score >= 0 for score in scores)
    assert sum(score > 0 for score in scores) >= len(sentences) - 2
    assert [] == textrank4zh_scores([])


def test_a_sentence_textrank4zh_splits_scores_as_its_best_piece():
    sentences = ["开发区项目建设提速…投资增长", "项目建设和投资都在增长。", "天气很好。"]
    scores = textrank4zh_scores(sentences)
    assert 3 == len(scores)
    assert scores[0] > 0 and scores[1] > 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("title, body", SEED_ARTICLES, ids=[title or "?" for title, _ in SEED_ARTICLES])
def test_both_backends_on_every_seed_article(tokenizer, backend, title, body):
    summary = summarize(body, title=title, tokenizer=tokenizer, backend=backend)
    sentences = [finish_sentence(sentence) for sentence in split_sentences(body)]
    positions = [sentences.index(sentence) for sentence in summary.sentences]
    assert 1 <= len(positions) <= 3
    assert positions == sorted(set(positions))
    assert len(summary.text) <= DEFAULT_MAX_CHARS or len(positions) == 1


def test_the_backends_rank_differently(tokenizer):
    picks = {
        backend: [summarize(body, title=title, tokenizer=tokenizer, backend=backend).sentences for title, body in SEED_ARTICLES]
        for backend in BACKENDS
    }
    assert picks["ours"] != picks[TEXTRANK4ZH]

"""Answers that answer: the answer sentence first, refusing what the news does not cover, asking as of a date.

No model: a hashing encoder over a small archive built through the real pipeline and SQLite store.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headlines.ask.embeddings import SQLiteEmbeddingStore
from headlines.ask.engine import AnswerEngine
from headlines.ask.extract import Candidate, answer_type, choose_quotes, is_furniture, number_unit, score_candidates
from headlines.cli.ask import answer_record, parse_as_of, parse_line
from headlines.countries.exact import ExactNameTagger
from headlines.evaluation.answers import (
    EvaluationError,
    contains_answer,
    half_of,
    load_questions,
    normalise,
    open_scratch_store,
)
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.store.sqlite import SQLiteStore
from headlines.summarize.lead import LeadSummarizer
from tests.fakes.encoders import HashingEncoder

STORIES = [
    Article(
        id="ie-old",
        title="Microsoft launches Internet Explorer",
        published=datetime(1995, 8, 16, tzinfo=UTC),
        body="Microsoft released its new web browser on Wednesday. The browser will ship with Windows 95.",
    ),
    Article(
        id="ie-retired",
        title="Microsoft retires Internet Explorer after 27 years",
        published=datetime(2022, 6, 15, tzinfo=UTC),
        body="Related: Windows news\n\nMicrosoft retired its Internet Explorer browser on Wednesday. "
        "The browser debuted in 1995 as an add-on for Windows 95. Users are told to switch to Edge.",
    ),
    Article(
        id="nobel-1993",
        title="Mandela and de Klerk share the Nobel Peace Prize",
        published=datetime(1993, 10, 15, tzinfo=UTC),
        body="Nelson Mandela and F.W. de Klerk won the Nobel Peace Prize on Friday. The committee praised "
        "their work to end apartheid in South Africa.",
    ),
    # Two stories on one subject, weeks apart: which one leads depends on when the question is asked.
    Article(
        id="park-june",
        title="Flooding at Yellowstone National Park",
        published=datetime(2022, 6, 14, tzinfo=UTC),
        body="Historic rainfall led to flooding at Yellowstone National Park. Visitors were evacuated.",
    ),
    Article(
        id="park-later",
        title="Flooding at Yellowstone National Park",
        published=datetime(2022, 7, 2, tzinfo=UTC),
        body="Historic rainfall led to flooding at Yellowstone National Park. The northern loop reopened.",
    ),
]


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    store, embeddings = SQLiteStore(tmp_path / "a.db"), SQLiteEmbeddingStore(tmp_path / "a.db")
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process_many(STORIES)
    return AnswerEngine(store, embeddings, HashingEncoder(), tagger=ExactNameTagger(), threshold=0.1)


def test_the_sentence_that_answers_leads_dated_and_cited(engine: AnswerEngine) -> None:
    answer = engine.ask(
        "Microsoft retired Internet Explorer this week. What year did it debut?", now=datetime(2022, 6, 17, tzinfo=UTC)
    )
    assert answer.found and answer.sources[0].id == "ie-retired"
    assert answer.answer.startswith("On 15 June 2022: The browser debuted in 1995 as an add-on for Windows 95. [1]")
    assert "Related: Windows news" not in answer.answer  # a subheading is never quoted as a sentence
    assert contains_answer(answer.answer, ["1995"])


def test_as_of_leaves_out_later_stories_and_prefers_the_newest_before_it(engine: AnswerEngine) -> None:
    june = engine.ask("What happened at Yellowstone National Park?", now=datetime(2022, 6, 20, tzinfo=UTC))
    assert "park-later" not in [s.id for s in june.sources] and june.sources[0].id == "park-june"
    assert june.as_of == datetime(2022, 6, 20, tzinfo=UTC)
    july = engine.ask("What happened at Yellowstone National Park?", now=datetime(2022, 7, 5, tzinfo=UTC))
    assert july.sources[0].id == "park-later"  # same subject: the newest story within the time frame wins
    assert july.answer.startswith("On 2 July 2022: ")
    # Without an as-of date nothing is cut (the real now), and the record says it was answered.
    record = answer_record(engine.ask("What happened at Yellowstone National Park?"))
    assert record["answered"] is True and "as_of" not in record


def test_a_question_whose_year_no_story_holds_is_refused_with_the_closest_stories(engine: AnswerEngine) -> None:
    answer = engine.ask("Who won the 2024 Nobel Peace Prize?", now=datetime(2022, 12, 30, tzinfo=UTC))
    assert not answer.found and answer.missing == ["2024"]
    assert answer.answer.startswith('I found nothing in stored news about "2024".')
    assert answer.sources and answer.sources[0].id == "nobel-1993"  # the closest story is still listed
    assert answer_record(answer)["answered"] is False
    # The same question about a year that is covered is answered from that story.
    covered = engine.ask("Who won the 1993 Nobel Peace Prize?", now=datetime(2022, 12, 30, tzinfo=UTC))
    # Its headline names the winners, so it leads; the story's best sentence follows it as context.
    assert covered.found and "Mandela" in covered.answer.split("[1]")[0]
    assert "Nelson Mandela and F.W. de Klerk won the Nobel Peace Prize on Friday. [1]" in covered.answer


def test_a_name_no_story_holds_is_refused_however_well_the_rest_is_covered(engine: AnswerEngine) -> None:
    when = datetime(2022, 6, 17, tzinfo=UTC)
    answer = engine.ask("Did Zorblax say Microsoft retired its Internet Explorer browser on Wednesday after 27 years?", now=when)
    assert not answer.found and "Zorblax" in answer.missing
    # The same words without the unknown name are answered; an unseen lower-case spelling is no such sign.
    assert engine.ask("Did Microsoft say it retired its Internet Explorer browser?", now=when).found
    assert engine.ask("Did Microsoft say it retired its Internet Explorer browser, organisationally?", now=when).found


ELECTION_BUZZ = Article(
    id="election-buzz",
    title="Trump says he will announce a 2024 White House bid",
    published=datetime(2022, 11, 2, tzinfo=UTC),
    body="Former President Donald Trump, who won the 2016 US presidential election, said on Wednesday he will run in "
    "the 2024 US presidential election. Who will win the 2024 election is the question that Republicans now ask.",
)


def test_how_a_later_years_event_ended_is_refused_but_plans_for_it_are_answered(tmp_path: Path) -> None:
    store, embeddings = SQLiteStore(tmp_path / "b.db"), SQLiteEmbeddingStore(tmp_path / "b.db")
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process_many([*STORIES, ELECTION_BUZZ])
    engine = AnswerEngine(store, embeddings, HashingEncoder(), tagger=ExactNameTagger(), threshold=0.1)
    when = datetime(2022, 11, 4, tzinfo=UTC)
    # Every key term is covered by the 2022 story about the coming election, yet it cannot say who won.
    refused = engine.ask("Who won the 2024 US presidential election?", now=when)
    assert not refused.found and refused.missing == ["2024"]
    assert refused.answer.startswith('I found nothing in stored news about "2024": the question asks about something')
    assert refused.sources[0].id == "election-buzz"  # the closest story is still listed
    # A plan for that year, or the same question asked once the year has come, is answered.
    assert engine.ask("Which Republican said he will run in the 2024 US presidential election?", now=when).found
    assert engine.ask("Who won the 2024 US presidential election?", now=datetime(2025, 1, 10, tzinfo=UTC)).found


def test_off_news_questions_are_refused(engine: AnswerEngine) -> None:
    answer = engine.ask("How do I bake sourdough bread at home?")
    assert not answer.found and answer.answer.startswith("I found nothing in stored news about")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What year did it debut?", "year"),
        ("How many people were evacuated?", "number"),
        ("When did it close?", "date"),
        ("Which national park flooded?", "place"),
        ("Who designed the dress?", "name"),
        ("Which company bought Twitter?", "name"),
        ("What did Macron say about Russia?", "other"),
        # The asking part decides, not the context before it.
        ("Texas Pete hot sauce isn't made in Texas. Where is it actually made?", "place"),
        ("Which member of the England squad scored the winning goal?", "name"),
        ("Which wildly popular show was renewed?", "name"),
    ],
)
def test_answer_type(question: str, kind: str) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    ("text", "furniture"),
    [
        ("Soaring prices", True),
        ("What happens next", True),
        ("(AP Photo/Evan Vucci)", True),
        ("A firefighter battles the blaze. Getty Images", True),
        ("By Jane Smith, CNN", True),
        ("Hide Caption 5 of 44 Photos: Tennis legend Serena Williams walks past Venus.", True),
        ("\u25baRelated: Google Trends' FrightGeist lists the most popular Halloween costumes of 2022.", True),
        ("WASHINGTON, DC - NOVEMBER 21: U.S. President Joe Biden pardons Chocolate, the National Thanksgiving Turkey.", True),
        ("WASHINGTON (AP) - President Joe Biden pardoned two turkeys on Monday.", False),
        ("Related talks between the two sides resumed on Monday, officials said.", False),
        ("Video of the incident has sparked two weeks of criticism of the airline.", False),
        ("Credit Suisse appointed board member Axel Lehmann as its chairman.", False),
        ("Getty Israel, founder of Sisters in Birth, is fighting for pregnant women.", False),
        ("Video: Lava pours down the slopes of Mauna Loa on Monday.", True),
        ("Related stories: where you can still buy toilet paper this week.", True),
        ("The browser debuted in 1995.", False),
        ('"We are ready," she said.', False),
    ],
)
def test_furniture_is_told_from_sentences(text: str, furniture: bool) -> None:
    assert is_furniture(text) is furniture


def test_the_candidate_with_what_is_asked_for_beats_a_closer_paraphrase() -> None:
    question = "Who was the designer of the dress Kim Kardashian wore?"
    echo = Candidate(0, 2, "Kim Kardashian wore the dress to the gala.", cosine=0.7)
    answer = Candidate(0, 3, "The dress was designed by Bob Mackie for Marilyn Monroe.", cosine=0.6)
    caption = Candidate(0, 4, "Kim Kardashian at the Met Gala", cosine=0.9)
    best = score_candidates(question, [echo, answer, caption], [1.0], lambda _t: 1.0)
    assert best[0] is answer and caption not in best


def test_a_headline_that_names_what_is_asked_leads_and_a_cut_one_never_does() -> None:
    question = "Which company recently cut ties with basketball star Kyrie Irving?"
    headline = Candidate(0, 0, "Nike cuts ties with Kyrie Irving", cosine=0.7)
    sentence = Candidate(0, 1, "Kyrie Irving has been criticised for weeks over a post he shared.", cosine=0.75)
    best = score_candidates(question, [headline, sentence], [1.0], lambda _t: 1.0)
    assert best[0] is headline
    # A headline naming nothing new (the question's own words) still does not lead.
    echo = Candidate(0, 0, "Kyrie Irving cuts ties with basketball", cosine=0.9)
    assert score_candidates(question, [echo, sentence], [1.0], lambda _t: 1.0)[0] is sentence
    # Nor does one its source cut short, against a sentence that names the answer too.
    cut = Candidate(0, 0, "Nike cuts ties with Kyrie Irving as ...", cosine=0.9)
    naming = Candidate(0, 2, "On Friday, Nike said it would no longer work with Kyrie Irving.", cosine=0.7)
    assert score_candidates(question, [cut, naming], [1.0], lambda _t: 1.0)[0] is naming


def test_a_possessive_of_a_name_the_question_gives_is_nothing_new() -> None:
    question = "Who was the first guest on the Spotify podcast Archetypes of Meghan Markle?"
    echo = Candidate(0, 0, "Meghan Markle's first Spotify series Archetypes coming this summer", cosine=0.73)
    naming = Candidate(1, 0, "Meghan Markle, Serena Williams on ambition in Archetypes podcast", cosine=0.58)
    best = score_candidates(question, [echo, naming], [1.0, 1.0], lambda _t: 1.0)
    assert best[0] is naming and echo.things == [] and "Serena" in naming.things


def test_a_number_with_the_unit_asked_for_beats_a_closer_sentence_without_it() -> None:
    question = "What percentage of babies in England were born out of wedlock last year?"
    close = Candidate(
        0, 1, "Most babies were born out of wedlock last year, for the first time since records began in 1845.", 0.78
    )
    share = Candidate(0, 2, "Of 624,828 live births registered, 320,713 were to unmarried women: 51.3% of the total.", 0.57)
    assert score_candidates(question, [close, share], [1.0], lambda _t: 1.0)[0] is share
    # "How many" asks for no unit: the closer sentence with a figure still leads.
    assert score_candidates("How many babies were born out of wedlock?", [close, share], [1.0], lambda _t: 1.0)[0] is close


def test_a_figure_in_digits_beats_one_in_words_for_how_many() -> None:
    question = "Approximately how many baby swings were recalled this week?"
    vague = Candidate(0, 1, "Millions of baby swings and rockers that pose a risk to infants have been recalled.", cosine=0.8)
    exact = Candidate(0, 3, "The recall affects 2 million MamaRoo swings and 220,000 RockaRoo rockers.", cosine=0.58)
    assert score_candidates(question, [vague, exact], [1.0], lambda _t: 1.0)[0] is exact


def test_another_storys_headline_naming_what_is_asked_may_follow_the_lead() -> None:
    lead = Candidate(0, 2, "Meghan launched her podcast Archetypes on Spotify this week.", 0.7, score=3.0, things=["Spotify"])
    more = Candidate(0, 5, "The series runs for twelve episodes.", 0.5, score=2.0)
    headline = Candidate(
        1, 0, "Meghan Markle, Serena Williams on ambition in Archetypes podcast", 0.6, score=2.9, things=["Serena"]
    )
    chosen = choose_quotes("Who was the first guest on the podcast?", [lead, headline, more])
    assert chosen == [lead, headline]
    # A headline that names nothing asked for does not follow ("what did ... say" asks for no name).
    assert choose_quotes("What did Meghan say about the podcast?", [lead, headline, more]) == [lead]


@pytest.mark.parametrize(
    ("question", "text", "held"),
    [
        ("How long is she facing in prison?", "She is serving her 20-year sentence.", True),
        ("How long is she facing in prison?", "She was convicted on five charges.", False),
        ("How much loan forgiveness will borrowers receive?", "You can get up to $20,000 forgiven.", True),
        ("How much did the painting sell for?", "It sold for 1.5bn yen at the auction.", True),
        ("What percentage voted yes?", "Some 55 per cent voted yes.", True),
        ("What percentage voted yes?", "Some 55 voters said yes.", False),
    ],
)
def test_number_units(question: str, text: str, held: bool) -> None:
    unit = number_unit(question)
    assert unit is not None and unit.held_by(text, [(m.group(0), m.start()) for m in re.finditer(r"\d[\d,.]*", text)]) is held


def test_a_headline_that_answers_is_followed_by_its_story(engine: AnswerEngine) -> None:
    answer = engine.ask("Who shared the 1993 Nobel Peace Prize?", now=datetime(2022, 12, 30, tzinfo=UTC))
    assert answer.found
    assert answer.answer.startswith("On 15 October 1993: Mandela and de Klerk share the Nobel Peace Prize [1] ")
    assert answer.answer.count("[1]") >= 2  # the headline, then a sentence of its story


def test_containment_is_normalised() -> None:
    assert normalise("\u201cSquid Game\u201d") == "squid game"
    assert contains_answer("Netflix renewed Squid Game for a second season.", ["\u201cSquid Game\u201d"])
    assert contains_answer("It raised $1,000,000 in a day.", ["$1000000"])
    assert not contains_answer("The Squidward show", ["Squid"])  # whole words only
    assert contains_answer("Pel\u00e9 died at 82.", ["Pele"])


def test_halves_are_fixed_by_the_question_id() -> None:
    halves = {qid: half_of(qid) for qid in (f"2022{n:04d}_1" for n in range(200))}
    assert set(halves.values()) == {"tune", "check"}
    assert 60 < sum(h == "tune" for h in halves.values()) < 140
    assert all(half_of(qid) == half for qid, half in halves.items())


def test_question_files_name_the_bad_line(tmp_path: Path) -> None:
    good = {"qid": "a", "question": "Who?", "answer": "Bob", "gold_ids": ["x"], "question_date": "2022/06/16"}
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"question": "no answer"}) + "\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"q.jsonl:3: an answerable question needs"):
        load_questions(path)
    unanswerable = load_questions(path, answerable=False)
    assert [c.answerable for c in unanswerable] == [False, False]
    assert unanswerable[0].as_of == datetime(2022, 6, 16, 23, 59, 59, 999999, tzinfo=UTC)
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"q.jsonl:1: not JSON"):
        load_questions(path)


def test_input_lines_plain_or_json_with_as_of() -> None:
    default = parse_as_of("2022-06-16")
    assert default == datetime(2022, 6, 16, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_line("What happened?", default).as_of == default
    line = parse_line('{"question": "Who won?", "as_of": "2022-12-18"}', None)
    assert line.question == "Who won?" and line.as_of == parse_as_of("2022-12-18") and line.error is None
    assert parse_line('{"question": "Who won?"}', default).as_of == default
    assert "question" in (parse_line('{"q": "Who won?"}', None).error or "")
    assert "YYYY-MM-DD" in (parse_line('{"question": "Who won?", "as_of": "last tuesday"}', None).error or "")
    assert "JSON" in (parse_line("{broken", None).error or "")


def test_scratch_store_is_reused_and_refuses_another_encoder(tmp_path: Path) -> None:
    encoder = HashingEncoder()
    db = tmp_path / "scratch.db"

    def embed(stories):
        from headlines.ask.embeddings import embed_stories

        return embed_stories(encoder, stories)

    store, embeddings, _ = open_scratch_store(STORIES, db, encoder_name=encoder.name, embed=embed)
    store.close(), embeddings.close()
    embedded = len(encoder.seen)
    assert embedded > 0
    store, embeddings, _ = open_scratch_store(STORIES, db, encoder_name=encoder.name, embed=embed)
    assert len(encoder.seen) == embedded and store.count() == len(STORIES)  # nothing re-embedded
    store.close(), embeddings.close()
    with pytest.raises(EvaluationError, match="holds vectors of test:hashing"):
        open_scratch_store(STORIES, db, encoder_name="other", embed=embed)


def test_cli_as_of_and_json_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headlines import container
    from headlines.cli.app import app
    from headlines.settings import get_settings

    db = tmp_path / "cli.db"
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger(), store=store, encoder=HashingEncoder(), embeddings=embeddings)
    pipeline.process_many(STORIES)
    store.close(), embeddings.close()
    monkeypatch.setenv("HEADLINES_DB", str(db))
    monkeypatch.setenv("HEADLINES_TAGGER", "exact")
    get_settings.cache_clear()
    monkeypatch.setattr(container, "get_encoder", lambda settings=None: HashingEncoder())
    runner = CliRunner()
    one = runner.invoke(app, ["ask", "--json", "--as-of", "2022-06-20", "What happened at Yellowstone National Park?"])
    assert one.exit_code == 0, one.output
    record = json.loads(one.stdout)
    assert record["answered"] is True and record["as_of"] == "2022-06-20"
    assert "park-later" not in [s["id"] for s in record["sources"]]
    lines = "\n".join(
        [
            json.dumps({"question": "What happened at Yellowstone National Park?", "as_of": "2022-07-05"}),
            "What happened at Yellowstone National Park?",
            json.dumps({"question": "Who won?", "as_of": "someday"}),
        ]
    )
    many = runner.invoke(app, ["ask", "--json", "--input", "-", "--as-of", "2022-06-20"], input=lines)
    assert many.exit_code == 1  # one bad line: reported, the others answered
    records = [json.loads(line) for line in many.stdout.splitlines()]
    assert [r.get("as_of") for r in records[:2]] == ["2022-07-05", "2022-06-20"]
    assert records[0]["sources"][0]["id"] == "park-later" and records[1]["sources"][0]["id"] == "park-june"
    assert "YYYY-MM-DD" in records[2]["error"]
    bad = runner.invoke(app, ["ask", "--as-of", "tomorrow", "q"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    get_settings.cache_clear()


def test_slack_shows_the_answer_or_the_refusal_as_of_the_real_now(engine: AnswerEngine) -> None:
    from headlines.slack.blocks import answer_message

    answered = engine.ask("What happened at Yellowstone National Park?")  # as the worker asks: no as-of date
    assert answered.as_of is None and answered.found
    message = answer_message(answered)
    assert message.blocks[0]["text"]["text"].startswith("On ") and "*Sources*" in json.dumps(message.blocks)
    refused = answer_message(engine.ask("Who won the 2024 Nobel Peace Prize?"))
    assert refused.blocks[0]["text"]["text"].startswith("I found nothing in stored news about")
    assert "*Closest stories*" in json.dumps(refused.blocks)


def test_eval_answers_command_builds_its_collaborators_and_scores_both_systems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`headlines eval answers` end to end: corpus in, questions asked as of their dates, JSON report out."""
    from headlines import container
    from headlines.cli.app import app
    from headlines.settings import get_settings

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(a.model_dump_json() + "\n" for a in STORIES), encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"qid": "q1", "question": "When did Microsoft retire Internet Explorer?", "answer": "Wednesday",
         "gold_ids": ["ie-retired"], "question_date": "2022-06-20"},
        {"qid": "q2", "question": "Who shared the Nobel Peace Prize with Mandela?", "answer": "de Klerk",
         "gold_ids": ["nobel-1993"], "question_date": "1993-10-20"},
    ]  # fmt: skip
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    unanswerable = tmp_path / "unanswerable.jsonl"
    unanswerable.write_text(json.dumps({"question": "Who won the 2031 Zorblax Cup?"}) + "\n", encoding="utf-8")
    monkeypatch.setenv("HEADLINES_TAGGER", "exact")
    get_settings.cache_clear()
    monkeypatch.setattr(container, "get_encoder", lambda settings=None: HashingEncoder())
    args = ["eval", "answers", "--questions", str(questions), "--corpus", str(corpus), "--unanswerable", str(unanswerable)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["stories"] == len(STORIES) and report["answerable"] == 2 and report["encoder"] == "test:hashing"
    (overall,) = [h for h in report["halves"] if h["half"] == "all"]
    systems = {r["system"]: r for r in overall["results"]}
    assert len(systems) == 2 and all(r["questions"] == 2 for r in systems.values())  # the engine and BM25, same run
    assert report["unanswerable"] == {**report["unanswerable"], "questions": 1, "refused": 1}
    missing = CliRunner().invoke(app, ["eval", "answers", "--questions", str(tmp_path / "none"), "--corpus", str(corpus)])
    assert missing.exit_code == 2 and "cannot read" in missing.output

"""The "I don't know" in Slack, end to end over signed HTTP: it names what the bot can answer and says whether
the question was passed on. A question near the topics that no card answers reaches the questions channel
and the content-gap list; one plainly outside hot spots policing does neither."""

from __future__ import annotations

from bot.core.questions import CAN_ANSWER
from tests.slack.conftest import Bot, direct_message
from tests.slack.fake_slack import FakeSlack


def reply_text(reply: object) -> str:
    """What the officer reads: the message's text and every block's."""
    return f"{getattr(reply, 'text', '')} {getattr(reply, 'blocks', '')}"


async def test_an_off_topic_question_is_refused_says_so_and_never_reaches_the_questions_channel(
    bot: Bot, fake: FakeSlack
) -> None:
    for n, question in enumerate(["how do I book annual leave over christmas?", "how do I turn on my phone hotspot",
                                  "when can I use section 136", "who won the match on saturday"]):
        assert await bot.event(direct_message("U0PC1", question), f"Ev0OFF{n}") == 200
    await bot.drain()

    replies = fake.in_channel("DU0PC1")
    assert len(replies) == 4
    for reply in replies:
        assert reply.text.startswith("I don't know: that is outside hot spots policing, so I have not passed it on.")
        assert CAN_ANSWER in reply.text and "Why about fifteen minutes".lower() in reply_text(reply)
        assert "Helpful" not in reply_text(reply)  # nothing to rate
    assert fake.in_channel("C0QUEST") == []
    assert len(bot.store.questions()) == 4 and bot.store.questions(unanswered_only=True) == []


async def test_a_question_near_the_topics_that_no_card_answers_is_passed_on_and_says_so(
    unanswering_bot: Bot, fake: FakeSlack
) -> None:
    bot = unanswering_bot
    await bot.event(direct_message("U0PC1", "why do we stay 15 minutes at a hot spot?"), "Ev0NEAR")
    await bot.event(direct_message("U0PC1", "can I carry my annual leave over?"), "Ev0LEAVE")
    await bot.drain()

    replies = fake.in_channel("DU0PC1")
    [near] = [r for r in replies if "stay 15 minutes" in reply_text(r)]
    [off] = [r for r in replies if "annual leave" in reply_text(r)]
    assert near.text.startswith("I don't know: none of the training cards answers that")
    assert "I have passed your question to the coordinators" in near.text and CAN_ANSWER in near.text
    assert "outside hot spots policing, so I have not passed it on" in off.text
    [forwarded] = fake.in_channel("C0QUEST")
    assert forwarded.text == "Unanswered question for the content team: \u201cwhy do we stay 15 minutes at a hot spot?\u201d"
    assert [q["text"] for q in bot.store.questions(unanswered_only=True)] == ["why do we stay 15 minutes at a hot spot?"]

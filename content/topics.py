"""The eleven fixed topic ids, in the order the training teaches them (see shared/evidence.md)."""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "what-is-hsp": "What hot spots policing is",
    "what-is-a-hot-spot": "What a hot spot is",
    "how-it-works": "How it works",
    "evidence": "The evidence",
    "displacement": "Displacement",
    "suppression": "Suppression and residual deterrence",
    "fifteen-minutes": "Why about fifteen minutes",
    "judgement-vs-data": "Judgement and data",
    "proactive-vs-reactive": "Proactive and reactive policing",
    "roles": "Who does what",
    "community": "The community",
}


def topic_title(topic: str) -> str:
    return TOPICS.get(topic, topic)

"""Machine translation for the drafts: the provider chain, a client per provider, LLMs drafting whole documents, the cache, the limits.

- `mt.engine`: the provider chain: cache lookups, masking, splitting, batching
- `mt.client`: one provider: connection slots, pace, deadlines, retries, breaker, budget
- `mt.adapters`: one adapter per provider, the providers' keys (environment or Prefect Secret blocks)
- `mt.drafter`: an LLM drafts whole documents: windows, rounds of smaller requests, tokens per document
- `mt.documents`: a document as an LLM sees it: title, date, units with ids, windows of context
- `mt.prompt`: what an LLM is told: house style, glossary, document, examples, the units as JSON
- `mt.llm`: one chat-completions request through the openai client (JSON schema or JSON mode)
- `mt.verdicts`: whether an LLM's answer holds a translation of each unit, judged one by one
- `mt.claims`: texts claimed in the cache while in flight, so no text is bought twice
- `mt.usage`: requests, characters, hits and failures, counted under one lock
- `mt.shared_limits`: a provider's rate limit shared across runs on a Prefect server
- `mt.transport`: what deep-translator's HTTP calls lack: a total deadline
- `mt.limits`: pacing requests within a provider's limits, across threads
- `mt.failures`: what went wrong with a request, in words, and what to do
- `mt.cache`: every translation paid for, so no text is paid for twice
- `mt.segments`: long texts split at sentence boundaries and joined back
"""

from traduco.mt.adapters import check_settings
from traduco.mt.engine import Engine, Result, Usage
from traduco.project.providers import PROVIDERS, language_code

__all__ = ["Engine", "Result", "Usage", "check_settings", "PROVIDERS", "language_code"]

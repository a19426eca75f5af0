"""Drafting with an LLM: whole documents in, every unit judged on its own.

    drafter = Drafter(client, locale, prompt, glossary, cache, usage)
    failures = drafter.send(texts, documents, formats, judge, finish)   # {text: why}, the rest finished

The texts an engine could not find in its cache go to the model grouped by
document, in windows (`documents.Document.windows`) that carry the document
around them, the glossary terms it uses, similar approved translations and the
house style (`prompt`). Each answer is judged unit by unit (`verdicts`, then the
project's checks through `judge`): a unit that passes is restored and finished
at once (cache, usage, its catalog); the others are asked for again in smaller
requests (half as many units, at most `SMALLER`, then one at a time; with less context), and what still fails comes back
with its reason, for the next provider of the chain or to wait. Nothing is ever
put in another unit's place: an answer only counts for the id it came under,
and only if it passes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import as_completed

from traduco.language import masking
from traduco.language.glossary import Glossary
from traduco.mt.cache import TranslationCache
from traduco.mt.documents import OVERLAP, Document, Window
from traduco.mt.failures import Failure
from traduco.mt.llm import Exchange, Reply, answer_ceiling, estimate_tokens
from traduco.mt.prompt import Prompt, Term
from traduco.mt.usage import UsageTable
from traduco.mt.verdicts import DraftCheck, judge as judge_reply
from traduco.project.providers import PROVIDERS

ROUNDS = 3               # requests a unit may be in, with one provider
SMALLER = 4              # at most this many units per request when failed units are asked for again


class Drafter:
    def __init__(self, client, locale: str, prompt: Prompt, glossary: Glossary | None,
                 cache: TranslationCache, usage: UsageTable):
        self.client, self.locale, self.prompt, self.glossary = client, locale, prompt, glossary
        self.cache, self.usage = cache, usage
        self.spec = PROVIDERS[client.name]
        self.budget = client.settings.provider(client.name).budget_tokens_per_month
        self._reserved = 0               # estimated tokens of requests in flight (the monthly budget)
        self._estimates: dict[Window, int] = {}
        self._asked: dict[Window, int] = {}      # estimated tokens of each request sent, for a reply without usage
        self._finished: set[str] = set()

    def send(self, texts: list[str], documents: Mapping[str, Document], formats: Mapping[str, Collection[str]],
             judge: DraftCheck | None, finish: Callable[[str, masking.Masked, str], None]) -> dict[str, str]:
        """Draft `texts`; `finish(text, masked, answer)` for each that passed.
        Returns why each of the others has no draft."""
        masks = {text: masking.protect(text, self.glossary.mask_terms(self.locale) if self.glossary else [],
                                       formats.get(text, ())) for text in texts}
        pending: dict[Document, list[str]] = defaultdict(list)
        for text in texts:
            if text in documents:
                pending[documents[text]].append(text)
        loose = [text for text in texts if text not in documents]
        if loose:
            pending[Document.loose(loose)] = loose
        failures: dict[str, str] = {}
        size = self.spec.batch_size
        for again in range(ROUNDS):
            if not pending:
                break
            if self.client.outage or self.client.stop:
                for todo in pending.values():
                    failures.update({t: self.client.outage or failures.get(t) or "the run was interrupted"
                                     for t in todo})
                break
            windows = [window for document, todo in pending.items()
                       for window in document.windows(todo, size, self.spec.max_chars, OVERLAP >> again,
                                                      whole=not again,
                                                      sizes={t: len(masks[t].text) for t in todo})]
            pending = defaultdict(list)
            failed = self._round(windows, masks, judge, finish)
            for window, why in failed.items():
                failures.update(why)
                pending[window.document] += list(why)
            # Asked again in smaller requests: a spoilt answer spoils less, a long prompt fits.
            size = 1 if again else max(1, min(SMALLER, (max(map(len, failed.values()), default=1) + 1) // 2))
        return {text: reason for text, reason in failures.items() if text not in self._finished}

    def _round(self, windows: list[Window], masks: dict[str, masking.Masked], judge: DraftCheck | None,
               finish) -> dict[Window, dict[str, str]]:
        """Send every window at once (the client keeps within limits); judge each answer."""
        futures, failed = {}, {}
        for window in windows:
            exchange = self._exchange(window, masks)
            spent = self._over_budget(exchange, window)
            if spent:
                failed[window] = {unit.text: spent for unit in window.asked}
            else:
                self._estimates[window] = exchange.tokens if self.budget is not None else 0
                self._asked[window] = exchange.tokens
                futures[self.client.submit(self.locale, exchange)] = window
        for future in as_completed(futures):
            window, outcome = futures[future], future.result()
            self._settled(window)
            failed[window] = self._judged(window, outcome, masks, judge, finish)
        return {window: why for window, why in failed.items() if why}

    def _judged(self, window: Window, outcome: Reply | Failure, masks, judge, finish) -> dict[str, str]:
        asked = {unit.id: unit.text for unit in window.asked}
        if isinstance(outcome, Failure):
            return {text: outcome.reason for text in asked.values()}
        self._spend(window.document, outcome, self._asked.pop(window, 0))
        verdict = judge_reply(outcome.content, outcome.finish_reason, outcome.refusal,
                              {unit: masks[text].text for unit, text in asked.items()}, self.locale,
                              self.client.name)
        why = {asked[unit]: reason for unit, reason in verdict.rejected.items()}
        for unit, answer in verdict.accepted.items():
            text = asked[unit]
            restored, _ = masking.restore(answer, masks[text])
            problems = judge(text, restored, self.locale) if judge else []
            if problems:
                why[text] = f"{self.client.name}: {problems[0]}"
            else:
                self._finished.add(text)
                finish(text, masks[text], answer)
        return why

    def _exchange(self, window: Window, masks: dict[str, masking.Masked]) -> Exchange:
        masked = {unit.id: masks[unit.text].text for unit in window.asked}
        messages = self.prompt.messages(window, masked, self._terms(window))
        answer = sum(len(text) for text in masked.values())
        return Exchange(messages, len(window.asked), sum(len(m["content"]) for m in messages),
                        estimate_tokens(messages, answer), answer_ceiling(answer))

    def _terms(self, window: Window) -> list[Term]:
        """The glossary terms the window's units use, with their notes."""
        if not self.glossary:
            return []
        text = "\n".join([window.document.title, *(unit.text for unit in window.context or window.asked)])
        return [Term(term.source, term.target(self.locale), term.note)
                for term in self.glossary.find(text) if term.target(self.locale)]

    # -- tokens: the month's budget, and what each document cost ------------------

    def _over_budget(self, exchange: Exchange, window: Window) -> str | None:
        if not self.client.budget.reserve(sum(len(unit.text) for unit in window.asked)):
            return (f"{self.client.name}: the character budget for this run ({self.client.budget.limit:,}) "
                    "is spent")
        if self.budget is None:
            return None
        if self.cache.tokens_spent(self.client.name, _month()) + self._reserved + exchange.tokens > self.budget:
            return (f"{self.client.name}: the token budget for this month ({self.budget:,}) is spent; "
                    f"raise budget_tokens_per_month in [tool.traduco.mt.providers.{self.client.name}] or wait")
        self._reserved += exchange.tokens
        return None

    def _settled(self, window: Window) -> None:
        self._reserved -= self._estimates.pop(window, 0)

    def _spend(self, document: Document, reply: Reply, estimate: int) -> None:
        # A server that reports no `usage` (llama.cpp builds, some proxies) still spends the budget.
        tokens = reply.prompt_tokens + reply.completion_tokens or estimate
        self.cache.spend_tokens(self.client.name, _month(), tokens)
        self.usage.count_document(document.doc_id, self.locale, calls=1, prompt_tokens=reply.prompt_tokens,
                                  completion_tokens=reply.completion_tokens)


def _month() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m")

"""The first batch's texts asked for while Prefect starts (`traduco run`).

A command that records its run on a Prefect API of its own waits seconds for
that API to start before the flow run, and so the drafting, can begin: on a
first run, most of the time nothing is in flight. Asking ahead spends those
seconds on the provider's pace instead:

    with asking_ahead(project):          # the CLI, before Prefect starts
        ...                              # Prefect starts; the flow runs
    ahead = taken(project)               # the run (`drafting.runs`): its engine and memories

It asks only what the run's first batch would ask, with the engine and the
translation memories the run then drafts with (`taken`): the batch finds the
answers in memory, so nothing is bought twice and the usage table counts each
request once. Catalogs, templates and the ledger are written by the run
alone, under its lock, in its flow run. Where the first batch cannot be
foreseen, or the run's limits are shared with others through a Prefect
server, it does not ask: git sync or web feeds (new sources come first),
documents to retire or to carry over, an LLM (its prompts hold the run's
context), Dask, a key from a Secret block, another run holding the project.
Anything going wrong here only means the run asks for itself.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from traduco.catalogs import pofile
from traduco.catalogs.extraction import extract, template_for
from traduco.catalogs.retirement import retired_dir
from traduco.checks.ledger import Ledger
from traduco.drafting.batches import refuse_huge_units
from traduco.drafting.drafts import pending_document
from traduco.drafting.memory import TranslationMemory
from traduco.drafting.unchanged import catalog_context, catalog_current, source_current
from traduco.errors import TraducoError
from traduco.language.glossary import load_glossary
from traduco.mt import Engine
from traduco.mt.adapters import environment_secret
from traduco.mt.shared_limits import limits_of
from traduco.project import files
from traduco.project.files import file_sha256
from traduco.project.loading import Project
from traduco.project.providers import PROVIDERS
from traduco.sources.documents import document_id, read_document, source_paths


@dataclass
class Ahead:
    """What is being asked ahead, handed over to the run it was asked for."""

    project: Project = field(repr=False)
    engine: Engine = field(repr=False)          # the run's engine, once taken
    view: Engine = field(repr=False)            # the engine as the first batch will see it
    memories: dict[str, TranslationMemory] = field(repr=False)
    asked: int = 0                              # texts asked for, every locale together
    problem: Exception | None = None            # why it stopped asking early (the run meets it too)
    _done: threading.Event = field(default_factory=threading.Event)
    _taken: threading.Event = field(default_factory=threading.Event)

    def fits(self, project: Project) -> bool:
        """The run is the one this was asked for: the same settings, and the
        glossary it would load (one edited meanwhile masks other terms)."""
        return self.project == project and load_glossary(project) == self.engine.glossary

    def ask(self) -> None:
        try:
            paths, _ = source_paths(self.project.sources_dir)
            first = _first_batch(self.project, paths[:self.project.batch_size], self.engine)
            with ThreadPoolExecutor(len(self.project.locales) or 1, thread_name_prefix="traduco-ahead") as pool:
                for asked in pool.map(lambda locale: self._ask_locale(first, locale), self.project.locales):
                    self.asked += asked
        except Exception as problem:      # the run asks for itself, and reports whatever this was
            self.problem = problem
        finally:
            self._done.set()

    def _ask_locale(self, templates: dict, locale: str) -> int:
        texts = []
        for doc_id, template in templates.items():
            texts += pending_document(self.project, doc_id, template, locale, self.memories[locale])[0]
        texts = list(dict.fromkeys(texts))
        # A few rounds of requests at a time: once the run takes over, it asks
        # the rest itself as soon as the round in flight is in. A provider whose
        # API takes a list gets full requests, as the run would send them.
        first = self.project.mt.chain_for(locale)[0]
        step = 2 * limits_of(self.project.mt, first).connections * PROVIDERS[first].batch_size
        for at in range(0, len(texts), step):
            if self._taken.is_set() or self.engine.stopping:
                return at
            self.view.translate(texts[at:at + step], locale)
        return len(texts)

    def take(self) -> None:
        """The run's first batch has what is in and gets what is in flight."""
        self._taken.set()
        self.engine.carry(self.view, self._done)

    def stop(self) -> None:
        self._taken.set()
        self.engine.stop()
        self._done.wait()
        self.engine.close()


_ahead: Ahead | None = None
_lock = threading.Lock()


@contextmanager
def asking_ahead(project: Project, alone: bool):
    """Ask for the first batch's texts in the background while the block runs
    (`alone`: this command's run shares no limits with any other). Whatever
    the run did not take is stopped and closed when the block ends."""
    global _ahead
    ahead = _start(project) if alone and worth_asking(project) else None
    with _lock:
        _ahead = ahead
    try:
        yield ahead
    finally:
        with _lock:
            left, _ahead = _ahead, None
        if left is not None:     # an error or Ctrl-C before the run took it
            left.stop()


def taken(project: Project) -> Ahead | None:
    """What was asked ahead for this run, its engine and memories now the run's;
    None when nothing was, or for another project or other settings."""
    global _ahead
    with _lock:
        ahead, _ahead = _ahead, None
    if ahead is None:
        return None
    try:
        fits = ahead.fits(project)
    except TraducoError:     # a glossary broken meanwhile: the run says so
        fits = False
    if not fits:
        ahead.stop()
        return None
    ahead.take()
    return ahead


def worth_asking(project: Project) -> bool:
    """The first batch can be foreseen, with the settings the run will use."""
    if (project.web and (project.web.get("feeds") or project.web.get("pages"))) or project.git is not None:
        return False
    if project.task_runner != "threads" or any(PROVIDERS[name].documents for name in project.mt.names()):
        return False
    if any((retired_dir(project) / "templates").glob("*.pot")):
        return False        # a new source may be a renamed one: the run carries its catalogs over
    paths, _ = source_paths(project.sources_dir)
    try:
        present = {document_id(path) for path in paths}
    except TraducoError:
        return False
    if not present or not set(project.doc_ids()) <= present:
        return False        # a document to retire first
    try:
        with files.exclusive(project.run_lock_path, "the project", wait=0):
            return True
    except TraducoError:     # another run holds the project: this one waits for it
        return False


def _start(project: Project) -> Ahead | None:
    if not all(_keys_in_environment(name) for name in project.mt.names()):
        return None
    try:
        engine = Engine.for_project(project)
    except TraducoError:       # the run says what is wrong
        return None
    memories = {locale: TranslationMemory.for_locale(project, locale) for locale in project.locales}
    ahead = Ahead(project, engine, engine.for_batch(), memories)
    threading.Thread(target=ahead.ask, name="traduco-ahead", daemon=True).start()
    return ahead


def _first_batch(project: Project, paths: list[Path], engine: Engine) -> dict:
    """The first batch's templates, as the run will extract them (written by the
    run, not here), for the catalogs the run will draft."""
    ledger = Ledger.for_project(project)
    contexts = {locale: catalog_context(project, engine.glossary, locale) for locale in project.locales}
    templates = {}
    for path in paths:
        try:
            doc_id = document_id(path)
            sha = file_sha256(project.template_path(doc_id))
            if source_current(ledger, path, file_sha256(path), sha):
                if all(catalog_current(project, ledger, doc_id, locale, sha, contexts[locale])
                       for locale in project.locales):
                    continue
                templates[doc_id] = pofile.read(project.template_path(doc_id))
                continue
            document = read_document(path)
            refuse_huge_units(document)
            templates[doc_id] = template_for(document, extract(document, project.root), project.root, project.name)
        except TraducoError:     # the run reports it
            continue
    return templates


def _keys_in_environment(name: str) -> bool:
    """Every key the provider may take is in the environment, where the run
    looks first: one only in a Prefect Secret block (even an optional one, as a
    LibreTranslate server's) is not known before Prefect is up, and no text goes
    out with other keys than the run's."""
    return all(environment_secret(variable) for variable in PROVIDERS[name].keys)

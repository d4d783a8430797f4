"""Issuers of badges: their Ed25519 keys (encrypted at rest), their DIDs, key rotation, and the trusted-issuer list.

**Keys at rest.** Each issuing organisation has Ed25519 keys. A private key is stored only encrypted: AES-256-GCM
(``cryptography``) under a key derived with HKDF-SHA256 from the **deployment secret**, with the public key bound as
associated data. The secret is never stored in the database and never logged. It is, in this order:

1. ``RAPID_SECRET_KEY``: a secret of at least 32 characters (e.g. ``python -c "import secrets;
   print(secrets.token_urlsafe(32))"``);
2. the key file ``RAPID_SECRET_KEY_FILE``; by default ``rapid-secret.key`` next to the SQLite workspace file (for
   another database, in the current folder). The file is made on first use with 32 random bytes and mode 0600; a
   file that others may read is refused.

**DIDs.** Without ``RAPID_PUBLIC_DOMAIN`` an issuer is named by ``did:key`` (the DID is its current key, so a
rotation gives it a new DID, and the old DID stays trusted). With ``RAPID_PUBLIC_DOMAIN=badges.example.org`` the
workspace's own organisation is ``did:web:badges.example.org`` (DID document at ``/.well-known/did.json``) and every
other organisation ``did:web:badges.example.org:issuers:REF`` (at ``/issuers/REF/did.json``, ``REF`` in lower case);
its document lists the current key first, then the retired ones, so badges signed before a rotation still verify.

**Trusted issuers.** The deployment's list of DIDs whose badges verification accepts. An issuer of this workspace is
added when its first key is made (and, with ``did:key``, each new key's DID on rotation); an admin of the workspace's
own organisation adds, removes, imports and exports entries (``rapid issuer trust ...``).

Settings (environment): ``RAPID_SECRET_KEY``, ``RAPID_SECRET_KEY_FILE``, ``RAPID_PUBLIC_DOMAIN`` and
``RAPID_BADGE_VALIDITY_YEARS`` (default 2).
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..badges import Ed25519KeyPair, TrustedIssuer, TrustedIssuerList, did_web, did_web_document
from ..badges.keys import did_key, did_key_verification_method
from ..domain.errors import NotFound, PermissionDenied, RapidError, ValidationError
from ..domain.records import check_text
from ..domain.sharing import Actor
from ..store.tables import Organisation
from ..store.tables_badges import IssuerKey, TrustedIssuerRecord
from . import audit
from .records import plain
from .workspace import Workspace

SECRET_ENV = "RAPID_SECRET_KEY"
SECRET_FILE_ENV = "RAPID_SECRET_KEY_FILE"
DOMAIN_ENV = "RAPID_PUBLIC_DOMAIN"
VALIDITY_ENV = "RAPID_BADGE_VALIDITY_YEARS"
SECRET_FILE_NAME = "rapid-secret.key"
MIN_SECRET_CHARS = 32
DEFAULT_VALIDITY_YEARS = 2
LOCAL_BASE_URL = "http://localhost:8000"
"""Where status lists are addressed without ``RAPID_PUBLIC_DOMAIN`` (the address of ``rapid serve``)."""
ENCRYPTION_PREFIX = "v1."
"""Marks the stored form: AES-256-GCM, HKDF-SHA256 key, 12-byte nonce, base64url."""
_HKDF_SALT = b"rapid-adoption/issuer-keys"
_HKDF_INFO = b"AES-256-GCM v1"
ROTATE_ROLES = ("admin",)
TRUST_ROLES = ("admin",)


class DeploymentSecretError(RapidError):
    """The deployment secret is missing, malformed, unsafe, or not the one an issuer key was encrypted under."""

    exit_code = 8
    http_status = 503


@dataclass(frozen=True)
class BadgeSettings:
    """The badge settings of a deployment (read from the environment).

    Attributes:
        public_domain: ``RAPID_PUBLIC_DOMAIN`` (lower-case host, optionally ``:port``), or None.
        validity_years: ``RAPID_BADGE_VALIDITY_YEARS``, whole years a badge stays valid (1-50).
        secret_file: the key file used when ``RAPID_SECRET_KEY`` is unset.
        secret: ``RAPID_SECRET_KEY``, or None (never shown in ``repr``).
    """

    public_domain: str | None
    validity_years: int
    secret_file: Path
    secret: str | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        """``https://DOMAIN`` with a public domain, else :data:`LOCAL_BASE_URL`."""
        return f"https://{self.public_domain}" if self.public_domain else LOCAL_BASE_URL


def badge_settings(workspace: Workspace, environ: Mapping[str, str] | None = None) -> BadgeSettings:
    """Read the badge settings from ``environ`` (default ``os.environ``) for ``workspace``.

    Raises:
        ValidationError: a malformed setting; the field names the variable.
    """
    env = os.environ if environ is None else environ
    domain = (env.get(DOMAIN_ENV) or "").strip() or None
    if domain is not None:
        try:
            did_web(domain)
        except ValidationError as error:
            raise ValidationError(error.message, field=DOMAIN_ENV) from None
    years_text = (env.get(VALIDITY_ENV) or "").strip() or str(DEFAULT_VALIDITY_YEARS)
    if not (years_text.isascii() and years_text.isdigit()) or not 1 <= int(years_text) <= 50:
        raise ValidationError(f"must be a whole number of years from 1 to 50, got {years_text!r}", field=VALIDITY_ENV)
    file_text = (env.get(SECRET_FILE_ENV) or "").strip()
    if file_text:
        secret_file = Path(file_text).expanduser()
    else:
        sqlite = workspace.sqlite_path()
        secret_file = (sqlite.parent if sqlite is not None else Path.cwd()) / SECRET_FILE_NAME
    secret = env.get(SECRET_ENV) or None
    return BadgeSettings(domain, int(years_text), secret_file.resolve(), secret)


# --- the deployment secret ---------------------------------------------------------------------------------------


def _read_key_file(path: Path) -> bytes:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise DeploymentSecretError(f"the key file {path} may be read by others: make it private "
                                    f"(chmod 600 {path})")
    text = path.read_text(encoding="ascii").strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, UnicodeError):
        raw = b""
    if len(raw) != 32:
        raise DeploymentSecretError(f"the key file {path} does not hold a 32-byte key (base64url): restore it")
    return raw


def deployment_secret(settings: BadgeSettings, *, create: bool) -> bytes:
    """The deployment secret's bytes: ``RAPID_SECRET_KEY``, else the key file (made on first use when ``create``).

    Raises:
        DeploymentSecretError: ``RAPID_SECRET_KEY`` is shorter than 32 characters; the key file is missing (and
            not ``create``), may be read by others, or is malformed; or it cannot be written.
    """
    if settings.secret is not None:
        if len(settings.secret) < MIN_SECRET_CHARS:
            raise DeploymentSecretError(f"{SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters long")
        return settings.secret.encode("utf-8")
    path = settings.secret_file
    if path.exists():
        return _read_key_file(path)
    if not create:
        raise DeploymentSecretError(f"the deployment secret is missing: set {SECRET_ENV}, or restore the key file "
                                    f"{path} the issuer keys were encrypted under")
    raw = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    except OSError as exc:
        raise DeploymentSecretError(f"cannot create the key file {path}: {exc.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") + "\n")
    return raw


def _aes(secret: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(secret)
    return AESGCM(key)


def _associated_data(public_key_multibase: str) -> bytes:
    return f"rapid-adoption issuer key {public_key_multibase}".encode("ascii")


def encrypt_private_key(secret: bytes, key_pair: Ed25519KeyPair) -> str:
    """The stored form of ``key_pair``'s private key under the deployment ``secret`` (see :class:`IssuerKey`)."""
    nonce = secrets.token_bytes(12)
    sealed = _aes(secret).encrypt(nonce, key_pair.private_key_bytes(), _associated_data(key_pair.public_key_multibase))
    return ENCRYPTION_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_private_key(secret: bytes, stored: str, public_key_multibase: str) -> Ed25519KeyPair:
    """The key pair whose private key ``stored`` holds (see :func:`encrypt_private_key`).

    Raises:
        DeploymentSecretError: the secret is not the one the key was encrypted under, or the stored value was
            altered (AES-GCM authenticates both), or it is malformed.
    """
    if not stored.startswith(ENCRYPTION_PREFIX):
        raise DeploymentSecretError(f"the stored key {public_key_multibase} has an unknown format")
    blob = base64.urlsafe_b64decode(stored[len(ENCRYPTION_PREFIX):])
    try:
        seed = _aes(secret).decrypt(blob[:12], blob[12:], _associated_data(public_key_multibase))
    except InvalidTag:
        raise DeploymentSecretError(
            f"cannot decrypt the issuer key {public_key_multibase}: the deployment secret ({SECRET_ENV} or the key "
            "file) is not the one it was encrypted under") from None
    pair = Ed25519KeyPair.from_private_bytes(seed)
    if pair.public_key_multibase != public_key_multibase:
        raise DeploymentSecretError(f"the stored key {public_key_multibase} does not match its public key")
    return pair


# --- DIDs --------------------------------------------------------------------------------------------------------


def did_web_path(org_ref: str, home: bool) -> tuple[str, ...]:
    """The did:web path segments of an organisation: none for the workspace's own, else ``("issuers", ref)``."""
    return () if home else ("issuers", org_ref.lower())


def issuer_did(settings: BadgeSettings, org_ref: str, home: bool, public_key_multibase: str) -> str:
    """The DID an organisation issues under now: ``did:web`` with a public domain, else the key's ``did:key``."""
    if settings.public_domain:
        return did_web(settings.public_domain, did_web_path(org_ref, home))
    return did_key(public_key_multibase)


def verification_method(did: str, public_key_multibase: str) -> str:
    """The verification method id of a key under ``did`` (``did:key:MB#MB`` or ``did:web:...#MB``)."""
    if did.startswith("did:key:"):
        return did_key_verification_method(public_key_multibase)
    return f"{did}#{public_key_multibase}"


@dataclass(frozen=True)
class SigningIssuer:
    """An organisation ready to sign: its DID, the key pair (with the private key), the verification method.

    Attributes:
        org_id, org_ref, org_name: the organisation.
        key_id: the :class:`IssuerKey` row.
        did: the issuer DID.
        key_pair: the decrypted key pair (never logged: its ``repr`` hides the secret).
        verification_method: the key's verification method id under ``did``.
        url: the issuer's web address (with a public domain), or None.
    """

    org_id: int
    org_ref: str
    org_name: str
    key_id: int
    did: str
    key_pair: Ed25519KeyPair
    verification_method: str
    url: str | None


def _org(session: Session, org_id: int) -> Organisation:
    return session.get(Organisation, org_id)


def _is_home(workspace: Workspace, org: Organisation) -> bool:
    return org.ref == workspace.home_org_ref()


def _keys(session: Session, org_id: int) -> list[IssuerKey]:
    """The organisation's keys, the current (not retired) first, then the retired, newest first."""
    rows = list(session.scalars(select(IssuerKey).where(IssuerKey.organisation_id == org_id)
                                .order_by(IssuerKey.id.desc())))
    return [r for r in rows if r.retired_at is None] + [r for r in rows if r.retired_at is not None]


def _trust(session: Session, actor: Actor, did: str, name: str, org_id: int | None, now) -> None:
    existing = session.scalar(select(TrustedIssuerRecord).where(TrustedIssuerRecord.did == did))
    if existing is not None:
        return
    row = TrustedIssuerRecord(did=did, name=name, organisation_id=org_id, added_by=actor.username, created_at=now,
                              updated_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "trusted_issuers", row.id, now=now,
                 after={"did": did, "name": name, "local": org_id is not None})


def _make_key(workspace: Workspace, session: Session, actor: Actor, org: Organisation, settings: BadgeSettings,
              now) -> tuple[IssuerKey, Ed25519KeyPair]:
    secret = deployment_secret(settings, create=True)
    pair = Ed25519KeyPair.generate()
    row = IssuerKey(organisation_id=org.id, public_key_multibase=pair.public_key_multibase,
                    encrypted_private_key=encrypt_private_key(secret, pair), created_by=actor.username,
                    created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "issuer_keys", row.id, now=now,
                 after={"organisation": org.ref, "public_key_multibase": pair.public_key_multibase})
    _trust(session, actor, issuer_did(settings, org.ref, _is_home(workspace, org), pair.public_key_multibase),
           org.name, org.id, now)
    return row, pair


def signing_issuer(workspace: Workspace, session: Session, actor: Actor, org_id: int) -> SigningIssuer:
    """The organisation's current key, ready to sign; its first key is made (and trusted) when it has none.

    Runs in the caller's transaction (the key and its audit entry commit with the badge).

    Raises:
        DeploymentSecretError: the deployment secret is missing or wrong (see :func:`deployment_secret`).
    """
    settings = badge_settings(workspace)
    org = session.execute(select(Organisation).where(Organisation.id == org_id).with_for_update()).scalar_one()
    keys = _keys(session, org.id)
    now = workspace.now()
    if keys and keys[0].retired_at is None:
        row = keys[0]
        pair = decrypt_private_key(deployment_secret(settings, create=False), row.encrypted_private_key,
                                   row.public_key_multibase)
    else:
        row, pair = _make_key(workspace, session, actor, org, settings, now)
    did = issuer_did(settings, org.ref, _is_home(workspace, org), row.public_key_multibase)
    if settings.public_domain:
        _trust(session, actor, did, org.name, org.id, now)
    return SigningIssuer(org.id, org.ref, org.name, row.id, did, pair, verification_method(did, row.public_key_multibase),
                         settings.base_url if settings.public_domain else None)


def key_for_did(workspace: Workspace, session: Session, org_id: int, did: str) -> tuple[Ed25519KeyPair, str]:
    """The key pair and verification method that sign for ``did`` (a status list of that DID).

    A ``did:key`` DID is one key (retired or not: a retired key still signs the status lists of the badges it
    issued, so they can be revoked); a ``did:web`` DID signs with the organisation's current key.

    Raises:
        NotFound: no key of the organisation belongs to ``did``.
        DeploymentSecretError: the deployment secret is missing or wrong.
    """
    settings = badge_settings(workspace)
    keys = _keys(session, org_id)
    if did.startswith("did:key:"):
        row = next((k for k in keys if did_key(k.public_key_multibase) == did), None)
    else:
        row = keys[0] if keys and keys[0].retired_at is None else None
    if row is None:
        raise NotFound(f"no issuer key of this workspace signs for {did}")
    pair = decrypt_private_key(deployment_secret(settings, create=False), row.encrypted_private_key,
                               row.public_key_multibase)
    return pair, verification_method(did, row.public_key_multibase)


def local_did_documents(workspace: Workspace, session: Session) -> dict[str, dict[str, Any]]:
    """The DID documents of this workspace's ``did:web`` issuers (``{did: document}``; empty without a domain)."""
    settings = badge_settings(workspace)
    if not settings.public_domain:
        return {}
    home = workspace.home_org_ref()
    out: dict[str, dict[str, Any]] = {}
    org_ids = list(dict.fromkeys(session.scalars(select(IssuerKey.organisation_id).order_by(IssuerKey.id))))
    for org_id in org_ids:
        org = _org(session, org_id)
        did = did_web(settings.public_domain, did_web_path(org.ref, org.ref == home))
        keys = [k.public_key_multibase for k in _keys(session, org_id)]
        out[did] = did_web_document(did, keys)
    return out


def did_document_at(workspace: Workspace, path: str) -> dict[str, Any]:
    """The DID document published at ``path`` (``/.well-known/did.json`` or ``/issuers/REF/did.json``).

    Raises:
        NotFound: no ``RAPID_PUBLIC_DOMAIN`` (issuers are did:key), or no issuer with keys at that path.
    """
    settings = badge_settings(workspace)
    if not settings.public_domain:
        raise NotFound("this deployment has no public domain (RAPID_PUBLIC_DOMAIN): its issuers are did:key, "
                       "whose documents come from the key itself")
    with workspace.uow.read() as session:
        documents = local_did_documents(workspace, session)
    for did, document in documents.items():
        segments = did.split(":")[3:]
        if path.strip("/") == ("/".join(segments) + "/did.json" if segments else ".well-known/did.json"):
            return document
    raise NotFound(f"no DID document at {path}")


# --- reading and rotating ----------------------------------------------------------------------------------------


def _resolve_org(session: Session, ref: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.ref == ref.strip().upper()))
    if org is None:
        raise NotFound(f"no organisation {ref!r} in this workspace")
    return org


def issuer_view(workspace: Workspace, actor: Actor, org_ref: str | None = None) -> dict[str, Any]:
    """An organisation's issuer identity (public information): DID, current and retired keys, DID document.

    Args:
        org_ref: the organisation (default the actor's).

    Returns:
        ``{"organisation", "name", "did", "did_method", "verification_method", "current_key": {public_key_multibase,
        created_at} or None, "retired_keys": [{public_key_multibase, created_at, retired_at, did}], "did_document"
        (did:web only, else None), "did_document_url" or None, "trusted": bool, "status_list_base"}``. ``did`` is
        None while the organisation has no key (its first badge makes one).

    Raises:
        NotFound: no such organisation.
    """
    settings = badge_settings(workspace)
    with workspace.uow.read() as session:
        org = _resolve_org(session, org_ref) if org_ref else _org(session, actor.org_id)
        keys = _keys(session, org.id)
        home = _is_home(workspace, org)
        current = keys[0] if keys and keys[0].retired_at is None else None
        did = issuer_did(settings, org.ref, home, current.public_key_multibase) if current else (
            did_web(settings.public_domain, did_web_path(org.ref, home)) if settings.public_domain else None)
        document = None
        if settings.public_domain and keys:
            document = did_web_document(did, [k.public_key_multibase for k in keys])
        trusted = did is not None and session.scalar(
            select(TrustedIssuerRecord.id).where(TrustedIssuerRecord.did == did)) is not None
        return plain({
            "organisation": org.ref, "name": org.name, "did": did,
            "did_method": "did:web" if settings.public_domain else "did:key",
            "verification_method": verification_method(did, current.public_key_multibase) if current else None,
            "current_key": {"public_key_multibase": current.public_key_multibase, "created_at": current.created_at}
            if current else None,
            "retired_keys": [{"public_key_multibase": k.public_key_multibase, "created_at": k.created_at,
                              "retired_at": k.retired_at,
                              "did": did if settings.public_domain else did_key(k.public_key_multibase)}
                             for k in keys if k.retired_at is not None],
            "did_document": document,
            "did_document_url": (f"{settings.base_url}/.well-known/did.json" if home else
                                 f"{settings.base_url}/issuers/{org.ref.lower()}/did.json")
            if settings.public_domain else None,
            "trusted": trusted,
            "status_list_base": f"{settings.base_url}/status/{org.ref}/",
        })


def rotate_key(workspace: Workspace, actor: Actor) -> dict[str, Any]:
    """Retire the actor's organisation's current key and make a new one (admin only; audited).

    Badges signed with the retired key keep verifying: with ``did:web`` its public key stays in the DID document,
    with ``did:key`` its DID stays on the trusted-issuer list (and the new key's DID is added).

    Returns:
        :func:`issuer_view` after the rotation, with ``"retired": the retired key's multibase or None``.

    Raises:
        PermissionDenied: the actor is not an admin.
        DeploymentSecretError: the deployment secret cannot be read or made.
    """
    if not actor.has_role(*ROTATE_ROLES):
        raise PermissionDenied(f"rotating the issuer key needs the role admin; {actor.username} has "
                               f"{', '.join(sorted(actor.roles)) or 'none'}")
    settings = badge_settings(workspace)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        org = session.execute(select(Organisation).where(Organisation.id == actor.org_id).with_for_update()).scalar_one()
        keys = _keys(session, org.id)
        retired = None
        if keys and keys[0].retired_at is None:
            deployment_secret(settings, create=False)  # refuse before anything changes when the secret is gone
            keys[0].retired_at = now
            keys[0].updated_at = now
            retired = keys[0].public_key_multibase
            audit.record(session, actor, "retire", "issuer_keys", keys[0].id, now=now,
                         after={"organisation": org.ref, "public_key_multibase": retired, "retired_at": now})
        _make_key(workspace, session, actor, org, settings, now)
    return {**issuer_view(workspace, actor), "retired": retired}


# --- the trusted-issuer list -------------------------------------------------------------------------------------


def _require_trust_admin(workspace: Workspace, actor: Actor) -> None:
    if not actor.has_role(*TRUST_ROLES) or actor.org_ref != workspace.home_org_ref():
        raise PermissionDenied(f"the trusted-issuer list is the deployment's: only an admin of "
                               f"{workspace.home_org_ref()} may change it")


def trusted_list(workspace: Workspace, session: Session | None = None) -> TrustedIssuerList:
    """The deployment's trusted-issuer list, with the DID documents of this workspace's did:web issuers."""
    if session is None:
        with workspace.uow.read() as s:
            return trusted_list(workspace, s)
    local = local_did_documents(workspace, session)
    issuers = []
    for row in session.scalars(select(TrustedIssuerRecord).order_by(TrustedIssuerRecord.did)):
        document = row.did_document if row.did_document is not None else local.get(row.did)
        issuers.append(TrustedIssuer(row.did, row.name, document))
    return TrustedIssuerList(issuers)


def list_trusted(workspace: Workspace) -> list[dict[str, Any]]:
    """The trusted issuers (public information), by DID: ``[{"did", "name", "local": bool, "organisation",
    "has_did_document", "added_by", "added_at"}]``."""
    with workspace.uow.read() as session:
        rows = session.execute(select(TrustedIssuerRecord, Organisation.ref).outerjoin(
            Organisation, Organisation.id == TrustedIssuerRecord.organisation_id).order_by(TrustedIssuerRecord.did))
        return plain([{"did": r.did, "name": r.name, "local": r.organisation_id is not None, "organisation": ref,
                       "has_did_document": r.did_document is not None, "added_by": r.added_by,
                       "added_at": r.created_at} for r, ref in rows])


def add_trusted(workspace: Workspace, actor: Actor, did: str, name: str,
                did_document: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Trust ``did`` (replacing the name and document of an entry already there); audited.

    Raises:
        PermissionDenied: not an admin of the workspace's own organisation.
        ValidationError: not a DID (field ``did``), an empty name (field ``name``), a DID document of another DID
            (field ``did_document``).
    """
    _require_trust_admin(workspace, actor)
    did = (did or "").strip()
    name = check_text(name, "name", max_length=300)
    try:
        TrustedIssuerList([TrustedIssuer(did, name, did_document)])
    except ValidationError as error:
        raise ValidationError(error.message, field={"id": "did", "didDocument": "did_document"}.get(
            error.field, error.field)) from None
    now = workspace.now()
    with workspace.uow.transaction() as session:
        _put_trusted(session, actor, did, name, did_document, now)
    return {"did": did, "name": name}


def _put_trusted(session: Session, actor: Actor, did: str, name: str, document: Mapping[str, Any] | None, now) -> str:
    row = session.scalar(select(TrustedIssuerRecord).where(TrustedIssuerRecord.did == did))
    if row is None:
        row = TrustedIssuerRecord(did=did, name=name, did_document=dict(document) if document else None,
                                  added_by=actor.username, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        audit.record(session, actor, "create", "trusted_issuers", row.id, now=now, after={"did": did, "name": name})
        return "added"
    new_document = dict(document) if document else row.did_document
    if row.name == name and row.did_document == new_document:
        return "unchanged"
    before = {"did": row.did, "name": row.name, "has_did_document": row.did_document is not None}
    row.name, row.did_document, row.updated_at = name, new_document, now
    audit.record(session, actor, "update", "trusted_issuers", row.id, now=now, before=before,
                 after={"did": did, "name": name, "has_did_document": new_document is not None})
    return "updated"


def remove_trusted(workspace: Workspace, actor: Actor, did: str) -> None:
    """Stop trusting ``did``; audited. Badges of that issuer then fail the ``trusted_issuer`` check.

    Raises:
        PermissionDenied: not an admin of the workspace's own organisation.
        NotFound: ``did`` is not on the list.
    """
    _require_trust_admin(workspace, actor)
    now = workspace.now()
    with workspace.uow.transaction() as session:
        row = session.scalar(select(TrustedIssuerRecord).where(TrustedIssuerRecord.did == did.strip()))
        if row is None:
            raise NotFound(f"{did.strip()} is not on the trusted-issuer list ('rapid issuer trust list' shows it)")
        audit.record(session, actor, "delete", "trusted_issuers", row.id, now=now,
                     before={"did": row.did, "name": row.name})
        session.delete(row)


def import_trusted(workspace: Workspace, actor: Actor, text: str, *, file: str | None = None) -> dict[str, int]:
    """Merge a trusted-issuer list export (JSON, see :class:`rapid_adoption.badges.TrustedIssuerList`) into the
    deployment's list, in one transaction; audited per entry.

    Returns:
        ``{"added": n, "updated": n, "unchanged": n}``.

    Raises:
        PermissionDenied: not an admin of the workspace's own organisation.
        ValidationError: the file is not such a list (its file and field named); nothing is written.
    """
    _require_trust_admin(workspace, actor)
    imported = TrustedIssuerList.from_json(text, file=file)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    now = workspace.now()
    with workspace.uow.transaction() as session:
        for issuer in imported:
            counts[_put_trusted(session, actor, issuer.id, issuer.name, issuer.did_document, now)] += 1
    return counts


def export_trusted(workspace: Workspace) -> str:
    """The trusted-issuer list as JSON (``RapidAdoptionTrustedIssuerList`` version 1), with the DID documents of
    this workspace's did:web issuers, so another deployment verifies their badges offline."""
    return trusted_list(workspace).to_json()


__all__ = ["BadgeSettings", "DOMAIN_ENV", "DeploymentSecretError", "SECRET_ENV", "SECRET_FILE_ENV", "SigningIssuer",
           "VALIDITY_ENV", "add_trusted", "badge_settings", "decrypt_private_key", "deployment_secret",
           "did_document_at", "encrypt_private_key", "export_trusted", "import_trusted", "issuer_did", "issuer_view",
           "key_for_did", "list_trusted", "local_did_documents", "remove_trusted", "rotate_key", "signing_issuer",
           "trusted_list", "verification_method"]

"""The quickstart's multi-nation sharing example: four analysts in four nations, a Nordic-Baltic
sharing group, and assessments of real EDF projects shared in different ways.

The assessments' judgements (TRL, MRL, fit) are examples for showing the sharing model, marked as
such in their sources; the solutions and needs they are about are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..domain.sharing import Actor
from ..store.tables import Setting, SharingGroup, User
from . import assessments, sharing
from .assessments import AssessmentInput
from .auth import actor_for_username, create_user
from .workspace import Workspace

GROUP = "Nordic-Baltic"
GROUP_NATIONS = ("DNK", "EST", "FIN", "ISL", "LTU", "LVA", "NOR", "SWE")
USERS = (("nor.analyst", "NOR", "analyst"), ("est.analyst", "EST", "analyst"), ("deu.analyst", "DEU", "analyst"),
         ("fra.viewer", "FRA", "viewer"))
SETTING_KEY = "example_assessments"
EXAMPLE_SOURCE = "quickstart example assessment (illustrative judgement, not an official one)"

# (user, solution, need, TRL, MRL, fit, distribution, TLP, group, releasable to, strengths)
ASSESSMENTS = (
    ("nor.analyst", "EDF-101121408", "EDF-2022-DA-NAVAL-MSAS", 6, 5, 80, "sharing_group", "AMBER", GROUP, "",
     "Autonomous surface vessel fits Nordic littoral patrol"),
    ("nor.analyst", "EDF-101168134", "EDF-2023-DA-UWW-ASW", 5, 4, 70, "organisation", "AMBER+STRICT", None, "",
     "Seabed warfare capability of national interest"),
    ("est.analyst", "EDF-101167796", "EDF-2023-DA-AIRDEF-CUAS", 6, 6, 85, "community", "GREEN", None, "EST,LVA,LTU",
     "Counter-UAS layers suited to Baltic border surveillance"),
    ("deu.analyst", "EDF-101168046", "EDF-2023-DA-C4ISR-TRPAS", 7, 6, 75, "community", "CLEAR", None, "",
     "Tactical UAV certification path is clear"),
    ("deu.analyst", "EDF-101168237", "EDF-2023-DA-SPACE-SSA", 5, 4, 60, "organisation", "AMBER", None, "",
     "Space situational awareness: early, promising"),
)


@dataclass
class SharingExample:
    """What the example set up, and what each example user can see.

    Attributes:
        created: False when a previous run had already set it up.
        visible: user name -> ids of the assessments that user sees.
        assessments: the example assessments' ids in :data:`ASSESSMENTS` order.
    """

    created: bool = False
    visible: dict[str, list[int]] = field(default_factory=dict)
    assessments: list[int] = field(default_factory=list)


def build_sharing_example(workspace: Workspace) -> SharingExample:
    """Create the example users, the group and the assessments (once), then read what each user sees.

    Running it again creates nothing.
    """
    example = SharingExample()
    with workspace.uow.read() as session:
        exists = session.scalar(select(SharingGroup.id).where(SharingGroup.name == GROUP)) is not None
        have_users = set(session.scalars(select(User.username).where(User.username.in_([u for u, _, _ in USERS]))))
    if not exists:
        example.created = True
        for username, nation, role in USERS:
            if username not in have_users:
                create_user(workspace, None, username, nation, [role], display_name=f"Example {role} ({nation})")
        nor = actor_for_username(workspace, "nor.analyst")
        sharing.create_group(workspace, nor, GROUP, "Nordic and Baltic allies' market research (example)")
        for nation in GROUP_NATIONS:
            if nation != "NOR":
                sharing.add_member(workspace, nor, GROUP, nation=nation)
        actors: dict[str, Actor] = {}
        for user, solution, need, trl, mrl, fit, distribution, tlp, group, rel_to, strengths in ASSESSMENTS:
            actors[user] = actor_for_username(workspace, user)  # after the group exists, so it knows its groups
            view = assessments.create(
                workspace, actors[user], solution, AssessmentInput(trl=trl, mrl=mrl, fit_0_to_100=fit, strengths=strengths,
                                                                  sources=(EXAMPLE_SOURCE,)),
                need=need, distribution=distribution, tlp=tlp, group=group, releasable_to=rel_to)
            example.assessments.append(view["id"])
        with workspace.uow.transaction() as session:
            session.add(Setting(key=SETTING_KEY, value=",".join(map(str, example.assessments))))
    else:
        with workspace.uow.read() as session:
            stored = session.scalar(select(Setting.value).where(Setting.key == SETTING_KEY)) or ""
        example.assessments = [int(x) for x in stored.split(",") if x]
    for username, _, _ in USERS:
        actor = actor_for_username(workspace, username)
        _, rows = assessments.list_visible(workspace, actor, limit=1000)
        example.visible[username] = sorted(r["id"] for r in rows)
    return example

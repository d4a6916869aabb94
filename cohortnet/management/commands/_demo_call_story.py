"""The demo open call's story, as programme staff would write it in the admin (Markdown).

Kept beside ``seed_demo`` (a leading underscore: Django does not take it for a
command) so the command stays about rows and their order, not prose.
"""

DESCRIPTION = """\
We are looking for organisations that steward open data to join a funded peer learning network for six months.

Members meet in **roundtables** on four shared themes, get to know one another at **networking events**, \
work through common problems in **workshops**, and can book **one-to-one support** with the programme team. \
Between sessions the cohort talks in its group chat and mailing list, and shares guidance, reading and \
introductions to experts.

This is the network's third cohort. The first brought together six early-stage data collaborations; \
the second, mature organisations whose purpose is to steward open data."""

ELIGIBILITY = """\
**Established organisations whose purpose is to steward open data**: data that anyone can access, use and share.

- You publish and look after open data that others rely on, such as a register of companies or an open map \
of facilities.
- People at your organisation can give time to the cohort between its start and end dates.
- You are willing to contribute what you learn to a published output.

This call is not for nascent projects, nor for data shared only among a closed group of organisations."""

MEMBERS_GET = """\
- **Up to £20,000** for your organisation, paying for the time your people spend with the network and \
sharing what they know over the six months.
- **Peers** facing the same problems, in roundtables, networking events and workshops.
- **One-to-one support** from the programme team, and introductions to experts.
- **Shared guidance and reading**, and a place in the cohort's chat rooms and mailing list."""

MEMBERS_GIVE = """\
- **Time and experience**: come to the roundtables and workshops, and say what has and has not worked for you.
- **A contribution to the published output**: the programme team writes up each theme from members' \
contributions and roundtable notes; you sign off what it says about your organisation before it is \
published openly under CC BY 4.0.
- **Short reports** on your progress and at the end, with the time you spent, which the funder needs."""

#: (question, answer in Markdown), in the order the call page lists them.
FAQ = [
    (
        "How much funding is there, and what is it for?",
        "Each member organisation can receive **up to £20,000**. It pays for the time your people spend taking "
        "part and sharing what they learn over the six months; it is not a grant for a separate project. "
        "It is paid in instalments, some of them once a progress report is accepted.",
    ),
    (
        "Can we save the application and finish it later?",
        "Yes. The form saves as you type, so you can close it and come back; only people at your organisation "
        "can see it. Nothing reaches us until you press **Submit**, which you need to do before the call closes.",
    ),
    (
        "What happens after the call closes?",
        "Reviewers score each application against the call's criteria, and we may invite some organisations "
        "to a conversation. Every applicant hears from us by the decisions date in the timeline, with feedback "
        "if you are not selected this time.",
    ),
    (
        "How much time will it take?",
        "Plan for a roundtable or workshop most months, plus time to prepare, to write your contribution to "
        "the output and to report on your progress. The application asks how much time you can commit.",
    ),
    (
        "What is the published output?",
        "A write-up, theme by theme, of the issues the cohort discussed and what it learned, for anyone working "
        "with open data. Each organisation signs off what it says about them, people are credited as they "
        "choose, and it is published under an open licence (CC BY 4.0).",
    ),
    (
        "Can more than one person from our organisation take part?",
        "Yes. One person applies on the organisation's behalf; once you are a member, your lead contact can "
        "invite colleagues to join the cohort's events and conversations.",
    ),
]

#: Each programme theme's colour token and description, by slug: distinct colours so badges tell them apart.
THEMES = {
    "barriers-to-publishing": (
        "indigo",
        "What stops organisations publishing open data that is accurate, complete and kept up to date, "
        "and how others got past it.",
    ),
    "sustainability": (
        "amber",
        "Paying for open data over the long run: for example paid enterprise APIs alongside free access, "
        "services, memberships and grants.",
    ),
    "collaborative-data": (
        "teal",
        "Ways of collecting and maintaining data together with contributors, volunteers and partner organisations.",
    ),
    "diversity-equity-inclusion": (
        "rose",
        "Who collects, publishes and uses open data, whose needs it meets, and how to widen both.",
    ),
}

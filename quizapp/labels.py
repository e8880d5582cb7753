"""Human labels for tags such as project:cpec or unit:water-cycle. Any kind:value tag is a
topic; the article's three kinds come first, then a teacher's own kinds, then plain tags.
The article's kinds are named in the reader's language; a tag's own words stay as written."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACRONYMS = {"ai": "AI", "cpec": "CPEC", "un": "UN", "sgc": "SGC", "eu": "EU"}
KINDS = {"theme": _l("Theme"), "project": _l("Project"), "position": _l("Position"),
         "skill": _l("Skill")}
GROUPS = {"theme": _l("Themes"), "project": _l("Projects"), "position": _l("Positions"),
          "skill": _l("Skills")}
PLAIN = _l("Tags")  # the group of tags with no kind


def tag_name(tag: str) -> str:
    """'project:europe-asia-bridge' -> 'Europe asia bridge'; acronyms kept upper-case."""
    name = tag.partition(":")[2]
    words = [ACRONYMS.get(w, w) for w in (name or tag).split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def tag_label(tag: str) -> str:
    """'project:cpec' -> 'Project: CPEC'; a tag with no kind is its name alone."""
    kind, colon, _rest = tag.partition(":")
    if not colon:
        return tag_name(tag)
    return _("%(kind)s: %(name)s", kind=KINDS.get(kind, kind.replace("-", " ").capitalize()),
             name=tag_name(tag))


def tag_group(tag: str) -> str:
    """The heading a topic is listed under: 'Themes', or a teacher's kind ('Unit')."""
    kind, colon, _rest = tag.partition(":")
    if not colon:
        return str(PLAIN)
    return str(GROUPS.get(kind, kind.replace("-", " ").capitalize()))


def topic_order(tag: str) -> tuple:
    """Sort key: the article's kinds in their order, then other kinds (by name), then plain
    tags; the same in every language."""
    kind, colon, _rest = tag.partition(":")
    rank = list(GROUPS).index(kind) if kind in GROUPS else (len(GROUPS) if colon else 99)
    return (rank, kind.replace("-", " ").capitalize() if colon else "", tag)

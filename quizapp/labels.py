"""Human labels for tags such as project:cpec or unit:water-cycle. Any kind:value tag is a
topic; the article's three kinds come first, then a teacher's own kinds, then plain tags."""

ACRONYMS = {"ai": "AI", "cpec": "CPEC", "un": "UN", "sgc": "SGC", "eu": "EU"}
KINDS = {"theme": "Theme", "project": "Project", "position": "Position"}
GROUPS = {"theme": "Themes", "project": "Projects", "position": "Positions"}
PLAIN = "Tags"  # the group of tags with no kind


def tag_name(tag: str) -> str:
    """'project:europe-asia-bridge' -> 'Europe asia bridge'; acronyms kept upper-case."""
    _, _, name = tag.partition(":")
    words = [ACRONYMS.get(w, w) for w in (name or tag).split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def tag_label(tag: str) -> str:
    """'project:cpec' -> 'Project: CPEC'; a tag with no kind is its name alone."""
    kind, colon, _ = tag.partition(":")
    if not colon:
        return tag_name(tag)
    return f"{KINDS.get(kind, kind.replace('-', ' ').capitalize())}: {tag_name(tag)}"


def tag_group(tag: str) -> str:
    """The heading a topic is listed under: 'Themes', or a teacher's kind ('Unit')."""
    kind, colon, _ = tag.partition(":")
    if not colon:
        return PLAIN
    return GROUPS.get(kind, kind.replace("-", " ").capitalize())


def topic_order(tag: str) -> tuple:
    """Sort key: the article's kinds in their order, then other kinds, then plain tags."""
    kind, colon, _ = tag.partition(":")
    rank = list(GROUPS).index(kind) if kind in GROUPS else (len(GROUPS) if colon else 99)
    return (rank, tag_group(tag), tag)

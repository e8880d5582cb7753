"""Human labels for tags such as project:cpec or position:un-resolutions."""

ACRONYMS = {"ai": "AI", "cpec": "CPEC", "un": "UN", "sgc": "SGC", "eu": "EU"}
KINDS = {"theme": "Theme", "project": "Project", "position": "Position"}


def tag_name(tag: str) -> str:
    """'project:europe-asia-bridge' -> 'Europe asia bridge'; acronyms kept upper-case."""
    _, _, name = tag.partition(":")
    words = [ACRONYMS.get(w, w) for w in (name or tag).split("-")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def tag_label(tag: str) -> str:
    """'project:cpec' -> 'Project: CPEC'."""
    kind, _, _ = tag.partition(":")
    return f"{KINDS.get(kind, kind.capitalize())}: {tag_name(tag)}"

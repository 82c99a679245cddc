"""Below every stage: the facts they all share (the config, the input roles, the front end's arithmetic,
the parts), importing nothing else of the repository."""

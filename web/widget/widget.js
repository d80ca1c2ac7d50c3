// The webchat widget is being written; see web/README.md.

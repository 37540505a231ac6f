"""The studio's screens: the editor, and the modal dialogs it opens."""

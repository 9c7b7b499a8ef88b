"""``python -m llmqa``: the same as the ``llmqa`` command."""

from llmqa.cli import main

if __name__ == "__main__":
    main()

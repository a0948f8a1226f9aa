"""Shared fixtures: the real emoji-v1 dataset when it is built, skipped with the reason otherwise."""

from __future__ import annotations

import pytest

from tessera_models.data.emoji import DatasetMissingError, EmojiDataset, load_emoji


@pytest.fixture(scope="session")
def emoji32() -> EmojiDataset:
    try:
        return load_emoji(size=32)
    except DatasetMissingError as err:
        pytest.skip(str(err))

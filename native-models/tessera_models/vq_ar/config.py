"""Experiment configuration for `vq-ar`: one dataclass tree, one module per experiment."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from tessera_models.common.sampling import SamplingSettings
from tessera_models.vq_ar.image_tokenizer import ImageTokenizerConfig
from tessera_models.vq_ar.preset_names import PRESETS
from tessera_models.vq_ar.transformer import TransformerConfig


@dataclass
class TokenizerTraining:
    batch_size: int = 64
    steps: int = 6000
    lr: float = 2e-3
    warmup: int = 200
    weight_decay: float = 0.0
    eval_every: int = 500
    minutes: float | None = None  # stop early when the wall-clock budget is spent


@dataclass
class TransformerTraining:
    batch_size: int = 64
    steps: int = 4000
    lr: float = 1e-3
    warmup: int = 200
    weight_decay: float = 0.1
    eval_every: int = 250
    minutes: float | None = None
    # The CM3 training mix (docs/models.md §vq-ar sequences).
    p_text_to_image: float = 0.5
    p_caption_infill: float = 0.2
    p_image_infill: float = 0.3
    p_caption_dropout: float = 0.1
    p_style_token: float = 0.8
    # Skin-tone variants are 44% of images; down-weighting them spends steps on distinct concepts.
    skin_tone_weight: float = 0.35
    # EXPERIMENTAL (retrieval_training.py; the shipped model uses none of the next four).
    # Retrieval augmentation (CM3Leon): the share of examples that get one retrieved document
    # from the training split, the share of query words dropped, and how many of the most
    # relevant documents one is drawn from.
    p_retrieval: float = 0.0
    query_dropout: float = 0.2
    retrieval_candidates: int = 2
    # Self views (self_views.py): the share of image tasks given a document that get a view of
    # their own image instead, falling linearly from the first value to the second over the run.
    p_self_view: tuple[float, float] = (0.0, 0.0)
    # Target augmentation: the share of examples whose image is replaced by one of
    # `augmented_views` views of it, moved, scaled and turned a little (colours kept), encoded
    # again. Many epochs into 16k images, the model otherwise learns them by heart.
    p_augmented_target: float = 0.0
    augmented_views: int = 3


@dataclass
class ExperimentConfig:
    name: str
    image_size: int = 32
    tokenizer: ImageTokenizerConfig = field(default_factory=ImageTokenizerConfig)
    tokenizer_training: TokenizerTraining = field(default_factory=TokenizerTraining)
    transformer: TransformerConfig = field(default_factory=TransformerConfig)
    transformer_training: TransformerTraining = field(default_factory=TransformerTraining)
    seed: int = 0
    # The sampling defaults the manifest ships (the studio's starting settings, and what the
    # evaluator measures): chosen per model on the val split with sweep_adherence, never test.
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    # How many candidates a generation draws and ranks by the model's own p(prompt | image)
    # (the studio's best-of-N), chosen on val like the settings above.
    best_of: int = 1
    # Left-pad prompt captions to this many tokens (0: off): fixed segment positions, so that
    # a retrieved document's cells sit a constant distance before the target's (vocab.py).
    caption_slot: int = 0
    # Number a retrieved document's tokens so that its cell k+1 shares a position with the
    # row's cell k (sequences.position_ids); needs caption slots.
    aligned_documents: bool = False
    data_limit: int | None = None  # use only the first N training images (smoke runs)
    # Continue another run's transformer: its final weights and optimizer, its tokenizer and
    # codes, under this config's own (warm-restart) schedule. Compute adds up across the runs.
    warm_start: str | None = None


def load_config(name: str) -> ExperimentConfig:
    """The config named `name`; a preset's old name (cpu-7h) loads it under its current one."""
    name = PRESETS.current(name)
    module = importlib.import_module(f"tessera_models.vq_ar.configs.{name.replace('-', '_')}")
    config: ExperimentConfig = module.get_config()
    return config

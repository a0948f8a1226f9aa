"""A tiny randomly initialised `JanusForConditionalGeneration` and byte-level BPE tokenizer,
saved as a transformers checkpoint: what the converter's tests convert, offline.

The vision tower keeps Janus-Pro's 384-pixel input (with 64-pixel patches) because readers of the
ONNX layout feed an empty 384×384 image batch when a prompt has no picture; everything else is
shrunk to a few hundred kilobytes of weights. Generated images are 6×6 codes decoded to 48 px.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    GenerationConfig,
    JanusConfig,
    JanusForConditionalGeneration,
    PreTrainedTokenizerFast,
)

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
PAD = "<｜▁pad▁｜>"
IMAGE = "<image_placeholder>"
BOI = "<begin_of_image>"
EOI = "<end_of_image>"
SPECIAL_TOKENS = [BOS, EOS, PAD, IMAGE, BOI, EOI]

TEXT_VOCAB = 320
TOKENIZER_CORPUS = [
    "<|User|>: a red heart\n\n<|Assistant|>:",
    "<|User|>: Describe this image in one sentence.\n\n<|Assistant|>:",
    "a photo of a cup of coffee on a wooden table",
    "a smiling face, a blue rocket, a green tree, a yellow star",
]


def build_tokenizer() -> Tokenizer:
    """Byte-level BPE like Janus's own, with Janus's special tokens after the learnt vocabulary
    (as in Janus, where they sit near id 100,000): none of them is also an image code, so a
    reader that stops at <eos> or bans it never touches a code."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TEXT_VOCAB - len(SPECIAL_TOKENS) - 2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(TOKENIZER_CORPUS * 4, trainer)
    tok.add_special_tokens(SPECIAL_TOKENS)
    return tok


def tiny_config(image_token_id: int) -> JanusConfig:
    return JanusConfig(
        text_config={
            "model_type": "llama",
            "vocab_size": TEXT_VOCAB,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 256,
            "rms_norm_eps": 1e-6,
        },
        vision_config={
            "hidden_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": 384,
            "patch_size": 64,
            "projection_dim": 64,
            "depth": 2,
            "num_image_tokens": 36,
            "mlp_ratio": 2.0,
        },
        vq_config={
            "embed_dim": 8,
            "num_embeddings": 64,
            "latent_channels": 32,
            "base_channels": 32,
            "channel_multiplier": [1, 1, 2, 2],
            "num_res_blocks": 1,
            "projection_dim": 64,
            "image_token_embed_dim": 64,
            "num_hidden_layers": 2,
        },
        image_token_id=image_token_id,
    )


def write_tiny_checkpoint(out: Path, seed: int = 0) -> Path:
    """Writes a transformers checkpoint folder (weights, config, generation config, tokenizer)."""
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(),
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        extra_special_tokens={"image_token": IMAGE, "boi_token": BOI, "eoi_token": EOI},
    )
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    torch.manual_seed(seed)
    model = JanusForConditionalGeneration(tiny_config(ids[IMAGE])).eval()
    # At the default 0.02 scale every logit is nearly equal; fan-in scaled weights give the
    # greedy comparisons clear winners instead of float-rounding coin flips.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1 and "vqmodel" not in name:
                p.normal_(0, 1.2 / p.shape[-1] ** 0.5)
    # Janus-Pro's own generation settings; a config derived from the model config would drop
    # `generation_kwargs` when read back.
    model.generation_config = GenerationConfig(
        bos_token_id=ids[BOS],
        eos_token_id=ids[EOS],
        pad_token_id=ids[PAD],
        generation_kwargs={"boi_token_id": ids[BOI]},
        guidance_scale=5.0,
        temperature=1.0,
        do_sample=True,
        max_new_tokens=16,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out

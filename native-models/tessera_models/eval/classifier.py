"""The evaluator's emoji classifier: a small residual CNN whose logits score concept identity
and whose penultimate features feed the Fréchet distance.

Shapes:
  image     f32 [B, 3, 32, 32]   RGB in [-1, 1] (white background = +1)
  features  f32 [B, 128]         global-average-pooled output of the last stage
  logits    f32 [B, K]           K = number of classes = distinct train-split concepts (names without skin tone)

It is deliberately small (about 1.38M parameters, most of them in the K x 128 head) so it runs
on one CPU thread inside every family's evaluation, and so its ONNX file ships with the app.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

EVALUATOR_VERSION = "emoji-cls-v2"
IMAGE_SIZE = 32
FEATURE_DIM = 128


@dataclass(frozen=True)
class ClassifierConfig:
    num_classes: int
    stem: int = 32
    # Four stages; the first three halve the resolution (32 -> 16 -> 8 -> 4), the last keeps
    # 4x4 so the features still see layout (which way an arrow points) before pooling.
    widths: tuple[int, int, int, int] = (32, 64, 96, FEATURE_DIM)
    strides: tuple[int, int, int, int] = (2, 2, 2, 1)
    # "cosine": logits = scale * cos(features, class weight). With ~7k classes and one to six
    # training images each, a plain linear head lets frequent classes grow large weight norms;
    # normalising both sides removes that and learns faster.
    head: str = "cosine"
    scale: float = 16.0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class ResidualBlock(nn.Module):
    """Pre-activation-free basic block (conv-BN-ReLU-conv-BN + shortcut), as in ResNet-18."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + self.shortcut(x))


class CosineHead(nn.Module):
    def __init__(self, dim: int, num_classes: int, scale: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_classes, dim) / dim**0.5)
        self.scale = scale

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.scale * F.normalize(features, dim=1) @ F.normalize(self.weight, dim=1).T


class EmojiClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        self.config = config
        self.stem = nn.Sequential(
            nn.Conv2d(3, config.stem, 3, padding=1, bias=False),
            nn.BatchNorm2d(config.stem),
            nn.ReLU(inplace=True),
        )
        stages = []
        c_in = config.stem
        for width, stride in zip(config.widths, config.strides, strict=True):
            stages.append(ResidualBlock(c_in, width, stride))
            c_in = width
        self.stages = nn.Sequential(*stages)
        if config.head == "cosine":
            self.head: nn.Module = CosineHead(c_in, config.num_classes, config.scale)
        elif config.head == "linear":
            self.head = nn.Linear(c_in, config.num_classes)
        else:
            raise ValueError(f"unknown head {config.head!r}")

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.stages(self.stem(image))
        features = h.mean(dim=(2, 3))
        logits = self.head(features)
        return features, logits


class ClassifierGraph(nn.Module):
    """What gets exported to ONNX: eval-mode forward returning (features, logits) as outputs."""

    def __init__(self, model: EmojiClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model(image)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

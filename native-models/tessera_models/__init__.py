"""Tessera's native model families: training, evaluation and ONNX export."""

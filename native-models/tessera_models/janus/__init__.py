"""Janus-Pro (deepseek-ai/Janus): converts a transformers `JanusForConditionalGeneration`
checkpoint into the ONNX layout that @huggingface/transformers runs, with a Tessera manifest."""

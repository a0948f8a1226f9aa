"""`jpeg-lm`: a Llama-style decoder over the bytes of JPEG files (JPEG-LM, arXiv 2408.08459)."""

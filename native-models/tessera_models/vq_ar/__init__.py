"""CM3Leon-style family `vq-ar`: an FSQ image tokenizer and a decoder-only transformer over one
vocabulary of caption words, image codes and CM3 sentinels (docs/models.md §vq-ar)."""

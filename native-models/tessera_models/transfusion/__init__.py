"""Transfusion: one transformer that predicts the next text token and denoises image patches
(arXiv 2408.11039), with the DDPM and rectified-flow objectives."""

"""A DnCNN-class photo denoiser trained by the SDK (issue 16, item 5): noisy patches of
grayscale photos (`patches.py`), seeded training with a progress bar and its checkpoint
(`train.py`), the photos that ship with scikit-image (`photos.py`) and the scores against
the noisy input and classical denoisers (`scores.py`). examples/photo_denoiser runs it on a
board through the tiled build."""

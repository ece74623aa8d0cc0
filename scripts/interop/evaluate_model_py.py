#!/usr/bin/env python3
"""Evaluates a run folder's model.py and weights on an MNIST-style test set in plain PyTorch.

Usage: evaluate_model_py.py RUN_DIR DATA_DIR [PREDICTIONS_OUT]
RUN_DIR holds model.py and model.safetensors (or best.safetensors) as MNIST Studio writes them;
DATA_DIR holds t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte. Prints the test accuracy and,
with PREDICTIONS_OUT, writes one predicted class per line. Needs only torch (no MNIST Studio).
"""
import importlib.util
import struct
import sys
from pathlib import Path

import torch


def read_idx(path):
    data = Path(path).read_bytes()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def main():
    run, data = Path(sys.argv[1]), Path(sys.argv[2])
    spec = importlib.util.spec_from_file_location("model", run / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    weights = run / "model.safetensors"
    if not weights.exists():
        weights = run / "best.safetensors"
    net = module.build()
    net.load_state_dict(module.load_weights(str(weights)))
    net.eval()
    images = read_idx(data / "t10k-images-idx3-ubyte").float().div(255).unsqueeze(1)
    labels = read_idx(data / "t10k-labels-idx1-ubyte").long()
    if getattr(module, "NORMALIZE", None):
        mean, std = module.NORMALIZE
        images = (images - mean) / std
    torch.set_num_threads(2)
    predictions = []
    with torch.no_grad():
        for start in range(0, len(images), 500):
            predictions.append(net(images[start:start + 500]).argmax(1))
    predictions = torch.cat(predictions)
    correct = int((predictions == labels).sum())
    print("PyTorch %s: model.py + %s: %d / %d correct, test accuracy %.2f%%"
          % (torch.__version__, weights.name, correct, len(labels), 100.0 * correct / len(labels)))
    if len(sys.argv) > 3:
        Path(sys.argv[3]).write_text("".join("%d\n" % p for p in predictions.tolist()))


if __name__ == "__main__":
    main()

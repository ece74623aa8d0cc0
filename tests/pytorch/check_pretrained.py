#!/usr/bin/env python3
"""Scores a pretrained model in real PyTorch on the MNIST test set, as its record says it scores.

Usage: check_pretrained.py MODEL_PY WEIGHTS DATA_DIR EXPECTED_CORRECT [MEAN STD]
MODEL_PY is the model.py MNIST Studio writes for the record's architecture (its build() and
load_weights()); DATA_DIR holds t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz).
Inputs are bytes / 255, then (x - MEAN) / STD when given, as the record's normalization says.
Exit status 0 when PyTorch's count of correct test images is the record's (at most one image apart:
another library's float rounding may flip a tie).
"""
import gzip
import importlib.util
import struct
import sys
from pathlib import Path

import torch


def read_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        path = Path(folder) / name
        if path.exists():
            data = path.read_bytes()
            return gzip.decompress(data) if name.endswith(".gz") else data
    raise FileNotFoundError("%s/%s[.gz]" % (folder, stem))


def main():
    model_py, weights, data_dir, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    spec = importlib.util.spec_from_file_location("pretrained_model", model_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build()
    net.load_state_dict(module.load_weights(weights), strict=True)
    net.eval()

    images = read_idx(data_dir, "t10k-images-idx3-ubyte")
    labels = read_idx(data_dir, "t10k-labels-idx1-ubyte")
    magic, n, rows, cols = struct.unpack(">IIII", images[:16])
    x = torch.frombuffer(bytearray(images[16:16 + n * rows * cols]), dtype=torch.uint8).view(n, 1, rows, cols)
    y = torch.frombuffer(bytearray(labels[8:8 + n]), dtype=torch.uint8).long()
    x = x.float() / 255.0
    if len(sys.argv) > 6:
        x = (x - float(sys.argv[5])) / float(sys.argv[6])
    correct = 0
    with torch.no_grad():
        for i in range(0, n, 1000):
            correct += int((net(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum())
    print("PyTorch %s: %d of %d correct (%.2f%%); the record says %d" % (torch.__version__, correct, n, 100.0 * correct / n, expected))
    return 0 if abs(correct - expected) <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())

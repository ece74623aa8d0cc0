#!/usr/bin/env python3
"""Checks MNIST Studio's model.py files against real PyTorch.

For each sub-folder of the folder given (written by the core test "model.py builds in PyTorch ..."):
model.py, model.safetensors (our weights), io.safetensors (an input and our eval-mode logits) and
expected.json (our parameter count and state_dict names and shapes, in order). The network that
model.py builds must have exactly that state_dict, load our weights strictly and give our logits.
Exit status 0 when every folder passes.
"""
import importlib.util
import json
import sys
from pathlib import Path

import torch


def check(folder):
    spec = importlib.util.spec_from_file_location("model_" + folder.name.replace("-", "_"), folder / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build()
    expected = json.loads((folder / "expected.json").read_text())
    problems = []
    ours = [[name, list(t.shape)] for name, t in net.state_dict().items()]
    if ours != expected["state_dict"]:
        problems.append("state_dict differs: PyTorch %s, MNIST Studio %s" % (ours, expected["state_dict"]))
    parameters = sum(p.numel() for p in net.parameters())
    if parameters != expected["parameters"]:
        problems.append("parameters: PyTorch %d, MNIST Studio %d" % (parameters, expected["parameters"]))
    if problems:
        return problems
    net.load_state_dict(module.load_weights(folder / "model.safetensors"), strict=True)
    net.eval()
    io = module.load_weights(folder / "io.safetensors")
    with torch.no_grad():
        logits = net(io["input"])
    diff = (logits - io["logits"]).abs().max().item()
    if logits.shape != io["logits"].shape or not diff <= 1e-4:
        problems.append("logits differ by %g (shape %s)" % (diff, tuple(logits.shape)))
    print("%-14s %8d parameters, logits within %.1e" % (folder.name, parameters, diff))
    return problems


def main():
    failed = 0
    for folder in sorted(p for p in Path(sys.argv[1]).iterdir() if p.is_dir()):
        try:
            problems = check(folder)
        except Exception as e:  # a model.py that does not even run is a failure, with its reason
            problems = ["%s: %s" % (type(e).__name__, e)]
        for p in problems:
            print("%s: %s" % (folder.name, p))
        failed += bool(problems)
    print("torch", torch.__version__, "-", "all passed" if failed == 0 else "%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

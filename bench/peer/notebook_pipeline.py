#!/usr/bin/env python3
"""The notebook's training pipeline (../shared/seed/notebook.txt), as the peer of `make bench`.

What the notebook does, step for step: torchvision's MNIST datasets with per-image transforms,
DataLoaders over the first 80% (train) and last 20% (valid) of the training file in file order
(its ChunkSampler), batch `--batch`, Adam, cross-entropy; per epoch the training pass, the valid
loss and the test accuracy. The network is the notebook's architecture as MNIST Studio's model.py
writes it (`mnist-bench --model-py ARCH FILE`; the interop test proves it equal to PyTorch's).

    notebook_pipeline.py train --model-py F --data DIR [--batch 100] [--epochs 1] [--lr 1e-3]
                               [--augment none|notebook] [--threads 2]
    notebook_pipeline.py augment --data DIR [--images 20000] [--threads 2]

`train` prints the seconds of the epochs (training + valid + test) and the training images/s;
`augment` prints images/s of the notebook's transforms through a DataLoader at batch 100. The
caller times the whole process as well.
"""
import argparse
import importlib.util
import os
import shutil
import tempfile
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, sampler
from torchvision import transforms
from torchvision.datasets import MNIST

FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


class ChunkSampler(sampler.Sampler):
    """The notebook's sampler: `num_samples` indices in order from `start`."""

    def __init__(self, num_samples, start=0):
        self.num_samples = num_samples
        self.start = start

    def __iter__(self):
        return iter(range(self.start, self.start + self.num_samples))

    def __len__(self):
        return self.num_samples


def mnist_root(data_dir):
    """torchvision's MNIST wants ROOT/MNIST/raw/<uncompressed files>: a temporary tree of links."""
    root = tempfile.mkdtemp(prefix="mnist-peer-")
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for name in FILES:
        src = os.path.join(data_dir, name)
        if os.path.exists(src):
            os.symlink(os.path.abspath(src), os.path.join(raw, name))
        else:
            import gzip
            with gzip.open(src + ".gz", "rb") as f, open(os.path.join(raw, name), "wb") as out:
                shutil.copyfileobj(f, out)
    return root


def notebook_augmentation():
    # The notebook's final choice (its mnist_aug).
    return transforms.Compose([transforms.RandomResizedCrop(28, scale=(0.8, 1.2)), transforms.RandomRotation(30),
                               transforms.ToTensor()])


def load_network(model_py):
    spec = importlib.util.spec_from_file_location("peer_model", model_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


def train(args):
    root = mnist_root(args.data)
    transform = notebook_augmentation() if args.augment == "notebook" else transforms.ToTensor()
    train_dataset = MNIST(root=root, train=True, transform=transform, download=False)
    test_dataset = MNIST(root=root, train=False, transform=transforms.ToTensor(), download=False)
    num_train = int(0.8 * len(train_dataset))
    num_valid = len(train_dataset) - num_train
    train_loader = DataLoader(dataset=train_dataset, sampler=ChunkSampler(num_train, 0), batch_size=args.batch, shuffle=False)
    valid_loader = DataLoader(dataset=train_dataset, sampler=ChunkSampler(num_valid, num_train), batch_size=args.batch,
                              shuffle=False)
    test_loader = DataLoader(dataset=test_dataset, batch_size=args.batch, shuffle=False)

    model = load_network(args.model_py)
    # --precision bf16: the plain PyTorch recipe for mixed precision on the CPU, autocast around the
    # forward pass and the loss with the network and its input channels-last (as oneDNN prefers).
    # Evaluation stays fp32, as MNIST Studio's does.
    reduced = args.precision == "bf16"
    if reduced:
        model = model.to(memory_format=torch.channels_last)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.time()
    train_seconds = 0.0
    for epoch in range(args.epochs):
        t0 = time.time()
        model.train()
        train_loss, n_iter = 0.0, 0
        for images, labels in train_loader:
            optimizer.zero_grad()
            if reduced:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    loss = criterion(model(images.contiguous(memory_format=torch.channels_last)), labels)
            else:
                loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            train_loss += loss.item()
            n_iter += 1
        train_seconds += time.time() - t0
        model.eval()
        with torch.no_grad():
            valid_loss, v_iter = 0.0, 0
            for images, labels in valid_loader:
                valid_loss += criterion(model(images), labels).item()
                v_iter += 1
            correct, total = 0, 0
            for images, labels in test_loader:
                _, predicted = torch.max(model(images).data, 1)
                correct += int(torch.sum(predicted == labels))
                total += labels.size(0)
        print("epoch %d: train loss %.4f, valid loss %.4f, test accuracy %.2f%%" % (
            epoch + 1, train_loss / n_iter, valid_loss / v_iter, 100.0 * correct / total))
    print("epochs_seconds %.3f" % (time.time() - start))
    print("train_images_per_s %.1f" % (num_train * args.epochs / train_seconds))
    shutil.rmtree(root)


def augment(args):
    root = mnist_root(args.data)
    dataset = MNIST(root=root, train=True, transform=notebook_augmentation(), download=False)
    loader = DataLoader(dataset=dataset, sampler=ChunkSampler(args.images, 0), batch_size=100, shuffle=False)
    t0 = time.time()
    n = 0
    for images, _ in loader:
        n += images.size(0)
    print("augment_images_per_s %.1f" % (n / (time.time() - t0)))
    shutil.rmtree(root)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--model-py", required=True)
    t.add_argument("--data", required=True)
    t.add_argument("--batch", type=int, default=100)
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--augment", choices=["none", "notebook"], default="none")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    a = sub.add_parser("augment")
    a.add_argument("--data", required=True)
    a.add_argument("--images", type=int, default=20000)
    a.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    train(args) if args.command == "train" else augment(args)


if __name__ == "__main__":
    main()

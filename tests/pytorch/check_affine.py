#!/usr/bin/env python3
"""Checks MNIST Studio's RandomAffine resampling against torchvision's functional affine.

Reads the JSON file given (written by the core test "The random affine equals torchvision's affine
..."): an image (1 x H x W) and cases, each with torchvision's affine arguments and our output.
Nearest cases may differ where a source point lies on a pixel border (float32 rounding picks either
side): at most `max_nearest_flips` pixels per case. Exit status 0 when every case passes.
"""
import json
import sys

import torch
import torchvision
from torchvision.transforms import InterpolationMode
import torchvision.transforms.functional as TF


def main():
    data = json.loads(open(sys.argv[1]).read())
    image = torch.tensor(data["image"], dtype=torch.float32)
    failed = 0
    for case in data["cases"]:
        mode = InterpolationMode.BILINEAR if case["bilinear"] else InterpolationMode.NEAREST
        theirs = TF.affine(image, angle=case["angle"], translate=[case["tx"], case["ty"]], scale=case["scale"],
                           shear=[case["shear_x"], case["shear_y"]], interpolation=mode)
        ours = torch.tensor(case["ours"], dtype=torch.float32)
        diff = (theirs - ours).abs()
        flips = int((diff > 1e-4).sum())
        ok = flips <= data["max_nearest_flips"] if not case["bilinear"] else diff.max().item() <= 1e-4
        failed += not ok
        print("%-4s %-8s angle %7.2f shift (%g, %g) scale %.3f shear (%g, %g): max diff %.2e, %d pixels differ" % (
            "ok" if ok else "FAIL", mode.value, case["angle"], case["tx"], case["ty"], case["scale"],
            case["shear_x"], case["shear_y"], diff.max().item(), flips))
    print("torchvision", torchvision.__version__, "-", "all passed" if failed == 0 else "%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

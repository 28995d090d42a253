# The data pipeline users run today: DINO's multi-crop augmentation on PIL images
# (torchvision transforms, PIL blur and solarisation as in DINO), torchvision's
# ImageFolder and a DataLoader with worker processes. Prints one JSON line.
#   python3 bench/reference/dino_data.py --data DIR --workers W --batch B [--images N]
import argparse
import json
import random
import time

import torch
from PIL import ImageFilter, ImageOps
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms as T


class RandomPilBlur:
    def __init__(self, p, low=0.1, high=2.0):
        self.p, self.low, self.high = p, low, high

    def __call__(self, image):
        if random.random() >= self.p:
            return image
        return image.filter(ImageFilter.GaussianBlur(radius=random.uniform(self.low, self.high)))


class RandomPilSolarize:
    def __init__(self, p):
        self.p = p

    def __call__(self, image):
        return ImageOps.solarize(image) if random.random() < self.p else image


class DinoMultiCrop:
    def __init__(self, global_size=224, local_size=96, local_crops=6):
        bicubic = T.InterpolationMode.BICUBIC
        colour = T.Compose([
            T.RandomHorizontalFlip(p=0.5),
            T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
            T.RandomGrayscale(p=0.2),
        ])
        to_float = T.Compose([T.ToTensor(), T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
        crop = lambda size, scale: T.RandomResizedCrop(size, scale=scale, interpolation=bicubic)
        self.global1 = T.Compose([crop(global_size, (0.4, 1.0)), colour, RandomPilBlur(1.0), to_float])
        self.global2 = T.Compose([crop(global_size, (0.4, 1.0)), colour, RandomPilBlur(0.1), RandomPilSolarize(0.2), to_float])
        self.local = T.Compose([crop(local_size, (0.05, 0.4)), colour, RandomPilBlur(0.5), to_float])
        self.local_crops = local_crops

    def __call__(self, image):
        image = image.convert("RGB")
        return [self.global1(image), self.global2(image)] + [self.local(image) for _ in range(self.local_crops)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--images", type=int, default=0, help="0 = the whole folder")
    parser.add_argument("--global-size", type=int, default=224)
    parser.add_argument("--local-size", type=int, default=96)
    parser.add_argument("--local-crops", type=int, default=6)
    args = parser.parse_args()
    torch.manual_seed(0)
    dataset = datasets.ImageFolder(args.data, transform=DinoMultiCrop(args.global_size, args.local_size, args.local_crops))
    if args.images:
        dataset = Subset(dataset, range(min(args.images, len(dataset))))
    loader = DataLoader(dataset, batch_size=args.batch, shuffle=True, num_workers=args.workers, drop_last=True,
                        persistent_workers=False)
    start = time.perf_counter()
    first = None
    images = 0
    for views, _ in loader:
        images += views[0].shape[0]
        if first is None:
            # Steady state only: worker start-up and the first batch are not counted.
            first = (time.perf_counter(), images)
    end = time.perf_counter()
    print(json.dumps({
        "impl": "torchvision", "workers": args.workers, "batch": args.batch, "images": images,
        "steadyImages": images - first[1], "steadySeconds": end - first[0], "totalSeconds": end - start,
        "imagesPerSecond": (images - first[1]) / (end - first[0]),
        "views": [list(v.shape) for v in views],
    }))


if __name__ == "__main__":
    main()

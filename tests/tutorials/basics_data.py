# PyTorch "Learn the Basics: Datasets & DataLoaders" (data_tutorial.py): the custom Dataset and DataLoader
# parts; FashionMNIST files replaced by synthetic images made with NumPy (no download).
import numpy as np
import torch
from torch.utils.data import Dataset
from torch.utils.data import DataLoader

torch.manual_seed(0)
rng = np.random.default_rng(0)
IMAGES = rng.random((100, 28, 28), dtype=np.float32)
LABELS = rng.integers(0, 10, 100)

labels_map = {0: "T-Shirt", 1: "Trouser", 2: "Pullover", 3: "Dress", 4: "Coat",
              5: "Sandal", 6: "Shirt", 7: "Sneaker", 8: "Bag", 9: "Ankle Boot"}


class CustomImageDataset(Dataset):
    def __init__(self, images, labels, transform=None, target_transform=None):
        self.img_labels = labels
        self.images = images
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = torch.from_numpy(self.images[idx]).unsqueeze(0)
        label = int(self.img_labels[idx])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


training_data = CustomImageDataset(IMAGES[:80], LABELS[:80])
test_data = CustomImageDataset(IMAGES[80:], LABELS[80:])
print(len(training_data), len(test_data))
img, label = training_data[0]
print(labels_map[label], img.shape, img.squeeze().shape)

train_dataloader = DataLoader(training_data, batch_size=64, shuffle=True)
test_dataloader = DataLoader(test_data, batch_size=64, shuffle=True)
print(len(train_dataloader), len(test_dataloader))

# Display image and label.
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
img = train_features[0].squeeze()
label = train_labels[0]
print(f"Label: {label}")
print(img.shape, img.dtype, train_labels.dtype)

one_hot = lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
target = CustomImageDataset(IMAGES[:4], LABELS[:4], target_transform=one_hot)
print(target[0][1], int(LABELS[0]))

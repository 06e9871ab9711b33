# yunjey/pytorch-tutorial, tutorials/01-basics/logistic_regression/main.py; MNIST replaced by synthetic data.
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
# Hyper-parameters
input_size = 28 * 28    # 784
num_classes = 10
num_epochs = 5
batch_size = 100
learning_rate = 0.001

rng = np.random.default_rng(8)
centers = rng.normal(0, 1, (10, 784)).astype(np.float32)
labels_all = rng.integers(0, 10, 600)
images_all = (centers[labels_all] + rng.normal(0, 1, (600, 784))).astype(np.float32).reshape(600, 1, 28, 28)
# MNIST dataset (images and labels)
train_dataset = torch.utils.data.TensorDataset(torch.from_numpy(images_all[:500]), torch.from_numpy(labels_all[:500]))
test_dataset = torch.utils.data.TensorDataset(torch.from_numpy(images_all[500:]), torch.from_numpy(labels_all[500:]))

# Data loader (input pipeline)
train_loader = torch.utils.data.DataLoader(dataset=train_dataset,
                                           batch_size=batch_size,
                                           shuffle=True)

test_loader = torch.utils.data.DataLoader(dataset=test_dataset,
                                          batch_size=batch_size,
                                          shuffle=False)

# Logistic regression model
model = nn.Linear(input_size, num_classes)

# Loss and optimizer
# nn.CrossEntropyLoss() computes softmax internally
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

# Train the model
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        # Reshape images to (batch_size, input_size)
        images = images.reshape(-1, input_size)

        # Forward pass
        outputs = model(images)
        loss = criterion(outputs, labels)

        # Backward and optimize
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if (i+1) % 5 == 0:
            print('Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}'
                  .format(epoch+1, num_epochs, i+1, total_step, loss.item()))

# Test the model
# In test phase, we don't need to compute gradients (for memory efficiency)
with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in test_loader:
        images = images.reshape(-1, input_size)
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum()

    print('Accuracy of the model on the 100 test images: {} %'.format(100 * correct / total))

# Save the model checkpoint
torch.save(model.state_dict(), 'model.ckpt')

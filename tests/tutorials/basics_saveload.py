# PyTorch "Learn the Basics: Save and Load the Model" (saveloadrun_tutorial.py), with a small model of our own
# in place of torchvision's VGG16 (no download).
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
torch.save(model.state_dict(), 'model_weights.pth')

model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))  # we do not specify ``weights``
model2.load_state_dict(torch.load('model_weights.pth', weights_only=True))
model2.eval()
x = torch.ones(1, 4)
print(torch.equal(model(x), model2(x)))
print(list(model2.state_dict().keys()))

# Saving and Loading Models with Shapes: whole model, trusted file
torch.save(model, 'model.pth')
model3 = torch.load('model.pth', weights_only=False)
print(type(model3).__name__, torch.equal(model3(x), model(x)))

try:
    torch.load('model.pth')
except Exception as e:  # weights_only=True refuses arbitrary classes
    print(type(e).__name__, str(e).split("\n")[0][:40])

# checkpoint: model + optimizer + epoch, as in "Saving and loading a general checkpoint"
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
loss = model(x).pow(2).sum()
loss.backward()
optimizer.step()
EPOCH = 5
torch.save({
    'epoch': EPOCH,
    'model_state_dict': model.state_dict(),
    'optimizer_state_dict': optimizer.state_dict(),
    'loss': loss,
}, 'checkpoint.pt')

model4 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer4 = torch.optim.SGD(model4.parameters(), lr=0.1)
checkpoint = torch.load('checkpoint.pt', weights_only=True)
model4.load_state_dict(checkpoint['model_state_dict'])
optimizer4.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']
model4.train()
print(epoch, loss.requires_grad, optimizer4.param_groups[0]['lr'], optimizer4.param_groups[0]['momentum'])
print(torch.equal(model4(x), model(x)))
print(sorted(checkpoint['optimizer_state_dict']['state'][0].keys()))

"""Sources of the course notebooks: one module per notebook, each a list of cells.

A cell is ("md", text), ("code", source) or ("code", source, ["kit-only"]) / ["no-compare"]:
- kit-only: needs the kit itself (graph views, widgets); skipped when the notebook runs on real PyTorch;
- no-compare: runs on both, but its output is not compared with PyTorch's (plots, progress bars; seeded
  random numbers are PyTorch's own in the kit, so cells printing them are compared).
"""

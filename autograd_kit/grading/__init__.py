"""Exercises and grading: check helpers for the test cells of exercise notebooks (``checks``), sealed
answers (``keys``), ``autograd-kit release`` to make student versions, ``autograd-kit grade`` to grade a
class, ``autograd-kit check`` for students, ``autograd-kit export gradescope`` for Gradescope."""

"""Exercises and grading: instant public checks in the notebook (``check("q1")``), ``autograd-kit release``
to make student versions, ``autograd-kit grade`` to grade a class, ``autograd-kit check`` for students."""
from .checks import checker

__all__ = ["checker"]

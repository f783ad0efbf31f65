"""The autograd core: Tensor, Tape, ops with their backward rules, and gradcheck. numpy only."""

from luma_cli.autograd.gradcheck import GradcheckResult, gradcheck, gradcheck_parameters
from luma_cli.autograd.tape import Node, Tape
from luma_cli.autograd.tensor import Tensor

__all__ = ["GradcheckResult", "Node", "Tape", "Tensor", "gradcheck", "gradcheck_parameters"]

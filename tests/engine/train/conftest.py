import pytest
import torch

from trainkit import TinyNet


@pytest.fixture
def tiny_net():
    torch.manual_seed(0)
    return TinyNet()

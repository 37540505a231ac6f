"""The CUDA path: bf16 autocast, channels_last, non-blocking copies (skipped without a GPU)."""

import pytest
import torch

from engine.models import create_model
from engine.train import create_loss, create_runtime, create_scheduler, predict, train_one_epoch
from trainkit import image_loaders, loaders

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def test_cuda_runtime_uses_bf16_and_channels_last():
    runtime = create_runtime("cuda")
    assert runtime.amp_dtype is torch.bfloat16 and runtime.channels_last
    x = runtime.images(torch.zeros(2, 3, 8, 8).pin_memory())
    assert x.is_cuda and x.is_contiguous(memory_format=torch.channels_last)


def test_an_epoch_on_cuda_trains_and_predicts():
    runtime = create_runtime("cuda")
    model, _ = create_model("resnet18", 3, pretrained=False)
    model = runtime.prepare(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    sched = create_scheduler(opt, scheduler="none", updates_per_epoch=4, number_of_epochs=1)
    train, valid = loaders()
    stats = train_one_epoch(model, train, optimizer=opt, scheduler=sched, loss_fn=create_loss(), runtime=runtime)
    assert stats.updates == 4 and torch.isfinite(torch.tensor(stats.loss))
    preds = predict(model, valid, loss_fn=create_loss(), runtime=runtime)
    assert preds.probabilities.shape == (16, 3) and preds.probabilities.dtype.name == "float32"


def test_the_finisher_on_cuda_gives_the_cpu_result_in_channels_last(tmp_path):
    train, _, finisher = image_loaders(tmp_path, workers=0)
    train.pin_memory = True  # as create_loader does for a CUDA device
    cpu, cuda = create_runtime("cpu"), create_runtime("cuda")
    for batch in train:
        x_cpu, y_cpu = finisher(batch, cpu)
        x_gpu, y_gpu = finisher(batch.pin_memory(), cuda)
        assert x_gpu.is_cuda and x_gpu.is_contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(x_gpu.cpu(), x_cpu, atol=1e-5, rtol=1e-5)
        assert torch.equal(y_gpu.cpu(), y_cpu)

#!/usr/bin/env python3
"""Generator benchmark, Python PyTorch side of the C++-vs-PyTorch comparison.

The same network, loss, schedule and samplers as skelaug::models (models/src/generator*.cpp, diffusion_*.cpp), written
here in Python; the same flags, measurements and "RESULT <key> <value>" lines as bench/generator_bench.cpp, so that
bench/run_generator_bench.sh can put the two side by side.

  python3 bench/generator_bench.py [--threads N] [--batch 32] [--steps 10] [--warmup 2] [--sample-batch 64]
                                   [--ddpm-steps 10] [--ddim-steps 50] [--width 256] ...
"""
import argparse
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def needs_mask(padding):
    """As the C++ generator: skip the attention mask when no frame is padded, checked on the CPU only (on a GPU the
    check would wait for the device)."""
    return padding.device.type != "cpu" or bool(padding.any())


def masked_mean(values, mask):
    """Mean over the real frames of [B, T, D] with mask [B, T]."""
    weights = mask.unsqueeze(-1).to(values.dtype)
    return (values * weights).sum(1) / weights.sum(1).clamp_min(1.0)


class SelfAttention(nn.Module):
    """skelaug::models::SelfAttention in Python: batch-first, packed QKV, scale folded into the score product."""

    def __init__(self, width, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.in_proj = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, key_padding=None):
        b, n, d = x.shape
        h, dh = self.heads, d // self.heads
        q, k, v = self.in_proj(x).view(b, n, 3, h, dh).permute(2, 0, 3, 1, 4).contiguous().view(3, b * h, n, dh)
        if key_padding is not None:
            bias = torch.zeros(b, 1, 1, n, device=x.device).masked_fill(key_padding.view(b, 1, 1, n), float("-inf"))
            scores = torch.baddbmm(bias.expand(b, h, 1, n).reshape(b * h, 1, n), q, k.transpose(1, 2),
                                   alpha=dh ** -0.5)
        else:
            scores = torch.bmm(q, k.transpose(1, 2)).mul_(dh ** -0.5)
        weights = F.dropout(scores.softmax(-1), self.dropout, self.training)
        return self.out_proj(torch.bmm(weights, v).view(b, h, n, dh).transpose(1, 2).reshape(b, n, d))


class OneTokenAttention(nn.Module):
    """skelaug::models::SingleTokenAttention in Python: attention onto a one-token memory is its projected value."""

    def __init__(self, width, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.value = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, memory, length):
        b, _, d = memory.shape
        h, dh = self.heads, d // self.heads
        value = self.value(memory.squeeze(1))
        if not (self.training and self.dropout > 0):
            return self.out_proj(value).unsqueeze(1).expand(b, length, d)
        per_head = torch.einsum("bhe,dhe->bhd", value.view(b, h, dh), self.out_proj.weight.view(d, h, dh))
        kept = F.dropout(torch.ones(b, length, h, device=memory.device), self.dropout, True)
        return torch.baddbmm(self.out_proj.bias.view(1, 1, d), kept, per_head)


class EncoderLayer(nn.Module):
    def __init__(self, width, heads, feedforward, dropout):
        super().__init__()
        self.attention = SelfAttention(width, heads, dropout)
        self.linear1, self.linear2 = nn.Linear(width, feedforward), nn.Linear(feedforward, width)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.drop, self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(self, x, key_padding=None):
        x = self.norm1(x + self.drop1(self.attention(x, key_padding)))
        return self.norm2(x + self.drop2(self.linear2(self.drop(F.relu(self.linear1(x))))))


class DecoderLayer(EncoderLayer):
    def __init__(self, width, heads, feedforward, dropout):
        super().__init__(width, heads, feedforward, dropout)
        self.memory_attention = OneTokenAttention(width, heads, dropout)
        self.norm3, self.drop3 = nn.LayerNorm(width), nn.Dropout(dropout)

    def forward(self, x, memory, key_padding=None):
        x = self.norm1(x + self.drop1(self.attention(x, key_padding)))
        x = self.norm2(x + self.drop2(self.memory_attention(memory, x.shape[1])))
        return self.norm3(x + self.drop3(self.linear2(self.drop(F.relu(self.linear1(x))))))


class Generator(nn.Module):
    """Exemplar-conditioned denoiser predicting x0, as skelaug::models::GeneratorImpl (exemplar mode).

    layers="torch": PyTorch's nn.TransformerEncoder/Decoder (sequence-first, full attention onto the one-token
    memory), as the paper's released code builds it. layers="skelaug": the formulation of the C++ layers
    (batch-first, one-token memory attention reduced to its value path), so the language alone can be compared.
    """

    def __init__(self, joints, classes, width, heads, feedforward, encoder_layers, decoder_layers, dropout,
                 layers="torch"):
        super().__init__()
        self.width = width
        self.classes = classes
        f = joints * 3
        self.frames_in = nn.Linear(f, width)
        self.frames_out = nn.Linear(width, f)
        self.time_mlp = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
        self.exemplar_in = nn.Linear(f, width)
        self.layers = layers
        if layers == "torch":
            # Sequence-first, post-norm, ReLU.
            self.semantic_encoder = nn.TransformerEncoder(
                nn.TransformerEncoderLayer(width, heads, dim_feedforward=feedforward, dropout=dropout),
                encoder_layers, enable_nested_tensor=False)
            self.decoder = nn.TransformerDecoder(
                nn.TransformerDecoderLayer(width, heads, dim_feedforward=feedforward, dropout=dropout),
                decoder_layers)
        else:
            self.semantic_encoder = nn.ModuleList(
                [EncoderLayer(width, heads, feedforward, dropout) for _ in range(encoder_layers)])
            self.decoder = nn.ModuleList(
                [DecoderLayer(width, heads, feedforward, dropout) for _ in range(decoder_layers)])
        self.condition_in = nn.Linear(width + classes, width)
        self.classifier = nn.Sequential(nn.Linear(f, width), nn.ReLU(), nn.Linear(width, classes))
        self.register_buffer("feature_mean", torch.zeros(f))
        self.register_buffer("feature_std", torch.ones(f))

    def timestep_embedding(self, t):
        half = self.width // 2
        frequencies = torch.exp(torch.arange(half, dtype=torch.float32, device=t.device) *
                                (-math.log(10000.0) / half))
        angles = t.float().unsqueeze(1) * frequencies.unsqueeze(0)
        return torch.cat([torch.sin(angles), torch.cos(angles)], 1)

    def positional_encoding(self, length):
        return self.timestep_embedding(torch.arange(length, dtype=torch.long, device=self.frames_in.weight.device))

    def forward(self, x_t, t, labels, exemplar, exemplar_mask, mask):
        return self.denoise(x_t, t, self.condition(labels, exemplar, exemplar_mask), mask)

    def condition(self, labels, exemplar, exemplar_mask):
        encoded_in = self.exemplar_in(exemplar) + self.positional_encoding(exemplar.shape[1]).unsqueeze(0)
        if self.layers == "torch":
            encoded = self.semantic_encoder(encoded_in.transpose(0, 1),
                                            src_key_padding_mask=exemplar_mask.le(0.5)).transpose(0, 1)
        else:
            encoded, padding = encoded_in, exemplar_mask.le(0.5)
            padding = padding if needs_mask(padding) else None
            for layer in self.semantic_encoder:
                encoded = layer(encoded, padding)
        pooled = masked_mean(encoded, exemplar_mask)
        one_hot = F.one_hot(labels, self.classes).to(pooled.dtype)
        return self.condition_in(torch.cat([pooled, one_hot], 1))

    def denoise(self, x_t, t, condition, mask):
        batch, length = x_t.shape[0], x_t.shape[1]
        token = (condition + self.time_mlp(self.timestep_embedding(t))).unsqueeze(1)  # [B, 1, D]
        frames = self.frames_in(x_t) + self.positional_encoding(length).unsqueeze(0)
        padding = torch.cat([torch.zeros(batch, 1, dtype=torch.bool, device=mask.device), mask.le(0.5)], 1)
        if self.layers == "torch":
            sequence = torch.cat([token, frames], 1).transpose(0, 1)  # [1 + T, B, D]
            decoded = self.decoder(sequence, token.transpose(0, 1), tgt_key_padding_mask=padding).transpose(0, 1)
        else:
            decoded, padding = torch.cat([token, frames], 1), padding if needs_mask(padding) else None
            for layer in self.decoder:
                decoded = layer(decoded, token, padding)
        return self.frames_out(decoded[:, 1:1 + length])

    def classify(self, features, mask):
        return self.classifier(masked_mean(features, mask))


class CosineSchedule:
    """Nichol & Dhariwal cosine schedule, float64 tables, as DiffusionSchedule::cosine."""

    def __init__(self, steps=1000, offset=0.008, max_beta=0.999):
        def f(u):
            return math.cos((u + offset) / (1.0 + offset) * math.pi / 2.0) ** 2

        self.steps = steps
        self.betas = torch.tensor([min(1.0 - f((t + 1) / steps) / f(t / steps), max_beta) for t in range(steps)],
                                  dtype=torch.float64)
        self.alpha_bar = torch.cumprod(1.0 - self.betas, 0)
        self.alpha_bar_prev = torch.cat([torch.ones(1, dtype=torch.float64), self.alpha_bar[:-1]])
        self.sqrt_alpha_bar = self.alpha_bar.sqrt()
        self.sqrt_one_minus_alpha_bar = (1.0 - self.alpha_bar).sqrt()
        self.posterior_variance = self.betas * (1.0 - self.alpha_bar_prev) / (1.0 - self.alpha_bar)
        self.coef_x0 = self.betas * self.alpha_bar_prev.sqrt() / (1.0 - self.alpha_bar)
        self.coef_xt = (1.0 - self.alpha_bar_prev) * (1.0 - self.betas).sqrt() / (1.0 - self.alpha_bar)

    def add_noise(self, x0, t, noise):
        shape = [x0.shape[0]] + [1] * (x0.dim() - 1)
        a = self.sqrt_alpha_bar.to(x0.device, x0.dtype).index_select(0, t).view(shape)
        b = self.sqrt_one_minus_alpha_bar.to(x0.device, x0.dtype).index_select(0, t).view(shape)
        return a * x0 + b * noise


def generator_loss(model, schedule, clips, mask, labels, exemplar, exemplar_mask, seeds, label_smoothing=0.1):
    """Per-clip masked L2 on x0 + label-smoothed auxiliary CE; each row's timestep and noise from its own seeded
    generator."""
    timesteps, noises = [], []
    for seed in seeds:
        g = torch.Generator().manual_seed(seed)
        timesteps.append(torch.randint(0, schedule.steps, (1,), generator=g, dtype=torch.long))
        noises.append(torch.randn(clips.shape[1:], generator=g))
        torch.rand(1, generator=g)  # the condition-dropout draw (unused in exemplar mode), as the C++ code
    t = torch.cat(timesteps).to(clips.device)
    x_t = schedule.add_noise(clips, t, torch.stack(noises).to(clips.device))
    x0 = model(x_t, t, labels, exemplar, exemplar_mask, mask)
    frame_weight = mask.unsqueeze(-1).to(x0.dtype)
    # The mean over clips of each clip's masked mean, as the C++ loss (every clip weighs the same).
    clip_weights = (frame_weight.flatten(1).sum(1) * x0.shape[-1]).clamp_min(1)
    reconstruction = (((x0 - clips).square() * frame_weight).flatten(1).sum(1) / clip_weights).mean()
    auxiliary = F.cross_entropy(model.classify(x0, mask), labels, label_smoothing=label_smoothing)
    return reconstruction + auxiliary


def sampling_timesteps(start, ddim_steps):
    count = start + 1 if ddim_steps == 0 else min(ddim_steps, start + 1)
    return [start - (0 if count == 1 else int(round(i * start / (count - 1)))) for i in range(count)]


@torch.no_grad()
def reverse_process(schedule, predict_x0, x, timesteps, ddim_steps, eta, generator):
    """DDPM (ddim_steps 0: posterior mean + fixed-small variance) or DDIM, as run_reverse_process in C++."""
    batch = x.shape[0]
    for i, t in enumerate(timesteps):
        t_prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
        x0_hat = predict_x0(x, torch.full((batch,), t, dtype=torch.long, device=x.device))
        if ddim_steps == 0:
            coef_x0, coef_xt = schedule.coef_x0[t].item(), schedule.coef_xt[t].item()
            noise_std = math.sqrt(schedule.posterior_variance[t].item())
        else:
            ab = schedule.alpha_bar[t].item()
            ab_prev = schedule.alpha_bar[t_prev].item() if t_prev >= 0 else 1.0
            sigma = eta * math.sqrt((1.0 - ab_prev) / (1.0 - ab)) * math.sqrt(max(0.0, 1.0 - ab / ab_prev))
            eps_per_xt = math.sqrt(max(0.0, 1.0 - ab_prev - sigma * sigma)) / math.sqrt(1.0 - ab)
            coef_xt, coef_x0, noise_std = eps_per_xt, math.sqrt(ab_prev) - eps_per_xt * math.sqrt(ab), sigma
        nxt = x0_hat * coef_x0 + x * coef_xt
        if noise_std > 0.0:
            nxt.add_(torch.randn(x.shape, generator=generator).to(x.device), alpha=noise_std)
        x = nxt
    return x


def sample(schedule, predict_x0, shape, ddim_steps=0, eta=0.0, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g).to(device)
    return reverse_process(schedule, predict_x0, x, sampling_timesteps(schedule.steps - 1, ddim_steps), ddim_steps,
                           eta, g)


def denoise(schedule, predict_x0, x_t, start, ddim_steps=0, eta=0.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return reverse_process(schedule, predict_x0, x_t, sampling_timesteps(start, ddim_steps), ddim_steps, eta, g)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=0, help="0: all cores")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--sample-batch", type=int, default=64)
    p.add_argument("--ddpm-steps", type=int, default=10)
    p.add_argument("--ddim-steps", type=int, default=50)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ff", type=int, default=1024)
    p.add_argument("--encoder-layers", type=int, default=8)
    p.add_argument("--decoder-layers", type=int, default=4)
    p.add_argument("--joints", type=int, default=22)
    p.add_argument("--classes", type=int, default=12)
    p.add_argument("--clip", type=int, default=48)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--layers", choices=["torch", "skelaug"], default="torch",
                   help="torch: PyTorch's Transformer layers, the whole network at every sampling step (the paper's "
                        "code); skelaug: the C++ layers' formulation, the exemplar's condition once per sampling run")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--precision", choices=["float32", "bf16"], default="float32",
                   help="bf16: forward passes under bf16 autocast, as the C++ --precision bf16")
    a = p.parse_args()
    if a.steps < 1 or a.batch < 1 or a.sample_batch < 1 or not 1 <= a.ddpm_steps <= 1000 or \
            not 1 <= a.ddim_steps <= 1000:
        p.error("steps, batches >= 1; ddpm-steps and ddim-steps in [1, 1000]")

    torch.set_num_threads(a.threads if a.threads > 0 else (os.cpu_count() or 1))
    torch.manual_seed(0)
    model = Generator(a.joints, a.classes, a.width, a.heads, a.ff, a.encoder_layers, a.decoder_layers, a.dropout,
                      a.layers).to(a.device)
    device = torch.device(a.device)

    def now():  # timings end only when the device has finished the work
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter()

    def autocast():
        return torch.autocast(device.type, dtype=torch.bfloat16, enabled=a.precision == "bf16")
    schedule = CosineSchedule(1000)
    clip, features = a.clip, a.joints * 3
    print(f"RESULT implementation Python/PyTorch-{torch.__version__} ({a.layers} layers)")
    print(f"RESULT threads {torch.get_num_threads()}")
    print(f"RESULT device {a.device} {a.precision}")
    print(f"RESULT parameters {sum(q.numel() for q in model.parameters())}")
    print(f"RESULT config width={a.width} heads={a.heads} ff={a.ff} enc={a.encoder_layers} dec={a.decoder_layers} "
          f"joints={a.joints} classes={a.classes} clip={clip} dropout={a.dropout:g}")

    # (a) Training steps.
    clips = torch.randn(a.batch, clip, features, device=device)
    mask = torch.ones(a.batch, clip, device=device)
    labels = torch.randint(0, a.classes, (a.batch,), device=device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    model.train()
    times, last = [], 0.0
    for step in range(a.warmup + a.steps):
        seeds = [step * a.batch + i for i in range(a.batch)]
        start = now()
        optimizer.zero_grad()
        with autocast():
            loss = generator_loss(model, schedule, clips, mask, labels, clips, mask, seeds)
        loss.backward()
        optimizer.step()
        elapsed = now() - start
        last = loss.item()
        if step >= a.warmup:
            times.append(elapsed)
    step_s = statistics.median(times)
    print(f"RESULT train_batch {a.batch}")
    print(f"RESULT train_step_ms {step_s * 1e3:.2f}")
    print(f"RESULT train_step_min_ms {min(times) * 1e3:.2f}")
    print(f"RESULT train_seq_per_s {a.batch / step_s:.2f}")
    print(f"RESULT train_last_loss {last:.4f}")

    # (b) Sampling.
    batch = a.sample_batch
    labels = torch.randint(0, a.classes, (batch,), device=device)
    exemplar = torch.randn(batch, clip, features, device=device)
    exemplar_mask = torch.ones(batch, clip, device=device)
    model.eval()

    # The paper's code runs the whole network at every step; the C++ formulation computes the exemplar's condition
    # once per run (it depends on neither x_t nor t), as skelaug's sampler does.
    with torch.no_grad(), autocast():
        condition = model.condition(labels, exemplar, exemplar_mask) if a.layers == "skelaug" else None

    def predict(x_t, t):
        with autocast():
            if condition is None:
                return model(x_t, t, labels, exemplar, exemplar_mask, exemplar_mask).float()
            return model.denoise(x_t, t, condition, exemplar_mask).float()

    with torch.no_grad():  # warm-up: one network evaluation
        predict(torch.randn(batch, clip, features, device=device),
                torch.full((batch,), 999, dtype=torch.long, device=device))
    print(f"RESULT sample_batch {batch}")

    start = now()
    if a.ddpm_steps == 1000:
        sample(schedule, predict, (batch, clip, features), ddim_steps=0, seed=1, device=device)
        ddpm_s = now() - start
    else:
        denoise(schedule, predict, torch.randn(batch, clip, features, device=device), a.ddpm_steps - 1, ddim_steps=0,
                seed=1)
        ddpm_s = (now() - start) / a.ddpm_steps * 1000.0
    print(f"RESULT ddpm_measured_steps {a.ddpm_steps}")
    print(f"RESULT ddpm1000_s_per_batch {ddpm_s:.3f}")
    print(f"RESULT ddpm1000_clips_per_s {batch / ddpm_s:.4f}")

    start = now()
    sample(schedule, predict, (batch, clip, features), ddim_steps=a.ddim_steps, seed=2, device=device)
    ddim_s = now() - start
    print(f"RESULT ddim_steps {a.ddim_steps}")
    print(f"RESULT ddim_s_per_batch {ddim_s:.3f}")
    print(f"RESULT ddim_clips_per_s {batch / ddim_s:.4f}")


if __name__ == "__main__":
    main()

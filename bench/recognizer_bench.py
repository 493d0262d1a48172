#!/usr/bin/env python3
"""Recogniser training-throughput benchmark, Python PyTorch side of the C++-vs-PyTorch comparison.

The five recognisers of skelaug::models (models/src/stgcn_pp.cpp, ctrgcn.cpp, msg3d.cpp, blockgcn.cpp, a2m_gru.cpp and
their shared blocks in recognizer_common.cpp, graphs as skeleton_graph.cpp builds them) written here in torch.nn,
module by module under the same parameter names and shapes (so the same parameter counts), with the same
initialisations; the same flags, measurements and "RESULT <key> <value>" lines as bench/recognizer_bench.cpp, so that
bench/run_recognizer_bench.sh can put the two side by side.

  /usr/bin/python3 bench/recognizer_bench.py [--arch all|stgcn_pp|ctrgcn|msg3d|blockgcn|a2m_gru] [--topology hml22]
        [--classes 12] [--clip 48] [--batch 16] [--steps 10] [--warmup 2] [--threads N] [--base-channels 0]
        [--stages 10] [--device cpu|cuda] [--precision float32|bf16] [--check] [--list-parameters]

Training step: zero_grad, forward + cross-entropy (under bf16 autocast with --precision bf16), backward, SGD step (lr
0.1, momentum 0.9, Nesterov, weight decay 5e-4); median over --steps after --warmup. Published widths by default
(ST-GCN++ / CTR-GCN 64, MS-G3D 96, BlockGCN 128, a2m_gru 128 hidden), one body, joint stream, random data.

--check: the deterministic-initialisation forward described in bench/recognizer_bench.cpp's header (parameters
sorted by name, the k-th filled with s = sin(0.7 i + 1.3 k) scaled by its kind; formula input, clip 1 padded), eval
mode, float32; prints <arch>_check_logits_sum, _check_logits_abs_sum, _check_embed_abs_sum, _check_embed_weighted,
_check_graphs (buffers and skeleton-initialised graphs before the fill) and _check_names.
The skeletons' parent lists are copied from data/src/topology.cpp.
"""
import argparse
import math
import os
import statistics
import time
from collections import deque

import torch
import torch.nn as nn
import torch.nn.functional as F

# --- topologies (data/src/topology.cpp) ------------------------------------------------------------------------------

SMPL_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]
NTU_PARENTS = [-1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 1, 7, 7, 11, 11]
VIBE_PARENTS = [-1, 0, 1, 2, 3, 1, 5, 6, 1, 0, 9, 10, 0, 12, 13, 14, 11, 8]
TOPOLOGIES = {"smpl24": SMPL_PARENTS, "hml22": SMPL_PARENTS[:22], "ntu25": NTU_PARENTS, "vibe18": VIBE_PARENTS}

ARCHITECTURES = ["stgcn_pp", "ctrgcn", "msg3d", "blockgcn", "a2m_gru"]  # models::recognizer_architectures() order


def published_base_channels(arch):  # models::published_base_channels
    return {"msg3d": 96, "blockgcn": 128, "a2m_gru": 128}.get(arch, 64)


class Topology:
    def __init__(self, name):
        if name not in TOPOLOGIES:
            raise SystemExit(f"unknown topology '{name}' (known: {', '.join(sorted(TOPOLOGIES))})")
        self.name, self.parents = name, TOPOLOGIES[name]
        self.num_joints = len(self.parents)
        self.edges = [(j, p) for j, p in enumerate(self.parents) if p >= 0]  # (child, parent), joint order


# --- graphs (models/src/skeleton_graph.cpp) --------------------------------------------------------------------------

def hop_distance(topology):
    v = topology.num_joints
    graph = [[] for _ in range(v)]
    for child, parent in topology.edges:
        graph[child].append(parent)
        graph[parent].append(child)
    d = [[v] * v for _ in range(v)]
    for source in range(v):
        d[source][source] = 0
        queue = deque([source])
        while queue:
            joint = queue.popleft()
            for nxt in graph[joint]:
                if d[source][nxt] != v:
                    continue
                d[source][nxt] = d[source][joint] + 1
                queue.append(nxt)
    return torch.tensor(d, dtype=torch.long)


def spatial_partition(topology):
    v = topology.num_joints
    a = torch.zeros(3, v, v)
    degree = [1.0] * v
    for child, parent in topology.edges:
        degree[child] += 1.0
        degree[parent] += 1.0
    degree = torch.tensor(degree, dtype=torch.float32)
    for w in range(v):
        a[0, w, w] = 1.0 / degree[w]
    for child, parent in topology.edges:
        a[1, parent, child] = 1.0 / degree[child]
        a[2, child, parent] = 1.0 / degree[parent]
    return a


def normalize_symmetric(adjacency):
    degree = adjacency.sum(1)
    scale = torch.where(degree > 0, degree.clamp_min(1e-12).rsqrt(), torch.zeros_like(degree))
    return scale.unsqueeze(1) * adjacency * scale.unsqueeze(0)


def multiscale_adjacency(topology, scales):
    hops = hop_distance(topology)
    identity = torch.eye(topology.num_joints)
    return torch.stack([identity] + [normalize_symmetric(hops.eq(k).float() + identity) for k in range(1, scales)])


def window_multiscale_adjacency(topology, window, scales):  # msg3d.cpp
    joints = topology.num_joints
    nodes = window * joints
    identity = torch.eye(nodes)
    same_joint = torch.eye(joints, dtype=torch.long).repeat(window, window).bool()
    hops = torch.where(same_joint & identity.eq(0), torch.ones(nodes, nodes, dtype=torch.long),
                       hop_distance(topology).repeat(window, window))
    return torch.stack([identity] + [normalize_symmetric(hops.eq(k).float() + identity) for k in range(1, scales)])


# --- shared blocks (models/src/recognizer_common.cpp) ----------------------------------------------------------------

def folded_frame_mask(mask, bodies, like):
    n, t = mask.shape
    return mask.to(like.dtype).view(n, 1, 1, t, 1).expand(n, bodies, 1, t, 1).reshape(n * bodies, 1, t, 1)


def stride_frame_mask(frame_mask, stride):
    return frame_mask if stride == 1 else frame_mask[:, :, ::stride]


def masked_frame_mean(features, frame_mask):
    return (features * frame_mask).sum(2) / frame_mask.sum(2).clamp_min(1.0)


def pool_clip(features, frame_mask, bodies):
    per_body = masked_frame_mean(features, frame_mask).mean(-1)
    return per_body.view(-1, bodies, per_body.shape[1]).mean(1)


def gcn_stage_plan(in_channels, base, stages):
    def lround(x):
        return int(math.floor(x + 0.5))
    first_down, second_down = lround(0.5 * stages), lround(0.8 * stages)
    plan = [(in_channels, base, 1, False)]
    channels = base
    for stage in range(2, stages + 1):
        down = stage in (first_down, second_down)
        out = 2 * channels if down else channels
        plan.append((channels, out, 2 if down else 1, True))
        channels = out
    return plan


class DataNorm(nn.Module):
    def __init__(self, bodies, joints, channels, per_body):
        super().__init__()
        self.per_body = per_body
        self.norm = nn.BatchNorm1d((bodies if per_body else 1) * joints * channels)

    def forward(self, x, frame_mask):
        n, m, t, v, c = x.shape
        f = x.permute(0, 1, 3, 4, 2)
        f = f.reshape(n, m * v * c, t) if self.per_body else f.reshape(n * m, v * c, t)
        f = self.norm(f).view(n, m, v, c, t).permute(0, 1, 3, 4, 2).reshape(n * m, c, t, v)
        return f * frame_mask


class ClassifierHead(nn.Module):
    def __init__(self, features, classes, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(features, classes)
        nn.init.normal_(self.linear.weight, 0.0, 0.01)
        nn.init.zeros_(self.linear.bias)

    def forward(self, pooled):
        return self.linear(self.dropout(pooled))


class TemporalConv(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, dilation=1, batch_norm=True):
        super().__init__()
        pad = (kernel - 1) * dilation // 2
        self.kernel = kernel
        self.conv = nn.Conv2d(cin, cout, (kernel, 1), padding=(pad, 0), stride=(stride, 1), dilation=(dilation, 1))
        self.norm = nn.BatchNorm2d(cout) if batch_norm else None

    def forward(self, x, frame_mask):
        y = self.conv(x if self.kernel == 1 else x * frame_mask)
        return self.norm(y) if self.norm is not None else y


class MultiScaleTemporalConv(nn.Module):
    """style 'pyskl' (ST-GCN++'s mstcn) or 'branch_norm' (CTR-GCN / MS-G3D / BlockGCN's MS-TCN)."""

    def __init__(self, cin, cout, style, kernel, dilations, stride):
        super().__init__()
        branches = len(dilations) + 2
        width = cout // branches
        branch_norm = style == "branch_norm"
        self.stride, self.widths, self.dilated = stride, [], []
        for i, d in enumerate(dilations):
            channels = cout - width * (branches - 1) if i == 0 else width
            self.widths.append(channels)
            conv = TemporalConv(channels, channels, kernel, stride, d, branch_norm)
            setattr(self, f"dilated{i}", conv)
            self.dilated.append(conv)
        self.widths.append(width)
        reduced = sum(self.widths)
        self.reduce = nn.Sequential(nn.Conv2d(cin, reduced, 1), nn.BatchNorm2d(reduced), nn.ReLU())
        self.max_norm = nn.BatchNorm2d(width) if branch_norm else None
        self.pointwise = TemporalConv(cin, width, 1, stride, 1, branch_norm)
        self.transform = None if branch_norm else nn.Sequential(
            nn.BatchNorm2d(cout), nn.ReLU(), nn.Conv2d(cout, cout, 1), nn.BatchNorm2d(cout))

    def forward(self, x, frame_mask):
        reduced = (self.reduce(x) * frame_mask).split(self.widths, 1)
        outputs = [conv(reduced[i], frame_mask) for i, conv in enumerate(self.dilated)]
        pooled = F.max_pool2d(reduced[-1], (3, 1), stride=(self.stride, 1), padding=(1, 0))
        if self.max_norm is not None:
            pooled = self.max_norm(pooled)
        outputs.append(pooled)
        outputs.append(self.pointwise(x, frame_mask))
        y = torch.cat(outputs, 1)
        return self.transform(y) if self.transform is not None else y

    def init_reduce_kaiming_fan_out(self):
        with torch.no_grad():
            weight, offset = self.reduce[0].weight, 0
            for w in self.widths:
                weight.narrow(0, offset, w).normal_(0.0, math.sqrt(2.0 / w))
                offset += w


def init_conv_kaiming_fan_out(module):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for m in module.modules():
            if isinstance(m, MultiScaleTemporalConv):
                m.init_reduce_kaiming_fan_out()


class Recognizer(nn.Module):
    def forward(self, x, mask):
        return self.head(self.embed(x, mask))


class GcnBackbone(Recognizer):
    """data norm -> blocks (with their strides) -> pooled [N, C]: ST-GCN++, CTR-GCN, MS-G3D, BlockGCN's embed."""

    def run_blocks(self, x, frame_mask, bodies):
        for block in self.blocks:
            x = block(x, frame_mask)
            frame_mask = stride_frame_mask(frame_mask, block.stride)
        return pool_clip(x, frame_mask, bodies)


def residual_down(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 1), nn.BatchNorm2d(cout)) if cin != cout else None


class GcnStage(nn.Module):
    """GcnStageImpl (recognizer_common.h): graph conv -> multi-scale temporal conv (stage stride) + stage residual
    -> ReLU; the graph conv takes (x, frame_mask)."""

    def __init__(self, stage, graph_conv, style, kernel, dilations, kaiming_fan_out):
        super().__init__()
        cin, cout, stride, residual = stage
        self.stride, self.residual = stride, residual
        self.graph_conv = graph_conv
        self.temporal_conv = MultiScaleTemporalConv(cout, cout, style, kernel, dilations, stride)
        self.projection = TemporalConv(cin, cout, 1, stride) if residual and (cin != cout or stride != 1) else None
        if kaiming_fan_out:
            init_conv_kaiming_fan_out(self.temporal_conv)
            if self.projection is not None:
                init_conv_kaiming_fan_out(self.projection)

    def forward(self, x, frame_mask):
        y = self.temporal_conv(self.graph_conv(x, frame_mask), frame_mask)
        if self.residual:
            y = y + (self.projection(x, frame_mask) if self.projection is not None else x)
        return F.relu(y)


class StackedGcn(GcnBackbone):
    """StackedGcnRecognizer with GcnStage blocks (ST-GCN++, CTR-GCN): `stage(spec, partition)` builds each block."""

    def __init__(self, topology, classes, bodies, in_channels, base, stages, dropout, per_body, stage):
        super().__init__()
        self.bodies = bodies
        partition = spatial_partition(topology)
        self.data_norm = DataNorm(bodies, topology.num_joints, in_channels, per_body=per_body)
        plan = gcn_stage_plan(in_channels, base, stages)
        self.blocks = []
        for i, spec in enumerate(plan):
            block = stage(spec, partition)
            setattr(self, f"block{i + 1}", block)
            self.blocks.append(block)
        self.head = ClassifierHead(plan[-1][1], classes, dropout)

    def embed(self, x, mask):
        frame_mask = folded_frame_mask(mask, self.bodies, x)
        return self.run_blocks(self.data_norm(x, frame_mask), frame_mask, self.bodies)


# --- ST-GCN++ (stgcn_pp.cpp) -----------------------------------------------------------------------------------------

class AdaptiveGraphConv(nn.Module):
    def __init__(self, cin, cout, partition):
        super().__init__()
        self.subsets = partition.shape[0]
        self.graph = nn.Parameter(partition.clone())
        self.conv = nn.Conv2d(cin, cout * self.subsets, 1)
        self.norm = nn.BatchNorm2d(cout)
        self.down = residual_down(cin, cout)

    def forward(self, x, frame_mask):  # nothing here mixes frames
        b, _, t, v = x.shape
        per_subset = self.conv(x).view(b, self.subsets, -1, t, v)
        aggregated = torch.einsum("bkctv,kvw->bctw", per_subset, self.graph)
        residual = self.down(x) if self.down is not None else x
        return F.relu(self.norm(aggregated) + residual)


class StgcnPlusPlus(StackedGcn):
    def __init__(self, topology, classes, bodies, in_channels, base, stages, dropout):
        super().__init__(topology, classes, bodies, in_channels, base, stages, dropout, per_body=False,
                         stage=lambda spec, partition: GcnStage(spec, AdaptiveGraphConv(spec[0], spec[1], partition),
                                                                "pyskl", 3, [1, 2, 3, 4], kaiming_fan_out=False))


# --- CTR-GCN (ctrgcn.cpp) --------------------------------------------------------------------------------------------

class ChannelTopologyGraphConv(nn.Module):
    def __init__(self, cin, cout, partition):
        super().__init__()
        k = self.subsets = partition.shape[0]
        self.out_channels = cout
        self.reduced = 8 if cin <= 16 else cin // 8
        r = self.reduced
        self.graph = nn.Parameter(partition.clone())
        self.alpha = nn.Parameter(torch.zeros(1))
        self.query = nn.Conv2d(cin, k * r, 1)
        self.key = nn.Conv2d(cin, k * r, 1)
        self.value = nn.Conv2d(cin, k * cout, 1)
        self.expand = nn.Conv2d(k * r, k * cout, 1, groups=k)
        self.norm = nn.BatchNorm2d(cout)
        self.down = residual_down(cin, cout)
        init_conv_kaiming_fan_out(self)
        with torch.no_grad():
            self.norm.weight.fill_(1e-6)

    def forward(self, x, frame_mask):
        b, _, t, v = x.shape
        k, r, c = self.subsets, self.reduced, self.out_channels
        pooled = masked_frame_mean(x, frame_mask).unsqueeze(2)
        query = self.query(pooled).view(b, k * r, v, 1)
        key = self.key(pooled).view(b, k * r, 1, v)
        relation = torch.tanh(query - key)
        refined = self.expand(relation).view(b, k, c, v, v) * self.alpha + self.graph.view(1, k, 1, v, v)
        values = self.value(x).view(b, k, c, t, v)
        aggregated = torch.einsum("bkcuw,bkctu->bctw", refined, values)
        residual = self.down(x) if self.down is not None else x
        return F.relu(self.norm(aggregated) + residual)


class Ctrgcn(StackedGcn):
    def __init__(self, topology, classes, bodies, in_channels, base, stages, dropout):
        super().__init__(topology, classes, bodies, in_channels, base, stages, dropout, per_body=True,
                         stage=lambda spec, partition: GcnStage(
                             spec, ChannelTopologyGraphConv(spec[0], spec[1], partition), "branch_norm", 5, [1, 2],
                             kaiming_fan_out=True))


# --- MS-G3D (msg3d.cpp) ----------------------------------------------------------------------------------------------

class MultiScaleGraphConv(nn.Module):
    def __init__(self, graphs, cin, cout):
        super().__init__()
        self.scales, self.nodes = graphs.shape[0], graphs.shape[1]
        self.register_buffer("graphs", graphs.clone())
        self.residual = nn.Parameter(torch.empty_like(graphs).uniform_(-1e-6, 1e-6))
        self.mix = nn.Conv2d(self.scales * cin, cout, 1)
        self.norm = nn.BatchNorm2d(cout)

    def forward(self, x):
        b, c, t, _ = x.shape
        stacked = (self.graphs + self.residual).permute(1, 0, 2).reshape(self.nodes, self.scales * self.nodes)
        support = x.matmul(stacked).view(b, c, t, self.scales, self.nodes).permute(0, 3, 1, 2, 4) \
            .reshape(b, self.scales * c, t, self.nodes)
        return F.relu(self.norm(self.mix(support)))


class ResidualMultiScaleTemporalConv(nn.Module):
    def __init__(self, cin, cout, stride, activation):
        super().__init__()
        self.activation = activation
        self.branches = MultiScaleTemporalConv(cin, cout, "branch_norm", 3, [1, 2, 3, 4], stride)
        self.projection = TemporalConv(cin, cout, 1, stride) if cin != cout or stride != 1 else None

    def forward(self, x, frame_mask):
        y = self.branches(x, frame_mask) + (self.projection(x, frame_mask) if self.projection is not None else x)
        return F.relu(y) if self.activation else y


class G3dPathway(nn.Module):
    def __init__(self, topology, cin, embed, cout, window, dilation, stride):
        super().__init__()
        self.window, self.dilation, self.stride = window, dilation, stride
        self.graph_conv = MultiScaleGraphConv(window_multiscale_adjacency(topology, window, 6), cin, embed)
        self.collapse = nn.Conv2d(embed * window, cout, 1)
        self.collapse_norm = nn.BatchNorm2d(cout)

    def sliding_windows(self, x):
        b, c, frames, v = x.shape
        pad = self.dilation * (self.window - 1) // 2
        padded = F.pad(x, (0, 0, pad, pad))
        out_frames = (frames - 1) // self.stride + 1
        offsets = [padded[:, :, j * self.dilation:j * self.dilation + self.stride * (out_frames - 1) + 1:self.stride]
                   for j in range(self.window)]
        return torch.stack(offsets, 3).view(b, c, out_frames, self.window * v)

    def forward(self, x, frame_mask):
        b, v = x.shape[0], x.shape[3]
        windows = self.sliding_windows(x * frame_mask)
        t = windows.shape[2]
        embedded = self.graph_conv(windows)
        channels = embedded.shape[1]
        stacked = embedded.view(b, channels, t, self.window, v).permute(0, 1, 3, 2, 4) \
            .reshape(b, channels * self.window, t, v)
        return self.collapse_norm(self.collapse(stacked))


class StgcBlock(nn.Module):
    def __init__(self, topology, cin, cout, stride, first):
        super().__init__()
        self.stride = stride
        embed = cout if first else cin
        self.spatial_gcn = MultiScaleGraphConv(multiscale_adjacency(topology, 13), cin, embed)
        self.spatial_tcn1 = ResidualMultiScaleTemporalConv(embed, cout, stride, True)
        self.spatial_tcn2 = ResidualMultiScaleTemporalConv(cout, cout, 1, False)
        self.pathways = []
        for i, (window, dilation) in enumerate([(3, 1), (5, 1)]):
            pathway = G3dPathway(topology, cin, embed, cout, window, dilation, stride)
            setattr(self, f"g3d{i}", pathway)
            self.pathways.append(pathway)
        self.tcn = ResidualMultiScaleTemporalConv(cout, cout, 1, True)

    def forward(self, x, frame_mask):
        out_mask = stride_frame_mask(frame_mask, self.stride)
        spatial = self.spatial_tcn1(self.spatial_gcn(x), frame_mask)
        spatial = self.spatial_tcn2(spatial, out_mask)
        for pathway in self.pathways:
            spatial = spatial + pathway(x, frame_mask)
        return self.tcn(F.relu(spatial), out_mask)


class Msg3d(GcnBackbone):
    def __init__(self, topology, classes, bodies, in_channels, base, stages, dropout):
        super().__init__()
        if base < 6:
            raise SystemExit(f"msg3d: base_channels must be at least 6 (6 temporal branches), got {base}")
        self.bodies = bodies
        self.data_norm = DataNorm(bodies, topology.num_joints, in_channels, per_body=True)
        self.blocks, cin = [], in_channels
        for i in range(min(stages, 3)):
            cout = base << i
            block = StgcBlock(topology, cin, cout, 1 if i == 0 else 2, i == 0)
            setattr(self, f"block{i}", block)
            self.blocks.append(block)
            cin = cout
        self.head = ClassifierHead(cin, classes, dropout)
        init_conv_kaiming_fan_out(self)

    def embed(self, x, mask):
        frame_mask = folded_frame_mask(mask, self.bodies, x)
        return self.run_blocks(self.data_norm(x, frame_mask), frame_mask, self.bodies)


# --- BlockGCN (blockgcn.cpp) -----------------------------------------------------------------------------------------

GROUPS, SUBSETS = 8, 3


def normalise_columns(graphs):
    return graphs / (graphs.norm(2, dim=-2, keepdim=True) + 1e-4)


class BlockGraphConv(nn.Module):
    def __init__(self, topology, cin, cout):
        super().__init__()
        joints = topology.num_joints
        self.register_buffer("hops", hop_distance(topology).flatten())
        distances = int(self.hops.max().item()) + 1
        self.learned_adjacency = nn.Parameter(torch.eye(joints).expand(SUBSETS, GROUPS, joints, joints).contiguous())
        self.hop_embedding = nn.Parameter(torch.zeros(SUBSETS, GROUPS, distances))
        self.projection = nn.Conv2d(SUBSETS * cin, cout, 1, groups=GROUPS)
        self.norm = nn.BatchNorm2d(cout)
        self.down = residual_down(cin, cout)

    def quiet_output(self):
        with torch.no_grad():
            self.norm.weight.fill_(1e-6)

    def forward(self, x):
        b, c, t, v = x.shape
        gc = c // GROUPS
        topology_bias = self.hop_embedding.index_select(2, self.hops.long()).view(SUBSETS, GROUPS, v, v)
        graphs = normalise_columns(self.learned_adjacency) + normalise_columns(topology_bias)
        per_group = graphs.permute(1, 2, 0, 3).reshape(GROUPS, v, SUBSETS * v)
        grouped = x.view(b, GROUPS, gc * t, v).transpose(0, 1).reshape(GROUPS, b * gc * t, v)
        aggregated = torch.bmm(grouped, per_group).view(GROUPS, b, gc, t, SUBSETS, v).permute(1, 0, 4, 2, 3, 5) \
            .reshape(b, GROUPS * SUBSETS * gc, t, v)
        residual = self.down(x) if self.down is not None else x
        return F.relu(self.norm(self.projection(aggregated)) + residual)


class BlockUnit(nn.Module):
    def __init__(self, topology, cin, cout, stride):
        super().__init__()
        self.stride = stride
        self.graph_conv = BlockGraphConv(topology, cin, cout)
        self.temporal_conv = MultiScaleTemporalConv(cout, cout, "branch_norm", 5, [1, 2], stride)
        self.residual = TemporalConv(cin, cout, 1, stride) if cin != cout or stride != 1 else None

    def forward(self, x, frame_mask):
        y = self.temporal_conv(self.graph_conv(x), frame_mask)
        return F.relu(y + (self.residual(x, frame_mask) if self.residual is not None else x))


class BlockGcn(GcnBackbone):
    def __init__(self, topology, classes, bodies, in_channels, base, stages, dropout):
        super().__init__()
        if base % GROUPS != 0:
            raise SystemExit(f"blockgcn: base_channels must be a multiple of its {GROUPS} channel groups, got {base}")
        self.bodies = bodies
        joints = topology.num_joints
        self.joint_embedding = nn.Linear(in_channels, base)
        self.joint_position = nn.Parameter(torch.randn(joints, base))
        self.data_norm = DataNorm(bodies, joints, base, per_body=True)
        self.blocks, cin = [], base
        for i in range(stages):
            cout = base if i < 4 else 2 * base
            unit = BlockUnit(topology, cin, cout, 2 if i in (4, 7) else 1)
            setattr(self, f"unit{i}", unit)
            self.blocks.append(unit)
            cin = cout
        self.head = ClassifierHead(cin, classes, dropout)
        init_conv_kaiming_fan_out(self)
        for unit in self.blocks:
            unit.graph_conv.quiet_output()

    def embed(self, x, mask):
        frame_mask = folded_frame_mask(mask, self.bodies, x)
        embedded = self.joint_embedding(x) + self.joint_position
        return self.run_blocks(self.data_norm(embedded, frame_mask), frame_mask, self.bodies)


# --- a2m_gru (a2m_gru.cpp) -------------------------------------------------------------------------------------------

class A2mGru(Recognizer):
    def __init__(self, topology, classes, bodies, in_channels, base, stages, dropout):
        super().__init__()
        self.gru = nn.GRU(bodies * topology.num_joints * in_channels, base, num_layers=2, batch_first=True)
        self.embedding = nn.Linear(base, 30)
        self.head = ClassifierHead(30, classes, dropout)

    def embed(self, x, mask):
        n, t = x.shape[0], x.shape[2]
        frame_mask = mask.to(x.dtype)
        frames = x.permute(0, 2, 1, 3, 4).reshape(n, t, -1) * frame_mask.unsqueeze(-1)
        outputs = self.gru(frames)[0]
        positions = torch.arange(t, dtype=torch.long, device=x.device)
        last = (positions * frame_mask.gt(0.5).long()).max(1)[0]
        at_last = outputs.gather(1, last.view(n, 1, 1).expand(n, 1, outputs.shape[2])).squeeze(1)
        return torch.tanh(self.embedding(at_last))


MODELS = {"stgcn_pp": StgcnPlusPlus, "ctrgcn": Ctrgcn, "msg3d": Msg3d, "blockgcn": BlockGcn, "a2m_gru": A2mGru}


def make_recognizer(arch, a):
    base = a.base_channels if a.base_channels > 0 else published_base_channels(arch)
    return MODELS[arch](Topology(a.topology), a.classes, 1, 3, base, a.stages, 0.0), base


# --- check and benchmark ---------------------------------------------------------------------------------------------

def names_fingerprint(parameters):
    h = 14695981039346656037
    for name, p in parameters:
        for byte in (name + ":" + "x".join(str(d) for d in p.shape) + ";").encode():
            h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{len(parameters)}:{h:016x}"


def fill_deterministic(parameters):
    with torch.no_grad():
        for k, (name, p) in enumerate(parameters):
            n = p.numel()
            values = torch.sin(torch.arange(n, dtype=torch.float64) * 0.7 + 1.3 * k)
            if p.dim() >= 2:
                values = values / math.sqrt(n // p.shape[0])
            elif name.endswith("weight"):
                values = values * 0.1 + 1.0
            else:
                values = values * 0.1
            p.copy_(values.float().view_as(p))


def weighted_sum(x, k=0):
    """sum_i x.flat[i] cos(0.9 i + 0.1 k) in double (as weighted_sum in the C++ file)."""
    flat = x.detach().to("cpu", torch.float64).flatten()
    return (flat * torch.cos(torch.arange(flat.numel(), dtype=torch.float64) * 0.9 + 0.1 * k)).sum().item()


def graphs_checksum(model):
    """Weighted sums of the buffers but batch-norm statistics and of the skeleton-initialised parameters, in name order
    (graphs_checksum in the C++ file)."""
    statistics_ = (".running_mean", ".running_var", ".num_batches_tracked")
    tensors = [(n, b) for n, b in model.named_buffers() if not n.endswith(statistics_)] + \
        [(n, p) for n, p in model.named_parameters() if n.endswith(".graph") or n.endswith(".learned_adjacency")]
    return sum(weighted_sum(t, k) for k, (_, t) in enumerate(sorted(tensors, key=lambda item: item[0])))


def run_check(arch, a, device):
    model, _ = make_recognizer(arch, a)
    parameters = sorted(model.named_parameters(), key=lambda item: item[0])
    graphs = graphs_checksum(model)  # before the fill: the graphs as the model builds them
    fill_deterministic(parameters)
    model.to(device).eval()
    joints, n, t = Topology(a.topology).num_joints, 2, a.clip
    x = torch.sin(torch.arange(n * t * joints * 3, dtype=torch.float64) * 0.37 + 0.5).float().view(n, 1, t, joints, 3)
    mask = torch.ones(n, t)
    mask[1, t - t // 4:] = 0
    with torch.no_grad():
        logits = model(x.to(device), mask.to(device)).to("cpu", torch.float64)
        embedding = model.embed(x.to(device), mask.to(device)).to("cpu", torch.float64)
    print(f"RESULT {arch}_parameters {sum(p.numel() for p in model.parameters())}")
    print(f"RESULT {arch}_check_names {names_fingerprint(parameters)}")
    print(f"RESULT {arch}_check_logits_sum {logits.sum().item():.6g}")
    print(f"RESULT {arch}_check_logits_abs_sum {logits.abs().sum().item():.6g}")
    print(f"RESULT {arch}_check_embed_abs_sum {embedding.abs().sum().item():.6g}")
    print(f"RESULT {arch}_check_embed_weighted {weighted_sum(embedding):.6g}")
    print(f"RESULT {arch}_check_graphs {graphs:.6g}")
    if a.list_parameters:
        for name, p in parameters:
            print(f"PARAM {arch} {name} {'x'.join(str(d) for d in p.shape)}")


def run_benchmark(arch, a, device):
    def now():  # timings end only when the device has finished the work
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter()

    torch.manual_seed(0)
    model, base = make_recognizer(arch, a)
    model.to(device).train()
    print(f"RESULT {arch}_parameters {sum(p.numel() for p in model.parameters())}")
    print(f"RESULT {arch}_base_channels {base}", flush=True)
    joints = Topology(a.topology).num_joints
    clips = torch.randn(a.batch, 1, a.clip, joints, 3, device=device)
    mask = torch.ones(a.batch, a.clip, device=device)
    labels = torch.randint(0, a.classes, (a.batch,), device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    times, last = [], 0.0
    for step in range(a.warmup + a.steps):
        start = now()
        optimizer.zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            loss = F.cross_entropy(model(clips, mask), labels)
        loss.backward()
        optimizer.step()
        elapsed = now() - start
        last = loss.item()
        if step >= a.warmup:
            times.append(elapsed)
    step_s = statistics.median(times)
    print(f"RESULT {arch}_step_ms {step_s * 1e3:.2f}")
    print(f"RESULT {arch}_step_min_ms {min(times) * 1e3:.2f}")
    print(f"RESULT {arch}_clips_per_s {a.batch / step_s:.2f}")
    print(f"RESULT {arch}_last_loss {last:.4f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", default="all", choices=["all"] + ARCHITECTURES)
    p.add_argument("--topology", default="hml22")
    p.add_argument("--classes", type=int, default=12)
    p.add_argument("--clip", type=int, default=48)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="0: all cores")
    p.add_argument("--base-channels", type=int, default=0, help="0: each architecture's published width")
    p.add_argument("--stages", type=int, default=10)
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--precision", choices=["float32", "bf16"], default="float32",
                   help="bf16: forward + loss under bf16 autocast, as the C++ --precision bf16")
    p.add_argument("--check", action="store_true", help="deterministic-initialisation forward instead of timing")
    p.add_argument("--list-parameters", action="store_true", help="with --check: one PARAM line per parameter")
    a = p.parse_args()
    if a.steps < 1 or a.warmup < 0 or a.batch < 1 or a.clip < 4 or a.classes < 1 or a.stages < 1 or \
            a.base_channels < 0:
        p.error("steps, batch, classes, stages >= 1; warmup, base-channels >= 0; clip >= 4")
    torch.set_num_threads(a.threads if a.threads > 0 else (os.cpu_count() or 1))
    device = torch.device(a.device)
    architectures = ARCHITECTURES if a.arch == "all" else [a.arch]

    print(f"RESULT implementation Python/PyTorch-{torch.__version__}")
    print(f"RESULT threads {torch.get_num_threads()}")
    print(f"RESULT device {device} {'float32' if a.check else a.precision}")
    print(f"RESULT architectures {','.join(architectures)}")
    print(f"RESULT config topology={a.topology} classes={a.classes} bodies=1 streams=joint clip={a.clip} "
          f"batch={2 if a.check else a.batch} stages={a.stages} optimizer=sgd(lr=0.1,momentum=0.9,nesterov,wd=5e-4)",
          flush=True)
    if not a.check:
        print(f"RESULT timing steps={a.steps} warmup={a.warmup}", flush=True)
    for arch in architectures:
        if a.check:
            run_check(arch, a, device)
        else:
            run_benchmark(arch, a, device)


if __name__ == "__main__":
    main()

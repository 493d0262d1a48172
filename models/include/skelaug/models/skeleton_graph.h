#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "skelaug/data/topology.h"

namespace skelaug::models {

// Graphs the GCN recognisers build from a topology's bone list (float32 tensors, V = topology.num_joints()).

// Binary adjacency [V, V] of the undirected bone graph, without self-loops.
at::Tensor adjacency(const data::Topology& topology);
// Shortest-path hop distance [V, V] between joints (int64; V for unreachable pairs, which a tree never has).
at::Tensor hop_distance(const data::Topology& topology);
// ST-GCN's spatial partition [3, V, V]: self, centripetal (towards the root), centrifugal, each column-normalised
// (D^-1 scaling by the in-degree of the partition's combined graph), as ST-GCN / PYSKL's 'spatial' mode builds it.
// Convention (all graphs here): column w lists what joint w gathers, out[w] = sum_v x[v] A[v, w]; subset 1 holds
// each joint's parent, subset 2 its children, and the three subsets of every column sum to 1.
at::Tensor spatial_partition(const data::Topology& topology);
// MS-G3D's disentangled multi-scale adjacency [scales, V, V]: scale k joins joints exactly k hops apart (k = 0 is
// the identity), each symmetrically normalised D^-1/2 (A + I) D^-1/2 for k >= 1.
at::Tensor multiscale_adjacency(const data::Topology& topology, std::int64_t scales);
// D^-1/2 A D^-1/2 of a square adjacency [V, V] (zero-degree rows stay zero).
at::Tensor normalize_symmetric(const at::Tensor& adjacency);

}  // namespace skelaug::models

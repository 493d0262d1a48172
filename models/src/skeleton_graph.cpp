#include "skelaug/models/skeleton_graph.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <deque>
#include <stdexcept>
#include <vector>

namespace skelaug::models {
namespace {

std::vector<std::vector<int>> neighbours(const data::Topology& topology) {
  std::vector<std::vector<int>> result(static_cast<std::size_t>(topology.num_joints()));
  for (const auto& [child, parent] : topology.edges()) {
    result[static_cast<std::size_t>(child)].push_back(parent);
    result[static_cast<std::size_t>(parent)].push_back(child);
  }
  return result;
}

}  // namespace

at::Tensor adjacency(const data::Topology& topology) {
  const auto v = topology.num_joints();
  auto result = at::zeros({v, v}, at::kFloat);
  auto a = result.accessor<float, 2>();
  for (const auto& [child, parent] : topology.edges()) {
    a[child][parent] = 1.0F;
    a[parent][child] = 1.0F;
  }
  return result;
}

at::Tensor hop_distance(const data::Topology& topology) {
  // Breadth-first search from every joint: V is at most a few dozen, so V searches over V joints are nothing.
  const auto v = topology.num_joints();
  const auto graph = neighbours(topology);
  auto result = at::full({v, v}, static_cast<std::int64_t>(v), at::kLong);
  auto d = result.accessor<std::int64_t, 2>();
  for (int source = 0; source < v; ++source) {
    d[source][source] = 0;
    std::deque<int> queue{source};
    while (!queue.empty()) {
      const auto joint = queue.front();
      queue.pop_front();
      for (const auto next : graph[static_cast<std::size_t>(joint)]) {
        if (d[source][next] != v) continue;
        d[source][next] = d[source][joint] + 1;
        queue.push_back(next);
      }
    }
  }
  return result;
}

at::Tensor spatial_partition(const data::Topology& topology) {
  // Aggregation convention of the GCNs: out[w] = sum_v x[v] A[v, w], so column w lists what joint w gathers. Its
  // neighbours are split by their distance to the root relative to w's: w itself, its parent (closer to the root:
  // centripetal) and its children (farther: centrifugal). In a tree no neighbour is as far from the root as w, so
  // the 'self' subset is exactly the identity. Each column is divided by the degree of w in the combined graph
  // (self-loop included), so the three subsets of a column sum to 1, as ST-GCN's normalised spatial partition.
  const auto v = topology.num_joints();
  auto result = at::zeros({3, v, v}, at::kFloat);
  auto a = result.accessor<float, 3>();
  std::vector<float> degree(static_cast<std::size_t>(v), 1.0F);
  for (const auto& [child, parent] : topology.edges()) {
    degree[static_cast<std::size_t>(child)] += 1.0F;
    degree[static_cast<std::size_t>(parent)] += 1.0F;
  }
  for (int w = 0; w < v; ++w) a[0][w][w] = 1.0F / degree[static_cast<std::size_t>(w)];
  for (const auto& [child, parent] : topology.edges()) {
    a[1][parent][child] = 1.0F / degree[static_cast<std::size_t>(child)];  // the child gathers from its parent
    a[2][child][parent] = 1.0F / degree[static_cast<std::size_t>(parent)];  // the parent gathers from its child
  }
  return result;
}

at::Tensor multiscale_adjacency(const data::Topology& topology, std::int64_t scales) {
  if (scales < 1) throw std::invalid_argument(fmt::format("multiscale_adjacency: {} scales", scales));
  const auto v = topology.num_joints();
  const auto hops = hop_distance(topology);
  const auto identity = at::eye(v, at::kFloat);
  std::vector<at::Tensor> result{identity};
  for (std::int64_t k = 1; k < scales; ++k) {
    result.push_back(normalize_symmetric(hops.eq(k).to(at::kFloat) + identity));
  }
  return at::stack(result);
}

at::Tensor normalize_symmetric(const at::Tensor& adjacency) {
  if (adjacency.dim() != 2 || adjacency.size(0) != adjacency.size(1)) {
    throw std::invalid_argument("normalize_symmetric: adjacency must be square [V, V]");
  }
  const auto degree = adjacency.sum(1);
  const auto scale = at::where(degree > 0, degree.clamp_min(1e-12).rsqrt(), at::zeros_like(degree));
  return scale.unsqueeze(1) * adjacency * scale.unsqueeze(0);
}

}  // namespace skelaug::models

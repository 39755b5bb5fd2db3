#include "detect/incident_grouping.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <string_view>
#include <unordered_map>

namespace inferscope {
namespace {

// The model a (possibly sliced) subject belongs to: "llama/task_type=chat" -> "llama".
std::string_view BaseModel(const std::string& model) {
  return std::string_view(model).substr(0, model.find('/'));
}

bool SameProblem(const Anomaly& a, const Anomaly& b) {
  if (a.labels.empty() != b.labels.empty()) return false;
  if (!a.labels.empty()) return a.model == b.model && a.labels == b.labels;
  if (a.model == "*" || b.model == "*") return true;
  return BaseModel(a.model) == BaseModel(b.model);
}

TimestampNs SpanEnd(const Anomaly& a) {
  const TimestampNs end = a.state == AnomalyState::kResolved ? a.end_ns : a.last_seen_ns;
  return std::max(end, a.start_ns);
}

size_t Find(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

}  // namespace

void AssignIncidents(std::vector<Anomaly>& anomalies, int64_t gap_ns) {
  const size_t n = anomalies.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return anomalies[x].start_ns < anomalies[y].start_ns;
  });
  // Union-find whose root is always the earliest member (by position in `order`).
  std::vector<size_t> parent(n), rank_of(n);
  for (size_t r = 0; r < n; ++r) {
    parent[order[r]] = order[r];
    rank_of[order[r]] = r;
  }
  auto unite = [&](size_t x, size_t y) {
    x = Find(parent, x);
    y = Find(parent, y);
    if (x == y) return;
    if (rank_of[y] < rank_of[x]) std::swap(x, y);
    parent[y] = x;
  };
  // Anomalies whose spans may still reach later starts (start order, so every later one
  // starts at or after the current start).
  std::vector<size_t> active;
  for (size_t i : order) {
    const Anomaly& a = anomalies[i];
    size_t kept = 0;
    for (size_t j : active) {
      if (SpanEnd(anomalies[j]) + gap_ns < a.start_ns) continue;  // out of reach for good
      active[kept++] = j;
      if (SameProblem(a, anomalies[j])) unite(i, j);
    }
    active.resize(kept);
    active.push_back(i);
  }
  for (size_t i = 0; i < n; ++i) {
    const std::string& root_id = anomalies[Find(parent, i)].id;
    const std::string_view hex = std::string_view(root_id).substr(root_id.find('-') + 1);
    anomalies[i].incident = "i-" + std::string(hex);
  }
}

std::vector<IncidentView> IncidentViews(const std::vector<Anomaly>& anomalies) {
  std::vector<IncidentView> views;
  std::unordered_map<std::string_view, size_t> slot;
  for (size_t i = 0; i < anomalies.size(); ++i) {
    const Anomaly& a = anomalies[i];
    size_t at = views.size();
    if (!a.incident.empty()) {
      auto [it, added] = slot.emplace(a.incident, views.size());
      at = it->second;
    }
    if (at == views.size()) {
      views.emplace_back();
      views.back().start_ns = a.start_ns;
      views.back().end_ns = SpanEnd(a);
      views.back().severity = a.severity;
    }
    IncidentView& v = views[at];
    v.members.push_back(i);
    v.start_ns = std::min(v.start_ns, a.start_ns);
    v.end_ns = std::max(v.end_ns, SpanEnd(a));
    v.firing = v.firing || a.state != AnomalyState::kResolved;
    v.severity = std::max(v.severity, a.severity);
  }
  for (IncidentView& v : views) {
    std::vector<std::string_view> seen;
    for (size_t i : v.members) {
      const std::string& model = anomalies[i].model;
      const std::string_view base = model == "*" ? std::string_view() : BaseModel(model);
      if (base.empty() || std::find(seen.begin(), seen.end(), base) != seen.end()) continue;
      seen.push_back(base);
      if (!v.models.empty()) v.models += ", ";
      v.models += base;
    }
    if (v.models.empty()) v.models = "*";
  }
  return views;
}

}  // namespace inferscope

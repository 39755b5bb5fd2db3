#include "api/anomaly_api.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "api/anomaly_record_codec.h"
#include "core/json_writer.h"
#include "core/time_format.h"
#include "insight/anomaly_json.h"

namespace inferscope {
namespace {

int SeverityRank(std::string_view s) {
  if (s == "critical") return 3;
  if (s == "high") return 2;
  if (s == "medium") return 1;
  if (s == "low") return 0;
  return -1;
}

Result<uint64_t> ParsePositive(const std::string& text, std::string_view name, uint64_t max) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v == 0 || v > max) {
    return Status::InvalidArgument(std::string(name) + ": expected a number from 1 to " +
                                   std::to_string(max) + ", got '" + text + "'");
  }
  return v;
}

// The newest `limit` (default 100, at most 10000) anomalies, of `model` if given.
Result<AnomalyQuery> NewestFirstQuery(const ApiRequest& req) {
  AnomalyQuery query;
  query.limit = 100;
  query.newest_first = true;
  if (const std::string* l = req.Query("limit")) {
    INFERSCOPE_ASSIGN_OR_RETURN(query.limit, ParsePositive(*l, "limit", 10000));
  }
  if (const std::string* m = req.Query("model")) query.model = *m;
  return query;
}

}  // namespace

void AnomalyApi::Register(HttpServer& server) {
  server.Route("GET", "/api/v1/anomalies", AuthScope::kApi, "anomalies",
               [this](const ApiRequest& req, ApiResponse& res) { List(req, res); });
  server.Route("DELETE", "/api/v1/anomalies", AuthScope::kApi, "anomalies_delete",
               [this](const ApiRequest& req, ApiResponse& res) { Delete(req, res); });
  server.Route("GET", "/api/v1/anomalies/{id}", AuthScope::kApi, "anomaly",
               [this](const ApiRequest& req, ApiResponse& res) { Get(req, res); });
  server.Route("GET", "/api/v1/insights", AuthScope::kApi, "insights",
               [this](const ApiRequest& req, ApiResponse& res) { Insights(req, res); });
  server.Route("GET", "/api/v1/recommendations", AuthScope::kApi, "recommendations",
               [this](const ApiRequest& req, ApiResponse& res) { Recommendations(req, res); });
}

void AnomalyApi::List(const ApiRequest& req, ApiResponse& res) const {
  auto base = NewestFirstQuery(req);
  if (!base.ok()) return res.Error(base.status());
  AnomalyQuery query = *base;
  if (const std::string* s = req.Query("state")) {
    if (*s != "pending" && *s != "firing" && *s != "resolved") {
      return res.Error(
          Status::InvalidArgument("state: expected pending, firing or resolved, got '" + *s + "'"));
    }
    query.state = *s;
  }
  if (const std::string* incident = req.Query("incident")) query.incident = *incident;
  if (const std::string* since = req.Query("since")) {
    auto t = ParseUserTime(*since);
    if (t.ok()) {
      query.start_ns = *t;
    } else {
      auto d = ParseDuration(*since);
      if (!d.ok()) {
        return res.Error(Status::InvalidArgument(
            "since: expected a time (RFC 3339, unix seconds) or a duration like 24h, got '" +
            *since + "'"));
      }
      query.start_ns = clock_->Now() - *d;
    }
  }
  int min_severity = -1;
  if (const std::string* s = req.Query("severity")) {
    min_severity = SeverityRank(*s);
    if (min_severity < 0) {
      return res.Error(Status::InvalidArgument(
          "severity: expected low, medium, high or critical, got '" + *s + "'"));
    }
  }
  const std::string* metric = req.Query("metric");
  // Filters the store cannot apply are applied here, so ask it for more rows.
  const size_t wanted = query.limit;
  if (metric != nullptr || min_severity >= 0) query.limit = std::max<size_t>(wanted * 10, 1000);
  auto records = metadata_->ListAnomalies(query);
  if (!records.ok()) return res.Error(records.status());
  // Newest first.
  std::vector<const AnomalyRecord*> rows;
  for (const AnomalyRecord& r : *records) {
    if (metric != nullptr && r.metric != *metric) continue;
    if (SeverityRank(r.severity) < min_severity) continue;
    rows.push_back(&r);
  }
  std::sort(rows.begin(), rows.end(), [](const AnomalyRecord* a, const AnomalyRecord* b) {
    return a->start_ns != b->start_ns ? a->start_ns > b->start_ns : a->id < b->id;
  });
  if (rows.size() > wanted) rows.resize(wanted);
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("anomalies").BeginArray();
  for (const AnomalyRecord* r : rows) {
    Anomaly a = FromAnomalyRecord(*r);
    WriteAnomalyJson(w, a, a.labels);
  }
  w.EndArray().EndObject();
  res.Json(200, std::move(out));
}

void AnomalyApi::Get(const ApiRequest& req, ApiResponse& res) const {
  const std::string& id = req.path_params.at(0);
  auto record = metadata_->GetAnomaly(id);
  if (!record.ok()) return res.Error(record.status());
  if (!record->has_value()) return res.Error(Status::NotFound("no anomaly with id '" + id + "'"));
  Anomaly a = FromAnomalyRecord(**record);
  std::string out;
  JsonWriter w(&out);
  WriteAnomalyJson(w, a, a.labels);
  res.Json(200, std::move(out));
}

void AnomalyApi::Delete(const ApiRequest& req, ApiResponse& res) const {
  const std::string* hours = req.Query("older_than_hours");
  if (hours == nullptr) {
    return res.Error(Status::InvalidArgument(
        "older_than_hours is required (anomalies that ended before now minus N hours)"));
  }
  auto n = ParsePositive(*hours, "older_than_hours", 24 * 365 * 10);
  if (!n.ok()) return res.Error(n.status());
  TimestampNs cutoff = clock_->Now() - static_cast<int64_t>(*n) * kNanosPerHour;
  auto deleted = metadata_->DeleteResolvedAnomaliesBefore(cutoff);
  if (!deleted.ok()) return res.Error(deleted.status());
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("deleted").Uint(*deleted).EndObject();
  res.Json(200, std::move(out));
}

void AnomalyApi::Insights(const ApiRequest& req, ApiResponse& res) const {
  auto base = NewestFirstQuery(req);
  if (!base.ok()) return res.Error(base.status());
  AnomalyQuery query = *base;
  auto records = metadata_->ListAnomalies(query);
  if (!records.ok()) return res.Error(records.status());
  std::vector<const AnomalyRecord*> rows;
  for (const AnomalyRecord& r : *records) rows.push_back(&r);
  std::sort(rows.begin(), rows.end(), [](const AnomalyRecord* a, const AnomalyRecord* b) {
    return a->start_ns > b->start_ns;
  });
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("insights").BeginArray();
  for (const AnomalyRecord* r : rows) {
    w.BeginObject();
    w.Key("id").String("insight-" + r->id);
    w.Key("anomaly_id").String(r->id);
    w.Key("category").String(r->kind);
    w.Key("model").String(r->model);
    w.Key("priority").String(r->severity);
    w.Key("state").String(r->state);
    w.Key("title").String(r->summary);
    w.Key("cause").String(r->cause);
    w.Key("recommendation").String(r->recommendation);
    w.Key("start").String(FormatIso8601(r->start_ns));
    w.EndObject();
  }
  w.EndArray().EndObject();
  res.Json(200, std::move(out));
}

void AnomalyApi::Recommendations(const ApiRequest&, ApiResponse& res) const {
  AnomalyQuery query;
  query.limit = 10000;
  struct Item {
    int rank = -1;
    std::string severity;
    std::vector<std::string> ids;
    std::vector<std::string> models;
    std::string kind;
  };
  std::map<std::string, Item> by_text;
  for (const char* state : {"pending", "firing"}) {
    query.state = state;
    auto records = metadata_->ListAnomalies(query);
    if (!records.ok()) return res.Error(records.status());
    for (const AnomalyRecord& r : *records) {
      if (r.recommendation.empty()) continue;
      Item& item = by_text[r.recommendation];
      if (SeverityRank(r.severity) > item.rank) {
        item.rank = SeverityRank(r.severity);
        item.severity = r.severity;
        item.kind = r.kind;
      }
      item.ids.push_back(r.id);
      if (std::find(item.models.begin(), item.models.end(), r.model) == item.models.end()) {
        item.models.push_back(r.model);
      }
    }
  }
  std::vector<std::pair<const std::string*, const Item*>> sorted;
  for (const auto& [text, item] : by_text) sorted.emplace_back(&text, &item);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second->rank > b.second->rank; });
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("recommendations").BeginArray();
  for (const auto& [text, item] : sorted) {
    w.BeginObject();
    w.Key("text").String(*text);
    w.Key("priority").String(item->severity);
    w.Key("kind").String(item->kind);
    w.Key("models").BeginArray();
    for (const std::string& m : item->models) w.String(m);
    w.EndArray();
    w.Key("anomaly_ids").BeginArray();
    for (const std::string& id : item->ids) w.String(id);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray().EndObject();
  res.Json(200, std::move(out));
}

}  // namespace inferscope

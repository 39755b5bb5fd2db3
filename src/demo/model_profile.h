#ifndef INFERSCOPE_DEMO_MODEL_PROFILE_H_
#define INFERSCOPE_DEMO_MODEL_PROFILE_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace inferscope {

enum class TaskType { kChat, kCompletion, kEmbedding, kSummarize };

// "chat", "completion", "embedding", "summarize" (the log format's task_type values).
std::string_view TaskTypeName(TaskType task);

// Token-count distribution of one task type: lognormal with a median and log-space sigma,
// capped. Output counts of 0 mean the task produces no text (embeddings).
struct TokenProfile {
  double input_median = 0;
  double input_sigma = 0;
  int input_cap = 0;
  double output_median = 0;
  double output_sigma = 0;
  int output_cap = 0;
};

// The token profile of a task type.
const TokenProfile& TokenProfileFor(TaskType task);

// How one model behaves in the demo: traffic share, task mix, latency, price and serving
// hardware. Plain data; all times in ms, prices in USD per 1M tokens, memory in GB.
struct ModelProfile {
  std::string name;
  std::string service;       // the service that fronts the model in the logs
  bool self_hosted = true;   // false: a hosted API behind a gateway (no GPU/batch fields)
  double traffic_share = 1;  // relative weight among models

  // Probability of each TaskType, indexed by the enum value; sums to 1.
  std::array<double, 4> task_mix = {1, 0, 0, 0};

  // Latency model: ttft = (ttft_base + prefill_per_token * input) * noise, total = ttft +
  // decode_per_token * output * noise, both scaled by load (see TrafficGenerator).
  double ttft_base_ms = 0;
  double prefill_ms_per_token = 0;
  double decode_ms_per_token = 0;
  double queue_ms_per_item = 0;  // extra wait per request ahead in the queue
  double timeout_ms = 120'000;   // the client gives up after this
  int max_context = 8192;

  double input_price_per_m = 0;
  double output_price_per_m = 0;

  int max_batch = 1;
  double weights_gb = 0;
  double kv_gb_per_seq = 0;
  double gpu_memory_gb = 80;

  bool produces_output() const { return task_mix[static_cast<int>(TaskType::kEmbedding)] < 1; }
};

// The built-in fleet: llama-3-8b, llama-3-70b, mistral-7b, gpt-4o-mini (hosted, via a
// gateway) and bge-embed, with different sizes, latency and prices.
const std::vector<ModelProfile>& BuiltinModelProfiles();

// Profiles for user-chosen model names: a built-in name gets its built-in profile; another
// name gets a profile guessed from the name ("embed" -> embedding model, "gpt"/"claude"/
// "gemini" -> hosted API, a size like "70b" or "13b" -> latency and price scaled to it),
// with equal traffic shares. Empty `names` -> the built-in fleet. Fails on an empty,
// duplicate or unsafe name (allowed: letters, digits and . _ - : /).
Result<std::vector<ModelProfile>> ModelProfilesFor(const std::vector<std::string>& names);

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_MODEL_PROFILE_H_

#include "demo/model_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace inferscope {
namespace {

constexpr int kChat = static_cast<int>(TaskType::kChat);
constexpr int kCompletion = static_cast<int>(TaskType::kCompletion);
constexpr int kEmbedding = static_cast<int>(TaskType::kEmbedding);
constexpr int kSummarize = static_cast<int>(TaskType::kSummarize);

std::array<double, 4> Mix(double chat, double completion, double embedding, double summarize) {
  std::array<double, 4> mix{};
  mix[kChat] = chat;
  mix[kCompletion] = completion;
  mix[kEmbedding] = embedding;
  mix[kSummarize] = summarize;
  return mix;
}

std::vector<ModelProfile> MakeBuiltins() {
  std::vector<ModelProfile> models;
  {
    ModelProfile m;
    m.name = "llama-3-8b";
    m.service = "chat-api";
    m.traffic_share = 0.34;
    m.task_mix = Mix(0.6, 0.2, 0, 0.2);
    m.ttft_base_ms = 45;
    m.prefill_ms_per_token = 0.05;
    m.decode_ms_per_token = 9;
    m.queue_ms_per_item = 35;
    m.timeout_ms = 120'000;
    m.max_context = 8192;
    m.input_price_per_m = 0.05;
    m.output_price_per_m = 0.08;
    m.max_batch = 32;
    m.weights_gb = 16.1;
    m.kv_gb_per_seq = 1.1;
    m.gpu_memory_gb = 80;
    models.push_back(m);
  }
  {
    ModelProfile m;
    m.name = "llama-3-70b";
    m.service = "assistant-pro";
    m.traffic_share = 0.14;
    m.task_mix = Mix(0.5, 0.2, 0, 0.3);
    m.ttft_base_ms = 120;
    m.prefill_ms_per_token = 0.25;
    m.decode_ms_per_token = 28;
    m.queue_ms_per_item = 140;
    m.timeout_ms = 300'000;
    m.max_context = 8192;
    m.input_price_per_m = 0.59;
    m.output_price_per_m = 0.79;
    m.max_batch = 16;
    m.weights_gb = 141.2;
    m.kv_gb_per_seq = 4.6;
    m.gpu_memory_gb = 320;
    models.push_back(m);
  }
  {
    ModelProfile m;
    m.name = "mistral-7b";
    m.service = "batch-jobs";
    m.traffic_share = 0.16;
    m.task_mix = Mix(0, 0.45, 0, 0.55);
    m.ttft_base_ms = 40;
    m.prefill_ms_per_token = 0.045;
    m.decode_ms_per_token = 8.5;
    m.queue_ms_per_item = 30;
    m.timeout_ms = 120'000;
    m.max_context = 32768;
    m.input_price_per_m = 0.2;
    m.output_price_per_m = 0.2;
    m.max_batch = 32;
    m.weights_gb = 14.5;
    m.kv_gb_per_seq = 0.9;
    m.gpu_memory_gb = 80;
    models.push_back(m);
  }
  {
    ModelProfile m;
    m.name = "gpt-4o-mini";
    m.service = "gateway-a";
    m.self_hosted = false;
    m.traffic_share = 0.2;
    m.task_mix = Mix(0.7, 0, 0, 0.3);
    m.ttft_base_ms = 380;
    m.prefill_ms_per_token = 0.02;
    m.decode_ms_per_token = 11;
    m.queue_ms_per_item = 15;
    m.timeout_ms = 120'000;
    m.max_context = 128'000;
    m.input_price_per_m = 0.15;
    m.output_price_per_m = 0.6;
    models.push_back(m);
  }
  {
    ModelProfile m;
    m.name = "bge-embed";
    m.service = "search-indexer";
    m.traffic_share = 0.16;
    m.task_mix = Mix(0, 0, 1, 0);
    m.ttft_base_ms = 6;
    m.prefill_ms_per_token = 0.035;
    m.decode_ms_per_token = 0;
    m.queue_ms_per_item = 4;
    m.timeout_ms = 10'000;
    m.max_context = 8192;
    m.input_price_per_m = 0.02;
    m.output_price_per_m = 0;
    m.max_batch = 64;
    m.weights_gb = 1.3;
    m.kv_gb_per_seq = 0.12;
    m.gpu_memory_gb = 24;
    models.push_back(m);
  }
  return models;
}

bool SafeName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == ':' || c == '/';
  });
}

// The parameter count in billions written in a name ("qwen2-72b-instruct" -> 72), or 0.
double SizeInBillions(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if ((name[i] != 'b' && name[i] != 'B') || i == 0) continue;
    size_t j = i;
    while (j > 0 && ((name[j - 1] >= '0' && name[j - 1] <= '9') || name[j - 1] == '.')) --j;
    if (j == i) continue;
    const bool starts_token = j == 0 || name[j - 1] == '-' || name[j - 1] == '_' ||
                              name[j - 1] == ':' || name[j - 1] == '/';
    const bool ends_token = i + 1 == name.size() || name[i + 1] == '-' || name[i + 1] == '_';
    if (!starts_token || !ends_token) continue;
    const double size = std::atof(std::string(name.substr(j, i - j)).c_str());
    if (size > 0) return size;
  }
  return 0;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

ModelProfile GuessProfile(const std::string& name) {
  const auto& builtins = BuiltinModelProfiles();
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  ModelProfile m;
  if (Contains(lower, "embed")) {
    m = builtins[4];
  } else if (Contains(lower, "gpt") || Contains(lower, "claude") || Contains(lower, "gemini")) {
    m = builtins[3];
  } else {
    const double size =
        std::clamp(SizeInBillions(lower) > 0 ? SizeInBillions(lower) : 8.0, 0.5, 700.0);
    m = builtins[0];
    m.ttft_base_ms = 35 + 1.2 * size;
    m.prefill_ms_per_token = 0.02 + 0.0033 * size;
    m.decode_ms_per_token = 6 + 0.3 * size;
    m.queue_ms_per_item = 4 * m.decode_ms_per_token;
    m.timeout_ms = size > 30 ? 300'000 : 120'000;
    m.input_price_per_m = std::round(0.01 * size * 1000) / 1000;
    m.output_price_per_m = std::round(0.013 * size * 1000) / 1000;
    m.max_batch = size <= 15 ? 32 : (size <= 40 ? 24 : 16);
    m.weights_gb = 2 * size;
    m.kv_gb_per_seq = 0.15 * std::pow(size, 0.8);
    m.gpu_memory_gb = 80 * std::ceil(m.weights_gb * 1.6 / 80);
  }
  m.name = name;
  m.service = m.self_hosted ? fmt::format("serve-{}", name) : "gateway-a";
  return m;
}

}  // namespace

std::string_view TaskTypeName(TaskType task) {
  switch (task) {
    case TaskType::kChat:
      return "chat";
    case TaskType::kCompletion:
      return "completion";
    case TaskType::kEmbedding:
      return "embedding";
    case TaskType::kSummarize:
      return "summarize";
  }
  return "chat";
}

const TokenProfile& TokenProfileFor(TaskType task) {
  // Medians and spreads in the range public LLM serving traces show: chat prompts carry
  // history, summaries read long documents and write short answers.
  static constexpr TokenProfile kProfiles[4] = {
      {600, 0.9, 16000, 220, 0.7, 2048},   // chat
      {300, 0.8, 8000, 120, 0.8, 1024},    // completion
      {350, 0.7, 8192, 0, 0, 0},           // embedding
      {2500, 0.6, 30000, 250, 0.5, 1024},  // summarize
  };
  return kProfiles[static_cast<int>(task)];
}

const std::vector<ModelProfile>& BuiltinModelProfiles() {
  static const std::vector<ModelProfile>* const kBuiltins =
      new std::vector<ModelProfile>(MakeBuiltins());
  return *kBuiltins;
}

Result<std::vector<ModelProfile>> ModelProfilesFor(const std::vector<std::string>& names) {
  if (names.empty()) return BuiltinModelProfiles();
  std::vector<ModelProfile> profiles;
  for (const std::string& name : names) {
    if (!SafeName(name)) {
      return Status::InvalidArgument(
          fmt::format("invalid model name '{}': use 1-128 letters, digits or . _ - : /", name));
    }
    for (const ModelProfile& p : profiles) {
      if (p.name == name) {
        return Status::InvalidArgument(fmt::format("model '{}' given twice", name));
      }
    }
    const auto& builtins = BuiltinModelProfiles();
    auto it = std::find_if(builtins.begin(), builtins.end(),
                           [&](const ModelProfile& p) { return p.name == name; });
    profiles.push_back(it != builtins.end() ? *it : GuessProfile(name));
    profiles.back().traffic_share = 1.0;
  }
  return profiles;
}

}  // namespace inferscope

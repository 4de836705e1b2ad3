#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdio>
#include <mutex>

namespace adminauto {
namespace {

struct LogSettings {
  std::mutex mu;
  LogFormat format = LogFormat::kText;
  spdlog::level::level_enum level = spdlog::level::info;
};

LogSettings& Settings() {
  static LogSettings settings;
  return settings;
}

// Writes the log message as an escaped JSON string body, so a message with quotes or control
// characters still yields one valid JSON line.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string escaped = JsonEscape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::unique_ptr<spdlog::formatter> MakeFormatter(LogFormat format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n","message":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%SZ %^%l%$ [%n] %v");
  }
  return formatter;
}

void Apply(spdlog::logger& logger, LogFormat format, spdlog::level::level_enum level) {
  logger.set_formatter(MakeFormatter(format));
  logger.set_level(level);
}

}  // namespace

void ConfigureLogging(LogFormat format, spdlog::level::level_enum level) {
  auto& settings = Settings();
  std::lock_guard lock(settings.mu);
  settings.format = format;
  settings.level = level;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
    Apply(*logger, format, level);
  });
}

bool ParseLogFormat(std::string_view text, LogFormat& format) {
  if (text == "text") {
    format = LogFormat::kText;
    return true;
  }
  if (text == "json") {
    format = LogFormat::kJson;
    return true;
  }
  return false;
}

std::shared_ptr<spdlog::logger> GetLogger(const std::string& component) {
  auto& settings = Settings();
  std::lock_guard lock(settings.mu);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = std::make_shared<spdlog::logger>(
      component, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  Apply(*logger, settings.format, settings.level);
  spdlog::register_logger(logger);
  return logger;
}

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace adminauto

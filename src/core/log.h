// One spdlog logger per component ("sim", "sync", "vault", ...), all writing to stderr in
// the format chosen by ConfigureLogging: text for people, JSON lines for services. Messages
// use key=value fields for ids and never contain a secret.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace adminauto {

enum class LogFormat { kText, kJson };

// Sets the format and minimum level for existing and future loggers. Thread-safe.
void ConfigureLogging(LogFormat format, spdlog::level::level_enum level = spdlog::level::info);

// Parses "text" or "json".
bool ParseLogFormat(std::string_view text, LogFormat& format);

// Returns the logger for `component`, creating it on first use. Thread-safe.
std::shared_ptr<spdlog::logger> GetLogger(const std::string& component);

// Escapes `text` for use inside a JSON string literal.
std::string JsonEscape(std::string_view text);

}  // namespace adminauto

// JSON helpers shared by the simulator's file formats and request bodies.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace adminauto::sim {

// Parses `text` as JSON. A syntax error gives InvalidArgument naming `source`, the 1-based
// line and column of the offending byte, and the parser's reason.
Result<boost::json::value> ParseJsonText(std::string_view text, std::string_view source);

// Reads fields of a JSON object, collecting the first type error with the field's path.
class FieldReader {
 public:
  FieldReader(const boost::json::object& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  std::optional<std::string> String(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<int64_t> Int(std::string_view key);
  std::optional<double> Number(std::string_view key);
  const boost::json::array* Array(std::string_view key);
  const boost::json::object* Object(std::string_view key);
  // Records an error unless every key of the object is in `known`.
  void RejectUnknown(std::initializer_list<std::string_view> known);
  std::string Path(std::string_view key) const { return path_ + "." + std::string(key); }
  void Fail(std::string message);
  const Status& status() const { return status_; }

 private:
  const boost::json::value* Find(std::string_view key, boost::json::kind kind,
                                 std::string_view expected);
  const boost::json::object& object_;
  std::string path_;
  Status status_;
};

}  // namespace adminauto::sim

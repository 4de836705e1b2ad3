#include "sim/json_util.h"

#include <algorithm>

namespace adminauto::sim {

Result<boost::json::value> ParseJsonText(std::string_view text, std::string_view source) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = boost::json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (!ec) return parser.release();
  size_t offset = std::min(consumed, text.size());
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  size_t last_newline = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  size_t column =
      last_newline == std::string_view::npos || offset == 0 ? offset + 1 : offset - last_newline;
  return InvalidArgument(std::string(source) + ":" + std::to_string(line) + ":" +
                         std::to_string(column) + ": invalid JSON: " + ec.message());
}

void FieldReader::Fail(std::string message) {
  if (status_.ok()) status_ = InvalidArgument(std::move(message));
}

const boost::json::value* FieldReader::Find(std::string_view key, boost::json::kind kind,
                                            std::string_view expected) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) return nullptr;
  bool matches =
      it->value().kind() == kind ||
      (kind == boost::json::kind::double_ && it->value().is_number()) ||
      (kind == boost::json::kind::int64 && (it->value().is_int64() || it->value().is_uint64()));
  if (!matches) {
    Fail(Path(key) + ": expected " + std::string(expected));
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> FieldReader::String(std::string_view key) {
  auto* v = Find(key, boost::json::kind::string, "a string");
  if (v == nullptr) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<bool> FieldReader::Bool(std::string_view key) {
  auto* v = Find(key, boost::json::kind::bool_, "true or false");
  if (v == nullptr) return std::nullopt;
  return v->get_bool();
}

std::optional<int64_t> FieldReader::Int(std::string_view key) {
  auto* v = Find(key, boost::json::kind::int64, "an integer");
  if (v == nullptr) return std::nullopt;
  return v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->get_uint64());
}

std::optional<double> FieldReader::Number(std::string_view key) {
  auto* v = Find(key, boost::json::kind::double_, "a number");
  if (v == nullptr) return std::nullopt;
  return v->to_number<double>();
}

const boost::json::array* FieldReader::Array(std::string_view key) {
  auto* v = Find(key, boost::json::kind::array, "an array");
  return v == nullptr ? nullptr : &v->get_array();
}

const boost::json::object* FieldReader::Object(std::string_view key) {
  auto* v = Find(key, boost::json::kind::object, "an object");
  return v == nullptr ? nullptr : &v->get_object();
}

void FieldReader::RejectUnknown(std::initializer_list<std::string_view> known) {
  for (const auto& entry : object_) {
    if (std::find(known.begin(), known.end(), entry.key()) == known.end()) {
      Fail(Path(entry.key()) + ": unknown field");
      return;
    }
  }
}

}  // namespace adminauto::sim

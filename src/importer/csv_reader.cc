#include "importer/csv_reader.h"

#include <utility>

namespace adminauto::importer {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Returns the length of the UTF-8 sequence starting at `pos`, or 0 when it is invalid
// (overlong forms, surrogates and values past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  if (byte(pos + 1) < min_second || byte(pos + 1) > max_second) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Result<std::vector<CsvRecord>> ReadAll() {
    if (text_.substr(0, kBom.size()) == kBom) {
      pos_ = kBom.size();
      line_start_ = pos_;
    }
    AA_RETURN_IF_ERROR(CheckUtf8());
    std::vector<CsvRecord> records;
    while (pos_ < text_.size()) {
      if (AtLineEnd()) {  // a blank line
        SkipLineEnd();
        continue;
      }
      CsvRecord record;
      record.line = line_;
      AA_RETURN_IF_ERROR(ReadRecord(record.fields));
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  Status Error(std::string detail) const {
    return InvalidArgument("line " + std::to_string(line_) + ", column " +
                           std::to_string(pos_ - line_start_ + 1) + ": " + std::move(detail));
  }

  Status CheckUtf8() {
    for (size_t i = pos_; i < text_.size();) {
      if (text_[i] == '\0') {
        // A NUL byte is never part of an export; a file saved as UTF-16 has one in every
        // other byte, which would otherwise read as an unrecognised header.
        while (pos_ < i) Advance();
        return Error("NUL byte; the file is not UTF-8 text (perhaps UTF-16), save it as UTF-8");
      }
      size_t length = Utf8SequenceLength(text_, i);
      if (length == 0) {
        // Find the line and column of the bad byte for the message.
        while (pos_ < i) Advance();
        return Error("invalid UTF-8 byte; save the file as UTF-8");
      }
      i += length;
    }
    return Status::Ok();
  }

  bool AtLineEnd() const {
    return text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }

  void SkipLineEnd() {
    if (text_[pos_] == '\r') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  // Moves one byte forward, keeping the line count for multi-line quoted fields.
  void Advance() {
    if (text_[pos_] == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    } else {
      ++pos_;
    }
  }

  Status ReadRecord(std::vector<std::string>& fields) {
    while (true) {
      std::string field;
      if (text_[pos_] == '"') {
        AA_RETURN_IF_ERROR(ReadQuoted(field));
      } else {
        AA_RETURN_IF_ERROR(ReadPlain(field));
      }
      fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return Status::Ok();
      if (text_[pos_] == ',') {
        ++pos_;
        if (pos_ >= text_.size()) {
          fields.emplace_back();
          return Status::Ok();
        }
        continue;
      }
      SkipLineEnd();  // ReadPlain and ReadQuoted stop only at a comma or a line end
      return Status::Ok();
    }
  }

  Status ReadPlain(std::string& field) {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
      if (text_[pos_] == '"') {
        return Error(
            "quote inside an unquoted field; put the whole field in quotes and double "
            "the quotes inside it");
      }
      if (text_[pos_] == '\r') return Error("carriage return without a line feed");
      ++pos_;
    }
    field.assign(text_.substr(start, pos_ - start));
    return Status::Ok();
  }

  Status ReadQuoted(std::string& field) {
    int open_line = line_;
    size_t open_column = pos_ - line_start_ + 1;
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) {
        return InvalidArgument("line " + std::to_string(open_line) + ", column " +
                               std::to_string(open_column) +
                               ": quoted field is not closed before the end of the file; add "
                               "the closing quote");
      }
      char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;  // the closing quote
        break;
      }
      field += c;
      Advance();
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
      return Error(
          "expected a comma or a line end after the closing quote; double a quote "
          "that is part of the value");
    }
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
};

}  // namespace

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) { return Reader(text).ReadAll(); }

}  // namespace adminauto::importer

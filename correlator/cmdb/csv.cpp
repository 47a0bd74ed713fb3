// RFC 4180 record reader used by the CMDB CSV loader.
#include "correlator/cmdb/csv.hpp"

namespace tocsin::cmdb {

bool CsvReader::at_line_end() const {
  return pos_ >= text_.size() || text_[pos_] == '\n' ||
         (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
}

void CsvReader::skip_line_end() {
  if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') {
    ++pos_;
    ++line_;
  }
}

void CsvReader::read_plain(std::string& field) {
  std::size_t start = pos_;
  while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) ++pos_;
  field.assign(text_.substr(start, pos_ - start));
}

bool CsvReader::read_quoted(std::string& field, std::string& error) {
  std::size_t start_line = line_;
  field.clear();
  ++pos_;  // opening quote
  while (true) {
    std::size_t quote = text_.find('"', pos_);
    if (quote == std::string_view::npos) {
      error = std::to_string(start_line) + ": quoted field is never closed";
      return false;
    }
    for (std::size_t i = pos_; i < quote; ++i) line_ += text_[i] == '\n';
    field.append(text_.substr(pos_, quote - pos_));
    pos_ = quote + 1;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      field.push_back('"');
      ++pos_;
      continue;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      error = std::to_string(line_) + ": unexpected character after a closing quote (write \"\" for a quote)";
      return false;
    }
    return true;
  }
}

bool CsvReader::next(CsvRecord& out, std::string& error) {
  while (pos_ < text_.size() && at_line_end()) skip_line_end();
  if (pos_ >= text_.size()) return false;
  out.line = line_;
  std::size_t count = 0;
  while (true) {
    if (out.fields.size() <= count) out.fields.emplace_back();
    std::string& field = out.fields[count++];
    if (pos_ < text_.size() && text_[pos_] == '"') {
      if (!read_quoted(field, error)) return false;
    } else {
      read_plain(field);
      if (field.find('"') != std::string::npos) {
        error = std::to_string(line_) + ": a field with a quote must be quoted";
        return false;
      }
    }
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    skip_line_end();
    out.fields.resize(count);
    return true;
  }
}

}  // namespace tocsin::cmdb

#pragma once
// RFC 4180 reader for CMDB exports: comma separated, fields quoted with
// double quotes ("" inside quotes is one quote), quoted fields may span lines,
// LF or CRLF line ends. Records carry the line they start on for errors.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::cmdb {

struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // Fills `out` with the next record; blank lines are skipped. Returns false
  // at the end of input or on malformed quoting (then `error` is set).
  bool next(CsvRecord& out, std::string& error);

 private:
  bool read_quoted(std::string& field, std::string& error);
  void read_plain(std::string& field);
  bool at_line_end() const;
  void skip_line_end();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace tocsin::cmdb

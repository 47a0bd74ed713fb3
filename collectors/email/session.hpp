#pragma once
// The SMTP session as a pure state machine (RFC 5321 §4.1.4 order, RFC 3207
// STARTTLS, RFC 1870 SIZE, RFC 2920 PIPELINING): command lines in, replies and
// what the transport must do next out. The DATA content is read by
// DataReader, which finds the only end it accepts (CRLF.CRLF), removes dot
// stuffing and notes every limit the message breaks, so that the reply after
// DATA can refuse it. No I/O and no clock: the transport owns both.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/email/config.hpp"
#include "collectors/email/smtp_command.hpp"

namespace tocsin::email_in {

struct Envelope {
  std::string helo;
  std::string mail_from;  // empty for the null reverse-path
  std::vector<std::string> recipients;
  bool tls = false;
};

// What the transport does after sending the step's reply.
enum class After { next_command, read_data, start_tls, close };

struct Step {
  Reply reply;
  After after = After::next_command;
  std::string_view rejected;  // counter label when the command was refused; empty otherwise
};

struct SessionConfig {
  std::string hostname = "localhost";
  std::vector<std::string> accepted_domains;  // lower-case; empty accepts any
  SmtpLimits limits;
  bool tls_available = false;
};

class Session {
 public:
  explicit Session(SessionConfig config);

  Reply greeting() const;
  // One command line without its line ending.
  Step on_line(std::string_view line);
  // The peer sent a command line longer than the limit (it was discarded).
  Step on_line_too_long();
  // The TLS handshake succeeded: RFC 3207 §4.2 forgets everything said before.
  void on_tls_started();
  // The message after DATA was answered (accepted or refused): a new transaction may start.
  void end_transaction();

  const Envelope& envelope() const { return envelope_; }

 private:
  enum class State { greeted, ready, mail, rcpt };

  Step dispatch(std::string_view line);
  Step on_hello(const Command& c);
  Step on_mail(const Command& c);
  Step on_rcpt(const Command& c);
  Step on_data();
  Step on_starttls();
  std::string ehlo_text() const;
  void reset_transaction();

  SessionConfig config_;
  State state_ = State::greeted;
  Envelope envelope_;
  int refusals_ = 0;
};

enum class DataProblem { none, too_large, line_too_long, bare_lf, bare_cr };
std::string_view to_string(DataProblem p);
// The reply refusing a message for this problem.
Reply refusal(DataProblem p);

// Reads the content after DATA's 354 up to the terminating CRLF.CRLF.
class DataReader {
 public:
  explicit DataReader(const SmtpLimits& limits);

  // Consumes bytes up to and including the end of the data; returns how many
  // were consumed (what follows belongs to the next command).
  std::size_t feed(std::string_view bytes);
  bool complete() const { return complete_; }
  // The first limit the message broke; its content is not kept beyond it.
  DataProblem problem() const { return problem_; }
  // The message with dot-stuffing removed and CRLF line endings.
  std::string& message() { return message_; }

 private:
  void end_line();
  void note(DataProblem p);

  SmtpLimits limits_;
  std::string line_;
  std::size_t line_length_ = 0;  // the whole line, also beyond what line_ keeps
  bool pending_cr_ = false;
  bool complete_ = false;
  DataProblem problem_ = DataProblem::none;
  std::string message_;
};

}  // namespace tocsin::email_in

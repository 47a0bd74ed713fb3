// SMTP command order and replies, and the DATA reader. Refusals carry their
// enhanced status code (RFC 3463) and a counter label.
#include "collectors/email/session.hpp"

#include <algorithm>

namespace tocsin::email_in {

namespace {

// A client that keeps sending refused commands is talking to the wrong server
// or probing: it is told so and disconnected.
constexpr int kMaxRefusals = 20;

Step refused(int code, std::string text, std::string_view reason) {
  return {{code, std::move(text)}, After::next_command, reason};
}

Step ok(std::string text) { return {{250, std::move(text)}, After::next_command, {}}; }

}  // namespace

Session::Session(SessionConfig config) : config_(std::move(config)) {}

Reply Session::greeting() const { return {220, config_.hostname + " ESMTP Tocsin alert mail"}; }

Step Session::on_line_too_long() {
  Step step = refused(500, "5.5.2 Line too long", "line_too_long");
  if (++refusals_ > kMaxRefusals) step = {{421, "4.7.0 Too many errors, closing connection"}, After::close, step.rejected};
  return step;
}

Step Session::on_line(std::string_view line) {
  Step step = dispatch(line);
  if (!step.rejected.empty() && ++refusals_ > kMaxRefusals)
    step = {{421, "4.7.0 " + config_.hostname + " Too many errors, closing connection"}, After::close, step.rejected};
  return step;
}

Step Session::dispatch(std::string_view line) {
  ParsedCommand parsed = parse_command(line);
  if (!parsed.command) return {parsed.refusal, After::next_command, parsed.reason};
  const Command& c = *parsed.command;
  switch (c.verb) {
    case Verb::helo:
    case Verb::ehlo:
      return on_hello(c);
    case Verb::mail:
      return on_mail(c);
    case Verb::rcpt:
      return on_rcpt(c);
    case Verb::data:
      return on_data();
    case Verb::starttls:
      return on_starttls();
    case Verb::rset:
      reset_transaction();
      return ok("2.0.0 Reset");
    case Verb::noop:
      return ok("2.0.0 OK");
    case Verb::vrfy:
      return {{252, "2.5.2 Cannot verify, but will accept the message"}, After::next_command, {}};
    case Verb::help:
      return {{214, "2.0.0 Send alert mail: EHLO, MAIL, RCPT, DATA, QUIT"}, After::next_command, {}};
    case Verb::quit:
      return {{221, "2.0.0 " + config_.hostname + " closing connection"}, After::close, {}};
  }
  return refused(500, "5.5.2 Command not recognized", "unknown_command");
}

Step Session::on_hello(const Command& c) {
  reset_transaction();
  envelope_.helo = c.argument;
  state_ = State::ready;
  if (c.verb == Verb::helo) return ok(config_.hostname + " Hello " + c.argument);
  return ok(ehlo_text());
}

std::string Session::ehlo_text() const {
  std::string text = config_.hostname + " Hello " + envelope_.helo;
  text += "\nSIZE " + std::to_string(config_.limits.max_message);
  text += "\n8BITMIME\nPIPELINING\nENHANCEDSTATUSCODES";
  if (config_.tls_available && !envelope_.tls) text += "\nSTARTTLS";
  return text;
}

Step Session::on_mail(const Command& c) {
  if (state_ == State::greeted) return refused(503, "5.5.1 Send EHLO or HELO first", "bad_sequence");
  if (state_ != State::ready) return refused(503, "5.5.1 Nested MAIL command", "bad_sequence");
  if (c.size && *c.size > config_.limits.max_message)
    return refused(552, "5.3.4 Message size exceeds fixed limit of " + std::to_string(config_.limits.max_message) +
                            " bytes",
                   "too_large");
  envelope_.mail_from = c.address;
  state_ = State::mail;
  return ok("2.1.0 Sender OK");
}

Step Session::on_rcpt(const Command& c) {
  if (state_ != State::mail && state_ != State::rcpt) return refused(503, "5.5.1 Send MAIL first", "bad_sequence");
  if (envelope_.recipients.size() >= config_.limits.max_recipients)
    return refused(452, "4.5.3 Too many recipients", "too_many_recipients");
  const auto& domains = config_.accepted_domains;
  std::string domain = mailbox_domain(c.address);
  bool postmaster = c.address.find('@') == std::string::npos;
  if (!postmaster && !domains.empty() && std::find(domains.begin(), domains.end(), domain) == domains.end())
    return refused(550, "5.1.1 Recipient domain not accepted here: " + domain, "unknown_domain");
  envelope_.recipients.push_back(c.address);
  state_ = State::rcpt;
  return ok("2.1.5 Recipient OK");
}

Step Session::on_data() {
  if (state_ == State::mail) return refused(554, "5.5.1 No valid recipients", "bad_sequence");
  if (state_ != State::rcpt) return refused(503, "5.5.1 Send MAIL and RCPT first", "bad_sequence");
  return {{354, "End data with <CR><LF>.<CR><LF>"}, After::read_data, {}};
}

Step Session::on_starttls() {
  if (!config_.tls_available) return refused(502, "5.5.1 STARTTLS not available", "bad_sequence");
  if (envelope_.tls) return refused(503, "5.5.1 TLS already active", "bad_sequence");
  if (state_ != State::ready) return refused(503, "5.5.1 Send EHLO first, outside a transaction", "bad_sequence");
  return {{220, "2.0.0 Ready to start TLS"}, After::start_tls, {}};
}

void Session::on_tls_started() {
  envelope_ = {};
  envelope_.tls = true;
  state_ = State::greeted;
}

void Session::end_transaction() { reset_transaction(); }

void Session::reset_transaction() {
  envelope_.mail_from.clear();
  envelope_.recipients.clear();
  if (state_ != State::greeted) state_ = State::ready;
}

// ---------------------------------------------------------------- DATA

std::string_view to_string(DataProblem p) {
  switch (p) {
    case DataProblem::none:
      return "none";
    case DataProblem::too_large:
      return "too_large";
    case DataProblem::line_too_long:
      return "data_line_too_long";
    case DataProblem::bare_lf:
      return "bare_lf";
    case DataProblem::bare_cr:
      return "bare_cr";
  }
  return "none";
}

Reply refusal(DataProblem p) {
  switch (p) {
    case DataProblem::too_large:
      return {552, "5.3.4 Message too big"};
    case DataProblem::line_too_long:
      return {500, "5.5.2 Line too long in message content (1000 bytes at most)"};
    case DataProblem::bare_lf:
      return {550, "5.6.0 Bare LF in message content; lines must end with CRLF"};
    case DataProblem::bare_cr:
      return {550, "5.6.0 Bare CR in message content; lines must end with CRLF"};
    case DataProblem::none:
      break;
  }
  return {250, "2.0.0 OK"};
}

DataReader::DataReader(const SmtpLimits& limits) : limits_(limits) {}

void DataReader::note(DataProblem p) {
  if (problem_ != DataProblem::none) return;
  problem_ = p;
  message_.clear();
  message_.shrink_to_fit();
}

std::size_t DataReader::feed(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && !complete_) {
    char c = bytes[i++];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        end_line();
        continue;
      }
      note(DataProblem::bare_cr);
    }
    if (c == '\r') {
      pending_cr_ = true;
      continue;
    }
    if (c == '\n') note(DataProblem::bare_lf);
    ++line_length_;
    // Two bytes are enough to tell "." and ".." apart; beyond the limit the
    // line is only measured.
    if (line_.size() < limits_.max_data_line) line_ += c;
  }
  return i;
}

void DataReader::end_line() {
  if (line_ == "." && line_length_ == 1) {
    complete_ = true;
    return;
  }
  if (line_length_ + 2 > limits_.max_data_line) note(DataProblem::line_too_long);
  std::string_view content = line_;
  if (content.starts_with('.')) content.remove_prefix(1);
  if (problem_ == DataProblem::none && message_.size() + content.size() + 2 > limits_.max_message)
    note(DataProblem::too_large);
  if (problem_ == DataProblem::none) {
    message_ += content;
    message_ += "\r\n";
  }
  line_.clear();
  line_length_ = 0;
}

}  // namespace tocsin::email_in

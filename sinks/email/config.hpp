#pragma once
// Settings of the e-mail sink: which SMTP server carries pages, how to secure
// and authenticate the session, and what the messages say about their sender.
// A plain struct with the defaults of config/examples/local.yaml; the config
// loader fills it from the YAML `sinks.email` section.

#include <chrono>
#include <string>

namespace tocsin::email {

struct SmtpConfig {
  enum class Tls {
    none,               // plain SMTP, STARTTLS never attempted
    starttls,           // STARTTLS when the server offers it, plain otherwise
    required_starttls,  // STARTTLS or no delivery (retried)
    implicit,           // TLS from the first byte (smtps, usually port 465)
  };
  enum class Auth { plain, login };

  // "host:port" of the submission server; "[::1]:2526" for IPv6.
  std::string server = "127.0.0.1:2526";
  // Transport security, see Tls.
  Tls tls = Tls::none;
  // SMTP AUTH credentials; no AUTH when username is empty.
  std::string username;
  std::string password;
  // SASL mechanism used with the credentials.
  Auth auth = Auth::plain;
  // PEM file of the CA (or the self-signed certificate) that signed the server
  // certificate; empty = the system trust store. Peer and host name are always verified.
  std::string ca_file;
  // Envelope sender and From header; its domain also names Message-IDs.
  std::string from = "tocsin@localhost";
  // Name given in EHLO; empty = this machine's host name.
  std::string helo_name;
  // Bound on one whole delivery: connect, TLS, AUTH and DATA.
  std::chrono::seconds timeout{30};
  // Base URL of the web console, for the incident link at the end of each page.
  std::string console_url = "http://127.0.0.1:8080";
  // Reply-To header (the SMTP-in address replies go to); empty = none.
  std::string reply_to;
  // Secret of the signed reply token "[TOC-<id>-<hmac>]" appended to
  // subjects; empty = no token (replies cannot act on incidents).
  std::string reply_secret;
};

}  // namespace tocsin::email

// net-snmp behind a small interface: a session bound to an in-memory
// transport. decode() hands the datagram to snmp_sess_read2(); the library
// parses it (BER, community or USM: digest, time window, decryption), answers
// engine-ID discovery through our f_send, and calls on_message() with the
// PDU. Rejections inside the library are told apart by the statistics it
// keeps (usmStatsUnknownUserNames, usmStatsWrongDigests, ...).
#include "collectors/snmp/decoder.hpp"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/lcd_time.h>
#include <net-snmp/library/snmpusm.h>
#include <net-snmp/library/snmpv3.h>

#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "collectors/snmp/oid_names.hpp"

namespace tocsin::snmp {

std::string_view to_string(Reject r) {
  switch (r) {
    case Reject::parse_error: return "parse_error";
    case Reject::bad_version: return "bad_version";
    case Reject::unknown_community: return "unknown_community";
    case Reject::unknown_user: return "unknown_user";
    case Reject::unknown_engine_id: return "unknown_engine_id";
    case Reject::wrong_digest: return "wrong_digest";
    case Reject::not_in_time_window: return "not_in_time_window";
    case Reject::decryption_error: return "decryption_error";
    case Reject::unsupported_security_level: return "unsupported_security_level";
    case Reject::unknown_security_model: return "unknown_security_model";
    case Reject::not_a_notification: return "not_a_notification";
    case Reject::missing_trap_oid: return "missing_trap_oid";
    case Reject::too_many_varbinds: return "too_many_varbinds";
    case Reject::too_long: return "too_long";
    case Reject::source_not_allowed: return "source_not_allowed";
    case Reject::rate_limited: return "rate_limited";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kSysUpTime0 = "1.3.6.1.2.1.1.3.0";
constexpr std::string_view kSnmpTrapOid0 = "1.3.6.1.6.3.1.1.4.1.0";
constexpr std::string_view kSnmpTrapAddress0 = "1.3.6.1.6.3.18.1.3.0";
constexpr std::string_view kSnmpTraps = "1.3.6.1.6.3.1.1.5";

std::mutex& library_mutex() {
  static std::mutex m;
  return m;
}

bool g_mibs_loaded = false;

int log_to_spdlog(int, int, void* server_arg, void*) {
  auto* m = static_cast<snmp_log_message*>(server_arg);
  if (!m || !m->msg) return 0;
  std::string_view text(m->msg);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  spdlog::debug("net-snmp priority={} message={}", m->priority, text.substr(0, 300));
  return 0;
}

// Once per process: no configuration or persistent files, no signals, the
// library's log into ours, MIB modules only from the configured directories.
void init_library(const std::vector<std::string>& mib_dirs) {
  static std::once_flag once;
  std::call_once(once, [&] {
    for (int flag : {NETSNMP_DS_LIB_DONT_READ_CONFIGS, NETSNMP_DS_LIB_DONT_PERSIST_STATE,
                     NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE,
                     NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, NETSNMP_DS_LIB_NO_DISCOVERY})
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, flag, 1);
    snmp_disable_log();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_to_spdlog, nullptr);
    snmp_enable_calllog();
    std::string dirs;
    for (const auto& d : mib_dirs) dirs += (dirs.empty() ? "" : ":") + d;
    g_mibs_loaded = !dirs.empty();
    // Without configured directories, point the MIB reader at nothing so
    // that start-up never depends on what happens to be installed.
    netsnmp_set_mib_directory(g_mibs_loaded ? dirs.c_str() : "/nonexistent/tocsin-no-mibs");
    if (g_mibs_loaded) setenv("MIBS", "ALL", 0);
    init_snmp("tocsind");
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, NETSNMP_OID_OUTPUT_SUFFIX);
  });
}

std::string numeric(const oid* name, std::size_t len) {
  std::string out;
  out.reserve(len * 4);
  char buf[24];
  for (std::size_t i = 0; i < len; ++i) {
    if (i) out += '.';
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<unsigned long>(name[i]));
    out.append(buf, end);
  }
  return out;
}

std::string hex(const unsigned char* p, std::size_t n, char sep = ' ') {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(n * 3);
  for (std::size_t i = 0; i < n; ++i) {
    if (i && sep) out += sep;
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// Text when it is printable UTF-8 (a trailing NUL, common on devices, is
// dropped); hex otherwise, e.g. MAC addresses.
std::string octets(const unsigned char* p, std::size_t n) {
  while (n && p[n - 1] == 0) --n;
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') return hex(p, n);
      if (c == 0x7f) return hex(p, n);
      ++i;
      continue;
    }
    std::size_t extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
    if (!extra) return hex(p, n);
    for (std::size_t k = 1; k <= extra; ++k)
      if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return hex(p, n);
    i += extra + 1;
  }
  return std::string(reinterpret_cast<const char*>(p), n);
}

std::string ticks_text(unsigned long ticks) {
  unsigned long cs = ticks % 100, s = ticks / 100;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lu (%lu days, %lu:%02lu:%02lu.%02lu)", ticks, s / 86400, (s / 3600) % 24,
                (s / 60) % 60, s % 60, cs);
  return buf;
}

void render(const netsnmp_variable_list* v, Varbind& out) {
  switch (v->type) {
    case ASN_INTEGER:
      out.type = "INTEGER";
      out.value = std::to_string(*v->val.integer);
      break;
    case ASN_OCTET_STR:
      out.type = "OCTET STRING";
      out.value = octets(v->val.string, v->val_len);
      break;
    case ASN_OBJECT_ID:
      out.type = "OBJECT IDENTIFIER";
      out.value = numeric(v->val.objid, v->val_len / sizeof(oid));
      break;
    case ASN_IPADDRESS:
      out.type = "IpAddress";
      if (v->val_len == 4) {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, v->val.string, buf, sizeof buf);
        out.value = buf;
      } else {
        out.value = hex(v->val.string, v->val_len);
      }
      break;
    case ASN_COUNTER:
      out.type = "Counter32";
      out.value = std::to_string(static_cast<unsigned long>(*v->val.integer) & 0xffffffffUL);
      break;
    case ASN_GAUGE:
      out.type = "Gauge32";
      out.value = std::to_string(static_cast<unsigned long>(*v->val.integer) & 0xffffffffUL);
      break;
    case ASN_TIMETICKS:
      out.type = "TimeTicks";
      out.value = ticks_text(static_cast<unsigned long>(*v->val.integer) & 0xffffffffUL);
      break;
    case ASN_COUNTER64:
      out.type = "Counter64";
      out.value = std::to_string((static_cast<std::uint64_t>(v->val.counter64->high) << 32) |
                                 (v->val.counter64->low & 0xffffffffUL));
      break;
    case ASN_OPAQUE:
      out.type = "Opaque";
      out.value = hex(v->val.string, v->val_len);
      break;
    case ASN_NULL: out.type = "NULL"; break;
    case SNMP_NOSUCHOBJECT: out.type = "noSuchObject"; break;
    case SNMP_NOSUCHINSTANCE: out.type = "noSuchInstance"; break;
    case SNMP_ENDOFMIBVIEW: out.type = "endOfMibView"; break;
    default:
      out.type = "type 0x" + hex(&v->type, 1);
      out.value = hex(v->val.string, v->val.string ? v->val_len : 0);
  }
}

std::string mib_name(const oid* name, std::size_t len) {
  if (!g_mibs_loaded) return {};
  tree* node = get_tree(name, len, get_tree_head());
  std::size_t depth = 0;
  for (tree* t = node; t; t = t->parent) ++depth;
  if (!node || !node->label || depth < 7 || depth > len) return {};
  std::string out = node->label;
  if (depth < len) out += "." + numeric(name + depth, len - depth);
  return out;
}

std::string name_of(const std::string& numeric_oid, const oid* name, std::size_t len) {
  auto known = builtin_name(numeric_oid);
  if (!known.name.empty()) return known.instance.empty() ? known.name : known.name + "." + known.instance;
  return mib_name(name, len);
}

std::string peer_ip(const sockaddr_storage& sa) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (sa.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(sa).sin_addr, buf, sizeof buf);
  } else if (sa.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a6))
      inet_ntop(AF_INET, &a6.s6_addr[12], buf, sizeof buf);
    else
      inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  }
  return buf;
}

// The statistics net-snmp raises when it refuses a message, and our reason.
constexpr std::array<std::pair<int, Reject>, 10> kRefusals{{
    {STAT_USMSTATSUNKNOWNENGINEIDS, Reject::unknown_engine_id},
    {STAT_USMSTATSUNKNOWNUSERNAMES, Reject::unknown_user},
    {STAT_USMSTATSWRONGDIGESTS, Reject::wrong_digest},
    {STAT_USMSTATSNOTINTIMEWINDOWS, Reject::not_in_time_window},
    {STAT_USMSTATSDECRYPTIONERRORS, Reject::decryption_error},
    {STAT_USMSTATSUNSUPPORTEDSECLEVELS, Reject::unsupported_security_level},
    {STAT_SNMPUNKNOWNSECURITYMODELS, Reject::unknown_security_model},
    {STAT_SNMPINBADVERSIONS, Reject::bad_version},
    {STAT_SNMPINVALIDMSGS, Reject::parse_error},
    {STAT_SNMPINASNPARSEERRS, Reject::parse_error},
}};

std::string auth_name(std::string_view p) {
  if (p == "SHA1" || p == "SHA-1") return "SHA";
  return std::string(p);
}

std::string priv_name(std::string_view p) {
  if (p == "AES-128" || p == "AES128") return "AES";
  return std::string(p);
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<std::string> parse_engine_id(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.size() % 2 || text.size() < 10 || text.size() > 64) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + i + 2, v, 16);
    if (ec != std::errc() || p != text.data() + i + 2) return std::nullopt;
    out += static_cast<char>(v);
  }
  return out;
}

std::string check_user(const UsmUser& u) {
  if (u.name.empty() || u.name.size() > 32) return "user name must have 1 to 32 characters";
  bool auth = u.auth_protocol != "none";
  bool priv = u.priv_protocol != "none";
  if (auth && usm_lookup_auth_type(auth_name(u.auth_protocol).c_str()) < 0)
    return "auth_protocol '" + u.auth_protocol + "' is not one of none, MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512";
  if (priv && usm_lookup_priv_type(priv_name(u.priv_protocol).c_str()) < 0)
    return "priv_protocol '" + u.priv_protocol + "' is not one of none, DES, AES, AES-192, AES-256";
  if (priv && !auth) return "privacy needs authentication: set auth_protocol too";
  if (auth && u.auth_passphrase.size() < 8) return "the auth pass phrase needs at least 8 characters (RFC 3414)";
  if (priv && u.priv_passphrase.size() < 8) return "the priv pass phrase needs at least 8 characters (RFC 3414)";
  for (const auto& e : u.engine_ids)
    if (!parse_engine_id(e)) return "engine ID '" + e + "' is not 5 to 32 bytes of hex";
  return {};
}

// ---------------------------------------------------------------------------

struct Decoder::Session {
  explicit Session(const DecoderConfig& config);
  ~Session();
  void configure(const DecoderConfig& config);
  void add_user(const UsmUser& u, const std::string& engine);
  Decoded decode(std::string_view datagram, const sockaddr* peer, socklen_t peer_len);
  void handle(netsnmp_session* sp, netsnmp_pdu* pdu);
  bool build(netsnmp_pdu* pdu, Trap& trap);
  void respond(netsnmp_pdu* pdu);

  static int f_recv(netsnmp_transport* t, void* buf, int size, void** opaque, int* olength);
  static int f_send(netsnmp_transport* t, const void* buf, int size, void**, int*);
  static int f_close(netsnmp_transport*) { return 0; }
  static char* f_fmtaddr(netsnmp_transport*, const void* data, int len);
  static int on_message(int op, netsnmp_session* sp, int reqid, netsnmp_pdu* pdu, void* magic);

  DecoderConfig config;
  int fd = -1;  // only marks the session readable for snmp_sess_read2()
  void* sessp = nullptr;
  netsnmp_large_fd_set fds{};

  // The datagram being decoded and what came of it.
  std::string_view in;
  sockaddr_storage peer{};
  Decoded out;
  bool refused = false;
  bool capture_response = false;
};

Decoder::Session::Session(const DecoderConfig& c) {
  init_library(c.mib_dirs);
  fd = eventfd(0, EFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error("snmp decoder: eventfd failed");
  auto* t = static_cast<netsnmp_transport*>(calloc(1, sizeof(netsnmp_transport)));
  t->sock = fd;
  t->domain = netsnmpUDPDomain;
  t->domain_length = netsnmpUDPDomain_len;
  t->msgMaxSize = 65535;
  t->f_recv = f_recv;
  t->f_send = f_send;
  t->f_close = f_close;
  t->f_fmtaddr = f_fmtaddr;
  t->data = this;
  netsnmp_session s;
  snmp_sess_init(&s);
  s.version = SNMP_DEFAULT_VERSION;
  s.callback = on_message;
  s.callback_magic = this;
  s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
  s.flags |= SNMP_FLAGS_DONT_PROBE;
  sessp = snmp_sess_add(&s, t, nullptr, nullptr);
  if (!sessp) {
    close(fd);
    throw std::runtime_error("snmp decoder: net-snmp refused the session");
  }
  netsnmp_large_fd_set_init(&fds, fd + 1);
  NETSNMP_LARGE_FD_SET(fd, &fds);
  configure(c);
}

Decoder::Session::~Session() {
  // The library frees transport->data on close; it points at us.
  if (auto* t = snmp_sess_transport(sessp)) t->data = nullptr;
  snmp_sess_close(sessp);
  netsnmp_large_fd_set_cleanup(&fds);
  close(fd);
}

void Decoder::Session::configure(const DecoderConfig& c) {
  if (!c.engine_id.empty()) {
    auto id = parse_engine_id(c.engine_id);
    if (!id) throw std::invalid_argument("engine_id '" + c.engine_id + "' is not 5 to 32 bytes of hex");
    auto* bytes = reinterpret_cast<const u_char*>(id->data());
    set_exact_engineID(bytes, id->size());
    // USM only accepts messages for engines it has a time record of; the
    // library made one for the engine ID it generated, not for ours.
    set_enginetime(bytes, static_cast<u_int>(id->size()), static_cast<u_int>(snmpv3_local_snmpEngineBoots()),
                   static_cast<u_int>(snmpv3_local_snmpEngineTime()), 1);
  }
  for (auto* u = usm_get_userList(); u;) {
    auto* next = u->next;
    usm_remove_user(u);
    usm_free_user(u);
    u = next;
  }
  std::array<u_char, 64> local{};
  std::size_t n = snmpv3_get_engineID(local.data(), local.size());
  std::string local_hex = hex(local.data(), n, 0);
  for (const auto& u : c.users) {
    if (auto problem = check_user(u); !problem.empty())
      throw std::invalid_argument("user '" + u.name + "': " + problem);
    add_user(u, local_hex);
    for (const auto& e : u.engine_ids) add_user(u, e.starts_with("0x") || e.starts_with("0X") ? e.substr(2) : e);
  }
  config = c;
}

void Decoder::Session::add_user(const UsmUser& u, const std::string& engine) {
  std::string line = "-e 0x" + engine + " " + quoted(u.name);
  if (u.auth_protocol != "none") {
    line += " " + auth_name(u.auth_protocol) + " " + quoted(u.auth_passphrase);
    if (u.priv_protocol != "none") line += " " + priv_name(u.priv_protocol) + " " + quoted(u.priv_passphrase);
  }
  std::vector<char> buf(line.begin(), line.end());
  buf.push_back('\0');
  usm_parse_create_usmUser("createUser", buf.data());
  auto id = parse_engine_id(engine);
  if (!id || !usm_get_user(reinterpret_cast<const u_char*>(id->data()), id->size(), u.name.c_str()))
    throw std::invalid_argument("user '" + u.name + "': net-snmp refused the user for engine " + engine);
}

int Decoder::Session::f_recv(netsnmp_transport* t, void* buf, int size, void** opaque, int* olength) {
  auto* s = static_cast<Session*>(t->data);
  int n = static_cast<int>(std::min<std::size_t>(s->in.size(), static_cast<std::size_t>(size)));
  std::memcpy(buf, s->in.data(), static_cast<std::size_t>(n));
  auto* addr = static_cast<sockaddr_storage*>(malloc(sizeof(sockaddr_storage)));
  *addr = s->peer;
  *opaque = addr;
  *olength = sizeof(sockaddr_storage);
  return n;
}

int Decoder::Session::f_send(netsnmp_transport* t, const void* buf, int size, void**, int*) {
  auto* s = static_cast<Session*>(t->data);
  (s->capture_response ? s->out.response : s->out.reply).assign(static_cast<const char*>(buf),
                                                                 static_cast<std::size_t>(size));
  return size;
}

char* Decoder::Session::f_fmtaddr(netsnmp_transport*, const void* data, int len) {
  if (!data || len < static_cast<int>(sizeof(sockaddr_storage))) return strdup("UDP: unknown");
  return strdup(("UDP: " + peer_ip(*static_cast<const sockaddr_storage*>(data))).c_str());
}

int Decoder::Session::on_message(int op, netsnmp_session* sp, int, netsnmp_pdu* pdu, void* magic) {
  if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) static_cast<Session*>(magic)->handle(sp, pdu);
  return 1;
}

void Decoder::Session::handle(netsnmp_session* sp, netsnmp_pdu* pdu) {
  refused = true;
  // USM calls back with an error set when the digest is wrong (snmptrapd
  // uses it for authenticationFailure); that is a refusal, not a trap.
  if (sp->s_snmp_errno) {
    out.reason = Reject::wrong_digest;
    return;
  }
  if (pdu->command != SNMP_MSG_TRAP && pdu->command != SNMP_MSG_TRAP2 && pdu->command != SNMP_MSG_INFORM) {
    out.reason = Reject::not_a_notification;
    return;
  }
  Trap trap;
  if (!build(pdu, trap)) return;
  if (trap.inform) respond(pdu);
  out.trap = std::move(trap);
  refused = false;
}

bool Decoder::Session::build(netsnmp_pdu* pdu, Trap& trap) {
  trap.version = pdu->version == SNMP_VERSION_1 ? "1" : pdu->version == SNMP_VERSION_2c ? "2c" : "3";
  trap.inform = pdu->command == SNMP_MSG_INFORM;
  if (pdu->version == SNMP_VERSION_3) {
    trap.user.assign(pdu->securityName ? pdu->securityName : "", pdu->securityName ? pdu->securityNameLen : 0);
    trap.security_level = pdu->securityLevel == SNMP_SEC_LEVEL_AUTHPRIV     ? "authPriv"
                          : pdu->securityLevel == SNMP_SEC_LEVEL_AUTHNOPRIV ? "authNoPriv"
                                                                            : "noAuthNoPriv";
  } else {
    trap.community.assign(reinterpret_cast<const char*>(pdu->community), pdu->community ? pdu->community_len : 0);
    const auto& allowed = config.communities;
    if (std::find(allowed.begin(), allowed.end(), trap.community) == allowed.end()) {
      out.reason = Reject::unknown_community;
      return false;
    }
  }
  std::size_t count = 0;
  for (auto* v = pdu->variables; v; v = v->next_variable)
    if (++count > config.max_varbinds + 2) {
      out.reason = Reject::too_many_varbinds;
      return false;
    }
  if (pdu->command == SNMP_MSG_TRAP) {
    // RFC 3584 3.1: generic traps map to snmpTraps.(generic+1), the
    // enterprise-specific ones to enterprise.0.specific.
    trap.trap_oid = pdu->trap_type == SNMP_TRAP_ENTERPRISESPECIFIC
                        ? numeric(pdu->enterprise, pdu->enterprise_length) + ".0." + std::to_string(pdu->specific_type)
                        : std::string(kSnmpTraps) + "." + std::to_string(pdu->trap_type + 1);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, pdu->agent_addr, buf, sizeof buf);
    trap.agent_address = buf;
    trap.uptime = static_cast<std::uint32_t>(pdu->time);
  }
  for (auto* v = pdu->variables; v; v = v->next_variable) {
    Varbind vb;
    vb.oid = numeric(v->name, v->name_length);
    if (vb.oid == kSysUpTime0 && v->type == ASN_TIMETICKS && pdu->command != SNMP_MSG_TRAP) {
      trap.uptime = static_cast<std::uint32_t>(*v->val.integer);
      continue;
    }
    if (vb.oid == kSnmpTrapOid0 && v->type == ASN_OBJECT_ID && pdu->command != SNMP_MSG_TRAP) {
      trap.trap_oid = numeric(v->val.objid, v->val_len / sizeof(oid));
      continue;
    }
    render(v, vb);
    if (vb.oid == kSnmpTrapAddress0 && v->type == ASN_IPADDRESS) trap.agent_address = vb.value;
    vb.name = name_of(vb.oid, v->name, v->name_length);
    trap.varbinds.push_back(std::move(vb));
  }
  if (trap.varbinds.size() > config.max_varbinds) {
    out.reason = Reject::too_many_varbinds;
    return false;
  }
  if (trap.trap_oid.empty()) {
    out.reason = Reject::missing_trap_oid;
    return false;
  }
  if (trap.agent_address.empty()) trap.agent_address = peer_ip(peer);
  auto known = builtin_name(trap.trap_oid);
  if (!known.name.empty() && known.instance.empty()) trap.trap_name = known.name;
  return true;
}

// The INFORM response is encoded now, while the PDU and its USM state are at
// hand, and sent by the transport once the event is durable.
void Decoder::Session::respond(netsnmp_pdu* pdu) {
  netsnmp_pdu* reply = snmp_clone_pdu(pdu);
  if (!reply) return;
  reply->command = SNMP_MSG_RESPONSE;
  reply->errstat = 0;
  reply->errindex = 0;
  capture_response = true;
  if (!snmp_sess_send(sessp, reply)) snmp_free_pdu(reply);
  capture_response = false;
}

Decoded Decoder::Session::decode(std::string_view datagram, const sockaddr* from, socklen_t from_len) {
  in = datagram;
  peer = {};
  if (from) std::memcpy(&peer, from, std::min<std::size_t>(from_len, sizeof peer));
  out = Decoded{};
  refused = false;
  std::array<long, kRefusals.size()> before{};
  for (std::size_t i = 0; i < kRefusals.size(); ++i) before[i] = snmp_get_statistic(kRefusals[i].first);
  NETSNMP_LARGE_FD_SET(fd, &fds);  // the library clears it once read
  snmp_sess_read2(sessp, &fds);
  if (!out.trap && !refused) {
    out.reason = Reject::parse_error;
    for (std::size_t i = 0; i < kRefusals.size(); ++i)
      if (snmp_get_statistic(kRefusals[i].first) != before[i]) {
        out.reason = kRefusals[i].second;
        break;
      }
    out.discovery = out.reason == Reject::unknown_engine_id && !out.reply.empty();
  }
  in = {};
  return std::move(out);
}

// ---------------------------------------------------------------------------

Decoder::Decoder(const DecoderConfig& config) {
  std::lock_guard lock(library_mutex());
  session_ = std::make_unique<Session>(config);
}

Decoder::~Decoder() {
  std::lock_guard lock(library_mutex());
  session_.reset();
}

void Decoder::reconfigure(const DecoderConfig& config) {
  std::lock_guard lock(library_mutex());
  session_->configure(config);
}

Decoded Decoder::decode(std::string_view datagram, const sockaddr* peer, socklen_t peer_len) {
  std::lock_guard lock(library_mutex());
  return session_->decode(datagram, peer, peer_len);
}

std::string Decoder::local_engine_id() const {
  std::lock_guard lock(library_mutex());
  std::array<u_char, 64> id{};
  std::size_t n = snmpv3_get_engineID(id.data(), id.size());
  return hex(id.data(), n, 0);
}

}  // namespace tocsin::snmp

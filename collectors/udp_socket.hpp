#pragma once
// What every UDP collector (syslog, SNMP) needs from its socket: batched
// receive with recvmmsg(), sender addresses as text, a large receive buffer,
// and the kernel's drop count for the socket (DESIGN.md rule 1: UDP cannot be
// acknowledged, so every loss, kernel drops included, is counted).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/udp.hpp>
#include <spdlog/logger.h>

namespace tocsin::udp {

inline constexpr std::size_t datagrams_per_call = 64;
// Yield after this many recvmmsg() calls so that a flood on one socket cannot
// starve the other listeners sharing the io_context.
inline constexpr int calls_before_yield = 16;

// Buffers for one recvmmsg() call, allocated once per listener.
struct DatagramBatch {
  explicit DatagramBatch(std::size_t max_datagram);
  void prepare();
  std::string_view payload(std::size_t i) const { return {buffer.data() + i * max_datagram, headers[i].msg_len}; }
  bool truncated(std::size_t i) const { return headers[i].msg_hdr.msg_flags & MSG_TRUNC; }

  std::size_t max_datagram;
  std::vector<char> buffer;
  std::array<mmsghdr, datagrams_per_call> headers{};
  std::array<iovec, datagrams_per_call> iov{};
  std::array<sockaddr_storage, datagrams_per_call> peers{};
  std::array<std::array<char, INET6_ADDRSTRLEN>, datagrams_per_call> peer_texts{};
};

enum class Drained { empty, more, closed };

// Reads what the socket holds, up to calls_before_yield batches; `deliver`
// gets the number of datagrams of each batch. Never throws.
template <typename Deliver>
Drained drain(boost::asio::ip::udp::socket& socket, DatagramBatch& batch, Deliver&& deliver, spdlog::logger& log);

// The sender as text; IPv4 senders on a dual-stack socket as plain IPv4.
void peer_text(const sockaddr_storage& sa, std::array<char, INET6_ADDRSTRLEN>& out);

// Same sender address, the port aside: peer_text() would give the same text.
inline bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET)
    return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in&>(b).sin_addr.s_addr;
  if (a.ss_family == AF_INET6)
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr,
                       &reinterpret_cast<const sockaddr_in6&>(b).sin6_addr, sizeof(in6_addr)) == 0;
  return false;
}

// Datagrams the kernel dropped on this socket because its buffer was full.
double kernel_drops(int fd);

// SO_RCVBUFFORCE (past net.core.rmem_max, needs CAP_NET_ADMIN), else SO_RCVBUF.
void set_receive_buffer(int fd, int bytes, spdlog::logger& log);

// One recvmmsg(): datagrams received, 0 when the socket is empty, -1 on an
// error (errno set).
int receive(int fd, DatagramBatch& batch);

template <typename Deliver>
Drained drain(boost::asio::ip::udp::socket& socket, DatagramBatch& batch, Deliver&& deliver, spdlog::logger& log) {
  for (int call = 0; call < calls_before_yield; ++call) {
    if (!socket.is_open()) return Drained::closed;
    int n = receive(socket.native_handle(), batch);
    if (n < 0) log.warn("udp receive failed error={}", std::strerror(errno));
    if (n <= 0) return Drained::empty;
    deliver(static_cast<std::size_t>(n));
  }
  return Drained::more;
}

}  // namespace tocsin::udp

// Batched UDP receive and the socket options shared by the UDP collectors.
#include "collectors/udp_socket.hpp"

#include <linux/sock_diag.h>

#include <cerrno>
#include <cstring>

namespace tocsin::udp {

DatagramBatch::DatagramBatch(std::size_t max) : max_datagram(max), buffer(datagrams_per_call * max) {}

void DatagramBatch::prepare() {
  for (std::size_t i = 0; i < datagrams_per_call; ++i) {
    iov[i] = {buffer.data() + i * max_datagram, max_datagram};
    headers[i] = {};
    headers[i].msg_hdr.msg_name = &peers[i];
    headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    headers[i].msg_hdr.msg_iov = &iov[i];
    headers[i].msg_hdr.msg_iovlen = 1;
  }
}

int receive(int fd, DatagramBatch& batch) {
  for (;;) {
    batch.prepare();
    int n = recvmmsg(fd, batch.headers.data(), datagrams_per_call, MSG_DONTWAIT, nullptr);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

void peer_text(const sockaddr_storage& sa, std::array<char, INET6_ADDRSTRLEN>& out) {
  out[0] = '\0';
  if (sa.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(sa).sin_addr, out.data(), out.size());
    return;
  }
  if (sa.ss_family != AF_INET6) return;
  const auto& a6 = reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a6))
    inet_ntop(AF_INET, &a6.s6_addr[12], out.data(), out.size());
  else
    inet_ntop(AF_INET6, &a6, out.data(), out.size());
}

double kernel_drops(int fd) {
  std::array<std::uint32_t, SK_MEMINFO_VARS> meminfo{};
  socklen_t len = sizeof meminfo;
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo.data(), &len) != 0) return 0;
  if (len < (SK_MEMINFO_DROPS + 1) * sizeof(std::uint32_t)) return 0;
  return meminfo[SK_MEMINFO_DROPS];
}

void set_receive_buffer(int fd, int bytes, spdlog::logger& log) {
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) == 0) return;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0)
    log.warn("udp receive buffer not set requested={} error={}", bytes, std::strerror(errno));
}

}  // namespace tocsin::udp

#ifndef INFERSCOPE_TESTS_SUPPORT_CHILD_PROCESS_H_
#define INFERSCOPE_TESTS_SUPPORT_CHILD_PROCESS_H_

// Test support: start a real server binary (Prometheus, Alertmanager, VictoriaMetrics, the
// inferscope binary itself) on 127.0.0.1 and stop it by PID. Header-only, tests only.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace inferscope::testing {

// A port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
inline int FreeLocalPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// True once something accepts TCP connections on 127.0.0.1:port, polling up to `timeout`.
inline bool WaitForPort(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A child process started with execv; stdout/stderr go to `log_path` (or /dev/null).
// The destructor kills it (SIGKILL) and reaps it, so a failing test leaves no server behind.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { Kill(SIGKILL); }

  // argv[0] is the program path. Returns false when fork/exec failed.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path = "/dev/null") {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
      int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
      ::setpgid(0, 0);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pid_ = pid;
    return true;
  }

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }

  // Sends `sig` and waits up to `timeout` for the exit; escalates to SIGKILL after that.
  // Returns the wait status (or -1 if nothing was running).
  int Kill(int sig = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || r < 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_SUPPORT_CHILD_PROCESS_H_

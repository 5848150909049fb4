#include "tests/kafka/dev_broker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace ledger::test {

std::string dev_broker_binary() {
  return LEDGER_DEV_BROKER_PATH;
}

DevBroker::DevBroker(int partitions) {
  int in[2];
  int out[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(out) == 0);
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    const std::string count = std::to_string(partitions);
    execl(LEDGER_DEV_BROKER_PATH, LEDGER_DEV_BROKER_PATH, "--partitions", count.c_str(), nullptr);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  to_broker_ = in[1];
  from_broker_ = out[0];
  bootstrap_ = read_line(20'000);
  REQUIRE(bootstrap_.find("127.0.0.1:") == 0);
}

DevBroker::~DevBroker() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (to_broker_ >= 0) close(to_broker_);
  if (from_broker_ >= 0) close(from_broker_);
}

std::string DevBroker::read_line(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (buffer_.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd fd{from_broker_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[1024];
    ssize_t got = read(from_broker_, chunk, sizeof chunk);
    if (got <= 0) return "";
    buffer_.append(chunk, static_cast<size_t>(got));
  }
  const size_t end = buffer_.find('\n');
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  return line;
}

std::string DevBroker::control(const std::string& line) {
  const std::string text = line + "\n";
  REQUIRE(write(to_broker_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  return read_line(10'000);
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

ShellResult run_shell(const std::string& command) {
  TempDir io;
  const std::string full =
      "(" + command + ") > '" + io.sub("out") + "' 2> '" + io.sub("err") + "' < /dev/null";
  int status = std::system(full.c_str());
  ShellResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(io.sub("out"));
  result.err = slurp(io.sub("err"));
  return result;
}

BackgroundProcess::BackgroundProcess(const std::string& command, const std::string& out_path,
                                     const std::string& err_path) {
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int null = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
    _exit(127);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (!reaped_) stop(SIGKILL);
}

bool BackgroundProcess::exited() {
  if (reaped_) return true;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return reaped_;
}

int BackgroundProcess::stop(int signal) {
  if (!reaped_) {
    kill(pid_, signal);
    waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  return status_;
}

}  // namespace ledger::test

#pragma once

// Running `ledger-dev-broker` (librdkafka's mock cluster) and shell commands from tests.

#include <sys/types.h>

#include <string>

namespace ledger::test {

//! A dev broker on a free loopback port, started by the constructor and stopped (SIGTERM,
//! then waited for) by the destructor.
class DevBroker {
 public:
  explicit DevBroker(int partitions = 4);
  ~DevBroker();
  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;

  //! "127.0.0.1:PORT", as the broker printed it.
  const std::string& bootstrap() const { return bootstrap_; }
  //! Sends one control line (down 1, up 1, errors Produce ...) and returns the broker's answer.
  std::string control(const std::string& line);

 private:
  std::string read_line(int timeout_ms);

  pid_t pid_ = -1;
  int to_broker_ = -1;
  int from_broker_ = -1;
  std::string buffer_;
  std::string bootstrap_;
};

struct ShellResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

//! Runs `command` with /bin/sh and waits for it.
ShellResult run_shell(const std::string& command);

//! A process started in the background with /bin/sh, stdout and stderr to files.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& command, const std::string& out_path, const std::string& err_path);
  ~BackgroundProcess();
  //! Sends `signal` and waits; returns the exit status as waitpid gives it.
  int stop(int signal);
  //! Whether the process has exited (reaps it).
  bool exited();

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

//! The built `ledger-dev-broker`.
std::string dev_broker_binary();

}  // namespace ledger::test

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ledger {

//! What went wrong, as a value. Expected failures travel as Status, never as exceptions.
//! The code says what kind of failure; the message names the field and the reason.
class Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kInvalidArgument,  //!< bad input from a caller: names the field and the reason
    kNotFound,
    kCorruption,  //!< stored data failed a checksum or a verifier
    kIoError,
    kNoSpace,   //!< the disk is full; nothing was half-applied
    kOverflow,  //!< an amount does not fit in int64
    kAlreadyExists,
    kBusy,  //!< the store is locked by another process
  };

  Status() = default;
  static Status ok() { return Status(); }
  static Status invalid_argument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status not_found(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status corruption(std::string message) { return Status(Code::kCorruption, std::move(message)); }
  static Status io_error(std::string message) { return Status(Code::kIoError, std::move(message)); }
  static Status no_space(std::string message) { return Status(Code::kNoSpace, std::move(message)); }
  static Status overflow(std::string message) { return Status(Code::kOverflow, std::move(message)); }
  static Status already_exists(std::string message) {
    return Status(Code::kAlreadyExists, std::move(message));
  }
  static Status busy(std::string message) { return Status(Code::kBusy, std::move(message)); }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool is_invalid_argument() const { return code_ == Code::kInvalidArgument; }
  bool is_not_found() const { return code_ == Code::kNotFound; }
  bool is_corruption() const { return code_ == Code::kCorruption; }
  bool is_no_space() const { return code_ == Code::kNoSpace; }
  bool is_overflow() const { return code_ == Code::kOverflow; }

  //! "Corruption: events: block checksum mismatch in 000012.sst".
  std::string to_string() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

//! A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  //! The failure; Status::ok() when there is a value.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ledger

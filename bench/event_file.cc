#include "bench/event_file.h"

#include <array>
#include <cstring>

#include "engine/event_codec.h"

namespace ledger::bench {

EventFileWriter::~EventFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<std::unique_ptr<EventFileWriter>> EventFileWriter::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return Status::io_error(path + ": " + std::strerror(errno));
  if (std::fwrite(kEventFileMagic.data(), 1, kEventFileMagic.size(), file) != kEventFileMagic.size()) {
    std::fclose(file);
    return Status::io_error(path + ": cannot write the header");
  }
  return std::unique_ptr<EventFileWriter>(new EventFileWriter(file));
}

Status EventFileWriter::write(std::string_view bytes) {
  const auto length = static_cast<uint32_t>(bytes.size());
  std::array<unsigned char, 4> prefix = {
      static_cast<unsigned char>(length), static_cast<unsigned char>(length >> 8),
      static_cast<unsigned char>(length >> 16), static_cast<unsigned char>(length >> 24)};
  if (std::fwrite(prefix.data(), 1, prefix.size(), file_) != prefix.size() ||
      std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return Status::io_error(std::string("event file: write failed: ") + std::strerror(errno));
  }
  return Status::ok();
}

Status EventFileWriter::close() {
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) return Status::io_error(std::string("event file: close failed: ") + std::strerror(errno));
  return Status::ok();
}

EventFileReader::~EventFileReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<std::unique_ptr<EventFileReader>> EventFileReader::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::io_error(path + ": " + std::strerror(errno));
  std::array<char, 8> magic{};
  if (std::fread(magic.data(), 1, magic.size(), file) != magic.size() ||
      std::string_view(magic.data(), magic.size()) != kEventFileMagic) {
    std::fclose(file);
    return Status::invalid_argument(path + ": not an event file (no LEDGEVB1 header)");
  }
  return std::unique_ptr<EventFileReader>(new EventFileReader(file));
}

Result<bool> EventFileReader::next(std::string& bytes) {
  std::array<unsigned char, 4> prefix{};
  const size_t got = std::fread(prefix.data(), 1, prefix.size(), file_);
  if (got == 0) return false;
  if (got != prefix.size()) return Status::corruption("event file: truncated length prefix");
  const uint32_t length = prefix[0] | prefix[1] << 8 | prefix[2] << 16 | uint32_t{prefix[3]} << 24;
  if (length > VerifierLimits::kMaxEventBytes) {
    return Status::corruption("event file: event of " + std::to_string(length) + " bytes exceeds the limit");
  }
  bytes.resize(length);
  if (std::fread(bytes.data(), 1, length, file_) != length)
    return Status::corruption("event file: truncated event");
  return true;
}

}  // namespace ledger::bench

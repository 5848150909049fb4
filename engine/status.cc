#include "engine/status.h"

namespace ledger {

std::string Status::to_string() const {
  std::string_view name;
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      name = "Invalid argument";
      break;
    case Code::kNotFound:
      name = "Not found";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kIoError:
      name = "IO error";
      break;
    case Code::kNoSpace:
      name = "No space";
      break;
    case Code::kOverflow:
      name = "Overflow";
      break;
    case Code::kAlreadyExists:
      name = "Already exists";
      break;
    case Code::kBusy:
      name = "Busy";
      break;
  }
  std::string text(name);
  text += ": ";
  text += message_;
  return text;
}

}  // namespace ledger

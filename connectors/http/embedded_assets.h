#pragma once

#include <span>
#include <string_view>

namespace ledger::http {

//! A file of connectors/http embedded in the binary at build time (embed_assets.cmake): the
//! web console under "web/..." and the OpenAPI document "openapi.json".
struct EmbeddedAsset {
  std::string_view path;
  std::string_view bytes;
};

std::span<const EmbeddedAsset> embedded_assets();
//! The asset at `path`, or null.
const EmbeddedAsset* find_asset(std::string_view path);

}  // namespace ledger::http

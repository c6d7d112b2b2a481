#pragma once
// What the configuration points at on disk, checked when it is loaded (on the helper thread or
// before the io loop runs, never on the io thread): the CA bundle holds a certificate, the state
// directory is a directory or can be made one.

#include "config/yaml_reader.hpp"

#include <filesystem>

namespace copytrader {

void check_ca_file(yaml_reader& r, const std::filesystem::path& ca_file);
void check_state_directory(yaml_reader& r, const std::filesystem::path& directory);

} // namespace copytrader

#include "config/credentials.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace copytrader {

void read_credential_keys(yaml_mapping& mapping, credential_spec& spec) {
  spec.api_key_file = mapping.read_optional(spec.base + "_file");
  spec.api_key_env = mapping.read_optional(spec.base + "_env");
  spec.api_key = mapping.read_optional(spec.base);
}

namespace {

bool readable_by_group_or_others(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::string> read_key_file(const std::filesystem::path& path, const std::string& key,
                                         const std::string& what, yaml_reader& reader) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    reader.error_at(key, "key file " + path.string() + " does not exist");
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(status)) {
    reader.error_at(key, "key file " + path.string() + " is not a regular file");
    return std::nullopt;
  }
  if (readable_by_group_or_others(path)) {
    reader.error_at(key, "key file " + path.string() + " is readable by group or others; chmod 600 it");
    return std::nullopt;
  }
  if (std::filesystem::file_size(path, ec) > max_key_file_bytes) {
    reader.error_at(key, "key file " + path.string() + " is larger than " + what + " can be");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reader.error_at(key, "key file " + path.string() + " cannot be read: " + std::strerror(errno));
    return std::nullopt;
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  text = trim(text);
  if (text.empty()) {
    reader.error_at(key, "key file " + path.string() + " is empty");
    return std::nullopt;
  }
  return text;
}

// systemd names a credential loaded from a directory `<id>_<file>`; the shipped unit uses the id
// "copytrader", so both the plain name and the prefixed one are looked for.
std::optional<std::filesystem::path> find_credential(const std::filesystem::path& dir,
                                                     const std::filesystem::path& name) {
  std::error_code ec;
  if (std::filesystem::exists(dir / name, ec)) return dir / name;
  if (!name.has_parent_path()) {
    const auto prefixed = dir / ("copytrader_" + name.string());
    if (std::filesystem::exists(prefixed, ec)) return prefixed;
  }
  return std::nullopt;
}

} // namespace

void resolve_credential(const credential_spec& spec, const std::filesystem::path& config_file,
                        const load_options& options, yaml_reader& reader, credential& out) {
  resolve_credential(spec, config_file, options, reader, out.api_key, out.source);
}

void resolve_credential(const credential_spec& spec, const std::filesystem::path& config_file,
                        const load_options& options, yaml_reader& reader, secret& value, std::string& source) {
  const std::string file_key = spec.base + "_file";
  const std::string env_key = spec.base + "_env";
  const int sources =
      int(spec.api_key_file.has_value()) + int(spec.api_key_env.has_value()) + int(spec.api_key.has_value());
  if (sources > 1) {
    reader.error_at(spec.key_path, "give only one of " + file_key + ", " + env_key + " and " + spec.base);
    return;
  }
  const std::optional<std::string> credentials_dir = options.getenv("CREDENTIALS_DIRECTORY");
  const bool have_credentials_dir = credentials_dir && !credentials_dir->empty();

  if (spec.api_key) {
    const std::string key = spec.key_path + "." + spec.base;
    if (spec.api_key->empty()) {
      reader.error_at(key, "is empty");
    } else if (readable_by_group_or_others(config_file)) {
      reader.error_at(key, "an inline " + spec.what + " is refused because " + config_file.string() +
                               " is readable by group or others (chmod 600 it, or use " + file_key + ")");
    } else {
      value = secret(*spec.api_key);
      source = "inline";
    }
    return;
  }

  if (spec.api_key_env) {
    const std::string key = spec.key_path + "." + env_key;
    const auto variable = spec.api_key_env->empty() ? std::nullopt : options.getenv(*spec.api_key_env);
    if (!variable || trim(*variable).empty()) {
      reader.error_at(key, "environment variable '" + *spec.api_key_env + "' is not set or empty");
    } else {
      value = secret(trim(*variable));
      source = "environment variable " + *spec.api_key_env;
    }
    return;
  }

  std::filesystem::path path;
  std::string key = spec.key_path + "." + file_key;
  if (spec.api_key_file) {
    const std::filesystem::path given(*spec.api_key_file);
    if (given.empty()) {
      reader.error_at(key, "is empty");
      return;
    }
    if (given.is_absolute()) {
      path = given;
    } else if (auto found = have_credentials_dir ? find_credential(*credentials_dir, given) : std::nullopt) {
      path = *found;
    } else {
      path = config_file.parent_path() / given;
      // By hand (--check-config, no $CREDENTIALS_DIRECTORY): the directory the shipped unit loads
      // its credentials from, credentials/ beside the configuration (/etc/copytrader/credentials).
      const auto unit_source = config_file.parent_path() / "credentials" / given;
      std::error_code ec;
      if (!have_credentials_dir && !std::filesystem::exists(path, ec) && std::filesystem::exists(unit_source, ec))
        path = unit_source;
      if (!std::filesystem::exists(path, ec)) {
        reader.error_at(key, "key file " + path.string() + " does not exist" +
                                 (have_credentials_dir ? ", nor in $CREDENTIALS_DIRECTORY (" + *credentials_dir + ")"
                                                       : ", nor in " + unit_source.parent_path().string()));
        return;
      }
    }
  } else if (have_credentials_dir) {
    const std::filesystem::path dir(*credentials_dir);
    path = find_credential(dir, spec.default_name).value_or(dir / spec.default_name);
    key = spec.key_path;
  } else {
    reader.error_at(spec.key_path, "no " + spec.what + ": set " + file_key + ", " + env_key + " or " + spec.base +
                                       " (or run under systemd with LoadCredential=" + spec.default_name + ":...)");
    return;
  }
  if (auto text = read_key_file(path, key, spec.what, reader)) {
    value = secret(std::move(*text));
    source = "file " + path.string();
  }
}

} // namespace copytrader

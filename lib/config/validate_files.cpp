#include "config/validate_files.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace copytrader {

void check_ca_file(yaml_reader& r, const std::filesystem::path& ca_file) {
  if (ca_file.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(ca_file, ec)) {
    r.error_at("api.ca_file", ca_file.string() + " does not exist");
    return;
  }
  // The first certificate is enough to tell a CA bundle from a key, a DER file or a typo'd path.
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(ca_file.c_str(), "r"), &BIO_free);
  const std::unique_ptr<X509, decltype(&X509_free)> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
  if (!cert) {
    r.error_at("api.ca_file",
               ca_file.string() + " holds no PEM certificate (expected a CA bundle: -----BEGIN CERTIFICATE-----)");
  }
}

void check_state_directory(yaml_reader& r, const std::filesystem::path& directory) {
  if (directory.empty()) {
    r.error_at("state.directory", "must not be empty");
    return;
  }
  // The daemon creates what is missing (create_directories), so the nearest part that exists must be
  // a directory: a file on the way is a path that can never be one.
  std::error_code ec;
  for (auto probe = directory; !probe.empty(); probe = probe.parent_path()) {
    const auto status = std::filesystem::status(probe, ec);
    if (!std::filesystem::exists(status)) {
      if (probe == probe.parent_path()) break;
      continue;
    }
    if (!std::filesystem::is_directory(status)) {
      r.error_at("state.directory", probe == directory ? directory.string() + " exists and is not a directory"
                                                       : directory.string() + " cannot be created: " + probe.string() +
                                                             " is not a directory");
    }
    return;
  }
}

} // namespace copytrader

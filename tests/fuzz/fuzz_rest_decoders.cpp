// Every REST response decoder and the outcome classification, on arbitrary bodies.
#include "projectx/decode.hpp"
#include "projectx/mutation_outcome.hpp"
#include "projectx/token_expiry.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace copytrader::projectx;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)decode_login(body);
  (void)decode_validate(body);
  (void)decode_place(body);
  (void)decode_ack(body);
  (void)decode_orders(body);
  (void)decode_positions(body);
  (void)decode_trades(body);
  (void)decode_accounts(body);
  (void)decode_contracts(body);
  (void)decode_contract_by_id(body);
  (void)classify_place(http_exchange{transport_stage::completed, 200, body, {}});
  (void)classify_ack(http_exchange{transport_stage::completed, 200, body, {}});
  (void)jwt_expiry(body);
  (void)parse_timestamp(body);
  return 0;
}

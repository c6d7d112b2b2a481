// Decoders against the payloads of projectx-api.md (live captures and documentation examples).

#include "projectx/decode.hpp"
#include "projectx/hub_events.hpp"
#include "projectx/mutation_outcome.hpp"
#include "projectx/requests.hpp"
#include "projectx/token_expiry.hpp"
#include "support/printers.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::projectx;
using Catch::Matchers::Contains;

namespace {

boost::json::array args_of(std::string_view json) { return boost::json::parse(json).as_array(); }

} // namespace

TEST_CASE("timestamps with 0 to 7 fractional digits and either zone form", "[projectx]") {
  const auto a = parse_timestamp("2026-08-19T20:49:25.3938333+00:00");
  const auto b = parse_timestamp("2026-08-19T20:49:25.393833Z");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  CHECK(parse_timestamp("2026-08-16T23:26:02.15673+00:00"));
  CHECK(parse_timestamp("2025-04-21T19:52:32+00:00"));
  CHECK(*parse_timestamp("2026-01-01T01:00:00+01:00") == *parse_timestamp("2026-01-01T00:00:00Z"));
  CHECK(format_timestamp(*a) == "2026-08-19T20:49:25.3938330+00:00");
  for (const char* bad : {"", "2026-08-19", "2026-08-19T20:49:25", "2026-13-01T00:00:00Z", "2026-08-19T20:49:25.Z",
                          "2026-08-19T20:49:25Zjunk", "2026-02-30T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_timestamp(bad));
  }
}

TEST_CASE("a live order event: {action,data} envelope, int64 id, nulls omitted", "[projectx][hub]") {
  auto events = decode_user_event("GatewayUserOrder", args_of(R"([{"action":1,"data":{
    "id":3425270858,"accountId":26282486,"contractId":"CON.F.US.MNQ.U26","symbolId":"F.US.MNQ",
    "creationTimestamp":"2026-08-19T20:49:25.3938333+00:00","updateTimestamp":"2026-08-19T20:49:25.3962105+00:00",
    "status":5,"type":2,"side":1,"size":1,"fillVolume":0,"customTag":"glt-33fa8e1e"}}])"));
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  const auto& e = std::get<order_event>(events->at(0));
  CHECK(e.action == 1);
  CHECK(e.value.id == 3425270858);
  CHECK(e.value.status == order_status::rejected);
  CHECK(e.value.side == side::ask);
  CHECK(e.value.custom_tag == "glt-33fa8e1e");
  CHECK_FALSE(e.value.limit_price);
  CHECK_FALSE(e.value.parent_order_id);
}

TEST_CASE("live position, trade and account events", "[projectx][hub]") {
  auto closed = decode_user_event("GatewayUserPosition", args_of(R"([{"action":2,"data":{
    "id":825245547,"accountId":26282486,"contractId":"CON.F.US.MNQ.U26","contractDisplayName":"MNQU26",
    "creationTimestamp":"2026-08-19T14:15:48.611387+00:00","type":0,"size":0,"averagePrice":29398.5}}])"));
  REQUIRE(closed);
  const auto& p = std::get<position_event>(closed->at(0));
  CHECK(p.action == 2);
  CHECK(p.value.signed_size() == 0);

  auto fill = decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":{
    "id":3004518356,"accountId":26282486,"contractId":"CON.F.US.MNQ.U26","creationTimestamp":"2026-08-19T14:16:01.4061289+00:00",
    "price":29423,"profitAndLoss":-49,"fees":0.36,"commissions":0.25,"side":0,"size":1,"voided":false,"orderId":3423462488}}])"));
  REQUIRE(fill);
  const auto& t = std::get<trade_event>(fill->at(0));
  CHECK(t.value.id == 3004518356);
  CHECK(t.value.price == 29423.0);
  CHECK(t.value.profit_and_loss == -49.0);
  CHECK(t.value.order == 3423462488);

  auto acct = decode_user_event("gatewayuseraccount", args_of(R"([{"action":1,"data":{
    "id":26282486,"name":"PRAC-V2-645601-47191819","balance":149848.64,"canTrade":true,"isVisible":true,"simulated":true}}])"));
  REQUIRE(acct);
  CHECK(std::get<account_event>(acct->at(0)).value.can_trade);
}

TEST_CASE("a bare entity is accepted as the docs show it", "[projectx][hub][A15]") {
  auto events = decode_user_event("GatewayUserPosition", args_of(R"([{"id":6124,"accountId":536,
    "contractId":"CON.F.US.GMET.J25","creationTimestamp":"2025-04-21T19:52:32.175721+00:00","type":1,"size":2,"averagePrice":1575.75}])"));
  REQUIRE(events);
  const auto& p = std::get<position_event>(events->at(0));
  CHECK(p.action == action_unknown);
  CHECK(p.value.signed_size() == 2);
}

TEST_CASE("a data array yields every entity", "[projectx][hub]") {
  auto events = decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":[
    {"id":1,"accountId":1,"contractId":"C","price":1,"side":0,"size":1,"orderId":9},null,
    {"id":2,"accountId":1,"contractId":"C","price":1,"side":0,"size":2,"orderId":9}]}])"));
  REQUIRE(events);
  CHECK(events->size() == 2);
}

TEST_CASE("unknown targets and GatewayLogout", "[projectx][hub][A9][A15]") {
  auto unknown = decode_user_event("GatewayUserSomethingNew", args_of("[{}]"));
  REQUIRE(unknown);
  CHECK(std::get<unknown_event>(unknown->at(0)).target == "GatewayUserSomethingNew");
  auto logout = decode_user_event("gatewaylogout", args_of("[]"));
  REQUIRE(logout);
  CHECK(std::holds_alternative<logout_event>(logout->at(0)));
}

TEST_CASE("malformed events are rejected with the field named", "[projectx][hub][D4]") {
  auto wrong_type = decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":{
    "id":"3004518356","accountId":1,"contractId":"C","price":1,"side":0,"size":1,"orderId":9}}])"));
  REQUIRE_FALSE(wrong_type);
  CHECK(wrong_type.error().message == "trade.id: expected an integer");

  auto missing = decode_user_event("GatewayUserOrder", args_of(R"([{"action":1,"data":{"id":1,"accountId":1}}])"));
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Contains("order.contractId: missing"));

  CHECK_FALSE(decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":{"id":1,"accountId":1,
    "contractId":"C","price":1,"side":0,"size":0,"orderId":9}}])")));       // size 0
  CHECK_FALSE(decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":{"id":1.5,"accountId":1,
    "contractId":"C","price":1,"side":0,"size":1,"orderId":9}}])")));       // fractional id
  CHECK_FALSE(decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":{"id":1,"accountId":1,
    "contractId":"C","price":"29423","side":0,"size":1,"orderId":9}}])"))); // number as string
  CHECK_FALSE(decode_user_event("GatewayUserOrder", args_of("[]")));
  CHECK_FALSE(decode_user_event("GatewayUserOrder", args_of("[5]")));
  CHECK_FALSE(decode_user_event("GatewayUserOrder", args_of(R"([{"action":"1","data":{}}])")));
}

TEST_CASE("an unknown order status or type is carried; an unknown side or position type fails the read",
          "[projectx][B9]") {
  auto events = decode_user_event("GatewayUserOrder", args_of(R"([{"action":1,"data":{"id":1,"accountId":1,
    "contractId":"C","status":12,"type":9,"side":0,"size":1}}])"));
  REQUIRE(events);
  CHECK(std::get<order_event>(events->at(0)).value.status == 12);
  // What decides a direction is never guessed.
  CHECK_FALSE(decode_user_event("GatewayUserOrder", args_of(R"([{"action":1,"data":{"id":1,"accountId":1,
    "contractId":"C","status":1,"type":2,"side":2,"size":1}}])")));
  CHECK_FALSE(decode_user_event("GatewayUserTrade", args_of(R"([{"action":0,"data":{"id":1,"accountId":1,
    "contractId":"C","price":1,"side":3,"size":1,"orderId":9}}])")));
  CHECK_FALSE(decode_positions(R"({"positions":[{"id":1,"accountId":1,"contractId":"C","type":7,"size":5,
    "averagePrice":1}],"success":true,"errorCode":0})"));
  CHECK_FALSE(decode_positions(R"({"positions":[{"id":1,"accountId":1,"contractId":"C","type":0,"size":5,
    "averagePrice":1}],"success":true,"errorCode":0})"));
  // Closed: type 0 and size 0, as the live stream sends it.
  auto closed = decode_user_event("GatewayUserPosition", args_of(R"([{"action":1,"data":{"id":1,"accountId":1,
    "contractId":"C","type":0,"size":0,"averagePrice":0}}])"));
  REQUIRE(closed);
}

TEST_CASE("REST responses: envelopes and payloads", "[projectx][rest]") {
  auto login = decode_login(R"({"token":"eyJ.x.y","success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(login);
  CHECK(login->status.ok());
  CHECK(login->payload->reveal() == "eyJ.x.y");
  auto refused = decode_login(R"({"token":null,"success":false,"errorCode":3,"errorMessage":null})");
  REQUIRE(refused);
  CHECK_FALSE(refused->status.ok());
  CHECK(login_error_name(refused->status.error_code) == "InvalidCredentials");
  CHECK_FALSE(decode_login(R"({"token":null,"success":true,"errorCode":0})")); // success without a token

  auto accounts = decode_accounts(R"({"accounts":[{"id":26282486,"name":"PRAC-V2-645601-47191819",
    "balance":149831.92,"canTrade":true,"isVisible":true,"simulated":true}],"success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(accounts);
  CHECK(accounts->payload.at(0).id == 26282486);

  auto orders = decode_orders(R"({"orders":[{"id":3408995737,"accountId":26282486,"contractId":"CON.F.US.MNQ.U26",
    "symbolId":"F.US.MNQ","creationTimestamp":"2026-08-16T23:26:02.15673+00:00","updateTimestamp":"2026-08-16T23:27:00.301751+00:00",
    "status":3,"type":1,"side":1,"size":1,"limitPrice":30203.5,"stopPrice":null,"fillVolume":0,"filledPrice":null,
    "customTag":"glt-cd160da8-TP","parentOrderId":3408995735,"linkedOrderId":3408995736}],"success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(orders);
  const order& leg = orders->payload.at(0);
  CHECK(leg.limit_price == 30203.5);
  CHECK_FALSE(leg.stop_price);
  CHECK(leg.parent_order_id == 3408995735);
  CHECK(leg.linked_order_id == 3408995736);

  auto positions = decode_positions(R"({"positions":[{"id":6124,"accountId":536,"contractId":"CON.F.US.GMET.J25",
    "creationTimestamp":"2025-04-21T19:52:32.175721+00:00","type":2,"size":2,"averagePrice":1575.75}],"success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(positions);
  CHECK(positions->payload.at(0).signed_size() == -2);

  auto trades = decode_trades(R"({"trades":[{"id":3005729833,"accountId":26282486,"contractId":"CON.F.US.MNQ.U26",
    "creationTimestamp":"2026-08-19T17:51:07.965787+00:00","price":29542.25,"profitAndLoss":null,"fees":0.36,"side":1,
    "size":1,"voided":false,"orderId":3424798599}],"success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(trades);
  CHECK_FALSE(trades->payload.at(0).profit_and_loss);
}

TEST_CASE("a list with one bad element fails whole", "[projectx][rest][B9]") {
  auto r = decode_positions(R"({"positions":[{"id":1,"accountId":1,"contractId":"C","type":1,"size":1,"averagePrice":1},
    {"id":2,"accountId":1,"contractId":"C","type":1,"size":-3,"averagePrice":1}],"success":true,"errorCode":0})");
  CHECK_FALSE(r);
  CHECK_FALSE(decode_positions(R"({"success":true,"errorCode":0})")); // success without the list
  CHECK_FALSE(decode_positions(R"({"positions":{},"success":true,"errorCode":0})"));
  CHECK_FALSE(decode_positions(R"({"positions":[],"success":"true","errorCode":0})"));
  CHECK_FALSE(decode_positions(R"({"positions":[],"success":true,"errorCode":0)")); // truncated
  CHECK_FALSE(decode_positions(R"({"positions":[],"success":true,"errorCode":1e309})"));
  CHECK_FALSE(decode_positions(R"({"positions":[{"id":1,"accountId":1,"contractId":"C","type":1,"size":1,
    "averagePrice":1e309}],"success":true,"errorCode":0})")); // infinity is no price
  CHECK_FALSE(decode_positions("<html>502 Bad Gateway</html>"));
}

TEST_CASE("searchById: singular contract, and the old array form", "[projectx][rest]") {
  auto one = decode_contract_by_id(R"({"contract":{"id":"CON.F.US.EP.U26","name":"ESU6","description":"E-mini S&P",
    "tickSize":0.25,"tickValue":12.5,"activeContract":true,"symbolId":"F.US.EP"},"success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(one);
  CHECK(one->payload->tick_value == 12.5);
  auto old = decode_contract_by_id(R"({"contracts":[{"id":"CON.F.US.ENQ.H25","name":"ENQH25","description":"",
    "tickSize":0.25,"tickValue":5,"activeContract":true}],"success":true,"errorCode":0,"errorMessage":null})");
  REQUIRE(old);
  CHECK(old->payload->id == "CON.F.US.ENQ.H25");
  auto missing = decode_contract_by_id(R"({"contract":null,"success":false,"errorCode":1,"errorMessage":null})");
  REQUIRE(missing);
  CHECK_FALSE(missing->payload);
}

TEST_CASE("a place request with signed brackets", "[projectx][rest]") {
  place_order_params p;
  p.account = 2001;
  p.contract_id = "CON.F.US.MES.U26";
  p.type = order_type::market;
  p.side = side::bid;
  p.size = 2;
  p.custom_tag = "ct-3004518356-2001";
  p.stop_loss = bracket{-16, order_type::stop};
  p.take_profit = bracket{24, order_type::limit};
  const auto r = place_order(p);
  CHECK(r.path == "/api/Order/place");
  const auto body = boost::json::parse(r.body).as_object();
  CHECK(body.at("accountId").as_int64() == 2001);
  CHECK(body.at("type").as_int64() == 2);
  CHECK(body.at("side").as_int64() == 0);
  CHECK(body.at("size").as_int64() == 2);
  CHECK(body.at("customTag").as_string() == "ct-3004518356-2001");
  CHECK(body.at("stopLossBracket").at("ticks").as_int64() == -16);
  CHECK(body.at("stopLossBracket").at("type").as_int64() == 4);
  CHECK(body.at("takeProfitBracket").at("ticks").as_int64() == 24);
  CHECK_FALSE(body.contains("limitPrice"));
}

TEST_CASE("request bodies escape what they quote and send only what changes", "[projectx][rest]") {
  const auto login = login_key("we\"ird", secret("k\\ey"));
  const auto body = boost::json::parse(login.body).as_object();
  CHECK(body.at("userName").as_string() == "we\"ird");
  CHECK(body.at("apiKey").as_string() == "k\\ey");
  const auto modify =
      boost::json::parse(modify_order({2001, 3425270859, std::nullopt, std::nullopt, 5000.25}).body).as_object();
  CHECK(modify.at("stopPrice").as_double() == 5000.25);
  CHECK_FALSE(modify.contains("size"));
  CHECK_FALSE(modify.contains("limitPrice"));
  const auto search =
      boost::json::parse(search_trades(1, *parse_timestamp("2026-08-19T00:00:00Z"), std::nullopt).body).as_object();
  CHECK(search.at("startTimestamp").as_string() == "2026-08-19T00:00:00.0000000+00:00");
}

TEST_CASE("the four outcomes of an order placement", "[projectx][outcome][B3][B4][B7][B8]") {
  auto place = [](transport_stage stage, unsigned status, std::string_view body) {
    return classify_place(http_exchange{stage, status, body, "connection reset"});
  };
  const auto confirmed =
      place(transport_stage::completed, 200, R"({"orderId":9056,"success":true,"errorCode":0,"errorMessage":null})");
  CHECK(confirmed.kind == outcome_kind::confirmed);
  CHECK(confirmed.order == 9056);

  const auto rejected = place(transport_stage::completed, 200, R"({"orderId":9057,"success":false,"errorCode":2,
    "errorMessage":"Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets."})");
  CHECK(rejected.kind == outcome_kind::rejected);
  CHECK(rejected.order == 9057); // a rejected place still carries an id
  CHECK_THAT(rejected.message, Contains("OrderRejected (2): Brackets cannot be used"));

  for (int code : {3, 4, 5, 9, 10}) {
    const auto body = fmt::format(R"({{"orderId":null,"success":false,"errorCode":{},"errorMessage":null}})", code);
    CHECK(place(transport_stage::completed, 200, body).kind == outcome_kind::rejected);
  }
  CHECK(place(transport_stage::completed, 200, R"({"orderId":null,"success":false,"errorCode":7,"errorMessage":null})")
            .kind == outcome_kind::unknown);
  CHECK(place(transport_stage::completed, 200, R"({"success":true,"errorCode":0,"errorMessage":null})").kind ==
        outcome_kind::unknown);                                                                            // B8
  CHECK(place(transport_stage::completed, 200, R"({"orderId":9056,"succ)").kind == outcome_kind::unknown); // B6
  for (unsigned status : {500u, 502u, 503u, 504u})
    CHECK(place(transport_stage::completed, status, "").kind == outcome_kind::unknown);
  const auto throttled = place(transport_stage::completed, 429, "");
  CHECK(throttled.kind == outcome_kind::unknown);
  CHECK(throttled.throttled);
  const auto unauthorized = place(transport_stage::completed, 401, "");
  CHECK(unauthorized.kind == outcome_kind::unknown);
  CHECK(unauthorized.unauthorized);
  CHECK(place(transport_stage::completed, 400, R"({"title":"One or more validation errors occurred."})").kind ==
        outcome_kind::rejected);
  CHECK(place(transport_stage::before_send, 0, "").kind == outcome_kind::not_sent); // B5
  CHECK(place(transport_stage::after_send, 0, "").kind == outcome_kind::unknown);   // B4
}

TEST_CASE("a JWT's expiry is read from its exp claim; anything else has none", "[projectx][auth]") {
  const std::string claims = base64url_encode(R"({"sub":"u","exp":1790000000})");
  const std::string token = base64url_encode(R"({"alg":"HS256"})") + "." + claims + ".c2ln";
  auto expiry = jwt_expiry(token);
  REQUIRE(expiry);
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(expiry->time_since_epoch()).count() == 1790000000);
  CHECK_FALSE(jwt_expiry("not-a-jwt"));
  CHECK_FALSE(jwt_expiry("a.b.c"));
  CHECK_FALSE(jwt_expiry("a." + base64url_encode(R"({"sub":"u"})") + ".c"));
  CHECK(base64url_decode(base64url_encode("any bytes \x01\xff")) == std::string("any bytes \x01\xff"));
}

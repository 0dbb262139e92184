// C++17 use of zdkit.hpp, against an emulator seeded with 250 tickets: every class
// (Config, Client, Response, Pages, Error). The users/me request in both credential
// modes with the emulator's request log proving the exact Authorization header; HTTP
// errors carrying status, Zendesk code, request id, Retry-After and the response; the
// verbs; pages walking a cursor list, a search and a search export; move semantics.
// Run under valgrind and the sanitizers (no leak). Exits non-zero at the first failed check.
#include "zdkit.hpp"

#include "emulator.h"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace {

// Move-only handles, as the issue fixes.
static_assert(!std::is_copy_constructible_v<zdkit::Client> && !std::is_copy_assignable_v<zdkit::Client>);
static_assert(!std::is_copy_constructible_v<zdkit::Response> && !std::is_copy_assignable_v<zdkit::Response>);
static_assert(!std::is_copy_constructible_v<zdkit::Config> && !std::is_copy_constructible_v<zdkit::Pages>);
static_assert(std::is_nothrow_move_constructible_v<zdkit::Client> && std::is_nothrow_move_assignable_v<zdkit::Client>);
static_assert(std::is_nothrow_move_constructible_v<zdkit::Response> && std::is_nothrow_move_constructible_v<zdkit::Pages>);
static_assert(std::is_base_of_v<std::runtime_error, zdkit::Error>);
static_assert(!std::is_constructible_v<zdkit::Client, std::string_view>);  // explicit, from a Config only

constexpr int TICKETS = 250;
constexpr int MAX_PAGES = 100;
int checks = 0;

[[noreturn]] void fail(const char *file, int line, const char *what) {
    std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    std::exit(1);
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) fail(__FILE__, __LINE__, #cond);                                              \
        ++checks;                                                                                  \
    } while (0)

// Runs `body`, which must throw zdkit::Error; returns a copy of it.
template <typename F>
zdkit::Error expect_error(F &&body, const char *file, int line) {
    try {
        body();
    } catch (const zdkit::Error &e) {
        return e;
    }
    fail(file, line, "no zdkit::Error was thrown");
}
#define EXPECT_ERROR(...) expect_error([&] { __VA_ARGS__; }, __FILE__, __LINE__)

int count_of(std::string_view text, std::string_view needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

// The string value of the last "key" in a flat JSON text (enough for the request log).
std::string last_string(std::string_view json, std::string_view key) {
    const std::string needle = "\"" + std::string(key) + "\":\"";
    const size_t at = json.rfind(needle);
    if (at == std::string_view::npos) return {};
    const size_t start = at + needle.size();
    const size_t end = json.find('"', start);
    return end == std::string_view::npos ? std::string() : std::string(json.substr(start, end - start));
}

// The number after the first "id": following "ticket": in a JSON text.
std::string ticket_id(std::string_view json) {
    const size_t at = json.find("\"id\":", json.find("\"ticket\":"));
    if (at == std::string_view::npos) return {};
    const size_t start = at + 5;
    return std::string(json.substr(start, json.find_first_not_of("0123456789", start) - start));
}

void check_me(const zdkit::Client &client, const zdkit::Client &control, const std::string &authorization) {
    CHECK(control.post("/__emulator/reset", "").status() == 200);
    const zdkit::Response me = client.get("/api/v2/users/me.json");
    CHECK(me.status() == 200);
    CHECK(me.body().find("\"email\":\"agent@example.com\"") != std::string_view::npos);
    CHECK(me.request_id().has_value() && !me.request_id()->empty());
    CHECK(me.header("content-type").value_or("").find("application/json") != std::string_view::npos);
    CHECK(me.header("Content-Type") == me.header("content-type"));
    CHECK(!me.header("x-no-such-header").has_value());
    CHECK(!me.header(std::string_view("content-type\0x", 14)).has_value());

    const zdkit::Response log = control.get("/__emulator/requests");
    CHECK(last_string(log.body(), "path") == "/api/v2/users/me.json");
    CHECK(last_string(log.body(), "authorization") == authorization);
}

void test_credentials(const std::string &url, const zdkit::Client &control) {
    const std::string basic = "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46ZW11bGF0b3ItYXBpLXRva2Vu";
    zdkit::Config config;
    config.base_url(url).api_token("agent@example.com", "emulator-api-token").timeout_ms(std::chrono::seconds(10));
    check_me(zdkit::Client(config), control, basic);
    check_me(zdkit::Client::api_token(url, "agent@example.com", "emulator-api-token"), control, basic);
    check_me(zdkit::Client::oauth(url, "emulator-oauth-token"), control, "Bearer emulator-oauth-token");
    check_me(zdkit::Client(zdkit::Config().target(url).oauth_token("emulator-oauth-token")), control,
             "Bearer emulator-oauth-token");

    // Config::from_env reads ZENDESK_URL and a credential; without them it throws.
    for (const char *name : {"ZENDESK_SUBDOMAIN", "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN",
                             "ZENDESK_OAUTH_TOKEN", "ZENDESK_CLIENT_ID", "ZENDESK_CLIENT_SECRET"})
        unsetenv(name);
    const zdkit::Error missing = EXPECT_ERROR(zdkit::Config::from_env());
    CHECK(missing.code() == ZDK_ERR_INVALID_ARGUMENT);
    CHECK(std::string_view(missing.what()).find("ZENDESK_") != std::string_view::npos);
    CHECK(missing.status() == 0 && missing.response() == nullptr && !missing.retry_after());
    setenv("ZENDESK_URL", url.c_str(), 1);
    setenv("ZENDESK_OAUTH_TOKEN", "emulator-oauth-token", 1);
    check_me(zdkit::Client(zdkit::Config::from_env()), control, "Bearer emulator-oauth-token");

    // A password is refused (Zendesk switched it off); the message names OAuth.
    const zdkit::Error refused = EXPECT_ERROR(zdkit::Config().password("agent@example.com", "secret"));
    CHECK(refused.code() == ZDK_ERR_INVALID_ARGUMENT);
    CHECK(std::string_view(refused.what()).find("OAuth") != std::string_view::npos);
    CHECK(std::string_view(refused.what()).find("secret") == std::string_view::npos);
    // Invalid settings fail in the setter or in the Client constructor.
    CHECK(EXPECT_ERROR(zdkit::Config().timeout_ms(std::chrono::milliseconds(0))).code() == ZDK_ERR_INVALID_ARGUMENT);
    CHECK(EXPECT_ERROR(zdkit::Client{zdkit::Config()}).code() == ZDK_ERR_INVALID_ARGUMENT);
    CHECK(EXPECT_ERROR(zdkit::Client::oauth("http://example.com", "t")).code() == ZDK_ERR_INSECURE_TRANSPORT);
    // A NUL byte inside a std::string_view is refused, not silently cut off.
    const std::string_view with_nul("emulator-oauth-token\0tail", 25);
    const zdkit::Error nul = EXPECT_ERROR(zdkit::Client::oauth(url, with_nul));
    CHECK(nul.code() == ZDK_ERR_INVALID_ARGUMENT && nul.status() == 0);
    CHECK(EXPECT_ERROR(zdkit::Config().base_url(with_nul)).code() == ZDK_ERR_INVALID_ARGUMENT);
}

void test_errors_and_verbs(const std::string &url, const zdkit::Client &control) {
    const zdkit::Client client = zdkit::Client::oauth(url, "emulator-oauth-token");

    // A 404: the error carries the status, Zendesk's code, the request id and the answer.
    const zdkit::Error not_found = EXPECT_ERROR(client.get("/api/v2/tickets/999999999.json"));
    CHECK(not_found.code() == ZDK_ERR_NOT_FOUND);
    CHECK(not_found.status() == 404);
    CHECK(not_found.zendesk_code() == "RecordNotFound");
    CHECK(!not_found.request_id().empty());
    CHECK(std::string_view(not_found.what()).find(not_found.request_id()) != std::string_view::npos);
    CHECK(not_found.response() != nullptr);
    CHECK(not_found.response()->status() == 404);
    CHECK(not_found.response()->request_id() == std::optional<std::string_view>(not_found.request_id()));
    CHECK(not_found.response()->body().find("RecordNotFound") != std::string_view::npos);
    // a copy of the exception shares the answer, which stays valid after the original is gone
    std::optional<zdkit::Error> kept;
    {
        const zdkit::Error copy = not_found;  // NOLINT(performance-unnecessary-copy-initialization)
        kept.emplace(copy);
    }
    CHECK(kept->response() == not_found.response() && kept->response()->status() == 404);

    // A 429 with never_wait: at once, with the Retry-After and the answer.
    const zdkit::Client impatient(zdkit::Config().base_url(url).oauth_token("emulator-oauth-token").never_wait(true));
    control.post("/__emulator/faults",
                 R"({"method":"GET","path_prefix":"/api/v2/cpp_fault_target","times":1,)"
                 R"("fault":{"kind":"status","status":429,"headers":{"Retry-After":"1"},)"
                 R"("body":"Too many requests","content_type":"text/plain"}})");
    const zdkit::Error limited = EXPECT_ERROR(impatient.get("/api/v2/cpp_fault_target"));
    CHECK(limited.code() == ZDK_ERR_RATE_LIMITED);
    CHECK(limited.status() == 429);
    CHECK(limited.retry_after() == std::chrono::milliseconds(1000));
    CHECK(limited.response() != nullptr && limited.response()->body() == "Too many requests");
    CHECK(limited.response()->header("retry-after") == std::optional<std::string_view>("1"));

    // A transport failure: no status, no response.
    const zdkit::Client nowhere(zdkit::Config().base_url("http://127.0.0.1:1").oauth_token("t").max_retries(0));
    const zdkit::Error refused = EXPECT_ERROR(nowhere.get("/api/v2/users/me.json"));
    CHECK(refused.code() == ZDK_ERR_TRANSPORT || refused.code() == ZDK_ERR_TIMEOUT);
    CHECK(refused.status() == 0 && refused.response() == nullptr);

    // post, put, del, and request with any method
    const zdkit::Response created =
        client.post("/api/v2/tickets.json", R"({"ticket":{"subject":"from C++","comment":{"body":"hello"}}})");
    CHECK(created.status() == 201);
    const std::string id = ticket_id(created.body());
    CHECK(!id.empty());
    const std::string path = "/api/v2/tickets/" + id + ".json";
    const zdkit::Response updated = client.put(path, R"({"ticket":{"subject":"renamed in C++"}})");
    CHECK(updated.status() == 200 && updated.body().find("renamed in C++") != std::string_view::npos);
    CHECK(client.request("GET", path).body().find("renamed in C++") != std::string_view::npos);
    CHECK(client.del(path).status() == 204);
    CHECK(EXPECT_ERROR(client.get(path)).status() == 404);
    const std::string_view bad_json = "{not json";
    const zdkit::Error invalid = EXPECT_ERROR(client.post("/api/v2/tickets.json", bad_json));
    CHECK(invalid.status() >= 400 && invalid.status() < 500);
}

// Walks `pages` to its end (bounded); returns how often `needle` occurs over all pages.
int walk(zdkit::Pages &pages, std::string_view needle, int &count, std::set<std::string> *cursors = nullptr) {
    int total = 0;
    count = 0;
    CHECK(pages.has_more());  // before the first page
    for (const zdkit::Response &page : pages) {
        CHECK(page.status() == 200);
        total += count_of(page.body(), needle);
        if (cursors != nullptr && pages.after_cursor()) cursors->insert(std::string(*pages.after_cursor()));
        if (++count > MAX_PAGES) fail(__FILE__, __LINE__, "the pages did not end within MAX_PAGES");
    }
    CHECK(!pages.has_more());
    CHECK(pages.begin() == pages.end());  // one pass
    return total;
}

void test_pages(const zdkit::Client &client) {
    int count = 0;
    std::set<std::string> cursors;
    zdkit::Pages tickets = client.pages("/api/v2/tickets.json", "sort=id");
    CHECK(walk(tickets, "\"raw_subject\"", count, &cursors) == TICKETS);
    CHECK(count == 3);               // 100 + 100 + 50, following the cursor
    CHECK(cursors.size() >= 2);      // a new cursor on each page that has more

    // next() as an alternative to range-for, and a Pages moved half-way
    zdkit::Pages first = client.pages("/api/v2/tickets.json");
    std::optional<zdkit::Response> page = first.next();
    CHECK(page && count_of(page->body(), "\"raw_subject\"") == 100);
    zdkit::Pages moved = std::move(first);
    CHECK(first.after_cursor() == std::nullopt && !first.has_more());  // NOLINT(bugprone-use-after-move)
    CHECK(moved.has_more());
    int rest = 0;
    for (int i = 0; i < MAX_PAGES; ++i) {
        std::optional<zdkit::Response> next = moved.next();
        if (!next) break;
        rest += count_of(next->body(), "\"raw_subject\"");
    }
    CHECK(rest == TICKETS - 100);

    zdkit::Pages search = client.search("type:ticket");
    CHECK(walk(search, "\"raw_subject\"", count) == TICKETS);
    CHECK(count >= 3);
    zdkit::Pages exported = client.export_search("type:ticket", "ticket", 100);
    CHECK(walk(exported, "\"raw_subject\"", count) == TICKETS);
    CHECK(count == 3);

    // an error while paging is thrown out of the loop
    zdkit::Pages missing = client.pages("/api/v2/no_such_list.json");
    const zdkit::Error error = EXPECT_ERROR(for (const zdkit::Response &p : missing) (void)p);
    CHECK(error.status() == 404 && error.response() != nullptr);
    CHECK(EXPECT_ERROR(client.export_search("type:ticket", "ticket", 0)).code() == ZDK_ERR_INVALID_ARGUMENT);
}

void test_moves(const std::string &url) {
    zdkit::Client client = zdkit::Client::oauth(url, "emulator-oauth-token");
    const zdk_client *raw = client.native_handle();
    zdkit::Client other = std::move(client);
    CHECK(other.native_handle() == raw);
    CHECK(client.native_handle() == nullptr);  // NOLINT(bugprone-use-after-move)
    CHECK(EXPECT_ERROR(client.get("/api/v2/users/me.json")).code() == ZDK_ERR_NULL_ARGUMENT);
    client = std::move(other);  // move-assign back
    CHECK(client.native_handle() == raw);

    zdkit::Response response = client.get("/api/v2/users/me.json");
    const std::string_view body = response.body();
    zdkit::Response taken(std::move(response));
    CHECK(taken.body().data() == body.data() && taken.status() == 200);  // same answer, not a copy
    CHECK(response.native_handle() == nullptr);  // NOLINT(bugprone-use-after-move)
    CHECK(response.status() == 0 && response.body().empty() && !response.request_id());
    CHECK(!response.header("content-type"));
    response = client.get("/api/v2/users/me.json");  // move-assign into the emptied one
    CHECK(response.status() == 200);
    taken = std::move(response);  // frees the answer it held
    CHECK(taken.status() == 200);

    zdkit::Config config;
    config.base_url(url);
    zdkit::Config kept = std::move(config);
    kept.oauth_token("emulator-oauth-token");
    CHECK(zdkit::Client(kept).get("/api/v2/users/me.json").status() == 200);
    CHECK(EXPECT_ERROR(config.base_url(url)).code() == ZDK_ERR_NULL_ARGUMENT);  // NOLINT(bugprone-use-after-move)

    // An adopted C handle is freed by the wrapper.
    zdk_response *raw_response = nullptr;
    CHECK(zdk_client_request(client.native_handle(), "GET", "/api/v2/users/me.json", nullptr, 0, &raw_response) ==
          ZDK_OK);
    const zdkit::Response adopted(raw_response);
    CHECK(adopted.status() == 200 && adopted.native_handle() == raw_response);
}

}  // namespace

/* Downloads and webhooks through the C++ layer (the bytes themselves are checked by
 * test_download.c against a real second origin). */
void test_download_and_webhooks(const zdkit::Client &client) {
    bool threw = false;
    try {
        client.download("999999999", "/tmp/zdkit-cpp-never-written.bin");
    } catch (const zdkit::Error &e) {
        threw = e.code() == ZDK_ERR_NOT_FOUND;
    }
    CHECK(threw);
    /* vector computed with Python's hmac (see test_webhook.c) */
    const std::string body = "{\"ticket\":{\"id\":42,\"subject\":\"Printer on fire\"}}";
    const char *sig = "AVfAY2pa/JKANhhj7mRAKVDXCPHUpKq/vIScrZyVJN0=";
    CHECK(zdkit::verify_webhook(body, sig, "2026-06-09T16:42:11Z", "whsec-test-secret-4a1b", 1e11));
    CHECK(!zdkit::verify_webhook(body + " ", sig, "2026-06-09T16:42:11Z", "whsec-test-secret-4a1b", 1e11));
    CHECK(!zdkit::verify_webhook(body, sig, "2026-06-09T16:42:11Z", "whsec-test-secret-4a1b"));  // stale
    threw = false;
    try {
        zdkit::verify_webhook(body, sig, "2026-06-09T16:42:11Z", "");
    } catch (const zdkit::Error &e) {
        threw = e.code() == ZDK_ERR_INVALID_ARGUMENT;
    }
    CHECK(threw);
}

int main() {
    static const char *const args[] = {"--tickets", "250", nullptr};
    emulator emu;
    if (emulator_start(&emu, args, 10000) != 0) return 1;
    const std::string url = emu.url;

    CHECK(std::string_view(zdk_version()).substr(0, 6) == "zdkit/");
    try {
        const zdkit::Client control = zdkit::Client::oauth(url, "emulator-oauth-token");
        test_pages(control);
        test_credentials(url, control);
        test_errors_and_verbs(url, control);
        test_moves(url);
        test_download_and_webhooks(control);
    } catch (const zdkit::Error &e) {
        std::fprintf(stderr, "unexpected zdkit::Error %d (HTTP %u): %s\n", static_cast<int>(e.code()), e.status(),
                     e.what());
        return 1;
    }
    emulator_stop(&emu);
    std::printf("test_cpp17: %d checks passed\n", checks);
    return 0;
}

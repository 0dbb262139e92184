// C++17 use of zdkit.h: RAII handles (std::unique_ptr with the zdk_*_free deleters),
// the users/me request in both credential modes, and the emulator's request log
// proving the exact Authorization header. Exits non-zero at the first failed check.
#include "zdkit.h"

#include "emulator.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

struct ClientDeleter {
    void operator()(zdk_client *client) const noexcept { zdk_client_free(client); }
};
struct ConfigDeleter {
    void operator()(zdk_config *config) const noexcept { zdk_config_free(config); }
};
struct ResponseDeleter {
    void operator()(zdk_response *response) const noexcept { zdk_response_free(response); }
};
using Client = std::unique_ptr<zdk_client, ClientDeleter>;
using Config = std::unique_ptr<zdk_config, ConfigDeleter>;
using Response = std::unique_ptr<zdk_response, ResponseDeleter>;

int checks = 0;

[[noreturn]] void fail(const char *file, int line, const char *what) {
    const char *message = zdk_last_error_message();
    std::fprintf(stderr, "%s:%d: check failed: %s\n  last error: %s\n", file, line, what,
                 message != nullptr ? message : "(none)");
    std::exit(1);
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) fail(__FILE__, __LINE__, #cond);                                              \
        ++checks;                                                                                  \
    } while (0)

// A zdkit failure as a C++ exception, with the detail the library keeps per thread.
class Error : public std::runtime_error {
  public:
    Error(zdk_result code, const char *message)
        : std::runtime_error(message != nullptr ? message : zdk_strerror(code)), code_(code) {}
    zdk_result code() const noexcept { return code_; }

  private:
    zdk_result code_;
};

void throw_if(zdk_result rc) {
    if (rc != ZDK_OK) throw Error(rc, zdk_last_error_message());
}

Client api_token_client(const std::string &url) {
    zdk_config *raw = nullptr;
    throw_if(zdk_config_new(&raw));
    Config config(raw);
    throw_if(zdk_config_set_base_url(config.get(), url.c_str()));
    throw_if(zdk_config_set_api_token(config.get(), "agent@example.com", "emulator-api-token"));
    throw_if(zdk_config_set_timeout_ms(config.get(), 10000));
    zdk_client *client = nullptr;
    throw_if(zdk_client_new(config.get(), &client));
    return Client(client);
}

Client oauth_client(const std::string &url, const char *token = "emulator-oauth-token") {
    zdk_client *client = nullptr;
    throw_if(zdk_client_new_oauth(url.c_str(), token, &client));
    return Client(client);
}

// Sends a request; a non-2xx answer is still returned (with its code) so it can be read.
std::pair<zdk_result, Response> request(const Client &client, const char *method, const char *path,
                                        std::string_view body = {}) {
    zdk_response *raw = nullptr;
    zdk_result rc = zdk_client_request(client.get(), method, path,
                                       reinterpret_cast<const uint8_t *>(body.data()), body.size(), &raw);
    return {rc, Response(raw)};
}

std::string_view body_of(const Response &response) {
    size_t len = 0;
    const uint8_t *body = zdk_response_body(response.get(), &len);
    return body != nullptr ? std::string_view(reinterpret_cast<const char *>(body), len) : std::string_view();
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

void check_me(const Client &client, const Client &control, const std::string &authorization) {
    auto reset = request(control, "POST", "/__emulator/reset");
    CHECK(reset.first == ZDK_OK);

    auto [rc, response] = request(client, "GET", "/api/v2/users/me.json");
    CHECK(rc == ZDK_OK);
    CHECK(response != nullptr);
    CHECK(zdk_response_status(response.get()) == 200);
    CHECK(body_of(response).find("\"email\":\"agent@example.com\"") != std::string_view::npos);
    CHECK(zdk_response_request_id(response.get()) != nullptr);

    auto log = request(control, "GET", "/__emulator/requests");
    CHECK(log.first == ZDK_OK);
    CHECK(last_string(body_of(log.second), "path") == "/api/v2/users/me.json");
    CHECK(last_string(body_of(log.second), "authorization") == authorization);
}

}  // namespace

int main() {
    emulator emu;
    if (emulator_start(&emu, nullptr, 10000) != 0) return 1;
    const std::string url = emu.url;

    CHECK(std::string_view(zdk_version()).substr(0, 6) == "zdkit/");
    {
        Client control = oauth_client(url);
        check_me(api_token_client(url), control,
                 "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46ZW11bGF0b3ItYXBpLXRva2Vu");
        check_me(oauth_client(url), control, "Bearer emulator-oauth-token");

        // A 404 still hands over the response; the RAII handle frees it.
        auto [rc, response] = request(oauth_client(url), "GET", "/api/v2/tickets/999999999.json");
        CHECK(rc == ZDK_ERR_NOT_FOUND);
        CHECK(zdk_response_status(response.get()) == 404);
        CHECK(std::string_view(zdk_last_error_zendesk_code()) == "RecordNotFound");

        // Errors as exceptions: a password is refused.
        bool refused = false;
        try {
            zdk_config *raw = nullptr;
            throw_if(zdk_config_new(&raw));
            Config config(raw);
            throw_if(zdk_config_set_password(config.get(), "agent@example.com", "secret"));
        } catch (const Error &e) {
            refused = e.code() == ZDK_ERR_INVALID_ARGUMENT &&
                      std::string_view(e.what()).find("OAuth") != std::string_view::npos;
        }
        CHECK(refused);
    }
    emulator_stop(&emu);
    std::printf("test_cpp17: %d checks passed\n", checks);
    return 0;
}

// whoami in C++17: zdkit.h with RAII handles (std::unique_ptr + the zdk_*_free deleters).
//
// Configuration from the environment, as examples/c/whoami.c:
//   ZENDESK_SUBDOMAIN or ZENDESK_URL, and ZENDESK_EMAIL + ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN.
//
// Build (one line):
//   c++ -std=c++17 -Wall -Wextra -Iinclude examples/cpp/whoami.cpp -Ltarget/debug -lzdkit
//       -Wl,-rpath,$PWD/target/debug -o whoami_cpp
#include "zdkit.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
using Config = std::unique_ptr<zdk_config, Deleter<zdk_config, zdk_config_free>>;
using Client = std::unique_ptr<zdk_client, Deleter<zdk_client, zdk_client_free>>;
using Response = std::unique_ptr<zdk_response, Deleter<zdk_response, zdk_response_free>>;

int report(const char *what, const char *request_id) {
    const char *message = zdk_last_error_message();
    std::fprintf(stderr, "whoami: %s: %s\n", what, message != nullptr ? message : zdk_strerror(zdk_last_error_code()));
    if (request_id != nullptr) std::fprintf(stderr, "whoami: request id %s\n", request_id);
    return 1;
}

// The value of "key" in the "user" object: a string's text, or a scalar as written.
// (A small search, not a JSON parser: good for these flat fields of /users/me.)
std::optional<std::string> field(std::string_view json, std::string_view key) {
    const size_t user = json.find("\"user\"");
    if (user == std::string_view::npos) return std::nullopt;
    const std::string needle = "\"" + std::string(key) + "\":";
    const size_t at = json.find(needle, user);
    if (at == std::string_view::npos) return std::nullopt;
    size_t start = at + needle.size();
    if (json[start] == '"') {
        const size_t end = json.find('"', start + 1);
        if (end == std::string_view::npos) return std::nullopt;
        return std::string(json.substr(start + 1, end - start - 1));
    }
    const size_t end = json.find_first_of(",}", start);
    return std::string(json.substr(start, end - start));
}

}  // namespace

int main() {
    zdk_config *raw_config = nullptr;
    if (zdk_config_from_env(&raw_config) != ZDK_OK) return report("configuration", nullptr);
    Config config(raw_config);

    zdk_client *raw_client = nullptr;
    if (zdk_client_new(config.get(), &raw_client) != ZDK_OK) return report("cannot create the client", nullptr);
    Client client(raw_client);

    zdk_response *raw_response = nullptr;
    const zdk_result rc = zdk_client_request(client.get(), "GET", "/api/v2/users/me.json", nullptr, 0, &raw_response);
    Response response(raw_response);  // owns the answer even when rc is an error
    if (rc != ZDK_OK) return report("GET /api/v2/users/me.json failed", zdk_last_error_request_id());

    size_t len = 0;
    const auto *bytes = zdk_response_body(response.get(), &len);
    const std::string_view body(reinterpret_cast<const char *>(bytes), len);
    const auto id = field(body, "id"), name = field(body, "name"), email = field(body, "email"),
               role = field(body, "role");
    if (!id || !name || !email || !role) {
        std::fprintf(stderr, "whoami: unexpected answer: %.200s\n", std::string(body).c_str());
        return 1;
    }
    if (*id == "null") {
        std::fprintf(stderr, "whoami: Zendesk answered as an anonymous user (id null): the credentials were not accepted\n");
        return 1;
    }
    std::printf("You are %s <%s> (role %s, id %s)\n", name->c_str(), email->c_str(), role->c_str(), id->c_str());
    return 0;
}

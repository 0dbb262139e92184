// whoami in C++17 with zdkit.hpp: who the configured credentials belong to.
//
// Configuration from the environment, as examples/c/whoami.c:
//   ZENDESK_SUBDOMAIN or ZENDESK_URL, and ZENDESK_EMAIL + ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN.
//
// Build (one line):
//   c++ -std=c++17 -Wall -Wextra -Iinclude examples/cpp/whoami.cpp -Ltarget/debug -lzdkit
//       -Wl,-rpath,$PWD/target/debug -o whoami_cpp
#include "zdkit.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace {

// The value of "key" in the "user" object: a string's text, or a scalar as written.
// (A small search, not a JSON parser: good for these flat fields of /users/me.)
std::optional<std::string> field(std::string_view json, std::string_view key) {
    const size_t user = json.find("\"user\"");
    if (user == std::string_view::npos) return std::nullopt;
    const std::string needle = "\"" + std::string(key) + "\":";
    const size_t at = json.find(needle, user);
    if (at == std::string_view::npos) return std::nullopt;
    const size_t start = at + needle.size();
    if (start < json.size() && json[start] == '"') {
        const size_t end = json.find('"', start + 1);
        if (end == std::string_view::npos) return std::nullopt;
        return std::string(json.substr(start + 1, end - start - 1));
    }
    const size_t end = json.find_first_of(",}", start);
    return std::string(json.substr(start, end - start));
}

}  // namespace

int main() {
    try {
        const zdkit::Client client(zdkit::Config::from_env());
        const zdkit::Response me = client.get("/api/v2/users/me.json");

        const std::string_view body = me.body();
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
    } catch (const zdkit::Error &e) {
        // what() names the method, path, status and Zendesk's error; never a secret.
        std::fprintf(stderr, "whoami: %s\n", e.what());
        if (!e.request_id().empty()) std::fprintf(stderr, "whoami: request id %s\n", e.request_id().c_str());
        return 1;
    }
}

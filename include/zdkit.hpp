/*
 * zdkit.hpp: a header-only C++17 interface over the zdkit C ABI (zdkit.h).
 *
 *   zdkit::Client client = zdkit::Client::api_token("mycompany", "agent@example.com", token);
 *   zdkit::Response me = client.get("/api/v2/users/me.json");
 *   for (const zdkit::Response &page : client.pages("/api/v2/tickets.json")) use(page.body());
 *
 * Every failure throws zdkit::Error (a std::runtime_error) carrying the zdk_result code,
 * the HTTP status, Zendesk's error code, the request id, the Retry-After and, for an
 * HTTP error, the response itself. Handles (Config, Client, Response, Pages) are
 * move-only and free their C object when destroyed; a moved-from handle holds nothing
 * (its accessors give 0, empty or std::nullopt; calls that need it throw
 * ZDK_ERR_NULL_ARGUMENT). Link with -lzdkit, as for zdkit.h.
 *
 * Threads: as in C. A Client may be used from many threads at once; a Config or Pages by
 * one thread at a time; a Response read by many.
 */
#ifndef ZDKIT_HPP
#define ZDKIT_HPP

#include "zdkit.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace zdkit {

namespace detail {

/* ---- Handles and strings ---------------------------------------------------------- */

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *handle) const noexcept { Free(handle); }
};

/* A C handle freed by its zdk_*_free function. */
template <typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

inline std::optional<std::string_view> optional_view(const char *text) {
    return text != nullptr ? std::optional<std::string_view>(text) : std::nullopt;
}

inline std::string string_or_empty(const char *text) { return text != nullptr ? std::string(text) : std::string(); }

}  // namespace detail

/* ---- Response ---------------------------------------------------------------------- */

/* An HTTP answer: status, headers, body. Move-only. */
class Response {
  public:
    /* Takes ownership of a zdk_response from the C API (NULL gives an empty Response). */
    explicit Response(zdk_response *owned) noexcept : handle_(owned) {}
    Response(Response &&) noexcept = default;
    Response &operator=(Response &&) noexcept = default;
    Response(const Response &) = delete;
    Response &operator=(const Response &) = delete;
    ~Response() = default;

    /* The HTTP status code (0 for an empty Response). */
    std::uint16_t status() const noexcept { return zdk_response_status(handle_.get()); }

    /* The body (decompressed), valid while this Response lives. */
    std::string_view body() const noexcept {
        std::size_t len = 0;
        const std::uint8_t *bytes = zdk_response_body(handle_.get(), &len);
        return bytes != nullptr ? std::string_view(reinterpret_cast<const char *>(bytes), len) : std::string_view();
    }

    /* The first value of header `name` (case-insensitive), valid while this Response lives. */
    std::optional<std::string_view> header(std::string_view name) const {
        if (name.find('\0') != std::string_view::npos) return std::nullopt;  // no header has such a name
        return detail::optional_view(zdk_response_header(handle_.get(), std::string(name).c_str()));
    }

    /* Zendesk's request id (X-Zendesk-Request-Id or X-Request-Id), if the answer had one. */
    std::optional<std::string_view> request_id() const noexcept {
        return detail::optional_view(zdk_response_request_id(handle_.get()));
    }

    /* The C handle, still owned by this Response (NULL when empty). */
    const zdk_response *native_handle() const noexcept { return handle_.get(); }

  private:
    detail::Handle<zdk_response, zdk_response_free> handle_;
};

/* ---- Error ------------------------------------------------------------------------- */

/* A failed zdkit call: what() is zdk_last_error_message() (never a secret). */
class Error : public std::runtime_error {
  public:
    /* The detail of this thread's last failed zdkit call, which returned `code`. For an
     * HTTP error, `response` is the answer (ownership taken; may be NULL). */
    static Error last(zdk_result code, zdk_response *response = nullptr) {
        // Own the response first, so nothing leaks if building the Error throws.
        Response owned(response);
        auto answer = response != nullptr ? std::make_shared<const Response>(std::move(owned)) : nullptr;
        const char *message = zdk_last_error_message();
        const std::int64_t retry_ms = zdk_last_error_retry_after_ms();
        return Error(code, message != nullptr ? message : zdk_strerror(code), zdk_last_error_status(),
                     detail::string_or_empty(zdk_last_error_zendesk_code()),
                     detail::string_or_empty(zdk_last_error_request_id()),
                     retry_ms >= 0 ? std::optional<std::chrono::milliseconds>(retry_ms) : std::nullopt,
                     std::move(answer));
    }

    Error(zdk_result code, const std::string &message, std::uint16_t status, std::string zendesk_code,
          std::string request_id, std::optional<std::chrono::milliseconds> retry_after,
          std::shared_ptr<const Response> response)
        : std::runtime_error(message), code_(code), status_(status), zendesk_code_(std::move(zendesk_code)),
          request_id_(std::move(request_id)), retry_after_(retry_after), response_(std::move(response)) {}

    /* The C result code (ZDK_ERR_NOT_FOUND, ZDK_ERR_TIMEOUT, ...). */
    zdk_result code() const noexcept { return code_; }
    /* The HTTP status, or 0 when no answer came. */
    std::uint16_t status() const noexcept { return status_; }
    /* Zendesk's error code ("RecordNotFound", ...), or empty. */
    const std::string &zendesk_code() const noexcept { return zendesk_code_; }
    /* The request id to quote to Zendesk support, or empty. */
    const std::string &request_id() const noexcept { return request_id_; }
    /* How long the server asked to wait before retrying, if it said. */
    std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }
    /* The answer of an HTTP error (status, headers, body), or nullptr. */
    const Response *response() const noexcept { return response_.get(); }

  private:
    zdk_result code_;
    std::uint16_t status_;
    std::string zendesk_code_;
    std::string request_id_;
    std::optional<std::chrono::milliseconds> retry_after_;
    std::shared_ptr<const Response> response_;  // shared: exceptions are copied
};

namespace detail {

/* std::string_view is not NUL-terminated: the C API gets a copy that is. A NUL byte inside
 * would cut the text short (a token, a path) without a word, so it is refused. */
inline std::string c_str(std::string_view text) {
    if (text.find('\0') != std::string_view::npos)
        throw Error(ZDK_ERR_INVALID_ARGUMENT, "zdkit: a string argument contains a NUL byte", 0, {}, {},
                    std::nullopt, nullptr);
    return std::string(text);
}

/* Throws the thread's last error when `code` is not ZDK_OK; `response` is owned either way. */
inline void check(zdk_result code, zdk_response *response = nullptr) {
    if (code != ZDK_OK) throw Error::last(code, response);
}

}  // namespace detail

/* ---- Config ------------------------------------------------------------------------ */

/* Client settings: fluent setters mirroring zdk_config_set_*. Each throws zdkit::Error when
 * the C setter fails (and leaves the config unchanged). Move-only. */
class Config {
  public:
    /* An empty config: set a target and one credential. */
    Config() {
        zdk_config *raw = nullptr;
        detail::check(zdk_config_new(&raw));
        handle_.reset(raw);
    }

    /* ZENDESK_SUBDOMAIN or ZENDESK_URL, and ZENDESK_EMAIL + ZENDESK_API_TOKEN,
     * ZENDESK_OAUTH_TOKEN or ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET (zdk_config_from_env). */
    static Config from_env() {
        zdk_config *raw = nullptr;
        detail::check(zdk_config_from_env(&raw));
        return Config(raw);
    }

    Config(Config &&) noexcept = default;
    Config &operator=(Config &&) noexcept = default;
    Config(const Config &) = delete;
    Config &operator=(const Config &) = delete;
    ~Config() = default;

    Config &target(std::string_view subdomain_or_url) {
        return set(zdk_config_set_target(get(), detail::c_str(subdomain_or_url).c_str()));
    }
    Config &subdomain(std::string_view subdomain) {
        return set(zdk_config_set_subdomain(get(), detail::c_str(subdomain).c_str()));
    }
    Config &base_url(std::string_view base_url) {
        return set(zdk_config_set_base_url(get(), detail::c_str(base_url).c_str()));
    }
    Config &api_token(std::string_view email, std::string_view api_token) {
        return set(zdk_config_set_api_token(get(), detail::c_str(email).c_str(), detail::c_str(api_token).c_str()));
    }
    Config &oauth_token(std::string_view access_token) {
        return set(zdk_config_set_oauth_token(get(), detail::c_str(access_token).c_str()));
    }
    /* Always throws (ZDK_ERR_INVALID_ARGUMENT): Zendesk switched password authentication off. */
    Config &password(std::string_view email, std::string_view password) {
        return set(zdk_config_set_password(get(), detail::c_str(email).c_str(), detail::c_str(password).c_str()));
    }
    Config &connect_timeout_ms(std::chrono::milliseconds timeout) {
        return set(zdk_config_set_connect_timeout_ms(get(), milliseconds(timeout)));
    }
    Config &timeout_ms(std::chrono::milliseconds timeout) {
        return set(zdk_config_set_timeout_ms(get(), milliseconds(timeout)));
    }
    Config &user_agent(std::string_view user_agent) {
        return set(zdk_config_set_user_agent(get(), detail::c_str(user_agent).c_str()));
    }
    /* An explicit proxy; `no_proxy`, when given, lists the hosts that bypass it. */
    Config &proxy(std::string_view proxy, std::optional<std::string_view> no_proxy = std::nullopt) {
        const std::string hosts = no_proxy ? detail::c_str(*no_proxy) : std::string();
        return set(zdk_config_set_proxy(get(), detail::c_str(proxy).c_str(), no_proxy ? hosts.c_str() : nullptr));
    }
    Config &no_proxy(std::string_view hosts) {
        return set(zdk_config_set_no_proxy(get(), detail::c_str(hosts).c_str()));
    }
    Config &ca_file(std::string_view path) { return set(zdk_config_set_ca_file(get(), detail::c_str(path).c_str())); }
    Config &ca_dir(std::string_view path) { return set(zdk_config_set_ca_dir(get(), detail::c_str(path).c_str())); }
    Config &client_cert(std::string_view cert_path, std::string_view key_path) {
        return set(zdk_config_set_client_cert(get(), detail::c_str(cert_path).c_str(), detail::c_str(key_path).c_str()));
    }
    Config &max_retries(std::uint32_t retries) { return set(zdk_config_set_max_retries(get(), retries)); }
    Config &deadline_ms(std::chrono::milliseconds deadline) {
        return set(zdk_config_set_deadline_ms(get(), milliseconds(deadline)));
    }
    Config &never_wait(bool never_wait) { return set(zdk_config_set_never_wait(get(), never_wait ? 1 : 0)); }
    Config &rate_limit_pacing(bool enabled) { return set(zdk_config_set_rate_limit_pacing(get(), enabled ? 1 : 0)); }
    Config &max_response_bytes(std::uint64_t bytes) { return set(zdk_config_set_max_response_bytes(get(), bytes)); }
    /* See zdk_log_callback: called from any thread; `userdata` must outlive the clients. */
    Config &log_callback(zdk_log_callback callback, void *userdata = nullptr) {
        return set(zdk_config_set_log_callback(get(), callback, userdata));
    }
    /* An empty `scope` means "read"; 0 `expires_in` means 1800 seconds. */
    Config &oauth_client_credentials(std::string_view client_id, std::string_view client_secret,
                                     std::string_view scope = {}, std::uint64_t expires_in = 0) {
        const std::string scope_text(scope);
        return set(zdk_config_set_oauth_client_credentials(get(), detail::c_str(client_id).c_str(),
                                                           detail::c_str(client_secret).c_str(),
                                                           scope.empty() ? nullptr : scope_text.c_str(), expires_in));
    }
    /* See zdk_config_set_oauth_refresh_token: `on_rotate` gets every rotated token set. */
    Config &oauth_refresh_token(std::string_view client_id, std::string_view client_secret,
                                std::string_view refresh_token, zdk_token_rotation_callback on_rotate = nullptr,
                                void *userdata = nullptr) {
        return set(zdk_config_set_oauth_refresh_token(get(), detail::c_str(client_id).c_str(),
                                                      detail::c_str(client_secret).c_str(),
                                                      detail::c_str(refresh_token).c_str(), on_rotate, userdata));
    }

    /* The C handle, still owned by this Config (NULL after a move). */
    const zdk_config *native_handle() const noexcept { return handle_.get(); }

  private:
    explicit Config(zdk_config *owned) noexcept : handle_(owned) {}
    zdk_config *get() const noexcept { return handle_.get(); }
    Config &set(zdk_result code) {
        detail::check(code);
        return *this;
    }
    static std::uint64_t milliseconds(std::chrono::milliseconds duration) noexcept {
        // A negative duration becomes 0, which the C setter refuses.
        return duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0;
    }

    detail::Handle<zdk_config, zdk_config_free> handle_;
};

/* ---- Pages ------------------------------------------------------------------------- */

/* The pages of a list, a search or a search export, fetched one at a time:
 *   for (const zdkit::Response &page : client.pages("/api/v2/tickets.json")) ...
 * Each page's Response lives until the next page is fetched. A failure throws
 * zdkit::Error out of the loop. Move-only (moving it ends its iterators); one pass
 * (an input range). */
class Pages {
  public:
    class iterator {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Response;
        using difference_type = std::ptrdiff_t;
        using pointer = const Response *;
        using reference = const Response &;

        iterator() noexcept = default;
        reference operator*() const noexcept { return *pages_->current_; }
        pointer operator->() const noexcept { return &*pages_->current_; }
        iterator &operator++() {
            pages_->advance();
            if (!pages_->current_) pages_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.pages_ == b.pages_; }
        friend bool operator!=(const iterator &a, const iterator &b) noexcept { return a.pages_ != b.pages_; }

      private:
        friend class Pages;
        explicit iterator(Pages *pages) noexcept : pages_(pages) {}
        Pages *pages_ = nullptr;
    };

    /* Takes ownership of a zdk_pager from the C API. */
    explicit Pages(zdk_pager *owned) noexcept : handle_(owned) {}
    Pages(Pages &&) noexcept = default;
    Pages &operator=(Pages &&) noexcept = default;
    Pages(const Pages &) = delete;
    Pages &operator=(const Pages &) = delete;
    ~Pages() = default;

    /* Fetches the first page (once) and points at it; end() when there is none. */
    iterator begin() {
        if (!started_) advance();
        return current_ ? iterator(this) : end();
    }
    iterator end() noexcept { return iterator(); }

    /* The next page, or std::nullopt after the last. Throws zdkit::Error on a failure
     * (the same page may then be asked for again). */
    std::optional<Response> next() {
        started_ = true;
        zdk_response *raw = nullptr;
        const zdk_result code = zdk_pager_next(handle_.get(), &raw);
        if (code == ZDK_DONE) return std::nullopt;
        detail::check(code, raw);
        return Response(raw);
    }

    /* True while another page may follow. */
    bool has_more() const noexcept { return zdk_pager_has_more(handle_.get()); }
    /* The last page's meta.after_cursor (valid until the next page), if it had one. */
    std::optional<std::string_view> after_cursor() const noexcept {
        return detail::optional_view(zdk_pager_after_cursor(handle_.get()));
    }

  private:
    void advance() {
        current_.reset();  // free the previous page first
        current_ = next();
    }

    detail::Handle<zdk_pager, zdk_pager_free> handle_;
    std::optional<Response> current_;
    bool started_ = false;
};

/* ---- Client ------------------------------------------------------------------------ */

/* A Zendesk client. Thread-safe; move-only. Every call throws zdkit::Error on a failure;
 * for an HTTP error (non-2xx), Error::response() holds the answer. */
class Client {
  public:
    explicit Client(const Config &config) {
        zdk_client *raw = nullptr;
        detail::check(zdk_client_new(config.native_handle(), &raw));
        handle_.reset(raw);
    }

    /* API-token credentials: "Authorization: Basic base64(email/token:token)". `target` is a
     * subdomain ("mycompany") or a base URL ("https://support.example.com"). */
    static Client api_token(std::string_view target, std::string_view email, std::string_view token) {
        zdk_client *raw = nullptr;
        detail::check(zdk_client_new_api_token(detail::c_str(target).c_str(), detail::c_str(email).c_str(),
                                               detail::c_str(token).c_str(), &raw));
        return Client(raw);
    }

    /* An OAuth access token: "Authorization: Bearer token". */
    static Client oauth(std::string_view target, std::string_view access_token) {
        zdk_client *raw = nullptr;
        detail::check(zdk_client_new_oauth(detail::c_str(target).c_str(), detail::c_str(access_token).c_str(), &raw));
        return Client(raw);
    }

    Client(Client &&) noexcept = default;
    Client &operator=(Client &&) noexcept = default;
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    ~Client() = default;

    /* Sends `method path` (path relative to the base URL, may carry a query string) with
     * `body` as JSON when not empty; returns the 2xx answer. */
    Response request(std::string_view method, std::string_view path, std::string_view body = {}) const {
        zdk_response *raw = nullptr;
        const zdk_result code = zdk_client_request(handle_.get(), detail::c_str(method).c_str(),
                                                   detail::c_str(path).c_str(),
                                                   reinterpret_cast<const std::uint8_t *>(body.data()), body.size(), &raw);
        detail::check(code, raw);
        return Response(raw);
    }
    Response get(std::string_view path) const { return request("GET", path); }
    Response post(std::string_view path, std::string_view body) const { return request("POST", path, body); }
    Response put(std::string_view path, std::string_view body) const { return request("PUT", path, body); }
    Response del(std::string_view path) const { return request("DELETE", path); }

    /* The pages of a list endpoint (cursor or offset pagination); `query` is URL-encoded,
     * without "?" ("sort=-updated_at"). */
    Pages pages(std::string_view path, std::string_view query = "") const {
        const std::string query_text(query);
        zdk_pager *raw = nullptr;
        detail::check(zdk_pager_new(handle_.get(), detail::c_str(path).c_str(),
                                    query.empty() ? nullptr : query_text.c_str(), &raw));
        return Pages(raw);
    }

    /* The pages of GET /api/v2/search.json?query=... (Zendesk stops at 1000 results). */
    Pages search(std::string_view query) const {
        zdk_pager *raw = nullptr;
        detail::check(zdk_search_new(handle_.get(), detail::c_str(query).c_str(), &raw));
        return Pages(raw);
    }

    /* The pages of GET /api/v2/search/export (no cap); `type` is "ticket", "user",
     * "organization" or "group"; `page_size` 1 to 1000. */
    Pages export_search(std::string_view query, std::string_view type, std::uint32_t page_size = 1000) const {
        zdk_pager *raw = nullptr;
        detail::check(zdk_search_export_new(handle_.get(), detail::c_str(query).c_str(), detail::c_str(type).c_str(),
                                            page_size, &raw));
        return Pages(raw);
    }

    /* Downloads an attachment (its content_url, or its id in decimal) to the file `path`
     * and returns the bytes written (zdk_client_download_max): the credential never goes
     * to Zendesk's content origin, the file is written atomically, and `max_bytes` (0: no
     * limit) bounds its size. Throws zdkit::Error; `path` is left as it was then. */
    std::uint64_t download(std::string_view url_or_id, std::string_view path, std::uint64_t max_bytes = 0) const {
        std::uint64_t written = 0;
        detail::check(zdk_client_download_max(handle_.get(), detail::c_str(url_or_id).c_str(),
                                              detail::c_str(path).c_str(), max_bytes, &written));
        return written;
    }

    /* The C handle, still owned by this Client (NULL after a move). */
    const zdk_client *native_handle() const noexcept { return handle_.get(); }

  private:
    explicit Client(zdk_client *owned) noexcept : handle_(owned) {}
    detail::Handle<zdk_client, zdk_client_free> handle_;
};

/* ---- Webhooks ---------------------------------------------------------------------- */

/* True when a webhook request is genuine (zdk_webhook_verify): `signature` and `timestamp`
 * are the X-Zendesk-Webhook-Signature and -Timestamp headers as received, `body` the raw
 * request body. False for a request to reject (the reason is in zdk_last_error_message());
 * throws zdkit::Error for an empty secret or a negative tolerance. */
inline bool verify_webhook(std::string_view body, std::string_view signature, std::string_view timestamp,
                           std::string_view secret, double tolerance_s = 300) {
    const zdk_result code = zdk_webhook_verify(reinterpret_cast<const std::uint8_t *>(body.data()), body.size(),
                                               detail::c_str(signature).c_str(), detail::c_str(timestamp).c_str(),
                                               detail::c_str(secret).c_str(), tolerance_s);
    if (code == ZDK_ERR_AUTHENTICATION) return false;
    detail::check(code);
    return true;
}

}  // namespace zdkit

#endif /* ZDKIT_HPP */

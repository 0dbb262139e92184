/**
 * @file zdkit.hpp
 * @brief zdkit.hpp: a header-only C++17 interface over the zdkit C ABI (zdkit.h).
 *
 *     zdkit::Client client = zdkit::Client::api_token("mycompany", "agent@example.com", token);
 *     zdkit::Response me = client.get("/api/v2/users/me.json");
 *     for (const zdkit::Response &page : client.pages("/api/v2/tickets.json")) use(page.body());
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

/** zdkit's C++ interface: Config, Client, Response, Pages and Error. @since 0.1 */
namespace zdkit {

/// @cond ZDKIT_DETAIL
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
/// @endcond

/* ---- Response ---------------------------------------------------------------------- */

/** An HTTP answer: status, headers, body. Move-only; it owns its `zdk_response` and frees
 * it when destroyed. May be read from several threads at once. @since 0.1 */
class Response {
  public:
    /** Takes ownership of a zdk_response from the C API (NULL gives an empty Response).
     * @param owned the response to own; this Response frees it. @since 0.1 */
    explicit Response(zdk_response *owned) noexcept : handle_(owned) {}
    /** Moves the handle; the source then holds nothing. @since 0.1 */
    Response(Response &&) noexcept = default;
    /** Moves the handle; the source then holds nothing. @return this object. @since 0.1 */
    Response &operator=(Response &&) noexcept = default;
    /** Not copyable: the handle has one owner. */
    Response(const Response &) = delete;
    /** Not copyable: the handle has one owner. */
    Response &operator=(const Response &) = delete;
    /** Frees the C handle (nothing when moved from). */
    ~Response() = default;

    /** The HTTP status code. @return the status, or 0 for an empty Response. @since 0.1 */
    std::uint16_t status() const noexcept { return zdk_response_status(handle_.get()); }

    /** The body (decompressed). @return the bytes, valid while this Response lives
     * (empty for an empty Response). @since 0.1 */
    std::string_view body() const noexcept {
        std::size_t len = 0;
        const std::uint8_t *bytes = zdk_response_body(handle_.get(), &len);
        return bytes != nullptr ? std::string_view(reinterpret_cast<const char *>(bytes), len) : std::string_view();
    }

    /** The first value of a header.
     * @param name the header's name, any case.
     * @return the value, valid while this Response lives, or std::nullopt when absent. @since 0.1 */
    std::optional<std::string_view> header(std::string_view name) const {
        if (name.find('\0') != std::string_view::npos) return std::nullopt;  // no header has such a name
        return detail::optional_view(zdk_response_header(handle_.get(), std::string(name).c_str()));
    }

    /** Zendesk's request id (X-Zendesk-Request-Id or X-Request-Id).
     * @return the id, valid while this Response lives, or std::nullopt. @since 0.1 */
    std::optional<std::string_view> request_id() const noexcept {
        return detail::optional_view(zdk_response_request_id(handle_.get()));
    }

    /** The C handle, for the zdk_response_* functions the C++ layer does not wrap.
     * @return the handle, still owned by this Response (NULL when empty). @since 0.1 */
    const zdk_response *native_handle() const noexcept { return handle_.get(); }

  private:
    detail::Handle<zdk_response, zdk_response_free> handle_;
};

/* ---- Error ------------------------------------------------------------------------- */

/** A failed zdkit call: what() is zdk_last_error_message() (never a secret). @since 0.1 */
class Error : public std::runtime_error {
  public:
    /** The detail of this thread's last failed zdkit call.
     * @param code what the call returned.
     * @param response the answer of an HTTP error (ownership taken), or NULL.
     * @return the Error to throw. @since 0.1 */
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

    /** An Error from its parts (Error::last reads them from the C API).
     * @param code the C result code.
     * @param message the text what() returns.
     * @param status the HTTP status, or 0.
     * @param zendesk_code Zendesk's error code, or empty.
     * @param request_id the request id, or empty.
     * @param retry_after how long the server asked to wait, if it said.
     * @param response the answer of an HTTP error, or nullptr.
     * @since 0.1 */
    Error(zdk_result code, const std::string &message, std::uint16_t status, std::string zendesk_code,
          std::string request_id, std::optional<std::chrono::milliseconds> retry_after,
          std::shared_ptr<const Response> response)
        : std::runtime_error(message), code_(code), status_(status), zendesk_code_(std::move(zendesk_code)),
          request_id_(std::move(request_id)), retry_after_(retry_after), response_(std::move(response)) {}

    /** The C result code. @return ZDK_ERR_NOT_FOUND, ZDK_ERR_TIMEOUT, ... @since 0.1 */
    zdk_result code() const noexcept { return code_; }
    /** The HTTP status. @return the status, or 0 when no answer came. @since 0.1 */
    std::uint16_t status() const noexcept { return status_; }
    /** Zendesk's error code. @return "RecordNotFound", ..., or empty. @since 0.1 */
    const std::string &zendesk_code() const noexcept { return zendesk_code_; }
    /** The request id to quote to Zendesk support. @return the id, or empty. @since 0.1 */
    const std::string &request_id() const noexcept { return request_id_; }
    /** How long the server asked to wait before retrying.
     * @return the wait, or std::nullopt when it did not say. @since 0.1 */
    std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }
    /** The answer of an HTTP error (status, headers, body).
     * @return the response, owned by this Error, or nullptr. @since 0.1 */
    const Response *response() const noexcept { return response_.get(); }

  private:
    zdk_result code_;
    std::uint16_t status_;
    std::string zendesk_code_;
    std::string request_id_;
    std::optional<std::chrono::milliseconds> retry_after_;
    std::shared_ptr<const Response> response_;  // shared: exceptions are copied
};

/// @cond ZDKIT_DETAIL
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
/// @endcond

/* ---- Config ------------------------------------------------------------------------ */

/** Client settings: fluent setters mirroring zdk_config_set_*. Each returns `*this` and
 * throws zdkit::Error when the C setter fails (and leaves the config unchanged). Move-only;
 * use from one thread at a time. @since 0.1 */
class Config {
  public:
    /** An empty config: set a target and one credential. @throws Error when out of memory. @since 0.1 */
    Config() {
        zdk_config *raw = nullptr;
        detail::check(zdk_config_new(&raw));
        handle_.reset(raw);
    }

    /** A config from ZENDESK_SUBDOMAIN or ZENDESK_URL, and ZENDESK_EMAIL + ZENDESK_API_TOKEN,
     * ZENDESK_OAUTH_TOKEN or ZENDESK_CLIENT_ID + ZENDESK_CLIENT_SECRET (zdk_config_from_env).
     * @return the config. @throws Error naming the variable that is missing. @since 0.1 */
    static Config from_env() {
        zdk_config *raw = nullptr;
        detail::check(zdk_config_from_env(&raw));
        return Config(raw);
    }

    /** Moves the handle; the source then holds nothing. @since 0.1 */
    Config(Config &&) noexcept = default;
    /** Moves the handle; the source then holds nothing. @return this object. @since 0.1 */
    Config &operator=(Config &&) noexcept = default;
    /** Not copyable: the handle has one owner. */
    Config(const Config &) = delete;
    /** Not copyable: the handle has one owner. */
    Config &operator=(const Config &) = delete;
    /** Frees the C handle (nothing when moved from). */
    ~Config() = default;

    /** The target, as zdk_config_set_target.
     * @param subdomain_or_url a subdomain ("acme") or a base URL.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &target(std::string_view subdomain_or_url) {
        return set(zdk_config_set_target(get(), detail::c_str(subdomain_or_url).c_str()));
    }
    /** Targets https://{subdomain}.zendesk.com, as zdk_config_set_subdomain.
     * @param subdomain the account's subdomain.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &subdomain(std::string_view subdomain) {
        return set(zdk_config_set_subdomain(get(), detail::c_str(subdomain).c_str()));
    }
    /** Targets a full base URL, as zdk_config_set_base_url.
     * @param base_url the base URL, scheme included.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &base_url(std::string_view base_url) {
        return set(zdk_config_set_base_url(get(), detail::c_str(base_url).c_str()));
    }
    /** API-token credentials, as zdk_config_set_api_token.
     * @param email the email of the user the requests act as.
     * @param api_token the account API token (a secret).
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &api_token(std::string_view email, std::string_view api_token) {
        return set(zdk_config_set_api_token(get(), detail::c_str(email).c_str(), detail::c_str(api_token).c_str()));
    }
    /** An OAuth access token, as zdk_config_set_oauth_token.
     * @param access_token the token (a secret).
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &oauth_token(std::string_view access_token) {
        return set(zdk_config_set_oauth_token(get(), detail::c_str(access_token).c_str()));
    }
    /** Always throws (ZDK_ERR_INVALID_ARGUMENT): Zendesk switched password authentication off.
     * @param email ignored.
     * @param password ignored; never stored.
     * @return never returns. @throws Error always. @since 0.1 */
    Config &password(std::string_view email, std::string_view password) {
        return set(zdk_config_set_password(get(), detail::c_str(email).c_str(), detail::c_str(password).c_str()));
    }
    /** The connect timeout, as zdk_config_set_connect_timeout_ms.
     * @param timeout more than 0, at most a day.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &connect_timeout_ms(std::chrono::milliseconds timeout) {
        return set(zdk_config_set_connect_timeout_ms(get(), milliseconds(timeout)));
    }
    /** The transfer timeout, as zdk_config_set_timeout_ms.
     * @param timeout more than 0, at most a day.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &timeout_ms(std::chrono::milliseconds timeout) {
        return set(zdk_config_set_timeout_ms(get(), milliseconds(timeout)));
    }
    /** The User-Agent, as zdk_config_set_user_agent.
     * @param user_agent the value (no CR or LF).
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &user_agent(std::string_view user_agent) {
        return set(zdk_config_set_user_agent(get(), detail::c_str(user_agent).c_str()));
    }
    /** An explicit proxy, as zdk_config_set_proxy.
     * @param proxy the proxy URL.
     * @param no_proxy comma-separated hosts that bypass it, or std::nullopt to keep the earlier list.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &proxy(std::string_view proxy, std::optional<std::string_view> no_proxy = std::nullopt) {
        const std::string hosts = no_proxy ? detail::c_str(*no_proxy) : std::string();
        return set(zdk_config_set_proxy(get(), detail::c_str(proxy).c_str(), no_proxy ? hosts.c_str() : nullptr));
    }
    /** The hosts that bypass the proxy, as zdk_config_set_no_proxy.
     * @param hosts comma-separated hosts ("*" for all).
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &no_proxy(std::string_view hosts) {
        return set(zdk_config_set_no_proxy(get(), detail::c_str(hosts).c_str()));
    }
    /** Verifies servers with this PEM CA bundle, as zdk_config_set_ca_file.
     * @param path the file's path.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &ca_file(std::string_view path) { return set(zdk_config_set_ca_file(get(), detail::c_str(path).c_str())); }
    /** Verifies servers with this directory of hashed CA certificates, as zdk_config_set_ca_dir.
     * @param path the directory's path.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &ca_dir(std::string_view path) { return set(zdk_config_set_ca_dir(get(), detail::c_str(path).c_str())); }
    /** A client certificate for mutual TLS, as zdk_config_set_client_cert.
     * @param cert_path the PEM certificate file.
     * @param key_path the PEM private key file.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &client_cert(std::string_view cert_path, std::string_view key_path) {
        return set(zdk_config_set_client_cert(get(), detail::c_str(cert_path).c_str(), detail::c_str(key_path).c_str()));
    }
    /** How many times a failed request is retried, as zdk_config_set_max_retries.
     * @param retries 0 disables retries.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &max_retries(std::uint32_t retries) { return set(zdk_config_set_max_retries(get(), retries)); }
    /** The budget of one call, as zdk_config_set_deadline_ms.
     * @param deadline more than 0, at most a day.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &deadline_ms(std::chrono::milliseconds deadline) {
        return set(zdk_config_set_deadline_ms(get(), milliseconds(deadline)));
    }
    /** Never wait for a rate limit or a retry, as zdk_config_set_never_wait.
     * @param never_wait true to fail at once.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &never_wait(bool never_wait) { return set(zdk_config_set_never_wait(get(), never_wait ? 1 : 0)); }
    /** Rate-limit pacing, as zdk_config_set_rate_limit_pacing.
     * @param enabled false to send at once.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &rate_limit_pacing(bool enabled) { return set(zdk_config_set_rate_limit_pacing(get(), enabled ? 1 : 0)); }
    /** The largest answer read, as zdk_config_set_max_response_bytes.
     * @param bytes the limit, counted after decompression.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &max_response_bytes(std::uint64_t bytes) { return set(zdk_config_set_max_response_bytes(get(), bytes)); }
    /** A log callback, as zdk_config_set_log_callback (called from any thread).
     * @param callback the function, or nullptr to log nothing.
     * @param userdata handed back to it; must outlive the clients.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &log_callback(zdk_log_callback callback, void *userdata = nullptr) {
        return set(zdk_config_set_log_callback(get(), callback, userdata));
    }
    /** OAuth client credentials, as zdk_config_set_oauth_client_credentials.
     * @param client_id the OAuth client's identifier.
     * @param client_secret its secret.
     * @param scope space-separated scopes; empty means "read".
     * @param expires_in the token lifetime to ask for in seconds; 0 means 1800.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &oauth_client_credentials(std::string_view client_id, std::string_view client_secret,
                                     std::string_view scope = {}, std::uint64_t expires_in = 0) {
        const std::string scope_text(scope);
        return set(zdk_config_set_oauth_client_credentials(get(), detail::c_str(client_id).c_str(),
                                                           detail::c_str(client_secret).c_str(),
                                                           scope.empty() ? nullptr : scope_text.c_str(), expires_in));
    }
    /** A rotating OAuth refresh token, as zdk_config_set_oauth_refresh_token.
     * @param client_id the OAuth client's identifier.
     * @param client_secret its secret.
     * @param refresh_token the refresh token to start from.
     * @param on_rotate receives every rotated token set (persist the refresh token), or nullptr.
     * @param userdata handed back to on_rotate; must outlive the clients.
     * @return this config. @throws Error when the C setter refuses. @since 0.1 */
    Config &oauth_refresh_token(std::string_view client_id, std::string_view client_secret,
                                std::string_view refresh_token, zdk_token_rotation_callback on_rotate = nullptr,
                                void *userdata = nullptr) {
        return set(zdk_config_set_oauth_refresh_token(get(), detail::c_str(client_id).c_str(),
                                                      detail::c_str(client_secret).c_str(),
                                                      detail::c_str(refresh_token).c_str(), on_rotate, userdata));
    }

    /** The C handle, for zdk_config_* functions the C++ layer does not wrap.
     * @return the handle, still owned by this Config (NULL after a move). @since 0.1 */
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

/** The pages of a list, a search or a search export, fetched one at a time:
 *
 *     for (const zdkit::Response &page : client.pages("/api/v2/tickets.json")) ...
 *
 * Each page's Response lives until the next page is fetched. A failure throws
 * zdkit::Error out of the loop. Move-only (moving it ends its iterators); one pass
 * (an input range). Use from one thread at a time. @since 0.1 */
class Pages {
  public:
    /** An input iterator over the pages; the end iterator is default-constructed. @since 0.1 */
    class iterator {
      public:
        using iterator_category = std::input_iterator_tag;  ///< One pass.
        using value_type = Response;                        ///< A page.
        using difference_type = std::ptrdiff_t;             ///< Required by iterator_traits.
        using pointer = const Response *;                   ///< Pointer to the current page.
        using reference = const Response &;                 ///< The current page.

        /** The end iterator. */
        iterator() noexcept = default;
        /** The current page. @return it, valid until the next increment. */
        reference operator*() const noexcept { return *pages_->current_; }
        /** The current page. @return a pointer to it, valid until the next increment. */
        pointer operator->() const noexcept { return &*pages_->current_; }
        /** Fetches the next page. @return this iterator (the end iterator after the last page).
         * @throws Error when the fetch fails. */
        iterator &operator++() {
            pages_->advance();
            if (!pages_->current_) pages_ = nullptr;
            return *this;
        }
        /** Fetches the next page (as ++it). @throws Error when the fetch fails. */
        void operator++(int) { ++*this; }
        /** Whether two iterators are at the same place. @param a one. @param b the other. @return true if so. */
        friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.pages_ == b.pages_; }
        /** Whether two iterators differ. @param a one. @param b the other. @return true if so. */
        friend bool operator!=(const iterator &a, const iterator &b) noexcept { return a.pages_ != b.pages_; }

      private:
        friend class Pages;
        explicit iterator(Pages *pages) noexcept : pages_(pages) {}
        Pages *pages_ = nullptr;
    };

    /** Takes ownership of a zdk_pager from the C API.
     * @param owned the pager to own; this Pages frees it. @since 0.1 */
    explicit Pages(zdk_pager *owned) noexcept : handle_(owned) {}
    /** Moves the handle; the source then holds nothing. @since 0.1 */
    Pages(Pages &&) noexcept = default;
    /** Moves the handle; the source then holds nothing. @return this object. @since 0.1 */
    Pages &operator=(Pages &&) noexcept = default;
    /** Not copyable: the handle has one owner. */
    Pages(const Pages &) = delete;
    /** Not copyable: the handle has one owner. */
    Pages &operator=(const Pages &) = delete;
    /** Frees the C handle (nothing when moved from). */
    ~Pages() = default;

    /** Fetches the first page (once) and points at it.
     * @return an iterator at the first page, or end() when there is none. @throws Error when the fetch fails. @since 0.1 */
    iterator begin() {
        if (!started_) advance();
        return current_ ? iterator(this) : end();
    }
    /** The end of the pages. @return the end iterator. @since 0.1 */
    iterator end() noexcept { return iterator(); }

    /** The next page.
     * @return the page, or std::nullopt after the last.
     * @throws Error on a failure (the same page may then be asked for again). @since 0.1 */
    std::optional<Response> next() {
        started_ = true;
        zdk_response *raw = nullptr;
        const zdk_result code = zdk_pager_next(handle_.get(), &raw);
        if (code == ZDK_DONE) return std::nullopt;
        detail::check(code, raw);
        return Response(raw);
    }

    /** Whether another page may follow. @return true while it may. @since 0.1 */
    bool has_more() const noexcept { return zdk_pager_has_more(handle_.get()); }
    /** The last page's meta.after_cursor.
     * @return the cursor, valid until the next page, or std::nullopt. @since 0.1 */
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

/** A Zendesk client. Thread-safe; move-only. Every call throws zdkit::Error on a failure;
 * for an HTTP error (non-2xx), Error::response() holds the answer. @since 0.1 */
class Client {
  public:
    /** A client from a config (only read; it may be reused or destroyed afterwards).
     * @param config the settings.
     * @throws Error when the settings are wrong (no target, no or two credentials, ...). @since 0.1 */
    explicit Client(const Config &config) {
        zdk_client *raw = nullptr;
        detail::check(zdk_client_new(config.native_handle(), &raw));
        handle_.reset(raw);
    }

    /** A client with API-token credentials: "Authorization: Basic base64(email/token:token)".
     * @param target a subdomain ("mycompany") or a base URL ("https://support.example.com").
     * @param email the email of the user the requests act as.
     * @param token the account API token (a secret).
     * @return the client. @throws Error when an argument is refused. @since 0.1 */
    static Client api_token(std::string_view target, std::string_view email, std::string_view token) {
        zdk_client *raw = nullptr;
        detail::check(zdk_client_new_api_token(detail::c_str(target).c_str(), detail::c_str(email).c_str(),
                                               detail::c_str(token).c_str(), &raw));
        return Client(raw);
    }

    /** A client with an OAuth access token: "Authorization: Bearer token".
     * @param target a subdomain or a base URL.
     * @param access_token the token (a secret).
     * @return the client. @throws Error when an argument is refused. @since 0.1 */
    static Client oauth(std::string_view target, std::string_view access_token) {
        zdk_client *raw = nullptr;
        detail::check(zdk_client_new_oauth(detail::c_str(target).c_str(), detail::c_str(access_token).c_str(), &raw));
        return Client(raw);
    }

    /** Moves the handle; the source then holds nothing. @since 0.1 */
    Client(Client &&) noexcept = default;
    /** Moves the handle; the source then holds nothing. @return this object. @since 0.1 */
    Client &operator=(Client &&) noexcept = default;
    /** Not copyable: the handle has one owner. */
    Client(const Client &) = delete;
    /** Not copyable: the handle has one owner. */
    Client &operator=(const Client &) = delete;
    /** Frees the C handle (nothing when moved from). */
    ~Client() = default;

    /** Sends one request and waits for the answer.
     * @param method the HTTP method ("GET", "POST", ...).
     * @param path relative to the base URL (may carry a query string), or a full URL on the client's origin.
     * @param body the JSON body, or empty for none.
     * @return the 2xx answer. @throws Error for any other answer (Error::response() holds it) or failure. @since 0.1 */
    Response request(std::string_view method, std::string_view path, std::string_view body = {}) const {
        zdk_response *raw = nullptr;
        const zdk_result code = zdk_client_request(handle_.get(), detail::c_str(method).c_str(),
                                                   detail::c_str(path).c_str(),
                                                   reinterpret_cast<const std::uint8_t *>(body.data()), body.size(), &raw);
        detail::check(code, raw);
        return Response(raw);
    }
    /** GET, as request(). @param path the path. @return the 2xx answer. @throws Error on a failure. @since 0.1 */
    Response get(std::string_view path) const { return request("GET", path); }
    /** POST, as request(). @param path the path. @param body the JSON body. @return the 2xx answer.
     * @throws Error on a failure. @since 0.1 */
    Response post(std::string_view path, std::string_view body) const { return request("POST", path, body); }
    /** PUT, as request(). @param path the path. @param body the JSON body. @return the 2xx answer.
     * @throws Error on a failure. @since 0.1 */
    Response put(std::string_view path, std::string_view body) const { return request("PUT", path, body); }
    /** DELETE, as request(). @param path the path. @return the 2xx answer. @throws Error on a failure. @since 0.1 */
    Response del(std::string_view path) const { return request("DELETE", path); }

    /** The pages of a list endpoint (cursor or offset pagination), as zdk_pager_new.
     * @param path the list endpoint ("/api/v2/tickets.json").
     * @param query URL-encoded, without "?" ("sort=-updated_at"), or empty.
     * @return the pages, fetched lazily. @throws Error when an argument is refused. @since 0.1 */
    Pages pages(std::string_view path, std::string_view query = "") const {
        const std::string query_text(query);
        zdk_pager *raw = nullptr;
        detail::check(zdk_pager_new(handle_.get(), detail::c_str(path).c_str(),
                                    query.empty() ? nullptr : query_text.c_str(), &raw));
        return Pages(raw);
    }

    /** The pages of GET /api/v2/search.json?query=..., as zdk_search_new (Zendesk stops at
     * 1000 results: past them the walk throws, naming search export).
     * @param query the search query, unencoded ("type:ticket status:open").
     * @return the pages. @throws Error when an argument is refused. @since 0.1 */
    Pages search(std::string_view query) const {
        zdk_pager *raw = nullptr;
        detail::check(zdk_search_new(handle_.get(), detail::c_str(query).c_str(), &raw));
        return Pages(raw);
    }

    /** The pages of GET /api/v2/search/export (no cap), as zdk_search_export_new.
     * @param query the search query, unencoded.
     * @param type "ticket", "user", "organization" or "group".
     * @param page_size 1 to 1000.
     * @return the pages. @throws Error when an argument is refused. @since 0.1 */
    Pages export_search(std::string_view query, std::string_view type, std::uint32_t page_size = 1000) const {
        zdk_pager *raw = nullptr;
        detail::check(zdk_search_export_new(handle_.get(), detail::c_str(query).c_str(), detail::c_str(type).c_str(),
                                            page_size, &raw));
        return Pages(raw);
    }

    /** Downloads an attachment (its content_url, or its id in decimal) to the file `path`
     * (zdk_client_download_max): the credential never goes to Zendesk's content origin,
     * the file is written atomically, and `max_bytes` bounds its size.
     * @param url_or_id the attachment's content_url, or its id in decimal.
     * @param path the file to write (replaced only when the download is complete).
     * @param max_bytes the largest size accepted; 0: no limit.
     * @return the bytes written.
     * @throws zdkit::Error on any failure; `path` is left as it was then.
     * @since 0.1 */
    std::uint64_t download(std::string_view url_or_id, std::string_view path, std::uint64_t max_bytes = 0) const {
        std::uint64_t written = 0;
        detail::check(zdk_client_download_max(handle_.get(), detail::c_str(url_or_id).c_str(),
                                              detail::c_str(path).c_str(), max_bytes, &written));
        return written;
    }

    /** The C handle, for calls the C++ layer does not wrap (uploads, zdk_request_*, exports).
     * @return the handle, still owned by this Client (NULL after a move). @since 0.1 */
    const zdk_client *native_handle() const noexcept { return handle_.get(); }

  private:
    explicit Client(zdk_client *owned) noexcept : handle_(owned) {}
    detail::Handle<zdk_client, zdk_client_free> handle_;
};

/* ---- Webhooks ---------------------------------------------------------------------- */

/** True when a webhook request is genuine (zdk_webhook_verify).
 * @param body the raw request body, as received.
 * @param signature the X-Zendesk-Webhook-Signature header as received.
 * @param timestamp the X-Zendesk-Webhook-Signature-Timestamp header as received.
 * @param secret the webhook's signing secret.
 * @param tolerance_s how far, in seconds, the timestamp may be from now.
 * @return true for a genuine request; false for one to reject (the reason is in
 *     zdk_last_error_message()).
 * @throws zdkit::Error for an empty secret or a negative tolerance.
 * @since 0.1 */
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

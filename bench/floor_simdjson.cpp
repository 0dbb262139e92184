/* The floor with a full JSON parse: bare libcurl (one reused easy handle) + simdjson
 * (On-Demand, every value of every item visited; libsimdjson-dev).
 *
 *   floor_simdjson w1 URL N [CA]   N x GET URL, each answer parsed (user.id read)
 *   floor_simdjson w2 URL          cursor pages: every ticket's fields walked, meta and
 *                                  links.next read
 *   floor_simdjson w4 URL OUT      incremental export to JSON Lines: each ticket's raw
 *                                  JSON written on its own line, after_url followed
 * Prints the seconds the work took. */
#include <curl/curl.h>
#include <simdjson.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace simdjson;

struct Buffer {
    std::string data;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata) {
    static_cast<Buffer *>(userdata)->data.append(ptr, size * n);
    return size * n;
}

static double now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

static CURL *handle(Buffer *b, const char *ca) {
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    if (ca) curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    return curl;
}

static bool get(CURL *curl, Buffer *b, const std::string &url) {
    b->data.clear();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    long status = 0;
    if (curl_easy_perform(curl) != CURLE_OK) return false;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    b->data.reserve(b->data.size() + SIMDJSON_PADDING);
    return status == 200;
}

/* Visits every value (the work of building it, minus the allocations). */
static size_t walk(ondemand::value value) {
    size_t count = 1;
    switch (value.type()) {
    case ondemand::json_type::object:
        for (auto field : value.get_object()) count += walk(field.value());
        break;
    case ondemand::json_type::array:
        for (auto item : value.get_array()) count += walk(item.value());
        break;
    case ondemand::json_type::string:
        (void)std::string_view(value.get_string());
        break;
    case ondemand::json_type::number:
        (void)value.get_number().error();
        break;
    case ondemand::json_type::boolean:
        (void)bool(value.get_bool());
        break;
    case ondemand::json_type::null:
        (void)value.is_null();
        break;
    }
    return count;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    curl_global_init(CURL_GLOBAL_ALL);
    Buffer b;
    ondemand::parser parser;
    std::string mode = argv[1];
    double started = now();
    size_t values = 0;
    if (mode == "w1" && argc >= 4) {
        CURL *curl = handle(&b, argc > 4 ? argv[4] : nullptr);
        long n = atol(argv[3]);
        for (long i = 0; i < n; i++) {
            if (!get(curl, &b, argv[2])) return 1;
            auto doc = parser.iterate(b.data.data(), b.data.size(), b.data.capacity());
            values += walk(doc["user"].value());
        }
        curl_easy_cleanup(curl);
    } else if (mode == "w2") {
        CURL *curl = handle(&b, nullptr);
        std::string url = argv[2];
        for (;;) {
            if (!get(curl, &b, url)) return 1;
            auto doc = parser.iterate(b.data.data(), b.data.size(), b.data.capacity());
            for (auto item : doc["tickets"].get_array()) values += walk(item.value());
            bool more = doc["meta"]["has_more"].get_bool();
            if (!more) break;
            url = std::string(std::string_view(doc["links"]["next"].get_string()));
        }
        curl_easy_cleanup(curl);
    } else if (mode == "w4" && argc >= 4) {
        CURL *curl = handle(&b, nullptr);
        FILE *out = fopen(argv[3], "wb");
        if (!out) return 1;
        std::string url = argv[2];
        for (;;) {
            if (!get(curl, &b, url)) return 1;
            auto doc = parser.iterate(b.data.data(), b.data.size(), b.data.capacity());
            for (auto item : doc["tickets"].get_array()) {
                ondemand::object object = item.get_object();
                std::string_view raw = object.raw_json();
                fwrite(raw.data(), 1, raw.size(), out);
                fputc('\n', out);
                values++;
            }
            url = std::string(std::string_view(doc["after_url"].get_string()));
            if (bool(doc["end_of_stream"].get_bool())) break;
        }
        fclose(out);
        curl_easy_cleanup(curl);
    } else {
        return 2;
    }
    printf("%.6f\n", now() - started);
    fprintf(stderr, "%zu values\n", values);
    curl_global_cleanup();
    return 0;
}

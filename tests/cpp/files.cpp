// File storage through the C++ wrapper: upload_file (a vector and a pointer with a size),
// delete_file, the replies, and the exceptions of misuse; what viewers load is fetched by the
// harness (FETCH, tests/c/README.md).
#include "harness.h"

#include <functional>
#include <string>
#include <vector>

#include "mixplay.hpp"

static mixplay::Event reply(mixplay::Session &s, uint64_t id) {
    int64_t end = h_now_ms() + h()->wait_ms;
    for (;;) {
        std::optional<mixplay::Event> e = s.poll();
        if (e && e->is_reply_to(id)) return *e;
        if (!e) {
            if (h_now_ms() > end) H_FAIL("timed out waiting for the reply to %llu", (unsigned long long)id);
            h_nap();
        }
    }
}

// The reply's json as a string, which must be a success.
static std::string ok_json(mixplay::Session &s, uint64_t id) {
    mixplay::Event e = reply(s, id);
    if (!e.ok()) H_FAIL("request %llu failed: %u %.*s", (unsigned long long)id, e.code, (int)e.text.size(), e.text.data());
    return std::string(e.json);
}

static std::string field(const std::string &json, const std::string &name) {
    std::string key = "\"" + name + "\":\"";
    size_t at = json.find(key);
    if (at == std::string::npos) H_FAIL("no %s in %s", name.c_str(), json.c_str());
    at += key.size();
    return json.substr(at, json.find('"', at) - at);
}

static std::string hex(const std::vector<uint8_t> &bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

template <class F>
static void expect_error(mixplay_result code, F &&f) {
    try {
        f();
    } catch (const mixplay::Error &e) {
        H_CHECK(e.code() == code);
        return;
    }
    H_FAIL("no mixplay::Error %u was thrown", (unsigned)code);
}

int main(int argc, char **argv) {
    h_init(argc, argv);
    mixplay::Config config;
    config.discovery_url(std::string_view(h()->hosts_url)).token("demo-streamer").version_id(1);
    mixplay::Session s(config);
    int64_t end = h_now_ms() + h()->wait_ms;
    while (s.connection_state() != mixplay::ConnectionState::Connected) {
        if (h_now_ms() > end) H_FAIL("the session did not connect");
        s.poll();
        h_nap();
    }

    // A vector uploaded: its URL serves the same bytes, typed from them.
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (int i = 0; i < 600; i++) png.push_back(static_cast<uint8_t>(i * 7));
    std::string json = ok_json(s, s.upload_file("buttons/a.png", png));
    std::string url = field(json, "url");
    H_CHECK(url == std::string(h()->base_url) + "/files/1/buttons/a.png");
    H_CHECK(field(json, "contentType") == "image/png");
    H_CHECK(h_cmd("FETCH %s", url.c_str()) == 0);
    H_CHECK(std::string(h()->line) == "200 image/png " + std::to_string(png.size()) + " " + hex(png));

    // A pointer and a size: plain text.
    const char text[] = "hello, viewers";
    json = ok_json(s, s.upload_file("notes/hello.txt", text, sizeof text - 1));
    H_CHECK(field(json, "contentType").rfind("text/plain", 0) == 0);

    // Refusals arrive as failed replies: a bad path (4004), past the 4 KiB quota (413).
    mixplay::Event e = reply(s, s.upload_file("a b.png", png));
    H_CHECK(!e.ok() && e.code == 4004);
    std::vector<uint8_t> big(5000, 1);
    e = reply(s, s.upload_file("big.bin", big));
    H_CHECK(!e.ok() && e.code == 413);
    H_CHECK(std::string(e.text).find("--file-quota") != std::string::npos);

    // Deleted: gone for viewers.
    H_CHECK(ok_json(s, s.delete_file("buttons/a.png")) == "null");
    H_CHECK(h_cmd("FETCH %s", url.c_str()) == 0);
    H_CHECK(std::string(h()->line).rfind("404 ", 0) == 0);

    // Misuse throws before anything is sent.
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { s.upload_file("", png); });
    expect_error(MIXPLAY_RESULT_NULL_ARGUMENT, [&] { s.upload_file("x.png", nullptr, 3); });
    expect_error(MIXPLAY_RESULT_INVALID_ARGUMENT, [&] { s.delete_file(""); });

    h_done();
    return 0;
}

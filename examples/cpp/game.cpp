// The C game loop of examples/c/game.c, written with the C++ wrapper (bindings/cpp/mixplay.hpp).
//
//   game [BASE_URL] [SECONDS]
//
// Same controls and the same printed reactions: `jump` prints who jumped, `charge` fills a
// progress bar and cools down when full, `steer` prints the frame's mean joystick position, and
// a `vip` press (10 sparks) is captured and its buyer moved to the `vips` group. Runs until
// Ctrl-C (or SECONDS elapse). Errors from the library arrive as mixplay::Error exceptions.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <unordered_map>

#include "mixplay.hpp"

namespace {

volatile std::sig_atomic_t quit = 0;

void on_signal(int) { quit = 1; }

enum class Pending { Setup, Capture, Move };

struct Game {
    explicit Game(const mixplay::Config &config) : session(config) {}

    mixplay::Session session;
    std::unordered_map<uint64_t, std::pair<Pending, std::string>> pending;
    int charges = 0;
    int setup_left = 3;
    bool set = false;

    std::string name_of(std::string_view sid) {
        try {
            return std::string(session.participant(sid).username);
        } catch (const mixplay::Error &) {
            return std::string(sid);
        }
    }

    void set_up() {
        pending[session.create_controls("default", R"([{"controlID":"jump","kind":"button","text":"Jump"},)"
                                                   R"({"controlID":"charge","kind":"button","text":"Charge","progress":0},)"
                                                   R"({"controlID":"steer","kind":"joystick"},)"
                                                   R"({"controlID":"vip","kind":"button","text":"VIP","cost":10}])")] = {Pending::Setup, ""};
        pending[session.create_groups(R"([{"groupID":"vips","sceneID":"default"}])")] = {Pending::Setup, ""};
        pending[session.ready(true)] = {Pending::Setup, ""};
    }

    void on_input(const mixplay::Event &e) {
        if (e.input_kind != mixplay::InputKind::MouseDown && e.input_kind != mixplay::InputKind::KeyDown) return;
        std::string who = name_of(e.participant);
        if (e.control == "jump") {
            std::printf("jump pressed by %s\n", who.c_str());
        } else if (e.control == "charge") {
            if (++charges >= 4) {
                charges = 0;
                session.set_control_progress("charge", 0.0);
                session.set_control_cooldown("charge", 5000);
                std::printf("charge full: cooldown 5 s\n");
            } else {
                session.set_control_progress("charge", charges * 0.25);
                std::printf("charge %d%%\n", charges * 25);
            }
        } else if (e.control == "vip" && !e.transaction.empty()) {
            pending[session.capture(e.transaction)] = {Pending::Capture, std::string(e.participant)};
            std::printf("vip requested by %s\n", who.c_str());
        }
    }

    void on_reply(const mixplay::Event &e) {
        auto it = pending.find(e.request_id);
        if (it == pending.end()) return;
        auto [kind, participant] = it->second;
        pending.erase(it);
        if (!e.ok()) {
            std::printf("request %llu failed: %u %.*s\n", (unsigned long long)e.request_id, e.code, (int)e.text.size(),
                        e.text.data());
        } else if (kind == Pending::Setup && --setup_left == 0) {
            std::printf("ready\n");
        } else if (kind == Pending::Capture) {
            std::printf("sparks charged: %s\n", participant.c_str());
            pending[session.move_participant(participant, "vips")] = {Pending::Move, participant};
        } else if (kind == Pending::Move) {
            std::printf("moved %s to vips\n", participant.c_str());
        }
    }

    void frame() {
        while (std::optional<mixplay::Event> e = session.poll()) {
            switch (e->kind) {
            case mixplay::EventKind::Connection:
                std::printf("connection state %u\n", static_cast<unsigned>(e->connection_state));
                if (e->connection_state == mixplay::ConnectionState::Connected && !set) {
                    set = true;
                    set_up();
                }
                break;
            case mixplay::EventKind::ParticipantJoined:
                std::printf("joined: %s\n", name_of(e->participant).c_str());
                break;
            case mixplay::EventKind::Input:
                on_input(*e);
                break;
            case mixplay::EventKind::Reply:
                on_reply(*e);
                break;
            case mixplay::EventKind::Error:
                std::printf("error: %.*s\n", (int)e->text.size(), e->text.data());
                break;
            default:
                break;
            }
        }
        mixplay::Session::JoystickMean steer = session.joystick_mean("steer");
        if (steer.moves > 0) std::printf("steer %.2f %.2f (%u moves)\n", steer.x, steer.y, steer.moves);
        std::fflush(stdout);
    }
};

}  // namespace

int main(int argc, char **argv) {
    std::string base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    long seconds = argc > 2 ? std::atol(argv[2]) : 0;
    const char *token = std::getenv("MIXPLAY_TOKEN");
    const char *version = std::getenv("MIXPLAY_VERSION");
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    try {
        if (!mixplay::abi_matches()) throw std::runtime_error("the mixplay library does not match mixplay.h");
        mixplay::Config config;
        config.discovery_url(base + "/api/v1/interactive/hosts")
            .token(token ? token : "demo-streamer")
            .version_id(version ? static_cast<uint32_t>(std::atoi(version)) : 1);
        Game game(config);
        std::printf("connecting to %s\n", base.c_str());
        std::fflush(stdout);
        using clock = std::chrono::steady_clock;
        auto end = clock::now() + std::chrono::seconds(seconds);
        while (!quit && (seconds == 0 || clock::now() < end)) {
            auto start = clock::now();
            game.frame();
            std::this_thread::sleep_until(start + std::chrono::milliseconds(16));
        }
    } catch (const mixplay::Error &e) {
        std::cerr << "mixplay error " << e.code() << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    std::printf("bye\n");
    return 0;
}

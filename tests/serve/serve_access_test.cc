// serve's access control, end to end (label "integration"): the real active-users-serve process
// with a token file and TLS, spoken to over loopback by cpp-httplib and by curl, against a CA and
// a server certificate that the test makes with openssl. ~4 s in all.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/run_shell.h"
#include "support/temp_dir.h"

using namespace au;

namespace {

const std::string kServe = std::string(AU_BINARY_DIR) + "/active-users-serve";
const std::string kToken = "7f3c9a1e5b2d4c6e8f0a1b3c5d7e9f1a";  // what the token files hold
const std::string kWrong = "7f3c9a1e5b2d4c6e8f0a1b3c5d7e9f1b";  // the same but its last char

std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string writeTokenFile(const test::TempDir& dir, const std::string& content,
                           mode_t mode = 0600) {
    const std::string path = dir.write("serve.token", content);
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    return path;
}

// active-users-serve with `args`, stderr to `log`; dies with the test (PR_SET_PDEATHSIG).
pid_t spawnServe(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> all = {kServe};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int devNull = ::open("/dev/null", O_RDWR);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(devNull, 0);
    ::dup2(devNull, 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

// The exit code of a serve that must stop by itself (a refusal), and its stderr.
std::pair<int, std::string> runServeToExit(const std::vector<std::string>& args,
                                           const test::TempDir& dir) {
    const std::string log = dir.file("refused.log");
    const pid_t pid = spawnServe(args, log);
    REQUIRE(pid > 0);
    int status = 0;
    for (int i = 0; i < 400; ++i) {  // 10 s
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                    readFile(log)};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL("serve did not exit by itself: " << readFile(log));
    return {-1, ""};
}

// A running serve on 127.0.0.1:<any port>, stopped (SIGTERM, exit 0 checked) at the end.
class Serve {
  public:
    Serve(const test::TempDir& dir, std::vector<std::string> args) : log_(dir.file("serve.log")) {
        args.insert(args.end(), {"--state-dir", dir.path(), "--listen", "127.0.0.1:0"});
        pid_ = spawnServe(args, log_);
        REQUIRE(pid_ > 0);
        const std::regex listening("listening on (https?)://127\\.0\\.0\\.1:([0-9]+)/");
        for (int i = 0; i < 400 && port_ == 0; ++i) {
            std::smatch m;
            const std::string text = readFile(log_);
            if (std::regex_search(text, m, listening)) {
                scheme_ = m[1];
                port_ = std::stoi(m[2]);
            } else {
                int status = 0;
                if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                    pid_ = -1;
                    FAIL("serve exited: " << text);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
            }
        }
        REQUIRE(port_ > 0);
    }
    ~Serve() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    // Stops it; its exit code.
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    int port() const { return port_; }
    std::string url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
    std::string log() const { return readFile(log_); }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_connection_timeout(2);
        c.set_read_timeout(5);
        c.set_keep_alive(true);
        c.set_tcp_nodelay(true);
        return c;
    }

  private:
    std::string log_;
    pid_t pid_ = -1;
    int port_ = 0;
    std::string scheme_;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

TEST_CASE(
    "serve with a token: 401 without it, 200 with it, /healthz open, and no secret in "
    "its log",
    "[serve][access]") {
    test::TempDir dir;
    Serve serve(dir, {"--auth-token-file", writeTokenFile(dir, kToken + "\n")});
    auto http = serve.client();
    const httplib::Headers right = {{"Authorization", "Bearer " + kToken}};
    const httplib::Headers wrong = {{"Authorization", "Bearer " + kWrong}};

    for (const char* path : {"/active-users", "/active-users/count", "/active-users/history",
                             "/active-users/shards", "/metrics", "/", "/assets/dashboard.js"}) {
        INFO(path);
        auto none = http.Get(path);
        REQUIRE(none);
        CHECK(none->status == 401);
        CHECK(none->get_header_value("WWW-Authenticate") == "Bearer realm=\"active-users\"");
        CHECK(none->body.find("needs its token") != std::string::npos);
        auto bad = http.Get(path, wrong);
        REQUIRE(bad);
        CHECK(bad->status == 401);
        CHECK(bad->get_header_value("WWW-Authenticate").find("error=\"invalid_token\"") !=
              std::string::npos);
        auto good = http.Get(path, right);
        REQUIRE(good);
        CHECK(good->status == 200);
    }
    auto health = http.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    auto icon = http.Get("/favicon.ico");
    REQUIRE(icon);
    CHECK(icon->status == 200);
    CHECK(icon->get_header_value("Content-Type") == "image/svg+xml");

    // A browser: / answers 401 with the sign-in form; the form's POST sets the cookie.
    auto page = http.Get("/", {{"Accept", "text/html,application/xhtml+xml"}});
    REQUIRE(page);
    CHECK(page->status == 401);
    CHECK(page->body.find("<form method=\"post\" action=\"/login\">") != std::string::npos);
    auto refused = http.Post("/login", "token=" + kWrong, "application/x-www-form-urlencoded");
    REQUIRE(refused);
    CHECK(refused->status == 401);
    CHECK(refused->body.find("That token is not right.") != std::string::npos);
    CHECK_FALSE(refused->has_header("Set-Cookie"));
    auto login = http.Post("/login", "token=" + kToken, "application/x-www-form-urlencoded");
    REQUIRE(login);
    CHECK(login->status == 303);
    CHECK(login->get_header_value("Location") == "/");
    const std::string cookie = login->get_header_value("Set-Cookie");
    CHECK(cookie == "active_users_token=" + kToken + "; Path=/; HttpOnly; SameSite=Strict");
    auto withCookie = http.Get("/", {{"Cookie", "active_users_token=" + kToken}});
    REQUIRE(withCookie);
    CHECK(withCookie->status == 200);
    CHECK(withCookie->body.find("active users now") != std::string::npos);
    CHECK(withCookie->get_header_value("X-Frame-Options") == "DENY");

    CHECK(serve.stop() == 0);
    const std::string log = serve.log();
    INFO(log);
    CHECK(log.find("token needed (not for /healthz)") != std::string::npos);
    CHECK(log.find(kToken) == std::string::npos);
    CHECK(log.find(kWrong) == std::string::npos);
}

TEST_CASE("A wrong token is answered as fast as the right one", "[serve][access]") {
    // Three kinds of request, interleaved over one keep-alive connection: the right token (on a
    // path that does not exist: 404, as little work as a 401), a wrong one that differs in its
    // last character, and one that differs in its first. Compared by their medians, with a bound
    // far above this machine's noise but far below any extra work (a sleep, a file read) on the
    // wrong path.
    test::TempDir dir;
    Serve serve(dir, {"--auth-token-file", writeTokenFile(dir, kToken)});
    auto http = serve.client();
    const std::string firstWrong = "0" + kToken.substr(1);
    const std::vector<std::pair<std::string, int>> kinds = {
        {kToken, 404}, {kWrong, 401}, {firstWrong, 401}};
    std::vector<std::vector<double>> micros(kinds.size());
    constexpr int kRounds = 300;
    for (int round = -20; round < kRounds; ++round) {  // 20 rounds of warm-up
        for (size_t k = 0; k < kinds.size(); ++k) {
            const auto& [token, expected] = kinds[(k + static_cast<size_t>(round + 20)) % 3];
            const auto start = std::chrono::steady_clock::now();
            auto r = http.Get("/timing-probe", {{"Authorization", "Bearer " + token}});
            const auto took = std::chrono::steady_clock::now() - start;
            REQUIRE(r);
            REQUIRE(r->status == expected);
            if (round >= 0) {
                micros[(k + static_cast<size_t>(round + 20)) % 3].push_back(
                    std::chrono::duration<double, std::micro>(took).count());
            }
        }
    }
    const double right = median(micros[0]);
    const double lastWrong = median(micros[1]);
    const double headWrong = median(micros[2]);
    std::printf(
        "median of %d requests each: right token %.0f us, wrong last char %.0f us, wrong "
        "first char %.0f us\n",
        kRounds, right, lastWrong, headWrong);
    const auto close = [](double a, double b) {
        return std::abs(a - b) <= std::max(500.0, 0.5 * std::max(a, b));
    };
    CHECK(close(right, lastWrong));
    CHECK(close(right, headWrong));
    CHECK(close(lastWrong, headWrong));
}

TEST_CASE("serve over TLS: curl verifies it against the test's CA, and the token still applies",
          "[serve][access][tls]") {
    test::TempDir dir;
    const auto [cv, curlVersion] = test::runShell("curl --version 2>&1");
    const auto [ov, opensslVersion] = test::runShell("openssl version 2>&1");
    INFO("needs curl and openssl (apt-get install curl openssl)");
    REQUIRE(cv == 0);
    REQUIRE(ov == 0);
    // A CA, and a server certificate it signed for 127.0.0.1 and localhost (P-256: fast).
    const std::string d = dir.path();
    dir.write("server.ext",
              "subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\n"
              "keyUsage = digitalSignature\nextendedKeyUsage = serverAuth\n");
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const auto [made, madeOut] = test::runShell(
        "set -e; cd " + d + "; openssl req -x509" + ec +
        "-keyout ca.key -out ca.pem -days 2 -subj '/CN=active-users test CA' 2>&1;"
        " openssl req" +
        ec +
        "-keyout server.key -out server.csr -subj '/CN=localhost' 2>&1;"
        " openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2"
        " -extfile server.ext -out server.pem 2>&1; chmod 600 server.key");
    INFO(madeOut);
    REQUIRE(made == 0);

    // (With a newline at its end, as `openssl rand -hex 32 >FILE` writes it: the form's value is
    // taken without it, as the file's is.)
    Serve serve(dir, {"--auth-token-file", writeTokenFile(dir, kToken + "\n"), "--tls-cert",
                      d + "/server.pem", "--tls-key", d + "/server.key", "--metrics-auth", "off"});
    REQUIRE(serve.url().rfind("https://", 0) == 0);
    const std::string curl =
        "curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --cacert " + d + "/ca.pem ";
    const std::string base = serve.url();
    const std::string local = "https://localhost:" + std::to_string(serve.port());
    CHECK(test::runShell(curl + base + "/healthz 2>&1").second == "200");
    CHECK(test::runShell(curl + local + "/healthz 2>&1").second == "200");
    CHECK(test::runShell(curl + base + "/active-users/count 2>&1").second == "401");
    CHECK(test::runShell(curl + "-H 'Authorization: Bearer " + kToken + "' " + base +
                         "/active-users/count 2>&1")
              .second == "200");
    CHECK(test::runShell(curl + base + "/metrics 2>&1").second == "200");  // --metrics-auth off
    // Not trusted without the CA (curl exit 60), and no plain HTTP on the TLS port.
    const auto [untrusted, untrustedOut] =
        test::runShell("curl -sS --max-time 10 -o /dev/null " + base + "/healthz 2>&1");
    INFO(untrustedOut);
    CHECK(WEXITSTATUS(untrusted) == 60);
    const auto [plain, plainOut] =
        test::runShell("curl -sS --max-time 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:" +
                       std::to_string(serve.port()) + "/healthz 2>&1");
    CHECK(plainOut.find("200") == std::string::npos);
    // Over TLS the sign-in cookie is Secure.
    const auto [li, headers] =
        test::runShell("curl -sS --max-time 10 -D - -o /dev/null --cacert " + d + "/ca.pem " +
                       "--data-urlencode token@" + d + "/serve.token " + base + "/login 2>&1");
    INFO(headers);
    CHECK(headers.find("HTTP/1.1 303") != std::string::npos);
    CHECK(headers.find("; HttpOnly; SameSite=Strict; Secure") != std::string::npos);
    CHECK(serve.stop() == 0);
    CHECK(serve.log().find(kToken) == std::string::npos);

    // Files that do not fit: each refusal says which file and why.
    auto [missingRc, missing] =
        runServeToExit({"--state-dir", d, "--listen", "127.0.0.1:0", "--tls-cert", d + "/nope.pem",
                        "--tls-key", d + "/server.key"},
                       dir);
    CHECK(missingRc == 1);
    CHECK(missing.find("--tls-cert " + d + "/nope.pem: No such file or directory") !=
          std::string::npos);
    auto [mismatchRc, mismatch] =
        runServeToExit({"--state-dir", d, "--listen", "127.0.0.1:0", "--tls-cert",
                        d + "/server.pem", "--tls-key", d + "/ca.key"},
                       dir);
    CHECK(mismatchRc == 1);
    CHECK(mismatch.find("does not match the certificate") != std::string::npos);
    auto [halfRc, half] = runServeToExit({"--state-dir", d, "--tls-cert", d + "/server.pem"}, dir);
    CHECK(halfRc == 2);
    CHECK(half.find("TLS needs both --tls-cert FILE and --tls-key FILE") != std::string::npos);
}

TEST_CASE("serve refuses to listen off loopback without a token, and says why a listen fails",
          "[serve][access]") {
    test::TempDir dir;
    const std::string d = dir.path();
    auto [rc, err] = runServeToExit({"--state-dir", d, "--listen", "0.0.0.0:8080"}, dir);
    CHECK(rc == 2);
    CHECK(err.find("refusing to listen on 0.0.0.0 without a token") != std::string::npos);
    auto [rc6, err6] = runServeToExit({"--state-dir", d, "--listen", "[::]:8080"}, dir);
    CHECK(rc6 == 2);
    CHECK(err6.find("refusing to listen on :: without a token") != std::string::npos);

    // --insecure-no-auth lets it try (192.0.2.1, TEST-NET-1, is on no interface here: the OS's
    // reason is in the message).
    auto [rcI, errI] =
        runServeToExit({"--state-dir", d, "--listen", "192.0.2.1:8080", "--insecure-no-auth"}, dir);
    CHECK(rcI == 1);
    CHECK(errI.find("--insecure-no-auth: 192.0.2.1 serves every active user id") !=
          std::string::npos);
    CHECK(errI.find("cannot listen on 192.0.2.1:8080: bind: Cannot assign requested address") !=
          std::string::npos);

    // A port in use (by a listener without SO_REUSEPORT).
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string busy = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    auto [rcB, errB] = runServeToExit({"--state-dir", d, "--listen", busy}, dir);
    ::close(fd);
    CHECK(rcB == 1);
    CHECK(errB.find("cannot listen on " + busy + ": bind: Address already in use") !=
          std::string::npos);
    if (::geteuid() != 0) {  // root may bind port 1
        auto [rcP, errP] = runServeToExit({"--state-dir", d, "--listen", "127.0.0.1:1"}, dir);
        CHECK(rcP == 1);
        CHECK(errP.find("cannot listen on 127.0.0.1:1: bind: Permission denied") !=
              std::string::npos);
    }

    // Token files that do not fit, and flags that contradict each other.
    auto [rcE, errE] =
        runServeToExit({"--state-dir", d, "--auth-token-file", writeTokenFile(dir, "\n")}, dir);
    CHECK(rcE == 2);
    CHECK(errE.find("the token file is empty") != std::string::npos);
    auto [rcW, errW] = runServeToExit(
        {"--state-dir", d, "--auth-token-file", writeTokenFile(dir, kToken, 0644)}, dir);
    CHECK(rcW == 2);
    CHECK(errW.find("readable or writable by every user") != std::string::npos);
    CHECK(errW.find(kToken) == std::string::npos);
    auto [rcM, errM] =
        runServeToExit({"--state-dir", d, "--auth-token-file", d + "/missing.token"}, dir);
    CHECK(rcM == 2);
    CHECK(errM.find(d + "/missing.token: cannot open the token file: No such file or directory") !=
          std::string::npos);
    auto [rcX, errX] = runServeToExit(
        {"--state-dir", d, "--auth-token-file", writeTokenFile(dir, kToken), "--insecure-no-auth"},
        dir);
    CHECK(rcX == 2);
    CHECK(errX.find("exclude each other") != std::string::npos);
}

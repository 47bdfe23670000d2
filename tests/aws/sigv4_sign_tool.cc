// sigv4_sign_tool: signs one request with au::aws::sign, for the differential test against the
// AWS SDK for JavaScript (sigv4_differential_test.js). A test tool, not part of the product.
//
// stdin:  {"method","url","headers":[[name,value]...],"body","accessKeyId","secretAccessKey",
//          "sessionToken"?,"region","service","epochMillis","addContentSha256Header"?}
// stdout: {"headers":[[name,value]...],"authorization","canonicalRequest","stringToSign"}
// Exit status 0 on success, 1 on bad input or a signing error (message on stderr).

#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "aws/sigv4.h"

int main() {
    using namespace au::aws;
    try {
        std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
        auto in = nlohmann::json::parse(input);
        HttpRequest req;
        req.method = in.at("method").get<std::string>();
        req.url = in.at("url").get<std::string>();
        for (const auto& h : in.at("headers")) {
            req.headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
        }
        req.body = in.value("body", "");
        Credentials creds;
        creds.accessKeyId = in.at("accessKeyId").get<std::string>();
        creds.secretAccessKey = in.at("secretAccessKey").get<std::string>();
        if (in.contains("sessionToken")) creds.sessionToken = in["sessionToken"].get<std::string>();
        SigningOptions options;
        options.addContentSha256Header = in.value("addContentSha256Header", false);
        auto result =
            sign(req, creds, in.at("region").get<std::string>(),
                 in.at("service").get<std::string>(), in.at("epochMillis").get<int64_t>(), options);
        if (!result) {
            std::cerr << result.status().toString() << "\n";
            return 1;
        }
        nlohmann::json out;
        out["headers"] = nlohmann::json::array();
        for (const auto& [name, value] : req.headers) out["headers"].push_back({name, value});
        out["authorization"] = result->authorization;
        out["canonicalRequest"] = result->canonicalRequest.text;
        out["stringToSign"] = result->stringToSign;
        std::cout << out.dump() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sigv4_sign_tool: " << e.what() << "\n";
        return 1;
    }
}

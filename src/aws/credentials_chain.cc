#include "aws/credentials_chain.h"

#include "aws/container_credentials_provider.h"
#include "aws/environment_credentials_provider.h"
#include "aws/imds_credentials_provider.h"
#include "aws/profile_credentials_provider.h"
#include "aws/web_identity_credentials_provider.h"

namespace au::aws {

Result<Credentials> ChainCredentialsProvider::resolve() {
    std::string reasons;
    for (auto& provider : providers_) {
        auto result = provider->resolve();
        if (result) return result;
        if (result.status().code() != "NoCredentials") {
            return Status::error(result.status().code(),
                                 provider->name() + ": " + result.status().message());
        }
        if (!reasons.empty()) reasons += "; ";
        reasons += provider->name() + ": " + result.status().message();
    }
    return Status::error("NoCredentials", "no AWS credentials found (" + reasons + ")");
}

void ChainCredentialsProvider::invalidate() {
    for (auto& provider : providers_) provider->invalidate();
}

std::unique_ptr<CredentialsProvider> makeDefaultCredentialsChain(const Environment& env,
                                                                 HttpClient& http, Clock& clock,
                                                                 std::optional<std::string> profile,
                                                                 CachingOptions caching) {
    std::vector<std::unique_ptr<CredentialsProvider>> providers;
    providers.push_back(std::make_unique<EnvironmentCredentialsProvider>(env));
    providers.push_back(std::make_unique<ProfileCredentialsProvider>(env, std::move(profile)));
    providers.push_back(std::make_unique<WebIdentityCredentialsProvider>(env, http, clock));
    providers.push_back(std::make_unique<ContainerCredentialsProvider>(env, http));
    providers.push_back(std::make_unique<ImdsCredentialsProvider>(env, http));
    return std::make_unique<CachingCredentialsProvider>(
        std::make_unique<ChainCredentialsProvider>(std::move(providers)), clock, caching);
}

}  // namespace au::aws

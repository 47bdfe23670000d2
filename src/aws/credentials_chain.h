#pragma once
// ChainCredentialsProvider: asks its providers in order.
//
// The first provider that returns credentials wins. A provider answering "NoCredentials" (not
// configured) passes to the next. A provider that IS configured but fails (any other code)
// stops the chain and its error is returned: a broken web-identity setup must not fall through
// to, say, the node's instance role. When every provider says "NoCredentials", the result is
// "NoCredentials" with each provider's reason in the message.
// Thread-safety: as the providers'.
//
// makeDefaultCredentialsChain builds the standard order — environment, shared profile files,
// web identity, container, EC2 metadata — wrapped in a CachingCredentialsProvider.

#include <memory>
#include <optional>
#include <vector>

#include "aws/caching_credentials_provider.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "util/clock.h"
#include "util/env.h"

namespace au::aws {

class ChainCredentialsProvider final : public CredentialsProvider {
  public:
    explicit ChainCredentialsProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers)
        : providers_(std::move(providers)) {}
    Result<Credentials> resolve() override;
    void invalidate() override;
    std::string name() const override { return "chain"; }

  private:
    std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

// REQUIRES: env, http and clock outlive the returned provider. `http` is used only under the
// caching provider's lock, so one HttpClient instance is enough.
std::unique_ptr<CredentialsProvider> makeDefaultCredentialsChain(
    const Environment& env, HttpClient& http, Clock& clock,
    std::optional<std::string> profile = std::nullopt, CachingOptions caching = {});

}  // namespace au::aws

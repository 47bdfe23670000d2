#pragma once
// Parses the JSON credential documents of the container and EC2 metadata endpoints:
// {"AccessKeyId","SecretAccessKey","Token","Expiration"} (IMDS adds "Code":"Success").
// Fails with "CredentialsError" for non-JSON, missing keys, a "Code" other than "Success", a key
// or token with control characters (see hasControlCharacters), or an unparsable Expiration;
// messages never include the secret or token. Pure; thread-safe.

#include <string>

#include "aws/credentials.h"

namespace au::aws {

Result<Credentials> parseCredentialsJson(const std::string& body, const std::string& source);

}  // namespace au::aws

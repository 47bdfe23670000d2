#pragma once
// Environment: read access to environment variables, injected so tests control it.

#include <map>
#include <optional>
#include <string>

namespace au {

class Environment {
  public:
    virtual ~Environment() = default;
    // The variable's value, or nullopt when it is not set. An empty value is returned as "".
    virtual std::optional<std::string> get(const std::string& name) const = 0;
    // get(name) when set and non-empty, else `fallback`.
    std::string getOr(const std::string& name, const std::string& fallback) const;
};

// The real process environment (getenv).
class ProcessEnvironment final : public Environment {
  public:
    std::optional<std::string> get(const std::string& name) const override;
};

// A fixed map, for tests and for composing overrides.
class MapEnvironment final : public Environment {
  public:
    MapEnvironment() = default;
    explicit MapEnvironment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
    std::optional<std::string> get(const std::string& name) const override;
    void set(const std::string& name, const std::string& value) { vars_[name] = value; }

  private:
    std::map<std::string, std::string> vars_;
};

}  // namespace au

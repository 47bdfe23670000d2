#pragma once
// Status and Result<T>: expected failures travel as values.
//
// A Status is either ok or an error with a short machine-readable `code` (for AWS errors the
// exception name, e.g. "ConditionalCheckFailedException"; for transport problems "Timeout",
// "ConnectionError", ...) and a human-readable `message`. Result<T> holds a T or an error Status.

#include <string>
#include <utility>
#include <variant>

namespace au {

class Status {
  public:
    Status() = default;
    static Status ok() { return Status(); }
    static Status error(std::string code, std::string message) {
        Status s;
        s.ok_ = false;
        s.code_ = std::move(code);
        s.message_ = std::move(message);
        return s;
    }

    bool isOk() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const std::string& code() const { return code_; }
    const std::string& message() const { return message_; }
    std::string toString() const { return ok_ ? std::string("OK") : code_ + ": " + message_; }

  private:
    bool ok_ = true;
    std::string code_;
    std::string message_;
};

template <class T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
    Result(Status error) : v_(std::move(error)) {}  // NOLINT: implicit by design

    bool isOk() const { return v_.index() == 0; }
    explicit operator bool() const { return isOk(); }

    // REQUIRES: isOk()
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // REQUIRES: !isOk()
    const Status& status() const { return std::get<1>(v_); }

  private:
    std::variant<T, Status> v_;
};

}  // namespace au

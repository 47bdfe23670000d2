#pragma once
// Kinesis sequence numbers: decimal digit strings of up to ~56 digits, ordered as integers
// within a shard. Never parsed into an integer type.

#include <string>

namespace au::leases {

// True when `text` is a non-empty string of decimal digits.
bool isSequenceNumber(const std::string& text);

// <0, 0, >0 as a is before, equal to, after b. REQUIRES: both isSequenceNumber.
int compareSequenceNumbers(const std::string& a, const std::string& b);

}  // namespace au::leases

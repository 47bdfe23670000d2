#include "leases/sequence_number.h"

#include <algorithm>

namespace au::leases {

bool isSequenceNumber(const std::string& text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int compareSequenceNumbers(const std::string& a, const std::string& b) {
    const auto skipZeros = [](const std::string& s) {
        const auto first = s.find_first_not_of('0');
        return first == std::string::npos ? s.size() : first;
    };
    const size_t za = skipZeros(a), zb = skipZeros(b);
    const size_t la = a.size() - za, lb = b.size() - zb;
    if (la != lb) return la < lb ? -1 : 1;
    return a.compare(za, la, b, zb, lb);
}

}  // namespace au::leases

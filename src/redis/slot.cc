#include "redis/slot.h"

#include <array>

namespace au::redis {

namespace {

constexpr std::array<uint16_t, 256> makeTable() {
    std::array<uint16_t, 256> table{};
    for (int byte = 0; byte < 256; ++byte) {
        uint16_t crc = static_cast<uint16_t>(byte << 8);
        for (int bit = 0; bit < 8; ++bit) {
            crc = static_cast<uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
        }
        table[static_cast<size_t>(byte)] = crc;
    }
    return table;
}

constexpr std::array<uint16_t, 256> kTable = makeTable();

}  // namespace

uint16_t crc16(std::string_view bytes) {
    uint16_t crc = 0;
    for (const char c : bytes) {
        const auto index = static_cast<uint8_t>((crc >> 8) ^ static_cast<uint8_t>(c));
        crc = static_cast<uint16_t>((crc << 8) ^ kTable[index]);
    }
    return crc;
}

int keySlot(std::string_view key) {
    if (const auto open = key.find('{'); open != std::string_view::npos) {
        const auto close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1) {
            key = key.substr(open + 1, close - open - 1);
        }
    }
    return crc16(key) & (kSlotCount - 1);
}

}  // namespace au::redis

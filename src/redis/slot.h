#pragma once
// Redis Cluster key slots (the cluster specification's key distribution model): a key's slot is
// CRC16(key) mod 16384, where CRC16 is the XMODEM variant (polynomial 0x1021, initial value 0, no
// reflection) and, when the key holds a hash tag — the bytes between its first '{' and the first
// '}' after it, when there is at least one — only the tag is hashed. Pure functions.

#include <cstdint>
#include <string_view>

namespace au::redis {

constexpr int kSlotCount = 16'384;

uint16_t crc16(std::string_view bytes);
// The slot of a key, honouring its hash tag.
int keySlot(std::string_view key);

}  // namespace au::redis

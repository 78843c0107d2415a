// Capacity units as DynamoDB charges them: a read costs one RCU per 4 KB (rounded up; an
// eventually consistent read half of that), a write one WCU per 1 KB (rounded up).
#pragma once

#include "models/admission/token_bucket.h"
#include "models/scenario.h"

#include <algorithm>
#include <cstdint>

namespace models::admission {

inline MicroUnits capacity_units(Operation op, std::uint64_t item_bytes) {
  const std::uint64_t bytes = std::max<std::uint64_t>(item_bytes, 1);
  if (is_write(op)) return static_cast<MicroUnits>((bytes + 1023) / 1024) * kMicro;
  const MicroUnits read = static_cast<MicroUnits>((bytes + 4095) / 4096) * kMicro;
  return op == Operation::get_eventual ? read / 2 : read;
}

}  // namespace models::admission

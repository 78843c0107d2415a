// 128-bit unsigned arithmetic for exact products and 16-byte keys. GCC and Clang both provide
// __int128 on x86-64; ISO C++ does not, hence the __extension__ marker.
#pragma once

namespace sim {
__extension__ typedef unsigned __int128 uint128;
}  // namespace sim

namespace sim {
__extension__ typedef __int128 int128;
}  // namespace sim

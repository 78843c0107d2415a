// Always-on invariant checks for the simulator. A failed assertion is a bug in
// ddbsim, never a user error: it prints both operands and aborts.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace sim::detail {
[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line,
                                          const std::string& detail) {
  std::fprintf(stderr, "ddbsim: assertion failed: %s (%s) at %s:%d\n", expr, detail.c_str(), file,
               line);
  std::fflush(stderr);
  std::abort();
}
}  // namespace sim::detail

#define SIM_ASSERT(cond)                                                           \
  do {                                                                             \
    if (!(cond)) [[unlikely]]                                                      \
      ::sim::detail::assertion_failed(#cond, __FILE__, __LINE__, std::string{}); \
  } while (0)

// SIM_ASSERT_OP(a, <=, b) prints the values of both sides when it fails.
#define SIM_ASSERT_OP(a, op, b)                                                    \
  do {                                                                             \
    const auto& sim_assert_lhs_ = (a);                                             \
    const auto& sim_assert_rhs_ = (b);                                             \
    if (!(sim_assert_lhs_ op sim_assert_rhs_)) [[unlikely]]                        \
      ::sim::detail::assertion_failed(                                             \
          #a " " #op " " #b, __FILE__, __LINE__,                                   \
          fmt::format("{} vs {}", sim_assert_lhs_, sim_assert_rhs_));              \
  } while (0)

// A branch that a switch over every enumerator never takes.
#define SIM_UNREACHABLE() ::sim::detail::assertion_failed("unreachable", __FILE__, __LINE__, std::string{})

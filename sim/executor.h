// The kernel seen as a Boost.Asio execution context: a standard executor whose execute()
// schedules the function at the current virtual instant. Include this to use Asio with a Kernel.
#pragma once

#include "sim/kernel.h"

#include <boost/asio/execution.hpp>

namespace sim {

inline constexpr KindId kAsioKind = 1;        // registered second by every Kernel
inline constexpr KindId kRpcTimeoutKind = 2;  // and this third

class Kernel::executor_type {
 public:
  explicit executor_type(Kernel& kernel) noexcept : kernel_(&kernel) {}

  Kernel& query(boost::asio::execution::context_t) const noexcept { return *kernel_; }
  static constexpr boost::asio::execution::blocking_t query(
      boost::asio::execution::blocking_t) noexcept {
    // Never run inline: a posted function always becomes its own event, so the order of
    // zero-delay hops is decided by the (time, sequence) rule alone.
    return boost::asio::execution::blocking.never;
  }
  executor_type require(boost::asio::execution::blocking_t::never_t) const noexcept {
    return *this;
  }

  template <class F>
  void execute(F&& f) const {
    // Attribute Asio's internal hops to whichever actor caused them.
    kernel_->post(Tag{kernel_->current_tag().actor, kAsioKind}, std::forward<F>(f));
  }

  Kernel& kernel() const noexcept { return *kernel_; }
  friend bool operator==(const executor_type& a, const executor_type& b) noexcept {
    return a.kernel_ == b.kernel_;
  }

 private:
  Kernel* kernel_;
};

inline Kernel::executor_type Kernel::get_executor() noexcept { return executor_type(*this); }

static_assert(boost::asio::execution::is_executor<Kernel::executor_type>::value);

}  // namespace sim

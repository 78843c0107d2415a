// Asio operations on virtual time: coroutine spawning, async_sleep and a cancellable Timer.
// Each accepts any completion token (callbacks, asio::awaitable, deferred) and honours
// per-operation cancellation; completions never run inline with their initiation.
#pragma once

#include "sim/executor.h"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <vector>

namespace sim {

template <class T>
using Co = boost::asio::awaitable<T, Kernel::executor_type>;
inline constexpr boost::asio::use_awaitable_t<Kernel::executor_type> use_co{};
using error_code = boost::system::error_code;

// Starts a coroutine on the kernel. An exception escaping it is not lost (as with `detached`)
// but rethrown from Kernel::run_until, so a broken actor stops the simulation loudly.
inline void spawn(Kernel& kernel, Co<void> coroutine) {
  boost::asio::co_spawn(kernel.get_executor(), std::move(coroutine), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
}

namespace detail {

// A pending wait: the kernel event that completes `handler` with success at its time.
template <class Handler>
struct WaitOp {
  Handler handler;
  void operator()() {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.clear();
    std::move(handler)(error_code{});
  }
};

template <class Handler>
struct AbortedCompletion {
  Handler handler;
  void operator()() {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.clear();
    std::move(handler)(error_code(boost::asio::error::operation_aborted));
  }
};

// Takes the handler out of a pending wait and completes it with operation_aborted as a new
// event at the current instant (never inline: the caller may be inside the handler's frame).
template <class Handler>
bool abort_wait(Kernel& kernel, EventId id) {
  auto* op = kernel.pending_payload<WaitOp<Handler>>(id);
  if (op == nullptr) return false;
  Handler handler = std::move(op->handler);
  const Tag tag{kernel.current_tag().actor, kAsioKind};
  kernel.cancel(id);
  kernel.post(tag, AbortedCompletion<Handler>{std::move(handler)});
  return true;
}

template <class Handler>
struct WaitCanceller {
  WaitCanceller(Kernel* k, EventId e) : kernel(k), id(e) {}  // clang 14: no aggregate paren-init
  Kernel* kernel;
  EventId id;
  void operator()(boost::asio::cancellation_type_t type) {
    if (type == boost::asio::cancellation_type::none) return;
    abort_wait<Handler>(*kernel, id);
  }
};

// Schedules a wait completing at `when`; wires up per-operation cancellation if requested.
template <class Handler>
EventId start_wait(Kernel& kernel, Time when, Tag tag, Handler handler) {
  auto slot = boost::asio::get_associated_cancellation_slot(handler);
  const EventId id = kernel.at(when, tag, WaitOp<Handler>{std::move(handler)});
  if (slot.is_connected()) slot.template emplace<WaitCanceller<Handler>>(&kernel, id);
  return id;
}

}  // namespace detail

// Completes with error_code{} after `delay` of virtual time, or operation_aborted if cancelled.
template <class Token>
auto async_sleep(Kernel& kernel, Duration delay, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code)>(
      [&kernel, delay](auto handler) {
        detail::start_wait(kernel, kernel.now() + delay, Tag{kernel.current_tag().actor, kAsioKind},
                           std::move(handler));
      },
      token);
}

// A deadline that many operations may wait on. Changing the deadline or cancel() aborts every
// pending wait with operation_aborted, as asio::steady_timer does.
class Timer {
 public:
  explicit Timer(Kernel& kernel) : kernel_(&kernel) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  std::size_t expires_at(Time when) {
    const std::size_t aborted = cancel();
    expiry_ = when;
    return aborted;
  }
  std::size_t expires_after(Duration delay) { return expires_at(kernel_->now() + delay); }
  Time expiry() const { return expiry_; }

  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code)>(
        [this](auto handler) {
          using Handler = decltype(handler);
          prune();
          const Time when = expiry_ < kernel_->now() ? kernel_->now() : expiry_;
          const EventId id = detail::start_wait(
              *kernel_, when, Tag{kernel_->current_tag().actor, kAsioKind}, std::move(handler));
          waits_.push_back(PendingWait{id, &detail::abort_wait<Handler>});
        },
        token);
  }

  // Aborts every pending wait; returns how many there were.
  std::size_t cancel() {
    std::size_t aborted = 0;
    for (const PendingWait& wait : waits_)
      if (wait.abort(*kernel_, wait.id)) ++aborted;
    waits_.clear();
    return aborted;
  }

 private:
  struct PendingWait {
    EventId id;
    bool (*abort)(Kernel&, EventId);
  };
  void prune() {
    std::erase_if(waits_, [this](const PendingWait& w) { return !kernel_->pending(w.id); });
  }
  Kernel* kernel_;
  Time expiry_ = Time::zero();
  std::vector<PendingWait> waits_;
};

}  // namespace sim

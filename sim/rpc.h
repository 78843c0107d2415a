// Request/response over the simulated network with a timeout, for any completion token
// (callbacks or coroutines). The pending call lives in the kernel as its timeout event.
#pragma once

#include "sim/async.h"
#include "sim/network.h"

#include <boost/asio/error.hpp>

namespace sim {

// The server's handle for answering one call. Copyable; answering twice is harmless (the
// second answer finds the call completed and is dropped on arrival).
template <class Response>
class Reply {
 public:
  Reply() = default;
  // Sends the answer from `server` back to the caller over the network.
  void send(const Node& server, Response response) const {
    network_->send(server, caller_, kind_, Answer{network_, pending_, complete_, std::move(response)},
                   Transport::stream);
  }
  // As send(), with the answer held back until `departs` (sim/network.h, send_at).
  void send_at(const Node& server, Time departs, Response response) const {
    network_->send_at(server, departs, caller_, kind_, Answer{network_, pending_, complete_, std::move(response)},
                      Transport::stream);
  }
  NodeId caller() const { return caller_; }
  bool valid() const { return network_ != nullptr; }

 private:
  template <class R, class S, class Handler>
  friend void start_call(Node&, NodeId, KindId, KindId, Duration, S&&, Handler);
  using Complete = void (*)(Kernel&, EventId, Response&&);

  struct Answer {
    Network* network;
    EventId pending;
    Complete complete;
    Response response;
    void operator()() { complete(network->kernel(), pending, std::move(response)); }
    void describe(std::string& out) const { sim::detail::describe_payload(response, out); }
  };

  Reply(Network* network, NodeId caller, EventId pending, KindId kind, Complete complete)
      : network_(network), pending_(pending), complete_(complete), caller_(caller), kind_(kind) {}

  // Pointers first, then the 4-byte ids: 32 bytes, so a request and its reply handle fit the
  // kernel's event slot.
  Network* network_ = nullptr;
  EventId pending_;
  Complete complete_ = nullptr;
  NodeId caller_ = 0;
  KindId kind_ = 0;
};

namespace detail {

// The timeout event of a call; its payload owns the completion handler until one of the
// timeout, the answer or a cancellation takes it.
template <class Response, class Handler>
struct PendingCall {
  Node* caller;
  std::uint32_t incarnation;
  Handler handler;

  bool caller_alive() const { return caller->powered() && caller->incarnation() == incarnation; }
  void finish(error_code ec, Response response) {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.clear();
    std::move(handler)(ec, std::move(response));
  }
  void operator()() {  // the timeout fired first
    if (caller_alive()) finish(error_code(boost::asio::error::timed_out), Response{});
  }
};

template <class Response, class Handler>
void complete_call(Kernel& kernel, EventId id, Response&& response) {
  auto* call = kernel.pending_payload<PendingCall<Response, Handler>>(id);
  if (call == nullptr) return;  // timed out or cancelled already: a late answer is dropped
  if (!call->caller_alive()) {  // the caller rebooted: nobody is waiting any more
    kernel.cancel(id);
    return;
  }
  PendingCall<Response, Handler> taken = std::move(*call);
  kernel.cancel(id);
  taken.finish(error_code{}, std::move(response));
}

template <class Response, class Handler>
struct AbortCall {
  PendingCall<Response, Handler> call;
  void operator()() {
    if (call.caller_alive()) call.finish(error_code(boost::asio::error::operation_aborted), Response{});
  }
};

template <class Response, class Handler>
struct CallCanceller {
  CallCanceller(Kernel* k, EventId e) : kernel(k), id(e) {}  // clang 14: no aggregate paren-init
  Kernel* kernel;
  EventId id;
  void operator()(boost::asio::cancellation_type_t type) {
    if (type == boost::asio::cancellation_type::none) return;
    auto* call = kernel->pending_payload<PendingCall<Response, Handler>>(id);
    if (call == nullptr) return;
    AbortCall<Response, Handler> abort{std::move(*call)};
    const Tag tag{abort.call.caller->actor(), kAsioKind};
    kernel->cancel(id);
    kernel->post(tag, std::move(abort));
  }
};

// The request on the wire: runs the server's side with the reply handle on arrival.
template <class Serve, class Response>
struct ServeRequest {
  Serve serve;
  Reply<Response> reply;
  void operator()() { serve(reply); }
  void describe(std::string& out) const { describe_payload(serve, out); }
};

}  // namespace detail

template <class Response, class Serve, class Handler>
void start_call(Node& caller, NodeId server, KindId request_kind, KindId response_kind,
                Duration timeout, Serve&& serve, Handler handler) {
  Kernel& kernel = caller.kernel();
  auto slot = boost::asio::get_associated_cancellation_slot(handler);
  using Pending = detail::PendingCall<Response, Handler>;
  const EventId id = kernel.after_timer(timeout, Tag{caller.actor(), kRpcTimeoutKind},
                                  Pending{&caller, caller.incarnation(), std::move(handler)});
  if (slot.is_connected())
    slot.template emplace<detail::CallCanceller<Response, Handler>>(&kernel, id);
  Reply<Response> reply(&caller.network(), caller.id(), id, response_kind,
                        &detail::complete_call<Response, Handler>);
  caller.network().send(caller, server, request_kind,
                        detail::ServeRequest<std::decay_t<Serve>, Response>{std::forward<Serve>(serve), reply},
                        Transport::stream);
}

// Calls `server`: `serve(Reply<Response>)` runs on the server when the request arrives, and
// must eventually call reply.send(...) (or never, if the server dies). Completes with
// (error_code{}, response), (timed_out, {}) after `timeout`, or (operation_aborted, {}) when
// cancelled. If the caller loses power first, the completion is dropped, never run.
template <class Response, class Serve, class Token>
auto async_call(Node& caller, NodeId server, KindId request_kind, KindId response_kind,
                Duration timeout, Serve&& serve, Token&& token) {
  return boost::asio::async_initiate<Token, void(error_code, Response)>(
      [&caller, server, request_kind, response_kind, timeout](auto handler, auto&& serve_fn) {
        start_call<Response>(caller, server, request_kind, response_kind, timeout,
                             std::forward<decltype(serve_fn)>(serve_fn), std::move(handler));
      },
      token, std::forward<Serve>(serve));
}

}  // namespace sim

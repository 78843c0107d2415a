// Tests of sim/executor.h, sim/async.h and sim/rpc.h: Asio on virtual time.
#include "sim/async.h"
#include "sim/network.h"
#include "sim/rpc.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sim;
namespace asio = boost::asio;

TEST_CASE("Asio: post runs on the kernel at the current virtual instant", "[asio]") {
  Kernel kernel(1);
  std::vector<std::int64_t> times;
  kernel.at(Time::from_nanos(100), {}, [&] {
    asio::post(kernel.get_executor(), [&] { times.push_back(kernel.now().nanos()); });
  });
  kernel.run();
  CHECK(times == std::vector<std::int64_t>{100});
}

TEST_CASE("Asio: async_sleep with a callback completes after virtual time passes", "[asio]") {
  Kernel kernel(1);
  error_code seen = asio::error::fault;
  std::int64_t at = -1;
  async_sleep(kernel, millis(5), [&](error_code ec) {
    seen = ec;
    at = kernel.now().nanos();
  });
  kernel.run();
  CHECK_FALSE(seen);
  CHECK(at == millis(5).nanos());
}

TEST_CASE("Asio: coroutines sleep on virtual time and interleave deterministically", "[asio]") {
  Kernel kernel(1);
  std::vector<std::string> log;
  auto worker = [&](std::string name, Duration step) -> Co<void> {
    for (int i = 0; i < 3; ++i) {
      co_await async_sleep(kernel, step, use_co);
      log.push_back(name + "@" + std::to_string(kernel.now().nanos() / 1'000'000));
    }
  };
  spawn(kernel, worker("a", millis(2)));
  spawn(kernel, worker("b", millis(3)));
  kernel.run();
  // At 6 ms both wake; b scheduled its wait at 3 ms, before a did at 4 ms, so b runs first.
  CHECK(log == std::vector<std::string>{"a@2", "b@3", "a@4", "b@6", "a@6", "b@9"});
}

TEST_CASE("Asio: an exception escaping a coroutine is rethrown by the kernel", "[asio]") {
  Kernel kernel(1);
  // Coroutine lambdas are named: a temporary closure would die before its frame resumes.
  auto failing = [&]() -> Co<void> {
    co_await async_sleep(kernel, millis(1), use_co);
    throw std::runtime_error("actor failed");
  };
  spawn(kernel, failing());
  CHECK_THROWS_WITH(kernel.run(), "actor failed");
}

TEST_CASE("Asio: a Timer aborts its waits when cancelled or moved", "[asio]") {
  Kernel kernel(1);
  Timer timer(kernel);
  timer.expires_after(seconds(10));
  std::vector<std::string> log;
  timer.async_wait([&](error_code ec) { log.push_back(ec ? "aborted@" + std::to_string(kernel.now().nanos()) : "fired"); });
  timer.async_wait([&](error_code ec) { log.push_back(ec ? "aborted" : "fired"); });
  kernel.at(Time::from_nanos(50), {}, [&] { CHECK(timer.cancel() == 2); });
  kernel.run();
  CHECK(log == std::vector<std::string>{"aborted@50", "aborted"});

  log.clear();
  timer.expires_after(seconds(1));
  timer.async_wait([&](error_code ec) { log.push_back(ec ? "aborted" : "fired@" + std::to_string(kernel.now().nanos())); });
  kernel.run();
  CHECK(log == std::vector<std::string>{"fired@1000000050"});
}

TEST_CASE("Asio: per-operation cancellation aborts a sleep as a new event", "[asio]") {
  Kernel kernel(1);
  asio::cancellation_signal signal;
  std::vector<std::string> log;
  async_sleep(kernel, seconds(5), asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) {
                log.push_back(ec == asio::error::operation_aborted ? "aborted" : "slept");
              }));
  kernel.at(Time::from_nanos(10), {}, [&] {
    signal.emit(asio::cancellation_type::terminal);
    log.push_back("emitted");  // the completion comes later, never inline
  });
  kernel.run();
  CHECK(log == std::vector<std::string>{"emitted", "aborted"});
  CHECK(kernel.now() == Time::from_nanos(10));
}

TEST_CASE("Asio: awaitable || picks the first of two sleeps and cancels the other", "[asio]") {
  using namespace asio::experimental::awaitable_operators;
  Kernel kernel(1);
  std::size_t winner = 99;
  std::int64_t at = -1;
  auto race = [&]() -> Co<void> {
    auto result = co_await (async_sleep(kernel, millis(7), use_co) || async_sleep(kernel, millis(3), use_co));
    winner = result.index();
    at = kernel.now().nanos();
  };
  spawn(kernel, race());
  kernel.run();
  CHECK(winner == 1);
  CHECK(at == millis(3).nanos());
  CHECK(kernel.events_pending() == 0);
}

namespace {
struct EchoServer : Node {
  EchoServer(Network& net, std::string name) : Node(net, std::move(name), 0, "server") {}
  Duration think = millis(1);
  void serve(int x, Reply<int> reply) {
    after(think, 0, [this, x, reply] { reply.send(*this, x * 2); });
  }
};
struct Caller : Node {
  Caller(Network& net, std::string name) : Node(net, std::move(name), 0, "client") {}
};
NetworkConfig fixed_latency(Duration d) {
  NetworkConfig config;
  for (auto& link : config.links) link.latency = DurationDistribution::constant(d);
  return config;
}
}  // namespace

TEST_CASE("Rpc: a call with a callback gets the answer after two network hops", "[asio][rpc]") {
  Kernel kernel(1);
  Network net(kernel, fixed_latency(micros(100)));
  net.add_az("az1");
  EchoServer server(net, "server");
  Caller caller(net, "caller");
  int answer = 0;
  error_code seen = asio::error::fault;
  async_call<int>(caller, server.id(), 0, 0, seconds(1),
                  [&server](Reply<int> reply) { server.serve(21, reply); },
                  [&](error_code ec, int value) {
                    seen = ec;
                    answer = value;
                  });
  kernel.run();
  CHECK_FALSE(seen);
  CHECK(answer == 42);
  CHECK(kernel.now() == Time::zero() + micros(100) + millis(1) + micros(100));
}

TEST_CASE("Rpc: a call to a powered-off server times out, and a late answer is dropped", "[asio][rpc]") {
  Kernel kernel(1);
  Network net(kernel, fixed_latency(micros(100)));
  net.add_az("az1");
  EchoServer server(net, "server");
  Caller caller(net, "caller");
  std::vector<std::string> log;
  auto record = [&](error_code ec, int value) {
    log.push_back((ec == asio::error::timed_out ? "timeout@" : "ok" + std::to_string(value) + "@") +
                  std::to_string(kernel.now().nanos() / 1'000'000));
  };
  server.power_off();
  async_call<int>(caller, server.id(), 0, 0, millis(50), [&server](Reply<int> r) { server.serve(1, r); }, record);
  kernel.run();
  server.power_on();
  server.think = millis(80);  // answers after the caller gave up
  async_call<int>(caller, server.id(), 0, 0, millis(50), [&server](Reply<int> r) { server.serve(2, r); }, record);
  kernel.run();
  CHECK(log == std::vector<std::string>{"timeout@50", "timeout@100"});
}

TEST_CASE("Rpc: a call from a coroutine raced against a sleep", "[asio][rpc]") {
  using namespace asio::experimental::awaitable_operators;
  Kernel kernel(1);
  Network net(kernel, fixed_latency(micros(100)));
  net.add_az("az1");
  EchoServer server(net, "server");
  Caller caller(net, "caller");
  int answer = 0;
  auto calls = [&]() -> Co<void> {
    answer = co_await async_call<int>(caller, server.id(), 0, 0, seconds(1),
                                      [&server](Reply<int> r) { server.serve(5, r); }, use_co);
    auto raced = co_await (async_call<int>(caller, server.id(), 0, 0, seconds(1),
                                           [&server](Reply<int> r) { server.serve(6, r); }, use_co) ||
                           async_sleep(kernel, micros(10), use_co));
    CHECK(raced.index() == 1);  // the sleep won; the call was cancelled
  };
  spawn(kernel, calls());
  kernel.run();
  CHECK(answer == 10);
}

TEST_CASE("Rpc: a caller that loses power never sees its completion", "[asio][rpc]") {
  Kernel kernel(1);
  Network net(kernel, fixed_latency(micros(100)));
  net.add_az("az1");
  EchoServer server(net, "server");
  Caller caller(net, "caller");
  int completions = 0;
  async_call<int>(caller, server.id(), 0, 0, millis(50), [&server](Reply<int> r) { server.serve(1, r); },
                  [&](error_code, int) { ++completions; });
  kernel.at(Time::zero() + micros(150), {}, [&] { caller.power_off(); });
  kernel.at(Time::zero() + micros(200), {}, [&] { caller.power_on(); });
  kernel.run();
  CHECK(completions == 0);
}

// Signal handling with asio::signal_set on a small io_context thread of its own.
#include "tools/interrupt_watcher.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <thread>

namespace tools {

struct InterruptWatcher::Impl {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::thread thread;
};

InterruptWatcher::InterruptWatcher() : impl_(std::make_unique<Impl>()) {
  impl_->signals.async_wait([this](const boost::system::error_code& error, int) {
    if (!error) interrupted_.store(true);
  });
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

InterruptWatcher::~InterruptWatcher() {
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tools

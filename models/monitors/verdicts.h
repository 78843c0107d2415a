// The safety invariants the monitors check in every run, and what each one found. Shared by the
// monitors (which record) and the reports (which print): plain data.
#pragma once

#include "models/replication/types.h"
#include "sim/time.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace models::monitors {

enum class Invariant : std::uint8_t {
  lease_exclusivity,       // at most one replica serves a group under a lease at any instant
  agreement,               // no two replicas apply different entries at a slot; committed never changes
  acknowledged_on_quorum,  // an acknowledged write is on disk on a quorum of its slot's configuration
  config_quorum,           // a configuration change commits only with quorums of the old and the new one
  convergence,             // after the final heal: one leader, three voting storage replicas, one state
  lease_backed,            // a leader serves only while a quorum of its members has granted it a lease
};
inline constexpr std::size_t kInvariantCount = 6;

std::string_view invariant_name(Invariant invariant);  // "lease_exclusivity", ...
std::string_view invariant_rule(Invariant invariant);  // the rule in words, for reports

struct Violation {
  Invariant invariant = Invariant::agreement;
  replication::GroupId group = 0;
  sim::Time at;
  std::string detail;
};

struct InvariantVerdict {
  std::uint64_t checked = 0;     // how many times the rule was checked
  std::uint64_t violations = 0;
  std::optional<Violation> first;
  bool passed() const { return violations == 0; }
};

// Thrown by a monitor that found a violation while the simulation runs: the run stops inside the
// event that broke the rule (the model's own assertions further on would only crash), and the
// simulation reports what the monitors found.
struct SafetyViolation {
  Invariant invariant;
};

// Where the monitors put what they find. A violation found during the run throws
// SafetyViolation; one found after it (convergence) is only recorded.
class Verdicts {
 public:
  explicit Verdicts(std::function<sim::Time()> clock) : clock_(std::move(clock)) {}
  void checked(Invariant invariant, std::uint64_t count = 1) { verdicts_[index(invariant)].checked += count; }
  void violated(Invariant invariant, replication::GroupId group, std::string detail);
  // From here on violations are only recorded (after the run, or in tests).
  void record_only() { running_ = false; }

  const InvariantVerdict& operator[](Invariant invariant) const { return verdicts_[index(invariant)]; }
  bool any_violated() const;

 private:
  static std::size_t index(Invariant invariant) { return static_cast<std::size_t>(invariant); }
  std::function<sim::Time()> clock_;
  bool running_ = true;
  std::array<InvariantVerdict, kInvariantCount> verdicts_{};
};

}  // namespace models::monitors

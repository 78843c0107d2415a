// The models' data-corruption faults (registered by models::scenario_faults):
//   bit_rot      silently corrupts stored items on one storage node (by name or placement): `items`
//                of them at `at`, and again every `every` for `duration` if given. A corrupted item's
//                page checksum no longer matches its bytes.
//   buggy_build  from `at` (for `duration`), a build on one storage node, or on every one
//                (`"node": "every_storage_node"`), stores a wrong value for a write with
//                `probability`: on the apply path (each replica it runs on applies the wrong value,
//                with a valid checksum) or on the leader's propose path (the wrong value goes into
//                the log, so every replica and the archive hold it). Which writes it hits is a
//                function of the write, so one build damages the same writes wherever it runs.
#pragma once

#include "sim/faults.h"

namespace models::verification {

void add_corruption_faults(sim::FaultRegistry& registry);

}  // namespace models::verification

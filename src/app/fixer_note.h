#pragma once
// The in-process lease fixer's last action as a ShardNotes::FixerProbe (published with the
// shard's stats for `serve`'s dashboard): "off" without a fixer, else the fixer's state in words —
// "watching", "left alone", "cutting", "cut", "not cut", "stopped" — with its reason, and the time
// the probe first saw that state (the probe is polled with every stats publication, ~1 s).
// The probe is safe from any thread (StaleLeaseFixer::snapshot() is).

#include "activeset/shard_notes.h"
#include "leases/stale_lease_fixer.h"

namespace au::app {

// `fixer` may be null; otherwise it must outlive the probe.
activeset::ShardNotes::FixerProbe fixerProbe(const leases::StaleLeaseFixer* fixer);

// The words for a fixer state (see above).
const char* fixerAction(leases::StaleLeaseFixer::State state);

}  // namespace au::app

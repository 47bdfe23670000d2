#pragma once
// The program's commands; main() only parses the command line and calls one of these.
// Each returns the process exit code: 0 success, 1 failure, 2 usage or configuration error.

#include "app/cli.h"

namespace au::app {

// Processor mode, under the MultiLangDaemon: `active-users [--properties F] [--record-transcript
// D]`.
int runProcessor(const CommandLine& cl);
// `active-users query (--state-dir DIR | --redis URL (--key K | --properties F)) [--json] [--at
// MS]`
int runQuery(const CommandLine& cl);
// `active-users serve (--state-dir DIR | --redis URL (--key K | --properties F)) [--listen H:P]`
// (docs/active-set.md); runs until SIGINT/SIGTERM.
// (in active-users-serve)
int runServe(const CommandLine& cl);
// Replaces this process with active-users-serve from the same folder, with the same arguments.
// Returns only on failure (exit code 1, message on stderr).
int execServe(char** argv);
// `active-users check-config --properties FILE` (`--list` prints every activeUsers.* key)
int runCheckConfig(const CommandLine& cl);
// `active-users replay FILE [--properties FILE]`
int runReplay(const CommandLine& cl);
// `active-users fix-leases --properties FILE [--apply] [--shard ID] [--json]`: the startup lease
// fixer (docs/leases.md); 0 done, 1 some lease or the scan failed, 2 usage/configuration.
int runFixLeases(const CommandLine& cl);
// `active-users shards --properties F [--json]`: the stream's open shard count (ListShards), for the
// launcher's JVM sizing (docs/host.md); 0 done, 1 Kinesis failed, 2 usage/configuration.
int runShards(const CommandLine& cl);

}  // namespace au::app

#!/usr/bin/env bash
# Rebuilds docs/performance.md from the newest result of each benchmark in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
latest() { ls -1 bench/results/"$1"-[0-9]*.md 2>/dev/null | sort | tail -1 || true; }
accept=$(latest accept-rate)
engines=$(latest spool-engines)
deep=$(latest deep-queue)
relay=$(latest relay)
relaydeep=$(latest relay-deep)
balance=$(latest balance)
metricsrec=$(latest metrics-recording)
obsab=$(latest relay-webhooks-before-after)
dkimrsa=$(latest relay-dkim-rsa-before-after)
dkimed=$(latest relay-dkim-ed25519-before-after)
deliverab=$(latest relay-deliverability-before-after)
obsprof=$(latest profile-relay-4k-webhook)
templates=$(latest templates)
api=$(latest api-injection)
mixed=$(latest mixed-destinations)
deepdest=$(latest deep-destinations)
idle=$(latest idle-connections)
apimem=$(latest api-memory)
cluster=$(latest cluster)
clusternodes=$(latest cluster-nodes)
clusteraccept=$(latest cluster-accept)
clusterrepl=$(latest cluster-replication)
{
  cat <<'MD'
# Performance

Figures come from the benchmarks under `bench/`, run on this project's 2-core machines; each run
writes a dated file to `bench/results/` and this page is rebuilt from the newest of each
(`bench/report.sh`). Re-run everything with `./build.sh bench`.

## Accept rate — `bench/accept-rate/run.sh`

Goal (performance issue): accept-only at least 3x the rate of Postfix's smtpd configured as the
reference (`bench/postfix-reference.cf`, holding what it accepts), same warm-up, interleaved runs,
medians; both fsync before 250. (The foundation issue's goal was 2x against an untuned smtpd.)

MD
  if [ -n "$accept" ]; then sed '1d' "$accept"; echo; echo "Source: \`$accept\`"; else echo "_not run yet_"; fi
  cat <<'MD'

### What limits the accept rate

- **CPU, shared three ways.** Two cores carry smtp-source, the server and the kernel's loopback
  TCP. The "machine busy" column is the whole box's busy share during each server's runs; with a
  connection per message, TCP setup and the greeting/EHLO/QUIT round-trips cost more than the
  message itself.
- **Latency, not CPU.** Each group commit is one WAL fsync; a session waits for the next commit,
  while throughput grows with the number of sessions (messages per commit is under the table).
  Measured on 11-30 (86d186d): a message takes 3.4 ms per session, of which 0.81 ms is the spool
  write (`sluice_spool_write_duration`: the wait for the group commit included), the rest the
  dialogue's round trips; the machine is 79% busy during Sluice's runs. By CPU per message (0.30 ms
  against smtpd's 1.06) Sluice would be 3.5x; the round trips of 10 unpipelined sessions hold it
  at 2.3x with a connection per message (the relay's 50-session row shows the rate when more
  sessions hide them). Since ADR 0037 (12-01) the 250 leaves from the spool's writer thread right
  after the fsync, instead of after a pool thread has been woken for the session's continuation:
  2,166 → 2,363 msgs/s in the same runs (`accept-rate-durable-reply-before-after-20261201T081440Z.md`).
- **The machine changed on 12-01.** From 08:00 that day the VM runs kernel 6.18.44-fc-v1045
  (before: fc-v669). On it a thread switch is dear (`perf bench sched pipe`: 21.5 µs per round
  trip at 08:05, 27 µs at 09:51; a system call 1 µs): Postfix's CPU per message doubled or more (smtpd 1.05 → 2.3–2.8 ms
  accept-only, 2.5–2.9 → 5.7–6.6 ms relayed at 4 KB), Sluice's by a third to a half (accept-only
  0.31 → 0.43–0.48 ms, relayed 4 KB 0.38 → 0.51–0.69 ms). Ratios measured in the same runs stay the measure;
  the absolute CPU goals are harder on this machine, and runs before and after the change are
  not comparable.
- **The single spool writer.** Three prepared SQLite statements and a JSON envelope per message on
  one thread (ADR 0020); the engine comparison below shows the headroom left before the spool is
  the limit.
- **The event log on the accept path.** Each accepted recipient writes a Reception event. Written
  with a syscall per line it cost about 0.08 ms CPU per message (0.39 → 0.47 ms); buffered and
  flushed every 200 ms it cost about 0.04 ms when measured (foundation issue, untuned peer).

## End-to-end relay — `bench/relay/run.sh`

The reference workload (`../shared/bench/README.md`): 10 sessions and one message per connection,
20,000 × 4 KB and 5,000 × 100 KB, and 20,000 × 4 KB over 50 sessions; the same warm-up for every
server (5,000 × 4 KB, 2,000 × 100 KB); servers interleaved, three repetitions, medians; a run ends
when the sink has counted every message. The peer is Postfix configured exactly as
`bench/postfix-reference.cf` (a verbatim copy of the shared reference: destination concurrency
100, connection cache on demand, no client name lookups, its log in a file); Sluice gets the same
100 connections to the next hop. Goals (performance issue): 4 KB ≤ 0.40 ms CPU per message and
≥ 5x Postfix; 100 KB ≤ 0.9 ms and ≥ 3x; 50 sessions without refusals and with the same ratios.

MD
  if [ -n "$relay" ]; then sed '1d' "$relay"; echo; echo "Source: \`$relay\`"; else echo "_not run yet_"; fi
  cat <<'MD'

### Where the CPU goes, and what moved it on 11-30 (performance issue)

Profiles from `bench/profile/run.sh` (perf, cpu-clock, JIT-compiled frames named; under perf the
node spends about 1.7x its normal CPU, so the shares count, not the absolute figures), committed
before (de58c2d) and after for both sizes: `bench/results/profile-relay-{4k,100k}-*.md`.

- **Before:** the spool's writer thread was 36% of the node's CPU at 4 KB, and SQLite's parser and
  planner (`sqlite3RunParser`, `yy_find_shift_action`, `resolveExprStep`, `sqlite3WhereBegin`,
  `exprDup`) were among its top frames: every operation built a new command, so each of the 4–5
  statements per message was parsed and planned again. The console logger thread was 3.7% (two
  lines per message), idle thread-pool workers spinning in `sched_yield` 4.8%.
- **Prepared statements** (`SpoolStatements`): 0.600 → 0.488 ms per 4 KB message, 4.49x → 5.31x
  Postfix in the same runs (`relay-before-after-20261130T095721Z.md`).
- **Per-message log lines at Debug** (the delivery event log is the per-message record).
- **No spinning before blocking** (`UnfairSemaphoreSpinLimit` 0): 0.508 → 0.471 ms, 3% less rate
  (`relay-before-after-20261130T100227Z.md`).
- **No fsync for bookkeeping-only batches** (leases, acks, deferrals, holds commit with
  `synchronous=NORMAL` and become durable with the next syncing commit; new messages still fsync
  before 250): 0.55 → 0.31 fsyncs per relayed message.
- **After, 4 KB:** the kernel is 52% of the node's CPU — `sendto` 10.8% (10 sends per message: 7
  replies to smtp-source's unpipelined dialogue, 3 towards the sink), `epoll_wait` 7.9%, `fsync`
  6.6%, `pwrite64` 4.6% (9.3 WAL page writes per message: the message row, its body row, its
  domain row and their indexes, touched at insert, lease and delete), and the scheduler
  (`finish_task_switch` 12–19%) from hand-offs between the socket engine, the thread pool and the
  spool writer. The JIT is still 9% after the reference warm-up (15% at 100 KB) — tiering is not
  done after 7,000 messages. SQLite 4.7%; managed code is spread thin (no frame above 0.4%).
  System calls per message (strace, 3,000 × 4 KB): 10 sendto, 14.7 recvfrom (2 of them EAGAIN),
  9.3 pwrite64, 5.3 epoll_wait, 3.6 futex, 4.1 fcntl, 1.3 sched_yield, 0.35 statfs, 0.31 fsync,
  1 shutdown (0.7 failing with ENOTCONN) and 1 poll from closing sockets.
- **Socket completions inline** (`DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS`, set by the node
  for itself unless the environment says otherwise: `RuntimeKnobs`): a socket's continuation runs
  on the socket engine's thread instead of being queued to a thread-pool worker, which cost a futex
  wake and a task switch on every line of the SMTP dialogue. Same runs against the build before:
  4 KB 0.500 → 0.429 ms CPU per message, 100 KB 0.802 → 0.710, 13% more rate at both sizes
  (`relay-inline-completions-before-after-20261130T192518Z.md`). In the profile after it
  (`profile-relay-4k-20261130T195341Z.md`) the scheduler's `finish_task_switch` fell from 15.4% to
  12.6% of the node's samples and the kernel from 52% to 48%; at 100 KB
  (`profile-relay-100k-20261130T195355Z.md`) from 11.9% to 7.4%.
- **Measured and not taken:** ReadyToRun for the node's assemblies (crossgen2 at publish): 4 KB
  0.423 → 0.451 ms, 100 KB 0.628 → 0.628 (`relay-r2r-before-after-20261130T191904Z.md`) — the
  precompiled code is replaced by tier-1 code within the warm-up anyway, and is worse until then.
  Server GC (`DOTNET_gcServer=1`): 4 KB 0.392 → 0.420 ms, 100 KB 0.672 → 0.690, less rate
  (`relay-server-gc-before-after-20261130T193633Z.md`): with two cores, a GC heap per core buys
  nothing and its threads compete with the socket engines; workstation concurrent GC stays.
- **New messages reach the engine without a lease statement** (ADR 0036, 12-01). Per-thread CPU
  on the 4 KB relay put the spool's writer thread first (0.13–0.17 of 0.41–0.44 ms per message, in
  runs by hand before `bench/profile/threads.sh` was written), mostly the kernel's WAL page writes
  and fsyncs. A message that arrived while the engine had room
  was inserted, then leased by an `UPDATE … RETURNING` that rewrote its row and index entry and
  parsed its envelope back from JSON, then deleted. Now it is stored already leased and handed to
  the engine in memory after its commit, and a lease before the next waiting message is due runs
  no statement; the body and its final dot also go to the next hop in one write. Same runs against
  e1b4102: 4 KB 0.418 → 0.389 ms, 100 KB 0.786 → 0.770
  (`relay-fresh-lane-before-after-20261201T050127Z.md`). Measured and not taken the same day:
  tiered PGO off (`DOTNET_TieredPGO=0`, to cut the JIT's share in short runs: 4 KB 0.452 → 0.492,
  100 KB 0.674 → 0.720, `relay-tiered-pgo-off-before-after-20261201T045055Z.md`); the
  scheduler running each dispatch on its own thread instead of a work item (4 KB 0.382 → 0.398,
  `relay-scheduler-inline-before-after-20261201T052306Z.md`); the spool writer sleeping without
  the channel's spin (`sched_yield`) first (4 KB 0.397 → 0.402, 100 KB 0.626 → 0.632,
  `relay-writer-no-spin-before-after-20261201T054406Z.md`). Profiles after it
  (`profile-relay-4k-20261201T054739Z.md`, `profile-relay-100k-20261201T054756Z.md`; under perf):
  SQLite's own code 9.5% → 6.9% of the node's samples at 4 KB, 4.9% → 4.2% at 100 KB; the kernel
  is still half (sendto 12.7%, epoll_wait 6.7%, fsync 6.7%, pwrite64 5.1%, the scheduler's
  `finish_task_switch` 13.2%). By thread after it (`threads-relay-20261201T063702Z.md`): socket engines
  0.149 ms, pool workers 0.131, the spool's writer 0.122, the tiered compiler 0.077 (this first run
  after the warm-up); 9 sendto per relayed message, against 10 on 11-30 (the body and its dot in
  one write).
- **On the 12-01 VM (after 08:00; see "The machine changed" above).** By thread
  (`threads-relay-20261201T084313Z.md`, e5580bf): socket engines 0.189 ms per relayed 4 KB
  message, pool workers 0.160, the spool's writer 0.148, the tiered compiler 0.016; 10.2 context
  switches per message. System calls per message: 14.3 recvfrom, 10.6 pwrite64, 9 sendto, 4.1
  fcntl, 3.6 futex, 3.2 epoll_wait. Changed: **one socket engine thread on two cores**
  (`RuntimeKnobs`: half the cores, at least one; the runtime starts one per core when completions
  run inline), same runs against two engines: 4 KB 0.666 → 0.513 ms (lower in each of 3 runs),
  50 sessions 0.445 → 0.412, 100 KB 0.802 → 0.798
  (`relay-one-socket-engine-before-after-20261201T092941Z.md`), and again on the final build
  against e13b8ef (two engines), same runs: 4 KB 0.610 → 0.540 ms and 1,340 → 1,537 msgs/s,
  100 KB 0.872 → 0.796 and 716 → 778, 50 sessions 0.488 → 0.451 and 1,560 → 1,616
  (`relay-one-engine-since-e13b8ef-before-after-20261201T101619Z.md`); message ids draw their random
  bytes 32 at a time (a call into OpenSSL and a getpid(2) per message before). Measured and not
  taken: sessions started on the accepting thread instead of a work item each (accept-only
  2,296 → 1,997 msgs/s, 0.440 → 0.478 ms; `accept-rate-inline-accept-before-after-20261201T084001Z.md`),
  and direct reads instead of zero-byte reads (0.434 → 0.440 ms, 2,392 → 2,272 msgs/s; the peek
  costs a system call, not time that shows: `accept-rate-no-zero-byte-reads-before-after-20261201T084919Z.md`).
  Two attempts at fewer hand-offs on the relay path, measured and not taken: the next hop's answer
  settling its message on the connection worker's thread, the acknowledgement's waiter finishing on
  the spool's writer (d0dbe95, reverted in f4e1da0): 4 KB 0.608 → 0.645 ms and 1,342 → 1,122
  msgs/s, 100 KB 0.816 → 0.908 and 851 → 764 (`relay-settle-inline-before-after-20261201T115932Z.md`;
  the writer thread, which also fsyncs, then ran every settlement's continuation); and workers
  started on the dispatching thread up to their first wait instead of a work item each: 100 KB
  0.878 → 0.720 ms, but 4 KB 0.518 → 0.597 (`relay-launch-inline-before-after-20261201T145054Z.md`),
  not better at both sizes and within this VM's swing. Nor the thread pool's workers without
  spinning before they sleep (`DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0`): 4 KB 0.484 → 0.509
  ms, 100 KB 0.744 → 0.806 and 911 → 781 msgs/s (`relay-no-pool-spin-before-after-20261201T183823Z.md`;
  likely because a spinning worker picks up the next settlement without a futex wake, not
  profiled). GC is 1.7% of the node's samples at 4 KB (the profile above),
  so a larger gen-0 budget was not tried.
- **Goals (reference workload, medians of 3, same runs as Postfix), on the 12-01 VM:** the full
  relay run above (ab9f357, 18:57): 4 KB **6.29x** Postfix (goal 5x, **met**) at **0.587 ms**
  CPU per message (goal 0.40, **not met**); 100 KB **5.08x** (goal 3x, **met**) at **0.844 ms**
  (goal 0.9, **met**); 50 sessions **9.03x** at 0.489 ms, no refusals (**met**). Runs on this VM
  swing more than any change measured today: Sluice's three 4 KB runs in that run were 1,100, 1,345
  and 1,587 msgs/s; the same workload at 773982a (09:50, `relay-20261201T095035Z.md`) gave 4.82x at
  0.685 ms and 4.94x at 0.942, at 2cde188 an hour before that (`relay-20261201T083301Z.md`) 7.17x
  at 0.515 ms, 5.29x at 0.732 and 10.36x at 0.403; the baselines of today's A/B runs ranged from
  0.484 to 0.608 ms at 4 KB and 0.744 to 0.878 at 100 KB for builds that differ in no hot-path code.
  On the VM before it (kernel fc-v669, 12-01 05:31, `relay-20261201T053140Z.md`) every relay goal
  was met: 4 KB 5.84x at 0.383 ms, 100 KB 3.59x at 0.614, 50 sessions 7.88x. The 4 KB CPU goal is
  an absolute figure and this machine's thread switches cost more than the last one's (about 10
  per relayed message; at 21.5–27 µs per round trip of two, see "The machine changed" above,
  roughly 0.1 ms of the 0.5–0.6 here); what would meet it here is below.
- **Goals on 12-02 (same kernel, a slower day):** the full relay run at the top of this section
  (85c3bf5, 13:21): 4 KB **4.47x** Postfix (goal 5x, **not met**) at **0.729 ms** (goal 0.40,
  **not met**); 100 KB **2.71x** (goal 3x, **not met**) at **1.362 ms** (goal 0.9, **not met**);
  50 sessions **6.30x** at 0.580 ms, no refusals (ratio **met**). The direct ceiling at 100 KB fell
  from 1,185 to 799 msgs/s since 12-01. Two checks in the same hour that this is the machine
  and not the code since ab9f357: ab9f357 itself, measured against this build in the same runs,
  spent 1.256–1.414 ms per 100 KB message (this build 1.240–1.588; medians 1.360 and 1.338;
  `relay-vm-check-since-ab9f357-before-after-20261202T134110Z.md`), where it spent 0.844 in the
  full run of 12-01. And 731907d (the build before today's change) against this build, same runs:
  100 KB 3.01x and 3.22x Postfix at 1.302 and 1.256 ms, 4 KB 4.29x and 4.58x at 0.794 and 0.771
  (`relay-host-config-before-after-20261202T133446Z.md`). In that run the 100 KB ratio goal was
  met (3.22x), and in the full run it was not (2.71x), so that goal sits at the edge of the swing
  today. What limits the rest is unchanged from 12-01 (below and above).
- **Goals on 12-02 evening** (the full relay run at the top of this section, 744d282, 18:52,
  with the WAL's size limit below): 4 KB **5.46x** Postfix (goal 5x, **met**; Sluice's runs 1,182–1,404
  msgs/s against Postfix's 232–246) at **0.644 ms** CPU per message (goal 0.40, **not met**);
  100 KB **3.07x** (goal 3x, **met**, at the edge: Sluice 582–650 msgs/s, Postfix 192–204) at
  **1.148 ms** (goal 0.9, **not met**); 50 sessions **6.59x** at 0.552 ms, no refusals (**met**).
  The direct ceiling at 100 KB was 911 msgs/s (1,185 on 12-01, 799 this morning). What limits
  the CPU goals is in the evening bullet below: no part of a message's path is large enough on
  its own; the kernel's share (TCP on loopback, `fsync`, WAL writes, the scheduler) is about
  half, and each of the three busy threads (pool workers, the socket engine, the spool's writer)
  spends 0.21–0.26 ms per message.
- **Accept-only** (`bench/accept-rate`, the run at the top of this page, 773982a): **3.48x**
  Postfix's smtpd with a connection per message (goal 3x, **met**; every Sluice run above every
  Postfix run times 3) and **3.86x** with reused connections. On the VM before (05:33) the same
  goal was **not met** (2.33x and 2.90x): most of the difference is the machine (smtpd's CPU per
  message went from 1.05 to 2.8 ms, Sluice's from 0.31 to 0.48), the rest ADR 0037 (the 250 sent
  from the spool's writer at the fsync: 2,166 → 2,363 msgs/s in the same runs, +9%). Where an
  accepted message's CPU went on the old VM, by thread (`threads-accept-20261201T063633Z.md`): the
  socket engine's threads 0.116 ms (the SMTP dialogue, run inline), the spool's writer 0.112,
  thread-pool workers 0.086, the tiered compiler 0.047 in that first run after the warm-up.
  System calls per accepted message (same file): 12 recvfrom (a one-byte peek before each read:
  zero-byte reads, so an idle session holds no buffer), 11.6 pwrite64 (SQLite writes a WAL frame's
  header and its page in two calls; a group commit of 3.6 messages dirties about 14 pages: message
  row, id and due indexes, body row and its overflow page, domain row and index), 7 sendto, 4.1
  fcntl (WAL locks), 2.4 futex, 1.8 epoll_wait, 1.6 accept4, 1 shutdown, 1 close, 0.34 fsync. The
  accept profile under perf on the new VM (`profile-accept-4k-20261201T080428Z.md`): the kernel
  57% of the node's samples (fsync 11%, epoll_wait 9%, sendto 6%, futex 5.5%, pwrite64 4.3%),
  JIT-compiled code 12.6%, SQLite 5.3%. Measured and not taken on this path: an 8 KiB page for
  new spools (0.346 → 0.350 ms with a connection per message, 0.186 → 0.221 reused;
  `accept-rate-page-size-8k-before-after-20261201T061131Z.md`).
- **What is left, by size:** on this VM, thread hand-offs first: every wake-up of another thread
  is dear here (about 10 context switches per relayed message: the session's continuation after
  the commit, the scheduler's dispatch, the settlement after the ack, the writer's own wake-ups).
  Then fewer pages per message in the spool (small bodies and the domain
  list in the message row), acks in fewer statements, and the JIT's share in the short reference
  runs (the tiered compiler's thread is 4–8% of the node's CPU during the first timed run after the
  7,000-message warm-up: 350–730 methods are still promoted to tier 1 while it runs; ReadyToRun and
  PGO off did not help, above).
- **12-02: the spool's commits, counted.** The spool's own histogram (`sluice_spool_commit_messages`)
  over 2,000 relayed 4 KB messages after 3,000 of warm-up, and `strace -y` on the same messages:
  0.35 transactions per relayed message, 5.7 operations each, and 0.28–0.32 fsyncs. Acks already
  ride the commits that intake makes (the writer is in an fsync when most of them arrive). The
  writer's 2 `fcntl` per message are SQLite's WAL locks, 6 per transaction on `spool.db-shm`; the
  other 2 are on sockets. Two changes measured and not taken the same day: bookkeeping (acks,
  deferrals, holds) made to wait up to 2 ms for the next intake commit instead of waking the
  writer: 0.35 → 0.335 transactions per relayed message and no fewer WAL writes, and a draining
  deep queue slower (60,000 × 4 KB by hand, two runs each, interleaved: 2,950–3,012 → 2,728–2,755
  msgs/s, 0.46 → 0.49–0.51 CPU s per 1,000; acks held back keep more messages in flight). The
  writer's channel waking the writer from the producer's thread (synchronous continuations)
  instead of through a pool thread: accept-only 1,926 → 1,971 msgs/s (0.457 → 0.445 ms) with a
  connection per message, 3,022 → 2,894 (0.283 → 0.295 ms) reused, within the runs' spread
  (`accept-rate-sync-writer-wake-before-after-20261202T031345Z.md`). "Acks riding enqueue
  commits" is off the list: they do. Nor 4 KB bodies in segment files (`Spool:LargeBodyBytes`
  1 KiB instead of 16, the same build in the same runs): 0.568 → 0.650 ms and 1,321 → 1,123
  msgs/s at 4 KB (`relay-small-bodies-in-segments-before-after-20261202T032508Z.md`): the
  segment's own `fdatasync` per batch costs more than the body's WAL pages it saves.
- **12-02: nothing watches the working directory.** The host's defaults read `appsettings.json`
  from the working directory and watched it with a recursive inotify watch over the whole tree;
  with the spool under the working directory, as `./build.sh serve` runs (`./data`), every WAL
  write woke the watcher's thread (a read of the inotify queue, an `lstat`, a `geteuid` per event).
  The relay benchmark never saw it (its spools are in /tmp, its working directory the repository).
  Now the hosts read no settings files of their own and watch nothing (`HostBuilders.Bare`); a
  stray `appsettings.json` could also open Kestrel endpoints beside the configured HTTP address
  (`WorkingDirectoryTests`). Same runs, each node from a folder of its own with its spool in
  `./data` (`SPOOL_UNDER_CWD=1`), against 731907d: 4 KB 0.854 → 0.734 ms CPU per message and
  960 → 1,052 msgs/s, lower in each of 3 runs (0.894/0.846/0.854 → 0.800/0.716/0.734;
  `relay-spool-under-cwd-before-after-20261202T130014Z.md`). With the spool outside the working
  directory (the benchmark's usual layout) the change moves nothing beyond the spread: against
  731907d in the same runs, 4 KB 0.794 → 0.771 ms, 100 KB 1.302 → 1.256
  (`relay-host-config-before-after-20261202T133446Z.md`; a slower day, see the 12-02 goals).
- **12-02 evening: where a 4 KB message's CPU goes now, and the WAL's file size.** By thread
  (`threads-relay-20261202T183314Z.md`, 32cbfd0): pool workers 0.262 ms per relayed message,
  the socket engine 0.228, the spool's writer 0.211, the tiered compiler 0.050; 8.6 context
  switches per message (10.2 on 12-01 morning, when the same threads took 0.516 ms in all: fewer
  switches, dearer work; the direct ceiling fell too). The writer's own samples under perf
  (4 KB, f7d5622): by the frame a sample stopped in, the kernel 46%, SQLite's and libc's own code
  43% (page cache, WAL checksums, copies), managed code 11% (Microsoft.Data.Sqlite's binding and
  our operations); by the system call a sample is under, `fsync` 16%, WAL `pwrite64` 15%, the
  250 replies it sends (ADR 0037) 5.5%, `fcntl` 2.2%, `statfs` 1.5%, `ftruncate` 1.3%.
  The `ftruncate` was the WAL: a checkpoint comes every 4,000 pages (16 MiB) and
  `journal_size_limit` was 8 MiB, so the first commit after each checkpoint cut the file in half
  and the next 8 MiB of WAL writes extended it again (blocks allocated, page-cache pages freed and
  added). `strace -e ftruncate` over 20,000 × 4 KB and 5,000 × 100 KB after the warm-up: 25
  truncations of `spool.db-wal` before, none with the limit at 32 MiB (`SqliteSpool.WalSettings`:
  twice a checkpoint interval, so the file keeps its working size and only a burst beyond it is
  given back); the writer's samples under `ftruncate` 1.3% → 0.01% (`profile-relay-4k-20261202T183226Z.md`).
  Same runs against 21d2b22: 100 KB 1.224 → 1.102 ms and 570 → 638 msgs/s (lower in each of 3
  runs: 1.224/1.244/1.090 → 1.130/1.102/1.078), 4 KB 0.703 → 0.688 and 1,200 → 1,222 (within the
  spread; `relay-wal-size-limit-before-after-20261202T182013Z.md`). The tiered compiler is still
  at work after the reference warm-up: the perf map shows 639 methods compiled during the first
  timed 4 KB run (398 at tier 1, 229 instrumented for PGO), 146 during the 100 KB run after it,
  123 during a second 4 KB run. Measured and not taken: call counting from the first call
  (`DOTNET_TC_CallCountingDelayMs=0`, which only the environment can set): the tiered compiler's
  thread fell from 0.035 to 0.006 ms per message in `threads.sh`, but in the same runs against
  the build without it 4 KB went 0.695 → 0.722 ms and 100 KB 1.216 → 1.200
  (`relay-tiering-delay-0-before-after-20261202T174655Z.md`): the compilation moved into the
  warm-up, the rest did not get cheaper.

### History and what moved it

The rows before 11-30 were measured against an **untuned Postfix** (default destination
concurrency 20, reverse lookups of each client, the log through postlogd to stdout), 20 sessions
and 2,000 warm-up messages for Postfix against 10,000 for Sluice: their ratios overstate Sluice
and are kept only as history.

| run | 4 KB vs Postfix | 4 KB Sluice CPU ms/msg | 100 KB vs Postfix | 100 KB Sluice CPU ms/msg | Postfix CPU ms/msg (4 KB) |
|---|---:|---:|---:|---:|---:|
| 11-24, bodies in SQLite, hot body cache (ADR 0009) (untuned peer) | 4.22x–5.05x | 0.46–0.55 | 2.94x–3.07x | 0.87–1.17 | 2.38–2.88 |
| 11-28, large bodies in segment files (ADR 0013), line-wise dot-stuffing (untuned peer) | 8.28x | 0.68 | 4.68x | 1.23 | 7.69 |
| 11-30, 7c51d21, reference workload and peer, measured by hand (the performance issue's table) | 2.4x–3.1x | 0.71–0.94 | 1.54x–1.62x | 1.76–1.84 | 2.49–2.90 |
| 11-30, 55cf78a, `bench/relay` on the reference workload, medians of 3 | 4.89x | 0.568 | 2.98x | 0.860 | 3.28 |
| 11-30, 6b60b01, prepared spool statements, no spinning, bookkeeping without fsync, medians of 3 | 6.48x | 0.408 | 3.20x | 0.752 | 3.57 |
| 11-30, e2f8bd1, 4 KB only, A/B against 3dd49f5 (the exporter without allocations), medians of 3 | 5.85x | 0.390 | — | — | 2.98 |
| 11-30, 76ef38f, full reference run, medians of 3 | 6.18x | 0.435 | 3.18x | 0.694 | 3.41 |
| 11-30, 86d186d, socket completions inline, full reference run, medians of 3 | 5.57x | 0.441 | 3.90x | 0.610 | 3.35 |
| 12-01, new messages without a lease statement (ADR 0036), full reference run, medians of 3 | 5.84x | 0.383 | 3.59x | 0.614 | 3.18 |
| 12-01 VM (kernel fc-v1045, slower thread switches), ab9f357, full reference run, medians of 3 | 6.29x | 0.587 | 5.08x | 0.844 | 6.40 |
| 12-02, same kernel, a slower day (100 KB direct 1,185 → 799 msgs/s), 85c3bf5, full reference run, medians of 3 | 4.47x | 0.729 | 2.71x | 1.362 | 5.32 |
| 12-02 evening, 744d282 (the WAL keeps its working size), full reference run, medians of 3 | 5.46x | 0.644 | 3.07x | 1.148 | 5.22 |

- **Large bodies left the database (ADR 0013).** A profile of the 100 KB relay put 36% of the
  node's CPU on the spool writer: 25 WAL frames per body, the checkpoint's copy and the freed
  overflow chain read back on delete. Appending the body to a segment file (one gathered write,
  one `fdatasync` per batch) took the writer from 0.48–0.64 to 0.26–0.30 ms per message (node
  alone, same machine, same hour).
- **Dot-stuffing line by line.** `SendDataAsync` was 7% of the node's CPU at 100 KB: the stuffer
  looked at every byte. It now searches for LF (vectorised) and copies whole lines.
- **Warm-up.** After 2,000–4,000 messages tiered compilation was still running and took about a
  quarter of the measured CPU (4 KB: 0.85–0.92 ms/msg after 4,000, 0.66–0.68 after 15,000); the
  untuned script warmed Sluice with 10,000 messages per size. The reference workload gives every
  server the same warm-up, so what tiering still costs after it counts against Sluice.
- **The machine.** On 11-28 this VM was much slower than on 11-24: Postfix spent 7.7 ms of CPU per
  4 KB message against 2.4–2.9, the direct ceiling fell from 7,697 to 2,907 msgs/s, and repeated
  runs of the same node differed by up to 35% in CPU per message. Ratios from one run are
  comparable; absolute CPU figures across days are not. Sluice's 4 KB CPU was 0.46–0.55 ms on
  11-24 and 0.68 ms on 11-28, where Postfix's was 2.7x its 11-24 figure.

## Cluster mode — `bench/cluster/run.sh`

Goal (cluster issue): one node in cluster mode at least 2x Postfix's end-to-end rate in the same
run; CPU per message split between node and broker. One broker on this 2-core machine shares the
cores with the load generator, the sink, Postfix's or the node's processes; the node runs the same
reference workload as the relay section above, the embedded node as the baseline in the same runs.

MD
  if [ -n "$cluster" ]; then sed '1d' "$cluster"; echo; echo "Source: \`$cluster\`"; else echo "_not run yet_"; fi
  cat <<'MD'

What the figures say (11-30, 04478a9): the cluster node reaches **3.98x** Postfix at 4 KB and
**2.04x** at 100 KB (goal 2x: met, at 100 KB barely), against 5.61x and 3.10x for the embedded node
in the same runs. The node itself spends less CPU at 4 KB (0.348 against 0.396 ms: no SQLite) and
more at 100 KB (0.874 against 0.734: the body is copied into the publish and out of the delivery);
the broker adds 0.456 ms per message (both sizes, warm-up included), so a clustered message costs
about twice the embedded one in CPU on one machine. Each message is one confirmed publish (a Raft
append with an fsync on the broker), one delivery and one ack; the node holds the bytes of what it
has in hand. Not measured yet: 2 and 3 nodes, three brokers, PostgreSQL's delivered-recipient
record per delivery (on when both are configured), and the model for 10 and 100 nodes.

## Cluster mode, accept only — `bench/cluster/accept.sh`

One node whose queue is one RabbitMQ broker, accepting only (a publisher confirm before each 250),
against Postfix's smtpd holding every message, in the same runs (the accept-rate section's script).

MD
  if [ -n "$clusteraccept" ]; then sed '1d' "$clusteraccept"; echo; echo "Source: \`$clusteraccept\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Cluster of 1, 2 and 3 nodes — `bench/cluster/nodes.sh`

The cluster as it runs in production — RabbitMQ, PostgreSQL (with the delivered-recipients
ledger) and Redis — with one, two and three nodes behind HAProxy, against the tuned Postfix in the
same runs, on this one 2-core machine: what each part costs per message, not how machines scale.

MD
  if [ -n "$clusternodes" ]; then sed '1d' "$clusternodes"; echo; echo "Source: \`$clusternodes\`"; else echo "_not run yet_"; fi
  cat <<'MD'

What the figures say (12-01, 3 repetitions, with the message index in PostgreSQL): with
everything a production cluster runs on the same two cores — HAProxy (0.29 ms per message), the
broker (0.46), PostgreSQL's ledger and message index (0.22), Redis (0.004) — one node relays
**1.62x** the tuned Postfix's rate (1.82x on 11-30, before the index moved to PostgreSQL: it adds
about 0.06 ms of PostgreSQL and 0.02 of node CPU per message). The cluster-mode goal of 2x is met
by the node on its broker alone (`bench/cluster/run.sh`, 3.98x) and **not met** once the front door
and PostgreSQL share the machine too. Two and three nodes relay at about the same rate (1.46x,
1.53x): on two cores more nodes add no CPU, and each costs its own housekeeping and index writer
(the cluster's CPU per message goes from 1.38 to 1.51–1.55 ms). The first runs of this script,
with 2,000 warm-up messages per fresh node, measured the nodes at 1.0–2.0 ms per message: a fresh
process needs a few thousand messages before its JIT has settled, hence 5,000 per node now.

## Cluster on three brokers — `BROKERS="1 3" NODES=1 bench/cluster/nodes.sh`

What replication costs: one node with the whole cluster (PostgreSQL, Redis, HAProxy in front) on
one broker and on three brokers in one cluster (each quorum queue's log on all three), in the same
repetitions, against the tuned Postfix. Broker CPU is the brokers' together.

MD
  if [ -n "$clusterrepl" ]; then sed '1d' "$clusterrepl"; echo; echo "Source: \`$clusterrepl\`"; else echo "_not run yet_"; fi
  cat <<'MD'

What the figures say (12-01, 3 repetitions): replicating every queue over three brokers costs
**1.41 ms of broker CPU per message, 3.6x the single broker's 0.39** (the leader's work, two
followers' copies, each member writing its own log, and the brokers' cluster traffic), and
nothing measurable on the node (0.63–0.64 ms both ways). On this 2-core machine the three
brokers' CPU holds the rate at 625 msgs/s, **1.09x** the tuned Postfix (1.79x on one broker in the
same runs): a replicated cluster wants its brokers on machines of their own. docs/scaling.md
takes 1.41 ms per message as the broker cost of a replicated cluster.

## Mixed destinations — `bench/mixed-destinations/run.sh`

Goal (engine issue, second shape): healthy destinations keep at least 90% of their rate when a
slow and a silent destination have mail queued ahead of theirs (ADR 0014). In the first shape one
slow relay held every other destination's mail for minutes: the same script run against the
build before this change (commit 7c51d21, `SLUICE_DLL`, one repetition) delivered **0 of 8,000**
healthy messages in the 243 s it was given beside the slow and the silent destination, against
1,274 msgs/s alone (`bench/results/mixed-destinations-before-7c51d21-20261130T044400Z.md`): the
silent destination's sessions held every delivery slot for their 5-minute greeting timeout.

MD
  if [ -n "$mixed" ]; then sed '1d' "$mixed"; echo; echo "Source: \`$mixed\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## A million messages over ten thousand destinations — `bench/deep-destinations/run.sh`

Goal (engine issue, second shape): memory stays flat however deep the queue and however many
destinations — the engine holds at most `Delivery:MaxInHand` messages and a ready queue only while
its destination has mail or connections.

MD
  if [ -n "$deepdest" ]; then sed '1d' "$deepdest"; echo; echo "Source: \`$deepdest\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Relay with a deep queue — `bench/relay-deep/run.sh`

Goal (delivery-engine issue): with 200,000 queued messages the rate does not fall as the queue deepens; peak memory recorded.

MD
  if [ -n "$relaydeep" ]; then sed '1d' "$relaydeep"; echo; echo "Source: \`$relaydeep\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Balancer overhead — `bench/balance/run.sh`

The cost of the front door: relay throughput through `sluice balance` to a sink, against the
same sink directly and through HAProxy in the same run. Goal (performance issue): at least
HAProxy's rate and no more CPU per connection.

MD
  if [ -n "$balance" ]; then sed '1d' "$balance"; echo; echo "Source: \`$balance\`"; else echo "_not run yet_"; fi
  cat <<'MD'

### What moved it (performance issue, ADR 0021)

Profiled with `perf` (cpu-clock, perf map) and `strace -c` over 5,000 connections each, the
balancer on the runtime's sockets spent, per connection: 14 failed reads (`recvfrom` → EAGAIN;
the runtime tries a read before it waits, and the SMTP dialogue waits on every line; HAProxy: 2),
5.7 `epoll_wait` (HAProxy: 1.4; a connection's two sockets sat on different engine threads, so
every reply crossed threads), a thread-pool hop (12% of its CPU in futex and scheduler work), and
for the first 20,000 connections 12% in the JIT. Step by step, in the same runs as HAProxy (these
steps ran 20 sessions with 2,000 warm-up messages per size, not the reference workload; the table
above is the reference workload):

| step | CPU ms/conn 4 KB | 100 KB | rate × HAProxy 4 KB | 100 KB | source |
|---|---:|---:|---:|---:|---|
| runtime sockets, before (3dd49f5) | 0.271 | 0.364 | 0.86x | 0.88x | `balance-before-after-20261130T113313Z.md` |
| no thread-pool hop per connection, one engine thread per 2 cores | 0.202 | 0.238 | 0.90x | 0.95x | same file |
| own epoll loops, one loop | 0.159 | 0.188 | 0.94x | 0.97x | `balance-loops-20261130T115821Z.md` |
| own epoll loops, a loop per core (default) | 0.177 | 0.212 | 1.00x | 1.02x | same file |
| the same against 3dd49f5 in one run | 0.185 vs 0.245 | 0.226 vs 0.352 | 0.91x vs 0.86x | 1.00x vs 0.88x | `balance-before-after-20261130T120213Z.md` |
| the same, 20 sessions, 5 repetitions (two runs) | 0.182 | 0.204 | 0.95x, 0.98x | 1.01x, 1.04x | `balance-twenty-sessions-*.md` |
| reference workload (10 sessions, 5,000 + 2,000 warm-up), 3 repetitions, VM before 12-01 08:00 | 0.204 | 0.266 | 1.12x | 1.05x | `balance-20261130T135347Z.md` |
| the same on the 12-01 VM (6945c71) | 0.338 vs 0.367 | 0.360 vs 0.382 | 1.00x | 0.99x | `balance-20261201T180656Z.md` |
| the same on 12-02 (3a073dc) | 0.292 vs 0.340 | 0.408 vs 0.536 | 1.01x | 1.06x | `balance-20261202T161840Z.md` |

Goal, on the reference workload: on the VM before 12-01 08:00, met — CPU per connection 18%
under HAProxy's at 4 KB (0.204 vs 0.249 ms) and 22% under at 100 KB (0.266 vs 0.340), rate 1.12x
and 1.05x HAProxy's. On the 12-01 VM (the direct 4 KB rate in the same script fell from 6,935 to
2,892 msgs/s, HAProxy's CPU per connection rose from 0.249 to 0.367 ms) the CPU goal still holds (8% and 6% under HAProxy's) and the
rate is at parity: 1.00x at 4 KB, 0.99x at 100 KB, where one of Sluice's three runs fell to 823
msgs/s and the other two (1,088, 1,084) sat inside HAProxy's range (1,080–1,167). With 20
sessions the CPU goal held too but the 4 KB rate was 0.95x–0.98x (run ranges overlapping): the
machine was 4 points less busy during Sluice's runs, a little latency per connection remains. On
12-02 (3a073dc, the run at the top of this section) both halves of the goal were met again: CPU
per connection 14% under HAProxy's at 4 KB (0.292 vs 0.340 ms) and 24% under at 100 KB (0.408 vs
0.536), rate 1.01x and 1.06x. At 4 KB the run ranges overlap (HAProxy 1,944–2,671 msgs/s, Sluice
2,113–2,233), so that rate is parity rather than a lead; at 100 KB two of Sluice's three runs were
above HAProxy's best. Sluice's peak PSS was 73 MiB (61 on 12-01; HAProxy 13 both days). The
loops' CPU is 75% kernel (TCP on loopback), which no change of ours moves.

The loops (`src/Sluice/Balance/ProxyLoop*.cs`): both sockets of a connection on one thread, a
read only when epoll reported data (edge-triggered; a short read means drained, unless the peer's
hang-up was reported, whose edge is spent), writes from one 64 KiB scratch buffer per loop, bytes
kept per connection only while the peer's window is full. Per connection now: 16 `recvfrom` (2
EAGAIN), 13 `sendto`, 1.5 `epoll_wait` with a loop per core (0.7 with one) — HAProxy's counts
(15, 13 and 1.4). No `splice`: at these sizes a
pipe costs as many calls as it saves copies (HAProxy's default is off too).

## Metrics recording — `Sluice.Benchmarks metrics`

What one measurement costs on the hot path with each exporter listening (observability issue,
ADR 0022): about twenty per relayed message, so about 1 µs of the 400 µs a message costs.

MD
  if [ -n "$metricsrec" ]; then sed '1d' "$metricsrec"; echo; echo "Source: \`$metricsrec\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Observability on the relay path — `bench/relay/run.sh` (WEBHOOK=1, BASELINE), `bench/profile/run.sh` (WEBHOOK=1)

Observability issue: the cost of metrics, event logging and webhooks per message on the relay
benchmark; the relay ratio against Postfix must not fall by more than 5%. The A/B run below puts
the build before the message index, the ECS event lines and webhooks (dbb56c0: metrics and the
JSONL event log already on) beside the current one with a webhook subscribed to every event type
(posting to a receiver on the same machine), Postfix in the same interleaved runs. The profile
then splits the current build's CPU: each part with everything it calls.

MD
  if [ -n "$obsab" ]; then sed '1d' "$obsab"; echo; echo "Source: \`$obsab\`"; else echo "_not run yet_"; fi
  echo
  if [ -n "$obsprof" ]; then sed -n '/^## Observability/,/^## By library/p' "$obsprof" | sed '$d' | sed 's/^## /### Profile: /'; echo "Source: \`$obsprof\` (perf adds its own overhead to the node's CPU per message)"; else echo "_not run yet_"; fi
  cat <<'MD'

The ratio to Postfix moved by +1% (4 KB) and −2% (100 KB), inside the 5% allowed and inside the
spread between repetitions; the node's own CPU per message rose 6–7% (0.425 → 0.451 ms at 4 KB,
0.662 → 0.712 ms at 100 KB). The profile puts about 3.4% of the node's CPU in the new parts
(webhook posting 1.2%, index commits 1.1%, ECS lines 0.7%) and 0.4% in metric recording; the rest
of the difference is spread thin (larger events, the index's queue, GC) and within run-to-run noise.
What limits it: every event is indexed (five statements for a one-recipient message) whether or
not anyone searches; the index could skip Reception rows for messages delivered within the batch.

## DKIM signing on the relay path — `bench/relay/run.sh` (BASELINE=HEAD, SLUICE_ENV with a key)

Deliverability issue: what signing costs per message, RSA-2048 and Ed25519, and its effect on the
relay benchmark against Postfix. The same build runs twice in the same interleaved runs: without
keys (before) and with one key for the sending domain of smtp-source's messages (after). Postfix,
as configured by the reference, does not sign (it would need OpenDKIM as a milter); the ratio is
therefore Sluice signing against Postfix not signing.

The first RSA run signed with MimeKit's default BouncyCastle RSA: 5.29 ms of CPU per message at
4 KB (0.477 before), 330 messages/s, 0.66x Postfix
(`relay-dkim-rsa-bouncycastle-before-after-20261130T153326Z.md`). RSA now goes through the
platform's RSA (OpenSSL) behind MimeKit's signer; the tables below are after that change. What
is left for Ed25519 and the body hash is MimeKit's managed SHA-256 and relaxed body
canonicalisation, which grow with the message size (the 100 KB row).

MD
  for f in "$dkimrsa" "$dkimed"; do
    if [ -n "$f" ]; then sed -n '/^Before and after/,/^CPU is each/p' "$f" | sed '$d'; echo; echo "Source: \`$f\`"; echo; else echo "_not run yet_"; fi
  done
  cat <<'MD'
## The deliverability engine on the relay path — `bench/relay/run.sh` (BASELINE=5461c29)

Deliverability issue: what sender reputation (rates counted per sending domain, tag and API key for
every outcome; a pause look-up per message), reply rules consulted on failures, the MTA-STS look-up
per domain group (a TXT cache), the warm-up check, TLS-session counting and the alignment judgement
at intake (the From header read, a cached verdict) cost on the relay path, against the build before
them (5461c29), Postfix in the same interleaved runs (no brakes or warm-up plans configured; MTA-STS,
TLS reporting and alignment on, as by default).

MD
  if [ -n "$deliverab" ]; then sed '1d' "$deliverab"; echo; echo "Source: \`$deliverab\`"; else echo "_not run yet_"; fi
  cat <<'MD'

Node CPU per message: 0.422 → 0.426 ms at 4 KB (+0.9%), 0.616 → 0.622 ms at 100 KB (+1%); the
ratio to Postfix 4.84x → 5.01x and 3.18x → 3.24x in the same runs — inside the spread between
repetitions. The first run of this comparison measured +3% at 4 KB (0.426 → 0.440 ms, 4.85x →
4.58x; `relay-deliverability-mimekit-from-before-after-20261130T180448Z.md`): the alignment check
parsed every message's From header with MimeKit's address parser. It now reads the common shapes
(`a@b`, `Name <a@b>`) from the span and shares the domain string with the metric tags, leaving
MimeKit for the rest; that is the run above. What remains per message is dictionary look-ups and
counter adds without I/O (a rate-window update per sender key of each delivered recipient, under a
lock per key).

MD
  cat <<'MD'

## Sending API injection — `bench/api-injection/run.sh`

Goal (sending-API issue): at least 5,000 messages/s made durable from batches on this 2-core machine.

Peak RSS under this sustained load is mostly memory the GC keeps after collecting: a heap dump
(`dotnet-dump`, `dumpheap -stat -live`) after 60,000 batch messages showed about 45 MB live, 38 MB
of it the hot body cache (ADR 0009). Giving each API message a buffer of its own size instead of a
64 KiB block (thousands are in flight during a batch) took the peak from 1.4 GB to about 0.7 GB and
the batch rate from 5,429 to about 7,200 messages/s. Large request bodies (a 1,000-recipient batch
is about 120 KB of JSON) still land on the large object heap.

MD
  if [ -n "$api" ]; then sed '1d' "$api"; echo; echo "Source: \`$api\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Template cache — `bench/templates/run.sh`

Rendering a stored template with and without the compiled-template cache (BenchmarkDotNet).

MD
  if [ -n "$templates" ]; then sed '1d' "$templates"; echo; echo "Source: \`$templates\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Spool engines — `bench/spool-engines/run.sh`

Evidence for ADR 0003 (which engine holds the embedded spool).

MD
  if [ -n "$engines" ]; then sed '1d' "$engines"; echo; echo "Source: \`$engines\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Deep queue — `bench/deep-queue/run.sh`

Memory must stay flat with a deep queue: metadata and bodies live in the spool file, not in RAM.

MD
  if [ -n "$deep" ]; then sed '1d' "$deep"; echo; echo "Source: \`$deep\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Idle connections — `bench/idle-connections/run.sh`

Hardening issue: memory per idle connection at 10,000 connections, and the accept rate while
5,000 idle connections are held. An idle session holds no read buffer (zero-byte reads), no
scratch buffer and no message buffer: what is left is the session object, its pipes, timer,
socket and the task waiting on it. No peer is measured here: Postfix's smtpd is a process per
connection (100 by default) and postscreen, its answer to many idle clients, is not yet set up in
this benchmark.

MD
  if [ -n "$idle" ]; then sed '1d' "$idle"; echo; echo "Source: \`$idle\`"; else echo "_not run yet_"; fi
  cat <<'MD'

## Sending API memory — `bench/api-memory/run.sh`

Front-of-house issue: a submission's memory stays near its own size. Ten concurrent 25 MB API
messages and 100,000 batch messages, against the SMTP path with the same messages (goal: peak RSS
within 2x). The API spools each request body like an SMTP session spools DATA (1 MiB in memory,
then a temp file), deserializes the JSON with attachment contents left in the spooled body, and
MimeKit writes the message straight into the spool's buffer while the attachment is base64-decoded
from the request in 4 KiB steps.

Before this (11-29, the issue's measurement): three sends of a 27 MB JSON message took an idle node
from 85 to 622 MB RSS, and 20 batches of 1,000 left it at 357 MB. The peak includes the runtime
and the warm-up (about 140 MiB on every run); the growth column is what the load itself added.
What the 100,000-message runs grow by on either path (the spool's hot body cache, allocator and GC
headroom) is not analysed further here.

MD
  if [ -n "$apimem" ]; then sed '1d' "$apimem"; echo; echo "Source: \`$apimem\`"; else echo "_not run yet_"; fi
} > docs/performance.md

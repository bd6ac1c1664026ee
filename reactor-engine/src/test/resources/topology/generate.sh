#!/usr/bin/env bash
# Regenerates the fake /sys and /proc trees used by the topology tests.
# Each tree mirrors the few files HostTopology reads; run from this directory.
set -euo pipefail
cd "$(dirname "$0")"

put() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" > "$1"; }

# cpu <root> <id> <core_id> <package_id> <thread_siblings_list>
cpu() {
  local d="$1/sys/devices/system/cpu/cpu$2/topology"
  put "$d/core_id" "$3"; put "$d/physical_package_id" "$4"; put "$d/thread_siblings_list" "$5"
}
node() { put "$1/sys/devices/system/node/node$2/cpulist" "$3"; }
status() { put "$1/proc/self/status" "Name:	java
State:	S (sleeping)
Threads:	42
Cpus_allowed:	$2
Cpus_allowed_list:	$3
Mems_allowed_list:	0-1
voluntary_ctxt_switches:	10"; }

# 1. Two sockets, two NUMA nodes, SMT: 16 CPUs, CPU n and n+8 are siblings,
#    package = node = (n mod 8) / 4. Process in a systemd service cgroup, no quota.
r=two-socket-smt; rm -rf $r
put $r/sys/devices/system/cpu/online 0-15
for n in $(seq 0 15); do c=$((n % 8)); p=$((c / 4)); cpu $r $n $((c % 4)) $p "$c,$((c + 8))"; done
node $r 0 0-3,8-11; node $r 1 4-7,12-15
status $r ffff 0-15
put $r/proc/self/cgroup "0::/system.slice/app.service"
put $r/sys/fs/cgroup/cpuset.cpus.effective 0-15
put $r/sys/fs/cgroup/system.slice/cpu.max "max 100000"
put $r/sys/fs/cgroup/system.slice/app.service/cpu.max "max 100000"
put $r/sys/fs/cgroup/system.slice/app.service/cpuset.cpus.effective 0-15

# 2. Container with cpuset 4-7 on an 8-CPU host without SMT, own cgroup namespace ("0::/").
#    The affinity mask still shows 0-7 here so the cgroup intersection is what narrows it.
r=container-cpuset; rm -rf $r
put $r/sys/devices/system/cpu/online 0-7
for n in $(seq 0 7); do cpu $r $n $n 0 $n; done
node $r 0 0-7
status $r ff 0-7
put $r/proc/self/cgroup "0::/"
put $r/sys/fs/cgroup/cpuset.cpus.effective 4-7
put $r/sys/fs/cgroup/cpu.max "max 100000"

# 3. Kubernetes container: cpuset 0-3 but cpu.max 1.5 CPUs (pod level allows 2).
r=quota-below-cpuset; rm -rf $r
put $r/sys/devices/system/cpu/online 0-3
for n in $(seq 0 3); do cpu $r $n $n 0 $n; done
node $r 0 0-3
status $r f 0-3
put $r/proc/self/cgroup "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope"
put $r/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cpu.max "200000 100000"
put $r/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope/cpu.max "150000 100000"
put $r/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope/cpuset.cpus.effective 0-3

# 4. cgroup v1 host: per-controller hierarchies, no unified files. v1 quota files exist but
#    are not read (the affinity mask already reflects a v1 cpuset).
r=cgroup-v1; rm -rf $r
put $r/sys/devices/system/cpu/online 0-3
for n in $(seq 0 3); do cpu $r $n $n 0 $n; done
node $r 0 0-3
status $r f 0-3
put $r/proc/self/cgroup "12:cpuset:/docker/abc
11:cpu,cpuacct:/docker/abc
1:name=systemd:/docker/abc"
put $r/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us 150000
put $r/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us 100000
put $r/sys/fs/cgroup/cpuset/cpuset.cpus 0-3

# 5. CPU list with gaps: affinity 0-1,4,6-7 on 8 CPUs = 4 cores x 2 threads (n, n+4),
#    no NUMA directory (single node), no cgroup files at all.
r=gaps; rm -rf $r
put $r/sys/devices/system/cpu/online 0-7
for n in $(seq 0 7); do c=$((n % 4)); cpu $r $n $c 0 "$c,$((c + 4))"; done
status $r d3 "0-1,4,6-7"
put $r/proc/self/cgroup "0::/"

# 6. taskset -c 1 on a 4-CPU host: a single allowed CPU.
r=single-cpu; rm -rf $r
put $r/sys/devices/system/cpu/online 0-3
for n in $(seq 0 3); do cpu $r $n $n 0 $n; done
node $r 0 0-3
status $r 2 1
put $r/proc/self/cgroup "0::/user.slice"
put $r/sys/fs/cgroup/user.slice/cpuset.cpus.effective 0-3
put $r/sys/fs/cgroup/user.slice/cpu.max "max 100000"

#!/bin/sh
# slurm_cluster.sh: sourced by the `slurm` tests. slurm_up DIR brings up a single-node Slurm
# cluster (slurmctld + slurmd, as root, no systemd, no munge, no accounting) whose config,
# state, spool, logs and pid files all live in DIR, on free ports; slurm_down kills the two
# daemons by the PIDs this shell started (call it from a trap). Every wait is bounded.
#
# Facts this relies on (Debian 12, slurm-wlm 22.05): AuthType=auth/none + CredType=cred/none
# need no munge daemon; the cgroup plugins fail in a container and drain the node, so
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none; SlurmdParameters=config_overrides
# lets the node declare more CPUs than it has; sacct needs an accounting database, so task
# states come from `scontrol show job`.

SLURM_CTLD_PID=""
SLURM_D_PID=""

# free_port: a TCP port nobody listens on (random in 20000..59999, checked with ss).
free_port() {
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
  done
  return 1
}

# slurm_up DIR [CPUS]: writes DIR/slurm.conf, starts both daemons, waits (<= 30 s) for the
# node to be idle. Exports SLURM_CONF. Returns 1 with the logs printed if it does not come up.
slurm_up() {
  SLURM_DIR=$1
  cpus=${2:-8}
  mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" || return 1
  p1=$(free_port) && p2=$(free_port) || { echo "slurm_up: no free port"; return 1; }
  [ "$p1" != "$p2" ] || p2=$((p1 + 1))
  cat > "$SLURM_DIR/slurm.conf" <<EOF
ClusterName=pecostest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
AuthType=auth/none
CredType=cred/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
SlurmUser=root
SlurmdUser=root
MailProg=/bin/true
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=5
MessageTimeout=3
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$SLURM_DIR/slurm.conf"
  slurmctld -D -i >"$SLURM_DIR/slurmctld.out" 2>&1 &
  SLURM_CTLD_PID=$!
  slurm_start_slurmd || return 1
  echo "slurm_up: controller pid $SLURM_CTLD_PID port $p1, slurmd pid $SLURM_D_PID port $p2"
}

# slurm_start_slurmd: (re)starts the node daemon and waits (<= 30 s) for the node to be idle.
slurm_start_slurmd() {
  slurmd -D -N localhost >>"$SLURM_DIR/slurmd.out" 2>&1 &
  SLURM_D_PID=$!
  i=0
  while [ $i -lt 60 ]; do
    s=$(timeout 5 sinfo -h -o %T 2>/dev/null)
    case "$s" in idle|mixed|allocated) return 0 ;; esac
    sleep 0.5
    i=$((i + 1))
  done
  echo "slurm: the node did not become idle within 30 s (state '$s')"
  tail -20 "$SLURM_DIR/slurmctld.log" "$SLURM_DIR/slurmd.log" 2>/dev/null
  return 1
}

# slurm_wait_state STATE SECONDS: waits until sinfo shows the node in STATE (prefix match).
slurm_wait_state() {
  i=0
  while [ $i -lt $(($2 * 4)) ]; do
    case "$(timeout 5 sinfo -h -o %T 2>/dev/null)" in "$1"*) return 0 ;; esac
    sleep 0.25
    i=$((i + 1))
  done
  return 1
}

# slurm_down: kills the daemons started here (by PID) and waits for them to exit.
slurm_down() {
  for p in $SLURM_D_PID $SLURM_CTLD_PID; do
    kill "$p" 2>/dev/null
  done
  for p in $SLURM_D_PID $SLURM_CTLD_PID; do
    i=0
    while [ $i -lt 40 ]; do
      st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)
      [ -z "$st" ] || [ "$st" = Z ] && break
      sleep 0.25
      i=$((i + 1))
    done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  SLURM_D_PID=""
  SLURM_CTLD_PID=""
}

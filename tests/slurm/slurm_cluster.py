"""A real, local Slurm cluster for tests (standard library only).

Follows shared/design/slurm-local.md: munged, slurmctld and one slurmd per "node" (n1, n2, ...) all on localhost,
everything - munge key, socket, pid and log files, slurm.conf, state, spool, per-node TmpFS, logs - under one base
directory. Needs root and the Debian packages slurm-wlm and munge; `skip_reason()` says when it cannot run.

    with SlurmCluster(base_dir, nodes=2, cpus_per_node=2) as cluster:
        job = cluster.sbatch("slurm/train.sh", "--steps", "10", cwd=workdir, extra_sbatch_args=["--nodes=2"])
        assert cluster.wait(job, timeout=60) == "COMPLETED"
    assert not cluster.leftover_processes()
"""
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

__all__ = ["SlurmCluster", "SlurmClusterError", "ClusterTestCase", "skip_reason", "parse_record", "core_pattern",
           "TERMINAL_STATES"]

REQUIRED_PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "scontrol", "sinfo", "squeue", "scancel")

# Job states from which a job does not move on by itself (a requeued job passes through REQUEUED/PENDING, not these).
TERMINAL_STATES = frozenset({
    "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL",
    "DEADLINE", "SPECIAL_EXIT", "REVOKED",
})

# Longest path a unix socket may have (sun_path is 108 bytes, including the terminating NUL).
_MAX_SOCKET_PATH = 107


def skip_reason():
    """Why Slurm tests cannot run here (a string), or None when they can."""
    missing = [program for program in REQUIRED_PROGRAMS if shutil.which(program) is None]
    if missing:
        return "Slurm/munge programs not found on PATH: " + ", ".join(missing) + \
            " (install the Debian packages slurm-wlm and munge)"
    if os.geteuid() != 0:
        return "a local Slurm cluster needs root (SlurmUser=root, slurmd runs jobs as root)"
    return None


class SlurmClusterError(RuntimeError):
    """A cluster that did not start, or a client command that failed; the message carries the daemon logs' tails."""


_KEY_RE = re.compile(r"(?:(?<=\s)|^)([A-Za-z][A-Za-z0-9_:/]*)=")


def parse_record(line):
    """Parses one `scontrol show ... -o` line into a dict of its key=value fields (values may contain spaces)."""
    line = line.strip()
    matches = list(_KEY_RE.finditer(line))
    fields = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        fields[match.group(1)] = line[match.end():end].strip()
    return fields


def _base_state(job_state):
    """'CANCELLED by 0' -> 'CANCELLED'; state flags such as '+' are stripped too."""
    return job_state.split()[0].rstrip("+") if job_state else ""


def _process_state(pid):
    """The `ps -o stat=` of pid ('' when there is no such process)."""
    result = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def _alive(pid):
    """True when pid exists and is not a zombie (exited daemons reparented to a non-reaping init stay zombies)."""
    state = _process_state(pid)
    return bool(state) and not state.startswith("Z")


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def _port_free(port):
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET, "127.0.0.1")):
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.bind((address, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def _free_ports(count, low=20000, high=32000):
    """count distinct TCP ports that can be bound now, below the ephemeral range (so outgoing connections do not
    take them between the check and the daemon's bind)."""
    ports = []
    rng = random.SystemRandom()
    for _ in range(2000):
        port = rng.randrange(low, high)
        if port not in ports and _port_free(port):
            ports.append(port)
            if len(ports) == count:
                return ports
    raise SlurmClusterError(f"found no {count} free TCP ports in [{low}, {high})")


def _tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            content = f.read().splitlines()
    except OSError as e:
        return f"  <cannot read {path}: {e.strerror}>"
    return "\n".join("  " + line for line in content[-lines:]) or "  <empty>"


def _raise_core_limit():
    """Runs in sbatch's child before exec: jobs inherit the submitter's limits (Slurm's PropagateResourceLimits is ALL
    by default), so a job step that crashes leaves a core file that diagnostics() can read a backtrace from."""
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):  # not allowed above the hard limit: take the hard limit
        hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def core_pattern():
    """The kernel's core_pattern: where a crashing process's core goes ('' where it cannot be read)."""
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            return f.read().strip()
    except OSError:
        return ""


def _backtrace(core, timeout=120):
    """The backtrace of every thread in a core file, by gdb (read twice: first for the program that wrote it)."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return "  (gdb not found: no backtrace; install gdb)"
    try:
        first = subprocess.run([gdb, "-batch", "-c", core], capture_output=True, text=True, timeout=timeout)
        match = re.search(r"Core was generated by `([^ `']+)", first.stdout)
        program = [match.group(1)] if match and os.path.isfile(match.group(1)) else []
        result = subprocess.run([gdb, "-batch", "-ex", "thread apply all bt 40"] + program + ["-c", core],
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"  (gdb took longer than {timeout} s on {core})"
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return "\n".join("  " + line for line in lines) or f"  (gdb printed nothing: {result.stderr.strip()})"


class SlurmCluster:
    """A local Slurm cluster (munged + slurmctld + `nodes` slurmd) under base_dir, started by start() or `with`."""

    def __init__(self, base_dir, nodes=2, cpus_per_node=2, real_memory=2000, timeout=30, cluster_name="skelaug"):
        self.base_dir = os.path.abspath(base_dir)
        self.node_count = int(nodes)
        self.cpus_per_node = int(cpus_per_node)
        self.real_memory = int(real_memory)
        self.timeout = float(timeout)
        self.cluster_name = cluster_name
        self.node_names = [f"n{i + 1}" for i in range(self.node_count)]
        b = self.base_dir
        self.munge_dir = os.path.join(b, "munge")
        self.munge_key = os.path.join(self.munge_dir, "munge.key")
        self.munge_socket = os.path.join(self.munge_dir, "munge.socket")
        self.conf_dir = os.path.join(b, "etc")
        self.conf_path = os.path.join(self.conf_dir, "slurm.conf")
        self.state_dir = os.path.join(b, "state")
        self.tmp_dir = os.path.join(b, "tmp")
        self.log_dir = os.path.join(b, "log")
        self.run_dir = os.path.join(b, "run")
        self.script_dir = os.path.join(b, "scripts")
        self.ctld_port = None
        self.node_ports = {}
        self.start_seconds = None
        self.env = None
        self._daemons = {}   # name -> pid, for every daemon this cluster started
        self._started = False
        self._stopped = False
        self._scripts = 0
        self._started_at = None   # time.time() at start(): cores older than this are not this cluster's
        self._job_dirs = set()    # the working directories jobs were submitted from (where relative cores land)

    # ----------------------------------------------------------------------------------------------- paths

    def pid_file(self, daemon):
        """Pid file of 'munged', 'slurmctld' or a node name (its slurmd)."""
        if daemon == "munged":
            return os.path.join(self.run_dir, "munged.pid")
        if daemon == "slurmctld":
            return os.path.join(self.run_dir, "slurmctld.pid")
        return os.path.join(self.run_dir, f"slurmd-{daemon}.pid")

    def log_file(self, daemon):
        """Log file of 'munged', 'slurmctld' or a node name (its slurmd)."""
        if daemon in ("munged", "slurmctld"):
            return os.path.join(self.log_dir, f"{daemon}.log")
        return os.path.join(self.log_dir, f"slurmd-{daemon}.log")

    # ----------------------------------------------------------------------------------------------- start

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    def start(self):
        """Starts munged, slurmctld and every slurmd; returns once every node is idle (else raises, having stopped
        whatever did start)."""
        if self._started:
            raise SlurmClusterError("this SlurmCluster has already been started")
        self._started = True
        self._started_at = time.time()
        begin = time.monotonic()
        try:
            self._prepare()
            self._start_munged()
            self._start_daemon("slurmctld", ["slurmctld", "-f", self.conf_path])
            self._wait_for("slurmctld to answer `scontrol ping` with UP", self._ctld_up)
            for node in self.node_names:
                self._start_daemon(node, ["slurmd", "-N", node, "-f", self.conf_path])
            self._wait_for("every node to be idle in sinfo", self._nodes_ready)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - begin
        return self

    def _prepare(self):
        if len(self.munge_socket) > _MAX_SOCKET_PATH:
            raise SlurmClusterError(f"base directory too long for a unix socket path: {self.munge_socket}")
        os.makedirs(self.base_dir, exist_ok=True)
        # munged wants every directory above its socket searchable by all ("Socket is inaccessible: execute
        # permissions for all required"); tempfile.mkdtemp makes 0700 directories, so add --x for group/other.
        os.chmod(self.base_dir, os.stat(self.base_dir).st_mode | 0o011)
        parent = os.path.dirname(self.base_dir)
        while True:
            if os.stat(parent).st_mode & 0o011 != 0o011:
                raise SlurmClusterError(f"munged needs execute permission for all on {parent} (above {self.base_dir})")
            if parent == os.path.dirname(parent):
                break
            parent = os.path.dirname(parent)
        # Fresh state every time: a recovered state would bring old jobs back (job ids restart at 1 regardless).
        for directory in (self.state_dir, self.tmp_dir, self.run_dir, self.munge_dir):
            shutil.rmtree(directory, ignore_errors=True)
        for directory in (self.conf_dir, self.state_dir, self.tmp_dir, self.log_dir, self.run_dir, self.script_dir,
                          self.munge_dir):
            os.makedirs(directory, exist_ok=True)
        os.chmod(self.munge_dir, 0o711)  # munged insists on a socket directory that others cannot write
        for node in self.node_names:
            os.makedirs(os.path.join(self.tmp_dir, node), exist_ok=True)
            os.makedirs(os.path.join(self.state_dir, f"slurmd-{node}"), exist_ok=True)
        with open(self.munge_key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(self.munge_key, 0o400)
        ports = _free_ports(1 + self.node_count)
        self.ctld_port = ports[0]
        self.node_ports = dict(zip(self.node_names, ports[1:]))
        with open(self.conf_path, "w") as f:
            f.write(self.slurm_conf())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_", "SALLOC_", "SRUN_"))}
        env.update({
            "SLURM_CONF": self.conf_path,
            "OMPI_ALLOW_RUN_AS_ROOT": "1",
            "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_rmaps_base_oversubscribe": "1",
        })
        self.env = env

    def slurm_conf(self):
        """The text of slurm.conf (the verified configuration of slurm-local.md, with n1..nN on localhost)."""
        lines = [
            f"ClusterName={self.cluster_name}",
            "SlurmctldHost=localhost",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket},cred_expire=5",
            f"SlurmctldPort={self.ctld_port}",
            f"StateSaveLocation={self.state_dir}/slurmctld",
            f"SlurmdSpoolDir={self.state_dir}/slurmd-%n",
            f"TmpFS={self.tmp_dir}/%n",
            f"SlurmctldPidFile={self.run_dir}/slurmctld.pid",
            f"SlurmdPidFile={self.run_dir}/slurmd-%n.pid",
            f"SlurmctldLogFile={self.log_dir}/slurmctld.log",
            f"SlurmdLogFile={self.log_dir}/slurmd-%n.log",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "MpiDefault=pmix",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/none",
            "SchedulerType=sched/backfill",
            "SchedulerParameters=sched_interval=2,bf_interval=1",
            "ReturnToService=2",
            "KillWait=5",
            "MinJobAge=300",
            "MailProg=/bin/true",
            # The configured CPUs/RealMemory count even where the host has fewer (several nodes share one host).
            "SlurmdParameters=config_overrides",
        ]
        for node in self.node_names:
            lines.append(
                f"NodeName={node} NodeHostname=localhost NodeAddr=127.0.0.1 Port={self.node_ports[node]} "
                f"CPUs={self.cpus_per_node} Sockets=1 CoresPerSocket={self.cpus_per_node} ThreadsPerCore=1 "
                f"RealMemory={self.real_memory} State=UNKNOWN")
        lines.append("PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP")
        return "\n".join(lines) + "\n"

    def _start_munged(self):
        self._start_daemon("munged", [
            "munged",
            f"--key-file={self.munge_key}",
            f"--socket={self.munge_socket}",
            f"--pid-file={self.pid_file('munged')}",
            f"--log-file={self.log_file('munged')}",
            f"--seed-file={os.path.join(self.munge_dir, 'munged.seed')}",
        ])
        self._wait_for("the munge socket", lambda: os.path.exists(self.munge_socket))

    def _start_daemon(self, name, command):
        """Runs a daemon that forks into the background, then records its pid from its pid file."""
        launch_log = os.path.join(self.log_dir, f"launch-{name}.log")
        with open(launch_log, "w") as out:
            launcher = subprocess.Popen(command, env=self.env, cwd=self.base_dir, stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = launcher.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                launcher.kill()
                launcher.wait()
                raise SlurmClusterError(f"`{' '.join(command)}` did not go into the background within "
                                        f"{self.timeout:g} s\n{self.diagnostics()}")
        if rc != 0:
            raise SlurmClusterError(f"`{' '.join(command)}` failed with exit code {rc}\n{self.diagnostics()}")
        pid_file = self.pid_file(name)

        def pid_ready():
            pid = self._read_pid(pid_file)
            if pid is not None and _alive(pid):
                self._daemons[name] = pid
                return True
            return False

        self._wait_for(f"{name} to write a live pid to {pid_file}", pid_ready)

    @staticmethod
    def _read_pid(path):
        try:
            with open(path) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _wait_for(self, what, ready, timeout=None):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        delay = 0.02
        while True:
            if ready():
                return
            if time.monotonic() > deadline:
                raise SlurmClusterError(f"timed out after {self.timeout:g} s waiting for {what}\n"
                                        f"{self.diagnostics()}")
            dead = [name for name, pid in self._daemons.items() if not _alive(pid)]
            if dead:
                raise SlurmClusterError(f"daemon(s) {', '.join(dead)} died while waiting for {what}\n"
                                        f"{self.diagnostics()}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def _ctld_up(self):
        result = self.run(["scontrol", "ping"], timeout=10)
        return result.returncode == 0 and " is UP" in result.stdout

    def ready_nodes(self):
        """Names of the nodes that are idle, mixed or allocated (and responding)."""
        result = self.run(["sinfo", "-h", "-N", "-r", "-t", "idle,mixed,allocated", "-o", "%N"], timeout=10)
        return set(result.stdout.split()) if result.returncode == 0 else set()

    def _nodes_ready(self):
        return self.ready_nodes() >= set(self.node_names)

    def diagnostics(self, lines=25):
        """The tails of every daemon's log (and launcher output) for error messages."""
        parts = []
        try:
            names = sorted(os.listdir(self.log_dir))
        except OSError:
            names = []
        for name in names:
            path = os.path.join(self.log_dir, name)
            if os.path.isfile(path) and os.path.getsize(path) > 0:
                parts.append(f"--- {path} (last {lines} lines)\n{_tail(path, lines)}")
        for core in self.core_files():
            parts.append(f"--- core {core}\n{_backtrace(core)}")
        return "\n".join(parts) if parts else "(no daemon logs)"

    def core_files(self):
        """Core files written since the cluster started where its jobs' processes would write them: in the jobs'
        working directories when the kernel's core_pattern is a relative name, in the pattern's directory when it is
        a path; none when cores go to a handler program (a pattern starting with '|')."""
        pattern = core_pattern()
        if not pattern or pattern.startswith("|") or self._started_at is None:
            return []
        prefix = os.path.basename(pattern).split("%")[0] or "core"
        if os.path.isabs(pattern):
            directories = [os.path.dirname(pattern)] if "%" not in os.path.dirname(pattern) else []
        else:
            directories = sorted(self._job_dirs)
        found = []
        for directory in directories:
            try:
                names = os.listdir(directory)
            except OSError:
                continue
            for name in names:
                path = os.path.join(directory, name)
                try:
                    fresh = os.path.isfile(path) and os.path.getmtime(path) >= self._started_at - 1
                except OSError:
                    continue
                if name.startswith(prefix) and fresh:
                    found.append(path)
        return sorted(found)

    # ----------------------------------------------------------------------------------------------- clients

    def run(self, args, **kw):
        """subprocess.run(args) in the cluster's environment, text mode, output captured (all overridable)."""
        kw.setdefault("env", self.env)
        kw.setdefault("text", True)
        if "stdout" not in kw and "stderr" not in kw:
            kw.setdefault("capture_output", True)
        kw.setdefault("timeout", 60)
        return subprocess.run(list(args), **kw)

    def _check(self, args, **kw):
        result = self.run(args, **kw)
        if result.returncode != 0:
            raise SlurmClusterError(f"`{' '.join(map(str, args))}` failed with exit code {result.returncode}:\n"
                                    f"{result.stdout}{result.stderr}")
        return result

    def sbatch(self, script, *args, cwd=None, extra_sbatch_args=()):
        """Submits `script` (a path, or the script's text when it contains a newline) with its arguments `args`,
        from `cwd`; returns the job id."""
        if "\n" in script:
            self._scripts += 1
            path = os.path.join(self.script_dir, f"script-{self._scripts}.sh")
            with open(path, "w") as f:
                f.write(script)
            os.chmod(path, 0o755)
            script = path
        command = ["sbatch", "--parsable"] + list(extra_sbatch_args) + [script] + [str(a) for a in args]
        result = self._check(command, cwd=cwd, preexec_fn=_raise_core_limit)
        self._job_dirs.add(os.path.abspath(cwd or os.getcwd()))
        return int(result.stdout.strip().splitlines()[-1].split(";")[0])

    def job_records(self, job_id):
        """Parsed `scontrol show job -o` records of job_id: one per array task (pending tasks may share one)."""
        result = self._check(["scontrol", "show", "job", "-o", str(job_id)], timeout=20)
        return [parse_record(line) for line in result.stdout.splitlines() if line.strip()]

    def job_info(self, job_id):
        """Parsed key=value fields (JobState, ExitCode, Restarts, StdOut, ArrayTaskId, ...) of a job or of one
        array task ("12_3"); for a whole array, those of its first record (see job_records)."""
        records = self.job_records(job_id)
        if not records:
            raise SlurmClusterError(f"scontrol knows no job {job_id}")
        return records[0]

    def job_state(self, job_id):
        """JobState of a job (without 'by UID' and flags)."""
        return _base_state(self.job_info(job_id).get("JobState", ""))

    def wait(self, job_id, timeout=120, poll=0.25):
        """Waits until the job is in a terminal state and returns it ("COMPLETED", "FAILED", ...); for a job array,
        until every task is, returning {task id (int): state}. Raises TimeoutError with the queue on time-out."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.job_records(job_id)
            array = any(r.get("ArrayJobId") for r in records) and not str(job_id).count("_")
            states = {}
            for r in records:
                key = r.get("ArrayTaskId", "") if array else None
                states[key] = _base_state(r.get("JobState", ""))
            if records and all(state in TERMINAL_STATES for state in states.values()):
                if not array:
                    return next(iter(states.values()))
                try:
                    return {int(task): state for task, state in states.items()}
                except ValueError:  # not yet split into single tasks
                    pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} not finished within {timeout:g} s: {states}\n"
                                   f"{self.run(['squeue', '-a']).stdout}")
            time.sleep(poll)

    def signal_batch(self, job_id, sig="USR1"):
        """Sends a signal to the job's batch shell only (`scancel --signal=SIG --batch`)."""
        self._check(["scancel", f"--signal={sig}", "--batch", str(job_id)])

    def queue(self):
        """Ids (as squeue prints them) of every job in the queue."""
        result = self.run(["squeue", "-h", "-a", "-o", "%i"], timeout=20)
        return result.stdout.split() if result.returncode == 0 else []

    # ----------------------------------------------------------------------------------------------- stop

    def stop(self, queue_timeout=20, daemon_timeout=10):
        """Cancels every job, waits (bounded) for an empty queue, shuts slurmctld and the slurmds down, then ends
        each daemon by its pid (SIGTERM, SIGKILL a few seconds later). Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        # Pid files may exist for daemons whose start was cut short.
        for name in ["munged", "slurmctld"] + self.node_names:
            if name not in self._daemons:
                pid = self._read_pid(self.pid_file(name))
                if pid is not None and _comm(pid) in ("munged", "slurmctld", "slurmd"):
                    self._daemons[name] = pid
        if self.env is None:
            return
        slurm = [n for n in ["slurmctld"] + self.node_names if n in self._daemons]
        ctld_alive = "slurmctld" in self._daemons and _alive(self._daemons["slurmctld"])
        if ctld_alive:
            try:
                self.run(["scancel", "--user=root"], timeout=15)
                deadline = time.monotonic() + queue_timeout
                while self.queue() and time.monotonic() < deadline:
                    time.sleep(0.25)
                self.run(["scontrol", "shutdown"], timeout=15)
            except (subprocess.SubprocessError, OSError):
                pass
        self._end(slurm, daemon_timeout if ctld_alive else 0)
        self._kill_strays()
        if "munged" in self._daemons:
            self._end(["munged"], 0)

    def _end(self, names, grace):
        """Waits up to grace s for the named daemons to exit, then SIGTERMs and later SIGKILLs the rest."""
        def living():
            return [n for n in names if _alive(self._daemons[n])]

        deadline = time.monotonic() + grace
        while living() and time.monotonic() < deadline:
            time.sleep(0.1)
        for sig, wait_s in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            remaining = living()
            if not remaining:
                return
            for name in remaining:
                pid = self._daemons[name]
                if _comm(pid) in ("munged", "slurmctld", "slurmd"):
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
            deadline = time.monotonic() + wait_s
            while living() and time.monotonic() < deadline:
                time.sleep(0.05)

    def _descendants(self):
        """Live processes (pid, command name) other than the recorded daemons whose environment carries this
        cluster's SLURM_CONF: slurmstepd and job processes that outlived their slurmd."""
        marker = f"SLURM_CONF={self.conf_path}".encode()
        me = os.getpid()
        daemons = set(self._daemons.values())
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            if pid == me or pid in daemons:
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read().split(b"\0")
            except OSError:
                continue
            if marker in environ and _alive(pid):
                found.append((pid, _comm(pid)))
        return found

    def _kill_strays(self):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            strays = self._descendants()
            if not strays:
                return
            for pid, _ in strays:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 3
            while self._descendants() and time.monotonic() < deadline:
                time.sleep(0.05)

    def leftover_processes(self):
        """(pid, name) of every daemon this cluster started that is still alive (zombies count as dead), and of any
        other live process carrying this cluster's SLURM_CONF (a slurmstepd or job process left behind)."""
        left = [(pid, name) for name, pid in self._daemons.items() if _alive(pid)]
        if self.env is not None:
            left += self._descendants()
        return left

    @property
    def pids(self):
        """{daemon name: pid} of the daemons started ('munged', 'slurmctld', and each node name for its slurmd)."""
        return dict(self._daemons)


class ClusterTestCase(unittest.TestCase):
    """Tests that share one two-node cluster: started under a fresh temporary folder (`cls.base`) before the class's
    tests, stopped after them; the class fails if a process the cluster started is left running. The folder is removed
    unless something is left or SLURM_TEST_KEEP=1. Skipped, saying why, where skip_reason() gives one."""

    @classmethod
    def setUpClass(cls):
        reason = skip_reason()
        if reason:
            raise unittest.SkipTest(reason)
        cls.base = tempfile.mkdtemp(prefix="slurm-")  # short: the munge socket path must fit in 107 bytes
        os.chmod(cls.base, 0o711)  # munged wants every directory above its socket searchable by all
        cls.cluster = SlurmCluster(os.path.join(cls.base, "cluster"), nodes=2, cpus_per_node=2)
        cls.cluster.start()
        print(f"\ncluster up in {cls.cluster.start_seconds:.2f} s under {cls.cluster.base_dir}", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        begin = time.monotonic()
        cls.cluster.stop()
        print(f"\ncluster stopped in {time.monotonic() - begin:.2f} s", file=sys.stderr)
        left = cls.cluster.leftover_processes()
        if left or os.environ.get("SLURM_TEST_KEEP") == "1":
            print(f"kept {cls.base}", file=sys.stderr)
        else:
            shutil.rmtree(cls.base, ignore_errors=True)
        if left:
            raise AssertionError(f"processes left after the cluster stopped: {left}")

"""Self-test of slurm_cluster.SlurmCluster against a real local Slurm cluster (needs root, slurm-wlm and munge).

    /usr/bin/python3 tests/slurm/cluster_test.py -v

Set SLURM_TEST_KEEP=1 to keep the cluster's base directory (logs, job output) afterwards.
"""
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slurm_cluster import ClusterTestCase, SlurmCluster, core_pattern  # noqa: E402



def _read(path):
    with open(path) as f:
        return f.read()


class SlurmClusterTest(ClusterTestCase):
    """One two-node cluster shared by the job tests; its stop is checked in tearDownClass."""

    def workdir(self, name):
        path = os.path.join(self.base, name)
        os.makedirs(path, exist_ok=True)
        return path

    def assertState(self, expected, actual, job_id):
        if actual != expected:
            self.fail(f"job {job_id}: {actual!r}, expected {expected!r}\n"
                      f"{self.cluster.job_records(job_id)}\n{self.cluster.diagnostics()}")

    def test_two_node_pmix_job(self):
        work = self.workdir("pmix")
        script = ("#!/bin/bash\n"
                  "#SBATCH --nodes=2 --ntasks-per-node=1\n"
                  "srun --mpi=pmix /bin/sh -c 'echo task $SLURM_PROCID of $SLURM_NTASKS on $SLURMD_NODENAME'\n")
        job = self.cluster.sbatch(script, cwd=work, extra_sbatch_args=["--output=job-%j.out"])
        self.assertState("COMPLETED", self.cluster.wait(job, timeout=30), job)
        info = self.cluster.job_info(job)
        self.assertEqual("0:0", info["ExitCode"])
        self.assertEqual(os.path.join(work, f"job-{job}.out"), info["StdOut"])
        lines = sorted(_read(info["StdOut"]).splitlines())
        self.assertEqual(["task 0 of 2 on n1", "task 1 of 2 on n2"], sorted(lines), lines)

    def test_job_array(self):
        work = self.workdir("array")
        script = ("#!/bin/bash\n"
                  "echo \"task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID on $SLURMD_NODENAME\" "
                  "> \"$1/task-$SLURM_ARRAY_TASK_ID.txt\"\n")
        job = self.cluster.sbatch(script, work, cwd=work,
                                  extra_sbatch_args=["--array=0-3%2", "--output=array-%A_%a.out"])
        states = self.cluster.wait(job, timeout=30)
        self.assertEqual({0: "COMPLETED", 1: "COMPLETED", 2: "COMPLETED", 3: "COMPLETED"}, states)
        for task in range(4):
            content = _read(os.path.join(work, f"task-{task}.txt"))
            self.assertTrue(content.startswith(f"task {task} of {job} on n"), content)
        info = self.cluster.job_info(f"{job}_2")
        self.assertEqual("2", info["ArrayTaskId"])
        self.assertEqual("COMPLETED", info["JobState"])

    def test_usr1_requeue(self):
        work = self.workdir("requeue")
        # A bash trap runs only once the foreground command ends, hence `sleep & wait`; the handler kills the
        # sleep, which would otherwise outlive the job (proctrack/linuxproc loses orphans).
        script = ("#!/bin/bash\n"
                  "echo \"run restart=${SLURM_RESTART_COUNT:-0}\"\n"
                  "if [ \"${SLURM_RESTART_COUNT:-0}\" -ge 1 ]; then echo resumed; exit 0; fi\n"
                  "on_usr1() { echo got USR1; kill $child; scontrol requeue $SLURM_JOB_ID; echo requeue rc=$?;"
                  " exit 0; }\n"
                  "trap on_usr1 USR1\n"
                  "sleep 120 &\n"
                  "child=$!\n"
                  "echo ready\n"
                  "wait\n")
        out = os.path.join(work, "requeue.out")
        job = self.cluster.sbatch(script, cwd=work,
                                  extra_sbatch_args=["--requeue", "--open-mode=append", f"--output={out}"])
        deadline = time.monotonic() + 30
        while not (os.path.exists(out) and "ready" in _read(out)):
            if time.monotonic() > deadline:
                self.fail(f"job {job} did not get ready: {self.cluster.job_records(job)}")
            time.sleep(0.1)
        signalled = time.monotonic()
        self.cluster.signal_batch(job, "USR1")
        self.assertState("COMPLETED", self.cluster.wait(job, timeout=40), job)
        print(f"\nrequeue cycle took {time.monotonic() - signalled:.1f} s", file=sys.stderr)
        text = _read(out)
        # Either the requeue kills the handler first (slurmstepd then adds "*** JOB n ON n1 CANCELLED ... DUE TO JOB
        # REQUEUE ***" and the exit code of `scontrol requeue` is never printed) or the handler exits first (then
        # "requeue rc=0" is there and slurmstepd says nothing). Restarts=1 below proves the requeue either way.
        lines = [line for line in text.splitlines()
                 if not line.startswith("slurmstepd") and not line.startswith("requeue rc=")]
        self.assertEqual(["run restart=0", "ready", "got USR1", "run restart=1", "resumed"], lines, text)
        self.assertTrue("DUE TO JOB REQUEUE" in text or "requeue rc=0" in text, text)
        self.assertNotRegex(text, r"requeue rc=[1-9]")
        info = self.cluster.job_info(job)
        self.assertEqual("1", info["Restarts"])
        self.assertEqual("0:0", info["ExitCode"])

    def test_a_crashed_step_leaves_a_core_and_the_diagnostics_its_backtrace(self):
        """A job step that dies of SIGSEGV (as one rank did once, at start-up, in the preemption test) writes a core
        despite a shell's default core limit of 0, and diagnostics() prints gdb's backtrace of it."""
        pattern = core_pattern()
        if pattern.startswith("|"):
            self.skipTest(f"the kernel hands cores to a program ({pattern}), not to a file this test can read")
        if shutil.which("gdb") is None:
            self.skipTest("gdb not found (tools/install-deps.sh installs it)")
        work = self.workdir("crash")
        script = "#!/bin/bash\nulimit -c\nsrun --mpi=none /bin/sh -c 'kill -SEGV $$'\n"
        job = self.cluster.sbatch(script, cwd=work, extra_sbatch_args=["--output=crash.out"])
        self.assertState("FAILED", self.cluster.wait(job, timeout=30), job)
        self.assertEqual("unlimited", _read(os.path.join(work, "crash.out")).splitlines()[0])
        cores = self.cluster.core_files()
        self.assertTrue(cores, f"no core file; core_pattern {pattern}")
        diagnostics = self.cluster.diagnostics()
        self.assertIn(f"--- core {cores[-1]}", diagnostics)
        self.assertIn("Core was generated by `/bin/sh -c kill -SEGV", diagnostics)
        self.assertRegex(diagnostics, r"#0 +0x[0-9a-f]+ in ")
        for core in cores:  # a core in the folder core_pattern names stays there, as the machine's owner chose
            if os.path.dirname(core) == work:
                os.remove(core)

    def test_second_cluster_alongside(self):
        """A second cluster picks its own ports while the first runs, and leaves nothing behind."""
        with SlurmCluster(os.path.join(self.base, "second"), nodes=1, cpus_per_node=1) as second:
            self.assertNotEqual(second.ctld_port, self.cluster.ctld_port)
            self.assertEqual({"n1"}, second.ready_nodes())
            job = second.sbatch("#!/bin/sh\nexit 3\n", cwd=self.workdir("second-jobs"),
                                extra_sbatch_args=["--output=/dev/null"])
            self.assertEqual("FAILED", second.wait(job, timeout=30))
            self.assertEqual("3:0", second.job_info(job)["ExitCode"])
        self.assertEqual([], second.leftover_processes())
        self.assertEqual({"n1", "n2"}, self.cluster.ready_nodes())


if __name__ == "__main__":
    unittest.main()

/**
 * Readers for /proc: CPU time and memory of one process, and busy time of the whole host.
 * Linux only (the benchmark's machines are).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  /* keep the usual 100 Hz */
}

/** User+system CPU time of a process, in microseconds (resolution: one clock tick, usually 10 ms). */
export function procCpuMicros(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / clockTicks;
}

/** CPU time of a process's main thread (tid = pid) and of all its other threads, in µs. */
export function procThreadCpuMicros(pid: number): { main: number; mainSys: number; others: number } {
  let main = 0;
  let mainSys = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const micros = ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
      if (Number(tid) === pid) {
        main = micros;
        mainSys = (Number(fields[12]) * 1e6) / clockTicks;
      }
      else others += micros;
    } catch {
      /* thread ended */
    }
  }
  return { main, mainSys, others };
}

/** Context switches (voluntary: blocked waiting for I/O; involuntary: preempted) of the main thread and of the other threads. */
export function procCtxSwitches(pid: number): { mainVoluntary: number; mainInvoluntary: number; others: number } {
  const out = { mainVoluntary: 0, mainInvoluntary: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1');
      const voluntary = Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(text)?.[1] ?? 0);
      const involuntary = Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(text)?.[1] ?? 0);
      if (Number(tid) === pid) {
        out.mainVoluntary = voluntary;
        out.mainInvoluntary = involuntary;
      } else out.others += voluntary + involuntary;
    } catch {
      /* thread ended */
    }
  }
  return out;
}

/** VmRSS and VmHWM (peak RSS) of a process, in KiB. */
export function procMemKiB(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'latin1');
  const rss = /VmRSS:\s+(\d+)/.exec(text);
  const hwm = /VmHWM:\s+(\d+)/.exec(text);
  return { rss: Number(rss?.[1] ?? 0), hwm: Number(hwm?.[1] ?? 0) };
}

/** Busy and total time of all cores of the host, in microseconds. */
export function hostCpuMicros(): { busy: number; total: number; softirq: number; steal: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const total = v.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const us = (ticks: number) => (ticks * 1e6) / clockTicks;
  return { busy: us(total - idle), total: us(total), softirq: us((v[5] ?? 0) + (v[6] ?? 0)), steal: us(v[7] ?? 0) };
}

export interface CpuSnapshot {
  at: number;
  /** CLOCK_MONOTONIC in µs: the clock of V8's CPU profiles, to cut a profile to this window. */
  mono: number;
  server: number;
  serverMain: number;
  serverMainSys: number;
  ctx: { mainVoluntary: number; mainInvoluntary: number; others: number };
  gen: number;
  hostBusy: number;
  hostSoftirq: number;
  hostSteal: number;
}

/** One reading of the server's, this process's and the host's CPU time. */
export function cpuSnapshot(serverPid: number): CpuSnapshot {
  const usage = process.cpuUsage();
  const threads = procThreadCpuMicros(serverPid);
  return {
    serverMain: threads.main,
    serverMainSys: threads.mainSys,
    ctx: procCtxSwitches(serverPid),
    at: performance.now(),
    mono: Number(process.hrtime.bigint() / 1000n),
    server: procCpuMicros(serverPid),
    gen: usage.user + usage.system,
    ...(() => {
      const host = hostCpuMicros();
      return { hostBusy: host.busy, hostSoftirq: host.softirq, hostSteal: host.steal };
    })(),
  };
}

export interface CpuWindow {
  seconds: number;
  mono_start_us: number;
  mono_end_us: number;
  /** CPU time used in the window, in core-seconds. */
  server_cpu_s: number;
  /** The server's CPU on its main (JavaScript) thread; the rest is GC helpers, libuv pool, workers. */
  server_main_thread_cpu_s: number;
  /** The part of it spent in the kernel (system time: syscalls, loopback TCP delivery). */
  server_main_thread_sys_s: number;
  /** Context switches in the window: main thread voluntary / involuntary, and all other threads. */
  server_main_voluntary_cs: number;
  server_main_involuntary_cs: number;
  server_other_threads_cs: number;
  gen_cpu_s: number;
  host_cpu_s: number;
  /** Average cores busy over the window (1.0 = one core fully busy). */
  server_cores: number;
  gen_cores: number;
  host_cores: number;
  /** Host CPU not used by the server or the generator: other work on the machine (noise). */
  other_cores: number;
  /** Interrupt and softirq time of the host (loopback TCP delivery is partly here, charged to no process). */
  host_irq_cores: number;
  /** Time the hypervisor gave this VM's CPUs to someone else. */
  host_steal_cores: number;
}

export function cpuWindow(a: CpuSnapshot, b: CpuSnapshot): CpuWindow {
  const seconds = (b.at - a.at) / 1000;
  const server = (b.server - a.server) / 1e6;
  const gen = (b.gen - a.gen) / 1e6;
  const host = (b.hostBusy - a.hostBusy) / 1e6;
  return {
    seconds,
    mono_start_us: a.mono,
    mono_end_us: b.mono,
    server_cpu_s: server,
    server_main_thread_cpu_s: (b.serverMain - a.serverMain) / 1e6,
    server_main_thread_sys_s: (b.serverMainSys - a.serverMainSys) / 1e6,
    server_main_voluntary_cs: b.ctx.mainVoluntary - a.ctx.mainVoluntary,
    server_main_involuntary_cs: b.ctx.mainInvoluntary - a.ctx.mainInvoluntary,
    server_other_threads_cs: b.ctx.others - a.ctx.others,
    gen_cpu_s: gen,
    host_cpu_s: host,
    server_cores: server / seconds,
    gen_cores: gen / seconds,
    host_cores: host / seconds,
    other_cores: Math.max(0, (host - server - gen) / seconds),
    host_irq_cores: (b.hostSoftirq - a.hostSoftirq) / 1e6 / seconds,
    host_steal_cores: (b.hostSteal - a.hostSteal) / 1e6 / seconds,
  };
}

export function machine(): { cores: number; cpu_model: string; node: string; platform: string } {
  const list = cpus();
  return {
    cores: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

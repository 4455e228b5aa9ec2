import { cpus, platform, release, totalmem } from 'node:os';
import type { MachineInfo } from '../report/report-types.js';

/** Cores, CPU model, memory, OS and node version of this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    platform: `${platform()} ${release()}`,
    nodeVersion: process.version,
  };
}

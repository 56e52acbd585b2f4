// Setup and teardown shared by the agent's control tests: a simulated control node holding the test's
// config objects on the file's own address and port, a fresh state directory, the port API calls every
// test makes first, and a teardown that stops agents before the control nodes they talk to.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningAgent } from '../../src/index.js';
import { http, portBody, SimController, type TfObject, type WorkloadConfig } from '../control-sim.js';

export interface SimulatedControlOptions {
  host: string;
  xmppPort: number;
  /** Names the state directory (`<tmpdir>/filament-<stateDirName>-XXXXXX`). */
  stateDirName: string;
  objects: [string, TfObject][];
  /** Hides objects from some agents (see SimController.visibleTo). */
  visibleTo?: SimController['visibleTo'];
}

export interface SimulatedControl {
  sim: SimController;
  stateDir: string;
}

/** A listening simulated control node that already holds `objects` (no agent is connected yet). */
export async function startSimulatedControl(o: SimulatedControlOptions): Promise<SimulatedControl> {
  const stateDir = await mkdtemp(join(tmpdir(), `filament-${o.stateDirName}-`));
  const sim = new SimController(o.host);
  if (o.visibleTo) sim.visibleTo = o.visibleTo;
  await sim.listen(o.xmppPort);
  sim.set(...o.objects);
  return { sim, stateDir };
}

/** Stops the agents, then the control nodes, then removes the state directory; skips what never started. */
export async function stopControlTest(
  agents: (RunningAgent | undefined)[],
  sims: (SimController | undefined)[],
  stateDir: string | undefined,
): Promise<void> {
  for (const a of agents) await a?.stop();
  for (const s of sims) await s?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}

/** The base URL of an agent's port API. */
export const portApiUrl = (x: RunningAgent): string => `http://${x.agent.underlayAddress}:${x.portApi.port}`;

/** Adds workload `w` through the agent's port API; returns the HTTP status. */
export async function addPort(
  x: RunningAgent,
  w: WorkloadConfig,
  extra: Record<string, unknown> = {},
): Promise<number> {
  return (await http('POST', `${portApiUrl(x)}/port`, portBody(w, extra))).status;
}

// Setup and teardown shared by the agent's control tests: a simulated control node holding the test's
// config objects on the file's own address and port, a fresh state directory, the port API calls every
// test makes first, and a teardown that stops agents before the control nodes they talk to.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig, RunningAgent } from '../../src/index.js';
import { http, portBody, SimController, type TfObject, type WorkloadConfig } from '../control-sim.js';
import { controlAgentConfig } from './agent-config.js';

export interface SimulatedControl {
  sim: SimController;
  stateDir: string;
  /** The config of an agent that talks to this control node only, its state in `stateDir[/subdir]`. */
  agentConfig(name: string, underlay: string, subdir?: string): AgentConfig;
}

export interface SimControllerOptions {
  host: string;
  xmppPort: number;
  objects: [string, TfObject][];
  /** Hides objects from some agents (see SimController.visibleTo). */
  visibleTo?: SimController['visibleTo'];
  /** VRF pairs whose routes the control node leaks into each other. */
  leaks?: [string, string][];
}

/**
 * A simulated control node that holds `objects` before it listens, so an agent that is already retrying
 * (a control node coming back) finds the config there from its first subscribe.
 */
export async function startSimController(o: SimControllerOptions): Promise<SimController> {
  const sim = new SimController(o.host);
  if (o.visibleTo) sim.visibleTo = o.visibleTo;
  sim.set(...o.objects);
  for (const [a, b] of o.leaks ?? []) sim.leak(a, b);
  await sim.listen(o.xmppPort);
  return sim;
}

export interface SimulatedControlOptions extends SimControllerOptions {
  /** Names the state directory (`<tmpdir>/filament-<stateDirName>-XXXXXX`). */
  stateDirName: string;
}

/** A listening simulated control node that holds `objects`, and a fresh state directory. */
export async function startSimulatedControl(o: SimulatedControlOptions): Promise<SimulatedControl> {
  const stateDir = await mkdtemp(join(tmpdir(), `filament-${o.stateDirName}-`));
  const controllers = [{ host: o.host, port: o.xmppPort }];
  return {
    sim: await startSimController(o),
    stateDir,
    agentConfig: (name, underlay, subdir) =>
      controlAgentConfig({
        name,
        underlay,
        controllers,
        stateDir: subdir === undefined ? stateDir : join(stateDir, subdir),
      }),
  };
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

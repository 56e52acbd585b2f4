// Every `filament` subcommand, one import a command file. Keep the list in the order `--help` shows it.
import type { Command } from '../command.js';
import { agentCommands } from './agent.js';
import { bgpCommands } from './bgp.js';
import { bgpServeCommand } from './bgp-serve.js';
import { configCommands } from './config.js';
import { demoCommand } from './demo.js';
import { labCommand } from './lab.js';
import { mrtCommand } from './mrt.js';
import { pcapCommand } from './pcap.js';
import { policyCommands } from './policy.js';
import { routesCommand } from './routes.js';
import { xmppDecodeCommand } from './xmpp.js';

export const commands: Command[] = [
  labCommand,
  demoCommand,
  ...bgpCommands,
  bgpServeCommand,
  mrtCommand,
  pcapCommand,
  ...policyCommands,
  xmppDecodeCommand,
  ...agentCommands,
  ...configCommands,
  routesCommand,
];

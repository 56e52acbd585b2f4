export { AddressSet, type Prefix, parsePrefix, subtractPrefixes } from './address-set.js';
export {
  type AclDescription,
  type AclEntry,
  type AclEntryDescription,
  type CompiledAcl,
  type CompilerCore,
  entryKey,
  type Gate,
} from './compile.js';
export * from './errors.js';
export {
  AclMatcher,
  compileMatcher,
  Decision,
  type DecisionReason,
  evaluate,
  FiveTuple,
} from './evaluate.js';
export * from './incremental.js';
export {
  type K8sNamespace,
  type K8sNetworkPolicy,
  type K8sObject,
  type K8sPod,
  type K8sProbe,
  type K8sProbeResult,
  type K8sTranslation,
  type LabelSelector,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  POD_NETWORK,
  parseK8sDocuments,
  podInterface,
  probeK8s,
  translateK8s,
} from './k8s.js';
export * from './model.js';
export { type NaiveDecision, NaiveEvaluator } from './naive.js';
export {
  applyK8sPreset,
  type K8sMode,
  type K8sService,
  type PresetOptions,
  SERVICE_NETWORK,
} from './presets.js';
export { type ProbeResult, type ProbeSpec, probe } from './probe.js';
export { effectiveTags, PREDEFINED_TAG_TYPES, parseTagName, TagRegistry } from './tags.js';
export { loadTfObjects, type TfLoadResult } from './tf-objects.js';

/**
 * Who an IAM grant, a dataset access entry or a Cloud Storage ACL lets in, and whether that can
 * be everyone. A member known only at apply is judged by what it can become: an expression
 * with a literal principal prefix (`serviceAccount:${...}`) or one whose every reference is a
 * service account cannot be public; anything else (`${var.reader}`, a sensitive value) is
 * unknown, so the verdict is the same before and after apply.
 */
import type { AttrValue, Graph, Resource } from '../../graph/types';
import { isPending } from '../../graph/types';
import { asList, asRecord, asString, readAttr, SENSITIVE } from '../../graph/values';

export const PUBLIC_MEMBER = /^(allUsers|allAuthenticatedUsers)$/;
/** Principal prefixes that name one identity or a bounded set (never everyone). */
const NAMED_PRINCIPAL = /^(serviceAccount|user|group|domain|deleted:serviceAccount|deleted:user|deleted:group):/;
const SERVICE_ACCOUNT_REFERENCE = /^(data\.)?google_service_account\./;

export type MemberVerdict = 'public' | 'private' | 'unknown';

export interface Member {
  /** As written (an expression for a pending value). */
  text: string;
  verdict: MemberVerdict;
  role: string;
  /** Why a pending member is or is not resolvable. */
  why?: string;
}

/** `ROLE:entity` of a Cloud Storage ACL or an entity of an access control resource: allUsers is public. */
function entityOf(v: string): string {
  const i = v.indexOf(':');
  return /^(READER|WRITER|OWNER):/i.test(v) ? v.slice(i + 1) : v;
}

/** PUBLIC_MEMBER.test(who), as a comparison (it runs for every member of every grant). */
function isPublicMember(who: string): boolean {
  return who === 'allUsers' || who === 'allAuthenticatedUsers';
}

export function classifyMember(v: AttrValue | undefined, role: string, entity = false): Member[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => classifyMember(x, role, entity));
  if (typeof v === 'string') {
    if (v === SENSITIVE) return [{ text: v, verdict: 'unknown', role, why: 'the member is sensitive, so who it is cannot be read' }];
    const who = entity ? entityOf(v) : v;
    return [{ text: v, verdict: isPublicMember(who) ? 'public' : 'private', role }];
  }
  if (isPending(v)) {
    const text = v.expression ?? `(known after apply; refers to ${v.references.join(', ') || 'nothing in the graph'})`;
    if (v.expression && NAMED_PRINCIPAL.test(v.expression)) return [{ text, verdict: 'private', role, why: 'a literal principal prefix' }];
    if (v.references.length > 0 && v.references.every((r) => SERVICE_ACCOUNT_REFERENCE.test(r))) return [{ text, verdict: 'private', role, why: 'every reference is a service account' }];
    return [{ text, verdict: 'unknown', role, why: `known only after apply and not a service account (${v.references.join(', ') || 'no reference'})` }];
  }
  return [];
}

/** Bindings of a policy document: a literal JSON policy_data or the data.google_iam_policy it refers to. */
function policyMembers(graph: Graph, r: Resource): Member[] {
  const data = readAttr(r, 'policy_data');
  if (typeof data === 'string' && data !== SENSITIVE) {
    try {
      const doc = JSON.parse(data) as { bindings?: { role?: string; members?: string[] }[] };
      return (doc.bindings ?? []).flatMap((b) => classifyMember(b.members ?? [], b.role ?? ''));
    } catch {
      return [{ text: 'policy_data', verdict: 'unknown', role: '', why: 'policy_data is not a JSON policy' }];
    }
  }
  if (data !== undefined && data !== null && isPending(data)) {
    const sources = data.references.map((a) => graph.byAddress.get(a)).filter((x): x is Resource => x !== undefined && x.type === 'google_iam_policy');
    if (sources.length === 0 || sources.length < data.references.length) {
      return [{ text: data.expression ?? 'policy_data', verdict: 'unknown', role: '', why: `policy_data refers to ${data.references.join(', ') || 'nothing'}, not a data.google_iam_policy in the graph` }];
    }
    return sources.flatMap((s) => asList(readAttr(s, 'binding')).flatMap((b) => {
      const block = asRecord(b);
      if (!block) return [{ text: `${s.address}.binding`, verdict: 'unknown' as const, role: '', why: 'the binding is known only after apply' }];
      return classifyMember(block.members, asString(block.role) ?? '');
    }));
  }
  return data === SENSITIVE ? [{ text: SENSITIVE, verdict: 'unknown', role: '', why: 'policy_data is sensitive' }] : [];
}

/** Canned Cloud Storage ACLs that grant allUsers (publicRead*) or allAuthenticatedUsers (authenticatedRead). */
const PUBLIC_PREDEFINED_ACL = /^(publicRead|publicReadWrite|authenticatedRead)$/;

function predefined(r: Resource, attribute: string): Member[] {
  const v = readAttr(r, attribute);
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [{ text: `${attribute} ${v}`, verdict: PUBLIC_PREDEFINED_ACL.test(v) ? 'public' : 'private', role: '' }];
  return [{ text: attribute, verdict: 'unknown', role: '', why: `${attribute} is known only after apply` }];
}

const ACCESS_CONTROL = ['google_storage_bucket_access_control', 'google_storage_object_access_control', 'google_storage_default_object_access_control'];
const ACL = ['google_storage_bucket_acl', 'google_storage_object_acl', 'google_storage_default_object_acl'];
const DATASET_ACCESS_FIELDS = ['special_group', 'iam_member'];

const roleOf = (r: Resource) => asString(readAttr(r, 'role')) ?? '';

/** The members a resource grants access to, or undefined when the resource grants nothing. */
export function membersOf(graph: Graph, r: Resource): Member[] | undefined {
  // Suffix tests as endsWith (the same as /_iam_member$/ ...), and the role read only where it is used: this runs for every resource.
  if (r.type.endsWith('_iam_member')) return classifyMember(readAttr(r, 'member'), roleOf(r));
  if (r.type.endsWith('_iam_binding')) return classifyMember(readAttr(r, 'members'), roleOf(r));
  if (r.type.endsWith('_iam_policy')) return policyMembers(graph, r);
  if (r.type === 'google_bigquery_dataset') {
    return asList(readAttr(r, 'access')).flatMap((a) => {
      const block = asRecord(a);
      if (!block) return isPending(a) ? [{ text: 'access', verdict: 'unknown' as const, role: '', why: 'the access list is known only after apply' }] : [];
      return DATASET_ACCESS_FIELDS.flatMap((f) => classifyMember(block[f], asString(block.role) ?? ''));
    });
  }
  if (r.type === 'google_bigquery_dataset_access') return DATASET_ACCESS_FIELDS.flatMap((f) => classifyMember(readAttr(r, f), roleOf(r)));
  if (ACCESS_CONTROL.includes(r.type)) return classifyMember(readAttr(r, 'entity'), roleOf(r), true);
  if (ACL.includes(r.type)) return [...classifyMember(readAttr(r, 'role_entity'), '', true), ...predefined(r, 'predefined_acl'), ...predefined(r, 'default_acl')];
  if (r.type === 'google_storage_bucket_object') return predefined(r, 'predefined_acl');
  if (r.type === 'google_cloud_run_v2_service' && readAttr(r, 'invoker_iam_disabled') === true) return [{ text: 'allUsers (invoker IAM disabled)', verdict: 'public', role: 'roles/run.invoker' }];
  return undefined;
}

export const PUBLIC_ACCESS_TYPES = ['*_iam_member', '*_iam_binding', '*_iam_policy', 'google_bigquery_dataset', 'google_bigquery_dataset_access', ...ACCESS_CONTROL, ...ACL, 'google_storage_bucket_object', 'google_cloud_run_v2_service'];

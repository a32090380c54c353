import type { NodeEndpoint, NodeKind } from './node-url.js';

/** An exit node as the rest of the platform sees it. */
export interface ExitNode {
  readonly id: number;
  readonly kind: NodeKind;
  /**
   * How to egress, credentials included: never log it (log `urlDisplay`). Undefined when the stored URL
   * cannot be decrypted (TOLLGATE_SECRET changed); the pool then leaves the node out.
   */
  readonly endpoint: NodeEndpoint | undefined;
  /** The URL with its password masked. */
  readonly urlDisplay: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
  /** Lower case; '' when unknown. */
  readonly state: string;
  readonly city: string;
  /** Product types served, sorted. */
  readonly productTypes: readonly number[];
  readonly weight: number;
  readonly enabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewExitNode {
  readonly url: string;
  readonly country: string;
  readonly state?: string | undefined;
  readonly city?: string | undefined;
  /** Default [9]. */
  readonly types?: readonly number[] | undefined;
  /** 1-1000, default 1. */
  readonly weight?: number | undefined;
  /** Default true. */
  readonly enabled?: boolean | undefined;
}

export type ExitNodePatch = Partial<NewExitNode>;
